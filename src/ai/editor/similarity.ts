/**
 * Approximate location of a quote in a long text, bounded for ~150 000-character documents: a q-gram count over
 * sliding windows picks a few well-separated candidate regions in O(text), and only those get the exact (and
 * quadratic) alignment. A library such as fastest-levenshtein only compares two whole strings; here the
 * window's start and end are unknown, which is what the semi-global alignment below finds.
 */
export interface Alignment {
  start: number;
  end: number;
  distance: number;
  /** 1 - distance / max(quote length, window length): 1 is identical, 0 shares nothing. */
  similarity: number;
}

const Q = 3;
/** Largest share of edits a match may have and still reach 0.85 similarity, with headroom for its length. */
const MAX_EDIT_SHARE = 0.18;

/** The best alignment of `quote` in each of up to `limit` distinct candidate regions of `text`, best first. */
export function alignCandidates(quote: string, text: string, limit: number): Alignment[] {
  const slack = Math.ceil(quote.length * MAX_EDIT_SHARE) + Q;
  return candidateStarts(quote, text, limit)
    .map((start) =>
      align(quote, text, Math.max(0, start - slack), Math.min(text.length, start + quote.length + slack)),
    )
    .sort((a, b) => b.similarity - a.similarity || a.start - b.start);
}

/** Starts of windows (quote-long) sharing the most q-grams with the quote, at least half a quote apart. */
function candidateStarts(quote: string, text: string, limit: number): number[] {
  if (quote.length < Q || text.length < Q) return [];
  const scores = windowScores(quote, text);
  // q-gram lemma: a window within k edits of the quote shares at least (n - q + 1) - k(q + 1) of its q-grams.
  const maxEdits = Math.floor(quote.length * MAX_EDIT_SHARE);
  const minScore = Math.max(1, quote.length - Q + 1 - maxEdits * (Q + 1));
  const passing: number[] = [];
  scores.forEach((score, start) => {
    if (score >= minScore) passing.push(start);
  });
  passing.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  const separation = Math.max(1, Math.floor(quote.length / 2));
  const picked: number[] = [];
  for (const start of passing) {
    if (picked.length === limit) break;
    if (picked.every((other) => Math.abs(other - start) >= separation)) picked.push(start);
  }
  return picked;
}

/** scores[s] = q-grams (with multiplicity) the quote shares with text[s, s + quote.length). */
function windowScores(quote: string, text: string): Int32Array {
  const wanted = new Map<number, number>();
  for (let i = 0; i + Q <= quote.length; i++) {
    const key = gram(quote, i);
    wanted.set(key, (wanted.get(key) ?? 0) + 1);
  }
  const width = Math.min(quote.length, text.length);
  const scores = new Int32Array(text.length - width + 1);
  const held = new Map<number, number>();
  let shared = 0;
  const add = (key: number) => {
    const have = held.get(key) ?? 0;
    if (have < (wanted.get(key) ?? 0)) shared++;
    held.set(key, have + 1);
  };
  const remove = (key: number) => {
    const have = (held.get(key) ?? 0) - 1;
    held.set(key, have);
    if (have < (wanted.get(key) ?? 0)) shared--;
  };
  for (let i = 0; i + Q <= width; i++) add(gram(text, i));
  scores[0] = shared;
  for (let start = 1; start < scores.length; start++) {
    remove(gram(text, start - 1));
    add(gram(text, start + width - Q));
    scores[start] = shared;
  }
  return scores;
}

function gram(text: string, at: number): number {
  return text.charCodeAt(at) * 0x100000000 + text.charCodeAt(at + 1) * 0x10000 + text.charCodeAt(at + 2);
}

/** Semi-global edit distance (Sellers): the substring of text[from, to) closest to the quote. */
function align(quote: string, text: string, from: number, to: number): Alignment {
  const n = quote.length;
  let distances = Int32Array.from({ length: n + 1 }, (_, i) => i);
  let starts = new Int32Array(n + 1).fill(from);
  let next = new Int32Array(n + 1);
  let nextStarts = new Int32Array(n + 1);
  let best = { start: from, end: from, distance: n };
  for (let j = from; j < to; j++) {
    const code = text.charCodeAt(j);
    next[0] = 0;
    nextStarts[0] = j + 1;
    for (let i = 1; i <= n; i++) {
      const substitute = (distances[i - 1] ?? 0) + (quote.charCodeAt(i - 1) === code ? 0 : 1);
      const skipText = (distances[i] ?? 0) + 1;
      const skipQuote = (next[i - 1] ?? 0) + 1;
      if (substitute <= skipText && substitute <= skipQuote) {
        next[i] = substitute;
        nextStarts[i] = starts[i - 1] ?? from;
      } else if (skipText <= skipQuote) {
        next[i] = skipText;
        nextStarts[i] = starts[i] ?? from;
      } else {
        next[i] = skipQuote;
        nextStarts[i] = nextStarts[i - 1] ?? from;
      }
    }
    [distances, next] = [next, distances];
    [starts, nextStarts] = [nextStarts, starts];
    const distance = distances[n] ?? n;
    if (distance < best.distance) best = { start: starts[n] ?? from, end: j + 1, distance };
  }
  return { ...best, similarity: 1 - best.distance / Math.max(n, best.end - best.start, 1) };
}
