import { resolve } from "node:path";
import type { Command } from "commander";
import { Engine } from "../../ops/docker/engine.js";
import { doctorExitCode, runDoctor } from "../../ops/doctor/run.js";
import { DEFAULT_SYSTEMD_DIR } from "../../ops/doctor/schedule.js";
import { loadOpsConfig } from "../../ops/ops-config.js";
import { createReporter, printJson, printTable } from "../output.js";
import type { CommandResult } from "../result.js";

interface DoctorFlags {
  envFile?: string;
  live?: boolean;
  json?: boolean;
  systemdDir: string;
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
    .option("--json", "print the report as JSON on stdout")
    .addHelpText(
      "after",
      "\nStatuses: ok, warn, fail, skip. Exit 3 when any check fails; warnings do not fail.\n" +
        "Settings (port, directories, container name) come from ahb.ops.json and AHB_* variables.\n" +
        "\nExamples:\n  ahb doctor\n  ahb doctor --live --json",
    )
    .action(async (options: DoctorFlags) => {
      const ops = loadOpsConfig();
      const report = await runDoctor({
        ops: { ...ops, envFile: options.envFile ? resolve(options.envFile) : ops.envFile },
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
      setResult({ exitCode: doctorExitCode(report) });
    });
}
