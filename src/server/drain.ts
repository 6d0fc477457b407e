import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors.js";
import type { AppEnv } from "./types.js";

/** What a refused client waits before sending again: about the time a new container needs to answer. */
export const RETRY_AFTER_S = 5;
/** After the grace period aborts the remaining work, how long it gets to write its outcome (ledger, messages). */
const ABORT_SETTLE_MS = 5000;

/** Why tracked work was aborted: the server is stopping and the grace period ended (or a second signal came). */
export class ServerStoppingError extends Error {
  override name = "ServerStoppingError";
  constructor() {
    super("the server stopped before the work finished");
  }
}

export interface DrainOutcome {
  /** Work that ended by itself during the grace period. */
  finished: number;
  /** Work still running when the grace period ended, aborted. */
  aborted: number;
}

/**
 * The long, state-changing work (chat turns, uploads) a stopping server lets finish. Once a drain starts, new work
 * is refused with 503 `server_restarting` and Retry-After; reads are not tracked and keep being served.
 */
export interface DrainWork {
  signal: AbortSignal;
  release(): void;
}

export interface Drain {
  readonly draining: boolean;
  readonly active: number;
  /** Registers work that starts now; throws the 503 while draining. Its signal fires when the grace period ends. */
  track(): DrainWork;
  /** Refuses new work; resolves once the tracked work ended, or at the end of graceMs after aborting the rest. */
  drain(graceMs: number): Promise<DrainOutcome>;
  /** Ends the grace period now (a second signal): what still runs is aborted. */
  hurry(): void;
}

export function restartingError(): ApiError {
  return new ApiError(
    503,
    "server_restarting",
    `An update is under way: the server takes no new work right now. Send again in ${RETRY_AFTER_S} seconds`,
    { headers: { "Retry-After": String(RETRY_AFTER_S) } },
  );
}

export function createDrain(): Drain {
  const running = new Set<AbortController>();
  let draining = false;
  let finished = 0;
  let onIdle: (() => void) | undefined;
  let endGrace: (() => void) | undefined;

  const abortAll = () => {
    for (const controller of running) controller.abort(new ServerStoppingError());
  };

  return {
    get draining() {
      return draining;
    },
    get active() {
      return running.size;
    },
    track() {
      if (draining) throw restartingError();
      const controller = new AbortController();
      running.add(controller);
      let released = false;
      return {
        signal: controller.signal,
        release() {
          if (released) return;
          released = true;
          running.delete(controller);
          if (draining && !controller.signal.aborted) finished += 1;
          if (running.size === 0) onIdle?.();
        },
      };
    },
    async drain(graceMs) {
      draining = true;
      const idle = new Promise<void>((resolve) => {
        onIdle = resolve;
        if (running.size === 0) resolve();
      });
      const graceOver = new Promise<"grace">((resolve) => {
        const timer = setTimeout(() => resolve("grace"), graceMs);
        endGrace = () => {
          clearTimeout(timer);
          resolve("grace");
        };
      });
      const first = await Promise.race([idle.then(() => "idle" as const), graceOver]);
      if (first === "idle") {
        endGrace?.();
        return { finished, aborted: 0 };
      }
      const aborted = running.size;
      abortAll();
      await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, ABORT_SETTLE_MS).unref())]);
      return { finished, aborted };
    },
    hurry() {
      if (endGrace) endGrace();
      else abortAll();
    },
  };
}

/** Refuses a route's requests while draining, and lets the ones already running finish within the grace period. */
export function drainGuard(drain: Drain): MiddlewareHandler<AppEnv> {
  return async (_c, next) => {
    const work = drain.track();
    try {
      await next();
    } finally {
      work.release();
    }
  };
}
