import { ExportError } from "./errors.js";

export interface LimiterOptions {
  concurrency: number;
  maxQueued: number;
  retryAfterS: number;
}

/** Background work (version-list thumbnails) waits behind every export a user asked for. */
export type Priority = "normal" | "background";

/**
 * Runs at most `concurrency` tasks at once and queues up to `maxQueued` more, normal ones before background ones
 * and each in arrival order; past that, run() rejects at once with 503 so a burst cannot pile up browser work
 * (each render holds a Chromium page).
 */
export function createLimiter(options: LimiterOptions) {
  let running = 0;
  const waiting: Record<Priority, (() => void)[]> = { normal: [], background: [] };
  const queued = () => waiting.normal.length + waiting.background.length;

  const release = () => {
    running -= 1;
    const next = waiting.normal.shift() ?? waiting.background.shift();
    if (next) {
      running += 1;
      next();
    }
  };

  return {
    async run<T>(task: () => Promise<T>, priority: Priority = "normal"): Promise<T> {
      if (running >= options.concurrency) {
        if (queued() >= options.maxQueued) {
          throw new ExportError(
            503,
            "export_busy",
            "too many exports are running; try again shortly",
            options.retryAfterS,
          );
        }
        await new Promise<void>((resolve) => waiting[priority].push(resolve));
      } else {
        running += 1;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    stats: () => ({ running, queued: queued() }),
  };
}
