import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { malformedCorpus } from "./corpus.js";

/**
 * The codes README documents for uploads; anything else (a 5xx above all) is a defect. "200 ok" is a file the
 * reader repaired (pdf.js rebuilds a damaged xref table by scanning the objects).
 */
const DOCUMENTED = new Set([
  "200 ok",
  "400 corrupt_file",
  "400 empty_file",
  "400 invalid_request",
  "413 file_too_large",
  "415 unsupported_type",
  "422 extraction_limit",
]);

describe("malformed upload corpus", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp({ EXTRACTION_TIMEOUT: "10" });
  });
  after(() => t.close());

  it("answers every malformed file with a documented 4xx (or reads what it can), never 5xx", async (context) => {
    const corpus = await malformedCorpus();
    const outcomes: string[] = [];
    for (const { name, bytes } of corpus) {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(bytes)]), name);
      const response = await t.app.request(
        "/api/upload",
        { method: "POST", body: form, headers: { "X-Forwarded-User": "alice" } },
        fromPeer("127.0.0.1"),
      );
      const body = (await response.json()) as { error?: { code: string } };
      outcomes.push(`${name}: ${response.status} ${body.error?.code ?? "ok"}`);
      assert.ok(
        DOCUMENTED.has(`${response.status} ${body.error?.code ?? "ok"}`),
        `${name} answered ${response.status} ${JSON.stringify(body).slice(0, 200)}`,
      );
    }
    context.diagnostic(`${corpus.length} files: ${outcomes.join("; ")}`);
    assert.equal(
      t.logLines.filter((line) => line.includes('"level":"error"')).length,
      0,
      "no unhandled error was logged",
    );
  });
});
