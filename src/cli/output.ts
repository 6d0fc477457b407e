import Table from "cli-table3";
import { createConsola, type ConsolaInstance } from "consola";
import { cliIo } from "./io.js";

/** Progress and diagnostics go to stderr, so stdout carries only data (tables or --json). */
export function createReporter(options: { quiet?: boolean } = {}): ConsolaInstance {
  // consola only writes to its streams; its type asks for a TTY stream nonetheless.
  const stderr = cliIo().stderr as NodeJS.WriteStream;
  return createConsola({
    stdout: stderr,
    stderr,
    level: options.quiet ? 1 : 3,
    fancy: stderr.isTTY === true,
  });
}

export function printJson(value: unknown): void {
  cliIo().stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function renderTable(head: string[], rows: (string | number)[][]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  table.push(...rows.map((row) => row.map(String)));
  return table.toString();
}

export function printTable(head: string[], rows: (string | number)[][]): void {
  cliIo().stdout.write(`${renderTable(head, rows)}\n`);
}
