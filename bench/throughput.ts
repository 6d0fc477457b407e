// Throughput of GET /api/health and GET /api/costs?days=30 against the seed's FastAPI peer and a minimal Hono app,
// all three measured in the same run, alternating (wrk -t2 -c50), plus `ahb serve` RSS idle and after the load.
// Next to req/s stand two figures a busy machine moves far less: each server's CPU time per request during the
// same wrk runs (from /proc), and in process, CPU per request through @hono/node-server's own listener.
// Loopback only; every server is started here and stopped at the end. Needs wrk and the Debian Python packages
// of /work/shared/peers (python3-fastapi python3-uvicorn python3-aiosqlite). `npm run build` first.
// Usage: npm run bench -- throughput   (BENCH_WRK_SECONDS=10 per wrk run, BENCH_ROUNDS=3)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { openDatabase } from "../src/db/open.js";
import { seedLedger } from "../test/dataops/seed.js";
import { createTestApp } from "../test/helpers/app.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY } from "../test/helpers/env.js";
import { listenerMicros } from "./lib/listener-loop.js";
import { freePort, rssMb, startProcess, waitForOk, type Started } from "./lib/processes.js";
import { limitRow, load1, median, type BenchReport, type BenchRow } from "./lib/report.js";

const PEERS_DIR = process.env.AHB_PEERS_DIR ?? "/work/shared/peers";
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const cli = fileURLToPath(new URL("../bin/ahb.js", import.meta.url));
const minimalHono = fileURLToPath(new URL("./fixtures/minimal-hono.mjs", import.meta.url));
const PATHS = { health: "/api/health", costs: "/api/costs?days=30" } as const;

const IN_PROCESS_REQUESTS = 2000;
const IN_PROCESS_ROUNDS = 15;

/** CPU time (user + system) a process has used, in microseconds, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** One wrk run: req/s, and the server's CPU microseconds per request it answered. */
function wrk(url: string, pid: number, seconds = WRK_SECONDS): { rate: number; cpuPerRequest: number } {
  const cpuBefore = cpuMicros(pid);
  const output = execFileSync("wrk", ["-t2", "-c50", `-d${seconds}s`, url], { encoding: "utf8" });
  const cpu = cpuMicros(pid) - cpuBefore;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} responses were not 2xx`);
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
  return {
    rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN),
    cpuPerRequest: cpu / requests,
  };
}

/**
 * ahb's app and the minimal one in this process, alternating batches through @hono/node-server's listener with
 * Node's own request and response objects on a socket that discards: CPU µs per request, medians.
 */
async function inProcess(bodies: Record<keyof typeof PATHS, string>): Promise<Record<string, number>> {
  const t = createTestApp({ ENVIRONMENT: "production" });
  const floor = new Hono();
  floor.get(PATHS.health, (c) => c.json(JSON.parse(bodies.health)));
  floor.get("/api/costs", (c) => c.json(JSON.parse(bodies.costs)));
  const apps = { ahb: t.app.fetch, floor: floor.fetch };
  const samples: Record<string, number[]> = {};
  try {
    for (const [endpoint, path] of Object.entries(PATHS)) {
      for (let round = -2; round < IN_PROCESS_ROUNDS; round += 1) {
        for (const [name, fetch] of Object.entries(apps)) {
          const micros = await listenerMicros(fetch, path, IN_PROCESS_REQUESTS);
          if (round >= 0) (samples[`${name} ${endpoint}`] ??= []).push(micros);
        }
      }
    }
  } finally {
    t.close();
  }
  return Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)]));
}

function seedAhb(dbPath: string): void {
  const db = openDatabase(dbPath);
  const users = ["anonymous", ...Array.from({ length: 19 }, (_, i) => `user${i}`)];
  // 365 days x 20 users x 3 models, like the peer's aggregated table, two calls per day, user and model.
  seedLedger(db, { rows: 365 * 20 * 3 * 2, users, days: 365 });
  db.close();
}

async function startAhb(dir: string): Promise<{ server: Started; base: string }> {
  const port = await freePort();
  const server = startProcess(
    process.execPath,
    ["--", cli, "serve", "--port", String(port), "--host", "127.0.0.1", "--env-file", join(dir, "none.env")],
    {
      ...process.env,
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      GOOGLE_API_KEY: FAKE_GOOGLE_KEY,
      DATABASE_PATH: join(dir, "app.db"),
      EXPORT_DIR: join(dir, "exports"),
      ENVIRONMENT: "production",
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/api/health`);
  return { server, base };
}

async function startPeer(dir: string): Promise<{ server: Started; base: string }> {
  const dbPath = join(dir, "seedpeer.db");
  execFileSync("/usr/bin/python3", [join(PEERS_DIR, "make_seed_db.py"), dbPath, "365", "20"]);
  const port = await freePort();
  const server = startProcess("/usr/bin/python3", [join(PEERS_DIR, "seed_fastapi.py"), dbPath, String(port)]);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/api/health`);
  return { server, base };
}

async function answersOf(ahbBase: string): Promise<Record<keyof typeof PATHS, string>> {
  const body = async (path: string) => (await fetch(`${ahbBase}${path}`)).text();
  return { health: await body(PATHS.health), costs: await body(PATHS.costs) };
}

async function startFloor(
  bodies: Record<keyof typeof PATHS, string>,
): Promise<{ server: Started; base: string }> {
  const port = await freePort();
  const server = startProcess(process.execPath, [minimalHono, String(port), bodies.health, bodies.costs]);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/api/health`);
  return { server, base };
}

export default async function benchThroughput(): Promise<BenchReport> {
  const loadStart = load1();
  const dir = mkdtempSync(join(tmpdir(), "ahb-bench-throughput-"));
  const servers: Started[] = [];
  try {
    seedAhb(join(dir, "app.db"));
    const ahb = await startAhb(dir);
    servers.push(ahb.server);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pid = ahb.server.child.pid as number;
    const idleRss = rssMb(pid);
    const peer = await startPeer(dir);
    servers.push(peer.server);
    const bodies = await answersOf(ahb.base);
    const floor = await startFloor(bodies);
    servers.push(floor.server);
    const targets = { ahb, peer, floor };
    const samples: Record<string, number[]> = {};
    const cpu: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [endpoint, path] of Object.entries(PATHS)) {
        for (const [name, target] of Object.entries(targets)) {
          const run = wrk(`${target.base}${path}`, target.server.child.pid as number);
          (samples[`${name} ${endpoint}`] ??= []).push(run.rate);
          (cpu[`${name} ${endpoint}`] ??= []).push(run.cpuPerRequest);
        }
      }
    }
    const loadedRss = rssMb(pid);
    const inProcessMicros = await inProcess(bodies);
    const rows: BenchRow[] = [];
    const cpuRows: BenchRow[] = [];
    for (const endpoint of Object.keys(PATHS)) {
      const ours = median(samples[`ahb ${endpoint}`] ?? []);
      const peerRate = median(samples[`peer ${endpoint}`] ?? []);
      const floorRate = median(samples[`floor ${endpoint}`] ?? []);
      const what = `GET ${PATHS[endpoint as keyof typeof PATHS]}`;
      const cpuOf = (name: string) => median(cpu[`${name} ${endpoint}`] ?? []);
      cpuRows.push(
        cpuRow(
          `${what}, server CPU per request`,
          cpuOf("ahb"),
          "seed FastAPI peer",
          cpuOf("peer"),
          "≥ 4x",
          4,
        ),
        cpuRow(
          `${what}, server CPU per request`,
          cpuOf("ahb"),
          "minimal Hono app",
          cpuOf("floor"),
          "≤ 1.5x",
          1.5,
        ),
        cpuRow(
          `${what}, CPU per request in process`,
          inProcessMicros[`ahb ${endpoint}`] ?? NaN,
          "minimal Hono app",
          inProcessMicros[`floor ${endpoint}`] ?? NaN,
          "≤ 1.5x",
          1.5,
        ),
      );
      rows.push({
        what,
        value: ours,
        unit: "req/s",
        against: "seed FastAPI peer",
        reference: peerRate,
        ratio: ours / peerRate,
        target: "≥ 4x",
        met: ours / peerRate >= 4,
      });
      rows.push({
        what,
        value: ours,
        unit: "req/s",
        against: "minimal Hono app",
        reference: floorRate,
        ratio: floorRate / ours,
        target: "≤ 1.5x slower",
        met: floorRate / ours <= 1.5,
      });
    }
    const loadSeconds = ROUNDS * Object.keys(PATHS).length * WRK_SECONDS;
    rows.push(...cpuRows);
    rows.push(limitRow("`ahb serve` RSS, idle", idleRss, "MB", 120));
    rows.push(limitRow(`\`ahb serve\` RSS after ${loadSeconds} s of that load`, loadedRss, "MB", 200));
    return {
      name: "throughput",
      rows,
      notes: [
        `wrk -t2 -c50, ${WRK_SECONDS} s per run, ${ROUNDS} rounds alternating ahb / peer / floor; medians.`,
        "server CPU per request: the server process's user + system time during each wrk run over the requests " +
          "wrk counted (the peer's ratio is its CPU over ahb's, as for req/s).",
        `in process: ${IN_PROCESS_ROUNDS} alternating batches of ${IN_PROCESS_REQUESTS} requests through ` +
          "@hono/node-server's listener with Node's request and response objects (bench/lib/listener-loop.ts).",
        `server CPU per request (µs): ${Object.entries(cpu)
          .map(([key, values]) => `${key} ${values.map((v) => Math.round(v)).join("/")}`)
          .join("; ")}`,
        `samples (req/s): ${Object.entries(samples)
          .map(([key, values]) => `${key} ${values.map((v) => Math.round(v)).join("/")}`)
          .join("; ")}`,
      ],
      load: [loadStart, load1()],
    };
  } finally {
    for (const server of servers.reverse()) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * CPU per request, lower is better. Against the peer the target reads like req/s (the peer's CPU over ours, at
 * least `limit`); against the floor, ours over the floor's, at most `limit`.
 */
function cpuRow(
  what: string,
  ours: number,
  against: string,
  reference: number,
  target: string,
  limit: number,
) {
  const faster = against === "seed FastAPI peer";
  const ratio = faster ? reference / ours : ours / reference;
  return {
    what,
    value: ours,
    unit: "µs",
    against,
    reference,
    ratio,
    target,
    met: faster ? ratio >= limit : ratio <= limit,
  };
}
