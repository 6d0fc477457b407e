import type { Db } from "../open.js";
import { nowIso } from "../open.js";

export type MessageRole = "user" | "assistant" | "system";

export interface ChatMessage {
  id: number;
  role: MessageRole;
  content: string;
  documentId: string | null;
  createdAt: string;
}

export function addMessage(
  db: Db,
  input: { sessionId: string; documentId: string | null; role: MessageRole; content: string },
): ChatMessage {
  const createdAt = nowIso();
  const result = db
    .prepare(
      "INSERT INTO chat_messages (session_id, document_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .run(input.sessionId, input.documentId, input.role, input.content, createdAt);
  return {
    id: Number(result.lastInsertRowid),
    role: input.role,
    content: input.content,
    documentId: input.documentId,
    createdAt,
  };
}

export function listMessages(db: Db, sessionId: string): ChatMessage[] {
  return db
    .prepare(
      `SELECT id, role, content, document_id AS documentId, created_at AS createdAt
         FROM chat_messages WHERE session_id = ? ORDER BY id`,
    )
    .all(sessionId) as ChatMessage[];
}
