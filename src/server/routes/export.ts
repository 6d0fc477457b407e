import { Readable } from "node:stream";
import { Hono, type Context } from "hono";
import { contentDisposition } from "../../export/disposition.js";
import type { Exporter } from "../../export/exporter.js";
import { contentTypeFor, extensionFor, parseExportSpec, type ExportSpec } from "../../export/spec.js";
import { ApiError } from "../errors.js";
import { parseVersionQuery, requireHtml } from "../guards.js";
import type { AppDeps, AppEnv } from "../types.js";

/**
 * `GET /api/sessions/:id/documents/:docId/export/:format` (html, pdf, png) as an attachment named after the
 * document title, and `.../thumbnail.png`; both take `?version=n` (default: latest).
 */
export function exportRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  const send = async (c: Context<AppEnv>, spec: ExportSpec, disposition: (title: string) => string) => {
    const { document, version } = requireHtml(c, deps.db);
    const source = { documentId: document.id, version: version.version, html: version.html };
    const file = await requireExporter(deps.exporter).export(source, spec);
    c.set("rendered", file.rendered);
    // The handle's read stream closes the file at its end or when the client goes away. Through c.body, so the
    // headers middleware set before the route (RateLimit-*) stay on the answer.
    return c.body(Readable.toWeb(file.handle.createReadStream()) as ReadableStream, 200, {
      "Content-Type": contentTypeFor(spec),
      "Content-Length": String(file.size),
      "Content-Disposition": disposition(document.title),
      "Cache-Control":
        parseVersionQuery(c) === undefined ? "private, no-cache" : "private, max-age=86400, immutable",
    });
  };

  app.get("/:id/documents/:docId/export/:format", (c) => {
    const spec = parseExportSpec(c.req.param("format"), c.req.query());
    return send(c, spec, (title) => contentDisposition(title, extensionFor(spec)));
  });
  app.get("/:id/documents/:docId/thumbnail.png", (c) =>
    send(c, { format: "thumbnail" }, (title) => contentDisposition(title, "png", "inline")),
  );
  return app;
}

function requireExporter(exporter: Exporter | undefined): Exporter {
  if (!exporter) throw new ApiError(503, "export_unavailable", "exports are not configured on this server");
  return exporter;
}
