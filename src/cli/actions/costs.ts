import { pricingFromConfig } from "../../ai/pricing.js";
import { ExitCode, UserError } from "../../errors.js";
import { costReport, periodFromDates, type CostPeriod } from "../../costs/report.js";
import { periodFromDays } from "../../costs/period.js";
import { readEnvKeys } from "../../config/env-keys.js";
import { openLiveDatabase } from "../../db/live.js";
import { formatUsd } from "../../shared/money.js";
import type { CostsFlags } from "../commands/costs.js";
import { resolveDataPaths } from "../data-paths.js";
import { cliIo } from "../io.js";
import { createReporter, printJson, writeOut } from "../output.js";
import { renderCostCsv, renderCostReport } from "../render/costs.js";
import type { CommandResult } from "../result.js";

const PRICE_KEYS = [
  "CLAUDE_MODEL",
  "CLAUDE_INPUT_COST_PER_M",
  "CLAUDE_OUTPUT_COST_PER_M",
  "GEMINI_INPUT_COST_PER_M",
  "GEMINI_OUTPUT_COST_PER_M",
  "NANO_BANANA_COST_PER_IMAGE",
] as const;

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

export function costs(flags: CostsFlags, setResult: (result: CommandResult) => void): void {
  const period = periodOf(flags);
  if (flags.by === "user" && flags.user !== undefined)
    throw new UserError("--by user needs all users: drop --user");
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
}
