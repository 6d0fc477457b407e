import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, rmSync, statSync } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import Database from "better-sqlite3";
import { hasMigrationsTable, schemaVersion, type Db } from "../../db/open.js";
import { fsyncPath } from "../../shared/atomic-file.js";

export type RowCounts = Record<string, number>;

export interface ByteProgress {
  (done: number, total: number): void;
}

/** Row count of every user table (sqlite_* internals excluded), by name. */
export function tableRowCounts(db: Db): RowCounts {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const counts: RowCounts = {};
  for (const table of tables) {
    counts[table] = Number(
      db
        .prepare(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`)
        .pluck()
        .get(),
    );
  }
  return counts;
}

/** `PRAGMA integrity_check` problems; empty when the file is sound. */
export function integrityProblems(db: Db): string[] {
  const rows = db.prepare("PRAGMA integrity_check").pluck().all() as string[];
  return rows.length === 1 && rows[0] === "ok" ? [] : rows;
}

export function countDifferences(expected: RowCounts, actual: RowCounts): string[] {
  const tables = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return tables
    .filter((table) => expected[table] !== actual[table])
    .map(
      (table) => `${table}: expected ${expected[table] ?? "no table"}, found ${actual[table] ?? "no table"}`,
    );
}

/** Passes bytes through, reporting progress as whole-percent steps so callers are not flooded. */
export function progressTap(total: number, report: ByteProgress | undefined): Transform {
  let done = 0;
  let lastPercent = -1;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
      if (report && percent !== lastPercent) {
        lastPercent = percent;
        report(done, total);
      }
      callback(null, chunk);
    },
  });
}

function hashTap(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

export interface VerifyExpectation {
  sha256?: string;
  /** Absent when only a checksum file vouches for the backup: integrity_check alone then judges the content. */
  rowCounts?: RowCounts;
}

export interface CheckedDatabase {
  rowCounts: RowCounts;
  /** 0 for a database without this tool's migrations table. */
  schemaVersion: number;
}

export interface VerifiedCopy extends CheckedDatabase {
  sha256: string;
}

export class BackupVerificationError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = "BackupVerificationError";
  }
}

/**
 * Reads the compressed backup once, hashing the bytes on disk while gunzipping them to `outPath`, then checks the
 * checksum, `PRAGMA integrity_check` and the per-table row counts. On any failure `outPath` is removed and a
 * BackupVerificationError says why; on success `outPath` holds the fsynced database.
 */
export async function decompressAndVerify(
  gzPath: string,
  outPath: string,
  expected: VerifyExpectation,
  onProgress?: ByteProgress,
): Promise<VerifiedCopy> {
  const hash = createHash("sha256");
  try {
    try {
      await pipeline(
        createReadStream(gzPath),
        progressTap(statSync(gzPath).size, onProgress),
        hashTap(hash),
        createGunzip(),
        createWriteStream(outPath, { mode: 0o600 }),
      );
    } catch (error) {
      throw new BackupVerificationError(`backup does not decompress: ${(error as Error).message}`);
    }
    const sha256 = hash.digest("hex");
    if (expected.sha256 !== undefined && sha256 !== expected.sha256) {
      throw new BackupVerificationError("backup checksum does not match the recorded one", [
        `expected sha256 ${expected.sha256}`,
        `found    sha256 ${sha256}`,
      ]);
    }
    fsyncPath(outPath);
    return { sha256, ...checkDatabaseFile(outPath, expected.rowCounts) };
  } catch (error) {
    rmSync(outPath, { force: true });
    throw error;
  }
}

/**
 * `PRAGMA integrity_check` and the row counts (against `expectedCounts` when given) of a database file, opened read-only;
 * a BackupVerificationError says what is wrong.
 */
export function checkDatabaseFile(path: string, expectedCounts?: RowCounts): CheckedDatabase {
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupVerificationError(`backup is not a SQLite database: ${(error as Error).message}`);
  }
  try {
    const problems = integrityProblems(db);
    if (problems.length > 0) throw new BackupVerificationError("backup fails integrity_check", problems);
    const rowCounts = tableRowCounts(db);
    const differences = expectedCounts ? countDifferences(expectedCounts, rowCounts) : [];
    if (differences.length > 0) {
      throw new BackupVerificationError("backup row counts differ from the snapshot", differences);
    }
    return { rowCounts, schemaVersion: hasMigrationsTable(db) ? schemaVersion(db) : 0 };
  } catch (error) {
    if (error instanceof BackupVerificationError) throw error;
    throw new BackupVerificationError(`backup is not a readable database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}
