// The custody receipts in the verification sidebar: for each source, the engine's
// sentence ("Received and sealed by you on … — unchanged since.") and when it was
// received, in local time (UTC on hover or with the UTC switch). A receipt that does
// not hold is a failure (red); a source with no integrity of its own has its receipt
// shown prominently, since it is what makes a later change detectable.
import type { BundleDto } from "../../bindings/BundleDto";
import type { ReceiptDto } from "../../bindings/ReceiptDto";
import { el } from "../../components/dom";
import { formatTime } from "../../format/time";
import { receiptLook } from "./receipt-look";
import { wordsWithTimes } from "./view";

export function renderReceipts(receipts: ReceiptDto[], bundles: BundleDto[], utc: boolean): HTMLElement {
  const root = el("section", { className: "receipts", testid: "receipts" });
  if (receipts.length === 0) return root;
  for (const receipt of receipts) {
    const bundle = bundles.find((item) => item.bundle_idx === receipt.source_index);
    const look = receiptLook(receipt, bundle?.verdict ?? null);
    const box = el(
      "div",
      { className: look.className, testid: "receipt" },
      el("p", { className: "receipt-label", text: look.label }),
      el("p", { className: "receipt-sentence", testid: "receipt-sentence", title: receipt.sentence }, ...wordsWithTimes(receipt.sentence, utc)),
      el(
        "p",
        { className: "receipt-meta muted" },
        "Received ",
        el("time", { testid: "receipt-received", text: formatTime(receipt.received_at, utc), title: formatTime(receipt.received_at, true) }),
        ` · ${receipt.path}`,
      ),
    );
    box.dataset.holds = String(receipt.holds);
    box.dataset.source = String(receipt.source_index);
    root.append(box);
  }
  return root;
}
