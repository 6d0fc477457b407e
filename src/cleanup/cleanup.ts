import { lstatSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Db } from "../db/open.js";
import { acquireLock } from "../shared/lock.js";

export interface CleanupOptions {
  /** Sessions whose last_active is older than this are deleted with their documents, versions and messages. */
  sessionsOlderThanMs: number;
  /** Directory of exported files; absent or missing means no export cleanup. */
  exportDir?: string;
  exportsOlderThanMs: number;
  dryRun?: boolean;
  now?: Date;
  /** Sessions deleted per transaction: short transactions keep the server's writers waiting milliseconds at most. */
  batchSize?: number;
}

/** A session a dry run would delete: whose, and how long it has been idle. */
export interface ExpiredSession {
  id: string;
  owner: string;
  title: string;
  lastActive: string;
  idleMs: number;
}

export interface CleanupReport {
  dryRun: boolean;
  /** Dry runs only: each session that would go, oldest first. */
  expired?: ExpiredSession[];
  sessions: number;
  documents: number;
  versions: number;
  messages: number;
  exportFiles: number;
  exportBytes: number;
  sessionsCutoff: string;
  exportsCutoff: string;
}

const DEFAULT_BATCH = 200;
/**
 * A running turn refreshes its session's turn_alive_at on every 15 s heartbeat; one not refreshed for this long
 * has ended (or its process died), so the session is judged by last_active again.
 */
export const TURN_ALIVE_MS = 2 * 60_000;
/** Pinned sessions and sessions with a live turn are never deleted, whatever their idle time. */
const DELETABLE =
  "last_active < @cutoff AND pinned = 0 AND (turn_alive_at IS NULL OR turn_alive_at < @aliveCutoff)";
/** A run takes seconds; a lock this old was left by a process that died where its pid cannot be checked. */
const LOCK_STALE_MS = 30 * 60_000;

/** The lock shared by `ahb cleanup` (host cron) and the server's hourly job: it lives next to the database. */
export function cleanupLockPath(dbPath: string): string {
  return join(dirname(dbPath), ".ahb-cleanup.lock");
}

/** runCleanup under the cleanup lock; throws LockHeldError (exit 12, names the holder) if another run has it. */
export function runLockedCleanup(
  db: Db,
  dbPath: string,
  who: string,
  options: CleanupOptions,
): CleanupReport {
  const lock = acquireLock(cleanupLockPath(dbPath), {
    label: "cleanup",
    command: who,
    staleAfterMs: LOCK_STALE_MS,
  });
  try {
    return runCleanup(db, options);
  } finally {
    lock.release();
  }
}

/**
 * Deletes idle sessions (their documents, versions and messages go by ON DELETE CASCADE) and old export files.
 * The cost ledger has no foreign key to sessions, so billing history is never touched. With dryRun it only counts.
 */
export function runCleanup(db: Db, options: CleanupOptions): CleanupReport {
  const now = options.now ?? new Date();
  const sessionsCutoff = new Date(now.getTime() - options.sessionsOlderThanMs).toISOString();
  const exportsCutoff = new Date(now.getTime() - options.exportsOlderThanMs);
  const dryRun = options.dryRun ?? false;
  const cutoffs = {
    cutoff: sessionsCutoff,
    aliveCutoff: new Date(now.getTime() - TURN_ALIVE_MS).toISOString(),
  };
  const sessions = deleteIdleSessions(db, cutoffs, dryRun, options.batchSize ?? DEFAULT_BATCH);
  const exports = options.exportDir
    ? deleteOldFiles(options.exportDir, exportsCutoff.getTime(), dryRun, true)
    : { files: 0, bytes: 0 };
  return {
    dryRun,
    ...(dryRun ? { expired: listExpired(db, cutoffs, now) } : {}),
    ...sessions,
    exportFiles: exports.files,
    exportBytes: exports.bytes,
    sessionsCutoff,
    exportsCutoff: exportsCutoff.toISOString(),
  };
}

interface SessionCounts {
  sessions: number;
  documents: number;
  versions: number;
  messages: number;
}

interface SessionCutoffs {
  cutoff: string;
  aliveCutoff: string;
}

function listExpired(db: Db, cutoffs: SessionCutoffs, now: Date): ExpiredSession[] {
  const rows = db
    .prepare(
      `SELECT id, owner, title, last_active AS lastActive FROM sessions WHERE ${DELETABLE} ORDER BY last_active`,
    )
    .all(cutoffs) as Omit<ExpiredSession, "idleMs">[];
  return rows.map((row) => ({ ...row, idleMs: now.getTime() - Date.parse(row.lastActive) }));
}

function deleteIdleSessions(
  db: Db,
  cutoffs: SessionCutoffs,
  dryRun: boolean,
  batchSize: number,
): SessionCounts {
  const pick = db.prepare(
    `SELECT id FROM sessions WHERE ${DELETABLE} ORDER BY last_active LIMIT @limit OFFSET @offset`,
  );
  const countChildren = db.prepare(
    `SELECT (SELECT count(*) FROM documents WHERE session_id = @id) AS documents,
            (SELECT count(*) FROM document_versions v JOIN documents d ON d.id = v.document_id
              WHERE d.session_id = @id) AS versions,
            (SELECT count(*) FROM chat_messages WHERE session_id = @id) AS messages`,
  );
  // Re-checks under the write lock: a session used, pinned or given a turn since it was picked stays.
  const remove = db.prepare(`DELETE FROM sessions WHERE id = @id AND ${DELETABLE}`);
  const totals: SessionCounts = { sessions: 0, documents: 0, versions: 0, messages: 0 };
  const batch = db.transaction((ids: string[]) => {
    for (const id of ids) {
      const children = countChildren.get({ id }) as Omit<SessionCounts, "sessions">;
      if (!dryRun && remove.run({ id, ...cutoffs }).changes === 0) continue;
      totals.sessions += 1;
      totals.documents += children.documents;
      totals.versions += children.versions;
      totals.messages += children.messages;
    }
  });
  for (let offset = 0; ; offset += dryRun ? batchSize : 0) {
    const ids = pick.pluck().all({ ...cutoffs, limit: batchSize, offset }) as string[];
    if (ids.length === 0) break;
    const before = totals.sessions;
    if (dryRun) batch.deferred(ids);
    else batch.immediate(ids);
    // Deleting moves the window by itself; stop if a whole batch was kept (all touched meanwhile).
    if (!dryRun && totals.sessions === before) break;
  }
  return totals;
}

/** Regular files older than the cutoff, recursively; symlinks are never followed; emptied subdirectories go too. */
function deleteOldFiles(
  dir: string,
  cutoffMs: number,
  dryRun: boolean,
  isRoot: boolean,
): { files: number; bytes: number } {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { files: 0, bytes: 0 };
    throw error;
  }
  const dirMtimeMs = lstatSync(dir).mtimeMs;
  const totals = { files: 0, bytes: 0 };
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = deleteOldFiles(path, cutoffMs, dryRun, false);
      totals.files += inner.files;
      totals.bytes += inner.bytes;
    } else if (entry.isFile()) {
      const stats = lstatSync(path);
      if (stats.mtimeMs >= cutoffMs) continue;
      if (!dryRun) rmSync(path, { force: true });
      totals.files += 1;
      totals.bytes += stats.size;
    }
  }
  if (!isRoot && !dryRun && dirMtimeMs < cutoffMs) removeIfEmpty(dir);
  return totals;
}

/** An exporter may be writing into the directory right now: then it is not empty and stays. */
function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (error) {
    if (!["ENOTEMPTY", "EEXIST", "ENOENT"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
  }
}
