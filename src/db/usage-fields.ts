/**
 * The usage fields of a billed provider call, once: the name in code, the column in cost_ledger and cost_daily,
 * the heading in the CLI's tables and the label on the page. The ledger insert, the cost report's sums, the CLI
 * table, the CSV and the page's tables are all built from this list, so adding a token kind is a row here plus a
 * migration.
 */
export const USAGE_FIELDS = [
  { key: "inputTokens", column: "input_tokens", heading: "INPUT", label: "Input tokens", tokens: true },
  { key: "outputTokens", column: "output_tokens", heading: "OUTPUT", label: "Output tokens", tokens: true },
  {
    key: "cacheReadTokens",
    column: "cache_read_tokens",
    heading: "CACHE READ",
    label: "Cache read",
    tokens: true,
  },
  {
    key: "cacheWriteTokens",
    column: "cache_write_tokens",
    heading: "CACHE WRITE",
    label: "Cache write",
    tokens: true,
  },
  { key: "thinkingTokens", column: "thinking_tokens", heading: "THINKING", label: "Thinking", tokens: true },
  { key: "images", column: "images", heading: "IMAGES", label: "Images", tokens: false },
] as const;

export type UsageKey = (typeof USAGE_FIELDS)[number]["key"];
export type TokenUsage = Record<UsageKey, number>;

export const ZERO_USAGE: TokenUsage = Object.fromEntries(
  USAGE_FIELDS.map((field) => [field.key, 0]),
) as TokenUsage;
