/** Model ids as people call the models, for status lines ("Claude Sonnet 4.6 is editing"). */

const NAMED: Record<string, string> = {
  "gemini-2.5-pro": "Gemini 2.5 Pro",
  "gemini-2.5-flash": "Gemini 2.5 Flash",
  "gemini-2.5-flash-lite": "Gemini 2.5 Flash-Lite",
  "gemini-3-pro-image-preview": "Nano Banana Pro",
};

/** "claude-sonnet-4-6" -> "Claude Sonnet 4.6", "claude-opus-4-20250514" -> "Claude Opus 4"; unknown ids as they are. */
export function modelDisplayName(id: string): string {
  const named = NAMED[id];
  if (named) return named;
  const claude = /^claude-(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?$/.exec(id);
  if (!claude) return id;
  const [, family = "", major, minor] = claude;
  return `Claude ${family.charAt(0).toUpperCase()}${family.slice(1)} ${major}${minor ? `.${minor}` : ""}`;
}
