import assert from "node:assert/strict";
import { openSync, readSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../../src/db/open.js";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { tableRowCounts } from "../../src/ops/backup/verify.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";
import { ledgerEntry, seedSessions } from "./seed.js";

describe("ahb backup drill (real CLI, real SQLite files)", () => {
  let dir: ReturnType<typeof tempDir>;
  let backups: string;
  let expected: Record<string, number>;

  before(async () => {
    dir = tempDir("ahb-operator-drill-");
    backups = join(dir.path, "backups");
    const dbPath = join(dir.path, "app.db");
    const db = openDatabase(dbPath);
    seedSessions(db, "ann", 3, 0);
    for (let index = 0; index < 50; index += 1) insertLedgerEntry(db, ledgerEntry("ann", index));
    expected = tableRowCounts(db);
    db.close();
    const made = await runCli(["backup", "--db", dbPath, "--dir", backups]);
    assert.equal(made.exitCode, 0, String(made.stderr));
  });

  after(() => dir?.remove());

  it("restores the newest backup into a temp dir, opens it with the current schema and reports ok", async () => {
    const result = await runCli(["backup", "drill", "--dir", backups, "--json"]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    const report = JSON.parse(String(result.stdout)) as {
      ok: boolean;
      rowCounts: Record<string, number>;
      schemaVersion: { backup: number; current: number };
    };
    assert.equal(report.ok, true);
    assert.deepEqual(report.rowCounts, expected);
    assert.ok((report.rowCounts.cost_ledger ?? 0) >= 50);
    assert.ok(report.schemaVersion.current >= report.schemaVersion.backup);
  });

  it("fails with 65 when the newest backup's bytes were changed, and with 5 when there is none", async () => {
    const listed = JSON.parse(
      String((await runCli(["backup", "list", "--dir", backups, "--json"])).stdout),
    ) as {
      path: string;
    }[];
    const path = listed[0]?.path as string;
    const fd = openSync(path, "r+");
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 200);
    writeSync(fd, Buffer.from([byte[0]! ^ 0xff]), 0, 1, 200);
    closeSync(fd);
    const broken = await runCli(["backup", "drill", "--dir", backups]);
    assert.equal(broken.exitCode, 65, String(broken.stderr));
    assert.match(
      String(broken.stderr),
      /drill of ahb-backup-.* failed: backup (checksum does not match|does not decompress)/,
    );

    const none = await runCli(["backup", "drill", "--dir", join(dir.path, "empty")]);
    assert.equal(none.exitCode, 5);
  });
});
