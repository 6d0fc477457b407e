import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createTestApp } from "../helpers/app.js";
import { fillDevice, mountSmallDevice, skipWithoutMount } from "../helpers/disk.js";
import { tempDir } from "../helpers/env.js";
import { asUser, errorCode } from "../sessions/client.js";

describe("the data directory's disk fills up while the server runs", { skip: skipWithoutMount }, () => {
  it("a write answers 507 storage_full, nothing half-written, and works again once space is back", async () => {
    const work = tempDir("ahb-disk-full-");
    const data = join(work.path, "data");
    mkdirSync(data);
    const unmount = await mountSmallDevice(data, "2m", "ahb-test-disk-full");
    const t = createTestApp({ DATABASE_PATH: join(data, "app.db"), EXPORT_DIR: join(work.path, "exports") });
    try {
      const as = asUser(t, "dora", { "Sec-Fetch-Site": "same-origin" });
      assert.equal((await as("POST", "/api/sessions", { title: "before" })).status, 201);
      const filler = fillDevice(data);

      const refused = await as("POST", "/api/sessions", { title: "x".repeat(200) });
      assert.equal(refused.status, 507);
      assert.equal(await errorCode(refused), "storage_full");
      assert.ok(
        !t.logLines.some((line) => line.includes('"unhandled error"')),
        "a full disk is an expected failure, not a bug",
      );

      rmSync(filler);
      assert.equal((await as("POST", "/api/sessions", { title: "after" })).status, 201);
      const titles = t.deps.db.prepare("SELECT title FROM sessions ORDER BY created_at").pluck().all();
      assert.deepEqual(titles, ["before", "after"]);
      assert.equal(t.deps.db.pragma("integrity_check", { simple: true }), "ok");
    } finally {
      t.close();
      await unmount();
      work.remove();
    }
  });
});
