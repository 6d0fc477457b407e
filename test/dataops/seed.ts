import { createSession } from "../../src/db/repo/sessions.js";
import { insertLedgerEntry, type LedgerEntry } from "../../src/db/repo/ledger.js";
import { addMessage } from "../../src/db/repo/messages.js";
import { appendVersion } from "../../src/db/repo/versions.js";
import type { Db } from "../../src/db/open.js";

const MODELS = [
  { provider: "anthropic", model: "claude-sonnet-4-5" },
  { provider: "google", model: "gemini-2.5-pro" },
  { provider: "google", model: "gemini-3-pro-image-preview" },
] as const;

/** A deterministic ledger row: the index picks model and token numbers, so totals are reproducible. */
export function ledgerEntry(user: string, index: number): LedgerEntry {
  const { provider, model } = MODELS[index % MODELS.length] as (typeof MODELS)[number];
  return {
    user,
    sessionId: null,
    provider,
    model,
    requestId: `req-${index}`,
    inputTokens: 1000 + (index % 97),
    outputTokens: 200 + (index % 53),
    cacheReadTokens: index % 5 === 0 ? 5000 : 0,
    cacheWriteTokens: index % 7 === 0 ? 800 : 0,
    thinkingTokens: index % 3 === 0 ? 150 : 0,
    images: model === "gemini-3-pro-image-preview" ? 1 : 0,
    costNanoUsd: 1_234_567 + index * 1000,
    priceVersion: "2025-11-22",
    status: "ok",
  };
}

/**
 * `rows` ledger rows spread evenly over the `days` before `now`, generated inside SQLite (a million rows in a few
 * seconds). Users and models rotate with the row index; token numbers follow the same formulas as ledgerEntry().
 */
export function seedLedger(
  db: Db,
  options: { rows: number; users: string[]; days: number; now?: Date },
): void {
  const now = (options.now ?? new Date()).getTime();
  const spacingMs = (options.days * 86_400_000) / Math.max(1, options.rows);
  db.exec("CREATE TEMP TABLE seed_users (idx INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  const addUser = db.prepare("INSERT INTO seed_users (idx, name) VALUES (?, ?)");
  options.users.forEach((user, index) => addUser.run(index, user));
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @rows)
     INSERT INTO cost_ledger (created_at, user, session_id, provider, model, request_id, input_tokens, output_tokens,
       cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd, price_version, status)
     SELECT strftime('%Y-%m-%dT%H:%M:%fZ', (@now - 1000 - i * @spacing) / 1000.0, 'unixepoch'),
            (SELECT name FROM seed_users WHERE idx = i % @userCount), NULL,
            CASE i % 3 WHEN 0 THEN 'anthropic' ELSE 'google' END,
            CASE i % 3 WHEN 0 THEN 'claude-sonnet-4-5' WHEN 1 THEN 'gemini-2.5-pro' ELSE 'gemini-3-pro-image-preview' END,
            'req-' || i, 1000 + i % 97, 200 + i % 53,
            CASE WHEN i % 5 = 0 THEN 5000 ELSE 0 END, CASE WHEN i % 7 = 0 THEN 800 ELSE 0 END,
            CASE WHEN i % 3 = 0 THEN 150 ELSE 0 END, CASE i % 3 WHEN 2 THEN 1 ELSE 0 END,
            1234567 + i * 1000, '2025-11-22', 'ok'
       FROM n`,
  ).run({ rows: options.rows, now, spacing: spacingMs, userCount: options.users.length });
  db.exec("DROP TABLE temp.seed_users");
}

/** Sessions idle for `idleMs`, each with a document, one version, two messages and a ledger row naming it. */
export function seedSessions(db: Db, owner: string, count: number, idleMs: number): string[] {
  const lastActive = new Date(Date.now() - idleMs).toISOString();
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { session, documentId } = createSession(db, { owner, maxPerOwner: Number.MAX_SAFE_INTEGER });
    appendVersion(db, { documentId, html: "<p>hello</p>", prompt: "make it", summary: null, model: null });
    addMessage(db, { sessionId: session.id, documentId, role: "user", content: "make it" });
    addMessage(db, { sessionId: session.id, documentId, role: "assistant", content: "done" });
    insertLedgerEntry(db, { ...ledgerEntry(owner, index), sessionId: session.id });
    db.prepare("UPDATE sessions SET last_active = ?, created_at = ? WHERE id = ?").run(
      lastActive,
      lastActive,
      session.id,
    );
    ids.push(session.id);
  }
  return ids;
}
