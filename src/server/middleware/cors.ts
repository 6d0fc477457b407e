import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { requestHeader } from "../request-header.js";
import type { AppEnv } from "../types.js";

/**
 * CORS for the configured origins. Hono's middleware rebuilds the response twice per request, which cost more than
 * the rest of a health probe; a request without Origin needs no CORS headers, only `Vary: Origin` so that a cache
 * never hands its answer to a cross-origin caller (set on Node's response when there is one, as the security
 * headers are).
 */
export function corsFor(origins: string[]): MiddlewareHandler<AppEnv> {
  const withOrigin = cors({ origin: origins, credentials: true, maxAge: 600 });
  return (c, next) => {
    if (requestHeader(c, "origin") !== undefined) return withOrigin(c, next);
    const outgoing = c.env?.outgoing;
    if (outgoing) {
      outgoing.setHeader("Vary", "Origin");
      return next();
    }
    return next().then(() => c.res.headers.append("Vary", "Origin"));
  };
}
