import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readEnvFile } from "../../config/load.js";
import { secretKeys } from "../../config/schema.js";
import { createRedactor } from "../../config/secret.js";
import { ExitCode, UserError } from "../../errors.js";
import type { Engine, LogLine } from "../docker/engine.js";
import { logOptions, sinceToUnixSeconds } from "../docker/spec.js";
import type { OpsConfig } from "../../config/ops.js";
import { writeFileAtomic } from "../../shared/atomic-file.js";

/** Values of the secret keys among KEY=value pairs (a container's Env or an env file). */
function secretValuesIn(values: Record<string, string>): string[] {
  return secretKeys.map((key) => values[key]).filter((value): value is string => Boolean(value));
}

export function envListToRecord(env: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    env.map((pair) => {
      const at = pair.indexOf("=");
      return at === -1 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** Redacts what the container was given and what the env file says now (they differ after an edit). */
export function redactorForContainer(
  containerEnv: readonly string[],
  envFile: string,
): (text: string) => string {
  const fromFile = existsSync(envFile) ? readEnvFile(envFile, false).values : {};
  return createRedactor([...secretValuesIn(envListToRecord(containerEnv)), ...secretValuesIn(fromFile)]);
}

export async function lastLogLines(
  engine: Engine,
  id: string,
  count: number,
  redact: (text: string) => string,
): Promise<string[]> {
  const lines: string[] = [];
  await engine.logs(id, logOptions({ follow: false, tail: count }), (line) => lines.push(redact(line.text)));
  return lines;
}

/** Saved container logs kept under <dataDir>/container-logs (the newest; each file is the last lines). */
const KEPT_LOG_FILES = 10;
const KEPT_LOG_LINES = 2000;

/** Writes the container's last lines (redacted) to <dataDir>/container-logs/<time>-<label>.log; prunes old ones. */
export async function saveLastLogs(
  engine: Engine,
  id: string,
  dataDir: string,
  label: string,
  redact: (text: string) => string,
): Promise<string> {
  const dir = join(dataDir, "container-logs");
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const lines: string[] = [];
  await engine.logs(id, logOptions({ follow: false, tail: KEPT_LOG_LINES }), (line) =>
    lines.push(`${line.time ?? "-"} ${line.stream} ${redact(line.text)}`),
  );
  const path = join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-${label}.log`);
  writeFileAtomic(path, lines.length > 0 ? `${lines.join("\n")}\n` : "", { mode: 0o640 });
  const kept = readdirSync(dir)
    .filter((name) => name.endsWith(".log"))
    .sort()
    .reverse();
  for (const name of kept.slice(KEPT_LOG_FILES)) rmSync(join(dir, name), { force: true });
  return path;
}

export interface LogsOptions {
  follow: boolean;
  tail?: number;
  since?: string;
  signal?: AbortSignal;
  now?: Date;
}

/** Streams the container's lines, every secret redacted; with follow, until the container stops or signal aborts. */
export async function containerLogs(
  engine: Engine,
  config: OpsConfig,
  options: LogsOptions,
  onLine: (line: LogLine) => void,
): Promise<void> {
  const sinceUnix =
    options.since === undefined ? undefined : sinceToUnixSeconds(options.since, options.now ?? new Date());
  if (options.since !== undefined && sinceUnix === undefined)
    throw new UserError(
      `--since "${options.since}" is not a duration like 90s, 30m, 1h, 2d or an ISO time`,
      ExitCode.USAGE,
    );
  const state = await engine.inspectContainer(config.container);
  if (!state) throw new UserError(`container ${config.container} not found`, ExitCode.NOT_FOUND);
  const redact = redactorForContainer(state.env, config.envFile);
  await engine.logs(
    state.id,
    logOptions({ follow: options.follow, tail: options.tail, sinceUnix }),
    (line) => onLine({ ...line, text: redact(line.text) }),
    options.signal,
  );
}
