/**
 * One stop of a serving `ahb serve` with a chat turn streaming, watched from the outside the way a user and a proxy
 * see it. Shared by the process test (SIGTERM) and the container test (`docker stop`).
 */
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { parseSse, type SseEvent } from "../chat/helpers.js";
import type { ProviderFakes } from "../fakes/index.js";
import { fetchWithDeadline, waitFor } from "./net.js";

export const DRAIN_PAGE = `<!DOCTYPE html><html><head><title>Drain</title></head><body>${"<p>Every word arrives.</p>".repeat(40)}</body></html>`;

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export async function newSession(base: string): Promise<string> {
  const created = await fetchWithDeadline(`${base}/api/sessions`, 5000, json({ title: "Drain" }));
  assert.equal(created.status, 201);
  return ((await created.json()) as { session: { id: string } }).session.id;
}

export interface StreamingTurn {
  /** Resolves with every event once the stream ends. */
  events: Promise<SseEvent[]>;
}

/** Starts a create turn and resolves once its first delta arrived: the turn is streaming. */
export async function startStreamingTurn(base: string, sessionId: string): Promise<StreamingTurn> {
  const response = await fetch(
    `${base}/api/chat/${sessionId}`,
    json({ message: "A page, slowly", mode: "create" }),
  );
  assert.equal(response.status, 200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  let delta: () => void = () => undefined;
  const streaming = new Promise<void>((resolve) => (delta = resolve));
  const events = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return parseSse(text).events;
      text += decoder.decode(value, { stream: true });
      if (text.includes("event: delta")) delta();
    }
  })();
  await Promise.race([
    streaming,
    events.then(() => assert.fail(`the stream ended before any delta:\n${text}`)),
  ]);
  return { events };
}

export interface DrainObservation {
  health: { status: number; body: { status: string } };
  refused: { status: number; retryAfter: string | null; code: string };
  read: number;
}

/** While the drain runs: health tells the truth, a new turn is refused with Retry-After, a read still answers. */
export async function observeDrain(base: string, sessionId: string): Promise<DrainObservation> {
  const health = await waitFor(async () => {
    const response = await fetchWithDeadline(`${base}/api/health`, 3000);
    const body = (await response.json()) as { status: string };
    return body.status === "draining" ? { status: response.status, body } : undefined;
  }, 10_000);
  const refused = await fetchWithDeadline(
    `${base}/api/chat/${sessionId}`,
    5000,
    json({ message: "A second page", mode: "create" }),
  );
  const refusedBody = (await refused.json()) as { error: { code: string } };
  const read = await fetchWithDeadline(`${base}/api/sessions/${sessionId}`, 5000);
  await read.arrayBuffer();
  return {
    health,
    refused: {
      status: refused.status,
      retryAfter: refused.headers.get("retry-after"),
      code: refusedBody.error.code,
    },
    read: read.status,
  };
}

export function assertDrainObserved(seen: DrainObservation): void {
  assert.deepEqual(
    { health: seen.health.status, status: seen.health.body.status },
    { health: 503, status: "draining" },
  );
  assert.deepEqual(seen.refused, { status: 503, retryAfter: "5", code: "server_restarting" });
  assert.equal(seen.read, 200, "reads are still served during the drain");
}

/** The streamed turn ended as if nothing happened: the whole page, no error, done with a version. */
export function assertTurnCompleted(events: SseEvent[]): void {
  const names = events.map((event) => event.event);
  assert.ok(
    !names.includes("error"),
    `no error event: ${JSON.stringify(events.filter((e) => e.event === "error"))}`,
  );
  const html = events.find((event) => event.event === "html");
  assert.equal(html?.data.html, DRAIN_PAGE, "the client got the full page");
  assert.equal(names.at(-1), "done");
  assert.equal(events.at(-1)?.data.version, 1);
}

/** The stopped server's database: each provider call's ledger status, each turn's outcome (its error code if any). */
export function storedOutcome(dbPath: string): {
  ledger: string[];
  assistant: string[];
  userMessages: number;
} {
  const db = new Database(dbPath, { readonly: true });
  try {
    const ledger = db.prepare("SELECT status FROM cost_ledger ORDER BY id").pluck().all() as string[];
    const assistant = db
      .prepare("SELECT COALESCE(error_code, status) FROM chat_messages WHERE role = 'assistant' ORDER BY id")
      .pluck()
      .all() as string[];
    const userMessages = db
      .prepare("SELECT count(*) FROM chat_messages WHERE role = 'user'")
      .pluck()
      .get() as number;
    return { ledger, assistant, userMessages };
  } finally {
    db.close();
  }
}

/** A create turn's Gemini stream that lasts about chunks × chunkDelayMs. */
export function scriptSlowPage(fakes: ProviderFakes, chunks: number, chunkDelayMs: number): void {
  fakes.gemini.script({ type: "reply", text: `\`\`\`html\n${DRAIN_PAGE}\n\`\`\``, chunks, chunkDelayMs });
}
