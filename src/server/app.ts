import { Hono } from "hono";
import { cors } from "hono/cors";
import { errorBody, handleError } from "./errors.js";
import { identity } from "./middleware/identity.js";
import { mountRateLimits } from "./middleware/rate-limit.js";
import { requestLog } from "./middleware/request-log.js";
import { securityHeaders } from "./middleware/security-headers.js";
import { budgetRoutes, withSpendGuard } from "./routes/budget.js";
import { costsRoutes } from "./routes/costs.js";
import { exportRoutes } from "./routes/export.js";
import { uploadRoutes } from "./routes/upload.js";
import { chatRoutes } from "./routes/chat.js";
import { healthRoutes } from "./routes/health.js";
import { meRoutes } from "./routes/me.js";
import { sessionRoutes } from "./routes/sessions.js";
import { createMetrics } from "./metrics.js";
import { metricsRoutes } from "./routes/metrics.js";
import { mountWebPage } from "./static.js";
import type { AppDeps, AppEnv } from "./types.js";
import { jsonBodyLimit } from "./validate.js";

/** Builds the whole HTTP app without listening, so tests can call app.request(). */
export function createApp(appDeps: AppDeps): Hono<AppEnv> {
  const deps = { ...withSpendGuard(appDeps), metrics: appDeps.metrics ?? createMetrics(appDeps.exporter) };
  const app = new Hono<AppEnv>();
  app.use("*", deps.metrics.middleware);
  app.use("*", identity(deps.config));
  app.use("*", requestLog(deps.logger));
  app.use("*", securityHeaders());
  app.use("/api/*", cors({ origin: deps.config.CORS_ORIGINS, credentials: true, maxAge: 600 }));
  mountRateLimits(app, deps.config, deps.rateLimitStore);
  app.use("/api/sessions/*", jsonBodyLimit());
  app.use("/api/chat/*", jsonBodyLimit());

  app.route("/metrics", metricsRoutes(deps.config, deps.metrics));
  app.route("/api/health", healthRoutes(deps));
  app.route("/api/costs", costsRoutes(deps));
  app.route("/api/budget", budgetRoutes(deps));
  app.route("/api/upload", uploadRoutes(deps));
  app.route("/api/sessions", exportRoutes(deps));
  app.route("/api/me", meRoutes());
  app.route("/api/sessions", sessionRoutes(deps));
  app.route("/api/chat", chatRoutes(deps));

  app.all("/api/*", (c) => c.json(errorBody("not_found", `no API route ${c.req.method} ${c.req.path}`), 404));
  if (deps.webRoot) mountWebPage(app, deps.webRoot);
  app.notFound((c) => c.json(errorBody("not_found", "not found"), 404));
  app.onError(handleError(deps.logger));
  return app;
}
