// The reviewer's marks in words and the tag input's parsing: what a typed line of tags
// means (comma-separated, trimmed, no repeats, none already on the subject), which tags
// in use to suggest for what is typed, and the star's label. Pure: no DOM, no IPC; the
// engine keeps the marks and decides what a valid tag is.
import type { TagCountDto } from "../bindings/TagCountDto";

/**
 * The tags a typed line adds: split on commas (a tag may hold spaces), trimmed, empty
 * parts dropped, each once, and none the subject carries already.
 */
export function parseTags(text: string, existing: readonly string[] = []): string[] {
  const seen = new Set(existing);
  const tags: string[] = [];
  for (const part of text.split(",")) {
    const tag = part.trim();
    if (tag === "" || seen.has(tag)) continue;
    seen.add(tag);
    tags.push(tag);
  }
  return tags;
}

/**
 * Tags in use to offer while typing: those containing what is typed after the last comma
 * (any case), most used first as the engine sent them, not already on the subject.
 */
export function tagSuggestions(
  inUse: readonly TagCountDto[],
  typed: string,
  existing: readonly string[],
  limit = 8,
): TagCountDto[] {
  const last = typed.split(",").pop()?.trim().toLowerCase() ?? "";
  return inUse
    .filter((item) => !existing.includes(item.tag) && item.tag.toLowerCase().includes(last))
    .slice(0, limit);
}

/** The star toggle's text and what clicking it does. */
export function starLabel(starred: boolean): { text: string; title: string } {
  return starred
    ? { text: "★ Starred", title: "Starred by you; click to remove the star" }
    : { text: "☆ Star", title: "Star it, to find it again (Starred filter)" };
}
