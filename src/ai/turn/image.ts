import { validateEdit } from "../editor/index.js";
import { NANO_BANANA_MODEL } from "../pricing.js";
import { generateGemini } from "../providers/gemini.js";
import { withRetries } from "../providers/retry.js";
import type { FlowContext, FlowResult } from "./context.js";
import { TurnError } from "./events.js";
import {
  altFromDescription,
  altFromRequest,
  documentTitle,
  insertImage,
  UnsupportedImageError,
} from "./insert-image.js";
import { imagePrompt } from "./prompts.js";
import { geminiContents } from "./brand.js";

/** Nano Banana Pro draws one image, which is embedded as a data URI by a deterministic insertion. */
export async function addImage(context: FlowContext, message: string, html: string): Promise<FlowResult> {
  context.emit({
    event: "status",
    data: { stage: "imaging", message: "Nano Banana Pro is drawing the image" },
  });
  const reply = await withRetries(
    () =>
      generateGemini({
        client: context.clients.gemini,
        model: NANO_BANANA_MODEL,
        contents: geminiContents(imagePrompt(message, documentTitle(html)), context.brand, "image"),
        config: { responseModalities: ["TEXT", "IMAGE"] },
        signal: context.signal,
        recorder: context.recorder,
      }),
    context.retry,
    context.signal,
  );
  const image = reply.images[0];
  if (!image) throw new TurnError("no_image", "The image model answered without an image");
  const alt = altFromDescription(reply.text) ?? altFromRequest(message);
  let updated: string;
  try {
    updated = insertImage(html, { ...image, alt });
  } catch (error) {
    if (error instanceof UnsupportedImageError)
      throw new TurnError("no_image", "The image model sent an unusable image");
    throw error;
  }
  const validation = validateEdit(html, updated);
  if (!validation.ok)
    throw new TurnError("invalid_edit", `The image could not be placed: ${validation.problems.join("; ")}`);
  return { html: updated, summary: `Added an image: ${alt}`, model: NANO_BANANA_MODEL };
}
