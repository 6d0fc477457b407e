import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { listMessages } from "../../src/db/repo/messages.js";
import { createSession } from "../../src/db/repo/sessions.js";
import { appendVersion, getVersion, listVersions } from "../../src/db/repo/versions.js";
import { startServer } from "../../src/server/listen.js";
import { startProviderFakes, TINY_PNG_BASE64, type ProviderFakes } from "../fakes/index.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { FAKE_ANTHROPIC_KEY } from "../helpers/env.js";
import { freePort, waitFor } from "../helpers/net.js";
import {
  chatInit,
  eventNames,
  eventsOf,
  FAST_RETRY,
  expectedAnthropicRow,
  expectedGeminiRow,
  ledgerRows,
  PAGE,
  parseSse,
  withoutStatus,
  type SseEvent,
} from "./helpers.js";

function seed(t: TestApp, html: string | null = PAGE, owner = "anonymous") {
  const { session, documentId } = createSession(t.deps.db, { owner, maxPerOwner: 1000 });
  if (html !== null) appendVersion(t.deps.db, { documentId, html, prompt: null, summary: null, model: null });
  return { sessionId: session.id, documentId };
}

async function chat(t: TestApp, sessionId: string, body: Record<string, unknown>, init: RequestInit = {}) {
  const response = await t.app.request(`/api/chat/${sessionId}`, chatInit(body, init));
  return { response, ...parseSse(await response.text()) };
}

function errorOf(events: SseEvent[]): { code: string; message: string } {
  return eventsOf(events, "error")[0] as { code: string; message: string };
}

function sessionRows(t: TestApp, sessionId: string) {
  return ledgerRows(t.deps.db).filter((row) => row.sessionId === sessionId);
}

/** Reads an SSE body until `text` shows up, then returns what was read (the stream stays open). */
async function readUntil(
  body: ReadableStream<Uint8Array>,
  text: string,
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${text}: ${seen}`);
    seen += decoder.decode(value, { stream: true });
  }
  return reader;
}

const REPLACE_DAY_ONE = {
  name: "html_replace",
  input: { old_text: "Day one: planning.", new_text: "Day one: kayaking." },
};

describe("chat turns that fail, race or get cancelled", () => {
  let fakes: ProviderFakes;
  let t: TestApp;
  before(async () => {
    fakes = await startProviderFakes();
    t = createTestApp({ ...fakes.env }, { chat: { retry: FAST_RETRY, heartbeatMs: 20 } });
  });
  afterEach(() => {
    const pending = fakes.anthropic.pending() + fakes.gemini.pending();
    fakes.reset();
    assert.equal(pending, 0, "every scripted answer was used");
  });
  after(async () => {
    t.close();
    await fakes.close();
  });

  it("records a stream broken by an upstream error as status error and leaves the document unchanged", async () => {
    const { sessionId, documentId } = seed(t);
    fakes.anthropic.script({
      type: "reply",
      text: "Changing the agenda now, one moment.",
      usage: { input: 1100 },
      errorAfterDeltas: 2,
    });
    const { events } = await chat(t, sessionId, { message: "Make day one kayaking" });
    assert.deepEqual(eventNames(events), ["status", "status", "status", "delta", "error", "cost", "done"]);
    const error = errorOf(events);
    assert.equal(error.code, "provider_overloaded");
    assert.match(error.message, /overloaded.*The document is unchanged\./);
    assert.equal(fakes.anthropic.requests.length, 1, "no retry once text reached the user");
    const rows = sessionRows(t, sessionId);
    assert.deepEqual(
      rows.map((row) => row.status),
      ["error"],
    );
    assert.equal(rows[0]?.cost, expectedAnthropicRow(fakes.anthropic.reported[0]!).cost);
    assert.deepEqual(eventsOf(events, "cost")[0], {
      costNanoUsd: rows[0]?.cost,
      costUsd: (rows[0]?.cost ?? 0) / 1e9,
    });
    assert.deepEqual(eventsOf(events, "done")[0], { documentId, version: null });
    assert.equal(listVersions(t.deps.db, documentId).length, 1);
  });

  it("retries 429 and 529 answered before the stream, billing only the calls that ran", async () => {
    const { sessionId, documentId } = seed(t);
    fakes.anthropic.script(
      { type: "status", status: 429, retryAfterS: 0 },
      { type: "status", status: 529 },
      { type: "reply", toolCalls: [REPLACE_DAY_ONE] },
      { type: "reply", text: "Day one is now kayaking." },
    );
    const { events } = await chat(t, sessionId, { message: "Make day one kayaking" });
    assert.equal(eventsOf(events, "error").length, 0);
    assert.equal(fakes.anthropic.requests.length, 4);
    const rows = sessionRows(t, sessionId);
    assert.deepEqual(
      rows.map((row) => row.status),
      ["ok", "ok"],
    );
    assert.deepEqual(withoutStatus(rows, "anthropic"), fakes.anthropic.reported.map(expectedAnthropicRow));
    assert.equal(
      getVersion(t.deps.db, documentId)?.html,
      PAGE.replace("Day one: planning.", "Day one: kayaking."),
    );
  });

  it("does not wait out a retry-after longer than the policy allows, and never retries a rejected key", async () => {
    const { sessionId, documentId } = seed(t);
    fakes.anthropic.script({ type: "status", status: 429, retryAfterS: 60 }, { type: "status", status: 401 });
    const started = Date.now();
    const limited = await chat(t, sessionId, { message: "Make day one kayaking" });
    assert.ok(Date.now() - started < 5000);
    assert.equal(errorOf(limited.events).code, "provider_rate_limited");
    const rejected = await chat(t, sessionId, { message: "Make day one kayaking" });
    const error = errorOf(rejected.events);
    assert.equal(error.code, "provider_auth");
    assert.equal(
      error.message,
      "Claude (Anthropic) rejected this server's API key; an operator must fix the key. The document is unchanged.",
    );
    assert.ok(!JSON.stringify(rejected.events).includes(FAKE_ANTHROPIC_KEY.slice(-8)));
    assert.equal(fakes.anthropic.requests.length, 2);
    assert.equal(sessionRows(t, sessionId).length, 0, "calls refused before streaming bill nothing");
    const warnings = t.logLines.filter((line) => line.includes("provider call failed"));
    assert.ok(warnings.some((line) => line.includes('"kind":"auth"') && line.includes('"status":401')));
    assert.ok(
      !warnings.some((line) => line.includes("authentication_error") || line.includes("fake 401")),
      "no upstream body logged",
    );
    assert.equal(listVersions(t.deps.db, documentId).length, 1);
  });

  it("maps Gemini's API_KEY_INVALID on create to a safe error", async () => {
    const { sessionId, documentId } = seed(t, null);
    fakes.gemini.script({ type: "invalid_key" });
    const { events } = await chat(t, sessionId, { message: "A page about owls" });
    assert.deepEqual(errorOf(events), {
      code: "provider_auth",
      message:
        "Gemini (Google) rejected this server's API key; an operator must fix the key. The document is unchanged.",
    });
    assert.equal(listVersions(t.deps.db, documentId).length, 0);
  });

  it("answers each failed tool call with is_error and, when all failed, regenerates once with a preservation prompt", async () => {
    const { sessionId, documentId } = seed(t);
    const regenerated = PAGE.replace("Day two: workshops.", "Day two: workshops and a barbecue.");
    fakes.anthropic.script(
      {
        type: "reply",
        toolCalls: [
          {
            name: "html_replace",
            input: { old_text: "Day 2 - workshops", new_text: "Day 2 - workshops and a barbecue" },
          },
        ],
      },
      { type: "reply", text: "I could not find that text." },
      { type: "reply", text: `\`\`\`html\n${regenerated}\n\`\`\`` },
    );
    const { events } = await chat(t, sessionId, { message: "Add a barbecue to day two" });
    assert.equal(eventsOf(events, "error").length, 0, JSON.stringify(eventsOf(events, "error")));
    assert.deepEqual(eventsOf(events, "html")[0], { documentId, version: 2, html: regenerated });
    const [, second, third] = fakes.anthropic.requests.map(
      (request) => request.body as Record<string, unknown>,
    );
    const feedback = (second?.messages as { content: { is_error?: boolean; content: string }[] }[])[2]
      ?.content[0];
    assert.equal(feedback?.is_error, true);
    assert.match(feedback?.content ?? "", /not found|could not|no match/i);
    assert.equal(third?.tools, undefined, "the regeneration request has no tools");
    assert.match(String(third?.system), /Change only what the request asks for/);
    assert.equal(sessionRows(t, sessionId).length, 3, "three billed calls, three rows");
  });

  it("reverts the whole turn when the edited document fails validation", async () => {
    const { sessionId, documentId } = seed(t);
    const script = /<script>[\s\S]*?<\/script>/.exec(PAGE)?.[0] ?? "";
    fakes.anthropic.script(
      { type: "reply", toolCalls: [REPLACE_DAY_ONE, { name: "html_delete", input: { text: script } }] },
      { type: "reply", text: "Done." },
    );
    const { events } = await chat(t, sessionId, { message: "Make day one kayaking and drop the script" });
    const error = errorOf(events);
    assert.equal(error.code, "invalid_edit");
    assert.match(error.message, /script/i);
    assert.equal(eventsOf(events, "html").length, 0);
    assert.equal(getVersion(t.deps.db, documentId)?.html, PAGE, "not even the valid replace was kept");
  });

  it("sends Claude placeholders instead of base64 images and restores them in the saved version", async () => {
    const withImage = PAGE.replace(
      "</h1>",
      `</h1><img src="data:image/png;base64,${TINY_PNG_BASE64}" alt="logo">`,
    );
    const { sessionId, documentId } = seed(t, withImage);
    fakes.anthropic.script({ type: "reply", toolCalls: [REPLACE_DAY_ONE] }, { type: "reply", text: "Done." });
    await chat(t, sessionId, { message: "Make day one kayaking" });
    const sent = JSON.stringify(fakes.anthropic.requests[0]?.body);
    assert.ok(!sent.includes(TINY_PNG_BASE64));
    assert.match(sent, /AHB_DATA_URI_\d+/);
    assert.equal(
      getVersion(t.deps.db, documentId)?.html,
      withImage.replace("Day one: planning.", "Day one: kayaking."),
    );
  });

  it("serialises two concurrent turns on one document: both saved, in order, nothing lost", async () => {
    const { sessionId, documentId } = seed(t);
    fakes.anthropic.script(
      { type: "reply", toolCalls: [REPLACE_DAY_ONE], delayMs: 200 },
      { type: "reply", text: "Day one changed." },
      {
        type: "reply",
        toolCalls: [
          { name: "html_replace", input: { old_text: "Day two: workshops.", new_text: "Day two: hiking." } },
        ],
      },
      { type: "reply", text: "Day two changed." },
    );
    const [first, second] = await Promise.all([
      chat(t, sessionId, { message: "Make day one kayaking" }),
      chat(t, sessionId, { message: "Make day two hiking" }),
    ]);
    assert.deepEqual(eventsOf(first.events, "done")[0], { documentId, version: 2 });
    assert.deepEqual(eventsOf(second.events, "done")[0], { documentId, version: 3 });
    assert.deepEqual(
      listVersions(t.deps.db, documentId).map((version) => version.version),
      [1, 2, 3],
    );
    const latest = getVersion(t.deps.db, documentId)?.html ?? "";
    assert.ok(
      latest.includes("Day one: kayaking.") && latest.includes("Day two: hiking."),
      "the second turn built on the first",
    );
  });

  it("fails with conflict when someone else writes a version while the turn runs", async () => {
    const { sessionId, documentId } = seed(t);
    fakes.anthropic.script(
      { type: "reply", toolCalls: [REPLACE_DAY_ONE], delayMs: 300 },
      { type: "reply", text: "Done." },
    );
    const turn = chat(t, sessionId, { message: "Make day one kayaking" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const restore = await t.app.request(
      `/api/sessions/${sessionId}/documents/${documentId}/versions/1/restore`,
      { method: "POST" },
    );
    assert.equal(restore.status, 201);
    const { events } = await turn;
    assert.equal(errorOf(events).code, "conflict");
    assert.deepEqual(
      listVersions(t.deps.db, documentId).map((version) => version.version),
      [1, 2],
    );
    assert.equal(getVersion(t.deps.db, documentId)?.html, PAGE);
    assert.equal(sessionRows(t, sessionId).length, 2, "the calls were billed even though nothing was saved");
  });

  it("bills a Gemini prompt over 200k tokens at the long-context tier", async () => {
    const { sessionId } = seed(t, null);
    fakes.gemini.script({
      type: "reply",
      text: PAGE,
      usage: { prompt: 250_000, cached: 50_000, candidates: 4000, thoughts: 1000 },
    });
    await chat(t, sessionId, { message: "A page summarising this very long report" });
    const [row] = sessionRows(t, sessionId);
    // $2.50/M x 200k fresh + $0.25/M x 50k cached + $15/M x 5k output and thinking
    assert.equal(row?.cost, 500_000_000 + 12_500_000 + 75_000_000);
    assert.equal(row?.cost, expectedGeminiRow(fakes.gemini.reported[0]!).cost);
  });

  it("sends heartbeat comments while a model is slow", async () => {
    const { sessionId } = seed(t, null);
    fakes.gemini.script({ type: "reply", text: PAGE, delayMs: 200 });
    const { comments, events } = await chat(t, sessionId, { message: "A page about our offsite" });
    assert.ok(comments.filter((comment) => comment === "heartbeat").length >= 3);
    assert.equal(eventsOf(events, "error").length, 0);
  });

  it("keeps the document when the model changes nothing, and fails cleanly without a document or image", async () => {
    const { sessionId, documentId } = seed(t);
    fakes.anthropic.script({ type: "reply", text: "The agenda already says that; nothing to change." });
    const unchanged = await chat(t, sessionId, { message: "Make sure day one says planning", mode: "edit" });
    assert.deepEqual(eventNames(unchanged.events), [
      "status",
      "status",
      "status",
      "delta",
      "summary",
      "cost",
      "done",
    ]);
    assert.deepEqual(eventsOf(unchanged.events, "done")[0], { documentId, version: null });

    fakes.gemini.script({ type: "reply", text: "I would rather describe it in words." });
    const noImage = await chat(t, sessionId, { message: "anything", mode: "image" });
    assert.equal(errorOf(noImage.events).code, "no_image");
    assert.equal(sessionRows(t, sessionId).filter((row) => row.images > 0).length, 0);

    fakes.gemini.script({ type: "reply", text: "Sorry, I cannot help with that." });
    const noDocument = await chat(t, sessionId, { message: "anything", mode: "create" });
    assert.equal(errorOf(noDocument.events).code, "no_document");
    assert.equal(listVersions(t.deps.db, documentId).length, 1);
    const gemini = sessionRows(t, sessionId).filter((row) => row.provider === "google");
    assert.deepEqual(
      gemini.map(({ status }) => status),
      ["ok", "ok"],
    );
    assert.deepEqual(
      gemini.map((row) => row.cost),
      fakes.gemini.reported.map((reported) => expectedGeminiRow(reported).cost),
    );
  });

  it("validates the body and hides other users' sessions, before storing or calling anything", async () => {
    const alice = seed(t, PAGE, "alice");
    const own = seed(t);
    const asBob = (sessionId: string, body: unknown) =>
      t.app.request(
        `/api/chat/${sessionId}`,
        {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-user": "bob" },
          body: JSON.stringify(body),
        },
        fromPeer("127.0.0.1"),
      );
    const cases: [string, unknown, number, string][] = [
      [alice.sessionId, { message: "hi" }, 404, "not_found"],
      ["not-a-uuid", { message: "hi" }, 400, "invalid_id"],
    ];
    for (const [sessionId, body, status, code] of cases) {
      const response = await asBob(sessionId, body);
      assert.equal(response.status, status);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, code);
    }
    const invalid: [unknown, string][] = [
      [{ message: "" }, "message"],
      [{ message: "   " }, "message"],
      [{ message: "x".repeat(10_001) }, "message"],
      [{ message: "hi", mode: "draw" }, "mode"],
      [{ message: "hi", extra: 1 }, "extra"],
      [{ message: 5 }, "message"],
    ];
    for (const [body, field] of invalid) {
      const response = await t.app.request(
        `/api/chat/${own.sessionId}`,
        chatInit(body as Record<string, unknown>),
      );
      assert.equal(response.status, 400, JSON.stringify(body).slice(0, 40));
      const error = ((await response.json()) as { error: { code: string; details: string[] } }).error;
      assert.equal(error.code, "invalid_request");
      assert.ok(
        error.details.some((detail) => detail.includes(field)),
        error.details.join("; "),
      );
    }
    const unknownDocument = await t.app.request(
      `/api/chat/${own.sessionId}`,
      chatInit({ message: "hi", documentId: alice.documentId }),
    );
    assert.equal(unknownDocument.status, 404);
    assert.equal(
      listMessages(t.deps.db, own.sessionId).length + listMessages(t.deps.db, alice.sessionId).length,
      0,
    );
    assert.equal(fakes.anthropic.requests.length + fakes.gemini.requests.length, 0);
  });
});

describe("chat refuses documents too long to edit", () => {
  it("refuses before calling Claude, counting text but not embedded images", async () => {
    const fakes = await startProviderFakes();
    const t = createTestApp(
      { ...fakes.env, MAX_HTML_CONTEXT_LENGTH: "2000" },
      { chat: { retry: FAST_RETRY } },
    );
    try {
      const long = PAGE.replace(
        "<footer>",
        `<section>${"<p>Lorem ipsum dolor sit amet.</p>\n".repeat(60)}</section><footer>`,
      );
      const { sessionId, documentId } = seed(t, long);
      const { events } = await chat(t, sessionId, { message: "Make day one kayaking" });
      const error = errorOf(events);
      assert.equal(error.code, "document_too_long");
      assert.match(error.message, new RegExp(`document is ${long.length} characters .*limited to 2000`));
      assert.equal(fakes.anthropic.requests.length, 0);
      assert.equal(listVersions(t.deps.db, documentId).length, 1);

      const bigImage = PAGE.replace("</h1>", `</h1><img src="data:image/png;base64,${"A".repeat(50_000)}">`);
      const small = seed(t, bigImage);
      fakes.anthropic.script(
        { type: "reply", toolCalls: [REPLACE_DAY_ONE] },
        { type: "reply", text: "Done." },
      );
      const accepted = await chat(t, small.sessionId, { message: "Make day one kayaking" });
      assert.equal(eventsOf(accepted.events, "error").length, 0);
      assert.equal(getVersion(t.deps.db, small.documentId)?.version, 2);
    } finally {
      t.close();
      await fakes.close();
    }
  });
});

describe("chat turns cancelled by the client", () => {
  it("cancels the upstream stream when the client disconnects, recording the usage reported so far", async () => {
    const fakes = await startProviderFakes();
    const t = createTestApp({ ...fakes.env }, { chat: { retry: FAST_RETRY } });
    // The running server owns the database: closing it closes t's database too.
    const server = await startServer(
      { ...t.deps, config: { ...t.deps.config, PORT: await freePort() } },
      "127.0.0.1",
    );
    try {
      const viaSocket = (path: string, init: RequestInit) =>
        fetch(`http://127.0.0.1:${server.port}${path}`, init);
      const viaApp = (path: string, init: RequestInit) => Promise.resolve(t.app.request(path, init));
      for (const post of [viaSocket, viaApp]) {
        fakes.reset();
        const { sessionId, documentId } = seed(t);
        fakes.anthropic.script({
          type: "reply",
          text: "Looking at the agenda section first, then the travel notes.",
          toolCalls: [REPLACE_DAY_ONE],
          usage: { input: 1500, cacheRead: 200 },
          hangAfterDeltas: 2,
        });
        const controller = new AbortController();
        const response = await post(
          `/api/chat/${sessionId}`,
          chatInit({ message: "Make day one kayaking" }, { signal: controller.signal }),
        );
        const reader = await readUntil(response.body as ReadableStream<Uint8Array>, "event: delta");
        controller.abort();
        await reader.cancel().catch(() => undefined);
        const rows = await waitFor(async () => {
          const found = sessionRows(t, sessionId);
          // The row is written pending before the call; wait for the call's outcome.
          return found.length > 0 && found.every((row) => row.status !== "pending") ? found : undefined;
        }, 5000);
        const reported = fakes.anthropic.reported[0];
        assert.ok(reported);
        assert.equal(reported.output_tokens, 1, "only message_start's usage was reported");
        assert.deepEqual(
          rows.map((row) => row.status),
          ["cancelled"],
        );
        assert.deepEqual(withoutStatus(rows, "anthropic"), [expectedAnthropicRow(reported)]);
        assert.equal(getVersion(t.deps.db, documentId)?.version, 1, "no version written");
        await waitFor(async () => (listMessages(t.deps.db, sessionId).length === 2 ? true : undefined), 2000);
        assert.match(listMessages(t.deps.db, sessionId)[1]?.content ?? "", /cancelled.*unchanged/);
      }
    } finally {
      await server.close();
      t.close();
      await fakes.close();
    }
  });
});

describe("chat turns that outlive their deadline", () => {
  it("ends a stalled stream as a provider timeout, billing what was reported, and frees the document", async () => {
    const fakes = await startProviderFakes();
    const t = createTestApp({ ...fakes.env }, { chat: { retry: FAST_RETRY, turnTimeoutMs: 400 } });
    try {
      const { sessionId, documentId } = seed(t);
      fakes.anthropic.script({
        type: "reply",
        text: "Starting on the agenda now.",
        usage: { input: 700 },
        hangAfterDeltas: 1,
      });
      const { events } = await chat(t, sessionId, { message: "Make day one kayaking" });
      assert.deepEqual(errorOf(events), {
        code: "provider_timeout",
        message: "Claude (Anthropic) did not answer in time. The document is unchanged.",
      });
      const rows = sessionRows(t, sessionId);
      assert.deepEqual(
        rows.map((row) => row.status),
        ["error"],
      );
      assert.deepEqual(withoutStatus(rows, "anthropic"), fakes.anthropic.reported.map(expectedAnthropicRow));
      fakes.anthropic.script(
        { type: "reply", toolCalls: [REPLACE_DAY_ONE] },
        { type: "reply", text: "Done." },
      );
      const next = await chat(t, sessionId, { message: "Make day one kayaking" });
      assert.deepEqual(eventsOf(next.events, "done")[0], { documentId, version: 2 });
    } finally {
      t.close();
      await fakes.close();
    }
  });
});
