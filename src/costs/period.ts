/** Report periods, apart from the report (and zod): the CLI's option parsers need the limit before a command runs. */
export const MS_PER_DAY = 86_400_000;
export const MAX_REPORT_DAYS = 3660;

export interface CostPeriod {
  /** Inclusive start, midnight UTC. */
  since: string;
  /** Exclusive end, midnight UTC after the last day. */
  until: string;
  days: number;
}

export function utcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

export function periodBetween(startMs: number, endExclusiveMs: number): CostPeriod {
  return {
    since: new Date(startMs).toISOString(),
    until: new Date(endExclusiveMs).toISOString(),
    days: Math.round((endExclusiveMs - startMs) / MS_PER_DAY),
  };
}

/** The last `days` UTC days including today: day-aligned, so two reports taken the same day agree exactly. */
export function periodFromDays(days: number, now = new Date()): CostPeriod {
  const endExclusive = utcDay(now) + MS_PER_DAY;
  return periodBetween(endExclusive - days * MS_PER_DAY, endExclusive);
}
