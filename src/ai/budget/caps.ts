import type { Config } from "../../config/schema.js";
import { usdToNano } from "../pricing.js";

export type CapPeriod = "day" | "month";
export type CapScope = "global" | "user";

export interface Cap {
  scope: CapScope;
  period: CapPeriod;
  limitNanoUsd: number;
}

export type CapConfig = Pick<
  Config,
  "BUDGET_DAILY_USD" | "BUDGET_MONTHLY_USD" | "BUDGET_USER_DAILY_USD" | "BUDGET_USER_MONTHLY_USD"
>;

/** The configured caps; an unset variable is no cap. */
export function capsFromConfig(config: CapConfig): Cap[] {
  const entries: [CapScope, CapPeriod, number | undefined][] = [
    ["user", "day", config.BUDGET_USER_DAILY_USD],
    ["user", "month", config.BUDGET_USER_MONTHLY_USD],
    ["global", "day", config.BUDGET_DAILY_USD],
    ["global", "month", config.BUDGET_MONTHLY_USD],
  ];
  return entries.flatMap(([scope, period, usd]) =>
    usd === undefined ? [] : [{ scope, period, limitNanoUsd: usdToNano(usd) }],
  );
}

/** First UTC day of the period containing `now`, as the ledger's `YYYY-MM-DD` day key. */
export function periodStartDay(period: CapPeriod, now: Date): string {
  const day = now.toISOString().slice(0, 10);
  return period === "day" ? day : `${day.slice(0, 8)}01`;
}

/** The instant the period containing `now` ends and its cap starts again from zero (UTC midnight). */
export function periodResetsAt(period: CapPeriod, now: Date): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return period === "day"
    ? new Date(Date.UTC(year, month, now.getUTCDate() + 1))
    : new Date(Date.UTC(year, month + 1, 1));
}

/** One cap as it stands: settled spend from the ledger plus what calls in flight have reserved. */
export interface CapStanding extends Cap {
  spentNanoUsd: number;
  reservedNanoUsd: number;
  remainingNanoUsd: number;
  resetsAt: string;
}

export function standing(cap: Cap, spentNanoUsd: number, reservedNanoUsd: number, now: Date): CapStanding {
  return {
    ...cap,
    spentNanoUsd,
    reservedNanoUsd,
    remainingNanoUsd: Math.max(0, cap.limitNanoUsd - spentNanoUsd - reservedNanoUsd),
    resetsAt: periodResetsAt(cap.period, now).toISOString(),
  };
}

/** The cap a call costing at most `worstCaseNanoUsd` would break, or undefined when every cap has room for it. */
export function brokenCap(
  standings: readonly CapStanding[],
  worstCaseNanoUsd: number,
): CapStanding | undefined {
  return standings.find(
    (cap) => cap.spentNanoUsd + cap.reservedNanoUsd + worstCaseNanoUsd > cap.limitNanoUsd,
  );
}
