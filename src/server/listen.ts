import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { AppDeps } from "./types.js";
import { createApp } from "./app.js";
import { startCleanupJob, type CleanupJob } from "./cleanup-job.js";

export interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes the database. */
  close(graceMs?: number): Promise<void>;
}

export async function startServer(deps: AppDeps, hostname = "0.0.0.0"): Promise<RunningServer> {
  const app = createApp(deps);
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
  return {
    port,
    close(graceMs = 1500) {
      closing ??= shutdown(server, deps, cleanup, graceMs);
      return closing;
    },
  };
}

async function shutdown(server: Server, deps: AppDeps, cleanup: CleanupJob, graceMs: number): Promise<void> {
  cleanup.stop();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
  await deps.exporter?.close();
  await deps.extractor?.close();
  deps.db.close();
  deps.logger.info("stopped");
  deps.logger.flush();
}
