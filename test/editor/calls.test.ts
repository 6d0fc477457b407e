import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EditCallError, editTools, parseEditCall } from "../../src/ai/editor/index.js";

const valid: { name: string; input: unknown }[] = [
  { name: "html_replace", input: { old_text: "<h1>A</h1>", new_text: "<h1>B</h1>" } },
  { name: "html_replace", input: { old_text: "<p>gone</p>", new_text: "" } },
  { name: "html_insert_after", input: { anchor_text: "</h1>", new_content: "<p>new</p>" } },
  { name: "html_delete", input: { text: "<p>old</p>" } },
];

const invalid: { case: string; name: string; input: unknown; message: string }[] = [
  {
    case: "an unknown tool",
    name: "html_rewrite",
    input: { html: "x" },
    message: 'unknown tool "html_rewrite": use html_replace, html_insert_after, html_delete',
  },
  {
    case: "an empty quote",
    name: "html_replace",
    input: { old_text: "", new_text: "x" },
    message: "invalid html_replace call: old_text: must not be empty or only whitespace",
  },
  {
    case: "a whitespace-only anchor",
    name: "html_insert_after",
    input: { anchor_text: " \n\t", new_content: "<p>x</p>" },
    message: "invalid html_insert_after call: anchor_text: must not be empty or only whitespace",
  },
  {
    case: "whitespace-only new content",
    name: "html_insert_after",
    input: { anchor_text: "</h1>", new_content: "  " },
    message: "invalid html_insert_after call: new_content: must not be empty or only whitespace",
  },
  {
    case: "a whitespace-only delete",
    name: "html_delete",
    input: { text: "\n" },
    message: "invalid html_delete call: text: must not be empty or only whitespace",
  },
  {
    case: "a missing field",
    name: "html_replace",
    input: { old_text: "<h1>A</h1>" },
    message: "invalid html_replace call: new_text: Invalid input: expected string, received undefined",
  },
  {
    case: "a misnamed field",
    name: "html_delete",
    input: { text: "<p>x</p>", old_text: "<p>x</p>" },
    message: 'invalid html_delete call: input: Unrecognized key: "old_text"',
  },
  {
    case: "input that is not an object",
    name: "html_delete",
    input: "<p>x</p>",
    message: "invalid html_delete call: input: Invalid input: expected object, received string",
  },
];

describe("parseEditCall", () => {
  for (const call of valid) {
    it(`accepts ${call.name} ${JSON.stringify(call.input)}`, () => {
      assert.deepEqual(parseEditCall(call.name, call.input), call);
    });
  }
  for (const call of invalid) {
    it(`rejects ${call.case}`, () => {
      assert.throws(
        () => parseEditCall(call.name, call.input),
        (error: unknown) => error instanceof EditCallError && error.message === call.message,
      );
    });
  }
});

describe("editTools", () => {
  it("defines the three tools with closed object schemas matching the parser", () => {
    assert.deepEqual(
      editTools.map((tool) => [
        tool.name,
        tool.input_schema.required,
        tool.input_schema.additionalProperties,
      ]),
      [
        ["html_replace", ["old_text", "new_text"], false],
        ["html_insert_after", ["anchor_text", "new_content"], false],
        ["html_delete", ["text"], false],
      ],
    );
    for (const tool of editTools) {
      assert.equal(tool.input_schema.type, "object");
      assert.equal("$schema" in tool.input_schema, false);
      assert.match(tool.description ?? "", /Quote the document exactly/);
      assert.match(tool.description ?? "", /occurs only once/);
    }
  });

  it("describes every field", () => {
    for (const tool of editTools) {
      const properties = tool.input_schema.properties as Record<
        string,
        { type: string; description?: string }
      >;
      for (const [field, schema] of Object.entries(properties)) {
        assert.equal(schema.type, "string", field);
        assert.ok((schema.description ?? "").length > 20, `${tool.name}.${field} has a description`);
      }
    }
  });
});
