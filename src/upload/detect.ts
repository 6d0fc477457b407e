import { unsupported } from "./errors.js";

export type UploadKind = "text" | "docx" | "pdf";

const KIND_BY_EXTENSION: Record<string, UploadKind> = {
  ".txt": "text",
  ".md": "text",
  ".docx": "docx",
  ".pdf": "pdf",
};

const PDF_MAGIC = Buffer.from("%PDF-");
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** A PDF header may follow some junk; the spec readers (and pdf.js) look within the first kilobyte. */
export const HEADER_WINDOW = 1024;

/**
 * What the upload is, judged by its extension (which must be allowed) and then by its first bytes (`head`, at
 * least HEADER_WINDOW of them when the file is that long). Deeper
 * structure (the docx parts, text decoding) is checked by the extractor of that kind.
 */
export function detectKind(extension: string, head: Buffer, allowed: readonly string[]): UploadKind {
  const kind = KIND_BY_EXTENSION[extension];
  if (!allowed.includes(extension) || !kind) {
    const list = allowed.filter((type) => type in KIND_BY_EXTENSION).join(", ");
    throw unsupported(`files of type '${extension || "(none)"}' are not accepted; allowed: ${list}`);
  }
  if (kind === "pdf" && head.subarray(0, HEADER_WINDOW).indexOf(PDF_MAGIC) === -1) {
    throw unsupported("the file is named .pdf but is not a PDF (no %PDF- header)");
  }
  if (kind === "docx" && !head.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
    throw unsupported("the file is named .docx but is not a Word document (not a ZIP container)");
  }
  return kind;
}
