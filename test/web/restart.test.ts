import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { openDatabase, type Db } from "../../src/db/open.js";
import { bootServer } from "../../src/server/bootstrap.js";
import type { RunningServer } from "../../src/server/listen.js";
import { ApiFailure } from "../../web/api.js";
import { RESTART_RETRIES, sendThroughRestart } from "../../web/restart-retry.js";
import { startProviderFakes, type ProviderFakes } from "../fakes/index.js";
import { DRAIN_PAGE, newSession, startStreamingTurn } from "../helpers/drain-scenario.js";
import { tempDir, validKeys } from "../helpers/env.js";
import { startIdentityProxy, type IdentityProxy } from "./identity-proxy.js";
import { buildWebPage, launchBrowser, openPage, type Stack } from "./stack.js";

describe("a turn refused by a restarting server is sent again by itself", () => {
  it(`gives up after ${RESTART_RETRIES} retries; other refusals are not retried`, async () => {
    const never = new AbortController();
    let sends = 0;
    const waits: number[] = [];
    const refuse = () => {
      sends += 1;
      return Promise.reject(new ApiFailure(503, "server_restarting", "update under way", 0));
    };
    await assert.rejects(
      sendThroughRestart(refuse, never.signal, (seconds) => waits.push(seconds)),
      (error: unknown) => error instanceof ApiFailure && error.code === "server_restarting",
    );
    assert.equal(sends, RESTART_RETRIES + 1);
    assert.deepEqual(waits, Array<number>(RESTART_RETRIES).fill(0));

    sends = 0;
    const other = () => {
      sends += 1;
      return Promise.reject(new ApiFailure(429, "rate_limited", "slow down", 0));
    };
    await assert.rejects(sendThroughRestart(other, never.signal, () => undefined));
    assert.equal(sends, 1, "only server_restarting is retried");
  });
});

describe("web page during a deploy (two real servers on one database, real Chromium)", () => {
  let fakes: ProviderFakes;
  let browser: Browser;
  let proxy: IdentityProxy;
  let previous: RunningServer;
  let next: RunningServer;
  let db: Db;
  const dir = tempDir("ahb-web-restart-");

  before(async () => {
    buildWebPage();
    fakes = await startProviderFakes();
    const boot = () =>
      bootServer({
        envFile: join(dir.path, "absent.env"),
        port: 0,
        host: "127.0.0.1",
        env: {
          ...validKeys(),
          ...fakes.env,
          ENVIRONMENT: "test",
          LOG_LEVEL: "error",
          DATABASE_PATH: join(dir.path, "app.db"),
          EXPORT_DIR: join(dir.path, "exports"),
          TITLE_MODEL: "off",
        },
      });
    previous = await boot();
    next = await boot();
    proxy = await startIdentityProxy(previous.port);
    db = openDatabase(join(dir.path, "app.db"));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    previous?.hurry();
    await previous?.close();
    await next?.close(200);
    db?.close();
    await fakes?.close();
    dir.remove();
  });

  it("tells the user an update is under way, keeps the prompt, and sends it to the new server", async () => {
    const stack = { url: proxy.url } as Stack;
    const { page } = await openPage(browser, stack, "erin");
    await page.goto("/");
    await page.getByText("Describe the page you want and press Enter.").waitFor();

    // The old server drains: a turn of someone else's still streams there, so it refuses new ones.
    fakes.gemini.script(
      { type: "reply", text: "```html\n<p>still going</p>\n```", chunks: 4, hangAfterChunks: 1 },
      { type: "reply", text: `\`\`\`html\n${DRAIN_PAGE}\n\`\`\``, chunks: 4, chunkDelayMs: 100 },
    );
    const base = `http://127.0.0.1:${previous.port}`;
    await startStreamingTurn(base, await newSession(base));
    void previous.close(120_000);

    const prompt = "A page that survives the deploy";
    await page.getByLabel("Message", { exact: true }).fill(prompt);
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page
      .getByRole("status")
      .getByText(/Update under way: sending again in 5 s \(retry 1 of 5\)/)
      .waitFor();
    await page.getByText("An update of the app is under way").waitFor();
    assert.equal(await page.locator("#chat-input").inputValue(), prompt, "the prompt is kept while waiting");

    // The blue/green switch: what comes next goes to the new server.
    proxy.retarget(next.port);
    await page
      .frameLocator("iframe.preview-frame")
      .getByText("Every word arrives.")
      .first()
      .waitFor({ timeout: 30_000 });
    await page.locator("#chat-input:not([disabled])").waitFor();
    await page.locator(".bubble.streaming").waitFor({ state: "detached" });

    assert.equal(await page.locator("#chat-input").inputValue(), "", "sent: the composer is cleared");
    const conversation = page.getByRole("list", { name: "Conversation" });
    assert.equal(await conversation.locator(".bubble.user").count(), 1);
    assert.equal(await conversation.locator(".inline-error").count(), 0);
    const chatPosts = proxy.seen.filter(
      (seen) => seen.method === "POST" && seen.url.startsWith("/api/chat/"),
    );
    assert.equal(chatPosts.length, 2, "one refused send, one accepted");
    const stored = db
      .prepare("SELECT count(*) FROM chat_messages WHERE role = 'user' AND content = ?")
      .pluck()
      .get(prompt);
    assert.equal(stored, 1, "the refused attempt stored nothing");
  });
});
