import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { openDatabase } from "../../src/db/open.js";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { tableRowCounts } from "../../src/ops/backup/verify.js";
import { cleanEnv, runCli } from "../helpers/cli.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys, writeEnvFile } from "../helpers/env.js";
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from "../helpers/webhook.js";
import { freePort, waitFor } from "../helpers/net.js";
import { createTinySite } from "../helpers/tiny-site.js";
import { ledgerEntry, seedSessions } from "../dataops/seed.js";

const HOOK_SECRET = "hook-secret-offsite-7d2e91";
const REMOTE_USER = "offsite-user";
const REMOTE_PASS = "remote-pass-3c8f1a0b";
const rcloneMissing = (() => {
  try {
    execFileSync("rclone", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "rclone is not installed";
  }
})();
if (rcloneMissing && (process.env.AHB_CI === "1" || process.env.AHB_REQUIRE_DOCKER === "1")) {
  throw new Error(`${rcloneMissing}; the off-site tests need it`);
}

/** `rclone serve webdav` on a loopback port, with basic auth, serving `root`. */
async function startWebdav(root: string): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    "rclone",
    ["serve", "webdav", root, "--addr", `127.0.0.1:${port}`, "--user", REMOTE_USER, "--pass", REMOTE_PASS],
    { stdio: "ignore" },
  );
  await waitFor(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: "OPTIONS" });
    return response.status > 0 ? true : undefined;
  }, 10_000);
  return { port, process: child };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function webdavSection(name: string, port: number): string {
  const obscured = execFileSync("rclone", ["obscure", REMOTE_PASS], { encoding: "utf8" }).trim();
  return `[${name}]\ntype = webdav\nurl = http://127.0.0.1:${port}\nvendor = other\nuser = ${REMOTE_USER}\npass = ${obscured}\n`;
}

describe("off-site copies to rclone remotes (real rclone, loopback)", { skip: rcloneMissing }, () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: WebhookReceiver;
  let webdav: Awaited<ReturnType<typeof startWebdav>>;
  let dbPath: string;
  let expected: Record<string, number>;

  before(async () => {
    dir = tempDir("ahb-offsite-");
    receiver = await startWebhookReceiver();
    mkdirSync(join(dir.path, "local-remote"));
    mkdirSync(join(dir.path, "webdav-root"));
    webdav = await startWebdav(join(dir.path, "webdav-root"));
    dbPath = join(dir.path, "data", "app.db");
    mkdirSync(join(dir.path, "data"));
    const db = openDatabase(dbPath);
    seedSessions(db, "ann", 3, 0);
    for (let index = 0; index < 40; index += 1) insertLedgerEntry(db, ledgerEntry("ann", index));
    expected = tableRowCounts(db);
    db.close();
  });

  after(async () => {
    await stop(webdav?.process);
    await receiver?.close();
    dir?.remove();
  });

  beforeEach(() => receiver.received.splice(0));

  /** An env file + rclone config for one remote; the CLI's environment points at them. */
  function setup(name: string, rcloneConf: string, remote: string): NodeJS.ProcessEnv {
    const conf = join(dir.path, `${name}.rclone.conf`);
    writeFileSync(conf, rcloneConf, { mode: 0o600 });
    const envFile = join(dir.path, `${name}.env`);
    writeEnvFile(envFile, {
      ...validKeys(),
      NOTIFY_WEBHOOK_URLS: `json:${receiver.url}/hook/${HOOK_SECRET}`,
      BACKUP_REMOTE: remote,
      RCLONE_CONFIG: conf,
    });
    return cleanEnv({
      AHB_ENV_FILE: envFile,
      AHB_DATA_DIR: join(dir.path, "data"),
      AHB_BACKUPS_DIR: join(dir.path, `${name}-backups`),
      AHB_STATE_DIR: join(dir.path, `${name}-state`),
    });
  }

  function assertNoSecret(text: string): void {
    for (const secret of [FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, HOOK_SECRET, REMOTE_PASS]) {
      assert.ok(!text.includes(secret), `a secret leaked into ${text}`);
    }
  }

  async function roundTrip(env: NodeJS.ProcessEnv, expectedCheck: string): Promise<void> {
    const made = await runCli(["backup", "--db", dbPath, "--json"], { env });
    assert.equal(made.exitCode, 0, String(made.stderr));
    const created = JSON.parse(String(made.stdout)) as {
      file: string;
      remote: { check: string; file: string };
    };
    assert.equal(created.remote.file, created.file);
    assert.equal(created.remote.check, expectedCheck);

    const listed = await runCli(["backup", "list", "--remote", "--json"], { env });
    assert.equal(listed.exitCode, 0, String(listed.stderr));
    const remote = JSON.parse(String(listed.stdout)) as { file: string; state: string }[];
    assert.deepEqual(
      remote.find((entry) => entry.file === created.file),
      { ...remote.find((entry) => entry.file === created.file), state: "copied" },
    );

    const drill = await runCli(["backup", "drill", "--remote", "--json"], { env });
    assert.equal(drill.exitCode, 0, String(drill.stderr));
    const report = JSON.parse(String(drill.stdout)) as { ok: boolean; file: string; source: string };
    assert.deepEqual([report.ok, report.file, report.source], [true, created.file, "remote"]);

    const target = join(dir.path, `restored-${Date.now()}.db`);
    const restored = await runCli(
      ["restore", "--from-remote", created.file, "--no-container", "--yes", "--db", target],
      { env },
    );
    assert.equal(restored.exitCode, 0, String(restored.stderr));
    assert.match(
      String(restored.stdout),
      new RegExp(`^restored \\S+/${created.file.replaceAll(".", "\\.")} into `),
    );
    const db = openDatabase(target);
    try {
      assert.deepEqual(tableRowCounts(db), expected);
    } finally {
      db.close();
    }
    for (const output of [made, listed, drill, restored]) assertNoSecret(`${output.stdout}${output.stderr}`);
    assert.equal(receiver.received.length, 0, "a working remote sends no alert");
  }

  it("local-path remote: copied (hash-checked), listed, drilled, restored; retention applies remotely", async () => {
    const empty = setup("empty", "[offempty]\ntype = local\n", `offempty:${join(dir.path, "never-copied")}`);
    const none = await runCli(["backup", "list", "--remote", "--json"], { env: empty });
    assert.equal(none.exitCode, 0, String(none.stderr));
    assert.deepEqual(JSON.parse(String(none.stdout)), []);
    const env = setup("local", "[offlocal]\ntype = local\n", `offlocal:${join(dir.path, "local-remote")}`);
    await roundTrip(env, "hash");
    const again = await runCli(["backup", "--db", dbPath, "--keep-last", "1"], { env });
    assert.equal(again.exitCode, 0, String(again.stderr));
    const onRemote = readdirSync(join(dir.path, "local-remote")).filter((name) => name.endsWith(".db.gz"));
    assert.equal(onRemote.length, 1, `remote keeps the newest 1: ${onRemote.join(", ")}`);
  });

  it("webdav remote (rclone serve webdav, basic auth): copied (size-checked), listed, drilled, restored", async () => {
    const env = setup("webdav", webdavSection("offdav", webdav.port), "offdav:ahb-backups");
    await roundTrip(env, "size");
  });

  it("a remote that is down: the local backup stays valid, exit 0 with a warning, exactly one alert", async () => {
    const env = setup("down", webdavSection("offdown", await freePort()), "offdown:ahb-backups");
    const first = await runCli(["backup", "--db", dbPath], { env });
    assert.equal(first.exitCode, 0, String(first.stderr));
    assert.match(String(first.stderr), /off-site copy failed, the local backup \S+ is valid/);
    assertNoSecret(`${first.stdout}${first.stderr}`);
    await assertLocalVerified(env);
    assert.equal(receiver.received.length, 1);
    const body = (receiver.received[0] as ReceivedHook).body;
    assertNoSecret(body);
    assert.equal((JSON.parse(body) as { key: string }).key, "backup_remote_failed");

    const second = await runCli(["backup", "--db", dbPath], { env });
    assert.equal(second.exitCode, 0);
    assert.equal(receiver.received.length, 1, "the same remote failure is not sent twice");
  });

  it("a remote killed mid-copy: the local backup stays valid and exactly one alert goes out", async () => {
    const bigDb = join(dir.path, "big", "app.db");
    mkdirSync(join(dir.path, "big"));
    const db = openDatabase(bigDb);
    db.exec("CREATE TABLE filler (blob BLOB)");
    const insert = db.prepare("INSERT INTO filler VALUES (randomblob(1048576))");
    for (let index = 0; index < 48; index += 1) insert.run();
    db.close();
    const dying = await startWebdav(join(dir.path, "webdav-root"));
    const env = setup("dying", webdavSection("offdying", dying.port), "offdying:ahb-backups");
    const run = runCli(["backup", "--db", bigDb], { env });
    let stderr = "";
    run.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (stderr.includes("copying ")) void stop(dying.process);
    });
    const result = await run;
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.match(String(result.stderr), /off-site copy failed, .*rclone copy on offdying:ahb-backups failed/);
    assertNoSecret(`${result.stdout}${result.stderr}`);
    await assertLocalVerified(env);
    assert.equal(receiver.received.length, 1);
    assert.equal(
      (JSON.parse((receiver.received[0] as ReceivedHook).body) as { key: string }).key,
      "backup_remote_failed",
    );
  });

  async function assertLocalVerified(env: NodeJS.ProcessEnv): Promise<void> {
    const listed = await runCli(["backup", "list", "--json"], { env });
    const local = JSON.parse(String(listed.stdout)) as { state: string }[];
    assert.ok(local.length > 0 && local.every((entry) => entry.state === "verified"), String(listed.stdout));
  }
});

describe(
  "the pre-deploy backup goes off-site too (real engine, local-path remote)",
  { skip: rcloneMissing },
  () => {
    it("after a deploy, the backup it took is on the remote and listed there", async (t) => {
      const skip = await dockerSkipReason();
      if (skip) return t.skip(skip);
      const site = await createTinySite("offsite-deploy");
      const remoteDir = join(site.root, "remote");
      mkdirSync(remoteDir);
      const conf = join(site.root, "rclone.conf");
      writeFileSync(conf, `[local]\ntype = local\n`, { mode: 0o600 });
      try {
        writeEnvFile(join(site.root, ".env.prod"), {
          ...validKeys(),
          ENVIRONMENT: "production",
          BACKUP_REMOTE: `local:${remoteDir}`,
          RCLONE_CONFIG: conf,
        });
        const deployed = await site.cli(["deploy", "--tag", "v1", "--json"]);
        assert.equal(deployed.exitCode, 0, deployed.stderr);
        const backup = (JSON.parse(deployed.stdout) as { backup: { path: string } | null }).backup;
        assert.ok(backup, "the deploy took a backup of the existing database");
        const file = basename(backup.path);
        assert.ok(
          readdirSync(remoteDir).includes(file),
          `${file} not in ${readdirSync(remoteDir).join(", ")}`,
        );
        assert.match(deployed.stderr, /off-site copy checked by hash/);
        const listed = await site.cli(["backup", "list", "--remote", "--json"]);
        assert.equal(listed.exitCode, 0, listed.stderr);
        const entries = JSON.parse(listed.stdout) as { file: string; state: string }[];
        assert.equal(entries.find((entry) => entry.file === file)?.state, "copied");
      } finally {
        await site.remove();
      }
    });
  },
);
