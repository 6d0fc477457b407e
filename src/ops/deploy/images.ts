import { ExitCode, UserError } from "../../errors.js";
import type { KeptImage } from "../docker/engine.js";
import type { AuditEntry } from "./audit.js";
import { byCodePoint } from "../../shared/text-order.js";

export function newestFirst(images: readonly KeptImage[]): KeptImage[] {
  return [...images].sort((a, b) => byCodePoint(b.builtAt, a.builtAt) || byCodePoint(b.version, a.version));
}

/**
 * Image ids that served healthily (an `ok` deploy or rollback in the audit log). Any other kept image failed its
 * health gate or never ran: it is no rollback target, counts against nothing and goes first when pruning.
 */
export function provenImageIds(entries: readonly AuditEntry[]): Set<string> {
  return new Set(
    entries.flatMap((entry) => (entry.result === "ok" && entry.imageId !== null ? [entry.imageId] : [])),
  );
}

/** Every unproven image, then the proven ones beyond the `keep` newest; never the serving one or one in use. */
export function imagesToPrune(
  images: readonly KeptImage[],
  options: { keep: number; servingId: string; inUse: ReadonlySet<string>; proven: ReadonlySet<string> },
): KeptImage[] {
  const others = newestFirst(images).filter((image) => image.id !== options.servingId);
  const unproven = others.filter((image) => !options.proven.has(image.id));
  const proven = others.filter((image) => options.proven.has(image.id));
  return [...unproven, ...proven.slice(options.keep)].filter((image) => !options.inUse.has(image.id));
}

/** The named version, or else the newest proven image older than the serving one (a failed one never). */
export function rollbackTarget(
  images: readonly KeptImage[],
  options: { servingVersion?: string; requested?: string; proven: ReadonlySet<string> },
): KeptImage {
  const sorted = newestFirst(images);
  if (options.requested !== undefined) {
    const named = sorted.find((image) => image.version === options.requested);
    if (!named) {
      const known = sorted.map((image) => image.version).join(", ") || "none";
      throw new UserError(
        `version ${options.requested} not found among the kept images (kept: ${known})`,
        ExitCode.NOT_FOUND,
      );
    }
    return named;
  }
  const servingAt = sorted.findIndex((image) => image.version === options.servingVersion);
  const older = sorted.slice(servingAt + 1);
  const previous = older.find((image) => options.proven.has(image.id));
  if (!previous)
    throw new UserError(
      "no earlier image that served healthily is kept to roll back to",
      ExitCode.NOT_FOUND,
      [
        `kept: ${sorted.map((image) => `${image.version}${options.proven.has(image.id) ? "" : " (failed)"}`).join(", ") || "none"}`,
      ],
    );
  return previous;
}
