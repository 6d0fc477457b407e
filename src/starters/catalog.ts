/**
 * Starter templates: the built-in ones plus the operator's files in `<data dir>/starters/`, read on every listing
 * so a file added, changed or removed shows up without a rebuild or restart. A bad file is skipped with one clear
 * problem line naming it; the good ones are still listed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import * as z from "zod";
import { BUILTIN_STARTERS, type StarterDefinition } from "./builtin.js";

export interface Starter extends StarterDefinition {
  source: "builtin" | "operator";
  placeholders: string[];
  /** Where the page loads the preview image from. */
  thumbnailUrl: string;
}

export interface StarterProblem {
  file: string;
  message: string;
}

export interface StarterCatalog {
  starters: Starter[];
  problems: StarterProblem[];
}

export interface StarterThumbnail {
  mimeType: "image/svg+xml" | "image/png";
  data: Buffer;
}

const STARTERS_FOLDER = "starters";
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PLACEHOLDER = /\{\{([^{}\n]{1,80})\}\}/g;
const MAX_FILE_BYTES = 64 * 1024;
const MAX_THUMBNAIL_BYTES = 256 * 1024;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const starterFile = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
  description: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  prompt: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(10_000, "must be at most 10000 characters (a chat message's limit)"),
});

/** The operator's folder: next to the database, so it lives on the data volume with it. */
export function startersDir(databasePath: string): string {
  return join(dirname(databasePath), STARTERS_FOLDER);
}

export function placeholdersOf(prompt: string): string[] {
  return [...new Set([...prompt.matchAll(PLACEHOLDER)].map((match) => (match[1] ?? "").trim()))];
}

export function loadStarters(dir: string): StarterCatalog {
  const builtin = BUILTIN_STARTERS.map((definition) => toStarter(definition, "builtin"));
  const taken = new Set(builtin.map((starter) => starter.id));
  const problems: StarterProblem[] = [];
  const operator: Starter[] = [];
  for (const file of jsonFiles(dir, problems)) {
    const result = readStarterFile(dir, file, taken);
    if ("problem" in result) problems.push({ file, message: result.problem });
    else {
      taken.add(result.starter.id);
      operator.push(result.starter);
    }
  }
  return { starters: [...builtin, ...operator], problems };
}

/** The operator's thumbnail for a starter (`<id>.svg` or `<id>.png` beside its file), if it has a valid one. */
export function readThumbnail(dir: string, id: string): StarterThumbnail | undefined {
  if (!ID.test(id)) return undefined;
  for (const [extension, mimeType] of [
    [".svg", "image/svg+xml"],
    [".png", "image/png"],
  ] as const) {
    const data = readSmallFile(join(dir, `${id}${extension}`), MAX_THUMBNAIL_BYTES);
    if (data && thumbnailLooksRight(data, mimeType)) return { mimeType, data };
  }
  return undefined;
}

function toStarter(definition: StarterDefinition, source: Starter["source"], thumbnailUrl?: string): Starter {
  return {
    ...definition,
    source,
    placeholders: placeholdersOf(definition.prompt),
    thumbnailUrl: thumbnailUrl ?? `/assets/starters/${definition.id}.svg`,
  };
}

function jsonFiles(dir: string, problems: StarterProblem[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      problems.push({ file: dir, message: `cannot read the folder: ${(error as Error).message}` });
    return [];
  }
  return names.filter((name) => extname(name).toLowerCase() === ".json").sort();
}

function readStarterFile(
  dir: string,
  file: string,
  taken: ReadonlySet<string>,
): { starter: Starter } | { problem: string } {
  const id = basename(file, extname(file));
  if (!ID.test(id))
    return { problem: "the file name must be lower-case letters, digits and dashes (it becomes the id)" };
  if (taken.has(id)) return { problem: `the id "${id}" is already used by a built-in starter` };
  const path = join(dir, file);
  if (statSync(path, { throwIfNoEntry: false })?.isFile() !== true) return { problem: "not a regular file" };
  const bytes = readSmallFile(path, MAX_FILE_BYTES);
  if (!bytes) return { problem: `larger than ${MAX_FILE_BYTES} bytes or unreadable` };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message}` };
  }
  const parsed = starterFile.safeParse(json);
  if (!parsed.success) {
    return {
      problem: parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "file"}: ${issue.message}`)
        .join("; "),
    };
  }
  const thumbnailUrl = readThumbnail(dir, id)
    ? `/api/templates/${id}/thumbnail`
    : "/assets/starters/custom.svg";
  return { starter: toStarter({ id, ...parsed.data }, "operator", thumbnailUrl) };
}

function readSmallFile(path: string, maxBytes: number): Buffer | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile() || stat.size > maxBytes) return undefined;
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function thumbnailLooksRight(data: Buffer, mimeType: StarterThumbnail["mimeType"]): boolean {
  if (mimeType === "image/png") return data.subarray(0, 8).equals(PNG_MAGIC);
  return /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(data.toString("utf8", 0, 512));
}
