import { Hono } from "hono";
import * as z from "zod";
import { listDocuments } from "../../db/repo/documents.js";
import { listMessages } from "../../db/repo/messages.js";
import {
  createSession,
  deleteSession,
  getOwnedSession,
  listSessions,
  renameSession,
  setPinned,
  type Session,
} from "../../db/repo/sessions.js";
import { ApiError } from "../errors.js";
import { requireOwnedSession } from "../guards.js";
import { expiresAt, publicDocument, publicSession } from "../present.js";
import type { AppDeps, AppEnv } from "../types.js";
import { intInRange } from "../../shared/int-range.js";
import { readJson, readQuery, titleSchema } from "../validate.js";
import { documentRoutes } from "./documents.js";

const pageQuery = z.object({
  limit: intInRange(1, 100, { name: "limit" }).default(20),
  offset: intInRange(0, undefined, { name: "offset", tooSmall: "offset must not be negative" }).default(0),
});
const createBody = z.strictObject({ title: titleSchema.optional() });
const patchBody = z
  .strictObject({
    title: titleSchema.optional(),
    pinned: z.boolean({ message: "pinned must be true or false" }).optional(),
  })
  .refine((body) => body.title !== undefined || body.pinned !== undefined, {
    message: "give a title, pinned, or both",
  });

function sessionDetail(deps: AppDeps, session: Session) {
  const { db } = deps;
  const documents = listDocuments(db, session.id);
  return {
    session: publicSession(session, deps.config.SESSION_TIMEOUT),
    documents: documents.map(publicDocument),
    activeDocumentId: documents.find((document) => document.isActive)?.id ?? null,
  };
}

function createOwnSession(deps: AppDeps, owner: string, title: string | undefined) {
  const limit = deps.config.MAX_SESSIONS_PER_USER;
  return createSession(deps.db, { owner, title, maxPerOwner: limit }).session;
}

function pinOwnSession(deps: AppDeps, session: Session, pinned: boolean): void {
  const limit = deps.config.MAX_PINNED_SESSIONS;
  setPinned(deps.db, session, pinned, limit);
}

/** `/api/sessions`: the caller's own sessions; anyone else's answer 404 like missing ones. */
export function sessionRoutes(deps: AppDeps) {
  const { db } = deps;
  return new Hono<AppEnv>()
    .get("/", (c) => {
      const page = readQuery(c, pageQuery);
      const { sessions, total } = listSessions(db, c.get("user"), page);
      const timeout = deps.config.SESSION_TIMEOUT;
      return c.json({
        sessions: sessions.map((session) => ({ ...session, expiresAt: expiresAt(session, timeout) })),
        total,
        limit: page.limit,
        offset: page.offset,
      });
    })
    .post("/", async (c) => {
      const body = await readJson(c, createBody);
      const session = createOwnSession(deps, c.get("user"), body.title);
      return c.json(sessionDetail(deps, session), 201);
    })
    .get("/:id", (c) => c.json(sessionDetail(deps, requireOwnedSession(c, db))))
    .patch("/:id", async (c) => {
      const session = requireOwnedSession(c, db);
      const body = await readJson(c, patchBody);
      if (body.pinned !== undefined) pinOwnSession(deps, session, body.pinned);
      if (body.title !== undefined) renameSession(db, session.id, body.title);
      const updated = getOwnedSession(db, session.id, session.owner);
      if (!updated) throw new ApiError(404, "not_found", "session not found");
      return c.json({ session: publicSession(updated, deps.config.SESSION_TIMEOUT) });
    })
    .delete("/:id", (c) => {
      deleteSession(db, requireOwnedSession(c, db).id);
      return c.body(null, 204);
    })
    .get("/:id/messages", (c) => c.json({ messages: listMessages(db, requireOwnedSession(c, db).id) }))
    .route("/:id/documents", documentRoutes(deps));
}
