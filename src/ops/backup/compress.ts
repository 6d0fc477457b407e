import { createHash } from "node:crypto";
import { closeSync, fdatasyncSync, fsyncSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { ByteProgress } from "./verify.js";

/** Fastest zlib level: on a host shared with the server, CPU matters more than ~15% of backup size. */
const GZIP_LEVEL = 1;
/** Each slice of the file becomes one gzip member; at this size the lost dictionary across slices costs < 0.1%. */
const SLICE_BYTES = 8 * 1024 * 1024;
/**
 * Written bytes are flushed every this many, so the page cache never holds a large backlog of the backup's dirty
 * pages: a server's fsync (a WAL checkpoint) waits behind at most this much of the backup's writeback.
 */
const FLUSH_EVERY_BYTES = 16 * 1024 * 1024;

const gzipAsync = promisify(gzip);

export interface CompressedFile {
  /** SHA-256 of the compressed bytes, computed as they were written: the file's checksum. */
  sha256: string;
  sizeBytes: number;
}

/**
 * Gzips `from` into a new file `to` in one read of the source: slices are compressed as independent gzip members on
 * libuv's thread pool (several at once, like pigz), written in order, hashed as they are written and flushed every
 * FLUSH_EVERY_BYTES. Concatenated members are one valid gzip stream for gunzip, zlib and `gzip -d`. The result is
 * fsynced and its size on disk is checked against the bytes written.
 */
export async function gzipHashed(
  from: string,
  to: string,
  onProgress?: ByteProgress,
): Promise<CompressedFile> {
  const input = openSync(from, "r");
  try {
    const output = openSync(to, "wx", 0o600);
    try {
      return await gzipSlices(input, output, to, onProgress);
    } finally {
      closeSync(output);
    }
  } finally {
    closeSync(input);
  }
}

async function gzipSlices(
  input: number,
  output: number,
  to: string,
  onProgress: ByteProgress | undefined,
): Promise<CompressedFile> {
  const total = fstatSync(input).size;
  const hash = createHash("sha256");
  const inFlight: Promise<Buffer>[] = [];
  let written = 0;
  let unflushed = 0;
  const writeNext = async (): Promise<void> => {
    const member = await (inFlight.shift() as Promise<Buffer>);
    hash.update(member);
    writeFully(output, member);
    written += member.length;
    unflushed += member.length;
    if (unflushed >= FLUSH_EVERY_BYTES) {
      fdatasyncSync(output);
      unflushed = 0;
    }
  };
  onProgress?.(0, total);
  let read = 0;
  do {
    const slice = Buffer.allocUnsafe(Math.min(SLICE_BYTES, total - read));
    const length = readSync(input, slice, 0, slice.length, read);
    read += length;
    inFlight.push(gzipAsync(slice.subarray(0, length), { level: GZIP_LEVEL }));
    if (inFlight.length > availableParallelism()) await writeNext();
    onProgress?.(read, total);
    if (length === 0) break;
  } while (read < total);
  while (inFlight.length > 0) await writeNext();
  fsyncSync(output);
  const sizeBytes = fstatSync(output).size;
  if (sizeBytes !== written) throw new Error(`${to} holds ${sizeBytes} bytes, but ${written} were written`);
  return { sha256: hash.digest("hex"), sizeBytes };
}

function writeFully(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
}
