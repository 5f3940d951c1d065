// Tests of the words said once the events of a view are saved as Parquet.
import { describe, expect, it } from "vitest";
import type { ParquetExportDto } from "../../bindings/ParquetExportDto";
import { parquetSavedText } from "./export-words";

const FOLDER = "/cases/march-events-parquet";

function result(rows: number, dayFolders: string[], undated = false): ParquetExportDto {
  return {
    folder: FOLDER,
    rows,
    day_folders: dayFolders,
    undated,
    files: dayFolders.map((day) => ({ path: `${day}/part-00000.parquet`, bytes: 1024, sha256: "ab".repeat(32) })),
  };
}

describe("parquetSavedText", () => {
  it("says how many events, in how many day folders, and where", () => {
    expect(parquetSavedText(result(1234, ["date=2026-05-12", "date=2026-05-13", "date=2026-05-14"]))).toBe(
      `Saved 1,234 events as Parquet in 3 day folders: ${FOLDER}`,
    );
    expect(parquetSavedText(result(1, ["date=2026-05-12"]))).toBe(`Saved 1 event as Parquet in 1 day folder: ${FOLDER}`);
  });

  it("names the folder of events without a time", () => {
    expect(parquetSavedText(result(5, ["date=2026-05-12", "date=__HIVE_DEFAULT_PARTITION__"], true))).toBe(
      `Saved 5 events as Parquet in 2 day folders (one of them for events without a time): ${FOLDER}`,
    );
    expect(parquetSavedText(result(2, ["date=__HIVE_DEFAULT_PARTITION__"], true))).toBe(
      `Saved 2 events as Parquet in 1 day folder (for events without a time): ${FOLDER}`,
    );
  });

  it("says an export of nothing left an empty folder", () => {
    expect(parquetSavedText(result(0, []))).toBe(`Saved no events as Parquet (none match this view): ${FOLDER} is an empty folder.`);
  });
});
