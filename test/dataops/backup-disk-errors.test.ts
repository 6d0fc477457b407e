import assert from "node:assert/strict";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { openDatabase } from "../../src/db/open.js";
import { cliPath } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";
import { seedLedger } from "./seed.js";

const isRoot = process.getuid?.() === 0;
const required = process.env.AHB_CI === "1" || process.env.AHB_REQUIRE_DOCKER === "1";
/** Mounting a tmpfs and switching to another user both need root; CI runs as root and must not skip. */
const skip = !isRoot && !required ? "needs root (mount, runuser)" : false;

/** `ahb backup` as a child process, as the given user when set; the env file does not exist on purpose. */
function backup(dbPath: string, dir: string, cwd: string, user?: string) {
  const command = [process.execPath, "--", cliPath, "backup", "--db", dbPath, "--dir", dir];
  const args = ["--env-file", join(cwd, "none.env")];
  const [file, ...rest] = user ? ["runuser", "-u", user, "--", ...command, ...args] : [...command, ...args];
  return execa(file as string, rest, { cwd, reject: false, env: { PATH: process.env.PATH ?? "" } });
}

describe("backup maps a full disk and a refused directory to their exit codes", { skip }, () => {
  const work = tempDir("ahb-backup-disk-");
  const dbPath = join(work.path, "app.db");
  before(() => {
    chmodSync(work.path, 0o777);
    const db = openDatabase(dbPath);
    // About 6 MB: far more than the 1 MB device below can take.
    seedLedger(db, { rows: 40_000, users: ["alice", "bob"], days: 30 });
    db.close();
    chmodSync(dbPath, 0o666);
  });
  after(() => work.remove());

  it("exits 74 naming the directory when the backup device fills up", async () => {
    const full = join(work.path, "full");
    mkdirSync(full);
    await execa("mount", ["-t", "tmpfs", "-o", "size=1m", "ahb-test-perf-full", full]);
    try {
      const result = await backup(dbPath, full, work.path);
      assert.equal(result.exitCode, 74, `${result.stdout}\n${result.stderr}`);
      assert.ok(result.stderr.includes(full), result.stderr);
      assert.match(result.stderr, /no space left/);
    } finally {
      await execa("umount", [full]);
    }
  });

  it("exits 77 naming the directory it may not write", async () => {
    const locked = join(work.path, "locked");
    mkdirSync(locked, { mode: 0o555 });
    const result = await backup(dbPath, locked, work.path, "nobody");
    assert.equal(result.exitCode, 77, `${result.stdout}\n${result.stderr}`);
    assert.ok(result.stderr.includes(locked), result.stderr);
    assert.match(result.stderr, /permission denied/);
  });

  it("exits 77, not 5 (not found), when it may not enter the database's directory", async () => {
    const closed = join(work.path, "data");
    mkdirSync(closed, { mode: 0o700 });
    openDatabase(join(closed, "app.db")).close();
    const out = join(work.path, "out");
    mkdirSync(out, { mode: 0o777 });
    chmodSync(out, 0o777);
    const result = await backup(join(closed, "app.db"), out, work.path, "nobody");
    assert.equal(result.exitCode, 77, `${result.stdout}\n${result.stderr}`);
    assert.ok(result.stderr.includes(join(closed, "app.db")), result.stderr);
    assert.match(result.stderr, /permission denied/);
  });
});
