import type { Browser } from "playwright-core";
import { ExportError } from "./errors.js";

/** The flags that work as root in this container without flooding a closed network (ENVIRONMENT.md). */
export const HEADLESS_ARGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The export browser's flags: those above, and no name or address resolves to anything. */
export const CHROMIUM_ARGS = [
  ...HEADLESS_ARGS,
  // Playwright's router answers requests, but Chromium opens sockets on its own first (preconnects for iframes,
  // objects, embeds and meta refresh; TLS handshakes before any request). Every host, IP literals included,
  // resolves to "not found" inside Chromium: no DNS query is sent and no connection can be made.
  "--host-resolver-rules=MAP * ~NOTFOUND",
];

/**
 * One headless Chromium, launched on first use and shared by every export. When it dies (crash, OOM kill) its
 * 'disconnected' event drops it, and the next export launches a fresh one.
 */
export class BrowserPool {
  private current: Promise<Browser> | undefined;
  private closed = false;

  constructor(private readonly executablePath: string) {}

  browser(): Promise<Browser> {
    if (this.closed)
      return Promise.reject(new ExportError(503, "export_unavailable", "the server is stopping"));
    if (!this.current) {
      const launching = this.launch();
      this.current = launching;
      const forget = () => {
        if (this.current === launching) this.current = undefined;
      };
      launching.then((browser) => browser.on("disconnected", forget), forget);
    }
    return this.current;
  }

  private async launch(): Promise<Browser> {
    try {
      // Loaded on the first export: Playwright alone is about 80 MB of the server's memory.
      const { chromium } = await import("playwright-core");
      return await chromium.launch({
        executablePath: this.executablePath,
        headless: true,
        chromiumSandbox: false,
        args: CHROMIUM_ARGS,
        timeout: 30_000,
      });
    } catch {
      throw new ExportError(
        503,
        "export_unavailable",
        "the PDF/PNG renderer (Chromium) could not be started",
        30,
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const launching = this.current;
    this.current = undefined;
    const browser = await launching?.catch(() => undefined);
    await browser?.close();
  }
}
