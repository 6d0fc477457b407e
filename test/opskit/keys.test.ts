import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { KeysReport } from "../../src/ops/keys/check.js";
import { startModelListFake, type ModelListFake } from "../fakes/model-list.js";
import { cleanEnv, runAhb } from "../helpers/cli.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys, writeEnvFile } from "../helpers/env.js";
import { freePort } from "../helpers/net.js";

const dir = tempDir("ahb-keys-");
const envFile = writeEnvFile(join(dir.path, ".env.prod"), validKeys());
let fake: ModelListFake;

function baseUrls(url: string): Record<string, string> {
  return { ANTHROPIC_BASE_URL: url, GOOGLE_GEMINI_BASE_URL: url };
}

async function keysCheck(args: string[], env: Record<string, string> = {}) {
  const result = await runAhb(["keys", "check", "--env-file", envFile, ...args], { env: cleanEnv(env) });
  const output = `${String(result.stdout)}${String(result.stderr)}`;
  for (const key of [FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY]) {
    assert.ok(!output.includes(key), "a key value reached the output");
    assert.ok(!output.includes(key.slice(0, -4)), "more than the last 4 characters of a key were printed");
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

async function liveJson(env: Record<string, string>) {
  const result = await keysCheck(["--live", "--json", "--timeout", "5"], env);
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as KeysReport };
}

function statusOf(report: KeysReport, provider: "anthropic" | "google") {
  return report.providers.find((entry) => entry.provider === provider)?.live?.status;
}

describe("ahb keys check (format)", () => {
  it("accepts two well-formed keys and prints them masked to the last 4 characters", async () => {
    const result = await keysCheck(["--json"]);
    assert.equal(result.exitCode, 0);
    const report = JSON.parse(result.stdout) as KeysReport;
    assert.equal(report.ok, true);
    assert.equal(report.live, false);
    assert.deepEqual(
      report.providers.map((entry) => [entry.provider, entry.format, entry.key, entry.source]),
      [
        ["anthropic", "ok", `****${FAKE_ANTHROPIC_KEY.slice(-4)}`, "file"],
        ["google", "ok", `****${FAKE_GOOGLE_KEY.slice(-4)}`, "file"],
      ],
    );
    assert.equal(report.providers[0]?.live, undefined);
  });

  it("says which key is malformed or missing through the exit code", async () => {
    const badAnthropic = await keysCheck(["--json"], {
      ANTHROPIC_API_KEY: "sk-live-not-an-anthropic-key-12345",
    });
    assert.equal(badAnthropic.exitCode, 20);
    const report = JSON.parse(badAnthropic.stdout) as KeysReport;
    assert.equal(report.providers[0]?.format, "malformed");
    assert.match(report.providers[0]?.formatDetail ?? "", /sk-ant-/);
    assert.equal(report.providers[0]?.source, "env");

    const badGoogle = await keysCheck(["--json"], { GOOGLE_API_KEY: "AIzaTooShort" });
    assert.equal(badGoogle.exitCode, 21);

    const emptyFile = writeEnvFile(join(dir.path, "empty.env"), { LOG_LEVEL: "info" });
    const none = await runAhb(["keys", "check", "--env-file", emptyFile, "--json"], { env: cleanEnv() });
    assert.equal(none.exitCode, 22);
    const formats = (JSON.parse(String(none.stdout)) as KeysReport).providers.map((entry) => entry.format);
    assert.deepEqual(formats, ["missing", "missing"]);
  });

  it("prints a table without key values and refuses a named env file that does not exist", async () => {
    const table = await keysCheck([]);
    assert.equal(table.exitCode, 0);
    assert.match(table.stdout, /anthropic .*ANTHROPIC_API_KEY .*\*{4}6789 .*ok/);
    const missing = await runAhb(["keys", "check", "--env-file", join(dir.path, "nope.env")], {
      env: cleanEnv(),
    });
    assert.equal(missing.exitCode, 78);
    assert.match(String(missing.stderr), /env file not found/);
  });
});

describe("ahb keys check --live (real SDKs against the listing fakes)", () => {
  before(async () => {
    fake = await startModelListFake();
  });
  after(async () => {
    await fake.close();
    dir.remove();
  });

  it("lists models with both keys, sent in headers only, and reports latency", async () => {
    fake.modes = { anthropic: "ok", google: "ok" };
    fake.requests.length = 0;
    const { exitCode, report } = await liveJson(baseUrls(fake.url));
    assert.equal(exitCode, 0);
    for (const entry of report.providers) {
      assert.equal(entry.live?.status, "ok");
      assert.equal(entry.live?.models, 2);
      assert.ok(Number.isInteger(entry.live?.latencyMs) && (entry.live?.latencyMs ?? -1) >= 0);
    }
    assert.deepEqual(
      fake.requests
        .map((request) => [request.provider, request.path, request.apiKey, request.hadKeyInUrl])
        .sort(),
      [
        ["anthropic", "/v1/models", FAKE_ANTHROPIC_KEY, false],
        ["google", "/v1beta/models", FAKE_GOOGLE_KEY, false],
      ],
    );
  });

  it("reports a rejected Anthropic key as invalid_key with exit 20", async () => {
    fake.modes = { anthropic: "invalid_key", google: "ok" };
    const { exitCode, report } = await liveJson(baseUrls(fake.url));
    assert.equal(exitCode, 20);
    assert.equal(statusOf(report, "anthropic"), "invalid_key");
    assert.match(report.providers[0]?.live?.detail ?? "", /401 authentication_error/);
    assert.equal(statusOf(report, "google"), "ok");
  });

  it("reports Gemini's API_KEY_INVALID (HTTP 400) as invalid_key and 403 as forbidden, exit 21", async () => {
    fake.modes = { anthropic: "ok", google: "invalid_key" };
    const invalid = await liveJson(baseUrls(fake.url));
    assert.equal(invalid.exitCode, 21);
    assert.equal(statusOf(invalid.report, "google"), "invalid_key");
    assert.match(invalid.report.providers[1]?.live?.detail ?? "", /API_KEY_INVALID/);

    fake.modes = { anthropic: "ok", google: "forbidden" };
    const forbidden = await liveJson(baseUrls(fake.url));
    assert.equal(forbidden.exitCode, 21);
    assert.equal(statusOf(forbidden.report, "google"), "forbidden");
  });

  it("reports rate limiting on both (exit 22) with Anthropic's retry-after, after one request each", async () => {
    fake.modes = { anthropic: "rate_limited", google: "rate_limited" };
    fake.requests.length = 0;
    const { exitCode, report } = await liveJson(baseUrls(fake.url));
    assert.equal(exitCode, 22);
    assert.equal(statusOf(report, "anthropic"), "rate_limited");
    assert.equal(statusOf(report, "google"), "rate_limited");
    assert.match(report.providers[0]?.live?.detail ?? "", /retry after 30 s/);
    assert.equal(fake.requests.length, 2, "the SDKs must not retry");
  });

  it("reports Anthropic forbidden and both unreachable on a closed port", async () => {
    fake.modes = { anthropic: "forbidden", google: "ok" };
    const forbidden = await liveJson(baseUrls(fake.url));
    assert.equal(forbidden.exitCode, 20);
    assert.equal(statusOf(forbidden.report, "anthropic"), "forbidden");

    const closed = `http://127.0.0.1:${await freePort()}`;
    const { exitCode, report } = await liveJson(baseUrls(closed));
    assert.equal(exitCode, 22);
    assert.equal(statusOf(report, "anthropic"), "unreachable");
    assert.equal(statusOf(report, "google"), "unreachable");
    assert.match(report.providers[1]?.live?.detail ?? "", /ECONNREFUSED/);
  });

  it("skips the live call for a malformed key and shows the table", async () => {
    fake.modes = { anthropic: "ok", google: "ok" };
    fake.requests.length = 0;
    const result = await keysCheck(["--live"], { ...baseUrls(fake.url), GOOGLE_API_KEY: "not-a-google-key" });
    assert.equal(result.exitCode, 21);
    assert.match(result.stdout, /google .*malformed .*skipped/);
    assert.deepEqual(
      fake.requests.map((request) => request.provider),
      ["anthropic"],
    );
  });
});
