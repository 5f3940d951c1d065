// Tests of how a custody receipt is shown (features/verification/receipt-look.ts).
import { describe, expect, it } from "vitest";
import { receiptLook } from "./receipt-look";

describe("receiptLook", () => {
  it("shows a receipt that does not hold as a failure, whatever the source", () => {
    for (const verdict of ["verified", "unverifiable", null] as const) {
      const look = receiptLook({ holds: false }, verdict);
      expect(look.className).toContain("receipt-broken");
      expect(look.prominent).toBe(true);
    }
  });
  it("puts forward the receipt of a source with no integrity of its own", () => {
    const look = receiptLook({ holds: true }, "unverifiable");
    expect(look.className).toContain("receipt-holds");
    expect(look.prominent).toBe(true);
  });
  it("keeps a verified source's receipt quiet", () => {
    const look = receiptLook({ holds: true }, "verified");
    expect(look.prominent).toBe(false);
    expect(look.className).not.toContain("prominent");
  });
});
