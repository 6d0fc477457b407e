import type { Command } from "commander";
import { ExitCode } from "../../errors.js";
import type { LifecycleAction } from "../../ops/deploy/lifecycle.js";
import { withOpsOptions } from "../ops-options.js";
import { createReporter, printJson } from "../output.js";
import type { CommandResult } from "../result.js";

const descriptions: Record<LifecycleAction, string> = {
  start: "start the stopped container and wait until healthy",
  stop: "stop the container gracefully (SIGTERM, then SIGKILL after the stop timeout)",
  restart:
    "restart the same container (its env as created; env file edits need ahb deploy --no-build --image) and wait until healthy",
};

export function registerLifecycleCommands(
  program: Command,
  setResult: (result: CommandResult) => void,
): void {
  for (const action of ["start", "stop", "restart"] as const) {
    withOpsOptions(program.command(action).description(descriptions[action]))
      .option("--json", "print the result as JSON on stdout")
      .addHelpText("after", `\nExamples:\n  ahb ${action}\n  ahb ${action} --container ahb-staging --json`)
      .action(async (flags: { json?: boolean }, command: Command) => {
        const [{ Engine }, { guardSignals }, { lifecycle }, { opsConfigFrom, progressPrinter }] =
          await Promise.all([
            import("../../ops/docker/engine.js"),
            import("../../shared/interrupts.js"),
            import("../../ops/deploy/lifecycle.js"),
            import("../ops-context.js"),
          ]);
        const progress = progressPrinter(command);
        const signals = guardSignals((message) => progress({ level: "warn", message }));
        const result = await lifecycle(Engine.connect(), opsConfigFrom(command), action, progress, signals);
        if (flags.json) printJson(result);
        else
          createReporter().success(
            `${result.container}: ${result.state} (${(result.elapsedMs / 1000).toFixed(1)} s)`,
          );
        setResult({ exitCode: ExitCode.OK });
      });
  }
}
