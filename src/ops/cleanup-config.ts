import { readEnvFile } from "../config/load.js";
import { keySpecs, type Config } from "../config/schema.js";
import { ExitCode, UserError } from "../errors.js";

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

/**
 * SESSION_TIMEOUT and EXPORT_RETENTION_HOURS from the env file (schema defaults when absent). Only these two keys
 * are read, so cleanup still runs from cron if an unrelated key (an API key, say) is wrong.
 */
export function thresholdsFromEnvFile(envFile: string): CleanupThresholds {
  const { values } = readEnvFile(envFile, false);
  const read = <K extends "SESSION_TIMEOUT" | "EXPORT_RETENTION_HOURS">(key: K): number => {
    const parsed = keySpecs[key].schema.safeParse(values[key] || keySpecs[key].default);
    if (!parsed.success) {
      throw new UserError(
        `${envFile}: ${key}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        ExitCode.CONFIG_INVALID,
      );
    }
    return parsed.data;
  };
  return thresholdsFromConfig({
    SESSION_TIMEOUT: read("SESSION_TIMEOUT"),
    EXPORT_RETENTION_HOURS: read("EXPORT_RETENTION_HOURS"),
  });
}
