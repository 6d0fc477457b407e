import type { Command } from "commander";
import { parseKeyValueList } from "../config/key-value-list.js";
import type { OpsKey } from "../config/ops.js";
import { parsePort, parsePositiveInt } from "./parse.js";

/** Flags every operations command shares: where the ops config is and which container it is about. */
export function withOpsOptions(command: Command): Command {
  return command
    .option("--config <file>", "operations config file (default: ahb.ops.json if present; AHB_OPS_CONFIG)")
    .option("--container <name>", "container name (AHB_CONTAINER)")
    .option("--env-file <path>", "env file given to the container (AHB_ENV_FILE; default .env.prod)")
    .option("--state-dir <dir>", "deploy lock and audit log directory (AHB_STATE_DIR)");
}

/** Flags that shape the container a deploy or rollback creates. */
export function withReleaseOptions(command: Command): Command {
  return withOpsOptions(command)
    .option("--port <port>", "host port published to the container's 8000 (AHB_HOST_PORT)", parsePort)
    .option("--bind <address>", "host address the port is published on (AHB_BIND_ADDRESS)")
    .option("--network <name>", "Docker network to join, e.g. the proxy's (AHB_NETWORK)")
    .option("--no-publish", "publish no port (use with --network)")
    .option("--context <dir>", "build context (AHB_CONTEXT)")
    .option("--dockerfile <file>", "Dockerfile inside the context (AHB_DOCKERFILE)")
    .option(
      "--build-arg <NAME=value>",
      "build argument, repeatable (AHB_BUILD_ARGS)",
      (value: string, previous: Record<string, string> = {}) => ({
        ...previous,
        ...parseKeyValueList(value),
      }),
    )
    .option(
      "--health-timeout <seconds>",
      "seconds to wait for healthy (AHB_HEALTH_TIMEOUT)",
      parsePositiveInt,
    )
    .option("--keep <n>", "previous images kept for rollback (AHB_KEEP_IMAGES)", parsePositiveInt);
}

/** The flag that overrides each ops config key; it drives both the parsing below and docs/configuration.md. */
export const opsFlags: Partial<Record<OpsKey, string>> = {
  container: "--container",
  envFile: "--env-file",
  stateDir: "--state-dir",
  hostPort: "--port",
  bindAddress: "--bind",
  network: "--network",
  publish: "--no-publish",
  context: "--context",
  dockerfile: "--dockerfile",
  buildArgs: "--build-arg",
  healthTimeoutS: "--health-timeout",
  keepImages: "--keep",
};
