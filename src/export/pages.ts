import type { Browser, BrowserContext, Page } from "playwright-core";

export interface IsolatedPage {
  context: BrowserContext;
  page: Page;
}

export const DEFAULT_VIEWPORT = { width: 1200, height: 900 } as const;

/**
 * A page in a context of its own that cannot run the document's scripts or reach any network: JavaScript is off,
 * every request is answered inside Playwright (data: URIs never hit the router, so inline images still render),
 * and the context is offline. The HTML arrives later through setContent, which is not a request.
 */
export async function openIsolatedPage(browser: Browser, deviceScaleFactor: number): Promise<IsolatedPage> {
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
    return { context, page: await context.newPage() };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Keeps one unused isolated page ready per device scale factor. Every context still serves exactly one export
 * and is closed after it; only its creation (Chromium starts a renderer process per context, the slowest step
 * of a render) happens ahead of time instead of while the user waits.
 */
export class SparePages {
  private readonly spares = new Map<number, Promise<IsolatedPage>>();

  constructor(private readonly browser: Browser) {}

  async take(deviceScaleFactor: number): Promise<IsolatedPage> {
    const spare = this.spares.get(deviceScaleFactor);
    this.prepare(deviceScaleFactor);
    const ready = await spare?.catch(() => undefined);
    if (ready && !ready.page.isClosed()) return ready;
    return openIsolatedPage(this.browser, deviceScaleFactor);
  }

  private prepare(deviceScaleFactor: number): void {
    const next = openIsolatedPage(this.browser, deviceScaleFactor);
    next.catch(() => undefined);
    this.spares.set(deviceScaleFactor, next);
  }
}
