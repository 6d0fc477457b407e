import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import {
  BASE_PRICE_VERSION,
  costNanoUsd,
  GEMINI_CREATE_MODEL,
  NANO_BANANA_MODEL,
  priceTable,
  pricingFromConfig,
  UnknownModelPriceError,
} from "../../src/ai/pricing.js";
import { CallCancelledError, parseRetryAfter, ProviderError } from "../../src/ai/providers/errors.js";
import { withRetries } from "../../src/ai/providers/retry.js";
import { altFromRequest, imageFigure, insertImage } from "../../src/ai/turn/insert-image.js";
import { KeyedQueue } from "../../src/ai/turn/queue.js";
import { geminiUsage, mergeAnthropicUsage, ZERO_USAGE } from "../../src/ai/usage.js";
import { validKeys } from "../helpers/env.js";
import { PAGE } from "./helpers.js";

const usage = (fields: Partial<typeof ZERO_USAGE>) => ({ ...ZERO_USAGE, ...fields });

describe("pricing", () => {
  const pricing = pricingFromConfig(loadConfig({ env: validKeys() }).config);

  it("prices each token kind of each model at the default rates, in integer nano-USD", () => {
    const claude = priceTable(pricing, "claude-sonnet-4-6");
    assert.equal(costNanoUsd(claude, usage({ inputTokens: 1_000_000 })), 3_000_000_000);
    assert.equal(costNanoUsd(claude, usage({ outputTokens: 1_000_000 })), 15_000_000_000);
    assert.equal(costNanoUsd(claude, usage({ cacheWriteTokens: 1_000_000 })), 3_750_000_000);
    assert.equal(costNanoUsd(claude, usage({ cacheReadTokens: 1_000_000 })), 300_000_000);
    assert.equal(costNanoUsd(claude, usage({ inputTokens: 1 })), 3000);
    const gemini = priceTable(pricing, GEMINI_CREATE_MODEL);
    assert.equal(
      costNanoUsd(gemini, usage({ inputTokens: 200_000 }), 200_000),
      250_000_000,
      "200k is still the low tier",
    );
    assert.equal(
      costNanoUsd(gemini, usage({ inputTokens: 200_001 }), 200_001),
      500_002_500,
      "above 200k: $2.50/M",
    );
    assert.equal(
      costNanoUsd(gemini, usage({ outputTokens: 10, thinkingTokens: 5 }), 250_000),
      225_000,
      "$15/M incl. thinking",
    );
    assert.equal(
      costNanoUsd(gemini, usage({ thinkingTokens: 1000 }), 10),
      10_000_000,
      "thinking billed as output",
    );
    assert.equal(
      costNanoUsd(gemini, usage({ inputTokens: 150_000, cacheReadTokens: 60_000 })),
      150_000 * 2500 + 60_000 * 250,
      "cached tokens count toward the 200k threshold",
    );
    const image = priceTable(pricing, NANO_BANANA_MODEL);
    assert.equal(costNanoUsd(image, usage({ images: 2 })), 268_000_000);
    assert.equal(pricing.version, BASE_PRICE_VERSION);
    assert.throws(() => priceTable(pricing, "gpt-9"), UnknownModelPriceError);
  });

  it("applies the environment's price overrides and says so in the price version", () => {
    const config = loadConfig({
      env: { ...validKeys(), CLAUDE_INPUT_COST_PER_M: "4", NANO_BANANA_COST_PER_IMAGE: "0.2" },
    }).config;
    const overridden = pricingFromConfig(config);
    assert.match(overridden.version, new RegExp(`^${BASE_PRICE_VERSION}\\+env\\.[0-9a-f]{8}$`));
    const claude = priceTable(overridden, "claude-sonnet-4-6");
    assert.deepEqual(claude.rates, {
      input: 4_000_000_000,
      output: 15_000_000_000,
      cacheWrite: 5_000_000_000,
      cacheRead: 400_000_000,
    });
    assert.equal(costNanoUsd(priceTable(overridden, NANO_BANANA_MODEL), usage({ images: 1 })), 200_000_000);
  });
});

describe("provider usage", () => {
  it("folds Anthropic's running totals: message_delta replaces what message_start said", () => {
    const started = mergeAnthropicUsage(ZERO_USAGE, {
      input_tokens: 10,
      output_tokens: 1,
      cache_creation_input_tokens: 5,
      cache_read_input_tokens: null,
    });
    const final = mergeAnthropicUsage(started, { output_tokens: 42, input_tokens: null });
    assert.deepEqual(final, usage({ inputTokens: 10, outputTokens: 42, cacheWriteTokens: 5 }));
  });

  it("splits Gemini's usageMetadata into fresh input, cached input, text output, thinking and images", () => {
    const meta = {
      promptTokenCount: 1000,
      cachedContentTokenCount: 400,
      candidatesTokenCount: 1150,
      thoughtsTokenCount: 70,
      candidatesTokensDetails: [
        { modality: "TEXT", tokenCount: 30 },
        { modality: "IMAGE", tokenCount: 1120 },
      ],
    };
    assert.deepEqual(
      geminiUsage(meta, 1),
      usage({ inputTokens: 600, cacheReadTokens: 400, outputTokens: 30, thinkingTokens: 70, images: 1 }),
    );
    assert.deepEqual(geminiUsage(undefined, 0), ZERO_USAGE);
  });
});

describe("retries", () => {
  const policy = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 100 };
  const signal = new AbortController().signal;

  it("retries retryable failures up to the limit and then gives up with the last error", async () => {
    let attempts = 0;
    const failing = () => {
      attempts += 1;
      return Promise.reject(new ProviderError("anthropic", "overloaded"));
    };
    await assert.rejects(withRetries(failing, policy, signal), ProviderError);
    assert.equal(attempts, 3);
  });

  it("never retries rejected requests, output already shown, or waits longer than allowed", async () => {
    for (const error of [
      new ProviderError("google", "auth"),
      new ProviderError("anthropic", "overloaded").afterOutput(),
      new ProviderError("anthropic", "rate_limited", { retryAfterMs: 60_000 }),
    ]) {
      let attempts = 0;
      await assert.rejects(
        withRetries(
          () => {
            attempts += 1;
            return Promise.reject(error);
          },
          policy,
          signal,
        ),
      );
      assert.equal(attempts, 1, error.message);
    }
  });

  it("stops waiting when the client leaves", async () => {
    const controller = new AbortController();
    const pending = withRetries(
      () => Promise.reject(new ProviderError("anthropic", "rate_limited", { retryAfterMs: 90 })),
      policy,
      controller.signal,
    );
    controller.abort();
    await assert.rejects(pending, CallCancelledError);
  });

  it("reads retry-after as seconds or an HTTP date", () => {
    assert.equal(parseRetryAfter("7"), 7000);
    assert.equal(parseRetryAfter("0.5"), 500);
    assert.equal(
      parseRetryAfter("Tue, 24 Nov 2026 05:00:10 GMT", Date.parse("Tue, 24 Nov 2026 05:00:00 GMT")),
      10_000,
    );
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});

describe("image insertion", () => {
  const image = { mimeType: "image/png", data: "iVBORw0KGgo=", alt: 'A "lake" <at> dawn & mist' };

  it("places the figure right after the first h1, else before </body>, else at the end", () => {
    const afterHeading = insertImage(PAGE, image);
    assert.equal(afterHeading.indexOf("<figure"), PAGE.indexOf("</h1>") + "</h1>".length + 1);
    const noHeading = "<html><body><p>Hi</p></body></html>";
    assert.equal(insertImage(noHeading, image), `<html><body><p>Hi</p>${imageFigure(image)}\n</body></html>`);
    assert.equal(insertImage("<p>fragment</p>", image), `<p>fragment</p>\n${imageFigure(image)}`);
    assert.equal(insertImage(PAGE, image), afterHeading, "deterministic");
  });

  it("escapes the alt text and refuses anything that is not a base64 raster image", () => {
    const figure = imageFigure(image);
    assert.ok(figure.includes('alt="A &quot;lake&quot; &lt;at&gt; dawn &amp; mist"'));
    assert.throws(() => imageFigure({ ...image, mimeType: "image/svg+xml" }), /unsupported image type/);
    assert.throws(() => imageFigure({ ...image, data: 'x" onerror="alert(1)' }), /not base64/);
  });

  it("derives a short alt text from the request", () => {
    assert.equal(altFromRequest("  Add an   illustration\nof a lake "), "Add an illustration of a lake");
    assert.equal(altFromRequest("x".repeat(500)).length, 160);
    assert.equal(altFromRequest("   "), "Generated image");
  });
});

describe("per-document queue", () => {
  it("runs tasks for one key one at a time in order, other keys in parallel, and forgets idle keys", async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          resolve(name);
        }, ms);
      });
    const failing = queue.run("a", () => Promise.reject(new Error("boom")));
    const results = await Promise.all([
      queue.run("a", task("a1", 30)),
      queue.run("a", task("a2", 1)),
      queue.run("b", task("b1", 1)),
      failing.catch(() => "failed"),
    ]);
    assert.deepEqual(results, ["a1", "a2", "b1", "failed"]);
    assert.ok(log.indexOf("end a1") < log.indexOf("start a2"), log.join(", "));
    assert.ok(log.indexOf("end b1") < log.indexOf("end a1"), "b did not wait for a");
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(queue.size, 0);
  });
});
