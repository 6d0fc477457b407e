// CLI start: `ahb costs --days 365` on a 1,000,000-call ledger and `ahb --version`, each a fresh process, paired
// with `node -e 0` in the same run (alternating), wall time medians. Usage: npm run bench -- costs
// (BENCH_LEDGER_ROWS=1000000, BENCH_CLI_RUNS=9; needs `npm run build`)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../src/db/open.js";
import { costReport, periodFromDays } from "../src/costs/report.js";
import { cliPath } from "../test/helpers/cli.js";
import { seedLedger } from "../test/dataops/seed.js";
import { load1, median, slowdownRow, type BenchReport } from "./lib/report.js";

const rows = Number(process.env.BENCH_LEDGER_ROWS ?? 1_000_000);
const runs = Number(process.env.BENCH_CLI_RUNS ?? 9);
const jobFloor = fileURLToPath(new URL("./fixtures/costs-floor.cjs", import.meta.url));

function wallMs(args: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  return performance.now() - started;
}

export default async function benchCosts(): Promise<BenchReport> {
  const loadStart = load1();
  const dir = mkdtempSync(join(tmpdir(), "ahb-bench-costs-"));
  try {
    const dbPath = join(dir, "app.db");
    const db = openDatabase(dbPath);
    seedLedger(db, { rows, users: ["alice", "bob", "carol", "dave", "erin"], days: 365 });
    const coreStarted = performance.now();
    costReport(db, { period: periodFromDays(365), byUser: true });
    const coreMs = performance.now() - coreStarted;
    db.close();
    const costs = [
      "--",
      cliPath,
      "costs",
      "--days",
      "365",
      "--db",
      dbPath,
      "--env-file",
      join(dir, "none.env"),
    ];
    const times: Record<"node" | "version" | "costs" | "job" | "help", number[]> = {
      node: [],
      version: [],
      costs: [],
      job: [],
      help: [],
    };
    for (let run = 0; run < runs; run += 1) {
      times.node.push(wallMs(["-e", "0"]));
      times.version.push(wallMs(["--", cliPath, "--version"]));
      times.costs.push(wallMs(costs));
      times.job.push(wallMs([jobFloor, dbPath, "365"]));
      times.help.push(wallMs(["--", cliPath, "--help"]));
    }
    const floor = median(times.node);
    const ratioToNode = (key: keyof typeof times) =>
      `${median(times[key]).toFixed(0)} ms (${(median(times[key]) / floor).toFixed(2)}x \`node -e 0\`)`;
    return {
      name: "CLI start",
      rows: [
        slowdownRow(
          `\`ahb costs --days 365\`, ${rows.toLocaleString("en")}-call ledger`,
          median(times.costs),
          "ms",
          "`node -e 0`",
          floor,
          1.6,
        ),
        slowdownRow("`ahb --version`", median(times.version), "ms", "`node -e 0`", floor, 1.3),
      ],
      notes: [
        `${runs} runs of each, alternating; wall-time medians. costReport() in-process: ${coreMs.toFixed(0)} ms.`,
        `the job alone, no CLI (bench/fixtures/costs-floor.cjs: better-sqlite3 and the report's three rollup ` +
          `queries): ${ratioToNode("job")}; \`ahb --help\` (commander and the command declarations, nothing ` +
          `run): ${ratioToNode("help")}.`,
      ],
      load: [loadStart, load1()],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
