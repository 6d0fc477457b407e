import { isIP } from "node:net";
import { configKeys, keySpecs, type ConfigKey } from "./schema.js";
import { ConfigError, loadConfig, type ValueSource } from "./load.js";
import { Secret } from "./secret.js";

export interface KeyReport {
  value: string;
  source: ValueSource;
  secret: boolean;
}

export interface ConfigReport {
  ok: boolean;
  envFile: { path: string; mode: string } | null;
  keys: Partial<Record<ConfigKey, KeyReport>>;
  errors: string[];
  warnings: string[];
}

function display(value: unknown): string {
  if (value instanceof Secret) return value.masked;
  if (Array.isArray(value)) return value.join(",");
  if (value === undefined) return "";
  return String(value);
}

export function permissionProblems(mode: number, path: string): { errors: string[]; warnings: string[] } {
  const octal = mode.toString(8).padStart(3, "0");
  if (mode & 0o007)
    return { errors: [`${path}: mode ${octal} is world-accessible; run chmod 600 ${path}`], warnings: [] };
  if (mode & 0o070)
    return { errors: [], warnings: [`${path}: mode ${octal} is readable by its group; chmod 600 is safer`] };
  return { errors: [], warnings: [] };
}

/** Validates an env file (plus the environment unless env is given) and reports every key, secrets masked. */
/** Widest trusted range that still names one proxy's network, not every container or host around it. */
const NARROWEST_BROAD_PREFIX = { 4: 24, 6: 64 } as const;

/**
 * A warning per TRUSTED_PROXIES entry wider than /24 (IPv4) or /64 (IPv6): every address in it may claim to be
 * any user, an admin included.
 */
export function broadProxyWarnings(cidrs: readonly string[]): string[] {
  return cidrs.flatMap((cidr) => {
    const [address = "", prefix] = cidr.split("/");
    const family = isIP(address) === 6 ? 6 : 4;
    if (prefix === undefined || Number(prefix) >= NARROWEST_BROAD_PREFIX[family]) return [];
    return [
      `TRUSTED_PROXIES: ${cidr} is wider than /${NARROWEST_BROAD_PREFIX[family]}; every address in it may claim ` +
        "to be any user. Trust only the proxy's own address (ahb doctor shows it).",
    ];
  });
}

export function checkConfig(options: { envFile: string; env?: NodeJS.ProcessEnv }): ConfigReport {
  try {
    const loaded = loadConfig({ envFile: options.envFile, envFileRequired: true, env: options.env });
    const keys: Partial<Record<ConfigKey, KeyReport>> = {};
    for (const key of configKeys) {
      keys[key] = {
        value: display(loaded.config[key]),
        source: loaded.sources[key],
        secret: "secret" in keySpecs[key],
      };
    }
    const info = loaded.envFile;
    const permissions = info ? permissionProblems(info.mode, info.path) : { errors: [], warnings: [] };
    return {
      ok: permissions.errors.length === 0,
      envFile: info ? { path: info.path, mode: info.mode.toString(8).padStart(3, "0") } : null,
      keys,
      errors: permissions.errors,
      warnings: [
        ...permissions.warnings,
        ...loaded.warnings,
        ...broadProxyWarnings(loaded.config.TRUSTED_PROXIES),
      ],
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      ok: false,
      envFile: { path: options.envFile, mode: "" },
      keys: {},
      errors: error.problems,
      warnings: [],
    };
  }
}
