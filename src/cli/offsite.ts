import { basename } from "node:path";
import type { ConsolaInstance } from "consola";
import type { BackupRecord } from "../ops/backup/files.js";
import type { OffsiteCopy, RemoteTarget, Retention } from "../ops/backup/remote.js";
import type { Notifier } from "../ops/notify/notifier.js";
import { createReporter } from "./output.js";

/** `ahb backup --keep-days`'s default, which the remote copy of a pre-deploy backup applies too. */
export const DEFAULT_KEEP_DAYS = 30;

export type OffsiteOutcome = { ok: true; copy: OffsiteCopy | null } | { ok: false; error: string };

/**
 * The off-site copy of a verified backup (when BACKUP_REMOTE is set), for `ahb backup` and the pre-deploy backup.
 * It never throws: a remote failure leaves the local backup as it is, is a warning here, and raises the
 * `backup_remote_failed` alert until a later copy succeeds (which clears it, as does a good backup).
 */
export async function copyOffsiteAlerting(
  reporter: ConsolaInstance,
  notifier: Notifier,
  paths: { envFile: string; backupsDir: string },
  record: BackupRecord,
  retention: Omit<Retention, "now">,
): Promise<OffsiteOutcome> {
  const [{ remoteTarget }, checks] = await Promise.all([
    import("../ops/backup/remote.js"),
    import("../ops/notify/checks.js"),
  ]);
  let outcome: OffsiteOutcome;
  try {
    const target = remoteTarget(paths.envFile);
    outcome = {
      ok: true,
      copy: target ? await copyReporting(reporter, target, paths.backupsDir, record, retention) : null,
    };
  } catch (error) {
    const message = (error as Error).message;
    reporter.warn(`off-site copy failed, the local backup ${record.file} is valid: ${message}`);
    outcome = { ok: false, error: message };
  }
  // A good backup (and copy) also clears an earlier failure of either.
  await notifier.conditions(
    outcome.ok ? [] : [checks.backupRemoteFailedAlert(outcome.error)],
    (key) => key === checks.BACKUP_FAILED || key === checks.BACKUP_REMOTE_FAILED,
  );
  return outcome;
}

async function copyReporting(
  reporter: ConsolaInstance,
  target: RemoteTarget,
  backupsDir: string,
  record: BackupRecord,
  retention: Omit<Retention, "now">,
): Promise<OffsiteCopy> {
  const { copyOffsite } = await import("../ops/backup/remote.js");
  reporter.info(`copying ${record.file} to ${target.remote}`);
  const copy = await copyOffsite(target, backupsDir, record, { ...retention, now: new Date() });
  const pruned = copy.pruned.length > 0 ? `; remote retention removed: ${copy.pruned.join(", ")}` : "";
  reporter.info(`off-site copy checked by ${copy.check}${pruned}`);
  return copy;
}

/** The pre-deploy backup goes off-site like any other, after the swap so the upload never lengthens it. */
export async function copyPreDeployBackup(
  notifier: Notifier,
  paths: { envFile: string; backupsDir: string },
  backupPath: string,
): Promise<void> {
  const { readManifest } = await import("../ops/backup/files.js");
  const record = readManifest(paths.backupsDir).backups.find((each) => each.file === basename(backupPath));
  if (record)
    await copyOffsiteAlerting(await createReporter(), notifier, paths, record, {
      keepDays: DEFAULT_KEEP_DAYS,
    });
}
