import type { Page } from "playwright-core";
import { ExportError } from "./errors.js";
import { DEFAULT_VIEWPORT, type IsolatedPage, type PagePool } from "./pages.js";
import { pngHeightCap, THUMBNAIL, type ExportSpec } from "./spec.js";

export type BrowserSpec = Exclude<ExportSpec, { format: "html" }>;

const PDF_MARGIN = { top: "12mm", right: "12mm", bottom: "12mm", left: "12mm" };

function layoutFor(spec: BrowserSpec) {
  if (spec.format === "thumbnail") {
    return {
      viewport: { width: THUMBNAIL.width, height: THUMBNAIL.height },
      deviceScaleFactor: THUMBNAIL.scale,
    };
  }
  if (spec.format === "png") {
    return {
      viewport: { width: spec.width, height: DEFAULT_VIEWPORT.height },
      deviceScaleFactor: spec.scale,
    };
  }
  return { viewport: DEFAULT_VIEWPORT, deviceScaleFactor: 1 };
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
 * Renders one document to PDF or PNG bytes on an isolated page from the pool. The whole render races a deadline
 * (page.pdf has no timeout of its own). A render that finished gives its page back to be reset and reused; one
 * that failed or ran past the deadline closes the page's context, which also ends any step still running, and a
 * page that arrives after the deadline is closed unused.
 */
export async function renderDocument(
  pages: PagePool,
  html: string,
  spec: BrowserSpec,
  timeoutMs: number,
): Promise<Buffer> {
  const layout = layoutFor(spec);
  let isolated: IsolatedPage | undefined;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(new ExportError(504, "export_timeout", `the export took longer than ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  const work = async () => {
    const taken = await pages.take(layout.deviceScaleFactor);
    if (finished) {
      await taken.close();
      throw new ExportError(504, "export_timeout", "the export was abandoned");
    }
    isolated = taken;
    taken.context.setDefaultTimeout(timeoutMs);
    await taken.page.setViewportSize(layout.viewport);
    await taken.page.setContent(html, { waitUntil: "load", timeout: timeoutMs });
    return capture(taken.page, spec);
  };
  let rendered = false;
  try {
    const bytes = await Promise.race([work(), deadline]);
    rendered = true;
    return bytes;
  } finally {
    finished = true;
    clearTimeout(timer);
    if (isolated && rendered) pages.giveBack(isolated);
    else await isolated?.close();
  }
}
