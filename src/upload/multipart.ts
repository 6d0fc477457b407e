import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { tooLarge, UploadError } from "./errors.js";

export interface ReceivedUpload {
  /** The name the client sent (not yet sanitised). */
  filename: string;
  bytes: Buffer;
  fields: Record<string, string>;
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

/**
 * Parses a multipart body as it streams in and keeps only the one `file` part in memory. The size limit is
 * enforced per chunk: at maxBytes + 1 the source is cancelled and the promise rejects with 413, so memory stays
 * bounded by the limit whatever the client sends.
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
    let file: { filename: string; chunks: Buffer[]; done: Promise<void> } | undefined;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      reject(error instanceof UploadError ? error : badRequest("the multipart body is malformed"));
    };

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
      const chunks: Buffer[] = [];
      const done = new Promise<void>((resolveFile) => stream.on("end", resolveFile));
      file = { filename: info.filename ?? "", chunks, done };
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => fail(tooLarge(maxBytes)));
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
        resolve({ filename: received.filename, bytes: Buffer.concat(received.chunks), fields });
      });
    });
    source.pipe(parser);
  });
}
