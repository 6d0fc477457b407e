import type { Config } from "./schema.js";
import { readEnvKeys } from "./env-keys.js";

export interface CleanupThresholds {
  sessionsOlderThanMs: number;
  exportsOlderThanMs: number;
}

export function thresholdsFromConfig(
  config: Pick<Config, "SESSION_TIMEOUT" | "EXPORT_RETENTION_HOURS">,
): CleanupThresholds {
  return {
    sessionsOlderThanMs: config.SESSION_TIMEOUT * 1000,
    exportsOlderThanMs: config.EXPORT_RETENTION_HOURS * 3_600_000,
  };
}

/** SESSION_TIMEOUT and EXPORT_RETENTION_HOURS from the env file (schema defaults when absent). */
export function thresholdsFromEnvFile(envFile: string): CleanupThresholds {
  return thresholdsFromConfig(readEnvKeys(envFile, ["SESSION_TIMEOUT", "EXPORT_RETENTION_HOURS"]));
}
