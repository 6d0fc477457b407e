import { loadConfig, redactorFor } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { openDatabase } from "../../src/db/open.js";
import { createJsonLogger } from "../../src/log.js";
import { createApp } from "../../src/server/app.js";
import type { AppDeps } from "../../src/server/types.js";
import { tempDir, validKeys } from "./env.js";

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  logLines: string[];
  dir: string;
  close(): void;
}

/** An in-process app over a real temp SQLite file, with its log lines captured. */
export function createTestApp(env: Record<string, string> = {}, extraDeps: Partial<AppDeps> = {}): TestApp {
  const dir = tempDir();
  const loaded = loadConfig({
    env: {
      ...validKeys(),
      DATABASE_PATH: `${dir.path}/app.db`,
      EXPORT_DIR: `${dir.path}/exports`,
      // Generated titles make one more model call per first version; tests about titles turn them on.
      TITLE_MODEL: "off",
      ...env,
    },
  });
  const config: Config = loaded.config;
  const logLines: string[] = [];
  const logger = createJsonLogger({
    level: "debug",
    redact: redactorFor(loaded),
    write: (line) => logLines.push(line),
  });
  const db = openDatabase(config.DATABASE_PATH);
  const deps: AppDeps = {
    config,
    db,
    dbPath: config.DATABASE_PATH,
    logger,
    version: "test",
    startedAt: new Date(),
    ...extraDeps,
  };
  return {
    app: createApp(deps),
    deps,
    logLines,
    dir: dir.path,
    close() {
      db.close();
      dir.remove();
    },
  };
}

/** The third argument of app.request(): what @hono/node-server passes, reduced to the peer address. */
export function fromPeer(remoteAddress: string) {
  return { incoming: { socket: { remoteAddress } } } as never;
}
