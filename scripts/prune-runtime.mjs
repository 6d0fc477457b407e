#!/usr/bin/env node
// Leaves in node_modules only what the server loads, for the runtime image (Dockerfile, build stage, after
// `npm prune --omit=dev`). The roots are the bare imports of dist/ outside the operations CLI (dist/cli, dist/ops:
// Docker client, tables, prompts), closed over package-lock.json's dependencies; then source maps, type
// declarations and native build leftovers go.
// Usage: node scripts/prune-runtime.mjs [appDir]   (prints what it removed and the size left)
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join, relative, sep } from "node:path";

const app = process.argv[2] ?? process.cwd();
/** Dependencies needed only to install (prebuilt binary download), never loaded by the server. */
const INSTALL_ONLY = new Set(["prebuild-install"]);
/** dist/ trees the server never imports: the operations CLI (as modules and as its esbuild bundle) and the page. */
const NOT_SERVER = ["cli", "ops", "bundle", "web"].map((dir) => join(app, "dist", dir) + sep);
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"'./][^"']*)["']/gm;

function walk(dir, visit) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    else visit(path);
  }
}

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function serverImports() {
  const names = new Set();
  walk(join(app, "dist"), (path) => {
    if (!path.endsWith(".js") || NOT_SERVER.some((dir) => path.startsWith(dir))) return;
    for (const match of readFileSync(path, "utf8").matchAll(IMPORT))
      if (!isBuiltin(match[1])) names.add(packageName(match[1]));
  });
  return names;
}

/** The lock's location of `name` as seen from the package at `from` (Node's upward node_modules search). */
function resolveIn(packages, from, name) {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf("/node_modules/")))) {
    const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === "") return undefined;
  }
}

function closure(packages, roots) {
  const keep = new Set();
  const queue = [...roots].map((name) => ["", name]);
  while (queue.length > 0) {
    const [from, name] = queue.pop();
    if (INSTALL_ONLY.has(name)) continue;
    const at = resolveIn(packages, from, name);
    if (at === undefined || keep.has(at)) continue;
    keep.add(at);
    const entry = packages[at];
    for (const deps of [entry.dependencies, entry.optionalDependencies, entry.peerDependencies])
      for (const dep of Object.keys(deps ?? {})) queue.push([at, dep]);
  }
  return keep;
}

const JUNK = /\.(map|d\.ts|d\.mts|d\.cts|tsbuildinfo)$/;

function removeJunk(root) {
  walk(root, (path) => {
    if (JUNK.test(path)) rmSync(path);
  });
}

/** better-sqlite3 loads build/Release/better_sqlite3.node; its C sources and object files stay behind. */
function removeNativeLeftovers(packageDir) {
  for (const dir of ["deps", "src"]) rmSync(join(packageDir, dir), { recursive: true, force: true });
  const build = join(packageDir, "build");
  if (!existsSync(build)) return;
  for (const entry of readdirSync(build))
    if (entry !== "Release") rmSync(join(build, entry), { recursive: true, force: true });
  const release = join(build, "Release");
  for (const entry of readdirSync(release))
    if (!entry.endsWith(".node")) rmSync(join(release, entry), { recursive: true, force: true });
}

function sizeOf(path) {
  let bytes = 0;
  walk(path, (file) => (bytes += lstatSync(file).size));
  return bytes;
}

const lock = JSON.parse(readFileSync(join(app, "package-lock.json"), "utf8"));
const keep = closure(lock.packages, serverImports());
const removed = Object.keys(lock.packages)
  .filter((path) => path.startsWith("node_modules/") && !keep.has(path))
  .filter((path) => existsSync(join(app, path)))
  .sort((a, b) => b.length - a.length);
for (const path of removed) rmSync(join(app, path), { recursive: true, force: true });
for (const entry of readdirSync(join(app, "node_modules"))) {
  const dir = join(app, "node_modules", entry);
  if (entry.startsWith("@") && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}
// The server runs no package's command-line tool.
rmSync(join(app, "node_modules", ".bin"), { recursive: true, force: true });
removeJunk(join(app, "node_modules"));
removeJunk(join(app, "dist"));
const sqlite = resolveIn(lock.packages, "", "better-sqlite3");
if (sqlite) removeNativeLeftovers(join(app, sqlite));
console.log(
  `prune-runtime: kept ${keep.size} packages, removed ${removed.length}: ${removed
    .map((path) => relative("node_modules", path))
    .join(", ")}`,
);
console.log(`prune-runtime: node_modules ${(sizeOf(join(app, "node_modules")) / 1024 ** 2).toFixed(1)} MB`);
