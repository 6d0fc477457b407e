/** Pure display formatting, shared by the panes (and unit-tested without a browser). */

/** The money rule the CLI uses too (cents; four decimals under a cent). */
export { formatUsd } from "../src/shared/money.js";

const integer = new Intl.NumberFormat("en-US");
export const formatCount = (value: number): string => integer.format(value);

/** 1234567 -> "1.2M": for token counts in tight cards. */
export function formatCompact(value: number): string {
  if (Math.abs(value) < 10_000) return integer.format(value);
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

export function formatTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay
    ? date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A "nice" axis maximum (1, 2 or 5 times a power of ten) at or above the largest value. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

/** Axis labels share one precision, chosen by the axis maximum ($0.00 / $0.50 / $1.00, not $0.00 / $0.500). */
export function axisUsd(nano: number, maxNano: number): string {
  const digits = maxNano >= 1_000_000_000 ? 2 : maxNano >= 10_000_000 ? 3 : 4;
  return `$${(nano / 1_000_000_000).toFixed(digits).replace(/(\.\d\d\d*?)0+$/, "$1")}`;
}

/** The filename from a Content-Disposition header, or the fallback. */
export function attachmentName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      return fallback;
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() || fallback;
}

/** Long data: URIs (embedded images) shortened for the code view, which would otherwise show megabytes of base64. */
export function abbreviateDataUris(html: string, keep = 64): string {
  return html.replace(
    /data:([a-z0-9.+/-]+);base64,([A-Za-z0-9+/=]{200,})/gi,
    (_match, type: string, data: string) => {
      const kilobytes = Math.round((data.length * 3) / 4 / 1024);
      return `data:${type};base64,${data.slice(0, keep)}…(${kilobytes} KB)`;
    },
  );
}
