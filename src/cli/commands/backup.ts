import { dirname } from "node:path";
import type { Command } from "commander";
import type { ConsolaInstance } from "consola";
import type { BackupProgress } from "../../ops/backup/backup.js";
import { formatAge, formatBytes } from "../format.js";
import { alertingOnFailure, cliNotifier } from "../notify.js";
import { copyOffsiteAlerting, DEFAULT_KEEP_DAYS } from "../offsite.js";
import { createReporter, printJson, printTable, writeOut } from "../output.js";
import { parsePositiveInt } from "../parse.js";
import { runInBackground } from "../../shared/background-priority.js";

const PROGRESS_STEP_PERCENT = 10;
/** Below this a backup takes a second or two: phase lines are enough. */
const PERCENT_LINES_FROM_BYTES = 64 * 1024 * 1024;

/** A stderr line per phase, plus one per 10% of a phase for large databases so a long backup shows it is alive. */
function progressPrinter(reporter: ConsolaInstance): (progress: BackupProgress) => void {
  const lastStep = new Map<string, number>();
  return ({ phase, bytesDone, bytesTotal }) => {
    const percent = bytesTotal > 0 ? Math.floor((bytesDone * 100) / bytesTotal) : 100;
    const step = Math.floor(percent / PROGRESS_STEP_PERCENT);
    const seen = lastStep.get(phase);
    if (seen === step || (seen !== undefined && bytesTotal < PERCENT_LINES_FROM_BYTES)) return;
    lastStep.set(phase, step);
    reporter.info(seen === undefined ? `${phase} (${formatBytes(bytesTotal)})` : `${phase}: ${percent}%`);
  };
}

interface BackupFlags {
  dir?: string;
  db?: string;
  envFile?: string;
  keepDays: number;
  keepLast?: number;
  includeEnv?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerBackupCommands(program: Command): void {
  const backup = program
    .command("backup")
    .description("verified online backups of the live database: create (default) and list");

  backup
    .command("create", { isDefault: true })
    .description(
      "take a verified, compressed online backup of the live database (safe while the server writes)",
    )
    .option("--dir <path>", "backups directory (default: ops config backupsDir, ./backups)")
    .option("--db <path>", "database file (default: <dataDir>/app.db from the ops config)")
    .option(
      "--keep-days <days>",
      "delete this tool's backups older than this",
      parsePositiveInt,
      DEFAULT_KEEP_DAYS,
    )
    .option("--keep-last <n>", "keep only the newest N backups", parsePositiveInt)
    .option("--include-env", "also copy the env file next to the backup (mode 600)")
    .option("--env-file <path>", "env file copied by --include-env (default: ops config envFile)")
    .option("--json", "print the backup record as JSON on stdout")
    .option("--quiet", "print nothing unless something fails (cron mails any output)")
    .addHelpText("after", "\nExamples:\n  ahb backup\n  ahb backup --keep-last 7 --include-env --json")
    .action(async (flags: BackupFlags) => {
      const { resolveDataPaths } = await import("../data-paths.js");
      const paths = resolveDataPaths({ dbPath: flags.db, backupsDir: flags.dir, envFile: flags.envFile });
      const reporter = await createReporter({ quiet: flags.quiet });
      // Compression and the backup's writes compete with the server on the same host: let the server win.
      const priority = runInBackground();
      if (!priority.ioIdle) reporter.debug("ionice unavailable: the backup's I/O keeps its normal priority");
      const [{ createBackup }, checks] = await Promise.all([
        import("../../ops/backup/backup.js"),
        import("../../ops/notify/checks.js"),
      ]);
      const notifier = cliNotifier(paths.envFile, dirname(paths.dbPath));
      const created = await alertingOnFailure(
        notifier,
        () =>
          createBackup({
            dbPath: paths.dbPath,
            dir: paths.backupsDir,
            keepDays: flags.keepDays,
            keepLast: flags.keepLast,
            includeEnvFile: flags.includeEnv ? paths.envFile : undefined,
            onProgress: progressPrinter(reporter),
          }),
        (error) => ({ alert: checks.backupFailedAlert(error), condition: true }),
      );
      const remote = await copyOffsiteAlerting(reporter, await notifier, paths, created, flags);
      if (flags.json) {
        printJson({ ...created, remote: remote.ok ? remote.copy : { error: remote.error } });
        return;
      }
      if (flags.quiet) return;
      const rows = Object.values(created.rowCounts).reduce((sum, count) => sum + count, 0);
      writeOut(
        `${created.path} ${formatBytes(created.sizeBytes)} verified (${rows} rows, sha256 ${created.sha256.slice(0, 12)}, ${(created.durationMs / 1000).toFixed(1)} s)\n`,
      );
      if (created.envFile) reporter.info(`env file copied to ${created.envFile} (mode 600)`);
      if (created.pruned.length > 0) reporter.info(`retention removed: ${created.pruned.join(", ")}`);
    });

  backup
    .command("drill")
    .description(
      "restore the newest verified backup into a temp dir, migrate it, check integrity and row counts",
    )
    .option("--dir <path>", "backups directory (default: ops config backupsDir, ./backups)")
    .option("--json", "print the drill report as JSON on stdout")
    .option("--remote", "drill the newest backup on BACKUP_REMOTE instead (downloaded and checked first)")
    .option("--env-file <path>", "env file that names BACKUP_REMOTE (default: ops config envFile)")
    .addHelpText(
      "after",
      "\nExit 65 when the backup fails a check, 5 when there is none.\n\nExamples:\n  ahb backup drill --json\n  ahb backup drill --remote",
    )
    .action(async (flags: { dir?: string; json?: boolean; remote?: boolean; envFile?: string }) => {
      const [{ drillBackup }, { resolveDataPaths }] = await Promise.all([
        import("../../ops/backup/drill.js"),
        import("../data-paths.js"),
      ]);
      const paths = resolveDataPaths({ backupsDir: flags.dir, envFile: flags.envFile });
      const report = flags.remote
        ? await (async () => {
            const { requireRemoteTarget, withRemoteBackup } = await import("../../ops/backup/remote.js");
            const target = requireRemoteTarget(paths.envFile);
            return withRemoteBackup(target, undefined, (_path, dir) => drillBackup(dir));
          })()
        : await drillBackup(paths.backupsDir);
      if (flags.json) return printJson({ ...report, source: flags.remote ? "remote" : "local" });
      const rows = Object.values(report.rowCounts).reduce((sum, count) => sum + count, 0);
      process.stdout.write(
        `drill ok: ${report.file}${flags.remote ? " (from the remote)" : ""} restored to a temp dir, schema ${report.schemaVersion.backup} -> ${report.schemaVersion.current}, integrity ok, ${rows} rows (${(report.durationMs / 1000).toFixed(1)} s)\n`,
      );
    });

  backup
    .command("list")
    .description("list backups with size, age and verification state (checksums are re-read)")
    .option("--dir <path>", "backups directory (default: ops config backupsDir, ./backups)")
    .option("--json", "print the list as JSON on stdout")
    .option("--remote", "list the backups on BACKUP_REMOTE instead")
    .option("--env-file <path>", "env file that names BACKUP_REMOTE (default: ops config envFile)")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb backup list\n  ahb backup list --dir /srv/ahb/backups --json\n  ahb backup list --remote",
    )
    .action(async (flags: { dir?: string; json?: boolean; remote?: boolean; envFile?: string }) => {
      const { resolveDataPaths } = await import("../data-paths.js");
      if (flags.remote) return listRemote(resolveDataPaths({ envFile: flags.envFile }).envFile, flags.json);
      const { listBackups } = await import("../../ops/backup/list.js");
      const listings = await listBackups(resolveDataPaths({ backupsDir: flags.dir }).backupsDir);
      if (flags.json) {
        printJson(listings.map(({ record: _record, ...listing }) => listing));
        return;
      }
      printTable(
        ["FILE", "SIZE", "AGE", "STATE", "NOTE"],
        listings.map((listing) => [
          listing.file,
          listing.sizeBytes === null ? "-" : formatBytes(listing.sizeBytes),
          listing.ageMs === null ? "-" : formatAge(listing.ageMs),
          listing.state,
          listing.reason ?? (listing.envFile ? `+ ${listing.envFile}` : ""),
        ]),
      );
    });
}

async function listRemote(envFile: string, json: boolean | undefined): Promise<void> {
  const { listRemoteBackups, requireRemoteTarget } = await import("../../ops/backup/remote.js");
  const listings = await listRemoteBackups(requireRemoteTarget(envFile));
  if (json) return printJson(listings);
  printTable(
    ["FILE", "SIZE", "AGE", "STATE"],
    listings.map((listing) => [
      listing.file,
      formatBytes(listing.sizeBytes),
      formatAge(listing.ageMs),
      listing.state,
    ]),
  );
}
