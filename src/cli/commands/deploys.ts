import type { Command } from "commander";
import { withOpsOptions } from "../ops-options.js";
import { parsePositiveInt } from "../parse.js";
import { writeErr } from "../output.js";
import type { CommandResult } from "../result.js";

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
    .action(async (flags: { limit: number }, command: Command) => {
      const { printHistory } = await import("../actions/history.js");
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
    .action(async (flags: { limit: number; json?: boolean }, command: Command) => {
      const { printHistory } = await import("../actions/history.js");
      writeErr("ahb: `ahb deploys` is now `ahb deploy history`; the old name goes in the next release\n");
      setResult(printHistory(command, flags));
    });
}
