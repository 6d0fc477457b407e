import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { costReport, periodFromDays } from "../../src/costs/report.js";
import { migrations } from "../../src/db/migrations.js";
import { openDatabase } from "../../src/db/open.js";
import { startProviderFakes, type ProviderFakes } from "../fakes/index.js";
import { newSession, scriptSlowPage, startStreamingTurn } from "../helpers/drain-scenario.js";
import { tempDir } from "../helpers/env.js";
import { fetchWithDeadline } from "../helpers/net.js";
import { spawnServer } from "../helpers/server-process.js";

interface LedgerRow {
  status: string;
  provider: string;
  model: string;
  session_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_nano_usd: number;
}

function readDb<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const ledgerRows = (path: string) =>
  readDb(path, (db) => db.prepare("SELECT * FROM cost_ledger ORDER BY id").all() as LedgerRow[]);

describe("kill -9 of the server mid-turn (a real process, a real database file)", () => {
  let fakes: ProviderFakes;
  before(async () => {
    fakes = await startProviderFakes();
  });
  after(() => fakes.close());

  it("leaves the call's ledger row pending; the next start marks it interrupted and the costs count it", async () => {
    const dir = tempDir("ahb-kill9-");
    const dbPath = `${dir.path}/app.db`;
    const env = {
      ...fakes.env,
      DATABASE_PATH: dbPath,
      EXPORT_DIR: `${dir.path}/exports`,
      TITLE_MODEL: "off",
    };
    try {
      const first = await spawnServer(env);
      let sessionId: string;
      try {
        sessionId = await newSession(first.url);
        scriptSlowPage(fakes, 40, 250);
        await startStreamingTurn(first.url, sessionId);
      } finally {
        await first.stop("SIGKILL");
      }
      assert.equal((await first.child).signal, "SIGKILL");

      const rows = ledgerRows(dbPath);
      assert.equal(rows.length, 1, "the call cut by kill -9 has its row");
      const [left] = rows as [LedgerRow];
      assert.deepEqual(
        {
          status: left.status,
          provider: left.provider,
          session: left.session_id,
          tokens: left.input_tokens + left.output_tokens,
          cost: left.cost_nano_usd,
        },
        { status: "pending", provider: "google", session: sessionId, tokens: 0, cost: 0 },
      );

      const second = await spawnServer(env);
      try {
        assert.deepEqual(
          ledgerRows(dbPath).map((row) => row.status),
          ["interrupted"],
        );
        const response = await fetchWithDeadline(`${second.url}/api/costs?days=1`, 5000);
        assert.equal(response.status, 200);
        const api = (await response.json()) as {
          totals: { requests: number; inputTokens: number; outputTokens: number; costNanoUsd: number };
        };
        const fromApi = {
          requests: api.totals.requests,
          inputTokens: api.totals.inputTokens,
          outputTokens: api.totals.outputTokens,
          costNanoUsd: api.totals.costNanoUsd,
        };
        assert.deepEqual(fromApi, { requests: 1, inputTokens: 0, outputTokens: 0, costNanoUsd: 0 });
        const report = readDb(dbPath, (db) => costReport(db, { period: periodFromDays(1) }));
        assert.equal(report.totals.requests, 1);
        assert.equal(report.byModel[0]?.model, left.model);
        readDb(dbPath, (db) => {
          assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
          const versions = db.prepare("SELECT count(*) FROM document_versions").pluck().get();
          assert.equal(versions, 0, "no half-written version");
        });
      } finally {
        await second.stop();
      }
    } finally {
      dir.remove();
    }
  });
});

describe("migration 5 (pending and interrupted ledger rows) during blue/green", () => {
  it("keeps the previous release's ledger writes and the daily rollup working on the migrated database", () => {
    const dir = tempDir("ahb-mig5-");
    const path = `${dir.path}/app.db`;
    const previous = openDatabase(path, { migrations: migrations.filter((m) => m.version < 5) });
    const current = new Database(path);
    try {
      // What the previous release prepares at start and keeps using after the new one migrated.
      const insert = previous.prepare(
        `INSERT INTO cost_ledger (created_at, user, session_id, provider, model, request_id, input_tokens,
           output_tokens, cost_nano_usd, price_version, status)
         VALUES (?, 'ann', NULL, 'anthropic', 'claude-sonnet-4-5', 'req_1', 10, 20, 300, 'v1', 'ok')`,
      );
      const now = new Date().toISOString();
      insert.run(now);
      openDatabase(path).close();
      insert.run(now);
      current
        .prepare(
          `INSERT INTO cost_ledger (created_at, user, provider, model, cost_nano_usd, price_version, status)
         VALUES (?, 'ann', 'anthropic', 'claude-sonnet-4-5', 0, 'v1', 'pending')`,
        )
        .run(now);
      const daily = previous
        .prepare("SELECT requests, input_tokens AS input, cost_nano_usd AS cost FROM cost_daily")
        .get();
      assert.deepEqual(daily, { requests: 3, input: 20, cost: 600 });
      assert.equal(current.pragma("integrity_check", { simple: true }), "ok");
      assert.equal(migrations.find((m) => m.version === 5)?.compatibleWithPrevious, undefined);
    } finally {
      previous.close();
      current.close();
      dir.remove();
    }
  });
});
