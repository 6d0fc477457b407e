import * as z from "zod";
import type { Db } from "../db/open.js";
import type { TokenUsage } from "../db/repo/ledger.js";
import { USAGE_FIELDS, ZERO_USAGE } from "../db/usage-fields.js";
import { nanoToUsd, type Pricing } from "../ai/pricing.js";
import { MAX_REPORT_DAYS, MS_PER_DAY, periodBetween, utcDay, type CostPeriod } from "./period.js";
import { byCodePoint } from "../shared/text-order.js";

export { MAX_REPORT_DAYS, periodFromDays, type CostPeriod } from "./period.js";

export interface CostFields extends TokenUsage {
  requests: number;
  costNanoUsd: number;
  costUsd: number;
}

export interface CacheSavings {
  /** What the cache-read tokens would have cost at the input rate, minus what they did cost. */
  cacheSavingsNanoUsd: number;
  cacheSavingsUsd: number;
}

export type ModelCosts = { provider: string; model: string } & CostFields & CacheSavings;

export interface CostReport {
  period: CostPeriod;
  user: string | null;
  totals: CostFields & CacheSavings;
  byModel: ModelCosts[];
  byDay: { day: string; requests: number; costNanoUsd: number; costUsd: number }[];
  byUser?: ({ user: string } & CostFields)[];
}

export interface CostReportOptions {
  period: CostPeriod;
  /** Only this user's calls; absent means everyone. */
  user?: string;
  /** Add the per-user breakdown (admins, operators). */
  byUser?: boolean;
  /** Price tables for the cache savings; models without one count no savings. */
  pricing?: Pricing;
}

const dateSchema = z.iso.date({ message: "must be a date like 2026-01-31" });

/** `since`..`until` as inclusive dates (YYYY-MM-DD); until defaults to today. */
export function periodFromDates(since: string, until: string | undefined, now = new Date()): CostPeriod {
  const start = Date.parse(`${dateSchema.parse(since)}T00:00:00Z`);
  const endExclusive =
    (until ? Date.parse(`${dateSchema.parse(until)}T00:00:00Z`) : utcDay(now)) + MS_PER_DAY;
  if (endExclusive <= start) throw new RangeError("--until is before --since");
  const period = periodBetween(start, endExclusive);
  if (period.days > MAX_REPORT_DAYS)
    throw new RangeError(`the period is longer than ${MAX_REPORT_DAYS} days`);
  return period;
}

const SUMS = [
  "sum(requests) AS requests",
  ...USAGE_FIELDS.map((field) => `sum(${field.column}) AS ${field.key}`),
  "sum(cost_nano_usd) AS costNanoUsd",
].join(", ");

type Sums = Omit<CostFields, "costUsd">;

function withUsd<T extends { costNanoUsd: number }>(row: T): T & { costUsd: number } {
  return { ...row, costUsd: nanoToUsd(row.costNanoUsd) };
}

/** cacheRead x (input rate - cache-read rate) / 1M, in exact integer arithmetic. */
function cacheSavingsNano(pricing: Pricing | undefined, model: string, cacheReadTokens: number): number {
  const table = pricing?.tables.get(model);
  if (!table) return 0;
  const perMillion = BigInt(cacheReadTokens) * BigInt(table.rates.input - table.rates.cacheRead);
  return Number((perMillion + 500_000n) / 1_000_000n);
}

function sumFields<T extends Sums & Partial<CacheSavings>>(
  rows: readonly T[],
): Sums & { cacheSavingsNanoUsd: number } {
  const total = { requests: 0, ...ZERO_USAGE, costNanoUsd: 0, cacheSavingsNanoUsd: 0 };
  for (const row of rows) {
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += row[key] ?? 0;
  }
  return total;
}

/**
 * The one cost report behind `ahb costs`, `GET /api/costs` and `GET /api/costs/all`: integer nano-USD sums in SQL
 * over the daily rollup (migration 2), totals as integer sums of the per-model rows, every day of the period listed.
 */
export function costReport(db: Db, options: CostReportOptions): CostReport {
  const { period } = options;
  const where = `day >= @since AND day < @until${options.user === undefined ? "" : " AND user = @user"}`;
  const params = { since: period.since.slice(0, 10), until: period.until.slice(0, 10), user: options.user };
  const models = db
    .prepare(`SELECT provider, model, ${SUMS} FROM cost_daily WHERE ${where} GROUP BY provider, model`)
    .all(params) as ({ provider: string; model: string } & Sums)[];
  const byModel = models
    .map((row) => {
      const savings = cacheSavingsNano(options.pricing, row.model, row.cacheReadTokens);
      return { ...withUsd(row), cacheSavingsNanoUsd: savings, cacheSavingsUsd: nanoToUsd(savings) };
    })
    .sort((a, b) => b.costNanoUsd - a.costNanoUsd || byCodePoint(a.model, b.model));
  const totals = sumFields(byModel);
  const report: CostReport = {
    period,
    user: options.user ?? null,
    totals: { ...withUsd(totals), cacheSavingsUsd: nanoToUsd(totals.cacheSavingsNanoUsd) },
    byModel,
    byDay: dailyCosts(db, where, params, period),
  };
  if (options.byUser) {
    const users = db
      .prepare(`SELECT user, ${SUMS} FROM cost_daily WHERE ${where} GROUP BY user`)
      .all(params) as ({ user: string } & Sums)[];
    report.byUser = users
      .map(withUsd)
      .sort((a, b) => b.costNanoUsd - a.costNanoUsd || byCodePoint(a.user, b.user));
  }
  return report;
}

function dailyCosts(
  db: Db,
  where: string,
  params: Record<string, unknown>,
  period: CostPeriod,
): CostReport["byDay"] {
  const rows = db
    .prepare(
      `SELECT day, sum(requests) AS requests, sum(cost_nano_usd) AS costNanoUsd FROM cost_daily WHERE ${where} GROUP BY day`,
    )
    .all(params) as { day: string; requests: number; costNanoUsd: number }[];
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const start = Date.parse(period.since);
  return Array.from({ length: period.days }, (_, index) => {
    const day = new Date(start + index * MS_PER_DAY).toISOString().slice(0, 10);
    const row = byDay.get(day);
    return withUsd({ day, requests: row?.requests ?? 0, costNanoUsd: row?.costNanoUsd ?? 0 });
  });
}
