import { readFileSync } from "node:fs";

export type FixtureName = "quarterly-report" | "newsletter" | "infographic" | "one-pager";

/** A document of the HTML corpus in test/fixtures/html, exactly as stored. */
export function fixture(name: FixtureName): string {
  return readFileSync(new URL(`../fixtures/html/${name}.html`, import.meta.url), "utf8");
}

/** `html` with the single occurrence of `from` replaced by `to`; throws unless it occurs exactly once. */
export function replaceOnce(html: string, from: string, to: string): string {
  const at = html.indexOf(from);
  if (at === -1 || html.indexOf(from, at + 1) !== -1)
    throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return html.slice(0, at) + to + html.slice(at + from.length);
}
