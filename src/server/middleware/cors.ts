import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../types.js";

/**
 * CORS for the configured origins. Hono's middleware rebuilds the response twice per request, which cost more than
 * the rest of a health probe; a request without Origin needs no CORS headers, only `Vary: Origin` so that a cache
 * never hands its answer to a cross-origin caller.
 */
export function corsFor(origins: string[]): MiddlewareHandler<AppEnv> {
  const withOrigin = cors({ origin: origins, credentials: true, maxAge: 600 });
  return async (c, next) => {
    if (c.req.header("origin") !== undefined) return withOrigin(c, next);
    await next();
    c.res.headers.append("Vary", "Origin");
  };
}
