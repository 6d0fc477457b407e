/** How a session's expiry reads in the sessions list (pure, unit-tested without a browser). */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface ExpiryText {
  text: string;
  /** In the last 24 hours: the page warns. */
  warning: boolean;
}

export function expiryText(expiresAt: string | null, now: Date = new Date()): ExpiryText {
  if (expiresAt === null) return { text: "Pinned: kept until you delete it", warning: false };
  const left = Date.parse(expiresAt) - now.getTime();
  if (left <= 0) return { text: "Expired: deleted at the next cleanup", warning: true };
  if (left < HOUR) return { text: "Expires in less than an hour", warning: true };
  if (left < DAY) {
    const hours = Math.floor(left / HOUR);
    return { text: `Expires in ${hours} hour${hours === 1 ? "" : "s"}: open it to keep it`, warning: true };
  }
  const days = Math.floor(left / DAY);
  return { text: `Expires in ${days} day${days === 1 ? "" : "s"}`, warning: false };
}
