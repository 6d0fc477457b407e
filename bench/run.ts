// `npm run bench` runs every bench and writes bench/RESULTS.md; `npm run bench -- <name...>` runs the named ones
// and prints their reports. A bench file default-exports an async function: the target benches return a
// BenchReport (figures next to the floor or peer measured in the same run); the others print their own tables.
import { readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { load1, renderReport, type BenchReport } from "./lib/report.js";

/** The target benches first, in the order; then the rest. */
const ORDER = ["throughput", "container-start", "export", "costs", "backup"];
const available = readdirSync(new URL(".", import.meta.url))
  .filter((file) => file.endsWith(".ts") && file !== "run.ts")
  .map((file) => file.slice(0, -3))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
/** Builds and swaps real containers for minutes: run it by name. */
const BY_NAME_ONLY = ["deploy"];
const requested = process.argv.slice(2).map((name) => name.replace(/^bench\//, "").replace(/\.ts$/, ""));

function rank(name: string): number {
  const index = ORDER.indexOf(name);
  return index === -1 ? ORDER.length : index;
}

function isReport(value: unknown): value is BenchReport {
  return typeof value === "object" && value !== null && Array.isArray((value as BenchReport).rows);
}

/** Runs one bench; what it prints itself is captured so that RESULTS.md can hold it too. */
async function runBench(name: string): Promise<string> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    printed.push(args.map(String).join(" "));
    original(...args);
  };
  let result: unknown;
  try {
    const module = (await import(`./${name}.ts`)) as { default?: () => Promise<unknown> };
    result = await module.default?.();
  } catch (error) {
    return `## ${name}\n\n**failed**: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    console.log = original;
  }
  if (isReport(result)) return renderReport(result);
  return [`## ${name}`, "", ...printed].join("\n");
}

if (requested.some((name) => !available.includes(name))) {
  console.error(`usage: npm run bench [-- <name...>]   (available: ${available.join(", ")})`);
  process.exit(2);
}
const names = requested.length > 0 ? requested : available.filter((name) => !BY_NAME_ONLY.includes(name));
const sections: string[] = [];
const startedAt = new Date();
const loadAtStart = load1();

/** Rewritten after every bench, so a run cut short still leaves what it measured. */
function writeResults(done: boolean): void {
  const header = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench\` (${startedAt.toISOString()} to ${new Date().toISOString()}${done ? "" : ", still running or cut short"}),`,
    `${cpus().length} cores, load average (1 min) ${loadAtStart.toFixed(2)} at start and ${load1().toFixed(2)} at the last write.`,
    "Every ratio compares figures measured in the same run; absolute numbers drift with the machine's load, the ratios",
    `are the point. See docs/performance.md for what each bench does; ${BY_NAME_ONLY.join(", ")} runs by name only.`,
  ].join("\n");
  writeFileSync(new URL("./RESULTS.md", import.meta.url), `${header}\n\n${sections.join("\n\n")}\n`);
}

for (const name of names) {
  console.error(`bench: ${name} (load average ${load1().toFixed(2)})`);
  const section = await runBench(name);
  sections.push(section);
  if (requested.length > 0) console.log(`${section}\n`);
  else writeResults(false);
}
if (requested.length === 0) {
  writeResults(true);
  console.error("bench: wrote bench/RESULTS.md");
}
