import type { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { formatAge, formatBytes } from "../format.js";
import type { StatusReport } from "../../ops/deploy/status.js";
import { withOpsOptions } from "../ops-options.js";
import { printJson, printTable } from "../output.js";
import type { CommandResult } from "../result.js";

function size(bytes: number | null): string {
  return bytes === null ? "-" : formatBytes(bytes);
}

function rows(report: StatusReport): string[][] {
  const deploy = report.lastDeploy;
  return [
    ["container", report.container],
    ["healthy", report.healthy ? "yes" : report.state === "stopped" ? "no (stopped)" : "NO"],
    ["state", report.state],
    ["health", `docker: ${report.health ?? "-"}, /api/health: ${report.http ?? "-"}`],
    ["version", report.version ?? "-"],
    ["image", report.image ?? "-"],
    ["started", report.startedAt ?? "-"],
    ["restarts", String(report.restartCount ?? "-")],
    ["published", report.published ?? "-"],
    ...(report.colour ? [["colour", report.colour]] : []),
    ["cpu", report.cpuPercent === null ? "-" : `${report.cpuPercent}%`],
    ["memory", `${size(report.memoryBytes)} of ${size(report.memoryLimitBytes)}`],
    ["database", report.database ? `${size(report.database.bytes)} (${report.database.path})` : "-"],
    [
      "last backup",
      report.lastBackup
        ? `${formatAge(report.lastBackup.ageS * 1000)} ago (${report.lastBackup.path})`
        : "none",
    ],
    [
      "last deploy",
      deploy ? `${deploy.time} ${deploy.action} ${deploy.version ?? "-"}: ${deploy.result}` : "none",
    ],
    ...report.interrupted.map((line) => ["INTERRUPTED", line]),
  ];
}

export function registerStatusCommand(program: Command, setResult: (result: CommandResult) => void): void {
  withOpsOptions(
    program
      .command("status")
      .description(
        "container state, health, version, resources, database, backups, last deploy (exit 3 when unhealthy)",
      ),
  )
    .option("--json", "print the report as JSON on stdout")
    .addHelpText("after", "\nExamples:\n  ahb status\n  ahb status --json | jq .healthy")
    .action(async (flags: { json?: boolean }, command: Command) => {
      const [{ Engine }, { containerStatus }, { opsConfigFrom }] = await Promise.all([
        import("../../ops/docker/engine.js"),
        import("../../ops/deploy/status.js"),
        import("../ops-context.js"),
      ]);
      const report = await containerStatus(Engine.connect(), opsConfigFrom(command));
      if (flags.json) printJson(report);
      else printTable(["", "status"], rows(report));
      setResult({ exitCode: report.healthy ? ExitCode.OK : ExitCode.UNHEALTHY });
    });
}
