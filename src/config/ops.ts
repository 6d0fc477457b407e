import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as z from "zod";
import { ExitCode, UserError } from "../errors.js";
import { closestName } from "../shared/closest.js";
import { intInRange } from "../shared/int-range.js";
import { parseKeyValueList } from "./key-value-list.js";

/** Where the server listens inside the container (the Dockerfile's PORT and EXPOSE). */
export const CONTAINER_PORT = 8000;
export const DEFAULT_OPS_CONFIG_FILE = "ahb.ops.json";

const dockerName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, { message: "letters, digits, _ . - (Docker name rules)" });

const loopbackPort = z
  .number({ message: "a port from 1 to 65535" })
  .int({ message: "a port from 1 to 65535" })
  .min(1, { message: "a port from 1 to 65535" })
  .max(65535, { message: "a port from 1 to 65535" });

const proxyCommon = {
  upstreamFile: z
    .string()
    .min(1)
    .describe("the include file ahb rewrites with the live colour's port (NPM: under its data/nginx/custom)"),
  ports: z
    .tuple([loopbackPort, loopbackPort])
    .refine(([blue, green]) => blue !== green, { message: "two different ports" })
    .optional()
    .describe("the blue and green host ports on the bind address; default hostPort and hostPort + 1"),
};

/** The operator's proxy in front of the container: with it, deploys switch between two ports (blue/green). */
export const proxySchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("nginx"),
    ...proxyCommon,
    testCommand: z
      .array(z.string().min(1))
      .min(1)
      .default(["nginx", "-t"])
      .describe("checks the configuration before a reload"),
    reloadCommand: z
      .array(z.string().min(1))
      .min(1)
      .default(["nginx", "-s", "reload"])
      .describe("graceful reload on the host: old workers finish their requests"),
  }),
  z.object({
    kind: z.literal("npm"),
    ...proxyCommon,
    container: dockerName.describe("the Nginx Proxy Manager container; nginx -t and -s reload run inside it"),
  }),
]);

export type ProxyConfig = z.output<typeof proxySchema>;

/** The single source for operations settings: the file, AHB_* variables and flags are all checked by it. */
export const opsConfigSchema = z.object({
  image: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/-]*$/, { message: "lower-case image repository name, e.g. ahb" })
    .default("ahb")
    .describe("image repository the build is tagged into"),
  container: dockerName.default("ahb").describe("container name"),
  bindAddress: z
    .ipv4({ message: "an IPv4 address" })
    .default("127.0.0.1")
    .describe("host address the port is published on"),
  hostPort: intInRange(1, 65535, "a port from 1 to 65535")
    .default(8080)
    .describe("host port published to the container's 8000"),
  publish: z.boolean().default(true).describe("publish the port; false when the proxy joins `network`"),
  network: dockerName.optional().describe("Docker network to join, e.g. the proxy's"),
  dataDir: z
    .string()
    .min(1)
    .default("./data")
    .describe("host directory mounted at /app/data (the SQLite file app.db)"),
  exportsDir: z.string().min(1).default("./exports").describe("host directory mounted at /app/exports"),
  backupsDir: z
    .string()
    .min(1)
    .default("./backups")
    .describe("pre-deploy backups go here; `ahb status` shows the newest file's age"),
  stateDir: z.string().min(1).default("./.ahb").describe("deploy lock and audit log"),
  envFile: z.string().min(1).default(".env.prod").describe("env file given to the container"),
  context: z.string().min(1).default(".").describe("build context directory"),
  dockerfile: z.string().min(1).default("Dockerfile").describe("Dockerfile inside the context"),
  buildArgs: z
    .record(z.string(), z.string())
    .default({})
    .describe("build arguments, e.g. NODE_IMAGE (`A=1,B=2` in the variable)"),
  healthTimeoutS: intInRange(5, 3600, "whole seconds from 5 to 3600")
    .default(120)
    .describe("seconds to wait for healthy (also Docker's start period)"),
  healthIntervalS: intInRange(1, 300, "whole seconds from 1 to 300")
    .default(2)
    .describe("Docker health check interval; short, so a swap is confirmed fast"),
  healthStartPeriodS: intInRange(0, 300, "whole seconds from 0 to 300")
    .default(10)
    .describe(
      "Docker health start period: failures before it do not count; short, so a broken release shows unhealthy early",
    ),
  stopTimeoutS: intInRange(1, 300)
    .default(10)
    .describe(
      "least grace before SIGKILL on stop; the container's stop timeout is SHUTDOWN_GRACE_SECONDS + 15 s when longer",
    ),
  keepImages: intInRange(1, 50, "a whole number from 1 to 50")
    .default(3)
    .describe("previous images kept for rollback"),
  memory: z
    .string()
    .regex(/^\d+[kmg]?$/i, { message: "a size like 4g or 512m" })
    .default("4g")
    .describe("memory limit"),
  cpus: z.coerce.number().positive().max(256).default(2).describe("CPU limit"),
  minFreeDiskMb: intInRange(0).default(2048).describe("free space (MB) the preflight requires for a build"),
  lockStaleAfterS: intInRange(60, undefined, "whole seconds, at least 60")
    .default(7200)
    .describe("a deploy lock older than this is stale and taken over"),
  backupWaitS: intInRange(0, 86400, "whole seconds from 0 to 86400")
    .default(900)
    .describe("a deploy waits this long for a running backup before building"),
  proxy: proxySchema
    .optional()
    .describe(
      "proxy upstream switched by blue/green deploys (ahb.ops.json only); without it the swap stops first",
    ),
});

export type OpsConfig = z.output<typeof opsConfigSchema>;
export type OpsConfigInput = z.input<typeof opsConfigSchema>;
/** Settings that only the file holds (structured values). */
type FileOnlyKey = "proxy";
export type OpsKey = Exclude<keyof OpsConfig, FileOnlyKey>;

const envNames: Record<OpsKey, string> = {
  image: "AHB_IMAGE",
  container: "AHB_CONTAINER",
  bindAddress: "AHB_BIND_ADDRESS",
  hostPort: "AHB_HOST_PORT",
  publish: "AHB_PUBLISH",
  network: "AHB_NETWORK",
  dataDir: "AHB_DATA_DIR",
  exportsDir: "AHB_EXPORTS_DIR",
  backupsDir: "AHB_BACKUPS_DIR",
  stateDir: "AHB_STATE_DIR",
  envFile: "AHB_ENV_FILE",
  context: "AHB_CONTEXT",
  dockerfile: "AHB_DOCKERFILE",
  buildArgs: "AHB_BUILD_ARGS",
  healthTimeoutS: "AHB_HEALTH_TIMEOUT",
  healthIntervalS: "AHB_HEALTH_INTERVAL",
  healthStartPeriodS: "AHB_HEALTH_START_PERIOD",
  stopTimeoutS: "AHB_STOP_TIMEOUT",
  keepImages: "AHB_KEEP_IMAGES",
  memory: "AHB_MEMORY",
  cpus: "AHB_CPUS",
  minFreeDiskMb: "AHB_MIN_FREE_DISK_MB",
  lockStaleAfterS: "AHB_LOCK_STALE_AFTER",
  backupWaitS: "AHB_BACKUP_WAIT",
};

/** The variable that sets an ops key; none for the keys only ahb.ops.json holds. */
export function opsEnvName(key: keyof OpsConfig): string | undefined {
  return key in envNames ? envNames[key as OpsKey] : undefined;
}

function fromEnv(env: NodeJS.ProcessEnv): Partial<Record<OpsKey, unknown>> {
  const values: Partial<Record<OpsKey, unknown>> = {};
  for (const [key, name] of Object.entries(envNames) as [OpsKey, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    if (key === "buildArgs") values[key] = parseKeyValueList(raw);
    else if (key === "publish") values[key] = !["false", "0", "no"].includes(raw.toLowerCase());
    else values[key] = raw;
  }
  return values;
}

function readOpsFile(path: string, required: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) throw new UserError(`ops config file not found: ${path}`, ExitCode.CONFIG_INVALID);
    return {};
  }
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new UserError(
      `ops config ${path} is not a JSON object: ${(error as Error).message}`,
      ExitCode.CONFIG_INVALID,
    );
  }
}

function unknownKeyProblem(key: string): string {
  const suggestion = closestName(key, Object.keys(opsConfigSchema.shape));
  return `${key}: unknown key${suggestion === undefined ? "" : `; did you mean ${suggestion}?`}`;
}

export interface OpsConfigSources {
  /** Path of the JSON file; absent means ahb.ops.json in cwd if it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Partial<Record<OpsKey, unknown>>;
  cwd?: string;
}

/** Defaults < file < AHB_* variables < flags; directories are resolved against cwd. */
export function loadOpsConfig(sources: OpsConfigSources = {}): OpsConfig {
  const cwd = sources.cwd ?? process.cwd();
  const env = sources.env ?? process.env;
  const explicitFile = sources.file ?? env.AHB_OPS_CONFIG;
  const file = readOpsFile(resolve(cwd, explicitFile ?? DEFAULT_OPS_CONFIG_FILE), explicitFile !== undefined);
  const flags = Object.fromEntries(
    Object.entries(sources.flags ?? {}).filter(([, value]) => value !== undefined),
  );
  const layers = [file, fromEnv(env), flags];
  // Build arguments add up across the layers: a --build-arg does not drop NODE_IMAGE from the file.
  const argLayers = layers.map((layer) => layer.buildArgs).filter((value) => value !== undefined);
  const mergeable = argLayers.every(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  );
  const buildArgs: unknown = mergeable ? Object.assign({}, ...argLayers) : argLayers.at(-1);
  // Strict: a mistyped key in the file ({"hostport": 9000}) must not deploy on the default port.
  const parsed = opsConfigSchema.strict().safeParse({ ...file, ...layers[1], ...flags, buildArgs });
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => unknownKeyProblem(key))
        : [`${issue.path.join(".") || "config"}: ${issue.message}`],
    );
    throw new UserError("operations config invalid:", ExitCode.CONFIG_INVALID, problems);
  }
  const config = parsed.data;
  return {
    ...config,
    dataDir: resolve(cwd, config.dataDir),
    exportsDir: resolve(cwd, config.exportsDir),
    backupsDir: resolve(cwd, config.backupsDir),
    stateDir: resolve(cwd, config.stateDir),
    envFile: resolve(cwd, config.envFile),
    context: resolve(cwd, config.context),
    ...(config.proxy
      ? { proxy: { ...config.proxy, upstreamFile: resolve(cwd, config.proxy.upstreamFile) } }
      : {}),
  };
}

/** Blue and green host ports when a proxy is named. */
export function colourPorts(config: Pick<OpsConfig, "hostPort" | "proxy">): [number, number] {
  return config.proxy?.ports ?? [config.hostPort, config.hostPort + 1];
}

/** The SQLite file on the host: the container's /app/data/app.db. */
export function hostDatabasePath(config: Pick<OpsConfig, "dataDir">): string {
  return resolve(config.dataDir, "app.db");
}

/** The container a swap creates beside the serving one; it takes the name once healthy. */
export function nextContainerName(config: Pick<OpsConfig, "container">): string {
  return `${config.container}-next`;
}

/** Where the CLI reaches the server's health endpoint from the host. */
export function publishedHealthHost(config: Pick<OpsConfig, "bindAddress">): string {
  return config.bindAddress === "0.0.0.0" ? "127.0.0.1" : config.bindAddress;
}
