import { open, readFile } from "node:fs/promises";
import { detectKind, HEADER_WINDOW, type UploadKind } from "./detect.js";
import { UploadError } from "./errors.js";
import { extensionOf, sanitizeFilename } from "./filename.js";
import { type PdfLimits, DEFAULT_PDF_LIMITS } from "./pdf.js";
import type { Extractor } from "./pool.js";
import { decodeText } from "./text.js";

export const MAX_EXTRACTED_CHARS = 200_000;

export interface UploadResult {
  filename: string;
  /** The accepted extension, e.g. ".pdf". */
  type: string;
  chars: number;
  truncated: boolean;
  text: string;
}

export interface ExtractOptions {
  allowedTypes: readonly string[];
  maxChars?: number;
  pdf?: PdfLimits;
  /** Where .docx and .pdf are parsed: worker threads, off the event loop. */
  extractor: Extractor;
}

/** An upload as received: its bytes wait in a file, so only the part a step needs is read into memory. */
export interface StoredUpload {
  filename: string;
  path: string;
  size: number;
}

async function headOf(path: string): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(HEADER_WINDOW), 0, HEADER_WINDOW, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function textOf(kind: UploadKind, path: string, options: ExtractOptions) {
  if (kind === "text") return { text: decodeText(await readFile(path)), truncated: false };
  const task = {
    kind,
    pdf: options.pdf ?? DEFAULT_PDF_LIMITS,
    maxChars: options.maxChars ?? MAX_EXTRACTED_CHARS,
  };
  return options.extractor.extract(task, path);
}

/** Cuts at maxChars without splitting a surrogate pair. */
export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const end = /[\uD800-\uDBFF]/.test(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return { text: text.slice(0, end), truncated: true };
}

/** Checks what an uploaded file is (extension and content) and extracts its text, capped. */
export async function extractUpload(upload: StoredUpload, options: ExtractOptions): Promise<UploadResult> {
  const filename = sanitizeFilename(upload.filename);
  if (upload.size === 0) {
    throw new UploadError({ status: 400, code: "empty_file" }, "the file is empty");
  }
  const type = extensionOf(filename);
  const kind = detectKind(type, await headOf(upload.path), options.allowedTypes);
  const extracted = await textOf(kind, upload.path, options);
  const capped = capText(extracted.text.replace(/^\uFEFF/, ""), options.maxChars ?? MAX_EXTRACTED_CHARS);
  return {
    filename,
    type,
    chars: capped.text.length,
    truncated: extracted.truncated || capped.truncated,
    text: capped.text,
  };
}
