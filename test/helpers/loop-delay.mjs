// Preloaded into a server process under test (node --import): writes its main thread's event-loop delay
// (max and p99 since the last SIGUSR2, in ms) to $AHB_TEST_LOOP_FILE every 50 ms.
import { renameSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setInterval } from "node:timers";
import { isMainThread } from "node:worker_threads";

const file = process.env.AHB_TEST_LOOP_FILE;
if (file && isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  process.on("SIGUSR2", () => histogram.reset());
  setInterval(() => {
    const stats = { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
    writeFileSync(`${file}.tmp`, JSON.stringify(stats));
    renameSync(`${file}.tmp`, file);
  }, 50).unref();
}
