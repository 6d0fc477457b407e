import { ExportError } from "./errors.js";

export interface LimiterOptions {
  concurrency: number;
  maxQueued: number;
  retryAfterS: number;
}

/**
 * Runs at most `concurrency` tasks at once and queues up to `maxQueued` more in arrival order; past that, run()
 * rejects at once with 503 so a burst cannot pile up browser work (each render holds a Chromium page).
 */
export function createLimiter(options: LimiterOptions) {
  let running = 0;
  const waiting: (() => void)[] = [];

  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next();
    }
  };

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= options.concurrency) {
        if (waiting.length >= options.maxQueued) {
          throw new ExportError(
            503,
            "export_busy",
            "too many exports are running; try again shortly",
            options.retryAfterS,
          );
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    stats: () => ({ running, queued: waiting.length }),
  };
}
