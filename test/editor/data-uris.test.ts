import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyTurn,
  parseEditCall,
  PLACEHOLDER_PREFIX,
  protectDataUris,
  validateEdit,
} from "../../src/ai/editor/index.js";
import { fixture, replaceOnce } from "./fixtures.js";

const onePager = fixture("one-pager");
const heroUri = /<img src="(data:image\/png;base64,[^"]+)"/.exec(onePager)?.[1] ?? "";
const logoUri = /url\((data:image\/png;base64,[^)]+)\)/.exec(onePager)?.[1] ?? "";

describe("protectDataUris", () => {
  it("the fixture really embeds a large PNG and a small one", () => {
    assert.ok(heroUri.length > 40_000);
    assert.equal(
      Buffer.from(heroUri.split(",")[1] ?? "", "base64")
        .subarray(1, 4)
        .toString(),
      "PNG",
    );
    assert.ok(logoUri.length > 50);
  });

  it("swaps every base64 URI for a short placeholder and restores the byte-identical original", () => {
    const protectedHtml = protectDataUris(onePager);
    assert.equal(protectedHtml.count, 2);
    assert.ok(
      protectedHtml.html.length < onePager.length / 10,
      `${protectedHtml.html.length} characters left`,
    );
    assert.doesNotMatch(protectedHtml.html, /;base64,/);
    assert.match(protectedHtml.html, new RegExp(`url\\(${PLACEHOLDER_PREFIX}1\\)`));
    assert.match(protectedHtml.html, new RegExp(`<img src="${PLACEHOLDER_PREFIX}2"`));
    assert.equal(protectedHtml.restore(protectedHtml.html), onePager);
  });

  it("an edit next to the image keeps the image", () => {
    const protectedHtml = protectDataUris(onePager);
    const result = applyTurn(protectedHtml.html, [
      parseEditCall("html_replace", {
        old_text: `src="${PLACEHOLDER_PREFIX}2" alt="The Lumen lamp glowing on an oak desk"`,
        new_text: `src="${PLACEHOLDER_PREFIX}2" alt="The Lumen lamp at dusk" loading="lazy"`,
      }),
    ]);
    assert.ok(result.ok);
    const restored = protectedHtml.restore(result.html);
    assert.equal(
      restored,
      replaceOnce(
        onePager,
        'alt="The Lumen lamp glowing on an oak desk"',
        'alt="The Lumen lamp at dusk" loading="lazy"',
      ),
    );
    assert.ok(restored.includes(`<img src="${heroUri}" alt="The Lumen lamp at dusk"`));
  });

  it("a placeholder the model copies into new content becomes the image again", () => {
    const protectedHtml = protectDataUris(onePager);
    const result = applyTurn(protectedHtml.html, [
      parseEditCall("html_insert_after", {
        anchor_text: "<h3>USB-C power</h3>",
        new_content: `\n        <img src="${PLACEHOLDER_PREFIX}2" alt="" width="48">`,
      }),
    ]);
    assert.ok(result.ok);
    const restored = protectedHtml.restore(result.html);
    assert.equal(restored.split(heroUri).length - 1, 2);
    assert.deepEqual(validateEdit(onePager, restored), { ok: true });
  });

  it("a placeholder the model invented is a validation problem, before and after restoring", () => {
    const protectedHtml = protectDataUris(onePager);
    const edited = replaceOnce(
      protectedHtml.html,
      "<h3>Touch dimmer</h3>",
      `<h3>Touch dimmer</h3><img src="${PLACEHOLDER_PREFIX}9">`,
    );
    const problem = `the document refers to an unknown image placeholder ${PLACEHOLDER_PREFIX}9`;
    assert.deepEqual(validateEdit(protectedHtml.html, edited), { ok: false, problems: [problem] });
    assert.deepEqual(validateEdit(onePager, protectedHtml.restore(edited)), {
      ok: false,
      problems: [problem],
    });
  });

  it("placeholder-like text already in the document is numbered around and left alone", () => {
    const html = `<p>Literal ${PLACEHOLDER_PREFIX}3 in prose.</p><img src="${logoUri}">`;
    const protectedHtml = protectDataUris(html);
    assert.equal(
      protectedHtml.html,
      `<p>Literal ${PLACEHOLDER_PREFIX}3 in prose.</p><img src="${PLACEHOLDER_PREFIX}4">`,
    );
    assert.equal(protectedHtml.restore(protectedHtml.html), html);
    assert.deepEqual(validateEdit(html, protectedHtml.restore(protectedHtml.html)), { ok: true });
  });

  it("a document without data URIs passes through unchanged", () => {
    const report = fixture("quarterly-report");
    const protectedHtml = protectDataUris(report);
    assert.equal(protectedHtml.count, 0);
    assert.equal(protectedHtml.html, report);
    assert.equal(protectedHtml.restore(report), report);
  });
});
