/** Applying Claude's edit calls to a document: one call at a time, and a whole turn all-or-nothing. */
import type { EditCall } from "./calls.js";
import { locate, type Location, type MatchKind } from "./locate.js";
import { validateEdit } from "./validate.js";

export type EditOutcome =
  | { ok: true; html: string; match: MatchKind; similarity?: number }
  | { ok: false; reason: "not_found" | "ambiguous"; message: string };

export type TurnResult =
  | { ok: true; html: string; outcomes: EditOutcome[] }
  | { ok: false; outcomes: EditOutcome[]; problems: string[] };

/** The input field each tool quotes the document in. */
const QUOTE_FIELD = {
  html_replace: "old_text",
  html_insert_after: "anchor_text",
  html_delete: "text",
} as const;

export function applyEditCall(html: string, call: EditCall): EditOutcome {
  const quote = quoteOf(call);
  const location = locate(html, quote);
  if (!location.found) return { ok: false, reason: location.reason, message: failureMessage(call, location) };
  const { start, end, match, similarity } = location;
  const edited = splice(html, start, end, call, match === "exact" ? undefined : quote);
  return similarity === undefined
    ? { ok: true, html: edited, match }
    : { ok: true, html: edited, match, similarity };
}

/**
 * Applies a turn's calls in order and validates the final document against the starting one. Any failed call or
 * validation problem fails the whole turn, which then carries no document: nothing of it may be saved.
 */
export function applyTurn(html: string, calls: EditCall[]): TurnResult {
  let current = html;
  const outcomes = calls.map((call) => {
    const outcome = applyEditCall(current, call);
    if (outcome.ok) current = outcome.html;
    return outcome;
  });
  const failures = outcomes.flatMap((outcome, index) =>
    outcome.ok ? [] : [`call ${index + 1}: ${outcome.message}`],
  );
  if (failures.length > 0) return { ok: false, outcomes, problems: failures };
  const validation = validateEdit(html, current);
  if (!validation.ok) return { ok: false, outcomes, problems: validation.problems };
  return { ok: true, html: current, outcomes };
}

function quoteOf(call: EditCall): string {
  switch (call.name) {
    case "html_replace":
      return call.input.old_text;
    case "html_insert_after":
      return call.input.anchor_text;
    case "html_delete":
      return call.input.text;
  }
}

/** `looseQuote` is set when the match ignored whitespace, so the span excludes the quote's outer whitespace. */
function splice(html: string, start: number, end: number, call: EditCall, looseQuote?: string): string {
  switch (call.name) {
    case "html_replace":
      return html.slice(0, start) + fitOuterWhitespace(call.input.new_text, looseQuote) + html.slice(end);
    case "html_insert_after":
      return html.slice(0, end) + call.input.new_content + html.slice(end);
    case "html_delete":
      return html.slice(0, start) + html.slice(end);
  }
}

/**
 * A loose match leaves the document's own whitespace around the span in place, so outer whitespace the model
 * put around its quote is dropped from the replacement too instead of being doubled.
 */
function fitOuterWhitespace(replacement: string, looseQuote: string | undefined): string {
  if (looseQuote === undefined) return replacement;
  let fitted = replacement;
  if (/^\s/.test(looseQuote)) fitted = fitted.trimStart();
  if (/\s$/.test(looseQuote)) fitted = fitted.trimEnd();
  return fitted;
}

function failureMessage(call: EditCall, location: Extract<Location, { found: false }>): string {
  const field = QUOTE_FIELD[call.name];
  if (location.reason === "ambiguous") {
    return `${call.name} failed: ${field} is ambiguous (${location.detail}). Nothing was changed; quote more of the surrounding text so it matches exactly one place.`;
  }
  return `${call.name} failed: ${field} was not found (${location.detail}). Nothing was changed; copy the passage exactly from the current document.`;
}
