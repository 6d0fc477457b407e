import Table from "cli-table3";
import { createConsola, type ConsolaInstance } from "consola";

/** Progress and diagnostics go to stderr, so stdout carries only data (tables or --json). */
export function createReporter(options: { quiet?: boolean } = {}): ConsolaInstance {
  return createConsola({
    stdout: process.stderr,
    stderr: process.stderr,
    level: options.quiet ? 1 : 3,
    fancy: process.stderr.isTTY === true,
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function renderTable(head: string[], rows: (string | number)[][]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  table.push(...rows.map((row) => row.map(String)));
  return table.toString();
}

export function printTable(head: string[], rows: (string | number)[][]): void {
  process.stdout.write(`${renderTable(head, rows)}\n`);
}
