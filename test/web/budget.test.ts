import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appendVersion } from "../../src/db/repo/versions.js";
import { createSession } from "../../src/db/repo/sessions.js";
import { parseSse } from "../chat/helpers.js";
import { USER_COOKIE } from "./identity-proxy.js";
import { useWebStack, openPage, type Stack } from "./stack.js";

const CAP_NANO = 500_000_000;
const PAGE = "<!DOCTYPE html><html><head><title>Plan</title></head><body><p>Plan A.</p></body></html>";
/** 10k input tokens at $3/M plus 1k output at $15/M: $0.045 a call, so without caps 20 calls spend $0.90. */
const CALL_USAGE = { input: 10_000, output: 1_000 };
const CALL_NANO = 10_000 * 3_000 + 1_000 * 15_000;

function documentFor(stack: Stack, owner: string): { sessionId: string; documentId: string } {
  const { session, documentId } = createSession(stack.db, { owner, maxPerOwner: 3, title: "Budget" });
  assert.ok(session && documentId);
  appendVersion(stack.db, { documentId, html: PAGE, prompt: "seed", summary: "seed", model: "seed" });
  return { sessionId: session.id, documentId };
}

async function turn(stack: Stack, owner: string, sessionId: string) {
  const response = await fetch(`${stack.url}/api/chat/${sessionId}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: `${USER_COOKIE}=${owner}` },
    body: JSON.stringify({ message: "Make plan A bold", mode: "edit" }),
  });
  assert.equal(response.status, 200);
  return parseSse(await response.text()).events;
}

function ledgerTotal(stack: Stack): number {
  return (
    stack.db.prepare("SELECT coalesce(sum(cost_nano_usd), 0) AS total FROM cost_ledger").get() as {
      total: number;
    }
  ).total;
}

describe("spend caps refuse provider calls (real server, provider fakes, real Chromium)", () => {
  const web = useWebStack({ BUDGET_DAILY_USD: "0.50", ADMIN_USERS: "root" });

  it("holds a $0.50 daily cap under 20 concurrent turns and shows the refusals on the page", async () => {
    const users = Array.from({ length: 20 }, (_, index) => `user${index}`);
    const documents = users.map((user) => documentFor(web.stack, user));
    // Every admitted call answers slowly, so many turns are in flight together.
    web.fakes.anthropic.script(
      ...users.map(() => ({
        type: "reply" as const,
        text: "Nothing to change.",
        usage: CALL_USAGE,
        delayMs: 400,
      })),
    );
    const results = await Promise.all(
      users.map(async (user, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * 30));
        return turn(web.stack, user, documents[index]!.sessionId);
      }),
    );

    const refused = results.filter((events) => events.some((e) => e.event === "error"));
    const admitted = results.length - refused.length;
    const total = ledgerTotal(web.stack);
    console.log(
      `20 concurrent turns: ${admitted} admitted, ${refused.length} refused, spent ${total} nano-USD`,
    );
    // The bound: an admitted call's real cost never passes the worst case it reserved, so spend <= cap exactly.
    assert.ok(total <= CAP_NANO, `spent ${total} nano-USD, cap ${CAP_NANO}`);
    assert.equal(total, admitted * CALL_NANO, "every admitted turn was billed once, at its real usage");
    assert.ok(admitted >= 1 && refused.length >= 1, `admitted ${admitted}, refused ${refused.length}`);
    const tomorrow = new Date(
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1),
    )
      .toISOString()
      .slice(0, 10);
    for (const events of refused) {
      const error = events.find((e) => e.event === "error")?.data;
      assert.equal(error?.code, "budget_exceeded");
      assert.match(
        String(error?.message),
        new RegExp(`daily AI spending cap of \\$0\\.50 .*resets at ${tomorrow} 00:00 UTC`),
      );
      assert.equal(events.at(-1)?.event, "done");
    }
    assert.equal(web.fakes.anthropic.requests.length, admitted, "a refused turn made no provider call");

    // A refused user opens the page: the refusal is in the conversation, the header shows what is left.
    const refusedUser = users[results.indexOf(refused[0]!)]!;
    const { page, context } = await openPage(web.browser, web.stack, refusedUser);
    await page.goto("/");
    await page
      .getByText(/daily AI spending cap of \$0\.50/)
      .first()
      .waitFor();
    const left = await page.locator("#budget").textContent();
    assert.match(left ?? "", /^AI budget left: \$0\.\d+ \(resets \d{4}-\d\d-\d\d 00:00 UTC\)$/);

    // A live turn from the page is refused before any call, with the code on the inline error.
    const calls = web.fakes.anthropic.requests.length;
    web.stack.db
      .prepare(
        `INSERT INTO cost_ledger (created_at, user, session_id, provider, model, request_id, input_tokens, output_tokens,
           cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd, price_version, status)
         VALUES (?, 'someone', NULL, 'anthropic', 'claude-sonnet-4-6', NULL, 0, 0, 0, 0, 0, 0, ?, 'test', 'ok')`,
      )
      .run(new Date().toISOString(), CAP_NANO - total);
    await page.getByLabel("Message", { exact: true }).fill("Make plan A bold");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    const error = page.locator('.inline-error[data-code="budget_exceeded"]').last();
    await error.waitFor();
    assert.match((await error.textContent()) ?? "", /resets at \d{4}-\d\d-\d\d 00:00 UTC/);
    await page.locator("#budget", { hasText: "AI budget left: $0.00" }).waitFor();
    assert.equal(web.fakes.anthropic.requests.length, calls);
    await context.close();

    // Admins see spend against the caps on the cost page.
    const admin = await openPage(web.browser, web.stack, "root");
    await admin.page.goto("/#costs");
    const capsTable = admin.page.getByRole("region", { name: "Spend against caps" });
    await capsTable.getByRole("rowheader", { name: "Everyone, daily" }).waitFor();
    const row = await capsTable.locator("tbody tr").first().locator("th, td").allTextContents();
    assert.deepEqual(row.slice(0, 5), ["Everyone, daily", "$0.50", "$0.50", "$0.00", "$0.00"]);
    assert.deepEqual(admin.problems, []);
    await admin.context.close();
  });
});
