import { HttpMappedError } from "../../errors.js";
import { randomUUID } from "node:crypto";
import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { insertDocument } from "./documents.js";
import { statement } from "../statements.js";

export { DEFAULT_DOCUMENT_TITLE } from "./documents.js";

export interface Session {
  id: string;
  owner: string;
  title: string;
  createdAt: string;
  lastActive: string;
  /** A pinned session never expires. */
  pinned: boolean;
}

/** Who named a session or document: generated titles replace only the default, never a user's. */
export type TitleSource = "default" | "generated" | "user";

export interface SessionSummary extends Omit<Session, "owner"> {
  documentCount: number;
}

interface SessionRow {
  id: string;
  owner: string;
  title: string;
  created_at: string;
  last_active: string;
  pinned: number;
}

export const DEFAULT_SESSION_TITLE = "Untitled session";
/** Writing last_active on every request would turn reads into writes; a minute of precision is plenty for expiry. */
const TOUCH_GRANULARITY_MS = 60_000;

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    owner: row.owner,
    title: row.title,
    createdAt: row.created_at,
    lastActive: row.last_active,
    pinned: row.pinned === 1,
  };
}

export class SessionLimitError extends HttpMappedError {
  constructor(readonly limit: number) {
    super(
      409,
      "too_many_sessions",
      `you already have ${limit} sessions, the most allowed; delete one to start another`,
    );
  }
}

/** Creates a session with its first (empty, active) document; refuses past the owner's limit, counted under the write lock. */
export function createSession(
  db: Db,
  input: { owner: string; title?: string; maxPerOwner: number },
): { session: Session; documentId: string } {
  return db
    .transaction(() => {
      const count = Number(
        statement(db, "SELECT count(*) FROM sessions WHERE owner = ?").pluck().get(input.owner),
      );
      if (count >= input.maxPerOwner) throw new SessionLimitError(input.maxPerOwner);
      const now = nowIso();
      const row: SessionRow = {
        id: randomUUID(),
        owner: input.owner,
        title: input.title ?? DEFAULT_SESSION_TITLE,
        created_at: now,
        last_active: now,
        pinned: 0,
      };
      statement(
        db,
        `INSERT INTO sessions (id, owner, title, created_at, last_active, title_source)
         VALUES (@id, @owner, @title, @created_at, @last_active, @title_source)`,
      ).run({ ...row, title_source: input.title === undefined ? "default" : "user" });
      const document = insertDocument(db, row.id);
      return { session: toSession(row), documentId: document.id };
    })
    .immediate();
}

export function getOwnedSession(db: Db, id: string, owner: string): Session | undefined {
  const row = statement(db, "SELECT * FROM sessions WHERE id = ? AND owner = ?").get(id, owner) as
    SessionRow | undefined;
  return row && toSession(row);
}

export function listSessions(
  db: Db,
  owner: string,
  page: { limit: number; offset: number },
): { sessions: SessionSummary[]; total: number } {
  const total = Number(statement(db, "SELECT count(*) FROM sessions WHERE owner = ?").pluck().get(owner));
  const rows = statement(
    db,
    `SELECT s.id, s.title, s.created_at, s.last_active, s.pinned,
              (SELECT count(*) FROM documents d WHERE d.session_id = s.id) AS document_count
         FROM sessions s WHERE s.owner = ?
        ORDER BY s.last_active DESC, s.id LIMIT ? OFFSET ?`,
  ).all(owner, page.limit, page.offset) as (Omit<SessionRow, "owner"> & { document_count: number })[];
  return {
    total,
    sessions: rows.map((row) => ({
      id: row.id,
      title: row.title,
      createdAt: row.created_at,
      lastActive: row.last_active,
      pinned: row.pinned === 1,
      documentCount: row.document_count,
    })),
  };
}

export function renameSession(db: Db, id: string, title: string): void {
  statement(db, "UPDATE sessions SET title = ?, title_source = 'user', last_active = ? WHERE id = ?").run(
    title,
    nowIso(),
    id,
  );
}

/** A generated title, only while the session still has its default one. */
export function setGeneratedSessionTitle(db: Db, id: string, title: string): void {
  statement(
    db,
    "UPDATE sessions SET title = ?, title_source = 'generated' WHERE id = ? AND title_source = 'default'",
  ).run(title, id);
}

export class PinLimitError extends HttpMappedError {
  constructor(readonly limit: number) {
    super(
      409,
      "too_many_pinned",
      `you may pin ${limit} session${limit === 1 ? "" : "s"}; unpin one to pin this one`,
    );
  }
}

/** Pins (counted against the owner's limit under the write lock) or unpins a session. */
export function setPinned(db: Db, session: Session, pinned: boolean, maxPinned: number): void {
  db.transaction(() => {
    if (pinned && !session.pinned) {
      const count = Number(
        statement(db, "SELECT count(*) FROM sessions WHERE owner = ? AND pinned = 1 AND id <> ?")
          .pluck()
          .get(session.owner, session.id),
      );
      if (count >= maxPinned) throw new PinLimitError(maxPinned);
    }
    statement(db, "UPDATE sessions SET pinned = ? WHERE id = ?").run(pinned ? 1 : 0, session.id);
  }).immediate();
}

/** Called when a turn starts and on its heartbeat: cleanup keeps sessions whose turn is alive. */
export function markTurnAlive(db: Db, id: string, now = new Date()): void {
  statement(db, "UPDATE sessions SET turn_alive_at = ?, last_active = ? WHERE id = ?").run(
    now.toISOString(),
    now.toISOString(),
    id,
  );
}

export function deleteSession(db: Db, id: string): void {
  statement(db, "DELETE FROM sessions WHERE id = ?").run(id);
}

/** Marks the session as used now (so cleanup keeps it), at most once per minute. */
export function touchSession(db: Db, id: string, now = new Date()): void {
  const threshold = new Date(now.getTime() - TOUCH_GRANULARITY_MS).toISOString();
  statement(db, "UPDATE sessions SET last_active = ? WHERE id = ? AND last_active < ?").run(
    now.toISOString(),
    id,
    threshold,
  );
}
