import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDatabase } from "../../src/db/open.js";
import { MAX_CACHED_STATEMENTS, statement } from "../../src/db/statements.js";

describe("prepared statements kept per connection", () => {
  it("prepares a text once per connection, and each connection its own", () => {
    const first = openDatabase(":memory:");
    const second = openDatabase(":memory:");
    try {
      const sql = "SELECT count(*) AS n FROM schema_migrations";
      assert.equal(statement(first, sql), statement(first, sql));
      assert.notEqual(statement(first, sql), statement(second, sql));
    } finally {
      first.close();
      second.close();
    }
  });

  it("hands out a reader in the default row mode, whatever the caller before chained", () => {
    const db = openDatabase(":memory:");
    try {
      const sql = "SELECT count(*) AS n FROM schema_migrations";
      const plucked = statement(db, sql).pluck().get() as number;
      assert.equal(typeof plucked, "number");
      assert.deepEqual(statement(db, sql).get(), { n: plucked });
      assert.ok(Array.isArray(statement(db, sql).raw().get()));
      assert.deepEqual(statement(db, sql).get(), { n: plucked });
      // A writer has no row mode to reset.
      db.exec("CREATE TABLE t (v INTEGER)");
      assert.equal(statement(db, "INSERT INTO t (v) VALUES (?)").run(1).changes, 1);
    } finally {
      db.close();
    }
  });

  it("starts again past the bound, so SQL built per call cannot grow it without end", () => {
    const db = openDatabase(":memory:");
    try {
      const kept = statement(db, "SELECT 0");
      for (let index = 1; index <= MAX_CACHED_STATEMENTS; index += 1) statement(db, `SELECT ${index}`);
      assert.notEqual(statement(db, "SELECT 0"), kept, "the first statement was dropped with the rest");
      assert.equal(statement(db, "SELECT 0").pluck().get(), 0);
    } finally {
      db.close();
    }
  });
});
