import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { periodResetsAt, periodStartDay } from "../../src/ai/budget/caps.js";
import { worstCaseNanoUsd } from "../../src/ai/budget/estimate.js";
import { BudgetExceededError, createSpendGuard } from "../../src/ai/budget/guard.js";
import { pricingFromConfig } from "../../src/ai/pricing.js";
import { loadConfig } from "../../src/config/load.js";
import { openDatabase } from "../../src/db/open.js";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { tempDir, validKeys } from "../helpers/env.js";

const config = loadConfig({ env: validKeys() }).config;
const pricing = pricingFromConfig(config);
const CLAUDE = { provider: "anthropic" as const, model: config.CLAUDE_MODEL };

describe("spend cap periods", () => {
  it("starts days and months at UTC midnight and names the next reset", () => {
    const now = new Date("2026-12-31T23:59:59.999Z");
    assert.equal(periodStartDay("day", now), "2026-12-31");
    assert.equal(periodStartDay("month", now), "2026-12-01");
    assert.equal(periodResetsAt("day", now).toISOString(), "2027-01-01T00:00:00.000Z");
    assert.equal(
      periodResetsAt("month", new Date("2026-02-10T05:00:00Z")).toISOString(),
      "2026-03-01T00:00:00.000Z",
    );
  });
});

describe("worst case of a call", () => {
  it("bills every input byte at the cache-write rate and the whole output limit (prices written out by hand)", () => {
    // Sonnet: cache write $3.75/M = 3750 nano per token, output $15/M = 15000 nano per token.
    assert.equal(
      worstCaseNanoUsd(pricing, { ...CLAUDE, inputBytes: 1000, maxOutputTokens: 16_384 }),
      1000 * 3750 + 16_384 * 15_000,
    );
  });

  it("uses the model's own output limit, the long-context tier and one image when the request names none", () => {
    // Gemini 2.5 Pro above 200k prompt tokens: $2.50/M in, $15/M out; 65,536 output tokens.
    assert.equal(
      worstCaseNanoUsd(pricing, { provider: "google", model: "gemini-2.5-pro", inputBytes: 300_000 }),
      300_000 * 2500 + 65_536 * 15_000,
    );
    // Nano Banana Pro: $2/M in, $12/M out, 32,768 output tokens, $0.134 per image.
    assert.equal(
      worstCaseNanoUsd(pricing, { provider: "google", model: "gemini-3-pro-image-preview", inputBytes: 100 }),
      100 * 2000 + 32_768 * 12_000 + 134_000_000,
    );
  });
});

describe("spend guard", () => {
  it("counts reservations until released, keeps users apart, and names the cap and its reset when refusing", () => {
    const dir = tempDir();
    const db = openDatabase(`${dir.path}/app.db`);
    try {
      const now = new Date("2026-12-01T10:00:00Z");
      const guard = createSpendGuard(
        db,
        { ...config, BUDGET_USER_DAILY_USD: 1, BUDGET_MONTHLY_USD: 10 },
        pricing,
        () => now,
      );
      const call = { ...CLAUDE, inputBytes: 0, maxOutputTokens: 40_000 }; // $0.60 worst case
      const release = guard.reserve("ann", call);
      assert.throws(
        () => guard.reserve("ann", call),
        (error: unknown) => {
          assert.ok(error instanceof BudgetExceededError);
          assert.equal(error.code, "budget_exceeded");
          assert.match(
            error.message,
            /^Your daily AI spending cap of \$1\.00 .*\(\$0\.40 left\); it resets at 2026-12-02 00:00 UTC$/,
          );
          return true;
        },
      );
      guard.reserve("bob", call)();
      release();
      insertLedgerEntry(
        db,
        {
          user: "ann",
          sessionId: null,
          ...CLAUDE,
          requestId: null,
          inputTokens: 0,
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          thinkingTokens: 0,
          images: 0,
          costNanoUsd: 300_000_000,
          priceVersion: "test",
          status: "ok",
        },
        now.toISOString(),
      );
      guard.reserve("ann", call)();
      const [userDay, globalMonth] = guard.standings("ann");
      assert.deepEqual(
        [userDay?.scope, userDay?.spentNanoUsd, userDay?.remainingNanoUsd, globalMonth?.resetsAt],
        ["user", 300_000_000, 700_000_000, "2027-01-01T00:00:00.000Z"],
      );
    } finally {
      db.close();
      dir.remove();
    }
  });
});
