// Node 20's test runner neither expands globs nor discovers .ts files, so list them here.
// Usage: node scripts/run-tests.mjs [dir-or-file ...]   (default: test/)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ["test"]).flatMap((root) =>
  statSync(root).isDirectory()
    ? readdirSync(root, { recursive: true })
        .map((name) => join(root, String(name)))
        .filter((path) => path.endsWith(".test.ts"))
    : [root],
);
files.sort();
// .ci/run times npm test's phases: it learns here when the tests (after typecheck, lint and build) begin.
if (process.env.AHB_CI_TESTS_STARTED) {
  writeFileSync(process.env.AHB_CI_TESTS_STARTED, String(Math.floor(Date.now() / 1000)));
  console.log("ci: ── tests");
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
