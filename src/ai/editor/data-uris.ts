/**
 * Base64 data URIs (embedded images, fonts) are swapped for short placeholders before a document goes to a
 * model, so it neither pays for nor echoes megabytes of base64, and swapped back afterwards.
 */
export const PLACEHOLDER_PREFIX = "AHB_DATA_URI_";

const DATA_URI = /data:[\w.+-]+\/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,[A-Za-z0-9+/]+={0,2}/gi;
const PLACEHOLDER = new RegExp(`${PLACEHOLDER_PREFIX}(\\d+)(?!\\d)`, "g");

export interface ProtectedHtml {
  html: string;
  /** Puts the original URIs back wherever their placeholders occur, also where the model copied one. */
  restore(edited: string): string;
  count: number;
}

export function protectDataUris(html: string): ProtectedHtml {
  // Numbering starts above any placeholder-like text the document already holds, so restore() never touches it.
  let next = highestPlaceholderNumber(html) + 1;
  const originals = new Map<string, string>();
  const swapped = html.replace(DATA_URI, (uri) => {
    const number = String(next++);
    originals.set(number, uri);
    return PLACEHOLDER_PREFIX + number;
  });
  return {
    html: swapped,
    count: originals.size,
    restore: (edited) =>
      edited.replace(PLACEHOLDER, (token, number: string) => originals.get(number) ?? token),
  };
}

/** The length of `html` with its base64 data URIs left out: the size of what was written, not of the images. */
export function lengthWithoutDataUris(html: string): number {
  let length = html.length;
  for (const [uri] of html.matchAll(DATA_URI)) length -= uri.length;
  return length;
}

/** The placeholder tokens that occur in `text`. */
export function placeholderTokens(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(PLACEHOLDER), ([token]) => token));
}

function highestPlaceholderNumber(text: string): number {
  let highest = 0;
  for (const [, number] of text.matchAll(PLACEHOLDER)) highest = Math.max(highest, Number(number));
  return highest;
}
