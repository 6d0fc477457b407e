import type { Db } from "../../db/open.js";
import { TurnError } from "../turn/events.js";
import { nanoToUsd, type Pricing } from "../pricing.js";
import {
  brokenCap,
  capsFromConfig,
  periodStartDay,
  standing,
  type Cap,
  type CapConfig,
  type CapStanding,
} from "./caps.js";
import { worstCaseNanoUsd, type PlannedCall } from "./estimate.js";

/** A turn refused before a provider call because a cap has no room for the call's worst case. */
export class BudgetExceededError extends TurnError {
  constructor(readonly cap: CapStanding) {
    super("budget_exceeded", refusalMessage(cap));
    this.name = "BudgetExceededError";
  }
}

function refusalMessage(cap: CapStanding): string {
  const whose = cap.scope === "user" ? "Your" : "The team's";
  const period = cap.period === "day" ? "daily" : "monthly";
  const resets = `${cap.resetsAt.slice(0, 16).replace("T", " ")} UTC`;
  return (
    `${whose} ${period} AI spending cap of $${nanoToUsd(cap.limitNanoUsd).toFixed(2)} has no room for this ` +
    `request ($${nanoToUsd(cap.remainingNanoUsd).toFixed(2)} left); it resets at ${resets}`
  );
}

/** Releases a reservation; call it once the call's real cost is in the ledger (or it made none). */
export type Release = () => void;

export interface SpendGuard {
  /** Reserves the call's worst case for `user`, or throws BudgetExceededError. */
  reserve(user: string, call: PlannedCall): Release;
  /** Every cap that applies to `user` (all caps when user is undefined: the global ones only). */
  standings(user?: string): CapStanding[];
  readonly caps: readonly Cap[];
}

interface Reservation {
  user: string;
  nanoUsd: number;
}

/**
 * Spend caps that refuse. Settled spend comes from the ledger's daily rollup; calls in flight hold a reservation
 * of their worst case in this process (the one server process makes every provider call), so concurrent turns
 * together can never pass a cap: check and reserve run in one synchronous step.
 */
export function createSpendGuard(
  db: Db,
  config: CapConfig,
  pricing: Pricing,
  now: () => Date = () => new Date(),
): SpendGuard {
  const caps = capsFromConfig(config);
  const inFlight = new Set<Reservation>();
  const spentSince = db.prepare<[string], { total: number | null }>(
    "SELECT sum(cost_nano_usd) AS total FROM cost_daily WHERE day >= ?",
  );
  const userSpentSince = db.prepare<[string, string], { total: number | null }>(
    "SELECT sum(cost_nano_usd) AS total FROM cost_daily WHERE user = ? AND day >= ?",
  );

  function capStanding(cap: Cap, user: string | undefined, at: Date): CapStanding {
    const since = periodStartDay(cap.period, at);
    const spent =
      cap.scope === "global" ? spentSince.get(since)?.total : userSpentSince.get(user ?? "", since)?.total;
    let reserved = 0;
    for (const held of inFlight) if (cap.scope === "global" || held.user === user) reserved += held.nanoUsd;
    return standing(cap, spent ?? 0, reserved, at);
  }

  function standings(user?: string): CapStanding[] {
    const at = now();
    return caps
      .filter((cap) => cap.scope === "global" || user !== undefined)
      .map((cap) => capStanding(cap, user, at));
  }

  return {
    caps,
    standings,
    reserve(user, call) {
      if (caps.length === 0) return () => undefined;
      const worstCase = worstCaseNanoUsd(pricing, call);
      const broken = brokenCap(standings(user), worstCase);
      if (broken) throw new BudgetExceededError(broken);
      const held: Reservation = { user, nanoUsd: worstCase };
      inFlight.add(held);
      return () => inFlight.delete(held);
    },
  };
}
