import type { Hono, MiddlewareHandler } from "hono";
import { rateLimiter, type ClientRateLimitInfo, type Store } from "hono-rate-limiter";
import type { Config } from "../../config/schema.js";
import { errorBody } from "../errors.js";
import type { AppEnv } from "../types.js";
import { ANONYMOUS } from "./identity.js";

/** The costly routes: model calls, uploads, Chromium renders. Health and static files are never limited. */
export const RATE_LIMITED_PATHS = [
  "/api/chat/*",
  "/api/upload",
  "/api/sessions/:id/documents/:docId/export/*",
  "/api/sessions/:id/documents/:docId/thumbnail.png",
] as const;

export const DEFAULT_MAX_KEYS = 10_000;

/** One budget per named user; anonymous callers are told apart by client address (see identity middleware). */
export function rateLimitKey(user: string, clientAddress: string): string {
  return user === ANONYMOUS ? `ip:${clientAddress}` : `user:${user}`;
}

interface Counter {
  totalHits: number;
  resetTime: Date;
}

/**
 * Fixed-window counters in memory, never more than `maxKeys` of them. The library's MemoryStore drops idle keys
 * only once per window, so a flood of distinct keys grows it without bound inside a window. Here every counter lives
 * exactly one window and is inserted when its window starts, so the Map's insertion order is expiry order: expired
 * counters are swept from the front on each hit, and when the Map is still full the counter nearest its reset is
 * evicted (that one client's count restarts early, the memory stays bounded).
 */
export class BoundedMemoryStore implements Store<AppEnv> {
  readonly localKeys = true;
  readonly maxKeys: number;
  readonly #now: () => number;
  readonly #counters = new Map<string, Counter>();
  #windowMs = 60_000;

  constructor(options: { maxKeys?: number; now?: () => number } = {}) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#counters.size;
  }

  init(options: { windowMs: number }): void {
    this.#windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const counter = this.#counters.get(key);
    return counter && counter.resetTime.getTime() > this.#now() ? { ...counter } : undefined;
  }

  increment(key: string): ClientRateLimitInfo {
    const now = this.#now();
    this.#sweep(now);
    let counter = this.#counters.get(key);
    if (!counter) {
      if (this.#counters.size >= this.maxKeys) this.#evictOldest();
      counter = { totalHits: 0, resetTime: new Date(now + this.#windowMs) };
      this.#counters.set(key, counter);
    }
    counter.totalHits += 1;
    return { ...counter };
  }

  decrement(key: string): void {
    const counter = this.#counters.get(key);
    if (counter && counter.totalHits > 0) counter.totalHits -= 1;
  }

  resetKey(key: string): void {
    this.#counters.delete(key);
  }

  resetAll(): void {
    this.#counters.clear();
  }

  #sweep(now: number): void {
    for (const [key, counter] of this.#counters) {
      if (counter.resetTime.getTime() > now) return;
      this.#counters.delete(key);
    }
  }

  #evictOldest(): void {
    const oldest = this.#counters.keys().next();
    if (!oldest.done) this.#counters.delete(oldest.value);
  }
}

/** RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds, `RateLimit-*` headers (draft-6), 429 + Retry-After + JSON. */
export function rateLimit(
  config: Config,
  store: Store<AppEnv> = new BoundedMemoryStore(),
): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: config.RATE_LIMIT_WINDOW * 1000,
    limit: config.RATE_LIMIT_REQUESTS,
    standardHeaders: "draft-6",
    keyGenerator: (c) => rateLimitKey(c.get("user"), c.get("clientAddress")),
    store,
    handler: (c) => {
      const retryAfter = c.res.headers.get("Retry-After") ?? String(config.RATE_LIMIT_WINDOW);
      return c.json(errorBody("rate_limited", `too many requests; try again in ${retryAfter} s`), 429);
    },
  });
}

/** One shared budget across all the limited paths, so a client cannot multiply it by switching routes. */
export function mountRateLimits(app: Hono<AppEnv>, config: Config, store?: Store<AppEnv>): void {
  const limiter = rateLimit(config, store);
  for (const path of RATE_LIMITED_PATHS) app.use(path, limiter);
}
