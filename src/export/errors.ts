/** Why an export could not be produced; the route turns it into the JSON error shape with this status. */
export class ExportError extends Error {
  constructor(
    readonly status: 503 | 504,
    readonly code: "export_busy" | "export_timeout" | "export_unavailable",
    message: string,
    /** Seconds for the Retry-After header. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "ExportError";
  }
}
