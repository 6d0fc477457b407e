import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { rmSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { batchedWriter } from "../../src/log.js";
import { startServer } from "../../src/server/listen.js";
import {
  MACHINE_HEADERS,
  SECURITY_HEADERS,
  securityHeaders,
} from "../../src/server/middleware/security-headers.js";
import type { AppEnv } from "../../src/server/types.js";
import { CHECK_EVERY_MS, databaseCheck } from "../../src/server/routes/health.js";
import { ledgerEntry } from "../dataops/seed.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";

const CLI_BUNDLE = fileURLToPath(new URL("../../dist/bundle/cli.js", import.meta.url));

describe("health costs microseconds and stays truthful", () => {
  for (const [what, breakIt] of [
    ["a removed database file", (t: TestApp) => rmSync(t.deps.dbPath)],
    ["a connection that no longer answers", (t: TestApp) => t.deps.db.close()],
  ] as const) {
    it(`checks at most once per period and reports ${what} within it`, () => {
      const t = createTestApp();
      try {
        let now = 0;
        const check = databaseCheck(t.deps.db, t.deps.dbPath, () => now);
        assert.equal(check(), true);
        breakIt(t);
        now += CHECK_EVERY_MS - 1;
        assert.equal(check(), true, "the last verdict is still fresh");
        now += 1;
        assert.equal(check(), false, "the break is reported once a check is due");
      } finally {
        t.close();
      }
    });
  }
});

describe("cost reports are kept until the ledger changes", () => {
  it("answers a new call at once after a cached report", async () => {
    const t = createTestApp();
    try {
      const costs = async () => {
        const response = await t.app.request(
          "/api/costs?days=30",
          { headers: { "X-Forwarded-User": "alice" } },
          fromPeer("127.0.0.1"),
        );
        assert.equal(response.headers.get("content-type"), "application/json");
        return ((await response.json()) as { totals: { requests: number } }).totals.requests;
      };
      insertLedgerEntry(t.deps.db, ledgerEntry("alice", 1));
      assert.equal(await costs(), 1);
      assert.equal(await costs(), 1);
      insertLedgerEntry(t.deps.db, ledgerEntry("alice", 2));
      assert.equal(await costs(), 2, "the cached report was dropped when the ledger changed");
    } finally {
      t.close();
    }
  });
});

describe("CORS costs nothing for same-origin requests", () => {
  it("answers without Origin with Vary: Origin and no CORS grant", async () => {
    const t = createTestApp({ CORS_ORIGINS: '["https://html.example.com"]' });
    try {
      const plain = await t.app.request("/api/costs?days=30");
      assert.equal(plain.headers.get("vary"), "Origin");
      assert.equal(plain.headers.get("access-control-allow-origin"), null);
      const allowed = await t.app.request("/api/costs?days=30", {
        headers: { Origin: "https://html.example.com" },
      });
      assert.equal(allowed.headers.get("access-control-allow-origin"), "https://html.example.com");
      assert.match(allowed.headers.get("vary") ?? "", /Origin/);
    } finally {
      t.close();
    }
  });
});

describe("request log lines leave in batches", () => {
  it("writes the lines of one turn in one write, in order, and flush() empties the buffer", async () => {
    const writes: string[] = [];
    const writer = batchedWriter({ write: (text: string) => writes.push(text) > 0 });
    writer.write("a\n");
    writer.write("b\n");
    assert.deepEqual(writes, [], "nothing is written synchronously");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ["a\nb\n"]);
    writer.write("c\n");
    writer.flush();
    assert.deepEqual(writes, ["a\nb\n", "c\n"]);
  });
});

describe("on a real socket", () => {
  it("sends the machine headers on health, the page set and Vary: Origin elsewhere, and the route's own", async () => {
    const t = createTestApp();
    const server = await startServer({ ...t.deps, config: { ...t.deps.config, PORT: 0 } }, "127.0.0.1");
    try {
      const get = (path: string) =>
        fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { "X-Forwarded-User": "alice" } });
      const health = await get("/api/health");
      assert.equal(health.status, 200);
      assert.equal(health.headers.get("cache-control"), "no-store");
      for (const [name, value] of Object.entries(MACHINE_HEADERS)) {
        assert.equal(health.headers.get(name), value, name);
      }
      assert.equal(health.headers.get("permissions-policy"), null, "no page header on a probe's answer");
      const costs = await get("/api/costs?days=30");
      assert.equal(costs.status, 200);
      assert.equal(costs.headers.get("vary"), "Origin");
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(costs.headers.get(name), value, name);
      }
    } finally {
      await server.close();
      t.close();
    }
  });

  it("lets a route replace a security header (the preview's own CSP)", async () => {
    const app = new Hono<AppEnv>()
      .use("*", securityHeaders())
      .get("/", (c) => c.text("preview", 200, { "Content-Security-Policy": "sandbox" }));
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    try {
      await new Promise((resolve) => server.once("listening", resolve));
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      assert.equal(response.headers.get("content-security-policy"), "sandbox");
      assert.equal(response.headers.get("x-frame-options"), "SAMEORIGIN");
    } finally {
      server.close();
    }
  });
});

describe("ahb serve tracks no promises", () => {
  it("runs a command on the process's own streams without AsyncLocalStorage", () => {
    // Once an AsyncLocalStorage is entered, Node tags every new promise of the process (three symbols each).
    const script = `const { run } = await import(${JSON.stringify(pathToFileURL(CLI_BUNDLE).href)});
      await run(["--version"]);
      process.stdout.write("symbols " + Object.getOwnPropertySymbols(Promise.resolve()).length);`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    assert.match(output, /symbols 0$/);
  });
});
