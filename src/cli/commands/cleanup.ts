import { InvalidArgumentError, type Command } from "commander";
import type { CleanupReport } from "../../cleanup/cleanup.js";
import { thresholdsFromEnvFile } from "../../config/cleanup.js";
import { durationSchema } from "../../shared/duration.js";
import { resolveDataPaths } from "../data-paths.js";
import { formatAge, formatBytes } from "../format.js";
import { printJson, writeOut } from "../output.js";

function parseDuration(value: string): number {
  const parsed = durationSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? "invalid duration");
  return parsed.data;
}

export function summaryLine(report: CleanupReport): string {
  const verb = report.dryRun ? "would delete" : "deleted";
  return (
    `cleanup${report.dryRun ? " (dry run)" : ""}: ${verb} ${report.sessions} sessions ` +
    `(${report.documents} documents, ${report.versions} versions, ${report.messages} messages) and ` +
    `${report.exportFiles} export files (${formatBytes(report.exportBytes)}${report.dryRun ? " to free" : " freed"}); ` +
    "cost ledger kept"
  );
}

/** Dry runs list each session that would go: owner, idle time, title. */
export function expiredLines(report: CleanupReport): string[] {
  return (report.expired ?? []).map(
    (session) =>
      `would delete session ${session.id}  owner ${session.owner}  idle ${formatAge(session.idleMs)}  "${session.title}"`,
  );
}

interface CleanupFlags {
  sessionsOlderThan?: number;
  exportsOlderThan?: number;
  envFile?: string;
  db?: string;
  exportsDir?: string;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerCleanupCommand(program: Command): void {
  program
    .command("cleanup")
    .description(
      "delete idle sessions and old export files (never the cost ledger); the server runs the same job hourly",
    )
    .option(
      "--sessions-older-than <duration>",
      "idle time, e.g. 30d (default: SESSION_TIMEOUT, 30 days); pinned sessions and running turns are kept",
      parseDuration,
    )
    .option(
      "--exports-older-than <duration>",
      "export file age, e.g. 24h (default: EXPORT_RETENTION_HOURS)",
      parseDuration,
    )
    .option("--env-file <path>", "env file with the defaults (default: ops config envFile)")
    .option("--db <path>", "database file (default: <dataDir>/app.db from the ops config)")
    .option("--exports-dir <path>", "export directory on this host (default: ops config exportsDir)")
    .option(
      "--dry-run",
      "list the sessions that would be deleted (owner, idle time) and count the rest; change nothing",
    )
    .option("--json", "print the report as JSON on stdout")
    .option("--quiet", "print nothing unless something fails (cron mails any output)")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb cleanup\n  ahb cleanup --sessions-older-than 24h --exports-older-than 12h --dry-run\n" +
        "  0 * * * * cd /srv/ahb && ahb cleanup   (crontab: exits non-zero with one line on failure)",
    )
    .action(async (flags: CleanupFlags) => {
      const [{ runLockedCleanup }, { openLiveDatabase }] = await Promise.all([
        import("../../cleanup/cleanup.js"),
        import("../../db/live.js"),
      ]);
      const paths = resolveDataPaths({
        dbPath: flags.db,
        exportsDir: flags.exportsDir,
        envFile: flags.envFile,
      });
      const defaults = thresholdsFromEnvFile(paths.envFile);
      const db = openLiveDatabase(paths.dbPath);
      let report: CleanupReport;
      try {
        report = runLockedCleanup(db, paths.dbPath, "ahb cleanup", {
          sessionsOlderThanMs: flags.sessionsOlderThan ?? defaults.sessionsOlderThanMs,
          exportsOlderThanMs: flags.exportsOlderThan ?? defaults.exportsOlderThanMs,
          exportDir: paths.exportsDir,
          dryRun: flags.dryRun,
        });
      } finally {
        db.close();
      }
      if (flags.json) printJson(report);
      else if (!flags.quiet)
        writeOut([...expiredLines(report), summaryLine(report)].map((line) => `${line}\n`).join(""));
    });
}
