import type { ContainerCreateOptions, ImageBuildOptions } from "dockerode";
import { CONTAINER_PORT, type OpsConfig } from "../../config/ops.js";
import { keySpecs } from "../../config/schema.js";
import type { LogRequest } from "./engine.js";
import { parseDuration } from "../../shared/duration.js";

/** Labels that mark what ahb created, so cleanup and rollback never touch anything else. */
export const LABEL_APP = "ahb.app";
export const LABEL_VERSION = "ahb.version";
export const LABEL_GIT_SHA = "ahb.git-sha";
export const LABEL_BUILD_TIME = "ahb.build-time";
export const CONTAINER_UID = 10001;
/** Set by the Dockerfile at the end of each build stage: its name, and the app (build argument AHB_APP). */
export const LABEL_STAGE = "ahb.stage";
export const LABEL_STAGE_APP = "ahb.stage.app";

export interface BuildInfo {
  version: string;
  gitSha: string;
  builtAt: string;
}

export function imageRef(config: Pick<OpsConfig, "image">, version: string): string {
  return `${config.image}:${version}`;
}

export function buildOptions(
  config: Pick<OpsConfig, "image" | "container" | "dockerfile" | "buildArgs">,
  info: BuildInfo,
): ImageBuildOptions {
  return {
    t: imageRef(config, info.version),
    dockerfile: config.dockerfile,
    buildargs: { ...config.buildArgs, AHB_VERSION: info.version, AHB_APP: config.container },
    labels: {
      [LABEL_APP]: config.container,
      [LABEL_VERSION]: info.version,
      [LABEL_GIT_SHA]: info.gitSha,
      [LABEL_BUILD_TIME]: info.builtAt,
    },
    rm: true,
    forcerm: true,
  };
}

/** Fixed inside the container whatever the env file says: the mounts and the port are the spec's. */
const containerEnvOverrides = {
  PORT: String(CONTAINER_PORT),
  DATABASE_PATH: "/app/data/app.db",
  EXPORT_DIR: "/app/exports",
};

const NANOSECONDS = 1_000_000_000;

/**
 * The server needs no capability and never gains one; the image cannot be changed at run time. Writable: the two
 * mounts, /dev/shm, and /tmp (HOME, Chromium's profile and crash dumps) as a size-capped tmpfs.
 */
export const runtimeHardening = {
  CapDrop: ["ALL"],
  SecurityOpt: ["no-new-privileges"],
  ReadonlyRootfs: true,
  Tmpfs: { "/tmp": "rw,nosuid,nodev,size=256m" },
};

function memoryBytes(size: string): number {
  const match = /^(\d+)([kmg]?)$/i.exec(size);
  const units: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Number(match?.[1] ?? 0) * (units[(match?.[2] ?? "").toLowerCase()] ?? 1);
}

/** Past the drain's grace: cancelled turns record their outcome, the last bytes flush, the database closes. */
export const STOP_MARGIN_S = 15;

/**
 * Seconds Docker waits after SIGTERM before SIGKILL: the server's drain grace (SHUTDOWN_GRACE_SECONDS in the env
 * file) plus a margin, never below AHB_STOP_TIMEOUT. Stops that pass no timeout use this one.
 */
export function containerStopTimeoutS(
  config: Pick<OpsConfig, "stopTimeoutS">,
  env: Record<string, string>,
): number {
  const spec = keySpecs.SHUTDOWN_GRACE_SECONDS;
  const parsed = spec.schema.safeParse(env.SHUTDOWN_GRACE_SECONDS ?? spec.default);
  const graceS = parsed.success ? (parsed.data as number) : Number(spec.default);
  return Math.max(config.stopTimeoutS, graceS + STOP_MARGIN_S);
}

export interface ContainerSpecInput {
  name: string;
  image: string;
  version: string;
  envValues: Record<string, string>;
  /** Blue/green: the colour's host port instead of config.hostPort. */
  hostPort?: number;
}

/** The full create request: env, mounts, port, network, restart policy, limits, log rotation, health check, labels. */
export function containerSpec(config: OpsConfig, input: ContainerSpecInput): ContainerCreateOptions {
  const env = { ...input.envValues, ...containerEnvOverrides };
  const portKey = `${CONTAINER_PORT}/tcp`;
  return {
    name: input.name,
    Image: input.image,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: { [LABEL_APP]: config.container, [LABEL_VERSION]: input.version },
    ExposedPorts: { [portKey]: {} },
    Healthcheck: {
      Test: [
        "CMD",
        "node",
        "-e",
        `fetch('http://127.0.0.1:${CONTAINER_PORT}/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
      ],
      Interval: config.healthIntervalS * NANOSECONDS,
      // Generous: `node -e` itself can take seconds to start on a busy host, and a timeout counts as a failure.
      Timeout: 10 * NANOSECONDS,
      // Short and apart from ahb's own wait (healthTimeoutS): a release answering 503 shows unhealthy in seconds.
      StartPeriod: config.healthStartPeriodS * NANOSECONDS,
      Retries: 3,
    },
    StopTimeout: containerStopTimeoutS(config, env),
    HostConfig: {
      // tini as PID 1: a SIGTERM that lands before the server installs its handler still ends it (PID 1 would drop
      // it and docker stop would wait the whole StopTimeout), and Chromium's exited children are reaped.
      Init: true,
      Binds: [`${config.dataDir}:/app/data`, `${config.exportsDir}:/app/exports`],
      PortBindings: config.publish
        ? { [portKey]: [{ HostIp: config.bindAddress, HostPort: String(input.hostPort ?? config.hostPort) }] }
        : {},
      RestartPolicy: { Name: "unless-stopped" },
      Memory: memoryBytes(config.memory),
      NanoCpus: Math.round(config.cpus * NANOSECONDS),
      ShmSize: 512 * 1024 ** 2,
      ...runtimeHardening,
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
      ...(config.network ? { NetworkMode: config.network } : {}),
    },
    ...(config.network
      ? { NetworkingConfig: { EndpointsConfig: { [config.network]: { Aliases: [config.container] } } } }
      : {}),
  };
}

export const LABEL_ROLE = "ahb.role";

/**
 * The canary: the same container as a release's but beside the serving one, on an ephemeral loopback port, with its
 * own copy of the data, never restarted by Docker (a crash is the answer), and on no network (the proxy's alias
 * must never reach it).
 */
export function canarySpec(
  config: OpsConfig,
  input: ContainerSpecInput,
  dirs: { dataDir: string; exportsDir: string },
): ContainerCreateOptions {
  const spec = containerSpec({ ...config, network: undefined, publish: false }, input);
  return {
    ...spec,
    Labels: { ...spec.Labels, [LABEL_ROLE]: "canary" },
    HostConfig: {
      ...spec.HostConfig,
      Binds: [`${dirs.dataDir}:/app/data`, `${dirs.exportsDir}:/app/exports`],
      PortBindings: { [`${CONTAINER_PORT}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
      RestartPolicy: { Name: "no" },
    },
  };
}

/** "1h", "30m", "2d", "90s" or an ISO time -> Unix seconds for the logs API. */
export function sinceToUnixSeconds(since: string, now: Date): number | undefined {
  const relative = parseDuration(since);
  if (relative.success) return Math.floor((now.getTime() - relative.ms) / 1000);
  const time = Date.parse(since);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}

export interface LogOptionsInput {
  follow: boolean;
  tail?: number;
  sinceUnix?: number;
}

/** No tail means every line the engine still has. */
export function logOptions(input: LogOptionsInput): LogRequest {
  return {
    follow: input.follow,
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(input.tail !== undefined ? { tail: input.tail } : {}),
    ...(input.sinceUnix !== undefined ? { since: input.sinceUnix } : {}),
  };
}
