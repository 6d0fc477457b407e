import assert from "node:assert/strict";
import { statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

const isRoot = process.getuid?.() === 0;
const required = process.env.AHB_CI === "1" || process.env.AHB_REQUIRE_DOCKER === "1";
/** Mounting a tmpfs needs root; CI runs as root and must not skip. */
export const skipWithoutMount = !isRoot && !required ? "needs root (mount)" : false;

/** A size-limited device at `dir` (a tmpfs named `name`, so a leftover mount says whose it is). */
export async function mountSmallDevice(
  dir: string,
  size: string,
  name: string,
): Promise<() => Promise<void>> {
  await execa("mount", ["-t", "tmpfs", "-o", `size=${size}`, name, dir]);
  // Lazy: a process of a failed test still holding a file must not hide that test's own error.
  return async () => {
    await execa("umount", ["--lazy", dir]);
  };
}

/**
 * Writes filler until the device is full, then gives back `leaveBytes` (a tmpfs frees truncated pages); returns
 * the filler's path.
 */
export function fillDevice(dir: string, leaveBytes = 0): string {
  const filler = join(dir, "filler");
  const chunk = Buffer.alloc(64 * 1024, 1);
  let size = 0;
  try {
    for (;;) {
      writeFileSync(filler, chunk, { flag: "a" });
      size += chunk.length;
    }
  } catch (error) {
    assert.equal((error as { code?: string }).code, "ENOSPC", `filled ${size} bytes`);
  }
  if (leaveBytes > 0) truncateSync(filler, Math.max(0, statSync(filler).size - leaveBytes));
  return filler;
}
