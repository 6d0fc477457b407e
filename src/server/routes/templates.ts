import { Hono } from "hono";
import { loadStarters, readThumbnail, startersDir } from "../../starters/catalog.js";
import { ApiError } from "../errors.js";
import type { AppDeps, AppEnv } from "../types.js";

/** An operator's SVG opened on its own must not run anything: no scripts, no loads, its own opaque origin. */
const THUMBNAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/**
 * `GET /api/templates`: the starter templates (built-in + the operator's folder, re-read on every call). Problems
 * with the operator's files go to admins, who can fix them, and to the log.
 */
export function templateRoutes(deps: AppDeps): Hono<AppEnv> {
  const dir = startersDir(deps.config.DATABASE_PATH);
  const app = new Hono<AppEnv>();
  app.get("/", (c) => {
    const { starters, problems } = loadStarters(dir);
    for (const problem of problems) deps.logger.warn("starter template skipped", { ...problem });
    return c.json({ templates: starters, ...(c.get("isAdmin") ? { problems } : {}) });
  });
  app.get("/:id/thumbnail", (c) => {
    const thumbnail = readThumbnail(dir, c.req.param("id"));
    if (!thumbnail) throw new ApiError(404, "not_found", "no thumbnail for this template");
    return c.body(new Uint8Array(thumbnail.data), 200, {
      "Content-Type": thumbnail.mimeType,
      "Content-Security-Policy": THUMBNAIL_CSP,
      "Cache-Control": "no-cache",
    });
  });
  return app;
}
