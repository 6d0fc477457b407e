// Container start to first 200: the whole outage of a deploy without a proxy. The project's image (built by the
// Dockerfile on the offline base image, from the build cache when it is warm) is started with the runtime's
// hardening on a database that already exists, and /api/health is polled on a loopback port every 10 ms from the
// start request to the first 200. The floor, alternating in the same run: the same image running a bare
// `node:http` server that answers 200 at once, so the container runtime and Node's own start are in both figures.
// Usage: npm run bench -- container-start   (BENCH_START_RUNS=7; builds the image first, minutes when cold)
import { chownSync, mkdirSync } from "node:fs";
import { get } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { CONTAINER_UID, runtimeHardening } from "../src/ops/docker/spec.js";
import {
  TEST_LABELS,
  buildProjectImage,
  removeContainer,
  removeImageUnlessKept,
  removeStageImages,
  testImage,
  testName,
} from "../test/helpers/docker.js";
import { tempDir, validKeys } from "../test/helpers/env.js";
import { freePort } from "../test/helpers/net.js";
import { load1, median, type BenchReport, type BenchRow } from "./lib/report.js";

const runs = Number(process.env.BENCH_START_RUNS ?? 7);
const IMAGE = `${testImage("bench-start")}:bench`;
const CONTAINER = testName("bench-start");
const LIMIT_MS = 2000;
const GIVE_UP_MS = 60_000;
const BARE_SERVER = 'require("node:http").createServer((q, s) => s.end("{}")).listen(8000, "0.0.0.0")';

interface StartTiming {
  createMs: number;
  firstOkMs: number;
}

/** node:http rather than fetch: its pending socket keeps the event loop alive while the container starts. */
function healthStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(0));
  });
}

async function firstOk(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if ((await healthStatus(url)) === 200) return;
    await sleep(10);
  }
  throw new Error(`no 200 from ${url} within ${GIVE_UP_MS} ms`);
}

/** Creates, starts and polls one container, then removes it: the start figure runs from start() to the first 200. */
async function timeStart(docker: Docker, dataDir: string, bare: boolean): Promise<StartTiming> {
  const port = await freePort();
  const createStarted = performance.now();
  const container = await docker.createContainer({
    name: CONTAINER,
    Image: IMAGE,
    Env: Object.entries({ ...validKeys(), ENVIRONMENT: "production" }).map(([k, v]) => `${k}=${v}`),
    Labels: TEST_LABELS,
    ...(bare ? { Cmd: ["node", "-e", BARE_SERVER] } : {}),
    ExposedPorts: { "8000/tcp": {} },
    HostConfig: {
      PortBindings: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] },
      Binds: [`${dataDir}/data:/app/data`, `${dataDir}/exports:/app/exports`],
      ShmSize: 512 * 1024 ** 2,
      // As containerSpec creates it: tini as PID 1.
      Init: true,
      ...runtimeHardening,
    },
  });
  const createMs = performance.now() - createStarted;
  try {
    const started = performance.now();
    await container.start();
    await firstOk(`http://127.0.0.1:${port}/api/health`, Date.now() + GIVE_UP_MS);
    return { createMs, firstOkMs: performance.now() - started };
  } finally {
    await removeContainer(docker, CONTAINER);
  }
}

export default async function benchContainerStart(): Promise<BenchReport> {
  const loadStart = load1();
  const docker = new Docker();
  const dir = tempDir("ahb-bench-start-");
  const buildStarted = performance.now();
  try {
    await buildProjectImage(IMAGE, { AHB_APP: CONTAINER });
    const buildS = (performance.now() - buildStarted) / 1000;
    for (const sub of ["data", "exports"]) {
      mkdirSync(`${dir.path}/${sub}`);
      chownSync(`${dir.path}/${sub}`, CONTAINER_UID, CONTAINER_UID);
    }
    // The first start creates and migrates the database; a deploy starts on one that exists.
    await timeStart(docker, dir.path, false);
    const app: StartTiming[] = [];
    const bare: StartTiming[] = [];
    for (let run = 0; run < runs; run += 1) {
      bare.push(await timeStart(docker, dir.path, true));
      app.push(await timeStart(docker, dir.path, false));
    }
    const appMs = median(app.map((timing) => timing.firstOkMs));
    const bareMs = median(bare.map((timing) => timing.firstOkMs));
    const row: BenchRow = {
      what: "container start to first 200 of /api/health",
      value: appMs,
      unit: "ms",
      against: "same image, bare node:http server",
      reference: bareMs,
      ratio: appMs / bareMs,
      target: `< ${LIMIT_MS} ms`,
      met: appMs < LIMIT_MS,
    };
    const samples = (timings: StartTiming[]) =>
      timings.map((timing) => Math.round(timing.firstOkMs)).join("/");
    return {
      name: "container start",
      rows: [row],
      notes: [
        `${runs} starts of each, alternating, on an existing database; /api/health polled every 10 ms on a loopback port.`,
        `samples (ms): app ${samples(app)}; bare ${samples(bare)}.`,
        `container create (before the start): median ${Math.round(median(app.map((timing) => timing.createMs)))} ms; image build ${buildS.toFixed(0)} s (cache when warm).`,
      ],
      load: [loadStart, load1()],
    };
  } finally {
    await removeContainer(docker, CONTAINER);
    await removeImageUnlessKept(docker, IMAGE);
    await removeStageImages(docker, CONTAINER);
    dir.remove();
  }
}
