import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

export interface StoredFile {
  handle: FileHandle;
  size: number;
  /** False when an earlier export's file was served again (no render happened). */
  rendered: boolean;
}

/** Opens an already exported file, or undefined when there is none (never made, or aged out by cleanup). */
export async function openStored(dir: string, name: string): Promise<StoredFile | undefined> {
  try {
    const handle = await open(join(dir, name), "r");
    return { handle, size: (await handle.stat()).size, rendered: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Writes bytes under dir as name atomically (a temp name in the same directory, then rename), so a reader or
 * cleanup never sees half a file. The returned handle is opened before the rename, so it stays readable even if
 * cleanup unlinks the name at once.
 */
export async function storeAtomically(dir: string, name: string, bytes: Buffer): Promise<StoredFile> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, name);
  const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
  let handle: FileHandle | undefined;
  try {
    await writeFile(temp, bytes, { flag: "wx" });
    handle = await open(temp, "r");
    await rename(temp, target);
    return { handle, size: bytes.length, rendered: true };
  } catch (error) {
    await handle?.close();
    await rm(temp, { force: true });
    throw error;
  }
}
