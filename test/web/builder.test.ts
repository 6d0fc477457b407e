import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import JSZip from "jszip";
import type { Page } from "playwright-core";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { createSession } from "../../src/db/repo/sessions.js";
import { formatUsd } from "../../web/format.js";
import { TINY_PNG_BASE64 } from "../fakes/index.js";
import { useWebStack, openPage, type WatchedPage } from "./stack.js";

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Team Offsite 2026</title>
<style>body{font-family:sans-serif}</style></head>
<body><h1>Team Offsite 2026</h1><p>Day one: planning.</p><p>Day two: hiking.</p></body></html>`;

/** A minimal valid .docx (the three parts Word needs), built here so the upload path sees a real OOXML zip. */
async function docx(paragraphs: string[]): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    "[Content_Types].xml",
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    "_rels/.rels",
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  const body = paragraphs.map((text) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`).join("");
  zip.file(
    "word/document.xml",
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: "nodebuffer" });
}

const preview = (page: Page) => page.frameLocator("iframe.preview-frame");

async function send(page: Page, message: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).fill(message);
  await page.getByLabel("Message", { exact: true }).press("Enter");
}

/** Waits until the turn is over: the message box is usable again. */
async function turnEnded(page: Page): Promise<void> {
  await page.locator("#chat-input:not([disabled])").waitFor();
  await page.locator(".bubble.streaming").waitFor({ state: "detached" });
}

describe("web page end to end (real server, provider fakes, real Chromium)", () => {
  const web = useWebStack({ MAX_SESSIONS_PER_USER: "3", ADMIN_USERS: "hank", MAX_UPLOAD_SIZE: "10000" });

  it("creates, edits, adds an image, restores, uploads a .docx, exports a PDF and shows the cost", async () => {
    const watched: WatchedPage = await openPage(web.browser, web.stack, "erin");
    const { page } = watched;
    await page.goto("/");
    await page.getByText("Describe the page you want and press Enter.").waitFor();

    // Create: Gemini streams the document; the input is locked while it streams.
    web.fakes.gemini.script({
      type: "reply",
      text: `\`\`\`html\n${PAGE}\n\`\`\``,
      chunks: 6,
      chunkDelayMs: 150,
    });
    await send(page, "Create a page for our team offsite");
    await page.locator("#chat-input[disabled]").waitFor();
    assert.equal(await page.getByRole("button", { name: "Cancel" }).isVisible(), true);
    await preview(page).getByRole("heading", { name: "Team Offsite 2026" }).waitFor();
    await turnEnded(page);
    await page
      .getByRole("list", { name: "Conversation" })
      .getByText('Created "Team Offsite 2026".')
      .waitFor();
    assert.equal(await page.getByRole("button", { name: "Cancel" }).isVisible(), false);

    // Edit: Claude's tool call changes one passage; the preview follows.
    web.fakes.anthropic.script(
      {
        type: "reply",
        text: "I'll add the lake walk.",
        toolCalls: [
          {
            name: "html_replace",
            input: { old_text: "Day one: planning.", new_text: "Day one: planning and a lake walk." },
          },
        ],
      },
      { type: "reply", text: "Added a lake walk to day one." },
    );
    await send(page, "Add a lake walk to day one");
    await preview(page).getByText("Day one: planning and a lake walk.").waitFor();
    await turnEnded(page);

    // Image: Nano Banana's picture is embedded as a data URI.
    web.fakes.gemini.script({
      type: "reply",
      text: "A calm lake.",
      image: { mimeType: "image/png", data: TINY_PNG_BASE64 },
    });
    await send(page, "Add an illustration of a lake at dawn");
    await preview(page).locator('img[src^="data:image/png;base64,"]').waitFor();
    await turnEnded(page);
    await page.getByRole("button", { name: "Preview version 3" }).waitFor();
    assert.equal(await page.locator(".turn-cost").count(), 3);

    // Code view: the source in the editor, highlighted (editing is covered in workspace.test.ts).
    await page.getByRole("button", { name: "Code", exact: true }).click();
    const code = page.getByRole("textbox", { name: "HTML source" });
    await code.getByText("Day one: planning and a lake walk.").waitFor();
    assert.ok((await code.locator("span[class]").count()) > 5, "tags are highlighted");
    await page.getByRole("button", { name: "Code", pressed: true }).click();

    // Preview an old version, then restore version 1 as version 4.
    await page.getByRole("button", { name: "Preview version 1" }).click();
    await page.getByText("Viewing version 1 of 3.").waitFor();
    await preview(page).getByText("Day one: planning.", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Restore this version" }).click();
    await page.getByRole("button", { name: "Preview version 4" }).waitFor();
    assert.equal(await page.getByText("Viewing version").isVisible(), false);
    await preview(page).getByText("Day one: planning.", { exact: true }).waitFor();
    assert.equal(await preview(page).locator("img").count(), 0, "the restored version has no image");

    // Upload: a .docx dropped on the chat pane becomes an attachment chip of the next message (the message box
    // stays the user's); the picker's wrong type and
    // too-large files are refused with the server's reason.
    const bytes = [...(await docx(["Offsite agenda", "Breakfast at eight by the lake."]))];
    const dataTransfer = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], "agenda.docx"));
      return transfer;
    }, bytes);
    await page.locator("#chat").dispatchEvent("dragover", { dataTransfer });
    assert.equal(await page.locator("#chat.dropping").count(), 1, "the drop zone is highlighted");
    await page.locator("#chat").dispatchEvent("drop", { dataTransfer });
    await page.getByText("agenda.docx is attached to your next message.").waitFor();
    assert.match(
      (await page.locator(".composer .attachment-chip").textContent()) ?? "",
      /agenda\.docx.*DOCX · \d+ characters/,
    );
    assert.equal(await page.getByLabel("Message", { exact: true }).inputValue(), "");
    await page.locator("#upload-input").setInputFiles({
      name: "tool.exe",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("MZ\x90\x00 not a document"),
    });
    await page
      .locator(".upload-note.error")
      .getByText(/tool\.exe: wrong type/)
      .waitFor();
    await page.locator("#upload-input").setInputFiles({
      name: "huge.txt",
      mimeType: "text/plain",
      buffer: Buffer.alloc(30_000, "a"),
    });
    await page
      .locator(".upload-note.error")
      .getByText(/huge\.txt: too large: .*10000 bytes/)
      .waitFor();

    // Export: a real PDF of the version on screen.
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export as PDF" }).click();
    const download = await downloading;
    assert.match(download.suggestedFilename(), /\.pdf$/);
    const pdf = await readFile((await download.path()) as string);
    assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");

    // Costs: the dashboard shows what the ledger holds for this user.
    const ledger = web.stack.db
      .prepare(
        "SELECT count(*) AS requests, sum(cost_nano_usd) AS cost, sum(images) AS images FROM cost_ledger WHERE user = ?",
      )
      .get("erin") as { requests: number; cost: number; images: number };
    assert.ok(ledger.cost > 0 && ledger.requests === 4 && ledger.images === 1);
    await page.getByRole("link", { name: "Costs" }).click();
    const cards = page.locator(".card");
    await cards.first().waitFor();
    assert.equal(
      await cards.filter({ hasText: "Total cost" }).locator(".card-value").textContent(),
      formatUsd(ledger.cost),
    );
    assert.equal(await cards.filter({ hasText: "Requests" }).locator(".card-value").textContent(), "4");
    assert.equal(await cards.filter({ hasText: "Images" }).locator(".card-value").textContent(), "1");
    const models = web.stack.db
      .prepare("SELECT DISTINCT model FROM cost_ledger WHERE user = ?")
      .pluck()
      .all("erin") as string[];
    assert.equal(models.length, 3, "Gemini 2.5 Pro, Claude and Nano Banana Pro");
    for (const model of models) await page.getByRole("rowheader", { name: model }).waitFor();
    assert.equal(await page.locator(".trend .bar").count(), 30);
    await page.getByRole("button", { name: "7 days" }).click();
    await page.waitForFunction(() => document.querySelectorAll(".trend .bar").length === 7);
    assert.equal(await page.getByLabel("All users").isVisible(), false, "not an admin");

    assert.deepEqual(
      watched.problems.filter((problem) => !problem.includes("/api/upload")),
      [],
      "no console errors apart from the refused uploads' 415 and 413",
    );
    await watched.context.close();
  });

  it("shows a failed turn inline, retries it, and cancels a streaming turn", async () => {
    const { session, documentId } = createSession(web.stack.db, {
      owner: "frank",
      maxPerOwner: 3,
      title: "Retry",
    });
    assert.ok(session && documentId);
    const { page, context } = await openPage(web.browser, web.stack, "frank");
    await page.goto("/");
    await page.getByRole("tab", { name: "Untitled document" }).waitFor();

    const box = page.getByLabel("Message", { exact: true });
    await box.fill("first line");
    await box.press("Shift+Enter");
    await box.pressSequentially("second line");
    assert.equal(await box.inputValue(), "first line\nsecond line", "Shift+Enter adds a line, sends nothing");
    assert.equal(await page.locator(".bubble").count(), 0);

    web.fakes.gemini.script({ type: "invalid_key" });
    await send(page, "Create a page for our team offsite");
    const failure = page.locator(".inline-error");
    await failure.waitFor();
    await turnEnded(page);
    assert.match((await failure.textContent()) ?? "", /rejected this server's API key/);
    assert.equal(await page.getByText("No versions yet.").isVisible(), true);

    web.fakes.gemini.script({ type: "reply", text: PAGE });
    await failure.getByRole("button", { name: "Retry" }).click();
    await preview(page).getByRole("heading", { name: "Team Offsite 2026" }).waitFor();
    await turnEnded(page);
    assert.equal(
      await page.locator(".bubble.retried").count(),
      2,
      "the failed attempt stays, marked as retried",
    );
    assert.equal(await page.locator(".inline-error button").count(), 0, "no Retry is left to press");

    web.fakes.anthropic.script({ type: "reply", text: "Working on it, step by step", hangAfterDeltas: 2 });
    await send(page, "Rewrite day two as a boat trip");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("Cancelled.", { exact: true }).first().waitFor();
    await turnEnded(page);
    assert.equal(
      await page.getByRole("button", { name: "Preview version 2" }).count(),
      0,
      "nothing was saved",
    );
    await context.close();
  });

  it("manages sessions and documents: refusal past the limit, delete, rename, new tab", async () => {
    for (const title of ["One", "Two", "Three"])
      createSession(web.stack.db, { owner: "gina", maxPerOwner: 3, title });
    const { page, context } = await openPage(web.browser, web.stack, "gina");
    await page.goto("/");
    await page.getByRole("button", { name: /^Three/ }).waitFor();

    await page.getByRole("button", { name: "New session" }).click();
    const refusal = page
      .getByRole("alert")
      .filter({ hasText: "the most allowed; delete one to start another" });
    await refusal.waitFor();
    assert.equal(
      await refusal.textContent(),
      "You already have 3 sessions, the most allowed; delete one to start another",
      "the advice is given once",
    );

    await page.getByRole("button", { name: "Delete session Two" }).click();
    await page.getByRole("button", { name: "Confirm: Delete session Two" }).click();
    await page.getByRole("button", { name: /^Two/ }).waitFor({ state: "detached" });
    await page.getByRole("button", { name: "New session" }).click();
    await page.getByRole("button", { name: /^Untitled session/ }).waitFor();

    await page.getByRole("button", { name: "Rename session One" }).click();
    await page.getByLabel("New session title").fill("Board meeting");
    await page.getByLabel("New session title").press("Enter");
    await page.getByRole("button", { name: /^Board meeting/ }).waitFor();

    await page.getByRole("button", { name: "New document" }).click();
    await page.getByRole("tab", { name: "Untitled document" }).nth(1).waitFor();
    await page.getByRole("tab", { selected: true }).dblclick();
    await page.getByLabel("New document title").fill("Agenda");
    await page.getByLabel("New document title").press("Enter");
    await page.getByRole("tab", { name: "Agenda", selected: true }).waitFor();
    await page.getByRole("tab", { name: "Untitled document" }).click();
    await page.getByRole("tab", { name: "Untitled document", selected: true }).waitFor();
    const sessionsOfGina = web.stack.db
      .prepare("SELECT title FROM sessions WHERE owner = 'gina' ORDER BY title")
      .pluck()
      .all();
    assert.deepEqual(sessionsOfGina, ["Board meeting", "Three", "Untitled session"]);
    await context.close();
  });

  it("lets an admin switch the cost dashboard to all users, with a per-user table", async () => {
    for (const [user, costNanoUsd] of [
      ["ivan", 2_000_000_000],
      ["judy", 500_000_000],
    ] as const)
      insertLedgerEntry(web.stack.db, {
        user,
        sessionId: null,
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        requestId: null,
        inputTokens: 1000,
        outputTokens: 100,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        thinkingTokens: 0,
        images: 0,
        costNanoUsd,
        priceVersion: "test",
        status: "ok",
      });
    const { page, context } = await openPage(web.browser, web.stack, "hank");
    await page.goto("/#costs");
    await page.getByText("admin", { exact: true }).waitFor();
    await page.getByLabel("All users").check();
    const byUser = page.getByRole("region", { name: "By user" });
    await byUser.getByRole("rowheader", { name: "ivan" }).waitFor();
    assert.equal(await byUser.getByRole("row", { name: /judy/ }).getByText("$0.50").count(), 1);
    assert.equal(await byUser.getByRole("row", { name: /ivan/ }).getByText("$2.00").count(), 1);
    await context.close();
  });
});
