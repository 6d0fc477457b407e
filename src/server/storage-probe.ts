import { closeSync, fsyncSync, openSync, rmSync, statfsSync, writeSync } from "node:fs";
import { join } from "node:path";

export type StorageState = "ok" | "low" | "unwritable";

export interface StorageProbeOptions {
  dir: string;
  minFreeBytes: number;
  /** The probe runs at most this often; health checks in between get the cached answer (they stay cheap). */
  intervalMs?: number;
  now?: () => number;
}

const DEFAULT_INTERVAL_MS = 5000;
const PROBE_FILE = ".health-probe";

function measure(dir: string, minFreeBytes: number): StorageState {
  try {
    const stats = statfsSync(dir);
    if (stats.bavail * stats.bsize < minFreeBytes) return "low";
    // A write the filesystem really accepts: free blocks say nothing about a read-only remount or lost rights.
    const fd = openSync(join(dir, PROBE_FILE), "w");
    try {
      writeSync(fd, "probe\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    rmSync(join(dir, PROBE_FILE), { force: true });
    return "ok";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOSPC" ? "low" : "unwritable";
  }
}

/** Whether the data directory can take writes: free space over the threshold and a write probe, cached. */
export function storageProbe(options: StorageProbeOptions): () => StorageState {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  let last: { at: number; state: StorageState } | undefined;
  return () => {
    if (!last || now() - last.at >= intervalMs)
      last = { at: now(), state: measure(options.dir, options.minFreeBytes) };
    return last.state;
  };
}
