import { execa } from "execa";
import Docker from "dockerode";
import { repoRoot } from "./cli.js";

export const BASE_IMAGE = "ahb-test/node-base:bookworm";

/** CI sets AHB_REQUIRE_DOCKER=1: there a missing engine fails the suite instead of skipping. */
export const dockerRequired = process.env.AHB_REQUIRE_DOCKER === "1";

export async function engineReachable(docker = new Docker()): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns a skip reason when no engine answers, or throws when CI requires one.
 * Usage: `const skip = await dockerSkipReason(); it("...", { skip }, ...)`.
 */
export async function dockerSkipReason(): Promise<string | false> {
  if (await engineReachable()) return false;
  const message = "no Docker engine reachable (start dockerd; see .ci/run)";
  if (dockerRequired) throw new Error(`${message}, and AHB_REQUIRE_DOCKER=1 requires one`);
  return message;
}

/** Builds the offline stand-in for node:24-bookworm-slim once; later calls find it by tag. */
export async function ensureBaseImage(): Promise<string> {
  await execa("bash", ["scripts/offline-base-image.sh", BASE_IMAGE], { cwd: repoRoot, stdio: "inherit" });
  return BASE_IMAGE;
}

/** Builds the project's Dockerfile with the CLI (the deploy tests cover the dockerode build path). */
export async function buildProjectImage(
  tag: string,
  buildArgs: Record<string, string> = {},
): Promise<string> {
  const args = Object.entries({ NODE_IMAGE: BASE_IMAGE, ...buildArgs }).flatMap(([k, v]) => [
    "--build-arg",
    `${k}=${v}`,
  ]);
  await execa("docker", ["build", "-q", "-t", tag, ...args, "."], {
    cwd: repoRoot,
    env: { DOCKER_BUILDKIT: "0" },
    stdout: "ignore",
    stderr: "inherit",
  });
  return tag;
}

export async function removeContainer(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true, v: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}
