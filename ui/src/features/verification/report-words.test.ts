// Tests of the words said once the auditor's report is written.
import { describe, expect, it } from "vitest";
import type { ReportWrittenDto } from "../../bindings/ReportWrittenDto";
import { reportSavedMessage } from "./report-words";

const file = (name: string) => ({ path: `/home/maria/reports/${name}`, name, bytes: 1234, sha256: "ab".repeat(32) });
const written: ReportWrittenDto = {
  verdict: "verified",
  html: file("march-report.html"),
  pdf: file("march-report.pdf"),
  font_problem: null,
};

describe("reportSavedMessage", () => {
  it("names both files by their names, not their folders", () => {
    expect(reportSavedMessage(written)).toBe("Report saved: march-report.html and march-report.pdf");
  });
  it("names the HTML alone when no PDF was written", () => {
    expect(reportSavedMessage({ ...written, pdf: null })).toBe("Report saved: march-report.html");
  });
  it("adds the engine's words when the PDF could not embed its font", () => {
    const problem = "DejaVu Sans could not be read. The PDF uses the built-in Courier font and shows '?' for characters outside Western European Latin; the HTML report shows every character.";
    expect(reportSavedMessage({ ...written, font_problem: problem })).toBe(
      `Report saved: march-report.html and march-report.pdf. ${problem}`,
    );
  });
});
