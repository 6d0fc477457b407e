import type { Command } from "commander";
import { ExitCode, UserError } from "../../errors.js";
import type { ReleaseResult } from "../../ops/deploy/release.js";
import { Engine } from "../../ops/docker/engine.js";
import { guardSignals } from "../../shared/interrupts.js";
import type { DeployFlags } from "../commands/deploy.js";
import { alertingOnFailure, cliNotifier } from "../notify.js";
import { copyPreDeployBackup } from "../offsite.js";
import { opsConfigFrom, progressPrinter } from "../ops-context.js";
import { printJson, printTable } from "../output.js";
import type { CommandResult } from "../result.js";

function printRelease(result: ReleaseResult, json: boolean | undefined): void {
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

export async function deploy(
  flags: DeployFlags,
  command: Command,
  setResult: (result: CommandResult) => void,
): Promise<void> {
  if (!flags.build && flags.image === undefined)
    throw new UserError("--no-build needs --image <ref>", ExitCode.USAGE);
  if (flags.build && flags.image !== undefined)
    throw new UserError("--image deploys an existing image: add --no-build", ExitCode.USAGE);
  const [{ deploy: deployRelease }, { deployFailureAlert }] = await Promise.all([
    import("../../ops/deploy/deploy.js"),
    import("../../ops/notify/checks.js"),
  ]);
  const config = opsConfigFrom(command);
  const progress = progressPrinter(command);
  const notifier = cliNotifier(config.envFile, config.dataDir);
  const result = await alertingOnFailure(
    notifier,
    () =>
      deployRelease({
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
}

export async function rollback(
  version: string | undefined,
  flags: { backup: boolean; json?: boolean },
  command: Command,
  setResult: (result: CommandResult) => void,
): Promise<void> {
  const { rollback: rollbackRelease } = await import("../../ops/deploy/rollback.js");
  const progress = progressPrinter(command);
  const result = await rollbackRelease({
    engine: Engine.connect(),
    config: opsConfigFrom(command),
    progress,
    signals: guardSignals((message) => progress({ level: "warn", message })),
    backup: flags.backup,
    command: "ahb rollback",
    version,
  });
  printRelease(result, flags.json);
  setResult({ exitCode: ExitCode.OK });
}
