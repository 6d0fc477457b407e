import { InvalidArgumentError, type Command } from "commander";
import { parseDuration } from "../../shared/duration.js";

function durationOption(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.message);
  return parsed.ms;
}

export interface CleanupFlags {
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
      durationOption,
    )
    .option(
      "--exports-older-than <duration>",
      "export file age, e.g. 24h (default: EXPORT_RETENTION_HOURS)",
      durationOption,
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
      const { cleanup } = await import("../actions/cleanup.js");
      cleanup(flags);
    });
}
