import type { Engine } from "./engine.js";

/** The tag that keeps a stage's image as the next build's cache: `<image>:stage-<stage>`. */
export function stageCacheTag(stage: string): string {
  return `stage-${stage}`;
}

export interface StageCleanup {
  /** `<image>:stage-<name>` refs now naming this build's stages. */
  cached: string[];
  /** Ids of older stage images removed, with the layers only they used. */
  removed: string[];
}

/**
 * After a build of this app: the newest untagged image of each stage becomes `<image>:stage-<name>` (so the next
 * build finds its npm install and apt layers), and every older one is removed. A multi-stage build otherwise leaves
 * an untagged ~1 GB image behind per build; only images labelled with this app's name are touched.
 */
export async function keepStagesAsCache(engine: Engine, app: string, image: string): Promise<StageCleanup> {
  const cached: string[] = [];
  const tagged = new Set<string>();
  for (const stageImage of await engine.listDanglingStageImages(app)) {
    if (stageImage.stage === "" || tagged.has(stageImage.stage)) continue;
    tagged.add(stageImage.stage);
    await engine.tagImage(stageImage.id, image, stageCacheTag(stageImage.stage));
    cached.push(`${image}:${stageCacheTag(stageImage.stage)}`);
  }
  // Moving a tag leaves the previous build's stage image untagged: it goes now, with the layers only it used.
  const removed: string[] = [];
  for (const stale of await engine.listDanglingStageImages(app)) {
    await engine.removeUntaggedImage(stale.id);
    removed.push(stale.id);
  }
  return { cached, removed };
}
