import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { cleanEnv, cliPath, repoRoot } from "./cli.js";
import { tempDir, validKeys } from "./env.js";
import { fetchWithDeadline, freePort, waitFor } from "./net.js";

export interface ServerProcess {
  url: string;
  pid: number;
  child: ResultPromise;
  /** What the server wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Resident set size now, in bytes (/proc/PID/status VmRSS). */
  rss(): number;
  /** Peak resident set size since start or the last resetPeak(), in bytes (VmHWM). */
  peakRss(): number;
  /** Forgets the peak RSS and the event-loop delay seen so far. */
  resetPeak(): void;
  /** Worst event-loop delay of the server's main thread since start or the last resetPeak(), in ms. */
  loopDelay(): Promise<{ maxMs: number; p99Ms: number }>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function statusField(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

const loopMonitor = fileURLToPath(new URL("./loop-delay.mjs", import.meta.url));

/**
 * `ahb serve` from the built dist/ as its own process, so its memory and event loop are its own (and measured from
 * inside: a client's latency also counts the client's own stalls).
 */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  // On tmpfs where there is one: the monitor writes every 50 ms from the server's main thread, and a write to a
  // busy disk would add the very delay it measures.
  const scratch = tempDir("ahb-loop-", existsSync("/dev/shm") ? "/dev/shm" : undefined);
  const loopFile = `${scratch.path}/loop.json`;
  const args = [
    "--import",
    loopMonitor,
    "--",
    cliPath,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
  ];
  const child = execa(process.execPath, args, {
    env: cleanEnv({
      ...validKeys(),
      ENVIRONMENT: "test",
      LOG_LEVEL: "warn",
      AHB_TEST_LOOP_FILE: loopFile,
      ...env,
    }),
    extendEnv: false,
    cwd: repoRoot,
    reject: false,
    stdout: "ignore",
    stderr: "pipe",
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetchWithDeadline(`${url}/api/health`)).ok ? true : undefined), 60_000);
  const pid = child.pid as number;
  return {
    url,
    pid,
    child,
    stderr: () => stderr,
    rss: () => statusField(pid, "VmRSS"),
    peakRss: () => statusField(pid, "VmHWM"),
    resetPeak() {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
      child.kill("SIGUSR2");
    },
    async loopDelay() {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return JSON.parse(readFileSync(loopFile, "utf8")) as { maxMs: number; p99Ms: number };
    },
    async stop(signal = "SIGTERM") {
      child.kill(signal);
      await child;
      scratch.remove();
    },
  };
}

export interface LatencyProbe {
  stop(): Promise<{ samples: number; p99Ms: number; maxMs: number; failures: number }>;
}

const probeScript = fileURLToPath(new URL("./latency-probe.mjs", import.meta.url));

/**
 * Asks `url` one request after another (each at most timeoutMs) until stopped; latencies in ms. The requests come
 * from a process of their own (latency-probe.mjs), as another user's would.
 */
export async function probeLatency(url: string, timeoutMs = 5000, pauseMs = 10): Promise<LatencyProbe> {
  const child = execa(process.execPath, [probeScript, url, String(timeoutMs), String(pauseMs)], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  let output = "";
  const ready = new Promise<void>((resolve) =>
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith("ready\n")) resolve();
    }),
  );
  await ready;
  return {
    async stop() {
      child.stdin?.end();
      await child;
      return JSON.parse(output.slice("ready\n".length)) as Awaited<ReturnType<LatencyProbe["stop"]>>;
    },
  };
}
