import { failureFrom, request } from "./api.js";

/** One server-sent event as the wire format defines it (https://html.spec.whatwg.org/#event-stream-interpretation). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Incremental text/event-stream parser: feed it decoded chunks in any split, it returns the complete events.
 * Comments (": heartbeat") are skipped; an event without an `event:` field is a "message".
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | undefined;

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    let newline: RegExpExecArray | null;
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    while ((newline = lineEnd.exec(this.buffer)) !== null) {
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for the next chunk.
      if (newline[0] === "\r" && newline.index === this.buffer.length - 1) break;
      const event = this.line(this.buffer.slice(start, newline.index));
      if (event) events.push(event);
      start = newline.index + newline[0].length;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id") this.id = value;
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event =
      this.data.length > 0
        ? { id: this.id, event: this.event || "message", data: this.data.join("\n") }
        : undefined;
    this.data = [];
    this.event = "";
    return event;
  }
}

export type ChatEvent =
  | { type: "status"; stage: string; message: string }
  | { type: "delta"; text: string }
  | { type: "html"; documentId: string; version: number; html: string }
  | { type: "summary"; text: string }
  | { type: "cost"; costNanoUsd: number; costUsd: number }
  | { type: "error"; code: string; message: string }
  | { type: "done"; documentId: string | null; version: number | null };

const KNOWN = new Set(["status", "delta", "html", "summary", "cost", "error", "done"]);

/** Maps a raw event to a typed chat event; unknown names or unparsable data are ignored (forward compatible). */
export function toChatEvent(raw: SseEvent): ChatEvent | undefined {
  if (!KNOWN.has(raw.event)) return undefined;
  try {
    return { type: raw.event, ...(JSON.parse(raw.data) as object) } as ChatEvent;
  } catch {
    return undefined;
  }
}

export interface ChatRequest {
  message: string;
  documentId?: string;
  mode?: "auto" | "create" | "edit" | "image" | "infographic";
  /** Uploaded files (their ids from /api/upload) the model receives with this message. */
  attachmentIds?: string[];
  /** The user message whose failed turn this one retries. */
  retryOf?: number;
}

/**
 * POSTs a chat turn and calls onEvent for every event as it arrives. EventSource cannot POST, so this reads
 * the fetch body stream. Rejects with ApiFailure when the server refuses the turn before streaming, with an
 * AbortError when the signal fires.
 */
export async function streamChat(
  sessionId: string,
  body: ChatRequest,
  signal: AbortSignal,
  onEvent: (event: ChatEvent) => void,
  onAccepted?: (messageId: number | null) => void,
): Promise<void> {
  const response = await request(`/api/chat/${encodeURIComponent(sessionId)}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.body) throw await failureFrom(response);
  const messageId = Number(response.headers.get("x-message-id"));
  onAccepted?.(Number.isInteger(messageId) && messageId > 0 ? messageId : null);
  const parser = new SseParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const raw of parser.push(value)) {
      const event = toChatEvent(raw);
      if (event) onEvent(event);
    }
  }
}
