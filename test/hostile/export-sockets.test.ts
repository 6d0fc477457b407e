import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { createExporter, type Exporter } from "../../src/export/exporter.js";
import { tempDir } from "../helpers/env.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Every way a document can make a browser reach out, all aimed at `base` (an IP literal or a host name). */
function hostileDocument(bases: string[]): string {
  const vectors = bases.flatMap((base) => [
    `<iframe src="${base}/iframe"></iframe>`,
    `<object data="${base}/object"></object>`,
    `<embed src="${base}/embed">`,
    `<portal src="${base}/portal"></portal>`,
    `<link rel="prefetch" href="${base}/prefetch">`,
    `<link rel="preconnect" href="${base}">`,
    `<link rel="dns-prefetch" href="${base}">`,
    `<link rel="preload" as="image" href="${base}/preload.png">`,
    `<link rel="stylesheet" href="${base}/style.css">`,
    `<img src="${base}/img.png" srcset="${base}/small.png 1x, ${base}/big.png 2x">`,
    `<picture><source srcset="${base}/source.webp"><img src="${base}/picture.png"></picture>`,
    `<svg width="10" height="10"><image href="${base}/svg.png" width="10" height="10"/></svg>`,
    `<video poster="${base}/poster.png" src="${base}/video.mp4"></video>`,
    `<audio src="${base}/audio.mp3"></audio>`,
    `<div style="background:url(${base}/background.png)">x</div>`,
    `<style>@font-face{font-family:f;src:url(${base}/font.woff2)} body{font-family:f} @import url(${base}/import.css);</style>`,
  ]);
  const first = bases[0] as string;
  return `<!DOCTYPE html><html><head><base href="${first}/base/">
<meta http-equiv="refresh" content="0;url=${first}/refresh">
</head><body><p>hostile</p>${vectors.join("\n")}<img src="relative-to-base.png"></body></html>`;
}

interface Canary {
  server: Server;
  port: number;
  connections: number;
}

async function startCanary(): Promise<Canary> {
  const canary = { connections: 0 } as Canary;
  canary.server = createServer((socket) => {
    canary.connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.server.listen(0, "127.0.0.1", resolve));
  canary.port = (canary.server.address() as { port: number }).port;
  return canary;
}

describe("exports open no socket and resolve no host name", () => {
  let canary: Canary;
  let exporter: Exporter;
  const dir = tempDir();
  before(async () => {
    canary = await startCanary();
    exporter = createExporter({ exportDir: dir.path, chromiumPath: CHROMIUM });
  });
  after(async () => {
    await exporter.close();
    await new Promise((resolve) => canary.server.close(resolve));
    dir.remove();
  });

  for (const spec of [
    { format: "pdf", paper: "A4" },
    { format: "png", width: 1200, scale: 1 },
    { format: "thumbnail" },
  ] as const) {
    it(`${spec.format}: the canary listener sees 0 connections (IP literal, https, and localhost by name)`, async () => {
      const html = hostileDocument([
        `http://127.0.0.1:${canary.port}`,
        `https://127.0.0.1:${canary.port}`,
        // A name only reaches the canary if it is resolved (localhost -> 127.0.0.1): the resolver canary.
        `http://localhost:${canary.port}`,
        `https://localhost:${canary.port}`,
      ]);
      const before = canary.connections;
      const bytes = await exporter.render(html, spec as never);
      assert.ok(bytes.length > 0);
      // Speculative connections may lag the render: wait before counting.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(canary.connections - before, 0, `${canary.connections - before} connections`);
    });
  }
});
