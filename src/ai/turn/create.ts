import { extractHtmlDocument } from "../editor/index.js";
import { GEMINI_CREATE_MODEL } from "../pricing.js";
import { withAttachments } from "./attachments.js";
import { callGemini } from "./gemini.js";
import type { FlowContext, FlowResult } from "./context.js";
import { geminiContents } from "./brand.js";
import { TurnError } from "./events.js";
import { CREATE_SYSTEM } from "./prompts.js";
import { documentTitle } from "./insert-image.js";

/** Gemini 2.5 Pro writes a whole new document, streamed to the user as it is written. */
export async function createDocument(context: FlowContext, message: string): Promise<FlowResult> {
  context.emit({
    event: "status",
    data: { stage: "creating", message: "Gemini 2.5 Pro is writing the document" },
  });
  const reply = await callGemini(context, {
    model: GEMINI_CREATE_MODEL,
    contents: withAttachments(geminiContents(message, context.brand), context.attachments),
    config: { systemInstruction: CREATE_SYSTEM },
    onText: (text) => context.emit({ event: "delta", data: { text } }),
  });
  const html = extractHtmlDocument(reply.text);
  if (!html) {
    throw new TurnError("no_document", "Gemini's answer did not contain a complete HTML document");
  }
  const title = documentTitle(html);
  return {
    html,
    summary: title ? `Created "${title}".` : "Created the document.",
    model: GEMINI_CREATE_MODEL,
  };
}
