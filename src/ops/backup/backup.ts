import {
  chmodSync,
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import Database from "better-sqlite3";
import { schemaVersion } from "../../db/open.js";
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
import {
  BackupVerificationError,
  decompressAndVerify,
  progressTap,
  tableRowCounts,
  type RowCounts,
} from "./verify.js";
import { openLiveDatabase } from "../../db/live.js";
import { withLock } from "../../shared/lock.js";

export type BackupPhase = "snapshot" | "compress" | "verify";

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
}

const MS_PER_DAY = 86_400_000;
/** Fastest zlib level: on a host shared with the server, CPU matters more than ~15% of backup size. */
const GZIP_LEVEL = 1;

/**
 * Takes a verified, compressed, consistent copy of a live WAL database and records it in the manifest.
 *
 * Consistency: `VACUUM INTO` copies the database inside one read transaction, so it is one snapshot and never
 * blocks writers (WAL readers do not take write locks). SQLite refuses VACUUM inside an explicit transaction, so the
 * live source cannot be counted in that same snapshot; instead the row counts are taken from the uncompressed
 * snapshot file itself, which *is* that snapshot, and the compressed file is then checked against them.
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
  const verifyPath = join(options.dir, `${stem}.verify.db${PARTIAL_SUFFIX}`);
  const report = (phase: BackupPhase) => (bytesDone: number, bytesTotal: number) =>
    options.onProgress?.({ phase, bytesDone, bytesTotal });
  try {
    const snapshotBytes = takeSnapshot(options.dbPath, snapshotPath, report("snapshot"));
    const snapshot = describeSnapshot(snapshotPath);
    await compress(snapshotPath, gzPartial, report("compress"));
    rmSync(snapshotPath, { force: true });
    const verified = await decompressAndVerify(
      gzPartial,
      verifyPath,
      { rowCounts: snapshot.rowCounts },
      report("verify"),
    );
    rmSync(verifyPath, { force: true });
    renameDurably(gzPartial, finalPath);
    writeFileAtomic(checksumFilePath(finalPath), checksumFileText(verified.sha256, file), {
      overwrite: true,
    });
    const envFile = options.includeEnvFile
      ? copyEnvFile(options.includeEnvFile, options.dir, stem)
      : undefined;
    const record: BackupRecord = {
      file,
      createdAt: createdAt.toISOString(),
      sizeBytes: statSync(finalPath).size,
      snapshotBytes,
      sha256: verified.sha256,
      rowCounts: verified.rowCounts,
      schemaVersion: snapshot.schemaVersion,
      verified: true,
      verifiedAt: new Date().toISOString(),
      toolVersion: appVersion(),
      ...(envFile ? { envFile } : {}),
    };
    const manifest = readManifest(options.dir);
    writeManifest(options.dir, { ...manifest, backups: [...manifest.backups, record] });
    return { ...record, path: finalPath, durationMs: Date.now() - started };
  } catch (error) {
    for (const path of [snapshotPath, gzPartial, verifyPath]) rmSync(path, { force: true });
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

/** Switches the copy to rollback-journal mode (a plain single file to restore) and reads its counts and schema. */
function describeSnapshot(snapshotPath: string): { rowCounts: RowCounts; schemaVersion: number } {
  const snapshot = new Database(snapshotPath, { fileMustExist: true });
  try {
    snapshot.pragma("journal_mode = DELETE");
    const hasMigrations = snapshot
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    return {
      rowCounts: tableRowCounts(snapshot),
      schemaVersion: hasMigrations ? schemaVersion(snapshot) : 0,
    };
  } finally {
    snapshot.close();
  }
}

async function compress(
  from: string,
  to: string,
  report: (done: number, total: number) => void,
): Promise<void> {
  await pipeline(
    createReadStream(from),
    progressTap(statSync(from).size, report),
    createGzip({ level: GZIP_LEVEL }),
    createWriteStream(to, { mode: 0o600 }),
  );
  fsyncPath(to);
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
  const newestFirst = [...backups].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
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
