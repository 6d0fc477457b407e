import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { tempDir } from "../helpers/env.js";
import { UploadError } from "../../src/upload/errors.js";
import { createExtractionPool } from "../../src/upload/pool.js";
import { DEFAULT_PDF_LIMITS } from "../../src/upload/pdf.js";
import { buildDocx, buildLargeDocx, buildPdf } from "./fixtures.js";

const LIMITS = { workers: 1, queue: 0, timeoutMs: 20_000, heapMb: 64 };
const docxTask = { kind: "docx", pdf: DEFAULT_PDF_LIMITS, maxChars: 200_000 } as const;

function isUploadError(status: number, code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof UploadError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    return true;
  };
}

const dir = tempDir("ahb-pool-");
after(() => dir.remove());
let written = 0;
/** The pool reads uploads from files, as the route stores them. */
function stored(bytes: Buffer): string {
  written += 1;
  const path = `${dir.path}/upload-${written}`;
  writeFileSync(path, bytes);
  return path;
}

describe("extraction worker pool", () => {
  it("reads a .docx and a .pdf in a worker thread", async () => {
    const pool = createExtractionPool(LIMITS);
    try {
      const docx = await pool.extract(docxTask, stored(await buildDocx(["Hello from a worker"])));
      assert.equal(docx.text, "Hello from a worker");
      const pdf = await pool.extract(
        { ...docxTask, kind: "pdf" },
        stored(await buildPdf(["PDF in a worker"])),
      );
      assert.match(pdf.text, /PDF in a worker/);
    } finally {
      await pool.close();
    }
  });

  it("runs extraction at the lowest CPU priority, so the event loop is scheduled first", async () => {
    const pool = createExtractionPool(LIMITS);
    const niceOfThreads = () =>
      readdirSync("/proc/self/task").map((task) => {
        const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      });
    try {
      await pool.extract(docxTask, stored(await buildDocx(["wakes a worker"])));
      assert.ok(niceOfThreads().includes(19), `nice values: ${niceOfThreads().join(" ")}`);
      assert.equal(niceOfThreads()[0], 0, "the main thread keeps its priority");
    } finally {
      await pool.close();
    }
  });

  it("stops at maxChars without reading the rest of a large document", async () => {
    const pool = createExtractionPool(LIMITS);
    try {
      const result = await pool.extract({ ...docxTask, maxChars: 1000 }, stored(buildLargeDocx(2_000_000)));
      assert.equal(result.truncated, true);
      assert.equal(result.text.length, 1001);
    } finally {
      await pool.close();
    }
  });

  it("terminates a worker past the wall-clock cap: 422 extraction_limit", async () => {
    const pool = createExtractionPool({ ...LIMITS, timeoutMs: 1 });
    try {
      await assert.rejects(pool.extract(docxTask, stored(buildLargeDocx(2_000_000))), (error: unknown) => {
        isUploadError(422, "extraction_limit")(error);
        assert.match((error as Error).message, /longer than 0\.001 s/);
        return true;
      });
    } finally {
      await pool.close();
    }
  });

  it("refuses with 503 + Retry-After when every worker is busy and the queue is full", async () => {
    const pool = createExtractionPool({ ...LIMITS, queue: 1 });
    try {
      const large = stored(buildLargeDocx(20_000_000));
      const first = pool.extract(docxTask, large);
      const queued = pool.extract(docxTask, large);
      await assert.rejects(pool.extract(docxTask, large), (error: unknown) => {
        isUploadError(503, "extraction_busy")(error);
        assert.equal((error as UploadError).headers?.["Retry-After"], "20");
        return true;
      });
      assert.equal((await first).truncated, true);
      assert.equal((await queued).truncated, true);
    } finally {
      await pool.close();
    }
  });
});
