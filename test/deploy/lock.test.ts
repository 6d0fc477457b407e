import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { execa } from "execa";
import { UserError } from "../../src/errors.js";
import {
  acquireLock,
  acquireLockWaiting,
  LockHeldError,
  waitUntilFree,
  withLock,
  type LockHolder,
} from "../../src/shared/lock.js";
import { repoRoot } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";

const options = { label: "deploy", operator: "alice", command: "ahb deploy", staleAfterMs: 3_600_000 };

function writeHolder(path: string, holder: Partial<LockHolder>): void {
  const full: LockHolder = {
    operator: "bob",
    host: "other-host",
    pid: 4242,
    command: "ahb deploy",
    since: new Date().toISOString(),
    token: "t-1",
    ...holder,
  };
  writeFileSync(path, JSON.stringify(full));
}

function lockedError(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UserError);
    return error;
  }
  assert.fail("expected the lock to be refused");
}

describe("lock", () => {
  it("is held with who/when/pid/host inside, refuses a second holder, and is released", () => {
    const dir = tempDir("ahb-lock-");
    const path = `${dir.path}/state/deploy.lock`;
    try {
      const lock = acquireLock(path, options);
      const inside = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
      assert.equal(inside.operator, "alice");
      assert.equal(inside.pid, process.pid);
      assert.equal(inside.command, "ahb deploy");
      assert.ok(inside.host.length > 0);
      const refused = lockedError(() => acquireLock(path, { ...options, operator: "carol" }));
      assert.equal(refused.exitCode, 12);
      assert.match(
        refused.message,
        new RegExp(`deploy lock held by alice@${inside.host} \\(pid ${process.pid}, "ahb deploy"\\)`),
      );
      lock.release();
      assert.equal(existsSync(path), false);
      acquireLock(path, options).release();
    } finally {
      dir.remove();
    }
  });

  it("takes over a lock whose process is gone on this host, and says whose it was", () => {
    const dir = tempDir("ahb-lock-");
    const path = `${dir.path}/deploy.lock`;
    try {
      writeHolder(path, { host: "here", pid: 999_999, token: "dead" });
      const lock = acquireLock(path, { ...options, host: "here", isAlive: () => false });
      assert.equal(lock.tookOverFrom?.token, "dead");
      assert.equal((JSON.parse(readFileSync(path, "utf8")) as LockHolder).token, lock.holder.token);
      lock.release();
    } finally {
      dir.remove();
    }
  });

  it("takes over a lock older than the maximum age, but not a young one from another host", () => {
    const dir = tempDir("ahb-lock-");
    const path = `${dir.path}/deploy.lock`;
    try {
      writeHolder(path, { host: "elsewhere", since: new Date(Date.now() - 60_000).toISOString() });
      assert.equal(lockedError(() => acquireLock(path, { ...options, host: "here" })).exitCode, 12);
      writeHolder(path, {
        host: "elsewhere",
        since: new Date(Date.now() - 7_200_000).toISOString(),
        token: "old",
      });
      const lock = acquireLock(path, { ...options, host: "here" });
      assert.equal(lock.tookOverFrom?.token, "old");
      lock.release();
    } finally {
      dir.remove();
    }
  });

  it("names the caller's label in a refusal and is released by withLock however fn ends", async () => {
    const dir = tempDir("ahb-lock-");
    const path = `${dir.path}/backup.lock`;
    const backup = { label: "backup", operator: "dave", command: "ahb backup" };
    try {
      await assert.rejects(
        withLock(path, backup, () => {
          const refused = lockedError(() => acquireLock(path, backup));
          assert.ok(refused instanceof LockHeldError);
          assert.equal(refused.holder.operator, "dave");
          assert.match(refused.message, /^backup lock held by dave@/);
          throw new Error("fn failed");
        }),
        /fn failed/,
      );
      assert.equal(existsSync(path), false);
    } finally {
      dir.remove();
    }
  });

  it("lets exactly one of several processes racing for it win", async () => {
    const dir = tempDir("ahb-lock-");
    const path = `${dir.path}/deploy.lock`;
    const script = `
      import { acquireLock } from "./src/shared/lock.ts";
      try {
        // Racers start seconds apart on a busy machine: an exited winner must not look stale to a late one.
        acquireLock(${JSON.stringify(path)}, { label: "deploy", operator: "racer", command: "race", staleAfterMs: 3600000, isAlive: () => true });
        console.log("won");
      } catch (error) {
        console.log(error.exitCode === 12 ? "locked" : "error " + error.message);
      }`;
    try {
      const runs = await Promise.all(
        Array.from({ length: 5 }, () =>
          execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
            cwd: repoRoot,
          }),
        ),
      );
      const outcomes = runs.map((run) => run.stdout.trim()).sort();
      assert.deepEqual(outcomes, ["locked", "locked", "locked", "locked", "won"]);
    } finally {
      dir.remove();
    }
  });
});

describe("waiting for a lock", () => {
  it("waits while a live holder keeps it, says whom it waits for once, and takes it when freed", async () => {
    const dir = tempDir("ahb-lockwait-");
    const path = `${dir.path}/backup.lock`;
    try {
      const running = acquireLock(path, { ...options, label: "backup", command: "ahb backup" });
      const seen: number[] = [];
      setTimeout(() => running.release(), 600);
      const started = Date.now();
      const lock = await acquireLockWaiting(path, {
        ...options,
        waitMs: 10_000,
        pollMs: 50,
        onWait: (holder) => seen.push(holder.pid),
      });
      assert.ok(Date.now() - started >= 500);
      assert.deepEqual(seen, [process.pid]);
      lock.release();
      assert.equal(existsSync(path), false);
    } finally {
      dir.remove();
    }
  });

  it("gives up after waitMs with the holder's refusal (exit 12), and waitUntilFree keeps nothing", async () => {
    const dir = tempDir("ahb-lockwait-");
    const path = `${dir.path}/backup.lock`;
    try {
      const running = acquireLock(path, { ...options, label: "backup", command: "ahb backup" });
      await assert.rejects(waitUntilFree(path, { ...options, label: "backup", waitMs: 300, pollMs: 50 }), {
        exitCode: 12,
        message: /^backup lock held by alice@.*gave up after waiting 0 s$/,
      });
      running.release();
      await waitUntilFree(path, { ...options, waitMs: 300 });
      assert.equal(existsSync(path), false);
    } finally {
      dir.remove();
    }
  });
});
