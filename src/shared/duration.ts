import { z } from "zod";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "24h", "7d" -> milliseconds. */
export const durationSchema = z
  .string()
  .trim()
  .regex(/^\d{1,9}[smhd]$/, { message: 'must be a duration like "90s", "30m", "24h" or "7d"' })
  .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS])
  .refine((ms) => ms > 0, { message: "must be longer than zero" });
