import { HttpMappedError } from "../../errors.js";
import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { statement } from "../statements.js";

export interface VersionMeta {
  version: number;
  prompt: string | null;
  summary: string | null;
  model: string | null;
  createdAt: string;
}

export interface Version extends VersionMeta {
  html: string;
}

export interface NewVersion {
  documentId: string;
  html: string;
  prompt: string | null;
  summary: string | null;
  model: string | null;
}

const COLUMNS = "version, html, prompt, summary, model, created_at AS createdAt";

/** The given version of a document, or its latest when version is undefined. */
export function getVersion(db: Db, documentId: string, version?: number): Version | undefined {
  if (version === undefined) {
    return statement(
      db,
      `SELECT ${COLUMNS} FROM document_versions WHERE document_id = ? ORDER BY version DESC LIMIT 1`,
    ).get(documentId) as Version | undefined;
  }
  return statement(db, `SELECT ${COLUMNS} FROM document_versions WHERE document_id = ? AND version = ?`).get(
    documentId,
    version,
  ) as Version | undefined;
}

export function listVersions(db: Db, documentId: string): VersionMeta[] {
  return statement(
    db,
    "SELECT version, prompt, summary, model, created_at AS createdAt FROM document_versions WHERE document_id = ? ORDER BY version",
  ).all(documentId) as VersionMeta[];
}

export function latestVersionNumber(db: Db, documentId: string): number | null {
  const value = statement(db, "SELECT max(version) FROM document_versions WHERE document_id = ?")
    .pluck()
    .get(documentId) as number | null;
  return value ?? null;
}

export class VersionConflictError extends HttpMappedError {
  constructor(
    readonly expected: number | null,
    readonly actual: number | null,
  ) {
    super(
      409,
      "conflict",
      `document changed while the turn ran (based on ${expected ?? "none"}, now ${actual ?? "none"}); ` +
        "reload the latest version and edit again",
    );
  }
}

/**
 * Appends the next version. The number is read and written under one IMMEDIATE transaction (the write lock is
 * taken before the read), so concurrent writers, in this process or another, never get the same number.
 * With `baseVersion`, the append is refused when someone else wrote a version since the caller read it.
 */
export function appendVersion(db: Db, input: NewVersion, baseVersion?: number | null): VersionMeta {
  return db
    .transaction(() => {
      const latest = latestVersionNumber(db, input.documentId);
      if (baseVersion !== undefined && latest !== baseVersion) {
        throw new VersionConflictError(baseVersion, latest);
      }
      const meta: VersionMeta = {
        version: (latest ?? 0) + 1,
        prompt: input.prompt,
        summary: input.summary,
        model: input.model,
        createdAt: nowIso(),
      };
      statement(
        db,
        `INSERT INTO document_versions (document_id, version, html, prompt, summary, model, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        input.documentId,
        meta.version,
        input.html,
        meta.prompt,
        meta.summary,
        meta.model,
        meta.createdAt,
      );
      return meta;
    })
    .immediate();
}
