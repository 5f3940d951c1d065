// The front end's only door to the desktop shell: every call to Rust goes through
// this folder, and no other file may import @tauri-apps/api. Types come from the
// generated bindings (ui/src/bindings), never from hand-copied shapes.
// It must never decide a verdict or reshape engine results; it only carries them.
import { Channel, invoke, isTauri } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { ActivityDto } from "../bindings/ActivityDto";
import type { ActorDto } from "../bindings/ActorDto";
import type { PersonDto } from "../bindings/PersonDto";
import type { AwsKeyListDto } from "../bindings/AwsKeyListDto";
import type { CaseSummaryDto } from "../bindings/CaseSummaryDto";
import type { CheckpointFileDto } from "../bindings/CheckpointFileDto";
import type { ErrorDto } from "../bindings/ErrorDto";
import type { EventDetailDto } from "../bindings/EventDetailDto";
import type { EventFilterDto } from "../bindings/EventFilterDto";
import type { EventPageDto } from "../bindings/EventPageDto";
import type { ExportResultDto } from "../bindings/ExportResultDto";
import type { ExcerptCheckDto } from "../bindings/ExcerptCheckDto";
import type { ExcerptWrittenDto } from "../bindings/ExcerptWrittenDto";
import type { FacetCountDto } from "../bindings/FacetCountDto";
import type { FilePreviewDto } from "../bindings/FilePreviewDto";
import type { FindingGroupDto } from "../bindings/FindingGroupDto";
import type { ImportProgressDto } from "../bindings/ImportProgressDto";
import type { MappingDraftDto } from "../bindings/MappingDraftDto";
import type { OpenedDto } from "../bindings/OpenedDto";
import type { ParquetExportDto } from "../bindings/ParquetExportDto";
import type { PreviewEventDto } from "../bindings/PreviewEventDto";
import type { QuestionDto } from "../bindings/QuestionDto";
import type { RecentCaseDto } from "../bindings/RecentCaseDto";
import type { ReverifyDto } from "../bindings/ReverifyDto";
import type { SavedMappingDto } from "../bindings/SavedMappingDto";
import type { TimelineDto } from "../bindings/TimelineDto";
import type { TrustedKeyDto } from "../bindings/TrustedKeyDto";
import type { JournalDto } from "../bindings/JournalDto";
import type { MarksDto } from "../bindings/MarksDto";
import type { NeighboursDto } from "../bindings/NeighboursDto";
import type { ReceiptDto } from "../bindings/ReceiptDto";
import type { ReportWrittenDto } from "../bindings/ReportWrittenDto";
import type { ReviewerDto } from "../bindings/ReviewerDto";
import type { SavedSearchDto } from "../bindings/SavedSearchDto";
import type { SubjectDto } from "../bindings/SubjectDto";
import type { TagCountDto } from "../bindings/TagCountDto";
import type { TextIndexDto } from "../bindings/TextIndexDto";

/** A command's failure, with the shell's code to switch on. */
export class CommandError extends Error {
  readonly code: string;
  constructor(dto: ErrorDto) {
    super(dto.message);
    this.name = "CommandError";
    this.code = dto.code;
  }
}

function isErrorDto(value: unknown): value is ErrorDto {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error: unknown) {
    throw new CommandError(
      isErrorDto(error) ? error : { code: "internal", message: String(error) },
    );
  }
}

/** True inside the desktop window; false in a plain browser or a test. */
export function insideDesktopShell(): boolean {
  return isTauri();
}

/** The app's version, from the shell's `engine_version` command. */
export function engineVersion(): Promise<string> {
  return call<string>("engine_version");
}

/** The path given on the command line, if any. */
export function launchPath(): Promise<string | null> {
  return call<string | null>("launch_path");
}

/**
 * Opens a case, or imports a bundle into a new case, reporting progress. With
 * `chooseCaseLocation` the shell first asks where to keep the case (native dialog).
 */
export function openPath(
  path: string,
  onProgress: (progress: ImportProgressDto) => void,
  chooseCaseLocation = false,
): Promise<OpenedDto> {
  const channel = new Channel<ImportProgressDto>(onProgress);
  return call<OpenedDto>("open_path", { path, chooseCaseLocation, onProgress: channel });
}

/** Imports another export into the open case, beside what it holds, reporting progress. */
export function addToCase(path: string, onProgress: (progress: ImportProgressDto) => void): Promise<OpenedDto> {
  const channel = new Channel<ImportProgressDto>(onProgress);
  return call<OpenedDto>("open_path", { path, addToCase: true, onProgress: channel });
}

/** The first records of a CSV or JSON file of no known format, for the mapping form. */
export function previewFile(path: string): Promise<FilePreviewDto> {
  return call<FilePreviewDto>("preview_file", { path });
}

/**
 * The first events the drafted mapping makes of the file, as sentences; fails with the
 * engine's words (code `mapping`) for the draft or the first record that does not fit.
 */
export function previewMapping(path: string, draft: MappingDraftDto): Promise<PreviewEventDto[]> {
  return call<PreviewEventDto[]>("preview_mapping", { path, draft });
}

/** Imports a CSV or JSON file through the drafted mapping into a new case, as `openPath` does a bundle. */
export function importMapped(
  path: string,
  draft: MappingDraftDto,
  onProgress: (progress: ImportProgressDto) => void,
  chooseCaseLocation = false,
): Promise<OpenedDto> {
  const channel = new Channel<ImportProgressDto>(onProgress);
  return call<OpenedDto>("import_mapped", { path, draft, chooseCaseLocation, onProgress: channel });
}

/** The mappings saved for reuse. */
export function listMappings(): Promise<SavedMappingDto[]> {
  return call<SavedMappingDto[]>("list_mappings");
}

/** Saves the drafted mapping under its name (once the engine accepts it); the list after. */
export function saveMapping(draft: MappingDraftDto): Promise<SavedMappingDto[]> {
  return call<SavedMappingDto[]>("save_mapping", { draft });
}

/** A saved mapping, as a draft to fill the form with. */
export function loadSavedMapping(name: string): Promise<MappingDraftDto> {
  return call<MappingDraftDto>("load_saved_mapping", { name });
}

export function cancelImport(): Promise<void> {
  return call<void>("cancel_import");
}

export function caseSummary(): Promise<CaseSummaryDto> {
  return call<CaseSummaryDto>("case_summary");
}

/** The case's findings, grouped by cause by the engine. */
export function listFindings(): Promise<FindingGroupDto[]> {
  return call<FindingGroupDto[]>("list_findings");
}

/** One page of events, newest first; `after` is the previous page's `next`. */
export function listEvents(
  filter: EventFilterDto,
  after: string | null,
  limit: number,
): Promise<EventPageDto> {
  return call<EventPageDto>("list_events", { filter, after, limit });
}

/** How many events match `filter` (stubs aside), as the engine counts them. */
export function countEvents(filter: EventFilterDto): Promise<number> {
  return call<number>("count_events", { filter });
}

/**
 * How far the open case's text index has got and whether the shell is building it
 * (the events view asks about once a second until it is complete).
 */
export function textIndexState(): Promise<TextIndexDto> {
  return call<TextIndexDto>("text_index_state");
}

export function eventDetail(eventIdx: number): Promise<EventDetailDto> {
  return call<EventDetailDto>("event_detail", { eventIdx });
}

export function listActors(): Promise<ActorDto[]> {
  return call<ActorDto[]>("list_actors");
}

/** Every person, most active first, with the accounts the engine linked by email. */
export function listPeople(): Promise<PersonDto[]> {
  return call<PersonDto[]>("list_people");
}

/** Separates an account from its person (`linked: false`) or links it again; every person as they now stand. */
export function linkActor(actorId: string, linked: boolean): Promise<PersonDto[]> {
  return call<PersonDto[]>("link_actor", { actorId, linked });
}

export function recordTimeline(
  targetType: string,
  targetId: string,
  at: string | null,
): Promise<TimelineDto> {
  return call<TimelineDto>("record_timeline", { targetType, targetId, at });
}

export function listTrustedKeys(): Promise<TrustedKeyDto[]> {
  return call<TrustedKeyDto[]>("list_trusted_keys");
}

export function addTrustedKey(keyId: string, publicKeyBase64: string): Promise<TrustedKeyDto[]> {
  return call<TrustedKeyDto[]>("add_trusted_key", { keyId, publicKeyBase64 });
}

export function removeTrustedKey(keyId: string): Promise<TrustedKeyDto[]> {
  return call<TrustedKeyDto[]>("remove_trusted_key", { keyId });
}

/** The AWS CloudTrail key lists (list-public-keys output) the reviewer trusts. */
export function listAwsKeyLists(): Promise<AwsKeyListDto[]> {
  return call<AwsKeyListDto[]>("list_aws_key_lists");
}

/**
 * Trusts an `aws cloudtrail list-public-keys` output: the file at `path`, or one picked
 * in a native dialog when `path` is null; null if the dialog was cancelled.
 */
export function addAwsKeyList(path: string | null): Promise<AwsKeyListDto[] | null> {
  return call<AwsKeyListDto[] | null>("add_aws_key_list", { path });
}

export function removeAwsKeyList(name: string): Promise<AwsKeyListDto[]> {
  return call<AwsKeyListDto[]>("remove_aws_key_list", { name });
}

/** What to count events by (the engine's facets). */
export type FacetName =
  | "actor"
  | "action"
  | "category"
  | "target_type"
  | "outcome"
  | "channel"
  | "ip"
  | "batch"
  | "rule"
  | "day";

/** How many events matching `filter` have each value of one field, largest first. */
export function facetCounts(filter: EventFilterDto, by: FacetName): Promise<FacetCountDto[]> {
  return call<FacetCountDto[]>("facet_counts", { filter, by });
}

/** Events per period (hour, day, week, …) for a histogram of at most `maxPeriods` bars. */
export function activity(filter: EventFilterDto, maxPeriods: number): Promise<ActivityDto> {
  return call<ActivityDto>("activity", { filter, maxPeriods });
}

/** The common questions the engine knows how to answer. */
export function listQuestions(): Promise<QuestionDto[]> {
  return call<QuestionDto[]>("list_questions");
}

/** Asks where to save (native dialog) and exports; null if the reviewer cancelled. */
export function exportEvents(
  filter: EventFilterDto,
  format: "csv" | "jsonl",
): Promise<ExportResultDto | null> {
  return call<ExportResultDto | null>("export_events", { filter, format });
}

/**
 * Asks for a new folder (a native save dialog), then exports the events matching
 * `filter` there as Hive-partitioned Parquet (one folder per day) and journals it;
 * null if the reviewer cancelled.
 */
export function exportParquet(filter: EventFilterDto): Promise<ParquetExportDto | null> {
  return call<ParquetExportDto | null>("export_parquet", { filter });
}

/** A native open dialog (a file, or a folder bundle); null if cancelled. */
export function choosePath(directory: boolean): Promise<string | null> {
  return call<string | null>("choose_path", { directory });
}

export function recentCases(): Promise<RecentCaseDto[]> {
  return call<RecentCaseDto[]>("recent_cases");
}

export function forgetRecentCase(path: string): Promise<RecentCaseDto[]> {
  return call<RecentCaseDto[]>("forget_recent_case", { path });
}

export function listCheckpointFiles(): Promise<CheckpointFileDto[]> {
  return call<CheckpointFileDto[]>("list_checkpoint_files");
}

/** A native dialog to pick a checkpoint file; null if cancelled. */
export function addCheckpointFile(): Promise<CheckpointFileDto[] | null> {
  return call<CheckpointFileDto[] | null>("add_checkpoint_file");
}

export function removeCheckpointFile(name: string): Promise<CheckpointFileDto[]> {
  return call<CheckpointFileDto[]>("remove_checkpoint_file", { name });
}

/** Re-verifies the open case's rows and its bundles' trust under the current keys. */
export function reverifyCase(): Promise<ReverifyDto> {
  return call<ReverifyDto>("reverify_case");
}

/** Who signs the reviewer's work on this machine (the key is made on first use). */
export function reviewerIdentity(): Promise<ReviewerDto> {
  return call<ReviewerDto>("reviewer_identity");
}

/** Sets the name the reviewer signs as. */
export function setReviewerName(name: string): Promise<ReviewerDto> {
  return call<ReviewerDto>("set_reviewer_name", { name });
}

/** The reviewer's marks (star, tags, note) on an event, a record or an actor. */
export function marks(subject: SubjectDto): Promise<MarksDto> {
  return call<MarksDto>("marks", { subject });
}

/** Stars or un-stars a subject; its marks after. */
export function setStar(subject: SubjectDto, starred: boolean): Promise<MarksDto> {
  return call<MarksDto>("set_star", { subject, starred });
}

/** Adds a tag to a subject (or with `remove`, takes it off); its marks after. */
export function setTag(subject: SubjectDto, tag: string, remove: boolean): Promise<MarksDto> {
  return call<MarksDto>("set_tag", { subject, tag, remove });
}

/** Writes a subject's note (null or blank removes it); its marks after. */
export function setNote(subject: SubjectDto, note: string | null): Promise<MarksDto> {
  return call<MarksDto>("set_note", { subject, note });
}

/** The tags in use in the case, most used first. */
export function tagsInUse(): Promise<TagCountDto[]> {
  return call<TagCountDto[]>("tags_in_use");
}

/** The saved searches, each with how many events it matches now. */
export function listSavedSearches(): Promise<SavedSearchDto[]> {
  return call<SavedSearchDto[]>("list_saved_searches");
}

/** Saves a filter under a name (replacing one of that name); the list after. */
export function saveSearch(name: string, filter: EventFilterDto): Promise<SavedSearchDto[]> {
  return call<SavedSearchDto[]>("save_search", { name, filter });
}

/** Deletes a saved search; the list after. */
export function deleteSearch(name: string): Promise<SavedSearchDto[]> {
  return call<SavedSearchDto[]>("delete_search", { name });
}

/** Journals that the reviewer ran a saved search (or a question); how many events it matches. */
export function recordSearch(name: string, filter: EventFilterDto): Promise<number> {
  return call<number>("record_search", { name, filter });
}

/** The events around one: just before and after, and the nearest sharing its actor, record, IP and request. */
export function eventsAround(eventIdx: number, n: number): Promise<NeighboursDto[]> {
  return call<NeighboursDto[]>("events_around", { eventIdx, n });
}

/** The reviewer's journal, checked by the engine, newest entry first. */
export function caseJournal(): Promise<JournalDto> {
  return call<JournalDto>("case_journal");
}

/**
 * Asks for a new folder (a native save dialog), then writes the journal there, signed by
 * the reviewer; the folder written, or null if cancelled.
 */
export function exportJournal(): Promise<string | null> {
  return call<string | null>("export_journal");
}

/**
 * Asks where to save (a native dialog), then writes the auditor's report of the open
 * case there (NAME.html, and NAME.pdf beside it) and journals it; null if cancelled.
 */
export function writeReport(): Promise<ReportWrittenDto | null> {
  return call<ReportWrittenDto | null>("write_report");
}

/**
 * Asks for a new folder (a native save dialog), then writes an evidence excerpt of the
 * events `filter` picks there, with `reason` in the statement signed by the reviewer,
 * and journals it; null if cancelled. The engine refuses none and too many events.
 */
export function writeExcerpt(filter: EventFilterDto, reason: string | null): Promise<ExcerptWrittenDto | null> {
  return call<ExcerptWrittenDto | null>("write_excerpt", { filter, reason });
}

/** The engine's check of the evidence excerpt in the folder `path`, with the reviewer's trusted keys. */
export function checkExcerpt(path: string): Promise<ExcerptCheckDto> {
  return call<ExcerptCheckDto>("check_excerpt", { path });
}

/** Every source's custody receipt, checked by the engine. */
export function listReceipts(): Promise<ReceiptDto[]> {
  return call<ReceiptDto[]>("list_receipts");
}

/**
 * Calls `onDrop` with the paths of files or folders dropped onto the window (the
 * shell reads them; the web view never gets file contents). Resolves to a function
 * that stops listening. Outside the desktop shell it does nothing.
 */
export async function onPathsDropped(
  onDrop: (paths: string[]) => void,
  onHover: (hovering: boolean) => void,
): Promise<() => void> {
  if (!isTauri()) return () => {};
  return getCurrentWebview().onDragDropEvent((event) => {
    const payload = event.payload;
    if (payload.type === "drop") {
      onHover(false);
      if (payload.paths.length > 0) onDrop(payload.paths);
    } else if (payload.type === "enter" || payload.type === "over") {
      onHover(true);
    } else {
      onHover(false);
    }
  });
}
