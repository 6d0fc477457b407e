import * as z from "zod";

export interface IntRangeMessages {
  /** Names the value in every message ("limit must be at least 1"). */
  name?: string;
  notNumber?: string;
  notInteger?: string;
  tooSmall?: string;
  tooBig?: string;
}

/**
 * A whole number from min to max, coerced from text (env values, query strings). A string message is used for
 * every problem ("a port from 1 to 65535"); otherwise each problem gets its own, optionally naming the value.
 */
export function intInRange(
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  messages: string | IntRangeMessages = {},
) {
  const given = typeof messages === "string" ? undefined : messages;
  const all = typeof messages === "string" ? messages : undefined;
  const prefix = given?.name === undefined ? "" : `${given.name} `;
  const notInteger = all ?? given?.notInteger ?? `${prefix}must be a whole number`;
  return z.coerce
    .number({ message: all ?? given?.notNumber ?? (prefix ? `${prefix}must be a number` : notInteger) })
    .int({ message: notInteger })
    .min(min, { message: all ?? given?.tooSmall ?? `${prefix}must be at least ${min}` })
    .max(max, { message: all ?? given?.tooBig ?? `${prefix}must be at most ${max}` });
}
