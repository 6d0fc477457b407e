import type { IncomingMessage } from "node:http";
import type { Config } from "../config/schema.js";
import type { Db } from "../db/open.js";
import type { Exporter } from "../export/exporter.js";
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
  /** PDF/PNG/HTML export (one lazily launched Chromium); absent means export routes answer 503. */
  exporter?: Exporter;
}

export interface AppEnv {
  Bindings: { incoming?: Pick<IncomingMessage, "socket"> };
  Variables: {
    user: string;
    isAdmin: boolean;
    clientAddress: string;
  };
}
