/** The safety net of every edit and regeneration: a result that fails these checks is not saved. */
import { lengthWithoutDataUris, placeholderTokens } from "./data-uris.js";

export type Validation = { ok: true } | { ok: false; problems: string[] };

/** Below this share of the previous size a result is treated as a lost document, not an edit. */
const MIN_SIZE_RATIO = 0.3;

/** Structural closers: a document has each once, so an edit must keep their number exactly. */
const CLOSING_TAGS = ["</head>", "</body>", "</html>"];
/** Style and script blocks: an edit may add one (a chart, a print style) but must not lose one. */
const BLOCK_TAGS = ["<style", "<script"];

export function validateEdit(before: string, after: string): Validation {
  if (after.trim() === "") return { ok: false, problems: ["the document would be empty"] };
  const problems = [
    ...sizeProblems(before, after),
    ...CLOSING_TAGS.flatMap((tag) => tagCountProblem(tag, before, after, "exact")),
    ...BLOCK_TAGS.flatMap((tag) => tagCountProblem(tag, before, after, "at-least")),
    ...unknownPlaceholderProblems(before, after),
  ];
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** Embedded images do not count: removing a large picture is an edit, not a lost document. */
function sizeProblems(before: string, after: string): string[] {
  const was = lengthWithoutDataUris(before);
  const now = lengthWithoutDataUris(after);
  if (now >= was * MIN_SIZE_RATIO) return [];
  const percent = Math.round((now / was) * 100);
  return [
    `the document would shrink to ${percent}% of its size (${now} of ${was} characters, embedded images not counted; the minimum is ${MIN_SIZE_RATIO * 100}%)`,
  ];
}

function tagCountProblem(tag: string, before: string, after: string, rule: "exact" | "at-least"): string[] {
  const was = countTag(before, tag);
  const now = countTag(after, tag);
  if (was === 0) return [];
  if (now === was || (rule === "at-least" && now > was)) return [];
  const label = tag.startsWith("</") ? tag : `${tag}>`;
  return [`the number of ${label} tags would change from ${was} to ${now}`];
}

function countTag(html: string, tag: string): number {
  const pattern = tag.startsWith("</") ? `${tag.slice(0, -1)}\\s*>` : `${tag}(?=[\\s>/])`;
  return html.match(new RegExp(pattern, "gi"))?.length ?? 0;
}

function unknownPlaceholderProblems(before: string, after: string): string[] {
  const known = placeholderTokens(before);
  return [...placeholderTokens(after)]
    .filter((token) => !known.has(token))
    .map((token) => `the document refers to an unknown image placeholder ${token}`);
}
