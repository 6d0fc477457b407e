import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { startServer, type RunningServer } from "../../src/server/listen.js";
import { decodeForwardedUser } from "../../src/server/user-name.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { freePort } from "../helpers/net.js";

/** A header value as Node hands it over when a proxy sends these UTF-8 bytes: one latin1 character per byte. */
const asProxySendsIt = (name: string) => Buffer.from(name, "utf8").toString("latin1");

describe("X-Forwarded-User decoding", () => {
  it("decodes the proxy's UTF-8 bytes and normalises to NFC", () => {
    assert.deepEqual(decodeForwardedUser(asProxySendsIt("josé")), { ok: true, user: "josé" });
    assert.deepEqual(decodeForwardedUser(asProxySendsIt("müller")), { ok: true, user: "müller" });
    assert.deepEqual(decodeForwardedUser(asProxySendsIt("zoe\u0308")), { ok: true, user: "zoë" });
    assert.deepEqual(decodeForwardedUser(asProxySendsIt("日本")), { ok: true, user: "日本" });
    assert.deepEqual(decodeForwardedUser("alice"), { ok: true, user: "alice" });
  });

  it("refuses invalid UTF-8, control and bidi characters, and names outside the pattern", () => {
    for (const raw of [
      Buffer.from([0x6a, 0xe9]).toString("latin1"),
      Buffer.from([0xc3, 0x28]).toString("latin1"),
      asProxySendsIt("ali\u0000ce"),
      asProxySendsIt("ali\u202Ece"),
      asProxySendsIt("a b"),
      asProxySendsIt("x".repeat(129)),
    ]) {
      assert.equal(decodeForwardedUser(raw).ok, false, JSON.stringify(raw));
    }
  });
});

describe("identity over the app", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp();
  });
  after(() => t.close());

  const me = (user: string) =>
    t.app.request("/api/me", { headers: { "X-Forwarded-User": user } }, fromPeer("127.0.0.1"));

  it("answers 400 invalid_user for an unreadable name from a trusted proxy, never anonymous", async () => {
    const response = await me(Buffer.from([0x6a, 0x6f, 0x73, 0xe9]).toString("latin1"));
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "invalid_user");
    assert.match(body.error.message, /UTF-8/);
    const line = JSON.parse(t.logLines.at(-1) ?? "{}") as { status: number };
    assert.equal(line.status, 400, "the refused request is still logged");
  });

  it("answers health before identity: a proxy's unreadable name fails the user's routes, never the probe", async () => {
    const unreadable = { headers: { "X-Forwarded-User": "\u00ff\u00fe" } };
    const health = await t.app.request("/api/health", unreadable, fromPeer("127.0.0.1"));
    assert.equal(health.status, 200);
    assert.equal(health.headers.get("x-content-type-options"), "nosniff");
    const costs = await t.app.request("/api/costs?days=30", unreadable, fromPeer("127.0.0.1"));
    assert.equal(costs.status, 400);
  });

  it("keeps ignoring the header from an untrusted peer", async () => {
    const response = await t.app.request(
      "/api/me",
      { headers: { "X-Forwarded-User": "\u00ff\u00fe" } },
      fromPeer("203.0.113.9"),
    );
    assert.deepEqual(await response.json(), { user: "anonymous", isAdmin: false });
  });
});

describe("identity over a real socket", () => {
  let t: TestApp;
  let server: RunningServer;
  before(async () => {
    t = createTestApp({ PORT: String(await freePort()) });
    server = await startServer(t.deps, "127.0.0.1");
  });
  after(async () => {
    await server.close();
    t.close();
  });

  /** node:http writes a string header as latin1, so this sends exactly the UTF-8 bytes a proxy forwards. */
  function getMe(user: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: server.port, path: "/api/me", headers: { "X-Forwarded-User": user } },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("X-Forwarded-User: josé from a trusted proxy is josé in GET /api/me", async () => {
    for (const name of ["josé", "zoë", "müller"]) {
      const { status, body } = await getMe(asProxySendsIt(name));
      assert.equal(status, 200);
      assert.deepEqual(body, { user: name, isAdmin: false });
    }
  });
});
