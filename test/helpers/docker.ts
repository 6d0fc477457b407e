/**
 * Docker for tests. Small API, meant to be shared by every Docker-using test file:
 *
 * - `dockerSkipReason()`: `false` when an engine answers; a skip reason otherwise, or a thrown error under AHB_CI=1.
 * - `ensureBaseImage()`: the offline stand-in for node:24-bookworm-slim, built once per machine and then found by
 *   tag (AHB_TEST_BASE_IMAGE overrides the tag). Call it in the file (or test) that needs it, never rely on another
 *   file having built it.
 * - `testName(kind)`: a container/image name unique to this run, `<namespace>-<kind>-<run id>`.
 * - `testImage(kind)`: an image repository unique to this run, `<namespace>/<kind>-<run id>`.
 * - `TEST_LABELS`: put these labels on everything a test creates; `.ci/run` removes what carries them.
 * - `buildProjectImage(tag)`, `removeImageUnlessKept(ref)`, `removeContainer(docker, name)`.
 *
 * AHB_TEST_KEEP_IMAGES=1 keeps the images a file builds (faster local reruns); by default they are removed when the
 * file ends. AHB_TEST_NAMESPACE (default `ahb-test`) prefixes every name, so a second suite on the same engine can
 * run and be cleaned up without touching the first one's images.
 */
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import Docker from "dockerode";
import { repoRoot } from "./cli.js";
import { LABEL_STAGE_APP } from "../../src/ops/docker/spec.js";
import { toolRequired } from "./tools.js";

export const TEST_NAMESPACE = process.env.AHB_TEST_NAMESPACE || "ahb-test";
export const BASE_IMAGE = process.env.AHB_TEST_BASE_IMAGE || `${TEST_NAMESPACE}/node-base:bookworm`;
/** Label on every container and image the suite creates (the base image included): ahb.test=<namespace>. */
export const TEST_LABELS: Record<string, string> = { "ahb.test": TEST_NAMESPACE };
export const keepImages = process.env.AHB_TEST_KEEP_IMAGES === "1";

/** One id per test process (= per file): names built from it never collide with another file or run. */
const runId = `${process.pid.toString(36)}${randomBytes(3).toString("hex")}`;

export function testName(kind: string): string {
  return `${TEST_NAMESPACE}-${kind}-${runId}`;
}

export function testImage(kind: string): string {
  return `${TEST_NAMESPACE}/${kind}-${runId}`;
}

export async function engineReachable(docker = new Docker()): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns a skip reason when no engine answers, or throws when AHB_CI=1 requires one.
 * Usage: `const skip = await dockerSkipReason(); describe("...", { skip }, ...)`.
 */
export async function dockerSkipReason(): Promise<string | false> {
  if (await engineReachable()) return false;
  return toolRequired("Docker engine", "no Docker engine reachable (start dockerd; see .ci/run)");
}

let baseImage: Promise<string> | undefined;

/** Builds the base image once (concurrent callers share the build); later calls and runs find it by tag. */
export function ensureBaseImage(): Promise<string> {
  baseImage ??= execa("bash", ["scripts/offline-base-image.sh", BASE_IMAGE], {
    cwd: repoRoot,
    stdio: ["ignore", "inherit", "inherit"],
  }).then(
    () => BASE_IMAGE,
    (error: unknown) => {
      baseImage = undefined;
      throw error;
    },
  );
  return baseImage;
}

/** Builds the project's Dockerfile with the CLI (the deploy tests cover the dockerode build path). */
export async function buildProjectImage(
  tag: string,
  buildArgs: Record<string, string> = {},
): Promise<string> {
  const args = Object.entries({ NODE_IMAGE: await ensureBaseImage(), ...buildArgs }).flatMap(([k, v]) => [
    "--build-arg",
    `${k}=${v}`,
  ]);
  const labels = Object.entries(TEST_LABELS).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  await execa("docker", ["build", "-q", "-t", tag, ...labels, ...args, "."], {
    cwd: repoRoot,
    env: { DOCKER_BUILDKIT: "0" },
    stdout: "ignore",
    stderr: "inherit",
  });
  return tag;
}

/** Removes an image a test built, unless AHB_TEST_KEEP_IMAGES=1; a missing image is fine. */
export async function removeImageUnlessKept(docker: Docker, ref: string): Promise<void> {
  if (keepImages) return;
  try {
    // noprune keeps the untagged parent layers: the build cache of the next build of the same Dockerfile.
    await docker.getImage(ref).remove({ force: true, noprune: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

/** Removes the stage images a build of the project's Dockerfile labelled with this app (build argument AHB_APP). */
export async function removeStageImages(docker: Docker, app: string): Promise<void> {
  const stages = await docker.listImages({ filters: { label: [`${LABEL_STAGE_APP}=${app}`] } });
  for (const stage of stages)
    await docker
      .getImage(stage.Id)
      .remove()
      .catch(() => undefined);
}

export async function removeContainer(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true, v: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}
