import type { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { readAudit } from "../../ops/deploy/audit.js";
import { opsConfigFrom } from "../ops-context.js";
import { printJson, printTable } from "../output.js";
import type { CommandResult } from "../result.js";

function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`;
}

/** The audit log, newest first; `opsCommand` is the command that holds the ops flags (deploy's, or the alias's). */
export function printHistory(opsCommand: Command, flags: { limit: number; json?: boolean }): CommandResult {
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
