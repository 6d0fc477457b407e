import type { Db } from "../open.js";
import { nowIso } from "../open.js";

export type Provider = "anthropic" | "google";
export type CallStatus = "ok" | "error" | "cancelled";

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  thinkingTokens: number;
  images: number;
}

export interface LedgerEntry extends TokenUsage {
  user: string;
  sessionId: string | null;
  provider: Provider;
  model: string;
  requestId: string | null;
  costNanoUsd: number;
  priceVersion: string;
  status: CallStatus;
}

export function insertLedgerEntry(db: Db, entry: LedgerEntry, createdAt = nowIso()): number {
  const result = db
    .prepare(
      `INSERT INTO cost_ledger (created_at, user, session_id, provider, model, request_id, input_tokens, output_tokens,
         cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd, price_version, status)
       VALUES (@createdAt, @user, @sessionId, @provider, @model, @requestId, @inputTokens, @outputTokens,
         @cacheReadTokens, @cacheWriteTokens, @thinkingTokens, @images, @costNanoUsd, @priceVersion, @status)`,
    )
    .run({ ...entry, createdAt });
  return Number(result.lastInsertRowid);
}
