import { serveUntilSignal } from "./bootstrap.js";

// The container's entry point: the server without the operations CLI, whose packages (Docker client, tables,
// prompts) the runtime image leaves out (scripts/prune-runtime.mjs).
await serveUntilSignal({ envFile: ".env", host: "0.0.0.0" });
process.exit(0);
