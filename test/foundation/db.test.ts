import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { migrate, openDatabase, schemaVersion } from "../../src/db/open.js";
import { migrations } from "../../src/db/migrations.js";
import { tempDir } from "../helpers/env.js";

function withDb(run: (path: string) => void): void {
  const dir = tempDir();
  try {
    run(`${dir.path}/data/app.db`);
  } finally {
    dir.remove();
  }
}

function seedSession(db: ReturnType<typeof openDatabase>): void {
  const now = new Date().toISOString();
  db.prepare("INSERT INTO sessions (id, owner, created_at, last_active) VALUES ('s1', 'alice', ?, ?)").run(
    now,
    now,
  );
  db.prepare(
    "INSERT INTO documents (id, session_id, title, is_active, created_at) VALUES ('d1', 's1', 'Doc', 1, ?)",
  ).run(now);
  db.prepare(
    "INSERT INTO document_versions (document_id, version, html, created_at) VALUES ('d1', 1, '<html></html>', ?)",
  ).run(now);
  db.prepare(
    "INSERT INTO chat_messages (session_id, role, content, created_at) VALUES ('s1', 'user', 'hi', ?)",
  ).run(now);
  db.prepare(
    `INSERT INTO cost_ledger (created_at, user, session_id, provider, model, cost_nano_usd, price_version, status)
     VALUES (?, 'alice', 's1', 'anthropic', 'claude', 1234, 'v1', 'ok')`,
  ).run(now);
}

describe("database", () => {
  it("creates the file with WAL, foreign keys and a busy timeout", () => {
    withDb((path) => {
      const db = openDatabase(path);
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(db.pragma("foreign_keys", { simple: true }), 1);
      assert.equal(db.pragma("busy_timeout", { simple: true }), 5000);
      assert.equal(schemaVersion(db), migrations.at(-1)?.version);
      db.close();
    });
  });

  it("applies migrations once, however often it is opened", () => {
    withDb((path) => {
      openDatabase(path).close();
      const db = openDatabase(path);
      assert.deepEqual(migrate(db, migrations), []);
      const rows = db.prepare("SELECT count(*) FROM schema_migrations").pluck().get();
      assert.equal(rows, migrations.length);
      db.close();
    });
  });

  it("rolls back a failing migration completely", () => {
    withDb((path) => {
      const db = openDatabase(path);
      const broken = {
        version: 999,
        name: "broken",
        sql: "CREATE TABLE half_done (x); SELECT * FROM no_such_table;",
      };
      assert.throws(() => migrate(db, [...migrations, broken]), /no such table/);
      assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get(), undefined);
      assert.equal(schemaVersion(db), migrations.at(-1)?.version);
      db.close();
    });
  });

  it("keeps versions append-only and unique per document", () => {
    withDb((path) => {
      const db = openDatabase(path);
      seedSession(db);
      assert.throws(() => db.prepare("UPDATE document_versions SET html = 'x'").run(), /append-only/);
      assert.throws(
        () =>
          db
            .prepare(
              "INSERT INTO document_versions (document_id, version, html, created_at) VALUES ('d1', 1, 'x', 'now')",
            )
            .run(),
        /UNIQUE/,
      );
      db.close();
    });
  });

  it("allows one active document per session", () => {
    withDb((path) => {
      const db = openDatabase(path);
      seedSession(db);
      assert.throws(
        () =>
          db
            .prepare(
              "INSERT INTO documents (id, session_id, title, is_active, created_at) VALUES ('d2', 's1', 'B', 1, 'now')",
            )
            .run(),
        /UNIQUE/,
      );
      db.close();
    });
  });

  it("deleting a session cascades to its content but never to the cost ledger", () => {
    withDb((path) => {
      const db = openDatabase(path);
      seedSession(db);
      db.prepare("DELETE FROM sessions WHERE id = 's1'").run();
      for (const table of ["documents", "document_versions", "chat_messages"]) {
        assert.equal(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), 0, table);
      }
      assert.equal(db.prepare("SELECT count(*) FROM cost_ledger").pluck().get(), 1);
      db.close();
    });
  });

  it("rejects ledger rows with negative costs or unknown statuses", () => {
    withDb((path) => {
      const db = openDatabase(path);
      const insert = db.prepare(
        `INSERT INTO cost_ledger (created_at, user, provider, model, cost_nano_usd, price_version, status)
         VALUES ('now', 'u', 'google', 'm', ?, 'v1', ?)`,
      );
      assert.throws(() => insert.run(-1, "ok"), /CHECK/);
      assert.throws(() => insert.run(1, "maybe"), /CHECK/);
      db.close();
    });
  });
});
