import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { PDFDocument } from "pdf-lib";
import { extractText, getDocumentProxy } from "unpdf";
import { createExporter, type Exporter } from "../../src/export/exporter.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { tempDir } from "../helpers/env.js";
import { pngSize, seedDocument } from "./fixtures.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ALICE = { "X-Forwarded-User": "alice" };

async function get(t: TestApp, path: string, user = ALICE) {
  const response = await t.app.request(path, { headers: user }, fromPeer("127.0.0.1"));
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function pdfText(bytes: Buffer): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  return (await extractText(pdf, { mergePages: true })).text;
}

/** Pids of the Chromium browsers this test process launched (Playwright spawns them as direct children). */
async function childChromiumPids(): Promise<number[]> {
  const { stdout } = await execa("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], {
    reject: false,
  });
  return stdout
    .split("\n")
    .filter((line) => /chrom/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

function paragraphs(count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `<p>Paragraph ${i + 1}: the quick brown fox jumps over the lazy dog.</p>`,
  ).join("");
}

describe("document export (real Chromium)", () => {
  let t: TestApp;
  let exporter: Exporter;
  let exportDir: { path: string; remove(): void };
  let trap: Server;
  const trapped: string[] = [];
  let doc: { sessionId: string; documentId: string };
  let base: string;

  before(async () => {
    trap = createServer((req, res) => {
      trapped.push(`${req.method} ${req.url}`);
      res.end("secret");
    });
    await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
    const port = (trap.address() as AddressInfo).port;
    exportDir = tempDir("ahb-export-");
    exporter = createExporter({ exportDir: exportDir.path, chromiumPath: CHROMIUM });
    t = createTestApp({}, { exporter });
    const secret = `http://127.0.0.1:${port}`;
    const hostile = `<!doctype html><html><head><meta charset="utf-8"><title>Hostile</title>
      <link rel="stylesheet" href="${secret}/secret-style.css">
      <meta http-equiv="refresh" content="0;url=${secret}/secret-refresh">
      <style>@import url("${secret}/secret-import.css"); body { font-family: sans-serif; background: url("${secret}/secret-bg.png"); }</style>
      </head><body>
      <h1 id="headline">Original headline</h1>
      <p>Quarterly numbers are in.</p>
      <img src="${secret}/secret-img.png" alt="">
      <img src="data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" fill="#c00"/></svg>').toString("base64")}" alt="red box">
      <iframe src="${secret}/secret-frame"></iframe>
      <script>
        document.getElementById("headline").textContent = "SCRIPT RAN";
        fetch("${secret}/secret-fetch");
        new Image().src = "${secret}/secret-script-img";
      </script>
      </body></html>`;
    doc = seedDocument(t.deps.db, "alice", 'Rapport été 2026 / Q3 "final"', [
      `<!doctype html><html><body><h1>Version one</h1></body></html>`,
      hostile,
    ]);
    base = `/api/sessions/${doc.sessionId}/documents/${doc.documentId}`;
  });
  after(async () => {
    await exporter.close();
    t.close();
    exportDir.remove();
    await new Promise((resolve) => trap.close(resolve));
  });

  it("exports PDF without running scripts or reaching the network", async () => {
    const { response, bytes } = await get(t, `${base}/export/pdf`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/pdf");
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
    const pdf = await PDFDocument.load(bytes);
    assert.equal(pdf.getPageCount(), 1);
    const text = await pdfText(bytes);
    assert.match(text, /Original headline/);
    assert.doesNotMatch(text, /SCRIPT RAN/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(trapped, []);
  });

  it("exports PNG without reaching the network, sized to the content", async () => {
    const { response, bytes } = await get(t, `${base}/export/png`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "image/png");
    const size = pngSize(bytes);
    assert.equal(size.width, 1200);
    assert.ok(
      size.height >= 150 && size.height < 600,
      `fits the content, not the 900 px viewport: ${size.height}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(trapped, []);
  });

  it("names the attachment after the title with an ASCII fallback and filename*", async () => {
    const { response } = await get(t, `${base}/export/pdf`);
    const disposition = response.headers.get("content-disposition") ?? "";
    assert.match(disposition, /^attachment; filename="Rapport ete 2026 Q3 final\.pdf"; /);
    assert.match(disposition, /filename\*=UTF-8''Rapport%20%C3%A9t%C3%A9%202026%20Q3%20final\.pdf$/);
  });

  it("exports the stored HTML of the latest or a given version", async () => {
    const latest = await get(t, `${base}/export/html`);
    assert.equal(latest.response.status, 200);
    assert.match(latest.response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(latest.bytes.toString("utf8"), /Original headline/);
    const first = await get(t, `${base}/export/html?version=1`);
    assert.equal(
      first.bytes.toString("utf8"),
      "<!doctype html><html><body><h1>Version one</h1></body></html>",
    );
    assert.match(first.response.headers.get("cache-control") ?? "", /immutable/);
    const firstPdf = await get(t, `${base}/export/pdf?version=1`);
    assert.match(await pdfText(firstPdf.bytes), /Version one/);
  });

  it("honours paper size and PNG width/scale within bounds", async () => {
    const pageSize = async (query: string) => {
      const size = (await PDFDocument.load((await get(t, `${base}/export/pdf${query}`)).bytes))
        .getPage(0)
        .getSize();
      return [Math.floor(size.width), Math.floor(size.height)];
    };
    assert.deepEqual(await pageSize("?paper=letter"), [612, 792]);
    assert.deepEqual(await pageSize("?paper=Legal"), [612, 1008]);
    assert.deepEqual(await pageSize(""), [595, 842], "A4 in points (Chromium rounds up to 595.92 x 842.88)");
    const retina = await get(t, `${base}/export/png?width=800&scale=2`);
    assert.equal(pngSize(retina.bytes).width, 1600);
    for (const query of ["width=5000", "width=100", "scale=3", "paper=A0"]) {
      const { response } = await get(t, `${base}/export/png?${query}`);
      assert.equal(response.status, 400, query);
    }
  });

  it("caps a very long PNG and paginates a long PDF", async () => {
    const long = seedDocument(t.deps.db, "alice", "Long", [`<html><body>${paragraphs(1500)}</body></html>`]);
    const path = `/api/sessions/${long.sessionId}/documents/${long.documentId}`;
    const png = await get(t, `${path}/export/png`);
    assert.deepEqual(pngSize(png.bytes), { width: 1200, height: 10_000 });
    const pdf = await PDFDocument.load((await get(t, `${path}/export/pdf`)).bytes);
    assert.ok(pdf.getPageCount() > 10, `pages: ${pdf.getPageCount()}`);
  });

  it("counts a render against the rate-limit budget and gives back a hit served from the stored file", async () => {
    const remaining = async () => {
      const { response } = await get(t, `${base}/thumbnail.png?version=1`);
      assert.equal(response.status, 200);
      return Number(response.headers.get("ratelimit-remaining"));
    };
    const rendered = await remaining();
    const cached = await remaining();
    assert.equal(cached, rendered - 1, "the header is sent before the answer is known");
    assert.equal(await remaining(), cached, "the cached answer's hit was given back");
  });

  it("serves a cached thumbnail of the current version", async () => {
    const first = await get(t, `${base}/thumbnail.png`);
    assert.equal(first.response.status, 200);
    assert.deepEqual(pngSize(first.bytes), { width: 400, height: 300 });
    const name = `${doc.documentId}-v2-thumbnail.png`;
    const mtime = statSync(join(exportDir.path, name)).mtimeMs;
    const second = await get(t, `${base}/thumbnail.png`);
    assert.ok(second.bytes.equals(first.bytes));
    assert.equal(
      statSync(join(exportDir.path, name)).mtimeMs,
      mtime,
      "served from EXPORT_DIR, not re-rendered",
    );
    assert.deepEqual(
      readdirSync(exportDir.path).filter((file) => file.endsWith(".tmp")),
      [],
      "no temp files left behind",
    );
  });

  it("answers 404 for another user's document and 400 for a bad format or version", async () => {
    const bob = { "X-Forwarded-User": "bob" };
    assert.equal((await get(t, `${base}/export/pdf`, bob)).response.status, 404);
    assert.equal((await get(t, `${base}/thumbnail.png`, bob)).response.status, 404);
    const badFormat = await get(t, `${base}/export/docx`);
    assert.equal(badFormat.response.status, 400);
    assert.match(badFormat.bytes.toString("utf8"), /format must be html, pdf or png/);
    assert.equal((await get(t, `${base}/export/pdf?version=abc`)).response.status, 400);
    assert.equal((await get(t, `${base}/export/pdf?version=99`)).response.status, 404);
    const empty = seedDocument(t.deps.db, "alice", "Empty", []);
    const emptyPath = `/api/sessions/${empty.sessionId}/documents/${empty.documentId}/export/pdf`;
    assert.equal((await get(t, emptyPath)).response.status, 404);
  });

  it("relaunches the browser after it was killed", async () => {
    await get(t, `${base}/export/png?width=900`);
    const pids = await childChromiumPids();
    assert.equal(pids.length, 1, `one browser process: ${pids.join(",")}`);
    process.kill(pids[0] as number, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await get(t, `${base}/export/png?width=901`);
    assert.equal(again.response.status, 200);
    assert.equal(pngSize(again.bytes).width, 901);
    const newPids = await childChromiumPids();
    assert.equal(newPids.length, 1);
    assert.notEqual(newPids[0], pids[0]);
  });
});

describe("export limits (real Chromium)", () => {
  it("refuses with 503 and Retry-After when the queue is full", async () => {
    const exportDir = tempDir("ahb-export-");
    const exporter = createExporter({
      exportDir: exportDir.path,
      chromiumPath: CHROMIUM,
      concurrency: 1,
      maxQueued: 1,
      retryAfterS: 7,
    });
    const t = createTestApp({}, { exporter });
    try {
      const doc = seedDocument(t.deps.db, "alice", "Busy", [`<html><body>${paragraphs(200)}</body></html>`]);
      const base = `/api/sessions/${doc.sessionId}/documents/${doc.documentId}`;
      const results = await Promise.all(
        [320, 400, 500, 600, 700, 800].map((width) => get(t, `${base}/export/png?width=${width}`)),
      );
      const statuses = results.map((result) => result.response.status);
      assert.equal(statuses.filter((status) => status === 200).length, 2, statuses.join(","));
      const refused = results.filter((result) => result.response.status === 503);
      assert.equal(refused.length, 4, statuses.join(","));
      for (const result of refused) {
        assert.equal(result.response.headers.get("retry-after"), "7");
        assert.match(result.bytes.toString("utf8"), /"code":"export_busy"/);
      }
    } finally {
      await exporter.close();
      t.close();
      exportDir.remove();
    }
  });

  it("stops an export that runs past its timeout with 504", async () => {
    const exportDir = tempDir("ahb-export-");
    const exporter = createExporter({ exportDir: exportDir.path, chromiumPath: CHROMIUM, timeoutMs: 1 });
    const t = createTestApp({}, { exporter });
    try {
      const doc = seedDocument(t.deps.db, "alice", "Slow", [`<html><body>${paragraphs(3000)}</body></html>`]);
      const { response, bytes } = await get(
        t,
        `/api/sessions/${doc.sessionId}/documents/${doc.documentId}/export/pdf`,
      );
      assert.equal(response.status, 504);
      assert.match(bytes.toString("utf8"), /"code":"export_timeout"/);
      assert.deepEqual(
        readdirSync(exportDir.path).filter((file) => !file.startsWith(".")),
        [],
      );
    } finally {
      await exporter.close();
      t.close();
      exportDir.remove();
    }
  });

  it("answers 503 when the server has no exporter", async () => {
    const t = createTestApp();
    try {
      const doc = seedDocument(t.deps.db, "alice", "None", ["<p>x</p>"]);
      const { response } = await get(
        t,
        `/api/sessions/${doc.sessionId}/documents/${doc.documentId}/export/pdf`,
      );
      assert.equal(response.status, 503);
    } finally {
      t.close();
    }
  });
});
