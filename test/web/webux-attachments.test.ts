import assert from "node:assert/strict";
import { describe, it } from "node:test";
import JSZip from "jszip";
import type { Page } from "playwright-core";
import { createSession } from "../../src/db/repo/sessions.js";
import { runCleanup } from "../../src/cleanup/cleanup.js";
import { useWebStack, openPage } from "./stack.js";

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour Brief</title></head>
<body><h1>Harbour Brief</h1><p>One page.</p></body></html>`;
const DAY = 86_400_000;

/** A real OOXML .docx whose paragraphs hold `chars` characters of text in all. */
async function docxOf(chars: number): Promise<{ bytes: Buffer; paragraphs: string[] }> {
  const paragraphs: string[] = [];
  for (let total = 0, n = 1; total < chars; n += 1) {
    const text = `Paragraph ${n}: the harbour board reviewed berth fees, ferry times and the winter dredging plan.`;
    const piece = text.slice(0, chars - total);
    paragraphs.push(piece);
    total += piece.length;
  }
  const zip = new JSZip();
  zip.file(
    "[Content_Types].xml",
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    "_rels/.rels",
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  const body = paragraphs
    .map((text) => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`)
    .join("");
  zip.file(
    "word/document.xml",
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return { bytes: await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }), paragraphs };
}

async function send(page: Page, message: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).fill(message);
  await page.getByLabel("Message", { exact: true }).press("Enter");
}

async function turnEnded(page: Page): Promise<void> {
  await page.locator("#chat-input:not([disabled])").waitFor();
  await page.locator(".bubble.streaming").waitFor({ state: "detached" });
}

describe("web page: attachments, retention, generated titles, failed turns after reload (real Chromium)", () => {
  const web = useWebStack({ TITLE_MODEL: "gemini-2.5-flash-lite" });

  it("shows each session's expiry (warning in the last 24 hours); cleanup keeps the 2-hour one, deletes the 31-day one", async () => {
    const idle = (title: string, ms: number) => {
      const { session } = createSession(web.stack.db, { owner: "jude", title, maxPerOwner: 10 });
      web.stack.db
        .prepare("UPDATE sessions SET last_active = ? WHERE id = ?")
        .run(new Date(Date.now() - ms).toISOString(), session.id);
      return session.id;
    };
    idle("Idle two hours", 2 * 3_600_000);
    idle("Idle 29.5 days", 29.5 * DAY);
    const stale = idle("Idle 31 days", 31 * DAY);
    const { page, context } = await openPage(web.browser, web.stack, "jude");
    await page.goto("/");
    const row = (title: string) => page.locator(".session", { hasText: title }).locator(".session-expiry");
    await row("Idle two hours").waitFor();
    assert.match((await row("Idle two hours").textContent()) ?? "", /^Expires in (29|30) days$/);
    assert.match((await row("Idle 29.5 days").textContent()) ?? "", /^Expires in 1[12] hours/);
    assert.equal(await row("Idle 29.5 days").evaluate((node) => node.classList.contains("warning")), true);
    assert.match((await row("Idle 31 days").textContent()) ?? "", /^Expired/);

    // The server's own hourly job first runs a minute after boot (this test runs first, well before): either
    // way the outcome is the same.
    runCleanup(web.stack.db, { sessionsOlderThanMs: 30 * DAY, exportsOlderThanMs: DAY });
    const left = web.stack.db.prepare("SELECT id FROM sessions WHERE owner = 'jude'").pluck().all();
    assert.ok(!left.includes(stale) && left.length === 2);
    await page.reload();
    await row("Idle two hours").waitFor();
    assert.equal(await page.locator(".session", { hasText: "Idle 31 days" }).count(), 0);

    // Pinning: the session never expires.
    await page.getByRole("button", { name: "Pin session Idle 29.5 days" }).click();
    await page.getByRole("button", { name: "Unpin session Idle 29.5 days" }).waitFor();
    assert.equal(await row("Idle 29.5 days").textContent(), "Pinned: kept until you delete it");
    await context.close();
  });

  it("sends a 150,000-character .docx as an attachment; titles the session and document; the PDF has that name", async () => {
    const { page, context, problems } = await openPage(web.browser, web.stack, "ines");
    const chatStatuses: number[] = [];
    page.on("response", (response) => {
      if (response.url().includes("/api/chat/")) chatStatuses.push(response.status());
    });
    await page.goto("/");
    const { bytes, paragraphs } = await docxOf(150_000);
    await page.locator("#upload-input").setInputFiles({
      name: "harbour-report.docx",
      mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      buffer: bytes,
    });
    const chip = page.locator(".composer .attachment-chip");
    await chip.waitFor();
    assert.match((await chip.textContent()) ?? "", /harbour-report\.docx\s*DOCX · 15\d,\d{3} characters/);
    assert.equal(
      await page.getByLabel("Message", { exact: true }).inputValue(),
      "",
      "the box stays the prompt",
    );

    const slowPage = PAGE.replace(
      "<p>One page.</p>",
      `<p>One page.</p>${"<p>Berth fees and ferry times.</p>".repeat(40)}`,
    );
    web.fakes.gemini.script(
      { type: "reply", text: slowPage, chunks: 12, chunkDelayMs: 300 },
      { type: "reply", text: "Harbour Board Brief" },
    );
    await send(page, "Turn this into a one-page brief");
    // The document renders progressively while it streams, before its version exists.
    // (A frame without allow-scripts is closed to Playwright's injected script, so its srcdoc is what is read.)
    const drafting = page.locator(".draft-frame:not([hidden])");
    await drafting.waitFor();
    assert.match((await drafting.getAttribute("srcdoc")) ?? "", /<h1>Harbour Brief<\/h1>/);
    assert.equal(await page.locator(".bubble.streaming").count(), 1, "still streaming");
    assert.doesNotMatch((await page.locator(".bubble.assistant").textContent()) ?? "", /<p>|<!DOCTYPE/i);
    await turnEnded(page);
    assert.equal(await page.locator(".draft-frame").isHidden(), true, "the saved version replaces the draft");
    assert.deepEqual(chatStatuses, [200], "no 400");
    assert.equal(await page.locator(".composer .attachment-chip").count(), 0, "sent: the composer is empty");

    const stored = web.stack.db.prepare("SELECT text, chars FROM attachments").get() as {
      text: string;
      chars: number;
    };
    assert.ok(stored.chars >= 150_000);
    const request = web.fakes.gemini.requests[0]?.body as { contents: { parts: { text: string }[] }[] };
    const parts = request.contents[0]?.parts ?? [];
    assert.equal(parts.length, 2);
    assert.ok(parts[0]?.text.includes(stored.text), "the Gemini fake received the file's full text");
    assert.ok(
      paragraphs.every((paragraph) => parts[0]?.text.includes(paragraph)),
      "every paragraph of the file",
    );
    assert.equal(parts[1]?.text, "Turn this into a one-page brief");
    const userMessage = web.stack.db
      .prepare("SELECT content FROM chat_messages WHERE role = 'user'")
      .pluck()
      .get();
    assert.equal(userMessage, "Turn this into a one-page brief", "the stored user message is the prompt");

    // Generated titles, shown in the list and the tab, and used by the export.
    await page.getByRole("tab", { name: "Harbour Board Brief" }).waitFor();
    await page.locator(".session-title", { hasText: "Harbour Board Brief" }).waitFor();
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export as PDF" }).click();
    assert.equal((await downloading).suggestedFilename(), "Harbour Board Brief.pdf");

    // After a reload the history still shows the attachment chip on the message.
    await page.reload();
    const historyChip = page.locator(".bubble.user .attachment-chip");
    await historyChip.waitFor();
    assert.match((await historyChip.textContent()) ?? "", /harbour-report\.docx/);
    await page.screenshot({ path: `${web.stack.dir}/attachments.png` });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("keeps a refused message in the box with the reason, and shows a failed turn as failed after a reload", async () => {
    createSession(web.stack.db, { owner: "kim", title: "Failing", maxPerOwner: 3 });
    const { page, context } = await openPage(web.browser, web.stack, "kim");
    await page.goto("/");
    await page.getByRole("tab", { name: "Untitled document" }).waitFor();

    const long = "x".repeat(10_001);
    await send(page, long);
    await page.getByText(/Not sent: .*at most 10000 characters.*attach it/).waitFor();
    assert.equal(await page.getByLabel("Message", { exact: true }).inputValue(), long, "the text is kept");
    assert.equal(await page.locator(".bubble").count(), 0);

    web.fakes.gemini.script({ type: "invalid_key" });
    const longPrompt = `Create a page for the regatta: ${"boats, crews, start times and the prize giving; ".repeat(6)}`;
    await send(page, longPrompt);
    await page.locator(".inline-error").waitFor();
    await turnEnded(page);
    await page.reload();
    const failed = page.locator(".bubble.assistant.failed");
    await failed.waitFor();
    assert.match(
      (await failed.locator(".inline-error").textContent()) ?? "",
      /rejected this server's API key/,
    );

    web.fakes.gemini.script({ type: "reply", text: PAGE });
    await failed.getByRole("button", { name: "Retry" }).click();
    await turnEnded(page);
    await page.reload();
    await page.locator(".bubble.assistant:not(.failed)").waitFor();
    assert.equal(await page.locator(".bubble.retried").count(), 2, "the failed attempt is marked as retried");
    assert.equal(await page.locator(".inline-error button").count(), 0, "no Retry left on a retried attempt");
    assert.equal(await page.locator(".bubble.user").count(), 2);
    // The version list shortens the long prompt, with the whole of it one click away.
    const prompt = page.locator("details.prompt");
    assert.match((await prompt.locator("summary").textContent()) ?? "", /…$/);
    await prompt.locator("summary").click();
    assert.equal(await prompt.locator(".prompt-full").textContent(), longPrompt.trim());
    await context.close();
  });
});
