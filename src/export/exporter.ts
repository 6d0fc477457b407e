import type { Browser } from "playwright-core";
import { BrowserPool } from "./browser.js";
import { createLimiter } from "./limiter.js";
import { PagePool } from "./pages.js";
import { renderDocument, type BrowserSpec } from "./render.js";
import { exportFileName, type ExportSpec } from "./spec.js";
import { openStored, storeAtomically, type StoredFile } from "./store.js";

export interface ExporterOptions {
  exportDir: string;
  chromiumPath: string;
  /** Renders running at once (each holds a Chromium page). */
  concurrency?: number;
  /** Renders allowed to wait; more are refused with 503. */
  maxQueued?: number;
  timeoutMs?: number;
  retryAfterS?: number;
}

export interface ExportSource {
  documentId: string;
  version: number;
  html: string;
}

export interface Exporter {
  /** The exported file for this version and spec, from EXPORT_DIR when already made, else rendered and stored. */
  export(source: ExportSource, spec: ExportSpec): Promise<StoredFile>;
  /** Renders without touching EXPORT_DIR (benchmarks); same queue, browser and isolation. */
  render(html: string, spec: BrowserSpec): Promise<Buffer>;
  stats(): { running: number; queued: number };
  close(): Promise<void>;
}

export function createExporter(options: ExporterOptions): Exporter {
  const pool = new BrowserPool(options.chromiumPath);
  const concurrency = options.concurrency ?? 2;
  const limiter = createLimiter({
    concurrency,
    maxQueued: options.maxQueued ?? 8,
    retryAfterS: options.retryAfterS ?? 5,
  });
  const timeoutMs = options.timeoutMs ?? 30_000;

  const poolsByBrowser = new WeakMap<Browser, PagePool>();
  const renderOn = (browser: Browser, html: string, spec: BrowserSpec) => {
    let pool = poolsByBrowser.get(browser);
    if (!pool) poolsByBrowser.set(browser, (pool = new PagePool(browser, concurrency)));
    return renderDocument(pool, html, spec, timeoutMs);
  };

  /** One retry when the shared browser died under this render (it is relaunched; the page was lost with it). */
  const renderWithBrowser = async (html: string, spec: BrowserSpec) => {
    const browser = await pool.browser();
    try {
      return await renderOn(browser, html, spec);
    } catch (error) {
      if (browser.isConnected()) throw error;
      return renderOn(await pool.browser(), html, spec);
    }
  };
  const render = (html: string, spec: BrowserSpec) =>
    limiter.run(() => renderWithBrowser(html, spec), spec.format === "thumbnail" ? "background" : "normal");

  return {
    async export(source, spec) {
      const name = exportFileName(source.documentId, source.version, spec);
      const cached = await openStored(options.exportDir, name);
      if (cached) return cached;
      const bytes =
        spec.format === "html" ? Buffer.from(source.html, "utf8") : await render(source.html, spec);
      return storeAtomically(options.exportDir, name, bytes);
    },
    render,
    stats: limiter.stats,
    close: () => pool.close(),
  };
}
