import { Hono, type Context } from "hono";
import type { Db } from "../../db/open.js";
import { appendVersion, getVersion, listVersions, type Version } from "../../db/repo/versions.js";
import { ApiError } from "../errors.js";
import { parseVersionNumber, requireOwnedDocument } from "../guards.js";
import type { AppDeps, AppEnv } from "../types.js";

function requireVersion(c: Context<AppEnv>, db: Db): { documentId: string; version: Version } {
  const document = requireOwnedDocument(c, db);
  const number = parseVersionNumber(c.req.param("n") ?? "");
  const version = getVersion(db, document.id, number);
  if (!version) throw new ApiError(404, "not_found", `version ${number} not found`);
  return { documentId: document.id, version };
}

/** `/api/sessions/:id/documents/:docId/versions`: append-only history; restoring appends a copy. */
export function versionRoutes(deps: AppDeps) {
  const { db } = deps;
  return new Hono<AppEnv>()
    .get("/", (c) => {
      const document = requireOwnedDocument(c, db);
      return c.json({ versions: listVersions(db, document.id) });
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
