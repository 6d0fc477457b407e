// Run as its own process by probeLatency (test/helpers/server-process.ts): asks URL one request after another
// (each at most TIMEOUT_MS, PAUSE_MS apart) until its standard input closes, then prints the latencies' summary
// as JSON. Its own process, so a test's work (building or sending a large upload) does not delay the probe's
// requests: the figure is what another client of the server sees.
/* global fetch, AbortSignal -- Node 20 globals */
import { performance } from "node:perf_hooks";

const [url, timeoutMs, pauseMs] = process.argv.slice(2);
const latencies = [];
let failures = 0;
let running = true;
process.stdin.on("end", () => (running = false));
process.stdin.resume();
// Not counted: the process's first fetch loads and compiles its HTTP client and opens the connection (60-80 ms
// here), the probe's own start-up cost, which in a short window would be the whole p99.
// A failure here shows again in the counted requests.
await fetch(url, { signal: AbortSignal.timeout(Number(timeoutMs)) })
  .then((response) => response.arrayBuffer())
  .catch(() => undefined);
process.stdout.write("ready\n");
while (running) {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(Number(timeoutMs)) });
    await response.arrayBuffer();
    if (!response.ok) failures += 1;
  } catch {
    failures += 1;
  }
  latencies.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
}
latencies.sort((a, b) => a - b);
const p99Ms = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ samples: latencies.length, p99Ms, maxMs: latencies.at(-1) ?? 0, failures })}\n`,
);
