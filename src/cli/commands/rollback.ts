import type { Command } from "commander";
import { withReleaseOptions } from "../ops-options.js";
import type { CommandResult } from "../result.js";

export function registerRollbackCommand(program: Command, setResult: (result: CommandResult) => void): void {
  withReleaseOptions(
    program
      .command("rollback")
      .argument("[version]", "a kept version (default: the one before the serving one)")
      .description(
        "health-gated swap back to a previously deployed image (exit 5 when the version is not kept)",
      ),
  )
    .option("--no-backup", "skip the pre-rollback database backup")
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb rollback\n  ahb rollback 6a72c30-20261124T042421Z --json\n  ahb deploys   (lists the versions)",
    )
    .action(
      async (version: string | undefined, flags: { backup: boolean; json?: boolean }, command: Command) => {
        const { rollback } = await import("../actions/release.js");
        await rollback(version, flags, command, setResult);
      },
    );
}
