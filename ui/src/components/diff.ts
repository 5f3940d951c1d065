// The field changes of one event, as the detail panel and the record history show
// them: one row per change with its kind in words (and colour), the field in words,
// and before → after as readable, wrapped text. It shows the shell's diff as it is and
// never computes one; text goes in with textContent only.
import type { ChangeDto } from "../bindings/ChangeDto";
import { changeKindLabel, formatValue, humanizePath, isSimpleValue, notableField } from "./diff-format";
import { el } from "./dom";
import "./diff.css";

/** A value cell: wrapped text, its direction isolated from its neighbours. */
function valueCell(value: unknown, testid: string, className: string): HTMLElement {
  const cell = el("div", {
    className: `change-value ${className}${isSimpleValue(value) ? "" : " change-value-block"}`,
    testid,
    text: formatValue(value),
  });
  if (value === null) cell.classList.add("change-value-empty");
  return cell;
}

/** An empty side of a change (nothing before an addition, nothing after a removal). */
function absentCell(className: string, text: string): HTMLElement {
  return el("div", { className: `change-value change-absent ${className}`, text });
}

/**
 * The changes as a list: kind, field, before → after. Changes of a status, owner,
 * assignee or role (NOTABLE_FIELDS) carry the class `change-notable`.
 */
export function renderChanges(changes: ChangeDto[]): HTMLElement {
  const list = el("ul", { className: "changes", testid: "changes" });
  for (const change of changes) {
    const kind = change.kind;
    const item = el("li", { className: `change change-${kind}`, testid: "change" });
    item.dataset.path = change.path;
    item.dataset.kind = kind;
    if (notableField(change.path) !== null) item.classList.add("change-notable");
    const field = el("div", { className: "change-field", text: humanizePath(change.path), title: change.path });
    const label = el("span", { className: "change-kind", text: changeKindLabel(kind) });
    const before =
      kind === "added"
        ? absentCell("change-before-cell", "(not there)")
        : valueCell(change.before, "change-before", "change-before-cell");
    const after =
      kind === "removed"
        ? absentCell("change-after-cell", "(gone)")
        : valueCell(change.after, "change-after", "change-after-cell");
    item.append(label, field, before, el("span", { className: "change-arrow", text: "→" }), after);
    list.append(item);
  }
  return list;
}
