import type { SessionSummary } from "./api.js";

export type SessionGroup = { label: "Today" | "This week" | "Older"; sessions: SessionSummary[] };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Sessions whose title contains `query` (case- and accent-insensitive), most recently active first, in the
 * groups Today (since local midnight), This week (the 7 days before that) and Older; empty groups are left out.
 */
export function groupSessions(sessions: SessionSummary[], query: string, now = new Date()): SessionGroup[] {
  const needle = fold(query.trim());
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const groups: SessionGroup[] = [
    { label: "Today", sessions: [] },
    { label: "This week", sessions: [] },
    { label: "Older", sessions: [] },
  ];
  const matching = sessions
    .filter((session) => fold(session.title).includes(needle))
    .sort((a, b) => Date.parse(b.lastActive) - Date.parse(a.lastActive));
  for (const session of matching) {
    const at = Date.parse(session.lastActive);
    const index = at >= midnight ? 0 : at >= midnight - 7 * DAY_MS ? 1 : 2;
    groups[index]?.sessions.push(session);
  }
  return groups.filter((group) => group.sessions.length > 0);
}

function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase();
}
