import type { Command } from "commander";
import { checkConfig } from "../../config/check.js";
import { renderEnvFile } from "../../config/env-example.js";
import { ExitCode } from "../../errors.js";
import { createReporter, printJson, printTable, writeOut } from "../output.js";
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
    .action((options: { envFile: string; json?: boolean }) => {
      const report = checkConfig({ envFile: options.envFile });
      if (options.json) {
        printJson(report);
      } else {
        const reporter = createReporter();
        printTable(
          ["KEY", "VALUE", "SOURCE"],
          Object.entries(report.keys).map(([key, entry]) => [key, entry.value, entry.source]),
        );
        for (const warning of report.warnings) reporter.warn(warning);
        for (const error of report.errors) reporter.error(error);
        if (report.ok) reporter.success(`${options.envFile} is valid`);
      }
      setResult({ exitCode: report.ok ? ExitCode.OK : ExitCode.CONFIG_INVALID });
    });

  config
    .command("example")
    .description("print the annotated env file generated from the schema (what .env.example holds)")
    .action(() => {
      writeOut(renderEnvFile());
    });

  config
    .command("docs")
    .description("print docs/configuration.md, generated from the env and ops config schemas")
    .action(async () => {
      const { renderConfigDocs } = await import("../render/config-docs.js");
      writeOut(renderConfigDocs());
    });
}
