import { randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ExitCode, UserError } from "../errors.js";
import { operatorName } from "./operator.js";

export interface LockHolder {
  operator: string;
  host: string;
  pid: number;
  command: string;
  since: string;
  token: string;
}

export interface LockOptions {
  /** What the lock guards, for messages: "deploy lock held by …". */
  label: string;
  command: string;
  /** Defaults to the user running this process. */
  operator?: string;
  /**
   * A lock older than this is taken over even if its holder cannot be checked (another host or container, whose
   * pids this process cannot see). Without it only a holder known to be gone is taken over.
   */
  staleAfterMs?: number;
  now?: () => Date;
  host?: string;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

export class LockHeldError extends UserError {
  constructor(
    readonly holder: LockHolder,
    message: string,
    hints: string[],
  ) {
    super(message, ExitCode.LOCKED, hints);
    this.name = "LockHeldError";
  }
}

export interface HeldLock {
  holder: LockHolder;
  /** The stale holder this acquisition replaced, for a warning. */
  tookOverFrom?: LockHolder;
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Why a lock may be taken over, or undefined while its holder may still be working. */
function staleReason(
  holder: LockHolder,
  options: { host: string; now: Date; staleAfterMs?: number; isAlive: (pid: number) => boolean },
): string | undefined {
  if (holder.host === options.host && !options.isAlive(holder.pid))
    return `process ${holder.pid} on ${holder.host} is gone`;
  if (options.staleAfterMs === undefined) return undefined;
  const ageMs = options.now.getTime() - Date.parse(holder.since);
  if (!(ageMs <= options.staleAfterMs))
    return `it is older than ${Math.round(options.staleAfterMs / 60000)} min`;
  return undefined;
}

function describeHolder(holder: LockHolder, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(holder.since)) / 60000));
  return `${holder.operator}@${holder.host} (pid ${holder.pid}, "${holder.command}") since ${holder.since} (${minutes} min ago)`;
}

/**
 * The lock file appears complete or not at all: the holder is written to a private file which is then hard-linked
 * to the lock path, and link() fails when the path exists. A stale lock is moved aside (rename is atomic, so only
 * one process wins it) and checked to be the one judged stale before the link is retried.
 */
export function acquireLock(path: string, options: LockOptions): HeldLock {
  const now = options.now ?? (() => new Date());
  const host = options.host ?? osHostname();
  const isAlive = options.isAlive ?? processAlive;
  const holder: LockHolder = {
    operator: options.operator ?? operatorName(),
    host,
    pid: options.pid ?? process.pid,
    command: options.command,
    since: now().toISOString(),
    token: randomUUID(),
  };
  mkdirSync(dirname(path), { recursive: true });
  const draft = `${path}.${holder.token}`;
  writeFileSync(draft, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  try {
    let tookOverFrom: LockHolder | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryLink(draft, path)) return heldLock(path, holder, tookOverFrom);
      const current = readHolder(path);
      if (!current) continue;
      const stale = staleReason(current, { host, now: now(), staleAfterMs: options.staleAfterMs, isAlive });
      if (!stale) throw lockedError(path, current, now(), options.label);
      if (moveAsideIfStill(path, current)) tookOverFrom = current;
    }
    const current = readHolder(path);
    throw current
      ? lockedError(path, current, now(), options.label)
      : new UserError(`could not take the lock ${path}`, ExitCode.LOCKED);
  } finally {
    unlinkSync(draft);
  }
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function moveAsideIfStill(path: string, judged: LockHolder): boolean {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const moved = readHolder(aside);
  if (moved?.token === judged.token) {
    unlinkSync(aside);
    return true;
  }
  // Someone else took over between our read and our rename: give their fresh lock back.
  tryLink(aside, path);
  unlinkSync(aside);
  return false;
}

function heldLock(path: string, holder: LockHolder, tookOverFrom?: LockHolder): HeldLock {
  return {
    holder,
    tookOverFrom,
    release() {
      if (readHolder(path)?.token === holder.token) unlinkSync(path);
    },
  };
}

function lockedError(path: string, holder: LockHolder, now: Date, label: string): LockHeldError {
  return new LockHeldError(holder, `${label} lock held by ${describeHolder(holder, now)}`, [
    `wait for it to finish; if no ${label} is running there, remove ${path}`,
  ]);
}

/** Runs fn while holding the lock, releasing it however fn ends. */
export async function withLock<T>(path: string, options: LockOptions, fn: () => Promise<T> | T): Promise<T> {
  const lock = acquireLock(path, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

export interface LockWaitOptions extends LockOptions {
  /** How long a held lock is waited for before its holder's refusal is thrown. */
  waitMs: number;
  pollMs?: number;
  /** Called once, when the lock is first found held, so the caller can say what it waits for. */
  onWait?: (holder: LockHolder) => void;
}

/** acquireLock, but a lock held by a live holder is waited for (bounded) instead of refused at once. */
export async function acquireLockWaiting(path: string, options: LockWaitOptions): Promise<HeldLock> {
  const started = Date.now();
  let waitingFor: LockHolder | undefined;
  for (;;) {
    try {
      return acquireLock(path, options);
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
      const waitedMs = Date.now() - started;
      if (waitedMs >= options.waitMs)
        throw new LockHeldError(
          error.holder,
          `${error.message}; gave up after waiting ${Math.round(waitedMs / 1000)} s`,
          [...error.details],
        );
      if (waitingFor?.token !== error.holder.token) options.onWait?.(error.holder);
      waitingFor = error.holder;
      await sleep(Math.min(options.pollMs ?? 1000, Math.max(1, options.waitMs - waitedMs)));
    }
  }
}

/** Returns once nobody holds the lock (waiting as acquireLockWaiting does); the lock is not kept. */
export async function waitUntilFree(path: string, options: LockWaitOptions): Promise<void> {
  (await acquireLockWaiting(path, options)).release();
}
