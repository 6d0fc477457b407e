import type { TokenUsage } from "../db/repo/ledger.js";

export { ZERO_USAGE } from "../db/usage-fields.js";

/** The usage fields of Anthropic's message_start and message_delta events (all cumulative, any may be null). */
export interface AnthropicUsageFields {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/**
 * Folds one Anthropic usage report into what was known: every field is a running total, so a later non-null
 * value replaces the earlier one (message_delta carries the final output_tokens and, on newer API versions, input).
 */
export function mergeAnthropicUsage(known: TokenUsage, report: AnthropicUsageFields): TokenUsage {
  return {
    ...known,
    inputTokens: report.input_tokens ?? known.inputTokens,
    outputTokens: report.output_tokens ?? known.outputTokens,
    cacheWriteTokens: report.cache_creation_input_tokens ?? known.cacheWriteTokens,
    cacheReadTokens: report.cache_read_input_tokens ?? known.cacheReadTokens,
  };
}

/** The usageMetadata fields of a Gemini response that bear on cost. */
export interface GeminiUsageFields {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  candidatesTokensDetails?: { modality?: string; tokenCount?: number }[];
}

/**
 * Gemini's promptTokenCount includes the cached tokens, so fresh input is the difference. Image output tokens are
 * left out of outputTokens because images are billed per image; thinking tokens are billed at the output rate.
 */
export function geminiUsage(meta: GeminiUsageFields | undefined, images: number): TokenUsage {
  const prompt = meta?.promptTokenCount ?? 0;
  const cached = meta?.cachedContentTokenCount ?? 0;
  const imageTokens = (meta?.candidatesTokensDetails ?? [])
    .filter((detail) => detail.modality === "IMAGE")
    .reduce((sum, detail) => sum + (detail.tokenCount ?? 0), 0);
  return {
    inputTokens: Math.max(0, prompt - cached),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: Math.max(0, (meta?.candidatesTokenCount ?? 0) - imageTokens),
    thinkingTokens: meta?.thoughtsTokenCount ?? 0,
    images,
  };
}
