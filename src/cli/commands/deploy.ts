import type { Command } from "commander";
import { ExitCode, UserError } from "../../errors.js";
import type { ReleaseResult } from "../../ops/deploy/release.js";
import { opsConfigFrom, progressPrinter, withReleaseOptions } from "../ops-options.js";
import { alertingOnFailure, cliNotifier } from "../notify.js";
import { copyPreDeployBackup } from "../offsite.js";
import { printJson, printTable } from "../output.js";
import type { CommandResult } from "../result.js";

interface DeployFlags {
  tag?: string;
  build: boolean;
  image?: string;
  pull?: boolean;
  backup: boolean;
  json?: boolean;
}

export function printRelease(result: ReleaseResult, json: boolean | undefined): void {
  if (json) return printJson(result);
  printTable(
    ["", result.action],
    [
      ["version", result.version],
      ["image", `${result.image} (${result.imageId.slice(7, 19)})`],
      ["previous", result.previousVersion ?? "-"],
      ["downtime", result.downtimeMs === null ? "-" : `${(result.downtimeMs / 1000).toFixed(2)} s`],
      ["total", `${((result.durationsMs.total ?? 0) / 1000).toFixed(1)} s`],
      ["backup", result.backup?.path ?? "-"],
    ],
  );
}

export function registerDeployCommand(program: Command, setResult: (result: CommandResult) => void): Command {
  return withReleaseOptions(
    program
      .command("deploy")
      .description(
        "build, back up, and swap the container health-gated; rolls back by itself when unhealthy",
      ),
  )
    .option("--tag <version>", "version tag (default: git describe + UTC time)")
    .option("--no-build", "deploy an existing image (needs --image)")
    .option("--image <ref>", "the existing image to deploy with --no-build")
    .option("--pull", "run git pull --ff-only in the context first")
    .option("--no-backup", "skip the pre-deploy database backup")
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      `
Examples:
  ahb deploy                                  build from ., back up, swap, wait for healthy
  ahb deploy --pull --tag v1.4.0
  ahb deploy --no-build --image ahb:v1.3.9 --json
  ahb deploy --build-arg NODE_IMAGE=registry.local/node:24-bookworm-slim
  ahb deploy history                          what was deployed, by whom, how long it was unavailable`,
    )
    .action(async (flags: DeployFlags, command: Command) => {
      if (!flags.build && flags.image === undefined)
        throw new UserError("--no-build needs --image <ref>", ExitCode.USAGE);
      if (flags.build && flags.image !== undefined)
        throw new UserError("--image deploys an existing image: add --no-build", ExitCode.USAGE);
      const [{ Engine }, { guardSignals }, { deploy }, { deployFailureAlert }] = await Promise.all([
        import("../../ops/docker/engine.js"),
        import("../../shared/interrupts.js"),
        import("../../ops/deploy/deploy.js"),
        import("../../ops/notify/checks.js"),
      ]);
      const config = opsConfigFrom(command);
      const progress = progressPrinter(command);
      const notifier = cliNotifier(config.envFile, config.dataDir);
      const result = await alertingOnFailure(
        notifier,
        () =>
          deploy({
            engine: Engine.connect(),
            config,
            progress,
            signals: guardSignals((message) => progress({ level: "warn", message })),
            backup: flags.backup,
            command: "ahb deploy",
            tag: flags.tag,
            image: flags.image,
            pull: flags.pull === true,
          }),
        (error) => ({ alert: deployFailureAlert(error, "ahb deploy") }),
      );
      printRelease(result, flags.json);
      if (result.backup) await copyPreDeployBackup(await notifier, config, result.backup.path);
      setResult({ exitCode: ExitCode.OK });
    });
}
