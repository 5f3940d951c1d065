// What a re-verification found, shown at the top of the verification sidebar: the
// stored rows against their own hashes (a case edited behind the app's back) and each
// bundle's trust under the current keys. The words are the engine's; it decides nothing.
import type { ReverifyDto } from "../../bindings/ReverifyDto";
import { el } from "../../components/dom";
import { reverifySummary } from "./reverify-words";
import { renderFindingList } from "./view";

export function renderReverification(answer: ReverifyDto, onClose: () => void): HTMLElement {
  const close = el("button", { className: "link-button", testid: "reverify-close", text: "Hide" });
  close.type = "button";
  close.addEventListener("click", onClose);
  const edited = answer.findings.length > 0;
  const root = el(
    "section",
    { className: `reverify-result${edited ? " reverify-edited" : ""}`, testid: "reverify-result" },
    el("h2", { className: "section-title", text: "Re-verification" }),
    el("p", { className: "reverify-headline", testid: "reverify-headline", text: reverifySummary(answer) }),
    ...answer.bundles.map((sentence) => el("p", { className: "reverify-bundle", testid: "reverify-bundle", text: sentence })),
  );
  if (edited) root.append(renderFindingList(answer.findings, { openEvent: () => {} }, "reverify-finding"));
  root.append(close);
  return root;
}
