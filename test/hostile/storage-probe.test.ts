import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { storageProbe } from "../../src/server/storage-probe.js";
import { tempDir } from "../helpers/env.js";

describe("the health check's storage probe", () => {
  const dir = tempDir("ahb-probe-");
  after(() => dir.remove());

  it("answers the last verdict at once and probes again in the background (no health check waits for fsync)", async () => {
    let clock = 0;
    const probe = storageProbe({ dir: dir.path, minFreeBytes: 0, intervalMs: 1000, now: () => clock });
    assert.equal(await probe(), "ok", "the first call waits for a probe");
    // The probe's file name taken by a directory: the next write fails, as on a read-only or revoked mount.
    mkdirSync(join(dir.path, ".health-probe"));
    clock = 1000;
    const stale = probe();
    assert.ok(stale instanceof Promise);
    assert.equal(await stale, "ok", "a stale verdict is answered while the new probe runs");
    let state = await probe();
    for (let tries = 0; state === "ok" && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      state = await probe();
    }
    assert.equal(state, "unwritable");
  });
});
