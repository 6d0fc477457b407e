// Runs the benchmarks named on the command line: `npm run bench -- export` runs bench/export.ts.
// A bench file either runs when imported or default-exports an async function that does (so it can also be
// imported for its helpers without running).
import { readdirSync } from "node:fs";

const available = readdirSync(new URL(".", import.meta.url))
  .filter((file) => file.endsWith(".ts") && file !== "run.ts")
  .map((file) => file.slice(0, -3));
const names = process.argv.slice(2).map((name) => name.replace(/^bench\//, "").replace(/\.ts$/, ""));

if (names.length === 0 || names.some((name) => !available.includes(name))) {
  console.error(`usage: npm run bench -- <name...>   (available: ${available.join(", ") || "none"})`);
  process.exit(2);
}
for (const name of names) {
  const module = (await import(`./${name}.ts`)) as { default?: unknown };
  if (typeof module.default === "function") await (module.default as () => Promise<void>)();
}
