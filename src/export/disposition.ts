const MAX_TITLE_CHARS = 100;

/** RFC 5987 value: encodeURIComponent leaves a few characters that attr-char does not allow. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeTitle(title: string): string {
  const cleaned = title
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/[\\/:*?"<>|]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return Array.from(cleaned).slice(0, MAX_TITLE_CHARS).join("").trim() || "document";
}

function asciiFallback(title: string): string {
  const ascii = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9 ._-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^[_ .]+|[_ ]+$/g, "");
  return ascii || "document";
}

/**
 * `attachment; filename="ascii"; filename*=UTF-8''…` from a document title: old clients get a readable ASCII name,
 * modern ones the exact Unicode title; neither can carry a path, quote or control character.
 */
export function contentDisposition(title: string, extension: string, type = "attachment"): string {
  const name = safeTitle(title);
  return `${type}; filename="${asciiFallback(name)}.${extension}"; filename*=UTF-8''${encodeRfc5987(`${name}.${extension}`)}`;
}
