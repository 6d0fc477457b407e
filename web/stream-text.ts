/** What a streamed reply shows in the chat bubble (pure, unit-tested without a browser). */

/** Where the document begins in a streamed answer (-1 before it does): fences, doctype or <html>, anywhere. */
export function documentStart(text: string): number {
  const match = /```html|<!doctype|<html[\s>]/i.exec(text);
  return match ? match.index : -1;
}

/**
 * What the bubble says: the turn's summary once it arrives (what the history keeps), before that the model's
 * prose as it streams, cut where the document begins (the markup goes to the preview, never into the bubble).
 */
export function replyText(text: string, summary: string): string {
  if (summary) return summary;
  const start = documentStart(text);
  return (start === -1 ? text : text.slice(0, start)).trim();
}
