// The "You" card of Keys & checkpoints: the reviewer's own identity on this machine —
// the name their work is signed as (editable), their key's fingerprint, and the
// trusted-keys line to give a colleague so they can check the reviewer's journal and
// receipts. The key itself stays with the shell; this shows what it answers.
import type { ReviewerDto } from "../../bindings/ReviewerDto";
import type { AppContext } from "../../app/context";
import { button, el } from "../../components/dom";
import { reviewerIdentity, setReviewerName } from "../../ipc";

export interface YouCard {
  root: HTMLElement;
  /** Fetches the identity again (the tab was shown). */
  load(): void;
}

export function youCard(ctx: AppContext): YouCard {
  const name = el("input", { className: "you-name", testid: "you-name" });
  name.type = "text";
  name.setAttribute("aria-label", "Your name, as your work is signed");
  const save = button("Save name", "you-name-save");
  const fingerprint = el("code", { className: "you-fingerprint", testid: "you-fingerprint" });
  const line = el("code", { className: "you-line", testid: "you-trusted-line" });
  const root = el(
    "section",
    { className: "you-card", testid: "you-card" },
    el("h2", { className: "section-title", text: "You" }),
    el("p", {
      className: "muted",
      text: "Your stars, tags, notes, saved searches and custody receipts are signed with your own key, made on this machine. Your name goes with them.",
    }),
    el("form", { className: "you-row" }, el("span", { className: "filter-label", text: "Name" }), name, save),
    el("p", { className: "you-row" }, el("span", { className: "filter-label", text: "Key fingerprint" }), fingerprint),
    el("p", { className: "muted", text: "For a colleague to check your work, they add this line to their trusted keys:" }),
    line,
  );
  const form = root.querySelector("form");

  const show = (reviewer: ReviewerDto): void => {
    if (document.activeElement !== name) name.value = reviewer.name;
    fingerprint.textContent = reviewer.fingerprint;
    fingerprint.title = `Key id ${reviewer.key_id}`;
    line.textContent = reviewer.trusted_keys_line;
  };
  const submit = (): void => {
    const text = name.value.trim();
    if (text === "") {
      name.focus();
      return;
    }
    save.disabled = true;
    setReviewerName(text)
      .then((reviewer) => {
        name.value = reviewer.name;
        show(reviewer);
        ctx.showNotice(`Your work is now signed as “${reviewer.name}”.`);
      })
      .catch(ctx.showError)
      .finally(() => {
        save.disabled = false;
      });
  };
  save.addEventListener("click", submit);
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  return {
    root,
    load: () => {
      reviewerIdentity().then(show).catch(ctx.showError);
    },
  };
}
