import { fileURLToPath } from "node:url";
import { execa, type Options, type ResultPromise } from "execa";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cliPath = fileURLToPath(new URL("../../bin/ahb.js", import.meta.url));

/** Variables a test must not inherit: a developer's real keys or settings would change the outcome. */
const configVariables = [
  "ANTHROPIC_API_KEY",
  "GOOGLE_API_KEY",
  "DATABASE_PATH",
  "PORT",
  "DOCKER_HOST",
  "ANTHROPIC_BASE_URL",
  "GOOGLE_GEMINI_BASE_URL",
];

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of configVariables) delete env[key];
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Runs the built CLI as a real process (run `npm run build` first; npm test does). */
export function runCli(args: string[], options: Options = {}): ResultPromise {
  return execa(process.execPath, ["--", cliPath, ...args], {
    reject: false,
    env: cleanEnv(),
    extendEnv: false,
    cwd: repoRoot,
    ...options,
  });
}
