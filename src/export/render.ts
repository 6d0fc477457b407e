import type { Browser, BrowserContext, Page } from "playwright-core";
import { ExportError } from "./errors.js";
import { pngHeightCap, THUMBNAIL, type ExportSpec } from "./spec.js";

type BrowserSpec = Exclude<ExportSpec, { format: "html" }>;

const PDF_MARGIN = { top: "12mm", right: "12mm", bottom: "12mm", left: "12mm" };
const PNG_INITIAL_HEIGHT = 900;

function viewportFor(spec: BrowserSpec) {
  if (spec.format === "thumbnail") {
    return {
      viewport: { width: THUMBNAIL.width, height: THUMBNAIL.height },
      deviceScaleFactor: THUMBNAIL.scale,
    };
  }
  if (spec.format === "png") {
    return { viewport: { width: spec.width, height: PNG_INITIAL_HEIGHT }, deviceScaleFactor: spec.scale };
  }
  return { viewport: { width: 1200, height: PNG_INITIAL_HEIGHT }, deviceScaleFactor: 1 };
}

/**
 * A throwaway context that cannot run the document's scripts or reach any network: JavaScript is off, every
 * request the page makes is answered inside Playwright (data: URIs never hit the router, so inline images still
 * render), and the context is offline. The HTML arrives through setContent, which is not a request.
 */
async function isolatedContext(browser: Browser, spec: BrowserSpec): Promise<BrowserContext> {
  const context = await browser.newContext({
    ...viewportFor(spec),
    javaScriptEnabled: false,
    offline: true,
    serviceWorkers: "block",
    acceptDownloads: false,
  });
  await context.route("**/*", (route) => {
    const request = route.request();
    if (request.url().startsWith("data:")) return route.continue();
    // Aborting a navigation (meta refresh, iframe src) would swap in Chromium's error page; a 204 answered here,
    // without any network, makes the browser stay on the document it has.
    if (request.isNavigationRequest()) return route.fulfill({ status: 204 });
    return route.abort("blockedbyclient");
  });
  return context;
}

async function capture(page: Page, spec: BrowserSpec): Promise<Buffer> {
  if (spec.format === "pdf") {
    return page.pdf({ format: spec.paper, printBackground: true, margin: PDF_MARGIN });
  }
  if (spec.format === "png") {
    // scrollHeight is never less than the viewport; the root's box is the content's own height.
    const contentHeight = Number(
      await page.evaluate(
        "Math.max(document.documentElement.getBoundingClientRect().height, document.body ? document.body.scrollHeight : 0)",
      ),
    );
    const height = Math.max(1, Math.min(Math.ceil(contentHeight) || 1, pngHeightCap(spec.scale)));
    await page.setViewportSize({ width: spec.width, height });
  }
  return page.screenshot({ type: "png", animations: "disabled", caret: "hide" });
}

/**
 * Renders one document to PDF or PNG bytes in a fresh isolated context. The whole render races a deadline
 * (page.pdf has no timeout of its own); closing the context on the way out also ends any step still running.
 */
export async function renderDocument(
  browser: Browser,
  html: string,
  spec: BrowserSpec,
  timeoutMs: number,
): Promise<Buffer> {
  const context = await isolatedContext(browser, spec);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(new ExportError(504, "export_timeout", `the export took longer than ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  const work = async () => {
    context.setDefaultTimeout(timeoutMs);
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: "load", timeout: timeoutMs });
    return capture(page, spec);
  };
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
    await context.close().catch(() => undefined);
  }
}
