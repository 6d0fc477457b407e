import { HttpMappedError } from "../errors.js";

/** Why an export could not be produced; the server answers it with this status and code. */
export class ExportError extends HttpMappedError {
  constructor(
    status: 503 | 504,
    code: "export_busy" | "export_timeout" | "export_unavailable",
    message: string,
    /** Seconds for the Retry-After header. */
    readonly retryAfterS?: number,
  ) {
    super(status, code, message, retryAfterS ? { "Retry-After": String(retryAfterS) } : undefined);
  }
}
