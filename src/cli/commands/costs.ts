import { InvalidArgumentError, Option, type Command } from "commander";
import { pricingFromConfig, usdToNano } from "../../ai/pricing.js";
import { ExitCode, UserError } from "../../errors.js";
import { MAX_REPORT_DAYS, periodFromDates, periodFromDays, type CostPeriod } from "../../costs/report.js";
import { readEnvKeys } from "../../config/env-keys.js";
import { resolveDataPaths } from "../data-paths.js";
import { cliIo } from "../io.js";
import { createReporter, printJson, writeOut } from "../output.js";
import { parsePositiveInt } from "../parse.js";
import type { CostGrouping } from "../render/costs.js";
import type { CommandResult } from "../result.js";

const PRICE_KEYS = [
  "CLAUDE_MODEL",
  "CLAUDE_INPUT_COST_PER_M",
  "CLAUDE_OUTPUT_COST_PER_M",
  "GEMINI_INPUT_COST_PER_M",
  "GEMINI_OUTPUT_COST_PER_M",
  "NANO_BANANA_COST_PER_IMAGE",
] as const;

function parseBudget(value: string): number {
  const usd = Number(value);
  if (!Number.isFinite(usd) || usd < 0)
    throw new InvalidArgumentError("must be an amount in USD, e.g. 50 or 12.5");
  return usdToNano(usd);
}

function parseDays(value: string): number {
  const days = parsePositiveInt(value);
  if (days > MAX_REPORT_DAYS) throw new InvalidArgumentError(`must be at most ${MAX_REPORT_DAYS}`);
  return days;
}

interface CostsFlags {
  days?: number;
  since?: string;
  until?: string;
  user?: string;
  by: CostGrouping;
  json?: boolean;
  csv?: boolean;
  budget?: number;
  db?: string;
  envFile?: string;
}

function periodOf(flags: CostsFlags): CostPeriod {
  if (flags.since === undefined) {
    if (flags.until !== undefined) throw new UserError("--until needs --since (or use --days)");
    return periodFromDays(flags.days ?? 30);
  }
  if (flags.days !== undefined) throw new UserError("use either --days or --since/--until, not both");
  try {
    return periodFromDates(flags.since, flags.until);
  } catch (error) {
    const issues = (error as { issues?: { message: string }[] }).issues;
    throw new UserError(`invalid period: ${issues?.[0]?.message ?? (error as Error).message}`);
  }
}

export function registerCostsCommand(program: Command, setResult: (result: CommandResult) => void): void {
  program
    .command("costs")
    .description("AI spend from the cost ledger: by model, day or user, with a daily trend and cache savings")
    .option("--days <n>", "the last N days including today (default 30)", parseDays)
    .option("--since <date>", "first day, YYYY-MM-DD (UTC)")
    .option("--until <date>", "last day, YYYY-MM-DD (UTC; default today)")
    .option("--user <name>", "only this user's calls")
    .addOption(
      new Option("--by <grouping>", "table grouping").choices(["model", "day", "user"]).default("model"),
    )
    .addOption(new Option("--json", "print the report as JSON on stdout").conflicts("csv"))
    .option("--csv", "print the table as CSV (with a TOTAL row) on stdout")
    .option("--budget <usd>", "exit 4 when spend in the period exceeds this (for cron alerts)", parseBudget)
    .option("--db <path>", "database file (default: <dataDir>/app.db from the ops config)")
    .option("--env-file <path>", "env file with the price settings (default: ops config envFile)")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb costs\n  ahb costs --days 7 --by day\n  ahb costs --since 2026-01-01 --until 2026-01-31 --csv > jan.csv\n" +
        "  ahb costs --days 30 --budget 200   (exit 4 when over budget)",
    )
    .action(async (flags: CostsFlags) => {
      const period = periodOf(flags);
      if (flags.by === "user" && flags.user !== undefined)
        throw new UserError("--by user needs all users: drop --user");
      const [{ costReport }, { openLiveDatabase }, { renderCostCsv, renderCostReport }, { formatUsd }] =
        await Promise.all([
          import("../../costs/report.js"),
          import("../../db/live.js"),
          import("../render/costs.js"),
          import("../../shared/money.js"),
        ]);
      const paths = resolveDataPaths({ dbPath: flags.db, envFile: flags.envFile });
      const pricing = pricingFromConfig(readEnvKeys(paths.envFile, PRICE_KEYS));
      const db = openLiveDatabase(paths.dbPath);
      let report;
      try {
        report = costReport(db, { period, user: flags.user, byUser: flags.user === undefined, pricing });
      } finally {
        db.close();
      }
      if (flags.json) printJson(report);
      else if (flags.csv) writeOut(renderCostCsv(report, flags.by));
      // Not a terminal (a pipe, cron mail): 80 columns.
      else writeOut(renderCostReport(report, flags.by, cliIo().stdout.columns ?? 80));
      if (flags.budget !== undefined && report.totals.costNanoUsd > flags.budget) {
        createReporter().error(
          `spend ${formatUsd(report.totals.costNanoUsd)} exceeds the budget of ${formatUsd(flags.budget)} for the period`,
        );
        setResult({ exitCode: ExitCode.BUDGET_EXCEEDED });
      }
    });
}
