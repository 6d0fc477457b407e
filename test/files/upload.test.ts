import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, watch } from "node:fs";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { startServer, type RunningServer } from "../../src/server/listen.js";
import { UploadError } from "../../src/upload/errors.js";
import { extractPdf } from "../../src/upload/pdf.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { tempDir } from "../helpers/env.js";
import { freePort } from "../helpers/net.js";
import { buildDocx, buildPdf, declareUncompressedSize, exeBytes, seedDocument } from "./fixtures.js";

const ALICE = { "X-Forwarded-User": "alice" };

interface UploadBody {
  filename?: string;
  type?: string;
  chars?: number;
  truncated?: boolean;
  text?: string;
  error?: { code: string; message: string };
}

async function upload(
  t: TestApp,
  name: string,
  bytes: Uint8Array,
  fields: Record<string, string> = {},
): Promise<{ status: number; body: UploadBody }> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const response = await t.app.request(
    "/api/upload",
    { method: "POST", body: form, headers: ALICE },
    fromPeer("127.0.0.1"),
  );
  return { status: response.status, body: (await response.json()) as UploadBody };
}

describe("POST /api/upload", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp({ MAX_UPLOAD_SIZE: String(1024 * 1024) });
  });
  after(() => t.close());

  it("extracts the text of a .docx built on the fly", async () => {
    const docx = await buildDocx(["Quarterly report", "Revenue grew by 12 % — année record"]);
    const { status, body } = await upload(t, "report.docx", docx);
    assert.equal(status, 200);
    assert.equal(body.filename, "report.docx");
    assert.equal(body.type, ".docx");
    assert.equal(body.truncated, false);
    assert.match(body.text ?? "", /Quarterly report/);
    assert.match(body.text ?? "", /année record/);
    assert.equal(body.chars, body.text?.length);
  });

  it("extracts every page of a .pdf built with pdf-lib", async () => {
    const pdf = await buildPdf(["First page says hello", "Second page says goodbye"]);
    const { status, body } = await upload(t, "slides.pdf", pdf);
    assert.equal(status, 200);
    assert.equal(body.type, ".pdf");
    assert.match(body.text ?? "", /First page says hello/);
    assert.match(body.text ?? "", /Second page says goodbye/);
  });

  it("reads UTF-8 text and falls back to Windows-1252 for a latin1 .txt", async () => {
    const utf8 = await upload(t, "notes.md", Buffer.from("# Café ✓\n", "utf8"));
    assert.equal(utf8.status, 200);
    assert.equal(utf8.body.text, "# Café ✓\n");
    const latin1 = await upload(t, "old.txt", Buffer.from("Crème brûlée à la façon\n", "latin1"));
    assert.equal(latin1.status, 200);
    assert.equal(latin1.body.text, "Crème brûlée à la façon\n");
  });

  it("caps the extracted text and says it was truncated", async () => {
    const { status, body } = await upload(t, "long.txt", Buffer.from("abcdefghij".repeat(30_000)));
    assert.equal(status, 200);
    assert.equal(body.chars, 200_000);
    assert.equal(body.text?.length, 200_000);
    assert.equal(body.truncated, true);
  });

  it("refuses a renamed executable with 415, whatever its extension", async () => {
    for (const name of ["invoice.pdf", "readme.txt", "letter.docx"]) {
      const { status, body } = await upload(t, name, exeBytes());
      assert.equal(status, 415, name);
      assert.equal(body.error?.code, "unsupported_type");
    }
  });

  it("refuses an extension that is not allowed with 415 and names the allowed ones", async () => {
    const { status, body } = await upload(t, "tool.exe", exeBytes());
    assert.equal(status, 415);
    assert.match(body.error?.message ?? "", /\.txt.*\.pdf|\.pdf.*\.txt/);
  });

  it("refuses a ZIP that is not a Word document with 415", async () => {
    const JSZip = (await import("jszip")).default;
    const zip = new JSZip();
    zip.file("hello.txt", "hi");
    const bytes = await zip.generateAsync({ type: "nodebuffer" });
    const { status, body } = await upload(t, "archive.docx", bytes);
    assert.equal(status, 415);
    assert.match(body.error?.message ?? "", /word\/document\.xml/);
  });

  it("refuses a .docx zip bomb before its text is read", async () => {
    const zeros = new Uint8Array(32 * 1024 * 1024);
    const bombDocx = await buildDocx(["tiny"], { "word/media/padding.bin": zeros });
    assert.ok(bombDocx.length < 1024 * 1024, "the bomb fits under the upload limit");
    const ratio = await upload(t, "bomb.docx", bombDocx);
    assert.equal(ratio.status, 422);
    assert.equal(ratio.body.error?.code, "extraction_limit");
    assert.match(ratio.body.error?.message ?? "", /expands \d+:1/);

    const declared = declareUncompressedSize(
      await buildDocx(["tiny"], { "word/big.xml": new TextEncoder().encode("<x/>".repeat(1000)) }),
      "word/big.xml",
      1024 * 1024 * 1024,
    );
    const total = await upload(t, "declared.docx", declared);
    assert.equal(total.status, 422);
    assert.match(total.body.error?.message ?? "", /expands|would expand/);
  });

  it("refuses a .docx whose directory understates a part's size (caught while inflating)", async () => {
    const lying = declareUncompressedSize(
      await buildDocx(["tiny"], { "word/big.xml": new TextEncoder().encode("<x/>".repeat(1000)) }),
      "word/big.xml",
      10,
    );
    const { status, body } = await upload(t, "lying.docx", lying);
    assert.equal(status, 400);
    assert.equal(body.error?.code, "corrupt_file");
  });

  it("answers 400 for an empty file and for a damaged PDF", async () => {
    const empty = await upload(t, "empty.txt", new Uint8Array());
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error?.code, "empty_file");
    const damaged = await upload(t, "broken.pdf", Buffer.from("%PDF-1.7\nthis is not really a pdf"));
    assert.equal(damaged.status, 400);
    assert.equal(damaged.body.error?.code, "corrupt_file");
  });

  it("answers 400 when there is no file field, 415 when the body is not multipart", async () => {
    const form = new FormData();
    form.append("sessionId", "x");
    const noFile = await t.app.request("/api/upload", { method: "POST", body: form });
    assert.equal(noFile.status, 400);
    const json = await t.app.request("/api/upload", { method: "POST", body: "{}" });
    assert.equal(json.status, 415);
    assert.match(((await json.json()) as UploadBody).error?.message ?? "", /multipart/);
  });

  it("sanitises the file name (no directories, no bidi overrides) and keeps Unicode", async () => {
    const { status, body } = await upload(t, "../../etc/\u202Epass<wd>.txt", Buffer.from("hi"));
    assert.equal(status, 200);
    assert.equal(body.filename, "pass_wd_.txt");
    const unicode = await upload(t, "Résumé 日本.md", Buffer.from("hi"));
    assert.equal(unicode.body.filename, "Résumé 日本.md");
  });

  it("checks the owner of an optional sessionId", async () => {
    const own = seedDocument(t.deps.db, "alice", "Mine", []);
    const other = seedDocument(t.deps.db, "bob", "Theirs", []);
    assert.equal((await upload(t, "a.txt", Buffer.from("hi"), { sessionId: own.sessionId })).status, 200);
    const foreign = await upload(t, "a.txt", Buffer.from("hi"), { sessionId: other.sessionId });
    assert.equal(foreign.status, 404);
    assert.equal((await upload(t, "a.txt", Buffer.from("hi"), { sessionId: "nope" })).status, 400);
  });

  it("accepts a file of exactly MAX_UPLOAD_SIZE bytes and refuses one byte more with 413", async () => {
    const limit = 1024 * 1024;
    const exact = await upload(t, "exact.txt", Buffer.alloc(limit, 0x61));
    assert.equal(exact.status, 200);
    assert.equal(exact.body.chars, 200_000);
    const over = await upload(t, "over.txt", Buffer.alloc(limit + 1, 0x61));
    assert.equal(over.status, 413);
    assert.equal(over.body.error?.code, "file_too_large");
  });

  it("refuses a declared Content-Length over the limit before reading the body", async () => {
    const response = await t.app.request("/api/upload", {
      method: "POST",
      headers: {
        "Content-Type": "multipart/form-data; boundary=x",
        "Content-Length": String(50 * 1024 * 1024),
      },
      body: "--x--",
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as UploadBody).error?.code, "file_too_large");
  });
});

describe("POST /api/upload keeps the file out of the server's heap", () => {
  const scratch = tempDir("ahb-upload-tmp-");
  const previous = process.env.TMPDIR;
  let t: TestApp;
  before(() => {
    t = createTestApp({ MAX_UPLOAD_SIZE: String(1024 * 1024) });
    process.env.TMPDIR = scratch.path;
  });
  after(() => {
    t.close();
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    scratch.remove();
  });

  it("streams the file to a private temporary file and removes it whatever the answer", async () => {
    // Under tsx the worker threads keep their compile cache in TMPDIR too.
    const uploads = (names: readonly string[]) => names.filter((name) => name.startsWith("ahb-upload-"));
    const seen: string[] = [];
    const watcher = watch(scratch.path, (_event, name) => {
      if (name && !seen.includes(name)) seen.push(name);
    });
    try {
      const docx = await upload(t, "report.docx", await buildDocx(["Kept on disk, not in memory"]));
      assert.equal(docx.status, 200);
      assert.match(docx.body.text ?? "", /Kept on disk/);
      assert.equal((await upload(t, "broken.pdf", Buffer.from("%PDF-1.7 garbage"))).status, 400);
      assert.equal((await upload(t, "over.txt", Buffer.alloc(1024 * 1024 + 1, 0x61))).status, 413);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      watcher.close();
    }
    assert.equal(uploads(seen).length, 3, `temporary files seen: ${seen.join(", ")}`);
    assert.deepEqual(uploads(readdirSync(scratch.path)), []);
  });
});

describe("POST /api/upload when the disk under the temporary directory is full", () => {
  const mountPoint = tempDir("ahb-upload-full-");
  const previous = process.env.TMPDIR;
  let t: TestApp;
  let mounted = false;
  before(() => {
    // A 1 MB filesystem of its own (root only); the rest of the machine's disk is never filled.
    mounted =
      spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "ahb-test-hostile", mountPoint.path]).status === 0;
    t = createTestApp({ MAX_UPLOAD_SIZE: String(4 * 1024 * 1024) });
    process.env.TMPDIR = mountPoint.path;
  });
  after(() => {
    t.close();
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (mounted) spawnSync("umount", [mountPoint.path]);
    mountPoint.remove();
  });

  it("answers 507 storage_full, leaves nothing behind and takes the next upload once there is room", async (context) => {
    if (!mounted) {
      if (process.env.AHB_CI || process.env.AHB_REQUIRE_DOCKER) assert.fail("mounting a tmpfs needs root");
      context.skip("mounting a tmpfs needs root");
      return;
    }
    const full = await upload(t, "big.txt", Buffer.alloc(2 * 1024 * 1024, 0x61));
    assert.equal(full.status, 507);
    assert.equal(full.body.error?.code, "storage_full");
    assert.match(full.body.error?.message ?? "", /disk is full/);
    assert.deepEqual(readdirSync(mountPoint.path), []);
    assert.equal((await upload(t, "small.txt", Buffer.from("fits"))).status, 200);
  });
});

describe("PDF extraction limits", () => {
  it("reads only the first maxPages pages and says the text is truncated", async () => {
    const pdf = await buildPdf(["page one", "page two", "page three"]);
    const result = await extractPdf(pdf, { maxPages: 2, timeoutMs: 10_000 });
    assert.equal(result.truncated, true);
    assert.match(result.text, /page two/);
    assert.doesNotMatch(result.text, /page three/);
  });

  it("stops a read that runs past its time limit with 422", async () => {
    const pdf = await buildPdf(Array.from({ length: 300 }, (_, i) => `page ${i + 1} `.repeat(20)));
    await assert.rejects(extractPdf(pdf, { maxPages: 1000, timeoutMs: 1 }), (error: unknown) => {
      assert.ok(error instanceof UploadError);
      assert.equal(error.status, 422);
      assert.match(error.message, /longer than 0\.001 s/);
      return true;
    });
  });
});

describe("POST /api/upload over a real socket", () => {
  let t: TestApp;
  let server: RunningServer;
  before(async () => {
    t = createTestApp({ MAX_UPLOAD_SIZE: String(1024 * 1024), PORT: String(await freePort()) });
    server = await startServer(t.deps, "127.0.0.1");
  });
  after(async () => {
    await server.close();
    t.close();
  });

  it("answers 413 while a 200 MB chunked body is still streaming, with flat memory", async (context) => {
    const bodySize = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakArrayBuffers = before.arrayBuffers;
    const sample = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers);
    }, 20);

    const result = await new Promise<{ status: number; sentWhenAnswered: number; body: string }>(
      (resolve, reject) => {
        const boundary = "ahbboundary";
        const req = httpRequest({
          host: "127.0.0.1",
          port: server.port,
          method: "POST",
          path: "/api/upload",
          headers: {
            "Content-Type": `multipart/form-data; boundary=${boundary}`,
            "Transfer-Encoding": "chunked",
          },
        });
        let sent = 0;
        let answered = false;
        req.on("response", (response) => {
          answered = true;
          const sentWhenAnswered = sent;
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (data: string) => (body += data));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, sentWhenAnswered, body }));
        });
        req.on("error", (error) => (answered ? undefined : reject(error)));
        req.write(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n` +
            "Content-Type: text/plain\r\n\r\n",
        );
        const pump = () => {
          while (!answered && sent < bodySize) {
            sent += chunk.length;
            if (!req.write(chunk)) {
              req.once("drain", pump);
              return;
            }
          }
          if (!answered) req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      },
    );
    clearInterval(sample);

    assert.equal(result.status, 413);
    assert.equal((JSON.parse(result.body) as UploadBody).error?.code, "file_too_large");
    assert.ok(result.sentWhenAnswered < bodySize / 2, `answered after ${result.sentWhenAnswered} bytes`);
    const rssGrowth = peakRss - before.rss;
    const bufferGrowth = peakArrayBuffers - before.arrayBuffers;
    context.diagnostic(
      `413 after ${result.sentWhenAnswered} bytes sent; rss +${rssGrowth}, arrayBuffers +${bufferGrowth}`,
    );
    assert.ok(rssGrowth < 80 * 1024 * 1024, `rss grew ${rssGrowth} bytes`);
    assert.ok(bufferGrowth < 40 * 1024 * 1024, `arrayBuffers grew ${bufferGrowth} bytes`);
  });
});
