import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import type { AuditEntry } from "../../src/ops/deploy/audit.js";
import type { StatusReport } from "../../src/ops/deploy/status.js";
import { cleanEnv, cliPath } from "../helpers/cli.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { waitFor } from "../helpers/net.js";
import { createTinySite, type TinySite } from "../helpers/tiny-site.js";

const skip = await dockerSkipReason();

/** Every step deploy prints, in order: the signal lands while that step runs. */
const DEPLOY_STEPS = [
  /preflight/,
  /lock .* taken/,
  /backup of the live database/,
  /canary of /,
  /canary .* with a copy of the database; waiting for healthy/,
  /swap to /,
  /created .*-next from/,
  /stopping ahb-test-/,
  /starting .*-next; waiting for healthy/,
];
const RESTORE_STEPS = [
  /verifying /,
  /stopping container /,
  /safety copy of the current database/,
  /starting container /,
];

function tempFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".partial")) : [];
}

describe("deploy and restore interrupted at every printed step", { skip }, () => {
  let site: TinySite;
  let backupFile = "";
  let round = 0;

  before(async () => {
    site = await createTinySite("recovery-signals");
    for (const tag of ["s1", "s2"]) {
      const built = await site.cli(["deploy", "--tag", tag]);
      assert.equal(built.exitCode, 0, built.stderr);
    }
    const backup = await site.cli(["backup", "--json"]);
    assert.equal(backup.exitCode, 0, backup.stderr);
    backupFile = (JSON.parse(backup.stdout) as { file: string }).file;
  });

  after(async () => {
    await site?.remove();
  });

  /** Starts the command and sends the signal as soon as the step's line appears on stderr. */
  async function interruptAt(args: string[], step: RegExp, signal: "SIGKILL" | "SIGINT") {
    const child = execa(process.execPath, ["--", cliPath, ...args], {
      cwd: site.root,
      env: cleanEnv(),
      extendEnv: false,
      reject: false,
    });
    let stderr = "";
    let sent = false;
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += String(chunk);
      if (!sent && step.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    const result = await child;
    assert.ok(sent, `step ${step} never printed:\n${stderr}`);
    return { exitCode: result.exitCode, signal: result.signal, stderr };
  }

  async function serving(): Promise<string | undefined> {
    const answer = await site.health();
    return answer?.status === 200 ? answer.version : undefined;
  }

  /** Temp files, a -next container, the lock or the swap journal: what an interrupted run may leave. */
  async function leftovers(): Promise<string[]> {
    const found = [...tempFiles(join(site.root, "data")), ...tempFiles(join(site.root, "backups"))];
    const next = await site.docker.listContainers({
      all: true,
      filters: { name: [`${site.container}-next`] },
    });
    if (next.length > 0) found.push(`${site.container}-next`);
    const canary = await site.docker.listContainers({
      all: true,
      filters: { name: [`${site.container}-canary`] },
    });
    if (canary.length > 0) found.push(`${site.container}-canary`);
    if (existsSync(join(site.root, ".ahb", "canary"))) found.push(".ahb/canary");
    for (const file of ["deploy.lock", "swap.json"])
      if (existsSync(join(site.root, ".ahb", file))) found.push(file);
    return found;
  }

  for (const signal of ["SIGKILL", "SIGINT"] as const)
    for (const step of DEPLOY_STEPS)
      it(
        `deploy, ${signal} at ${step.source}: a version serves, and a rerun finishes`,
        { timeout: 180_000 },
        async () => {
          const target = round++ % 2 === 0 ? "s1" : "s2";
          const args = ["deploy", "--no-build", "--image", `${site.image}:${target}`];
          const stopped = await interruptAt(args, step, signal);
          if (signal === "SIGINT")
            assert.ok(
              stopped.exitCode === 130 || stopped.signal === "SIGINT",
              `SIGINT ends with 130 or the signal: ${stopped.exitCode} ${stopped.signal}\n${stopped.stderr}`,
            );
          const now = await serving();
          if (signal === "SIGINT") assert.ok(now, `after SIGINT something serves:\n${stopped.stderr}`);
          if (!now) {
            const status = await site.cli(["status", "--json"]);
            assert.equal(status.exitCode, 3);
            const report = JSON.parse(status.stdout) as StatusReport;
            assert.ok(report.interrupted.length > 0, `status describes the interruption: ${status.stdout}`);
          }
          // Serving with nothing left behind is already the end state; otherwise a rerun must finish the job.
          if (!now || (await leftovers()).length > 0) {
            const rerun = await site.cli(args);
            assert.equal(rerun.exitCode, 0, rerun.stderr);
            assert.equal(await serving(), target);
          }
          assert.deepEqual(await leftovers(), [], `deploy ${signal} ${step.source}`);
        },
      );

  it("the audit log records the interrupted swaps with their downtime", async () => {
    const listed = await site.cli(["deploy", "history", "--json", "--limit", "100"]);
    const entries = JSON.parse(listed.stdout) as AuditEntry[];
    const interrupted = entries.filter((entry) => entry.result === "interrupted");
    assert.ok(interrupted.length >= 1, JSON.stringify(entries.map((entry) => entry.result)));
    assert.ok(interrupted.every((entry) => entry.downtimeMs !== null && entry.downtimeMs > 0));
  });

  for (const signal of ["SIGKILL", "SIGINT"] as const)
    for (const step of RESTORE_STEPS)
      it(
        `restore, ${signal} at ${step.source}: the site serves, or a rerun finishes`,
        { timeout: 180_000 },
        async () => {
          const args = ["restore", backupFile, "--yes"];
          const stopped = await interruptAt(args, step, signal);
          if (signal === "SIGINT" && step !== RESTORE_STEPS[0]) {
            assert.equal(stopped.exitCode, 130, stopped.stderr);
            assert.ok(await serving(), `after SIGINT the site serves:\n${stopped.stderr}`);
          }
          if (!(await serving()) || (await leftovers()).length > 0) {
            const rerun = await site.cli(args);
            assert.equal(rerun.exitCode, 0, rerun.stderr);
          }
          await waitFor(serving, 10_000);
          assert.deepEqual(await leftovers(), [], `restore ${signal} ${step.source}`);
        },
      );
});
