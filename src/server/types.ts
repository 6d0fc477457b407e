import type { IncomingMessage } from "node:http";
import type { Store } from "hono-rate-limiter";
import type { Config } from "../config/schema.js";
import type { Db } from "../db/open.js";
import type { Logger } from "../log.js";

export interface AppDeps {
  config: Config;
  db: Db;
  dbPath: string;
  logger: Logger;
  version: string;
  startedAt: Date;
  /** Directory of the built web page; absent in API-only tests. */
  webRoot?: string;
  /** Rate-limit counters; a fresh bounded in-memory store when absent (tests pass one to inspect it). */
  rateLimitStore?: Store<AppEnv>;
}

export interface AppEnv {
  Bindings: { incoming?: Pick<IncomingMessage, "socket"> };
  Variables: {
    user: string;
    isAdmin: boolean;
    clientAddress: string;
  };
}
