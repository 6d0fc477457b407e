import { ExitCode, UserError } from "../../errors.js";
import { buildFailureMessage } from "../docker/build-stream.js";
import type { Engine } from "../docker/engine.js";
import { buildOptions, imageRef, type BuildInfo } from "../docker/spec.js";
import type { OpsConfig } from "../../config/ops.js";
import { keepStagesAsCache } from "../docker/stage-images.js";
import { contextTar } from "./context.js";
import type { Progress } from "./progress.js";

export interface BuiltImage {
  ref: string;
  imageId: string;
}

/** Builds and tags the image; an error line anywhere in the stream fails the build (exit 11) before any swap. */
export async function buildImage(
  engine: Engine,
  config: OpsConfig,
  info: BuildInfo,
  progress: Progress,
): Promise<BuiltImage> {
  const ref = imageRef(config, info.version);
  progress({ level: "step", message: `build ${ref} from ${config.context}` });
  const summary = await engine.build(
    contextTar(config.context, config.dockerfile),
    buildOptions(config, info),
    (event) => {
      if (event.kind === "step")
        progress({ level: "info", message: `step ${event.index}/${event.total}: ${event.instruction}` });
      else if (event.kind === "output") progress({ level: "detail", message: event.text });
    },
  );
  if (summary.error !== undefined || summary.imageId === undefined)
    throw new UserError(buildFailureMessage(summary), ExitCode.BUILD_FAILED);
  const image = await engine.inspectImage(ref);
  if (!image) throw new UserError(`build reported success but ${ref} does not exist`, ExitCode.BUILD_FAILED);
  await keepStagesAsCache(engine, config.container, config.image);
  return { ref, imageId: image.id };
}
