import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import mammoth from "mammoth";
import yauzl from "yauzl";
import { corrupt, UploadError } from "./errors.js";

export interface ZipLimits {
  maxEntries: number;
  maxTotalUncompressed: number;
  /** Largest uncompressed/compressed ratio for an entry bigger than ratioFloorBytes. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxTotalUncompressed: 100 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

const DOCUMENT_PART = "word/document.xml";

const bomb = (message: string) =>
  new UploadError({ status: 422, code: "extraction_limit" }, `the .docx was refused: ${message}`);

interface EntrySizes {
  fileName: string;
  compressedSize: number;
  uncompressedSize: number;
}

/** Pure check of the central directory's numbers against the limits; throws the first violation. */
export function checkZipEntries(entries: readonly EntrySizes[], limits: ZipLimits): void {
  if (entries.length > limits.maxEntries) bombThrow(`it has more than ${limits.maxEntries} parts`);
  let total = 0;
  for (const entry of entries) {
    total += entry.uncompressedSize;
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > limits.ratioFloorBytes && ratio > limits.maxRatio) {
      bombThrow(`part ${entry.fileName} expands ${Math.round(ratio)}:1 (a zip bomb?)`);
    }
  }
  if (total > limits.maxTotalUncompressed) {
    bombThrow(`it would expand to ${total} bytes, over the limit of ${limits.maxTotalUncompressed}`);
  }
  if (!entries.some((entry) => entry.fileName === DOCUMENT_PART)) {
    throw new UploadError(
      { status: 415, code: "unsupported_type" },
      "the file is a ZIP archive but not a Word document (no word/document.xml)",
    );
  }
}

function bombThrow(message: string): never {
  throw bomb(message);
}

/**
 * Reads the central directory with yauzl (nothing inflated), applies the limits, then inflates every part once
 * into a byte counter: yauzl's validateEntrySizes stops a part at the first byte past its declared size, so a
 * directory that lies about sizes is caught before mammoth (whose zip reader trusts the data) ever sees it.
 */
export async function inspectDocx(bytes: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true });
  } catch {
    throw corrupt("the .docx is damaged (its ZIP directory cannot be read)");
  }
  try {
    const entries: yauzl.Entry[] = [];
    if (zip.entryCount > limits.maxEntries) bombThrow(`it has more than ${limits.maxEntries} parts`);
    for await (const entry of zip.eachEntry()) entries.push(entry);
    checkZipEntries(entries, limits);
    for (const entry of entries) {
      if (entry.fileName.endsWith("/")) continue;
      await pipeline(await zip.openReadStreamPromise(entry), discard());
    }
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw corrupt("the .docx is damaged (a part does not match its declared size or cannot be read)");
  } finally {
    zip.close();
  }
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

export async function extractDocx(bytes: Buffer): Promise<string> {
  await inspectDocx(bytes);
  try {
    const result = await mammoth.extractRawText({ buffer: bytes });
    return result.value;
  } catch {
    throw corrupt("the .docx could not be read as a Word document");
  }
}
