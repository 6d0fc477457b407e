import { readFile } from "node:fs/promises";
import { setPriority } from "node:os";
import { extractDocx } from "./docx.js";
import { UploadError, type UploadFailure } from "./errors.js";
import { extractPdf, type PdfLimits, type PdfText } from "./pdf.js";

export interface WorkerTask {
  kind: "docx" | "pdf";
  /** The uploaded file, read here so that its bytes never sit in the server's main heap. */
  path: string;
  pdf: PdfLimits;
  maxChars: number;
}

export type WorkerResult =
  { ok: true; text: PdfText } | { ok: false; failure: UploadFailure; message: string };

/**
 * Extraction is background work next to the requests the main thread answers: on Linux a thread has its own nice
 * value (setpriority on the calling thread), so the scheduler runs the event loop first when both want the CPU.
 */
const BACKGROUND_NICE = 19;
setPriority(BACKGROUND_NICE);

/**
 * Runs in a pool thread: unzips and parses the document there, so its decompressed form never reaches the
 * server's heap. Errors cross the thread boundary as data (classes do not survive structured cloning); anything
 * the parsers throw that is not an UploadError means the file could not be read.
 */
export default async function extractInWorker(task: WorkerTask): Promise<WorkerResult> {
  try {
    const text =
      task.kind === "pdf"
        ? await extractPdf(await readFile(task.path), task.pdf)
        : await extractDocx(task.path, task.maxChars);
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
