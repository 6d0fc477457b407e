import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extractHtmlDocument } from "../../src/ai/editor/index.js";

const doc =
  '<!DOCTYPE html>\n<html lang="en">\n<head><title>T</title></head>\n<body><p>Hi</p></body>\n</html>';

const cases: { name: string; text: string; expected: string | undefined }[] = [
  { name: "a bare document", text: doc, expected: doc },
  { name: "a document with surrounding whitespace", text: `\n\n  ${doc}\n\n`, expected: doc },
  { name: "an ```html fence", text: "```html\n" + doc + "\n```", expected: doc },
  { name: "a fence without a language", text: "```\n" + doc + "\n```", expected: doc },
  {
    name: "chatter around a fence that itself mentions <html>",
    text: `Here is the updated <html> page you asked for:\n\n\`\`\`html\n${doc}\n\`\`\`\n\nI changed the greeting.`,
    expected: doc,
  },
  {
    name: "chatter without fences",
    text: `Sure! Below is the document.\n${doc}\nHope this helps.`,
    expected: doc,
  },
  {
    name: "a fence the model never closed",
    text: "```html\n" + doc + "\n",
    expected: doc,
  },
  {
    name: "a document without a doctype starts at <html>",
    text: "Result:\n<html><body><p>x</p></body></html>\nDone",
    expected: "<html><body><p>x</p></body></html>",
  },
  {
    name: "an uppercase doctype and closing tag",
    text: "<!doctype HTML><HTML><BODY>x</BODY></HTML >",
    expected: "<!doctype HTML><HTML><BODY>x</BODY></HTML >",
  },
  {
    name: "a </html> inside the document's script does not cut it short",
    text: '<!DOCTYPE html><html><body><script>const s = "</html>";</script></body></html> trailing words',
    expected: '<!DOCTYPE html><html><body><script>const s = "</html>";</script></body></html>',
  },
  { name: "prose only", text: "I could not make that change, sorry.", expected: undefined },
  { name: "a fragment, not a document", text: "```html\n<div>only a card</div>\n```", expected: undefined },
  {
    name: "an answer cut off before </html>",
    text: "```html\n<!DOCTYPE html><html><body><p>unfinished",
    expected: undefined,
  },
];

describe("extractHtmlDocument", () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      assert.equal(extractHtmlDocument(testCase.text), testCase.expected);
    });
  }
});
