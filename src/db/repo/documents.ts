import { HttpMappedError } from "../../errors.js";
import { randomUUID } from "node:crypto";
import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { statement } from "../statements.js";

export interface DocumentRow {
  id: string;
  sessionId: string;
  title: string;
  isActive: boolean;
  createdAt: string;
  /** Highest version number, or null while the document is still empty. */
  latestVersion: number | null;
}

interface RawDocument {
  id: string;
  session_id: string;
  title: string;
  is_active: number;
  created_at: string;
  latest_version: number | null;
}

const SELECT_DOCUMENT = `SELECT d.id, d.session_id, d.title, d.is_active, d.created_at,
  (SELECT max(v.version) FROM document_versions v WHERE v.document_id = d.id) AS latest_version
  FROM documents d`;

function toDocument(row: RawDocument): DocumentRow {
  return {
    id: row.id,
    sessionId: row.session_id,
    title: row.title,
    isActive: row.is_active === 1,
    createdAt: row.created_at,
    latestVersion: row.latest_version,
  };
}

export class LastDocumentError extends HttpMappedError {
  constructor() {
    super(409, "last_document", "a session keeps at least one document; delete the session instead");
  }
}

export const DEFAULT_DOCUMENT_TITLE = "Untitled document";

/**
 * Inserts an empty document and makes it the session's active one (call inside a transaction). Without a title it
 * gets the default one, which a generated title may replace later.
 */
export function insertDocument(db: Db, sessionId: string, givenTitle?: string): DocumentRow {
  const id = randomUUID();
  const title = givenTitle ?? DEFAULT_DOCUMENT_TITLE;
  const createdAt = nowIso();
  statement(db, "UPDATE documents SET is_active = 0 WHERE session_id = ? AND is_active = 1").run(sessionId);
  statement(
    db,
    "INSERT INTO documents (id, session_id, title, is_active, created_at, title_source) VALUES (?, ?, ?, 1, ?, ?)",
  ).run(id, sessionId, title, createdAt, givenTitle === undefined ? "default" : "user");
  return { id, sessionId, title, isActive: true, createdAt, latestVersion: null };
}

export function createDocument(db: Db, sessionId: string, title?: string): DocumentRow {
  return db.transaction(() => insertDocument(db, sessionId, title)).immediate();
}

export function listDocuments(db: Db, sessionId: string): DocumentRow[] {
  const rows = statement(db, `${SELECT_DOCUMENT} WHERE d.session_id = ? ORDER BY d.created_at, d.rowid`).all(
    sessionId,
  ) as RawDocument[];
  return rows.map(toDocument);
}

export function getDocument(db: Db, sessionId: string, documentId: string): DocumentRow | undefined {
  const row = statement(db, `${SELECT_DOCUMENT} WHERE d.session_id = ? AND d.id = ?`).get(
    sessionId,
    documentId,
  ) as RawDocument | undefined;
  return row && toDocument(row);
}

export function getActiveDocument(db: Db, sessionId: string): DocumentRow | undefined {
  const row = statement(db, `${SELECT_DOCUMENT} WHERE d.session_id = ? AND d.is_active = 1`).get(
    sessionId,
  ) as RawDocument | undefined;
  return row && toDocument(row);
}

export function activateDocument(db: Db, sessionId: string, documentId: string): void {
  db.transaction(() => {
    statement(db, "UPDATE documents SET is_active = 0 WHERE session_id = ? AND is_active = 1").run(sessionId);
    statement(db, "UPDATE documents SET is_active = 1 WHERE session_id = ? AND id = ?").run(
      sessionId,
      documentId,
    );
  }).immediate();
}

export function renameDocument(db: Db, documentId: string, title: string): void {
  statement(db, "UPDATE documents SET title = ?, title_source = 'user' WHERE id = ?").run(title, documentId);
}

/** A generated title, only while the document still has its default one. */
export function setGeneratedDocumentTitle(db: Db, documentId: string, title: string): void {
  statement(
    db,
    "UPDATE documents SET title = ?, title_source = 'generated' WHERE id = ? AND title_source = 'default'",
  ).run(title, documentId);
}

/** Deletes a document (never the last one); if it was active, the newest remaining document becomes active. */
export function deleteDocument(db: Db, sessionId: string, documentId: string): void {
  db.transaction(() => {
    const count = Number(
      statement(db, "SELECT count(*) FROM documents WHERE session_id = ?").pluck().get(sessionId),
    );
    if (count <= 1) throw new LastDocumentError();
    const wasActive = statement(db, "SELECT is_active FROM documents WHERE id = ? AND session_id = ?")
      .pluck()
      .get(documentId, sessionId);
    statement(db, "DELETE FROM documents WHERE id = ? AND session_id = ?").run(documentId, sessionId);
    if (wasActive === 1) {
      statement(
        db,
        `UPDATE documents SET is_active = 1 WHERE id =
           (SELECT id FROM documents WHERE session_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1)`,
      ).run(sessionId);
    }
  }).immediate();
}
