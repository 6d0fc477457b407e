import assert from "node:assert/strict";
import { availableParallelism, loadavg } from "node:os";
import { after, before, describe, it } from "node:test";
import { probeLatency, spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { tempDir } from "../helpers/env.js";
import { buildLargeDocx } from "./fixtures.js";

const MB = 1024 * 1024;

async function uploadTo(url: string, name: string, bytes: Buffer) {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${url}/api/upload`, { method: "POST", body: form });
  const body = (await response.json()) as { chars?: number; error?: { code: string } };
  return { status: response.status, body };
}

describe("large .docx uploads do not stall the server", () => {
  const dir = tempDir();
  let server: ServerProcess;
  // Built up front: a connection left idle past the server's keep-alive timeout while a fixture is generated
  // would be closed under the next request (EPIPE on the client, not a server failure).
  const documents = new Map<number, Buffer>();
  before(async () => {
    for (const xmlBytes of [26_000_000, 95_000_000]) documents.set(xmlBytes, buildLargeDocx(xmlBytes));
    server = await spawnServer({ DATABASE_PATH: `${dir.path}/app.db`, EXPORT_DIR: `${dir.path}/exports` });
  });
  after(async () => {
    await server.stop();
    dir.remove();
  });

  const measured = new Map<string, { p99Ms: number; idleP99Ms: number; growthMb: number }>();
  // Where the machine itself is overloaded (a shared development box, load average several times its cores), a
  // health check waits for the CPU with or without an upload; there the upload's share is asserted instead: the
  // p99 during the upload at most 100 ms over the idle p99 of the same run. CI runs alone and gets the absolute
  // target.
  const overloaded = (loadavg()[0] ?? 0) > 2 * availableParallelism();
  for (const [label, xmlBytes] of [
    ["10 MB", 26_000_000],
    ["38 MB", 95_000_000],
  ] as const) {
    it(`answers without a failed health probe, RSS growth under 200 MB, during a ${label} .docx`, async (t) => {
      const docx = documents.get(xmlBytes) as Buffer;
      // A warm-up request loads the upload route's code paths, so only the document's cost is measured.
      await uploadTo(server.url, "small.docx", buildLargeDocx(10_000));
      // The same probe with no upload running: what the machine alone costs a health check in this run.
      const idleProbe = await probeLatency(`${server.url}/api/health`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const idle = await idleProbe.stop();
      const baseline = server.rss();
      server.resetPeak();
      const probe = await probeLatency(`${server.url}/api/health`);
      const started = Date.now();
      const { status, body } = await uploadTo(server.url, "large.docx", docx).catch((error: unknown) => {
        throw new Error(`upload failed (${String(error)}); server stderr: ${server.stderr()}`);
      });
      const seconds = (Date.now() - started) / 1000;
      const health = await probe.stop();
      const loop = await server.loopDelay();
      const growth = server.peakRss() - baseline;
      t.diagnostic(
        `${label} (${(docx.length / MB).toFixed(1)} MB, XML ${(xmlBytes / MB).toFixed(0)} MB): ${status} ` +
          `${body.error?.code ?? `${body.chars} chars`} in ${seconds.toFixed(1)} s; health p99 ` +
          `${health.p99Ms.toFixed(1)} ms, max ${health.maxMs.toFixed(1)} ms over ${health.samples} (idle ` +
          `${idle.p99Ms.toFixed(1)} ms); server event-loop ` +
          `delay max ${loop.maxMs.toFixed(0)} ms; ` +
          `RSS ${(baseline / MB).toFixed(0)} MB +${(growth / MB).toFixed(0)} MB at peak; machine load ` +
          `average ${loadavg()[0]?.toFixed(1)}`,
      );
      assert.ok(
        status === 200 || (status === 422 && body.error?.code === "extraction_limit"),
        `status ${status}`,
      );
      assert.equal(health.failures, 0);
      // The guard against the old failure (mammoth in the server's heap grew it by 1.4-3.3 GB).
      assert.ok(growth < 200 * MB, `RSS grew ${growth / MB} MB`);
      measured.set(label, { p99Ms: health.p99Ms, idleP99Ms: idle.p99Ms, growthMb: growth / MB });
    });

    it(`meets issue 12's targets during a ${label} .docx: health p99 < 100 ms, RSS growth < 100 MB`, () => {
      const figures = measured.get(label);
      assert.ok(figures, "the upload above did not finish");
      const allowedMs = overloaded ? figures.idleP99Ms + 100 : 100;
      assert.ok(
        figures.p99Ms < allowedMs,
        `health p99 ${figures.p99Ms} ms (idle ${figures.idleP99Ms} ms, load average ${loadavg()[0]})`,
      );
      assert.ok(figures.growthMb < 100, `RSS grew ${figures.growthMb} MB`);
    });
  }
});
