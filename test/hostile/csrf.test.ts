import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";

const ALICE = { "X-Forwarded-User": "alice" };

describe("cross-site request forgery", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp({ CORS_ORIGINS: '["https://html.example.com"]' });
  });
  after(() => t.close());

  const post = (path: string, headers: Record<string, string>, body?: BodyInit) =>
    t.app.request(
      `http://localhost${path}`,
      { method: "POST", headers: { ...ALICE, ...headers }, body },
      fromPeer("127.0.0.1"),
    );
  const sessionCount = () =>
    (t.deps.db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;

  it("refuses a cross-site text/plain form POST to /api/sessions and creates nothing", async () => {
    const before = sessionCount();
    const response = await post(
      "/api/sessions",
      { "Content-Type": "text/plain", Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      '{"title":"forged"}',
    );
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, "cross_site_request");
    assert.equal(sessionCount(), before);
  });

  it("refuses Sec-Fetch-Site: cross-site and a foreign or null Origin with 403, even with a JSON body", async () => {
    const json = { "Content-Type": "application/json" };
    for (const headers of [
      { ...json, "Sec-Fetch-Site": "cross-site" },
      { ...json, Origin: "https://evil.example" },
      { ...json, Origin: "null" },
    ]) {
      assert.equal((await post("/api/sessions", headers, "{}")).status, 403, JSON.stringify(headers));
    }
  });

  it("refuses a same-origin form body type (text/plain, urlencoded, multipart) on JSON routes with 415", async () => {
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const response = await post(
        "/api/sessions",
        { "Content-Type": type, "Sec-Fetch-Site": "same-origin" },
        "{}",
      );
      assert.equal(response.status, 415, type);
      assert.equal(
        ((await response.json()) as { error: { code: string } }).error.code,
        "unsupported_media_type",
      );
    }
  });

  it("accepts JSON from the page's own origin, from CORS_ORIGINS and from clients that send no Origin", async () => {
    const callers: Record<string, string>[] = [
      { "Sec-Fetch-Site": "same-origin", Origin: "http://localhost" },
      { "Sec-Fetch-Site": "same-site", Origin: "https://html.example.com" },
      {},
    ];
    for (const headers of callers) {
      const response = await post("/api/sessions", { "Content-Type": "application/json", ...headers }, "{}");
      assert.equal(response.status, 201, JSON.stringify(headers));
      const { session } = (await response.json()) as { session: { id: string } };
      await t.app.request(
        `/api/sessions/${session.id}`,
        { method: "DELETE", headers: ALICE },
        fromPeer("127.0.0.1"),
      );
    }
  });

  it("lets uploads through only as multipart/form-data, and not cross-site", async () => {
    const form = new FormData();
    form.append("file", new Blob(["hello"]), "a.txt");
    assert.equal((await post("/api/upload", {}, form)).status, 200);
    assert.equal((await post("/api/upload", { "Sec-Fetch-Site": "cross-site" }, form)).status, 403);
    assert.equal((await post("/api/upload", { "Content-Type": "text/plain" }, "hello")).status, 415);
  });

  it("leaves safe methods alone (GET from anywhere is answered, CORS decides who may read it)", async () => {
    const response = await t.app.request(
      "/api/me",
      { headers: { ...ALICE, "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" } },
      fromPeer("127.0.0.1"),
    );
    assert.equal(response.status, 200);
  });
});
