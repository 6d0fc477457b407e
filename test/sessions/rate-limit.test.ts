import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BoundedMemoryStore, rateLimitKey } from "../../src/server/middleware/rate-limit.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { tempDir } from "../helpers/env.js";
import { errorCode, PROXY } from "./client.js";

const LIMIT = 3;
const CHAT = `/api/chat/${randomUUID()}`;
const EXPORT = `/api/sessions/${randomUUID()}/documents/${randomUUID()}/export/pdf`;
const THUMBNAIL = `/api/sessions/${randomUUID()}/documents/${randomUUID()}/thumbnail.png`;

function limitedApp(store?: BoundedMemoryStore): TestApp {
  return createTestApp(
    { RATE_LIMIT_REQUESTS: String(LIMIT), RATE_LIMIT_WINDOW: "60" },
    store ? { rateLimitStore: store } : {},
  );
}

function post(t: TestApp, path: string, headers: Record<string, string> = {}, peer = PROXY) {
  return t.app.request(
    path,
    { method: "POST", headers, body: JSON.stringify({ message: "hi" }) },
    fromPeer(peer),
  );
}

type Send = () => Response | Promise<Response>;

async function statuses(requests: Send[]): Promise<number[]> {
  const result: number[] = [];
  for (const request of requests) result.push((await request()).status);
  return result;
}

const times = (count: number, request: Send) => Array.from({ length: count }, () => request);

describe("rate limiting", () => {
  it("answers the (RATE_LIMIT_REQUESTS+1)th chat request in a window with 429, Retry-After and a JSON error", async () => {
    const t = limitedApp();
    try {
      const alice = { "X-Forwarded-User": "alice" };
      const allowed = await statuses(times(LIMIT, () => post(t, CHAT, alice)));
      assert.ok(
        allowed.every((status) => status !== 429),
        `first ${LIMIT}: ${allowed.join(",")}`,
      );
      const limited = await post(t, CHAT, alice);
      assert.equal(limited.status, 429);
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.match(limited.headers.get("content-type") ?? "", /application\/json/);
      assert.equal(await errorCode(limited), "rate_limited");
      assert.equal(limited.headers.get("ratelimit-remaining"), "0");
    } finally {
      t.close();
    }
  });

  it("sends RateLimit-* headers on limited routes and none on health or other API routes", async () => {
    const t = limitedApp();
    try {
      const first = await post(t, CHAT, { "X-Forwarded-User": "alice" });
      assert.equal(first.headers.get("ratelimit-limit"), String(LIMIT));
      assert.equal(first.headers.get("ratelimit-remaining"), String(LIMIT - 1));
      assert.equal(first.headers.get("ratelimit-policy"), `${LIMIT};w=60`);
      assert.ok(Number(first.headers.get("ratelimit-reset")) > 0);
      const health = await t.app.request("/api/health", {}, fromPeer(PROXY));
      const sessions = await t.app.request("/api/sessions", {}, fromPeer(PROXY));
      for (const response of [health, sessions]) {
        assert.equal(response.headers.get("ratelimit-limit"), null);
        assert.equal(response.headers.get("ratelimit-remaining"), null);
      }
    } finally {
      t.close();
    }
  });

  it("shares one budget across chat, upload, export and thumbnails", async () => {
    const t = limitedApp();
    try {
      const bob = { "X-Forwarded-User": "bob" };
      const get = (path: string) => () => t.app.request(path, { headers: bob }, fromPeer(PROXY));
      const seen = await statuses([
        () => post(t, CHAT, bob),
        () => post(t, "/api/upload", bob),
        get(EXPORT),
        get(THUMBNAIL),
      ]);
      assert.ok(
        seen.slice(0, 3).every((status) => status !== 429),
        seen.join(","),
      );
      assert.equal(seen[3], 429);
      const remaining = (await t.app.request(EXPORT, { headers: bob }, fromPeer(PROXY))).headers;
      assert.equal(remaining.get("ratelimit-limit"), String(LIMIT));
    } finally {
      t.close();
    }
  });

  it("no route but health answers with a raw Response, which would drop the RateLimit-* headers set before it", () => {
    const routes = join("src", "server", "routes");
    const rawAnswers = readdirSync(routes)
      .filter(
        (file) => file !== "health.ts" && readFileSync(join(routes, file), "utf8").includes("new Response("),
      )
      .sort();
    assert.deepEqual(rawAnswers, [], "answer through c.body / c.json so middleware headers stay");
    assert.ok(
      readFileSync(join(routes, "health.ts"), "utf8").includes("new Response("),
      "the rule's one exception",
    );
  });

  it("never limits health, nor the sessions API", async () => {
    const t = limitedApp();
    try {
      const alice = { "X-Forwarded-User": "alice" };
      await statuses(times(LIMIT + 1, () => post(t, CHAT, alice)));
      const health = await statuses(
        times(LIMIT * 5, () => t.app.request("/api/health", { headers: alice }, fromPeer(PROXY))),
      );
      assert.ok(
        health.every((status) => status === 200),
        health.join(","),
      );
      const me = await statuses(
        times(LIMIT * 2, () => t.app.request("/api/me", { headers: alice }, fromPeer(PROXY))),
      );
      assert.ok(
        me.every((status) => status === 200),
        me.join(","),
      );
    } finally {
      t.close();
    }
  });

  it("never limits the static web page", async () => {
    const web = tempDir();
    mkdirSync(join(web.path, "assets"));
    writeFileSync(join(web.path, "index.html"), "<!DOCTYPE html><title>ahb</title>");
    writeFileSync(join(web.path, "assets", "app.js"), "console.log('ahb');");
    const t = createTestApp({ RATE_LIMIT_REQUESTS: String(LIMIT) }, { webRoot: web.path });
    try {
      const alice = { "X-Forwarded-User": "alice" };
      await statuses(times(LIMIT + 1, () => post(t, CHAT, alice)));
      for (const path of ["/", "/assets/app.js", "/sessions/anything"]) {
        const seen = await statuses(
          times(LIMIT * 2, () => t.app.request(path, { headers: alice }, fromPeer(PROXY))),
        );
        assert.ok(
          seen.every((status) => status === 200),
          `${path}: ${seen.join(",")}`,
        );
        const response = await t.app.request(path, { headers: alice }, fromPeer(PROXY));
        assert.equal(response.headers.get("ratelimit-limit"), null, path);
      }
    } finally {
      t.close();
      web.remove();
    }
  });

  it("gives two users behind one trusted proxy separate budgets", async () => {
    const t = limitedApp();
    try {
      const alice = await statuses(times(LIMIT + 1, () => post(t, CHAT, { "X-Forwarded-User": "alice" })));
      assert.equal(alice.at(-1), 429);
      const bob = await statuses(times(LIMIT, () => post(t, CHAT, { "X-Forwarded-User": "bob" })));
      assert.ok(
        bob.every((status) => status !== 429),
        `bob: ${bob.join(",")}`,
      );
      assert.equal((await post(t, CHAT, { "X-Forwarded-User": "bob" })).status, 429);
    } finally {
      t.close();
    }
  });

  it("gives two anonymous clients behind the proxy separate budgets by X-Forwarded-For", async () => {
    const t = limitedApp();
    try {
      const one = { "X-Forwarded-For": "198.51.100.1" };
      const two = { "X-Forwarded-For": "198.51.100.2, 127.0.0.1" };
      const first = await statuses(times(LIMIT + 1, () => post(t, CHAT, one)));
      assert.equal(first.at(-1), 429);
      const second = await statuses(times(LIMIT, () => post(t, CHAT, two)));
      assert.ok(
        second.every((status) => status !== 429),
        second.join(","),
      );
      assert.equal((await post(t, CHAT, two)).status, 429);
    } finally {
      t.close();
    }
  });

  it("does not let an untrusted peer escape its budget with spoofed headers", async () => {
    const t = limitedApp();
    try {
      const peer = "203.0.113.50";
      const results: number[] = [];
      for (let index = 0; index <= LIMIT; index += 1) {
        const spoofed = { "X-Forwarded-User": `user${index}`, "X-Forwarded-For": `192.0.2.${index}` };
        results.push((await post(t, CHAT, spoofed, peer)).status);
      }
      assert.equal(results.at(-1), 429, results.join(","));
    } finally {
      t.close();
    }
  });

  it("keeps the store under its cap when many distinct clients arrive in one window", async () => {
    const store = new BoundedMemoryStore({ maxKeys: 50 });
    const t = limitedApp(store);
    try {
      for (let index = 0; index < 300; index += 1) {
        const address = `10.1.${Math.floor(index / 250)}.${index % 250}`;
        const response = await post(t, CHAT, {}, address);
        assert.notEqual(response.status, 429);
        assert.ok(store.size <= 50);
      }
      assert.equal(store.size, 50);
      const last = `10.1.1.49`;
      await statuses(times(LIMIT - 1, () => post(t, CHAT, {}, last)));
      assert.equal((await post(t, CHAT, {}, last)).status, 429, "a recent client is still counted");
    } finally {
      t.close();
    }
  });
});

describe("BoundedMemoryStore", () => {
  function clockedStore(maxKeys: number) {
    let now = 1_000_000;
    const store = new BoundedMemoryStore({ maxKeys, now: () => now });
    store.init({ windowMs: 1000 });
    return { store, advance: (ms: number) => (now += ms) };
  }

  it("never holds more than maxKeys counters, evicting the oldest", () => {
    const { store, advance } = clockedStore(10_000);
    for (let index = 0; index < 25_000; index += 1) {
      store.increment(`ip:${index}`);
      if (index % 1000 === 0) advance(1);
    }
    assert.equal(store.size, 10_000);
    assert.equal(store.get("ip:0"), undefined, "the oldest went first");
    assert.equal(store.get("ip:24999")?.totalHits, 1);
  });

  it("counts hits per key within a window and starts over after it", () => {
    const { store, advance } = clockedStore(100);
    store.increment("user:a");
    store.increment("user:a");
    assert.equal(store.increment("user:a").totalHits, 3);
    assert.equal(store.increment("user:b").totalHits, 1);
    advance(999);
    assert.equal(store.increment("user:a").totalHits, 4);
    advance(1);
    assert.equal(store.increment("user:a").totalHits, 1, "a new window");
  });

  it("sweeps expired counters as traffic continues, so idle clients do not linger", () => {
    const { store, advance } = clockedStore(1000);
    for (let index = 0; index < 500; index += 1) store.increment(`ip:old${index}`);
    advance(1500);
    store.increment("ip:new");
    assert.equal(store.size, 1);
    assert.equal(store.get("ip:old1"), undefined);
  });

  it("decrements and resets", () => {
    const { store } = clockedStore(10);
    store.increment("k");
    store.increment("k");
    store.decrement("k");
    assert.equal(store.get("k")?.totalHits, 1);
    store.resetKey("k");
    assert.equal(store.get("k"), undefined);
  });
});

describe("rateLimitKey for IPv6", () => {
  it("gives every address of one /64 one budget, and another /64 its own", () => {
    const key = (address: string, bits?: number) => rateLimitKey("anonymous", address, bits);
    assert.equal(key("2001:db8:1:2::1"), "ip:2001:db8:1:2:0:0:0:0/64");
    assert.equal(key("2001:db8:1:2:ffff:eeee:dddd:cccc"), key("2001:db8:1:2::1"));
    assert.equal(key("2001:0db8:0001:0002:0000:0000:0000:0009%eth0"), key("2001:db8:1:2::1"));
    assert.notEqual(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
    assert.equal(key("2001:db8:1:2::1", 48), key("2001:db8:1:ffff::1", 48));
    assert.equal(key("::ffff:198.51.100.7"), "ip:198.51.100.7");
    assert.equal(key("198.51.100.7"), "ip:198.51.100.7");
    assert.equal(key("64:ff9b::198.51.100.7", 128), "ip:64:ff9b:0:0:0:0:c633:6407/128");
  });

  it("limits anonymous clients rotating through one /64 as one client", async () => {
    const t = limitedApp();
    try {
      const seen = await statuses(
        Array.from(
          { length: LIMIT + 1 },
          (_, index) => () => post(t, CHAT, {}, `2001:db8:5:6::${index + 1}`),
        ),
      );
      assert.equal(seen.at(-1), 429, seen.join(","));
    } finally {
      t.close();
    }
  });
});

describe("rateLimitKey", () => {
  it("keys named users by name and anonymous callers by address", () => {
    assert.equal(rateLimitKey("alice", "198.51.100.1"), "user:alice");
    assert.equal(rateLimitKey("anonymous", "198.51.100.1"), "ip:198.51.100.1");
    assert.notEqual(rateLimitKey("anonymous", "1.1.1.1"), rateLimitKey("anonymous", "1.1.1.2"));
  });
});
