import { Hono } from "hono";
import type { CapStanding } from "../../ai/budget/caps.js";
import { createSpendGuard } from "../../ai/budget/guard.js";
import { pricingFromConfig } from "../../ai/pricing.js";
import type { AppDeps, AppEnv } from "../types.js";

export type { CapStanding };

export interface BudgetReport {
  caps: CapStanding[];
  remainingNanoUsd: number | null;
}

/** The deps with the one spend guard every route shares (its in-flight reservations live in this process). */
export function withSpendGuard(deps: AppDeps): AppDeps & Required<Pick<AppDeps, "budget">> {
  return {
    ...deps,
    budget: deps.budget ?? createSpendGuard(deps.db, deps.config, pricingFromConfig(deps.config)),
  };
}

/**
 * `GET /api/budget`: the caps that apply to the caller (their own and the global ones) with spend, reservations,
 * what is left and when each resets; `remainingNanoUsd` is the smallest room left, null when no cap is set.
 */
export function budgetRoutes(deps: AppDeps & Required<Pick<AppDeps, "budget">>) {
  return new Hono<AppEnv>().get("/", (c) => {
    const caps = deps.budget.standings(c.get("user"));
    const remaining = caps.length === 0 ? null : Math.min(...caps.map((cap) => cap.remainingNanoUsd));
    return c.json<BudgetReport>({ caps, remainingNanoUsd: remaining });
  });
}
