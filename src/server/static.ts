import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";
import type { AppEnv } from "./types.js";

/** Serves the built page and answers every other non-API GET with index.html (client-side routes). */
export function mountWebPage(app: Hono<AppEnv>, webRoot: string): void {
  const indexPath = join(webRoot, "index.html");
  app.use("/assets/*", serveStatic({ root: webRoot }));
  app.get("*", async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    if (!existsSync(indexPath)) return c.text("web page not built: run npm run build", 503);
    c.header("Cache-Control", "no-cache");
    return c.html(readFileSync(indexPath, "utf8"));
  });
}
