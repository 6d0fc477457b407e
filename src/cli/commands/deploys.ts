import type { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { readAudit } from "../../ops/deploy/audit.js";
import { opsConfigFrom, withOpsOptions } from "../ops-options.js";
import { parsePositiveInt } from "../parse.js";
import { printJson, printTable } from "../output.js";
import type { CommandResult } from "../result.js";

function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`;
}

export function registerDeploysCommand(program: Command, setResult: (result: CommandResult) => void): void {
  withOpsOptions(program.command("deploys").description("the deploy audit log, newest first"))
    .option("--limit <n>", "entries to show", parsePositiveInt, 20)
    .option("--json", "print the entries as JSON on stdout")
    .addHelpText("after", "\nExamples:\n  ahb deploys\n  ahb deploys --limit 100 --json")
    .action((flags: { limit: number; json?: boolean }, command: Command) => {
      const entries = readAudit(opsConfigFrom(command).stateDir).reverse().slice(0, flags.limit);
      if (flags.json) printJson(entries);
      else
        printTable(
          ["TIME (UTC)", "ACTION", "VERSION", "RESULT", "DOWNTIME", "TOTAL", "OPERATOR", "MESSAGE"],
          entries.map((entry) => [
            entry.time,
            entry.action,
            entry.version ?? "-",
            entry.result,
            seconds(entry.downtimeMs),
            seconds(entry.durationsMs.total),
            `${entry.operator}@${entry.host}`,
            entry.message ?? "",
          ]),
        );
      setResult({ exitCode: ExitCode.OK });
    });
}
