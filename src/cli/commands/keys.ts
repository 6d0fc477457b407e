import type { Command } from "commander";
import type { KeysReport } from "../../ops/keys/check.js";
import { createReporter, printJson, printTable } from "../output.js";
import { parsePositiveInt } from "../parse.js";
import type { CommandResult } from "../result.js";

interface KeysCheckFlags {
  envFile: string;
  live?: boolean;
  json?: boolean;
  timeout: number;
}

function printKeysReport(report: KeysReport): void {
  printTable(
    ["PROVIDER", "VARIABLE", "KEY", "FORMAT", "LIVE", "MS", "DETAIL"],
    report.providers.map((entry) => [
      entry.provider,
      entry.variable,
      entry.key || "-",
      entry.format,
      entry.live?.status ?? (report.live ? "skipped" : "-"),
      entry.live ? entry.live.latencyMs : "-",
      entry.formatDetail ?? entry.live?.detail ?? "",
    ]),
  );
}

export function registerKeysCommands(program: Command, setResult: (result: CommandResult) => void): void {
  const keys = program.command("keys").description("check the provider API keys");

  keys
    .command("check")
    .description("check both keys' format with the schema; --live lists models with each provider's SDK")
    .option("--env-file <path>", "env file to read (the environment wins; required when given)", ".env.prod")
    .option("--live", "list models at Anthropic and Google (one request each, no retries)")
    .option("--timeout <seconds>", "per-provider timeout of --live", parsePositiveInt, 10)
    .option("--json", "print the report as JSON on stdout")
    .addHelpText(
      "after",
      "\nExit codes: 0 both ok, 20 Anthropic failed, 21 Google failed, 22 both failed, 78 config invalid.\n" +
        "\nExamples:\n  ahb keys check\n  ahb keys check --live --json\n  ahb keys check --env-file /srv/ahb/.env.prod --live",
    )
    .action(async (options: KeysCheckFlags, command: Command) => {
      const { checkKeys, keysExitCode } = await import("../../ops/keys/check.js");
      const report = await checkKeys({
        envFile: options.envFile,
        envFileRequired: command.getOptionValueSource("envFile") === "cli",
        live: options.live ?? false,
        timeoutMs: options.timeout * 1000,
      });
      if (options.json) printJson(report);
      else {
        printKeysReport(report);
        const reporter = await createReporter();
        if (report.ok) reporter.success(report.live ? "both keys work" : "both keys are well-formed");
        else reporter.error("a key failed its check");
      }
      setResult({ exitCode: keysExitCode(report) });
    });
}
