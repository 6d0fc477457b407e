import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { describe, it } from "node:test";
import { execa } from "execa";
import { UserError } from "../../src/errors.js";
import { appendAudit, auditPath, readAudit, type AuditEntry } from "../../src/ops/deploy/audit.js";
import { operatorName } from "../../src/shared/operator.js";
import type { KeptImage } from "../../src/ops/docker/engine.js";
import { imagesToPrune, rollbackTarget } from "../../src/ops/deploy/images.js";
import { assertValidTag, compactUtc, gitInfo, versionTag } from "../../src/ops/deploy/version.js";
import { tempDir } from "../helpers/env.js";

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    time: "2026-11-24T04:00:00.000Z",
    action: "deploy",
    operator: "alice",
    host: "web1",
    container: "ahb",
    version: "v1",
    imageId: "sha256:1",
    previousVersion: null,
    result: "ok",
    message: null,
    durationsMs: { total: 1000 },
    downtimeMs: 800,
    ...overrides,
  };
}

const image = (version: string, builtAt: string): KeptImage => ({
  id: `sha256:${version}`,
  version,
  builtAt,
  tags: [`ahb:${version}`],
});

describe("audit log", () => {
  it("appends one JSON line per deploy and reads them back, skipping a torn line", () => {
    const dir = tempDir("ahb-audit-");
    try {
      appendAudit(dir.path, entry({ version: "v1" }));
      appendFileSync(auditPath(dir.path), '{"time":"2026-11-24T05:00:00Z","act');
      appendFileSync(auditPath(dir.path), "\n");
      appendAudit(dir.path, entry({ version: "v2", result: "rolled-back", message: "unhealthy" }));
      const entries = readAudit(dir.path);
      assert.deepEqual(
        entries.map((item) => [item.version, item.result]),
        [
          ["v1", "ok"],
          ["v2", "rolled-back"],
        ],
      );
      assert.deepEqual(readAudit(`${dir.path}/none`), []);
    } finally {
      dir.remove();
    }
  });

  it("names the sudo caller rather than root", () => {
    assert.equal(operatorName({ SUDO_USER: "alice", USER: "root" }), "alice");
    assert.equal(operatorName({ USER: "bob" }), "bob");
  });
});

describe("version tag", () => {
  it("is git describe + compact UTC time, valid as a Docker tag", () => {
    const now = new Date("2026-11-24T04:24:21.123Z");
    assert.equal(compactUtc(now), "20261124T042421Z");
    assert.equal(versionTag("v1.2-3-gabc1234", now), "v1.2-3-gabc1234-20261124T042421Z");
    assert.equal(versionTag("feature/x+y", now), "feature-x-y-20261124T042421Z");
    assert.equal(versionTag("", now), "build-20261124T042421Z");
    assert.equal(assertValidTag(versionTag("-dirty", now)), "dirty-20261124T042421Z");
    assert.throws(
      () => assertValidTag("bad tag"),
      (error: unknown) => (error as UserError).exitCode === 2,
    );
  });

  it("reads git describe and the sha from a real repository, and falls back outside one", async () => {
    const dir = tempDir("ahb-git-");
    try {
      const git = (...args: string[]) =>
        execa("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir.path });
      assert.deepEqual(await gitInfo(dir.path), { describe: "nogit", sha: "unknown" });
      await git("init", "-q");
      await git("commit", "-q", "--allow-empty", "-m", "one");
      await git("tag", "v9.9.9");
      const info = await gitInfo(dir.path);
      assert.equal(info.describe, "v9.9.9");
      assert.match(info.sha, /^[0-9a-f]{40}$/);
    } finally {
      dir.remove();
    }
  });
});

describe("kept images", () => {
  const images = [
    image("v1", "2026-11-20T00:00:00Z"),
    image("v2", "2026-11-21T00:00:00Z"),
    image("v3", "2026-11-22T00:00:00Z"),
    image("v4", "2026-11-23T00:00:00Z"),
    image("v5", "2026-11-24T00:00:00Z"),
  ];
  const allProven = new Set(images.map((item) => item.id));

  it("prunes beyond the newest N besides the serving one, never an image in use", () => {
    const prune = (keep: number, inUse: string[] = []) =>
      imagesToPrune(images, { keep, servingId: "sha256:v5", inUse: new Set(inUse), proven: allProven }).map(
        (item) => item.version,
      );
    assert.deepEqual(prune(3), ["v1"]);
    assert.deepEqual(prune(1), ["v3", "v2", "v1"]);
    assert.deepEqual(prune(1, ["sha256:v2"]), ["v3", "v1"]);
  });

  it("never picks an image that did not serve healthily, and prunes those first", () => {
    const proven = new Set(["sha256:v1", "sha256:v3", "sha256:v5"]);
    assert.equal(rollbackTarget(images, { servingVersion: "v5", proven }).version, "v3");
    assert.equal(rollbackTarget(images, { servingVersion: "v3", proven }).version, "v1");
    assert.throws(
      () => rollbackTarget(images, { servingVersion: "v1", proven }),
      (error: unknown) =>
        error instanceof UserError && error.exitCode === 5 && /v4 \(failed\)/.test(String(error.details)),
    );
    const pruned = imagesToPrune(images, { keep: 1, servingId: "sha256:v5", inUse: new Set(), proven });
    assert.deepEqual(
      pruned.map((item) => item.version),
      ["v4", "v2", "v1"],
    );
  });

  it("rolls back to the one before the serving version, or the named one", () => {
    assert.equal(rollbackTarget(images, { servingVersion: "v5", proven: allProven }).version, "v4");
    assert.equal(rollbackTarget(images, { servingVersion: "v3", proven: allProven }).version, "v2");
    assert.equal(
      rollbackTarget(images, { servingVersion: "v5", requested: "v2", proven: allProven }).version,
      "v2",
    );
    assert.throws(
      () => rollbackTarget(images, { requested: "v0", proven: allProven }),
      (error: unknown) =>
        error instanceof UserError && error.exitCode === 5 && /v0 not found/.test(error.message),
    );
    assert.throws(
      () => rollbackTarget([images[0] as KeptImage], { servingVersion: "v1", proven: allProven }),
      (error: unknown) => error instanceof UserError && error.exitCode === 5,
    );
  });
});
