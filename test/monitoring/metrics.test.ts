import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { createMetrics } from "../../src/server/metrics.js";
import { startServer, type RunningServer } from "../../src/server/listen.js";
import { chatInit, FAST_RETRY, PAGE, parseSse } from "../chat/helpers.js";
import { startProviderFakes, type ProviderFakes } from "../fakes/index.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { parsePrometheusText, valueOf } from "./prometheus-text.js";

const TOKEN = "scrape-token-0123456789abcdef";

describe("GET /metrics", () => {
  let fakes: ProviderFakes;
  let t: TestApp;
  let server: RunningServer;

  before(async () => {
    fakes = await startProviderFakes();
    t = createTestApp(
      { ...fakes.env, METRICS_TOKEN: TOKEN, TRUSTED_PROXIES: "10.0.0.2/32" },
      // One registry for the in-process app and the listening one that curl reaches.
      { chat: { retry: FAST_RETRY }, metrics: createMetrics() },
    );
    server = await startServer(t.deps, "127.0.0.1");
  });

  after(async () => {
    await server?.close(200);
    t?.close();
    await fakes?.close();
  });

  const local = (path: string, init: RequestInit = {}) => t.app.request(path, init, fromPeer("127.0.0.1"));

  it("counts requests, turns, provider calls and errors, and spend, in Prometheus text that curl gets on loopback", async () => {
    const created = await local("/api/sessions", chatInit({ title: "Metrics" }));
    assert.equal(created.status, 201);
    const { session } = (await created.json()) as { session: { id: string } };
    fakes.gemini.script(
      { type: "status", status: 429, retryDelayS: 0 },
      { type: "reply", text: `\`\`\`html\n${PAGE}\n\`\`\`` },
    );
    const turn = await local(`/api/chat/${session.id}`, chatInit({ message: "Make a page about lakes" }));
    const events = parseSse(await turn.text()).events;
    assert.equal(events.at(-1)?.event, "done");
    assert.equal(
      events.some((event) => event.event === "error"),
      false,
    );
    assert.equal((await local("/api/nope")).status, 404);

    // curl in a child process (async: the server answering it runs in this process).
    const { stdout: text } = await promisify(execFile)("curl", [
      "-sS",
      "--fail",
      `http://127.0.0.1:${server.port}/metrics`,
    ]);
    const samples = parsePrometheusText(text);
    const ledger = t.deps.db.prepare("SELECT sum(cost_nano_usd) AS total FROM cost_ledger").get() as {
      total: number;
    };
    assert.ok(ledger.total > 0);
    const expected: [string, Record<string, string>, number][] = [
      ["ahb_http_requests_total", { route: "/api/sessions", method: "POST", status: "201" }, 1],
      ["ahb_http_requests_total", { route: "/api/chat/:sessionId", method: "POST", status: "200" }, 1],
      ["ahb_http_requests_total", { route: "/api/*", method: "GET", status: "404" }, 1],
      ["ahb_http_request_duration_seconds_count", { route: "/api/sessions", method: "POST" }, 1],
      ["ahb_turns_total", { mode: "auto", outcome: "ok" }, 1],
      ["ahb_provider_calls_total", { provider: "google", model: "gemini-2.5-pro", status: "ok" }, 1],
      ["ahb_provider_calls_total", { provider: "google", model: "gemini-2.5-pro", status: "error" }, 1],
      ["ahb_provider_errors_total", { provider: "google", model: "gemini-2.5-pro", status: "429" }, 1],
      ["ahb_spend_nano_usd_total", { model: "gemini-2.5-pro" }, ledger.total],
      ["ahb_export_queue_depth", {}, 0],
    ];
    for (const [name, labels, value] of expected) {
      assert.equal(valueOf(samples, name, labels), value, `${name} ${JSON.stringify(labels)}`);
    }
    assert.equal(
      valueOf(samples, "ahb_http_request_duration_seconds_bucket", {
        route: "/api/sessions",
        method: "POST",
        le: "+Inf",
      }),
      1,
    );
    assert.ok((valueOf(samples, "process_resident_memory_bytes") ?? 0) > 10_000_000, "RSS");
    assert.ok(valueOf(samples, "nodejs_eventloop_lag_p99_seconds") !== undefined, "event-loop delay");
  });

  it("is refused to untrusted peers, to clients relayed by the proxy and to a wrong token", async () => {
    const cases: [string, string, Record<string, string>, number][] = [
      ["untrusted peer", "203.0.113.9", {}, 404],
      ["client relayed by a trusted proxy", "10.0.0.2", { "x-forwarded-for": "203.0.113.9" }, 404],
      ["untrusted peer, wrong token", "203.0.113.9", { authorization: `Bearer ${TOKEN}x` }, 404],
      ["the trusted proxy itself", "10.0.0.2", {}, 200],
      ["untrusted peer with the token", "203.0.113.9", { authorization: `Bearer ${TOKEN}` }, 200],
    ];
    for (const [label, peer, headers, status] of cases) {
      const response = await t.app.request("/metrics", { headers }, fromPeer(peer));
      assert.equal(response.status, status, label);
      const body = await response.text();
      if (status === 404) assert.doesNotMatch(body, /ahb_|process_/, label);
      else assert.ok(parsePrometheusText(body).length > 0, label);
    }
  });
});
