// Failed requests and cut SSE turns per deploy, through a real nginx, for three strategies in one run:
// ahb deploy behind the proxy (blue/green), ahb deploy without a proxy (canary, then the swap), and the seed's
// stop-then-start (`docker stop` + `docker run`). The app is the real image (the project's Dockerfile on the offline
// base image, as the container tests build it); its chat turns stream from the provider fakes (test/fakes/), which
// each container reaches on its own loopback (test/helpers/netns-fakes.ts). Load: twelve bounded request loops through
// nginx (one request per connection every 180 ms each, half on GET /api/health, half on GET /api/sessions/:id) and one create
// turn streaming across each deploy.
// Usage: npm run build && node --import tsx bench/deploy.ts [blue/green rounds] [swap and seed rounds]
// (writes bench/deploy.md; defaults 10 and 3).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { parseSse } from "../test/chat/helpers.js";
import { startProviderFakes } from "../test/fakes/index.js";
import { cleanEnv, cliPath } from "../test/helpers/cli.js";
import {
  buildProjectImage,
  removeContainer,
  removeImageUnlessKept,
  TEST_LABELS,
} from "../test/helpers/docker.js";
import { DRAIN_PAGE, newSession, scriptSlowPage } from "../test/helpers/drain-scenario.js";
import { validKeys, writeEnvFile } from "../test/helpers/env.js";
import { startRequestLoop } from "../test/helpers/load.js";
import { forwardFakesIntoContainers } from "../test/helpers/netns-fakes.js";
import { freePort } from "../test/helpers/net.js";
import { startHostNginx } from "../test/helpers/nginx.js";
import { createTinySite } from "../test/helpers/tiny-site.js";

const started = Date.now();
const counts = process.argv.slice(2).filter((arg) => /^[1-9]\d*$/.test(arg));
const bgRounds = Number(counts[0] ?? 10);
const otherRounds = Number(counts[1] ?? 3);
/** The round (1-based) of blue/green whose release crashes at boot. */
const FAILING_ROUND = Math.min(3, bgRounds);
/** The create turn: 40 chunks 500 ms apart from the Gemini fake, about 20 s of streaming. */
const TURN_CHUNKS = 40;
const TURN_CHUNK_MS = 500;
const SEED_STOP_S = 10;
/** Twelve sequential loops, one request every 180 ms each: 66 req/s together while an answer takes under 180 ms. */
const READ_LOOPS = 12;
const READ_INTERVAL_MS = 180;
const APP_IMAGE = "ahb-test/deploybench-app:bench";
/** The whole run's bound: no round starts after it, and SIGINT/SIGTERM end the run the same way (cleaned up). */
const MAX_RUN_MS = 40 * 60_000;
let stopRequested = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => (stopRequested = true));
const mayGoOn = () => !stopRequested && Date.now() - started < MAX_RUN_MS;

interface Round {
  strategy: string;
  round: number;
  release: string;
  exitCode: number;
  deployMs: number;
  requests: number;
  ratePerS: number;
  failed: number;
  turn: "completed" | "cut" | "none";
  /** The turn's provider call came from the container that was serving before the deploy. */
  turnOnOld: boolean;
  load: string;
}

const loadAtStart = loadavg()[0]?.toFixed(1) ?? "?";
process.stderr.write(`building ${APP_IMAGE} (cached stages make this fast after the first build)\n`);
await buildProjectImage(APP_IMAGE);
const buildS = ((Date.now() - started) / 1000).toFixed(0);

const fakes = await startProviderFakes();
const site = await createTinySite("deploybench");
const forwarder = await forwardFakesIntoContainers(
  site.docker,
  site.container,
  [fakes.env.ANTHROPIC_BASE_URL, fakes.env.GOOGLE_GEMINI_BASE_URL],
  join(site.root, "fakes-sockets"),
);
const ports: [number, number] = [site.port, await freePort()];
const upstream = (port: number) => `upstream ahb {\n    server 127.0.0.1:${port};\n    keepalive 16;\n}\n`;
const nginx = await startHostNginx(site.root, upstream(ports[0]));
const base = `http://127.0.0.1:${nginx.port}`;
const opsPath = join(site.root, "ahb.ops.json");
const baseOps = JSON.parse(readFileSync(opsPath, "utf8")) as Record<string, unknown>;
const writeOps = (extra: Record<string, unknown>) =>
  writeFileSync(
    opsPath,
    JSON.stringify({
      ...baseOps,
      memory: "1g",
      cpus: 1,
      healthIntervalS: 2,
      healthStartPeriodS: 60,
      ...extra,
    }),
  );
const envFile = join(site.root, ".env.prod");
writeEnvFile(envFile, {
  ...validKeys(),
  ...fakes.env,
  ENVIRONMENT: "production",
  TITLE_MODEL: "off",
  // Two sessions per round: one for the reads, one for the turn.
  MAX_SESSIONS_PER_USER: "1000",
});
const results: Round[] = [];
const seedNames: string[] = [];
const failing = `${site.image}:failing`;

/** Rewritten after every round: a run stopped by its time bound still reports what it measured. */
function writeReport(complete: boolean): string {
  const strategies = [...new Set(results.map((result) => result.strategy))];
  const summary = strategies.map((strategy) => {
    const rows = results.filter((result) => result.strategy === strategy);
    const sum = (pick: (row: Round) => number) => rows.reduce((total, row) => total + pick(row), 0);
    return `| ${strategy} | ${rows.length} | ${sum((row) => row.requests)} | ${sum((row) => row.failed)} | ${sum((row) => (row.turn === "completed" ? 1 : 0))} | ${sum((row) => (row.turn === "cut" ? 1 : 0))} |`;
  });
  const rows = results.map(
    (r) =>
      `| ${r.strategy} | ${r.round} | ${r.release} | ${r.exitCode} | ${(r.deployMs / 1000).toFixed(1)} | ${r.requests} | ${r.ratePerS.toFixed(0)} | ${r.failed} | ${r.turn} | ${r.turnOnOld ? "old" : "new"} | ${r.load} |`,
  );
  const loads = results.map((r) => Number(r.load)).filter((value) => Number.isFinite(value));
  const markdown = `# Deploys under load: failed requests and cut turns

\`node --import tsx bench/deploy.ts ${bgRounds} ${otherRounds}\` (${new Date().toISOString()}, ${((Date.now() - started) / 60000).toFixed(1)} min; image build ${buildS} s from cached stages).
The real app image (\`${APP_IMAGE}\`: the project's Dockerfile on the offline base image, built by
\`buildProjectImage\` like the container tests) behind a host nginx (its own prefix, 127.0.0.1,
\`proxy_pass http://ahb\` through the upstream include ahb rewrites). The chat turns stream from the provider fakes
(test/fakes/, the Gemini wire format through the real SDK): each container reaches them on 127.0.0.1 inside its own
network namespace through a Unix-socket relay (test/helpers/netns-fakes.ts), so no bridge address is used.

Load through nginx during each deploy: ${READ_LOOPS} request loops, one request per connection every ${READ_INTERVAL_MS} ms each
(${((READ_LOOPS * 1000) / READ_INTERVAL_MS).toFixed(0)} req/s together at most; half on GET /api/health, half on GET /api/sessions/:id; sequential, so a slow answer lowers the rate; the rate column is
requests over the measured time) and one create turn of about ${(TURN_CHUNKS * TURN_CHUNK_MS) / 1000} s (${TURN_CHUNKS} chunks ${TURN_CHUNK_MS} ms apart)
started so that it streams across the switch: blue/green, when ahb writes the new upstream (before \`nginx -t\` and
the reload), so the old container serves it and is stopped while it streams; the failing release, when its canary
starts; the swap, at its "swap to" line; the seed, just before \`docker stop -t ${SEED_STOP_S}\`. A turn is cut unless its
SSE stream ends with \`done\`, no \`error\` event and the whole page. "turn served by" says which container made the
turn's provider call (counted by the relay): "old" means the drain was exercised. Stop timeout for ahb: the
container's own (SHUTDOWN_GRACE_SECONDS 300 + 15 s); \`docker stop -t ${SEED_STOP_S}\` for the seed, which then runs
the same image with \`docker run\` on the same port.
Blue/green round ${FAILING_ROUND} deploys an image whose server exits at boot (the real image with its command
replaced). Load average (1 min) at the start: ${loadAtStart}; after each round in the last column${loads.length > 0 ? ` (${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})` : ""}: 2 cores, shared with other work.

| strategy | deploys | requests | failed requests | completed turns | cut turns |
| --- | --- | --- | --- | --- | --- |
${summary.join("\n")}

| strategy | round | release | exit | deploy (s) | requests | req/s | failed | SSE turn | turn served by | load |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Reading: blue/green never stops the serving container before nginx names the new one, and stops it with a drain,
so neither a read nor the turn fails; the failing release is refused by the canary (exit 10) before anything
changes. The swap without a proxy refuses connections from the old server's stop until the new one listens (its
drain keeps the running turn alive); the seed also cuts the turn when \`docker stop\` kills the old server before
the turn ends. Each request opens its own connection: a graceful nginx reload closes idle keep-alive client
connections, which a browser answers by resending an idempotent request, and a connection per request measures the
server side, which is what a deploy changes.
`;
  const text = complete
    ? markdown
    : `${markdown}\n**Partial run**: stopped after ${results.length} deploys.\n`;
  writeFileSync(new URL("./deploy.md", import.meta.url), text);
  return text;
}

/** One create turn through nginx: cut unless it ends like an undisturbed one (why, on stderr). */
async function chatTurn(sessionId: string): Promise<"completed" | "cut"> {
  const cut = (why: string) => {
    process.stderr.write(`  turn cut: ${why}\n`);
    return "cut" as const;
  };
  try {
    scriptSlowPage(fakes, TURN_CHUNKS, TURN_CHUNK_MS);
    const response = await fetch(`${base}/api/chat/${sessionId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "A page, slowly", mode: "create" }),
    });
    if (response.status !== 200) return cut(`HTTP ${response.status}: ${await response.text()}`);
    const events = parseSse(await response.text()).events;
    const names = events.map((event) => event.event);
    const html = events.find((event) => event.event === "html")?.data.html;
    return !names.includes("error") && names.at(-1) === "done" && html === DRAIN_PAGE
      ? "completed"
      : cut(
          `events ${names.join(",")}; ${JSON.stringify(events.filter((event) => event.event === "error"))}`,
        );
  } catch (error) {
    return cut((error as Error).message);
  }
}

async function containerId(name: string): Promise<string | undefined> {
  try {
    return (await site.docker.getContainer(name).inspect()).Id;
  } catch {
    return undefined;
  }
}

/**
 * Runs a strategy's deploy under load; `startTurn` is called by the strategy when the turn must start. `serving`
 * names the container serving before the deploy (the seed's rounds replace ahb's container with their own).
 */
async function measured(
  strategy: string,
  round: number,
  release: string,
  run: (startTurn: () => void) => Promise<number>,
  serving = site.container,
) {
  fakes.reset();
  const oldId = await containerId(serving);
  const sessionId = await newSession(base);
  const turnSessionId = await newSession(base);
  const urls = [`${base}/api/health`, `${base}/api/sessions/${sessionId}`];
  const loops = Array.from({ length: READ_LOOPS }, (_, index) =>
    startRequestLoop(urls[index % urls.length] as string, {
      intervalMs: READ_INTERVAL_MS,
      maxRequests: 5_000,
    }),
  );
  const loopsStarted = Date.now();
  await sleep(300);
  let turn: Promise<"completed" | "cut"> | undefined;
  const before = new Map(forwarder.connections);
  const begun = Date.now();
  const exitCode = await run(() => (turn ??= chatTurn(turnSessionId)));
  const deployMs = Date.now() - begun;
  const turnOutcome = turn ? await turn : "none";
  await sleep(300);
  const reports = await Promise.all(loops.map((loop) => loop.stop()));
  const requests = reports.reduce((sum, report) => sum + report.sent, 0);
  const usedByOld = oldId !== undefined && (forwarder.connections.get(oldId) ?? 0) > (before.get(oldId) ?? 0);
  results.push({
    strategy,
    round,
    release,
    exitCode,
    deployMs,
    requests,
    ratePerS: requests / ((Date.now() - loopsStarted) / 1000),
    failed: reports.reduce((sum, report) => sum + report.failed, 0),
    turn: turnOutcome,
    turnOnOld: usedByOld,
    load: loadavg()[0]?.toFixed(1) ?? "?",
  });
  writeReport(false);
  process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
  for (const report of reports) for (const failure of report.failures) process.stderr.write(`  ${failure}\n`);
}

/** ahb deploy; the turn starts at the first progress line matching `trigger`. */
async function ahb(args: string[], trigger: RegExp, startTurn: () => void): Promise<number> {
  const child = execa(process.execPath, ["--", cliPath, ...args], {
    cwd: site.root,
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    if (trigger.test(String(chunk))) startTurn();
  });
  const result = await child;
  if (result.exitCode !== 0)
    process.stderr.write(`${String(result.stderr).split("\n").slice(-6).join("\n")}\n`);
  return result.exitCode ?? -1;
}

async function servingPort(): Promise<number | undefined> {
  const info = await site.docker.getContainer(site.container).inspect();
  const binding = Object.values(info.NetworkSettings.Ports ?? {})[0];
  return binding?.[0] ? Number(binding[0].HostPort) : undefined;
}

const deployArgs = (image: string, tag: string) => [
  "deploy",
  "--no-build",
  "--image",
  image,
  "--tag",
  tag,
  "--no-backup",
];

try {
  writeOps({ proxy: { ...nginx.proxy, ports } });
  const first = await ahb(deployArgs(APP_IMAGE, "b0"), /$^/, () => undefined);
  if (first !== 0) throw new Error(`first deploy failed (exit ${first})`);

  for (let round = 1; round <= bgRounds && mayGoOn(); round++) {
    const fails = round === FAILING_ROUND;
    // Built just before its round: every healthy deploy prunes this app's unproven images.
    if (fails)
      await execa("docker", ["build", "-q", "-t", failing, "--label", `ahb.app=${site.container}`, "-"], {
        input: `FROM ${APP_IMAGE}\nCMD ["node", "-e", "console.error('failing on purpose'); process.exit(1)"]\n`,
        env: { DOCKER_BUILDKIT: "0" },
      });
    await measured(
      "blue/green (ahb deploy, nginx upstream switch)",
      round,
      fails ? "fails health" : "ok",
      (startTurn) =>
        ahb(
          deployArgs(fails ? failing : APP_IMAGE, `b${round}`),
          fails ? /canary .* waiting/ : /now names/,
          startTurn,
        ),
    );
  }

  // Today's swap and the seed publish on the blue port: get there first (unmeasured), then drop the proxy entry.
  if (mayGoOn() && (await servingPort()) !== ports[0])
    await ahb(deployArgs(APP_IMAGE, "b-to-blue"), /$^/, () => undefined);
  writeOps({ hostPort: ports[0] });
  for (let round = 1; round <= otherRounds && mayGoOn(); round++)
    await measured("swap (ahb deploy without a proxy)", round, "ok", (startTurn) =>
      ahb(deployArgs(APP_IMAGE, `s${round}`), /swap to /, startTurn),
    );

  let previous = site.container;
  for (let round = 1; round <= otherRounds && mayGoOn(); round++) {
    const next = `${site.container}-seed-${round}`;
    seedNames.push(next);
    await measured(
      "stop-then-start (seed: docker stop + docker run)",
      round,
      "ok",
      async (startTurn) => {
        startTurn();
        await sleep(1000);
        await execa("docker", ["stop", "-t", String(SEED_STOP_S), previous]);
        const ran = await execa(
          "docker",
          [
            "run",
            "-d",
            "--name",
            next,
            ...Object.entries(TEST_LABELS).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
            "--env-file",
            envFile,
            "-e",
            "DATABASE_PATH=/app/data/app.db",
            "-e",
            "EXPORT_DIR=/app/exports",
            "-p",
            `127.0.0.1:${ports[0]}:8000`,
            "-v",
            `${site.root}/data:/app/data`,
            "-v",
            `${site.root}/exports:/app/exports`,
            APP_IMAGE,
          ],
          { reject: false },
        );
        for (let i = 0; i < 1200; i++) {
          const ok = await fetch(`http://127.0.0.1:${ports[0]}/api/health`).then(
            (r) => r.status === 200,
            () => false,
          );
          if (ok) break;
          await sleep(100);
        }
        return ran.exitCode ?? -1;
      },
      previous,
    );
    previous = next;
  }
} finally {
  for (const name of seedNames) await removeContainer(site.docker, name);
  await forwarder.close();
  await nginx.stop();
  await site.remove();
  await fakes.close();
  await removeImageUnlessKept(site.docker, failing);
  await removeImageUnlessKept(site.docker, APP_IMAGE);
}

process.stdout.write(writeReport(results.length === bgRounds + 2 * otherRounds));
