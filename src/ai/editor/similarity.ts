/**
 * Approximate location of a quote in a long text, bounded for ~150 000-character documents: a q-gram count over
 * sliding windows picks a few well-separated candidate regions in O(text), and only those get an exact
 * alignment, cut off (Ukkonen) as soon as it can no longer reach the wanted similarity. A library such as
 * fastest-levenshtein only compares two whole strings; here the window's start and end are unknown, which is
 * what the semi-global alignment below finds.
 */
export interface Alignment {
  start: number;
  end: number;
  distance: number;
  /** 1 - distance / max(quote length, window length): 1 is identical, 0 shares nothing. */
  similarity: number;
}

const Q = 3;

/**
 * The best alignment of `quote` in each of up to `limit` distinct candidate regions of `text`, best first;
 * regions with nothing at least `minSimilarity` similar are left out.
 */
export function alignCandidates(
  quote: string,
  text: string,
  limit: number,
  minSimilarity: number,
): Alignment[] {
  // distance <= (1 - s) * (n + distance)  <=>  distance <= (1 - s) * n / s
  const maxDistance = Math.floor(((1 - minSimilarity) * quote.length) / minSimilarity);
  const slack = maxDistance + Q;
  return candidateStarts(quote, text, limit)
    .map((start) =>
      align(
        quote,
        text,
        Math.max(0, start - slack),
        Math.min(text.length, start + quote.length + slack),
        maxDistance,
      ),
    )
    .filter(
      (alignment): alignment is Alignment => alignment !== undefined && alignment.similarity >= minSimilarity,
    )
    .sort((a, b) => b.similarity - a.similarity || a.start - b.start);
}

/** Starts of the quote-long windows sharing the most q-grams with the quote, at least half a quote apart. */
function candidateStarts(quote: string, text: string, limit: number): number[] {
  if (quote.length < Q || text.length < Q) return [];
  const scores = windowScores(quote, text);
  const separation = Math.max(1, Math.floor(quote.length / 2));
  const picked: number[] = [];
  while (picked.length < limit) {
    const best = argmax(scores);
    if ((scores[best] ?? 0) === 0) break;
    picked.push(best);
    scores.fill(0, Math.max(0, best - separation + 1), best + separation);
  }
  return picked;
}

function argmax(values: Int32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? 0) > (values[best] ?? 0)) best = i;
  return best;
}

/** scores[s] = q-grams (with multiplicity) the quote shares with text[s, s + quote.length). */
function windowScores(quote: string, text: string): Int32Array {
  // The quote's distinct q-grams get small ids, so the sliding count runs on typed arrays, not map updates.
  const ids = new Map<number, number>();
  const quoteIds = Array.from({ length: Math.max(0, quote.length - Q + 1) }, (_, i) => {
    const key = gram(quote, i);
    if (!ids.has(key)) ids.set(key, ids.size);
    return ids.get(key) ?? 0;
  });
  const need = new Int32Array(ids.size);
  for (const id of quoteIds) need[id] = (need[id] ?? 0) + 1;
  const textIds = Int32Array.from(
    { length: Math.max(0, text.length - Q + 1) },
    (_, i) => ids.get(gram(text, i)) ?? -1,
  );

  const width = Math.min(quote.length, text.length);
  const scores = new Int32Array(text.length - width + 1);
  const held = new Int32Array(ids.size);
  let shared = 0;
  const enter = (id: number) => {
    if (id < 0) return;
    const have = held[id] ?? 0;
    held[id] = have + 1;
    if (have < (need[id] ?? 0)) shared++;
  };
  const leave = (id: number) => {
    if (id < 0) return;
    const have = (held[id] ?? 0) - 1;
    held[id] = have;
    if (have < (need[id] ?? 0)) shared--;
  };
  for (let i = 0; i + Q <= width; i++) enter(textIds[i] ?? -1);
  scores[0] = shared;
  for (let start = 1; start < scores.length; start++) {
    leave(textIds[start - 1] ?? -1);
    enter(textIds[start + width - Q] ?? -1);
    scores[start] = shared;
  }
  return scores;
}

function gram(text: string, at: number): number {
  return text.charCodeAt(at) * 0x100000000 + text.charCodeAt(at + 1) * 0x10000 + text.charCodeAt(at + 2);
}

/**
 * Semi-global edit distance (Sellers): the substring of text[from, to) closest to the quote, one column of the
 * DP table per text character, each cell carrying where its substring starts. Rows past the last one still
 * within `maxDistance` are not computed (Ukkonen's cut-off), so unrelated text costs far less than n per column.
 */
function align(
  quote: string,
  text: string,
  from: number,
  to: number,
  maxDistance: number,
): Alignment | undefined {
  const n = quote.length;
  const beyond = maxDistance + 1;
  const codes = Uint16Array.from({ length: n }, (_, i) => quote.charCodeAt(i));
  let previous = Int32Array.from({ length: n + 1 }, (_, i) => i);
  let previousStarts = new Int32Array(n + 1).fill(from);
  let current = new Int32Array(n + 1);
  let currentStarts = new Int32Array(n + 1);
  let last = Math.min(n, maxDistance);
  let best: Omit<Alignment, "similarity"> | undefined;
  for (let j = from; j < to; j++) {
    const code = text.charCodeAt(j);
    const top = Math.min(n, last + 1);
    let left = 0;
    let leftStart = j + 1;
    let diagonal = 0;
    let diagonalStart = previousStarts[0] ?? from;
    current[0] = left;
    currentStarts[0] = leftStart;
    for (let i = 1; i <= top; i++) {
      const up = i > last ? beyond : (previous[i] ?? beyond);
      const upStart = previousStarts[i] ?? from;
      let cell = diagonal + (codes[i - 1] === code ? 0 : 1);
      let cellStart = diagonalStart;
      if (up + 1 < cell) {
        cell = up + 1;
        cellStart = upStart;
      }
      if (left + 1 < cell) {
        cell = left + 1;
        cellStart = leftStart;
      }
      current[i] = cell;
      currentStarts[i] = cellStart;
      left = cell;
      leftStart = cellStart;
      diagonal = up;
      diagonalStart = upStart;
    }
    last = top;
    while (last > 0 && (current[last] ?? beyond) > maxDistance) last--;
    if (last === n && left < (best?.distance ?? beyond))
      best = { start: leftStart, end: j + 1, distance: left };
    [previous, current] = [current, previous];
    [previousStarts, currentStarts] = [currentStarts, previousStarts];
  }
  if (best === undefined) return undefined;
  return { ...best, similarity: 1 - best.distance / Math.max(n, best.end - best.start, 1) };
}
