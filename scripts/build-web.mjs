import { cpSync, mkdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const outdir = "dist/web";
rmSync(outdir, { recursive: true, force: true });
mkdirSync(`${outdir}/assets`, { recursive: true });
await build({
  entryPoints: ["web/main.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outfile: `${outdir}/assets/app.js`,
  logLevel: "warning",
});
cpSync("web/index.html", `${outdir}/index.html`);
cpSync("web/styles.css", `${outdir}/assets/styles.css`);
cpSync("web/features.css", `${outdir}/assets/features.css`);
cpSync("web/starters", `${outdir}/assets/starters`, { recursive: true });
