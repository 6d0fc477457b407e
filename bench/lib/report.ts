// What every reporting bench returns: figures next to the floor or peer measured in the same run.
import { loadavg } from "node:os";

export interface BenchRow {
  /** What was measured, e.g. "GET /api/health req/s". */
  what: string;
  value: number;
  unit: string;
  /** The floor or peer it is compared with, measured in the same run. */
  against: string;
  reference: number;
  /** The ratio as the target states it (e.g. 4.2 = "4.2x the peer"), and the target it is checked against. */
  ratio: number;
  target: string;
  met: boolean;
}

export interface BenchReport {
  name: string;
  rows: BenchRow[];
  notes?: string[];
  /** Load average (1 min) when the bench started and ended. */
  load: [number, number];
}

export function load1(): number {
  return loadavg()[0] ?? 0;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Slower is worse: the figure over its floor, met when at most `limit`. */
export function slowdownRow(
  what: string,
  value: number,
  unit: string,
  against: string,
  reference: number,
  limit: number,
): BenchRow {
  const ratio = value / reference;
  return { what, value, unit, against, reference, ratio, target: `≤ ${limit}x`, met: ratio <= limit };
}

/** A plain limit with no reference (memory, start time): the ratio is the share of the limit used. */
export function limitRow(what: string, value: number, unit: string, limit: number): BenchRow {
  return {
    what,
    value,
    unit,
    against: "limit",
    reference: limit,
    ratio: value / limit,
    target: `< ${limit} ${unit}`,
    met: value < limit,
  };
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en");
  return value.toFixed(value >= 10 ? 1 : 2);
}

export function renderReport(report: BenchReport): string {
  const lines = [
    `## ${report.name}`,
    "",
    `load average (1 min): ${report.load[0].toFixed(2)} at start, ${report.load[1].toFixed(2)} at end`,
    "",
    "| what | figure | floor or peer (same run) | ratio | target | met |",
    "| --- | --: | --- | --: | --- | --- |",
    ...report.rows.map(
      (row) =>
        `| ${row.what} | ${formatNumber(row.value)} ${row.unit} | ${row.against}: ${formatNumber(row.reference)}` +
        `${row.against === "limit" ? ` ${row.unit}` : ""} | ${row.ratio.toFixed(2)}x | ${row.target} | ${row.met ? "met" : "**not met**"} |`,
    ),
  ];
  if (report.notes?.length) lines.push("", ...report.notes.map((note) => `- ${note}`));
  return lines.join("\n");
}
