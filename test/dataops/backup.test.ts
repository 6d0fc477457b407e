import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { openDatabase } from "../../src/db/open.js";
import { createBackup } from "../../src/ops/backup/backup.js";
import { listBackups } from "../../src/ops/backup/list.js";
import { readManifest } from "../../src/ops/backup/files.js";
import { repoRoot, runAhb, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";
import { seedLedger, seedSessions } from "./seed.js";

interface WriterSummary {
  rows: number;
  worstStallMs: number;
  lastId: number;
}

/** A writer in its own process (its own event loop and SQLite connection), like the server in its container. */
function startWriter(dbPath: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/dataops/fixtures/writer.ts", dbPath], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    async ready(): Promise<void> {
      while (!output.includes("ready\n")) {
        if (child.exitCode !== null) throw new Error("writer exited early");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop(): Promise<WriterSummary> {
      child.kill("SIGTERM");
      await exited;
      return JSON.parse(output.split("\n").filter(Boolean).at(-1) ?? "{}") as WriterSummary;
    },
  };
}

function count(db: Database.Database, sql: string): number {
  return Number(db.prepare(sql).pluck().get());
}

function committedLedgerIds(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return Number(db.prepare("SELECT max(id) FROM cost_ledger").pluck().get());
  } finally {
    db.close();
  }
}

function openBackup(gzPath: string, scratch: string): Database.Database {
  const path = join(scratch, "opened.db");
  writeFileSync(path, gunzipSync(readFileSync(gzPath)));
  return new Database(path, { readonly: true });
}

describe("ahb backup", () => {
  it("takes a verified backup while another process writes, holding every row committed before it", async (t) => {
    const dir = tempDir("ahb-dataops-");
    try {
      const dbPath = join(dir.path, "app.db");
      const db = openDatabase(dbPath);
      seedLedger(db, { rows: 100_000, users: ["alice", "bob"], days: 60 });
      seedSessions(db, "alice", 50, 0);
      db.close();
      const writer = startWriter(dbPath);
      await writer.ready();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const committedBefore = committedLedgerIds(dbPath);
      const result = await runAhb(["backup", "--db", dbPath, "--dir", join(dir.path, "backups"), "--json"]);
      const summary = await writer.stop();
      assert.equal(result.exitCode, 0, String(result.stderr));
      const created = JSON.parse(String(result.stdout)) as {
        path: string;
        verified: boolean;
        rowCounts: Record<string, number>;
      };
      assert.equal(created.verified, true);
      assert.ok(summary.lastId > committedBefore, "the writer kept committing during the backup");
      t.diagnostic(`writer: ${summary.rows} rows, worst stall ${summary.worstStallMs.toFixed(1)} ms`);
      // Observed 70-500 ms on a 2-core machine at load 20 (bench/backup.md). The bound only catches a backup that
      // locks writers out for its whole run (here 5-60 s); the 100 ms goal is recorded, not asserted.
      assert.ok(summary.worstStallMs < 3000, `writer stalled ${summary.worstStallMs} ms`);
      const copy = openBackup(created.path, dir.path);
      try {
        assert.equal(
          Number(copy.prepare("SELECT count(*) FROM cost_ledger WHERE id <= ?").pluck().get(committedBefore)),
          committedBefore,
        );
        assert.equal(
          Number(copy.prepare("SELECT count(*) FROM cost_ledger").pluck().get()),
          created.rowCounts.cost_ledger,
        );
        assert.equal(copy.prepare("PRAGMA integrity_check").pluck().get(), "ok");
      } finally {
        copy.close();
      }

      const restored = await runAhb([
        "restore",
        basename(created.path),
        "--dir",
        join(dir.path, "backups"),
        "--db",
        dbPath,
        "--no-container",
        "--yes",
        "--json",
      ]);
      assert.equal(restored.exitCode, 0, String(restored.stderr));
      const { safetyCopy } = JSON.parse(String(restored.stdout)) as { safetyCopy: string };
      assert.equal(existsSync(`${dbPath}-wal`), false, "no stale WAL next to the restored file");
      const live = openDatabase(dbPath);
      const previous = new Database(safetyCopy, { readonly: true });
      try {
        assert.equal(count(live, "SELECT count(*) FROM cost_ledger"), created.rowCounts.cost_ledger);
        assert.equal(
          count(previous, "SELECT max(id) FROM cost_ledger"),
          summary.lastId,
          "the safety copy has every write",
        );
      } finally {
        live.close();
        previous.close();
      }
    } finally {
      dir.remove();
    }
  });

  it("refuses a corrupted backup, an unlisted file and a non-terminal without --yes, changing nothing", async () => {
    const dir = tempDir("ahb-dataops-");
    try {
      const dbPath = join(dir.path, "app.db");
      const backups = join(dir.path, "backups");
      const db = openDatabase(dbPath);
      seedLedger(db, { rows: 2000, users: ["alice"], days: 10 });
      db.close();
      const created = await createBackup({ dbPath, dir: backups });
      const before = readFileSync(dbPath);
      const restore = (file: string, ...extra: string[]) =>
        runAhb(["restore", file, "--dir", backups, "--db", dbPath, "--no-container", ...extra]);

      const unconfirmed = await restore(created.file);
      assert.equal(unconfirmed.exitCode, 2);
      assert.match(String(unconfirmed.stderr), /without --yes: stdin is not a terminal/);

      const bytes = readFileSync(created.path);
      for (const offset of [200, 400, 600]) bytes[offset] = (bytes[offset] ?? 0) ^ 0xff;
      writeFileSync(created.path, bytes);
      const corrupted = await restore(created.file, "--yes");
      assert.equal(corrupted.exitCode, 13);
      assert.match(String(corrupted.stderr), /refusing to restore: .*nothing was changed/);

      const foreign = join(backups, "ahb-backup-2020-01-01T00-00-00-000Z.db.gz");
      writeFileSync(foreign, readFileSync(created.path));
      const unlisted = await restore(foreign, "--yes");
      assert.equal(unlisted.exitCode, 13);
      assert.match(String(unlisted.stderr), /not a verified backup/);

      assert.deepEqual(readFileSync(dbPath), before, "the database is untouched");
      assert.deepEqual(
        readdirSync(dir.path).filter((name) => name.includes("restore") || name.includes("pre-restore")),
        [],
      );
    } finally {
      dir.remove();
    }
  });
});

/** A database of incompressible blobs, so compression takes long enough to be interrupted. */
function seedBlobs(dbPath: string, megabytes: number): void {
  const db = openDatabase(dbPath);
  db.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
  db.prepare(
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) INSERT INTO blobs (data) SELECT randomblob(1048576) FROM n",
  ).run(megabytes);
  db.close();
}

describe("backup files", () => {
  it("leaves nothing valid when the CLI is killed mid-way, and the next run cleans up", async () => {
    const dir = tempDir("ahb-dataops-");
    try {
      const dbPath = join(dir.path, "app.db");
      const backups = join(dir.path, "backups");
      seedBlobs(dbPath, 48);
      const child = runCli(["backup", "--db", dbPath, "--dir", backups]);
      let stderr = "";
      await new Promise<void>((resolve, reject) => {
        child.stderr?.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/compress \(/.test(stderr)) resolve();
        });
        void child.then(() => reject(new Error(`backup finished before it could be killed: ${stderr}`)));
      });
      child.kill("SIGKILL");
      await child;
      const leftovers = readdirSync(backups);
      assert.ok(
        leftovers.some((name) => name.endsWith(".partial")),
        leftovers.join(", "),
      );
      const listings = await listBackups(backups);
      assert.ok(listings.length > 0);
      assert.ok(listings.every((listing) => listing.state !== "verified"));
      const listed = await runAhb(["backup", "list", "--dir", backups, "--json"]);
      const states = (JSON.parse(String(listed.stdout)) as { state: string }[]).map((entry) => entry.state);
      assert.ok(!states.includes("verified"), states.join(", "));

      const partial = leftovers.find((name) => name.endsWith(".partial")) ?? "";
      const refused = await runAhb([
        "restore",
        partial,
        "--dir",
        backups,
        "--db",
        join(dir.path, "target.db"),
        "--no-container",
        "--yes",
      ]);
      assert.equal(refused.exitCode, 13, String(refused.stderr));
      assert.equal(existsSync(join(dir.path, "target.db")), false);

      const next = await createBackup({ dbPath, dir: backups });
      assert.ok(next.stalePartialsRemoved.length > 0, "the killed run's partials were removed");
      assert.deepEqual(
        readdirSync(backups).filter((name) => name.endsWith(".partial") || name.endsWith(".lock")),
        [],
      );
      assert.deepEqual(
        (await listBackups(backups)).map((listing) => listing.state),
        ["verified"],
      );
    } finally {
      dir.remove();
    }
  });

  it("lists a tampered or unlisted file as invalid and a vanished one as missing", async () => {
    const dir = tempDir("ahb-dataops-");
    try {
      const dbPath = join(dir.path, "app.db");
      const backups = join(dir.path, "backups");
      openDatabase(dbPath).close();
      const first = await createBackup({ dbPath, dir: backups, now: () => new Date("2026-01-01T00:00:00Z") });
      const second = await createBackup({
        dbPath,
        dir: backups,
        now: () => new Date("2026-01-02T00:00:00Z"),
      });
      const third = await createBackup({ dbPath, dir: backups, now: () => new Date("2026-01-03T00:00:00Z") });
      const bytes = readFileSync(first.path);
      bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
      writeFileSync(first.path, bytes);
      rmSync(second.path);
      writeFileSync(join(backups, "ahb-backup-2025-12-31T00-00-00-000Z.db.gz"), "not a backup");
      writeFileSync(join(backups, "notes.txt"), "someone else's file");
      const byFile = new Map((await listBackups(backups)).map((listing) => [listing.file, listing]));
      assert.equal(byFile.get(first.file)?.state, "invalid");
      assert.match(byFile.get(first.file)?.reason ?? "", /checksum/);
      assert.equal(byFile.get(second.file)?.state, "missing");
      assert.equal(byFile.get(third.file)?.state, "verified");
      assert.equal(byFile.get("ahb-backup-2025-12-31T00-00-00-000Z.db.gz")?.state, "invalid");
      assert.equal(byFile.has("notes.txt"), false);
    } finally {
      dir.remove();
    }
  });

  it("prunes only manifest entries by age and count, and copies the env file with mode 600", async () => {
    const dir = tempDir("ahb-dataops-");
    try {
      const dbPath = join(dir.path, "app.db");
      const backups = join(dir.path, "backups");
      const envFile = join(dir.path, ".env.prod");
      writeFileSync(envFile, "ANTHROPIC_API_KEY=sk-ant-secret\n", { mode: 0o644 });
      openDatabase(dbPath).close();
      const day = (n: number) => () => new Date(Date.UTC(2026, 0, n));
      const old = await createBackup({ dbPath, dir: backups, now: day(1), includeEnvFile: envFile });
      assert.equal(statSync(join(backups, old.envFile ?? "")).mode & 0o777, 0o600);
      await createBackup({ dbPath, dir: backups, now: day(20) });
      await createBackup({ dbPath, dir: backups, now: day(25) });
      const foreign = join(backups, "ahb-backup-2025-01-01T00-00-00-000Z.db.gz");
      writeFileSync(foreign, "unlisted");
      const byAge = await createBackup({ dbPath, dir: backups, now: day(40), keepDays: 30 });
      assert.deepEqual(byAge.pruned.sort(), [old.file, `${old.file}.sha256`, old.envFile].sort());
      const byCount = await createBackup({ dbPath, dir: backups, now: day(41), keepLast: 2 });
      assert.equal(byCount.pruned.length, 4, "two backups with their .sha256 files");
      assert.deepEqual(
        readdirSync(backups).filter((name) => name.endsWith(".sha256")),
        [`${byAge.file}.sha256`, `${byCount.file}.sha256`],
      );
      assert.deepEqual(
        readManifest(backups).backups.map((record) => record.file),
        [byAge.file, byCount.file],
      );
      assert.ok(existsSync(foreign), "a file the manifest does not list is never pruned");
    } finally {
      dir.remove();
    }
  });

  it("refuses a missing database with exit 5 and creates nothing", async () => {
    const dir = tempDir("ahb-dataops-");
    try {
      const result = await runAhb([
        "backup",
        "--db",
        join(dir.path, "nope.db"),
        "--dir",
        join(dir.path, "b"),
      ]);
      assert.equal(result.exitCode, 5);
      assert.match(String(result.stderr), /database not found/);
      assert.equal(existsSync(join(dir.path, "b")), false);
      assert.equal(existsSync(join(dir.path, "nope.db")), false);
    } finally {
      dir.remove();
    }
  });
});
