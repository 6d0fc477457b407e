// Unavailability window of `ahb deploy` (health-gated swap) vs the seed's stop-then-start
// (`docker stop` + `docker run` of a new container), seen by a client polling /api/health every 50 ms.
// Usage: npm run build && node --import tsx bench/deploy.ts [rounds]   (writes bench/deploy.md)
import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { execa } from "execa";
import { cleanEnv, runCli } from "../test/helpers/cli.js";
import { buildProjectImage, ensureBaseImage, removeContainer } from "../test/helpers/docker.js";
import { tempDir, validKeys, writeEnvFile } from "../test/helpers/env.js";
import { freePort, waitFor } from "../test/helpers/net.js";
import { startAvailabilityProbe } from "../test/helpers/probe.js";

// `npm run bench -- deploy` passes the bench name too: only a numeric argument is a round count.
const rounds = Number(process.argv.slice(2).find((arg) => /^[1-9]\d*$/.test(arg)) ?? 3);
const IMAGE = "ahb-deploytest-bench:app";
const CONTAINER = "ahb-deploytest-bench";
const PROBE_MS = 50;

interface Round {
  method: string;
  round: number;
  probeMs: number;
  printedMs: number | null;
}

const docker = new Docker();
const dir = tempDir("ahb-deploytest-bench-");
const port = await freePort();
const url = `http://127.0.0.1:${port}/api/health`;
const results: Round[] = [];
const baselineNames: string[] = [];

async function answering(): Promise<void> {
  await waitFor(async () => ((await fetch(url)).status === 200 ? true : undefined), 300_000, 100);
}

async function ahbDeploy(tag: string): Promise<number | null> {
  const run = await runCli(
    ["deploy", "--no-build", "--image", IMAGE, "--tag", tag, "--no-backup", "--json"],
    {
      cwd: dir.path,
      env: cleanEnv(),
    },
  );
  if (run.exitCode !== 0) throw new Error(`ahb deploy failed: ${String(run.stderr)}`);
  return (JSON.parse(String(run.stdout)) as { downtimeMs: number | null }).downtimeMs;
}

async function stopThenStart(previous: string, next: string): Promise<void> {
  await execa("docker", ["stop", previous]);
  await execa("docker", [
    "run",
    "-d",
    "--name",
    next,
    "--env-file",
    `${dir.path}/.env.prod`,
    "-p",
    `127.0.0.1:${port}:8000`,
    "-v",
    `${dir.path}/data:/app/data`,
    "-v",
    `${dir.path}/exports:/app/exports`,
    IMAGE,
  ]);
  await answering();
}

try {
  await ensureBaseImage();
  await buildProjectImage(IMAGE);
  for (const sub of ["data", "exports"]) {
    mkdirSync(`${dir.path}/${sub}`);
    chownSync(`${dir.path}/${sub}`, 10001, 10001);
  }
  writeFileSync(
    `${dir.path}/ahb.ops.json`,
    JSON.stringify({ container: CONTAINER, hostPort: port, minFreeDiskMb: 256 }),
  );
  writeEnvFile(`${dir.path}/.env.prod`, { ...validKeys(), ENVIRONMENT: "production" });
  await ahbDeploy("bench-0");

  for (let round = 1; round <= rounds; round++) {
    const probe = startAvailabilityProbe(url, PROBE_MS);
    await sleep(500);
    const printedMs = await ahbDeploy(`bench-${round}`);
    await sleep(500);
    results.push({
      method: "ahb deploy (health-gated swap)",
      round,
      probeMs: (await probe.stop()).windowMs,
      printedMs,
    });
  }

  let previous = CONTAINER;
  for (let round = 1; round <= rounds; round++) {
    const next = `${CONTAINER}-baseline-${round}`;
    baselineNames.push(next);
    const probe = startAvailabilityProbe(url, PROBE_MS);
    await sleep(500);
    await stopThenStart(previous, next);
    await sleep(500);
    results.push({
      method: "docker stop + docker run (seed)",
      round,
      probeMs: (await probe.stop()).windowMs,
      printedMs: null,
    });
    previous = next;
  }
} finally {
  for (const name of [CONTAINER, `${CONTAINER}-next`, ...baselineNames]) await removeContainer(docker, name);
  // noprune keeps the untagged parent layers: they are the build cache of the next run.
  await docker
    .getImage(IMAGE)
    .remove({ noprune: true })
    .catch(() => undefined);
  dir.remove();
}

const NOTES = `Reading: the swap creates the new container before the old one stops, so the window is the old server's
shutdown + \`docker start\` + the new server's boot; the boot (Node start and module loading of \`ahb serve\`)
dominates, and on a busy 2-core host it takes seconds. The deploy's own figure (stop request to first 200) agrees
with the probe's within its 50 ms cadence.`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const methods = [...new Set(results.map((result) => result.method))];
const rows = results.map((r) => `| ${r.method} | ${r.round} | ${r.probeMs} | ${r.printedMs ?? "-"} |`);
const summary = methods.map(
  (method) => `| ${method} | ${median(results.filter((r) => r.method === method).map((r) => r.probeMs))} |`,
);
if (results.length === 0) throw new Error("no round was measured: nothing to report");
const ahbMedian = median(results.filter((r) => r.method === methods[0]).map((r) => r.probeMs));
const verdict = `Target (under 2 s) ${ahbMedian < 2000 ? "met" : "not met"} on this run: ahb deploy median ${ahbMedian} ms.`;
const markdown = `# Deploy unavailability window

\`node --import tsx bench/deploy.ts ${rounds}\` (${new Date().toISOString()}): a client polls \`/api/health\` through
the published port every ${PROBE_MS} ms; the window is the longest stretch from its last 200 before the swap to its
first 200 after it. Same image, same host, same bind mounts for both methods. Target: under 2 s.
Load average while measuring: ${loadavg()
  .map((value) => value.toFixed(1))
  .join(", ")} (2 cores, shared).

| method | median window (ms) |
| --- | --- |
${summary.join("\n")}

| method | round | probe window (ms) | printed by ahb deploy (ms) |
| --- | --- | --- | --- |
${rows.join("\n")}

${verdict}

${NOTES}
`;
writeFileSync(new URL("./deploy.md", import.meta.url), markdown);
process.stdout.write(markdown);
