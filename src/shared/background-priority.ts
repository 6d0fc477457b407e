import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

/** The lowest CPU priority: the process runs on what other processes leave. */
const LOWEST_NICENESS = 19;

export interface BackgroundPriority {
  /** False when `ionice` is missing or refused: the I/O then keeps its normal priority. */
  ioIdle: boolean;
}

/**
 * Lets every other process on the host go first: nice 19 and, when util-linux's `ionice` is there, the idle I/O
 * class. Both are per thread on Linux, so every thread of this process is changed (threads started later inherit
 * it). The idle I/O class only takes effect under an I/O scheduler that honours it (BFQ); under mq-deadline or none
 * it is accepted and ignored. Best effort: nothing here fails the caller.
 */
export function runInBackground(): BackgroundPriority {
  const threads = threadIds();
  for (const thread of threads) {
    try {
      setPriority(thread, LOWEST_NICENESS);
    } catch {
      // A thread that ended meanwhile; the others are still lowered.
    }
  }
  const ionice = spawnSync("ionice", ["-c", "3", "-p", ...threads.map(String)], { stdio: "ignore" });
  return { ioIdle: ionice.status === 0 };
}

function threadIds(): number[] {
  try {
    return readdirSync("/proc/self/task").map(Number);
  } catch {
    return [process.pid];
  }
}
