import { randomUUID } from "node:crypto";
import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { statement } from "../statements.js";

/** An upload's extracted text, kept with its session until the session goes. */
export interface AttachmentInfo {
  id: string;
  filename: string;
  type: string;
  chars: number;
  truncated: boolean;
}

export interface Attachment extends AttachmentInfo {
  text: string;
}

interface AttachmentRow {
  id: string;
  filename: string;
  type: string;
  chars: number;
  truncated: number;
  text?: string;
}

function toInfo(row: AttachmentRow): AttachmentInfo {
  return {
    id: row.id,
    filename: row.filename,
    type: row.type,
    chars: row.chars,
    truncated: row.truncated === 1,
  };
}

export function addAttachment(
  db: Db,
  sessionId: string,
  input: { filename: string; type: string; truncated: boolean; text: string },
): AttachmentInfo {
  const id = randomUUID();
  statement(
    db,
    `INSERT INTO attachments (id, session_id, filename, type, chars, truncated, text, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    sessionId,
    input.filename,
    input.type,
    input.text.length,
    input.truncated ? 1 : 0,
    input.text,
    nowIso(),
  );
  return {
    id,
    filename: input.filename,
    type: input.type,
    chars: input.text.length,
    truncated: input.truncated,
  };
}

/** The session's attachments with these ids, in the order asked; ids of other sessions are simply absent. */
export function getAttachments(db: Db, sessionId: string, ids: readonly string[]): Attachment[] {
  const get = statement(
    db,
    "SELECT id, filename, type, chars, truncated, text FROM attachments WHERE id = ? AND session_id = ?",
  );
  return ids.flatMap((id) => {
    const row = get.get(id, sessionId) as (AttachmentRow & { text: string }) | undefined;
    return row ? [{ ...toInfo(row), text: row.text }] : [];
  });
}

export function linkAttachments(db: Db, messageId: number, attachmentIds: readonly string[]): void {
  const link = statement(
    db,
    "INSERT INTO message_attachments (message_id, attachment_id, position) VALUES (?, ?, ?)",
  );
  attachmentIds.forEach((id, position) => link.run(messageId, id, position));
}

/** Each message's attachments (without their text), keyed by message id. */
export function attachmentsByMessage(db: Db, sessionId: string): Map<number, AttachmentInfo[]> {
  const rows = statement(
    db,
    `SELECT m.message_id, a.id, a.filename, a.type, a.chars, a.truncated
         FROM message_attachments m JOIN attachments a ON a.id = m.attachment_id
        WHERE a.session_id = ? ORDER BY m.message_id, m.position`,
  ).all(sessionId) as (AttachmentRow & { message_id: number })[];
  const byMessage = new Map<number, AttachmentInfo[]>();
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push(toInfo(row));
    byMessage.set(row.message_id, list);
  }
  return byMessage;
}
