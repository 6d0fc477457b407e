import type { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { withOpsOptions } from "../ops-options.js";
import { parsePositiveInt } from "../parse.js";
import type { CommandResult } from "../result.js";
import { cliIo } from "../io.js";

interface LogsFlags {
  follow?: boolean;
  tail?: number;
  since?: string;
  json?: boolean;
}

export function registerLogsCommand(program: Command, setResult: (result: CommandResult) => void): void {
  withOpsOptions(
    program
      .command("logs")
      .description("the container's stdout and stderr, every secret from the env file redacted"),
  )
    .option("-f, --follow", "keep printing until Ctrl-C or the container stops")
    .option("--tail <n>", "only the last n lines", parsePositiveInt)
    .option("--since <when>", "only lines since a duration ago (90s, 30m, 1h, 2d) or an ISO time")
    .option("--json", "one JSON object per line: {time, stream, text}")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb logs --tail 50\n  ahb logs -f --since 10m\n  ahb logs --json | jq .text",
    )
    .action(async (flags: LogsFlags, command: Command) => {
      const [{ Engine }, { containerLogs }, { opsConfigFrom }] = await Promise.all([
        import("../../ops/docker/engine.js"),
        import("../../ops/deploy/logs.js"),
        import("../ops-context.js"),
      ]);
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once("SIGINT", stop);
      try {
        await containerLogs(
          Engine.connect(),
          opsConfigFrom(command),
          { follow: flags.follow === true, tail: flags.tail, since: flags.since, signal: abort.signal },
          (line) => {
            const text = flags.json
              ? JSON.stringify(line)
              : line.time
                ? `${line.time} ${line.text}`
                : line.text;
            (line.stream === "stderr" && !flags.json ? cliIo().stderr : cliIo().stdout).write(`${text}\n`);
          },
        );
      } finally {
        process.removeListener("SIGINT", stop);
      }
      setResult({ exitCode: ExitCode.OK });
    });
}
