import type { Context } from "hono";
import { z } from "zod";
import { ApiError } from "./errors.js";
import type { AppEnv } from "./types.js";

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
