import { open, rm, statfs } from "node:fs/promises";
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

/** Asynchronous throughout: an fsync on a busy disk takes hundreds of ms, which the event loop must not wait for. */
async function measure(dir: string, minFreeBytes: number): Promise<StorageState> {
  try {
    const stats = await statfs(dir);
    if (stats.bavail * stats.bsize < minFreeBytes) return "low";
    // A write the filesystem really accepts: free blocks say nothing about a read-only remount or lost rights.
    const file = await open(join(dir, PROBE_FILE), "w");
    try {
      await file.write("probe\n");
      await file.sync();
    } finally {
      await file.close();
    }
    await rm(join(dir, PROBE_FILE), { force: true });
    return "ok";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOSPC" ? "low" : "unwritable";
  }
}

/**
 * Whether the data directory can take writes: free space over the threshold and a write probe, cached. The first
 * call waits for a probe; later ones answer the last verdict at once and, when it is older than the interval,
 * start the next probe in the background (one at a time), so no health check waits for the disk.
 */
export function storageProbe(options: StorageProbeOptions): () => Promise<StorageState> {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  let last: { at: number; state: StorageState } | undefined;
  let running: Promise<StorageState> | undefined;
  const refresh = () => {
    running ??= measure(options.dir, options.minFreeBytes).then((state) => {
      last = { at: now(), state };
      running = undefined;
      return state;
    });
    return running;
  };
  return async () => {
    if (!last) return refresh();
    if (now() - last.at >= intervalMs) void refresh();
    return last.state;
  };
}
