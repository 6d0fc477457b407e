import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildFailureMessage,
  parseBuildLine,
  summarizeBuild,
  type BuildEvent,
} from "../../src/ops/docker/build-stream.js";

function run(lines: string[]): { events: BuildEvent[]; message: string; failed: boolean } {
  const events = lines.flatMap(parseBuildLine);
  const summary = summarizeBuild(events);
  return { events, message: buildFailureMessage(summary), failed: summary.error !== undefined };
}

describe("build stream", () => {
  it("reads steps and the image id of a successful build", () => {
    const result = run([
      JSON.stringify({ stream: "Step 1/2 : FROM base\n" }),
      JSON.stringify({ stream: " ---> 7341e978ac35\n" }),
      JSON.stringify({ stream: "Step 2/2 : RUN echo ok\n" }),
      JSON.stringify({ stream: "ok\n" }),
      JSON.stringify({ aux: { ID: "sha256:abc" } }),
      JSON.stringify({ stream: "Successfully built abc123\n" }),
    ]);
    assert.equal(result.failed, false);
    const summary = summarizeBuild(result.events);
    assert.equal(summary.imageId, "abc123");
    assert.deepEqual(summary.lastStep, { kind: "step", index: 2, total: 2, instruction: "RUN echo ok" });
  });

  it("fails on an error line inside the (HTTP 200) stream, naming the step and the instruction", () => {
    const result = run([
      JSON.stringify({ stream: "Step 1/3 : FROM base\n" }),
      JSON.stringify({ stream: "Step 2/3 : RUN echo ok\n" }),
      JSON.stringify({ stream: "Step 3/3 : RUN exit 3\n" }),
      JSON.stringify({ stream: " ---> Running in 1f2e\n" }),
      JSON.stringify({
        errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" },
        error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
      }),
    ]);
    assert.equal(result.failed, true);
    assert.equal(
      result.message,
      "build failed at step 3/3: RUN exit 3: The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    );
  });

  it("keeps lines that are not JSON and reports failures before the first step", () => {
    assert.deepEqual(parseBuildLine("plain text"), [{ kind: "output", text: "plain text" }]);
    assert.deepEqual(parseBuildLine(""), []);
    const result = run([
      JSON.stringify({ error: "dockerfile parse error line 3: unknown instruction: RUNN" }),
    ]);
    assert.equal(
      result.message,
      "build failed before the first step: dockerfile parse error line 3: unknown instruction: RUNN",
    );
  });

  it("treats a stream that ends without an image id as a failure", () => {
    const summary = summarizeBuild(run([JSON.stringify({ stream: "Step 1/1 : FROM base\n" })]).events);
    assert.equal(summary.imageId, undefined);
    assert.equal(
      buildFailureMessage(summary),
      "build failed at step 1/1: FROM base: the engine reported no image id",
    );
  });
});
