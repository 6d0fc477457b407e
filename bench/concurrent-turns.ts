// 100 users' chat turns streaming at once for about 60 s against `ahb serve` (provider fakes streaming a page in
// 240 chunks, one every 250 ms): every turn's done event, one `ok` ledger row per call, /api/health p99 from another
// process, server RSS growth and CPU. Loopback only; the server and fakes are started here and stopped at the end.
// `npm run build` first. Usage: npm run bench -- concurrent-turns   (BENCH_TURNS=100, BENCH_TURN_SECONDS=60)
import { allowedHealthP99Ms, runConcurrentTurns } from "../test/helpers/concurrent-turns.js";
import { limitRow, type BenchReport, type BenchRow } from "./lib/report.js";

const TURNS = Number(process.env.BENCH_TURNS ?? 100);
const SECONDS = Number(process.env.BENCH_TURN_SECONDS ?? 60);

/** A count that must equal its expected value (turns completed, ledger rows). */
function exactRow(what: string, value: number, expected: number): BenchRow {
  return {
    what,
    value,
    unit: "",
    against: "expected",
    reference: expected,
    ratio: value / expected,
    target: `= ${expected}`,
    met: value === expected,
  };
}

export default async function benchConcurrentTurns(): Promise<BenchReport> {
  const figures = await runConcurrentTurns({ turns: TURNS, seconds: SECONDS });
  const healthLimit = allowedHealthP99Ms(figures);
  const health = limitRow(
    "GET /api/health p99 during the turns",
    figures.health.p99Ms,
    "ms",
    Math.round(healthLimit),
  );
  return {
    name: `concurrent-turns (${TURNS} SSE turns, ~${SECONDS} s each)`,
    rows: [
      exactRow("turns ended with done, whole page, no error", figures.completed, TURNS),
      exactRow("ledger rows, all ok, one per session", figures.sessionsWithOneOkRow, figures.providerCalls),
      health,
      limitRow("server RSS growth at peak", figures.rssGrowthMb, "MB", 100),
      limitRow(
        "server CPU, average share of one core",
        figures.serverCpuSeconds / figures.wallSeconds,
        "cores",
        1,
      ),
    ],
    notes: [
      `wall ${figures.wallSeconds.toFixed(1)} s; health ${figures.health.samples} samples, max ${figures.health.maxMs.toFixed(0)} ms, ${figures.health.failures} failed; idle p99 ${figures.idleHealthP99Ms.toFixed(0)} ms`,
      `server RSS ${figures.rssBaselineMb.toFixed(0)} MB before, event-loop delay max ${figures.loopDelayMaxMs.toFixed(0)} ms, CPU ${figures.serverCpuSeconds.toFixed(1)} s`,
      figures.overloaded
        ? "machine load over twice its cores at start: the health target is the idle p99 + 100 ms"
        : "health target: p99 under 100 ms",
      ...(figures.failures.length ? [`failures: ${figures.failures.join("; ")}`] : []),
    ],
    load: figures.load,
  };
}
