import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { loadOpsConfig } from "../../src/config/ops.js";
import { containerSpec } from "../../src/ops/docker/spec.js";
import {
  TEST_LABELS,
  dockerSkipReason,
  ensureBaseImage,
  removeContainer,
  testName,
} from "../helpers/docker.js";
import { tempDir } from "../helpers/env.js";

const CONTAINER = testName("stop-at-start");
/** Far below the spec's StopTimeout (the 300 s drain grace plus a margin): the stop did not wait for SIGKILL. */
const STOP_WITHIN_MS = 15_000;

/**
 * A process that, like the server while it boots, has no SIGTERM handler for its first seconds. As PID 1 of its
 * container the kernel would drop that SIGTERM and Docker would wait the whole StopTimeout; a rerun of an interrupted
 * restore or deploy stops a container that has only just started.
 */
const SLOW_TO_HANDLE_SIGTERM =
  "setTimeout(() => process.on('SIGTERM', () => process.exit(0)), 5000); setInterval(() => {}, 1000);";

const skip = await dockerSkipReason();

describe("a container stopped while it boots", { skip }, () => {
  const docker = new Docker();
  const dir = tempDir("ahb-stop-at-start-");
  let image = "";

  before(async () => {
    image = await ensureBaseImage();
  });

  after(async () => {
    await removeContainer(docker, CONTAINER);
    dir.remove();
  });

  it("ends within seconds, not after the drain's StopTimeout", { timeout: 60_000 }, async () => {
    const config = loadOpsConfig({ cwd: dir.path, env: {}, file: undefined });
    const spec = containerSpec(
      { ...config, publish: false },
      {
        name: CONTAINER,
        image,
        version: "boot",
        envValues: {},
      },
    );
    assert.ok((spec.StopTimeout as number) * 1000 > STOP_WITHIN_MS * 10, `StopTimeout ${spec.StopTimeout} s`);
    const container = await docker.createContainer({
      ...spec,
      Labels: { ...spec.Labels, ...TEST_LABELS },
      Cmd: ["node", "-e", SLOW_TO_HANDLE_SIGTERM],
      Healthcheck: { Test: ["NONE"] },
      HostConfig: { ...spec.HostConfig, Binds: [], RestartPolicy: { Name: "no" } },
    });
    await container.start();
    const started = performance.now();
    await container.stop();
    const stoppedMs = performance.now() - started;
    assert.ok(stoppedMs < STOP_WITHIN_MS, `docker stop took ${Math.round(stoppedMs)} ms`);
    const state = (await container.inspect()).State;
    assert.equal(state.Running, false);
  });
});
