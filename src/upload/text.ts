import { unsupported } from "./errors.js";

const UTF16_BOMS: [number, number, "utf-16le" | "utf-16be"][] = [
  [0xff, 0xfe, "utf-16le"],
  [0xfe, 0xff, "utf-16be"],
];

/**
 * Decodes a .txt/.md upload: UTF-16 when it starts with its byte-order mark; otherwise a NUL byte anywhere means
 * binary (refused); then UTF-8 when valid, else Windows-1252, which maps every byte (a superset of latin1's
 * printable range), so old editors' files still read correctly.
 */
export function decodeText(bytes: Buffer): string {
  const utf16 = UTF16_BOMS.find(([first, second]) => bytes[0] === first && bytes[1] === second);
  if (utf16) return new TextDecoder(utf16[2]).decode(bytes);
  if (bytes.includes(0)) throw unsupported("the file is binary, not text");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}
