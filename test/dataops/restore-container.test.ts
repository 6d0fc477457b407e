import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import Docker from "dockerode";
import { openDatabase } from "../../src/db/open.js";
import { createBackup } from "../../src/ops/backup/backup.js";
import { dockerContainerControl } from "../../src/ops/docker/container-control.js";
import { Engine } from "../../src/ops/docker/engine.js";
import { restoreBackup } from "../../src/ops/backup/restore.js";
import {
  TEST_LABELS,
  dockerSkipReason,
  ensureBaseImage,
  removeContainer,
  testName,
} from "../helpers/docker.js";
import { tempDir } from "../helpers/env.js";
import { seedLedger } from "./seed.js";

const skip = await dockerSkipReason();

describe("ahb restore with a container", { skip }, () => {
  it("stops the running container around the swap and starts it again; a missing container changes nothing", async () => {
    const docker = new Docker();
    const engine = Engine.connect();
    const name = testName("restore");
    const dir = tempDir("ahb-dataops-");
    try {
      const dbPath = join(dir.path, "app.db");
      const backups = join(dir.path, "backups");
      const db = openDatabase(dbPath);
      seedLedger(db, { rows: 100, users: ["alice"], days: 3 });
      db.close();
      const created = await createBackup({ dbPath, dir: backups });
      const later = openDatabase(dbPath);
      seedLedger(later, { rows: 50, users: ["bob"], days: 1 });
      later.close();

      const container = await docker.createContainer({
        name,
        Image: await ensureBaseImage(),
        Cmd: ["sleep", "infinity"],
        Labels: TEST_LABELS,
        HostConfig: { AutoRemove: false },
      });
      await container.start();
      const steps: string[] = [];
      const result = await restoreBackup({
        backup: created.file,
        backupsDir: backups,
        dbPath,
        lock: { path: join(dir.path, "deploy.lock"), staleAfterMs: 60_000 },
        container: dockerContainerControl(name, engine),
        healthTimeoutMs: 30_000,
        onStep: (message) => steps.push(message),
      });
      assert.ok(steps.some((step) => step.startsWith(`stopping container ${name}`)));
      assert.equal(result.containerRestarted, true);
      assert.equal((await container.inspect()).State.Running, true, "running again after the restore");
      const restored = openDatabase(dbPath);
      try {
        assert.equal(Number(restored.prepare("SELECT count(*) FROM cost_ledger").pluck().get()), 100);
      } finally {
        restored.close();
      }

      await assert.rejects(
        restoreBackup({
          backup: created.file,
          backupsDir: backups,
          dbPath,
          lock: { path: join(dir.path, "deploy.lock"), staleAfterMs: 60_000 },
          container: dockerContainerControl(`${name}-missing`, engine),
        }),
        (error: Error & { exitCode?: number }) => /not found/.test(error.message) && error.exitCode === 5,
      );
    } finally {
      await removeContainer(docker, name);
      dir.remove();
    }
  });
});
