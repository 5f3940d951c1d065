// What the app says once the auditor's report is written: the names of the files
// saved, and, when the PDF could not embed its font, the engine's words on what that
// means for the reader. Words only: the shell says what was written.
import type { ReportWrittenDto } from "../../bindings/ReportWrittenDto";

/** "Report saved: NAME.html and NAME.pdf", then the font problem, if any. */
export function reportSavedMessage(written: ReportWrittenDto): string {
  const names = written.pdf === null ? written.html.name : `${written.html.name} and ${written.pdf.name}`;
  const saved = `Report saved: ${names}`;
  return written.font_problem === null ? saved : `${saved}. ${written.font_problem}`;
}
