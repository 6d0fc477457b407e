import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEditCall, parseEditCall } from "../../src/ai/editor/index.js";
import { fixture, type FixtureName } from "./fixtures.js";

/** Deterministic pseudo-random numbers, so a failure names a span that can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/** Spans from a tag's "<" to a later tag's ">", 40..400 characters long. */
function tagSpans(html: string, count: number, seed: number): [number, number][] {
  const next = random(seed);
  const opens = [...html.matchAll(/</g)].map((match) => match.index);
  const spans: [number, number][] = [];
  while (spans.length < count) {
    const start = opens[Math.floor(next() * opens.length)] ?? 0;
    const close = html.indexOf(">", start + 40 + Math.floor(next() * 360));
    if (close !== -1 && close - start <= 400) spans.push([start, close + 1]);
  }
  return spans;
}

/** The quote as a model might retype it: every whitespace run re-indented, one tag per line. */
function reflow(quote: string): string {
  return quote.replace(/\s+/g, "\n      ").replace(/></g, ">\n  <");
}

const collapse = (text: string) => text.replace(/\s+/g, " ").replace(/ ?([<>]) ?/g, "$1");

const documents: FixtureName[] = ["quarterly-report", "newsletter", "infographic"];

describe("whitespace-tolerant matching maps back to the exact original span", () => {
  for (const name of documents) {
    it(`40 reflowed quotes of ${name}`, () => {
      const html = fixture(name);
      const flat = collapse(html);
      for (const [start, end] of tagSpans(html, 40, name.length)) {
        const quote = html.slice(start, end);
        const outcome = applyEditCall(
          html,
          parseEditCall("html_replace", { old_text: reflow(quote), new_text: "<!--edited-->" }),
        );
        const label = `${name}[${start}, ${end})`;
        if (flat.split(collapse(quote)).length - 1 > 1) {
          assert.ok(!outcome.ok && outcome.reason === "ambiguous", `${label} occurs more than once`);
        } else {
          assert.ok(outcome.ok, `${label}: ${outcome.ok ? "" : outcome.message}`);
          assert.equal(outcome.html, html.slice(0, start) + "<!--edited-->" + html.slice(end), label);
        }
      }
    });
  }
});
