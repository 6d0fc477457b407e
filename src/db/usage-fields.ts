/**
 * The usage fields of a billed provider call, once: the name in code, the column in cost_ledger and cost_daily,
 * and the heading in the CLI's tables. The ledger insert, the cost report's sums, the CLI table and the CSV are
 * all built from this list, so adding a token kind is a row here plus a migration.
 */
export const USAGE_FIELDS = [
  { key: "inputTokens", column: "input_tokens", heading: "INPUT" },
  { key: "outputTokens", column: "output_tokens", heading: "OUTPUT" },
  { key: "cacheReadTokens", column: "cache_read_tokens", heading: "CACHE READ" },
  { key: "cacheWriteTokens", column: "cache_write_tokens", heading: "CACHE WRITE" },
  { key: "thinkingTokens", column: "thinking_tokens", heading: "THINKING" },
  { key: "images", column: "images", heading: "IMAGES" },
] as const;

export type UsageKey = (typeof USAGE_FIELDS)[number]["key"];
export type TokenUsage = Record<UsageKey, number>;

export const ZERO_USAGE: TokenUsage = Object.fromEntries(
  USAGE_FIELDS.map((field) => [field.key, 0]),
) as TokenUsage;
