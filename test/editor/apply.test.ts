import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyEditCall,
  parseEditCall,
  SIMILARITY_THRESHOLD,
  type MatchKind,
} from "../../src/ai/editor/index.js";
import { fixture, replaceOnce, type FixtureName } from "./fixtures.js";

interface SuccessCase {
  name: string;
  doc: FixtureName;
  tool: string;
  input: Record<string, string>;
  match: MatchKind;
  /** The passage as it really is in the document, and what it must become. */
  original: string;
  becomes: string;
}

const successes: SuccessCase[] = [
  {
    name: "exact: a table row of the quarterly report",
    doc: "quarterly-report",
    tool: "html_replace",
    input: {
      old_text: "<tr><td>Nordics</td><td>€8.4M</td><td>€9.8M</td><td>+16.7%</td></tr>",
      new_text: "<tr><td>Nordics</td><td>€8.4M</td><td>€10.1M</td><td>+20.2%</td></tr>",
    },
    match: "exact",
    original: "<tr><td>Nordics</td><td>€8.4M</td><td>€9.8M</td><td>+16.7%</td></tr>",
    becomes: "<tr><td>Nordics</td><td>€8.4M</td><td>€10.1M</td><td>+20.2%</td></tr>",
  },
  {
    name: "exact: an SVG bar of the infographic",
    doc: "infographic",
    tool: "html_replace",
    input: {
      old_text: '<rect class="bar" x="0" y="94" width="240" height="26" rx="4"></rect>',
      new_text: '<rect class="bar" x="0" y="94" width="262" height="26" rx="4"></rect>',
    },
    match: "exact",
    original: '<rect class="bar" x="0" y="94" width="240" height="26" rx="4"></rect>',
    becomes: '<rect class="bar" x="0" y="94" width="262" height="26" rx="4"></rect>',
  },
  {
    name: "whitespace: a paragraph quoted on one line that the document wraps and indents",
    doc: "quarterly-report",
    tool: "html_replace",
    input: {
      old_text:
        "<p>Revenue grew for the sixth consecutive quarter, driven by the autumn hiking range and a strong performance of the direct-to-consumer web shop in Germany and the Nordics.",
      new_text: "<p>Revenue grew for the sixth quarter in a row, led by the autumn hiking range.",
    },
    match: "whitespace",
    original:
      "<p>\n      Revenue grew for the sixth consecutive quarter, driven by the autumn hiking range and a strong\n      performance of the direct-to-consumer web shop in Germany and the Nordics.",
    becomes: "<p>Revenue grew for the sixth quarter in a row, led by the autumn hiking range.",
  },
  {
    name: "whitespace: a card quoted with other indentation keeps the whitespace around it",
    doc: "newsletter",
    tool: "html_replace",
    input: {
      old_text: '\n      <div class="card">\n          <h2>Roadworks on Quay Lane</h2>\n',
      new_text: '\n      <div class="card">\n          <h2>Roadworks on Quay Lane extended</h2>\n',
    },
    match: "whitespace",
    original: '<div class="card">\n    <h2>Roadworks on Quay Lane</h2>',
    becomes: '<div class="card">\n          <h2>Roadworks on Quay Lane extended</h2>',
  },
  {
    name: "whitespace: table cells quoted one per line where the document has none between tags",
    doc: "quarterly-report",
    tool: "html_replace",
    input: {
      old_text: "<tr>\n  <td>Marketplaces</td>\n  <td>5%</td>\n  <td>€2.4M</td>",
      new_text: "<tr><td>Marketplaces</td><td>6%</td><td>€2.9M</td>",
    },
    match: "whitespace",
    original: "<tr><td>Marketplaces</td><td>5%</td><td>€2.4M</td>",
    becomes: "<tr><td>Marketplaces</td><td>6%</td><td>€2.9M</td>",
  },
  {
    name: "similarity: a typo in the quote",
    doc: "infographic",
    tool: "html_replace",
    input: {
      old_text: "<li>Glass collection moved from montly to fortnightly.</li>",
      new_text: "<li>Glass collection moved from monthly to weekly.</li>",
    },
    match: "similarity",
    original: "<li>Glass collection moved from monthly to fortnightly.</li>",
    becomes: "<li>Glass collection moved from monthly to weekly.</li>",
  },
  {
    name: "similarity: a changed word and different line breaks",
    doc: "quarterly-report",
    tool: "html_replace",
    input: {
      old_text:
        "Operating expenses increased mainly because of the new distribution center in Poznań, which opened in August",
      new_text:
        "Operating expenses rose mainly because of the new distribution centre in Poznań, opened in August",
    },
    match: "similarity",
    original:
      "Operating expenses increased mainly because of the new distribution centre in Poznań, which opened in\n      August",
    becomes:
      "Operating expenses rose mainly because of the new distribution centre in Poznań, opened in August",
  },
  {
    name: "insert_after: a new card after a unique card's link",
    doc: "newsletter",
    tool: "html_insert_after",
    input: {
      anchor_text: '<a class="more" href="#roadworks">Read more</a>\n  </div>',
      new_content:
        '\n\n  <div class="card">\n    <h2>Lost cat</h2>\n    <p>Ginger, answers to Biscuit.</p>\n  </div>',
    },
    match: "exact",
    original: '<a class="more" href="#roadworks">Read more</a>\n  </div>',
    becomes:
      '<a class="more" href="#roadworks">Read more</a>\n  </div>\n\n  <div class="card">\n    <h2>Lost cat</h2>\n    <p>Ginger, answers to Biscuit.</p>\n  </div>',
  },
  {
    name: "insert_after: an anchor ending in a newline inserts after that newline",
    doc: "quarterly-report",
    tool: "html_insert_after",
    input: {
      anchor_text: "<li>Capital expenditure for the year stays within the €9M budget.</li>\n",
      new_content: "\n      <li>A share buy-back of up to €5M starts in November.</li>",
    },
    match: "exact",
    original: "<li>Capital expenditure for the year stays within the €9M budget.</li>\n",
    becomes:
      "<li>Capital expenditure for the year stays within the €9M budget.</li>\n\n      <li>A share buy-back of up to €5M starts in November.</li>",
  },
  {
    name: "insert_after: a whitespace-tolerant anchor",
    doc: "infographic",
    tool: "html_insert_after",
    input: {
      anchor_text: "<h2>What changed this year</h2> <ol>",
      new_content: "\n        <li>Textile banks opened at every supermarket.</li>",
    },
    match: "whitespace",
    original: "<h2>What changed this year</h2>\n      <ol>",
    becomes:
      "<h2>What changed this year</h2>\n      <ol>\n        <li>Textile banks opened at every supermarket.</li>",
  },
  {
    name: "delete: an exact list item",
    doc: "quarterly-report",
    tool: "html_delete",
    input: { text: "<li>Capital expenditure for the year stays within the €9M budget.</li>" },
    match: "exact",
    original: "<li>Capital expenditure for the year stays within the €9M budget.</li>",
    becomes: "",
  },
  {
    name: "delete: a paragraph quoted with a typo",
    doc: "newsletter",
    tool: "html_delete",
    input: {
      text: "<p>Join us on Sunday morning at the ferry steps: gloves, bags and coffee are provded, and children are welcome with an adult.</p>",
    },
    match: "similarity",
    original:
      "<p>Join us on Sunday morning at the ferry steps: gloves, bags and coffee are provided, and children are welcome with an adult.</p>",
    becomes: "",
  },
];

interface FailureCase {
  name: string;
  doc: FixtureName;
  tool: string;
  input: Record<string, string>;
  reason: "not_found" | "ambiguous";
  message: RegExp;
}

const failures: FailureCase[] = [
  {
    name: "ambiguous: a sentence pasted into two newsletter cards",
    doc: "newsletter",
    tool: "html_replace",
    input: { old_text: "<p>Stallholders can still apply for the remaining six pitches.</p>", new_text: "" },
    reason: "ambiguous",
    message: /old_text is ambiguous \(it occurs 2 times\)/,
  },
  {
    name: "ambiguous: the repeated 'Read more' link text",
    doc: "newsletter",
    tool: "html_delete",
    input: { text: "Read more</a>" },
    reason: "ambiguous",
    message: /text is ambiguous \(it occurs 6 times\)/,
  },
  {
    name: "ambiguous: a quote that occurs twice once whitespace is ignored",
    doc: "newsletter",
    tool: "html_insert_after",
    input: {
      anchor_text: "<p>Buses divert via\n        Mill Road during the works.</p>",
      new_content: "<p>New stop.</p>",
    },
    reason: "ambiguous",
    message: /anchor_text is ambiguous \(ignoring whitespace it occurs 2 times\)/,
  },
  {
    name: "ambiguous: a near-match equally close to two repeated cards",
    doc: "newsletter",
    tool: "html_replace",
    input: {
      old_text:
        "<p>The Harbour Singers perform carols and sea shanties on 28 December at 18:00. Entry is free; donations go to the lifeboat station.</p>",
      new_text: "<p>Cancelled.</p>",
    },
    reason: "ambiguous",
    message: /two passages are about equally similar/,
  },
  {
    name: "not found: a heading the newsletter does not have",
    doc: "newsletter",
    tool: "html_replace",
    input: { old_text: "<h2>Letters to the editor</h2>", new_text: "<h2>Letters</h2>" },
    reason: "not_found",
    message: /old_text was not found/,
  },
  {
    name: "not found: a paraphrase below the similarity threshold",
    doc: "infographic",
    tool: "html_replace",
    input: {
      old_text: "<li>Glass is now collected every week in every district of the city.</li>",
      new_text: "<li>Weekly glass.</li>",
    },
    reason: "not_found",
    message: /no passage is even 80% similar \(85% needed\)/,
  },
  {
    name: "not found: a near miss just under the similarity threshold",
    doc: "infographic",
    tool: "html_replace",
    input: {
      old_text: "<li>Three new repair shops took 2,300 tonnes of furniture and electrical goods.</li>",
      new_text: "<li>Four reuse shops.</li>",
    },
    reason: "not_found",
    message: /the closest passage is only 84% similar \(85% needed\)/,
  },
];

describe("applyEditCall: successful calls on the corpus", () => {
  for (const testCase of successes) {
    it(testCase.name, () => {
      const html = fixture(testCase.doc);
      const outcome = applyEditCall(html, parseEditCall(testCase.tool, testCase.input));
      assert.equal(outcome.ok, true, outcome.ok ? "" : outcome.message);
      assert.ok(outcome.ok);
      assert.equal(outcome.match, testCase.match);
      assert.equal(outcome.html, replaceOnce(html, testCase.original, testCase.becomes));
      if (testCase.match === "similarity") {
        assert.ok((outcome.similarity ?? 0) >= SIMILARITY_THRESHOLD && (outcome.similarity ?? 1) < 1);
      } else {
        assert.equal(outcome.similarity, undefined);
      }
    });
  }
});

describe("applyEditCall: calls that must fail without touching the document", () => {
  for (const testCase of failures) {
    it(testCase.name, () => {
      const outcome = applyEditCall(fixture(testCase.doc), parseEditCall(testCase.tool, testCase.input));
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok);
      assert.equal(outcome.reason, testCase.reason);
      assert.match(outcome.message, testCase.message);
      assert.match(outcome.message, new RegExp(`^${testCase.tool} failed: .*Nothing was changed`));
      assert.equal("html" in outcome, false);
    });
  }
});
