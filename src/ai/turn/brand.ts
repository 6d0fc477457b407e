/**
 * A session's brand profile in the prompts. Every model gets the same text block; the logo goes along as an image
 * part the model can see, and documents place it through the token LOGO_TOKEN, which is replaced by the logo's data
 * URI once the model has answered (a model cannot copy a long base64 string reliably, nor should it spend tokens).
 */
import type { ContentBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { Part } from "@google/genai";
import type { BrandWithLogo } from "../../db/repo/brands.js";

export const LOGO_TOKEN = "AHB_BRAND_LOGO";

export type TurnBrand = BrandWithLogo | null;

/** Where the model is to use the attached logo: in the HTML it writes, or drawn into the image it makes. */
export type LogoUse = "document" | "image";

export function brandBlock(brand: BrandWithLogo, logoUse: LogoUse = "document"): string {
  const lines = [`<brand_profile name="${brand.name.replace(/"/g, "'")}">`];
  if (brand.colors.length > 0)
    lines.push(`Colours (use these, first is primary): ${brand.colors.join(", ")}`);
  if (brand.fonts.length > 0)
    lines.push(`Fonts (first for headings, then body; use local font stacks): ${brand.fonts.join(", ")}`);
  if (brand.voice) lines.push(`Voice and tone: ${brand.voice}`);
  if (brand.logo && logoUse === "document")
    lines.push(
      `The brand logo is the attached image. To show it in the document, write <img src="${LOGO_TOKEN}" alt="${brand.name.replace(/"/g, "'")} logo"> exactly, once, where a logo belongs (for example the header); it is replaced by the real image afterwards.`,
    );
  if (brand.logo && logoUse === "image")
    lines.push(
      "The brand logo is the attached image: place it, unaltered and small, in a corner of the image.",
    );
  lines.push("</brand_profile>");
  return lines.join("\n");
}

/** Gemini contents: the text alone, or the text with the brand block and the logo as an inline image. */
export function geminiContents(
  text: string,
  brand: TurnBrand,
  logoUse: LogoUse = "document",
): string | Part[] {
  if (!brand) return text;
  const parts: Part[] = [{ text: `${text}\n\n${brandBlock(brand, logoUse)}` }];
  if (brand.logo)
    parts.push({ inlineData: { mimeType: brand.logo.mimeType, data: brand.logo.data.toString("base64") } });
  return parts;
}

/** Claude content blocks for the brand: its text and the logo image; none without a profile. */
export function claudeBrandBlocks(brand: TurnBrand): ContentBlockParam[] {
  if (!brand) return [];
  const blocks: ContentBlockParam[] = [{ type: "text", text: brandBlock(brand) }];
  if (brand.logo)
    blocks.push({
      type: "image",
      source: {
        type: "base64",
        media_type: brand.logo.mimeType as "image/png" | "image/jpeg" | "image/webp" | "image/gif",
        data: brand.logo.data.toString("base64"),
      },
    });
  return blocks;
}

/** Puts the logo where the model wrote the token; unchanged without a logo. */
export function placeBrandLogo(html: string, brand: TurnBrand): string {
  if (!brand?.logo || !html.includes(LOGO_TOKEN)) return html;
  const uri = `data:${brand.logo.mimeType};base64,${brand.logo.data.toString("base64")}`;
  return html.split(LOGO_TOKEN).join(uri);
}
