import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.js";

/** Told of every answered request once the chain has run: its context (status, route, user) and its duration. */
export type RequestObserver = (c: Context<AppEnv>, elapsedMs: number) => void;

/**
 * Times each request once for every observer (the metrics and the request log). One middleware instead of one
 * per observer: each level of Hono's chain is an async call and a promise, about 3 µs of a health probe's 19.
 */
export function observeRequests(...observers: RequestObserver[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const elapsedMs = performance.now() - started;
    for (const observe of observers) observe(c, elapsedMs);
  };
}
