import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { BUILTIN_STARTERS } from "../../src/starters/builtin.js";
import { TINY_PNG_BASE64, type ProviderFakes } from "../fakes/index.js";
import { USER_COOKIE } from "./identity-proxy.js";
import { useWebStack, openPage, type Stack } from "./stack.js";

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Offsite Agenda</title></head>
<body><h1>Offsite Agenda</h1><p>Day one: 40 people plan the roadmap.</p><p>Day two: 25 people hike.</p></body></html>`;

const BRIEF = {
  title: "Offsite in numbers",
  layout: "Vertical poster: title band, two columns with big numbers, footer.",
  sections: [
    { heading: "Day one", text: "Roadmap planning", data: [{ label: "People", value: "40" }] },
    { heading: "Day two", text: "Hiking", data: [{ label: "People", value: "25" }] },
  ],
  altText: "Infographic: day one, 40 people plan the roadmap; day two, 25 people hike.",
  caption: "The offsite at a glance.",
};

/** A PNG that is not the fake's default picture, so the test can tell the logo from a generated image. */
const LOGO_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGPgtp34aSUDA4QCACD4BOlU4+lCAAAAAElFTkSuQmCC";

const preview = (page: Page) => page.frameLocator("iframe.preview-frame");

async function turnEnded(page: Page): Promise<void> {
  await page.locator("#chat-input:not([disabled])").waitFor();
  await page.locator(".bubble.streaming").waitFor({ state: "detached" });
}

async function send(page: Page, message: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).fill(message);
  await page.getByLabel("Message", { exact: true }).press("Enter");
}

function selectedText(page: Page): Promise<string> {
  return page
    .locator("#chat-input")
    .evaluate((input: HTMLTextAreaElement) => input.value.slice(input.selectionStart, input.selectionEnd));
}

/** The text parts of the n-th request the Gemini fake received (the JSON body the SDK sent). */
function geminiText(fakes: ProviderFakes, index: number): string {
  return JSON.stringify(fakes.gemini.requests[index]?.body ?? null);
}

/** A JSON request as `user`, through the identity proxy like the page's own requests. */
async function apiAs(
  stack: Stack,
  user: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<number> {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: { "content-type": "application/json", cookie: `${USER_COOKIE}=${user}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

describe("starter templates, infographics and brand profiles (real server, provider fakes, real Chromium)", () => {
  const web = useWebStack({ ADMIN_USERS: "hank" });

  it("picks a starter template, steps through its placeholders with Tab and sends the filled prompt", async () => {
    const { page, problems } = await openPage(web.browser, web.stack, "tess");
    await page.goto("/");
    const gallery = page.getByRole("region", { name: "Start from a template" });
    await gallery.getByRole("button", { name: /Stakeholder Brief/ }).waitFor();
    assert.equal(await gallery.locator(".starter-card").count(), BUILTIN_STARTERS.length);
    assert.ok(BUILTIN_STARTERS.length >= 8);
    // Every thumbnail is a real image the web.browser decoded.
    const widths = await gallery
      .locator(".starter-card img")
      .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
    assert.ok(widths.length >= 8 && widths.every((width) => width > 0), `thumbnails: ${widths.join(",")}`);

    // The Templates button opens the same list in a dialog.
    await page.getByRole("button", { name: "Templates" }).click();
    const dialog = page.getByRole("dialog", { name: "Templates" });
    await dialog.getByRole("button", { name: /Stakeholder Brief/ }).click();
    assert.equal(await dialog.isVisible(), false);

    assert.equal(await selectedText(page), "{{project or initiative}}");
    await page.keyboard.type("Project Apollo");
    await page.keyboard.press("Tab");
    assert.equal(await selectedText(page), "{{audience}}");
    await page.keyboard.press("Tab");
    assert.equal(await selectedText(page), "{{status: on track / at risk / late}}");
    await page.keyboard.press("Shift+Tab");
    assert.equal(await selectedText(page), "{{audience}}", "Shift+Tab goes back");
    await page.keyboard.type("the board");
    await page.keyboard.press("Tab");
    await page.keyboard.type("on track");
    await page.keyboard.press("Tab");
    assert.equal(await selectedText(page), "{{date}}");
    await page.keyboard.type("1 March");
    const prompt = await page.getByLabel("Message", { exact: true }).inputValue();
    assert.doesNotMatch(prompt, /\{\{/);
    // Past the last placeholder Tab leaves the message box as usual (no keyboard trap).
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "", "focus moved on");

    web.fakes.gemini.script({ type: "reply", text: PAGE });
    await page.getByRole("button", { name: "Send" }).click();
    await preview(page).getByRole("heading", { name: "Offsite Agenda" }).waitFor();
    await turnEnded(page);
    assert.equal(await gallery.isVisible(), false, "the gallery leaves once the conversation starts");
    const sent = geminiText(web.fakes, 0);
    assert.ok(sent.includes("Project Apollo") && sent.includes("the board") && sent.includes("1 March"));
    assert.ok(
      sent.includes(JSON.stringify(prompt).slice(1, -1)),
      "the filled prompt went to Gemini as typed",
    );
    assert.deepEqual(problems, []);
  });

  it("lists an operator's starter file added while the server runs, and reports a bad one to admins", async () => {
    const { page, problems } = await openPage(web.browser, web.stack, "hank");
    await page.goto("/");
    await page.getByRole("button", { name: "Templates" }).click();
    const dialog = page.getByRole("dialog", { name: "Templates" });
    await dialog.getByRole("button", { name: /Dashboard/ }).waitFor();
    assert.equal(await dialog.getByRole("button", { name: /Release Notes/ }).count(), 0);
    await dialog.getByRole("button", { name: "Close" }).click();

    const folder = join(web.stack.dir, "starters");
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, "release-notes.json"),
      JSON.stringify({
        name: "Release Notes",
        description: "What shipped in a release, for customers.",
        prompt: "Write release notes for {{product}} version {{version}}.",
      }),
    );
    writeFileSync(
      join(folder, "release-notes.svg"),
      '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="100"><rect width="160" height="100" fill="#0a0"/></svg>',
    );
    writeFileSync(join(folder, "broken.json"), '{"name": "Broken", "prompt": 3}');

    await page.getByRole("button", { name: "Templates" }).click();
    const card = dialog.getByRole("button", { name: /Release Notes/ });
    await card.waitFor();
    assert.equal(
      await card.locator("img").evaluate((image: HTMLImageElement) => image.naturalWidth),
      160,
      "the operator's own thumbnail is served",
    );
    assert.equal(await dialog.getByRole("button", { name: /Broken/ }).count(), 0);
    await card.click();
    assert.equal(await selectedText(page), "{{product}}");

    const listing = await page.evaluate(async () => (await fetch("/api/templates")).json());
    const { problems: fileProblems } = listing as { problems: { file: string; message: string }[] };
    assert.equal(fileProblems.length, 1);
    assert.equal(fileProblems[0]?.file, "broken.json");
    assert.match(fileProblems[0]?.message ?? "", /description: .*prompt: /);
    assert.deepEqual(problems, []);
  });

  it("makes an infographic: Gemini writes the brief, Nano Banana renders it, both ledgered", async () => {
    const { page, problems } = await openPage(web.browser, web.stack, "inga");
    await page.goto("/");
    web.fakes.gemini.script({ type: "reply", text: PAGE });
    await send(page, "Create the offsite agenda page");
    await preview(page).getByRole("heading", { name: "Offsite Agenda" }).waitFor();
    await turnEnded(page);
    web.fakes.reset();

    // A failure in the second step leaves the document as it was.
    web.fakes.gemini.script({ type: "reply", text: JSON.stringify(BRIEF) }, { type: "invalid_key" });
    await send(page, "Make an infographic of the offsite numbers");
    await page
      .locator(".inline-error")
      .getByText(/The document is unchanged/)
      .waitFor();
    await turnEnded(page);
    assert.equal(await page.getByRole("button", { name: "Preview version 2" }).count(), 0);
    web.fakes.reset();

    web.fakes.gemini.script(
      { type: "reply", text: JSON.stringify(BRIEF) },
      { type: "reply", text: "Here it is.", image: { mimeType: "image/png", data: TINY_PNG_BASE64 } },
    );
    await send(page, "Make an infographic of the offsite numbers");
    const image = preview(page).locator('figure img[src^="data:image/png;base64,"]');
    await image.waitFor();
    await turnEnded(page);
    assert.equal(await image.getAttribute("alt"), BRIEF.altText);
    await preview(page).getByText(BRIEF.caption).waitFor();
    await page.getByRole("button", { name: "Preview version 2" }).waitFor();

    const [briefCall, imageCall] = web.fakes.gemini.requests;
    assert.match(briefCall?.path ?? "", /models\/gemini-2\.5-pro:generateContent/);
    const briefBody = JSON.stringify(briefCall?.body);
    assert.ok(
      briefBody.includes("Make an infographic of the offsite numbers"),
      "the request is in the brief call",
    );
    assert.ok(briefBody.includes("Day one: 40 people plan the roadmap."), "the document's text is too");
    assert.ok(briefBody.includes('"responseMimeType":"application/json"'));
    assert.match(imageCall?.path ?? "", /models\/gemini-3-pro-image-preview:generateContent/);
    assert.ok(
      JSON.stringify(imageCall?.body).includes("Offsite in numbers"),
      "the brief goes to the renderer",
    );

    const session = web.stack.db
      .prepare("SELECT id FROM sessions WHERE owner = 'inga'")
      .pluck()
      .get() as string;
    const rows = web.stack.db
      .prepare("SELECT model, images, status FROM cost_ledger WHERE session_id = ? ORDER BY id")
      .all(session) as { model: string; images: number; status: string }[];
    assert.deepEqual(rows.slice(-2), [
      { model: "gemini-2.5-pro", images: 0, status: "ok" },
      { model: "gemini-3-pro-image-preview", images: 1, status: "ok" },
    ]);
    // The failed attempt's brief was billed too; its refused image call reported nothing.
    assert.equal(rows.filter((row) => row.model === "gemini-2.5-pro").length, 3);

    // Chosen in the mode menu, the infographic can also go into the document.
    web.fakes.reset();
    await page.getByRole("button", { name: "Preview version 1" }).click();
    await page.getByRole("button", { name: "Restore this version" }).click();
    await page.getByRole("button", { name: "Preview version 3" }).waitFor();
    web.fakes.gemini.script(
      { type: "reply", text: JSON.stringify(BRIEF) },
      { type: "reply", image: { mimeType: "image/png", data: TINY_PNG_BASE64 } },
    );
    await page.getByLabel("What the model should do").selectOption("infographic");
    await send(page, "Insert it into the page: attendance per day");
    await page.getByRole("button", { name: "Preview version 4" }).waitFor();
    await turnEnded(page);
    await preview(page).getByRole("heading", { name: "Offsite Agenda" }).waitFor();
    await preview(page).locator(`img[alt="${BRIEF.altText}"]`).waitFor();
    assert.deepEqual(problems, []);
  });

  it("lets an admin create a brand profile that another user picks and every prompt then carries", async () => {
    const admin = await openPage(web.browser, web.stack, "hank");
    await admin.page.goto("/");
    await admin.page.getByRole("button", { name: "Brands…" }).click();
    const dialog = admin.page.getByRole("dialog", { name: "Brand profiles" });
    await dialog.getByLabel("Name").fill("Acme");
    await dialog.getByLabel("Colours (hex, comma-separated)").fill("#0b3d91, #f2a900");
    await dialog.getByLabel("Fonts (comma-separated)").fill("Georgia, Inter");
    await dialog.getByLabel("Voice notes").fill("Confident, plain words, no exclamation marks.");
    await dialog.getByLabel(/Logo image/).setInputFiles({
      name: "acme.png",
      mimeType: "image/png",
      buffer: Buffer.from(LOGO_PNG_BASE64, "base64"),
    });
    await dialog.getByRole("button", { name: "Save profile" }).click();
    await dialog.getByText('Created "Acme".').waitFor();
    await dialog.getByRole("button", { name: "Edit Acme" }).waitFor();
    assert.deepEqual(admin.problems, []);

    const user = await openPage(web.browser, web.stack, "ivy");
    const { page } = user;
    await page.goto("/");
    assert.equal(await page.getByRole("button", { name: "Brands…" }).isVisible(), false);
    const chosen = page.waitForResponse(
      (response) => response.url().endsWith("/brand") && response.request().method() === "PUT",
    );
    await page.getByLabel("Brand profile", { exact: true }).selectOption({ label: "Acme" });
    assert.equal((await chosen).status(), 200, "picking a profile before the first message starts a session");

    web.fakes.gemini.script({
      type: "reply",
      text: PAGE.replace("<h1>", '<header><img src="AHB_BRAND_LOGO" alt="Acme logo"></header><h1>'),
    });
    await send(page, "Create the offsite agenda page");
    await preview(page).getByRole("heading", { name: "Offsite Agenda" }).waitFor();
    await turnEnded(page);
    const createBody = geminiText(web.fakes, 0);
    for (const expected of ["Acme", "#0b3d91", "Georgia", "no exclamation marks", "AHB_BRAND_LOGO"])
      assert.ok(createBody.includes(expected), `the create prompt carries ${expected}`);
    assert.ok(createBody.includes(`"data":"${LOGO_PNG_BASE64}"`), "the logo travels as an inline image");
    const logo = preview(page).locator('img[alt="Acme logo"]');
    assert.equal(await logo.getAttribute("src"), `data:image/png;base64,${LOGO_PNG_BASE64}`);

    // The edit prompt (Claude) carries it too: brand text and the logo as an image block.
    web.fakes.anthropic.script(
      {
        type: "reply",
        toolCalls: [{ name: "html_replace", input: { old_text: "Day two", new_text: "Day 2" } }],
      },
      { type: "reply", text: "Renamed day two." },
    );
    await send(page, "Call it Day 2");
    await preview(page).getByText("Day 2: 25 people hike.").waitFor();
    await turnEnded(page);
    const editBody = JSON.stringify(web.fakes.anthropic.requests[0]?.body);
    assert.ok(editBody.includes("#f2a900") && editBody.includes('"type":"image"'));
    assert.ok(editBody.includes(LOGO_PNG_BASE64));

    // Image and infographic prompts carry it too, the logo as an image the model can place.
    web.fakes.reset();
    web.fakes.gemini.script({ type: "reply", image: { mimeType: "image/png", data: TINY_PNG_BASE64 } });
    await send(page, "Add a picture of a lighthouse");
    await page.getByRole("button", { name: "Preview version 3" }).waitFor();
    await turnEnded(page);
    web.fakes.gemini.script(
      { type: "reply", text: JSON.stringify(BRIEF) },
      { type: "reply", image: { mimeType: "image/png", data: TINY_PNG_BASE64 } },
    );
    await send(page, "Make an infographic of the attendance");
    await page.getByRole("button", { name: "Preview version 4" }).waitFor();
    await turnEnded(page);
    assert.equal(web.fakes.gemini.requests.length, 3);
    for (const [index, request] of web.fakes.gemini.requests.entries()) {
      const body = JSON.stringify(request.body);
      assert.ok(
        body.includes("#0b3d91") && body.includes("no exclamation marks"),
        `request ${index} carries the brand`,
      );
      assert.ok(body.includes(`"data":"${LOGO_PNG_BASE64}"`), `request ${index} carries the logo`);
    }

    // A user who is not an admin cannot create, change or delete profiles.
    const brandId = web.stack.db.prepare("SELECT id FROM brand_profiles").pluck().get() as string;
    assert.equal(await apiAs(web.stack, "ivy", "POST", "/api/brands", { name: "Mine" }), 403);
    assert.equal(await apiAs(web.stack, "ivy", "PATCH", `/api/brands/${brandId}`, { name: "Hacked" }), 403);
    assert.equal(await apiAs(web.stack, "ivy", "DELETE", `/api/brands/${brandId}`), 403);
    assert.equal(web.stack.db.prepare("SELECT name FROM brand_profiles").pluck().get(), "Acme");
    assert.equal(await apiAs(web.stack, "hank", "PATCH", `/api/brands/${brandId}`, { voice: "Calm." }), 200);

    // Deleting the profile leaves ivy's documents as they were; her session just has no profile any more.
    const before = web.stack.db.prepare("SELECT html FROM document_versions ORDER BY id").pluck().all();
    await dialog.getByRole("button", { name: "Delete Acme" }).click();
    await dialog.getByRole("button", { name: "Really delete Acme?" }).click();
    await dialog.getByText('Deleted "Acme".').waitFor();
    assert.deepEqual(
      web.stack.db.prepare("SELECT html FROM document_versions ORDER BY id").pluck().all(),
      before,
    );
    assert.equal(web.stack.db.prepare("SELECT count(*) FROM session_brands").pluck().get(), 0);
    await page.reload();
    await page.getByLabel("Brand profile", { exact: true }).waitFor();
    assert.equal(await page.getByLabel("Brand profile", { exact: true }).inputValue(), "");
    assert.deepEqual(user.problems, []);
  });
});
