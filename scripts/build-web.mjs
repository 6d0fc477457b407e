// Builds dist/web: the page's script and styles under content-hashed names (served as immutable), index.html
// pointing at them (served no-cache), and a brotli and a gzip copy of each, compressed once here at build time.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const outdir = "dist/web";
const assets = join(outdir, "assets");
rmSync(outdir, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const hashed = (name, bytes) => {
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 10).toUpperCase();
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}-${hash}${name.slice(dot)}`;
};

const script = await build({
  entryPoints: ["web/main.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  write: false,
  outfile: "app.js",
  logLevel: "warning",
});
const scriptBytes = script.outputFiles[0].contents;
const styleBytes = readFileSync("web/styles.css");
const names = { "app.js": hashed("app.js", scriptBytes), "styles.css": hashed("styles.css", styleBytes) };
writeFileSync(join(assets, names["app.js"]), scriptBytes);
writeFileSync(join(assets, names["styles.css"]), styleBytes);
const index = readFileSync("web/index.html", "utf8")
  .replace('href="/assets/styles.css"', `href="/assets/${names["styles.css"]}"`)
  .replace('src="/assets/app.js"', `src="/assets/${names["app.js"]}"`);
if (!index.includes(names["app.js"]) || !index.includes(names["styles.css"]))
  throw new Error("web/index.html no longer links /assets/app.js and /assets/styles.css");
writeFileSync(join(outdir, "index.html"), index);

for (const path of [join(outdir, "index.html"), ...readdirSync(assets).map((name) => join(assets, name))]) {
  const bytes = readFileSync(path);
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }),
  );
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
}
