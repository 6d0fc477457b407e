import { join } from "node:path";
import { createProviderClients } from "../ai/providers/index.js";
import { loadConfig, redactorFor } from "../config/load.js";
import { openDatabase } from "../db/open.js";
import { markInterruptedCalls } from "../db/repo/ledger.js";
import { createExporter } from "../export/exporter.js";
import { createJsonLogger } from "../log.js";
import { appVersion } from "../version.js";
import { createExtractionPool, extractionLimits } from "../upload/pool.js";
import { packageRoot } from "../shared/package-root.js";
import { startServer, type RunningServer } from "./listen.js";

export interface ServeOptions {
  envFile: string;
  port?: number;
  host: string;
  env?: NodeJS.ProcessEnv;
}

export const defaultWebRoot = join(packageRoot(), "dist", "web");

/** Loads and validates config (refusing to start on bad keys), opens the database, listens. */
export async function bootServer(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const loaded = loadConfig({ envFile: options.envFile, envFileRequired: false, env });
  const config = options.port === undefined ? loaded.config : { ...loaded.config, PORT: options.port };
  const logger = createJsonLogger({ level: config.LOG_LEVEL, redact: redactorFor(loaded) });
  const db = openDatabase(config.DATABASE_PATH);
  const interrupted = markInterruptedCalls(db);
  if (interrupted > 0)
    logger.warn("provider calls interrupted by the previous process", { calls: interrupted });
  return startServer(
    {
      config,
      db,
      dbPath: config.DATABASE_PATH,
      logger,
      version: appVersion(),
      startedAt: new Date(),
      webRoot: defaultWebRoot,
      exporter: createExporter({ exportDir: config.EXPORT_DIR, chromiumPath: config.CHROMIUM_PATH }),
      providers: createProviderClients(config),
      extractor: createExtractionPool(extractionLimits(config)),
    },
    options.host,
  );
}

/** Serves until SIGTERM or SIGINT, then closes cleanly: `ahb serve` and the container's entry point. */
export async function serveUntilSignal(options: ServeOptions): Promise<void> {
  const server = await bootServer(options);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  // Whatever signal comes next cancels the turns still running (each records its outcome) and stops.
  const hurry = () => server.hurry();
  process.on("SIGTERM", hurry);
  process.on("SIGINT", hurry);
  await server.close();
}
