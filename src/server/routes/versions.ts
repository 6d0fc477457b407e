import { Hono, type Context } from "hono";
import * as z from "zod";
import { validateEdit } from "../../ai/editor/index.js";
import type { Db } from "../../db/open.js";
import { appendVersion, getVersion, listVersions, type Version } from "../../db/repo/versions.js";
import { ApiError } from "../errors.js";
import { parseVersionNumber, requireOwnedDocument } from "../guards.js";
import type { AppDeps, AppEnv } from "../types.js";
import { readJson } from "../validate.js";

/** What a hand edit is recorded as, in place of the chat prompt an AI edit has. */
export const HAND_EDIT_PROMPT = "Edited by hand";

const handEditBody = z.strictObject({
  html: z.string({ message: "html must be a string" }),
  baseVersion: z.number({ message: "baseVersion must be a number" }).int().positive(),
});

function requireVersion(c: Context<AppEnv>, db: Db): { documentId: string; version: Version } {
  const document = requireOwnedDocument(c, db);
  const number = parseVersionNumber(c.req.param("n") ?? "");
  const version = getVersion(db, document.id, number);
  if (!version) throw new ApiError(404, "not_found", `version ${number} not found`);
  return { documentId: document.id, version };
}

/**
 * `/api/sessions/:id/documents/:docId/versions`: append-only history; restoring appends a copy, and a hand edit
 * from the code view appends a new version once it passes the same validation as an AI edit.
 */
export function versionRoutes(deps: AppDeps) {
  const { db } = deps;
  return new Hono<AppEnv>()
    .get("/", (c) => {
      const document = requireOwnedDocument(c, db);
      return c.json({ versions: listVersions(db, document.id) });
    })
    .post("/", async (c) => {
      const document = requireOwnedDocument(c, db);
      const body = await readJson(c, handEditBody);
      const base = getVersion(db, document.id, body.baseVersion);
      if (!base) throw new ApiError(404, "not_found", `version ${body.baseVersion} not found`);
      const validation = validateEdit(base.html, body.html);
      if (!validation.ok) {
        const reason = `the edit was not saved: ${validation.problems.join("; ")}`;
        throw new ApiError(422, "invalid_edit", reason, { details: validation.problems });
      }
      const meta = appendVersion(
        db,
        { documentId: document.id, html: body.html, prompt: HAND_EDIT_PROMPT, summary: null, model: null },
        body.baseVersion,
      );
      return c.json({ version: meta }, 201);
    })
    .get("/:n", (c) => c.json({ version: requireVersion(c, db).version }))
    .post("/:n/restore", (c) => {
      const { documentId, version } = requireVersion(c, db);
      const restored = appendVersion(db, {
        documentId,
        html: version.html,
        prompt: `Restored version ${version.version}`,
        summary: null,
        model: null,
      });
      return c.json({ version: restored }, 201);
    });
}
