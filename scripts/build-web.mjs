import { cpSync, mkdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const outdir = "dist/web";
rmSync(outdir, { recursive: true, force: true });
mkdirSync(`${outdir}/assets`, { recursive: true });
// The code editor (CodeMirror, most of the bundle) is a separate chunk loaded when the Code tab first opens.
await build({
  entryPoints: { app: "web/main.ts" },
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outdir: `${outdir}/assets`,
  logLevel: "warning",
});
cpSync("web/index.html", `${outdir}/index.html`);
cpSync("web/styles.css", `${outdir}/assets/styles.css`);
cpSync("web/features.css", `${outdir}/assets/features.css`);
cpSync("web/starters", `${outdir}/assets/starters`, { recursive: true });
cpSync("web/workspace.css", `${outdir}/assets/workspace.css`);
