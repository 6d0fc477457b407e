import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extractHtmlDocument, validateEdit } from "../../src/ai/editor/index.js";
import { fixture, replaceOnce } from "./fixtures.js";

const infographic = fixture("infographic");
const report = fixture("quarterly-report");
const onePager = fixture("one-pager");
const heroImage = /<img src="data:[^"]+" alt="[^"]*">/.exec(onePager)?.[0] ?? "";
const scriptBlock = infographic.slice(
  infographic.indexOf("  <script>"),
  infographic.indexOf("</script>") + 10,
);

interface ValidationCase {
  name: string;
  before: string;
  after: string;
  problems: string[];
}

const cases: ValidationCase[] = [
  {
    name: "a small edit passes",
    before: report,
    after: replaceOnce(report, "€48.2M</div>", "€48.3M</div>"),
    problems: [],
  },
  {
    name: "an empty result fails",
    before: report,
    after: " \n ",
    problems: ["the document would be empty"],
  },
  {
    name: "a result under 30% of the size fails",
    before: report,
    after: "<html><head></head><body><style></style><p>short</p></body></html>",
    problems: [
      `the document would shrink to 1% of its size (66 of ${report.length} characters, embedded images not counted; the minimum is 30%)`,
    ],
  },
  {
    name: "removing a large embedded image is not a shrink",
    before: onePager,
    after: onePager.replace(heroImage, ""),
    problems: [],
  },
  {
    name: "a second </body> fails",
    before: report,
    after: replaceOnce(report, "</footer>", "</footer>\n</body>"),
    problems: ["the number of </body> tags would change from 1 to 2"],
  },
  {
    name: "closing tags are matched case-insensitively and with inner whitespace",
    before: report,
    after: replaceOnce(replaceOnce(report, "</head>", "</HEAD >"), "</html>", "</Html>"),
    problems: [],
  },
  {
    name: "losing the <style> block fails",
    before: report,
    after: report.slice(0, report.indexOf("  <style>")) + report.slice(report.indexOf("</style>") + 9),
    problems: ["the number of <style> tags would change from 1 to 0"],
  },
  {
    name: "adding a <script> is an edit, not a loss",
    before: infographic,
    after: replaceOnce(infographic, "</body>", '<script>console.log("chart")</script>\n</body>'),
    problems: [],
  },
  {
    name: "a tag missing before may stay missing",
    before: "<p>fragment without a head</p>",
    after: "<p>fragment without a head, edited</p>",
    problems: [],
  },
  {
    name: "a <stylesheet>-like word is not a <style> tag",
    before: "<style>p{}</style><p>x</p>",
    after: "<stylesheet-note>p{}</stylesheet-note><p>x</p>",
    problems: ["the number of <style> tags would change from 1 to 0"],
  },
  {
    name: "several problems are all reported",
    before: infographic,
    after: replaceOnce(infographic.replace(scriptBlock, ""), "</body>\n</html>", ""),
    problems: [
      "the number of </body> tags would change from 1 to 0",
      "the number of </html> tags would change from 1 to 0",
      "the number of <script> tags would change from 1 to 0",
    ],
  },
];

describe("validateEdit", () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const validation = validateEdit(testCase.before, testCase.after);
      assert.deepEqual(
        validation,
        testCase.problems.length === 0 ? { ok: true } : { ok: false, problems: testCase.problems },
      );
    });
  }
});

describe("validateEdit: the size rule does not count embedded images", () => {
  it("gutting the text is a shrink even though the image keeps the byte size above 30%", () => {
    const gutted = `<!DOCTYPE html>\n<html>\n<head><style></style></head>\n<body>\n${heroImage}\n</body>\n</html>\n`;
    assert.ok(gutted.length > onePager.length * 0.3, "by raw size this would pass");
    const validation = validateEdit(onePager, gutted);
    assert.ok(!validation.ok);
    assert.equal(validation.problems.length, 1);
    assert.match(
      validation.problems[0] ?? "",
      /^the document would shrink to \d+% of its size \(\d+ of \d+ characters, embedded images not counted; the minimum is 30%\)$/,
    );
  });
});

describe("regeneration output: extracted, then validated like an edit", () => {
  const answer = (document: string) =>
    `I rewrote the document with the new heading and kept everything else.\n\n\`\`\`html\n${document}\n\`\`\`\n\nLet me know if you want more changes.`;

  it("a regeneration that keeps everything passes", () => {
    const regenerated = replaceOnce(
      infographic,
      "<h1>How the city recycles</h1>",
      "<h1>How our city recycles</h1>",
    ).trimEnd();
    const document = extractHtmlDocument(answer(regenerated));
    assert.equal(document, regenerated);
    assert.deepEqual(validateEdit(infographic, document ?? ""), { ok: true });
  });

  it("a regeneration that drops the <script> is reported", () => {
    const regenerated = infographic.replace(scriptBlock, "").trimEnd();
    const document = extractHtmlDocument(answer(regenerated));
    assert.equal(document, regenerated);
    assert.deepEqual(validateEdit(infographic, document ?? ""), {
      ok: false,
      problems: ["the number of <script> tags would change from 1 to 0"],
    });
  });

  it("a regeneration cut off before </html> yields no document at all", () => {
    const truncated = infographic.slice(0, infographic.indexOf("<section>"));
    assert.equal(extractHtmlDocument(answer(truncated)), undefined);
  });
});
