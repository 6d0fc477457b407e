import { Hono } from "hono";
import { addAttachment } from "../../db/repo/attachments.js";
import { extractUpload } from "../../upload/extract.js";
import { type ReceivedUpload, receiveUpload } from "../../upload/multipart.js";
import { createExtractionPool, extractionLimits } from "../../upload/pool.js";
import { requireOwnedSessionId } from "../guards.js";
import type { AppDeps, AppEnv } from "../types.js";

/**
 * `POST /api/upload`: multipart `file` (+ optional `sessionId`) -> `{filename, type, chars, truncated, text}`.
 * With a session, the text is also kept as an attachment of that session (`attachmentId`), which a chat
 * message then sends to the model by id.
 */
export function uploadRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const extractor = deps.extractor ?? createExtractionPool(extractionLimits(deps.config));
  app.post("/", async (c) => {
    let upload: ReceivedUpload | undefined;
    try {
      upload = await receiveUpload(c.req.raw, deps.config.MAX_UPLOAD_SIZE);
      const sessionId = upload.fields.sessionId;
      const session = sessionId ? requireOwnedSessionId(deps.db, sessionId, c.get("user")) : undefined;
      const result = await extractUpload(upload, {
        allowedTypes: deps.config.ALLOWED_UPLOAD_TYPES,
        extractor,
      });
      if (!session) return c.json(result);
      return c.json({ ...result, attachmentId: addAttachment(deps.db, session.id, result).id });
    } finally {
      await upload?.discard();
    }
  });
  return app;
}
