// Keyboard navigation of the events view as pure decisions: which command a key press
// means (`/` search, j/k or the arrows to move, Enter to open, Esc to close), and
// where the selection moves. No DOM, no IPC: the view reads the key and the focused
// element, asks here, and acts.

export type KeyCommand = "focus-search" | "next" | "previous" | "open" | "close";

/**
 * What has the keyboard focus: nothing in particular, a text field (input, select,
 * textarea, editable text: it takes every key but Esc), or a control (a button or a
 * link: it takes Enter and Space for itself).
 */
export type FocusKind = "none" | "text" | "control";

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  focus: FocusKind;
}

/** The command a key press means in the events view, or null to leave it alone. */
export function keyCommand(press: KeyPress): KeyCommand | null {
  if (press.key === "Escape") return "close";
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (press.focus === "text") return null;
  switch (press.key) {
    case "/":
      return "focus-search";
    case "j":
    case "ArrowDown":
      return "next";
    case "k":
    case "ArrowUp":
      return "previous";
    case "Enter":
      return press.focus === "control" ? null : "open";
    default:
      return null;
  }
}

/** The kind of focus an element gives, from its tag, input type and editability. */
export function focusKind(tagName: string | null, inputType: string | null, editable: boolean): FocusKind {
  if (tagName === null) return "none";
  if (editable) return "text";
  switch (tagName.toUpperCase()) {
    case "TEXTAREA":
    case "SELECT":
      return "text";
    case "INPUT": {
      const type = (inputType ?? "text").toLowerCase();
      return type === "checkbox" || type === "radio" || type === "button" || type === "submit" || type === "reset"
        ? "control"
        : "text";
    }
    case "BUTTON":
    case "A":
    case "SUMMARY":
      return "control";
    default:
      return "none";
  }
}

/**
 * The row index after a move, among `count` loaded rows; from no selection both
 * directions start at the first row. Null when there are no rows.
 */
export function movedIndex(current: number | null, command: "next" | "previous", count: number): number | null {
  if (count <= 0) return null;
  if (current === null || current < 0 || current >= count) return 0;
  const next = command === "next" ? current + 1 : current - 1;
  return Math.min(count - 1, Math.max(0, next));
}

/** Whether moving down from `current` needs the next page first. */
export function needsNextPage(current: number | null, count: number, hasMore: boolean): boolean {
  return hasMore && current !== null && current >= count - 1;
}
