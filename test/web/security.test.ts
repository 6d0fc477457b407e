import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { appendVersion } from "../../src/db/repo/versions.js";
import { createSession } from "../../src/db/repo/sessions.js";
import { buildWebPage, launchBrowser, openPage, startStack, type Stack } from "./stack.js";

/**
 * Generated HTML that attacks its host page: it tries to read the parent's DOM, its own cookies, and to call
 * the API as the signed-in user, then reports what happened to the parent with postMessage (the one channel a
 * sandboxed frame keeps).
 */
const PROBE_HTML = `<!doctype html><html><head><title>probe</title></head><body><h1 id="probe">Probe</h1><script>
const report = {};
function attempt(name, action) {
  try { report[name] = "read: " + String(action()); } catch (error) { report[name] = "blocked: " + error.name; }
}
attempt("parentDocument", () => parent.document.title);
attempt("parentLocalStorage", () => parent.localStorage.length);
attempt("cookie", () => document.cookie);
const finish = () => parent.postMessage({ ahbProbe: report }, "*");
fetch("/api/sessions", { credentials: "include" })
  .then((response) => response.text().then((text) => { report.fetch = "answered " + response.status + ": " + text.slice(0, 80); }))
  .catch((error) => { report.fetch = "failed: " + error.name; })
  .finally(finish);
</script></body></html>`;

describe("web page: security and hygiene (real server, real Chromium)", () => {
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    buildWebPage();
    stack = await startStack();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("loads with zero console errors and zero CSP violations, under a CSP without inline scripts", async () => {
    const { session, documentId } = createSession(stack.db, {
      owner: "carol",
      maxPerOwner: 5,
      title: "Hygiene",
    });
    appendVersion(stack.db, {
      documentId,
      html: "<!doctype html><html><body><h1>Hello</h1><script>document.body.append('ran')</script></body></html>",
      prompt: "hello",
      summary: "A greeting",
      model: "gemini-2.5-pro",
    });
    const { page, context, problems } = await openPage(browser, stack, "carol");
    const response = await page.goto("/");
    const csp = response?.headers()["content-security-policy"] ?? "";
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
    assert.equal(scriptSrc.trim(), "'self'", `script-src of the page: ${csp}`);

    await page.getByRole("button", { name: /^Hygiene/ }).waitFor();
    const frame = page.frameLocator("iframe.preview-frame");
    await frame.getByText("ran").waitFor();
    await page.getByRole("link", { name: "Costs" }).click();
    await page.getByRole("heading", { name: "Costs" }).waitFor();
    await page.getByRole("link", { name: "Builder" }).click();
    await page.getByRole("tab", { name: "Untitled document" }).waitFor();
    assert.ok(session.id);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("a script in generated HTML can neither read parent.document nor call the API as the user", async () => {
    const { documentId } = createSession(stack.db, { owner: "alice", maxPerOwner: 5, title: "Probe" });
    appendVersion(stack.db, { documentId, html: PROBE_HTML, prompt: "probe", summary: null, model: null });
    const { page, context } = await openPage(browser, stack, "alice");
    await page.addInitScript(() => {
      const reports: unknown[] = [];
      (window as unknown as { probeReports: unknown[] }).probeReports = reports;
      window.addEventListener("message", (event: MessageEvent<{ ahbProbe?: unknown }>) => {
        if (event.data?.ahbProbe) reports.push(event.data.ahbProbe);
      });
    });
    await page.goto("/");

    const frame = page.locator("iframe.preview-frame");
    assert.equal(await frame.getAttribute("sandbox"), "allow-scripts");
    await page.frameLocator("iframe.preview-frame").locator("#probe").waitFor();
    const handle = await page.waitForFunction(
      () => (window as unknown as { probeReports: unknown[] }).probeReports[0],
      undefined,
      { timeout: 10_000 },
    );
    const report = (await handle.jsonValue()) as Record<string, string>;

    assert.equal(report.parentDocument, "blocked: SecurityError");
    assert.equal(report.parentLocalStorage, "blocked: SecurityError");
    assert.equal(report.cookie, "blocked: SecurityError");
    assert.equal(report.fetch, "failed: TypeError");
    // The proxy saw the app's own listing (with a query string) but never the probe's bare /api/sessions.
    assert.ok(
      stack.proxy.seen.some((seen) => seen.url.startsWith("/api/sessions?") && seen.user === "alice"),
    );
    assert.deepEqual(
      stack.proxy.seen.filter((seen) => seen.url === "/api/sessions"),
      [],
      "the sandboxed script's request must never reach the server",
    );
    // The probe did run (so the blocks above are the sandbox's doing, not a script that never executed).
    assert.equal(Object.keys(report).length, 4);
    await context.close();
  });
});
