/** The HTML document inside a model's free-form answer (full regeneration or creation output). */

const FENCE = /```[\w-]*[^\S\n]*\n([\s\S]*?)(?:```|$)/g;
const DOCTYPE = /<!doctype\s+html/i;
const HTML_TAG = /<html[\s>]/i;
const DOCUMENT_END = /<\/html\s*>/gi;

/**
 * From text that may wrap the document in ```html fences or surround it with chatter, the document from its
 * doctype (or <html>) to its last </html>; undefined when there is no complete document, e.g. a cut-off answer.
 */
export function extractHtmlDocument(text: string): string | undefined {
  const fenced = [...text.matchAll(FENCE)].map((match) => match[1] ?? "").find((body) => findDocument(body));
  return findDocument(fenced ?? text);
}

function findDocument(text: string): string | undefined {
  const doctype = text.search(DOCTYPE);
  const start = doctype === -1 ? text.search(HTML_TAG) : doctype;
  if (start === -1) return undefined;
  const closers = [...text.slice(start).matchAll(DOCUMENT_END)];
  const last = closers.at(-1);
  if (last === undefined) return undefined;
  return text.slice(start, start + last.index + last[0].length);
}
