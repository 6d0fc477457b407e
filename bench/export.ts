// Export latency with a warm browser: a typical ~50 KB document to PDF and PNG, 10 runs each, then 5 concurrent
// PDF exports through the same queue; each format against its floor, one reused page, measured in the same run.
import { execa } from "execa";
import { CHROMIUM_ARGS } from "../src/export/browser.js";
import { createExporter } from "../src/export/exporter.js";
import { load1, slowdownRow, type BenchReport } from "./lib/report.js";

const RUNS = 10;
/** User exports arrive seconds apart; the pause lets the reused page reset, as it would. */
const PAUSE_MS = 500;
const CONCURRENT = 5;

/** A report-like page: styles, headings, paragraphs, a table and an inline SVG chart, about 50 KB. */
export function typicalDocument(targetBytes = 50_000): string {
  const bars = Array.from({ length: 12 }, (_, i) => {
    const height = 40 + ((i * 37) % 120);
    return `<rect x="${20 + i * 45}" y="${180 - height}" width="30" height="${height}" fill="#2a6fdb"/>`;
  }).join("");
  const section = (n: number) => `
    <section><h2>Section ${n}: market overview</h2>
    <p>Revenue in region ${n} grew steadily over the quarter, driven by renewals and two new enterprise accounts.
    Churn stayed below target, and the support backlog fell by a third after the new triage rota started.</p>
    <table><thead><tr><th>Month</th><th>Revenue</th><th>Costs</th><th>Margin</th></tr></thead><tbody>
    ${["Jan", "Feb", "Mar", "Apr"].map((m, i) => `<tr><td>${m}</td><td>${120 + i * n}k</td><td>${80 + i}k</td><td>${30 + n}%</td></tr>`).join("")}
    </tbody></table>
    <ul><li>Expand the partner programme</li><li>Hire two account managers</li><li>Ship the reporting API</li></ul></section>`;
  let body = `<svg width="580" height="200" viewBox="0 0 580 200">${bars}</svg>`;
  for (let n = 1; body.length < targetBytes - 2_000; n += 1) body += section(n);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quarterly report</title><style>
    body{font-family:Georgia,serif;max-width:900px;margin:40px auto;color:#222;line-height:1.5}
    h1{color:#123;border-bottom:3px solid #2a6fdb} h2{color:#2a6fdb;margin-top:2em}
    table{border-collapse:collapse;width:100%} td,th{border:1px solid #ccc;padding:6px 10px;text-align:left}
    th{background:#eef3fb}</style></head><body><h1>Quarterly report</h1>${body}</body></html>`;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

interface Timing {
  median: number;
  p95: number;
}

const summary = (times: number[]): Timing => {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95) };
};

async function timed(run: () => Promise<unknown>): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** The exporter and its floor, alternating run by run so that both see the same load. */
async function paired(run: () => Promise<unknown>, floor: () => Promise<unknown>) {
  const times = { run: [] as number[], floor: [] as number[] };
  for (let i = 0; i < RUNS; i += 1) {
    times.run.push(await timed(run));
    times.floor.push(await timed(floor));
  }
  return { run: summary(times.run), floor: summary(times.floor) };
}

/** The floor: one page reused for every render, in the same kind of context, no isolation between documents. */
async function floorPage(html: string) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
  const page = await context.newPage();
  page.setDefaultTimeout(180_000);
  return {
    pdf: async () => {
      await page.setContent(html, { waitUntil: "load" });
      await page.pdf({ format: "A4", printBackground: true });
    },
    png: async () => {
      await page.setViewportSize({ width: 1200, height: 900 });
      await page.setContent(html, { waitUntil: "load" });
      await page.screenshot({ type: "png", fullPage: true });
    },
    close: () => browser.close(),
  };
}

export default async function benchExport(): Promise<BenchReport> {
  const html = typicalDocument();
  const loadBefore = load1();
  const exporter = createExporter({
    exportDir: "/tmp/ahb-bench-exports",
    chromiumPath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // A loaded shared machine can make one render take longer than the server's 30 s: measure it, do not fail.
    timeoutMs: 180_000,
  });
  const floor = await floorPage(html);
  try {
    const coldStart = performance.now();
    await exporter.render(html, { format: "pdf", paper: "A4" });
    const cold = performance.now() - coldStart;
    await floor.pdf();
    const pdfs = await paired(() => exporter.render(html, { format: "pdf", paper: "A4" }), floor.pdf);
    const pngs = await paired(
      () => exporter.render(html, { format: "png", width: 1200, scale: 1 }),
      floor.png,
    );
    const [pdf, png] = [pdfs.run, pngs.run];
    const concurrentStart = performance.now();
    const settled = await Promise.allSettled(
      Array.from({ length: CONCURRENT }, () => exporter.render(html, { format: "pdf", paper: "A4" })),
    );
    const concurrentMs = performance.now() - concurrentStart;
    const succeeded = settled.filter((result) => result.status === "fulfilled").length;
    const chromium = (await execa(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", ["--version"])).stdout;
    return {
      name: "export",
      rows: [
        slowdownRow(
          "PDF export (A4), median",
          pdf.median,
          "ms",
          "one reused page: setContent + pdf",
          pdfs.floor.median,
          1.5,
        ),
        slowdownRow(
          "PNG export (1200 px, full page), median",
          png.median,
          "ms",
          "one reused page: setContent + screenshot",
          pngs.floor.median,
          1.5,
        ),
      ],
      notes: [
        `${chromium}; a ${(html.length / 1024).toFixed(1)} KB report-like document, ${RUNS} runs each, alternating with the floor, ${PAUSE_MS} ms apart.`,
        `createExporter().render(): the route's queue, browser and isolated pages (JavaScript off, offline, every request refused), reused after a verified reset.`,
        `p95: PDF ${Math.round(pdf.p95)} ms, PNG ${Math.round(png.p95)} ms; first export with the browser launch ${Math.round(cold)} ms;` +
          ` ${CONCURRENT} concurrent PDFs: ${succeeded}/${CONCURRENT} in ${Math.round(concurrentMs)} ms.`,
      ],
      load: [loadBefore, load1()],
    };
  } finally {
    await exporter.close();
    await floor.close();
  }
}
