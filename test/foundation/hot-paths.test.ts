import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { describe, it } from "node:test";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { batchedWriter } from "../../src/log.js";
import { databaseCheck, FILE_CHECK_MS } from "../../src/server/routes/health.js";
import { ledgerEntry } from "../dataops/seed.js";
import { createTestApp, fromPeer } from "../helpers/app.js";

describe("health costs microseconds and stays truthful", () => {
  it("looks at the file at most once per period, and notices a removed database within it", () => {
    const t = createTestApp();
    try {
      let now = 0;
      const check = databaseCheck(t.deps.db, t.deps.dbPath, () => now);
      assert.equal(check(), true);
      rmSync(t.deps.dbPath);
      now += FILE_CHECK_MS - 1;
      assert.equal(check(), true, "the file's last look is still fresh");
      now += 1;
      assert.equal(check(), false, "a removed database is noticed once the look is due");
    } finally {
      t.close();
    }
  });

  it("notices a closed connection at once (the query runs on every probe)", async () => {
    const t = createTestApp();
    try {
      assert.equal((await t.app.request("/api/health")).status, 200);
      t.deps.db.close();
      assert.equal((await t.app.request("/api/health")).status, 503);
    } finally {
      t.close();
    }
  });
});

describe("cost reports are kept until the ledger changes", () => {
  it("answers a new call at once after a cached report", async () => {
    const t = createTestApp();
    try {
      const costs = async () => {
        const response = await t.app.request(
          "/api/costs?days=30",
          { headers: { "X-Forwarded-User": "alice" } },
          fromPeer("127.0.0.1"),
        );
        assert.equal(response.headers.get("content-type"), "application/json");
        return ((await response.json()) as { totals: { requests: number } }).totals.requests;
      };
      insertLedgerEntry(t.deps.db, ledgerEntry("alice", 1));
      assert.equal(await costs(), 1);
      assert.equal(await costs(), 1);
      insertLedgerEntry(t.deps.db, ledgerEntry("alice", 2));
      assert.equal(await costs(), 2, "the cached report was dropped when the ledger changed");
    } finally {
      t.close();
    }
  });
});

describe("CORS costs nothing for same-origin requests", () => {
  it("answers without Origin with Vary: Origin and no CORS grant", async () => {
    const t = createTestApp({ CORS_ORIGINS: '["https://html.example.com"]' });
    try {
      const plain = await t.app.request("/api/health");
      assert.equal(plain.headers.get("vary"), "Origin");
      assert.equal(plain.headers.get("access-control-allow-origin"), null);
      const allowed = await t.app.request("/api/health", { headers: { Origin: "https://html.example.com" } });
      assert.equal(allowed.headers.get("access-control-allow-origin"), "https://html.example.com");
      assert.match(allowed.headers.get("vary") ?? "", /Origin/);
    } finally {
      t.close();
    }
  });
});

describe("request log lines leave in batches", () => {
  it("writes the lines of one turn in one write, in order, and flush() empties the buffer", async () => {
    const writes: string[] = [];
    const writer = batchedWriter({ write: (text: string) => writes.push(text) > 0 });
    writer.write("a\n");
    writer.write("b\n");
    assert.deepEqual(writes, [], "nothing is written synchronously");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ["a\nb\n"]);
    writer.write("c\n");
    writer.flush();
    assert.deepEqual(writes, ["a\nb\n", "c\n"]);
  });
});
