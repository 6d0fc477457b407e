import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyTurn, parseEditCall, type EditCall } from "../../src/ai/editor/index.js";
import { fixture, replaceOnce } from "./fixtures.js";

const newsletter = fixture("newsletter");
const report = fixture("quarterly-report");

const call = (name: string, input: Record<string, string>): EditCall => parseEditCall(name, input);

describe("applyTurn: a turn's calls all-or-nothing", () => {
  it("applies every call in order, later calls seeing earlier ones' results", () => {
    const result = applyTurn(newsletter, [
      call("html_replace", {
        old_text: "<p>November 2026 · Issue 41</p>",
        new_text: "<p>December 2026 · Issue 42</p>",
      }),
      call("html_insert_after", {
        anchor_text: "<p>December 2026 · Issue 42</p>",
        new_content: '\n    <p class="tagline">Season\'s greetings</p>',
      }),
      call("html_delete", { text: '<a href="#archive">Archive</a>' }),
    ]);
    assert.ok(result.ok, result.ok ? "" : result.problems.join("; "));
    const expected = replaceOnce(
      replaceOnce(
        newsletter,
        "<p>November 2026 · Issue 41</p>",
        '<p>December 2026 · Issue 42</p>\n    <p class="tagline">Season\'s greetings</p>',
      ),
      '<a href="#archive">Archive</a>',
      "",
    );
    assert.equal(result.html, expected);
    assert.deepEqual(
      result.outcomes.map((outcome) => outcome.ok && outcome.match),
      ["exact", "exact", "exact"],
    );
  });

  it("applies nothing when one of several calls fails, and reports which one", () => {
    const result = applyTurn(newsletter, [
      call("html_replace", {
        old_text: "<h2>Roadworks on Quay Lane</h2>",
        new_text: "<h2>Roadworks finished</h2>",
      }),
      call("html_replace", { old_text: "<p>Doors open thirty minutes before the start.</p>", new_text: "" }),
      call("html_delete", {
        text: '<p>Buses divert via Mill Road during the works.</p>\n    <a class="more" href="#beach">',
      }),
    ]);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal("html" in result, false);
    assert.deepEqual(
      result.outcomes.map((outcome) => outcome.ok),
      [true, false, true],
    );
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0] ?? "", /^call 2: html_replace failed: old_text is ambiguous/);
  });

  it("reports every failed call, not only the first", () => {
    const result = applyTurn(report, [
      call("html_delete", { text: "<li>Dividend of €0.40 per share.</li>" }),
      call("html_replace", { old_text: "<td>€9.8M</td>", new_text: "<td>€9.9M</td>" }),
      call("html_delete", { text: "<th>Change</th>" }),
    ]);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((problem) => problem.slice(0, 7)),
      ["call 1:", "call 3:"],
    );
  });

  it("reverts a turn whose calls all apply but whose result deletes </body>", () => {
    const result = applyTurn(report, [
      call("html_replace", {
        old_text: "<h1>Q3 2026 Quarterly Report</h1>",
        new_text: "<h1>Q3 2026 Report</h1>",
      }),
      call("html_delete", { text: "</body>" }),
    ]);
    assert.ok(!result.ok);
    assert.equal("html" in result, false);
    assert.ok(result.outcomes.every((outcome) => outcome.ok));
    assert.deepEqual(result.problems, ["the number of </body> tags would change from 1 to 0"]);
  });

  it("reverts a turn that shrinks the document below 30% of its size", () => {
    const from = report.indexOf("<style>");
    const to = report.indexOf("</footer>") + "</footer>".length;
    const result = applyTurn(report, [
      call("html_replace", {
        old_text: report.slice(from, to),
        new_text: "<style></style>\n</head>\n<body>\n  <p>This report was withdrawn.</p>",
      }),
    ]);
    assert.ok(!result.ok);
    assert.equal("html" in result, false);
    assert.equal(result.problems.length, 1);
    assert.match(
      result.problems[0] ?? "",
      /^the document would shrink to \d+% of its size .*the minimum is 30%\)$/,
    );
  });

  it("an empty turn changes nothing", () => {
    const result = applyTurn(report, []);
    assert.ok(result.ok);
    assert.equal(result.html, report);
    assert.deepEqual(result.outcomes, []);
  });
});
