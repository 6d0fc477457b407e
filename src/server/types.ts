import type { IncomingMessage, ServerResponse } from "node:http";
import type { Store } from "hono-rate-limiter";
import type { ProviderClients } from "../ai/providers/index.js";
import type { SpendGuard } from "../ai/budget/guard.js";
import type { RetryPolicy } from "../ai/providers/retry.js";
import type { Config } from "../config/schema.js";
import type { Db } from "../db/open.js";
import type { Exporter } from "../export/exporter.js";
import type { Logger } from "../log.js";
import type { Extractor } from "../upload/pool.js";
import type { Drain } from "./drain.js";
import type { Metrics } from "./metrics.js";

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
  /** Worker pool that reads .docx/.pdf uploads; one from config's EXTRACTION_* limits when absent. */
  extractor?: Extractor;
  /** Rate-limit counters; a fresh bounded in-memory store when absent (tests pass one to inspect it). */
  rateLimitStore?: Store<AppEnv>;
  /** SDK clients of the AI providers; built from config (keys, base URLs) when absent. */
  providers?: ProviderClients;
  /** Spend caps shared by the chat turns and /api/budget; built from config by createApp when absent. */
  budget?: SpendGuard;
  /** Prometheus metrics behind GET /metrics; built by createApp when absent. */
  metrics?: Metrics;
  /** Turns and uploads a stopping server lets finish; built by createApp when absent (startServer passes its own). */
  drain?: Drain;
  /** Chat tuning for tests: heartbeat interval (15 s), turn deadline (20 min) and provider retry policy. */
  chat?: { heartbeatMs?: number; turnTimeoutMs?: number; retry?: RetryPolicy };
}

/** The deps as the routes see them: what createApp fills in when absent is there. */
export type RouteDeps = AppDeps & { drain: Drain };

export interface AppEnv {
  Bindings: {
    incoming?: Pick<IncomingMessage, "socket"> & Partial<Pick<IncomingMessage, "headers">>;
    /** Node's response on a real socket (@hono/node-server); absent under app.request(). */
    outgoing?: Pick<ServerResponse, "setHeader">;
  };
  Variables: {
    user: string;
    isAdmin: boolean;
    clientAddress: string;
    /** Set by the export routes: whether answering took a Chromium render (a cached file did not). */
    rendered?: boolean;
  };
}
