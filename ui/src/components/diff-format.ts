// Pure presentation helpers for field changes and record values: field paths in words
// ("shipping_address.city" → "Shipping address › City"), values as a reader writes
// them (no JSON quotes, "(empty)" for null, yes/no, indented key: value lines), and the
// one list of fields whose changes stand out (status, owner, role…). No DOM, no IPC; it
// never computes a diff or a state: it only words what the shell sent.

/** One step of an engine path (see src/query/diff.rs): `a.b`, `[2]`, `[id=L2]`, `[]`, `["odd key"]`. */
export type PathSegment =
  | { kind: "key"; key: string }
  | { kind: "index"; index: number }
  | { kind: "id"; id: string }
  | { kind: "element" };

/**
 * Fields whose changes a reviewer must not miss: who owns a record, its status, its
 * roles. A change stands out when the last named field of its path is one of these.
 * The only place this list is kept.
 */
export const NOTABLE_FIELDS: readonly string[] = [
  "status",
  "state",
  "owner",
  "assignee",
  "assigned_to",
  "role",
  "roles",
  "stage",
];

/** Reads a JSON string literal starting at `start` (a `"`); its value and where it ends. */
function readQuoted(path: string, start: number): { text: string; end: number } | null {
  let index = start + 1;
  while (index < path.length) {
    const char = path[index];
    if (char === "\\") {
      index += 2;
      continue;
    }
    if (char === '"') {
      try {
        const text: unknown = JSON.parse(path.slice(start, index + 1));
        return typeof text === "string" ? { text, end: index + 1 } : null;
      } catch {
        return null;
      }
    }
    index += 1;
  }
  return null;
}

/**
 * What stands between brackets from `start` (just after `[` or `[id=`) to its `]`: a
 * JSON string (quoted) or plain text, and where reading goes on; null if unclosed.
 */
function readBracketed(path: string, start: number): { text: string; quoted: boolean; next: number } | null {
  if (path[start] === '"') {
    const quoted = readQuoted(path, start);
    return quoted !== null && path[quoted.end] === "]" ? { text: quoted.text, quoted: true, next: quoted.end + 1 } : null;
  }
  const close = path.indexOf("]", start);
  return close < 0 ? null : { text: path.slice(start, close), quoted: false, next: close + 1 };
}

/**
 * The segments of an engine path. A path it cannot read (not one the engine writes)
 * comes back as one key holding the whole text, so it is still shown as it is.
 */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let index = 0;
  const whole: PathSegment[] = [{ kind: "key", key: path }];
  while (index < path.length) {
    const char = path[index];
    if (char === ".") {
      index += 1;
      continue;
    }
    if (char === "[") {
      const isId = path.startsWith("[id=", index);
      const inside = readBracketed(path, index + (isId ? 4 : 1));
      if (inside === null) return whole;
      index = inside.next;
      if (isId) {
        segments.push({ kind: "id", id: inside.text });
      } else if (inside.quoted) {
        segments.push({ kind: "key", key: inside.text });
      } else if (inside.text === "") {
        segments.push({ kind: "element" });
      } else if (/^[0-9]+$/.test(inside.text)) {
        segments.push({ kind: "index", index: Number(inside.text) });
      } else {
        return whole;
      }
      continue;
    }
    let end = index;
    while (end < path.length && path[end] !== "." && path[end] !== "[") end += 1;
    segments.push({ kind: "key", key: path.slice(index, end) });
    index = end;
  }
  return segments;
}

/** Words that read better in capitals or spelled out. */
const WORDS: Record<string, string> = {
  id: "ID",
  ids: "IDs",
  ip: "IP",
  url: "URL",
  sku: "SKU",
  api: "API",
  qty: "quantity",
  vat: "VAT",
  iban: "IBAN",
};

/** A field name in words: `shipping_address` → "Shipping address", `customerId` → "Customer ID". */
export function humanizeKey(key: string): string {
  const spaced = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim();
  if (spaced === "") return key === "" ? "(unnamed)" : key;
  const words = spaced.split(/\s+/).map((word) => {
    const lower = word.toLowerCase();
    return WORDS[lower] ?? (word === word.toUpperCase() && word.length > 1 ? word : lower);
  });
  const first = words[0] ?? "";
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(" ");
}

/** A path in words: `shipping_address.city` → "Shipping address › City", `items[2].qty` → "Items › #3 › Quantity". */
export function humanizePath(path: string): string {
  if (path === "") return "Whole record";
  const parts: string[] = [];
  for (const segment of parsePath(path)) {
    switch (segment.kind) {
      case "key":
        parts.push(humanizeKey(segment.key));
        break;
      case "index":
        parts.push(`#${segment.index + 1}`);
        break;
      case "id":
        parts.push(segment.id);
        break;
      case "element":
        break;
    }
  }
  return parts.join(" › ");
}

/** The record's own field a path starts with (`address.city` → `address`); null for the whole value. */
export function topField(path: string): string | null {
  const first = parsePath(path)[0];
  return first !== undefined && first.kind === "key" ? first.key : null;
}

/** The notable field (see NOTABLE_FIELDS) a change is about, or null. */
export function notableField(path: string): string | null {
  const keys = parsePath(path).filter((segment) => segment.kind === "key");
  const last = keys[keys.length - 1];
  if (last === undefined || last.kind !== "key") return null;
  return NOTABLE_FIELDS.includes(last.key.toLowerCase()) ? last.key : null;
}

/** "Added", "Removed", "Changed" (or the engine's word, capitalised, if it sends another). */
export function changeKindLabel(kind: string): string {
  switch (kind) {
    case "added":
      return "Added";
    case "removed":
      return "Removed";
    case "changed":
      return "Changed";
    default:
      return kind === "" ? "Changed" : kind.charAt(0).toUpperCase() + kind.slice(1);
  }
}

function isPlain(value: unknown): boolean {
  return value === null || typeof value !== "object";
}

/** A value that is not an object or array, as a reader writes it. */
function plainText(value: unknown): string {
  if (value === null || value === undefined) return "(empty)";
  if (typeof value === "string") return value === "" ? "(blank)" : value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return String(value);
}

const INDENT = "  ";

/** Indents every line after the first of a block that follows a label on its line. */
function indentRest(text: string, indent: string): string {
  return text.split("\n").join(`\n${indent}`);
}

function valueLines(value: unknown): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return ["(no items)"];
    return value.map((item) => `• ${indentRest(valueLines(item).join("\n"), INDENT)}`);
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return ["(no fields)"];
    return entries.map(([key, item]) => {
      const label = humanizeKey(key);
      if (isPlain(item)) return `${label}: ${indentRest(plainText(item), INDENT)}`;
      return `${label}:${indentRest(`\n${valueLines(item).join("\n")}`, INDENT)}`;
    });
  }
  return [plainText(value)];
}

/**
 * A value as text a reader follows: strings as they are, null as "(empty)", booleans
 * yes/no, numbers as written; arrays as "• item" lines and objects as "Key: value"
 * lines, nested ones indented by two spaces. Shown with white-space: pre-wrap.
 */
export function formatValue(value: unknown): string {
  return valueLines(value).join("\n");
}

/** True for values shown on one line (not an object or array). */
export function isSimpleValue(value: unknown): boolean {
  return isPlain(value);
}
