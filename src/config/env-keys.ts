import type { z } from "zod";
import { readEnvFile } from "./load.js";
import { keySpecs, type Config, type ConfigKey } from "./schema.js";
import { ExitCode, UserError } from "../errors.js";

/**
 * Just the named keys, each validated by its own schema, with the precedence of every command: the process
 * environment, then the env file, then the schema default (also when the file is missing). Operations read only
 * what they need, so an unrelated bad key (an API key, say) does not stop them.
 */
export function readEnvKeys<K extends ConfigKey>(
  envFile: string,
  keys: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): Pick<Config, K> {
  const { values } = readEnvFile(envFile, false);
  const result = {} as Pick<Config, K>;
  for (const key of keys) {
    const spec: { schema: z.ZodType; default?: string } = keySpecs[key];
    const fromEnv = env[key];
    const source = fromEnv ? "environment" : envFile;
    const parsed = spec.schema.safeParse(fromEnv || values[key] || spec.default);
    if (!parsed.success) {
      throw new UserError(
        `${source}: ${key}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        ExitCode.CONFIG_INVALID,
      );
    }
    result[key] = parsed.data as Config[K];
  }
  return result;
}
