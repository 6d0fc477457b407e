/**
 * The three edit tools Claude may call, as data: zod schemas (the single source of the tools' JSON schemas)
 * and the parser that turns a `tool_use` block into a typed call.
 */
import * as z from "zod";

/** A bad tool call; the message is safe to return to Claude as an `is_error` tool_result. */
export class EditCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EditCallError";
  }
}

const nonBlank = (description: string) =>
  z
    .string()
    .refine((text) => text.trim() !== "", { message: "must not be empty or only whitespace" })
    .describe(description);

const QUOTE_RULE =
  "Copy it character for character from the current document, long enough (a whole tag or sentence) to occur exactly once.";

export const editCallSchemas = {
  html_replace: z.strictObject({
    old_text: nonBlank(`The exact text to replace. ${QUOTE_RULE}`),
    new_text: z.string().describe("The text that takes its place (may be empty to remove old_text)."),
  }),
  html_insert_after: z.strictObject({
    anchor_text: nonBlank(`The exact text after which new_content is inserted. ${QUOTE_RULE}`),
    new_content: nonBlank("The HTML to insert immediately after anchor_text."),
  }),
  html_delete: z.strictObject({
    text: nonBlank(`The exact text to delete. ${QUOTE_RULE}`),
  }),
};

export type EditToolName = keyof typeof editCallSchemas;
const editToolNames = Object.keys(editCallSchemas) as EditToolName[];

/**
 * One validated call:
 * `{name: "html_replace", input: {old_text, new_text}}` | `{name: "html_insert_after", input: {anchor_text,
 * new_content}}` | `{name: "html_delete", input: {text}}`.
 */
export type EditCall = {
  [Name in EditToolName]: { name: Name; input: z.output<(typeof editCallSchemas)[Name]> };
}[EditToolName];

function isEditToolName(name: string): name is EditToolName {
  return Object.hasOwn(editCallSchemas, name);
}

/** Validates one tool_use block (name + input) from Claude; throws EditCallError with a precise message. */
export function parseEditCall(name: string, input: unknown): EditCall {
  if (!isEditToolName(name)) {
    throw new EditCallError(`unknown tool "${name}": use ${editToolNames.join(", ")}`);
  }
  const parsed = editCallSchemas[name].safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "input"}: ${issue.message}`,
    );
    throw new EditCallError(`invalid ${name} call: ${problems.join("; ")}`);
  }
  return { name, input: parsed.data } as EditCall;
}
