// The mapping form's state and its two translations: to the draft the shell turns into
// a mapping (MappingDraftDto), and back from a saved mapping's draft. Also the plain
// words for each event field. Pure: no DOM, no IPC. It never decides whether a mapping
// is valid or fits the file; the engine does, and the form shows what it says.
import type { FieldSourceDto } from "../../bindings/FieldSourceDto";
import type { MappingDraftDto } from "../../bindings/MappingDraftDto";
import type { RecordFormatDto } from "../../bindings/RecordFormatDto";

/** Where the form takes one event field from. */
export type FieldChoice =
  | { kind: "none" }
  | { kind: "column"; column: string }
  | { kind: "constant"; value: string }
  | { kind: "hash" };

/** How the file writes its times. */
export type TimeChoice = "rfc3339" | "epoch_seconds" | "epoch_millis" | "pattern";

/** One row of a value map: the file's text and the value to use instead. */
export interface ValuePair {
  from: string;
  to: string;
}

export interface FormState {
  /** What the mapping is saved as (and what its events are called). */
  name: string;
  /** Event field → where its value comes from; a field not listed is not in the file. */
  fields: Record<string, FieldChoice>;
  time: TimeChoice;
  /** The pattern when `time` is "pattern", e.g. `%d/%m/%Y %H:%M:%S`. */
  pattern: string;
  /** Empty for UTC; else a zone name (Europe/Madrid) or an offset (+02:00). */
  timezone: string;
  /** The outcome field's value map (`OK` → success, `403` → denied). */
  outcomes: ValuePair[];
  /** Value maps of other fields, kept as a saved mapping had them. */
  otherValues: Record<string, Record<string, string>>;
}

/** The field whose value map the form edits. */
export const OUTCOME = "outcome";

/** The outcomes of the event model, for the value map's choices. */
export const OUTCOME_VALUES = ["success", "failure", "denied"] as const;

/** Time formats offered, with the words shown for each. */
export const TIME_CHOICES: readonly [TimeChoice, string][] = [
  ["rfc3339", "ISO 8601 / RFC 3339 (2026-03-01T09:30:00Z)"],
  ["epoch_seconds", "Seconds since 1970 (1772357400)"],
  ["epoch_millis", "Milliseconds since 1970 (1772357400000)"],
  ["pattern", "Another pattern…"],
];

/** Plain words for each event field, for people who are not engineers. */
const LABELS: Record<string, string> = {
  id: "Unique id of the entry",
  ts: "When it happened",
  action: "What was done",
  category: "Kind of activity",
  "actor.id": "Who did it (id)",
  "actor.type": "Who did it (type)",
  "actor.name": "Who did it (name)",
  "actor.email": "Who did it (email)",
  "on_behalf_of.id": "On behalf of whom (id)",
  "on_behalf_of.name": "On behalf of whom (name)",
  "target.type": "Which record (type)",
  "target.id": "Which record (id)",
  "target.name": "Which record (name)",
  outcome: "How it ended (outcome)",
  reason: "Why (the reason given)",
  "source.ip": "From which address (IP)",
  "source.user_agent": "From which program (browser or app)",
  "source.channel": "Through which channel (web, API, import…)",
  "source.request_id": "Request id",
  "source.batch_id": "Import batch id",
  "source.client_id": "API client id",
  "source.rule.id": "Automation rule id",
  context: "Other details",
  before: "The record before the change",
  after: "The record after the change",
  requested: "What the request asked for",
  result: "What came back",
};

/** The words for a field; a field the form does not know yet shows its own name. */
export function fieldLabel(field: string): string {
  return LABELS[field] ?? field;
}

/** Fields where one value for every entry makes sense (a log of one kind of thing). */
const CONSTANT_FIELDS = new Set(["action", "category", "actor.type", "target.type", "outcome", "source.channel"]);

/** The example shown in a field's fixed-value box. */
const CONSTANT_EXAMPLES: Record<string, string> = {
  action: "e.g. order.updated",
  category: "e.g. orders",
  "actor.type": "e.g. user",
  "target.type": "e.g. Order",
  outcome: "e.g. success",
  "source.channel": "e.g. web",
};

/** Whether the form offers "the same value for every entry" for `field`. */
export function offersConstant(field: string): boolean {
  return CONSTANT_FIELDS.has(field);
}

export function constantExample(field: string): string {
  return CONSTANT_EXAMPLES[field] ?? "";
}

/** Whether the form offers "hash of the record" for `field` (the event id only). */
export function offersHash(field: string): boolean {
  return field === "id";
}

/** A new form: nothing chosen but an id from the record's hash, times in ISO 8601 and UTC. */
export function emptyForm(): FormState {
  return {
    name: "",
    fields: { id: { kind: "hash" } },
    time: "rfc3339",
    pattern: "",
    timezone: "",
    outcomes: [],
    otherValues: {},
  };
}

/** `text` trimmed, or null when nothing is left. */
function given(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

/**
 * The draft the shell makes a mapping of. Columns are CSV columns, or JSON pointers
 * for a JSON file; a fixed value left blank, and a value-map row without the file's
 * text, are left out (the form shows them as not filled in).
 */
export function draftOf(state: FormState, format: RecordFormatDto): MappingDraftDto {
  const fields: Record<string, FieldSourceDto> = {};
  for (const [field, choice] of Object.entries(state.fields)) {
    if (choice.kind === "column") {
      fields[field] = format === "csv" ? { kind: "column", value: choice.column } : { kind: "pointer", value: choice.column };
    } else if (choice.kind === "constant" && choice.value.trim() !== "") {
      fields[field] = { kind: "constant", value: choice.value.trim() };
    } else if (choice.kind === "hash") {
      fields[field] = { kind: "hash_of_record" };
    }
  }
  const values: Record<string, Record<string, string>> = {};
  for (const [field, map] of Object.entries(state.otherValues)) {
    if (field !== OUTCOME && Object.keys(map).length > 0) values[field] = { ...map };
  }
  const outcomes: Record<string, string> = {};
  for (const pair of state.outcomes) {
    if (pair.from.trim() !== "") outcomes[pair.from.trim()] = pair.to;
  }
  if (Object.keys(outcomes).length > 0) values[OUTCOME] = outcomes;
  return {
    name: given(state.name),
    format,
    fields,
    time_format: state.time === "rfc3339" ? null : state.time === "pattern" ? state.pattern : state.time,
    timezone: given(state.timezone),
    values,
  };
}

/** The form's state for a saved mapping's draft (to reuse it on this file). */
export function formOf(draft: MappingDraftDto, savedAs: string): FormState {
  const fields: Record<string, FieldChoice> = {};
  for (const [field, source] of Object.entries(draft.fields)) {
    switch (source.kind) {
      case "column":
      case "pointer":
        fields[field] = { kind: "column", column: source.value };
        break;
      case "constant":
        fields[field] = { kind: "constant", value: source.value };
        break;
      case "hash_of_record":
        fields[field] = { kind: "hash" };
        break;
    }
  }
  const format = draft.time_format;
  const time: TimeChoice =
    format === null || format === "rfc3339"
      ? "rfc3339"
      : format === "epoch_seconds" || format === "epoch_millis"
        ? format
        : "pattern";
  const otherValues: Record<string, Record<string, string>> = {};
  let outcomes: ValuePair[] = [];
  for (const [field, map] of Object.entries(draft.values)) {
    if (field === OUTCOME) {
      outcomes = Object.entries(map).map(([from, to]) => ({ from, to }));
    } else {
      otherValues[field] = { ...map };
    }
  }
  return {
    name: savedAs,
    fields,
    time,
    pattern: time === "pattern" && format !== null ? format : "",
    timezone: draft.timezone ?? "",
    outcomes,
    otherValues,
  };
}

/** The columns a state reads that the file does not have (a saved mapping of another file). */
export function missingColumns(state: FormState, columns: readonly string[]): string[] {
  const known = new Set(columns);
  const missing = new Set<string>();
  for (const choice of Object.values(state.fields)) {
    if (choice.kind === "column" && !known.has(choice.column)) missing.add(choice.column);
  }
  return [...missing].sort();
}

/** The distinct non-blank values of `column` in the first records, in order of appearance. */
export function valuesSeen(columns: readonly string[], rows: readonly (readonly string[])[], column: string): string[] {
  const index = columns.indexOf(column);
  if (index < 0) return [];
  const seen: string[] = [];
  for (const row of rows) {
    const value = row[index];
    if (value !== undefined && value.trim() !== "" && !seen.includes(value)) seen.push(value);
  }
  return seen;
}
