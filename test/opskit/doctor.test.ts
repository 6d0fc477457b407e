import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { chownSync, mkdirSync, openSync, readFileSync, closeSync, writeFileSync, writeSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { openDatabase } from "../../src/db/open.js";
import { backupStem, writeManifest, type BackupRecord } from "../../src/ops/backup/files.js";
import { Engine } from "../../src/ops/docker/engine.js";
import { checkContainer, checkEngine, checkPort } from "../../src/ops/doctor/engine.js";
import {
  checkDatabase,
  checkDiskSpace,
  checkEnvFileMode,
  checkLastBackup,
} from "../../src/ops/doctor/files.js";
import { checkKeysHealth } from "../../src/ops/doctor/keys.js";
import { runDoctor } from "../../src/ops/doctor/run.js";
import { checkSchedule, jobsInCrontab } from "../../src/ops/doctor/schedule.js";
import { loadOpsConfig } from "../../src/config/ops.js";
import type { DoctorReport } from "../../src/ops/doctor/types.js";
import { CONTAINER_UID, LABEL_APP } from "../../src/ops/docker/spec.js";
import { renderNamedTemplate } from "../../src/ops/templates/values.js";
import { startModelListFake, type ModelListFake } from "../fakes/model-list.js";
import { cleanEnv, runAhb } from "../helpers/cli.js";
import {
  TEST_LABELS,
  dockerSkipReason,
  ensureBaseImage,
  removeContainer,
  testName,
} from "../helpers/docker.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys, writeEnvFile } from "../helpers/env.js";
import { freePort, waitFor } from "../helpers/net.js";

const dir = tempDir("ahb-doctor-");
after(() => dir.remove());
const HOUR_MS = 3_600_000;

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

describe("doctor checks on real files", () => {
  it("env file mode: 600 ok, 640 warn, 644 fail, missing fail", () => {
    const path = join(dir.path, "mode.env");
    assert.equal(checkEnvFileMode(writeEnvFile(path, validKeys(), 0o600)).status, "ok");
    assert.equal(checkEnvFileMode(writeEnvFile(path, validKeys(), 0o640)).status, "warn");
    const open = checkEnvFileMode(writeEnvFile(path, validKeys(), 0o644));
    assert.equal(open.status, "fail");
    assert.match(open.detail, /chmod 600/);
    assert.equal(checkEnvFileMode(join(dir.path, "absent.env")).status, "fail");
  });

  it("database: quick_check ok on a live WAL database without changing it; fails a corrupted one", () => {
    const path = join(dir.path, "data", "app.db");
    const db = openDatabase(path);
    const insert = db.prepare(
      "INSERT INTO sessions (id, owner, title, created_at, last_active) VALUES (?, ?, ?, ?, ?)",
    );
    for (let i = 0; i < 500; i += 1) {
      const now = new Date().toISOString();
      insert.run(
        `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        "alice",
        "x".repeat(300),
        now,
        now,
      );
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
    for (const file of [path, `${path}-wal`, `${path}-shm`, join(dir.path, "data")])
      chownSync(file, CONTAINER_UID, CONTAINER_UID);
    const before = sha256(path);
    const check = checkDatabase(path);
    assert.deepEqual(
      [check.status, check.detail],
      ["ok", `${path}: quick_check ok, writable by the container`],
    );
    assert.equal(sha256(path), before, "the check wrote to the database");
    db.close();

    const broken = join(dir.path, "broken.db");
    writeFileSync(broken, readFileSync(path));
    const fd = openSync(broken, "r+");
    writeSync(fd, randomBytes(4096 * 3), 0, 4096 * 3, 4096 * 2);
    closeSync(fd);
    const corrupt = checkDatabase(broken);
    assert.equal(corrupt.status, "fail", corrupt.detail);
    assert.equal(checkDatabase(join(dir.path, "none.db")).status, "warn");
  });

  it("last backup: the newest verified manifest entry by age; unverified entries and stray files do not count", () => {
    const backups = join(dir.path, "backups");
    mkdirSync(backups);
    const now = new Date();
    const records: BackupRecord[] = [];
    const record = (hoursAgo: number, verified = true) => {
      const createdAt = new Date(now.getTime() - hoursAgo * HOUR_MS);
      const file = `${backupStem(createdAt)}.db.gz`;
      writeFileSync(join(backups, file), "x");
      records.push({
        file,
        createdAt: createdAt.toISOString(),
        sizeBytes: 1,
        snapshotBytes: 1,
        sha256: "0".repeat(64),
        rowCounts: {},
        schemaVersion: 2,
        verified,
        toolVersion: "test",
      });
      writeManifest(backups, { format: 1, backups: records });
      return file;
    };
    assert.equal(checkLastBackup(backups, now).status, "warn");
    record(24 * 9);
    writeFileSync(join(backups, "stray.db.gz"), "x");
    record(1, false);
    assert.equal(checkLastBackup(backups, now).status, "fail");
    const yesterday = record(30);
    assert.deepEqual(checkLastBackup(backups, now), {
      name: "last backup",
      status: "warn",
      detail: `${yesterday}, 30.0 h old`,
    });
    record(2);
    assert.equal(checkLastBackup(backups, now).status, "ok");
    assert.equal(checkLastBackup(join(dir.path, "no-backups"), now).status, "warn");
  });

  it("disk space: statfs of the directory or its nearest existing parent against both limits", () => {
    const missing = join(dir.path, "not", "yet");
    const ok = checkDiskSpace("data", missing, { warnBelowMb: 1, failBelowMb: 1 });
    assert.equal(ok.status, "ok");
    assert.match(ok.detail, /^\d+ MB free for /);
    assert.equal(checkDiskSpace("data", dir.path, { warnBelowMb: 1e12, failBelowMb: 1 }).status, "warn");
    assert.equal(checkDiskSpace("data", dir.path, { warnBelowMb: 1, failBelowMb: 2 ** 40 }).status, "fail");
  });

  it("schedule: systemd timers or crontab lines for both jobs, commented lines ignored", () => {
    const units = join(dir.path, "systemd");
    mkdirSync(units);
    const noCron = { missing: "no crontab for root" };
    const none = checkSchedule(units, noCron);
    assert.equal(none.status, "warn");
    assert.match(none.detail, /no crontab for root/);
    const render = (name: string) =>
      renderNamedTemplate(name, { appDir: "/srv/ahb", upstream: "127.0.0.1:8080" });
    writeFileSync(join(units, "ahb-backup.timer"), render("systemd-backup-timer"));
    assert.equal(
      checkSchedule(units, noCron).detail.startsWith("cleanup: not scheduled, backup: systemd timer"),
      true,
    );
    const crontab = render("crontab");
    assert.deepEqual([...jobsInCrontab(crontab)].sort(), ["backup", "cleanup"]);
    assert.deepEqual(
      [...jobsInCrontab("# 0 * * * * ahb cleanup\n5 * * * * npx ahb cleanup --dry-run")],
      ["cleanup"],
    );
    assert.deepEqual(checkSchedule(units, { text: crontab }), {
      name: "schedule",
      status: "ok",
      detail: "cleanup: crontab, backup: systemd timer",
    });
  });
});

describe("doctor keys check (reuses ahb keys check)", () => {
  let fake: ModelListFake;
  const envFile = writeEnvFile(join(dir.path, "keys.env"), validKeys());
  before(async () => {
    fake = await startModelListFake();
  });
  after(() => fake.close());

  it("is ok for well-formed keys, fails a malformed one without showing it", async () => {
    assert.deepEqual(await checkKeysHealth(envFile, false, {}), {
      name: "keys",
      status: "ok",
      detail: "anthropic ok, google ok",
    });
    const bad = await checkKeysHealth(envFile, false, { GOOGLE_API_KEY: "AIzaSecretButMalformed" });
    assert.equal(bad.status, "fail");
    assert.ok(!JSON.stringify(bad).includes("SecretButMalformed"));
  });

  it("live: fails a rejected key, only warns when the provider throttles or cannot be reached", async () => {
    const urls = { ANTHROPIC_BASE_URL: fake.url, GOOGLE_GEMINI_BASE_URL: fake.url };
    fake.modes = { anthropic: "ok", google: "ok" };
    const ok = await checkKeysHealth(envFile, true, urls);
    assert.equal(ok.status, "ok");
    assert.match(ok.detail, /^anthropic ok \d+ ms, google ok \d+ ms$/);
    fake.modes = { anthropic: "invalid_key", google: "ok" };
    assert.equal((await checkKeysHealth(envFile, true, urls)).status, "fail");
    fake.modes = { anthropic: "rate_limited", google: "ok" };
    assert.equal((await checkKeysHealth(envFile, true, urls)).status, "warn");
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await checkKeysHealth(envFile, true, {
      ANTHROPIC_BASE_URL: closed,
      GOOGLE_GEMINI_BASE_URL: closed,
    });
    assert.equal(down.status, "warn");
    assert.match(down.detail, /anthropic unreachable/);
  });
});

describe("doctor checks against the real Docker engine", async () => {
  const skip = await dockerSkipReason();
  let image = "";
  before(async () => {
    if (!skip) image = await ensureBaseImage();
  });
  const docker = new Docker();
  const engine = Engine.connect();
  const created: string[] = [];
  let holder: Server | undefined;
  after(async () => {
    for (const name of created) await removeContainer(docker, name);
    holder?.close();
  });

  async function startContainer(healthy: boolean): Promise<{ name: string; port: number }> {
    const name = testName(`doctor-${created.length}`);
    const port = await freePort();
    created.push(name);
    const container = await docker.createContainer({
      name,
      Image: image,
      Cmd: ["node", "-e", "setInterval(() => {}, 1 << 30)"],
      Labels: { ...TEST_LABELS, [LABEL_APP]: name },
      ExposedPorts: { "8000/tcp": {} },
      Healthcheck: {
        Test: ["CMD", "node", "-e", `process.exit(${healthy ? 0 : 1})`],
        Interval: 500_000_000,
        Timeout: 5_000_000_000,
        Retries: 1,
      },
      HostConfig: { PortBindings: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
    });
    await container.start();
    await waitFor(async () => {
      const status = (await container.inspect()).State.Health?.Status;
      return status && status !== "starting" ? status : undefined;
    }, 30_000);
    return { name, port };
  }

  it("engine: ok with version; fail when the engine does not answer", { skip }, async () => {
    const up = await checkEngine(engine);
    assert.equal(up.status, "ok");
    assert.match(up.detail, /^Docker \S+ \(API \d+\.\d+\) at /);
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${await freePort()}`;
    let closed: Engine;
    try {
      closed = Engine.connect();
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    const down = await checkEngine(closed);
    assert.equal(down.status, "fail");
    assert.match(down.detail, /unreachable .*ECONNREFUSED/);
  });

  it(
    "container and port: healthy and ours is ok, unhealthy fails, stopped fails, missing warns",
    { skip },
    async () => {
      const good = await startContainer(true);
      assert.deepEqual(await checkContainer(engine, good.name, true), {
        name: "container",
        status: "ok",
        detail: `${good.name} is healthy`,
      });
      const published = { bindAddress: "127.0.0.1", hostPort: good.port, publish: true };
      const ours = await checkPort(engine, { ...published, container: good.name }, true);
      assert.deepEqual(
        [ours.status, ours.detail],
        ["ok", `127.0.0.1:${good.port} is published by ${good.name}`],
      );
      const theirs = await checkPort(engine, { ...published, container: "ahb" }, true);
      assert.deepEqual(
        [theirs.status, theirs.detail],
        ["fail", `127.0.0.1:${good.port} is in use by container ${good.name}`],
      );

      const bad = await startContainer(false);
      assert.equal((await checkContainer(engine, bad.name, true)).status, "fail");
      await docker.getContainer(good.name).stop({ t: 1 });
      const stopped = await checkContainer(engine, good.name, true);
      assert.deepEqual([stopped.status, stopped.detail], ["fail", `${good.name} is exited`]);
      assert.equal((await checkContainer(engine, testName("absent"), true)).status, "warn");
      assert.equal((await checkContainer(engine, good.name, false)).status, "skip");
    },
  );

  it("port: free is ok; held by another process fails", { skip }, async () => {
    const port = await freePort();
    const options = { container: "ahb", bindAddress: "127.0.0.1", hostPort: port, publish: true };
    assert.equal((await checkPort(engine, options, true)).status, "ok");
    holder = createServer();
    await new Promise<void>((resolve) => holder?.listen(port, "127.0.0.1", resolve));
    const held = await checkPort(engine, options, true);
    assert.deepEqual([held.status, held.detail], ["fail", `127.0.0.1:${port} is in use by another process`]);
    assert.equal((await checkPort(engine, options, false)).status, "warn");
    assert.match(
      (await checkPort(engine, { ...options, publish: false }, true)).detail,
      /publishing nothing/,
    );
  });

  it("runDoctor reads free disk and the crontab through the host it is given", { skip }, async () => {
    const root = join(dir.path, "host");
    const ops = loadOpsConfig({
      cwd: root,
      env: {
        AHB_DATA_DIR: join(root, "data"),
        AHB_BACKUPS_DIR: join(root, "backups"),
        AHB_ENV_FILE: join(root, ".env.prod"),
        AHB_CONTAINER: testName("none"),
        AHB_HOST_PORT: String(await freePort()),
        AHB_MIN_FREE_DISK_MB: "1000",
      },
    });
    const crontab = { text: "0 * * * * ahb cleanup\n0 2 * * * ahb backup\n" };
    const statusOf = (report: DoctorReport, name: string) =>
      report.checks.find((check) => check.name === name)?.status;
    const options = { ops, engine, live: false, systemdDir: join(root, "systemd") };
    const low = await runDoctor({
      ...options,
      host: { freeMb: () => 500, listCrontab: async () => crontab },
    });
    assert.deepEqual(
      ["disk data", "disk backups", "schedule"].map((name) => statusOf(low, name)),
      ["warn", "warn", "ok"],
    );
    const full = await runDoctor({
      ...options,
      host: { freeMb: () => 10, listCrontab: async () => ({ missing: "no crontab for test" }) },
    });
    assert.deepEqual(
      ["disk data", "disk backups", "schedule"].map((name) => statusOf(full, name)),
      ["fail", "fail", "warn"],
    );
    assert.equal(full.ok, false);
  });

  it(
    "ahb doctor --json: one report, exit 0 with warnings only, exit 3 once a check fails",
    { skip },
    async () => {
      const root = join(dir.path, "app");
      mkdirSync(join(root, "data"), { recursive: true });
      openDatabase(join(root, "data", "app.db")).close();
      // The container's uid owns the data, as deploy sets it up (a root-owned database fails the check).
      for (const path of [join(root, "data"), join(root, "data", "app.db")])
        chownSync(path, CONTAINER_UID, CONTAINER_UID);
      const envFile = writeEnvFile(join(root, ".env.prod"), validKeys());
      // The host's crontab is not this test's business: a stand-in crontab on PATH answers "none".
      const fakeBin = join(root, "bin");
      mkdirSync(fakeBin);
      writeFileSync(join(fakeBin, "crontab"), "#!/bin/sh\necho 'no crontab for test' >&2\nexit 1\n", {
        mode: 0o755,
      });
      const env = cleanEnv({
        PATH: `${fakeBin}:${process.env.PATH ?? ""}`,
        AHB_DATA_DIR: join(root, "data"),
        AHB_BACKUPS_DIR: join(root, "backups"),
        AHB_ENV_FILE: envFile,
        AHB_CONTAINER: testName("none"),
        AHB_HOST_PORT: String(await freePort()),
        AHB_MIN_FREE_DISK_MB: "1",
      });
      const args = ["doctor", "--json", "--systemd-dir", join(root, "systemd")];
      const result = await runAhb(args, { env, cwd: root });
      const report = JSON.parse(String(result.stdout)) as DoctorReport;
      const statuses = Object.fromEntries(report.checks.map((check) => [check.name, check.status]));
      assert.deepEqual(statuses, {
        engine: "ok",
        "env file": "ok",
        keys: "ok",
        port: "ok",
        "disk data": "ok",
        "disk backups": "ok",
        database: "ok",
        "last backup": "warn",
        container: "warn",
        interrupted: "ok",
        // Published on the default bridge with TRUSTED_PROXIES left at loopback: doctor names the gateway.
        proxies: "warn",
        proxy: "skip",
        schedule: "warn",
      });
      assert.equal(report.ok, true);
      assert.equal(result.exitCode, 0);
      assert.match(
        report.checks.find((check) => check.name === "schedule")?.detail ?? "",
        /no crontab for test/,
      );

      writeEnvFile(envFile, validKeys(), 0o644);
      const failing = await runAhb(args, { env, cwd: root });
      assert.equal(failing.exitCode, 3);
      const output = `${String(failing.stdout)}${String(failing.stderr)}`;
      for (const key of [FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY]) assert.ok(!output.includes(key));
      const table = await runAhb(["doctor", "--systemd-dir", join(root, "systemd")], { env, cwd: root });
      assert.equal(table.exitCode, 3);
      assert.match(String(table.stdout), /env file +│ fail +│ .*world-accessible/);
    },
  );
});
