import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as z from "zod";
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

/**
 * Control characters (NUL, CR/LF, tab...), line and paragraph separators, bidi embeddings, overrides, isolates and
 * marks (which can make a title read backwards in a list), and lone surrogates (not encodable as UTF-8).
 * Zero-width joiners stay allowed: emoji sequences need them.
 */
const UNSAFE_TITLE_CHARACTERS = /[\p{Cc}\p{Cs}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Titles of sessions and documents: trimmed, 1..200 characters, none of the unsafe characters above. */
export const titleSchema = z
  .string({ message: "title must be a string" })
  .trim()
  .min(1, { message: "title must not be empty" })
  .max(200, { message: "title must be at most 200 characters" })
  .refine((title) => !UNSAFE_TITLE_CHARACTERS.test(title), {
    message: "title must not contain control characters, bidi controls or lone surrogates",
  });

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
