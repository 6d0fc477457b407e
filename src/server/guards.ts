import type { Context } from "hono";
import type { Db } from "../db/open.js";
import { getDocument, type DocumentRow } from "../db/repo/documents.js";
import { getOwnedSession, touchSession, type Session } from "../db/repo/sessions.js";
import { getVersion, type Version } from "../db/repo/versions.js";
import { ApiError } from "./errors.js";
import type { AppEnv } from "./types.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 400 `invalid_id` unless value is a UUID; returns it lower-cased (ids are stored as randomUUID() writes them). */
export function requireUuid(value: string | undefined, what: string): string {
  if (!value || !UUID_PATTERN.test(value))
    throw new ApiError(400, "invalid_id", `${what} id is not a valid UUID`);
  return value.toLowerCase();
}

/**
 * The session named by `:id` or `:sessionId`, if the caller owns it. Someone else's session answers 404 exactly
 * like a missing one, so ids cannot be probed. Marks the session as used.
 */
export function requireOwnedSession(c: Context<AppEnv>, db: Db): Session {
  return requireOwnedSessionId(db, c.req.param("sessionId") ?? c.req.param("id"), c.get("user"));
}

/** requireOwnedSession for an id that arrives elsewhere than the path (a form field). */
export function requireOwnedSessionId(db: Db, rawId: string | undefined, user: string): Session {
  const session = getOwnedSession(db, requireUuid(rawId, "session"), user);
  if (!session) throw new ApiError(404, "not_found", "session not found");
  touchSession(db, session.id);
  return session;
}

/** The document named by `:docId` inside the (already owner-checked) session. */
export function requireDocument(c: Context<AppEnv>, db: Db, sessionId: string): DocumentRow {
  const id = requireUuid(c.req.param("docId"), "document");
  const document = getDocument(db, sessionId, id);
  if (!document) throw new ApiError(404, "not_found", "document not found");
  return document;
}

/** The document named by `:docId` in the caller's own session named by `:id` (404 otherwise). */
export function requireOwnedDocument(c: Context<AppEnv>, db: Db): DocumentRow {
  return requireDocument(c, db, requireOwnedSession(c, db).id);
}

export function parseVersionNumber(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) {
    throw new ApiError(400, "invalid_version", "version must be a positive whole number");
  }
  return Number(value);
}

/** `?version=n` as a positive integer, or undefined for "latest". */
export function parseVersionQuery(c: Context<AppEnv>): number | undefined {
  const value = c.req.query("version");
  return value === undefined || value === "" ? undefined : parseVersionNumber(value);
}

/**
 * The caller's document named in the path with its latest or `?version=n` version: 404 `no_content` while it has
 * none, 404 `not_found` for a version it does not have.
 */
export function requireHtml(c: Context<AppEnv>, db: Db): { document: DocumentRow; version: Version } {
  const document = requireOwnedDocument(c, db);
  const version = parseVersionQuery(c);
  const found = getVersion(db, document.id, version);
  if (found) return { document, version: found };
  if (version === undefined) throw new ApiError(404, "no_content", "the document has no content yet");
  throw new ApiError(404, "not_found", `version ${version} not found`);
}
