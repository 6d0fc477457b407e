import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";
import { loadConfig } from "../../src/config/load.js";
import { configKeys } from "../../src/config/schema.js";
import type { InitResult } from "../../src/ops/init/init.js";
import { cleanEnv, cliPath, runAhb } from "../helpers/cli.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys } from "../helpers/env.js";
import { waitFor } from "../helpers/net.js";
import { toolSkipReason } from "../helpers/tools.js";

const noTmux = await toolSkipReason("tmux");

const dirs: { remove(): void }[] = [];
after(() => dirs.forEach((dir) => dir.remove()));

async function gitRepo(): Promise<string> {
  const dir = tempDir("ahb-init-");
  dirs.push(dir);
  await execa("git", ["init", "-q", dir.path]);
  return dir.path;
}

async function init(cwd: string, args: string[] = [], env: Record<string, string> = validKeys()) {
  const result = await runAhb(["init", ...args], { cwd, env: cleanEnv(env) });
  const output = `${String(result.stdout)}${String(result.stderr)}`;
  for (const key of [FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY])
    assert.ok(!output.includes(key), "a key was printed");
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function ignoreLines(cwd: string): string[] {
  return readFileSync(join(cwd, ".gitignore"), "utf8")
    .split("\n")
    .filter((line) => line.includes(".env.prod"));
}

describe("ahb init (non-interactive)", () => {
  it("exits 77 naming the path when the env file's directory is read-only, not 1", async (t) => {
    if (process.getuid?.() !== 0 && process.env.AHB_CI !== "1") return t.skip("needs root (mount)");
    const cwd = await gitRepo();
    const readOnly = join(cwd, "ro");
    mkdirSync(readOnly);
    await execa("mount", ["-t", "tmpfs", "-o", "size=1m,ro", "ahb-test-init-ro", readOnly]);
    try {
      const result = await init(cwd, ["--env-file", join(readOnly, ".env.prod")]);
      assert.equal(result.exitCode, 77, result.stderr);
      assert.match(result.stderr, /permission denied: .*\/ro\//);
      assert.doesNotMatch(result.stderr, /unexpected error/);
    } finally {
      await execa("umount", [readOnly]);
    }
  });

  it("writes a mode-600 env file from the schema with the keys from the environment, and git-ignores it", async () => {
    const cwd = await gitRepo();
    const result = await init(cwd, ["--json"]);
    assert.equal(result.exitCode, 0, result.stderr);
    const report = JSON.parse(result.stdout) as InitResult;
    assert.deepEqual(
      { mode: report.mode, gitignore: report.gitignore, overwritten: report.overwritten },
      { mode: "600", gitignore: "added", overwritten: false },
    );
    const file = join(cwd, ".env.prod");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, "utf8");
    for (const key of configKeys) assert.match(text, new RegExp(`^${key}=`, "m"), key);
    assert.match(text, /^# Anthropic key for Claude/m);
    const loaded = loadConfig({ envFile: file, envFileRequired: true, env: {} });
    assert.equal(loaded.config.ANTHROPIC_API_KEY.reveal(), FAKE_ANTHROPIC_KEY);
    assert.equal(loaded.config.GOOGLE_API_KEY.reveal(), FAKE_GOOGLE_KEY);
    assert.equal(loaded.config.ENVIRONMENT, "production");
    assert.deepEqual(ignoreLines(cwd), ["/.env.prod"]);
    const ignored = await execa("git", ["check-ignore", "-q", ".env.prod"], { cwd, reject: false });
    assert.equal(ignored.exitCode, 0);
  });

  it("refuses to overwrite without --force, replaces with it, and adds the .gitignore line once", async () => {
    const cwd = await gitRepo();
    assert.equal((await init(cwd)).exitCode, 0);
    const file = join(cwd, ".env.prod");
    writeFileSync(file, "KEEP=me\n");
    const refused = await init(cwd);
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /\.env\.prod exists; pass --force to overwrite it \(nothing was changed\)/);
    assert.equal(readFileSync(file, "utf8"), "KEEP=me\n");

    const forced = await init(cwd, ["--force", "--json"]);
    assert.equal(forced.exitCode, 0);
    assert.equal((JSON.parse(forced.stdout) as InitResult).overwritten, true);
    assert.match(readFileSync(file, "utf8"), /^GOOGLE_API_KEY=AIza/m);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(ignoreLines(cwd), ["/.env.prod"]);
  });

  it("reads keys from the variables named by --anthropic-key-env / --google-key-env, into a new directory", async () => {
    const cwd = await gitRepo();
    const vault = { VAULT_A: FAKE_ANTHROPIC_KEY, VAULT_G: FAKE_GOOGLE_KEY };
    const args = [
      "--env-file",
      "conf/.env.prod",
      "--anthropic-key-env",
      "VAULT_A",
      "--google-key-env",
      "VAULT_G",
    ];
    const ok = await init(cwd, args, vault);
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.match(
      readFileSync(join(cwd, "conf/.env.prod"), "utf8"),
      /^ANTHROPIC_API_KEY=sk-ant-api03-TESTKEY/m,
    );
    assert.deepEqual(ignoreLines(cwd), ["/conf/.env.prod"]);
    const badName = await init(cwd, ["--anthropic-key-env", "sk-ant-api03-oops"]);
    assert.equal(badName.exitCode, 2);
  });

  it("names missing and malformed keys (exit 78) and writes nothing", async () => {
    const cwd = await gitRepo();
    const missing = await init(cwd, [], {});
    assert.equal(missing.exitCode, 78);
    assert.match(missing.stderr, /ANTHROPIC_API_KEY: missing: set ANTHROPIC_API_KEY in the environment/);
    assert.match(missing.stderr, /GOOGLE_API_KEY: missing/);
    const malformed = await init(cwd, [], { ...validKeys(), GOOGLE_API_KEY: "AIzaNotLongEnough-but-secret" });
    assert.equal(malformed.exitCode, 78);
    assert.match(malformed.stderr, /GOOGLE_API_KEY: malformed/);
    assert.ok(!malformed.stderr.includes("NotLongEnough"));
    assert.equal(existsSync(join(cwd, ".env.prod")), false);
    assert.equal(existsSync(join(cwd, ".gitignore")), false);
  });

  it("leaves .gitignore alone when a rule already ignores the file or there is no work tree", async () => {
    const cwd = await gitRepo();
    writeFileSync(join(cwd, ".gitignore"), ".env.*\n");
    const ignored = await init(cwd, ["--json"]);
    assert.equal((JSON.parse(ignored.stdout) as InitResult).gitignore, "already_ignored");
    assert.equal(readFileSync(join(cwd, ".gitignore"), "utf8"), ".env.*\n");

    const plain = tempDir("ahb-init-nogit-");
    dirs.push(plain);
    const outside = await init(plain.path, ["--json"]);
    assert.equal((JSON.parse(outside.stdout) as InitResult).gitignore, "not_a_git_work_tree");
    assert.equal(existsSync(join(plain.path, ".gitignore")), false);
  });
});

describe("ahb init (interactive, through a real pseudo-terminal)", () => {
  it("asks for both keys without echoing what is typed", { skip: noTmux }, async () => {
    const cwd = await gitRepo();
    // A private tmux server (own socket), so the session gets exactly this environment.
    const socket = `ahb-opskit-init-${process.pid}`;
    const tmux = (...args: string[]) =>
      execa("tmux", ["-L", socket, ...args], { cwd, env: cleanEnv(), extendEnv: false });
    const screen = async () => String((await tmux("capture-pane", "-p", "-S", "-200")).stdout);
    const command = `'${process.execPath}' -- '${cliPath}' init; echo "EXIT:$?"; sleep 60`;
    await tmux("new-session", "-d", "-x", "160", "-y", "50", command);
    try {
      await waitFor(
        async () => (await screen()).includes("Anthropic API key (input hidden)") || undefined,
        30_000,
      );
      await tmux("send-keys", "-l", FAKE_ANTHROPIC_KEY);
      await tmux("send-keys", "Enter");
      await waitFor(
        async () => (await screen()).includes("Google API key (input hidden)") || undefined,
        15_000,
      );
      await tmux("send-keys", "-l", FAKE_GOOGLE_KEY);
      await tmux("send-keys", "Enter");
      const final = await waitFor(async () => {
        const text = await screen();
        return /EXIT:\d+/.test(text) ? text : undefined;
      }, 15_000);
      assert.match(final, /EXIT:0/);
      assert.match(final, /Anthropic API key accepted \(\*{4}6789\)/);
      for (const key of [FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY]) {
        assert.ok(!final.includes(key.slice(0, 12)), "the typed key was echoed on the terminal");
        assert.ok(!final.includes(key.slice(0, -4)), "the typed key was echoed on the terminal");
      }
      const text = readFileSync(join(cwd, ".env.prod"), "utf8");
      assert.ok(text.includes(`ANTHROPIC_API_KEY=${FAKE_ANTHROPIC_KEY}\n`));
      assert.ok(text.includes(`GOOGLE_API_KEY=${FAKE_GOOGLE_KEY}\n`));
      assert.equal(statSync(join(cwd, ".env.prod")).mode & 0o777, 0o600);
    } finally {
      await tmux("kill-server").catch(() => undefined);
    }
  });
});

describe("ahb init: host set-up", () => {
  it("writes ahb.ops.json with the base image once, and names the host user with uid 10001 or says how to create it", async () => {
    const cwd = await gitRepo();
    const first = await init(cwd, ["--json", "--base-image", "local/node-base:bookworm"]);
    assert.equal(first.exitCode, 0, first.stderr);
    const report = JSON.parse(first.stdout) as {
      opsConfig: { path: string; outcome: string };
      hostUser: { uid: number; name?: string; commands: string[] };
    };
    assert.deepEqual(report.opsConfig, { path: join(cwd, "ahb.ops.json"), outcome: "written" });
    const ops = JSON.parse(readFileSync(join(cwd, "ahb.ops.json"), "utf8")) as {
      buildArgs: Record<string, string>;
    };
    assert.deepEqual(ops.buildArgs, { NODE_IMAGE: "local/node-base:bookworm" });

    const owner = await execa("getent", ["passwd", "10001"], { reject: false });
    assert.equal(report.hostUser.uid, 10001);
    if (owner.exitCode === 0) assert.equal(report.hostUser.name, String(owner.stdout).split(":")[0]);
    else {
      assert.match(report.hostUser.commands[0] ?? "", /^useradd --system --uid 10001 .* ahb$/);
      assert.equal(report.hostUser.commands[1], `chown -R 10001:10001 ${join(cwd, "data")}`);
    }

    writeFileSync(join(cwd, "ahb.ops.json"), '{"hostPort": 9090}\n');
    const again = await init(cwd, ["--json", "--force"]);
    assert.equal((JSON.parse(again.stdout) as typeof report).opsConfig.outcome, "kept");
    assert.equal(readFileSync(join(cwd, "ahb.ops.json"), "utf8"), '{"hostPort": 9090}\n');
  });
});
