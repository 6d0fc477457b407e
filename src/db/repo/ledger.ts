import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { USAGE_FIELDS, type TokenUsage } from "../usage-fields.js";

export type Provider = "anthropic" | "google";
export type CallStatus = "ok" | "error" | "cancelled";

export type { TokenUsage } from "../usage-fields.js";

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

const INSERT_LEDGER = `INSERT INTO cost_ledger (created_at, user, session_id, provider, model, request_id,
    ${USAGE_FIELDS.map((field) => field.column).join(", ")}, cost_nano_usd, price_version, status)
  VALUES (@createdAt, @user, @sessionId, @provider, @model, @requestId,
    ${USAGE_FIELDS.map((field) => `@${field.key}`).join(", ")}, @costNanoUsd, @priceVersion, @status)`;

export function insertLedgerEntry(db: Db, entry: LedgerEntry, createdAt = nowIso()): number {
  const result = db.prepare(INSERT_LEDGER).run({ ...entry, createdAt });
  return Number(result.lastInsertRowid);
}
