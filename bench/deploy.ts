// Failed requests and cut SSE turns per deploy, through a real nginx, for three strategies in one run:
// ahb deploy behind the proxy (blue/green), ahb deploy without a proxy (canary, then the swap), and the seed's
// stop-then-start (`docker stop` + `docker run`). Load: two bounded request loops through nginx (one request per
// connection every 40 ms each, 50 req/s together at most) and one long SSE turn started as each swap begins.
// Usage: npm run build && node --import tsx bench/deploy.ts [blue/green rounds]   (writes bench/deploy.md)
// The site is the tiny stand-in of test/helpers/tiny-site.ts (boots in a second; APP_DRAIN=1 lets running streams
// finish on SIGTERM like the drained server), so the figures are the strategies', not the app's boot time.
import { readFileSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { cleanEnv, cliPath } from "../test/helpers/cli.js";
import { removeContainer } from "../test/helpers/docker.js";
import { validKeys, writeEnvFile } from "../test/helpers/env.js";
import { startRequestLoop } from "../test/helpers/load.js";
import { freePort } from "../test/helpers/net.js";
import { startHostNginx } from "../test/helpers/nginx.js";
import { createTinySite } from "../test/helpers/tiny-site.js";

const bgRounds = Number(process.argv.slice(2).find((arg) => /^[1-9]\d*$/.test(arg)) ?? 10);
const otherRounds = Number(process.argv.slice(2).filter((arg) => /^[1-9]\d*$/.test(arg))[1] ?? 3);
/** The round (1-based) of blue/green whose release fails health. */
const FAILING_ROUND = Math.min(3, bgRounds);
const TURN_MS = 15_000;
const STOP_TIMEOUT_S = 30;
const SEED_STOP_S = 10;

interface Round {
  strategy: string;
  round: number;
  release: string;
  exitCode: number;
  deployMs: number;
  requests: number;
  failed: number;
  turnCut: boolean;
  load: string;
}

const site = await createTinySite("bluegreen-bench");
const ports: [number, number] = [site.port, await freePort()];
const upstream = (port: number) => `upstream ahb {\n    server 127.0.0.1:${port};\n    keepalive 16;\n}\n`;
const nginx = await startHostNginx(site.root, upstream(ports[0]));
const opsPath = join(site.root, "ahb.ops.json");
const baseOps = JSON.parse(readFileSync(opsPath, "utf8")) as Record<string, unknown>;
const writeOps = (extra: Record<string, unknown>) =>
  writeFileSync(
    opsPath,
    JSON.stringify({ ...baseOps, stopTimeoutS: STOP_TIMEOUT_S, healthStartPeriodS: 60, ...extra }),
  );
writeEnvFile(join(site.root, ".env.prod"), { ...validKeys(), ENVIRONMENT: "production", APP_DRAIN: "1" });
const results: Round[] = [];
const seedNames: string[] = [];
const started = Date.now();

/** Rewritten after every round: a run stopped by its time bound still reports what it measured. */
function writeReport(complete: boolean): string {
  const strategies = [...new Set(results.map((result) => result.strategy))];
  const summary = strategies.map((strategy) => {
    const rows = results.filter((result) => result.strategy === strategy);
    const sum = (pick: (row: Round) => number) => rows.reduce((total, row) => total + pick(row), 0);
    return `| ${strategy} | ${rows.length} | ${sum((row) => row.requests)} | ${sum((row) => row.failed)} | ${sum((row) => (row.turnCut ? 1 : 0))} |`;
  });
  const rows = results.map(
    (r) =>
      `| ${r.strategy} | ${r.round} | ${r.release} | ${r.exitCode} | ${(r.deployMs / 1000).toFixed(1)} | ${r.requests} | ${r.failed} | ${r.turnCut ? "cut" : "completed"} | ${r.load} |`,
  );
  const markdown = `# Deploys under load: failed requests and cut turns

\`node --import tsx bench/deploy.ts ${bgRounds} ${otherRounds}\` (${new Date().toISOString()}, ${((Date.now() - started) / 60000).toFixed(1)} min).
A host nginx (its own prefix, 127.0.0.1, \`proxy_pass http://ahb\` through the upstream include) in front of the
tiny stand-in site (test/helpers/tiny-site.ts: boots in about a second, \`/api/stream\` is an SSE turn of
${TURN_MS / 1000} s, and with APP_DRAIN=1 it lets running streams finish on SIGTERM like the drained server).
Load through nginx during each deploy: two request loops, one GET /api/health per connection every 40 ms each
(at most 50 req/s together; sequential, so a slow answer lowers the rate), and one SSE turn started when the swap
starts (for the seed: just before \`docker stop\`). Stop timeout ${STOP_TIMEOUT_S} s for ahb; \`docker stop -t ${SEED_STOP_S}\` for the seed.
Blue/green round ${FAILING_ROUND} deploys an image whose server exits at boot. Load average (1 min) after each
round is in the last column: 2 cores, shared with other work.

| strategy | deploys | requests | failed requests | cut turns |
| --- | --- | --- | --- | --- |
${summary.join("\n")}

| strategy | round | release | exit | deploy (s) | requests | failed | SSE turn | load |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Reading: blue/green never stops the serving container before nginx names the new one, and stops it with a drain,
so neither a read nor the turn fails; the failing release is refused by the canary (exit 10) before anything
changes. The swap without a proxy refuses connections from the old server's stop until the new one listens, and
the seed also cuts the turn when \`docker stop\` kills the old server before the turn ends. Each request opens its own
connection: a graceful nginx reload closes idle keep-alive client connections, which a browser answers by resending
an idempotent request, and a connection per request measures the server side, which is what a deploy changes.
This bench uses the stand-in site, not the real image with the provider fakes: on this host (load 15-20 on 2 cores
while it ran) the real image's boot alone takes tens of seconds, and the run had to stay within minutes.
  `;

  const text = complete
    ? markdown
    : `${markdown}\n**Partial run**: stopped after ${results.length} deploys.\n`;
  writeFileSync(new URL("./deploy.md", import.meta.url), text);
  return text;
}

/** One SSE turn through nginx: cut unless the server's final "event: done" arrives. */
function sseTurn(): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(
      `http://127.0.0.1:${nginx.port}/api/stream?ms=${TURN_MS}`,
      { agent: false },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve(!body.includes("event: done")));
        response.on("error", () => resolve(true));
      },
    );
    request.on("error", () => resolve(true));
  });
}

/** Runs a strategy's deploy under load; the turn starts when the swap starts (so it is running at the stop). */
async function measured(
  strategy: string,
  round: number,
  release: string,
  run: (startTurn: () => void) => Promise<number>,
) {
  const loops = [0, 1].map(() =>
    startRequestLoop(`http://127.0.0.1:${nginx.port}/api/health`, { intervalMs: 40, maxRequests: 20_000 }),
  );
  await sleep(300);
  let turn: Promise<boolean> | undefined;
  const begun = Date.now();
  const exitCode = await run(() => (turn ??= sseTurn()));
  const deployMs = Date.now() - begun;
  const turnCut = await (turn ?? sseTurn());
  await sleep(300);
  const reports = await Promise.all(loops.map((loop) => loop.stop()));
  results.push({
    strategy,
    round,
    release,
    exitCode,
    deployMs,
    requests: reports.reduce((sum, report) => sum + report.sent, 0),
    failed: reports.reduce((sum, report) => sum + report.failed, 0),
    turnCut,
    load: loadavg()[0]?.toFixed(1) ?? "?",
  });
  writeReport(false);
  const last = results.at(-1);
  process.stderr.write(`${JSON.stringify(last)}\n`);
}

/** ahb deploy; the turn starts at its "swap to" line. */
async function ahb(args: string[], startTurn: () => void): Promise<number> {
  const child = execa(process.execPath, ["--", cliPath, ...args], {
    cwd: site.root,
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    if (/swap to /.test(String(chunk))) startTurn();
  });
  return (await child).exitCode ?? -1;
}

async function servingPort(): Promise<number | undefined> {
  const info = await site.docker.getContainer(site.container).inspect();
  const binding = Object.values(info.NetworkSettings.Ports ?? {})[0];
  return binding?.[0] ? Number(binding[0].HostPort) : undefined;
}

try {
  writeOps({ proxy: { ...nginx.proxy, ports } });
  const first = await execa(process.execPath, ["--", cliPath, "deploy", "--tag", "b0", "--no-backup"], {
    cwd: site.root,
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
  });
  if (first.exitCode !== 0) throw new Error(`first deploy failed: ${first.stderr}`);
  const image = `${site.image}:b0`;
  const failing = `${site.image}:failing`;

  for (let round = 1; round <= bgRounds; round++) {
    const release = round === FAILING_ROUND ? failing : image;
    // Built just before its round: every healthy deploy prunes this app's unproven images.
    if (round === FAILING_ROUND)
      await execa(
        "docker",
        ["build", "-q", "-t", failing, "--label", `ahb.app=${site.container}`, site.contexts.failing],
        { env: { DOCKER_BUILDKIT: "0" } },
      );
    await measured(
      "blue/green (ahb deploy, nginx upstream switch)",
      round,
      round === FAILING_ROUND ? "fails health" : "ok",
      (startTurn) =>
        ahb(["deploy", "--no-build", "--image", release, "--tag", `b${round}`, "--no-backup"], startTurn),
    );
  }

  // Today's swap and the seed publish on the blue port: get there first (unmeasured), then drop the proxy entry.
  if ((await servingPort()) !== ports[0])
    await ahb(
      ["deploy", "--no-build", "--image", image, "--tag", "b-to-blue", "--no-backup"],
      () => undefined,
    );
  writeOps({ hostPort: ports[0] });
  for (let round = 1; round <= otherRounds; round++)
    await measured("swap (ahb deploy without a proxy)", round, "ok", (startTurn) =>
      ahb(["deploy", "--no-build", "--image", image, "--tag", `s${round}`, "--no-backup"], startTurn),
    );

  let previous = site.container;
  for (let round = 1; round <= otherRounds; round++) {
    const next = `${site.container}-seed-${round}`;
    seedNames.push(next);
    await measured("stop-then-start (seed: docker stop + docker run)", round, "ok", async (startTurn) => {
      startTurn();
      await sleep(200);
      await execa("docker", ["stop", "-t", String(SEED_STOP_S), previous]);
      const ran = await execa(
        "docker",
        [
          "run",
          "-d",
          "--name",
          next,
          "--env-file",
          join(site.root, ".env.prod"),
          "-p",
          `127.0.0.1:${ports[0]}:8000`,
          "-v",
          `${site.root}/data:/app/data`,
          "-v",
          `${site.root}/exports:/app/exports`,
          image,
        ],
        { reject: false },
      );
      for (let i = 0; i < 300; i++) {
        const ok = await fetch(`http://127.0.0.1:${ports[0]}/api/health`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        await sleep(100);
      }
      return ran.exitCode ?? -1;
    });
    previous = next;
  }
} finally {
  for (const name of seedNames) await removeContainer(site.docker, name);
  await nginx.stop();
  await site.remove();
}

process.stdout.write(writeReport(true));
