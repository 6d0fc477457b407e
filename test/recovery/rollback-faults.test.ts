import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import type { AuditEntry } from "../../src/ops/deploy/audit.js";
import type { ReleaseResult } from "../../src/ops/deploy/release.js";
import type { StatusReport } from "../../src/ops/deploy/status.js";
import { cleanEnv, cliPath } from "../helpers/cli.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { freePort } from "../helpers/net.js";
import { createTinySite, type TinySite } from "../helpers/tiny-site.js";

const skip = await dockerSkipReason();

describe("rollback targets, incident details and engine faults", { skip }, () => {
  let site: TinySite;

  before(async () => {
    site = await createTinySite("recovery-rollback");
  });

  after(async () => {
    await site?.remove();
  });

  it(
    "deploy G ok, F failing, S ok, then rollback twice: F is never chosen",
    { timeout: 600_000 },
    async () => {
      assert.equal((await site.cli(["deploy", "--tag", "g"])).exitCode, 0);
      const failing = await site.cli(["deploy", "--tag", "f", "--context", site.contexts.failing]);
      assert.equal(failing.exitCode, 10, failing.stderr);
      assert.equal((await site.cli(["deploy", "--tag", "s"])).exitCode, 0);

      const first = await site.cli(["rollback", "--json"]);
      assert.equal(first.exitCode, 0, first.stderr);
      assert.equal((JSON.parse(first.stdout) as ReleaseResult).version, "g");
      const second = await site.cli(["rollback"]);
      assert.equal(second.exitCode, 5, second.stderr);
      assert.match(second.stderr, /no earlier image that served healthily/);
      // The failed image went first when S pruned: it is not even kept any more.
      assert.match(second.stderr, /kept: s, g$/m);
      assert.equal((await site.health())?.version, "g");

      const entries = JSON.parse((await site.cli(["deploy", "history", "--json"])).stdout) as AuditEntry[];
      const rolledBack = entries.find((entry) => entry.version === "f");
      assert.equal(rolledBack?.result, "rolled-back");
      assert.equal(
        rolledBack?.downtimeMs,
        null,
        "the canary refused it: the serving container was never stopped",
      );

      const kept = readdirSync(join(join(site.root, "data"), "container-logs"));
      const failedLog = kept.find((name) => name.includes("-f-failed"));
      assert.ok(failedLog, kept.join(", "));
      assert.match(
        readFileSync(join(join(site.root, "data"), "container-logs", failedLog), "utf8"),
        /failing on purpose/,
      );
    },
  );

  it("a deploy with another --port whose image fails checks the old container on its own port", async () => {
    const otherPort = String(await freePort());
    const failing = await site.cli([
      "deploy",
      "--tag",
      "f2",
      "--context",
      site.contexts.failing,
      "--port",
      otherPort,
    ]);
    assert.equal(failing.exitCode, 10, failing.stderr);
    assert.match(failing.stderr, /; g kept serving, nothing was changed$/m);
    assert.equal((await site.health())?.version, "g");
  });

  it("status says stopped for a cleanly stopped container", async () => {
    assert.equal((await site.cli(["stop"])).exitCode, 0);
    const stopped = await site.cli(["status", "--json"]);
    assert.equal(stopped.exitCode, 3);
    assert.equal((JSON.parse(stopped.stdout) as StatusReport).state, "stopped");
    assert.match((await site.cli(["status"])).stdout, /no \(stopped\)/);
    assert.equal((await site.cli(["start"])).exitCode, 0);
  });

  it("with the engine unreachable every engine command exits 69 with one line", async () => {
    const env = { DOCKER_HOST: `unix://${site.root}/no-docker.sock` };
    const commands = [
      ["status"],
      ["status", "--json"],
      ["logs"],
      ["deploy", "--no-build", "--image", `${site.image}:g`],
      ["rollback"],
      ["start"],
      ["stop"],
      ["restart"],
    ];
    for (const args of commands) {
      const result = await site.cli(args, env);
      assert.equal(result.exitCode, 69, `${args.join(" ")}: ${result.stderr}`);
      // Progress lines ("[start] preflight") may come first; the failure itself is one line, no stack.
      const lines = result.stderr
        .trim()
        .split("\n")
        .filter((line) => !line.startsWith("["));
      assert.equal(lines.length, 1, `${args.join(" ")}: ${result.stderr}`);
      assert.match(
        lines[0] ?? "",
        /^ahb: Docker engine unreachable at unix:\/\/.*no-docker\.sock \(ENOENT\)$/,
      );
    }
  });

  it("a reader that goes away ends ahb quietly (EPIPE)", async () => {
    await execa("docker", [
      "exec",
      site.container,
      "sh",
      "-c",
      "seq 1 3500 | sed 's/^/filler line with some padding text /' > /proc/1/fd/1",
    ]);
    for (const args of ["logs", "rollback --help"]) {
      const piped = await execa(
        "bash",
        [
          "-c",
          `"${process.execPath}" -- "${cliPath}" ${args} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`,
        ],
        { cwd: site.root, env: cleanEnv(), extendEnv: false, reject: false },
      );
      assert.equal(piped.stdout.split("\n").length, 1, piped.stdout);
      assert.match(piped.stderr, /^status=0$/m, piped.stderr);
      assert.doesNotMatch(piped.stderr, /EPIPE|Error/, piped.stderr);
    }
  });
});
