import assert from "node:assert/strict";
import { chownSync, mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { execa } from "execa";
import { loadOpsConfig } from "../../src/config/ops.js";
import { CONTAINER_UID, containerSpec } from "../../src/ops/docker/spec.js";
import { startProviderFakes, type ProviderFakes } from "../fakes/index.js";
import {
  TEST_LABELS,
  buildProjectImage,
  dockerSkipReason,
  removeContainer,
  removeImageUnlessKept,
  testImage,
  testName,
} from "../helpers/docker.js";
import {
  assertDrainObserved,
  assertTurnCompleted,
  newSession,
  observeDrain,
  scriptSlowPage,
  startStreamingTurn,
  storedOutcome,
} from "../helpers/drain-scenario.js";
import { tempDir, validKeys } from "../helpers/env.js";
import { fetchWithDeadline, freePort, waitFor } from "../helpers/net.js";

const CONTAINER = testName("drain-stop");
const IMAGE = `${testImage("drain-app")}:e2e`;
/** Docker's own default stop timeout: a turn streaming longer than this is cut unless StopTimeout follows the grace. */
const DOCKER_DEFAULT_STOP_S = 10;

const skip = await dockerSkipReason();

describe("docker stop drains the app container", { skip }, () => {
  const docker = new Docker();
  const dir = tempDir("ahb-drain-container-");
  let fakes: ProviderFakes;
  let port = 0;

  before(async () => {
    fakes = await startProviderFakes();
    await buildProjectImage(IMAGE);
    mkdirSync(`${dir.path}/data`);
    mkdirSync(`${dir.path}/exports`);
    chownSync(`${dir.path}/data`, CONTAINER_UID, CONTAINER_UID);
    chownSync(`${dir.path}/exports`, CONTAINER_UID, CONTAINER_UID);
    port = await freePort();
  });

  after(async () => {
    await removeContainer(docker, CONTAINER);
    await removeImageUnlessKept(docker, IMAGE);
    await fakes.close();
    dir.remove();
  });

  it("lets a streaming turn finish within the grace, answers reads, refuses new turns, and exits cleanly", async (t) => {
    // The spec ahb deploy creates (its StopTimeout included), on the host's network so the container reaches the
    // provider fakes on 127.0.0.1 and the test reaches it there too: loopback only.
    const spec = containerSpec(loadOpsConfig({ cwd: dir.path, env: {}, file: undefined }), {
      name: CONTAINER,
      image: IMAGE,
      version: "drain",
      envValues: { ...validKeys(), ...fakes.env, ENVIRONMENT: "production", TITLE_MODEL: "off" },
    });
    const stopTimeoutS = spec.StopTimeout as number;
    assert.ok(stopTimeoutS > DOCKER_DEFAULT_STOP_S, `StopTimeout ${stopTimeoutS} s follows the 300 s grace`);
    await docker.createContainer({
      ...spec,
      // The image's own entry point (dist/server-bundle/main.js) binds 0.0.0.0; on the host's network the test binds loopback.
      Cmd: [
        "node",
        "--input-type=module",
        "-e",
        `const { serveUntilSignal } = await import("./dist/server/bootstrap.js");
         await serveUntilSignal({ envFile: ".env", host: "127.0.0.1", port: ${port} });
         process.exit(0);`,
      ],
      Healthcheck: { Test: ["NONE"] },
      Labels: { ...spec.Labels, ...TEST_LABELS },
      ExposedPorts: {},
      HostConfig: {
        ...spec.HostConfig,
        NetworkMode: "host",
        PortBindings: {},
        RestartPolicy: { Name: "no" },
      },
    });
    await docker.getContainer(CONTAINER).start();
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => ((await fetchWithDeadline(`${base}/api/health`)).ok ? true : undefined),
      120_000,
    );

    const sessionId = await newSession(base);
    // About 14 s of streaming: longer than Docker's default 10 s, well inside the grace.
    scriptSlowPage(fakes, 28, 500);
    const turn = await startStreamingTurn(base, sessionId);
    const stopped = Date.now();
    const stop = execa("docker", ["stop", CONTAINER], { reject: false });
    assertDrainObserved(await observeDrain(base, sessionId));
    assertTurnCompleted(await turn.events);
    const turnEndedS = (Date.now() - stopped) / 1000;
    const result = await stop;
    const stopS = (Date.now() - stopped) / 1000;
    assert.equal(result.exitCode, 0, result.stderr);

    const state = (await docker.getContainer(CONTAINER).inspect()).State;
    assert.deepEqual(
      { exitCode: state.ExitCode, oomKilled: state.OOMKilled },
      { exitCode: 0, oomKilled: false },
    );
    assert.ok(
      turnEndedS > DOCKER_DEFAULT_STOP_S,
      `the turn ran past Docker's default timeout (${turnEndedS} s)`,
    );
    assert.ok(stopS < stopTimeoutS, `docker stop took ${stopS} s, inside the ${stopTimeoutS} s stop timeout`);
    assert.deepEqual(storedOutcome(`${dir.path}/data/app.db`), {
      ledger: ["ok"],
      assistant: ["ok"],
      userMessages: 1,
    });
    t.diagnostic(
      `docker stop: turn ended ${turnEndedS.toFixed(1)} s after the stop, container gone after ${stopS.toFixed(1)} s`,
    );
  });
});
