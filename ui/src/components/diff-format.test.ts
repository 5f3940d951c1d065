// Tests of the change and value wording: paths in words, values without JSON syntax,
// and which changes stand out.
import { describe, expect, it } from "vitest";

import {
  changeKindLabel,
  formatValue,
  humanizeKey,
  humanizePath,
  notableField,
  parsePath,
  topField,
} from "./diff-format";

describe("parsePath", () => {
  it("reads every kind of segment the engine writes", () => {
    expect(parsePath("status")).toEqual([{ kind: "key", key: "status" }]);
    expect(parsePath("address.city")).toEqual([
      { kind: "key", key: "address" },
      { kind: "key", key: "city" },
    ]);
    expect(parsePath("lines[2].qty")).toEqual([
      { kind: "key", key: "lines" },
      { kind: "index", index: 2 },
      { kind: "key", key: "qty" },
    ]);
    expect(parsePath("lines[id=L2].qty")).toEqual([
      { kind: "key", key: "lines" },
      { kind: "id", id: "L2" },
      { kind: "key", key: "qty" },
    ]);
    expect(parsePath("tags[]")).toEqual([{ kind: "key", key: "tags" }, { kind: "element" }]);
  });

  it("reads quoted keys and ids, brackets and dots inside them included", () => {
    expect(parsePath('["a.b"]["c d"]')).toEqual([
      { kind: "key", key: "a.b" },
      { kind: "key", key: "c d" },
    ]);
    expect(parsePath('lines[id="a ]b"].qty')).toEqual([
      { kind: "key", key: "lines" },
      { kind: "id", id: "a ]b" },
      { kind: "key", key: "qty" },
    ]);
    expect(parsePath('["say \\"hi\\""]')).toEqual([{ kind: "key", key: 'say "hi"' }]);
  });

  it("keeps a path it cannot read whole, as one key", () => {
    expect(parsePath("a[b")).toEqual([{ kind: "key", key: "a[b" }]);
    expect(parsePath('["open')).toEqual([{ kind: "key", key: '["open' }]);
  });
});

describe("humanizePath", () => {
  it("words fields, positions and ids for a reader", () => {
    expect(humanizePath("shipping_address.city")).toBe("Shipping address › City");
    expect(humanizePath("items[2].qty")).toBe("Items › #3 › Quantity");
    expect(humanizePath("lines[id=L2].unit_price")).toBe("Lines › L2 › Unit price");
    expect(humanizePath("tags[]")).toBe("Tags");
    expect(humanizePath("customer_id")).toBe("Customer ID");
    expect(humanizePath("")).toBe("Whole record");
  });

  it("splits camel case and keeps acronyms", () => {
    expect(humanizeKey("postalCode")).toBe("Postal code");
    expect(humanizeKey("billingIBAN")).toBe("Billing IBAN");
    expect(humanizeKey("ip_address")).toBe("IP address");
    expect(humanizeKey("__")).toBe("__");
    expect(humanizeKey("")).toBe("(unnamed)");
  });
});

describe("topField and notableField", () => {
  it("names the record's own field a change is in", () => {
    expect(topField("address.city")).toBe("address");
    expect(topField("items[2]")).toBe("items");
    expect(topField('["odd key"].x')).toBe("odd key");
    expect(topField("")).toBeNull();
  });

  it("marks changes of status, owner, assignee and roles, nested ones too", () => {
    expect(notableField("status")).toBe("status");
    expect(notableField("assignee")).toBe("assignee");
    expect(notableField("roles[]")).toBe("roles");
    expect(notableField("account.owner")).toBe("owner");
    expect(notableField("Status")).toBe("Status");
    expect(notableField("status_note")).toBeNull();
    expect(notableField("subject")).toBeNull();
    expect(notableField("")).toBeNull();
  });
});

describe("changeKindLabel", () => {
  it("gives each kind a word", () => {
    expect(changeKindLabel("added")).toBe("Added");
    expect(changeKindLabel("removed")).toBe("Removed");
    expect(changeKindLabel("changed")).toBe("Changed");
    expect(changeKindLabel("moved")).toBe("Moved");
  });
});

describe("formatValue", () => {
  it("writes plain values without JSON syntax", () => {
    expect(formatValue("Pending Review")).toBe("Pending Review");
    expect(formatValue(null)).toBe("(empty)");
    expect(formatValue("")).toBe("(blank)");
    expect(formatValue(true)).toBe("yes");
    expect(formatValue(false)).toBe("no");
    expect(formatValue(1548)).toBe("1548");
    expect(formatValue(9.99)).toBe("9.99");
    expect(formatValue('say "hi"')).toBe('say "hi"');
  });

  it("writes objects as key: value lines and arrays as bullets, nested ones indented", () => {
    expect(formatValue({ city: "Milano", postal_code: "20121" })).toBe("City: Milano\nPostal code: 20121");
    expect(formatValue(["bug", "billing"])).toBe("• bug\n• billing");
    expect(formatValue([])).toBe("(no items)");
    expect(formatValue({})).toBe("(no fields)");
    expect(formatValue([{ qty: 12, sku: "SKU-1042" }, { qty: 1, sku: "SKU-2" }])).toBe(
      "• Quantity: 12\n  SKU: SKU-1042\n• Quantity: 1\n  SKU: SKU-2",
    );
    expect(formatValue({ address: { city: "Leeds", lines: ["1 Elm", null] }, vip: false })).toBe(
      "Address:\n  City: Leeds\n  Lines:\n    • 1 Elm\n    • (empty)\nVip: no",
    );
  });

  it("keeps a multi-line string inside its indentation", () => {
    expect(formatValue({ note: "first\nsecond" })).toBe("Note: first\n  second");
  });

  it("keeps hostile text as the very characters it is", () => {
    const markup = '<img src=x onerror="alert(1)">';
    expect(formatValue(markup)).toBe(markup);
    expect(formatValue("\u202Eevil")).toBe("\u202Eevil");
  });
});
