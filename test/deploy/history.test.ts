import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appendAudit, type AuditEntry } from "../../src/ops/deploy/audit.js";
import { runAhb } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";

function entry(version: string, time: string): AuditEntry {
  return {
    time,
    action: "deploy",
    operator: "ops",
    host: "web1",
    container: "ahb",
    version,
    imageId: null,
    previousVersion: null,
    result: "ok",
    message: null,
    durationsMs: { total: 1200 },
    downtimeMs: 300,
  };
}

describe("ahb deploy history", () => {
  it("lists the audit log newest first, with deploy's --state-dir and --json after the subcommand", async () => {
    const dir = tempDir();
    try {
      appendAudit(`${dir.path}/state`, entry("v1", "2026-11-01T00:00:00Z"));
      appendAudit(`${dir.path}/state`, entry("v2", "2026-11-02T00:00:00Z"));
      const result = await runAhb(["deploy", "history", "--state-dir", "state", "--json", "--limit", "1"], {
        cwd: dir.path,
      });
      assert.equal(result.exitCode, 0, String(result.stderr));
      assert.deepEqual(
        (JSON.parse(String(result.stdout)) as AuditEntry[]).map((row) => row.version),
        ["v2"],
      );
      const table = await runAhb(["deploy", "history", "--state-dir", "state"], { cwd: dir.path });
      assert.match(String(table.stdout), /v2[\s\S]*v1/);
      assert.equal((await runAhb(["deploy", "history", "--limit", "x"], { cwd: dir.path })).exitCode, 2);
    } finally {
      dir.remove();
    }
  });

  it("keeps `ahb deploys` as a hidden alias that names the new command", async () => {
    const dir = tempDir();
    try {
      appendAudit(`${dir.path}/state`, entry("v1", "2026-11-01T00:00:00Z"));
      const result = await runAhb(["deploys", "--state-dir", "state", "--json"], { cwd: dir.path });
      assert.equal(result.exitCode, 0);
      assert.equal((JSON.parse(String(result.stdout)) as AuditEntry[])[0]?.version, "v1");
      assert.match(String(result.stderr), /ahb deploy history/);
      const help = String((await runAhb(["--help"])).stdout);
      assert.doesNotMatch(help, /^\s+deploys\b/m);
    } finally {
      dir.remove();
    }
  });
});
