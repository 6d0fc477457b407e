import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { attachmentBlock } from "../../src/ai/turn/attachments.js";
import { startProviderFakes, type ProviderFakes } from "../fakes/index.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { chatInit, eventNames, eventsOf, FAST_RETRY, ledgerRows, PAGE, parseSse } from "../chat/helpers.js";

interface GeminiBody {
  contents: { role: string; parts: { text: string }[] }[];
}
interface ClaudeBody {
  messages: { role: string; content: { type: string; text?: string; cache_control?: unknown }[] }[];
}

/** A long text with a marker at each end, so a cut anywhere shows. */
function longText(chars: number): string {
  const line = "The harbour board met on Tuesday to review the quarterly figures. ";
  return `BEGIN-MARKER ${line.repeat(Math.ceil(chars / line.length))}`.slice(0, chars - 11) + " END-MARKER";
}

async function upload(t: TestApp, sessionId: string, name: string, text: string) {
  const form = new FormData();
  form.append("file", new File([text], name));
  form.append("sessionId", sessionId);
  const response = await t.app.request("/api/upload", { method: "POST", body: form });
  assert.equal(response.status, 200);
  return (await response.json()) as { attachmentId: string; chars: number; text: string };
}

async function newSession(t: TestApp, title?: string) {
  const response = await t.app.request("/api/sessions", chatInit(title ? { title } : {}));
  assert.equal(response.status, 201);
  return (await response.json()) as { session: { id: string }; activeDocumentId: string };
}

async function chat(t: TestApp, sessionId: string, body: Record<string, unknown>) {
  const response = await t.app.request(`/api/chat/${sessionId}`, chatInit(body));
  const events = response.status === 200 ? parseSse(await response.text()).events : [];
  return { response, events };
}

async function messages(t: TestApp, sessionId: string) {
  const response = await t.app.request(`/api/sessions/${sessionId}/messages`);
  return (
    (await response.json()) as {
      messages: {
        id: number;
        role: string;
        content: string;
        status: string;
        errorCode: string | null;
        costNanoUsd: number | null;
        version: number | null;
        retryOf: number | null;
        attachments: { id: string; filename: string; chars: number }[];
      }[];
    }
  ).messages;
}

describe("attachments reach the model as their own blocks", () => {
  let fakes: ProviderFakes;
  let t: TestApp;
  before(async () => {
    fakes = await startProviderFakes();
    t = createTestApp({ ...fakes.env }, { chat: { retry: FAST_RETRY } });
  });
  after(async () => {
    t.close();
    await fakes.close();
  });
  beforeEach(() => fakes.reset());

  it("create and edit turns send each file's full text; the message stays the prompt; retry resends them", async () => {
    const { session } = await newSession(t);
    const report = longText(150_000);
    const notes = "Board notes: approve the new ferry timetable.";
    const first = await upload(t, session.id, "report.txt", report);
    const second = await upload(t, session.id, "notes.md", notes);
    assert.equal(first.chars, 150_000);

    fakes.gemini.script({ type: "reply", text: PAGE });
    const prompt = "Turn this into a one-page brief";
    const create = await chat(t, session.id, {
      message: prompt,
      attachmentIds: [first.attachmentId, second.attachmentId],
    });
    assert.equal(create.response.status, 200);
    assert.ok(eventNames(create.events).includes("html"));
    const sent = fakes.gemini.requests[0]?.body as GeminiBody;
    const parts = sent.contents[0]?.parts.map((part) => part.text);
    assert.deepEqual(parts, [
      attachmentBlock({ filename: "report.txt", type: ".txt", truncated: false, text: report }),
      attachmentBlock({ filename: "notes.md", type: ".md", truncated: false, text: notes }),
      prompt,
    ]);
    assert.ok(parts?.[0]?.includes(report), "the file's full text, unabridged");

    // Edit: the attachment follows the cached document, itself cached (large), before the request.
    fakes.anthropic.script({ type: "reply", text: "Nothing to change." });
    const edit = await chat(t, session.id, {
      message: "Check the brief against the report",
      attachmentIds: [first.attachmentId],
    });
    assert.equal(edit.response.status, 200);
    const claude = fakes.anthropic.requests[0]?.body as ClaudeBody;
    const blocks = claude.messages[0]?.content ?? [];
    assert.equal(blocks.length, 3);
    assert.match(blocks[0]?.text ?? "", /^<current_document>/);
    assert.deepEqual(blocks[1], {
      type: "text",
      text: attachmentBlock({ filename: "report.txt", type: ".txt", truncated: false, text: report }),
      cache_control: { type: "ephemeral" },
    });
    assert.match(blocks[2]?.text ?? "", /Check the brief against the report/);

    const stored = await messages(t, session.id);
    const user = stored.filter((message) => message.role === "user");
    assert.equal(user[0]?.content, prompt, "the stored user message is the prompt");
    assert.deepEqual(
      user[0]?.attachments.map((attachment) => [attachment.filename, attachment.chars]),
      [
        ["report.txt", 150_000],
        ["notes.md", notes.length],
      ],
    );

    // A failed turn, then its retry: the retry carries the same attachment to the model, and the history keeps
    // the failure (with its code) and which message the retry repeated.
    fakes.anthropic.script({ type: "status", status: 401 });
    const failed = await chat(t, session.id, {
      message: "Add the ferry times",
      attachmentIds: [second.attachmentId],
    });
    const failedId = Number(failed.response.headers.get("x-message-id"));
    assert.ok(failedId > 0);
    assert.ok(eventNames(failed.events).includes("error"));
    fakes.anthropic.script({ type: "reply", text: "Nothing to change." });
    const retry = await chat(t, session.id, {
      message: "Add the ferry times",
      attachmentIds: [second.attachmentId],
      retryOf: failedId,
    });
    assert.equal(retry.response.status, 200);
    const retried = fakes.anthropic.requests.at(-1)?.body as ClaudeBody;
    assert.equal(
      retried.messages[0]?.content[1]?.text,
      attachmentBlock({ filename: "notes.md", type: ".md", truncated: false, text: notes }),
    );
    const history = await messages(t, session.id);
    const failure = history.find((message) => message.role === "assistant" && message.status === "error");
    assert.equal(failure?.errorCode, "provider_auth");
    assert.equal(history.at(-2)?.retryOf, failedId);
    assert.equal(history.at(-2)?.attachments[0]?.filename, "notes.md");
    const created = history.find((message) => message.role === "assistant" && message.version === 1);
    assert.ok(created && (created.costNanoUsd ?? 0) > 0, "the turn's cost is stored with its reply");

    // Attachments go with their session.
    assert.equal(Number(t.deps.db.prepare("SELECT count(*) FROM attachments").pluck().get()), 2);
    assert.equal((await t.app.request(`/api/sessions/${session.id}`, { method: "DELETE" })).status, 204);
    assert.equal(Number(t.deps.db.prepare("SELECT count(*) FROM attachments").pluck().get()), 0);
  });

  it("refuses attachments over the per-message cap and unknown ones, before anything is stored", async () => {
    const { session } = await newSession(t);
    const a = await upload(t, session.id, "a.txt", longText(200_000));
    const b = await upload(t, session.id, "b.txt", longText(200_000));
    const c = await upload(t, session.id, "c.txt", "x");
    const over = await chat(t, session.id, {
      message: "Summarise",
      attachmentIds: [a.attachmentId, b.attachmentId, c.attachmentId],
    });
    assert.equal(over.response.status, 400);
    assert.equal(
      ((await over.response.json()) as { error: { code: string } }).error.code,
      "attachments_too_large",
    );
    const unknown = await chat(t, session.id, { message: "Summarise", attachmentIds: [crypto.randomUUID()] });
    assert.equal(unknown.response.status, 404);
    assert.deepEqual(await messages(t, session.id), [], "nothing stored");
    assert.equal(fakes.gemini.requests.length, 0);
  });
});

describe("generated titles", () => {
  let fakes: ProviderFakes;
  let t: TestApp;
  before(async () => {
    fakes = await startProviderFakes();
    t = createTestApp(
      { ...fakes.env, TITLE_MODEL: "gemini-2.5-flash-lite" },
      { chat: { retry: FAST_RETRY } },
    );
  });
  after(async () => {
    t.close();
    await fakes.close();
  });
  beforeEach(() => fakes.reset());

  async function titles(sessionId: string) {
    const response = await t.app.request(`/api/sessions/${sessionId}`);
    const detail = (await response.json()) as { session: { title: string }; documents: { title: string }[] };
    return [detail.session.title, detail.documents[0]?.title];
  }

  it("names session and document after the first successful turn, ledgered", async () => {
    const { session } = await newSession(t);
    fakes.gemini.script(
      { type: "reply", text: PAGE },
      { type: "reply", text: '**"Lakeside Offsite Plan."**\n' },
    );
    const create = await chat(t, session.id, {
      message: "Make a page for our team offsite at Lakeside Lodge",
    });
    assert.deepEqual(eventNames(create.events).slice(-2), ["cost", "done"]);
    assert.deepEqual(await titles(session.id), ["Lakeside Offsite Plan", "Lakeside Offsite Plan"]);
    const titleCall = fakes.gemini.requests[1];
    assert.match(titleCall?.path ?? "", /gemini-2\.5-flash-lite:generateContent/);
    const rows = ledgerRows(t.deps.db);
    assert.deepEqual(
      rows.map((row) => row.model),
      ["gemini-2.5-pro", "gemini-2.5-flash-lite"],
    );
    const cost = eventsOf(create.events, "cost")[0] as { costNanoUsd: number };
    assert.equal(
      cost.costNanoUsd,
      rows.reduce((sum, row) => sum + row.cost, 0),
      "the turn's cost includes it",
    );

    // A later turn does not rename; nor does a first version after the user named things.
    fakes.anthropic.script({ type: "reply", text: "Nothing to change." });
    await chat(t, session.id, { message: "Looks good" });
    assert.equal(fakes.gemini.requests.length, 2, "one title call, only after the first version");
  });

  it("keeps a user's title, and any failure leaves titles as they were, silently", async () => {
    const named = await newSession(t, "Board pack");
    fakes.gemini.script({ type: "reply", text: PAGE }, { type: "reply", text: "Harbour Brief" });
    await chat(t, named.session.id, { message: "Make a brief" });
    assert.deepEqual(
      await titles(named.session.id),
      ["Board pack", "Harbour Brief"],
      "the user's session title stays",
    );

    const plain = await newSession(t);
    fakes.reset();
    fakes.gemini.script({ type: "reply", text: PAGE }, { type: "status", status: 503 });
    const turn = await chat(t, plain.session.id, { message: "Make a brief" });
    assert.ok(!eventNames(turn.events).includes("error"), "the turn itself succeeded");
    assert.deepEqual(await titles(plain.session.id), ["Untitled session", "Untitled document"]);
  });
});
