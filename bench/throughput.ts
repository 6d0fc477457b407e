// Throughput of GET /api/health and GET /api/costs?days=30 against the seed's FastAPI peer and a minimal Hono app,
// all three measured in the same run, alternating (wrk -t2 -c50), plus `ahb serve` RSS idle and after the load.
// Loopback only; every server is started here and stopped at the end. Needs wrk and the Debian Python packages
// of /work/shared/peers (python3-fastapi python3-uvicorn python3-aiosqlite). `npm run build` first.
// Usage: npm run bench -- throughput   (BENCH_WRK_SECONDS=10 per wrk run, BENCH_ROUNDS=3)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../src/db/open.js";
import { seedLedger } from "../test/dataops/seed.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY } from "../test/helpers/env.js";
import { freePort, rssMb, startProcess, waitForOk, type Started } from "./lib/processes.js";
import { limitRow, load1, median, type BenchReport, type BenchRow } from "./lib/report.js";

const PEERS_DIR = process.env.AHB_PEERS_DIR ?? "/work/shared/peers";
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const cli = fileURLToPath(new URL("../bin/ahb.js", import.meta.url));
const minimalHono = fileURLToPath(new URL("./fixtures/minimal-hono.mjs", import.meta.url));
const PATHS = { health: "/api/health", costs: "/api/costs?days=30" } as const;

function wrk(url: string, seconds = WRK_SECONDS): number {
  const output = execFileSync("wrk", ["-t2", "-c50", `-d${seconds}s`, url], { encoding: "utf8" });
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} responses were not 2xx`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
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

async function startFloor(ahbBase: string): Promise<{ server: Started; base: string }> {
  const body = async (path: string) => (await fetch(`${ahbBase}${path}`)).text();
  const port = await freePort();
  const server = startProcess(process.execPath, [
    minimalHono,
    String(port),
    await body(PATHS.health),
    await body(PATHS.costs),
  ]);
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
    const floor = await startFloor(ahb.base);
    servers.push(floor.server);
    const targets = { ahb: ahb.base, peer: peer.base, floor: floor.base };
    const samples: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [endpoint, path] of Object.entries(PATHS)) {
        for (const [name, base] of Object.entries(targets)) {
          (samples[`${name} ${endpoint}`] ??= []).push(wrk(`${base}${path}`));
        }
      }
    }
    const loadedRss = rssMb(pid);
    const rows: BenchRow[] = [];
    for (const endpoint of Object.keys(PATHS)) {
      const ours = median(samples[`ahb ${endpoint}`] ?? []);
      const peerRate = median(samples[`peer ${endpoint}`] ?? []);
      const floorRate = median(samples[`floor ${endpoint}`] ?? []);
      const what = `GET ${PATHS[endpoint as keyof typeof PATHS]}`;
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
    rows.push(limitRow("`ahb serve` RSS, idle", idleRss, "MB", 120));
    rows.push(limitRow(`\`ahb serve\` RSS after ${loadSeconds} s of that load`, loadedRss, "MB", 200));
    return {
      name: "throughput",
      rows,
      notes: [
        `wrk -t2 -c50, ${WRK_SECONDS} s per run, ${ROUNDS} rounds alternating ahb / peer / floor; medians.`,
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
