import { Hono, type Context } from "hono";
import * as z from "zod";
import {
  activateDocument,
  createDocument,
  deleteDocument,
  getDocument,
  renameDocument,
} from "../../db/repo/documents.js";
import { ApiError } from "../errors.js";
import { requireHtml, requireOwnedDocument, requireOwnedSession } from "../guards.js";
import { publicDocument } from "../present.js";
import { withPreviewBridge } from "../preview-bridge.js";
import type { AppDeps, AppEnv } from "../types.js";
import { readJson, titleSchema } from "../validate.js";
import { versionRoutes } from "./versions.js";

/** The preview runs the document's own scripts in an opaque-origin sandbox that can load nothing from anywhere. */
export const PREVIEW_CSP =
  "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:";

const createBody = z.strictObject({ title: titleSchema.optional() });
const updateBody = z
  .strictObject({
    title: titleSchema.optional(),
    active: z
      .literal(true, { message: "active can only be true (activate another document to switch)" })
      .optional(),
  })
  .refine((body) => body.title !== undefined || body.active !== undefined, {
    message: "give a title, active: true, or both",
  });

function htmlResponse(c: Context<AppEnv>, html: string, csp?: string) {
  c.header("Cache-Control", "no-store");
  if (csp) c.header("Content-Security-Policy", csp);
  return c.html(html);
}

/** `/api/sessions/:id/documents`: the documents of one owned session. */
export function documentRoutes(deps: AppDeps) {
  const { db } = deps;
  return new Hono<AppEnv>()
    .post("/", async (c) => {
      const session = requireOwnedSession(c, db);
      const body = await readJson(c, createBody);
      const document = createDocument(db, session.id, body.title);
      return c.json({ document: publicDocument(document) }, 201);
    })
    .patch("/:docId", async (c) => {
      const document = requireOwnedDocument(c, db);
      const body = await readJson(c, updateBody);
      db.transaction(() => {
        if (body.title !== undefined) renameDocument(db, document.id, body.title);
        if (body.active) activateDocument(db, document.sessionId, document.id);
      })();
      const updated = getDocument(db, document.sessionId, document.id);
      if (!updated) throw new ApiError(404, "not_found", "document not found");
      return c.json({ document: publicDocument(updated) });
    })
    .delete("/:docId", (c) => {
      const document = requireOwnedDocument(c, db);
      deleteDocument(db, document.sessionId, document.id);
      return c.body(null, 204);
    })
    .get("/:docId/html", (c) => htmlResponse(c, requireHtml(c, db).version.html))
    .get("/:docId/preview", (c) =>
      htmlResponse(c, withPreviewBridge(requireHtml(c, db).version.html), PREVIEW_CSP),
    )
    .route("/:docId/versions", versionRoutes(deps));
}
