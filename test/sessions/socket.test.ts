import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startServer, type RunningServer } from "../../src/server/listen.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { freePort } from "../helpers/net.js";

interface Running {
  t: TestApp;
  server: RunningServer;
  url: (path: string) => string;
}

async function listen(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const t = createTestApp({ PORT: String(port), ...env });
  const server = await startServer(t.deps, "127.0.0.1");
  return { t, server, url: (path) => `http://127.0.0.1:${server.port}${path}` };
}

async function stop(running: Running): Promise<void> {
  await running.server.close();
  running.t.close();
}

describe("sessions API through a real socket", () => {
  let proxied: Running;
  let direct: Running;
  before(async () => {
    proxied = await listen({ RATE_LIMIT_REQUESTS: "2" });
    direct = await listen({ TRUSTED_PROXIES: "10.0.0.0/8" });
  });
  after(async () => {
    await stop(proxied);
    await stop(direct);
  });

  it("creates, renames and lists a session for the proxied user and hides it from another", async () => {
    const as = (user: string) => ({ "X-Forwarded-User": user, "Content-Type": "application/json" });
    const created = await fetch(proxied.url("/api/sessions"), {
      method: "POST",
      headers: as("alice"),
      body: JSON.stringify({ title: "Over the wire" }),
    });
    assert.equal(created.status, 201);
    const { session } = (await created.json()) as { session: { id: string } };
    const renamed = await fetch(proxied.url(`/api/sessions/${session.id}`), {
      method: "PATCH",
      headers: as("alice"),
      body: JSON.stringify({ title: "Renamed" }),
    });
    assert.equal(((await renamed.json()) as { session: { title: string } }).session.title, "Renamed");
    const list = (await (await fetch(proxied.url("/api/sessions"), { headers: as("alice") })).json()) as {
      sessions: { id: string; title: string }[];
    };
    assert.deepEqual(
      list.sessions.map((item) => [item.id, item.title]),
      [[session.id, "Renamed"]],
    );
    const other = await fetch(proxied.url(`/api/sessions/${session.id}`), { headers: as("bob") });
    assert.equal(other.status, 404);
  });

  it("refuses an oversized body by Content-Length and a chunked one while it streams", async () => {
    const headers = { "X-Forwarded-User": "dave", "Content-Type": "application/json" };
    const big = JSON.stringify({ title: "x".repeat(300 * 1024) });
    const declared = await fetch(proxied.url("/api/sessions"), { method: "POST", headers, body: big });
    assert.equal(declared.status, 413);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 40; index += 1) controller.enqueue(new Uint8Array(16 * 1024).fill(32));
        controller.close();
      },
    });
    const chunked = await fetch(proxied.url("/api/sessions"), {
      method: "POST",
      headers,
      body: chunks,
      duplex: "half",
    } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.equal(((await chunked.json()) as { error: { code: string } }).error.code, "body_too_large");
  });

  it("limits chat over the socket with 429 and Retry-After", async () => {
    const chat = () =>
      fetch(proxied.url(`/api/chat/${randomUUID()}`), {
        method: "POST",
        headers: { "X-Forwarded-User": "carol", "Content-Type": "application/json" },
        body: JSON.stringify({ message: "hi" }),
      });
    const seen: Response[] = [];
    for (let index = 0; index < 3; index += 1) seen.push(await chat());
    assert.ok(seen.slice(0, 2).every((response) => response.status !== 429));
    assert.equal(seen[2]?.status, 429);
    assert.ok(Number(seen[2]?.headers.get("retry-after")) > 0);
    assert.equal(seen[0]?.headers.get("ratelimit-limit"), "2");
    const health = await fetch(proxied.url("/api/health"), { headers: { "X-Forwarded-User": "carol" } });
    assert.equal(health.status, 200);
    assert.equal(health.headers.get("ratelimit-limit"), null);
  });

  it("takes the peer address from the socket: an untrusted peer claiming to be admin is anonymous", async () => {
    const me = await fetch(direct.url("/api/me"), { headers: { "X-Forwarded-User": "admin" } });
    assert.deepEqual(await me.json(), { user: "anonymous", isAdmin: false });
  });
});
