import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PDFDocument } from "pdf-lib";
import type { Frame, Page } from "playwright-core";
import { USAGE_FIELDS } from "../../src/db/usage-fields.js";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { addMessage } from "../../src/db/repo/messages.js";
import { createSession } from "../../src/db/repo/sessions.js";
import { createDocument, renameDocument } from "../../src/db/repo/documents.js";
import { appendVersion, getVersion } from "../../src/db/repo/versions.js";
import { TINY_PNG_BASE64 } from "../fakes/index.js";
import { useWebStack, openPage, type Stack } from "./stack.js";

/** A picture large enough to be shortened in the editor (the real base64 is kept in the document). */
const IMAGE = `data:image/png;base64,${Buffer.concat([Buffer.from(TINY_PNG_BASE64, "base64"), Buffer.alloc(3000)]).toString("base64")}`;

const PAGE = (body: string) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Offsite</title>
<style>body{font-family:sans-serif;margin:24px}p{margin:0 0 24px}</style></head>
<body><h1>Team Offsite</h1>
${body}
</body></html>`;

const LONG = PAGE(
  Array.from({ length: 120 }, (_, index) => `<p id="p${index}">Paragraph number ${index}.</p>`).join("\n"),
);

function seed(stack: Stack, owner: string, title: string, versions: string[], max = 10) {
  const { session, documentId } = createSession(stack.db, { owner, maxPerOwner: max, title });
  versions.forEach((html, index) =>
    appendVersion(stack.db, {
      documentId,
      html,
      prompt: `Prompt ${index + 1}`,
      summary: `Summary ${index + 1}`,
      model: "gemini-2.5-pro",
    }),
  );
  return { sessionId: session.id, documentId };
}

/** The preview frame once it has loaded the given version (its src changes before its document does). */
async function framedVersion(page: Page, version: number): Promise<Frame> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const frame = page.frames().find((candidate) => candidate.url().endsWith(`/preview?version=${version}`));
    if (frame) {
      await frame.waitForLoadState("load");
      return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`the preview never showed version ${version}`);
}

async function send(page: Page, message: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).fill(message);
  await page.getByLabel("Message", { exact: true }).press("Enter");
}

async function turnEnded(page: Page): Promise<void> {
  await page.locator("#chat-input:not([disabled])").waitFor();
  await page.locator(".bubble.streaming").waitFor({ state: "detached" });
}

describe("web workspace: code editor, documents, exports, versions, sessions, layout (real Chromium)", () => {
  const web = useWebStack({ MAX_SESSIONS_PER_USER: "10", RATE_LIMIT_REQUESTS: "500" });

  it("edits the code, saves it as a new version, copies and downloads it; refuses an invalid edit", async () => {
    const doc = seed(web.stack, "cody", "Hand edits", [
      PAGE(`<img alt="logo" src="${IMAGE}">\n<p>Day one: planning.</p>`),
    ]);
    const { page, context, problems } = await openPage(web.browser, web.stack, "cody");
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto("/");
    await framedVersion(page, 1);
    await page.getByRole("button", { name: "Code", exact: true }).click();
    const editor = page.getByRole("textbox", { name: "HTML source" });
    await editor.getByText("Day one: planning.").waitFor();
    assert.match((await page.locator(".cm-data-uri").textContent()) ?? "", /KB image/, "base64 is shortened");
    const save = page.getByRole("button", { name: "Save as new version" });
    assert.equal(await save.isDisabled(), true, "nothing to save yet");

    await editor.getByText("Day one: planning.").click();
    await page.keyboard.press("End");
    for (let step = 0; step < "</p>".length; step += 1) await page.keyboard.press("ArrowLeft");
    await page.keyboard.type(" And a lake walk, edited by hand.");
    await page.getByText("Unsaved changes.").waitFor();
    await save.click();
    await page.getByText("Saved as version 2.").waitFor();
    await page.getByRole("button", { name: "Preview version 2" }).waitFor();
    const saved = getVersion(web.stack.db, doc.documentId, 2);
    assert.deepEqual([saved?.prompt, saved?.model], ["Edited by hand", null]);
    assert.ok(saved?.html.includes("And a lake walk, edited by hand."));
    assert.ok(saved?.html.includes(IMAGE), "the picture's full base64 survives the edit");
    assert.equal(await page.locator(".timeline .prompt").first().textContent(), "Edited by hand");

    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByText("Copied to the clipboard.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), saved?.html);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download" }).click(),
    ]);
    assert.equal(readFileSync((await download.path()) ?? "", "utf8"), saved?.html);

    // An edit that loses the document's structure is refused with the validator's reason, and nothing is saved.
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("<p>oops");
    assert.equal(await editor.textContent(), "<p>oops</p>", "the editor closes the tag it opened");
    await save.click();
    await page.getByText(/Not saved: the edit was not saved: .*<\/body>/).waitFor();
    assert.equal(getVersion(web.stack.db, doc.documentId)?.version, 2);

    // Back to the preview: it shows the hand edit; an old version is read-only in the code view.
    await page.getByRole("button", { name: "Discard changes" }).click();
    await page.getByRole("button", { name: "Code", pressed: true }).click();
    const frame = await framedVersion(page, 2);
    await frame.getByText("And a lake walk, edited by hand.").waitFor();
    await page.getByRole("button", { name: "Preview version 1" }).click();
    await page.getByRole("button", { name: "Code", exact: true }).click();
    await page.getByText("Version 1 is read-only: restore it to edit it.").waitFor();
    assert.equal(await editor.getAttribute("contenteditable"), "false");
    assert.deepEqual(
      problems.filter((problem) => !problem.includes("422")),
      [],
      "no console errors apart from the refused save",
    );
    await context.close();
  });

  it("shows the preview full screen and opens it in a new tab through the sandboxed /preview URL", async () => {
    seed(web.stack, "fay", "Tabs", [PAGE("<p>Full screen me.</p>")]);
    const { page, context } = await openPage(web.browser, web.stack, "fay");
    await page.goto("/");
    await framedVersion(page, 1);
    await page.getByRole("button", { name: "Full screen" }).click();
    await page.waitForFunction(() => document.fullscreenElement?.id === "preview-panel");
    await page.evaluate(() => document.exitFullscreen());
    const [tab] = await Promise.all([
      context.waitForEvent("page"),
      page.getByRole("link", { name: "Open in new tab" }).click(),
    ]);
    await tab.getByText("Full screen me.").waitFor();
    assert.match(tab.url(), /\/documents\/[0-9a-f-]+\/preview\?version=1$/);
    const response = await tab.request.get(tab.url());
    assert.match(
      response.headers()["content-security-policy"] ?? "",
      /^sandbox allow-scripts; default-src 'none'/,
    );
    await context.close();
  });

  it("deletes a document tab after a confirm, never the last one", async () => {
    const doc = seed(web.stack, "dora", "Docs", [PAGE("<p>First</p>")]);
    renameDocument(web.stack.db, doc.documentId, "Brief");
    const second = createDocument(web.stack.db, doc.sessionId, "Draft");
    const { page, context, problems } = await openPage(web.browser, web.stack, "dora");
    await page.goto("/");
    await page.getByRole("tab", { name: "Draft" }).click();
    await page.getByRole("tab", { name: "Draft", selected: true }).waitFor();
    await page.getByRole("button", { name: "Delete document Draft" }).click();
    await page.getByRole("button", { name: "Confirm: Delete document Draft" }).click();
    await page.getByRole("tab", { name: "Draft" }).waitFor({ state: "detached" });
    await page.getByRole("tab", { name: "Brief", selected: true }).waitFor();
    const left = web.stack.db
      .prepare("SELECT id FROM documents WHERE session_id = ?")
      .pluck()
      .all(doc.sessionId);
    assert.deepEqual(left, [doc.documentId]);
    assert.ok(!left.includes(second.id));
    assert.equal(
      await page.getByRole("button", { name: /Delete document/ }).count(),
      0,
      "the last one stays",
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("exports with the chosen paper size and PNG width and scale", async () => {
    seed(web.stack, "evan", "Export", [PAGE("<p>Export me.</p>")]);
    const { page, context } = await openPage(web.browser, web.stack, "evan");
    await page.goto("/");
    await framedVersion(page, 1);
    await page.getByText("Options").click();
    await page.getByLabel("PDF paper").selectOption("Legal");
    await page.getByLabel("PNG width (px)").fill("800");
    await page.getByLabel("PNG scale").selectOption("2");
    const [pdf] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export as PDF" }).click(),
    ]);
    const size = (await PDFDocument.load(readFileSync((await pdf.path()) ?? ""))).getPage(0).getSize();
    assert.deepEqual([Math.round(size.width), Math.round(size.height)], [612, 1008], "US Legal in points");
    const [png] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export as PNG" }).click(),
    ]);
    assert.equal(readFileSync((await png.path()) ?? "").readUInt32BE(16), 1600, "800 CSS px at scale 2");
    await page.getByLabel("PNG width (px)").fill("5000");
    await page.getByRole("button", { name: "Export as PNG" }).click();
    await page.getByText("PNG width must be 320–1600 px.").waitFor();
    await context.close();
  });

  it("shows lazy thumbnails of each version, rendered once and cached on disk", async () => {
    const doc = seed(
      web.stack,
      "tess",
      "Thumbs",
      [1, 2, 3].map((n) => PAGE(`<p>Version ${n}</p>`)),
    );
    const { page, context } = await openPage(web.browser, web.stack, "tess");
    await page.goto("/");
    const thumbs = page.locator("img.thumb");
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>("img.thumb")].every(
          (image) => image.complete && image.naturalWidth === 400,
        ) && document.querySelectorAll("img.thumb").length === 3,
    );
    assert.deepEqual(
      await thumbs.evaluateAll((images) => images.map((image) => image.getAttribute("loading"))),
      ["lazy", "lazy", "lazy"],
    );
    const files = () =>
      readdirSync(join(web.stack.dir, "exports"))
        .filter((name) => name.startsWith(doc.documentId) && name.endsWith("-thumbnail.png"))
        .sort();
    assert.deepEqual(
      files(),
      [1, 2, 3].map((n) => `${doc.documentId}-v${n}-thumbnail.png`),
    );
    const mtimes = files().map((name) => statSync(join(web.stack.dir, "exports", name)).mtimeMs);
    await page.reload();
    await page.waitForFunction(
      () =>
        document.querySelectorAll("img.thumb").length === 3 &&
        [...document.querySelectorAll<HTMLImageElement>("img.thumb")].every(
          (image) => image.naturalWidth === 400,
        ),
    );
    assert.deepEqual(
      files().map((name) => statSync(join(web.stack.dir, "exports", name)).mtimeMs),
      mtimes,
      "served again from the cached files, not re-rendered",
    );
    await thumbs.nth(2).click({ force: true });
    await page.getByText("Viewing version 1 of 3.").waitFor();
    await context.close();
  });

  it("searches sessions by title and groups them by last use", async () => {
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const sessions: [string, number][] = [
      ["Garden party invitation", 0],
      ["Quarterly report", 0],
      ["Garden centre flyer", 3],
      ["Old newsletter", 40],
    ];
    for (const [title, daysAgo] of sessions) {
      const { sessionId } = seed(web.stack, "sam", title, []);
      web.stack.db.prepare("UPDATE sessions SET last_active = ? WHERE id = ?").run(at(daysAgo), sessionId);
    }
    const { page, context } = await openPage(web.browser, web.stack, "sam");
    await page.goto("/");
    const groups = () =>
      page
        .locator(".session-group")
        .evaluateAll((items) =>
          items.map((item) => [
            item.querySelector(".group-label")?.textContent,
            [...item.querySelectorAll(".session-title")].map((title) => title.textContent),
          ]),
        );
    await page.locator(".session-group").first().waitFor();
    const all = await groups();
    assert.deepEqual(
      all.map(([label]) => label),
      ["Today", "This week", "Older"],
    );
    assert.deepEqual(all[1], ["This week", ["Garden centre flyer"]]);
    assert.deepEqual(all[2], ["Older", ["Old newsletter"]]);
    await page.getByRole("searchbox", { name: "Search sessions by title" }).fill("garden");
    assert.deepEqual(await groups(), [
      ["Today", ["Garden party invitation"]],
      ["This week", ["Garden centre flyer"]],
    ]);
    await page.getByRole("searchbox", { name: "Search sessions by title" }).fill("zebra");
    await page.getByText("No session title contains “zebra”.").waitFor();
    await context.close();
  });

  it("keeps the page at the viewport's height after a 40-turn conversation, however far one scrolls", async () => {
    const doc = seed(web.stack, "lena", "Long talk", [PAGE("<p>Hello</p>")]);
    for (let turn = 1; turn <= 40; turn += 1) {
      addMessage(web.stack.db, { ...doc, role: "user", content: `Change number ${turn}, please.` });
      addMessage(web.stack.db, {
        ...doc,
        role: "assistant",
        content: `Made **change ${turn}**.\n\n- one\n- two`,
      });
    }
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 1024, height: 640 },
    ]) {
      const { page, context } = await openPage(web.browser, web.stack, "lena", viewport);
      await page.goto("/");
      await page
        .getByText("Made change 40.")
        .waitFor()
        .catch(() => page.getByText("change 40").waitFor());
      const chat = page.getByRole("list", { name: "Conversation" });
      await chat.hover();
      for (let wheel = 0; wheel < 15; wheel += 1) await page.mouse.wheel(0, 2000);
      const metrics = await page.evaluate(() => ({
        scrollHeight: document.documentElement.scrollHeight,
        innerHeight: window.innerHeight,
        scrollY: window.scrollY,
      }));
      assert.equal(metrics.scrollHeight, metrics.innerHeight, `page height at ${viewport.width} px`);
      assert.equal(metrics.scrollY, 0, "the app never scrolls away");
      assert.ok(
        await chat.evaluate(
          (list) => list.scrollTop > 0 && list.scrollTop + list.clientHeight >= list.scrollHeight - 2,
        ),
        "the conversation itself scrolled to its end",
      );
      await context.close();
    }
  });

  it("keeps the reader's place in the preview across an edit, outlines what changed, and compares versions", async () => {
    seed(web.stack, "rita", "Scroll", [LONG]);
    const { page, context, problems } = await openPage(web.browser, web.stack, "rita");
    await page.goto("/");
    const first = await framedVersion(page, 1);
    await first.evaluate(() => window.scrollTo(0, 2400));
    await page.waitForTimeout(300);

    web.fakes.anthropic.script(
      {
        type: "reply",
        text: "Updating paragraph 60.",
        toolCalls: [
          {
            name: "html_replace",
            input: { old_text: "Paragraph number 60.", new_text: "Paragraph sixty, rewritten." },
          },
        ],
      },
      { type: "reply", text: "Rewrote paragraph 60." },
    );
    await send(page, "Rewrite paragraph 60");
    const second = await framedVersion(page, 2);
    await turnEnded(page);
    await second.waitForFunction(() => Math.abs(window.scrollY - 2400) < 5);
    await second.locator(".ahb-changed").first().waitFor();
    assert.deepEqual(await second.locator(".ahb-changed").allTextContents(), ["Paragraph sixty, rewritten."]);
    await page.getByRole("button", { name: "Changes (1)", pressed: true }).waitFor();

    // Turning the comparison off removes the outlines; turning it on scrolls to the first change.
    await page.getByRole("button", { name: /^Changes/ }).click();
    await second.locator(".ahb-changed").waitFor({ state: "detached" });
    await second.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole("button", { name: "Changes", pressed: false }).click();
    await second.locator(".ahb-changed").waitFor();
    assert.ok((await second.evaluate(() => window.scrollY)) > 1000, "the first change is brought into view");

    // Escape leaves an old version's preview.
    await page.getByRole("button", { name: "Preview version 1" }).click();
    await page.getByText("Viewing version 1 of 2.").waitFor();
    await page.keyboard.press("Escape");
    await page.getByText("Viewing version 1 of 2.").waitFor({ state: "hidden" });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("keyboard: Escape cancels a turn, arrows and rename keep focus on the tabs, Attach file shows focus", async () => {
    const doc = seed(web.stack, "kim", "Keys", [PAGE("<p>Keys</p>")]);
    renameDocument(web.stack.db, doc.documentId, "One");
    createDocument(web.stack.db, doc.sessionId, "Two");
    const { page, context } = await openPage(web.browser, web.stack, "kim");
    await page.goto("/");
    await page.getByRole("tab", { name: "Two", selected: true }).focus();
    await page.keyboard.press("ArrowLeft");
    await page.getByRole("tab", { name: "One", selected: true }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      "One",
      "focus stays on the tabs",
    );

    await page.getByRole("tab", { name: "One" }).dblclick();
    await page.getByLabel("New document title").press("Escape");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "tab");

    web.fakes.anthropic.script({ type: "reply", text: "Thinking about it", hangAfterDeltas: 1 });
    await send(page, "Make the title bigger");
    await page.locator(".bubble.streaming").waitFor();
    await page.keyboard.press("Escape");
    await page.getByText("Cancelled.", { exact: true }).first().waitFor();
    await turnEnded(page);

    await page.locator("#upload-input").focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    const outline = await page
      .locator("label[for=upload-input]")
      .evaluate((label) => getComputedStyle(label).outlineStyle);
    assert.equal(outline, "solid", "Attach file shows a focus ring");
    await context.close();
  });

  it("first visit: example prompts, the message box focused, export disabled until there is a document", async () => {
    const { page, context } = await openPage(web.browser, web.stack, "newcomer");
    await page.goto("/");
    await page.getByRole("list", { name: "Example prompts" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "chat-input");
    for (const format of ["HTML", "PDF", "PNG"])
      assert.equal(
        await page.getByRole("button", { name: `Export as ${format}` }).isDisabled(),
        true,
        format,
      );
    await page.getByRole("button", { name: /team offsite/ }).click();
    assert.match(await page.getByLabel("Message", { exact: true }).inputValue(), /team offsite on 12 June/);
    await context.close();
  });

  it("keeps the cost column of the cost tables on screen at 390 px", async () => {
    insertLedgerEntry(web.stack.db, {
      user: "nora",
      sessionId: null,
      provider: "google",
      model: "gemini-3-pro-image-preview",
      requestId: null,
      inputTokens: 123_456,
      outputTokens: 98_765,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      thinkingTokens: 0,
      images: 12,
      costNanoUsd: 1_234_567_890,
      priceVersion: "test",
      status: "ok",
    });
    const { page, context } = await openPage(web.browser, web.stack, "nora", { width: 390, height: 844 });
    await page.goto("/#costs");
    const table = page.getByRole("region", { name: "By model" });
    const cost = table.getByRole("cell", { name: "$1.23" });
    await cost.waitFor();
    assert.deepEqual(await table.getByRole("columnheader").allTextContents(), [
      "Model",
      "Provider",
      "Requests",
      ...USAGE_FIELDS.map((field) => field.label),
      "Cost",
    ]);
    const seen = await cost.evaluate((cell) => {
      const box = cell.getBoundingClientRect();
      cell.scrollIntoView({ block: "center", inline: "nearest" });
      const after = cell.getBoundingClientRect();
      const hit = document.elementFromPoint(after.left + after.width / 2, after.top + after.height / 2);
      return { right: box.right, left: box.left, onTop: hit === cell || cell.contains(hit) };
    });
    assert.ok(seen.left >= 0 && seen.right <= 390, `the cost cell spans ${seen.left}..${seen.right} px`);
    assert.ok(seen.onTop, "nothing covers it");
    await context.close();
  });
});
