import { imageRef } from "../docker/spec.js";
import { readAudit } from "./audit.js";
import { provenImageIds, rollbackTarget } from "./images.js";
import { release, type ReleaseOptions, type ReleaseResult } from "./release.js";

/** A health-gated swap back to the previous kept image, or to the named version. */
export async function rollback(options: ReleaseOptions & { version?: string }): Promise<ReleaseResult> {
  return release(options, {
    action: "rollback",
    resolveImage: async (checked) => {
      const images = await options.engine.listAppImages(options.config.container);
      const target = rollbackTarget(images, {
        proven: provenImageIds(readAudit(options.config.stateDir)),
        servingVersion: checked.live?.version,
        requested: options.version,
      });
      const ref = target.tags.find((tag) => tag === imageRef(options.config, target.version)) ?? target.id;
      options.progress({ level: "step", message: `rolling back to ${target.version} (${ref})` });
      return { ref, imageId: target.id, version: target.version };
    },
  });
}
