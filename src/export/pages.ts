import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";

export const DEFAULT_VIEWPORT = { width: 1200, height: 900 } as const;

/** A page is retired after this many exports, so a renderer's memory cannot grow without bound. */
const MAX_USES = 200;

/**
 * A page in a context of its own that cannot run the document's scripts or reach any network: JavaScript is off,
 * every request is answered inside Playwright (data: URIs never hit the router, so inline images still render),
 * and the context is offline. The HTML arrives later through setContent, which is not a request.
 */
export class IsolatedPage {
  uses = 0;
  /** Set when the renderer crashed or the page was closed under us; such a page is never handed out again. */
  broken = false;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly cdp: CDPSession,
    readonly deviceScaleFactor: number,
  ) {
    const breakIt = () => {
      this.broken = true;
    };
    page.on("crash", breakIt);
    page.on("close", breakIt);
  }

  static async open(browser: Browser, deviceScaleFactor: number): Promise<IsolatedPage> {
    const context = await browser.newContext({
      viewport: DEFAULT_VIEWPORT,
      deviceScaleFactor,
      javaScriptEnabled: false,
      offline: true,
      serviceWorkers: "block",
      acceptDownloads: false,
    });
    try {
      await context.route("**/*", (route) => {
        const request = route.request();
        if (request.url().startsWith("data:")) return route.continue();
        // Aborting a navigation (meta refresh, iframe src) would swap in Chromium's error page; a 204 answered
        // here, without any network, makes the browser stay on the document it has.
        if (request.isNavigationRequest()) return route.fulfill({ status: 204 });
        return route.abort("blockedbyclient");
      });
      const page = await context.newPage();
      return new IsolatedPage(context, page, await context.newCDPSession(page), deviceScaleFactor);
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Leaves nothing of the last document for the next one: a fresh empty document (a new opaque origin), no
   * history entries, no cookies, an empty HTTP cache. Then checks the context holds no cookie and no origin's
   * storage; anything found means the page is not reused. Documents are loaded with setContent into an opaque
   * origin with JavaScript off, so none of this should ever have been set; the reset is the second wall.
   */
  async reset(): Promise<boolean> {
    if (this.broken) return false;
    await this.page.goto("about:blank");
    await this.cdp.send("Page.resetNavigationHistory");
    await this.cdp.send("Network.clearBrowserCache");
    await this.context.clearCookies();
    const state = await this.context.storageState();
    return !this.broken && state.cookies.length === 0 && state.origins.length === 0;
  }

  close(): Promise<void> {
    this.broken = true;
    return this.context.close().catch(() => undefined);
  }
}

/**
 * Isolated pages kept between exports, per device scale factor (fixed for a context's life). Creating a context
 * starts a renderer process, the slowest step of a render; reusing a page after a verified reset skips it. A
 * page is given back only after a render that finished, and reset while the answer is already on its way; one
 * that failed, timed out, crashed or did not reset clean is closed.
 */
export class PagePool {
  /** Pages given back, each settling to the page once it reset clean, or to undefined once it was closed. */
  private readonly idle = new Map<number, Promise<IsolatedPage | undefined>[]>();
  private opened = 0;

  constructor(
    private readonly browser: Browser,
    /** Idle pages kept per scale factor: the exporter's concurrency. */
    private readonly maxIdle: number,
  ) {}

  async take(deviceScaleFactor: number): Promise<IsolatedPage> {
    const pages = this.idle.get(deviceScaleFactor) ?? [];
    for (let next = pages.shift(); next; next = pages.shift()) {
      const page = await next;
      if (page && !page.broken && !page.page.isClosed()) return page;
      await page?.close();
    }
    this.opened += 1;
    return IsolatedPage.open(this.browser, deviceScaleFactor);
  }

  /** After a finished render: kept when it has uses left and room in the pool, then reused once it reset clean. */
  giveBack(page: IsolatedPage): void {
    page.uses += 1;
    const pages = this.idle.get(page.deviceScaleFactor) ?? [];
    if (page.uses >= MAX_USES || pages.length >= this.maxIdle) {
      void page.close();
      return;
    }
    const resetting = page.reset().then(
      async (clean) => (clean ? page : page.close().then(() => undefined)),
      () => page.close().then(() => undefined),
    );
    pages.push(resetting);
    this.idle.set(page.deviceScaleFactor, pages);
  }

  /** Pages opened so far and pages waiting to be reused (tests and benchmarks). */
  stats(): { opened: number; idle: number } {
    let idle = 0;
    for (const pages of this.idle.values()) idle += pages.length;
    return { opened: this.opened, idle };
  }
}
