import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LOCK_FILE } from "../../src/ops/backup/files.js";
import { acquireLock } from "../../src/shared/lock.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { waitFor } from "../helpers/net.js";
import { createTinySite, type TinySite } from "../helpers/tiny-site.js";

const skip = await dockerSkipReason();

describe("a deploy during a running backup", { skip }, () => {
  let site: TinySite;
  let backupLock = "";

  before(async () => {
    site = await createTinySite("recovery-backupwait");
    backupLock = join(site.root, "backups", LOCK_FILE);
  });

  after(async () => {
    await site?.remove();
  });

  it("waits for the backup's lock with a message, then builds and swaps", { timeout: 300_000 }, async () => {
    const running = acquireLock(backupLock, { label: "backup", command: "ahb backup" });
    // Released only once the deploy holds its own lock (it then waits in preflight), and a little later.
    const deploying = site.cli(["deploy", "--tag", "w1"]);
    await waitFor(async () => existsSync(join(site.root, ".ahb", "deploy.lock")) || undefined, 120_000, 100);
    await sleep(1500);
    running.release();
    const deploy = await deploying;
    const output = `${deploy.stdout}${deploy.stderr}`;
    assert.equal(deploy.exitCode, 0, output);
    assert.match(output, new RegExp(`waiting for the running backup \\(pid ${process.pid}\\) to finish`));
    // The wait comes before the build: the deploy's own backup found the lock free.
    assert.ok(output.indexOf("waiting for the running backup") < output.indexOf("build"), output);
    assert.equal((await site.health())?.version, "w1");
  });

  it("gives up after backupWaitS with exit 12 before building anything", { timeout: 120_000 }, async () => {
    const running = acquireLock(backupLock, { label: "backup", command: "ahb backup" });
    try {
      const deploy = await site.cli(["deploy", "--tag", "w2"], { AHB_BACKUP_WAIT: "2" });
      const output = `${deploy.stdout}${deploy.stderr}`;
      assert.equal(deploy.exitCode, 12, output);
      assert.match(output, /backup lock held by .*gave up after waiting [23] s/);
      const built = await site.docker.listImages({ filters: { reference: [`${site.image}:w2`] } });
      assert.equal(built.length, 0, "nothing was built");
      assert.equal((await site.health())?.version, "w1", "the live version still serves");
    } finally {
      running.release();
    }
    assert.equal(existsSync(join(site.root, ".ahb", "deploy.lock")), false);
  });
});
