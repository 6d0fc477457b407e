import type { BudgetReport, CapStanding } from "../src/server/routes/budget.js";
import { h, replace } from "./dom.js";
import { formatUsd } from "./format.js";

export type { BudgetReport, CapStanding };

export function capName(cap: CapStanding): string {
  return `${cap.scope === "user" ? "Per user" : "Everyone"}, ${cap.period === "day" ? "daily" : "monthly"}`;
}

export const resetTime = (cap: CapStanding) => `${cap.resetsAt.slice(0, 16).replace("T", " ")} UTC`;

/** The header's "budget left" note: the smallest room any cap leaves the user, hidden when no cap is set. */
export function renderBudgetNote(root: HTMLElement, report: BudgetReport): void {
  root.hidden = report.remainingNanoUsd === null;
  if (report.remainingNanoUsd === null) return;
  const tightest = report.caps.reduce((low, cap) =>
    cap.remainingNanoUsd < low.remainingNanoUsd ? cap : low,
  );
  replace(
    root,
    `AI budget left: ${formatUsd(report.remainingNanoUsd)}`,
    h("span", { class: "budget-reset" }, ` (resets ${resetTime(tightest)})`),
  );
}

/** Rows for the cost page's "Spend against caps" table. */
export function capRows(report: BudgetReport): string[][] {
  return report.caps.map((cap) => [
    capName(cap),
    formatUsd(cap.limitNanoUsd),
    formatUsd(cap.spentNanoUsd),
    formatUsd(cap.reservedNanoUsd),
    formatUsd(cap.remainingNanoUsd),
    resetTime(cap),
  ]);
}
