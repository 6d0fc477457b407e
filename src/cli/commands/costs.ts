import { InvalidArgumentError, Option, type Command } from "commander";
import { usdToNano } from "../../ai/pricing.js";
import { MAX_REPORT_DAYS } from "../../costs/period.js";
import { parsePositiveInt } from "../parse.js";
import type { CostGrouping } from "../render/costs.js";
import type { CommandResult } from "../result.js";

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

export interface CostsFlags {
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
      const { costs } = await import("../actions/costs.js");
      costs(flags, setResult);
    });
}
