// The events filter bar's model: which chips a filter shows, what removing one leaves,
// the pickers' fields, and the time presets (last 24 hours, last 7 and 30 days, this
// and last quarter) and the custom range in words; the zone arithmetic and the range's
// datetime-local inputs are components/time-input.ts. Pure functions only: no DOM, no
// IPC, no clock (the anchor time and the time-zone offset are passed in). It never
// counts or matches events: the shell does, with the filter built here.
//
// Presets are computed relative to the case's latest event time (the "anchor"), not to
// now: a bundle is often reviewed weeks after it was exported, and "the last 7 days"
// of an export means the last 7 days it covers. Only an empty case falls back to now.
// Day and quarter boundaries are midnights in the reviewer's time zone (UTC when the
// UTC switch is on), like the times the table shows.
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import { type OffsetAt, instantToWall, wallInputValue, wallToInstant } from "../../components/time-input";
import { baseName } from "../../format/path";
import type { FacetName } from "../../ipc";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export type PresetId = "24h" | "7d" | "30d" | "this-quarter" | "last-quarter";

export interface Preset {
  id: PresetId;
  label: string;
  /** What the preset means, for its tooltip. */
  explanation: string;
}

export const PRESETS: readonly Preset[] = [
  { id: "24h", label: "Last 24 hours", explanation: "the 24 hours up to the case's latest event" },
  { id: "7d", label: "Last 7 days", explanation: "the 7 calendar days ending on the day of the case's latest event" },
  { id: "30d", label: "Last 30 days", explanation: "the 30 calendar days ending on the day of the case's latest event" },
  { id: "this-quarter", label: "This quarter", explanation: "the calendar quarter of the case's latest event" },
  { id: "last-quarter", label: "Last quarter", explanation: "the calendar quarter before that of the case's latest event" },
];

export function presetLabel(id: PresetId): string {
  return PRESETS.find((preset) => preset.id === id)?.label ?? id;
}

/** A time range in ms since the epoch: `since` inclusive, `until` exclusive. */
export interface TimeRange {
  sinceMs: number;
  untilMs: number;
}

/** The range a preset stands for, around `anchorMs` (the case's latest event time). */
export function presetRange(id: PresetId, anchorMs: number, offsetAt: OffsetAt): TimeRange {
  if (id === "24h") {
    // `until` is exclusive: one millisecond past the anchor keeps the latest event in.
    return { sinceMs: anchorMs - DAY_MS, untilMs: anchorMs + 1 };
  }
  const wall = new Date(instantToWall(anchorMs, offsetAt));
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth();
  const day = wall.getUTCDate();
  const wallRange = (since: number, until: number): TimeRange => ({
    sinceMs: wallToInstant(since, offsetAt),
    untilMs: wallToInstant(until, offsetAt),
  });
  switch (id) {
    case "7d":
      return wallRange(Date.UTC(year, month, day - 6), Date.UTC(year, month, day + 1));
    case "30d":
      return wallRange(Date.UTC(year, month, day - 29), Date.UTC(year, month, day + 1));
    case "this-quarter": {
      const first = month - (month % 3);
      return wallRange(Date.UTC(year, first, 1), Date.UTC(year, first + 3, 1));
    }
    case "last-quarter": {
      const first = month - (month % 3);
      return wallRange(Date.UTC(year, first - 3, 1), Date.UTC(year, first, 1));
    }
  }
}

/** The filter's `since`/`until` for a range (RFC 3339, UTC). */
export function rangeFilter(range: TimeRange): { since: string; until: string } {
  return { since: new Date(range.sinceMs).toISOString(), until: new Date(range.untilMs).toISOString() };
}

/** "2026-01-05 08:00" (seconds only when not zero), in the given zone. */
export function shortTime(iso: string, offsetAt: OffsetAt): string {
  const value = wallInputValue(iso, offsetAt);
  if (value === "") return iso;
  const text = value.replace("T", " ");
  return text.endsWith(":00") ? text.slice(0, -3) : text;
}

/** "from 2026-01-01 00:00 to 2026-01-08 00:00", "from …", "before …". */
export function rangeText(since: string | null, until: string | null, offsetAt: OffsetAt): string {
  if (since !== null && until !== null) return `${shortTime(since, offsetAt)} to ${shortTime(until, offsetAt)}`;
  if (since !== null) return `from ${shortTime(since, offsetAt)}`;
  if (until !== null) return `before ${shortTime(until, offsetAt)}`;
  return "any time";
}

/** Words that read better in capitals. */
const UPPER_WORDS = new Set(["api", "ip", "id", "sso", "mfa", "totp", "csv", "crm"]);

/** "order.updated" → "Order updated", "api" → "API": a code as words, for labels only. */
export function humanize(value: string): string {
  const words = value
    .split(/[._\-\s]+/)
    .filter((word) => word !== "")
    .map((word) => (UPPER_WORDS.has(word.toLowerCase()) ? word.toUpperCase() : word));
  if (words.length === 0) return value;
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The fields the filter bar can show as chips. */
export type ChipField =
  | "actor"
  | "actor_type"
  | "action"
  | "category"
  | "target"
  | "outcome"
  | "channel"
  | "ip"
  | "batch"
  | "rule"
  | "file"
  | "text"
  | "time"
  | "request"
  | "starred"
  | "has_note"
  | "tag";

/** One active filter, as the reviewer reads it. */
export interface FilterChip {
  field: ChipField;
  /** Which actor or actor type, for the fields that hold several. */
  value: string | null;
  /** "Outcome: Denied". */
  label: string;
  /** The whole value when the label shortens it (a file's full path), for the tooltip. */
  title?: string;
}

/** A field with a picker that offers the values the shell counts (facets). */
export interface PickerField {
  field: Exclude<ChipField, "actor" | "actor_type" | "file" | "text" | "time" | "request" | "starred" | "has_note" | "tag">;
  facet: FacetName;
  title: string;
  testid: string;
  /** What typing a value of one's own means, for the picker's hint. */
  hint: string;
}

export const PICKER_FIELDS: readonly PickerField[] = [
  { field: "action", facet: "action", title: "Action", testid: "filter-action", hint: "an action, or order.* for every order action" },
  { field: "category", facet: "category", title: "Category", testid: "filter-category", hint: "a category" },
  { field: "target", facet: "target_type", title: "Record", testid: "filter-target", hint: "a record type, or Type:ID for one record (Order:1842)" },
  { field: "outcome", facet: "outcome", title: "Outcome", testid: "filter-outcome", hint: "success, failure or denied" },
  { field: "channel", facet: "channel", title: "Channel", testid: "filter-channel", hint: "a channel (web, api, import, …)" },
  { field: "ip", facet: "ip", title: "IP address", testid: "filter-ip", hint: "an IP address" },
  { field: "batch", facet: "batch", title: "Import batch", testid: "filter-batch", hint: "an import batch id" },
  { field: "rule", facet: "rule", title: "Rule", testid: "filter-rule", hint: "an automation rule id" },
];

const TITLES: Record<ChipField, string> = {
  actor: "Actor",
  actor_type: "Actor type",
  action: "Action",
  category: "Category",
  target: "Record",
  outcome: "Outcome",
  channel: "Channel",
  ip: "IP address",
  batch: "Import batch",
  rule: "Rule",
  file: "File",
  text: "Text",
  time: "Time",
  request: "Request",
  starred: "Starred",
  has_note: "Note",
  tag: "Tag",
};

/** How a picker's value reads: "Order updated", "Any order action", "Order #1842". */
export function valueLabel(field: ChipField, value: string): string {
  switch (field) {
    case "action":
      return value.endsWith(".*") ? `Any ${humanize(value.slice(0, -2)).toLowerCase()} action` : humanize(value);
    case "category":
    case "outcome":
    case "channel":
    case "actor_type":
      return humanize(value);
    default:
      return value;
  }
}

/** What the chips need to know besides the filter. */
export interface ChipNames {
  /** An actor's readable name. */
  actorName(actorId: string): string;
  /** The time chip's text for the filter's range ("Last 7 days (…)"). */
  timeLabel(since: string | null, until: string | null): string;
}

function targetLabel(filter: EventFilterDto): string {
  if (filter.target_type !== null && filter.target_id !== null) return `${filter.target_type} ${filter.target_id}`;
  if (filter.target_type !== null) return `any ${filter.target_type}`;
  return `ID ${filter.target_id ?? ""}`;
}

/** One chip per active filter, in the order of the filter bar. */
export function filterChips(filter: EventFilterDto, names: ChipNames): FilterChip[] {
  const chips: FilterChip[] = [];
  const add = (field: ChipField, value: string | null, text: string): void => {
    chips.push({ field, value, label: `${TITLES[field]}: ${text}` });
  };
  if (filter.text !== null && filter.text !== "") add("text", null, `“${filter.text}”`);
  for (const actor of filter.actors) add("actor", actor, names.actorName(actor));
  for (const actorType of filter.actor_types) add("actor_type", actorType, valueLabel("actor_type", actorType));
  const single: [ChipField, string | null][] = [
    ["action", filter.action],
    ["category", filter.category],
    ["outcome", filter.outcome],
    ["channel", filter.channel],
    ["ip", filter.ip],
    ["batch", filter.batch],
    ["rule", filter.rule],
  ];
  for (const [field, value] of single) {
    if (value !== null && value !== "") add(field, null, valueLabel(field, value));
  }
  if (filter.target_type !== null || filter.target_id !== null) add("target", null, targetLabel(filter));
  // The records of one file (a CloudTrail log file a finding names): its name, the path on hover.
  if (filter.file !== null && filter.file !== "") {
    chips.push({ field: "file", value: null, label: `${TITLES.file}: ${baseName(filter.file)}`, title: filter.file });
  }
  if (filter.request !== null && filter.request !== "") add("request", null, filter.request);
  if (filter.since !== null || filter.until !== null) add("time", null, names.timeLabel(filter.since, filter.until));
  // The reviewer's own marks.
  if (filter.starred) chips.push({ field: "starred", value: null, label: "Starred by you" });
  if (filter.has_note) chips.push({ field: "has_note", value: null, label: "With your note" });
  for (const tag of filter.tags) add("tag", tag, tag);
  return chips;
}

/** The filter without one field (every value of it), e.g. for that field's picker counts. */
export function withoutField(filter: EventFilterDto, field: ChipField): EventFilterDto {
  switch (field) {
    case "actor":
      return { ...filter, actors: [] };
    case "actor_type":
      return { ...filter, actor_types: [] };
    case "target":
      return { ...filter, target_type: null, target_id: null };
    case "time":
      return { ...filter, since: null, until: null };
    case "starred":
      return { ...filter, starred: false };
    case "has_note":
      return { ...filter, has_note: false };
    case "tag":
      return { ...filter, tags: [] };
    default:
      return { ...filter, [field]: null };
  }
}

/** The filter with one more tag (events carrying any of its tags match); unchanged if it had it. */
export function withTag(filter: EventFilterDto, tag: string): EventFilterDto {
  const text = tag.trim();
  if (text === "" || filter.tags.includes(text)) return filter;
  return { ...filter, tags: [...filter.tags, text] };
}

/** The filter without one chip: one actor (or actor type) of several, or the whole field. */
export function removeChip(filter: EventFilterDto, chip: FilterChip): EventFilterDto {
  if (chip.field === "actor" && chip.value !== null) {
    return { ...filter, actors: filter.actors.filter((actor) => actor !== chip.value) };
  }
  if (chip.field === "actor_type" && chip.value !== null) {
    return { ...filter, actor_types: filter.actor_types.filter((type) => type !== chip.value) };
  }
  if (chip.field === "tag" && chip.value !== null) {
    return { ...filter, tags: filter.tags.filter((tag) => tag !== chip.value) };
  }
  return withoutField(filter, chip.field);
}

/** The filter with a picker's field set to `value` (trimmed; empty clears it). */
export function withPickerValue(filter: EventFilterDto, field: PickerField["field"], value: string): EventFilterDto {
  const text = value.trim();
  if (text === "") return withoutField(filter, field);
  if (field === "target") {
    // As on the command line: `Type` or `Type:ID`.
    const colon = text.indexOf(":");
    if (colon < 0) return { ...filter, target_type: text, target_id: null };
    const type = text.slice(0, colon).trim();
    const id = text.slice(colon + 1).trim();
    return { ...filter, target_type: type === "" ? null : type, target_id: id === "" ? null : id };
  }
  return { ...filter, [field]: text };
}

/** The value a picker currently holds, as one could type it back. */
export function pickerValue(filter: EventFilterDto, field: PickerField["field"]): string | null {
  if (field === "target") {
    if (filter.target_type === null && filter.target_id === null) return null;
    return filter.target_id === null ? (filter.target_type ?? "") : `${filter.target_type ?? ""}:${filter.target_id}`;
  }
  return filter[field];
}

/**
 * "order.*"-style choices for the action picker: each prefix that two or more of the
 * offered actions share, in the order the actions came.
 */
export function actionPrefixes(actions: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const action of actions) {
    const dot = action.indexOf(".");
    if (dot <= 0) continue;
    const prefix = `${action.slice(0, dot)}.*`;
    seen.set(prefix, (seen.get(prefix) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n >= 2).map(([prefix]) => prefix);
}
