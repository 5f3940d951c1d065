// "Evidence excerpt…" beside the events view's exports: an in-app dialog asks why these
// events (optional; it goes into the statement the reviewer signs), then the shell asks
// where (a new folder, in a native save dialog), the engine writes the excerpt of the
// events of the current view and journals it, and the frame's notice says what was
// written. While it works the dialog says so and cannot be sent again. It refuses
// nothing itself: the engine refuses no events and too many, and its words are shown.
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { ExcerptWrittenDto } from "../../bindings/ExcerptWrittenDto";
import { button, el } from "../../components/dom";
import { excerptSavedMessage } from "./excerpt-words";
import "./excerpt.css";

const WRITE_LABEL = "Choose a folder and write…";

export interface ExcerptControlOptions {
  /** The filter of the view now. */
  filter(): EventFilterDto;
  /** The shell's `write_excerpt`: null when the reviewer cancelled the folder dialog. */
  write(filter: EventFilterDto, reason: string | null): Promise<ExcerptWrittenDto | null>;
  showNotice(message: string): void;
  showError(error: unknown): void;
}

/** The "Evidence excerpt…" button with its dialog (kept beside it, shown as a modal). */
export function excerptControl(options: ExcerptControlOptions): HTMLElement {
  const open = button("Evidence excerpt…", "excerpt-open", "preset");
  open.title =
    "Take the events of this view, with what proves each of them, into a folder that anyone can check without this case, with a statement signed by you";

  const reason = el("textarea", { className: "excerpt-reason", testid: "excerpt-reason" });
  reason.id = "excerpt-reason";
  reason.rows = 3;
  reason.placeholder = "For example: Order #1842 was approved by the person who requested it.";
  const write = button(WRITE_LABEL, "excerpt-write", "button");
  const cancel = button("Cancel", "excerpt-cancel", "button button-secondary");
  const status = el("p", { className: "excerpt-status muted", testid: "excerpt-status" });
  status.hidden = true;
  const label = el("label", { className: "excerpt-label", text: "Why these events?" });
  label.htmlFor = reason.id;
  const dialog = el(
    "dialog",
    { className: "excerpt-dialog", testid: "excerpt-dialog" },
    el("h2", { className: "excerpt-dialog-title", text: "Evidence excerpt of this view" }),
    el("p", {
      text: "The events this view shows go into a new folder, each with what proves it, together with a statement, signed with your key, of what you chose and why. Anyone can check the folder without this case: in Trailscope (Open a folder…) or with “trailscope verify”.",
    }),
    label,
    reason,
    el("p", { className: "muted excerpt-hint", text: "Optional. It is written into the signed statement, for whoever checks the excerpt." }),
    status,
    el("div", { className: "excerpt-dialog-actions" }, write, cancel),
  );
  dialog.setAttribute("aria-label", "Evidence excerpt of this view");

  let busy = false;
  const setBusy = (on: boolean): void => {
    busy = on;
    write.disabled = on;
    cancel.disabled = on;
    reason.disabled = on;
    write.textContent = on ? "Writing the excerpt…" : WRITE_LABEL;
    if (on) write.setAttribute("aria-busy", "true");
    else write.removeAttribute("aria-busy");
    status.hidden = !on;
    status.textContent = on ? "Choose a new folder for the excerpt; the events are then written there with their proofs." : "";
  };
  // Keys typed in the dialog are its own: the table behind it must not move (j, k, /),
  // and Escape closes the dialog, not the event's detail.
  dialog.addEventListener("keydown", (event) => event.stopPropagation());
  // Escape closes a modal dialog; not while the excerpt is being written.
  dialog.addEventListener("cancel", (event) => {
    if (busy) event.preventDefault();
  });
  open.addEventListener("click", () => {
    if (!dialog.open) dialog.showModal();
    reason.focus();
  });
  cancel.addEventListener("click", () => dialog.close());
  write.addEventListener("click", () => {
    if (busy) return;
    const why = reason.value.trim();
    setBusy(true);
    options
      .write(options.filter(), why === "" ? null : why)
      .then((written) => {
        dialog.close();
        if (written === null) {
          options.showNotice("Excerpt cancelled; nothing was written.");
          return;
        }
        reason.value = "";
        options.showNotice(excerptSavedMessage(written));
      })
      .catch((error: unknown) => {
        // The reason stays, for another try with a narrower view.
        dialog.close();
        options.showError(error);
      })
      .finally(() => setBusy(false));
  });

  return el("span", { className: "excerpt-control" }, open, dialog);
}
