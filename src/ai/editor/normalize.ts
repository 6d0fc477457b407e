/**
 * Whitespace-insensitive view of a text, for locating quotes whose indentation or line breaks differ from the
 * document. Every run of whitespace becomes one space, except runs next to a tag bracket (`>  <`, `<p>\n  Hi`)
 * and at either end, which disappear: formatting there is not something a model reliably reproduces.
 */
export interface NormalizedText {
  text: string;
  /** offsets[i] = index in the original text of normalized character i. */
  offsets: Int32Array;
}

const SPACE = 0x20;
const OPEN_BRACKET = 0x3c;
const CLOSE_BRACKET = 0x3e;
// Uint16Array holds code units in the platform's byte order, little-endian on every platform Node supports.
const UTF16 = new TextDecoder("utf-16le");

function isHtmlWhitespace(code: number): boolean {
  return code === SPACE || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

export function normalizeWhitespace(source: string): NormalizedText {
  const codes = new Uint16Array(source.length);
  const offsets = new Int32Array(source.length);
  let length = 0;
  let index = 0;
  while (index < source.length) {
    const code = source.charCodeAt(index);
    if (!isHtmlWhitespace(code)) {
      codes[length] = code;
      offsets[length++] = index++;
      continue;
    }
    const runStart = index;
    while (index < source.length && isHtmlWhitespace(source.charCodeAt(index))) index++;
    const before = length > 0 ? codes[length - 1] : undefined;
    const after = index < source.length ? source.charCodeAt(index) : undefined;
    if (before !== undefined && after !== undefined && before !== CLOSE_BRACKET && after !== OPEN_BRACKET) {
      codes[length] = SPACE;
      offsets[length++] = runStart;
    }
  }
  return { text: UTF16.decode(codes.subarray(0, length)), offsets: offsets.slice(0, length) };
}

/** Original [start, end) of the normalized range [from, to), without whitespace at either edge. */
export function originalSpan(normalized: NormalizedText, from: number, to: number): [number, number] {
  let start = from;
  let end = to;
  while (start < end && normalized.text.charCodeAt(start) === SPACE) start++;
  while (end > start && normalized.text.charCodeAt(end - 1) === SPACE) end--;
  const first = normalized.offsets[start] ?? 0;
  const last = normalized.offsets[end - 1] ?? first - 1;
  return [first, last + 1];
}
