import type { z } from "zod";
import { readEnvFile } from "./load.js";
import { keySpecs, type Config, type ConfigKey } from "./schema.js";
import { ExitCode, UserError } from "../errors.js";

/**
 * Just the named keys from an env file (schema defaults when absent or the file is missing), each validated by its
 * own schema. Operations read only what they need, so an unrelated bad key (an API key, say) does not stop them.
 */
export function readEnvKeys<K extends ConfigKey>(envFile: string, keys: readonly K[]): Pick<Config, K> {
  const { values } = readEnvFile(envFile, false);
  const result = {} as Pick<Config, K>;
  for (const key of keys) {
    const spec: { schema: z.ZodType; default?: string } = keySpecs[key];
    const parsed = spec.schema.safeParse(values[key] || spec.default);
    if (!parsed.success) {
      throw new UserError(
        `${envFile}: ${key}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        ExitCode.CONFIG_INVALID,
      );
    }
    result[key] = parsed.data as Config[K];
  }
  return result;
}
