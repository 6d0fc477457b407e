import { ExitCode, UserError } from "../../errors.js";
import type { Engine } from "../docker/engine.js";
import { LABEL_VERSION } from "../docker/spec.js";
import type { OpsConfig } from "../../config/ops.js";
import { buildImage } from "./build.js";
import { readAudit } from "./audit.js";
import { imagesToPrune, provenImageIds } from "./images.js";
import type { Progress } from "./progress.js";
import { release, type ReleaseImage, type ReleaseOptions, type ReleaseResult } from "./release.js";
import { assertValidTag, gitInfo, gitPullFastForward, versionTag } from "./version.js";

export interface DeployOptions extends ReleaseOptions {
  /** Version tag instead of git describe + UTC time. */
  tag?: string;
  /** Deploy this existing image instead of building (--no-build --image). */
  image?: string;
  pull: boolean;
}

async function existingImage(engine: Engine, ref: string, tag?: string): Promise<ReleaseImage> {
  const image = await engine.inspectImage(ref);
  if (!image) throw new UserError(`image ${ref} not found on this engine`, ExitCode.NOT_FOUND);
  return { ref, imageId: image.id, version: tag ?? image.labels[LABEL_VERSION] ?? ref };
}

async function buildNew(options: DeployOptions, durationsMs: Record<string, number>): Promise<ReleaseImage> {
  const { config, progress } = options;
  if (options.pull) {
    progress({ level: "step", message: "git pull --ff-only" });
    progress({ level: "info", message: await gitPullFastForward(config.context) });
  }
  const now = (options.now ?? (() => new Date()))();
  const git = await gitInfo(config.context);
  const version = options.tag ?? versionTag(git.describe, now);
  const started = Date.now();
  try {
    const built = await buildImage(
      options.engine,
      config,
      { version, gitSha: git.sha, builtAt: now.toISOString() },
      progress,
    );
    return { ...built, version };
  } finally {
    durationsMs.build = Date.now() - started;
  }
}

/** Keeps config.keepImages earlier images for rollback; removes only images carrying this container's label. */
async function pruneImages(engine: Engine, config: OpsConfig, serving: ReleaseImage, progress: Progress) {
  const images = await engine.listAppImages(config.container);
  const prune = imagesToPrune(images, {
    keep: config.keepImages,
    servingId: serving.imageId,
    inUse: await engine.imagesInUse(),
    proven: provenImageIds(readAudit(config.stateDir)),
  });
  const removed: string[] = [];
  for (const image of prune) {
    try {
      await engine.removeImage(image);
      removed.push(image.version);
    } catch (error) {
      progress({
        level: "warn",
        message: `could not remove image ${image.version}: ${(error as Error).message}`,
      });
    }
  }
  if (removed.length > 0) progress({ level: "info", message: `removed old images: ${removed.join(", ")}` });
  return removed;
}

export async function deploy(options: DeployOptions): Promise<ReleaseResult> {
  if (options.tag !== undefined) assertValidTag(options.tag);
  return release(options, {
    action: "deploy",
    resolveImage: (_checked, durationsMs) =>
      options.image !== undefined
        ? existingImage(options.engine, options.image, options.tag)
        : buildNew(options, durationsMs),
    afterSuccess: (image) => pruneImages(options.engine, options.config, image, options.progress),
  });
}
