// Bundles the two entry points with esbuild, so that a start reads a few files instead of resolving hundreds
// (zod alone is over 200):
// - dist/bundle/: the CLI, one entry file and a chunk for each command (and for the server of `ahb serve`), loaded
//   when a command runs (dynamic imports become chunks);
// - dist/server-bundle/: the container's entry point, the server alone (the runtime image has no CLI packages, and
//   scripts/prune-runtime.mjs reads this tree and not dist/bundle).
// Packages stay in node_modules except the pure-JS ones listed: native modules, workers, Playwright and the SDKs
// keep their own file layout (the SDKs are required on first use, src/ai/providers/sdk.ts).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const { dependencies, version } = JSON.parse(readFileSync("package.json", "utf8"));

/** Bundles one entry into outdir, inlining `inlined` packages; returns esbuild's metafile. */
async function bundle({ name, entry, outdir, inlined }) {
  const external = Object.keys(dependencies)
    .filter((dependency) => !inlined.includes(dependency))
    .flatMap((dependency) => [dependency, `${dependency}/*`]);
  rmSync(outdir, { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: { [name]: entry },
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    format: "esm",
    platform: "node",
    target: "node20",
    outdir,
    external,
    // Bundled CommonJS (cli-table3, busboy) calls require() for Node's built-ins; an ES module has none of its own.
    banner: {
      js: 'import { createRequire as __ahbRequire } from "node:module"; const require = __ahbRequire(import.meta.url);',
    },
    sourcemap: "linked",
    logLevel: "warning",
    metafile: true,
  });
  return metafile;
}

const cliMeta = await bundle({
  name: "cli",
  entry: "src/cli/main.ts",
  outdir: "dist/bundle",
  inlined: ["zod", "commander", "consola", "cli-table3", "csv-stringify"],
});
// Which sources each output holds: test/foundation/cli-startup.test.ts reads it to check what a command evaluates.
writeFileSync("dist/bundle/meta.json", JSON.stringify(cliMeta));
// `ahb --version` answers from bin/ahb.js with this, reading no package.json and loading no other module.
writeFileSync(
  "dist/bundle/version.js",
  `// Written by scripts/build-bundles.mjs.\nexport const packageVersion = ${JSON.stringify(version)};\n`,
);

await bundle({
  name: "main",
  entry: "src/server/main.ts",
  outdir: "dist/server-bundle",
  inlined: [
    "zod",
    "hono",
    "@hono/node-server",
    "hono-rate-limiter",
    "prom-client",
    "csv-stringify",
    "busboy",
  ],
});
