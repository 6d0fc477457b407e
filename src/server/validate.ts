import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { ApiError } from "./errors.js";
import type { AppEnv } from "./types.js";

/** JSON bodies are small (a chat message is at most 10 000 characters); anything far larger is refused unread. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;
/** A hand-edited document travels whole, embedded images included (each picture is a few MB of base64). */
export const MAX_DOCUMENT_BODY_BYTES = 32 * 1024 * 1024;
/** The one route whose JSON body is a whole document: `POST /api/sessions/:id/documents/:docId/versions`. */
const DOCUMENT_BODY_PATH = /^\/api\/sessions\/[^/]+\/documents\/[^/]+\/versions\/?$/;

/** 413 `body_too_large` past maxSize bytes, checked on Content-Length or while a chunked body streams in. */
export function jsonBodyLimit(maxSize = MAX_JSON_BODY_BYTES) {
  return bodyLimit({
    maxSize,
    onError: () => {
      // The rest of the body stays unread, so the connection cannot carry another request.
      throw new ApiError(413, "body_too_large", `request body is larger than ${maxSize} bytes`, {
        headers: { Connection: "close" },
      });
    },
  });
}

/** jsonBodyLimit for the sessions API: the document limit for a hand-edited version, the JSON limit elsewhere. */
export function sessionsBodyLimit(): MiddlewareHandler<AppEnv> {
  const json = jsonBodyLimit();
  const document = jsonBodyLimit(MAX_DOCUMENT_BODY_BYTES);
  return (c, next) =>
    (c.req.method === "POST" && DOCUMENT_BODY_PATH.test(c.req.path) ? document : json)(c, next);
}

/** Titles of sessions and documents: trimmed, 1..200 characters. */
export const titleSchema = z
  .string({ message: "title must be a string" })
  .trim()
  .min(1, { message: "title must not be empty" })
  .max(200, { message: "title must be at most 200 characters" });

/**
 * The JSON body validated by `schema`: 400 `invalid_json` when it does not parse, 400 `invalid_request` with one
 * detail per problem when it does not match (a ZodError, turned into that answer by the app's error handler).
 * An empty body counts as `{}`, so endpoints whose fields are all optional accept a bare POST.
 */
export async function readJson<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, "invalid_json", "request body is not valid JSON");
    }
  }
  return schema.parse(body);
}

/** The query string validated by `schema` (400 `invalid_request` with details when it does not match). */
export function readQuery<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return schema.parse(c.req.query());
}
