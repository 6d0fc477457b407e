import { stringify } from "csv-stringify/sync";
import type { CostFields, CostReport } from "../../costs/report.js";
import { USAGE_FIELDS } from "../../db/usage-fields.js";
import { formatUsd } from "../../shared/money.js";
import { renderTable } from "../output.js";

export type CostGrouping = "model" | "day" | "user";

const SPARK = "▁▂▃▄▅▆▇█";
const BAR_WIDTH = 30;

/** Exact decimal USD (nine places) for CSV, from the integer. */
export function decimalUsd(nano: number): string {
  return `${Math.floor(nano / 1e9)}.${String(nano % 1e9).padStart(9, "0")}`;
}

export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((value) => (max === 0 ? SPARK[0] : SPARK[Math.round((value / max) * (SPARK.length - 1))]))
    .join("");
}

function bar(value: number, max: number): string {
  return max === 0 ? "" : "█".repeat(Math.round((value / max) * BAR_WIDTH));
}

const TOKEN_HEAD = ["REQUESTS", ...USAGE_FIELDS.map((field) => field.heading), "COST"];

function tokenCells(row: CostFields): (string | number)[] {
  return [row.requests, ...USAGE_FIELDS.map((field) => row[field.key]), formatUsd(row.costNanoUsd)];
}

function groupTable(report: CostReport, by: CostGrouping): string {
  if (by === "day") {
    const max = Math.max(0, ...report.byDay.map((day) => day.costNanoUsd));
    return renderTable(
      ["DAY", "REQUESTS", "COST", ""],
      report.byDay.map((day) => [
        day.day,
        day.requests,
        formatUsd(day.costNanoUsd),
        bar(day.costNanoUsd, max),
      ]),
    );
  }
  if (by === "user") {
    return renderTable(
      ["USER", ...TOKEN_HEAD],
      (report.byUser ?? []).map((row) => [row.user, ...tokenCells(row)]),
    );
  }
  return renderTable(
    ["PROVIDER", "MODEL", ...TOKEN_HEAD, "CACHE SAVED"],
    report.byModel.map((row) => [
      row.provider,
      row.model,
      ...tokenCells(row),
      formatUsd(row.cacheSavingsNanoUsd),
    ]),
  );
}

/** Sums of consecutive runs of `size` values (the last run may be shorter). */
export function bucketSums(values: readonly number[], size: number): number[] {
  const sums: number[] = [];
  for (let start = 0; start < values.length; start += size)
    sums.push(values.slice(start, start + size).reduce((sum, value) => sum + value, 0));
  return sums;
}

const TREND_MIN_WIDTH = 10;

/** The sparkline of daily cost, days summed into buckets so that the whole line fits in `columns`. */
export function trendLine(dailyNano: readonly number[], columns: number): string {
  // The widest the label can get: no bucket holds more days, or more cost, than the whole period.
  const total = dailyNano.reduce((sum, value) => sum + value, 0);
  const labelWidth = `  (cost per ${dailyNano.length} days, peak ${formatUsd(total)})`.length;
  const room = Math.max(TREND_MIN_WIDTH, columns - "trend  ".length - labelWidth);
  const size = Math.max(1, Math.ceil(dailyNano.length / room));
  const buckets = bucketSums(dailyNano, size);
  const unit = size === 1 ? "daily cost" : `cost per ${size} days`;
  return `trend  ${sparkline(buckets)}  (${unit}, peak ${formatUsd(Math.max(0, ...buckets))})`;
}

/** The terminal report: the grouping's table, the daily trend (fitted to `columns`), totals and cache savings. */
export function renderCostReport(report: CostReport, by: CostGrouping, columns = 80): string {
  const { period, totals } = report;
  const lastDay = new Date(Date.parse(period.until) - 1).toISOString().slice(0, 10);
  const who = report.user === null ? "all users" : `user ${report.user}`;
  return [
    `Costs ${period.since.slice(0, 10)} .. ${lastDay} (${period.days} days), ${who}`,
    groupTable(report, by),
    trendLine(
      report.byDay.map((day) => day.costNanoUsd),
      columns,
    ),
    `total  ${totals.requests} requests, ${totals.inputTokens} input / ${totals.outputTokens} output / ` +
      `${totals.thinkingTokens} thinking tokens, ${totals.images} images: ${formatUsd(totals.costNanoUsd)}`,
    `cache  ${totals.cacheReadTokens} cache-read tokens saved ${formatUsd(totals.cacheSavingsNanoUsd)} ` +
      "against the input price",
    "",
  ].join("\n");
}

const CSV_FIELDS = ["requests", ...USAGE_FIELDS.map((field) => field.key), "costNanoUsd"] as const;

/** One row per group plus a TOTAL row; money as exact nano-USD and decimal USD. */
export function renderCostCsv(report: CostReport, by: CostGrouping): string {
  const fieldCells = (row: Partial<CostFields>) => [
    ...CSV_FIELDS.map((field) => row[field] ?? ""),
    decimalUsd(row.costNanoUsd ?? 0),
  ];
  const head = [...CSV_FIELDS, "costUsd"];
  const groups: (string | number)[][] =
    by === "day"
      ? report.byDay.map((day) => [day.day, "", ...fieldCells(day)])
      : by === "user"
        ? (report.byUser ?? []).map((row) => [row.user, "", ...fieldCells(row)])
        : report.byModel.map((row) => [row.model, row.provider, ...fieldCells(row)]);
  return stringify([[by, "provider", ...head], ...groups, ["TOTAL", "", ...fieldCells(report.totals)]]);
}
