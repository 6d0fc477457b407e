#!/usr/bin/env -S node --
// "--" matters: Node 20 otherwise reads a later "--env-file" argument as its own flag and loads that file.

// A reader that went away (`ahb logs | head -1`) ends the command quietly, as for any Unix filter.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });

const args = process.argv.slice(2);
// The version alone answers before the command tree is built, from the version the build wrote down; AHB_VERSION
// (an image's build version) wins, as in src/version.ts.
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { packageVersion } = await import("../dist/bundle/version.js");
  process.stdout.write(`${process.env.AHB_VERSION || packageVersion}\n`);
  process.exit(0);
}
// The bundle (scripts/build-bundles.mjs): one file to start, each command in a chunk loaded when it runs.
const { run } = await import("../dist/bundle/cli.js");
const code = await run(args);
// Wait until stdout has handed everything to the OS: exiting earlier can cut piped --json output.
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
