import type { Command } from "commander";
import { writeOut } from "../output.js";
import type { CommandResult } from "../result.js";

export function registerConfigCommands(program: Command, setResult: (result: CommandResult) => void): void {
  const config = program.command("config").description("validate and document the env file");

  config
    .command("check")
    .description("validate the env file against the schema and print every key (secrets masked)")
    .option("--env-file <path>", "env file to check", ".env.prod")
    .option("--json", "print the report as JSON on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb config check\n  ahb config check --env-file .env.example --json",
    )
    .action(async (options: { envFile: string; json?: boolean }) => {
      const { configCheck } = await import("../actions/config.js");
      configCheck(options, setResult);
    });

  config
    .command("example")
    .description("print the annotated env file generated from the schema (what .env.example holds)")
    .action(async () => {
      const { configExample } = await import("../actions/config.js");
      configExample();
    });

  config
    .command("docs")
    .description("print docs/configuration.md, generated from the env and ops config schemas")
    .action(async () => {
      const { renderConfigDocs } = await import("../render/config-docs.js");
      writeOut(renderConfigDocs());
    });
}
