import { Hono } from "hono";
import { cors } from "hono/cors";
import { errorBody, handleError } from "./errors.js";
import { identity } from "./middleware/identity.js";
import { requestLog } from "./middleware/request-log.js";
import { securityHeaders } from "./middleware/security-headers.js";
import { costsRoutes } from "./routes/costs.js";
import { healthRoutes } from "./routes/health.js";
import { mountWebPage } from "./static.js";
import type { AppDeps, AppEnv } from "./types.js";

/** Builds the whole HTTP app without listening, so tests can call app.request(). */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", identity(deps.config));
  app.use("*", requestLog(deps.logger));
  app.use("*", securityHeaders());
  app.use("/api/*", cors({ origin: deps.config.CORS_ORIGINS, credentials: true, maxAge: 600 }));

  app.route("/api/health", healthRoutes(deps));
  app.route("/api/costs", costsRoutes(deps));

  app.all("/api/*", (c) => c.json(errorBody("not_found", `no API route ${c.req.method} ${c.req.path}`), 404));
  if (deps.webRoot) mountWebPage(app, deps.webRoot);
  app.notFound((c) => c.json(errorBody("not_found", "not found"), 404));
  app.onError(handleError(deps.logger));
  return app;
}
