// Placeholder for the Questions view, mounted by main.ts; replaced by the real view.
import type { AppContext, ViewHandle } from "../../app/context";
import { el } from "../../components/dom";

export function questionsView(_ctx: AppContext): ViewHandle {
  const root = el("section", { className: "view-placeholder", text: "Questions: not built yet." });
  return { root, refresh() {} };
}
