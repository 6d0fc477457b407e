/** Edit distance (insertions, deletions, substitutions), case-insensitive: "hostport" is 0 from "hostPort". */
function distance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The candidate nearest to a mistyped name, when it is near enough to be what was meant: at most one edit per
 * four characters (at least one), so a typo finds its key and an unrelated name (TZ, HOST) finds nothing.
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 4));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const d = distance(word, name);
    if (d <= limit && (best === undefined || d < best.distance)) best = { name, distance: d };
  }
  return best?.name;
}
