import type { Writable } from "node:stream";

/** Docker's multiplexed log frame: 1 byte stream type (0 stdin, 1 stdout, 2 stderr), 3 zero bytes, 4 bytes size. */
const HEADER_BYTES = 8;

/**
 * Splits a non-TTY container log into stdout and stderr, frame by frame in a loop. docker-modem's demuxStream
 * recurses once per frame and re-concatenates its buffer each time: a few thousand short lines in one read (any
 * `ahb logs` without --follow) overflow the stack. A stream that is not multiplexed (a TTY container) passes
 * through to stdout as it is.
 */
export async function demultiplex(
  source: AsyncIterable<Buffer>,
  stdout: Writable,
  stderr: Writable,
): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let raw = false;
  try {
    for await (const chunk of source) {
      if (raw) {
        stdout.write(chunk);
        continue;
      }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (pending.length - offset >= HEADER_BYTES) {
        const type = pending.readUInt8(offset);
        if (type > 2) {
          raw = true;
          stdout.write(pending.subarray(offset));
          offset = pending.length;
          break;
        }
        const size = pending.readUInt32BE(offset + 4);
        if (pending.length - offset - HEADER_BYTES < size) break;
        const payload = pending.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size);
        (type === 2 ? stderr : stdout).write(payload);
        offset += HEADER_BYTES + size;
      }
      pending = pending.subarray(offset);
    }
  } finally {
    stdout.end();
    stderr.end();
  }
}
