/** Generated titles: after a document's first version, a cheap model names it and its session. */
import type { Db } from "../../db/open.js";
import { setGeneratedDocumentTitle } from "../../db/repo/documents.js";
import { setGeneratedSessionTitle } from "../../db/repo/sessions.js";
import type { Logger } from "../../log.js";
import { generateGemini } from "../providers/gemini.js";
import type { FlowContext, FlowResult } from "./context.js";
import { documentTitle } from "./insert-image.js";
import { TITLE_SYSTEM, titlePrompt } from "./prompts.js";
import type { TurnRequest } from "./run.js";

const MAX_TITLE_LENGTH = 60;
/** A title is a nicety: it may not hold the turn's `done` for long. */
const TITLE_TIMEOUT_MS = 10_000;

/** "**Quarterly Report.**\nMore" -> "Quarterly Report"; empty when nothing usable is left. */
export function cleanTitle(text: string): string {
  const line = text.trim().split(/\r?\n/)[0] ?? "";
  const plain = line
    .replace(/^#+\s*/, "")
    .replace(/^(?:title:\s*)/i, "")
    .replace(/[*_`]/g, "")
    .replace(/^["'“‘«\s]+|["'”’»\s]+$/g, "")
    .replace(/\s+/g, " ")
    .replace(/[.。]+$/, "")
    .trim();
  if (plain.length <= MAX_TITLE_LENGTH) return plain;
  const cut = plain.slice(0, MAX_TITLE_LENGTH);
  const space = cut.lastIndexOf(" ");
  return `${(space > 20 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The turn hook that names a new document and its session. The call is ledgered like every call (through the
 * turn's recorder); any failure leaves both titles as they were, and a title the user set is never replaced
 * (the repository only overwrites default titles).
 */
export function titleGenerator(db: Db, logger: Logger, model: string) {
  if (model === "off") return undefined;
  return async (context: FlowContext, request: TurnRequest, result: FlowResult): Promise<void> => {
    if (result.html === undefined) return;
    try {
      const reply = await generateGemini({
        client: context.clients.gemini,
        model,
        contents: titlePrompt(request.message, documentTitle(result.html)),
        config: { systemInstruction: TITLE_SYSTEM, maxOutputTokens: 40 },
        signal: AbortSignal.any([context.signal, AbortSignal.timeout(TITLE_TIMEOUT_MS)]),
        recorder: context.recorder,
      });
      const title = cleanTitle(reply.text);
      if (!title) return;
      setGeneratedDocumentTitle(db, request.documentId, title);
      setGeneratedSessionTitle(db, request.sessionId, title);
    } catch (error) {
      logger.info("title generation skipped", { reason: error instanceof Error ? error.name : "unknown" });
    }
  };
}
