import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, schemaVersion } from "../../db/open.js";
import { ExitCode, UserError } from "../../errors.js";
import { readManifest } from "./files.js";
import {
  BackupVerificationError,
  decompressAndVerify,
  integrityProblems,
  tableRowCounts,
  type RowCounts,
} from "./verify.js";
import { byCodePoint } from "../../shared/text-order.js";

export interface DrillReport {
  ok: true;
  file: string;
  createdAt: string;
  /** Schema version of the backup, and after opening it with this build's migrations. */
  schemaVersion: { backup: number; current: number };
  rowCounts: RowCounts;
  durationMs: number;
}

/**
 * A restore rehearsal that touches nothing live: the newest verified backup is decompressed into a temporary
 * directory (checksum, integrity_check and row counts against the manifest), opened with the current schema
 * (pending migrations applied, as the server would), checked again, and thrown away.
 */
export async function drillBackup(dir: string): Promise<DrillReport> {
  const started = Date.now();
  const record = readManifest(dir)
    .backups.filter((candidate) => candidate.verified)
    .sort((a, b) => byCodePoint(b.createdAt, a.createdAt))[0];
  if (!record)
    throw new UserError(`no verified backup in ${dir} to drill (run ahb backup)`, ExitCode.NOT_FOUND);
  const work = mkdtempSync(join(tmpdir(), "ahb-drill-"));
  try {
    const path = join(work, "app.db");
    await decompressAndVerify(join(dir, record.file), path, record);
    const db = openDatabase(path);
    try {
      const problems = integrityProblems(db);
      if (problems.length > 0)
        throw new BackupVerificationError("migrated copy fails integrity_check", problems);
      return {
        ok: true,
        file: record.file,
        createdAt: record.createdAt,
        schemaVersion: { backup: record.schemaVersion, current: schemaVersion(db) },
        rowCounts: tableRowCounts(db),
        durationMs: Date.now() - started,
      };
    } finally {
      db.close();
    }
  } catch (error) {
    if (!(error instanceof BackupVerificationError)) throw error;
    const detail = error.problems.length > 0 ? `: ${error.problems.slice(0, 3).join("; ")}` : "";
    throw new UserError(
      `drill of ${record.file} failed: ${error.message}${detail}`,
      ExitCode.VERIFICATION_FAILED,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
