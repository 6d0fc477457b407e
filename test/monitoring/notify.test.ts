import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { webhookRequest } from "../../src/ops/notify/message.js";
import { runCli, cleanEnv } from "../helpers/cli.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { createTinySite } from "../helpers/tiny-site.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys, writeEnvFile } from "../helpers/env.js";
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from "../helpers/webhook.js";

const HOOK_SECRET = "hook-secret-5f1c9a7e2b";

describe("alerts to webhooks (real CLI processes, loopback receiver)", () => {
  let receiver: WebhookReceiver;
  let dir: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let envFile: string;

  before(async () => {
    receiver = await startWebhookReceiver();
    dir = tempDir("ahb-operator-notify-");
    envFile = join(dir.path, ".env.prod");
    writeEnvFile(envFile, {
      ...validKeys(),
      NOTIFY_WEBHOOK_URLS: `json:${receiver.url}/hook/${HOOK_SECRET}`,
      NOTIFY_BACKUP_MAX_AGE_HOURS: "26",
      NOTIFY_DISK_MIN_FREE_MB: "1",
    });
    env = cleanEnv({
      AHB_ENV_FILE: envFile,
      AHB_DATA_DIR: join(dir.path, "data"),
      AHB_BACKUPS_DIR: join(dir.path, "backups"),
      AHB_STATE_DIR: join(dir.path, "state"),
      AHB_CONTAINER: "ahb-test-operator-notify",
    });
  });

  after(async () => {
    await receiver?.close();
    dir?.remove();
  });

  beforeEach(() => receiver.received.splice(0));

  function assertNoSecret(message: ReceivedHook): void {
    for (const secret of [FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, HOOK_SECRET]) {
      assert.ok(!message.body.includes(secret), `a secret leaked into ${message.body}`);
    }
  }

  it("a failing backup sends exactly one message, redacted, and the backup's own failure stands", async () => {
    // The missing database's path carries the API key, so the error message does too: the redactor must catch it.
    const db = join(dir.path, FAKE_ANTHROPIC_KEY, "app.db");
    const first = await runCli(["backup", "--db", db], { env });
    assert.notEqual(first.exitCode, 0);
    assert.equal(receiver.received.length, 1);
    const [message] = receiver.received;
    assert.ok(message);
    assertNoSecret(message);
    const body = JSON.parse(message.body) as Record<string, string>;
    assert.equal(body.key, "backup_failed");
    assert.equal(body.severity, "critical");
    assert.match(body.text ?? "", /\[REDACTED\]/);

    const again = await runCli(["backup", "--db", db], { env });
    assert.equal(again.exitCode, first.exitCode, "the alert never changes the exit code");
    assert.equal(receiver.received.length, 1, "the same failure again is suppressed until a backup succeeds");
  });

  it("a stale backup sends one message from doctor --notify; a second run sends nothing", async () => {
    const first = await runCli(["doctor", "--notify", "--systemd-dir", dir.path], { env });
    assert.ok([0, 3].includes(first.exitCode ?? -1), String(first.stderr));
    const stale = receiver.received.filter((message) => message.body.includes("backup_stale"));
    assert.equal(stale.length, 1, JSON.stringify(receiver.received.map((m) => m.body)));
    assertNoSecret(stale[0] as ReceivedHook);
    assert.match(
      (JSON.parse((stale[0] as ReceivedHook).body) as { text: string }).text,
      /no verified backup in /,
    );
    const count = receiver.received.length;

    await runCli(["doctor", "--notify", "--systemd-dir", dir.path], { env });
    assert.equal(receiver.received.length, count, "the same stale backup is not reported twice");
  });

  it("a failing webhook never fails the command", async () => {
    const badEnv = join(dir.path, ".env.bad");
    writeEnvFile(badEnv, { ...validKeys(), NOTIFY_WEBHOOK_URLS: "json:http://127.0.0.1:9/nothing-listens" });
    const result = await runCli(["backup", "--db", join(dir.path, "missing.db")], {
      env: { ...env, AHB_ENV_FILE: badEnv },
    });
    const plain = await runCli(["backup", "--db", join(dir.path, "missing.db")], {
      env: { ...env, AHB_ENV_FILE: join(dir.path, "absent.env") },
    });
    assert.equal(result.exitCode, plain.exitCode);
    assert.match(String(result.stderr), /not delivered/);
  });

  it("a deploy that rolls back sends exactly one message, redacted; a good deploy sends none", async (t) => {
    const skip = await dockerSkipReason();
    if (skip) return t.skip(skip);
    const site = await createTinySite("operator-notify");
    try {
      writeEnvFile(join(site.root, ".env.prod"), {
        ...validKeys(),
        ENVIRONMENT: "production",
        NOTIFY_WEBHOOK_URLS: `json:${receiver.url}/hook/${HOOK_SECRET}`,
      });
      const sentBefore = receiver.received.length;
      const good = await site.cli(["deploy", "--tag", "g", "--no-backup"]);
      assert.equal(good.exitCode, 0, good.stderr);
      assert.equal(receiver.received.length, sentBefore, "a healthy deploy alerts nobody");

      const bad = await site.cli(["deploy", "--context", site.contexts.failing, "--tag", "f", "--no-backup"]);
      assert.equal(bad.exitCode, 10, bad.stderr);
      assert.equal((await site.health())?.version, "g", "the previous version serves again");
      const sent = receiver.received.slice(sentBefore);
      assert.equal(sent.length, 1, JSON.stringify(sent.map((message) => message.body)));
      const [message] = sent as [ReceivedHook];
      assertNoSecret(message);
      assert.equal(JSON.parse(message.body).title, "ahb deploy rolled back");
    } finally {
      await site.remove();
    }
  });
});

describe("webhook bodies", () => {
  const alert = { key: "disk_low", severity: "critical" as const, title: "disk low", text: "12 MB free" };
  const at = new Date("2026-12-01T00:00:00Z");

  it("speaks Slack's text, ntfy's plain text with headers, and generic JSON", () => {
    assert.deepEqual(JSON.parse(webhookRequest("slack", alert, "h1", at).body), {
      text: ":rotating_light: *disk low* (h1)\n12 MB free",
    });
    const ntfy = webhookRequest("ntfy", alert, "h1", at);
    assert.deepEqual(
      [ntfy.body, ntfy.headers.title, ntfy.headers.priority],
      ["12 MB free (h1)", "ahb: disk low", "urgent"],
    );
    assert.deepEqual(JSON.parse(webhookRequest("json", alert, "h1", at).body), {
      source: "ahb",
      host: "h1",
      time: "2026-12-01T00:00:00.000Z",
      ...alert,
    });
  });
});
