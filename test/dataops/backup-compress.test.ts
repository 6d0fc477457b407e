import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { openDatabase } from "../../src/db/open.js";
import { createBackup } from "../../src/ops/backup/backup.js";
import { gzipHashed } from "../../src/ops/backup/compress.js";
import {
  checksumFilePath,
  checksumFileText,
  readManifest,
  sha256File,
  writeManifest,
} from "../../src/ops/backup/files.js";
import { repoRoot, runAhb } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";

describe("backup compression in one pass", () => {
  it("writes one gzip stream of several members whose recorded checksum is the file's", async () => {
    const dir = tempDir("ahb-compress-");
    try {
      // 20 MB: three 8 MB slices, so three members; hex text compresses about 2:1 like the bench's pages.
      const source = Buffer.from(randomBytes(10 * 1024 * 1024).toString("hex"));
      const from = join(dir.path, "snapshot.db");
      const to = join(dir.path, "backup.db.gz");
      writeFileSync(from, source);
      const reports: number[] = [];
      const compressed = await gzipHashed(from, to, (done) => reports.push(done));

      const written = readFileSync(to);
      assert.ok(compressed.sizeBytes < source.length * 0.6, `compressed to ${compressed.sizeBytes} bytes`);
      assert.equal(compressed.sizeBytes, statSync(to).size);
      assert.equal(compressed.sha256, await sha256File(to), "the checksum is of the bytes on disk");
      assert.equal(statSync(to).mode & 0o777, 0o600);
      const members = written.reduce(
        (count, _byte, at) =>
          written[at] === 0x1f && written[at + 1] === 0x8b && written[at + 2] === 8 ? count + 1 : count,
        0,
      );
      assert.ok(members >= 3, `${members} gzip members`);
      assert.ok(gunzipSync(written).equals(source), "zlib reads every member");
      assert.ok(
        execFileSync("gzip", ["-dc", to], { maxBuffer: 64 * 1024 * 1024 }).equals(source),
        "gzip -d reads every member",
      );
      assert.equal(reports.at(-1), source.length);
      await assert.rejects(gzipHashed(from, to), /EEXIST/, "an existing file is never overwritten");
    } finally {
      dir.remove();
    }
  });

  it("compresses an empty file to a valid empty gzip stream", async () => {
    const dir = tempDir("ahb-compress-");
    try {
      writeFileSync(join(dir.path, "empty"), "");
      const compressed = await gzipHashed(join(dir.path, "empty"), join(dir.path, "empty.gz"));
      assert.equal(gunzipSync(readFileSync(join(dir.path, "empty.gz"))).length, 0);
      assert.equal(compressed.sha256, await sha256File(join(dir.path, "empty.gz")));
    } finally {
      dir.remove();
    }
  });
});

describe("backups written before the one-pass compression", () => {
  it("restore still reads a backup that is one gzip stream", async () => {
    const dir = tempDir("ahb-compress-");
    try {
      const dbPath = join(dir.path, "app.db");
      const backups = join(dir.path, "backups");
      const db = openDatabase(dbPath);
      db.exec("CREATE TABLE pages (id INTEGER PRIMARY KEY, html TEXT NOT NULL)");
      // About 12 MB, so that the new format writes several members and the old one differs from it.
      db.prepare(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 3000) INSERT INTO pages (html) SELECT hex(randomblob(2048)) FROM n",
      ).run();
      db.close();
      const created = await createBackup({ dbPath, dir: backups });
      const oneStream = gzipSync(gunzipSync(readFileSync(created.path)), { level: 6 });
      writeFileSync(created.path, oneStream);
      const sha256 = await sha256File(created.path);
      writeFileSync(checksumFilePath(created.path), checksumFileText(sha256, created.file));
      const manifest = readManifest(backups);
      writeManifest(backups, {
        ...manifest,
        backups: manifest.backups.map((record) => ({ ...record, sha256, sizeBytes: oneStream.length })),
      });
      const target = join(dir.path, "restored.db");
      const restored = await runAhb([
        "restore",
        created.file,
        "--dir",
        backups,
        "--db",
        target,
        "--no-container",
        "--yes",
      ]);
      assert.equal(restored.exitCode, 0, String(restored.stderr));
      const copy = new Database(target, { readonly: true });
      try {
        assert.equal(Number(copy.prepare("SELECT count(*) FROM pages").pluck().get()), 3000);
      } finally {
        copy.close();
      }
    } finally {
      dir.remove();
    }
  });
});

describe("ahb backup's priority", () => {
  it("runs every thread at nice 10 and, with ionice installed, in the idle I/O class", () => {
    const script = [
      'import { getPriority } from "node:os";',
      'import { readdirSync } from "node:fs";',
      'import { execFileSync } from "node:child_process";',
      'import { runInBackground } from "./src/shared/background-priority.ts";',
      "const result = runInBackground();",
      'const threads = readdirSync("/proc/self/task").map(Number);',
      "const nice = threads.map((thread) => getPriority(thread));",
      'const io = result.ioIdle ? execFileSync("ionice", ["-p", String(threads.at(-1))], { encoding: "utf8" }).trim() : "";',
      "console.log(JSON.stringify({ ...result, nice, io, threads: threads.length }));",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    assert.equal(child.status, 0, child.stderr);
    const seen = JSON.parse(child.stdout) as { ioIdle: boolean; nice: number[]; io: string; threads: number };
    assert.ok(seen.threads > 1, "a Node process has more threads than the main one");
    assert.deepEqual(new Set(seen.nice), new Set([10]), `nice per thread: ${seen.nice.join(", ")}`);
    const hasIonice = spawnSync("ionice", ["--version"]).status === 0;
    const required = process.env.AHB_CI === "1" || process.env.AHB_REQUIRE_DOCKER === "1";
    assert.ok(hasIonice || !required, "ionice (util-linux) is required in CI");
    assert.equal(seen.ioIdle, hasIonice);
    if (hasIonice) assert.equal(seen.io, "idle");
  });
});
