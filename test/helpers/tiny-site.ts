import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { openDatabase } from "../../src/db/open.js";
import { CONTAINER_UID } from "../../src/ops/docker/spec.js";
import { cleanEnv, runCli } from "./cli.js";
import { BASE_IMAGE, ensureBaseImage, removeContainer } from "./docker.js";
import { tempDir, validKeys, writeEnvFile } from "./env.js";
import { fetchWithDeadline, freePort } from "./net.js";

export { CONTAINER_UID };

/**
 * A stand-in for the app that builds in seconds on the offline base image: it runs as uid 10001 like the real
 * image, and its /api/health answers 200 only while it can write the bind-mounted database (503 otherwise), the
 * way the real server fails on a database it cannot write. APP_FAIL=1 in an image makes it exit at boot;
 * APP_UNHEALTHY=1 makes its health answer 503 while it keeps running. /api/stream?ms= is a stand-in SSE turn.
 */
const SERVER = `
const http = require("node:http");
const fs = require("node:fs");
if (process.env.APP_FAIL === "1") { console.log("failing on purpose"); process.exit(1); }
let probes = 0;
let streams = 0;
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/api/stream")) {
    // A stand-in for a chat turn: server-sent events for ?ms= milliseconds, then "event: done".
    const ms = Number(new URL(req.url, "http://x").searchParams.get("ms") || 10000);
    streams++;
    res.writeHead(200, { "content-type": "text/event-stream" });
    const tick = setInterval(() => res.write("data: tick\\n\\n"), 200);
    setTimeout(() => { clearInterval(tick); res.end("event: done\\ndata: ok\\n\\n"); streams--; if (draining && streams === 0) process.exit(0); }, ms);
    return;
  }
  if (req.url !== "/api/health") { res.writeHead(404); return res.end(); }
  probes++;
  if (process.env.APP_UNHEALTHY === "1") { res.writeHead(503); return res.end(JSON.stringify({ status: "error" })); }
  try {
    if (fs.existsSync("/app/data/app.db")) fs.closeSync(fs.openSync("/app/data/app.db", "r+"));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", version: process.env.AHB_VERSION }));
  } catch (error) {
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "error", error: error.code }));
  }
}).listen(8000, () => console.log("listening; version " + process.env.AHB_VERSION));
let draining = false;
process.on("SIGTERM", () => {
  console.log("stopping after " + probes + " probes");
  // APP_DRAIN=1: like the real server's drain, running streams finish (within the stop timeout) before the exit.
  if (process.env.APP_DRAIN !== "1" || streams === 0) process.exit(0);
  draining = true;
  server.close();
  server.closeIdleConnections();
});
`;

function dockerfile(extra = ""): string {
  return [
    `FROM ${BASE_IMAGE}`,
    "WORKDIR /app",
    "COPY server.js /app/server.js",
    "ARG AHB_VERSION=dev",
    "ENV AHB_VERSION=${AHB_VERSION}",
    extra,
    "USER 10001:10001",
    'CMD ["node", "/app/server.js"]',
    "",
  ].join("\n");
}

export interface TinySite {
  root: string;
  container: string;
  image: string;
  port: number;
  dbPath: string;
  /** Build contexts: the working app, one whose server exits at boot, one whose health answers 503. */
  contexts: { ok: string; failing: string; unhealthy: string };
  docker: Docker;
  cli(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  health(): Promise<{ status: number; version?: string } | undefined>;
  remove(): Promise<void>;
}

/** A project directory with ahb.ops.json, .env.prod, data/ (uid 10001, a seeded database) and the contexts. */
export async function createTinySite(name: string): Promise<TinySite> {
  await ensureBaseImage();
  const docker = new Docker();
  const dir = tempDir(`ahb-test-${name}-`);
  const root = dir.path;
  const suffix = Math.random().toString(36).slice(2, 8);
  const container = `ahb-test-${name}-${suffix}`;
  const image = `ahb-test-${name}-${suffix}`;
  const port = await freePort();
  const contexts = {
    ok: join(root, "ctx-ok"),
    failing: join(root, "ctx-failing"),
    unhealthy: join(root, "ctx-unhealthy"),
  };
  for (const [context, extra] of [
    [contexts.ok, ""],
    [contexts.failing, "ENV APP_FAIL=1"],
    [contexts.unhealthy, "ENV APP_UNHEALTHY=1"],
  ] as const) {
    mkdirSync(context);
    writeFileSync(join(context, "server.js"), SERVER);
    writeFileSync(join(context, "Dockerfile"), dockerfile(extra));
  }
  for (const sub of ["data", "exports"]) {
    mkdirSync(join(root, sub));
    chownSync(join(root, sub), CONTAINER_UID, CONTAINER_UID);
  }
  const dbPath = join(root, "data", "app.db");
  openDatabase(dbPath).close();
  for (const suffixName of ["", "-wal", "-shm"]) {
    try {
      chownSync(`${dbPath}${suffixName}`, CONTAINER_UID, CONTAINER_UID);
    } catch {
      // WAL and SHM exist only while a connection is open.
    }
  }
  writeFileSync(
    join(root, "ahb.ops.json"),
    JSON.stringify({
      image,
      container,
      hostPort: port,
      context: contexts.ok,
      healthTimeoutS: 120,
      healthIntervalS: 1,
      // Docker's check (node -e) can exceed its 10 s timeout on the shared test host (load 20+ on 2 cores); a
      // test of the short default sets AHB_HEALTH_START_PERIOD for the deploy it measures.
      healthStartPeriodS: 60,
      stopTimeoutS: 2,
      minFreeDiskMb: 64,
      memory: "256m",
      cpus: 0.5,
    }),
  );
  writeEnvFile(join(root, ".env.prod"), { ...validKeys(), ENVIRONMENT: "production" });
  return {
    root,
    container,
    image,
    port,
    dbPath,
    contexts,
    docker,
    async cli(args, env = {}) {
      const result = await runCli(args, { cwd: root, env: cleanEnv(env) });
      return {
        exitCode: result.exitCode ?? -1,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
      };
    },
    async health() {
      try {
        const response = await fetchWithDeadline(`http://127.0.0.1:${port}/api/health`, 2000);
        const body = (await response.json().catch(() => ({}))) as { version?: string };
        return { status: response.status, version: body.version };
      } catch {
        return undefined;
      }
    },
    async remove() {
      for (const each of [container, `${container}-next`, `${container}-canary`])
        await removeContainer(docker, each);
      const images = await docker.listImages({ filters: { label: [`ahb.app=${container}`] } });
      for (const each of images)
        await docker
          .getImage(each.Id)
          .remove({ force: true })
          .catch(() => undefined);
      dir.remove();
    },
  };
}
