import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { remembered } from "../../src/shared/remembered.js";

describe("remembered", () => {
  it("computes once per argument values, telling apart arguments that join alike", () => {
    const calls: string[] = [];
    const pair = remembered((a: string, b: string) => {
      calls.push(`${a}|${b}`);
      return { a, b };
    }, 10);
    assert.equal(pair("a", "b c"), pair("a", "b c"));
    assert.deepEqual(pair("a b", "c"), { a: "a b", b: "c" });
    assert.deepEqual(calls, ["a|b c", "a b|c"]);
  });

  it("keeps nothing for a compute that throws, starts again past the bound, and forgets on clear()", () => {
    let computed = 0;
    const parse = remembered((text: string) => {
      computed += 1;
      if (text === "bad") throw new Error("refused");
      return { text };
    }, 2);
    assert.throws(() => parse("bad"), /refused/);
    assert.throws(() => parse("bad"), /refused/);
    const first = parse("one");
    parse("two");
    assert.equal(parse("one"), first);
    parse("three");
    assert.notEqual(parse("one"), first, "the store started again at the bound");
    const kept = parse("one");
    parse.clear();
    assert.notEqual(parse("one"), kept);
    assert.equal(computed, 7);
  });
});
