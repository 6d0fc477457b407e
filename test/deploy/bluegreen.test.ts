import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ReleaseResult } from "../../src/ops/deploy/release.js";
import type { StatusReport } from "../../src/ops/deploy/status.js";
import type { DoctorReport } from "../../src/ops/doctor/types.js";
import { dockerSkipReason, testImage, testName } from "../helpers/docker.js";
import { startRequestLoop } from "../helpers/load.js";
import { freePort, waitFor } from "../helpers/net.js";
import {
  nginxSkipReason,
  startHostNginx,
  versionThroughProxy,
  startNpmContainer,
  type HostNginx,
} from "../helpers/nginx.js";
import { createTinySite, type TinySite } from "../helpers/tiny-site.js";

const skip = (await dockerSkipReason()) || (await nginxSkipReason());

/** The tiny site's ahb.ops.json with a proxy entry (and whatever else the step changes). */
function configure(site: TinySite, extra: Record<string, unknown>): void {
  const path = join(site.root, "ahb.ops.json");
  const config = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify({ ...config, ...extra }));
}

describe("blue/green behind a real host nginx", { skip }, () => {
  let site: TinySite;
  let nginx: HostNginx;
  let ports: [number, number];

  /** Runs an ahb command while a bounded loop reads through nginx; returns both. */
  async function underLoad(args: string[]) {
    const load = startRequestLoop(`http://127.0.0.1:${nginx.port}/api/health`, {
      intervalMs: 20,
      maxRequests: 10_000,
    });
    const run = await site.cli(args);
    return { run, load: await load.stop() };
  }

  before(async () => {
    site = await createTinySite("bluegreen-nginx");
    ports = [site.port, await freePort()];
    const rendered = await site.cli([
      "templates",
      "render",
      "nginx-upstream",
      "--upstream",
      `127.0.0.1:${ports[0]}`,
    ]);
    assert.equal(rendered.exitCode, 0, rendered.stderr);
    assert.match(rendered.stdout, /upstream ahb \{\n {4}server 127\.0\.0\.1:\d+;/);
    nginx = await startHostNginx(site.root, rendered.stdout);
    // The shared test host runs at a load of 15-20 on 2 cores: node -e (Docker's check) can take over 10 s there.
    configure(site, { proxy: { ...nginx.proxy, ports }, healthStartPeriodS: 60 });
  });

  after(async () => {
    await nginx?.stop();
    await site?.remove();
  });

  it("the first deploy starts on the idle colour and points nginx at it", async () => {
    const first = await site.cli(["deploy", "--tag", "v1", "--json"]);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.equal((JSON.parse(first.stdout) as ReleaseResult).strategy, "blue-green");
    assert.equal(await versionThroughProxy(nginx.port), "v1");
    assert.match(readFileSync(nginx.upstreamFile, "utf8"), new RegExp(`server 127\\.0\\.0\\.1:${ports[1]};`));
    const status = JSON.parse((await site.cli(["status", "--json"])).stdout) as StatusReport;
    assert.equal(status.colour, `green (${ports[1]})`);
  });

  it("a deploy under load: 0 failed requests, the old colour drained and removed, the state says blue", async () => {
    const { run, load } = await underLoad([
      "deploy",
      "--no-build",
      "--image",
      `${site.image}:v1`,
      "--tag",
      "v2",
      "--json",
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    const result = JSON.parse(run.stdout) as ReleaseResult;
    assert.equal(result.downtimeMs, 0);
    assert.match(run.stderr, /the proxy switched over without a window/);
    assert.ok(load.sent >= 50, `${load.sent} requests`);
    assert.equal(load.failed, 0, load.failures.join("\n"));
    assert.deepEqual(load.versions, ["v1"], "the same image answers with its build's version throughout");
    assert.match(readFileSync(nginx.upstreamFile, "utf8"), new RegExp(`server 127\\.0\\.0\\.1:${ports[0]};`));
    const containers = await site.docker.listContainers({
      all: true,
      filters: { label: [`ahb.app=${site.container}`] },
    });
    assert.deepEqual(
      containers.map((container) => container.Names[0]),
      [`/${site.container}`],
    );
    const status = JSON.parse((await site.cli(["status", "--json"])).stdout) as StatusReport;
    assert.equal(status.colour, `blue (${ports[0]})`);
    assert.equal(status.version, "v2");
    assert.equal(status.published, `127.0.0.1:${ports[0]}`);
  });

  it("a release that crashes is rolled back automatically: exit 10, upstream file unchanged, 0 failed requests", async () => {
    const upstreamBefore = readFileSync(nginx.upstreamFile, "utf8");
    const { run, load } = await underLoad(["deploy", "--context", site.contexts.failing, "--tag", "bad"]);
    assert.equal(run.exitCode, 10, run.stderr);
    assert.match(run.stderr, /v2 kept serving, nothing was changed/);
    assert.equal(load.failed, 0, load.failures.join("\n"));
    assert.deepEqual(load.versions, ["v1"]);
    assert.equal(readFileSync(nginx.upstreamFile, "utf8"), upstreamBefore);
  });

  it("a proxy reload that fails: exit 10, the old container serving, the upstream file restored", async () => {
    const upstreamBefore = readFileSync(nginx.upstreamFile, "utf8");
    const servingBefore = (await site.docker.getContainer(site.container).inspect()).Id;
    // -g repeats the pid directive: nginx -s reload refuses the configuration and exits 1.
    configure(site, {
      proxy: {
        ...nginx.proxy,
        ports,
        reloadCommand: [...nginx.proxy.reloadCommand, "-g", "pid /tmp/x.pid;"],
      },
    });
    try {
      const { run, load } = await underLoad([
        "deploy",
        "--no-build",
        "--image",
        `${site.image}:v1`,
        "--tag",
        "v3",
      ]);
      assert.equal(run.exitCode, 10, run.stderr);
      assert.match(run.stderr, /proxy reload failed: .*exited 1/);
      assert.match(run.stderr, /v2 kept serving, nothing was changed/);
      assert.equal(load.failed, 0, load.failures.join("\n"));
      assert.deepEqual(load.versions, ["v1"]);
    } finally {
      configure(site, { proxy: { ...nginx.proxy, ports } });
    }
    assert.equal(readFileSync(nginx.upstreamFile, "utf8"), upstreamBefore);
    assert.equal((await site.docker.getContainer(site.container).inspect()).Id, servingBefore);
    await assert.rejects(site.docker.getContainer(`${site.container}-next`).inspect(), { statusCode: 404 });
  });

  it("restart and rollback switch colours under load with 0 failed requests", async () => {
    const restarted = await underLoad(["restart"]);
    assert.equal(restarted.run.exitCode, 0, restarted.run.stderr);
    assert.equal(restarted.load.failed, 0, restarted.load.failures.join("\n"));
    assert.match(readFileSync(nginx.upstreamFile, "utf8"), new RegExp(`server 127\\.0\\.0\\.1:${ports[1]};`));
    const back = await underLoad(["rollback", "--json"]);
    assert.equal(back.run.exitCode, 0, back.run.stderr);
    assert.equal((JSON.parse(back.run.stdout) as ReleaseResult).version, "v1");
    assert.equal(back.load.failed, 0, back.load.failures.join("\n"));
    assert.deepEqual(back.load.versions, ["v1"]);
  });

  it("doctor checks that the upstream names the serving container's port", async () => {
    const proxyCheck = async () => {
      const doctor = await site.cli(["doctor", "--json"]);
      return (JSON.parse(doctor.stdout) as DoctorReport).checks.find((check) => check.name === "proxy");
    };
    assert.equal((await proxyCheck())?.status, "ok");
    const good = readFileSync(nginx.upstreamFile, "utf8");
    writeFileSync(nginx.upstreamFile, good.replace(/:(\d+);/, ":1;"));
    try {
      const bad = await proxyCheck();
      assert.equal(bad?.status, "fail");
      assert.match(bad?.detail ?? "", /names port 1, but .* listens on \d+/);
    } finally {
      writeFileSync(nginx.upstreamFile, good);
    }
  });
});

describe("blue/green behind an NPM-like nginx container: nginx -t and reload run inside it", { skip }, () => {
  let site: TinySite;

  after(async () => {
    await site?.remove();
  });

  it("deploys switch NPM's custom include and reload it through the Docker API, 0 failed requests", async () => {
    site = await createTinySite("bluegreen-npm");
    const ports: [number, number] = [site.port, await freePort()];
    const rendered = await site.cli([
      "templates",
      "render",
      "npm-upstream",
      "--upstream",
      `127.0.0.1:${ports[0]}`,
    ]);
    assert.equal(rendered.exitCode, 0, rendered.stderr);
    const npm = await startNpmContainer(
      site.root,
      testName("bluegreen-npm"),
      testImage("bluegreen-npm"),
      rendered.stdout,
    );
    try {
      configure(site, { proxy: { ...npm.proxy, ports }, healthStartPeriodS: 60 });
      const first = await site.cli(["deploy", "--tag", "n1"]);
      assert.equal(first.exitCode, 0, first.stderr);
      assert.match(first.stderr, /proxy reloaded \(npm\)/);
      await waitFor(
        async () => ((await versionThroughProxy(npm.port)) === "n1" ? true : undefined),
        10_000,
        100,
      );
      const load = startRequestLoop(`http://127.0.0.1:${npm.port}/api/health`, {
        intervalMs: 20,
        maxRequests: 10_000,
      });
      const second = await site.cli(["deploy", "--no-build", "--image", `${site.image}:n1`, "--tag", "n2"]);
      const report = await load.stop();
      assert.equal(second.exitCode, 0, second.stderr);
      assert.equal(report.failed, 0, report.failures.join("\n"));
      assert.deepEqual(report.versions, ["n1"]);
      assert.match(readFileSync(npm.upstreamFile, "utf8"), new RegExp(`server 127\\.0\\.0\\.1:${ports[0]};`));
    } finally {
      await npm.stop();
    }
  });
});
