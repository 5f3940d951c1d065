// The import progress bar: a bar, a line of numbers (events, percent, events/s, time left) and
// a Cancel button. A shared widget: it shows what it is given and calls back on
// Cancel; it never calls the shell itself.
import type { ImportProgressDto } from "../bindings/ImportProgressDto";
import { progressText } from "../format/progress";
import { el } from "./dom";

export interface ProgressWidget {
  root: HTMLElement;
  update(progress: ImportProgressDto): void;
  /** Shows a final message in place of the numbers (e.g. "Cancelling…"). */
  say(text: string): void;
}

export function progressWidget(title: string, onCancel: () => void): ProgressWidget {
  const bar = el("progress", { className: "progress-bar", testid: "import-progress-bar" });
  bar.max = 1;
  const text = el("p", { className: "progress-text", testid: "import-progress-text", text: "Starting…" });
  const cancel = el("button", { className: "button", testid: "import-cancel", text: "Cancel" });
  cancel.type = "button";
  cancel.addEventListener("click", () => {
    cancel.disabled = true;
    onCancel();
  });
  const root = el(
    "section",
    { className: "progress", testid: "import-progress" },
    el("h2", { className: "progress-title", text: title }),
    bar,
    el("div", { className: "progress-row" }, text, cancel),
  );
  return {
    root,
    update(progress) {
      const fraction = progress.fraction_done;
      if (fraction === null) {
        bar.removeAttribute("value");
      } else {
        bar.value = fraction;
      }
      text.textContent = progressText(progress);
    },
    say(message) {
      text.textContent = message;
    },
  };
}
