import { basename } from "node:path";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { extract } from "tar-fs";
import { UserError } from "../../src/errors.js";
import { openDatabase } from "../../src/db/open.js";
import { backupLiveDatabase } from "../../src/ops/deploy/backup-step.js";
import { contextTar } from "../../src/ops/deploy/context.js";
import { failedState, healthUrl } from "../../src/ops/deploy/health.js";
import { envListToRecord, redactorForContainer } from "../../src/ops/deploy/logs.js";
import { checkEnvFile } from "../../src/ops/deploy/preflight.js";
import { newestBackup } from "../../src/ops/backup/list.js";
import { cpuPercent, memoryInUse } from "../../src/ops/deploy/status.js";
import type { ContainerState } from "../../src/ops/docker/engine.js";
import { loadOpsConfig } from "../../src/config/ops.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys, writeEnvFile } from "../helpers/env.js";

/** Unpacks the stream with tar-fs, as the engine would, and lists what arrived. */
async function tarEntries(stream: NodeJS.ReadableStream, into: string): Promise<string[]> {
  const sink = extract(into);
  const done = new Promise<void>((resolve, reject) => {
    sink.on("finish", () => resolve());
    sink.on("error", reject);
  });
  stream.pipe(sink);
  await done;
  return readdirSync(into, { recursive: true }).map(String).sort();
}

function userError(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    return error;
  }
  assert.fail("expected a UserError");
}

const running: ContainerState = {
  id: "c1",
  name: "ahb",
  imageId: "sha256:1",
  imageRef: "ahb:v1",
  running: true,
  status: "running",
  health: "starting",
  exitCode: 0,
  restartCount: 0,
  startedAt: "",
  env: [],
  networks: { proxy: "172.20.0.5" },
};

describe("build context", () => {
  it("sends what .dockerignore allows, plus the Dockerfile and .dockerignore themselves", async () => {
    const dir = tempDir("ahb-context-");
    try {
      mkdirSync(`${dir.path}/ctx/src`, { recursive: true });
      mkdirSync(`${dir.path}/ctx/node_modules/x`, { recursive: true });
      writeFileSync(`${dir.path}/ctx/Dockerfile`, "FROM scratch\n");
      writeFileSync(
        `${dir.path}/ctx/.dockerignore`,
        "node_modules\n.env*\n!.env.example\nDockerfile\n*.log\n",
      );
      writeFileSync(`${dir.path}/ctx/src/a.ts`, "a");
      writeFileSync(`${dir.path}/ctx/node_modules/x/index.js`, "x");
      writeFileSync(`${dir.path}/ctx/.env.prod`, "SECRET=1");
      writeFileSync(`${dir.path}/ctx/.env.example`, "KEY=");
      writeFileSync(`${dir.path}/ctx/debug.log`, "l");
      const names = await tarEntries(contextTar(`${dir.path}/ctx`, "Dockerfile"), `${dir.path}/out`);
      assert.deepEqual(names, [".dockerignore", ".env.example", "Dockerfile", "src", "src/a.ts"]);
      assert.equal(userError(() => contextTar(`${dir.path}/ctx`, "Missing.Dockerfile")).exitCode, 78);
    } finally {
      dir.remove();
    }
  });
});

describe("env file preflight", () => {
  it("accepts a valid mode-600 file and returns its values and secrets", () => {
    const dir = tempDir("ahb-envcheck-");
    try {
      const path = writeEnvFile(`${dir.path}/.env.prod`, { ...validKeys(), ENVIRONMENT: "production" });
      const checked = checkEnvFile(path);
      assert.equal(checked.values.ENVIRONMENT, "production");
      assert.deepEqual([...checked.secretValues].sort(), [FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY].sort());
      assert.deepEqual(checked.warnings, []);
    } finally {
      dir.remove();
    }
  });

  it("refuses a world-readable file (13) and a missing key or file (78), never echoing a value", () => {
    const dir = tempDir("ahb-envcheck-");
    try {
      const open = writeEnvFile(`${dir.path}/open.env`, validKeys(), 0o644);
      const world = userError(() => checkEnvFile(open));
      assert.equal(world.exitCode, 13);
      assert.match(world.message, /mode 644 is world-accessible; run chmod 600/);
      const missing = writeEnvFile(`${dir.path}/missing.env`, { GOOGLE_API_KEY: FAKE_GOOGLE_KEY });
      const invalid = userError(() => checkEnvFile(missing));
      assert.equal(invalid.exitCode, 78);
      assert.ok(
        invalid.details.some((line) => line.startsWith("ANTHROPIC_API_KEY:")),
        invalid.details.join(),
      );
      assert.ok(!JSON.stringify(invalid.details).includes(FAKE_GOOGLE_KEY));
      assert.equal(userError(() => checkEnvFile(`${dir.path}/nope.env`)).exitCode, 78);
      const group = writeEnvFile(`${dir.path}/group.env`, validKeys(), 0o640);
      assert.match(checkEnvFile(group).warnings[0] ?? "", /readable by its group/);
    } finally {
      dir.remove();
    }
  });
});

describe("health and status helpers", () => {
  it("reaches health through the published port, or the container's address on the network", () => {
    const config = loadOpsConfig({ cwd: "/", env: {} });
    assert.equal(healthUrl(config, running), "http://127.0.0.1:8080/api/health");
    assert.equal(
      healthUrl({ ...config, bindAddress: "0.0.0.0" }, running),
      "http://127.0.0.1:8080/api/health",
    );
    assert.equal(
      healthUrl({ ...config, publish: false, network: "proxy" }, running),
      "http://172.20.0.5:8000/api/health",
    );
    assert.equal(healthUrl({ ...config, publish: false, network: "proxy" }, undefined), undefined);
  });

  it("gives up on a container that exited, restarts or is unhealthy", () => {
    assert.equal(failedState(running, 0), undefined);
    assert.equal(
      failedState({ ...running, running: false, status: "exited", exitCode: 78 }, 0),
      "the server exited with code 78",
    );
    assert.match(failedState({ ...running, restartCount: 1 }, 0) ?? "", /Docker is restarting it/);
    assert.equal(failedState({ ...running, restartCount: 4 }, 4), undefined);
    assert.equal(
      failedState({ ...running, health: "unhealthy", healthLog: "HTTP 503" }, 0),
      "Docker health check failed: HTTP 503",
    );
  });

  it("computes CPU and memory like docker stats", () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 3_000 }, system_cpu_usage: 20_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000 }, system_cpu_usage: 10_000 },
      memory_stats: { usage: 500, limit: 4000, stats: { inactive_file: 100 } },
    };
    assert.equal(cpuPercent(stats), 40);
    assert.equal(memoryInUse(stats), 400);
    assert.equal(cpuPercent({ ...stats, precpu_stats: {} }), null);
  });

  it("backs up the live database before a swap (verified, in the manifest) and status finds it", async () => {
    const dir = tempDir("ahb-backups-");
    try {
      const config = { dataDir: `${dir.path}/data`, backupsDir: `${dir.path}/backups` };
      const at = new Date("2026-11-24T04:00:00Z");
      assert.equal(await backupLiveDatabase(config, at), undefined, "no database yet: nothing to back up");
      assert.equal(newestBackup(config.backupsDir, at), null);
      openDatabase(`${config.dataDir}/app.db`).close();
      const backup = await backupLiveDatabase(config, at);
      assert.ok(backup && existsSync(backup.path) && backup.verified && backup.bytes > 0);
      assert.deepEqual(newestBackup(config.backupsDir, new Date("2026-11-24T05:00:00Z")), {
        file: basename(backup.path),
        path: backup.path,
        ageS: 3600,
      });
    } finally {
      dir.remove();
    }
  });

  it("redacts the secret values the container was given and those in the env file", () => {
    const dir = tempDir("ahb-redact-");
    try {
      const envFile = writeEnvFile(`${dir.path}/.env.prod`, {
        ...validKeys(),
        ANTHROPIC_API_KEY: "sk-ant-rotated-key-000",
      });
      const redact = redactorForContainer([`ANTHROPIC_API_KEY=${FAKE_ANTHROPIC_KEY}`, "PORT=8000"], envFile);
      const line = `old ${FAKE_ANTHROPIC_KEY} new sk-ant-rotated-key-000 google ${FAKE_GOOGLE_KEY} port 8000`;
      assert.equal(redact(line), "old [REDACTED] new [REDACTED] google [REDACTED] port 8000");
      assert.deepEqual(envListToRecord(["A=1=2", "B"]), { A: "1=2", B: "" });
    } finally {
      dir.remove();
    }
  });
});
