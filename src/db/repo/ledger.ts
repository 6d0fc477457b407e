import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { USAGE_FIELDS, ZERO_USAGE, type TokenUsage } from "../usage-fields.js";
import { statement } from "../statements.js";

export type Provider = "anthropic" | "google";
/** How a provider call ended. */
export type CallStatus = "ok" | "error" | "cancelled";
/**
 * A ledger row's status: a call's outcome, `pending` while it runs, `interrupted` when its process died before it
 * ended (marked at the next server start; its usage is unknown, so it counts as a call with no tokens).
 */
export type LedgerStatus = CallStatus | "pending" | "interrupted";

export type { TokenUsage } from "../usage-fields.js";

export interface LedgerEntry extends TokenUsage {
  user: string;
  sessionId: string | null;
  provider: Provider;
  model: string;
  requestId: string | null;
  costNanoUsd: number;
  priceVersion: string;
  status: LedgerStatus;
}

/** Who makes a call and with what: the part of its row known before the provider answers. */
export type CallStart = Pick<LedgerEntry, "user" | "sessionId" | "provider" | "model" | "priceVersion">;

/** What is known once a call ended. */
export type CallEnd = TokenUsage & Pick<LedgerEntry, "requestId" | "costNanoUsd"> & { status: CallStatus };

const INSERT_LEDGER = `INSERT INTO cost_ledger (created_at, user, session_id, provider, model, request_id,
    ${USAGE_FIELDS.map((field) => field.column).join(", ")}, cost_nano_usd, price_version, status)
  VALUES (@createdAt, @user, @sessionId, @provider, @model, @requestId,
    ${USAGE_FIELDS.map((field) => `@${field.key}`).join(", ")}, @costNanoUsd, @priceVersion, @status)`;

// Not conditional on 'pending': a call still running in another process (the old one during blue/green) that a
// new server's start marked interrupted is finished here by its own process.
const FINISH_CALL = `UPDATE cost_ledger SET created_at = @createdAt, request_id = @requestId,
    ${USAGE_FIELDS.map((field) => `${field.column} = @${field.key}`).join(", ")},
    cost_nano_usd = @costNanoUsd, status = @status
  WHERE id = @id`;

export function insertLedgerEntry(db: Db, entry: LedgerEntry, createdAt = nowIso()): number {
  const result = statement(db, INSERT_LEDGER).run({ ...entry, createdAt });
  return Number(result.lastInsertRowid);
}

/** Before a provider call: its row, `pending` with no tokens, so a process killed mid-call still leaves it. */
export function insertPendingCall(db: Db, call: CallStart): number {
  return insertLedgerEntry(db, {
    ...call,
    ...ZERO_USAGE,
    requestId: null,
    costNanoUsd: 0,
    status: "pending",
  });
}

export function nameRequest(db: Db, id: number, requestId: string): void {
  statement(db, "UPDATE cost_ledger SET request_id = ? WHERE id = ?").run(requestId, id);
}

/** The call ended with usage reported: its pending row takes the outcome, dated when it ended. */
export function finishCall(db: Db, id: number, end: CallEnd, endedAt = nowIso()): void {
  statement(db, FINISH_CALL).run({ ...end, id, createdAt: endedAt });
}

/** The call ended having reported no usage (refused before it streamed): nothing was billed, no row stays. */
export function dropPendingCall(db: Db, id: number): void {
  statement(db, "DELETE FROM cost_ledger WHERE id = ?").run(id);
}

/** At server start: calls a previous process left pending were cut by its death. Returns how many. */
export function markInterruptedCalls(db: Db): number {
  return statement(db, "UPDATE cost_ledger SET status = 'interrupted' WHERE status = 'pending'").run()
    .changes;
}
