import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startProviderFakes, type ProviderFakes } from "../fakes/index.js";
import {
  assertDrainObserved,
  assertTurnCompleted,
  newSession,
  observeDrain,
  scriptSlowPage,
  startStreamingTurn,
  storedOutcome,
} from "../helpers/drain-scenario.js";
import { createTestApp } from "../helpers/app.js";
import { tempDir } from "../helpers/env.js";
import { createDrain } from "../../src/server/drain.js";
import { spawnServer } from "../helpers/server-process.js";

describe("ahb serve drains on SIGTERM (a real process)", () => {
  let fakes: ProviderFakes;
  before(async () => {
    fakes = await startProviderFakes();
  });
  after(() => fakes.close());

  async function serving(env: Record<string, string> = {}) {
    const dir = tempDir("ahb-drain-");
    const dbPath = `${dir.path}/app.db`;
    const server = await spawnServer({
      ...fakes.env,
      DATABASE_PATH: dbPath,
      EXPORT_DIR: `${dir.path}/exports`,
      TITLE_MODEL: "off",
      ...env,
    });
    const exited = async () => {
      const result = await server.child;
      return { exitCode: result.exitCode, signal: result.signal };
    };
    return {
      server,
      dbPath,
      exited,
      async remove() {
        await server.stop("SIGKILL");
        dir.remove();
      },
    };
  }

  it("lets a streaming turn finish, refuses new turns with Retry-After, keeps serving reads, then exits", async () => {
    fakes.reset();
    const running = await serving();
    try {
      const sessionId = await newSession(running.server.url);
      scriptSlowPage(fakes, 16, 250);
      const turn = await startStreamingTurn(running.server.url, sessionId);
      const signalled = Date.now();
      process.kill(running.server.pid, "SIGTERM");
      assertDrainObserved(await observeDrain(running.server.url, sessionId));
      assertTurnCompleted(await turn.events);
      const turnEndedMs = Date.now() - signalled;
      assert.deepEqual(await running.exited(), { exitCode: 0, signal: undefined }, running.server.stderr());
      const exitedMs = Date.now() - signalled;
      assert.ok(turnEndedMs > 1500, `the turn outlived the old 1.5 s grace (${turnEndedMs} ms)`);
      assert.ok(
        exitedMs - turnEndedMs < 3000,
        `exits once the turn ended (${exitedMs - turnEndedMs} ms later)`,
      );
      assert.deepEqual(storedOutcome(running.dbPath), { ledger: ["ok"], assistant: ["ok"], userMessages: 1 });
    } finally {
      await running.remove();
    }
  });

  it("cancels what still runs when the grace period ends, and records it as cancelled", async () => {
    fakes.reset();
    const running = await serving({ SHUTDOWN_GRACE_SECONDS: "1" });
    try {
      const sessionId = await newSession(running.server.url);
      fakes.gemini.script({
        type: "reply",
        text: "```html\n<p>never finished</p>\n```",
        chunks: 4,
        hangAfterChunks: 1,
      });
      const turn = await startStreamingTurn(running.server.url, sessionId);
      const signalled = Date.now();
      process.kill(running.server.pid, "SIGTERM");
      const events = await turn.events;
      assert.deepEqual(await running.exited(), { exitCode: 0, signal: undefined }, running.server.stderr());
      const exitedMs = Date.now() - signalled;
      assert.equal(events.find((event) => event.event === "error")?.data.code, "cancelled");
      assert.equal(events.at(-1)?.event, "done", "the client is told the turn ended");
      assert.ok(exitedMs >= 1000 && exitedMs < 6000, `exits after the 1 s grace (${exitedMs} ms)`);
      assert.deepEqual(storedOutcome(running.dbPath), {
        ledger: ["cancelled"],
        assistant: ["cancelled"],
        userMessages: 1,
      });
    } finally {
      await running.remove();
    }
  });

  it("ends the drain at once on a second signal", async () => {
    fakes.reset();
    const running = await serving();
    try {
      const sessionId = await newSession(running.server.url);
      fakes.gemini.script({
        type: "reply",
        text: "```html\n<p>never finished</p>\n```",
        chunks: 4,
        hangAfterChunks: 1,
      });
      const turn = await startStreamingTurn(running.server.url, sessionId);
      process.kill(running.server.pid, "SIGTERM");
      await observeDrain(running.server.url, sessionId);
      const second = Date.now();
      process.kill(running.server.pid, "SIGINT");
      const events = await turn.events;
      assert.deepEqual(await running.exited(), { exitCode: 0, signal: undefined }, running.server.stderr());
      assert.ok(Date.now() - second < 5000, `stopped ${Date.now() - second} ms after the second signal`);
      assert.equal(events.find((event) => event.event === "error")?.data.code, "cancelled");
      assert.deepEqual(storedOutcome(running.dbPath).ledger, ["cancelled"]);
    } finally {
      await running.remove();
    }
  });
});

describe("while draining (in process)", () => {
  it("refuses uploads too, keeps reads, and health says draining until the work ended", async () => {
    const drain = createDrain();
    const t = createTestApp({}, { drain });
    try {
      const running = drain.track();
      const drained = drain.drain(60_000);
      const form = new FormData();
      form.append("file", new File(["hello"], "notes.txt", { type: "text/plain" }));
      const upload = await t.app.request("/api/upload", { method: "POST", body: form });
      assert.equal(upload.status, 503);
      assert.equal(upload.headers.get("retry-after"), "5");
      assert.equal(((await upload.json()) as { error: { code: string } }).error.code, "server_restarting");
      assert.equal((await t.app.request("/api/sessions")).status, 200);
      const health = await t.app.request("/api/health");
      const body = (await health.json()) as { status: string; running: number };
      assert.deepEqual(
        { http: health.status, status: body.status, running: body.running },
        {
          http: 503,
          status: "draining",
          running: 1,
        },
      );
      running.release();
      assert.deepEqual(await drained, { finished: 1, aborted: 0 });
    } finally {
      t.close();
    }
  });
});
