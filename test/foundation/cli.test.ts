import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { execa } from "execa";
import { exitCodeMeanings } from "../../src/errors.js";
import { cleanEnv, cliPath, repoRoot, requireCurrentBuild, runAhb, runCli } from "../helpers/cli.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, tempDir, validKeys, writeEnvFile } from "../helpers/env.js";
import { freePort, waitFor } from "../helpers/net.js";

const exampleKeys = readFileSync(new URL("../../.env.example", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => /^(ANTHROPIC|GOOGLE)_API_KEY=/.test(line))
  .map((line) => line.split("=")[1] ?? "");

async function health(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`);
  await response.body?.cancel();
  return response.status;
}

describe("ahb CLI", () => {
  it("prints help with examples and every command", async () => {
    const result = await runAhb(["--help"]);
    assert.equal(result.exitCode, 0);
    assert.match(String(result.stdout), /Examples:/);
    assert.match(String(result.stdout), /serve/);
    assert.match(String(result.stdout), /config/);
  });

  it("prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    const result = await runAhb(["--version"]);
    assert.equal(String(result.stdout).trim(), pkg.version);
  });

  it("exits 2 on an unknown command or flag", async () => {
    assert.equal((await runAhb(["frobnicate"])).exitCode, 2);
    assert.equal((await runAhb(["serve", "--port", "70000"])).exitCode, 2);
  });

  it("documents every exit code it can return", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const code of Object.keys(exitCodeMeanings)) {
      const row = new RegExp(`^\\| ${code} +\\| \\S`, "m");
      assert.ok(row.test(readme), `README lacks exit code ${code} with its meaning`);
    }
  });
});

describe("ahb config check", () => {
  it("prints masked values only for .env.example", async () => {
    const result = await runAhb(["config", "check", "--env-file", ".env.example", "--json"]);
    const report = JSON.parse(String(result.stdout)) as { keys: Record<string, { value: string }> };
    assert.match(report.keys.ANTHROPIC_API_KEY?.value ?? "", /^\*{4}.{0,4}$/);
    assert.match(report.keys.GOOGLE_API_KEY?.value ?? "", /^\*{4}.{0,4}$/);
    assert.equal(exampleKeys.length, 2);
    for (const key of exampleKeys) assert.ok(!`${result.stdout}${result.stderr}`.includes(key));
  });

  it("fails a world-readable env file and warns about a group-readable one", async () => {
    const dir = tempDir();
    try {
      const file = writeEnvFile(`${dir.path}/.env.prod`, validKeys(), 0o644);
      const worldReadable = await runAhb(["config", "check", "--env-file", file]);
      assert.equal(worldReadable.exitCode, 78);
      assert.match(String(worldReadable.stderr), /world-accessible; run chmod 600/);
      chmodSync(file, 0o640);
      const groupReadable = await runAhb(["config", "check", "--env-file", file]);
      assert.equal(groupReadable.exitCode, 0);
      assert.match(String(groupReadable.stderr), /readable by its group/);
      for (const output of [worldReadable, groupReadable]) {
        const text = `${output.stdout}${output.stderr}`;
        assert.ok(!text.includes(FAKE_ANTHROPIC_KEY) && !text.includes(FAKE_GOOGLE_KEY));
      }
    } finally {
      dir.remove();
    }
  });

  it("names a missing env file", async () => {
    const result = await runAhb(["config", "check", "--env-file", "/nonexistent/.env.prod"]);
    assert.equal(result.exitCode, 78);
    assert.match(String(result.stderr), /env file not found: \/nonexistent\/.env.prod/);
  });
});

describe("ahb serve", () => {
  it("refuses to start without keys, naming each one", async () => {
    const dir = tempDir();
    try {
      const result = await runAhb(["serve", "--env-file", `${dir.path}/absent.env`], {
        env: cleanEnv({ DATABASE_PATH: `${dir.path}/app.db` }),
      });
      assert.equal(result.exitCode, 78);
      assert.match(String(result.stderr), /^ {2}ANTHROPIC_API_KEY: missing$/m);
      assert.match(String(result.stderr), /^ {2}GOOGLE_API_KEY: missing$/m);
      assert.doesNotMatch(String(result.stderr), /at .*\.js:\d+/);
    } finally {
      dir.remove();
    }
  });

  it("serves health, logs requests without secrets and stops cleanly on SIGTERM", async () => {
    const dir = tempDir();
    try {
      const port = await freePort();
      const envFile = writeEnvFile(`${dir.path}/.env`, {
        ...validKeys(),
        PORT: String(port),
        DATABASE_PATH: `${dir.path}/data/app.db`,
      });
      const server = runCli(["serve", "--env-file", envFile, "--host", "127.0.0.1"]);
      assert.equal(await waitFor(async () => ((await health(port)) === 200 ? 200 : undefined), 60_000), 200);
      const missing = await fetch(`http://127.0.0.1:${port}/api/${FAKE_GOOGLE_KEY}`);
      assert.equal(missing.status, 404);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>AI HTML Builder<\/title>/);

      const stopAsked = Date.now();
      server.kill("SIGTERM");
      const result = await server;
      const stopMs = Date.now() - stopAsked;
      assert.equal(result.exitCode, 0);
      assert.ok(stopMs < 2000, `stopped in ${stopMs} ms`);
      assert.equal(existsSync(`${dir.path}/data/app.db-wal`), false, "database closed and checkpointed");
      const lines = String(result.stdout).trim().split("\n");
      const requests = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((l) => l.msg === "request");
      assert.ok(requests.some((line) => line.path === "/api/health" && line.status === 200));
      assert.ok(requests.some((line) => line.path === "/api/[REDACTED]" && line.status === 404));
      const output = `${result.stdout}${result.stderr}`;
      assert.ok(!output.includes(FAKE_GOOGLE_KEY) && !output.includes(FAKE_ANTHROPIC_KEY));
    } finally {
      dir.remove();
    }
  });

  it("answers 503 when the database file is made unreadable", async (t) => {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot && process.platform !== "linux") {
      t.skip("needs Linux permissions");
      return;
    }
    const dir = tempDir();
    let server: ReturnType<typeof runCli> | undefined;
    try {
      // Root reads any file, so as root the server runs as "nobody" for chmod to bite.
      const nobody = isRoot ? { uid: 65534, gid: 65534 } : {};
      chmodSync(dir.path, 0o777);
      const port = await freePort();
      const dbPath = `${dir.path}/app.db`;
      server = runCli(
        ["serve", "--port", String(port), "--host", "127.0.0.1", "--env-file", "/nonexistent"],
        {
          env: cleanEnv({ ...validKeys(), DATABASE_PATH: dbPath }),
          ...nobody,
        },
      );
      await waitFor(async () => ((await health(port)) === 200 ? true : undefined), 60_000);
      if (isRoot) chownSync(dbPath, 65534, 65534);
      chmodSync(dbPath, 0o000);
      // Health keeps its verdict for a second (CHECK_EVERY_MS): the change shows within that, not at once.
      const body = await waitFor(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/api/health`);
        const answer = (await response.json()) as Record<string, unknown>;
        return response.status === 503 ? answer : undefined;
      }, 5_000);
      assert.equal(body.status, "degraded");
      chmodSync(dbPath, 0o600);
      assert.equal(await waitFor(async () => ((await health(port)) === 200 ? 200 : undefined), 5_000), 200);
      server.kill("SIGTERM");
      assert.equal((await server).exitCode, 0);
    } finally {
      server?.kill("SIGKILL");
      dir.remove();
    }
  });
});

describe("bin/ahb.js as a real process", () => {
  it("runs through its shebang and leaves --env-file to ahb, not to Node", async () => {
    requireCurrentBuild();
    const dir = tempDir();
    try {
      const file = writeEnvFile(`${dir.path}/ops.env`, { ...validKeys(), PORT: "8123" });
      // The shebang starts Node with "--": every argument after it is ahb's, --env-file included (see README).
      const result = await execa(cliPath, ["config", "check", "--env-file", file, "--json"], {
        reject: false,
        env: cleanEnv(),
        extendEnv: false,
        cwd: repoRoot,
      });
      assert.equal(result.exitCode, 0, String(result.stderr));
      const report = JSON.parse(String(result.stdout)) as {
        envFile: { path: string };
        keys: Record<string, { value: string; source: string }>;
      };
      assert.equal(report.envFile.path, file);
      assert.deepEqual(report.keys.PORT, { ...report.keys.PORT, value: "8123" });
    } finally {
      dir.remove();
    }
  });
});
