/** `{{label}}` placeholders in a starter prompt: pure helpers for stepping through them in the message box. */

export interface Range {
  start: number;
  end: number;
}

const PLACEHOLDER = /\{\{[^{}\n]{1,80}\}\}/g;

export function placeholderRanges(text: string): Range[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/**
 * The placeholder to select next from the current selection: the first one starting at or after its end (backwards:
 * the last one ending at or before its start). No wrapping: past the last one, Tab moves focus as usual, so the
 * message box never traps the keyboard.
 */
export function nextPlaceholder(text: string, selection: Range, backwards = false): Range | undefined {
  const ranges = placeholderRanges(text);
  if (backwards) return ranges.filter((range) => range.end <= selection.start).at(-1);
  return ranges.find((range) => range.start >= selection.end);
}
