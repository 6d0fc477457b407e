import { Hono, type Context } from "hono";
import * as z from "zod";
import { intInRange } from "../../shared/int-range.js";
import { pricingFromConfig } from "../../ai/pricing.js";
import { costReport, periodFromDays, type CostPeriod, type CostReportOptions } from "../../costs/report.js";
import { MS_PER_DAY } from "../../costs/period.js";
import { remembered } from "../../shared/remembered.js";
import { answerCache } from "../answer-cache.js";
import { ApiError } from "../errors.js";
import type { AppDeps, AppEnv } from "../types.js";

const querySchema = z.object({
  days: intInRange(1, 365, {
    name: "days",
    tooSmall: "days must be from 1 to 365",
    tooBig: "days must be from 1 to 365",
  }).default(30),
});

function parsePeriod(days: string | undefined): CostPeriod {
  const parsed = querySchema.safeParse({ days });
  if (!parsed.success) {
    throw new ApiError(400, "invalid_request", "query is invalid", {
      details: parsed.error.issues.map((issue) => issue.message),
    });
  }
  return periodFromDays(parsed.data.days);
}

/** Distinct spellings of `days` kept per day ("30", "030", ...); at the bound the cache starts again. */
const MAX_PERIODS = 1024;

/**
 * The period of each `days` value seen today (UTC): validating the query and formatting two dates cost more than
 * the rest of an answer from the cache. A refused value is never kept.
 */
function periodsOfToday(now: () => number = Date.now): (c: Context<AppEnv>) => CostPeriod {
  let day = NaN;
  const periodOf = remembered((days: string) => parsePeriod(days || undefined), MAX_PERIODS);
  return (c) => {
    const today = Math.floor(now() / MS_PER_DAY);
    if (today !== day) {
      periodOf.clear();
      day = today;
    }
    return periodOf(c.req.query("days") ?? "");
  };
}

/** GET /api/costs (the caller's own calls) and GET /api/costs/all (admins: everyone, with byUser). */
export function costsRoutes(deps: AppDeps) {
  const pricing = pricingFromConfig(deps.config);
  const cached = answerCache(deps.db);
  const periodOf = periodsOfToday();
  const answer = (c: Context<AppEnv>, options: Omit<CostReportOptions, "pricing">) => {
    const key = `${options.user ?? "*"}\n${options.period.since}\n${options.period.until}`;
    const json = cached(key, () => JSON.stringify(costReport(deps.db, { ...options, pricing })));
    return c.body(json, 200, { "Content-Type": "application/json" });
  };
  return new Hono<AppEnv>()
    .get("/", (c) => answer(c, { period: periodOf(c), user: c.get("user") }))
    .get("/all", (c) => {
      if (!c.get("isAdmin")) throw new ApiError(403, "forbidden", "only admins see every user's costs");
      return answer(c, { period: periodOf(c), byUser: true });
    });
}
