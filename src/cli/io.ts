import { AsyncLocalStorage } from "node:async_hooks";

type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * The streams one CLI run reads and writes: the process's own under bin/ahb.js, captured ones when a test runs the
 * program in-process. Commands reach them through cliIo() rather than process.stdout, so output never bypasses a run.
 */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

const current = new AsyncLocalStorage<CliIo>();

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** The streams of the run in progress (the process's outside of one). */
export function cliIo(): CliIo {
  return current.getStore() ?? processIo();
}

export function withCliIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  return current.run(io, fn);
}
