// `ahb costs --days 365` (the whole command, a fresh process) on a ledger of 1,000,000 calls.
// Usage: node --import tsx bench/costs.ts [rows=1000000] [runs=5]   (needs `npm run build`)
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { openDatabase } from "../src/db/open.js";
import { costReport, periodFromDays } from "../src/ops/costs.js";
import { cliPath } from "../test/helpers/cli.js";
import { seedLedger } from "../test/dataops/seed.js";

const rows = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const dir = mkdtempSync(join(tmpdir(), "ahb-bench-costs-"));
try {
  const dbPath = join(dir, "app.db");
  const db = openDatabase(dbPath);
  const seedStarted = performance.now();
  seedLedger(db, { rows, users: ["alice", "bob", "carol", "dave", "erin"], days: 365 });
  const seedMs = performance.now() - seedStarted;
  const coreTimes: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    costReport(db, { period: periodFromDays(365), byUser: true });
    coreTimes.push(performance.now() - started);
  }
  db.close();
  const args = ["--", cliPath, "costs", "--days", "365", "--db", dbPath, "--env-file", join(dir, "none.env")];
  // Wall time on a shared machine mostly measures the scheduler; CPU time (user + sys, from GNU time) is the
  // command's own cost, start-up included.
  const measure = async (extra: string[]) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      const result = await execa("/usr/bin/time", ["-f", "%U %S", process.execPath, ...args, ...extra]);
      wall.push(performance.now() - started);
      const [user, sys] = result.stderr.trim().split("\n").at(-1)?.split(" ").map(Number) ?? [];
      cpu.push(((user ?? 0) + (sys ?? 0)) * 1000);
    }
    return { wall, cpu };
  };
  const table = await measure([]);
  const json = await measure(["--json"]);
  const startup = await measure(["--version"]);
  const load = (await execa("cat", ["/proc/loadavg"])).stdout.split(" ").slice(0, 3).join(" ");
  console.log(
    `ledger: ${rows} calls over 365 days (seeded in ${(seedMs / 1000).toFixed(1)} s); ${runs} runs each`,
  );
  console.log(`machine: ${os.cpus().length} cores, load average ${load}\n`);
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log("| measurement | wall median (min) | CPU median (min) |\n| --- | --- | --- |");
  for (const [name, times] of [
    ["`ahb costs --days 365` (table, trend)", table],
    ["`ahb costs --days 365 --json`", json],
    ["`ahb --version` (process start-up alone)", startup],
  ] as const) {
    console.log(
      `| ${name} | ${ms(median(times.wall))} (${ms(Math.min(...times.wall))}) | ` +
        `${ms(median(times.cpu))} (${ms(Math.min(...times.cpu))}) |`,
    );
  }
  console.log(`| costReport() in-process | ${ms(median(coreTimes))} (${ms(Math.min(...coreTimes))}) | - |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
