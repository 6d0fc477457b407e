/** Anthropic tool definitions for the edit tools, with JSON schemas generated from the zod schemas. */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";
import { editCallSchemas, type EditToolName } from "./calls.js";
import { PLACEHOLDER_PREFIX } from "./data-uris.js";

const SHARED_RULES = [
  "Quote the document exactly (same tags, attributes, entities and wording) and include enough context that the quote occurs only once; an ambiguous or missing quote fails and nothing is changed.",
  "Change only what the user asked for.",
  `Embedded images appear as placeholders such as ${PLACEHOLDER_PREFIX}1: keep them as they are; you may copy a placeholder to reuse that image.`,
].join(" ");

const descriptions: Record<EditToolName, string> = {
  html_replace: `Replace one passage of the current HTML document with new text. ${SHARED_RULES}`,
  html_insert_after: `Insert new HTML immediately after one passage of the current document, leaving that passage unchanged. ${SHARED_RULES}`,
  html_delete: `Delete one passage of the current HTML document. ${SHARED_RULES}`,
};

function inputSchema(name: EditToolName): Tool.InputSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(editCallSchemas[name]);
  return { ...schema, type: "object" };
}

export const editTools: Tool[] = (Object.keys(descriptions) as EditToolName[]).map((name) => ({
  name,
  description: descriptions[name],
  input_schema: inputSchema(name),
}));
