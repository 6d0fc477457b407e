import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { BrowserPool } from "../../src/export/browser.js";
import { PagePool, type IsolatedPage } from "../../src/export/pages.js";
import { renderDocument } from "../../src/export/render.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PDF = { format: "pdf", paper: "A4" } as const;

/** A document that tries every way to leave something behind, were its scripts and requests to run. */
const GREEDY = `<!doctype html><html><head><meta charset="utf-8">
  <meta http-equiv="set-cookie" content="meta=1; path=/">
  <meta http-equiv="refresh" content="0;url=#refreshed">
  <base href="https://cache.test/">
  <link rel="stylesheet" href="cached.css"><link rel="prefetch" href="prefetched.html">
  <link rel="manifest" href="manifest.json">
  <script>
    document.cookie = "script=1; path=/";
    localStorage.setItem("local", "1");
    sessionStorage.setItem("session", "1");
    indexedDB.open("greedy").onupgradeneeded = (event) => event.target.result.createObjectStore("s");
    caches.open("greedy").then((cache) => cache.put("/x", new Response("x")));
    navigator.serviceWorker.register("sw.js");
    history.pushState({}, "", "#pushed");
    window.greedy = "left behind";
  </script></head><body><h1>Greedy</h1><img src="cached.png"><iframe src="frame.html"></iframe></body></html>`;

/** What a page can still see of earlier documents, read through the DevTools protocol (page scripts stay off). */
async function leftovers(page: IsolatedPage) {
  const probe = await page.page.evaluate(`(async () => {
    const tryRead = async (read) => { try { return await read(); } catch (error) { return error.name; } };
    return {
      url: location.href,
      history: history.length,
      cookie: await tryRead(() => document.cookie),
      local: await tryRead(() => localStorage.length),
      session: await tryRead(() => sessionStorage.length),
      databases: await tryRead(async () => (await indexedDB.databases()).length),
      caches: await tryRead(async () => (await caches.keys()).length),
      greedy: typeof window.greedy,
    };
  })()`);
  const state = await page.context.storageState({ indexedDB: true });
  return { ...(probe as object), cookies: state.cookies.length, origins: state.origins.length };
}

const CLEAN = {
  url: "about:blank",
  history: 1,
  greedy: "undefined",
  cookies: 0,
  origins: 0,
};

/** Cookies and storage on the opaque origin of a blank page are refused, absent (CacheStorage), or empty. */
function assertClean(found: Record<string, unknown>) {
  assert.deepEqual(
    Object.fromEntries(Object.keys(CLEAN).map((key) => [key, found[key]])),
    CLEAN,
    JSON.stringify(found),
  );
  for (const key of ["cookie", "local", "session", "databases", "caches"]) {
    const empty = key === "cookie" ? "" : 0;
    const refused = found[key] === "SecurityError" || found[key] === "ReferenceError";
    assert.ok(found[key] === empty || refused, `${key}: ${String(found[key])}`);
  }
}

describe(
  "export pages are reused without carrying anything over (real Chromium)",
  { timeout: 120_000 },
  () => {
    const browsers = new BrowserPool(CHROMIUM);
    let browser: Browser;
    before(async () => {
      browser = await browsers.browser();
    });
    after(() => browsers.close());

    it("reuses the page of an export that tried to leave state, and finds none of it", async () => {
      const pool = new PagePool(browser, 2);
      await renderDocument(pool, GREEDY, PDF, 30_000);
      await renderDocument(pool, GREEDY, { format: "png", width: 800, scale: 1 }, 30_000);
      assert.deepEqual(pool.stats(), { opened: 1, idle: 1 });
      const page = await pool.take(1);
      assert.equal(pool.stats().opened, 1, "the same page came back");
      assertClean(await leftovers(page));
      pool.giveBack(page);
    });

    it("resets what a document that did run script left, or discards the page", async () => {
      const pool = new PagePool(browser, 2);
      const page = await pool.take(1);
      // The worst case: a document in a real origin with scripts on (as if both walls had failed).
      await page.page.route("https://leak.test/**", (route) =>
        route.fulfill({ status: 200, contentType: "text/html", body: "<p>leak</p>" }),
      );
      const cdp = await page.context.newCDPSession(page.page);
      await cdp.send("Emulation.setScriptExecutionDisabled", { value: false });
      await page.page.goto("https://leak.test/");
      await page.page.evaluate(`(async () => {
      document.cookie = "script=1; path=/";
      localStorage.setItem("local", "1");
      sessionStorage.setItem("session", "1");
      history.pushState({}, "", "#pushed");
      window.greedy = "left behind";
    })()`);
      assert.notDeepEqual(await leftovers(page), CLEAN, "the leak was set up");
      await page.page.unrouteAll();
      pool.giveBack(page);
      const next = await pool.take(1);
      // localStorage of leak.test outlives the document in its context: the page must not come back.
      assert.notEqual(next, page);
      assert.equal(page.broken, true);
      assert.equal(pool.stats().opened, 2);
      assertClean(await leftovers(next));
      await next.close();
    });

    it("clears cookies set on the context between exports", async () => {
      const pool = new PagePool(browser, 2);
      const page = await pool.take(1);
      await page.context.addCookies([{ name: "leak", value: "1", domain: "leak.test", path: "/" }]);
      pool.giveBack(page);
      const next = await pool.take(1);
      assert.equal(next, page, "a cookie alone is cleared and the page reused");
      assertClean(await leftovers(next));
      await next.close();
    });

    it("discards a page whose renderer crashed", async () => {
      const pool = new PagePool(browser, 2);
      const page = await pool.take(1);
      const crashed = new Promise((resolve) => page.page.once("crash", resolve));
      void page.page.goto("chrome://crash").catch(() => undefined);
      await crashed;
      pool.giveBack(page);
      const next = await pool.take(1);
      assert.notEqual(next, page);
      assert.equal(pool.stats().opened, 2);
      const pdf = await renderDocument(pool, "<p>after the crash</p>", PDF, 30_000);
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
      await next.close();
    });

    it("closes the page of an export that ran past its deadline instead of reusing it", async () => {
      const pool = new PagePool(browser, 2);
      await renderDocument(pool, "<p>warm</p>", PDF, 30_000);
      const contexts = browser.contexts().length;
      const huge = `<body>${"<p>the quick brown fox jumps over the lazy dog</p>".repeat(30_000)}</body>`;
      await assert.rejects(renderDocument(pool, huge, PDF, 50), { code: "export_timeout" });
      for (let waited = 0; browser.contexts().length >= contexts && waited < 10_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(browser.contexts().length, contexts - 1, "the hung page's context was closed");
      assert.deepEqual(pool.stats(), { opened: 1, idle: 0 });
      await renderDocument(pool, "<p>again</p>", PDF, 30_000);
      assert.equal(pool.stats().opened, 2);
    });
  },
);
