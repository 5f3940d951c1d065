// Tests of the events view's key handling: which command a key means where the focus
// is, and how the selection moves. Pure; no DOM.
import { describe, expect, it } from "vitest";
import { type FocusKind, focusKind, keyCommand, movedIndex, needsNextPage } from "./keyboard";

function press(key: string, focus: FocusKind = "none", modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) {
  return keyCommand({ key, focus, ctrlKey: false, metaKey: false, altKey: false, ...modifiers });
}

describe("keyCommand", () => {
  it("maps the navigation keys when nothing is being typed", () => {
    expect(press("/")).toBe("focus-search");
    expect(press("j")).toBe("next");
    expect(press("ArrowDown")).toBe("next");
    expect(press("k")).toBe("previous");
    expect(press("ArrowUp")).toBe("previous");
    expect(press("Enter")).toBe("open");
    expect(press("Escape")).toBe("close");
    expect(press("x")).toBeNull();
  });

  it("leaves every key but Esc to a text field", () => {
    for (const key of ["/", "j", "k", "ArrowDown", "Enter"]) expect(press(key, "text")).toBeNull();
    expect(press("Escape", "text")).toBe("close");
  });

  it("leaves Enter to a focused button but still moves with j", () => {
    expect(press("Enter", "control")).toBeNull();
    expect(press("j", "control")).toBe("next");
  });

  it("ignores shortcuts with modifiers, such as Ctrl+J", () => {
    expect(press("j", "none", { ctrlKey: true })).toBeNull();
    expect(press("/", "none", { metaKey: true })).toBeNull();
    expect(press("Escape", "none", { altKey: true })).toBe("close");
  });
});

describe("focusKind", () => {
  it("tells text fields from controls", () => {
    expect(focusKind("INPUT", "search", false)).toBe("text");
    expect(focusKind("INPUT", "datetime-local", false)).toBe("text");
    expect(focusKind("INPUT", "checkbox", false)).toBe("control");
    expect(focusKind("SELECT", null, false)).toBe("text");
    expect(focusKind("BUTTON", null, false)).toBe("control");
    expect(focusKind("DIV", null, true)).toBe("text");
    expect(focusKind("DIV", null, false)).toBe("none");
    expect(focusKind(null, null, false)).toBe("none");
  });
});

describe("movedIndex", () => {
  it("starts at the first row from no selection", () => {
    expect(movedIndex(null, "next", 10)).toBe(0);
    expect(movedIndex(null, "previous", 10)).toBe(0);
  });

  it("moves one row and stops at both ends", () => {
    expect(movedIndex(0, "next", 3)).toBe(1);
    expect(movedIndex(2, "next", 3)).toBe(2);
    expect(movedIndex(1, "previous", 3)).toBe(0);
    expect(movedIndex(0, "previous", 3)).toBe(0);
  });

  it("has nowhere to go without rows, and restarts from a selection that is gone", () => {
    expect(movedIndex(null, "next", 0)).toBeNull();
    expect(movedIndex(7, "next", 3)).toBe(0);
  });
});

describe("needsNextPage", () => {
  it("asks for a page only on the last loaded row when more exist", () => {
    expect(needsNextPage(9, 10, true)).toBe(true);
    expect(needsNextPage(8, 10, true)).toBe(false);
    expect(needsNextPage(9, 10, false)).toBe(false);
    expect(needsNextPage(null, 10, true)).toBe(false);
  });
});
