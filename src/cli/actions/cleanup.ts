import { runLockedCleanup, type CleanupReport } from "../../cleanup/cleanup.js";
import { thresholdsFromEnvFile } from "../../config/cleanup.js";
import { openLiveDatabase } from "../../db/live.js";
import type { CleanupFlags } from "../commands/cleanup.js";
import { resolveDataPaths } from "../data-paths.js";
import { formatAge, formatBytes } from "../format.js";
import { printJson, writeOut } from "../output.js";

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

export function cleanup(flags: CleanupFlags): void {
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
}
