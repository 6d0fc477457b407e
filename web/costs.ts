import { api, errorText, type CostFields, type CostsReport } from "./api.js";
import { capRows, type BudgetReport } from "./budget.js";
import { USAGE_FIELDS } from "../src/db/usage-fields.js";
import { h, replace, svg } from "./dom.js";
import { axisUsd, formatCompact, formatCount, formatUsd, niceMax } from "./format.js";

/** One day of the server's series: every day of the period, zeros included (the page never fills gaps itself). */
type DayPoint = CostsReport["byDay"][number];

export interface CostsView {
  load(): Promise<void>;
}

const PERIODS = [7, 30, 90] as const;

/** The cost dashboard: totals, a daily trend (inline SVG), by-model and (admins, all users) by-user tables. */
export function createCostsView(root: HTMLElement, isAdmin: () => boolean): CostsView {
  let days: number = 30;
  let allUsers = false;

  const periodButtons = PERIODS.map((period) =>
    h(
      "button",
      {
        type: "button",
        class: "small",
        "aria-pressed": String(period === days),
        onclick: () => {
          days = period;
          for (const button of periodButtons)
            button.setAttribute("aria-pressed", String(button.dataset.days === String(days)));
          void load();
        },
        "data-days": period,
      },
      `${period} days`,
    ),
  );
  const scope = h("input", {
    type: "checkbox",
    id: "costs-all",
    onchange: (event: Event) => {
      allUsers = (event.target as HTMLInputElement).checked;
      void load();
    },
  });
  const scopeLabel = h("label", { class: "scope", hidden: true }, scope, " All users");
  const body = h("div", { class: "costs-body", "aria-live": "polite" });
  replace(
    root,
    h(
      "div",
      { class: "costs-head" },
      h("h2", { id: "costs-title" }, "Costs"),
      h("div", { class: "period", role: "group", "aria-label": "Period" }, ...periodButtons),
      scopeLabel,
    ),
    body,
  );

  async function load(): Promise<void> {
    scopeLabel.hidden = !isAdmin();
    root.setAttribute("aria-busy", "true");
    try {
      const [report, budget] = await Promise.all([
        api.costs(days, allUsers && isAdmin()),
        isAdmin() ? api.budget() : undefined,
      ]);
      render(report, budget);
    } catch (error) {
      replace(
        body,
        h("p", { class: "inline-error", role: "alert" }, `Could not load costs: ${errorText(error)}`),
      );
    } finally {
      root.setAttribute("aria-busy", "false");
    }
  }

  function render(report: CostsReport, budget: BudgetReport | undefined): void {
    const { totals } = report;
    const tokens = USAGE_FIELDS.filter((field) => field.tokens).reduce(
      (sum, field) => sum + totals[field.key],
      0,
    );
    replace(
      body,
      h(
        "div",
        { class: "cards" },
        card(
          "Total cost",
          formatUsd(totals.costNanoUsd),
          [
            `last ${report.period.days} days${report.byUser ? ", all users" : ""}`,
            totals.cacheSavingsNanoUsd ? `caching saved ${formatUsd(totals.cacheSavingsNanoUsd)}` : "",
          ]
            .filter(Boolean)
            .join(" · "),
        ),
        card("Requests", formatCount(totals.requests), "billed model calls"),
        card("Images", formatCount(totals.images), "generated"),
        card(
          "Tokens",
          formatCompact(tokens),
          [
            `${formatCompact(totals.inputTokens)} in`,
            `${formatCompact(totals.outputTokens)} out`,
            totals.cacheReadTokens + totals.cacheWriteTokens > 0
              ? `${formatCompact(totals.cacheReadTokens + totals.cacheWriteTokens)} cache`
              : "",
          ]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
      h(
        "section",
        { class: "chart-box", "aria-labelledby": "trend-title" },
        h("h3", { id: "trend-title" }, "Daily cost"),
        trendChart(report.byDay),
      ),
      table(
        "By model",
        ["Model", "Provider", ...USAGE_HEADERS],
        report.byModel.map((row) => [row.model, row.provider, ...numbers(row)]),
        USAGE_HEADERS.length,
      ),
      budget && budget.caps.length > 0
        ? table(
            "Spend against caps",
            ["Cap", "Limit", "Spent", "In flight", "Left", "Resets at"],
            capRows(budget),
            5,
          )
        : null,
      report.byUser
        ? table(
            "By user",
            ["User", ...USAGE_HEADERS],
            report.byUser.map((row) => [row.user, ...numbers(row)]),
            USAGE_HEADERS.length,
          )
        : null,
    );
  }

  return { load };
}

/** Requests, every usage field (src/db/usage-fields.ts) and the cost: the numeric columns of a usage table. */
const USAGE_HEADERS = ["Requests", ...USAGE_FIELDS.map((field) => field.label), "Cost"];

function numbers(row: CostFields): string[] {
  return [
    formatCount(row.requests),
    ...USAGE_FIELDS.map((field) => formatCount(row[field.key])),
    formatUsd(row.costNanoUsd),
  ];
}

function card(label: string, value: string, detail: string): HTMLElement {
  return h(
    "div",
    { class: "card" },
    h("p", { class: "card-label" }, label),
    h("p", { class: "card-value" }, value),
    h("p", { class: "meta" }, detail),
  );
}

/** The last `numericColumns` columns are numbers (right-aligned). */
function table(title: string, headers: string[], rows: string[][], numericColumns: number): HTMLElement {
  const textColumns = headers.length - numericColumns;
  const id = `costs-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return h(
    "section",
    { class: "table-box", "aria-labelledby": id },
    h("h3", { id }, title),
    rows.length === 0
      ? h("p", { class: "empty" }, "No usage in this period.")
      : h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ...headers.map((text, index) =>
                  h("th", { scope: "col", class: index < textColumns ? "" : "num" }, text),
                ),
              ),
            ),
            h(
              "tbody",
              {},
              ...rows.map((cells) =>
                h(
                  "tr",
                  {},
                  ...cells.map((text, index) =>
                    index === 0
                      ? h("th", { scope: "row" }, text)
                      : h("td", { class: index < textColumns ? "" : "num" }, text),
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 56 };

/** Bars per day with a labelled y axis; each bar carries a <title> tooltip, and a text summary for screen readers. */
function trendChart(series: DayPoint[]): HTMLElement {
  const max = niceMax(Math.max(...series.map((point) => point.costNanoUsd)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / series.length;
  const barWidth = Math.max(1, slot * 0.7);
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  const ticks = [0, 0.5, 1].map((fraction) => fraction * max);
  const labelEvery = Math.ceil(series.length / 7);
  const total = series.reduce((sum, point) => sum + point.costNanoUsd, 0);
  const busiest = series.reduce(
    (best, point) => (point.costNanoUsd > best.costNanoUsd ? point : best),
    series[0] as DayPoint,
  );

  const chart = svg(
    "svg",
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      class: "trend",
      role: "img",
      "aria-label": `Daily cost over ${series.length} days`,
    },
    ...ticks.map((tick) =>
      svg(
        "g",
        { class: "tick" },
        svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(tick), y2: y(tick) }),
        svg("text", { x: PAD.left - 6, y: y(tick) + 4, "text-anchor": "end" }, axisUsd(tick, max)),
      ),
    ),
    ...series.map((point, index) => {
      const x = PAD.left + index * slot + (slot - barWidth) / 2;
      const top = y(point.costNanoUsd);
      return svg(
        "rect",
        {
          class: "bar",
          x,
          y: top,
          width: barWidth,
          height: PAD.top + plotHeight - top,
          "data-day": point.day,
        },
        svg("title", {}, `${point.day}: ${formatUsd(point.costNanoUsd)}, ${point.requests} requests`),
      );
    }),
    ...series
      .map((point, index) => ({ point, index }))
      .filter(({ index }) => (series.length - 1 - index) % labelEvery === 0)
      .map(({ point, index }) =>
        svg(
          "text",
          { class: "day", x: PAD.left + index * slot + slot / 2, y: HEIGHT - 8, "text-anchor": "middle" },
          point.day.slice(5),
        ),
      ),
  );
  return h(
    "figure",
    {},
    chart,
    h(
      "figcaption",
      { class: "meta" },
      total === 0
        ? "No spending in this period."
        : `Busiest day ${busiest.day}: ${formatUsd(busiest.costNanoUsd)}.`,
    ),
  );
}
