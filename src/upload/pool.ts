import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { Config } from "../config/schema.js";
import { packageRoot } from "../shared/package-root.js";
import { UploadError } from "./errors.js";
import type { PdfText } from "./pdf.js";
import type { WorkerResult, WorkerTask } from "./extract-worker.js";

export interface ExtractionLimits {
  /** Extractions running at once (one worker thread each). */
  workers: number;
  /** Extractions allowed to wait for a worker; more are refused with 503. */
  queue: number;
  timeoutMs: number;
  heapMb: number;
}

export type ExtractionTask = Omit<WorkerTask, "path">;

export interface Extractor {
  /** Reads the document in the file at `path` (the worker opens it: its bytes never enter this thread's heap). */
  extract(task: ExtractionTask, path: string): Promise<PdfText>;
  close(): Promise<void>;
}

export function extractionLimits(config: Config): ExtractionLimits {
  return {
    workers: config.EXTRACTION_WORKERS,
    queue: config.EXTRACTION_QUEUE,
    timeoutMs: config.EXTRACTION_TIMEOUT * 1000,
    heapMb: config.EXTRACTION_MEMORY_MB,
  };
}

/** Under tsx (tests, bench) this module is the .ts source beside the worker's; built, the worker is tsc's output. */
const WORKER_FILE = import.meta.url.endsWith(".ts")
  ? fileURLToPath(new URL("./extract-worker.ts", import.meta.url))
  : join(packageRoot(), "dist", "upload", "extract-worker.js");

/** Seconds a client is told to wait when the queue is full: one extraction's worst case. */
const retryAfterSeconds = (limits: ExtractionLimits) => String(Math.ceil(limits.timeoutMs / 1000));

const overLimit = (message: string) => new UploadError({ status: 422, code: "extraction_limit" }, message);

/**
 * Runs docx/pdf extraction in a piscina pool. Admission is counted here rather than with piscina's maxQueue so
 * that the wall-clock cap starts when a worker takes the task, not while it waits: waiting is bounded by the
 * queue length, running by the cap. Over the cap or the heap limit the worker is terminated (piscina replaces it).
 */
export function createExtractionPool(limits: ExtractionLimits): Extractor {
  const pool = new Piscina<WorkerTask, WorkerResult>({
    filename: WORKER_FILE,
    minThreads: 0,
    maxThreads: limits.workers,
    idleTimeout: 30_000,
    resourceLimits: {
      maxOldGenerationSizeMb: limits.heapMb,
      maxYoungGenerationSizeMb: Math.max(4, Math.floor(limits.heapMb / 8)),
      codeRangeSizeMb: 16,
    },
  });
  let running = 0;
  const waiting: (() => void)[] = [];

  const acquire = async (): Promise<void> => {
    if (running < limits.workers) {
      running += 1;
      return;
    }
    if (waiting.length >= limits.queue) {
      throw new UploadError(
        { status: 503, code: "extraction_busy" },
        "too many documents are being read right now; try again shortly",
        { "Retry-After": retryAfterSeconds(limits) },
      );
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };

  const runOne = async (task: ExtractionTask, path: string): Promise<PdfText> => {
    let result: WorkerResult;
    try {
      result = await pool.run({ ...task, path }, { signal: AbortSignal.timeout(limits.timeoutMs) });
    } catch (error) {
      throw workerFailure(error, task.kind, limits);
    }
    if (!result.ok) throw new UploadError(result.failure, result.message);
    return result.text;
  };

  return {
    async extract(task, path) {
      await acquire();
      try {
        return await runOne(task, path);
      } finally {
        release();
      }
    },
    close: () => pool.destroy(),
  };
}

/** Limits become 422; any other failure of the pool itself (a missing worker file) stays a server error. */
function workerFailure(error: unknown, kind: WorkerTask["kind"], limits: ExtractionLimits): unknown {
  const { name, code } = error as { name?: string; code?: string };
  const what = kind === "pdf" ? "PDF" : ".docx";
  if (name === "AbortError") {
    return overLimit(`reading the ${what} took longer than ${limits.timeoutMs / 1000} s and was stopped`);
  }
  if (code === "ERR_WORKER_OUT_OF_MEMORY") {
    return overLimit(`reading the ${what} needs more than the ${limits.heapMb} MB allowed and was stopped`);
  }
  return error;
}
