import { copyFileSync, existsSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ExitCode, UserError } from "../errors.js";
import { renameDurably } from "./atomic-file.js";
import { readManifest } from "./backup-files.js";
import { BackupVerificationError, decompressAndVerify, type RowCounts } from "./backup-verify.js";
import type { ContainerControl } from "./container-control.js";
import { openLiveDatabase } from "./live-db.js";

export interface RestoreOptions {
  /** A backup file name (looked up in backupsDir) or a path. */
  backup: string;
  backupsDir: string;
  dbPath: string;
  /** Absent: file-only mode, for when nothing serves the database (no container, server stopped). */
  container?: ContainerControl;
  healthTimeoutMs?: number;
  onStep?: (message: string) => void;
}

export interface RestoreResult {
  backup: string;
  dbPath: string;
  /** The database as it was before the restore (consistent copy, kept for the operator). */
  safetyCopy: string | null;
  rowCounts: RowCounts;
  containerRestarted: boolean;
}

function resolveBackup(backup: string, backupsDir: string): string {
  const path = backup.includes("/") ? resolve(backup) : join(resolve(backupsDir), backup);
  if (!existsSync(path)) throw new UserError(`backup not found: ${path}`, ExitCode.NOT_FOUND);
  return path;
}

/** The manifest entry of the backup: a file this tool did not record and verify is never restored. */
function manifestEntry(path: string) {
  const record = readManifest(dirname(path)).backups.find((entry) => entry.file === basename(path));
  if (!record?.verified) {
    throw new UserError(
      `${basename(path)} is not a verified backup in ${dirname(path)}'s manifest: refusing`,
      ExitCode.PREFLIGHT_FAILED,
    );
  }
  return record;
}

function removeWalFiles(dbPath: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${dbPath}${suffix}`, { force: true });
}

/** A consistent copy of the current database (WAL content included) before anything is replaced. */
function takeSafetyCopy(dbPath: string, at: Date): string | null {
  if (!existsSync(dbPath)) return null;
  const path = `${dbPath}.pre-restore-${at.toISOString().replace(/[:.]/g, "-")}`;
  const db = openLiveDatabase(dbPath);
  try {
    db.prepare("VACUUM INTO ?").run(path);
  } finally {
    db.close();
  }
  return path;
}

/** Puts `source` in place of the database: stale WAL/SHM first (they would be replayed onto it), then a rename. */
function swapIn(source: string, dbPath: string, keepSource: boolean): void {
  const staging = `${dbPath}.restore-${process.pid}.partial`;
  if (keepSource) copyFileSync(source, staging);
  removeWalFiles(dbPath);
  renameDurably(keepSource ? staging : source, dbPath);
}

/**
 * Verifies the backup (checksum, integrity_check, row counts) before touching anything, stops the container,
 * keeps a safety copy, swaps the database in atomically and starts the container again, waiting for health.
 * Any failure after the swap puts the previous database back (and starts the container on it).
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const step = options.onStep ?? (() => {});
  const backupPath = resolveBackup(options.backup, options.backupsDir);
  const dbPath = resolve(options.dbPath);
  const record = manifestEntry(backupPath);
  const staged = `${dbPath}.restore-${process.pid}.verified.partial`;
  step(`verifying ${record.file}`);
  let verified;
  try {
    verified = await decompressAndVerify(backupPath, staged, {
      sha256: record.sha256,
      rowCounts: record.rowCounts,
    });
  } catch (error) {
    if (!(error instanceof BackupVerificationError)) throw error;
    throw new UserError(
      `refusing to restore: ${error.message}; nothing was changed`,
      ExitCode.PREFLIGHT_FAILED,
      error.problems,
    );
  }
  let safetyCopy: string | null = null;
  let wasRunning = false;
  let swapped = false;
  try {
    if (options.container) {
      step(`stopping container ${options.container.name}`);
      wasRunning = await options.container.stopIfRunning();
    }
    safetyCopy = takeSafetyCopy(dbPath, new Date());
    step(`safety copy of the current database: ${safetyCopy ?? "none (no database yet)"}`);
    swapIn(staged, dbPath, false);
    swapped = true;
    if (options.container) {
      step(`starting container ${options.container.name} and waiting for health`);
      await options.container.startAndWaitHealthy(options.healthTimeoutMs ?? 120_000);
    }
    return {
      backup: backupPath,
      dbPath,
      safetyCopy,
      rowCounts: verified.rowCounts,
      containerRestarted: options.container !== undefined,
    };
  } catch (error) {
    rmSync(staged, { force: true });
    await putBack({ dbPath, safetyCopy, swapped, wasRunning, container: options.container, step });
    throw new UserError(
      `restore failed: ${(error as Error).message}; the previous database is back in place`,
      error instanceof UserError ? error.exitCode : ExitCode.UNHEALTHY,
    );
  }
}

async function putBack(state: {
  dbPath: string;
  safetyCopy: string | null;
  swapped: boolean;
  wasRunning: boolean;
  container?: ContainerControl;
  step: (message: string) => void;
}): Promise<void> {
  if (state.swapped) {
    state.step("putting the previous database back");
    if (state.container) await state.container.stopIfRunning();
    if (state.safetyCopy) swapIn(state.safetyCopy, state.dbPath, true);
    else rmSync(state.dbPath, { force: true });
  }
  if (state.container && state.wasRunning) await state.container.startAndWaitHealthy(120_000);
}
