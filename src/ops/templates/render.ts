const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

/** The placeholder names a template uses, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

/** Replaces every {{NAME}}; a placeholder without a value is an error, never left in the output. */
export function renderTemplate(
  text: string,
  values: Readonly<Record<string, string | undefined>>,
): { ok: true; text: string } | { ok: false; missing: string[] } {
  const missing = placeholdersOf(text).filter((name) => values[name] === undefined);
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, text: text.replace(PLACEHOLDER, (_whole, name: string) => values[name] as string) };
}
