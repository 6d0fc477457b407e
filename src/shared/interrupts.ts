import { ExitCode, UserError, type ExitCodeValue } from "../errors.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type HandledSignal = (typeof SIGNALS)[number];

const SIGNAL_EXIT: Record<HandledSignal, ExitCodeValue> = {
  SIGINT: ExitCode.INTERRUPTED,
  SIGTERM: ExitCode.TERMINATED,
  SIGHUP: ExitCode.HANGUP,
};

/** The command stopped at a signal once its state was consistent again; exit 130 / 143 / 129. */
export class InterruptedError extends UserError {
  constructor(
    readonly signal: HandledSignal,
    what: string,
  ) {
    super(`interrupted by ${signal} ${what}`, SIGNAL_EXIT[signal]);
    this.name = "InterruptedError";
  }
}

export interface SignalGuard {
  /**
   * Runs fn with signals deferred: a signal that arrives meanwhile is remembered and fn runs to its end, because
   * stopping half-way (old container stopped, new one not started; database half swapped) takes the site down.
   */
  critical<T>(fn: () => Promise<T>): Promise<T>;
  /** Cleanup to run when a signal arrives outside a critical section, before the process dies of it. */
  onAbort(cleanup: () => void): void;
  /** Throws InterruptedError when a signal was deferred; call where the command's state is consistent. */
  throwIfInterrupted(what: string): void;
  dispose(): void;
}

/**
 * Signals during a command: outside critical sections they run the registered cleanups (lock, temp files) and
 * end the process with the same signal (as the shell expects); inside one they wait for it to finish.
 */
export function guardSignals(notify: (message: string) => void): SignalGuard {
  let depth = 0;
  let pending: HandledSignal | undefined;
  const cleanups: (() => void)[] = [];
  const onSignal = (signal: HandledSignal) => {
    if (depth > 0) {
      if (pending === undefined)
        notify(`${signal} received: finishing the current step first so nothing is left half done`);
      pending ??= signal;
      return;
    }
    dispose();
    for (const cleanup of cleanups.reverse()) {
      try {
        cleanup();
      } catch {
        // Best effort: the next run finds and repairs whatever is left.
      }
    }
    process.kill(process.pid, signal);
  };
  function dispose() {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    async critical(fn) {
      depth++;
      try {
        return await fn();
      } finally {
        depth--;
      }
    },
    onAbort(cleanup) {
      cleanups.push(cleanup);
    },
    throwIfInterrupted(what) {
      if (pending !== undefined) throw new InterruptedError(pending, what);
    },
    dispose,
  };
}

/** A guard that does nothing, for cores called from tests or other cores. */
export const noSignalGuard: SignalGuard = {
  critical: (fn) => fn(),
  onAbort: () => {},
  throwIfInterrupted: () => {},
  dispose: () => {},
};
