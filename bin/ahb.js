#!/usr/bin/env -S node --
// "--" matters: Node 20 otherwise reads a later "--env-file" argument as its own flag and loads that file.
import { run } from "../dist/cli/main.js";

const code = await run(process.argv.slice(2));
// Wait until stdout has handed everything to the OS: exiting earlier can cut piped --json output.
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
