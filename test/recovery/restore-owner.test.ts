import assert from "node:assert/strict";
import { chownSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DoctorReport } from "../../src/ops/doctor/types.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { CONTAINER_UID, createTinySite, type TinySite } from "../helpers/tiny-site.js";

const skip = await dockerSkipReason();

describe("ahb restore run as root on a live deployment", { skip }, () => {
  let site: TinySite;
  let backupFile = "";

  before(async () => {
    site = await createTinySite("recovery-restore");
    const deployed = await site.cli(["deploy", "--tag", "r1"]);
    assert.equal(deployed.exitCode, 0, deployed.stderr);
    const backup = await site.cli(["backup", "--json"]);
    assert.equal(backup.exitCode, 0, backup.stderr);
    backupFile = (JSON.parse(backup.stdout) as { file: string }).file;
  });

  after(async () => {
    await site?.remove();
  });

  it("leaves the site healthy and app.db (and the safety copy) owned by the container's uid", async () => {
    assert.equal(process.getuid?.(), 0, "this test reproduces the root operator");
    const restored = await site.cli(["restore", backupFile, "--yes", "--json"]);
    assert.equal(restored.exitCode, 0, restored.stderr);
    assert.equal((await site.health())?.status, 200);
    const db = statSync(site.dbPath);
    assert.deepEqual([db.uid, db.gid, db.mode & 0o777], [CONTAINER_UID, CONTAINER_UID, 0o644]);
    const { safetyCopy } = JSON.parse(restored.stdout) as { safetyCopy: string };
    assert.equal(statSync(safetyCopy).uid, CONTAINER_UID);
    const dataFiles = readdirSync(join(site.root, "data"));
    assert.deepEqual(
      dataFiles.filter((name) => name.endsWith(".partial")),
      [],
      "no temp files remain",
    );
  });

  it("keeps only the newest 3 safety copies", async () => {
    for (let i = 0; i < 3; i++) {
      const again = await site.cli(["restore", backupFile, "--yes"]);
      assert.equal(again.exitCode, 0, again.stderr);
    }
    const copies = readdirSync(join(site.root, "data")).filter((name) => name.includes(".pre-restore-"));
    assert.equal(copies.length, 3, copies.join(", "));
  });

  it("waits for nobody: a restore while a deploy holds the lock exits 12 and changes nothing", async () => {
    const before = statSync(site.dbPath).mtimeMs;
    const lock = join(site.root, ".ahb", "deploy.lock");
    writeFileSync(
      lock,
      JSON.stringify({
        operator: "someone",
        host: hostname(),
        pid: process.pid,
        command: "ahb deploy",
        since: new Date().toISOString(),
        token: "held-by-test",
      }),
    );
    try {
      const locked = await site.cli(["restore", backupFile, "--yes"]);
      assert.equal(locked.exitCode, 12, locked.stderr);
      assert.match(locked.stderr, /deploy lock held by someone@/);
      assert.equal(statSync(site.dbPath).mtimeMs, before);
      assert.equal((await site.health())?.status, 200);
    } finally {
      rmSync(lock, { force: true });
    }
  });

  it("deploy preflight and doctor name a database the container cannot write", async () => {
    chownSync(site.dbPath, 0, 0);
    try {
      const deploy = await site.cli(["deploy", "--no-build", "--image", `${site.image}:r1`]);
      assert.equal(deploy.exitCode, 13, deploy.stderr);
      assert.match(
        deploy.stderr,
        new RegExp(`${site.dbPath} is owned by 0:0 mode 644: the container \\(uid 10001\\) cannot write it`),
      );
      const doctor = await site.cli(["doctor", "--json", "--systemd-dir", site.root]);
      const report = JSON.parse(doctor.stdout) as DoctorReport;
      const database = report.checks.find((check) => check.name === "database");
      assert.equal(database?.status, "fail", JSON.stringify(database));
      assert.match(database?.detail ?? "", /cannot write it; run chown 10001:10001/);
    } finally {
      chownSync(site.dbPath, CONTAINER_UID, CONTAINER_UID);
    }
  });
});
