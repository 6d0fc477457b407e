import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { checkTrustedProxies } from "../../src/ops/doctor/engine.js";
import { Engine } from "../../src/ops/docker/engine.js";
import { decideTrustedProxies, discoverTrustedProxies } from "../../src/ops/init/proxy-address.js";
import { dockerSkipReason, ensureBaseImage, TEST_LABELS, testImage, testName } from "../helpers/docker.js";
import { cleanEnv, runAhb } from "../helpers/cli.js";
import { tempDir, validKeys } from "../helpers/env.js";

describe("deciding TRUSTED_PROXIES from what the engine shows", () => {
  const view = (members: { name: string; image: string; ipv4?: string }[], gateway?: string) => ({
    name: "proxy-net",
    gateway,
    members,
  });

  it("trusts exactly the proxy container's address on the shared network, never the range", () => {
    const decided = decideTrustedProxies(
      view(
        [
          { name: "ahb", image: "ahb:latest", ipv4: "172.20.0.3" },
          { name: "npm", image: "jc21/nginx-proxy-manager:2", ipv4: "172.20.0.2" },
          { name: "db", image: "postgres:16", ipv4: "172.20.0.4" },
        ],
        "172.20.0.1",
      ),
      "ahb",
    );
    assert.deepEqual([decided.value, decided.source], ["172.20.0.2/32", "proxy-container"]);
  });

  it("trusts the bridge gateway when no proxy container shares the network (nginx on the host)", () => {
    const decided = decideTrustedProxies(view([{ name: "ahb", image: "ahb:latest" }], "172.17.0.1"), "ahb");
    assert.deepEqual([decided.value, decided.source], ["172.17.0.1/32", "bridge-gateway"]);
  });

  it("keeps loopback only when there is no network to inspect", () => {
    assert.equal(decideTrustedProxies(undefined, "ahb").value, "127.0.0.1/32,::1/128");
  });
});

describe("proxy address discovery on the real engine", async () => {
  const skip = await dockerSkipReason();
  const docker = new Docker();
  const network = testName("hostile-net");
  const proxyRepo = `${testImage("hostile")}-nginx-proxy-manager`;
  const proxyImage = `${proxyRepo}:test`;
  const started: Docker.Container[] = [];
  const dir = tempDir("ahb-proxies-");

  const run = async (name: string, image: string) => {
    const container = await docker.createContainer({
      name,
      Image: image,
      Cmd: ["sleep", "120"],
      Labels: TEST_LABELS,
      HostConfig: { NetworkMode: network, AutoRemove: false },
    });
    started.push(container);
    await container.start();
    return container;
  };

  before(async () => {
    if (skip) return;
    const base = await ensureBaseImage();
    await docker.getImage(base).tag({ repo: proxyRepo, tag: "test" });
    await docker.createNetwork({ Name: network, Labels: TEST_LABELS });
  });
  after(async () => {
    dir.remove();
    if (skip) return;
    for (const container of started) await container.remove({ force: true }).catch(() => undefined);
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
    await docker
      .getImage(proxyImage)
      .remove({ noprune: true })
      .catch(() => undefined);
  });

  it(
    "finds the bridge gateway, then the proxy container once it joins, and doctor recommends it",
    { skip },
    async () => {
      const app = testName("hostile-app");
      await run(app, await ensureBaseImage());
      const info = (await docker.getNetwork(network).inspect()) as {
        IPAM: { Config: { Gateway: string }[] };
      };
      const gateway = info.IPAM.Config[0]?.Gateway;
      const before = await discoverTrustedProxies(docker, { network, container: app });
      assert.deepEqual([before.value, before.source], [`${gateway}/32`, "bridge-gateway"]);

      const proxy = await run(testName("hostile-npm"), proxyImage);
      const address = (
        (await proxy.inspect()) as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }
      ).NetworkSettings.Networks[network]?.IPAddress;
      const found = await discoverTrustedProxies(docker, { network, container: app });
      assert.deepEqual([found.value, found.source], [`${address}/32`, "proxy-container"]);

      const envFile = `${dir.path}/.env.prod`;
      writeFileSync(envFile, "TRUSTED_PROXIES=172.16.0.0/12\n");
      const ops = { network, container: app, envFile };
      const engine = Engine.connect();
      const wrong = await checkTrustedProxies(engine, ops, true);
      assert.equal(wrong.status, "warn");
      assert.match(wrong.detail, new RegExp(`set TRUSTED_PROXIES=${address}/32 `));
      writeFileSync(envFile, `TRUSTED_PROXIES=${address}/32\n`);
      assert.equal((await checkTrustedProxies(engine, ops, true)).status, "ok");

      const written = `${dir.path}/init.env`;
      const env = cleanEnv({ ...validKeys(), AHB_NETWORK: network, AHB_CONTAINER: app });
      const init = await runAhb(["init", "--env-file", written], { env, cwd: dir.path });
      assert.equal(init.exitCode, 0, init.stderr);
      assert.match(readFileSync(written, "utf8"), new RegExp(`^TRUSTED_PROXIES=${address}/32$`, "m"));
    },
  );
});
