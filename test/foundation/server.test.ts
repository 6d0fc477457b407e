import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createApp } from "../../src/server/app.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY } from "../helpers/env.js";

describe("server foundation", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp({ CORS_ORIGINS: '["https://html.example.com"]' });
  });
  after(() => t.close());

  it("answers health with status, db, version and uptime", async () => {
    const response = await t.app.request("/api/health");
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.status, "ok");
    assert.equal(body.db, "ok");
    assert.equal(body.version, "test");
    assert.equal(typeof body.uptimeS, "number");
  });

  it("answers unknown API paths with a JSON 404, never the page", async () => {
    const response = await t.app.request("/api/nope");
    assert.equal(response.status, 404);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, "not_found");
  });

  it("sets the security headers on every response: the page set, and a stricter CSP on the probes' answers", async () => {
    const health = await t.app.request("/api/health");
    assert.equal(health.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
    assert.equal(health.headers.get("x-content-type-options"), "nosniff");
    for (const path of ["/", "/api/nope"]) {
      const response = await t.app.request(path);
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /frame-ancestors 'self'/);
      assert.doesNotMatch(csp, /unsafe-eval/);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.ok(response.headers.get("referrer-policy"));
      assert.match(response.headers.get("permissions-policy") ?? "", /camera=\(\)/);
    }
  });

  it("allows CORS only for configured origins", async () => {
    const allowed = await t.app.request("/api/costs?days=30", {
      headers: { Origin: "https://html.example.com" },
    });
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://html.example.com");
    const denied = await t.app.request("/api/costs?days=30", { headers: { Origin: "https://evil.example" } });
    assert.equal(denied.headers.get("access-control-allow-origin"), null);
  });

  it("logs one JSON line per request with method, path, status, ms and user", async () => {
    t.logLines.length = 0;
    await t.app.request("/api/me", { headers: { "X-Forwarded-User": "alice" } }, fromPeer("127.0.0.1"));
    assert.equal(t.logLines.length, 1);
    const line = JSON.parse(t.logLines[0] ?? "{}") as Record<string, unknown>;
    assert.equal(line.msg, "request");
    assert.equal(line.method, "GET");
    assert.equal(line.path, "/api/me");
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, "number");
    assert.equal(line.user, "alice");
  });

  it("believes X-Forwarded-User only from a trusted proxy", async () => {
    t.logLines.length = 0;
    await t.app.request("/api/me", { headers: { "X-Forwarded-User": "admin" } }, fromPeer("203.0.113.9"));
    await t.app.request("/api/me", { headers: { "X-Forwarded-User": "admin" } });
    const users = t.logLines.map((line) => (JSON.parse(line) as { user: string }).user);
    assert.deepEqual(users, ["anonymous", "anonymous"]);
  });

  it("redacts configured secrets wherever they appear in a log line", async () => {
    t.logLines.length = 0;
    await t.app.request(`/api/${FAKE_ANTHROPIC_KEY}/x`);
    t.deps.logger.error("provider failed", {
      detail: `key=${FAKE_GOOGLE_KEY}`,
      error: new Error(FAKE_ANTHROPIC_KEY),
    });
    const all = t.logLines.join("\n");
    assert.equal(t.logLines.length, 2);
    assert.ok(all.includes("[REDACTED]"));
    assert.ok(!all.includes(FAKE_ANTHROPIC_KEY) && !all.includes(FAKE_GOOGLE_KEY));
  });
});

describe("unexpected failures", () => {
  it("become a generic 500 without exception text, logged with secrets redacted", async () => {
    const t = createTestApp();
    try {
      t.app.get("/test-crash", () => {
        throw new Error(`database exploded with ${FAKE_ANTHROPIC_KEY}`);
      });
      const response = await t.app.request("/test-crash");
      const text = await response.text();
      assert.equal(response.status, 500);
      assert.ok(!text.includes("exploded"));
      const log = t.logLines.join("\n");
      assert.match(log, /database exploded with \[REDACTED\]/);
      assert.ok(!log.includes(FAKE_ANTHROPIC_KEY));
    } finally {
      t.close();
    }
  });
});

describe("health when the database breaks", () => {
  it("answers 503 degraded without exception text when the file is gone", async () => {
    const t = createTestApp();
    try {
      const { rmSync } = await import("node:fs");
      rmSync(t.deps.dbPath);
      const response = await t.app.request("/api/health");
      assert.equal(response.status, 503);
      const body = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ["db", "status", "storage", "uptimeS", "version"]);
      assert.equal(body.status, "degraded");
      assert.equal(body.db, "unavailable");
    } finally {
      t.close();
    }
  });
});

describe("health when the data directory cannot take writes", () => {
  it("answers 503 degraded below the free-space threshold", async () => {
    const t = createTestApp({ HEALTH_MIN_FREE_MB: "1000000000" });
    try {
      const response = await t.app.request("/api/health");
      assert.equal(response.status, 503);
      assert.deepEqual(
        [(await response.json()) as Record<string, unknown>].map(({ status, db, storage }) => ({
          status,
          db,
          storage,
        })),
        [{ status: "degraded", db: "ok", storage: "low" }],
      );
    } finally {
      t.close();
    }
  });

  it("answers 503 when the write probe fails, probing at most every few seconds", async () => {
    const t = createTestApp();
    try {
      assert.equal((await t.app.request("/api/health")).status, 200);
      // A directory where the probe writes its file: the write fails as on a read-only or revoked mount.
      mkdirSync(join(t.dir, ".health-probe"));
      assert.equal(
        (await t.app.request("/api/health")).status,
        200,
        "the cached answer holds between probes",
      );
      const fresh = createApp(t.deps);
      const response = await fresh.request("/api/health");
      assert.equal(response.status, 503);
      assert.equal(((await response.json()) as { storage: string }).storage, "unwritable");
    } finally {
      t.close();
    }
  });
});
