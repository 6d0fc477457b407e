import type { DocumentRow } from "../db/repo/documents.js";
import type { Session } from "../db/repo/sessions.js";

/** When cleanup may delete a session idle since lastActive: never (null) when it is pinned. */
export function expiresAt(
  session: Pick<Session, "lastActive" | "pinned">,
  sessionTimeoutS: number,
): string | null {
  if (session.pinned) return null;
  return new Date(Date.parse(session.lastActive) + sessionTimeoutS * 1000).toISOString();
}

/** What the API shows of a session: the owner is always the caller, so it is left out. */
export function publicSession(session: Session, sessionTimeoutS: number) {
  return {
    id: session.id,
    title: session.title,
    createdAt: session.createdAt,
    lastActive: session.lastActive,
    pinned: session.pinned,
    expiresAt: expiresAt(session, sessionTimeoutS),
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
