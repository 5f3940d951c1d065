// Placeholder for the Record history view, mounted by main.ts; replaced by the real view.
import type { AppContext, ViewHandle } from "../../app/context";
import { el } from "../../components/dom";

export interface RecordView extends ViewHandle {
  show(targetType: string, targetId: string, at: string | null): void;
}

export function recordView(_ctx: AppContext): RecordView {
  const root = el("section", { className: "view-placeholder", text: "Record history: not built yet." });
  return { root, refresh() {}, show() {} };
}
