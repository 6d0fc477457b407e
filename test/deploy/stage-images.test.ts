import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { LABEL_STAGE_APP } from "../../src/ops/docker/spec.js";
import { BASE_IMAGE, dockerSkipReason } from "../helpers/docker.js";
import { createTinySite, type TinySite } from "../helpers/tiny-site.js";

const skip = await dockerSkipReason();

/** The tiny app built in two stages, labelled as the project's Dockerfile labels its stages. */
function multiStageDockerfile(): string {
  return [
    `FROM ${BASE_IMAGE} AS build`,
    "COPY server.js stamp /build/",
    "ARG AHB_APP=ahb",
    "LABEL ahb.stage=build ahb.stage.app=${AHB_APP}",
    `FROM ${BASE_IMAGE}`,
    "WORKDIR /app",
    "COPY --from=build /build/server.js /app/server.js",
    "ARG AHB_VERSION=dev",
    "ENV AHB_VERSION=${AHB_VERSION}",
    "USER 10001:10001",
    'CMD ["node", "/app/server.js"]',
    "",
  ].join("\n");
}

describe("stage images after a deploy", { skip }, () => {
  let site: TinySite;
  let context = "";

  before(async () => {
    site = await createTinySite("recovery-stages");
    context = join(site.root, "ctx-stages");
    mkdirSync(context);
    copyFileSync(join(site.contexts.ok, "server.js"), join(context, "server.js"));
    writeFileSync(join(context, "Dockerfile"), multiStageDockerfile());
  });

  after(async () => {
    const stages = await site.docker.listImages({
      filters: { label: [`${LABEL_STAGE_APP}=${site.container}`] },
    });
    for (const stage of stages)
      await site.docker
        .getImage(stage.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await site?.remove();
  });

  const danglingStages = async () =>
    (
      await execa("docker", [
        "image",
        "ls",
        "--quiet",
        "--filter",
        "dangling=true",
        "--filter",
        `label=${LABEL_STAGE_APP}=${site.container}`,
      ])
    ).stdout;

  it("leaves no untagged stage image: this build's stage is kept as cache, the previous one removed", async () => {
    const cacheId = async () =>
      (await execa("docker", ["image", "inspect", "--format", "{{.Id}}", `${site.image}:stage-build`]))
        .stdout;
    for (const [tag, stamp] of [
      ["m1", "one"],
      ["m2", "two"],
    ] as const) {
      writeFileSync(join(context, "stamp"), stamp);
      const deploy = await site.cli(["deploy", "--tag", tag, "--context", context]);
      assert.equal(deploy.exitCode, 0, deploy.stderr);
      assert.equal(await danglingStages(), "", `after ${tag}: no dangling stage image`);
      const cached = await cacheId();
      const stampInCache = await execa("docker", ["run", "--rm", cached, "cat", "/build/stamp"]);
      assert.equal(
        stampInCache.stdout,
        readFileSync(join(context, "stamp"), "utf8"),
        "the newest stage is kept",
      );
    }
    const stageImages = await site.docker.listImages({
      filters: { label: [`${LABEL_STAGE_APP}=${site.container}`] },
    });
    assert.equal(stageImages.length, 1, "the first build's stage image is gone");
    assert.equal((await site.health())?.version, "m2");
  });
});
