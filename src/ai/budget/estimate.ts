import type { Provider } from "../../db/repo/ledger.js";
import { costNanoUsd, priceTable, type Pricing } from "../pricing.js";

/** A provider call about to be made, described by what bounds its cost. */
export interface PlannedCall {
  provider: Provider;
  model: string;
  /** UTF-8 bytes of everything sent (system, messages, tools): no tokenizer makes more tokens than bytes. */
  inputBytes: number;
  /** The request's output limit; absent means the model's own limit (thinking tokens count against it). */
  maxOutputTokens?: number;
}

/** Published output limits of the models called without an explicit limit (thinking included). */
const MODEL_OUTPUT_LIMITS: Record<string, number> = {
  "gemini-2.5-pro": 65_536,
  "gemini-3-pro-image-preview": 32_768,
};
const FALLBACK_OUTPUT_LIMIT = 65_536;

/**
 * The most a call can cost: every input byte billed as a token at the dearest input rate (cache writes cost 1.25x
 * input), the whole output limit at the output rate of the tier the input could reach, and one image for image
 * models (the image flow asks for one picture, candidateCount 1). The input count also selects Gemini's dearer
 * long-context tier whenever the bytes could pass its threshold.
 */
export function worstCaseNanoUsd(pricing: Pricing, call: PlannedCall): number {
  const table = priceTable(pricing, call.model);
  const inputTokens = call.inputBytes;
  const outputTokens = call.maxOutputTokens ?? MODEL_OUTPUT_LIMITS[call.model] ?? FALLBACK_OUTPUT_LIMIT;
  const dearInput = table.rates.cacheWrite > table.rates.input ? "cacheWrite" : "input";
  return costNanoUsd(
    table,
    {
      inputTokens: dearInput === "input" ? inputTokens : 0,
      cacheWriteTokens: dearInput === "cacheWrite" ? inputTokens : 0,
      cacheReadTokens: 0,
      outputTokens,
      thinkingTokens: 0,
      images: table.perImage > 0 ? 1 : 0,
    },
    inputTokens,
  );
}

export function utf8Bytes(value: unknown): number {
  return Buffer.byteLength(typeof value === "string" ? value : JSON.stringify(value ?? ""), "utf8");
}
