import { setTimeout as sleep } from "node:timers/promises";

export interface AvailabilityProbe {
  /** Stops probing and returns the longest stretch without a 200, in ms (0 when it never failed). */
  stop(): Promise<{ windowMs: number; samples: number; failures: number }>;
}

/** Polls url every intervalMs; the window runs from the last 200 before a failure to the first 200 after it. */
export function startAvailabilityProbe(url: string, intervalMs = 100): AvailabilityProbe {
  let running = true;
  let samples = 0;
  let failures = 0;
  let lastOkAt: number | undefined;
  let failingSince: number | undefined;
  let windowMs = 0;
  const loop = (async () => {
    while (running) {
      const sentAt = Date.now();
      let ok = false;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        ok = response.status === 200;
      } catch {
        ok = false;
      }
      samples++;
      if (ok) {
        if (failingSince !== undefined) windowMs = Math.max(windowMs, Date.now() - failingSince);
        failingSince = undefined;
        lastOkAt = Date.now();
      } else {
        failures++;
        failingSince ??= lastOkAt ?? sentAt;
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - sentAt)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { windowMs, samples, failures };
    },
  };
}
