const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^\d{1,9}[smhd]$/;

export type DurationParse = { success: true; ms: number } | { success: false; message: string };

/**
 * "90s", "30m", "24h", "7d" (surrounding blanks ignored) -> milliseconds. Plain code rather than a schema: a CLI
 * option parser uses it, and declaring the options must not evaluate zod (see docs/performance.md, CLI start).
 */
export function parseDuration(text: string): DurationParse {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed))
    return { success: false, message: 'must be a duration like "90s", "30m", "24h" or "7d"' };
  const ms = Number(trimmed.slice(0, -1)) * UNIT_MS[trimmed.slice(-1) as keyof typeof UNIT_MS];
  return ms > 0 ? { success: true, ms } : { success: false, message: "must be longer than zero" };
}
