import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allowedHealthP99Ms, runConcurrentTurns } from "../helpers/concurrent-turns.js";

const TURNS = 100;
const SECONDS = 10;

// The 60 s run is bench/concurrent-turns.ts (`npm run bench -- concurrent-turns`); CI runs the same scenario for 10 s.
describe("100 concurrent SSE chat turns (a real server process, provider fakes streaming slowly)", () => {
  it("completes every turn, bills each call once as ok, keeps health fast and RSS growth bounded", async (t) => {
    const figures = await runConcurrentTurns({ turns: TURNS, seconds: SECONDS });
    t.diagnostic(JSON.stringify(figures));
    assert.deepEqual(figures.failures, []);
    assert.equal(figures.completed, TURNS);
    assert.equal(figures.providerCalls, TURNS);
    assert.deepEqual(
      { rows: figures.ledgerRows, ok: figures.ledgerOk, sessions: figures.sessionsWithOneOkRow },
      { rows: TURNS, ok: TURNS, sessions: TURNS },
    );
    assert.ok(figures.rssGrowthMb < 100, `RSS grew ${figures.rssGrowthMb} MB`);
    // What the streams cost the server, whatever else runs on the machine: at most one core of CI's two, so a
    // health check always finds a core.
    const cores = figures.serverCpuSeconds / SECONDS;
    assert.ok(cores < 1, `the turns needed ${cores.toFixed(2)} cores`);
    const healthMessage = `health p99 ${figures.health.p99Ms.toFixed(0)} ms (idle ${figures.idleHealthP99Ms.toFixed(0)} ms, load ${figures.load[0]})`;
    if (figures.overloaded) {
      // Over twice its cores, the server waits for a CPU between stream chunks and health checks alike: measured
      // here at load 12-18, p99 0.5-1.2 s against an idle p99 of 0.2-0.4 s. The latency target is then the bench's
      // (run on a quiet machine); CI runs alone and asserts it below.
      t.diagnostic(`machine overloaded (load ${figures.load[0]}): latency not asserted; ${healthMessage}`);
      return;
    }
    assert.equal(figures.health.failures, 0, `health probes over 5 s: ${healthMessage}`);
    assert.ok(figures.health.p99Ms < allowedHealthP99Ms(figures), healthMessage);
  });
});
