import type { MiddlewareHandler } from "hono";
import type { Logger } from "../../log.js";
import type { AppEnv } from "../types.js";

/** One line per request: method, path (never the query string, which may carry tokens), status, ms, user. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      // Unset when identity itself refused the request (an unreadable X-Forwarded-User).
      user: c.get("user") ?? null,
    });
  };
}
