import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { ExitCode, UserError } from "../errors.js";

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface FileLock {
  path: string;
  release(): void;
}

export class LockHeldError extends UserError {
  constructor(
    readonly path: string,
    readonly owner: LockOwner | undefined,
  ) {
    const who = owner
      ? `pid ${owner.pid} on ${owner.host} (${owner.command}) since ${owner.startedAt}`
      : "an unknown process";
    super(`${path} is locked by ${who}`, ExitCode.LOCKED);
    this.name = "LockHeldError";
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface LockOptions {
  /**
   * A lock older than this is taken over even if its owner cannot be checked (another host or container, whose
   * pids this process cannot see). Set it well above the longest run.
   */
  staleAfterMs?: number;
}

/** A lock left by a process of this host that no longer exists (killed, crashed), or one past its age limit. */
function isStale(owner: LockOwner | undefined, options: LockOptions): boolean {
  if (owner === undefined) return false;
  if (owner.host === hostname() && !isAlive(owner.pid)) return true;
  const age = Date.now() - Date.parse(owner.startedAt);
  return options.staleAfterMs !== undefined && age > options.staleAfterMs;
}

/**
 * Takes an exclusive lock file (O_EXCL create) holding who took it; throws LockHeldError (exit 12) naming the
 * holder if a live process has it. A stale lock (see isStale) is removed and retaken once.
 */
export function acquireLock(path: string, command: string, options: LockOptions = {}): FileLock {
  mkdirSync(dirname(path), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readOwner(path);
      if (attempt === 0 && isStale(holder, options)) {
        rmSync(path, { force: true });
        continue;
      }
      throw new LockHeldError(path, holder);
    }
    try {
      writeSync(fd, `${JSON.stringify(owner)}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      path,
      release() {
        if (released) return;
        released = true;
        if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new LockHeldError(path, readOwner(path));
}

/** Runs fn while holding the lock, releasing it however fn ends. */
export async function withLock<T>(
  path: string,
  command: string,
  fn: () => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const lock = acquireLock(path, command, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
