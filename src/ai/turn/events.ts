/** The SSE events of POST /api/chat/:sessionId, exactly as docs/api.md lists them. */
export type TurnStage = "routing" | "creating" | "editing" | "briefing" | "imaging" | "saving";

export type ChatEvent =
  | { event: "status"; data: { stage: TurnStage; message: string } }
  | { event: "delta"; data: { text: string } }
  | { event: "html"; data: { documentId: string; version: number; html: string } }
  | { event: "summary"; data: { text: string } }
  | { event: "cost"; data: { costNanoUsd: number; costUsd: number } }
  | { event: "error"; data: { code: string; message: string } }
  | { event: "done"; data: { documentId: string; version: number | null } };

export type EmitEvent = (event: ChatEvent) => void;

/** A turn that cannot finish; `message` is safe to show and the document is left as it was. */
export class TurnError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "TurnError";
  }
}
