import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_SYSTEMD_DIR } from "../../ops/doctor/types.js";
import type { DoctorReport } from "../../ops/doctor/types.js";
import type { OpsConfig } from "../../config/ops.js";
import { cliNotifier } from "../notify.js";
import { createReporter, printJson, printTable } from "../output.js";
import type { CommandResult } from "../result.js";

interface DoctorFlags {
  envFile?: string;
  live?: boolean;
  json?: boolean;
  systemdDir: string;
  notify?: boolean;
}

export function registerDoctorCommand(program: Command, setResult: (result: CommandResult) => void): void {
  program
    .command("doctor")
    .description("check the host: engine, env file, keys, port, disk, database, backups, container, schedule")
    .option("--env-file <path>", "env file to check (default: the ops config's, .env.prod)")
    .option("--live", "also list models with each key (see ahb keys check --live)")
    .option(
      "--systemd-dir <path>",
      "where the ahb-cleanup/ahb-backup timers are installed",
      DEFAULT_SYSTEMD_DIR,
    )
    .option(
      "--notify",
      "send new alerts (stale backup, low disk, unhealthy container, spend) to the webhooks",
    )
    .option("--json", "print the report as JSON on stdout")
    .addHelpText(
      "after",
      "\nStatuses: ok, warn, fail, skip. Exit 3 when any check fails; warnings do not fail.\n" +
        "Settings (port, directories, container name) come from ahb.ops.json and AHB_* variables.\n" +
        "\nExamples:\n  ahb doctor\n  ahb doctor --live --json",
    )
    .action(async (options: DoctorFlags) => {
      const [{ Engine }, { doctorExitCode, runDoctor }, { loadOpsConfig }] = await Promise.all([
        import("../../ops/docker/engine.js"),
        import("../../ops/doctor/run.js"),
        import("../../config/ops.js"),
      ]);
      const loaded = loadOpsConfig();
      const ops = { ...loaded, envFile: options.envFile ? resolve(options.envFile) : loaded.envFile };
      const report = await runDoctor({
        ops,
        engine: Engine.connect(),
        live: options.live ?? false,
        systemdDir: options.systemdDir,
      });
      if (options.json) printJson(report);
      else {
        printTable(
          ["CHECK", "STATUS", "DETAIL"],
          report.checks.map((check) => [check.name, check.status, check.detail]),
        );
        const failed = report.checks.filter((check) => check.status === "fail").length;
        const reporter = createReporter();
        if (failed > 0) reporter.error(`${failed} check(s) failed`);
        else reporter.success("no check failed");
      }
      if (options.notify) await notifyFindings(report, ops);
      setResult({ exitCode: doctorExitCode(report) });
    });
}

/** Alerting never changes doctor's verdict: a problem reading what to alert on is a warning. */
async function notifyFindings(report: DoctorReport, ops: OpsConfig): Promise<void> {
  const [{ doctorAlerts, DOCTOR_KEYS }, { hostDatabasePath }] = await Promise.all([
    import("../../ops/notify/checks.js"),
    import("../../config/ops.js"),
  ]);
  const notifier = await cliNotifier(ops.envFile, ops.dataDir);
  try {
    const paths = { ...ops, dbPath: hostDatabasePath(ops) };
    await notifier.conditions(doctorAlerts(report, paths, new Date()), (key) => DOCTOR_KEYS.test(key));
  } catch (error) {
    createReporter().warn(`alerts not checked: ${(error as Error).message}`);
  }
}
