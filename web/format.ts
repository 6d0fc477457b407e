/** Pure display formatting, shared by the panes (and unit-tested without a browser). */

const NANO = 1_000_000_000;

/** Money from integer nano-USD: cents for big amounts, more digits for the sub-cent costs of single turns. */
export function formatUsd(costNanoUsd: number): string {
  const usd = costNanoUsd / NANO;
  if (usd === 0) return "$0.00";
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  if (Math.abs(usd) >= 0.01) return `$${usd.toFixed(3)}`;
  return `$${usd.toFixed(4)}`;
}

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

export interface DayPoint {
  day: string;
  costNanoUsd: number;
  requests: number;
}

/** Every day of the period in order, days without spending as zero, so the trend chart has no gaps. */
export function dailySeries(
  byDay: { day: string; costNanoUsd: number; requests: number }[],
  until: string,
  days: number,
): DayPoint[] {
  const known = new Map(byDay.map((entry) => [entry.day, entry]));
  const end = new Date(`${until.slice(0, 10)}T00:00:00Z`);
  const series: DayPoint[] = [];
  for (let offset = days - 1; offset >= 0; offset -= 1) {
    const day = new Date(end.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
    const entry = known.get(day);
    series.push({ day, costNanoUsd: entry?.costNanoUsd ?? 0, requests: entry?.requests ?? 0 });
  }
  return series;
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
