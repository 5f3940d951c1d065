// Placeholder for the Trusted keys and checkpoints view, mounted by main.ts; replaced by the real view.
import type { AppContext, ViewHandle } from "../../app/context";
import { el } from "../../components/dom";

export function trustView(_ctx: AppContext): ViewHandle {
  const root = el("section", { className: "view-placeholder", text: "Trusted keys and checkpoints: not built yet." });
  return { root, refresh() {} };
}
