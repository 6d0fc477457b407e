/**
 * Where a quoted passage is in a document, in three tiers that stop at the first hit: exact, then
 * whitespace-tolerant, then similar. A quote found more than once, or a near-match with a close rival, is
 * ambiguous: the editor never guesses which place was meant.
 */
import { normalizeWhitespace, originalSpan } from "./normalize.js";
import { alignCandidates } from "./similarity.js";

export type MatchKind = "exact" | "whitespace" | "similarity";

export type Location =
  | { found: true; start: number; end: number; match: MatchKind; similarity?: number }
  | { found: false; reason: "not_found" | "ambiguous"; detail: string };

/** A near-match must be at least this similar to the quote... */
export const SIMILARITY_THRESHOLD = 0.85;
/** ...and at least this much more similar than the next distinct passage. */
const SIMILARITY_MARGIN = 0.05;
/** Longer quotes must match exactly or up to whitespace: the alignment is quadratic in the quote's length. */
const MAX_SIMILARITY_QUOTE = 2000;
/**
 * How many candidate regions get an alignment: more for short quotes, whose q-gram ranking is noisier and whose
 * alignments are cheap (about 4 million DP cells in all), never fewer than the best and its rivals need.
 */
function candidateLimit(quoteLength: number): number {
  return Math.min(16, Math.max(4, Math.floor(4_000_000 / (quoteLength * quoteLength))));
}

export function locate(document: string, quote: string): Location {
  if (quote.trim() === "") return notFound("the quote is empty");
  const exact = occurrences(document, quote);
  const [at] = exact;
  if (exact.length === 1 && at !== undefined) {
    return { found: true, start: at, end: at + quote.length, match: "exact" };
  }
  if (exact.length > 1) return ambiguous(`it occurs ${exact.length} times`);

  const text = normalizeWhitespace(document);
  const needle = normalizeWhitespace(quote).text;
  const loose = occurrences(text.text, needle);
  const [looseAt] = loose;
  if (loose.length === 1 && looseAt !== undefined) {
    const [start, end] = originalSpan(text, looseAt, looseAt + needle.length);
    return { found: true, start, end, match: "whitespace" };
  }
  if (loose.length > 1) return ambiguous(`ignoring whitespace it occurs ${loose.length} times`);

  if (needle.length > MAX_SIMILARITY_QUOTE) {
    return notFound(
      `no exact match, and quotes over ${MAX_SIMILARITY_QUOTE} characters are not matched approximately`,
    );
  }
  // Passages below threshold - margin can neither match nor make a match ambiguous, so none is aligned.
  const floor = SIMILARITY_THRESHOLD - SIMILARITY_MARGIN;
  const [best, ...rest] = alignCandidates(needle, text.text, candidateLimit(needle.length), floor);
  if (best === undefined || best.similarity < SIMILARITY_THRESHOLD) {
    const closest =
      best === undefined
        ? `no passage is even ${percent(floor)} similar`
        : `the closest passage is only ${percent(best.similarity)} similar`;
    return notFound(`no exact match, and ${closest} (${percent(SIMILARITY_THRESHOLD)} needed)`);
  }
  const rival = rest.find((other) => other.end <= best.start || other.start >= best.end);
  if (rival !== undefined && rival.similarity > best.similarity - SIMILARITY_MARGIN) {
    return ambiguous(
      `two passages are about equally similar (${percent(best.similarity)} and ${percent(rival.similarity)})`,
    );
  }
  const [start, end] = originalSpan(text, best.start, best.end);
  return { found: true, start, end, match: "similarity", similarity: best.similarity };
}

/** Every start of `needle` in `text`, overlapping ones included. */
function occurrences(text: string, needle: string): number[] {
  const starts: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) starts.push(at);
  return starts;
}

function ambiguous(detail: string): Location {
  return { found: false, reason: "ambiguous", detail };
}

function notFound(detail: string): Location {
  return { found: false, reason: "not_found", detail };
}

function percent(share: number): string {
  return `${Math.floor(share * 100)}%`;
}
