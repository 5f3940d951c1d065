// What the app says once the events of a view are saved as Parquet: how many events,
// in how many day folders, and where. Words only: the engine chose, masked and wrote
// the events, and the shell listed the folders it made.
import type { ParquetExportDto } from "../../bindings/ParquetExportDto";
import { formatCount } from "../../format/count";

/**
 * "Saved 1,234 events as Parquet in 3 day folders: /cases/march-events-parquet"; the
 * folder of events without a time is named as such, and an export of nothing says the
 * folder is empty.
 */
export function parquetSavedText(result: ParquetExportDto): string {
  if (result.rows === 0) return `Saved no events as Parquet (none match this view): ${result.folder} is an empty folder.`;
  const events = `${formatCount(result.rows)} ${result.rows === 1 ? "event" : "events"}`;
  const n = result.day_folders.length;
  const folders = `${formatCount(n)} day ${n === 1 ? "folder" : "folders"}`;
  const undated = !result.undated ? "" : n === 1 ? " (for events without a time)" : " (one of them for events without a time)";
  return `Saved ${events} as Parquet in ${folders}${undated}: ${result.folder}`;
}
