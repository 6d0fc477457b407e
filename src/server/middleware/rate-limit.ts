import type { Hono, MiddlewareHandler } from "hono";
import { rateLimiter, type ClientRateLimitInfo, type Store } from "hono-rate-limiter";
import type { Config } from "../../config/schema.js";
import { errorBody } from "../errors.js";
import type { AppEnv } from "../types.js";
import { clientNetwork } from "../ip-prefix.js";
import { ANONYMOUS } from "./identity.js";

/** The costly routes: model calls, uploads, Chromium renders. Health and static files are never limited. */
export const RATE_LIMITED_PATHS = [
  "/api/chat/*",
  "/api/upload",
  "/api/sessions/:id/documents/:docId/export/*",
  "/api/sessions/:id/documents/:docId/thumbnail.png",
] as const;

export const DEFAULT_MAX_KEYS = 10_000;
/** Consumed queue slots are cut off in bulk, once they are at least half the queue. */
const COMPACT_AFTER = 1024;

/**
 * One budget per named user; anonymous callers are told apart by client address (see identity middleware), IPv6
 * ones by their network (RATE_LIMIT_IPV6_PREFIX bits), since one client may use every address of its /64.
 */
export function rateLimitKey(user: string, clientAddress: string, ipv6PrefixBits = 64): string {
  return user === ANONYMOUS ? `ip:${clientNetwork(clientAddress, ipv6PrefixBits)}` : `user:${user}`;
}

interface Counter {
  key: string;
  totalHits: number;
  resetTime: Date;
}

/**
 * Fixed-window counters in memory, never more than `maxKeys` of them. The library's MemoryStore drops idle keys
 * only once per window, so a flood of distinct keys grows it without bound inside a window. Here every counter lives
 * exactly one window and is queued when its window starts, so the queue is in expiry order: each hit drops expired
 * counters from its front, and when the store is still full the counter nearest its reset is evicted (that one
 * client's count restarts early; the memory stays bounded). A queue rather than the Map's own order because V8
 * leaves deleted Map entries as holes that every iteration from the start must skip.
 */
export class BoundedMemoryStore implements Store<AppEnv> {
  readonly localKeys = true;
  readonly maxKeys: number;
  readonly #now: () => number;
  readonly #counters = new Map<string, Counter>();
  #queue: Counter[] = [];
  #head = 0;
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
    return counter && counter.resetTime.getTime() > this.#now() ? this.#info(counter) : undefined;
  }

  increment(key: string): ClientRateLimitInfo {
    const now = this.#now();
    this.#dropExpired(now);
    let counter = this.#counters.get(key);
    if (!counter) {
      while (this.#counters.size >= this.maxKeys) this.#dropFront();
      counter = { key, totalHits: 0, resetTime: new Date(now + this.#windowMs) };
      this.#counters.set(key, counter);
      this.#queue.push(counter);
    }
    counter.totalHits += 1;
    return this.#info(counter);
  }

  decrement(key: string): void {
    const counter = this.#counters.get(key);
    if (counter && counter.totalHits > 0) counter.totalHits -= 1;
  }

  /** The queued entry stays behind and is skipped when it reaches the front. */
  resetKey(key: string): void {
    this.#counters.delete(key);
  }

  resetAll(): void {
    this.#counters.clear();
    this.#queue = [];
    this.#head = 0;
  }

  #info(counter: Counter): ClientRateLimitInfo {
    return { totalHits: counter.totalHits, resetTime: counter.resetTime };
  }

  #dropExpired(now: number): void {
    for (let front = this.#queue[this.#head]; front && front.resetTime.getTime() <= now;) {
      this.#dropFront();
      front = this.#queue[this.#head];
    }
  }

  #dropFront(): void {
    const front = this.#queue[this.#head];
    this.#head += 1;
    if (front && this.#counters.get(front.key) === front) this.#counters.delete(front.key);
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds, `RateLimit-*` headers (draft-6), 429 + Retry-After + JSON. */
export function rateLimit(
  config: Config,
  store: Store<AppEnv> = new BoundedMemoryStore(),
): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    // A thumbnail or export served from its stored file costs no render: its hit is given back afterwards, so
    // the version list's thumbnails never eat the budget of chat turns. (A 429 is never given back.)
    // (The library gives back the hits for which this answers true.)
    skipSuccessfulRequests: true,
    requestWasSuccessful: (c) => c.get("rendered") === false && c.res.status < 400,
    windowMs: config.RATE_LIMIT_WINDOW * 1000,
    limit: config.RATE_LIMIT_REQUESTS,
    standardHeaders: "draft-6",
    keyGenerator: (c) => rateLimitKey(c.get("user"), c.get("clientAddress"), config.RATE_LIMIT_IPV6_PREFIX),
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
