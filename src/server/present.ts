import type { DocumentRow } from "../db/repo/documents.js";
import type { Session } from "../db/repo/sessions.js";

/** What the API shows of a session: the owner is always the caller, so it is left out. */
export function publicSession(session: Session) {
  return {
    id: session.id,
    title: session.title,
    createdAt: session.createdAt,
    lastActive: session.lastActive,
  };
}

export function publicDocument(document: DocumentRow) {
  return {
    id: document.id,
    title: document.title,
    isActive: document.isActive,
    createdAt: document.createdAt,
    latestVersion: document.latestVersion,
  };
}
