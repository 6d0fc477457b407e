import type { Command } from "commander";
import { parsePort } from "../parse.js";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description(
      "run the web server (the container's entry point); on SIGTERM/SIGINT it drains: new turns get 503 while " +
        "running ones finish (up to SHUTDOWN_GRACE_SECONDS); a second signal ends the drain at once",
    )
    .option("--env-file <path>", "env file to read if present (the process environment wins)", ".env")
    .option("--port <port>", "port to listen on (default: PORT)", parsePort)
    .option("--host <address>", "address to bind", "0.0.0.0")
    .addHelpText("after", "\nExamples:\n  ahb serve\n  ahb serve --port 9000 --env-file .env.local")
    .action(async (options: { envFile: string; port?: number; host: string }) => {
      const { serveUntilSignal } = await import("../../server/bootstrap.js");
      await serveUntilSignal(options);
    });
}
