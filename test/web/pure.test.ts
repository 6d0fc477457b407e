import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  abbreviateDataUris,
  axisUsd,
  attachmentName,
  formatCompact,
  formatUsd,
  niceMax,
} from "../../web/format.js";
import { SseParser, toChatEvent } from "../../web/sse.js";

describe("SseParser", () => {
  const wire =
    'id: 1\nevent: status\ndata: {"stage":"routing","message":"Choosing"}\n\n' +
    ": heartbeat\n\n" +
    'id: 2\r\nevent: delta\r\ndata: {"text":"Hel"}\r\n\r\n' +
    'event: delta\ndata: {"text":"lo\\n"}\n\n' +
    "data: line one\ndata: line two\n\n";

  it("parses events, skips comments and joins multi-line data", () => {
    const events = new SseParser().push(wire);
    assert.deepEqual(
      events.map((event) => [event.event, event.data]),
      [
        ["status", '{"stage":"routing","message":"Choosing"}'],
        ["delta", '{"text":"Hel"}'],
        ["delta", '{"text":"lo\\n"}'],
        ["message", "line one\nline two"],
      ],
    );
    assert.equal(events[1]?.id, "2");
  });

  it("gives the same events however the stream is split, even inside \\r\\n", () => {
    const whole = new SseParser().push(wire);
    for (const size of [1, 2, 3, 7, 13]) {
      const parser = new SseParser();
      const events = [];
      for (let index = 0; index < wire.length; index += size)
        events.push(...parser.push(wire.slice(index, index + size)));
      assert.deepEqual(events, whole, `chunk size ${size}`);
    }
  });

  it("holds back an event until its blank line arrives", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('event: done\ndata: {"version":2}\n'), []);
    assert.equal(parser.push("\n").length, 1);
  });

  it("types known events and drops unknown names and bad JSON", () => {
    assert.deepEqual(toChatEvent({ event: "html", data: '{"documentId":"d","version":3,"html":"<p>"}' }), {
      type: "html",
      documentId: "d",
      version: 3,
      html: "<p>",
    });
    assert.equal(toChatEvent({ event: "mystery", data: "{}" }), undefined);
    assert.equal(toChatEvent({ event: "delta", data: "{not json" }), undefined);
  });
});

describe("format", () => {
  it("shows money by the CLI's rule: cents, four decimals under a cent, never $0.00 for a cost", () => {
    assert.equal(formatUsd(0), "$0.00");
    assert.equal(formatUsd(12_345_000_000), "$12.35");
    assert.equal(formatUsd(1_234_567_890_000), "$1,234.57");
    assert.equal(formatUsd(1_234_567_000_000_000), "$1,234,567.00");
    assert.equal(formatUsd(-999_000_000_000), "-$999.00");
    assert.equal(formatUsd(123_000_000), "$0.12");
    assert.equal(formatUsd(1_234_500), "$0.0012");
    assert.equal(formatUsd(40), "<$0.0001");
    assert.equal(formatUsd(-1_234_500), "-$0.0012");
  });

  it("compacts big token counts only", () => {
    assert.equal(formatCompact(9_999), "9,999");
    assert.equal(formatCompact(1_234_567), "1.2M");
  });

  it("rounds the chart axis up to 1, 2 or 5 times a power of ten", () => {
    assert.deepEqual([0, 3, 10, 11, 240, 5001].map(niceMax), [1, 5, 10, 20, 500, 10000]);
  });

  it("labels the chart axis with one precision per axis", () => {
    assert.deepEqual(
      [0, 100_000_000, 200_000_000].map((tick) => axisUsd(tick, 200_000_000)),
      ["$0.00", "$0.10", "$0.20"],
    );
    assert.deepEqual(
      [0, 1_000_000_000, 2_000_000_000].map((tick) => axisUsd(tick, 2_000_000_000)),
      ["$0.00", "$1.00", "$2.00"],
    );
  });

  it("reads the download name from Content-Disposition", () => {
    assert.equal(attachmentName('attachment; filename="page-v2.pdf"', "x"), "page-v2.pdf");
    assert.equal(attachmentName("attachment; filename*=UTF-8''caf%C3%A9.png", "x"), "café.png");
    assert.equal(attachmentName(null, "fallback.html"), "fallback.html");
  });

  it("shortens embedded base64 images in the code view and leaves short ones alone", () => {
    const data = "A".repeat(4096);
    const out = abbreviateDataUris(
      `<img src="data:image/png;base64,${data}"><img src="data:image/gif;base64,R0lG">`,
    );
    assert.match(out, /data:image\/png;base64,A{64}…\(3 KB\)"/);
    assert.match(out, /data:image\/gif;base64,R0lG"/);
  });
});
