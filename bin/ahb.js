#!/usr/bin/env -S node --
// "--" matters: Node 20 otherwise reads a later "--env-file" argument as its own flag and loads that file.
import { run } from "../dist/cli/main.js";

// A reader that went away (`ahb logs | head -1`) ends the command quietly, as for any Unix filter.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });

const code = await run(process.argv.slice(2));
// Wait until stdout has handed everything to the OS: exiting earlier can cut piped --json output.
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
