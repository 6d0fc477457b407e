import { timingSafeEqual } from "node:crypto";
import { Hono, type Context } from "hono";
import { trustedProxyMatcher, type Config } from "../../config/schema.js";
import { errorBody } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { AppEnv } from "../types.js";

const LOOPBACK = ["127.0.0.0/8", "::1/128"];

/**
 * `GET /metrics` in the Prometheus text format. Allowed for a scraper on loopback or on a trusted proxy's own
 * address (a request the proxy relays for a client carries X-Forwarded-For and is refused), or anyone presenting
 * METRICS_TOKEN as a bearer token. Everyone else gets 404, so the endpoint does not advertise itself.
 */
export function metricsRoutes(config: Pick<Config, "TRUSTED_PROXIES" | "METRICS_TOKEN">, metrics: Metrics) {
  const isLocal = trustedProxyMatcher([...LOOPBACK, ...config.TRUSTED_PROXIES]);
  const token = config.METRICS_TOKEN?.reveal();
  const allowed = (c: Context<AppEnv>) => {
    if (token && bearerMatches(c.req.header("authorization"), token)) return true;
    return isLocal(c.env?.incoming?.socket?.remoteAddress) && c.req.header("x-forwarded-for") === undefined;
  };
  return new Hono<AppEnv>().get("/", async (c) => {
    if (!allowed(c)) return c.json(errorBody("not_found", "not found"), 404);
    c.header("Content-Type", metrics.registry.contentType);
    c.header("Cache-Control", "no-store");
    return c.body(await metrics.registry.metrics());
  });
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
