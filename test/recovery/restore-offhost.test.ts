import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { execa } from "execa";
import { openDatabase } from "../../src/db/open.js";
import { createBackup } from "../../src/ops/backup/backup.js";
import { runAhb } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";
import { seedLedger } from "../dataops/seed.js";

function ledgerRows(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return Number(db.prepare("SELECT count(*) FROM cost_ledger").pluck().get());
  } finally {
    db.close();
  }
}

describe("a backup copied off the host, without the manifest", () => {
  it("is restored after full verification when its .sha256 is beside it, and refused otherwise", async () => {
    const dir = tempDir("ahb-offhost-");
    try {
      const dbPath = join(dir.path, "app.db");
      const db = openDatabase(dbPath);
      seedLedger(db, { rows: 500, users: ["alice"], days: 3 });
      db.close();
      const created = await createBackup({ dbPath, dir: join(dir.path, "backups") });
      const checksum = `${created.path}.sha256`;
      assert.ok(existsSync(checksum), "the backup has its .sha256 beside it");
      const check = await execa("sha256sum", ["-c", `${created.file}.sha256`], {
        cwd: join(dir.path, "backups"),
      });
      assert.match(check.stdout, /: OK$/);

      const later = openDatabase(dbPath);
      seedLedger(later, { rows: 100, users: ["bob"], days: 1 });
      later.close();
      assert.equal(ledgerRows(dbPath), 600);

      const offhost = join(dir.path, "offhost");
      mkdirSync(offhost);
      const copy = join(offhost, created.file);
      const restore = (file: string) =>
        runAhb(["restore", file, "--db", dbPath, "--no-container", "--yes", "--dir", offhost]);

      copyFileSync(created.path, copy);
      const bare = await restore(copy);
      assert.equal(bare.exitCode, 13, bare.stderr);
      assert.match(
        bare.stderr,
        /not a verified backup in .* and has no .*\.db\.gz\.sha256 beside it: refusing/,
      );

      const tampered = join(offhost, "ahb-backup-2020-01-01T00-00-00-000Z.db.gz");
      const bytes = readFileSync(created.path);
      bytes[300] = (bytes[300] ?? 0) ^ 0xff;
      writeFileSync(tampered, bytes);
      copyFileSync(checksum, `${tampered}.sha256`);
      const refused = await restore(tampered);
      assert.equal(refused.exitCode, 13, refused.stderr);
      assert.match(refused.stderr, /refusing to restore: .*nothing was changed/);
      assert.equal(ledgerRows(dbPath), 600, "a refused restore changes nothing");

      copyFileSync(checksum, `${copy}.sha256`);
      const restored = await restore(copy);
      assert.equal(restored.exitCode, 0, restored.stderr);
      assert.match(`${restored.stdout}${restored.stderr}`, /against its checksum file/);
      assert.equal(ledgerRows(dbPath), 500, "the backup's rows are back");
    } finally {
      dir.remove();
    }
  });
});
