import Table from "cli-table3";
import { Writable } from "node:stream";
import type { ConsolaInstance } from "consola";
import { redactSeenSecrets } from "../config/secret.js";
import { cliIo } from "./io.js";

/** Every CLI write goes through these: whatever a command prints, no secret value this process read gets out. */
export function writeOut(text: string): void {
  cliIo().stdout.write(redactSeenSecrets(text));
}

export function writeErr(text: string): void {
  cliIo().stderr.write(redactSeenSecrets(text));
}

const redactedStderr = new Writable({
  write(chunk: Buffer | string, _encoding, callback) {
    writeErr(chunk.toString());
    callback();
  },
});

/**
 * Progress and diagnostics go to stderr, so stdout carries only data (tables or --json). consola is imported
 * when a command first reports: evaluating it costs more CPU than commander (docs/performance.md, CLI start).
 */
export async function createReporter(options: { quiet?: boolean } = {}): Promise<ConsolaInstance> {
  const { createConsola } = await import("consola");
  return createConsola({
    stdout: redactedStderr as unknown as NodeJS.WriteStream,
    stderr: redactedStderr as unknown as NodeJS.WriteStream,
    level: options.quiet ? 1 : 3,
    fancy: cliIo().stderr.isTTY === true,
  });
}

export function printJson(value: unknown): void {
  writeOut(`${JSON.stringify(value, null, 2)}\n`);
}

export function renderTable(head: string[], rows: (string | number)[][]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  table.push(...rows.map((row) => row.map(String)));
  return table.toString();
}

export function printTable(head: string[], rows: (string | number)[][]): void {
  writeOut(`${renderTable(head, rows)}\n`);
}
