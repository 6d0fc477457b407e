import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { createTestApp } from "../helpers/app.js";
import { tempDir } from "../helpers/env.js";
import { asUser, errorCode } from "../sessions/client.js";

const isRoot = process.getuid?.() === 0;
const required = process.env.AHB_CI === "1" || process.env.AHB_REQUIRE_DOCKER === "1";
const skip = !isRoot && !required ? "needs root (mount)" : false;

/** Writes filler until the device is full; returns the filler's path. */
function fillDevice(dir: string): string {
  const filler = join(dir, "filler");
  const chunk = Buffer.alloc(64 * 1024, 1);
  let size = 0;
  try {
    for (;;) {
      writeFileSync(filler, chunk, { flag: "a" });
      size += chunk.length;
    }
  } catch (error) {
    assert.equal((error as { code?: string }).code, "ENOSPC", `filled ${size} bytes`);
  }
  return filler;
}

describe("the data directory's disk fills up while the server runs", { skip }, () => {
  it("a write answers 507 storage_full, nothing half-written, and works again once space is back", async () => {
    const work = tempDir("ahb-disk-full-");
    const data = join(work.path, "data");
    mkdirSync(data);
    await execa("mount", ["-t", "tmpfs", "-o", "size=2m", "ahb-test-disk-full", data]);
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
      await execa("umount", [data]);
      work.remove();
    }
  });
});
