import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { AppDeps } from "./types.js";
import { createApp } from "./app.js";
import { startCleanupJob, type CleanupJob } from "./cleanup-job.js";
import { createDrain, type Drain } from "./drain.js";

/** Once the work is over, what open connections get to finish their last bytes (an SSE stream's done event). */
const FINAL_FLUSH_MS = 1500;
const IDLE_SWEEP_MS = 100;

export interface RunningServer {
  port: number;
  /**
   * Drains, then stops: new turns and uploads get 503 `server_restarting` while reads are still served; running
   * ones may finish until graceMs (default SHUTDOWN_GRACE_SECONDS) ends, then are aborted and record their outcome.
   * Then the listener closes, in-flight requests finish, and the database closes.
   */
  close(graceMs?: number): Promise<void>;
  /** Ends a drain under way now (a second signal): running work is aborted, as at the end of the grace period. */
  hurry(): void;
}

export async function startServer(deps: AppDeps, hostname = "0.0.0.0"): Promise<RunningServer> {
  const drain = deps.drain ?? createDrain();
  const app = createApp({ ...deps, drain });
  const server = await new Promise<Server>((resolve, reject) => {
    const instance = serve({ fetch: app.fetch, port: deps.config.PORT, hostname }, () =>
      resolve(instance as Server),
    ) as Server;
    instance.once("error", reject);
  });
  server.keepAliveTimeout = 5000;
  const { port } = server.address() as AddressInfo;
  deps.logger.info("listening", { port, version: deps.version });
  const cleanup = startCleanupJob(deps);
  let closing: Promise<void> | undefined;
  let hurried = false;
  return {
    port,
    close(graceMs = deps.config.SHUTDOWN_GRACE_SECONDS * 1000) {
      closing ??= shutdown(server, deps, { drain, cleanup, graceMs, hurried: () => hurried });
      return closing;
    },
    hurry() {
      hurried = true;
      drain.hurry();
    },
  };
}

interface Stopping {
  drain: Drain;
  cleanup: CleanupJob;
  graceMs: number;
  hurried(): boolean;
}

async function shutdown(server: Server, deps: AppDeps, stopping: Stopping): Promise<void> {
  const { drain, cleanup, graceMs } = stopping;
  const deadline = Date.now() + graceMs;
  cleanup.stop();
  deps.logger.info("draining", { running: drain.active, graceS: Math.round(graceMs / 1000) });
  const outcome = await drain.drain(graceMs);
  deps.logger.info("drained", { ...outcome, waitedMs: graceMs - Math.max(0, deadline - Date.now()) });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A stream that just ended leaves its keep-alive connection idle only after close() looked: look again.
  const idle = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const left = stopping.hurried() ? 0 : deadline - Date.now();
  const timer = setTimeout(() => server.closeAllConnections(), Math.max(FINAL_FLUSH_MS, left));
  await closed;
  clearInterval(idle);
  clearTimeout(timer);
  await deps.exporter?.close();
  await deps.extractor?.close();
  deps.db.close();
  deps.logger.info("stopped");
  deps.logger.flush();
}
