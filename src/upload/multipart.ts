import { randomUUID } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { storageFull, tooLarge, UploadError } from "./errors.js";

export interface ReceivedUpload {
  /** The name the client sent (not yet sanitised). */
  filename: string;
  /** A private temporary file holding the upload's bytes; the caller removes it with discard(). */
  path: string;
  size: number;
  fields: Record<string, string>;
  discard(): Promise<void>;
}

/** Room for the multipart boundaries, part headers and the small text fields around the file. */
const ENVELOPE_BYTES = 64 * 1024;
const MAX_FIELD_BYTES = 1024;

const badRequest = (message: string) => new UploadError({ status: 400, code: "invalid_request" }, message);

/** Refuses before reading anything when the declared body cannot fit (413 without touching the stream). */
export function checkDeclaredLength(contentLength: string | undefined, maxBytes: number): void {
  if (contentLength === undefined) return;
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) throw tooLarge(maxBytes);
}

/** The file is written as it arrives: the server's heap never holds an upload (38 MB would cost ~100 MB of RSS). */
function temporaryFile(): { path: string; sink: WriteStream; discard(): Promise<void> } {
  const path = join(tmpdir(), `ahb-upload-${randomUUID()}`);
  const sink = createWriteStream(path, { flags: "wx", mode: 0o600 });
  // Removal waits for the descriptor to close, or a write still opening the file would create it again.
  const closed = new Promise<void>((resolve) => sink.once("close", resolve));
  const discard = async () => {
    sink.destroy();
    await closed;
    await rm(path, { force: true });
  };
  return { path, sink, discard };
}

const writeFailure = (error: unknown) =>
  (error as NodeJS.ErrnoException).code === "ENOSPC" ? storageFull("the upload") : error;

/**
 * Parses a multipart body as it streams in and writes the one `file` part to a temporary file. The size limit is
 * enforced per chunk: at maxBytes + 1 the source is cancelled and the promise rejects with 413 (the file removed),
 * so memory and disk stay bounded by the limit whatever the client sends.
 */
export function receiveUpload(request: Request, maxBytes: number): Promise<ReceivedUpload> {
  checkDeclaredLength(request.headers.get("content-length") ?? undefined, maxBytes);
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data/i.test(contentType) || !request.body) {
    return Promise.reject(badRequest("send the file as multipart/form-data in the field 'file'"));
  }
  const source = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  return new Promise<ReceivedUpload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": contentType },
        // Browsers send the file name as raw UTF-8 bytes; busboy's default would read them as latin1.
        defParamCharset: "utf8",
        // busboy signals "limit" on reaching fileSize, not on passing it: one byte more lets exactly maxBytes in.
        limits: { files: 1, fields: 4, fieldSize: MAX_FIELD_BYTES, fileSize: maxBytes + 1, parts: 5 },
      });
    } catch {
      reject(badRequest("the multipart body has no boundary"));
      return;
    }
    const fields: Record<string, string> = {};
    let file:
      | { filename: string; path: string; size: number; done: Promise<void>; discard(): Promise<void> }
      | undefined;
    let settled = false;
    /** Rejects with `error` as it is: an UploadError, or a fault of the server's own disk. */
    const abort = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      // Answered only once the partial file is gone: nothing outlives the request.
      void (file?.discard() ?? Promise.resolve()).finally(() => reject(error));
    };
    const fail = (error: unknown) =>
      abort(error instanceof UploadError ? error : badRequest("the multipart body is malformed"));

    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) fail(badRequest(`field '${name}' is too long`));
      else fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || file) {
        stream.resume();
        fail(badRequest(`unexpected file field '${name}'; send one file in the field 'file'`));
        return;
      }
      const temporary = temporaryFile();
      const received = {
        filename: info.filename ?? "",
        path: temporary.path,
        size: 0,
        done: pipeline(stream, temporary.sink),
        discard: temporary.discard,
      };
      file = received;
      stream.on("data", (chunk: Buffer) => (received.size += chunk.length));
      stream.on("limit", () => fail(tooLarge(maxBytes)));
      received.done.catch((error: unknown) => abort(writeFailure(error)));
    });
    parser.on("partsLimit", () => fail(badRequest("too many parts in the multipart body")));
    parser.on("filesLimit", () => fail(badRequest("send exactly one file")));
    parser.on("fieldsLimit", () => fail(badRequest("too many form fields")));
    parser.on("error", fail);
    source.on("error", fail);
    parser.on("close", () => {
      if (settled) return;
      if (!file) {
        fail(badRequest("no file: send it in the multipart field 'file'"));
        return;
      }
      const received = file;
      void received.done.then(() => {
        if (settled) return;
        settled = true;
        const { filename, path, size, discard } = received;
        resolve({ filename, path, size, fields, discard });
      });
    });
    source.pipe(parser);
  });
}
