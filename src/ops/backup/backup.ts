import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { basename, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { ExitCode, UserError, fileSystemError } from "../../errors.js";
import { appVersion } from "../../version.js";
import { fsyncPath, renameDurably, writeFileAtomic } from "../../shared/atomic-file.js";
import {
  LOCK_FILE,
  checksumFilePath,
  checksumFileText,
  PARTIAL_SUFFIX,
  backupStem,
  isPartialName,
  readManifest,
  writeManifest,
  type BackupRecord,
} from "./files.js";
import { gzipHashed } from "./compress.js";
import { BackupVerificationError, checkDatabaseFile, type CheckedDatabase } from "./verify.js";
import { openLiveDatabase } from "../../db/live.js";
import { withLock } from "../../shared/lock.js";
import { byCodePoint } from "../../shared/text-order.js";

export type BackupPhase = "snapshot" | "check" | "compress";

export interface BackupProgress {
  phase: BackupPhase;
  bytesDone: number;
  bytesTotal: number;
}

export interface BackupOptions {
  dbPath: string;
  dir: string;
  /** Prune backups older than this many days (only manifest entries; the new one is always kept). */
  keepDays?: number;
  /** Keep only the newest N backups. */
  keepLast?: number;
  /** Path of the env file to copy next to the backup, mode 600. */
  includeEnvFile?: string;
  onProgress?: (progress: BackupProgress) => void;
  now?: () => Date;
}

export interface CreatedBackup extends BackupRecord {
  path: string;
  durationMs: number;
  /** Files removed by retention. */
  pruned: string[];
  /** Temp files of interrupted earlier runs that were removed. */
  stalePartialsRemoved: string[];
  /** Wall time of each phase, for the operator and the bench. */
  phaseMs: Record<BackupPhase, number>;
}

const MS_PER_DAY = 86_400_000;
/** The snapshot's mtime once checked: any later write to it moves the mtime away from this (see pinMtime). */
const PINNED_MTIME = new Date(0);

/**
 * Takes a verified, compressed, consistent copy of a live WAL database and records it in the manifest.
 *
 * Consistency: `VACUUM INTO` copies the database inside one read transaction, so it is one snapshot and never
 * blocks writers (WAL readers do not take write locks). SQLite refuses VACUUM inside an explicit transaction, so the
 * live source cannot be counted in that same snapshot; instead the snapshot file itself, which *is* that snapshot,
 * passes integrity_check and is counted before it is compressed.
 *
 * Each byte is read as few times as possible: the snapshot is written once, checked once (by SQLite) and read once
 * more to be compressed; the compressed bytes are hashed as they are written, then fsynced. They are not read back:
 * a re-read right after the write is served by the page cache, so it would only hash the same memory again. What
 * comes back later is checked against that checksum (`backup list`, `restore`, `backup drill`).
 */
export async function createBackup(options: BackupOptions): Promise<CreatedBackup> {
  try {
    return await lockedBackup(options);
  } catch (error) {
    throw fileSystemError(error, resolve(options.dir)) ?? error;
  }
}

async function lockedBackup(options: BackupOptions): Promise<CreatedBackup> {
  const dbPath = resolve(options.dbPath);
  const dir = resolve(options.dir);
  openLiveDatabase(dbPath).close();
  if (options.includeEnvFile !== undefined && !existsSync(options.includeEnvFile)) {
    throw new UserError(`env file not found: ${options.includeEnvFile}`, ExitCode.NOT_FOUND);
  }
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, LOCK_FILE), { label: "backup", command: "ahb backup" }, async () => {
    const stalePartialsRemoved = removeStalePartials(dir);
    const created = await writeVerifiedBackup({ ...options, dbPath, dir });
    const pruned = pruneBackups(dir, {
      keepDays: options.keepDays,
      keepLast: options.keepLast,
      now: options.now?.() ?? new Date(),
      protect: created.file,
    });
    return { ...created, pruned, stalePartialsRemoved };
  });
}

/** Only this tool's `.partial` names; safe because the caller holds the backup directory's lock. */
function removeStalePartials(dir: string): string[] {
  const stale = readdirSync(dir).filter(isPartialName);
  for (const name of stale) rmSync(join(dir, name), { force: true });
  return stale;
}

async function writeVerifiedBackup(
  options: BackupOptions & { dbPath: string; dir: string },
): Promise<Omit<CreatedBackup, "pruned" | "stalePartialsRemoved">> {
  const started = Date.now();
  const createdAt = options.now?.() ?? new Date();
  const stem = backupStem(createdAt);
  const file = `${stem}.db.gz`;
  const finalPath = join(options.dir, file);
  const snapshotPath = join(options.dir, `${stem}.db${PARTIAL_SUFFIX}`);
  const gzPartial = `${finalPath}${PARTIAL_SUFFIX}`;
  const report = (phase: BackupPhase) => (bytesDone: number, bytesTotal: number) =>
    options.onProgress?.({ phase, bytesDone, bytesTotal });
  const phaseMs: Record<BackupPhase, number> = { snapshot: 0, check: 0, compress: 0 };
  const timed = async <T>(phase: BackupPhase, step: () => T | Promise<T>): Promise<T> => {
    const phaseStarted = performance.now();
    try {
      return await step();
    } finally {
      phaseMs[phase] = Math.round(performance.now() - phaseStarted);
    }
  };
  try {
    const snapshotBytes = await timed("snapshot", () =>
      takeSnapshot(options.dbPath, snapshotPath, report("snapshot")),
    );
    const snapshot = await timed("check", () => checkSnapshot(snapshotPath, report("check")));
    const compressed = await timed("compress", () => gzipHashed(snapshotPath, gzPartial, report("compress")));
    assertUnchangedSince(snapshotPath);
    rmSync(snapshotPath, { force: true });
    renameDurably(gzPartial, finalPath);
    writeFileAtomic(checksumFilePath(finalPath), checksumFileText(compressed.sha256, file), {
      overwrite: true,
    });
    const envFile = options.includeEnvFile
      ? copyEnvFile(options.includeEnvFile, options.dir, stem)
      : undefined;
    const record: BackupRecord = {
      file,
      createdAt: createdAt.toISOString(),
      sizeBytes: compressed.sizeBytes,
      snapshotBytes,
      sha256: compressed.sha256,
      rowCounts: snapshot.rowCounts,
      schemaVersion: snapshot.schemaVersion,
      verified: true,
      verifiedAt: new Date().toISOString(),
      toolVersion: appVersion(),
      ...(envFile ? { envFile } : {}),
    };
    const manifest = readManifest(options.dir);
    writeManifest(options.dir, { ...manifest, backups: [...manifest.backups, record] });
    return { ...record, path: finalPath, durationMs: Date.now() - started, phaseMs };
  } catch (error) {
    for (const path of [snapshotPath, gzPartial]) rmSync(path, { force: true });
    if (error instanceof BackupVerificationError) {
      throw new UserError(
        `backup failed verification: ${error.message}`,
        ExitCode.VERIFICATION_FAILED,
        error.problems,
      );
    }
    throw error;
  }
}

/** VACUUM INTO: one read transaction, so a consistent snapshot however busy the writers are. */
function takeSnapshot(
  dbPath: string,
  snapshotPath: string,
  report: (done: number, total: number) => void,
): number {
  const source = openLiveDatabase(dbPath);
  try {
    const total =
      Number(source.pragma("page_count", { simple: true })) *
      Number(source.pragma("page_size", { simple: true }));
    report(0, total);
    source.prepare("VACUUM INTO ?").run(snapshotPath);
    // Writes made during the copy piled up in the WAL (the snapshot pinned it); checkpoint them here, in the
    // backup's process, rather than leave one long catch-up checkpoint to the server's next commit.
    source.pragma("wal_checkpoint(PASSIVE)");
    const size = statSync(snapshotPath).size;
    report(size, size);
    return size;
  } finally {
    source.close();
  }
}

/**
 * Switches the copy to rollback-journal mode (a plain single file to restore), pins its mtime, then runs
 * integrity_check and counts its rows read-only: what is compressed next is exactly what was checked, unless the
 * file is written to meanwhile, which assertUnchangedSince catches.
 */
function checkSnapshot(snapshotPath: string, report: (done: number, total: number) => void): CheckedDatabase {
  const size = statSync(snapshotPath).size;
  report(0, size);
  const snapshot = new Database(snapshotPath, { fileMustExist: true });
  try {
    snapshot.pragma("journal_mode = DELETE");
  } finally {
    snapshot.close();
  }
  pinMtime(snapshotPath);
  const checked = checkDatabaseFile(snapshotPath);
  report(size, size);
  return checked;
}

/**
 * A write sets the mtime to the current time, which is never the epoch; comparing to a pinned value rather than to
 * an earlier reading also catches a write within the same timestamp tick.
 */
function pinMtime(path: string): void {
  utimesSync(path, PINNED_MTIME, PINNED_MTIME);
}

function assertUnchangedSince(snapshotPath: string): void {
  if (statSync(snapshotPath).mtimeMs !== PINNED_MTIME.getTime()) {
    throw new BackupVerificationError("the snapshot was written to after it was checked");
  }
}

function copyEnvFile(envFile: string, dir: string, stem: string): string {
  const name = `${stem}.env`;
  const partial = join(dir, `${name}${PARTIAL_SUFFIX}`);
  copyFileSync(envFile, partial);
  // copyFile keeps the source mode; the copy must be private whatever the original was.
  chmodSync(partial, 0o600);
  fsyncPath(partial);
  renameDurably(partial, join(dir, name));
  return name;
}

export interface PruneOptions {
  keepDays?: number;
  keepLast?: number;
  now: Date;
  /** A file that is never pruned (the backup just taken). */
  protect?: string;
}

/** The backups a retention policy drops: older than keepDays or beyond the newest keepLast, never `protect`. */
export function beyondRetention<T extends { file: string; createdAt: string }>(
  backups: readonly T[],
  options: PruneOptions,
): T[] {
  const newestFirst = [...backups].sort((a, b) => byCodePoint(b.createdAt, a.createdAt));
  const cutoff =
    options.keepDays === undefined ? undefined : options.now.getTime() - options.keepDays * MS_PER_DAY;
  return newestFirst.filter(
    (record, index) =>
      record.file !== options.protect &&
      ((options.keepLast !== undefined && index >= options.keepLast) ||
        (cutoff !== undefined && Date.parse(record.createdAt) < cutoff)),
  );
}

/**
 * Deletes manifest entries (and their env copies) older than keepDays or beyond the newest keepLast. Files the
 * manifest does not list are never touched: they may be someone else's.
 */
export function pruneBackups(dir: string, options: PruneOptions): string[] {
  if (options.keepDays === undefined && options.keepLast === undefined) return [];
  const manifest = readManifest(dir);
  const doomed = beyondRetention(manifest.backups, options);
  if (doomed.length === 0) return [];
  const doomedFiles = new Set(doomed.map((record) => record.file));
  writeManifest(dir, {
    ...manifest,
    backups: manifest.backups.filter((record) => !doomedFiles.has(record.file)),
  });
  const removed: string[] = [];
  for (const record of doomed) {
    for (const name of [record.file, basename(checksumFilePath(record.file)), record.envFile]) {
      if (name === undefined || !existsSync(join(dir, name))) continue;
      rmSync(join(dir, name), { force: true });
      removed.push(basename(name));
    }
  }
  return removed;
}
