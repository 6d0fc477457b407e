import { createHash } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { Provider, TokenUsage } from "../db/repo/ledger.js";

export const GEMINI_CREATE_MODEL = "gemini-2.5-pro";
export const NANO_BANANA_MODEL = "gemini-3-pro-image-preview";

/** Bumped whenever a default below changes; rows written with overridden prices get a suffix naming the overrides. */
export const BASE_PRICE_VERSION = "2025-11-22";

/** Prompts longer than this (Gemini promptTokenCount) are billed at the long-context tier. */
export const GEMINI_LONG_CONTEXT_THRESHOLD = 200_000;

/** Integer nano-USD per million tokens, so $0.30/M is 300_000_000 and every product stays an integer. */
export interface TokenRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface PriceTable {
  provider: Provider;
  model: string;
  rates: TokenRates;
  /** Used instead of `rates` when the prompt exceeds GEMINI_LONG_CONTEXT_THRESHOLD. */
  longContextRates?: TokenRates;
  /** Integer nano-USD per generated image. */
  perImage: number;
}

export interface Pricing {
  version: string;
  tables: Map<string, PriceTable>;
}

const NANO_PER_USD = 1_000_000_000;
const TOKENS_PER_RATE = 1_000_000n;

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}

/** The settings that price a call: what an operation reads from the env file to cost the ledger. */
export const PRICE_KEYS = [
  "CLAUDE_MODEL",
  "CLAUDE_INPUT_COST_PER_M",
  "CLAUDE_OUTPUT_COST_PER_M",
  "GEMINI_INPUT_COST_PER_M",
  "GEMINI_OUTPUT_COST_PER_M",
  "NANO_BANANA_COST_PER_IMAGE",
] as const;

type PriceInputs = Pick<Config, (typeof PRICE_KEYS)[number]>;

const DEFAULT_PRICES = {
  CLAUDE_INPUT_COST_PER_M: 3,
  CLAUDE_OUTPUT_COST_PER_M: 15,
  GEMINI_INPUT_COST_PER_M: 1.25,
  GEMINI_OUTPUT_COST_PER_M: 10,
  NANO_BANANA_COST_PER_IMAGE: 0.134,
} as const;

/**
 * One table per model. Derived rates follow the providers' published ratios, so one override moves its family:
 * Claude cache write 1.25x input and cache read 0.1x input; Gemini 2.5 Pro long-context tier 2x input and 1.5x
 * output, cached prompt tokens 0.1x the tier's input; Nano Banana Pro text at $2/$12 per M plus the per-image price.
 */
export function pricingFromConfig(config: PriceInputs): Pricing {
  const claudeInput = usdToNano(config.CLAUDE_INPUT_COST_PER_M);
  const geminiInput = usdToNano(config.GEMINI_INPUT_COST_PER_M);
  const geminiOutput = usdToNano(config.GEMINI_OUTPUT_COST_PER_M);
  const tables: PriceTable[] = [
    {
      provider: "anthropic",
      model: config.CLAUDE_MODEL,
      rates: {
        input: claudeInput,
        output: usdToNano(config.CLAUDE_OUTPUT_COST_PER_M),
        cacheWrite: Math.round(claudeInput * 1.25),
        cacheRead: Math.round(claudeInput / 10),
      },
      perImage: 0,
    },
    {
      provider: "google",
      model: GEMINI_CREATE_MODEL,
      rates: {
        input: geminiInput,
        output: geminiOutput,
        cacheRead: Math.round(geminiInput / 10),
        cacheWrite: 0,
      },
      longContextRates: {
        input: geminiInput * 2,
        output: Math.round(geminiOutput * 1.5),
        cacheRead: Math.round(geminiInput / 5),
        cacheWrite: 0,
      },
      perImage: 0,
    },
    {
      provider: "google",
      model: NANO_BANANA_MODEL,
      rates: { input: usdToNano(2), output: usdToNano(12), cacheRead: usdToNano(0.2), cacheWrite: 0 },
      perImage: usdToNano(config.NANO_BANANA_COST_PER_IMAGE),
    },
    // The title models (TITLE_MODEL): list prices, text only.
    {
      provider: "google",
      model: "gemini-2.5-flash-lite",
      rates: { input: usdToNano(0.1), output: usdToNano(0.4), cacheRead: usdToNano(0.01), cacheWrite: 0 },
      perImage: 0,
    },
    {
      provider: "google",
      model: "gemini-2.5-flash",
      rates: { input: usdToNano(0.3), output: usdToNano(2.5), cacheRead: usdToNano(0.03), cacheWrite: 0 },
      perImage: 0,
    },
  ];
  return { version: priceVersion(config), tables: new Map(tables.map((table) => [table.model, table])) };
}

function priceVersion(config: PriceInputs): string {
  const overrides = Object.entries(DEFAULT_PRICES).filter(
    ([key, value]) => config[key as keyof typeof DEFAULT_PRICES] !== value,
  );
  if (overrides.length === 0) return BASE_PRICE_VERSION;
  const digest = createHash("sha256")
    .update(JSON.stringify(overrides.map(([key]) => [key, config[key as keyof typeof DEFAULT_PRICES]])))
    .digest("hex")
    .slice(0, 8);
  return `${BASE_PRICE_VERSION}+env.${digest}`;
}

export class UnknownModelPriceError extends Error {
  constructor(model: string) {
    super(`no price table for model ${model}`);
    this.name = "UnknownModelPriceError";
  }
}

export function priceTable(pricing: Pricing, model: string): PriceTable {
  const table = pricing.tables.get(model);
  if (!table) throw new UnknownModelPriceError(model);
  return table;
}

/**
 * Exact cost of one call in integer nano-USD: the per-token products are summed as BigInt and divided once, rounding
 * half up, so a turn's rows never drift from the provider's numbers. `promptTokens` (Gemini's promptTokenCount,
 * cached tokens included) selects the Gemini tier.
 */
export function costNanoUsd(
  table: PriceTable,
  usage: TokenUsage,
  promptTokens = usage.inputTokens + usage.cacheReadTokens,
): number {
  const rates =
    table.longContextRates && promptTokens > GEMINI_LONG_CONTEXT_THRESHOLD
      ? table.longContextRates
      : table.rates;
  const perMillion =
    BigInt(usage.inputTokens) * BigInt(rates.input) +
    BigInt(usage.outputTokens + usage.thinkingTokens) * BigInt(rates.output) +
    BigInt(usage.cacheReadTokens) * BigInt(rates.cacheRead) +
    BigInt(usage.cacheWriteTokens) * BigInt(rates.cacheWrite);
  const tokens = (perMillion + TOKENS_PER_RATE / 2n) / TOKENS_PER_RATE;
  return Number(tokens) + usage.images * table.perImage;
}
