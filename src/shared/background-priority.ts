import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * A tenth of a normal process's CPU weight, so the server wins any contention. Not 19 (a seventieth): a deploy waits
 * for a running backup only `backupWaitS`, so the backup must still finish on a host that unrelated jobs keep busy.
 */
const BACKGROUND_NICENESS = 10;

export interface BackgroundPriority {
  /** False when `ionice` is missing or refused: the I/O then keeps its normal priority. */
  ioIdle: boolean;
}

/**
 * Lets the server on the same host go first: nice 10 and, when util-linux's `ionice` is there, the idle I/O
 * class. Both are per thread on Linux, so every thread of this process is changed (threads started later inherit
 * it). The idle I/O class only takes effect under an I/O scheduler that honours it (BFQ); under mq-deadline or none
 * it is accepted and ignored. Best effort: nothing here fails the caller.
 */
export function runInBackground(): BackgroundPriority {
  const threads = threadIds();
  for (const thread of threads) {
    try {
      setPriority(thread, BACKGROUND_NICENESS);
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
