// A breakdown table: one row per value of a facet (the shell's counts, largest first),
// each with a readable label, a bar scaled to the largest row and its count. A row
// that can narrow the events is a button. Text goes in with textContent only.
import "./rows.css";
import "./breakdown.css";
import type { FacetCountDto } from "../bindings/FacetCountDto";
import type { FacetName } from "../ipc";
import { formatCount } from "../format/count";
import { el } from "./dom";
import { barFractions } from "./histogram-scale";
import { breakdownTitle, facetLabel } from "./breakdown-rows";

export interface BreakdownOptions {
  by: FacetName;
  testid: string;
  /** Replaces the facet's own title ("What was done"). */
  title?: string;
  /** Called with a row's value; rows without a value are not clickable. */
  onChoose?: (value: string) => void;
}

/** The breakdown of `counts`, or a "Loading…" line while they are on their way. */
export function breakdown(counts: FacetCountDto[] | undefined, options: BreakdownOptions): HTMLElement {
  if (counts === undefined) return el("p", { className: "muted breakdown-loading", text: "Loading…" });
  const root = el("section", { className: "breakdown", testid: options.testid });
  const size = counts.length === 1 ? "1 value" : `${formatCount(counts.length)} values`;
  root.append(
    el(
      "h4",
      { className: "breakdown-title" },
      options.title ?? breakdownTitle(options.by),
      el("span", { className: "breakdown-size muted", text: counts.length === 0 ? "" : ` (${size})` }),
    ),
  );
  if (counts.length === 0) {
    root.append(el("p", { className: "muted breakdown-empty", text: "No events to count." }));
    return root;
  }
  const fractions = barFractions(counts.map((count) => count.count));
  const list = el("ol", { className: "breakdown-rows" });
  counts.forEach((count, index) => {
    const label = facetLabel(options.by, count);
    const fill = el("span", { className: "breakdown-fill" });
    fill.style.width = `${(fractions[index] ?? 0) * 100}%`;
    const parts = [
      el("span", { className: "breakdown-label clamped", text: label, title: count.value ?? label }),
      el("span", { className: "breakdown-bar" }, fill),
      el("span", { className: "breakdown-count", text: formatCount(count.count) }),
    ];
    const choose = options.onChoose;
    const value = count.value;
    let row: HTMLElement;
    if (choose !== undefined && value !== null) {
      const button = el("button", { className: "breakdown-row row-button", testid: "breakdown-row" }, ...parts);
      button.type = "button";
      button.title = `Show these ${formatCount(count.count)} events`;
      button.addEventListener("click", () => choose(value));
      row = button;
    } else {
      row = el("div", { className: "breakdown-row", testid: "breakdown-row" }, ...parts);
    }
    row.dataset.value = value ?? "";
    row.dataset.count = String(count.count);
    list.append(el("li", {}, row));
  });
  root.append(list);
  return root;
}
