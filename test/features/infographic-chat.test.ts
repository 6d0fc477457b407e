import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { createSession } from "../../src/db/repo/sessions.js";
import { appendVersion, listVersions } from "../../src/db/repo/versions.js";
import { startProviderFakes, TINY_PNG_BASE64, type ProviderFakes } from "../fakes/index.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import {
  chatInit,
  eventsOf,
  expectedGeminiRow,
  FAST_RETRY,
  ledgerRows,
  PAGE,
  parseSse,
  withoutStatus,
} from "../chat/helpers.js";

const BRIEF = JSON.stringify({
  title: "Offsite",
  layout: "poster",
  sections: [{ heading: "Day one" }],
  altText: "Offsite poster",
  caption: "The offsite.",
});

describe("infographic turns over the chat API (provider fakes)", () => {
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
  afterEach(() => fakes.reset());

  function seed() {
    const { session, documentId } = createSession(t.deps.db, { owner: "anonymous", maxPerOwner: 1000 });
    appendVersion(t.deps.db, { documentId, html: PAGE, prompt: null, summary: null, model: null });
    return { sessionId: session.id, documentId };
  }

  async function turn(sessionId: string, message: string) {
    const response = await t.app.request(
      `/api/chat/${sessionId}`,
      chatInit({ message, mode: "infographic" }),
    );
    return parseSse(await response.text()).events;
  }

  it("saves one version and ledgers both calls to the nano-dollar", async () => {
    const { sessionId, documentId } = seed();
    fakes.gemini.script(
      { type: "reply", text: BRIEF },
      { type: "reply", image: { mimeType: "image/png", data: TINY_PNG_BASE64 } },
    );
    const events = await turn(sessionId, "attendance per day");
    assert.deepEqual(
      eventsOf(events, "status").map((status) => status.stage),
      ["routing", "routing", "briefing", "imaging", "saving"],
    );
    assert.equal(listVersions(t.deps.db, documentId).length, 2);
    const rows = ledgerRows(t.deps.db).filter((row) => row.sessionId === sessionId);
    assert.deepEqual(withoutStatus(rows, "google"), fakes.gemini.reported.map(expectedGeminiRow));
    assert.deepEqual(
      rows.map((row) => row.model),
      ["gemini-2.5-pro", "gemini-3-pro-image-preview"],
    );
  });

  it("an unusable brief stops before the image call and changes nothing", async () => {
    const { sessionId, documentId } = seed();
    fakes.gemini.script({ type: "reply", text: '{"title": "no layout"}' });
    const events = await turn(sessionId, "attendance per day");
    const error = eventsOf(events, "error")[0] as { code: string; message: string };
    assert.equal(error.code, "invalid_brief");
    assert.match(error.message, /The document is unchanged\.$/);
    assert.equal(fakes.gemini.requests.length, 1, "no image was asked for");
    assert.equal(listVersions(t.deps.db, documentId).length, 1);
    assert.equal(ledgerRows(t.deps.db).filter((row) => row.sessionId === sessionId).length, 1);
  });

  it("an answer without an image changes nothing", async () => {
    const { sessionId, documentId } = seed();
    fakes.gemini.script({ type: "reply", text: BRIEF }, { type: "reply", text: "I cannot draw that." });
    const events = await turn(sessionId, "attendance per day");
    assert.equal((eventsOf(events, "error")[0] as { code: string }).code, "no_image");
    assert.equal(listVersions(t.deps.db, documentId).length, 1);
    assert.equal(ledgerRows(t.deps.db).filter((row) => row.sessionId === sessionId).length, 2);
  });
});
