import { readFileSync, statSync } from "node:fs";
import { parseEnv } from "node:util";
import { ExitCode, UserError } from "../errors.js";
import { configKeys, configSchema, keySpecs, secretKeys, type Config, type ConfigKey } from "./schema.js";
import { createRedactor, rememberSecrets } from "./secret.js";
import { closestName } from "../shared/closest.js";

export type ValueSource = "env" | "file" | "default";

export interface EnvFileInfo {
  path: string;
  /** Permission bits, e.g. 0o600. */
  mode: number;
}

export interface LoadedConfig {
  config: Config;
  sources: Record<ConfigKey, ValueSource>;
  envFile?: EnvFileInfo;
  /** Raw secret values, for log and output redaction. */
  secretValues: string[];
  /** Names in the env file that are no setting of ahb (and near no setting's name). */
  warnings: string[];
}

export interface LoadOptions {
  envFile?: string;
  /** A missing env file is an error (operations) or just means "use the environment" (serve). */
  envFileRequired?: boolean;
  /** Variables of the process; pass {} to validate the file alone. */
  env?: NodeJS.ProcessEnv;
}

export class ConfigError extends UserError {
  readonly problems: string[];

  constructor(problems: string[], source: string) {
    super(`configuration invalid (${source}):`, ExitCode.CONFIG_INVALID, problems);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function readEnvFile(
  path: string,
  required: boolean,
): { values: Record<string, string>; info?: EnvFileInfo } {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !required) return { values: {} };
    if (code === "ENOENT") throw new UserError(`env file not found: ${path}`, ExitCode.CONFIG_INVALID);
    throw new UserError(`env file unreadable: ${path} (${code ?? "error"})`, ExitCode.CONFIG_INVALID);
  }
  return { values: parseEnv(text) as Record<string, string>, info: { path, mode } };
}

/** The raw value of every key: a non-empty environment variable wins over the env file; absent means default. */
export function mergeRawValues(
  fileValues: Record<string, string>,
  env: NodeJS.ProcessEnv,
): { raw: Partial<Record<ConfigKey, string>>; sources: Record<ConfigKey, ValueSource> } {
  const raw: Partial<Record<ConfigKey, string>> = {};
  const sources = {} as Record<ConfigKey, ValueSource>;
  for (const key of configKeys) {
    const fromEnv = env[key];
    const fromFile = fileValues[key];
    if (fromEnv !== undefined && fromEnv !== "") {
      raw[key] = fromEnv;
      sources[key] = "env";
    } else if (fromFile !== undefined && fromFile !== "") {
      raw[key] = fromFile;
      sources[key] = "file";
    } else {
      sources[key] = "default";
    }
  }
  rememberSecrets(secretKeys.flatMap((key) => (raw[key] ? [raw[key], raw[key].trim()] : [])));
  return { raw, sources };
}

/**
 * Names in an env file the schema does not know. One within a typo of a setting (GOOGLE_API_KYE) is an error: the
 * setting would silently keep its default. Any other (TZ, NODE_OPTIONS) only warns: the file is the container's
 * whole environment, so it may rightly hold variables for Node or the system.
 */
export function unknownEnvKeys(fileValues: Record<string, string>): { errors: string[]; warnings: string[] } {
  const known = new Set<string>(configKeys);
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const name of Object.keys(fileValues)) {
    if (known.has(name)) continue;
    const suggestion = closestName(name, configKeys);
    if (suggestion === undefined) warnings.push(`${name}: not a setting of ahb (ignored by it)`);
    else errors.push(`${name}: unknown key; did you mean ${suggestion}?`);
  }
  return { errors, warnings };
}

/** Merges defaults < env file < process environment, validates with the one schema, names every bad key. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = options.envFile
    ? readEnvFile(options.envFile, options.envFileRequired ?? false)
    : { values: {} as Record<string, string> };
  const { raw, sources } = mergeRawValues(file.values, env);
  const parsed = configSchema.safeParse(raw);
  const sourceName = file.info ? file.info.path : "environment";
  const unknown = unknownEnvKeys(file.values);
  if (!parsed.success || unknown.errors.length > 0) {
    const problems = (parsed.error?.issues ?? []).map(
      (issue) => `${String(issue.path[0] ?? "config")}: ${issue.message}`,
    );
    throw new ConfigError([...new Set([...problems, ...unknown.errors])], sourceName);
  }
  const secretValues = secretKeys.map((key) => raw[key]).filter((value): value is string => Boolean(value));
  return { config: parsed.data, sources, envFile: file.info, secretValues, warnings: unknown.warnings };
}

/** Every raw value in the file or environment that belongs to a secret key, for redaction of text. */
export function redactorFor(loaded: Pick<LoadedConfig, "secretValues">): (text: string) => string {
  return createRedactor(loaded.secretValues);
}

export function describeKey(key: ConfigKey): string {
  return keySpecs[key].description;
}
