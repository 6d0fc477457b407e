import type { MiddlewareHandler } from "hono";
import type { Config } from "../../config/schema.js";
import { ApiError } from "../errors.js";
import type { AppEnv } from "../types.js";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const UPLOAD_PATH = "/api/upload";

/** The media type without parameters, lower-cased ("application/json; charset=utf-8" -> "application/json"). */
function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function hasBody(headers: { contentLength?: string; transferEncoding?: string }): boolean {
  return headers.transferEncoding !== undefined || Number(headers.contentLength ?? 0) > 0;
}

/**
 * Closes cross-site request forgery on the API. Proxy credentials (basic auth) ride along on cross-site requests,
 * so a state-changing request must come from the page's own origin or one in CORS_ORIGINS, and must carry a body
 * type that an HTML form cannot send (JSON; uploads are multipart and checked by origin). Browsers mark
 * cross-site requests with Sec-Fetch-Site and send Origin on every POST; non-browser clients send neither.
 */
export function csrfGuard(config: Config): MiddlewareHandler<AppEnv> {
  const allowedOrigins = new Set(config.CORS_ORIGINS.map((origin) => new URL(origin).origin));
  return (c, next) => {
    if (!STATE_CHANGING.has(c.req.method)) return next();
    if (c.req.header("sec-fetch-site") === "cross-site") {
      throw new ApiError(403, "cross_site_request", "cross-site requests may not change anything here");
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !isAllowedOrigin(origin, new URL(c.req.url).host, allowedOrigins)) {
      throw new ApiError(403, "cross_site_request", "requests from this origin may not change anything here");
    }
    const expected = c.req.path === UPLOAD_PATH ? "multipart/form-data" : "application/json";
    const type = mediaType(c.req.header("content-type"));
    const body = hasBody({
      contentLength: c.req.header("content-length"),
      transferEncoding: c.req.header("transfer-encoding"),
    });
    if (type !== expected && (type !== undefined || body || expected === "multipart/form-data")) {
      throw new ApiError(415, "unsupported_media_type", `send the body as ${expected}`);
    }
    return next();
  };
}

/** The page's own origin (same host as the request) or one listed in CORS_ORIGINS; "null" never is. */
function isAllowedOrigin(origin: string, requestHost: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(origin)) return true;
  try {
    return new URL(origin).host === requestHost;
  } catch {
    return false;
  }
}
