/**
 * Attachments of a turn as the models receive them: each file's full extracted text in a block of its own, apart
 * from the user's request, so the message stays the prompt and the file stays the material.
 */
import type { TextBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { Content, Part } from "@google/genai";
import type { Attachment } from "../../db/repo/attachments.js";
import { escapeHtml } from "./insert-image.js";

/** Attachments one turn may carry, and their total extracted characters (each file is capped at 200 000). */
export const MAX_ATTACHMENTS_PER_TURN = 5;
export const MAX_ATTACHMENT_CHARS_PER_TURN = 400_000;
/**
 * Anthropic caches a prefix of at least 1024 tokens (Sonnet); below about 4000 characters a cache breakpoint is
 * refused as too short, so smaller attachments ride along uncached.
 */
const CACHE_MIN_CHARS = 4_000;

export type TurnAttachment = Pick<Attachment, "filename" | "type" | "truncated" | "text">;

export function attachmentBlock(attachment: TurnAttachment): string {
  const note = attachment.truncated ? ' truncated="true"' : "";
  return (
    `<attachment name="${escapeHtml(attachment.filename)}" type="${escapeHtml(attachment.type)}"${note}>\n` +
    `${attachment.text}\n</attachment>`
  );
}

/** Gemini: one user turn, each attachment its own part, the request (text, or text and images) last. */
export function withAttachments(request: string | Part[], attachments: readonly TurnAttachment[]): Content[] {
  const requestParts = typeof request === "string" ? [{ text: request }] : request;
  return [
    {
      role: "user",
      parts: [...attachments.map((attachment) => ({ text: attachmentBlock(attachment) })), ...requestParts],
    },
  ];
}

/**
 * Claude: one text block per attachment. The last block carries a cache breakpoint when the attachments are
 * large, so the tool rounds after the first read them (and the document before them) from the cache.
 */
export function claudeAttachmentBlocks(attachments: readonly TurnAttachment[]): TextBlockParam[] {
  const total = attachments.reduce((sum, attachment) => sum + attachment.text.length, 0);
  return attachments.map((attachment, index) => ({
    type: "text",
    text: attachmentBlock(attachment),
    ...(index === attachments.length - 1 && total >= CACHE_MIN_CHARS
      ? { cache_control: { type: "ephemeral" as const } }
      : {}),
  }));
}
