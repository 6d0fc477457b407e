import { HttpMappedError } from "../errors.js";

/** Why an upload was refused; the server answers it with this status and code. */
export type UploadFailure =
  | { status: 400; code: "empty_file" | "invalid_request" | "corrupt_file" }
  | { status: 413; code: "file_too_large" }
  | { status: 415; code: "unsupported_type" }
  | { status: 422; code: "extraction_limit" }
  | { status: 503; code: "extraction_busy" }
  | { status: 507; code: "storage_full" };

export class UploadError extends HttpMappedError {
  constructor(failure: UploadFailure, message: string, headers?: Record<string, string>) {
    // A refused body may still be streaming in; closing tells the client to stop sending.
    super(
      failure.status,
      failure.code,
      message,
      failure.status === 413 ? { ...headers, Connection: "close" } : headers,
    );
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
