import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import sax from "sax";
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
 * directory that lies about sizes is caught before the text is read. Resolves to the document part's entry.
 */
async function inspectDocx(zip: yauzl.ZipFile, limits: ZipLimits): Promise<yauzl.Entry> {
  const entries: yauzl.Entry[] = [];
  if (zip.entryCount > limits.maxEntries) bombThrow(`it has more than ${limits.maxEntries} parts`);
  for await (const entry of zip.eachEntry()) entries.push(entry);
  checkZipEntries(entries, limits);
  for (const entry of entries) {
    if (entry.fileName.endsWith("/")) continue;
    await pipeline(await zip.openReadStreamPromise(entry), discard());
  }
  return entries.find((entry) => entry.fileName === DOCUMENT_PART) as yauzl.Entry;
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

export interface DocxText {
  text: string;
  /** True when reading stopped at maxChars. */
  truncated: boolean;
}

/** What a run element adds to the plain text; paragraphs end with a blank line, as Word's own "save as text". */
const TEXT_OF_ELEMENT: Record<string, string> = { "w:tab": "\t", "w:br": "\n", "w:cr": "\n" };

/** Signals that enough text was read; not an error of the document. */
class Enough extends Error {}

/**
 * Streams word/document.xml through a strict SAX parser and keeps only the visible text (w:t, tabs, breaks,
 * paragraph ends), stopping once maxChars are read: memory stays a few chunks whatever the document's size,
 * where a DOM reader would hold the whole inflated XML (hundreds of MB for a 40 MB upload).
 */
async function readDocumentText(zip: yauzl.ZipFile, entry: yauzl.Entry, maxChars: number): Promise<DocxText> {
  const parser = sax.parser(true);
  const parts: string[] = [];
  let length = 0;
  let inText = false;
  const push = (text: string) => {
    parts.push(text);
    length += text.length;
    if (length > maxChars) throw new Enough();
  };
  parser.onopentag = (tag) => {
    if (tag.name === "w:t") inText = true;
    const text = TEXT_OF_ELEMENT[tag.name];
    if (text) push(text);
  };
  parser.onclosetag = (name) => {
    if (name === "w:t") inText = false;
    else if (name === "w:p") push("\n\n");
  };
  parser.ontext = (text) => {
    if (inText) push(text);
  };
  const stream = await zip.openReadStreamPromise(entry);
  stream.setEncoding("utf8");
  try {
    for await (const chunk of stream) parser.write(chunk as string);
    parser.close();
  } catch (error) {
    if (!(error instanceof Enough)) throw error;
    stream.destroy();
    // One character past the cap lets the caller cut without splitting a surrogate pair.
    return { text: parts.join("").slice(0, maxChars + 1), truncated: true };
  }
  return { text: parts.join("").trimEnd(), truncated: false };
}

/** Checks the container in the file at `path` against the zip limits, then reads the text of its main part
 * (at most maxChars). */
export async function extractDocx(
  path: string,
  maxChars: number,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<DocxText> {
  let zip: yauzl.ZipFile;
  try {
    // Read through the file descriptor, a part at a time: the archive itself is never held in memory.
    zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: true, autoClose: false });
  } catch {
    throw corrupt("the .docx is damaged (its ZIP directory cannot be read)");
  }
  try {
    const documentPart = await inspectDocx(zip, limits);
    return await readDocumentText(zip, documentPart, maxChars);
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw corrupt("the .docx is damaged (a part does not match its declared size, or its text is not XML)");
  } finally {
    zip.close();
  }
}
