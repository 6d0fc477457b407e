import { extractDocx } from "./docx.js";
import { UploadError, type UploadFailure } from "./errors.js";
import { extractPdf, type PdfLimits, type PdfText } from "./pdf.js";

export interface WorkerTask {
  kind: "docx" | "pdf";
  bytes: Uint8Array;
  pdf: PdfLimits;
  maxChars: number;
}

export type WorkerResult =
  { ok: true; text: PdfText } | { ok: false; failure: UploadFailure; message: string };

/**
 * Runs in a pool thread: unzips and parses the document there, so its decompressed form never reaches the
 * server's heap. Errors cross the thread boundary as data (classes do not survive structured cloning); anything
 * the parsers throw that is not an UploadError means the file could not be read.
 */
export default async function extractInWorker(task: WorkerTask): Promise<WorkerResult> {
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  try {
    const text =
      task.kind === "pdf" ? await extractPdf(bytes, task.pdf) : await extractDocx(bytes, task.maxChars);
    return { ok: true, text };
  } catch (error) {
    if (error instanceof UploadError) {
      return {
        ok: false,
        failure: { status: error.status, code: error.code } as UploadFailure,
        message: error.message,
      };
    }
    return {
      ok: false,
      failure: { status: 400, code: "corrupt_file" },
      message: `the ${task.kind === "pdf" ? "PDF" : ".docx"} is damaged and cannot be read`,
    };
  }
}
