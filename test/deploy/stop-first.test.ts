import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { ReleaseResult } from "../../src/ops/deploy/release.js";
import type { StatusReport } from "../../src/ops/deploy/status.js";
import { dockerSkipReason } from "../helpers/docker.js";
import { freePort } from "../helpers/net.js";
import { nginxSkipReason, startHostNginx, versionThroughProxy, type HostNginx } from "../helpers/nginx.js";
import { createTinySite, MIGRATING_VERSION, type TinySite } from "../helpers/tiny-site.js";

const skip = (await dockerSkipReason()) || (await nginxSkipReason());

interface ContainerEvent {
  Action: string;
  id: string;
  timeNano: number;
}

/** The engine's start and die events of a time window that has already passed. */
async function containerEvents(site: TinySite, sinceS: number, untilS: number): Promise<ContainerEvent[]> {
  const stream = (await site.docker.getEvents({
    since: sinceS,
    until: untilS,
    filters: { type: ["container"], event: ["start", "die"] },
  })) as Readable;
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as ContainerEvent);
}

describe(
  "a release whose migration the previous version cannot take, behind a real host nginx",
  { skip },
  () => {
    let site: TinySite;
    let nginx: HostNginx;
    let ports: [number, number];

    before(async () => {
      site = await createTinySite("deploybench-stopfirst");
      ports = [site.port, await freePort()];
      nginx = await startHostNginx(site.root, `upstream ahb {\n    server 127.0.0.1:${ports[0]};\n}\n`);
      const opsPath = join(site.root, "ahb.ops.json");
      const config = JSON.parse(readFileSync(opsPath, "utf8")) as Record<string, unknown>;
      writeFileSync(opsPath, JSON.stringify({ ...config, proxy: { ...nginx.proxy, ports } }));
      const first = await site.cli(["deploy", "--tag", "v1", "--no-backup"]);
      assert.equal(first.exitCode, 0, first.stderr);
      assert.equal(await versionThroughProxy(nginx.port), "v1");
    });

    after(async () => {
      await nginx?.stop();
      await site?.remove();
    });

    it("falls back to stop-then-start: says so, stops the old container before the new one starts, ends on the new one", async () => {
      const old = await site.docker.getContainer(site.container).inspect();
      const sinceS = Math.floor(Date.now() / 1000) - 1;
      const run = await site.cli(["deploy", "--context", site.contexts.migrating, "--tag", "v2", "--json"]);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          `migration ${MIGRATING_VERSION} does not keep the previous version working: falling back to stop-then-start`,
        ),
      );
      const result = JSON.parse(run.stdout) as ReleaseResult;
      assert.equal(result.strategy, "stop-first");
      assert.ok(
        result.downtimeMs !== null && result.downtimeMs > 0,
        `a window is reported: ${result.downtimeMs}`,
      );
      assert.match(run.stderr, /unavailable for \d+\.\d\d s/);
      const stopping = run.stderr.indexOf(`stopping ${site.container} first`);
      const starting = run.stderr.indexOf(`starting ${site.container}-next on`);
      assert.ok(stopping !== -1 && stopping < starting, `stop before start in:\n${run.stderr}`);

      const fresh = await site.docker.getContainer(site.container).inspect();
      assert.notEqual(fresh.Id, old.Id);
      const events = await containerEvents(site, sinceS, Math.ceil(Date.now() / 1000) + 1);
      const oldDied = events.find((event) => event.id === old.Id && event.Action === "die");
      const newStarted = events.find((event) => event.id === fresh.Id && event.Action === "start");
      assert.ok(oldDied && newStarted, `both events seen: ${JSON.stringify(events)}`);
      assert.ok(oldDied.timeNano < newStarted.timeNano, "the old container died before the new one started");

      assert.equal(await versionThroughProxy(nginx.port), "v2");
      assert.match(
        readFileSync(nginx.upstreamFile, "utf8"),
        new RegExp(`server 127\\.0\\.0\\.1:${ports[0]};`),
      );
      const status = JSON.parse((await site.cli(["status", "--json"])).stdout) as StatusReport;
      assert.equal(status.version, "v2");
      assert.equal(status.colour, `blue (${ports[0]})`);
    });
  },
);
