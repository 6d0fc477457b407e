/** Why an upload was refused; the route turns it into the JSON error shape with this status. */
export type UploadFailure =
  | { status: 400; code: "empty_file" | "invalid_request" | "corrupt_file" }
  | { status: 413; code: "file_too_large" }
  | { status: 415; code: "unsupported_type" }
  | { status: 422; code: "extraction_limit" }
  | { status: 503; code: "extraction_busy" }
  | { status: 507; code: "storage_full" };

export class UploadError extends Error {
  readonly status: UploadFailure["status"];
  readonly code: UploadFailure["code"];
  readonly headers?: Record<string, string>;

  constructor(failure: UploadFailure, message: string, headers?: Record<string, string>) {
    super(message);
    this.headers = headers;
    this.name = "UploadError";
    this.status = failure.status;
    this.code = failure.code;
  }
}

export const corrupt = (message: string) => new UploadError({ status: 400, code: "corrupt_file" }, message);
export const unsupported = (message: string) =>
  new UploadError({ status: 415, code: "unsupported_type" }, message);
export const tooLarge = (limit: number) =>
  new UploadError({ status: 413, code: "file_too_large" }, `file is larger than the limit of ${limit} bytes`);
export const storageFull = (what: string) =>
  new UploadError(
    { status: 507, code: "storage_full" },
    `the server's disk is full; ${what} could not be stored`,
  );
