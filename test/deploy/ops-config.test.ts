import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { UserError } from "../../src/errors.js";
import { loadOpsConfig } from "../../src/config/ops.js";
import { Command } from "commander";
import { opsConfigFrom } from "../../src/cli/ops-context.js";
import { withReleaseOptions } from "../../src/cli/ops-options.js";
import { runAhb } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UserError);
    assert.equal(error.exitCode, 78);
    return [error.message, ...error.details];
  }
  assert.fail("expected a config error");
}

describe("operations config", () => {
  it("has documented defaults, with directories resolved against cwd", () => {
    const config = loadOpsConfig({ cwd: "/srv/ahb", env: {} });
    assert.equal(config.container, "ahb");
    assert.equal(config.bindAddress, "127.0.0.1");
    assert.equal(config.hostPort, 8080);
    assert.equal(config.publish, true);
    assert.equal(config.keepImages, 3);
    assert.equal(config.envFile, "/srv/ahb/.env.prod");
    assert.equal(config.dataDir, "/srv/ahb/data");
    assert.equal(config.stateDir, "/srv/ahb/.ahb");
  });

  it("layers ahb.ops.json < AHB_* variables < flags, and adds build args up", () => {
    const dir = tempDir("ahb-opsconfig-");
    try {
      writeFileSync(
        `${dir.path}/ahb.ops.json`,
        JSON.stringify({
          container: "from-file",
          hostPort: 9000,
          keepImages: 5,
          buildArgs: { NODE_IMAGE: "n" },
        }),
      );
      const config = loadOpsConfig({
        cwd: dir.path,
        env: {
          AHB_HOST_PORT: "9100",
          AHB_PUBLISH: "false",
          AHB_NETWORK: "proxy",
          AHB_BUILD_ARGS: "A=1,B=x=y",
        },
        flags: { hostPort: 9200, container: undefined, buildArgs: { C: "3" } },
      });
      assert.equal(config.container, "from-file");
      assert.equal(config.keepImages, 5);
      assert.equal(config.hostPort, 9200);
      assert.equal(config.publish, false);
      assert.equal(config.network, "proxy");
      assert.deepEqual(config.buildArgs, { NODE_IMAGE: "n", A: "1", B: "x=y", C: "3" });
    } finally {
      dir.remove();
    }
  });

  it("names every bad value with a clear message", () => {
    const found = problems(() =>
      loadOpsConfig({
        cwd: "/",
        env: { AHB_HOST_PORT: "eighty", AHB_KEEP_IMAGES: "0", AHB_CONTAINER: "bad name", AHB_MEMORY: "lots" },
      }),
    );
    assert.equal(found[0], "operations config invalid:");
    assert.ok(found.includes("hostPort: a port from 1 to 65535"), found.join("\n"));
    assert.ok(found.includes("keepImages: a whole number from 1 to 50"));
    assert.ok(found.includes("container: letters, digits, _ . - (Docker name rules)"));
    assert.ok(found.includes("memory: a size like 4g or 512m"));
  });

  it("refuses a malformed file, a missing explicit file and a bad build argument", () => {
    const dir = tempDir("ahb-opsconfig-");
    try {
      writeFileSync(`${dir.path}/ahb.ops.json`, "{ not json");
      assert.match(
        problems(() => loadOpsConfig({ cwd: dir.path, env: {} }))[0] ?? "",
        /is not a JSON object/,
      );
      assert.match(
        problems(() => loadOpsConfig({ cwd: dir.path, env: {}, file: "missing.json" }))[0] ?? "",
        /ops config file not found: .*missing\.json/,
      );
      assert.match(
        problems(() => loadOpsConfig({ cwd: "/", env: { AHB_BUILD_ARGS: "NOEQUALS" } }))[0] ?? "",
        /build argument "NOEQUALS" is not NAME=value/,
      );
    } finally {
      dir.remove();
    }
  });

  it("takes each flag the command line gives, over the file, and leaves the rest to it", () => {
    const dir = tempDir();
    writeFileSync(
      `${dir.path}/ahb.ops.json`,
      JSON.stringify({ hostPort: 9000, keepImages: 7, buildArgs: { A: "1" } }),
    );
    const cwd = process.cwd();
    process.chdir(dir.path);
    try {
      const command = withReleaseOptions(new Command("deploy")).exitOverride();
      command.parse(["--port", "9001", "--no-publish", "--build-arg", "B=2", "--bind", "0.0.0.0"], {
        from: "user",
      });
      const config = opsConfigFrom(command);
      assert.equal(config.hostPort, 9001);
      assert.equal(config.publish, false);
      assert.equal(config.bindAddress, "0.0.0.0");
      assert.equal(config.keepImages, 7);
      assert.deepEqual(config.buildArgs, { A: "1", B: "2" });
      const plain = withReleaseOptions(new Command("deploy")).exitOverride();
      plain.parse([], { from: "user" });
      assert.equal(opsConfigFrom(plain).publish, true);
      assert.equal(opsConfigFrom(plain).hostPort, 9000);
    } finally {
      process.chdir(cwd);
      dir.remove();
    }
  });

  it("refuses a key it does not know, naming the one that was meant", () => {
    const dir = tempDir();
    try {
      writeFileSync(`${dir.path}/ahb.ops.json`, JSON.stringify({ hostport: 9000, colour: "blue" }));
      const lines = problems(() => loadOpsConfig({ cwd: dir.path, env: {} }));
      assert.ok(lines.includes("hostport: unknown key; did you mean hostPort?"), lines.join("\n"));
      assert.ok(lines.includes("colour: unknown key"), lines.join("\n"));
    } finally {
      dir.remove();
    }
  });

  it('`ahb deploy` with {"hostport": 9000} stops before anything, naming hostPort (exit 78)', async () => {
    const dir = tempDir();
    try {
      writeFileSync(`${dir.path}/ahb.ops.json`, JSON.stringify({ hostport: 9000 }));
      const result = await runAhb(["deploy", "--no-build", "--image", "ahb:none"], { cwd: dir.path });
      assert.equal(result.exitCode, 78);
      assert.match(String(result.stderr), /hostport: unknown key; did you mean hostPort\?/);
    } finally {
      dir.remove();
    }
  });
});
