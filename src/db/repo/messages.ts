import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { attachmentsByMessage, type AttachmentInfo } from "./attachments.js";
import { statement } from "../statements.js";

export type MessageRole = "user" | "assistant" | "system";

export interface ChatMessage {
  id: number;
  role: MessageRole;
  content: string;
  documentId: string | null;
  createdAt: string;
  /** An assistant message of a failed turn is "error"; the history shows it as the live page did. */
  status: "ok" | "error";
  errorCode: string | null;
  /** The turn's cost (assistant messages), as the live `cost` event showed it. */
  costNanoUsd: number | null;
  /** The document version the turn saved, if any. */
  version: number | null;
  /** For a user message sent by Retry: the id of the user message whose turn failed. */
  retryOf: number | null;
  attachments: AttachmentInfo[];
}

export interface NewMessage {
  sessionId: string;
  documentId: string | null;
  role: MessageRole;
  content: string;
  status?: "ok" | "error";
  errorCode?: string | null;
  costNanoUsd?: number | null;
  version?: number | null;
  retryOf?: number | null;
}

export function addMessage(db: Db, input: NewMessage): ChatMessage {
  const createdAt = nowIso();
  const message = {
    status: input.status ?? "ok",
    errorCode: input.errorCode ?? null,
    costNanoUsd: input.costNanoUsd ?? null,
    version: input.version ?? null,
    retryOf: input.retryOf ?? null,
  };
  const result = statement(
    db,
    `INSERT INTO chat_messages
         (session_id, document_id, role, content, created_at, status, error_code, cost_nano_usd, version, retry_of)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    input.sessionId,
    input.documentId,
    input.role,
    input.content,
    createdAt,
    message.status,
    message.errorCode,
    message.costNanoUsd,
    message.version,
    message.retryOf,
  );
  return {
    id: Number(result.lastInsertRowid),
    role: input.role,
    content: input.content,
    documentId: input.documentId,
    createdAt,
    ...message,
    attachments: [],
  };
}

export function listMessages(db: Db, sessionId: string): ChatMessage[] {
  const rows = statement(
    db,
    `SELECT id, role, content, document_id AS documentId, created_at AS createdAt, status,
              error_code AS errorCode, cost_nano_usd AS costNanoUsd, version, retry_of AS retryOf
         FROM chat_messages WHERE session_id = ? ORDER BY id`,
  ).all(sessionId) as Omit<ChatMessage, "attachments">[];
  const attachments = attachmentsByMessage(db, sessionId);
  return rows.map((row) => ({ ...row, attachments: attachments.get(row.id) ?? [] }));
}

/** A user message of this session, for Retry's reference. */
export function hasUserMessage(db: Db, sessionId: string, id: number): boolean {
  return (
    statement(db, "SELECT 1 FROM chat_messages WHERE id = ? AND session_id = ? AND role = 'user'")
      .pluck()
      .get(id, sessionId) !== undefined
  );
}
