import type { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { readAudit } from "../../ops/deploy/audit.js";
import { opsConfigFrom, withOpsOptions } from "../ops-options.js";
import { parsePositiveInt } from "../parse.js";
import { printJson, printTable, writeErr } from "../output.js";
import type { CommandResult } from "../result.js";

function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`;
}

/** The audit log, newest first; `opsCommand` is the command that holds the ops flags (deploy's, or the alias's). */
function printHistory(opsCommand: Command, flags: { limit: number; json?: boolean }): CommandResult {
  const entries = readAudit(opsConfigFrom(opsCommand).stateDir).reverse().slice(0, flags.limit);
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
  return { exitCode: ExitCode.OK };
}

/**
 * `ahb deploy history`. Commander hands the flags `ahb deploy` also has (--json, --config, --container, --env-file,
 * --state-dir) to deploy wherever they stand, so they are read from there.
 */
export function registerDeployHistoryCommand(
  deploy: Command,
  setResult: (result: CommandResult) => void,
): void {
  deploy
    .command("history")
    .description("the deploy audit log, newest first (takes deploy's --config, --state-dir and --json)")
    .option("--limit <n>", "entries to show", parsePositiveInt, 20)
    .option("--json", "print the entries as JSON on stdout")
    .addHelpText("after", "\nExamples:\n  ahb deploy history\n  ahb deploy history --limit 100 --json")
    .action((flags: { limit: number }, command: Command) => {
      const parent = command.parent as Command;
      const json = command.optsWithGlobals<{ json?: boolean }>().json;
      setResult(printHistory(parent, { limit: flags.limit, json }));
    });
}

/** The old name, hidden, for one release. */
export function registerDeploysAlias(program: Command, setResult: (result: CommandResult) => void): void {
  withOpsOptions(program.command("deploys", { hidden: true }).description("renamed: ahb deploy history"))
    .option("--limit <n>", "entries to show", parsePositiveInt, 20)
    .option("--json", "print the entries as JSON on stdout")
    .action((flags: { limit: number; json?: boolean }, command: Command) => {
      writeErr("ahb: `ahb deploys` is now `ahb deploy history`; the old name goes in the next release\n");
      setResult(printHistory(command, flags));
    });
}
