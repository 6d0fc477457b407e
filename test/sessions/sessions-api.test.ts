import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { addMessage } from "../../src/db/repo/messages.js";
import { appendVersion } from "../../src/db/repo/versions.js";
import { withPreviewBridge } from "../../src/server/preview-bridge.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { asUser, errorCode, json, type ErrorBody } from "./client.js";

interface SessionDetail {
  session: { id: string; title: string; createdAt: string; lastActive: string };
  documents: {
    id: string;
    title: string;
    isActive: boolean;
    createdAt: string;
    latestVersion: number | null;
  }[];
  activeDocumentId: string | null;
}
interface SessionList {
  sessions: { id: string; title: string; documentCount: number }[];
  total: number;
  limit: number;
  offset: number;
}
interface VersionBody {
  version: {
    version: number;
    prompt: string | null;
    summary: string | null;
    model: string | null;
    html: string;
  };
}
type DocumentBody = { document: SessionDetail["documents"][number] };

const PAGE = (title: string) =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body>${title}</body></html>`;

describe("identity", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp({ ADMIN_USERS: "admin" });
  });
  after(() => t.close());

  it("treats a spoofed X-Forwarded-User from an untrusted peer as anonymous", async () => {
    const response = await t.app.request(
      "/api/me",
      { headers: { "X-Forwarded-User": "admin" } },
      fromPeer("203.0.113.9"),
    );
    assert.deepEqual(await response.json(), { user: "anonymous", isAdmin: false });
  });

  it("believes the trusted proxy and marks ADMIN_USERS as admins", async () => {
    assert.deepEqual(await (await asUser(t, "admin")("GET", "/api/me")).json(), {
      user: "admin",
      isAdmin: true,
    });
    assert.deepEqual(await (await asUser(t, "alice")("GET", "/api/me")).json(), {
      user: "alice",
      isAdmin: false,
    });
  });

  it("keeps a spoofed admin from reaching an admin's sessions", async () => {
    const created = await json<SessionDetail>(await asUser(t, "admin")("POST", "/api/sessions"));
    const spoofed = await t.app.request(
      `/api/sessions/${created.session.id}`,
      { headers: { "X-Forwarded-User": "admin" } },
      fromPeer("203.0.113.9"),
    );
    assert.equal(spoofed.status, 404);
  });
});

describe("sessions API", () => {
  let t: TestApp;
  const alice = () => asUser(t, "alice");
  const bob = () => asUser(t, "bob");
  // A fresh app and database per test: a failing test leaves nothing behind for the next one (no 409 cascade).
  beforeEach(() => {
    t = createTestApp({ MAX_SESSIONS_PER_USER: "3" });
  });
  afterEach(() => t.close());

  async function createSession(user: ReturnType<typeof asUser>, title?: string): Promise<SessionDetail> {
    const response = await user("POST", "/api/sessions", title === undefined ? undefined : { title });
    assert.equal(response.status, 201);
    return json<SessionDetail>(response);
  }

  it("creates a session with one empty active document, trimming the title", async () => {
    const detail = await createSession(alice(), "  Quarterly report  ");
    assert.equal(detail.session.title, "Quarterly report");
    assert.match(detail.session.id, /^[0-9a-f-]{36}$/);
    assert.equal(detail.documents.length, 1);
    assert.equal(detail.documents[0]?.isActive, true);
    assert.equal(detail.documents[0]?.latestVersion, null);
    assert.equal(detail.activeDocumentId, detail.documents[0]?.id);
    const fetched = await json<SessionDetail>(await alice()("GET", `/api/sessions/${detail.session.id}`));
    assert.deepEqual(fetched.documents, detail.documents);
  });

  it("refuses a session past MAX_SESSIONS_PER_USER with 409 and deletes nothing", async () => {
    const made = [await createSession(alice(), "one"), await createSession(alice(), "two")];
    made.push(await createSession(alice(), "three"));
    const refused = await alice()("POST", "/api/sessions", { title: "four" });
    assert.equal(refused.status, 409);
    assert.equal(await errorCode(refused), "too_many_sessions");
    const list = await json<SessionList>(await alice()("GET", "/api/sessions"));
    assert.equal(list.total, 3);
    assert.deepEqual(list.sessions.map((session) => session.title).sort(), ["one", "three", "two"]);
    assert.equal((await createSession(bob(), "bob's own")).session.title, "bob's own", "limits are per user");
    assert.equal((await alice()("DELETE", `/api/sessions/${made[0]?.session.id}`)).status, 204);
    assert.equal((await createSession(alice(), "four")).session.title, "four");
  });

  it("pages the caller's own sessions and validates limit and offset", async () => {
    const paged = createTestApp({ MAX_SESSIONS_PER_USER: "10" });
    try {
      const carol = asUser(paged, "carol");
      for (let index = 0; index < 5; index += 1) {
        assert.equal((await carol("POST", "/api/sessions", { title: `s${index}` })).status, 201);
      }
      assert.equal((await asUser(paged, "dave")("POST", "/api/sessions")).status, 201);
      const first = await json<SessionList>(await carol("GET", "/api/sessions?limit=2&offset=0"));
      const second = await json<SessionList>(await carol("GET", "/api/sessions?limit=2&offset=2"));
      const third = await json<SessionList>(await carol("GET", "/api/sessions?limit=2&offset=4"));
      assert.equal(first.total, 5);
      assert.deepEqual([first.limit, first.offset, third.offset], [2, 0, 4]);
      assert.deepEqual([first.sessions.length, second.sessions.length, third.sessions.length], [2, 2, 1]);
      const ids = [...first.sessions, ...second.sessions, ...third.sessions].map((session) => session.id);
      assert.equal(new Set(ids).size, 5, "pages do not overlap");
      assert.ok(first.sessions.every((session) => session.documentCount === 1));
      const defaults = await json<SessionList>(await carol("GET", "/api/sessions"));
      assert.deepEqual([defaults.limit, defaults.offset, defaults.sessions.length], [20, 0, 5]);
      for (const query of ["limit=0", "limit=101", "limit=abc", "offset=-1", "offset=1.5"]) {
        const response = await carol("GET", `/api/sessions?${query}`);
        assert.equal(response.status, 400, query);
        const body = await json<ErrorBody>(response);
        assert.equal(body.error.code, "invalid_request");
        assert.ok(
          body.error.details?.some((detail) => /limit|offset/.test(detail)),
          query,
        );
      }
    } finally {
      paged.close();
    }
  });

  it("renames a session and validates the body", async () => {
    const { session } = await createSession(alice());
    assert.equal(session.title, "Untitled session");
    const renamed = await alice()("PATCH", `/api/sessions/${session.id}`, { title: " Plans " });
    assert.equal(renamed.status, 200);
    assert.equal((await json<{ session: { title: string } }>(renamed)).session.title, "Plans");

    const malformed = await alice()("PATCH", `/api/sessions/${session.id}`, "{title: oops");
    assert.deepEqual([malformed.status, await errorCode(malformed)], [400, "invalid_json"]);
    for (const body of [
      {},
      { title: "   " },
      { title: "x".repeat(201) },
      { title: 7 },
      { title: "ok", extra: 1 },
    ]) {
      const response = await alice()("PATCH", `/api/sessions/${session.id}`, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = await json<ErrorBody>(response);
      assert.equal(error.error.code, "invalid_request");
      assert.ok((error.error.details?.length ?? 0) > 0);
    }
    assert.equal(
      (await alice()("PATCH", `/api/sessions/${session.id}`, { title: "x".repeat(200) })).status,
      200,
    );
  });

  it("refuses an oversized JSON body with 413 before parsing it", async () => {
    const { session } = await createSession(alice());
    const huge = JSON.stringify({ title: "x".repeat(300 * 1024) });
    for (const [method, path] of [
      ["POST", "/api/sessions"],
      ["PATCH", `/api/sessions/${session.id}`],
      ["POST", `/api/chat/${session.id}`],
    ] as const) {
      const response = await alice()(method, path, huge);
      assert.deepEqual([response.status, await errorCode(response)], [413, "body_too_large"], path);
    }
    const list = await json<SessionList>(await alice()("GET", "/api/sessions"));
    assert.deepEqual(
      list.sessions.map((item) => item.title),
      ["Untitled session"],
    );
  });

  it("deletes a session with its documents, versions and messages", async () => {
    const { session, activeDocumentId } = await createSession(alice());
    appendVersion(t.deps.db, {
      documentId: activeDocumentId ?? "",
      html: PAGE("a"),
      prompt: "p",
      summary: null,
      model: "m",
    });
    addMessage(t.deps.db, {
      sessionId: session.id,
      documentId: activeDocumentId,
      role: "user",
      content: "hi",
    });
    assert.equal((await alice()("DELETE", `/api/sessions/${session.id}`)).status, 204);
    assert.equal((await alice()("GET", `/api/sessions/${session.id}`)).status, 404);
    const leftovers = t.deps.db
      .prepare(
        `SELECT (SELECT count(*) FROM documents WHERE session_id = ?) + (SELECT count(*) FROM chat_messages WHERE session_id = ?)
              + (SELECT count(*) FROM document_versions WHERE document_id = ?)`,
      )
      .pluck()
      .get(session.id, session.id, activeDocumentId);
    assert.equal(leftovers, 0);
  });

  it("lists the session's messages in order", async () => {
    const { session, activeDocumentId } = await createSession(alice());
    addMessage(t.deps.db, {
      sessionId: session.id,
      documentId: activeDocumentId,
      role: "user",
      content: "make a page",
    });
    addMessage(t.deps.db, {
      sessionId: session.id,
      documentId: activeDocumentId,
      role: "assistant",
      content: "done",
    });
    const body = await json<{ messages: { role: string; content: string; documentId: string }[] }>(
      await alice()("GET", `/api/sessions/${session.id}/messages`),
    );
    assert.deepEqual(
      body.messages.map((message) => [message.role, message.content, message.documentId]),
      [
        ["user", "make a page", activeDocumentId],
        ["assistant", "done", activeDocumentId],
      ],
    );
  });

  it("creates, switches, renames and deletes documents, never the last one", async () => {
    const { session, activeDocumentId: first } = await createSession(alice());
    const base = `/api/sessions/${session.id}/documents`;
    const created = await alice()("POST", base, { title: "Second" });
    assert.equal(created.status, 201);
    const second = (await json<DocumentBody>(created)).document;
    assert.equal(second.isActive, true);
    let detail = await json<SessionDetail>(await alice()("GET", `/api/sessions/${session.id}`));
    assert.equal(detail.activeDocumentId, second.id);

    const switched = await json<DocumentBody>(
      await alice()("PATCH", `${base}/${first}`, { active: true, title: "First" }),
    );
    assert.deepEqual([switched.document.isActive, switched.document.title], [true, "First"]);
    detail = await json<SessionDetail>(await alice()("GET", `/api/sessions/${session.id}`));
    assert.equal(detail.activeDocumentId, first);
    assert.deepEqual(
      detail.documents.map((document) => [document.title, document.isActive]),
      [
        ["First", true],
        ["Second", false],
      ],
    );

    for (const body of [{}, { active: false }, { title: "" }, { title: "ok", color: "red" }]) {
      const response = await alice()("PATCH", `${base}/${first}`, body);
      assert.deepEqual(
        [response.status, await errorCode(response)],
        [400, "invalid_request"],
        JSON.stringify(body),
      );
    }
    const malformed = await alice()("POST", base, "not json");
    assert.deepEqual([malformed.status, await errorCode(malformed)], [400, "invalid_json"]);

    assert.equal((await alice()("DELETE", `${base}/${first}`)).status, 204);
    detail = await json<SessionDetail>(await alice()("GET", `/api/sessions/${session.id}`));
    assert.equal(detail.activeDocumentId, second.id, "the remaining document becomes active");
    const last = await alice()("DELETE", `${base}/${second.id}`);
    assert.deepEqual([last.status, await errorCode(last)], [409, "last_document"]);
    detail = await json<SessionDetail>(await alice()("GET", `/api/sessions/${session.id}`));
    assert.equal(detail.documents.length, 1);
  });

  it("serves the document HTML and a sandboxed preview, latest or by version", async () => {
    const { session, activeDocumentId } = await createSession(alice());
    const base = `/api/sessions/${session.id}/documents/${activeDocumentId}`;
    const empty = await alice()("GET", `${base}/html`);
    assert.deepEqual([empty.status, await errorCode(empty)], [404, "no_content"]);
    const emptyPreview = await alice()("GET", `${base}/preview`);
    assert.deepEqual([emptyPreview.status, await errorCode(emptyPreview)], [404, "no_content"]);

    const documentId = activeDocumentId ?? "";
    appendVersion(t.deps.db, {
      documentId,
      html: PAGE("v1"),
      prompt: "make",
      summary: "made",
      model: "gemini-2.5-pro",
    });
    appendVersion(t.deps.db, {
      documentId,
      html: PAGE("v2"),
      prompt: "edit",
      summary: "edited",
      model: "claude",
    });

    const latest = await alice()("GET", `${base}/html`);
    assert.equal(latest.status, 200);
    assert.match(latest.headers.get("content-type") ?? "", /^text\/html/);
    assert.equal(await latest.text(), PAGE("v2"));
    assert.match(latest.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.equal(await (await alice()("GET", `${base}/html?version=1`)).text(), PAGE("v1"));

    const preview = await alice()("GET", `${base}/preview?version=1`);
    const framed = await preview.text();
    assert.equal(framed, withPreviewBridge(PAGE("v1")), "the preview adds its scroll/highlight bridge");
    assert.match(
      framed,
      /^<!DOCTYPE html><html><head><title>v1<\/title><\/head><body>v1<script>.*<\/script><\/body><\/html>$/s,
    );
    assert.equal(
      preview.headers.get("content-security-policy"),
      "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:",
    );
    assert.equal(preview.headers.get("cache-control"), "no-store");

    const missing = await alice()("GET", `${base}/html?version=9`);
    assert.deepEqual([missing.status, await errorCode(missing)], [404, "not_found"]);
    for (const bad of ["0", "-1", "1.5", "abc"]) {
      const response = await alice()("GET", `${base}/preview?version=${bad}`);
      assert.deepEqual([response.status, await errorCode(response)], [400, "invalid_version"], bad);
    }
  });

  it("lists versions, gets one, and restores an old one as version N+1", async () => {
    const { session, activeDocumentId } = await createSession(alice());
    const documentId = activeDocumentId ?? "";
    const base = `/api/sessions/${session.id}/documents/${documentId}/versions`;
    assert.deepEqual(await json(await alice()("GET", base)), { versions: [] });
    appendVersion(t.deps.db, {
      documentId,
      html: PAGE("v1"),
      prompt: "make",
      summary: "made",
      model: "gemini-2.5-pro",
    });
    appendVersion(t.deps.db, {
      documentId,
      html: PAGE("v2"),
      prompt: "edit",
      summary: "edited",
      model: "claude",
    });

    const one = await json<VersionBody>(await alice()("GET", `${base}/1`));
    assert.deepEqual(
      [one.version.version, one.version.html, one.version.prompt, one.version.model],
      [1, PAGE("v1"), "make", "gemini-2.5-pro"],
    );
    const restored = await alice()("POST", `${base}/1/restore`);
    assert.equal(restored.status, 201);
    const meta = (await json<VersionBody>(restored)).version;
    assert.deepEqual(
      [meta.version, meta.prompt, meta.summary, meta.model],
      [3, "Restored version 1", null, null],
    );
    assert.equal((meta as { html?: string }).html, undefined, "restore answers metadata only");

    const list = await json<{ versions: { version: number; prompt: string }[] }>(await alice()("GET", base));
    assert.deepEqual(
      list.versions.map((version) => [version.version, version.prompt]),
      [
        [1, "make"],
        [2, "edit"],
        [3, "Restored version 1"],
      ],
    );
    const html = await alice()("GET", `/api/sessions/${session.id}/documents/${documentId}/html`);
    assert.equal(await html.text(), PAGE("v1"));
    const detail = await json<SessionDetail>(await alice()("GET", `/api/sessions/${session.id}`));
    assert.equal(detail.documents[0]?.latestVersion, 3);

    for (const [path, status, code] of [
      [`${base}/7`, 404, "not_found"],
      [`${base}/7/restore`, 404, "not_found"],
      [`${base}/0`, 400, "invalid_version"],
      [`${base}/x/restore`, 400, "invalid_version"],
    ] as const) {
      const response = await alice()(path.endsWith("restore") ? "POST" : "GET", path);
      assert.deepEqual([response.status, await errorCode(response)], [status, code], path);
    }
  });

  it("saves a hand edit as a new version validated like an AI edit, against the version it was based on", async () => {
    const { session, activeDocumentId } = await createSession(alice());
    const documentId = activeDocumentId ?? "";
    const base = `/api/sessions/${session.id}/documents/${documentId}/versions`;
    const page = (body: string) =>
      `<!DOCTYPE html><html><head><title>t</title><style>p{}</style></head><body>${body}</body></html>`;
    const noContent = await alice()("POST", base, { html: page("x"), baseVersion: 1 });
    assert.deepEqual([noContent.status, await errorCode(noContent)], [404, "not_found"]);
    appendVersion(t.deps.db, {
      documentId,
      html: page("<p>Original text</p>"),
      prompt: "make",
      summary: null,
      model: "m",
    });

    const saved = await alice()("POST", base, { html: page("<p>Edited text</p>"), baseVersion: 1 });
    assert.equal(saved.status, 201);
    const meta = (await json<VersionBody>(saved)).version;
    assert.deepEqual([meta.version, meta.prompt, meta.model], [2, "Edited by hand", null]);
    const html = await alice()("GET", `/api/sessions/${session.id}/documents/${documentId}/html`);
    assert.equal(await html.text(), page("<p>Edited text</p>"));

    const stale = await alice()("POST", base, { html: page("<p>Other</p>"), baseVersion: 1 });
    assert.deepEqual([stale.status, await errorCode(stale)], [409, "conflict"]);
    const broken = await alice()("POST", base, {
      html: page("<p>Edited text</p>").replace("<style>p{}</style>", ""),
      baseVersion: 2,
    });
    const body = await json<ErrorBody>(broken);
    assert.deepEqual([broken.status, body.error.code], [422, "invalid_edit"]);
    assert.match(body.error.message, /the number of <style> tags would change from 1 to 0/);
    const extra = await alice()("POST", base, { html: page("y"), baseVersion: 2, model: "x" });
    assert.deepEqual([extra.status, await errorCode(extra)], [400, "invalid_request"]);

    const large = page(`<img src="data:image/png;base64,${"A".repeat(400_000)}">`);
    const big = await alice()("POST", base, { html: large, baseVersion: 2 });
    assert.equal(
      big.status,
      201,
      "a document with embedded images is over the 256 KiB JSON limit and still saves",
    );
    const other = await alice()("POST", `/api/sessions/${session.id}`, "x".repeat(300_000));
    assert.equal(other.status, 413, "other sessions routes keep the JSON limit");
    const list = await json<{ versions: { version: number }[] }>(await alice()("GET", base));
    assert.equal(list.versions.length, 3);
  });
});

describe("ownership and ids on every route", () => {
  let t: TestApp;
  let routes: [string, string][];
  before(async () => {
    t = createTestApp();
    const bob = asUser(t, "bob");
    const detail = await json<SessionDetail>(await bob("POST", "/api/sessions"));
    const sessionId = detail.session.id;
    const documentId = detail.activeDocumentId ?? "";
    appendVersion(t.deps.db, { documentId, html: PAGE("bob"), prompt: "p", summary: null, model: "m" });
    addMessage(t.deps.db, { sessionId, documentId, role: "user", content: "bob's secret" });
    const doc = `/api/sessions/${sessionId}/documents/${documentId}`;
    routes = [
      ["GET", `/api/sessions/${sessionId}`],
      ["PATCH", `/api/sessions/${sessionId}`],
      ["DELETE", `/api/sessions/${sessionId}`],
      ["GET", `/api/sessions/${sessionId}/messages`],
      ["POST", `/api/sessions/${sessionId}/documents`],
      ["PATCH", doc],
      ["DELETE", doc],
      ["GET", `${doc}/html`],
      ["GET", `${doc}/preview`],
      ["GET", `${doc}/versions`],
      ["GET", `${doc}/versions/1`],
      ["POST", `${doc}/versions/1/restore`],
      ["POST", `${doc}/versions`],
      ["POST", `/api/chat/${sessionId}`],
    ];
  });
  after(() => t.close());

  const bodyFor = (method: string, path: string) => {
    if (path.startsWith("/api/chat/")) return { message: "give me bob's page" };
    return method === "PATCH" || method === "POST" ? { title: "mine now" } : undefined;
  };

  it("answers 404 not_found to another user on each route, and changes nothing", async () => {
    const alice = asUser(t, "alice");
    for (const [method, path] of routes) {
      const response = await alice(method, path, bodyFor(method, path));
      const text = await response.text();
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal((JSON.parse(text) as ErrorBody).error.code, "not_found", `${method} ${path}`);
      assert.ok(!text.includes("bob"), "nothing of bob's leaks");
    }
    const bob = asUser(t, "bob");
    const detail = await json<SessionDetail>(await bob("GET", routes[0]?.[1] ?? ""));
    assert.equal(detail.session.title, "Untitled session");
    assert.equal(detail.documents.length, 1);
    assert.equal(detail.documents[0]?.latestVersion, 1);
    const messages = await json<{ messages: unknown[] }>(await bob("GET", `${routes[0]?.[1]}/messages`));
    assert.equal(messages.messages.length, 1, "alice's chat attempt stored nothing");
  });

  it("answers the same 404 for an id that does not exist", async () => {
    const alice = asUser(t, "alice");
    const unknown = randomUUID();
    const response = await alice("GET", `/api/sessions/${unknown}`);
    assert.deepEqual([response.status, await errorCode(response)], [404, "not_found"]);
    const otherDoc = await alice("GET", `${routes[0]?.[1]}/documents/${unknown}/html`);
    assert.equal(otherDoc.status, 404);
  });

  it("answers 400 invalid_id for a malformed session or document id on each route", async () => {
    const bob = asUser(t, "bob");
    for (const [method, path] of routes) {
      const badSession = path.replace(/^\/api\/(sessions|chat)\/[^/]+/, "/api/$1/not-a-uuid");
      const response = await bob(method, badSession, bodyFor(method, path));
      assert.deepEqual(
        [response.status, await errorCode(response)],
        [400, "invalid_id"],
        `${method} ${badSession}`,
      );
      if (!path.includes("/documents/")) continue;
      const badDocument = path.replace(/\/documents\/[^/]+/, "/documents/1234");
      const docResponse = await bob(method, badDocument, bodyFor(method, path));
      assert.deepEqual(
        [docResponse.status, await errorCode(docResponse)],
        [400, "invalid_id"],
        `${method} ${badDocument}`,
      );
    }
  });

  it("gives an anonymous caller none of bob's sessions", async () => {
    const list = await json<SessionList>(await t.app.request("/api/sessions", {}, fromPeer("198.51.100.4")));
    assert.equal(list.total, 0);
  });
});
