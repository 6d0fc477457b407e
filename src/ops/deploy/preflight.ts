import { chownSync, existsSync, mkdirSync, statfsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { permissionProblems } from "../../config/check.js";
import { loadConfig, readEnvFile } from "../../config/load.js";
import { ExitCode, UserError } from "../../errors.js";
import { CONTAINER_UID } from "../docker/spec.js";
import type { ContainerState, Engine, EngineVersion } from "../docker/engine.js";
import { colourPorts, hostDatabasePath, nextContainerName, type OpsConfig } from "../../config/ops.js";
import { idlePort } from "./bluegreen.js";
import { colourOf } from "./live-state.js";
import { readUpstreamPort } from "./proxy.js";
import { containerWriteProblems, writableByContainer } from "../docker/container-user.js";
import { acquireLock, type HeldLock } from "../../shared/lock.js";
import type { Progress } from "./progress.js";
import { recoverInterruptedSwap } from "./recover.js";
import { waitForRunningBackup } from "../backup/wait.js";

export interface EnvFileCheck {
  values: Record<string, string>;
  secretValues: string[];
  /** Group-readable is allowed but worth a warning. */
  warnings: string[];
}

/** The env file the container gets, checked with the server's own schema so a missing key fails here. */
export function checkEnvFile(path: string): EnvFileCheck {
  const { values, info } = readEnvFile(path, true);
  const mode = info?.mode ?? 0;
  const { errors, warnings } = permissionProblems(mode, path);
  if (errors.length > 0) throw new UserError(`env file refused: ${errors[0]}`, ExitCode.PREFLIGHT_FAILED);
  const loaded = loadConfig({ envFile: path, envFileRequired: true, env: {} });
  return { values, secretValues: loaded.secretValues, warnings: [...warnings, ...loaded.warnings] };
}

export function lockPath(config: Pick<OpsConfig, "stateDir">): string {
  return join(config.stateDir, "deploy.lock");
}

export function takeLock(config: OpsConfig, command: string, progress: Progress): HeldLock {
  const lock = acquireLock(lockPath(config), {
    label: "deploy",
    command,
    staleAfterMs: config.lockStaleAfterS * 1000,
  });
  if (lock.tookOverFrom)
    progress({
      level: "warn",
      message: `took over a stale lock of ${lock.tookOverFrom.operator}@${lock.tookOverFrom.host} (pid ${lock.tookOverFrom.pid}, since ${lock.tookOverFrom.since})`,
    });
  return lock;
}

export async function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? resolve(false) : reject(error),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Free, or published by our own container (the one being replaced): anything else stops the deploy. */
export async function checkPort(
  engine: Engine,
  config: OpsConfig,
  live: ContainerState | undefined,
): Promise<string> {
  if (!config.publish) return `publishing nothing; joining network ${config.network ?? "(default)"}`;
  if (!config.proxy) return checkOnePort(engine, config, live, config.hostPort);
  // Blue/green: the serving colour's port is ours; the idle one must be free for the new container.
  const ports = colourPorts(config);
  const idle = idlePort(ports, live, readUpstreamPort(config.proxy));
  const checked = [await checkOnePort(engine, config, live, idle)];
  const serving = ports.find((port) => port !== idle);
  if (serving !== undefined && live?.published?.hostPort === serving)
    checked.unshift(`${config.bindAddress}:${serving} held by ${live.name} (${colourOf(config, serving)})`);
  return checked.join(", ");
}

async function checkOnePort(
  engine: Engine,
  config: OpsConfig,
  live: ContainerState | undefined,
  port: number,
): Promise<string> {
  const address = `${config.bindAddress}:${port}`;
  if (live?.running && live.published?.hostPort === port) return `${address} held by ${live.name}`;
  if (await portFree(config.bindAddress, port)) return `${address} free`;
  const holder = await engine.containerPublishing(port);
  if (holder === config.container || holder === nextContainerName(config))
    return `${address} held by ${holder}`;
  throw new UserError(
    `host port ${address} is taken by ${holder ? `container ${holder}` : "another process"}; free it or choose another port (--port / AHB_HOST_PORT)`,
    ExitCode.PREFLIGHT_FAILED,
  );
}

function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

export function freeMb(path: string): number {
  const stats = statfsSync(nearestExisting(path));
  return Math.floor((stats.bavail * stats.bsize) / 1024 ** 2);
}

/** The engine's storage (images are built there) and the backups directory need room. */
async function checkDisk(engine: Engine, config: OpsConfig): Promise<string> {
  const rootDir = await engine.dockerRootDir();
  const places = [config.backupsDir, ...(existsSync(rootDir) ? [rootDir] : [])];
  const report = places.map((path) => ({ path, mb: freeMb(path) }));
  const short = report.find((place) => place.mb < config.minFreeDiskMb);
  if (short)
    throw new UserError(
      `not enough disk space: ${short.mb} MB free under ${short.path}, ${config.minFreeDiskMb} MB needed (AHB_MIN_FREE_DISK_MB)`,
      ExitCode.PREFLIGHT_FAILED,
    );
  return report.map((place) => `${place.mb} MB free under ${place.path}`).join(", ");
}

/** The container runs as uid 10001: bind-mounted directories and the database files must be writable by it. */
function checkDataDirs(config: Pick<OpsConfig, "dataDir" | "exportsDir">): void {
  for (const dir of [config.dataDir, config.exportsDir]) {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o750 });
      if (process.getuid?.() === 0) chownSync(dir, CONTAINER_UID, CONTAINER_UID);
    }
    if (!writableByContainer(statSync(dir)))
      throw new UserError(
        `${dir} is not writable by the container user (uid ${CONTAINER_UID}); run chown ${CONTAINER_UID}:${CONTAINER_UID} ${dir}`,
        ExitCode.PREFLIGHT_FAILED,
      );
  }
  const problems = containerWriteProblems(hostDatabasePath(config));
  if (problems[0]) throw new UserError(problems[0], ExitCode.PREFLIGHT_FAILED, problems.slice(1));
}

export interface PreflightResult {
  engine: EngineVersion;
  env: EnvFileCheck;
  live?: ContainerState;
  lock: HeldLock;
}

/** Everything that can be checked before anything changes; the lock is held on return. */
export async function preflight(
  engine: Engine,
  config: OpsConfig,
  command: string,
  progress: Progress,
): Promise<PreflightResult> {
  progress({ level: "step", message: "preflight" });
  const version = await engine.version();
  progress({
    level: "info",
    message: `engine ${engine.endpoint}: Docker ${version.version}, API ${version.apiVersion}`,
  });
  const env = checkEnvFile(config.envFile);
  progress({ level: "info", message: `env file ${config.envFile}: valid` });
  for (const warning of env.warnings) progress({ level: "warn", message: warning });
  const lock = takeLock(config, command, progress);
  try {
    await waitForRunningBackup(config, command, (message) => progress({ level: "info", message }));
    await recoverInterruptedSwap(engine, config, progress);
    const live = await engine.inspectContainer(config.container);
    progress({ level: "info", message: `port: ${await checkPort(engine, config, live)}` });
    progress({ level: "info", message: `disk: ${await checkDisk(engine, config)}` });
    checkDataDirs(config);
    progress({ level: "info", message: `lock ${lockPath(config)} taken` });
    return { engine: version, env, live, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}
