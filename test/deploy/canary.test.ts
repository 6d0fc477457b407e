import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuditEntry } from "../../src/ops/deploy/audit.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { startRequestLoop } from "../helpers/load.js";
import { createTinySite, type TinySite } from "../helpers/tiny-site.js";

const skip = await dockerSkipReason();

describe("a bad release never touches the serving container (canary)", { skip }, () => {
  let site: TinySite;

  before(async () => {
    site = await createTinySite("bluegreen-canary");
    const first = await site.cli(["deploy", "--tag", "good"]);
    assert.equal(first.exitCode, 0, first.stderr);
  });

  after(async () => {
    await site?.remove();
  });

  for (const [kind, context, reason] of [
    ["crashes on start", "failing", /the server exited with code 1/],
    ["answers 503 on its health", "unhealthy", /Docker health check failed/],
  ] as const)
    it(`a release that ${kind}: exit 10, 0 failed requests, the old version serving throughout`, async () => {
      const servingBefore = (await site.docker.getContainer(site.container).inspect()).Id;
      const load = startRequestLoop(`http://127.0.0.1:${site.port}/api/health`, {
        intervalMs: 20,
        maxRequests: 5000,
      });
      const bad = await site.cli(["deploy", "--context", site.contexts[context], "--tag", `bad-${context}`], {
        AHB_HEALTH_START_PERIOD: "10",
      });
      const report = await load.stop();
      assert.equal(bad.exitCode, 10, bad.stderr);
      assert.match(bad.stderr, /canary .* with a copy of the database; waiting for healthy/);
      assert.match(bad.stderr, reason);
      assert.match(
        bad.stderr,
        new RegExp(
          `^ahb: deploy of bad-${context} rolled back: the canary of bad-${context} did not become healthy .*; good kept serving, nothing was changed$`,
          "m",
        ),
      );
      assert.ok(report.sent >= 50, `the loop ran during the deploy: ${report.sent} requests`);
      assert.equal(report.failed, 0, report.failures.join("\n"));
      assert.deepEqual(report.versions, ["good"]);
      assert.equal((await site.docker.getContainer(site.container).inspect()).Id, servingBefore);
      // Docker's start period is short: a 503 shows as unhealthy in seconds, not after the whole health timeout
      // (120 s here, which the seed's start period waited out).
      const entries = JSON.parse((await site.cli(["deploys", "--json"])).stdout) as AuditEntry[];
      const canaryMs = entries.find((entry) => entry.version === `bad-${context}`)?.durationsMs.canary ?? 0;
      assert.ok(canaryMs > 0 && canaryMs < 60_000, `the canary was given up after ${canaryMs} ms`);
      assert.equal(existsSync(join(site.root, ".ahb", "canary")), false, "the canary's copy is removed");
      await assert.rejects(site.docker.getContainer(`${site.container}-canary`).inspect(), {
        statusCode: 404,
      });
    });

  it("the audit log records the refused releases without downtime", async () => {
    const entries = JSON.parse((await site.cli(["deploys", "--json"])).stdout) as AuditEntry[];
    const refused = entries.filter((entry) => entry.result === "rolled-back");
    assert.equal(refused.length, 2);
    assert.ok(refused.every((entry) => entry.downtimeMs === null && (entry.durationsMs.canary ?? 0) > 0));
  });

  it("a canary left by a killed run is removed by the next run", async () => {
    const canaryName = `${site.container}-canary`;
    await site.docker.createContainer({
      name: canaryName,
      Image: `${site.image}:good`,
      Labels: { "ahb.app": site.container },
    });
    const status = await site.cli(["status", "--json"]);
    assert.match(status.stdout, /canary container .*-canary is left over/);
    const next = await site.cli(["deploy", "--no-build", "--image", `${site.image}:good`, "--tag", "good2"]);
    assert.equal(next.exitCode, 0, next.stderr);
    assert.match(next.stderr, /removed the canary an earlier run left/);
    await assert.rejects(site.docker.getContainer(canaryName).inspect(), { statusCode: 404 });
  });
});
