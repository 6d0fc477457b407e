import type { Context } from "hono";
import type { AppEnv } from "./types.js";

/**
 * A request header, read from Node's own parsed headers on a real socket: asking the Fetch Request instead makes
 * @hono/node-server build a Headers object from every raw header, which the hot paths never need.
 * `name` is lower case.
 */
export function requestHeader(c: Context<AppEnv>, name: string): string | undefined {
  const headers = c.env?.incoming?.headers;
  if (!headers) return c.req.header(name);
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
