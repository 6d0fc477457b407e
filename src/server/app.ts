import { Hono } from "hono";
import { errorBody, handleError } from "./errors.js";
import { csrfGuard } from "./middleware/csrf.js";
import { corsFor } from "./middleware/cors.js";
import { identity } from "./middleware/identity.js";
import { mountRateLimits } from "./middleware/rate-limit.js";
import { observeRequests } from "./middleware/observe.js";
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
import { brandRoutes, sessionBrandRoutes } from "./routes/brands.js";
import { templateRoutes } from "./routes/templates.js";
import { createDrain, drainGuard } from "./drain.js";
import { createMetrics } from "./metrics.js";
import { metricsRoutes } from "./routes/metrics.js";
import { mountWebPage } from "./static.js";
import type { AppDeps, AppEnv } from "./types.js";
import { jsonBodyLimit, sessionsBodyLimit } from "./validate.js";

/** Builds the whole HTTP app without listening, so tests can call app.request(). */
export function createApp(appDeps: AppDeps): Hono<AppEnv> {
  const deps = {
    ...withSpendGuard(appDeps),
    metrics: appDeps.metrics ?? createMetrics(appDeps.exporter),
    drain: appDeps.drain ?? createDrain(),
  };
  const app = new Hono<AppEnv>();
  app.use("*", observeRequests(deps.metrics.observeRequest, requestLog(deps.logger)));
  app.use("*", securityHeaders());
  // Probes are answered before the middleware that serves users (identity, CORS, rate limits, CSRF): the verdict
  // needs none of it, a proxy's bad X-Forwarded-User must not fail it, and every level of the chain costs a probe.
  app.route("/api/health", healthRoutes(deps));
  app.use("*", identity(deps.config));
  app.use("/api/*", corsFor(deps.config.CORS_ORIGINS));
  mountRateLimits(app, deps.config, deps.rateLimitStore);
  // After the rate limits, so refused forgeries still count against the sender's budget.
  app.use("/api/*", csrfGuard(deps.config));
  app.use("/api/upload/*", drainGuard(deps.drain));
  app.use("/api/sessions/*", sessionsBodyLimit());
  app.use("/api/chat/*", jsonBodyLimit());

  app.route("/metrics", metricsRoutes(deps.config, deps.metrics));
  app.route("/api/costs", costsRoutes(deps));
  app.route("/api/budget", budgetRoutes(deps));
  app.route("/api/upload", uploadRoutes(deps));
  app.route("/api/sessions", exportRoutes(deps));
  app.route("/api/me", meRoutes());
  app.route("/api/sessions", sessionRoutes(deps));
  app.route("/api/chat", chatRoutes(deps));
  app.route("/api/templates", templateRoutes(deps));
  app.route("/api/brands", brandRoutes(deps));
  app.route("/api/sessions", sessionBrandRoutes(deps));

  app.all("/api/*", (c) => c.json(errorBody("not_found", `no API route ${c.req.method} ${c.req.path}`), 404));
  if (deps.webRoot) mountWebPage(app, deps.webRoot);
  app.notFound((c) => c.json(errorBody("not_found", "not found"), 404));
  app.onError(handleError(deps.logger));
  return app;
}
