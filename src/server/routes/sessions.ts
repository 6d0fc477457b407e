import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../db/open.js";
import { listDocuments } from "../../db/repo/documents.js";
import { listMessages } from "../../db/repo/messages.js";
import {
  createSession,
  deleteSession,
  getOwnedSession,
  listSessions,
  renameSession,
  SessionLimitError,
  type Session,
} from "../../db/repo/sessions.js";
import { ApiError } from "../errors.js";
import { requireOwnedSession } from "../guards.js";
import { publicDocument, publicSession } from "../present.js";
import type { AppDeps, AppEnv } from "../types.js";
import { readJson, readQuery, titleSchema } from "../validate.js";
import { documentRoutes } from "./documents.js";

const pageQuery = z.object({
  limit: z.coerce
    .number({ message: "limit must be a number" })
    .int({ message: "limit must be a whole number" })
    .min(1, { message: "limit must be at least 1" })
    .max(100, { message: "limit must be at most 100" })
    .default(20),
  offset: z.coerce
    .number({ message: "offset must be a number" })
    .int({ message: "offset must be a whole number" })
    .min(0, { message: "offset must not be negative" })
    .default(0),
});
const createBody = z.strictObject({ title: titleSchema.optional() });
const renameBody = z.strictObject({ title: titleSchema });

function sessionDetail(db: Db, session: Session) {
  const documents = listDocuments(db, session.id);
  return {
    session: publicSession(session),
    documents: documents.map(publicDocument),
    activeDocumentId: documents.find((document) => document.isActive)?.id ?? null,
  };
}

function createOwnSession(deps: AppDeps, owner: string, title: string | undefined) {
  const limit = deps.config.MAX_SESSIONS_PER_USER;
  try {
    return createSession(deps.db, { owner, title, maxPerOwner: limit }).session;
  } catch (error) {
    if (!(error instanceof SessionLimitError)) throw error;
    throw new ApiError(
      409,
      "too_many_sessions",
      `you already have ${limit} sessions, the most allowed; delete one to start another`,
    );
  }
}

/** `/api/sessions`: the caller's own sessions; anyone else's answer 404 like missing ones. */
export function sessionRoutes(deps: AppDeps) {
  const { db } = deps;
  return new Hono<AppEnv>()
    .get("/", (c) => {
      const page = readQuery(c, pageQuery);
      const { sessions, total } = listSessions(db, c.get("user"), page);
      return c.json({ sessions, total, limit: page.limit, offset: page.offset });
    })
    .post("/", async (c) => {
      const body = await readJson(c, createBody);
      const session = createOwnSession(deps, c.get("user"), body.title);
      return c.json(sessionDetail(db, session), 201);
    })
    .get("/:id", (c) => c.json(sessionDetail(db, requireOwnedSession(c, db))))
    .patch("/:id", async (c) => {
      const session = requireOwnedSession(c, db);
      const body = await readJson(c, renameBody);
      renameSession(db, session.id, body.title);
      const renamed = getOwnedSession(db, session.id, session.owner);
      if (!renamed) throw new ApiError(404, "not_found", "session not found");
      return c.json({ session: publicSession(renamed) });
    })
    .delete("/:id", (c) => {
      deleteSession(db, requireOwnedSession(c, db).id);
      return c.body(null, 204);
    })
    .get("/:id/messages", (c) => c.json({ messages: listMessages(db, requireOwnedSession(c, db).id) }))
    .route("/:id/documents", documentRoutes(deps));
}
