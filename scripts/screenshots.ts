// Regenerates docs/screenshot-{desktop,narrow,costs,code,costs-narrow}.png: the real server over a temp database seeded with
// sample sessions, versions, messages and cost-ledger rows, photographed in headless Chromium.
// Usage: npx tsx scripts/screenshots.ts   (builds the web page first)
import { insertLedgerEntry, type LedgerEntry } from "../src/db/repo/ledger.js";
import { addMessage } from "../src/db/repo/messages.js";
import { createSession } from "../src/db/repo/sessions.js";
import { renameDocument } from "../src/db/repo/documents.js";
import { appendVersion } from "../src/db/repo/versions.js";
import type { Db } from "../src/db/open.js";
import { buildWebPage, launchBrowser, openPage, startStack } from "../test/web/stack.js";

const page = (
  extra: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harbour Bakery</title>
<style>
body{margin:0;font-family:Georgia,serif;color:#3b2a1a;background:#fbf6ee}
header{background:#7a4b25;color:#fff7ea;padding:48px 40px}
header h1{margin:0 0 8px;font-size:2.6rem}
main{padding:32px 40px;display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:20px}
.card{background:#fff;border-radius:12px;padding:18px;box-shadow:0 2px 8px #0001}
.card h2{margin-top:0;color:#7a4b25}
.hours{margin:0 40px 40px;padding:16px 20px;border-left:4px solid #d08a3c;background:#fff}
</style></head><body>
<header><h1>Harbour Bakery</h1><p>Sourdough, pastries and coffee by the water since 1998.</p></header>
<main>
<section class="card"><h2>Sourdough</h2><p>48-hour fermented loaves, baked every morning at five.</p></section>
<section class="card"><h2>Pastries</h2><p>Butter croissants, cardamom buns and seasonal fruit tarts.</p></section>
<section class="card"><h2>Coffee</h2><p>Single-origin espresso from a roaster two streets away.</p></section>
</main>${extra}
</body></html>`;

function seedBuilder(db: Db): void {
  createSession(db, { owner: "alice", maxPerOwner: 10, title: "Quarterly newsletter" });
  const { session, documentId } = createSession(db, {
    owner: "alice",
    maxPerOwner: 10,
    title: "Bakery website",
  });
  renameDocument(db, documentId, "Home page");
  const turns: [string, string, string, string][] = [
    [
      "Create a landing page for a small harbour bakery",
      "Created a landing page with a hero and three product cards.",
      "gemini-2.5-pro",
      "",
    ],
    [
      "Add our opening hours below the cards",
      "Added an opening-hours panel below the product cards.",
      "claude-sonnet-4-6",
      '<p class="hours"><strong>Open</strong> Tue–Sun, 7:00–16:00</p>',
    ],
  ];
  for (const [prompt, summary, model, extra] of turns) {
    appendVersion(db, { documentId, html: page(extra), prompt, summary, model });
    addMessage(db, { sessionId: session.id, documentId, role: "user", content: prompt });
    addMessage(db, {
      sessionId: session.id,
      documentId,
      role: "assistant",
      content: `${summary}\n\n- Warm **bakery palette**\n- Works on phones (cards wrap)`,
    });
  }
}

function seedCosts(db: Db): void {
  const models: [LedgerEntry["provider"], string, number, number][] = [
    ["google", "gemini-2.5-pro", 41_000_000, 0],
    ["anthropic", "claude-sonnet-4-6", 18_000_000, 0],
    ["google", "gemini-3-pro-image-preview", 134_000_000, 1],
  ];
  for (let day = 0; day < 30; day += 1) {
    for (const [index, user] of ["alice", "bob", "dana"].entries()) {
      const calls = (day * 7 + index * 3) % 5;
      for (let call = 0; call < calls; call += 1) {
        const [provider, model, cost, images] = models[
          (day + call + index) % models.length
        ] as (typeof models)[number];
        const at = new Date(Date.now() - day * 86_400_000 - call * 600_000).toISOString();
        insertLedgerEntry(
          db,
          {
            user,
            sessionId: null,
            provider,
            model,
            requestId: `sample-${day}-${index}-${call}`,
            inputTokens: 3_000 + call * 900,
            outputTokens: 1_200 + day * 40,
            cacheReadTokens: provider === "anthropic" ? 6_000 : 0,
            cacheWriteTokens: 0,
            thinkingTokens: 0,
            images,
            costNanoUsd: cost + day * 1_000_000,
            priceVersion: "sample",
            status: "ok",
          },
          at,
        );
      }
    }
  }
}

buildWebPage();
const stack = await startStack({ ADMIN_USERS: "alice" });
const browser = await launchBrowser();
try {
  seedBuilder(stack.db);
  seedCosts(stack.db);
  const desktop = await openPage(browser, stack, "alice", { width: 1440, height: 900 });
  await desktop.page.goto("/");
  await desktop.page.frameLocator("iframe.preview-frame").getByText("Open").waitFor();
  await desktop.page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLImageElement>("img.thumb")].every((image) => image.naturalWidth > 0),
  );
  await desktop.page.screenshot({ path: "docs/screenshot-desktop.png" });

  await desktop.page.getByRole("button", { name: "Code", exact: true }).click();
  await desktop.page.locator(".cm-content").getByText("Open").first().waitFor();
  await desktop.page.screenshot({ path: "docs/screenshot-code.png" });
  await desktop.page.getByRole("button", { name: "Code", exact: true }).click();

  const narrow = await openPage(browser, stack, "alice", { width: 390, height: 844 });
  await narrow.page.goto("/");
  await narrow.page.frameLocator("iframe.preview-frame").getByText("Open").waitFor();
  await narrow.page.screenshot({ path: "docs/screenshot-narrow.png", fullPage: true });

  await desktop.page.getByRole("link", { name: "Costs" }).click();
  await desktop.page.getByLabel("All users").check();
  await desktop.page.getByRole("heading", { name: "By user" }).waitFor();
  await desktop.page.screenshot({ path: "docs/screenshot-costs.png", fullPage: true });
  await narrow.page.getByRole("link", { name: "Costs" }).click();
  await narrow.page.getByRole("heading", { name: "By model" }).waitFor();
  await narrow.page.screenshot({ path: "docs/screenshot-costs-narrow.png", fullPage: true });
  const problems = [...desktop.problems, ...narrow.problems];
  if (problems.length > 0) throw new Error(`the page reported problems:\n${problems.join("\n")}`);
  console.error("wrote docs/screenshot-{desktop,code,narrow,costs,costs-narrow}.png");
} finally {
  await browser.close();
  await stack.close();
}
