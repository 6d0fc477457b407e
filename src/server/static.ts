import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import type { Context, Hono } from "hono";
import type { AppEnv } from "./types.js";

/**
 * Built assets whose names carry their content hash never change under that name: the build's own 10-character
 * hash (stylesheets) or esbuild's 8-character one (scripts and chunks); see scripts/build-web.mjs.
 */
const HASHED_NAME = /-[0-9A-Z]{8}(?:[0-9A-Z]{2})?\.[a-z0-9]+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=UTF-8",
  ".js": "text/javascript; charset=UTF-8",
  ".css": "text/css; charset=UTF-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

/** One file of the page with the encodings the build made of it. */
interface WebFile {
  type: string;
  cacheControl: string;
  identity: Uint8Array<ArrayBuffer>;
  br?: Uint8Array<ArrayBuffer>;
  gzip?: Uint8Array<ArrayBuffer>;
}

const readBytes = (path: string) => new Uint8Array(readFileSync(path));

function loadFile(path: string, cacheControl: string): WebFile {
  const sibling = (suffix: string) => (existsSync(path + suffix) ? readBytes(path + suffix) : undefined);
  return {
    type: CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
    cacheControl,
    identity: readBytes(path),
    br: sibling(".br"),
    gzip: sibling(".gz"),
  };
}

/** The page's files, read once at start: a request never touches the filesystem. */
function loadWebFiles(webRoot: string): { index?: WebFile; assets: Map<string, WebFile> } {
  const assetsDir = join(webRoot, "assets");
  const assets = new Map<string, WebFile>();
  if (existsSync(assetsDir)) {
    for (const entry of readdirSync(assetsDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith(".br") || entry.name.endsWith(".gz")) continue;
      const path = join(entry.parentPath, entry.name);
      const url = `/assets/${relative(assetsDir, path).split(sep).join("/")}`;
      assets.set(url, loadFile(path, HASHED_NAME.test(entry.name) ? IMMUTABLE : "no-cache"));
    }
  }
  const indexPath = join(webRoot, "index.html");
  return { index: existsSync(indexPath) ? loadFile(indexPath, "no-cache") : undefined, assets };
}

/** br when the client takes it, else gzip, else the file as built (q=0 means "not this one"). */
export function chooseEncoding(acceptEncoding: string | undefined, file: WebFile): "br" | "gzip" | undefined {
  const accepted = new Set(
    (acceptEncoding ?? "")
      .split(",")
      .map((part) => part.trim().toLowerCase())
      .filter((part) => part.length > 0 && !/;\s*q=0(\.0*)?$/.test(part))
      .map((part) => part.split(";")[0]?.trim()),
  );
  if (file.br && accepted.has("br")) return "br";
  if (file.gzip && (accepted.has("gzip") || accepted.has("*"))) return "gzip";
  return undefined;
}

function send(c: Context<AppEnv>, file: WebFile): Response {
  const encoding = chooseEncoding(c.req.header("accept-encoding"), file);
  const headers: Record<string, string> = {
    "Content-Type": file.type,
    "Cache-Control": file.cacheControl,
    Vary: "Accept-Encoding",
  };
  if (encoding) headers["Content-Encoding"] = encoding;
  const body = encoding === "br" ? file.br : encoding === "gzip" ? file.gzip : file.identity;
  return c.body(body ?? file.identity, 200, headers);
}

/** Serves the built page and answers every other non-API GET with index.html (client-side routes). */
export function mountWebPage(app: Hono<AppEnv>, webRoot: string): void {
  const { index, assets } = loadWebFiles(webRoot);
  // An asset name the build did not make (an old hash after a deploy) is a 404, never the page.
  app.get("/assets/*", (c) => {
    const file = assets.get(c.req.path);
    return file ? send(c, file) : c.notFound();
  });
  app.get("*", async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    if (!index) return c.text("web page not built: run npm run build", 503);
    return send(c, index);
  });
}
