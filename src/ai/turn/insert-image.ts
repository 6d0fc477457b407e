/** Deterministic placement of a generated image into a document: pure string work, no model involved. */

const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_ALT_LENGTH = 160;

export interface ImageToInsert {
  mimeType: string;
  /** Base64 image bytes. */
  data: string;
  alt: string;
  /** Shown under the image; the alt text when absent. */
  caption?: string;
}

export class UnsupportedImageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "UnsupportedImageError";
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function imageFigure(image: ImageToInsert): string {
  if (!IMAGE_TYPES.has(image.mimeType))
    throw new UnsupportedImageError(`unsupported image type ${image.mimeType}`);
  if (!BASE64.test(image.data)) throw new UnsupportedImageError("image data is not base64");
  const alt = escapeHtml(image.alt);
  const caption = escapeHtml(image.caption ?? image.alt);
  return (
    `<figure class="ahb-image" style="margin:1.5rem auto;text-align:center;max-width:100%">` +
    `<img src="data:${image.mimeType};base64,${image.data}" alt="${alt}" style="max-width:100%;height:auto">` +
    `<figcaption style="font-size:0.9em;opacity:0.8">${caption}</figcaption></figure>`
  );
}

/**
 * After the first top-level heading (the image illustrates the document's subject) when there is one, else at
 * the end of <body>, else at the end of the document.
 */
export function insertImage(html: string, image: ImageToInsert): string {
  const figure = imageFigure(image);
  const heading = /<\/h1\s*>/i.exec(html);
  if (heading) return splice(html, heading.index + heading[0].length, `\n${figure}`);
  const bodyEnd = html.search(/<\/body\s*>/i);
  if (bodyEnd !== -1) return splice(html, bodyEnd, `${figure}\n`);
  return `${html}\n${figure}`;
}

function splice(html: string, at: number, text: string): string {
  return html.slice(0, at) + text + html.slice(at);
}

/**
 * The caption and alt text from the image model's own description of what it drew (the first sentence of its
 * text), not the user's instruction; undefined when it said nothing usable.
 */
export function altFromDescription(text: string): string | undefined {
  const plain = text
    .replace(/[*_`#>]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const sentence = /^.*?[.!?](?=\s|$)/.exec(plain)?.[0] ?? plain;
  if (sentence.length < 3) return undefined;
  return sentence.length > MAX_ALT_LENGTH ? `${sentence.slice(0, MAX_ALT_LENGTH - 1).trimEnd()}…` : sentence;
}

/** A short alt text from the user's request: "add an illustration of a lighthouse at dusk" -> that phrase. */
export function altFromRequest(message: string): string {
  const text = message.replace(/\s+/g, " ").trim();
  const shortened = text.length > MAX_ALT_LENGTH ? `${text.slice(0, MAX_ALT_LENGTH - 1).trimEnd()}…` : text;
  return shortened || "Generated image";
}

export function documentTitle(html: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  const title = match?.[1]?.replace(/\s+/g, " ").trim();
  return title || undefined;
}
