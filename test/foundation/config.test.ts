import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { inspect } from "node:util";
import { describe, it } from "node:test";
import { checkConfig, permissionProblems } from "../../src/config/check.js";
import { renderEnvFile } from "../../src/config/env-example.js";
import { ConfigError, loadConfig } from "../../src/config/load.js";
import { readEnvKeys } from "../../src/config/env-keys.js";
import { configKeys, keySpecs, trustedProxyMatcher } from "../../src/config/schema.js";
import { Secret, createRedactor, maskValue } from "../../src/config/secret.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys, writeEnvFile } from "../helpers/env.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("config schema", () => {
  it("applies every default of the seed's reference table", () => {
    const { config, sources } = loadConfig({ env: validKeys() });
    assert.equal(config.MAX_UPLOAD_SIZE, 52428800);
    assert.deepEqual(config.ALLOWED_UPLOAD_TYPES, [".txt", ".docx", ".md", ".pdf"]);
    assert.equal(config.RATE_LIMIT_REQUESTS, 30);
    assert.equal(config.RATE_LIMIT_WINDOW, 60);
    assert.equal(config.EXPORT_RETENTION_HOURS, 24);
    assert.equal(config.MAX_CLAUDE_ITERATIONS, 15);
    assert.equal(config.MAX_HTML_CONTEXT_LENGTH, 150000);
    assert.equal(config.CLAUDE_INPUT_COST_PER_M, 3);
    assert.equal(config.CLAUDE_OUTPUT_COST_PER_M, 15);
    assert.equal(config.GEMINI_INPUT_COST_PER_M, 1.25);
    assert.equal(config.GEMINI_OUTPUT_COST_PER_M, 10);
    assert.equal(config.NANO_BANANA_COST_PER_IMAGE, 0.134);
    assert.equal(config.PORT, 8000);
    assert.equal(config.SESSION_TIMEOUT, 30 * 86_400);
    assert.equal(config.MAX_SESSIONS_PER_USER, 3);
    assert.equal(config.DEBUG, false);
    assert.equal(config.ANTHROPIC_BASE_URL, undefined);
    assert.equal(sources.PORT, "default");
    assert.equal(sources.ANTHROPIC_API_KEY, "env");
  });

  it("names each missing key on its own line", () => {
    assert.deepEqual(problemsOf({}), ["ANTHROPIC_API_KEY: missing", "GOOGLE_API_KEY: missing"]);
  });

  it("rejects malformed keys without echoing them", () => {
    const problems = problemsOf({
      ANTHROPIC_API_KEY: "sk-wrong-prefix-123456789012345",
      GOOGLE_API_KEY: "AIzaShort",
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? "", /^ANTHROPIC_API_KEY: malformed/);
    assert.match(problems[1] ?? "", /^GOOGLE_API_KEY: malformed/);
    assert.ok(problems.every((line) => !line.includes("sk-wrong") && !line.includes("AIzaShort")));
  });

  it("explains bad numbers, booleans, origins and CIDRs", () => {
    const problems = problemsOf({
      ...validKeys(),
      PORT: "eighty",
      DEBUG: "maybe",
      CORS_ORIGINS: "https://a.example",
      TRUSTED_PROXIES: "10.0.0.0/33",
    });
    assert.deepEqual(problems, [
      "DEBUG: must be true or false",
      "PORT: must be a whole number",
      'CORS_ORIGINS: must be a JSON array of origins, e.g. ["https://a.example"]',
      "TRUSTED_PROXIES: each entry is an IP address or CIDR (10.0.0.0/8)",
    ]);
  });

  it("lets the process environment win over the env file", () => {
    const dir = tempDir();
    try {
      const file = writeEnvFile(`${dir.path}/.env`, { ...validKeys(), PORT: "9001", LOG_LEVEL: "warn" });
      const { config, sources } = loadConfig({ envFile: file, env: { PORT: "9002" } });
      assert.equal(config.PORT, 9002);
      assert.equal(sources.PORT, "env");
      assert.equal(config.LOG_LEVEL, "warn");
      assert.equal(sources.LOG_LEVEL, "file");
    } finally {
      dir.remove();
    }
  });

  it("matches trusted proxies by CIDR, including IPv4-mapped IPv6 peers", () => {
    const isTrusted = trustedProxyMatcher(["172.16.0.0/12", "::1/128", "10.1.2.3"]);
    assert.equal(isTrusted("172.18.0.5"), true);
    assert.equal(isTrusted("::ffff:172.18.0.5"), true);
    assert.equal(isTrusted("::1"), true);
    assert.equal(isTrusted("10.1.2.3"), true);
    assert.equal(isTrusted("10.1.2.4"), false);
    assert.equal(isTrusted("192.168.1.1"), false);
    assert.equal(isTrusted(undefined), false);
    assert.equal(isTrusted("not-an-ip"), false);
  });
});

describe("secrets", () => {
  it("masks to at most the last four characters", () => {
    assert.equal(maskValue(FAKE_ANTHROPIC_KEY), `****${FAKE_ANTHROPIC_KEY.slice(-4)}`);
    assert.equal(maskValue("short"), "****");
  });

  it("never prints the value through String, JSON or inspect", () => {
    const secret = new Secret(FAKE_GOOGLE_KEY);
    for (const text of [String(secret), JSON.stringify({ secret }), inspect({ secret }), `${secret}`]) {
      assert.ok(!text.includes(FAKE_GOOGLE_KEY), text);
    }
    assert.equal(secret.reveal(), FAKE_GOOGLE_KEY);
  });

  it("redacts every occurrence of every secret", () => {
    const redact = createRedactor([FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY]);
    assert.equal(
      redact(`a ${FAKE_ANTHROPIC_KEY} b ${FAKE_GOOGLE_KEY} c ${FAKE_ANTHROPIC_KEY}`),
      "a [REDACTED] b [REDACTED] c [REDACTED]",
    );
  });
});

describe(".env.example", () => {
  it("is exactly what the schema renders", () => {
    const committed = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    assert.equal(committed, renderEnvFile(), "run: node -- bin/ahb.js config example > .env.example");
  });

  it("documents every key with a description", () => {
    const text = renderEnvFile();
    for (const key of configKeys) {
      assert.match(text, new RegExp(`^${key}=`, "m"));
      assert.ok(text.includes(`# ${keySpecs[key].description}`));
    }
  });

  it("validates against the schema", () => {
    const dir = tempDir();
    try {
      const file = `${dir.path}/example.env`;
      writeFileSync(file, readFileSync(new URL("../../.env.example", import.meta.url)), { mode: 0o600 });
      const report = checkConfig({ envFile: file, env: {} });
      assert.deepEqual(report.errors, []);
      assert.equal(report.ok, true);
    } finally {
      dir.remove();
    }
  });
});

describe("env file permissions", () => {
  it("fails world-readable files and warns for group-readable ones", () => {
    assert.equal(permissionProblems(0o644, ".env.prod").errors.length, 1);
    assert.deepEqual(permissionProblems(0o640, ".env.prod").errors, []);
    assert.equal(permissionProblems(0o640, ".env.prod").warnings.length, 1);
    assert.deepEqual(permissionProblems(0o600, ".env.prod"), { errors: [], warnings: [] });
  });

  it("reports masked keys only", () => {
    const dir = tempDir();
    try {
      const file = writeEnvFile(`${dir.path}/.env.prod`, validKeys());
      const report = checkConfig({ envFile: file, env: {} });
      const json = JSON.stringify(report);
      assert.equal(report.ok, true);
      assert.equal(report.keys.ANTHROPIC_API_KEY?.value, `****${FAKE_ANTHROPIC_KEY.slice(-4)}`);
      assert.ok(!json.includes(FAKE_ANTHROPIC_KEY) && !json.includes(FAKE_GOOGLE_KEY));
    } finally {
      dir.remove();
    }
  });
});

describe("names the env file does not know", () => {
  it("refuses a typo of a setting, naming the setting (exit 78)", () => {
    const dir = tempDir();
    try {
      const file = writeEnvFile(`${dir.path}/.env.prod`, { ...validKeys(), MAX_UPLOAD_SIZ: "1000" });
      const report = checkConfig({ envFile: file, env: {} });
      assert.equal(report.ok, false);
      assert.deepEqual(report.errors, ["MAX_UPLOAD_SIZ: unknown key; did you mean MAX_UPLOAD_SIZE?"]);
      assert.throws(
        () => loadConfig({ envFile: file, env: {} }),
        (error) => error instanceof ConfigError && error.exitCode === 78,
      );
    } finally {
      dir.remove();
    }
  });

  it("only warns about a variable meant for Node or the system", () => {
    const dir = tempDir();
    try {
      const file = writeEnvFile(`${dir.path}/.env.prod`, { ...validKeys(), TZ: "UTC" });
      const report = checkConfig({ envFile: file, env: {} });
      assert.equal(report.ok, true);
      assert.deepEqual(report.warnings, ["TZ: not a setting of ahb (ignored by it)"]);
    } finally {
      dir.remove();
    }
  });
});

describe("readEnvKeys", () => {
  it("has the precedence of every command: environment, then the env file, then the default", () => {
    const dir = tempDir();
    try {
      const file = writeEnvFile(`${dir.path}/.env.prod`, {
        SESSION_TIMEOUT: "3600",
        EXPORT_RETENTION_HOURS: "5",
      });
      const keys = ["SESSION_TIMEOUT", "EXPORT_RETENTION_HOURS", "MAX_UPLOAD_SIZE"] as const;
      assert.deepEqual(readEnvKeys(file, keys, { SESSION_TIMEOUT: "7200" }), {
        SESSION_TIMEOUT: 7200,
        EXPORT_RETENTION_HOURS: 5,
        MAX_UPLOAD_SIZE: 52428800,
      });
      assert.throws(
        () => readEnvKeys(file, keys, { SESSION_TIMEOUT: "soon" }),
        /environment: SESSION_TIMEOUT/,
      );
    } finally {
      dir.remove();
    }
  });
});
