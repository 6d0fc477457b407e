import { Command, CommanderError } from "commander";
import { writeErr } from "./output.js";
import { ExitCode, fileSystemError, UserError, type ExitCodeValue } from "../errors.js";
import { appVersion } from "../version.js";
import { registerBackupCommands } from "./commands/backup.js";
import { registerCleanupCommand } from "./commands/cleanup.js";
import { registerConfigCommands } from "./commands/config.js";
import { registerCostsCommand } from "./commands/costs.js";
import { registerRestoreCommand } from "./commands/restore.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerInitCommand } from "./commands/init.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerDeployCommand } from "./commands/deploy.js";
import { registerDeployHistoryCommand, registerDeploysAlias } from "./commands/deploys.js";
import { registerLifecycleCommands } from "./commands/lifecycle.js";
import { registerLogsCommand } from "./commands/logs.js";
import { registerRollbackCommand } from "./commands/rollback.js";
import { registerStatusCommand } from "./commands/status.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerTemplatesCommands } from "./commands/templates.js";
import { registerStartersCommands } from "./commands/starters.js";
import type { CommandResult } from "./result.js";
import { cliIo, withCliIo, type CliIo } from "./io.js";

const EXAMPLES = `
Examples:
  $ ahb serve                       run the server locally (reads .env, SQLite under ./data)
  $ ahb config check                validate .env.prod, secrets masked
  $ ahb config check --json         the same report as JSON
  $ ahb backup --keep-last 7        verified online backup of the live database, keep the newest 7
  $ ahb init                        write .env.prod (keys asked for without echo), mode 600
  $ ahb keys check --live           list models with both keys (exit 20/21/22 names the failed one)
  $ ahb doctor                      one report on the host: engine, keys, port, disk, db, backups, schedule
  $ ahb templates list              proxy snippets, systemd units, crontab, CI workflow to render
  $ ahb starters check              validate the operator's starter templates for the web page
  $ ahb cleanup --dry-run           what the hourly cleanup would delete (sessions, export files)
  $ ahb restore <backup> --yes      verify, stop the container, swap the database, start, wait for health
  $ ahb costs --days 7 --by day     AI spend per day with a trend; --budget USD exits 4 when over
  $ ahb deploy                      build, back up, health-gated swap (rolls back by itself)
  $ ahb status --json               container health, version, resources (exit 3 when unhealthy)

Exit codes: see the README ("Exit codes"); 0 means success.`;

export function buildProgram(setResult: (result: CommandResult) => void): Command {
  const program = new Command("ahb")
    .description("AI HTML Builder operations toolkit")
    .version(appVersion(), "-V, --version")
    .option("--verbose", "print stacks for unexpected errors")
    .showHelpAfterError("(run ahb --help for usage)")
    .addHelpText("after", EXAMPLES)
    .exitOverride()
    // Before the subcommands exist: each one copies these settings when it is created.
    .configureOutput({
      writeOut: (text) => cliIo().stdout.write(text),
      writeErr: (text) => cliIo().stderr.write(text),
      getOutHelpWidth: () => cliIo().stdout.columns ?? 80,
      getErrHelpWidth: () => cliIo().stderr.columns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  registerServeCommand(program);
  registerConfigCommands(program, setResult);
  registerBackupCommands(program);
  registerInitCommand(program);
  registerDoctorCommand(program, setResult);
  registerKeysCommands(program, setResult);
  registerTemplatesCommands(program);
  registerStartersCommands(program);
  registerCleanupCommand(program);
  registerCostsCommand(program, setResult);
  registerRestoreCommand(program);
  registerDeployHistoryCommand(registerDeployCommand(program, setResult), setResult);
  registerRollbackCommand(program, setResult);
  registerStatusCommand(program, setResult);
  registerLogsCommand(program, setResult);
  registerLifecycleCommands(program, setResult);
  registerDeploysAlias(program, setResult);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Runs the CLI with the given streams (the process's when none are given) and returns the exit code; bin/ahb.js is
 * the only place that exits. Tests run it in-process through test/helpers/cli.ts, with streams of their own.
 * The process's own streams need no AsyncLocalStorage (cliIo() falls back to them): once one run() enters it,
 * Node tracks every promise of the process, which cost `ahb serve` about a tenth of each request.
 */
export function run(argv: readonly string[], io?: CliIo): Promise<ExitCodeValue> {
  return io ? withCliIo(io, () => runProgram(argv)) : runProgram(argv);
}

async function runProgram(argv: readonly string[]): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.OK;
  const program = buildProgram((result) => {
    exitCode = result.exitCode;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return reportFailure(error, argv.includes("--verbose") || process.env.DEBUG === "true");
  }
}

function reportFailure(error: unknown, verbose: boolean): ExitCodeValue {
  if (error instanceof CommanderError) {
    const helpOrVersion = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(
      error.code,
    );
    return helpOrVersion || error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (error instanceof UserError) {
    writeErr(`ahb: ${error.message}\n`);
    for (const detail of error.details) writeErr(`  ${detail}\n`);
    return error.exitCode;
  }
  const onFileSystem = fileSystemError(error, "a file this command writes");
  if (onFileSystem) return reportFailure(onFileSystem, verbose);
  const message = error instanceof Error ? error.message : String(error);
  writeErr(`ahb: unexpected error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) writeErr(`${error.stack}\n`);
  else writeErr("  (rerun with --verbose for the stack)\n");
  return ExitCode.INTERNAL;
}
