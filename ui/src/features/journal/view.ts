// The Journal view: the reviewer's journal as the engine checked it. Its headline
// (green when the journal holds; red, with each problem listed, when it does not),
// then every entry newest first — when (local time, UTC on hover or with the UTC
// switch), who, and the engine's sentence — the head hash that ties a report to this
// state of the case, and "Export journal…" (a new folder named in a save dialog).
// It shows the engine's words and verdict; it never checks the journal itself.
import type { JournalDto } from "../../bindings/JournalDto";
import type { JournalEntryDto } from "../../bindings/JournalEntryDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { button, el } from "../../components/dom";
import { formatCount } from "../../format/count";
import { formatTime } from "../../format/time";
import { caseJournal, exportJournal } from "../../ipc";
import "./journal.css";

function entryItem(entry: JournalEntryDto, utc: boolean): HTMLElement {
  const item = el(
    "li",
    { className: `journal-entry${entry.holds ? "" : " journal-entry-broken"}`, testid: "journal-entry" },
    el("span", { className: "journal-time", testid: "journal-time", text: formatTime(entry.time, utc), title: formatTime(entry.time, true) }),
    el("span", { className: "journal-reviewer", testid: "journal-reviewer", text: entry.reviewer, title: `Key ${entry.fingerprint}` }),
    el("span", { className: "journal-sentence", testid: "journal-sentence", text: entry.sentence }),
  );
  item.dataset.action = entry.action;
  item.dataset.seq = String(entry.seq);
  if (!entry.holds) {
    item.append(el("span", { className: "journal-entry-problem", text: "✗ This entry does not check out: its hash or its link to the entry before is wrong." }));
  }
  return item;
}

export function journalView(ctx: AppContext): ViewHandle {
  let journal: JournalDto | null = null;
  const headline = el("p", { className: "journal-headline", testid: "journal-headline" });
  const problems = el("ul", { className: "journal-problems", testid: "journal-problems" });
  const list = el("ol", { className: "journal-entries", testid: "journal-entries" });
  const head = el("p", { className: "journal-head muted", testid: "journal-head" });
  const exportButton = button("Export journal…", "journal-export");
  exportButton.title = "Write the journal, signed with your key, into a folder you choose (empty or new)";
  const root = el(
    "section",
    { className: "journal-view", testid: "journal-view" },
    el(
      "div",
      { className: "journal-top" },
      el("h2", { className: "journal-title", text: "Your journal" }),
      el("span", { className: "filter-spacer" }),
      exportButton,
    ),
    el("p", {
      className: "muted journal-intro",
      text: "Every star, tag, note, saved search and export you make in this case is written here, in order, each signed with your key and linked to the one before.",
    }),
    headline,
    problems,
    list,
    head,
  );

  function render(): void {
    if (journal === null) {
      headline.textContent = "Loading…";
      headline.className = "journal-headline muted";
      return;
    }
    headline.textContent = journal.headline;
    headline.className = `journal-headline ${journal.holds ? "verdict-verified" : "verdict-broken"}`;
    headline.dataset.holds = String(journal.holds);
    problems.replaceChildren(...journal.problems.map((problem) => el("li", { className: "journal-problem", testid: "journal-problem", text: problem })));
    problems.hidden = journal.problems.length === 0;
    const utc = ctx.utc();
    list.replaceChildren(
      ...(journal.entries.length === 0
        ? [el("li", { className: "muted", text: "Nothing yet: star, tag or note an event to begin." })]
        : journal.entries.map((entry) => entryItem(entry, utc))),
    );
    head.textContent =
      journal.head_hash === null
        ? "Journal head: none yet (no entry)."
        : `Journal head: ${journal.head_hash} (${formatCount(journal.entries.length)} ${journal.entries.length === 1 ? "entry" : "entries"})`;
  }

  function load(): void {
    caseJournal()
      .then((answer) => {
        journal = answer;
        render();
      })
      .catch(ctx.showError);
  }

  exportButton.addEventListener("click", () => {
    exportButton.disabled = true;
    exportJournal()
      .then((written) => {
        if (written === null) {
          ctx.showNotice("Export cancelled; nothing was written.");
          return;
        }
        ctx.showNotice(`Journal exported, signed with your key, to ${written}`);
        load();
      })
      .catch(ctx.showError)
      .finally(() => {
        exportButton.disabled = false;
      });
  });

  render();
  return { root, refresh: render, shown: load };
}
