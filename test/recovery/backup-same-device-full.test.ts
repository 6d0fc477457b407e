import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { openDatabase } from "../../src/db/open.js";
import { seedLedger } from "../dataops/seed.js";
import { runCli } from "../helpers/cli.js";
import { newSession } from "../helpers/drain-scenario.js";
import { fillDevice, mountSmallDevice, skipWithoutMount } from "../helpers/disk.js";
import { tempDir } from "../helpers/env.js";
import { fetchWithDeadline } from "../helpers/net.js";
import { spawnServer } from "../helpers/server-process.js";

/** Reads the server's session list one after another until stopped; the statuses it got. */
function readContinuously(url: string): { stop(): Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const response = await fetchWithDeadline(`${url}/api/sessions`, 5000).catch(() => undefined);
      statuses.push(response?.status ?? 0);
      await response?.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}

describe("the database's own device fills up during a backup", { skip: skipWithoutMount }, () => {
  it("exits 74 naming the directory, leaves nothing behind, the live database stays whole and serving", async () => {
    const work = tempDir("ahb-backup-same-device-");
    const data = join(work.path, "data");
    mkdirSync(data);
    const unmount = await mountSmallDevice(data, "24m", "ahb-test-reliability-backup-full");
    const dbPath = join(data, "app.db");
    const backups = join(data, "backups");
    try {
      const seeded = openDatabase(dbPath);
      seedLedger(seeded, { rows: 40_000, users: ["alice", "bob"], days: 30 });
      seeded.pragma("wal_checkpoint(TRUNCATE)");
      seeded.close();
      const dbBytes = statSync(dbPath).size;
      // The device is smaller than the health check's free-space floor (64 MB by default).
      const server = await spawnServer({
        DATABASE_PATH: dbPath,
        EXPORT_DIR: join(work.path, "exports"),
        HEALTH_MIN_FREE_MB: "1",
      });
      try {
        await newSession(server.url);
        // Room for half the snapshot: VACUUM INTO runs out of space midway.
        const filler = fillDevice(data, Math.floor(dbBytes / 2));
        const reads = readContinuously(server.url);
        const result = await runCli([
          "backup",
          "--db",
          dbPath,
          "--dir",
          backups,
          "--env-file",
          join(work.path, "none.env"),
        ]);
        const statuses = await reads.stop();
        const stderr = String(result.stderr);

        assert.equal(result.exitCode, 74, `${String(result.stdout)}\n${stderr}`);
        // Progress lines ("[info] snapshot ...") come first; the failure is one line.
        const errors = stderr.split("\n").filter((line) => line.startsWith("ahb:"));
        assert.equal(errors.length, 1, stderr);
        assert.ok(errors[0]?.includes(backups), stderr);
        assert.match(stderr, /no space left/);
        const left = readdirSync(backups).filter((name) => name.endsWith(".partial") || name.includes(".db"));
        assert.deepEqual(left, [], "no partial snapshot, archive or verify copy");
        assert.ok(
          statuses.length > 0 && statuses.every((status) => status === 200),
          `reads: ${statuses.join(",")}`,
        );

        rmSync(filler);
        await newSession(server.url);
      } finally {
        await server.stop();
      }
      const db = new Database(dbPath, { readonly: true });
      try {
        assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
        assert.equal(db.prepare("SELECT count(*) FROM sessions").pluck().get(), 2);
        assert.equal(db.prepare("SELECT count(*) FROM cost_ledger").pluck().get(), 40_000);
      } finally {
        db.close();
      }
    } finally {
      await unmount();
      work.remove();
    }
  });
});
