import assert from "node:assert/strict";
import { chownSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { execa } from "execa";
import { openDatabase } from "../../src/db/open.js";
import { createSession } from "../../src/db/repo/sessions.js";
import { appendVersion } from "../../src/db/repo/versions.js";
import { CONTAINER_UID, runtimeHardening } from "../../src/ops/docker/spec.js";
import { ANONYMOUS } from "../../src/server/middleware/identity.js";
import { tempDir, validKeys } from "../helpers/env.js";
import {
  TEST_LABELS,
  buildProjectImage,
  dockerSkipReason,
  removeContainer,
  removeImageUnlessKept,
  removeStageImages,
  testImage,
  testName,
} from "../helpers/docker.js";
import { fetchWithDeadline, freePort, waitFor } from "../helpers/net.js";

const CONTAINER = testName("e2e-container");
const IMAGE = `${testImage("app")}:e2e`;
const MAX_IMAGE_BYTES = 700 * 1000 ** 2;
/** Latin, CJK and emoji on one page: the small font set must cover all three. */
const PAGE =
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Fonts</title></head>' +
  "<body><h1>Grüße, 你好, こんにちは, 안녕하세요 🎉👍</h1></body></html>";

const skip = await dockerSkipReason();

describe("container image", { skip }, () => {
  const docker = new Docker();
  const dir = tempDir("ahb-e2e-");
  let port = 0;
  let documentPath = "";
  const inImage = async (script: string) =>
    (await execa("docker", ["run", "--rm", "--entrypoint", "sh", IMAGE, "-c", script])).stdout;

  before(async () => {
    await buildProjectImage(IMAGE, { AHB_APP: CONTAINER });
    for (const sub of ["data", "exports"]) {
      mkdirSync(`${dir.path}/${sub}`);
      chownSync(`${dir.path}/${sub}`, CONTAINER_UID, CONTAINER_UID);
    }
    const db = openDatabase(`${dir.path}/data/app.db`);
    const { session, documentId } = createSession(db, { owner: ANONYMOUS, maxPerOwner: 5, title: "Fonts" });
    appendVersion(db, { documentId, html: PAGE, prompt: "seed", summary: "seed", model: "seed" });
    db.close();
    for (const file of readdirSync(`${dir.path}/data`))
      chownSync(join(dir.path, "data", file), CONTAINER_UID, CONTAINER_UID);
    documentPath = `/api/sessions/${session.id}/documents/${documentId}`;
    port = await freePort();
  });

  after(async () => {
    await removeContainer(docker, CONTAINER);
    await removeImageUnlessKept(docker, IMAGE);
    await removeStageImages(docker, CONTAINER);
    dir.remove();
  });

  it("is under 700 MB and holds only what the server runs: no CLI packages, maps, compiler, npm or host files", async () => {
    const info = await docker.getImage(IMAGE).inspect();
    assert.ok(info.Size < MAX_IMAGE_BYTES, `image is ${(info.Size / 1000 ** 2).toFixed(0)} MB`);
    const found = await inImage(
      "cd /app && find . -name '*.map' -o -name '*.d.ts' | head -3; " +
        "ls -d node_modules/dockerode node_modules/ssh2 node_modules/cpu-features node_modules/@types/dockerode " +
        "node_modules/commander node_modules/prebuild-install node_modules/better-sqlite3/deps " +
        "node_modules/better-sqlite3/src node_modules/.bin /usr/include/node /usr/lib/node_modules/npm " +
        "/usr/local/lib/node_modules/npm /usr/etc/npmrc /etc/ssl/host-ca-bundle.pem /usr/bin/g++ " +
        "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1 2>/dev/null; true",
    );
    assert.equal(found, "", `left in the image:\n${found}`);
    const fonts = await inImage("fc-list :lang=zh family | head -1; fc-list | grep -ci emoji");
    const [cjk, emoji] = fonts.split("\n");
    assert.ok(cjk, "a CJK font");
    assert.ok(Number(emoji) > 0, "an emoji font");
  });

  it("runs as a non-root user, read-only, without capabilities, and answers /api/health", async () => {
    const env = Object.entries({ ...validKeys(), ENVIRONMENT: "production" }).map(([k, v]) => `${k}=${v}`);
    const container = await docker.createContainer({
      name: CONTAINER,
      Image: IMAGE,
      Env: env,
      Labels: TEST_LABELS,
      ExposedPorts: { "8000/tcp": {} },
      HostConfig: {
        PortBindings: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] },
        Binds: [`${dir.path}/data:/app/data`, `${dir.path}/exports:/app/exports`],
        ShmSize: 512 * 1024 ** 2,
        ...runtimeHardening,
      },
    });
    await container.start();
    const body = await waitFor(async () => {
      const response = await fetchWithDeadline(`http://127.0.0.1:${port}/api/health`);
      return response.status === 200
        ? ((await response.json()) as { status: string; db: string })
        : undefined;
    }, 60000);
    assert.equal(body.status, "ok");
    assert.equal(body.db, "ok");

    const info = await container.inspect();
    assert.equal(info.Config.User, "ahb");
    assert.ok(info.Config.Healthcheck?.Test?.join(" ").includes("/api/health"));
    const health = await waitFor(
      async () => {
        const state = (await container.inspect()).State.Health?.Status;
        return state === "healthy" ? state : undefined;
      },
      120000,
      500,
    );
    assert.equal(health, "healthy");
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.CapDrop, ["ALL"]);
    const write = await execa("docker", ["exec", CONTAINER, "touch", "/app/dist/x"], { reject: false });
    assert.notEqual(write.exitCode, 0, "the root filesystem refuses writes");
  });

  it(
    "exports PDF and PNG with Chromium's headless shell on the read-only root",
    { timeout: 180_000 },
    async () => {
      for (const [format, magic] of [
        ["pdf", "%PDF-"],
        ["png", "\x89PNG"],
      ] as const) {
        const response = await fetchWithDeadline(
          `http://127.0.0.1:${port}${documentPath}/export/${format}`,
          120_000,
        );
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(response.status, 200, `${format}: ${body.toString("utf8", 0, 300)}`);
        assert.equal(body.toString("latin1", 0, magic.length), magic, format);
        assert.ok(body.length > 1000, `${format} is ${body.length} bytes`);
      }
    },
  );
});
