// Builds dist/web: the page's script (with the code editor as a lazily loaded chunk) and styles under
// content-hashed names (served as immutable), index.html pointing at them (served no-cache), the starters'
// thumbnails, and a brotli and a gzip copy of each text file, compressed once here at build time.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const outdir = "dist/web";
const assets = join(outdir, "assets");
const stylesheets = ["styles.css", "features.css", "workspace.css"];
rmSync(outdir, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const hashed = (name, bytes) => {
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 10).toUpperCase();
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}-${hash}${name.slice(dot)}`;
};

// esbuild names each output by its content hash ([hash]: 8 characters), chunks included.
const result = await build({
  entryPoints: { app: "web/main.ts" },
  bundle: true,
  splitting: true,
  entryNames: "[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  target: "es2022",
  minify: true,
  outdir: assets,
  metafile: true,
  logLevel: "warning",
});
const appScript = Object.entries(result.metafile.outputs).find(
  ([, output]) => output.entryPoint === "web/main.ts",
);
if (!appScript) throw new Error("esbuild produced no output for web/main.ts");

let index = readFileSync("web/index.html", "utf8").replace(
  'src="/assets/app.js"',
  `src="/assets/${basename(appScript[0])}"`,
);
for (const name of stylesheets) {
  const bytes = readFileSync(join("web", name));
  const target = hashed(name, bytes);
  writeFileSync(join(assets, target), bytes);
  index = index.replace(`href="/assets/${name}"`, `href="/assets/${target}"`);
}
if (/(src|href)="\/assets\/[a-z]+\.(js|css)"/.test(index))
  throw new Error("web/index.html links an asset the build did not hash");
writeFileSync(join(outdir, "index.html"), index);
cpSync("web/starters", join(assets, "starters"), { recursive: true });

const compressible = /\.(html|js|css|svg|json)$/;
const builtFiles = readdirSync(outdir, { recursive: true })
  .map((name) => join(outdir, String(name)))
  .filter((path) => compressible.test(path));
for (const path of builtFiles) {
  const bytes = readFileSync(path);
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }),
  );
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
}
