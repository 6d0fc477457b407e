import type { Db } from "../../src/db/open.js";
import type { AnthropicReportedUsage, GeminiReportedUsage, ProviderFakes } from "../fakes/index.js";

export interface SseEvent {
  event: string;
  id: string;
  data: Record<string, unknown>;
}

/** Parses an SSE body as a browser would: blocks separated by blank lines, `: ...` lines are comments. */
export function parseSse(text: string): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  for (const block of text.split(/\n\n/)) {
    const fields: Record<string, string> = {};
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) comments.push(line.slice(1).trim());
      const match = /^(event|id|data): ?(.*)$/.exec(line);
      if (match) fields[match[1] as string] = (fields[match[1] as string] ?? "") + (match[2] ?? "");
    }
    if (fields.event) {
      events.push({
        event: fields.event,
        id: fields.id ?? "",
        data: JSON.parse(fields.data ?? "null") as SseEvent["data"],
      });
    }
  }
  return { events, comments };
}

/** Event names with runs of `delta` collapsed, which is what a sequence assertion cares about. */
export function eventNames(events: SseEvent[]): string[] {
  return events
    .map((event) => event.event)
    .filter((name, index, names) => name !== "delta" || names[index - 1] !== "delta");
}

export function eventsOf(events: SseEvent[], name: string): Record<string, unknown>[] {
  return events.filter((event) => event.event === name).map((event) => event.data);
}

export interface LedgerRow {
  provider: string;
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  thinking: number;
  images: number;
  cost: number;
  status: string;
}

export interface StoredRow extends LedgerRow {
  priceVersion: string;
  user: string;
  sessionId: string | null;
  requestId: string | null;
}

export function ledgerRows(db: Db): StoredRow[] {
  return db
    .prepare(
      `SELECT provider, model, input_tokens AS input, output_tokens AS output, cache_read_tokens AS cacheRead,
              cache_write_tokens AS cacheWrite, thinking_tokens AS thinking, images, cost_nano_usd AS cost, status,
              price_version AS priceVersion, user, session_id AS sessionId, request_id AS requestId
         FROM cost_ledger ORDER BY id`,
    )
    .all() as StoredRow[];
}

/**
 * The default price list written out by hand in nano-USD per token (so the test does not reuse the code under
 * test): Sonnet $3/$15, cache write $3.75, cache read $0.30; Gemini 2.5 Pro $1.25/$10 (cache $0.125) up to 200k
 * prompt tokens, $2.50/$15 (cache $0.25) above; Nano Banana Pro text $2/$12 plus $0.134 per image.
 */
const CLAUDE = { input: 3000, output: 15000, cacheWrite: 3750, cacheRead: 300 };
const GEMINI = { input: 1250, output: 10000, cacheRead: 125 };
const GEMINI_LONG = { input: 2500, output: 15000, cacheRead: 250 };
const NANO_BANANA = { input: 2000, output: 12000, cacheRead: 200, perImage: 134_000_000 };

export function expectedAnthropicRow(reported: AnthropicReportedUsage): Omit<LedgerRow, "status"> {
  return {
    provider: "anthropic",
    model: reported.model,
    input: reported.input_tokens,
    output: reported.output_tokens,
    cacheRead: reported.cache_read_input_tokens,
    cacheWrite: reported.cache_creation_input_tokens,
    thinking: 0,
    images: 0,
    cost:
      reported.input_tokens * CLAUDE.input +
      reported.output_tokens * CLAUDE.output +
      reported.cache_creation_input_tokens * CLAUDE.cacheWrite +
      reported.cache_read_input_tokens * CLAUDE.cacheRead,
  };
}

export function expectedGeminiRow(reported: GeminiReportedUsage): Omit<LedgerRow, "status"> {
  const input = reported.promptTokenCount - reported.cachedContentTokenCount;
  const output = reported.candidatesTokenCount - reported.imageTokenCount;
  const image = reported.model === "gemini-3-pro-image-preview";
  const rates = image ? NANO_BANANA : reported.promptTokenCount > 200_000 ? GEMINI_LONG : GEMINI;
  return {
    provider: "google",
    model: reported.model,
    input,
    output,
    cacheRead: reported.cachedContentTokenCount,
    cacheWrite: 0,
    thinking: reported.thoughtsTokenCount,
    images: reported.images,
    cost:
      input * rates.input +
      (output + reported.thoughtsTokenCount) * rates.output +
      reported.cachedContentTokenCount * rates.cacheRead +
      reported.images * (image ? NANO_BANANA.perImage : 0),
  };
}

/** The ledger must hold exactly one row per call the fakes reported usage for, with the same numbers. */
export function expectedLedger(fakes: ProviderFakes): {
  anthropic: Omit<LedgerRow, "status">[];
  google: Omit<LedgerRow, "status">[];
} {
  return {
    anthropic: fakes.anthropic.reported.map(expectedAnthropicRow),
    google: fakes.gemini.reported.map(expectedGeminiRow),
  };
}

/** The ledger rows of one provider, reduced to the fields the fakes can vouch for. */
export function withoutStatus(rows: LedgerRow[], provider: string): Omit<LedgerRow, "status">[] {
  return rows
    .filter((row) => row.provider === provider)
    .map((row) => ({
      provider: row.provider,
      model: row.model,
      input: row.input,
      output: row.output,
      cacheRead: row.cacheRead,
      cacheWrite: row.cacheWrite,
      thinking: row.thinking,
      images: row.images,
      cost: row.cost,
    }));
}

export function chatInit(body: Record<string, unknown>, init: RequestInit = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...init,
  };
}

export const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Team Offsite 2026</title>
<style>body { font-family: system-ui, sans-serif; margin: 2rem; } h1 { color: #234; }</style>
</head>
<body>
<header><h1>Team Offsite 2026</h1><p>Lakeside Lodge, 12-14 May</p></header>
<main>
<section id="agenda"><h2>Agenda</h2>
<ul><li>Day one: planning.</li><li>Day two: workshops.</li><li>Day three: retrospective.</li></ul>
</section>
<section id="travel"><h2>Travel</h2><p>Buses leave the office at 8:00 on Monday.</p></section>
</main>
<footer><p>Questions: ops@example.com</p></footer>
<script>document.querySelectorAll("li").forEach((li) => li.setAttribute("tabindex", "0"));</script>
</body>
</html>`;

/** Provider retries with short waits, so retried 429/529 tests run in milliseconds. */
export const FAST_RETRY = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 2000 };
