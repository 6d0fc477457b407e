import { ExitCode, UserError } from "../../errors.js";

/** An image ahb built for this container (found by the ahb.app label; nothing else is ever considered). */
export interface KeptImage {
  id: string;
  version: string;
  builtAt: string;
  tags: string[];
}

export function newestFirst(images: readonly KeptImage[]): KeptImage[] {
  return [...images].sort((a, b) => b.builtAt.localeCompare(a.builtAt) || b.version.localeCompare(a.version));
}

/** Keeps the `keep` newest besides the serving one, and never an image a container still uses. */
export function imagesToPrune(
  images: readonly KeptImage[],
  options: { keep: number; servingId: string; inUse: ReadonlySet<string> },
): KeptImage[] {
  const others = newestFirst(images).filter((image) => image.id !== options.servingId);
  return others.slice(options.keep).filter((image) => !options.inUse.has(image.id));
}

/** The named version, or else the newest kept image that is not the serving one. */
export function rollbackTarget(
  images: readonly KeptImage[],
  options: { servingVersion?: string; requested?: string },
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
  const previous = servingAt === -1 ? sorted[0] : sorted[servingAt + 1];
  if (!previous)
    throw new UserError("no previous image is kept to roll back to", ExitCode.NOT_FOUND, [
      `kept: ${sorted.map((image) => image.version).join(", ") || "none"}`,
    ]);
  return previous;
}
