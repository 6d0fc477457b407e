import { copyFileSync, existsSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ExitCode, UserError } from "../../errors.js";
import { renameDurably } from "../../shared/atomic-file.js";
import { checksumFilePath, readChecksumFile, readManifest } from "./files.js";
import { BackupVerificationError, decompressAndVerify, type RowCounts } from "./verify.js";
import type { ContainerControl } from "../docker/container-control.js";
import { assertCanGiveOwner, databaseOwner, giveOwner, type FileOwner } from "../docker/container-user.js";
import { noSignalGuard, type SignalGuard } from "../../shared/interrupts.js";
import { openLiveDatabase } from "../../db/live.js";
import { withLock } from "../../shared/lock.js";

export interface RestoreOptions {
  /** A backup file name (looked up in backupsDir) or a path. */
  backup: string;
  backupsDir: string;
  dbPath: string;
  /** The deploy lock: a restore never runs beside a deploy, rollback, lifecycle command or another restore. */
  lock: { path: string; staleAfterMs: number };
  /** Absent: file-only mode, for when nothing serves the database (no container, server stopped). */
  container?: ContainerControl;
  healthTimeoutMs?: number;
  /** Safety copies of earlier restores kept beside the database (the newest N; default 3). */
  keepSafetyCopies?: number;
  signals?: SignalGuard;
  onStep?: (message: string) => void;
}

export interface RestoreResult {
  backup: string;
  dbPath: string;
  /** The database as it was before the restore (consistent copy, kept for the operator). */
  safetyCopy: string | null;
  /** Safety copies of earlier restores removed by retention, and temp files of interrupted restores. */
  pruned: string[];
  rowCounts: RowCounts;
  containerRestarted: boolean;
}

const DEFAULT_KEEP_SAFETY_COPIES = 3;
const PARTIAL = ".partial";
const SAFETY_INFIX = ".pre-restore-";
const STAGING_INFIX = ".restore-";

function resolveBackup(backup: string, backupsDir: string): string {
  const path = backup.includes("/") ? resolve(backup) : join(resolve(backupsDir), backup);
  if (!existsSync(path)) throw new UserError(`backup not found: ${path}`, ExitCode.NOT_FOUND);
  return path;
}

interface BackupVouch {
  file: string;
  sha256: string;
  rowCounts?: RowCounts;
  /** What vouches for it: the manifest's verified entry, or the `.sha256` file beside a copied-off backup. */
  source: "manifest" | "checksum file";
}

/**
 * What the backup is checked against: its verified manifest entry, or else the `.sha256` file beside it (a backup
 * copied off the host without the manifest). A file that neither vouches for is never restored.
 */
function backupVouch(path: string): BackupVouch {
  const record = readManifest(dirname(path)).backups.find((entry) => entry.file === basename(path));
  if (record?.verified)
    return { file: record.file, sha256: record.sha256, rowCounts: record.rowCounts, source: "manifest" };
  const sha256 = readChecksumFile(path);
  if (sha256 !== undefined) return { file: basename(path), sha256, source: "checksum file" };
  throw new UserError(
    `${basename(path)} is not a verified backup in ${dirname(path)}'s manifest and has no ${basename(checksumFilePath(path))} beside it: refusing`,
    ExitCode.PREFLIGHT_FAILED,
  );
}

function removeWalFiles(dbPath: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${dbPath}${suffix}`, { force: true });
}

/** The temp files of restores that were killed (`app.db.restore-<pid>….partial`, unfinished safety copies). */
function removeStaleTempFiles(dbPath: string): string[] {
  const dir = dirname(dbPath);
  const base = basename(dbPath);
  const stale = readdirSync(dir).filter(
    (name) =>
      (name.startsWith(`${base}${STAGING_INFIX}`) || name.startsWith(`${base}${SAFETY_INFIX}`)) &&
      name.endsWith(PARTIAL),
  );
  for (const name of stale) rmSync(join(dir, name), { force: true });
  return stale;
}

/** Keeps the newest `keep` safety copies (their names sort by time), like backup retention. */
function pruneSafetyCopies(dbPath: string, keep: number): string[] {
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}${SAFETY_INFIX}`;
  const copies = readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && !name.endsWith(PARTIAL))
    .sort()
    .reverse();
  const pruned = copies.slice(keep);
  for (const name of pruned) rmSync(join(dir, name), { force: true });
  return pruned;
}

/**
 * A consistent copy of the current database (WAL content included) before anything is replaced; written under a
 * temp name and renamed, so a kill leaves either the whole copy or a `.partial` the next restore removes.
 */
function takeSafetyCopy(dbPath: string, at: Date, owner: FileOwner): string | null {
  if (!existsSync(dbPath)) return null;
  const path = `${dbPath}${SAFETY_INFIX}${at.toISOString().replace(/[:.]/g, "-")}`;
  const partial = `${path}${PARTIAL}`;
  const db = openLiveDatabase(dbPath);
  try {
    db.prepare("VACUUM INTO ?").run(partial);
  } finally {
    db.close();
  }
  giveOwner(partial, owner);
  renameDurably(partial, path);
  return path;
}

/**
 * Puts `source` in place of the database with the database's owner and mode (the container's uid 10001, even
 * when root runs the restore): stale WAL/SHM first (they would be replayed onto it), then a rename.
 */
function swapIn(source: string, dbPath: string, owner: FileOwner, keepSource: boolean): void {
  const staging = `${dbPath}${STAGING_INFIX}${process.pid}${PARTIAL}`;
  if (keepSource) copyFileSync(source, staging);
  const incoming = keepSource ? staging : source;
  giveOwner(incoming, owner);
  removeWalFiles(dbPath);
  renameDurably(incoming, dbPath);
}

/**
 * Under the deploy lock: verifies the backup (checksum, integrity_check, row counts) before touching anything,
 * stops the container, keeps a safety copy, swaps the database in atomically with its owner and mode, and starts
 * the container again, waiting for health. Any failure after the swap puts the previous database back (and
 * starts the container on it). Signals wait until the database and the container agree again.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const dbPath = resolve(options.dbPath);
  return withLock(
    options.lock.path,
    { label: "deploy", command: "ahb restore", staleAfterMs: options.lock.staleAfterMs },
    () => restoreLocked(options, dbPath),
  );
}

async function restoreLocked(options: RestoreOptions, dbPath: string): Promise<RestoreResult> {
  const step = options.onStep ?? (() => {});
  const signals = options.signals ?? noSignalGuard;
  const backupPath = resolveBackup(options.backup, options.backupsDir);
  const record = backupVouch(backupPath);
  const owner = databaseOwner(dbPath);
  assertCanGiveOwner(owner, dbPath);
  const stale = removeStaleTempFiles(dbPath);
  if (stale.length > 0) step(`removed temp files of an interrupted restore: ${stale.join(", ")}`);
  const staged = `${dbPath}${STAGING_INFIX}${process.pid}.verified${PARTIAL}`;
  signals.onAbort(() => rmSync(staged, { force: true }));
  step(`verifying ${record.file} against its ${record.source}`);
  let verified;
  try {
    verified = await decompressAndVerify(backupPath, staged, {
      sha256: record.sha256,
      rowCounts: record.rowCounts,
    });
  } catch (error) {
    rmSync(staged, { force: true });
    if (!(error instanceof BackupVerificationError)) throw error;
    throw new UserError(
      `refusing to restore: ${error.message}; nothing was changed`,
      ExitCode.PREFLIGHT_FAILED,
      error.problems,
    );
  }
  const result = await signals.critical(() => swapAndStart(options, dbPath, staged, owner, step));
  const pruned = [
    ...stale,
    ...pruneSafetyCopies(dbPath, options.keepSafetyCopies ?? DEFAULT_KEEP_SAFETY_COPIES),
  ];
  signals.throwIfInterrupted(`after the restore finished: ${dbPath} is restored`);
  return { backup: backupPath, dbPath, ...result, pruned, rowCounts: verified.rowCounts };
}

async function swapAndStart(
  options: RestoreOptions,
  dbPath: string,
  staged: string,
  owner: FileOwner,
  step: (message: string) => void,
): Promise<{ safetyCopy: string | null; containerRestarted: boolean }> {
  let safetyCopy: string | null = null;
  let stopped = false;
  let swapped = false;
  try {
    if (options.container) {
      step(`stopping container ${options.container.name}`);
      await options.container.stopIfRunning();
      stopped = true;
    }
    safetyCopy = takeSafetyCopy(dbPath, new Date(), owner);
    step(`safety copy of the current database: ${safetyCopy ?? "none (no database yet)"}`);
    swapIn(staged, dbPath, owner, false);
    swapped = true;
    if (options.container) {
      step(`starting container ${options.container.name} and waiting for health`);
      await options.container.startAndWaitHealthy(options.healthTimeoutMs ?? 120_000);
    }
    return { safetyCopy, containerRestarted: options.container !== undefined };
  } catch (error) {
    rmSync(staged, { force: true });
    const container = stopped ? options.container : undefined;
    try {
      await putBack({ dbPath, owner, safetyCopy, swapped, container, step });
    } catch (putBackError) {
      throw new UserError(
        `restore failed: ${(error as Error).message}; the previous database is back in place but ${(putBackError as Error).message}`,
        putBackError instanceof UserError ? putBackError.exitCode : ExitCode.UNHEALTHY,
        ["see: ahb logs --tail 50, ahb status"],
      );
    }
    throw new UserError(
      `restore failed: ${(error as Error).message}; the previous database is back in place`,
      error instanceof UserError ? error.exitCode : ExitCode.UNHEALTHY,
    );
  }
}

/** The previous database back in place (with its owner), and the container started on it. */
async function putBack(state: {
  dbPath: string;
  owner: FileOwner;
  safetyCopy: string | null;
  swapped: boolean;
  container?: ContainerControl;
  step: (message: string) => void;
}): Promise<void> {
  if (state.swapped) {
    state.step("putting the previous database back");
    if (state.container) await state.container.stopIfRunning();
    if (state.safetyCopy) swapIn(state.safetyCopy, state.dbPath, state.owner, true);
    else rmSync(state.dbPath, { force: true });
  }
  if (state.container) await state.container.startAndWaitHealthy(120_000);
}
