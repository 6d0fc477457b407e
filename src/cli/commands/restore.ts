import type { Command } from "commander";
import { ExitCode, UserError } from "../../errors.js";
import type { RestoreResult } from "../../ops/backup/restore.js";
import { createReporter, printJson, writeOut } from "../output.js";
import { cliIo } from "../io.js";

interface RestoreFlags {
  yes?: boolean;
  container: string | boolean;
  dir?: string;
  db?: string;
  json?: boolean;
  fromRemote?: boolean;
  envFile?: string;
}

export function registerRestoreCommand(program: Command): void {
  program
    .command("restore")
    .description(
      "restore a verified backup: verify, stop the container, swap the database atomically, start, wait for health",
    )
    .argument("<backup>", "backup file name (in the backups directory) or path")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option(
      "--container <name>",
      "container to stop and start around the swap (default: ops config container)",
    )
    .option("--no-container", "swap the file only: for a stopped server or a host without Docker")
    .option("--dir <path>", "backups directory (default: ops config backupsDir)")
    .option("--db <path>", "database file to replace (default: <dataDir>/app.db from the ops config)")
    .option("--json", "print the result as JSON on stdout")
    .option("--from-remote", "<backup> names a backup on BACKUP_REMOTE: download, verify, then restore it")
    .option("--env-file <path>", "env file that names BACKUP_REMOTE (default: ops config envFile)")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb backup list\n  ahb restore ahb-backup-2026-11-24T02-00-00-000Z.db.gz --yes\n" +
        "  ahb restore ./backups/ahb-backup-2026-11-24T02-00-00-000Z.db.gz --no-container --yes\n" +
        "  ahb backup list --remote\n  ahb restore --from-remote ahb-backup-2026-11-24T02-00-00-000Z.db.gz --yes",
    )
    .action(async (backup: string, flags: RestoreFlags) => {
      const reporter = createReporter();
      if (!flags.yes) {
        if (!cliIo().stdin.isTTY) {
          throw new UserError("refusing to restore without --yes: stdin is not a terminal", ExitCode.USAGE);
        }
        const confirmed = await reporter.prompt(`Replace the live database with ${backup}?`, {
          type: "confirm",
          initial: false,
          cancel: "default",
        });
        if (confirmed !== true) throw new UserError("restore cancelled; nothing was changed", ExitCode.USAGE);
      }
      const [
        { restoreBackup },
        { dockerContainerControl },
        { guardSignals },
        { lockPath },
        { loadOpsConfig },
        { resolveDataPaths },
      ] = await Promise.all([
        import("../../ops/backup/restore.js"),
        import("../../ops/docker/container-control.js"),
        import("../../shared/interrupts.js"),
        import("../../ops/deploy/preflight.js"),
        import("../../config/ops.js"),
        import("../data-paths.js"),
      ]);
      const paths = resolveDataPaths({ dbPath: flags.db, backupsDir: flags.dir, envFile: flags.envFile });
      const ops = loadOpsConfig();
      const containerName = typeof flags.container === "string" ? flags.container : ops.container;
      const signals = guardSignals((message) => reporter.warn(message));
      const restoreFrom = (path: string) =>
        restoreBackup({
          backup: path,
          lock: { path: lockPath(ops), staleAfterMs: ops.lockStaleAfterS * 1000 },
          signals,
          backupsDir: paths.backupsDir,
          dbPath: paths.dbPath,
          container: flags.container === false ? undefined : dockerContainerControl(containerName),
          healthTimeoutMs: ops.healthTimeoutS * 1000,
          onStep: (message) => reporter.info(message),
        });
      const result = flags.fromRemote
        ? await restoreFromRemote(paths.envFile, backup, restoreFrom)
        : await restoreFrom(backup);
      if (flags.json) printJson(result);
      else
        writeOut(
          `restored ${result.backup} into ${result.dbPath} (previous database kept at ${result.safetyCopy ?? "-"})\n`,
        );
    });
}

/** Downloads and checks the remote backup into a temp dir, then the normal restore path verifies and swaps it. */
async function restoreFromRemote(
  envFile: string,
  name: string,
  restore: (path: string) => Promise<RestoreResult>,
): Promise<RestoreResult> {
  const { requireRemoteTarget, withRemoteBackup } = await import("../../ops/backup/remote.js");
  const target = requireRemoteTarget(envFile);
  const result = await withRemoteBackup(target, name, (path) => restore(path));
  // The downloaded copy was in a temp dir that is gone: name the backup by where it lives.
  return { ...result, backup: `${target.remote}/${name}` };
}
