import assert from "node:assert/strict";
import { chownSync, mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { tempDir, validKeys } from "../helpers/env.js";
import {
  TEST_LABELS,
  buildProjectImage,
  dockerSkipReason,
  removeContainer,
  removeImageUnlessKept,
  testImage,
  testName,
} from "../helpers/docker.js";
import { fetchWithDeadline, freePort, waitFor } from "../helpers/net.js";

const CONTAINER = testName("e2e-container");
const IMAGE = `${testImage("app")}:e2e`;
const RUNTIME_UID = 10001;

const skip = await dockerSkipReason();

describe("container image", { skip }, () => {
  const docker = new Docker();
  const dir = tempDir("ahb-e2e-");
  let port = 0;

  before(async () => {
    await buildProjectImage(IMAGE);
    mkdirSync(`${dir.path}/data`);
    chownSync(`${dir.path}/data`, RUNTIME_UID, RUNTIME_UID);
    port = await freePort();
  });

  after(async () => {
    await removeContainer(docker, CONTAINER);
    await removeImageUnlessKept(docker, IMAGE);
    dir.remove();
  });

  it("runs as a non-root user and answers /api/health through the published port", async () => {
    const env = Object.entries({ ...validKeys(), ENVIRONMENT: "production" }).map(([k, v]) => `${k}=${v}`);
    const container = await docker.createContainer({
      name: CONTAINER,
      Image: IMAGE,
      Env: env,
      Labels: TEST_LABELS,
      ExposedPorts: { "8000/tcp": {} },
      HostConfig: {
        PortBindings: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] },
        Binds: [`${dir.path}/data:/app/data`],
      },
    });
    await container.start();
    const body = await waitFor(async () => {
      const response = await fetchWithDeadline(`http://127.0.0.1:${port}/api/health`);
      return response.status === 200
        ? ((await response.json()) as { status: string; db: string })
        : undefined;
    }, 60000);
    assert.equal(body.status, "ok");
    assert.equal(body.db, "ok");

    const info = await container.inspect();
    assert.equal(info.Config.User, "ahb");
    assert.ok(info.Config.Healthcheck?.Test?.join(" ").includes("/api/health"));
    const health = await waitFor(
      async () => {
        const state = (await container.inspect()).State.Health?.Status;
        return state === "healthy" ? state : undefined;
      },
      120000,
      500,
    );
    assert.equal(health, "healthy");
  });
});
