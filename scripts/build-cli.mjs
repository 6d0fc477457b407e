// Bundles the CLI into dist/bundle/: one entry file, and a chunk for each command and for the server, loaded
// when a command runs (dynamic imports become chunks). Node otherwise resolves and reads about 400 files to start
// (zod alone is over 200). Packages stay in node_modules except a few pure-JS ones the commands use: native
// modules, workers, Playwright and the SDKs keep their own file layout.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const INLINED = ["zod", "commander", "consola", "cli-table3", "csv-stringify"];
const outdir = "dist/bundle";
const { dependencies, version } = JSON.parse(readFileSync("package.json", "utf8"));
const external = Object.keys(dependencies)
  .filter((name) => !INLINED.includes(name))
  .flatMap((name) => [name, `${name}/*`]);

rmSync(outdir, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: { cli: "src/cli/main.ts" },
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  platform: "node",
  target: "node20",
  outdir,
  external,
  // Bundled CommonJS (cli-table3) calls require() for Node's built-ins; an ES module has none of its own.
  banner: {
    js: 'import { createRequire as __ahbRequire } from "node:module"; const require = __ahbRequire(import.meta.url);',
  },
  sourcemap: "linked",
  logLevel: "warning",
  metafile: true,
});
// Which sources each output holds: test/foundation/cli-startup.test.ts reads it to check what a command evaluates.
writeFileSync(`${outdir}/meta.json`, JSON.stringify(metafile));
// `ahb --version` answers from bin/ahb.js with this, reading no package.json and loading no other module.
writeFileSync(
  `${outdir}/version.js`,
  `// Written by scripts/build-cli.mjs.\nexport const packageVersion = ${JSON.stringify(version)};\n`,
);
