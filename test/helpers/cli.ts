/**
 * Running the CLI in tests.
 *
 * - `runAhb(argv, { cwd, env, stdin })` runs the commander program from `src/` in this process and resolves to
 *   `{ stdout, stderr, exitCode }` (the shape of wrangler's runWrangler; like execa, without the final newline). Use it for every CLI test: it tests the
 *   source as it is now, with no build step. `env` is the whole environment (default `cleanEnv()`), `cwd` defaults
 *   to the repository, `stdin` is the text standard input delivers (not a terminal). Environment and working
 *   directory belong to the process, so runAhb swaps them in for the call and runs calls one at a time.
 * - `runCli(args, execaOptions)` starts the built `bin/ahb.js` as a real process. Keep it for what only a real
 *   process shows: the shebang and `--env-file` handling, signals, the start-up module budget, running as another
 *   user. It refuses to run against a `dist/` older than `src/` (run `npm run build`; `npm test` does).
 * - `requireCurrentBuild()`: the same refusal, for a test that starts `bin/ahb.js` itself (e.g. through its shebang).
 * - `cleanEnv(extra)`: this process's environment without the variables that would change a CLI's outcome.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { execa, type Options, type ResultPromise } from "execa";
import { run } from "../../src/cli/main.js";

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

export interface AhbResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface AhbOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs `ahb argv` from src/ in-process, one call at a time (see the top of this file). */
export function runAhb(argv: readonly string[], options: AhbOptions = {}): Promise<AhbResult> {
  const result = queue.then(() => runInProcess(argv, options));
  queue = result.catch(() => undefined);
  return result;
}

async function runInProcess(
  argv: readonly string[],
  { cwd = repoRoot, env = cleanEnv(), stdin = "" }: AhbOptions,
): Promise<AhbResult> {
  const stdout = capture();
  const stderr = capture();
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  replaceEnv(env);
  process.chdir(cwd);
  try {
    const exitCode = await run(argv, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: Readable.from(stdin === "" ? [] : [stdin]),
    });
    return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    process.chdir(savedCwd);
    replaceEnv(savedEnv);
  }
}

function capture(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("").replace(/\n$/, "") };
}

function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { recursive: true }).map((name) => statSync(join(dir, String(name))).mtimeMs),
  );
}

let buildChecked = false;

/** A real-process test of an old build passes or fails for the wrong reason: refuse it instead. */
export function requireCurrentBuild(): void {
  if (buildChecked) return;
  const built = statSync(join(repoRoot, "dist/cli/main.js"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built < newestMtime(join(repoRoot, "src")))
    throw new Error("dist/ is missing or older than src/: run `npm run build` first (npm test does)");
  buildChecked = true;
}

/** Runs the built CLI as a real process (see the top of this file for when). */
export function runCli(args: string[], options: Options = {}): ResultPromise {
  requireCurrentBuild();
  return execa(process.execPath, ["--", cliPath, ...args], {
    reject: false,
    env: cleanEnv(),
    extendEnv: false,
    cwd: repoRoot,
    ...options,
  });
}
