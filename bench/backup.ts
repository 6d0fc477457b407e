// Backup of a 1 GB live database versus `cp` of the same file, with a writer process running during the backup.
// Usage: npm run bench -- backup   (BENCH_BACKUP_MB=1024; needs `npm run build`)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { openDatabase } from "../src/db/open.js";
import { cliPath, repoRoot } from "../test/helpers/cli.js";
import { limitRow, load1, slowdownRow, type BenchReport } from "./lib/report.js";

const sizeMb = Number(process.env.BENCH_BACKUP_MB ?? 1024);
const ROW_BYTES = 4096;
const MAX_BASELINE_MS = 180_000;
/** GNU time reports a child's CPU time, which the load of other processes does not inflate the way it does wall time. */
const TIME = "/usr/bin/time";
const TIME_FORMAT = ["-f", "cpu %U %S"];

function cpuSeconds(result: { stderr: string }): string {
  const match = /^cpu ([\d.]+) ([\d.]+)$/m.exec(result.stderr);
  return match ? `${(Number(match[1]) + Number(match[2])).toFixed(1)} s` : "unknown";
}

function seed(dbPath: string): void {
  const db = openDatabase(dbPath);
  db.exec("CREATE TABLE bench_pages (id INTEGER PRIMARY KEY, html TEXT NOT NULL)");
  // Hex of random bytes: text that compresses about 2:1, like HTML with embedded data.
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO bench_pages (html) SELECT '<p>' || hex(randomblob(${ROW_BYTES / 2})) || '</p>' FROM n`,
  ).run(Math.round((sizeMb * 1024 * 1024) / (ROW_BYTES + 100)));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The test fixture's writer: one ledger insert per millisecond, reporting its worst stall. */
async function withWriter(
  dbPath: string,
  fn: () => Promise<number>,
): Promise<{ ms: number; stall: number; stallAt: number; stallsOver100Ms: number; rows: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/dataops/fixtures/writer.ts", dbPath], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  while (!output.includes("ready")) await new Promise((resolve) => setTimeout(resolve, 20));
  const ms = await fn();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  const summary = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
    worstStallMs: number;
    worstStallAt: number;
    stallsOver100Ms: number;
    rows: number;
  };
  return {
    ms,
    stall: summary.worstStallMs,
    stallAt: summary.worstStallAt,
    stallsOver100Ms: summary.stallsOver100Ms,
    rows: summary.rows,
  };
}

/** The phase running at `at`, counting the phases (which run one after another) back from the end of the run. */
function phaseAt(phaseMs: Record<string, number>, finishedAt: number, at: number): string {
  let end = finishedAt;
  for (const [phase, ms] of Object.entries(phaseMs).reverse()) {
    if (at >= end - ms) return `the ${phase} phase`;
    end -= ms;
  }
  return "the CLI's start";
}

export default async function benchBackup(): Promise<BenchReport> {
  const loadStart = load1();
  const dir = mkdtempSync(join(tmpdir(), "ahb-bench-backup-"));
  try {
    const dbPath = join(dir, "app.db");
    const seedMs = await timed(async () => seed(dbPath));
    const dbBytes = statSync(dbPath).size;
    let cpCpu = "";
    const cpMs = await timed(async () => {
      cpCpu = cpuSeconds(await execa(TIME, [...TIME_FORMAT, "cp", dbPath, join(dir, "copy.db")]));
    });
    rmSync(join(dir, "copy.db"));
    let created: { sizeBytes: number; phaseMs: Record<string, number> } | undefined;
    let finishedAt = 0;
    let backupCpu = "";
    const backup = await withWriter(dbPath, () =>
      timed(async () => {
        const result = await execa(TIME, [
          ...TIME_FORMAT,
          process.execPath,
          "--",
          cliPath,
          "backup",
          "--db",
          dbPath,
          "--dir",
          join(dir, "backups"),
          "--json",
        ]);
        finishedAt = Date.now();
        created = JSON.parse(result.stdout) as typeof created;
        backupCpu = cpuSeconds(result);
      }),
    );
    const phases = Object.entries(created?.phaseMs ?? {})
      .map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(1)} s`)
      .join(", ");
    const stallPhase = phaseAt(created?.phaseMs ?? {}, finishedAt, backup.stallAt);
    // The same writer for as long as the backup took: on a shared machine the worst of a long window is worse
    // than that of a short one, backup or not.
    const baselineMs = Math.min(backup.ms, MAX_BASELINE_MS);
    const baseline = await withWriter(dbPath, async () => {
      await new Promise((resolve) => setTimeout(resolve, baselineMs));
      return baselineMs;
    });
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    return {
      name: "backup",
      rows: [
        slowdownRow(
          `\`ahb backup\` of a ${mb(dbBytes)} MB live database`,
          backup.ms / 1000,
          "s",
          "cp of the file",
          cpMs / 1000,
          3,
        ),
        limitRow("writer's worst stall during the backup", backup.stall, "ms", 100),
      ],
      notes: [
        `seeded in ${(seedMs / 1000).toFixed(1)} s; a writer inserts a ledger row every millisecond throughout.`,
        `CPU time (user + system, all threads): backup ${backupCpu}, cp ${cpCpu}; on a shared machine the wall-time ratio follows the load, the CPU time does not.`,
        `backup phases: ${phases}; ${mb(dbBytes)} MB compressed to ${mb(created?.sizeBytes ?? 0)} MB.`,
        `writer's worst stall in ${(baselineMs / 1000).toFixed(0)} s without a backup (after it): ${baseline.stall.toFixed(1)} ms (${baseline.rows} inserts, ${baseline.stallsOver100Ms} of them 100 ms or more); during the backup: ${backup.rows} inserts, ${backup.stallsOver100Ms} of them 100 ms or more, the worst during ${stallPhase}.`,
      ],
      load: [loadStart, load1()],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
