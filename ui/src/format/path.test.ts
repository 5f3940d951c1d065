// Tests of the short names of paths.
import { describe, expect, it } from "vitest";
import { baseName } from "./path";

describe("baseName", () => {
  it("keeps the last part of a Unix or Windows path", () => {
    expect(baseName("/evidence/march.audit.zip")).toBe("march.audit.zip");
    expect(baseName("C:\\exports\\orders.csv")).toBe("orders.csv");
    expect(baseName("/evidence/folder-bundle/")).toBe("folder-bundle");
    expect(baseName("orders.csv")).toBe("orders.csv");
  });
});
