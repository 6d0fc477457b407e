import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { defaultWebRoot } from "../../src/server/bootstrap.js";
import { createTestApp } from "../helpers/app.js";
import { tempDir } from "../helpers/env.js";

const SCRIPT = "console.log('ahb');".repeat(50);

function webRoot(): { path: string; remove(): void } {
  const web = tempDir();
  mkdirSync(join(web.path, "assets"));
  writeFileSync(join(web.path, "index.html"), "<!doctype html><title>ahb</title>");
  const script = join(web.path, "assets", "app-0123456789.js");
  writeFileSync(script, SCRIPT);
  writeFileSync(`${script}.br`, brotliCompressSync(SCRIPT));
  writeFileSync(`${script}.gz`, gzipSync(SCRIPT));
  writeFileSync(join(web.path, "assets", "plain.js"), SCRIPT);
  return web;
}

describe("static assets", () => {
  it("serves the precompressed copy the client accepts, hashed names immutable, index.html no-cache", async () => {
    const web = webRoot();
    const t = createTestApp({}, { webRoot: web.path });
    try {
      const get = (path: string, acceptEncoding?: string) =>
        t.app.request(path, { headers: acceptEncoding ? { "Accept-Encoding": acceptEncoding } : {} });
      const decoders: Record<string, (body: Buffer) => Buffer> = {
        br: brotliDecompressSync,
        gzip: gunzipSync,
        none: (body) => body,
      };
      for (const [accept, encoding] of [
        ["gzip, deflate, br", "br"],
        ["gzip", "gzip"],
        ["br;q=0, gzip", "gzip"],
        [undefined, "none"],
        ["identity", "none"],
      ] as const) {
        const response = await get("/assets/app-0123456789.js", accept);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("content-encoding") ?? "none", encoding, String(accept));
        assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
        assert.equal(response.headers.get("vary"), "Accept-Encoding");
        assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/);
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(decoders[encoding]?.(body).toString(), SCRIPT);
      }
      assert.equal((await get("/assets/plain.js")).headers.get("cache-control"), "no-cache");
      const index = await get("/", "br");
      assert.equal(index.headers.get("cache-control"), "no-cache");
      assert.equal(await index.text(), "<!doctype html><title>ahb</title>");
      assert.equal((await get("/assets/missing-0123456789.js")).status, 404);
    } finally {
      t.close();
      web.remove();
    }
  });

  it("the build names assets by content and writes a brotli and a gzip copy of each", () => {
    const index = readFileSync(join(defaultWebRoot, "index.html"), "utf8");
    const linked = [...index.matchAll(/\/assets\/([^"]+)"/g)].map((match) => match[1] as string);
    assert.equal(linked.length, 4, index); // the script and three stylesheets
    for (const name of linked) {
      // The build's own hash (stylesheets) or esbuild's (the script and its lazily loaded chunks).
      assert.match(name, /-([0-9A-F]{10}|[0-9A-Z]{8})\.(js|css)$/);
      const path = join(defaultWebRoot, "assets", name);
      const raw = readFileSync(path);
      assert.deepEqual(brotliDecompressSync(readFileSync(`${path}.br`)), raw);
      assert.deepEqual(gunzipSync(readFileSync(`${path}.gz`)), raw);
      assert.equal(existsSync(`${path}.map`), false, "no source maps ship");
    }
  });
});
