import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { healthProbeSampler } from "../../src/server/middleware/request-log.js";
import { createTestApp, type TestApp } from "../helpers/app.js";

interface RequestLine {
  msg: string;
  path: string;
  status: number;
  probes?: number;
}

function requestLines(t: TestApp): RequestLine[] {
  return t.logLines.map((line) => JSON.parse(line) as RequestLine).filter((line) => line.msg === "request");
}

describe("request log and health probes", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp();
  });
  after(() => t.close());

  it("logs one line for a burst of health probes, and one line for every other request", async () => {
    t.logLines.length = 0;
    for (let i = 0; i < 30; i += 1) assert.equal((await t.app.request("/api/health")).status, 200);
    for (let i = 0; i < 3; i += 1) await t.app.request("/api/me");
    await t.app.request("/api/nope");
    const lines = requestLines(t);
    const health = lines.filter((line) => line.path === "/api/health");
    assert.equal(health.length, 1, JSON.stringify(health));
    assert.equal(health[0]?.probes, 1);
    assert.deepEqual(
      lines.filter((line) => line.path !== "/api/health").map((line) => `${line.path} ${line.status}`),
      ["/api/me 200", "/api/me 200", "/api/me 200", "/api/nope 404"],
    );
  });
});

describe("health probe sampling", () => {
  it("logs the first probe, every change of status, and otherwise one line per interval with the count", () => {
    let clock = 0;
    const sample = healthProbeSampler(60_000, () => clock);
    const logged: Array<[number, number]> = [];
    const probe = (status: number) => {
      const probes = sample(status);
      if (probes !== undefined) logged.push([status, probes]);
      clock += 5_000;
    };
    for (let i = 0; i < 20; i += 1) probe(200); // 0..95 s: first at 0, next at 60 s
    probe(503); // 100 s: a change shows at once
    probe(503);
    probe(200); // 110 s: the recovery too
    for (let i = 0; i < 13; i += 1) probe(200); // 115..175 s: the next line at 170 s
    assert.deepEqual(logged, [
      [200, 1],
      [200, 12],
      [503, 8],
      [200, 2],
      [200, 12],
    ]);
  });
});
