// The activity histogram: one bar per period of an ActivityDto, dates under some bars
// (local time or UTC), a tooltip with the period and its count, and the periods the
// shell calls spikes marked with the word "spike" (never by colour alone). Clicking a
// bar hands its [since, until) to the caller. It draws what the shell counted: it
// never counts events or decides what a spike is.
import "./histogram.css";
import type { ActivityDto } from "../bindings/ActivityDto";
import { formatCount } from "../format/count";
import { el } from "./dom";
import { barFractions, barTitle, isoUtc, periodBounds, periodText, tickIndexes, tickLabel } from "./histogram-scale";

export interface HistogramOptions {
  utc: boolean;
  /** What the bars count, e.g. "Events" or "Permission denials". */
  subject?: string;
  /** Called with a bar's period (RFC 3339, since inclusive, until exclusive). */
  onChoose?: (since: string, until: string) => void;
}

/** Dates under the bars: enough to read the axis, few enough not to collide. */
const MAX_TICKS = 6;

/** The histogram of `activity`, or a "Loading…" line while it is on its way. */
export function histogram(activity: ActivityDto | undefined, options: HistogramOptions): HTMLElement {
  if (activity === undefined) return el("p", { className: "muted histogram-loading", text: "Loading…" });
  const subject = options.subject ?? "Events";
  const root = el("figure", { className: "histogram", testid: "histogram" });
  const caption = el("figcaption", { className: "histogram-caption", text: `${subject} per ${activity.period_name}` });
  root.append(caption);
  if (activity.start === null || activity.counts.length === 0) {
    root.append(el("p", { className: "muted histogram-empty", text: "No events with a time to chart." }));
    appendUntimed(root, activity.untimed);
    return root;
  }
  const start = activity.start;
  const fractions = barFractions(activity.counts);
  const spikes = new Set(activity.spikes);
  const bars = el("div", { className: "histogram-bars" });
  const axis = el("div", { className: "histogram-axis" });
  const ticks = new Set(tickIndexes(activity.counts.length, MAX_TICKS));
  const spikeNotes: HTMLElement[] = [];

  activity.counts.forEach((count, index) => {
    const { sinceMs, untilMs } = periodBounds(start, activity.period_ms, index);
    const spike = spikes.has(index);
    const title = barTitle(sinceMs, activity.period_ms, count, spike, options.utc);
    const fill = el("span", { className: "histogram-fill" });
    fill.style.height = `${(fractions[index] ?? 0) * 100}%`;
    const bar = el("button", { className: "histogram-bar", testid: "histogram-bar", title });
    bar.type = "button";
    bar.dataset.count = String(count);
    bar.setAttribute("aria-label", title);
    if (spike) {
      bar.dataset.spike = "true";
      bar.classList.add("is-spike");
      bar.append(el("span", { className: "histogram-spike-word", text: "spike" }));
    }
    bar.append(fill);
    const choose = options.onChoose;
    if (choose === undefined) {
      bar.disabled = true;
    } else {
      bar.addEventListener("click", () => choose(isoUtc(sinceMs), isoUtc(untilMs)));
    }
    bars.append(bar);
    axis.append(
      el("span", {
        className: "histogram-tick",
        text: ticks.has(index) ? tickLabel(sinceMs, activity.period_ms, options.utc) : "",
      }),
    );
    if (spike) {
      const note = el("li", {
        className: "histogram-spike-note",
        testid: "histogram-spike",
        text: `Spike: ${periodText(sinceMs, activity.period_ms, options.utc)}, ${formatCount(count)} ${count === 1 ? "event" : "events"}`,
      });
      spikeNotes.push(note);
    }
  });

  root.append(bars, axis);
  if (spikeNotes.length > 0) {
    root.append(el("ul", { className: "histogram-spikes" }, ...spikeNotes));
  }
  if (options.onChoose !== undefined) {
    root.append(el("p", { className: "muted histogram-hint", text: "Click a bar to see its events." }));
  }
  appendUntimed(root, activity.untimed);
  return root;
}

function appendUntimed(root: HTMLElement, untimed: number): void {
  if (untimed <= 0) return;
  const events = untimed === 1 ? "event has" : "events have";
  root.append(el("p", { className: "muted histogram-untimed", text: `${formatCount(untimed)} ${events} no readable time and are not charted.` }));
}
