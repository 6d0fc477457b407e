import assert from "node:assert/strict";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openDatabase, type Db } from "../../src/db/open.js";
import { cleanupLockPath, runCleanup } from "../../src/cleanup/cleanup.js";
import { acquireLock } from "../../src/shared/lock.js";
import { startCleanupJob } from "../../src/server/cleanup-job.js";
import { createTestApp } from "../helpers/app.js";
import { runAhb } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";
import { waitFor } from "../helpers/net.js";
import { seedSessions } from "./seed.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function count(db: Db, sql: string, ...params: unknown[]): number {
  return Number(
    db
      .prepare(sql)
      .pluck()
      .get(...params),
  );
}

function writeAged(path: string, bytes: number, ageMs: number): void {
  writeFileSync(path, Buffer.alloc(bytes, 1));
  const at = new Date(Date.now() - ageMs);
  utimesSync(path, at, at);
}

/** A database with 3 sessions idle 2 days and 2 used a minute ago, and an export dir with old and new files. */
function fixture(root: string) {
  const dbPath = join(root, "data", "app.db");
  const exportDir = join(root, "exports");
  const db = openDatabase(dbPath);
  const old = seedSessions(db, "alice", 3, 2 * DAY);
  const recent = seedSessions(db, "bob", 2, 60_000);
  mkdirSync(join(exportDir, "nested"), { recursive: true });
  writeAged(join(exportDir, "old.pdf"), 1000, 2 * DAY);
  writeAged(join(exportDir, "nested", "old.png"), 500, 3 * DAY);
  writeAged(join(exportDir, "new.pdf"), 700, HOUR);
  const dirTime = new Date(Date.now() - 3 * DAY);
  utimesSync(join(exportDir, "nested"), dirTime, dirTime);
  return { dbPath, exportDir, db, old, recent };
}

describe("cleanup core", () => {
  it("deletes idle sessions with their children and old exports, keeps the ledger and recent data", () => {
    const dir = tempDir("ahb-dataops-");
    const { db, exportDir, old, recent } = fixture(dir.path);
    try {
      const ledgerBefore = count(db, "SELECT count(*) FROM cost_ledger");
      const options = { sessionsOlderThanMs: DAY, exportsOlderThanMs: DAY, exportDir };
      const preview = runCleanup(db, { ...options, dryRun: true });
      assert.deepEqual(
        [preview.sessions, preview.documents, preview.versions, preview.messages, preview.exportFiles],
        [3, 3, 3, 6, 2],
      );
      assert.equal(preview.exportBytes, 1500);
      assert.equal(count(db, "SELECT count(*) FROM sessions"), 5, "dry run deleted nothing");
      assert.ok(existsSync(join(exportDir, "old.pdf")) && existsSync(join(exportDir, "nested", "old.png")));

      const { expired, ...previewCounts } = preview;
      assert.deepEqual(
        expired?.map((session) => session.id).sort(),
        [...old].sort(),
        "the dry run lists them",
      );
      const report = runCleanup(db, { ...options, batchSize: 2 });
      assert.deepEqual(
        { ...report, sessionsCutoff: "", exportsCutoff: "" },
        { ...previewCounts, dryRun: false, sessionsCutoff: "", exportsCutoff: "" },
      );
      assert.deepEqual(db.prepare("SELECT id FROM sessions ORDER BY id").pluck().all(), [...recent].sort());
      for (const table of ["documents", "chat_messages"]) {
        assert.equal(
          count(
            db,
            `SELECT count(*) FROM ${table} WHERE session_id IN (${old.map(() => "?").join(",")})`,
            ...old,
          ),
          0,
        );
      }
      assert.equal(count(db, "SELECT count(*) FROM document_versions"), 2);
      assert.equal(
        count(db, "SELECT count(*) FROM cost_ledger"),
        ledgerBefore,
        "the ledger is never cleaned",
      );
      assert.equal(existsSync(join(exportDir, "old.pdf")), false);
      assert.equal(existsSync(join(exportDir, "nested")), false, "the emptied old subdirectory is gone");
      assert.ok(existsSync(join(exportDir, "new.pdf")));
    } finally {
      db.close();
      dir.remove();
    }
  });
});

describe("ahb cleanup", () => {
  it("prints one summary line, honours --dry-run and refuses to overlap (exit 12 naming the holder)", async () => {
    const dir = tempDir("ahb-dataops-");
    const { db, dbPath, exportDir } = fixture(dir.path);
    db.close();
    try {
      const args = [
        "cleanup",
        "--db",
        dbPath,
        "--exports-dir",
        exportDir,
        "--env-file",
        join(dir.path, "none.env"),
      ];
      const flags = ["--sessions-older-than", "24h", "--exports-older-than", "24h"];
      const dry = await runAhb([...args, ...flags, "--dry-run"]);
      assert.equal(dry.exitCode, 0, String(dry.stderr));
      assert.match(
        String(dry.stdout),
        /^(would delete session [0-9a-f-]{36} {2}owner alice {2}idle 2d {2}"[^"]*"\n){3}cleanup \(dry run\): would delete 3 sessions .* 2 export files \(1\.5 KB to free\); cost ledger kept$/,
      );

      const lock = acquireLock(cleanupLockPath(dbPath), { label: "cleanup", command: "test holder" });
      let locked;
      try {
        locked = await runAhb([...args, ...flags]);
      } finally {
        lock.release();
      }
      assert.equal(locked.exitCode, 12);
      assert.match(
        String(locked.stderr),
        new RegExp(`cleanup lock held by \\S+@\\S+ \\(pid ${process.pid}, "test holder"\\)`),
      );

      const real = await runAhb([...args, ...flags, "--json"]);
      assert.equal(real.exitCode, 0, String(real.stderr));
      const report = JSON.parse(String(real.stdout)) as {
        sessions: number;
        exportFiles: number;
        dryRun: boolean;
      };
      assert.deepEqual([report.sessions, report.exportFiles, report.dryRun], [3, 2, false]);
      assert.equal(existsSync(cleanupLockPath(dbPath)), false, "the lock is released");

      const defaults = await runAhb(args);
      assert.equal(defaults.exitCode, 0);
      assert.match(
        String(defaults.stdout),
        /deleted 0 sessions/,
        "SESSION_TIMEOUT default (30 days) keeps 1-minute-old sessions",
      );
    } finally {
      dir.remove();
    }
  });

  it("rejects a bad duration and a missing database with one clear line", async () => {
    const bad = await runAhb(["cleanup", "--sessions-older-than", "soon"]);
    assert.equal(bad.exitCode, 2);
    assert.match(String(bad.stderr), /must be a duration like/);
    const missing = await runAhb([
      "cleanup",
      "--db",
      "/nonexistent/app.db",
      "--sessions-older-than",
      "1h",
      "--exports-older-than",
      "1h",
    ]);
    assert.equal(missing.exitCode, 5);
    assert.match(String(missing.stderr), /^ahb: database not found: \/nonexistent\/app\.db$/);
  });
});

describe("server cleanup job", () => {
  it("runs the same cleanup on its interval and stops on request", async () => {
    const testApp = createTestApp({ SESSION_TIMEOUT: "3600", EXPORT_RETENTION_HOURS: "1" });
    try {
      const { db } = testApp.deps;
      seedSessions(db, "alice", 2, 2 * HOUR);
      seedSessions(db, "bob", 1, 0);
      const job = startCleanupJob(testApp.deps, 50);
      try {
        await waitFor(
          async () => (count(db, "SELECT count(*) FROM sessions") === 1 ? true : undefined),
          5000,
        );
      } finally {
        job.stop();
      }
      assert.ok(testApp.logLines.some((line) => line.includes('"msg":"cleanup done"')));
      assert.equal(count(db, "SELECT count(*) FROM cost_ledger"), 3);
    } finally {
      testApp.close();
    }
  });
});
