// "Report…" in the verification sidebar: the auditor's report of the whole case in
// one click. The shell asks where to save it (a native dialog), the engine writes the
// HTML report and the PDF beside it and journals it; while it works the button says
// so and cannot be clicked again; afterwards the frame's notice names the files
// saved. It computes nothing: the report, its verdict and its words are the engine's.
import type { AppContext } from "../../app/context";
import { button } from "../../components/dom";
import { writeReport } from "../../ipc";
import { reportSavedMessage } from "./report-words";

const LABEL = "Report…";

export function reportButton(ctx: AppContext): HTMLButtonElement {
  const node = button(LABEL, "write-report");
  node.title =
    "Write the auditor's report of this case: what was examined, every verdict and finding, your marks and your journal, as a web page that opens in any browser and a PDF beside it";
  node.addEventListener("click", () => {
    node.disabled = true;
    node.textContent = "Writing the report…";
    node.setAttribute("aria-busy", "true");
    writeReport()
      .then((written) => {
        ctx.showNotice(written === null ? "Report cancelled; nothing was written." : reportSavedMessage(written));
      })
      .catch(ctx.showError)
      .finally(() => {
        node.disabled = false;
        node.textContent = LABEL;
        node.removeAttribute("aria-busy");
      });
  });
  return node;
}
