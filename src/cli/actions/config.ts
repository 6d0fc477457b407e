import { checkConfig } from "../../config/check.js";
import { renderEnvFile } from "../../config/env-example.js";
import { ExitCode } from "../../errors.js";
import { createReporter, printJson, printTable, writeOut } from "../output.js";
import type { CommandResult } from "../result.js";

export function configCheck(
  options: { envFile: string; json?: boolean },
  setResult: (result: CommandResult) => void,
): void {
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
}

export function configExample(): void {
  writeOut(renderEnvFile());
}
