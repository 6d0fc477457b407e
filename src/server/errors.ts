import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { HttpMappedError, isDiskFull } from "../errors.js";
import type { Logger } from "../log.js";

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An expected failure the server itself decides (a missing session, a bad parameter), with optional details. */
export class ApiError extends HttpMappedError {
  readonly details?: unknown;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(status, code, message, options.headers);
    this.details = options.details;
  }
}

export function errorBody(code: string, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

function zodDetails(error: ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
}

/** The one error handler: expected errors keep their status and message; anything else is a logged 500. */
export function handleError(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof HttpMappedError) {
      const details = error instanceof ApiError ? error.details : undefined;
      return c.json(
        errorBody(error.code, error.message, details),
        error.status as ContentfulStatusCode,
        error.headers,
      );
    }
    if (error instanceof ZodError) {
      return c.json(errorBody("invalid_request", "request is invalid", zodDetails(error)), 400);
    }
    if (error instanceof HTTPException) {
      return c.json(errorBody(`http_${error.status}`, error.message || "request failed"), error.status);
    }
    if (isDiskFull(error)) {
      logger.error("disk full", {
        method: c.req.method,
        path: c.req.path,
        code: (error as { code?: string }).code,
      });
      return c.json(
        errorBody("storage_full", "the server's disk is full; nothing was saved, try again later"),
        507,
      );
    }
    logger.error("unhandled error", { method: c.req.method, path: c.req.path, error });
    return c.json(errorBody("internal", "internal server error"), 500);
  };
}
