import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLimiter } from "../../src/export/limiter.js";

describe("export limiter", () => {
  it("starts queued exports before queued thumbnails, each kind in arrival order", async () => {
    const limiter = createLimiter({ concurrency: 1, maxQueued: 8, retryAfterS: 5 });
    const order: string[] = [];
    let unblock = () => {};
    const first = limiter.run(() => new Promise<void>((resolve) => (unblock = resolve)));
    const queued = [
      limiter.run(async () => void order.push("thumb 1"), "background"),
      limiter.run(async () => void order.push("thumb 2"), "background"),
      limiter.run(async () => void order.push("pdf 1")),
      limiter.run(async () => void order.push("pdf 2")),
    ];
    assert.deepEqual(limiter.stats(), { running: 1, queued: 4 });
    unblock();
    await Promise.all([first, ...queued]);
    assert.deepEqual(order, ["pdf 1", "pdf 2", "thumb 1", "thumb 2"]);
  });
});
