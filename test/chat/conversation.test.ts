import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startServer, type RunningServer } from "../../src/server/listen.js";
import { startProviderFakes, TINY_PNG_BASE64, type ProviderFakes } from "../fakes/index.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY } from "../helpers/env.js";
import { freePort } from "../helpers/net.js";
import {
  chatInit,
  eventNames,
  eventsOf,
  FAST_RETRY,
  expectedLedger,
  ledgerRows,
  PAGE,
  parseSse,
  withoutStatus,
  type SseEvent,
} from "./helpers.js";

type Poster = (path: string, init?: RequestInit) => Promise<Response>;

async function turn(post: Poster, sessionId: string, body: Record<string, unknown>): Promise<SseEvent[]> {
  const response = await post(`/api/chat/${sessionId}`, chatInit(body));
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.equal(response.headers.get("x-accel-buffering"), "no");
  const { events } = parseSse(await response.text());
  assert.deepEqual(
    events.map((event) => event.id),
    events.map((_, index) => String(index + 1)),
    "ids count up from 1",
  );
  return events;
}

/** create (Gemini, after a 429) -> edit (Claude tool loop, cached prompt) -> image (Nano Banana) -> restore. */
async function converse(post: Poster, fakes: ProviderFakes, t: TestApp): Promise<void> {
  fakes.reset();
  const created = await post("/api/sessions", chatInit({ title: "Offsite" }));
  assert.equal(created.status, 201);
  const { session } = (await created.json()) as { session: { id: string } };
  const detail = (await (await post(`/api/sessions/${session.id}`)).json()) as { activeDocumentId: string };
  const documentId = detail.activeDocumentId;

  fakes.gemini.script(
    { type: "status", status: 429, retryDelayS: 0 },
    {
      type: "reply",
      text: `Here you go:\n\`\`\`html\n${PAGE}\n\`\`\``,
      chunks: 5,
      usage: { cached: 300, thoughts: 420 },
    },
  );
  const create = await turn(post, session.id, {
    message: "Make a page for our team offsite at Lakeside Lodge",
  });
  assert.deepEqual(eventNames(create), [
    "status",
    "status",
    "status",
    "delta",
    "status",
    "html",
    "summary",
    "cost",
    "done",
  ]);
  assert.deepEqual(eventsOf(create, "status")[2], {
    stage: "creating",
    message: "Gemini 2.5 Pro is writing the document",
  });
  assert.equal(
    eventsOf(create, "delta")
      .map((data) => data.text)
      .join(""),
    `Here you go:\n\`\`\`html\n${PAGE}\n\`\`\``,
  );
  assert.deepEqual(eventsOf(create, "html")[0], { documentId, version: 1, html: PAGE });
  assert.deepEqual(eventsOf(create, "summary")[0], { text: 'Created "Team Offsite 2026".' });
  assert.deepEqual(eventsOf(create, "done")[0], { documentId, version: 1 });
  assert.equal(fakes.gemini.requests.length, 2, "the 429 was retried once");
  assert.equal(fakes.gemini.reported.length, 1, "only the answered call reported usage");

  fakes.anthropic.script(
    {
      type: "reply",
      text: "I'll add the lake walk.",
      toolCalls: [
        {
          name: "html_replace",
          input: { old_text: "Day one: planning.", new_text: "Day one: planning and a lake walk." },
        },
      ],
      usage: { input: 900, cacheWrite: 2400 },
    },
    { type: "reply", text: "Added a lake walk to day one.", usage: { input: 950, cacheRead: 2400 } },
  );
  const edit = await turn(post, session.id, { message: "Add a lake walk to day one" });
  assert.deepEqual(eventNames(edit), [
    "status",
    "status",
    "status",
    "delta",
    "status",
    "html",
    "summary",
    "cost",
    "done",
  ]);
  const edited = PAGE.replace("Day one: planning.", "Day one: planning and a lake walk.");
  assert.deepEqual(eventsOf(edit, "html")[0], { documentId, version: 2, html: edited });
  assert.deepEqual(eventsOf(edit, "summary")[0], { text: "Added a lake walk to day one." });
  const second = fakes.anthropic.requests[1]?.body as {
    messages: { role: string; content: { type: string; is_error?: boolean; content?: string }[] }[];
  };
  const toolResult = second.messages[2]?.content[0];
  assert.equal(toolResult?.type, "tool_result");
  assert.equal(toolResult?.is_error, undefined);
  assert.equal(toolResult?.content, "Applied (exact match).");

  fakes.gemini.script({
    type: "reply",
    text: "A calm lake at dawn.",
    image: { mimeType: "image/png", data: TINY_PNG_BASE64 },
  });
  const image = await turn(post, session.id, { message: "Add an illustration of a lake at dawn" });
  assert.deepEqual(eventNames(image), [
    "status",
    "status",
    "status",
    "status",
    "html",
    "summary",
    "cost",
    "done",
  ]);
  const withImage = eventsOf(image, "html")[0] as { version: number; html: string };
  assert.equal(withImage.version, 3);
  assert.ok(
    withImage.html.includes(
      // The caption and alt text are the image model's description, not the user's instruction.
      `<img src="data:image/png;base64,${TINY_PNG_BASE64}" alt="A calm lake at dawn."`,
    ),
  );
  assert.ok(
    withImage.html.indexOf("data:image/png") > withImage.html.indexOf("</h1>"),
    "placed after the first heading",
  );
  assert.equal(withImage.html.replace(/\n<figure class="ahb-image"[\s\S]*?<\/figure>/, ""), edited);

  const restored = await post(`/api/sessions/${session.id}/documents/${documentId}/versions/1/restore`, {
    method: "POST",
  });
  assert.equal(restored.status, 201);
  const versions = (await (
    await post(`/api/sessions/${session.id}/documents/${documentId}/versions`)
  ).json()) as {
    versions: { version: number; model: string | null }[];
  };
  assert.deepEqual(
    versions.versions.map((version) => [version.version, version.model]),
    [
      [1, "gemini-2.5-pro"],
      [2, "claude-sonnet-4-6"],
      [3, "gemini-3-pro-image-preview"],
      [4, null],
    ],
  );
  const current = await post(`/api/sessions/${session.id}/documents/${documentId}/html`);
  assert.equal(await current.text(), PAGE);

  const rows = ledgerRows(t.deps.db).filter((row) => row.sessionId === session.id);
  const expected = expectedLedger(fakes);
  assert.deepEqual(withoutStatus(rows, "anthropic"), expected.anthropic);
  assert.deepEqual(withoutStatus(rows, "google"), expected.google);
  assert.deepEqual(
    rows.map((row) => row.status),
    ["ok", "ok", "ok", "ok"],
  );
  assert.ok(rows.every((row) => row.priceVersion === "2025-11-22" && row.user === "anonymous"));
  assert.ok(
    rows.every((row) =>
      (row.provider === "anthropic" ? /^req_fake_/ : /^[0-9a-f]{22}$/).test(row.requestId ?? ""),
    ),
    "request ids kept",
  );
  assert.equal(rows.find((row) => row.provider === "google")?.thinking, 420, "thinking tokens recorded");
  assert.equal(
    rows.find((row) => row.provider === "google")?.cacheRead,
    300,
    "Gemini cached tokens recorded",
  );
  assert.deepEqual(
    rows.filter((row) => row.provider === "anthropic").map((row) => [row.cacheWrite, row.cacheRead]),
    [
      [2400, 0],
      [0, 2400],
    ],
  );
  const turnCosts = [create, edit, image].map(
    (events) => eventsOf(events, "cost")[0] as { costNanoUsd: number; costUsd: number },
  );
  assert.equal(
    turnCosts.reduce((sum, cost) => sum + cost.costNanoUsd, 0),
    rows.reduce((sum, row) => sum + row.cost, 0),
  );
  assert.equal(turnCosts[2]?.costNanoUsd, rows[3]?.cost);
  assert.equal(turnCosts[2]?.costUsd, (rows[3]?.cost ?? 0) / 1e9);

  const messages = (await (await post(`/api/sessions/${session.id}/messages`)).json()) as {
    messages: { role: string; content: string }[];
  };
  assert.deepEqual(
    messages.messages.map((message) => message.role),
    ["user", "assistant", "user", "assistant", "user", "assistant"],
  );
  assert.equal(fakes.anthropic.pending() + fakes.gemini.pending(), 0);
}

describe("chat conversation: create -> edit -> image -> restore", () => {
  let fakes: ProviderFakes;
  before(async () => {
    fakes = await startProviderFakes();
  });
  after(() => fakes.close());

  it("works in-process through app.request()", async () => {
    const t = createTestApp({ ...fakes.env }, { chat: { retry: FAST_RETRY } });
    try {
      await converse((path, init) => Promise.resolve(t.app.request(path, init)), fakes, t);
      const logs = t.logLines.join("\n");
      assert.ok(!logs.includes(FAKE_ANTHROPIC_KEY) && !logs.includes(FAKE_GOOGLE_KEY), "keys never logged");
    } finally {
      t.close();
    }
  });

  it("works through a real socket", async () => {
    const t = createTestApp({ ...fakes.env }, { chat: { retry: FAST_RETRY } });
    let server: RunningServer | undefined;
    try {
      server = await startServer(
        { ...t.deps, config: { ...t.deps.config, PORT: await freePort() } },
        "127.0.0.1",
      );
      const base = `http://127.0.0.1:${server.port}`;
      await converse((path, init) => fetch(`${base}${path}`, init), fakes, t);
    } finally {
      await server?.close();
      t.close();
    }
  });
});
