import { validateEdit } from "../editor/index.js";
import { NANO_BANANA_MODEL } from "../pricing.js";
import {
  generateGemini,
  streamGemini,
  type GeminiCall,
  type GeminiImage,
  type GeminiReply,
} from "../providers/gemini.js";
import { withRetries } from "../providers/retry.js";
import { geminiContents } from "./brand.js";
import type { FlowContext } from "./context.js";
import { TurnError } from "./events.js";
import { insertImage, UnsupportedImageError, type ImageToInsert } from "./insert-image.js";

export type TurnGeminiCall = Pick<GeminiCall, "model" | "contents" | "config" | "onText">;

/** One Gemini call of a turn, with the turn's client, signal, cost recorder and retries; streamed when it has onText. */
export function callGemini(context: FlowContext, call: TurnGeminiCall): Promise<GeminiReply> {
  const send = call.onText ? streamGemini : generateGemini;
  return withRetries(
    () =>
      send({ ...call, client: context.clients.gemini, signal: context.signal, recorder: context.recorder }),
    context.retry,
    context.signal,
  );
}

/** Nano Banana Pro draws one image (in the brand's style); an answer without an image fails the turn. */
export async function drawImage(
  context: FlowContext,
  prompt: string,
  whenMissing: string,
): Promise<{ image: GeminiImage; text: string }> {
  const reply = await callGemini(context, {
    model: NANO_BANANA_MODEL,
    contents: geminiContents(prompt, context.brand, "image"),
    config: { responseModalities: ["TEXT", "IMAGE"] },
  });
  const image = reply.images[0];
  if (!image) throw new TurnError("no_image", whenMissing);
  return { image, text: reply.text };
}

/** Puts a drawn image into the document; an unusable image or a broken result fails the turn. */
export function placeImage(html: string, image: ImageToInsert, what: string): string {
  let updated: string;
  try {
    updated = insertImage(html, image);
  } catch (error) {
    if (error instanceof UnsupportedImageError)
      throw new TurnError("no_image", "The image model sent an unusable image");
    throw error;
  }
  const validation = validateEdit(html, updated);
  if (!validation.ok)
    throw new TurnError("invalid_edit", `${what} could not be placed: ${validation.problems.join("; ")}`);
  return updated;
}
