import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { describe, it } from "node:test";
import { demultiplex } from "../../src/ops/docker/demux.js";

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(chunks: Buffer[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const texts = [stdout, stderr].map(async (stream) => {
    let text = "";
    for await (const chunk of stream) text += String(chunk);
    return text;
  });
  await demultiplex(Readable.from(chunks), stdout, stderr);
  const [out, err] = await Promise.all(texts);
  return { stdout: out as string, stderr: err as string };
}

describe("demultiplexing a container log", () => {
  it("splits 20,000 frames read at once without recursing (docker-modem's demuxStream overflows the stack)", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`);
    const all = Buffer.concat(lines.map((line, i) => frame(i % 10 === 0 ? 2 : 1, line)));
    const { stdout, stderr } = await collect([all]);
    assert.equal(stdout, lines.filter((_, i) => i % 10 !== 0).join(""));
    assert.equal(stderr, lines.filter((_, i) => i % 10 === 0).join(""));
  });

  it("joins frames and headers cut across reads", async () => {
    const all = Buffer.concat([frame(1, "hello "), frame(2, "oops\n"), frame(1, "world\n")]);
    const cuts = [3, 9, 10, 17, 30];
    const chunks = [0, ...cuts].map((start, i) => all.subarray(start, cuts[i] ?? all.length));
    assert.deepEqual(await collect(chunks), { stdout: "hello world\n", stderr: "oops\n" });
  });

  it("passes a stream that is not multiplexed (a TTY container) through to stdout", async () => {
    assert.deepEqual(await collect([Buffer.from("plain tty output\n"), Buffer.from("more\n")]), {
      stdout: "plain tty output\nmore\n",
      stderr: "",
    });
  });
});
