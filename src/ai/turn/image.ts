import { NANO_BANANA_MODEL } from "../pricing.js";
import type { FlowContext, FlowResult } from "./context.js";
import { drawImage, placeImage } from "./gemini.js";
import { altFromDescription, altFromRequest, documentTitle } from "./insert-image.js";
import { imagePrompt } from "./prompts.js";

/** Nano Banana Pro draws one image, which is embedded as a data URI by a deterministic insertion. */
export async function addImage(context: FlowContext, message: string, html: string): Promise<FlowResult> {
  context.emit({
    event: "status",
    data: { stage: "imaging", message: "Nano Banana Pro is drawing the image" },
  });
  const { image, text } = await drawImage(
    context,
    imagePrompt(message, documentTitle(html)),
    "The image model answered without an image",
  );
  const alt = altFromDescription(text) ?? altFromRequest(message);
  const updated = placeImage(html, { ...image, alt }, "The image");
  return { html: updated, summary: `Added an image: ${alt}`, model: NANO_BANANA_MODEL };
}
