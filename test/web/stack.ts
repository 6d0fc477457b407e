import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, beforeEach } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { openDatabase, type Db } from "../../src/db/open.js";
import { HEADLESS_ARGS } from "../../src/export/browser.js";
import { bootServer } from "../../src/server/bootstrap.js";
import type { RunningServer } from "../../src/server/listen.js";
import { startProviderFakes, type ProviderFakes } from "../fakes/index.js";
import { tempDir, validKeys } from "../helpers/env.js";
import { startIdentityProxy, USER_COOKIE, type IdentityProxy } from "./identity-proxy.js";

export interface Stack {
  url: string;
  proxy: IdentityProxy;
  /** A second connection to the server's SQLite file, for arranging data the UI cannot make. */
  db: Db;
  dir: string;
  close(): Promise<void>;
}

/** Bundles web/ the way `npm run build` does, so the page under test is the current source. */
export function buildWebPage(): void {
  const result = spawnSync(process.execPath, ["scripts/build-web.mjs"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`web build failed: ${result.stderr}`);
}

/** The real server (as `ahb serve` boots it) over a temp database, behind the identity proxy. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const dir = tempDir("ahb-web-");
  const server: RunningServer = await bootServer({
    envFile: join(dir.path, "absent.env"),
    port: 0,
    host: "127.0.0.1",
    env: {
      ...validKeys(),
      ENVIRONMENT: "test",
      LOG_LEVEL: "error",
      DATABASE_PATH: join(dir.path, "app.db"),
      EXPORT_DIR: join(dir.path, "exports"),
      // Generated titles make one more model call per first version; tests about titles turn them on.
      TITLE_MODEL: "off",
      ...env,
    },
  });
  const proxy = await startIdentityProxy(server.port);
  const db = openDatabase(join(dir.path, "app.db"));
  return {
    url: proxy.url,
    proxy,
    db,
    dir: dir.path,
    async close() {
      await proxy.close();
      await server.close(200);
      db.close();
      dir.remove();
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    chromiumSandbox: false,
    // The page under test is on 127.0.0.1: the export browser's "resolve nothing" rule would block it.
    args: HEADLESS_ARGS,
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations, from the page and its frames. */
  problems: string[];
}

/** A page signed in as `user` (through the proxy's cookie) that records every console error and CSP violation. */
export async function openPage(
  browser: Browser,
  stack: Stack,
  user: string,
  viewport = { width: 1280, height: 800 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL: stack.url, viewport, acceptDownloads: true });
  await context.addCookies([{ name: USER_COOKIE, value: user, url: stack.url }]);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console (${message.location().url}): ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  await page.exposeFunction("__reportCsp", (text: string) => problems.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportCsp(text: string): void }).__reportCsp(
        `${event.violatedDirective} blocked ${event.blockedURI}`,
      );
    });
  });
  return { page, context, problems };
}

export interface WebStack {
  readonly stack: Stack;
  readonly fakes: ProviderFakes;
  readonly browser: Browser;
}

/**
 * Registers the hooks of a browser-test suite: the page bundled from source, provider fakes, the real server behind
 * the identity proxy (with `env` on top of the fakes' endpoints), one Chromium; fakes reset before each test.
 */
export function useWebStack(env: Record<string, string> = {}): WebStack {
  let parts: WebStack | undefined;
  before(async () => {
    buildWebPage();
    const fakes = await startProviderFakes();
    const stack = await startStack({ ...fakes.env, ...env });
    parts = { fakes, stack, browser: await launchBrowser() };
  });
  after(async () => {
    await parts?.browser.close();
    await parts?.stack.close();
    await parts?.fakes.close();
  });
  beforeEach(() => parts?.fakes.reset());
  const started = (): WebStack => {
    if (!parts) throw new Error("the web stack has not started (use it inside a test)");
    return parts;
  };
  return {
    get stack() {
      return started().stack;
    },
    get fakes() {
      return started().fakes;
    },
    get browser() {
      return started().browser;
    },
  };
}
