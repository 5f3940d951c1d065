// How a custody receipt is shown: a receipt that holds is the proof of custody (and,
// for a source with no integrity of its own, the only proof that later tampering is
// detectable: then it is shown prominently); one that does not hold is a failure.
// Pure: no DOM, no IPC; `holds` and the sentence are the engine's.
import type { ReceiptDto } from "../../bindings/ReceiptDto";
import type { VerdictDto } from "../../bindings/VerdictDto";

export interface ReceiptLook {
  /** CSS classes of the receipt's box. */
  className: string;
  /** The words before the engine's sentence. */
  label: string;
  /** Shown prominently: a failure, or the only proof a source has. */
  prominent: boolean;
}

export function receiptLook(receipt: Pick<ReceiptDto, "holds">, sourceVerdict: VerdictDto | null): ReceiptLook {
  if (!receipt.holds) {
    return { className: "receipt receipt-broken prominent", label: "✗ Custody receipt does not hold", prominent: true };
  }
  // A source that carries no hash or signature: the receipt is what can catch a later change.
  if (sourceVerdict === "unverifiable") {
    return { className: "receipt receipt-holds prominent", label: "✓ Custody receipt — the proof this copy is unchanged", prominent: true };
  }
  return { className: "receipt receipt-holds", label: "✓ Custody receipt", prominent: false };
}
