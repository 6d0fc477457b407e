import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { modelDisplayName } from "../../src/ai/display-names.js";
import { altFromDescription } from "../../src/ai/turn/insert-image.js";
import { cleanTitle } from "../../src/ai/turn/titles.js";
import { expiryText } from "../../web/expiry.js";
import { replyText } from "../../web/stream-text.js";

describe("web-ux pure pieces", () => {
  it("names models by their display names", () => {
    assert.equal(modelDisplayName("claude-sonnet-4-6"), "Claude Sonnet 4.6");
    assert.equal(modelDisplayName("claude-opus-4-20250514"), "Claude Opus 4");
    assert.equal(modelDisplayName("gemini-3-pro-image-preview"), "Nano Banana Pro");
    assert.equal(modelDisplayName("some-new-model"), "some-new-model");
  });

  it("takes the image caption from the model's description, not the user's instruction", () => {
    assert.equal(
      altFromDescription("**A harbor at sunset** with fishing boats. Colors are warm."),
      "A harbor at sunset with fishing boats.",
    );
    assert.equal(altFromDescription("  "), undefined);
    assert.equal(altFromDescription("x".repeat(300))?.length, 160);
  });

  it("cleans a generated title", () => {
    assert.equal(cleanTitle('**"Lakeside Offsite Plan."**\nmore'), "Lakeside Offsite Plan");
    assert.equal(cleanTitle("Title: Harbour Brief"), "Harbour Brief");
    assert.equal(cleanTitle(""), "");
    assert.ok(cleanTitle("word ".repeat(40)).length <= 61);
  });

  it("never shows raw HTML in the bubble, even after a sentence", () => {
    assert.equal(
      replyText("Sure! Here is your page:\n<!DOCTYPE html><html>", ""),
      "Sure! Here is your page:",
    );
    assert.equal(replyText("```html\n<html>", ""), "");
    assert.equal(replyText("<!DOCTYPE html>", 'Created "X".'), 'Created "X".');
  });

  it("reads a session's expiry, warning in its last 24 hours", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();
    assert.deepEqual(expiryText(at(24 * 29 + 22), now), { text: "Expires in 29 days", warning: false });
    assert.deepEqual(expiryText(at(12.5), now), {
      text: "Expires in 12 hours: open it to keep it",
      warning: true,
    });
    assert.equal(expiryText(at(-1), now).text, "Expired: deleted at the next cleanup");
    assert.equal(expiryText(null, now).text, "Pinned: kept until you delete it");
  });
});

describe("draft preview", () => {
  it("renders the partial document without scripts or a dangling comment", async () => {
    const { draftDocument } = await import("../../web/draft-preview.js");
    assert.equal(
      draftDocument("```html\n<html><body><h1>A</h1><script>alert(1)</script><p>b</p><scr"),
      "<html><body><h1>A</h1><p>b</p><scr",
    );
    assert.equal(draftDocument("<h1>A</h1><script>let x = 1;"), "<h1>A</h1>");
    assert.equal(draftDocument("<h1>A</h1><!-- note"), "<h1>A</h1>");
  });
});
