import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseEnv } from "node:util";
import { execa } from "execa";
import { renderEnvFile } from "../../config/env-example.js";
import { ConfigError } from "../../config/load.js";
import { configSchema, keyProblem } from "../../config/schema.js";
import { ExitCode, UserError } from "../../errors.js";
import { writeFileAtomic } from "../../shared/atomic-file.js";
import { DEFAULT_OPS_CONFIG_FILE } from "../../config/ops.js";
import { CONTAINER_UID } from "../docker/spec.js";

export const INIT_KEYS = ["ANTHROPIC_API_KEY", "GOOGLE_API_KEY"] as const;
export type InitKey = (typeof INIT_KEYS)[number];

export interface InitOptions {
  /** Absolute path of the env file to write. */
  envFile: string;
  force: boolean;
  keys: Record<InitKey, string>;
  /** The proxy's real address (proxy-address.ts); the schema's loopback default when absent. */
  trustedProxies?: string;
}

export type GitignoreOutcome = "added" | "already_ignored" | "not_a_git_work_tree";

export interface InitResult {
  envFile: string;
  mode: string;
  overwritten: boolean;
  gitignore: GitignoreOutcome;
  /** Set when git already tracks the file: ignoring it then does not stop it being committed. */
  trackedByGit: boolean;
}

export function refuseExisting(envFile: string, force: boolean): void {
  if (!force && existsSync(envFile))
    throw new UserError(
      `${envFile} exists; pass --force to overwrite it (nothing was changed)`,
      ExitCode.USAGE,
    );
}

/** KEY: problem lines for the two keys, never their values. */
export function keyProblems(keys: Partial<Record<InitKey, string>>): string[] {
  return INIT_KEYS.flatMap((key) => {
    const problem = keyProblem(key, keys[key]);
    return problem ? [`${key}: ${problem}`] : [];
  });
}

/** The annotated file from the schema with production examples, the keys filled in, checked as a whole. */
export function renderInitFile(values: Record<InitKey, string> & { TRUSTED_PROXIES?: string }): string {
  const text = renderEnvFile(values);
  const parsed = configSchema.safeParse(parseEnv(text));
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? "config")}: ${issue.message}`),
      "generated env file",
    );
  return text;
}

async function git(args: string[], cwd: string) {
  return execa("git", args, { cwd, reject: false });
}

/** Appends "/<path>" to the work tree's top-level .gitignore unless git already ignores the file. */
export async function ignoreInGit(file: string): Promise<{ outcome: GitignoreOutcome; tracked: boolean }> {
  const cwd = dirname(file);
  const top = await git(["rev-parse", "--show-toplevel"], cwd);
  if (top.exitCode !== 0) return { outcome: "not_a_git_work_tree", tracked: false };
  const tracked = (await git(["ls-files", "--error-unmatch", file], cwd)).exitCode === 0;
  if ((await git(["check-ignore", "-q", "--no-index", file], cwd)).exitCode === 0)
    return { outcome: "already_ignored", tracked };
  const root = String(top.stdout).trim();
  const gitignore = join(root, ".gitignore");
  const current = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : "";
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  const mode = existsSync(gitignore) ? statSync(gitignore).mode & 0o777 : 0o644;
  writeFileAtomic(gitignore, `${current}${separator}/${relative(root, file)}\n`, {
    mode,
    overwrite: true,
  });
  return { outcome: "added", tracked };
}

/** Writes the env file (mode 600 from its first byte, atomically), then keeps it out of git. */
export async function initEnvFile(options: InitOptions): Promise<InitResult> {
  refuseExisting(options.envFile, options.force);
  const problems = keyProblems(options.keys);
  if (problems.length > 0) throw new ConfigError(problems, "keys");
  const existed = existsSync(options.envFile);
  mkdirSync(dirname(options.envFile), { recursive: true, mode: 0o700 });
  const proxies = options.trustedProxies ? { TRUSTED_PROXIES: options.trustedProxies } : {};
  writeFileAtomic(options.envFile, renderInitFile({ ...options.keys, ...proxies }), {
    mode: 0o600,
    overwrite: options.force,
  });
  const git = await ignoreInGit(options.envFile);
  return {
    envFile: options.envFile,
    mode: (statSync(options.envFile).mode & 0o777).toString(8),
    overwritten: existed,
    gitignore: git.outcome,
    trackedByGit: git.tracked,
  };
}

/** The base image the Dockerfile builds on unless ahb.ops.json names a local stand-in (buildArgs.NODE_IMAGE). */
export const DEFAULT_BASE_IMAGE = "node:24-bookworm-slim";

export type OpsConfigOutcome = "written" | "kept";

/**
 * Writes ahb.ops.json beside the env file with the base image spelled out, so the first `ahb deploy` builds on a
 * named image instead of failing on an implicit pull; an existing file is the operator's and is kept.
 */
export function writeInitialOpsConfig(
  dir: string,
  baseImage: string,
): { path: string; outcome: OpsConfigOutcome } {
  const path = join(dir, DEFAULT_OPS_CONFIG_FILE);
  if (existsSync(path)) return { path, outcome: "kept" };
  const config = { envFile: ".env.prod", dataDir: "./data", buildArgs: { NODE_IMAGE: baseImage } };
  writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644, overwrite: false });
  return { path, outcome: "written" };
}

export interface HostUserReport {
  uid: number;
  /** The host account with the container's uid, if there is one. */
  name?: string;
  /** Commands to run as root when there is none (never run by init itself). */
  commands: string[];
}

/** Names the host user that owns data/ (the container's uid), or says how to create it. */
export async function hostUserReport(dataDir: string): Promise<HostUserReport> {
  const entry = await execa("getent", ["passwd", String(CONTAINER_UID)], { reject: false });
  const name = entry.exitCode === 0 ? String(entry.stdout).split(":")[0] : undefined;
  const commands = name
    ? []
    : [
        `useradd --system --uid ${CONTAINER_UID} --user-group --no-create-home --shell /usr/sbin/nologin ahb`,
        `chown -R ${CONTAINER_UID}:${CONTAINER_UID} ${dataDir}`,
      ];
  return { uid: CONTAINER_UID, ...(name ? { name } : {}), commands };
}
