import { Hono, type Context } from "hono";
import * as z from "zod";
import { intInRange } from "../../shared/int-range.js";
import { pricingFromConfig } from "../../ai/pricing.js";
import { costReport, periodFromDays, type CostReportOptions } from "../../costs/report.js";
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

function parsePeriod(c: Context<AppEnv>) {
  const parsed = querySchema.safeParse({ days: c.req.query("days") || undefined });
  if (!parsed.success) {
    throw new ApiError(400, "invalid_request", "query is invalid", {
      details: parsed.error.issues.map((issue) => issue.message),
    });
  }
  return periodFromDays(parsed.data.days);
}

/** GET /api/costs (the caller's own calls) and GET /api/costs/all (admins: everyone, with byUser). */
export function costsRoutes(deps: AppDeps) {
  const pricing = pricingFromConfig(deps.config);
  const cached = answerCache(deps.db);
  const answer = (c: Context<AppEnv>, options: Omit<CostReportOptions, "pricing">) => {
    const key = `${options.user ?? "*"}\n${options.period.since}\n${options.period.until}`;
    const json = cached(key, () => JSON.stringify(costReport(deps.db, { ...options, pricing })));
    return c.body(json, 200, { "Content-Type": "application/json" });
  };
  return new Hono<AppEnv>()
    .get("/", (c) => answer(c, { period: parsePeriod(c), user: c.get("user") }))
    .get("/all", (c) => {
      if (!c.get("isAdmin")) throw new ApiError(403, "forbidden", "only admins see every user's costs");
      return answer(c, { period: parsePeriod(c), byUser: true });
    });
}
