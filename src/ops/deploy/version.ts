import { execa } from "execa";
import { ExitCode, UserError } from "../../errors.js";

const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** 2026-11-24T04:24:21.123Z -> 20261124T042421Z */
export function compactUtc(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** `git describe` output + UTC time -> a Docker tag, e.g. v1.2-3-gabc1234-20261124T042421Z. */
export function versionTag(describe: string, now: Date): string {
  const base = describe
    .trim()
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .replace(/^[.-]+/, "")
    .slice(0, 80);
  return `${base || "build"}-${compactUtc(now)}`;
}

export function assertValidTag(tag: string): string {
  if (!DOCKER_TAG.test(tag))
    throw new UserError(
      `--tag "${tag}" is not a Docker tag (letters, digits, _ . -; at most 128; not starting with . or -)`,
      ExitCode.USAGE,
    );
  return tag;
}

export interface GitInfo {
  describe: string;
  sha: string;
}

/** Outside a git checkout (a copied context) the version falls back to "nogit" and the sha to "unknown". */
export async function gitInfo(cwd: string): Promise<GitInfo> {
  const describe = await execa("git", ["describe", "--tags", "--always", "--dirty"], { cwd, reject: false });
  const sha = await execa("git", ["rev-parse", "HEAD"], { cwd, reject: false });
  return {
    describe: describe.exitCode === 0 ? describe.stdout.trim() : "nogit",
    sha: sha.exitCode === 0 ? sha.stdout.trim() : "unknown",
  };
}

/** `--pull`: fast-forward only, never a merge; a refusal stops the deploy before anything changed. */
export async function gitPullFastForward(cwd: string): Promise<string> {
  const result = await execa("git", ["pull", "--ff-only"], { cwd, reject: false });
  if (result.exitCode !== 0) {
    const reason = `${result.stderr}`.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
    throw new UserError(`git pull --ff-only failed: ${reason.trim()}`, ExitCode.PREFLIGHT_FAILED);
  }
  return `${result.stdout}`.trim();
}
