import assert from "node:assert/strict";
import { closeSync, openSync, readdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { UserError } from "../../src/errors.js";
import { createBackup } from "../../src/ops/backup/backup.js";
import { tempDir } from "../helpers/env.js";

describe("backup exit codes", () => {
  it("a backup whose copy fails verification exits 65, not 1 (a bug)", async () => {
    const dir = tempDir();
    try {
      const dbPath = join(dir.path, "app.db");
      const db = new Database(dbPath);
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)");
      const insert = db.prepare("INSERT INTO t (body) VALUES (?)");
      db.transaction(() => {
        for (let i = 0; i < 2000; i += 1) insert.run("x".repeat(500));
      })();
      db.close();
      const backups = join(dir.path, "backups");
      let damaged = false;
      // While the snapshot is being compressed, zero a stretch of it that has not been read yet: the copy on
      // disk no longer matches the snapshot it was counted from.
      const onProgress = ({
        phase,
        bytesDone,
        bytesTotal,
      }: {
        phase: string;
        bytesDone: number;
        bytesTotal: number;
      }) => {
        if (damaged || phase !== "compress" || bytesDone >= bytesTotal / 2) return;
        const snapshot = readdirSync(backups).find(
          (name) => /\.db\.partial$/.test(name) && !name.includes(".verify."),
        );
        assert.ok(snapshot, "the snapshot exists while it is compressed");
        const fd = openSync(join(backups, snapshot), "r+");
        writeSync(fd, Buffer.alloc(256 * 1024), 0, 256 * 1024, Math.floor(bytesTotal * 0.6));
        closeSync(fd);
        damaged = true;
      };
      await assert.rejects(
        createBackup({ dbPath, dir: backups, onProgress }),
        (error) =>
          error instanceof UserError && error.exitCode === 65 && /failed verification/.test(error.message),
      );
      assert.ok(damaged);
    } finally {
      dir.remove();
    }
  });
});
