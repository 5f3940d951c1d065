// Keys & checkpoints: the reviewer's own identity ("You", you.ts), the trusted signing keys (our key lines, and AWS
// CloudTrail key lists as `aws cloudtrail list-public-keys` prints them) and checkpoint
// files (add, remove, list) and re-verification of the open case under them. It shows
// what the shell answers: whether a signature or checkpoint vouches for a chain is the
// engine's decision, and so is every re-verification finding.
import type { AwsKeyListDto } from "../../bindings/AwsKeyListDto";
import type { CheckpointFileDto } from "../../bindings/CheckpointFileDto";
import type { TrustedKeyDto } from "../../bindings/TrustedKeyDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { button, el } from "../../components/dom";
import { formatCount } from "../../format/count";
import {
  addAwsKeyList,
  addCheckpointFile,
  addTrustedKey,
  listAwsKeyLists,
  listCheckpointFiles,
  listTrustedKeys,
  removeAwsKeyList,
  removeCheckpointFile,
  removeTrustedKey,
} from "../../ipc";
import { awsKeyListTitle } from "./words";
import { youCard } from "./you";
import "./trust.css";

/** "AAAA…ZZZZ": enough of a key to tell two apart when reading. */
function shortKey(base64: string): string {
  return base64.length <= 16 ? base64 : `${base64.slice(0, 8)}…${base64.slice(-6)}`;
}

export function trustView(ctx: AppContext): ViewHandle {
  const keysList = el("ul", { className: "trust-list", testid: "trusted-keys" });
  const checkpointsList = el("ul", { className: "trust-list", testid: "checkpoint-files" });

  const showKeys = (keys: TrustedKeyDto[]): void => {
    if (keys.length === 0) {
      keysList.replaceChildren(el("li", { className: "muted", text: "No trusted keys: signed bundles can be intact but not verified." }));
      return;
    }
    keysList.replaceChildren(
      ...keys.map((key) => {
        const item = el(
          "li",
          { className: "trust-item", testid: "trusted-key" },
          el("span", { className: "trust-name", text: key.key_id }),
          el("code", { className: "trust-detail", text: shortKey(key.public_key_base64), title: key.public_key_base64 }),
        );
        item.dataset.keyId = key.key_id;
        if (key.source === "app") {
          const remove = button("Remove", "key-remove", "link-button");
          remove.addEventListener("click", () => {
            removeTrustedKey(key.key_id).then(showKeys).catch(ctx.showError);
          });
          item.append(remove);
        } else {
          item.append(el("span", { className: "muted trust-source", text: "from the team's shared list (read-only here)" }));
        }
        return item;
      }),
    );
  };

  const awsList = el("ul", { className: "trust-list", testid: "aws-key-lists" });
  const showAwsLists = (lists: AwsKeyListDto[]): void => {
    if (lists.length === 0) {
      awsList.replaceChildren(el("li", { className: "muted", text: "No AWS keys: CloudTrail folders can be intact but not verified." }));
      return;
    }
    awsList.replaceChildren(
      ...lists.map((list) => {
        const item = el(
          "li",
          { className: "trust-item", testid: "aws-key-list" },
          el("span", { className: "trust-name trust-detail", text: awsKeyListTitle(list), title: list.path }),
        );
        item.dataset.name = list.name;
        item.dataset.nKeys = String(list.n_keys);
        if (list.source === "app") {
          const remove = button("Remove", "aws-key-list-remove", "link-button");
          remove.addEventListener("click", () => {
            removeAwsKeyList(list.name).then(showAwsLists).catch(ctx.showError);
          });
          item.append(remove);
        } else {
          item.append(el("span", { className: "muted trust-source", text: "from the team's shared list (read-only here)" }));
        }
        return item;
      }),
    );
  };
  const awsAdded = (lists: AwsKeyListDto[] | null): boolean => {
    if (lists === null) return false;
    showAwsLists(lists);
    ctx.showNotice("AWS keys added. Re-verify the case to apply them to a CloudTrail trail already open.");
    return true;
  };
  const addAws = button("Add AWS keys from a file…", "aws-keys-add");
  addAws.addEventListener("click", () => {
    addAwsKeyList(null).then(awsAdded).catch(ctx.showError);
  });
  const awsPath = el("input", { className: "trust-input trust-input-wide", testid: "aws-keys-path-input" });
  awsPath.type = "text";
  awsPath.placeholder = "or type its path: /evidence/aws-public-keys.json";
  awsPath.setAttribute("aria-label", "Path of an aws cloudtrail list-public-keys output");
  const awsPathAdd = el("button", { className: "button button-secondary", testid: "aws-keys-path-add", text: "Add" });
  awsPathAdd.type = "submit";
  const awsForm = el("form", { className: "trust-form" }, addAws, awsPath, awsPathAdd);
  awsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const path = awsPath.value.trim();
    if (path === "") return;
    addAwsKeyList(path)
      .then((lists) => {
        if (awsAdded(lists)) awsPath.value = "";
      })
      .catch(ctx.showError);
  });

  const showCheckpoints = (files: CheckpointFileDto[]): void => {
    if (files.length === 0) {
      checkpointsList.replaceChildren(el("li", { className: "muted", text: "No checkpoint files." }));
      return;
    }
    checkpointsList.replaceChildren(
      ...files.map((file) => {
        const remove = button("Remove", "checkpoint-remove", "link-button");
        remove.addEventListener("click", () => {
          removeCheckpointFile(file.name).then(showCheckpoints).catch(ctx.showError);
        });
        const item = el(
          "li",
          { className: "trust-item", testid: "checkpoint-file" },
          el("span", { className: "trust-name", text: file.name }),
          el("span", { className: "trust-detail muted", text: `${formatCount(file.n_checkpoints)} checkpoint${file.n_checkpoints === 1 ? "" : "s"}` }),
          remove,
        );
        item.dataset.name = file.name;
        return item;
      }),
    );
  };

  const keyId = el("input", { className: "trust-input", testid: "key-id-input" });
  keyId.placeholder = "Key name, e.g. acme-audit-2026";
  keyId.setAttribute("aria-label", "Key name");
  const keyText = el("input", { className: "trust-input trust-input-wide", testid: "key-input" });
  keyText.placeholder = "Public key (base64, from the producer)";
  keyText.setAttribute("aria-label", "Public key");
  const add = el("button", { className: "button", testid: "key-add", text: "Trust this key" });
  add.type = "submit";
  const keyForm = el("form", { className: "trust-form" }, keyId, keyText, add);
  keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    addTrustedKey(keyId.value, keyText.value)
      .then((keys) => {
        keyId.value = "";
        keyText.value = "";
        showKeys(keys);
        ctx.showNotice("Key added. Re-verify the case to apply it.");
      })
      .catch(ctx.showError);
  });

  const addCheckpoint = button("Add a checkpoint file…", "checkpoint-add");
  addCheckpoint.addEventListener("click", () => {
    addCheckpointFile()
      .then((files) => {
        if (files !== null) {
          showCheckpoints(files);
          ctx.showNotice("Checkpoint file added. Re-verify the case to apply it.");
        }
      })
      .catch(ctx.showError);
  });

  const reverify = button("Re-verify this case", "reverify");
  reverify.addEventListener("click", () => {
    reverify.disabled = true;
    ctx
      .reverify()
      .catch(ctx.showError)
      .finally(() => {
        reverify.disabled = false;
      });
  });

  const you = youCard(ctx);
  const load = (): void => {
    you.load();
    listTrustedKeys().then(showKeys).catch(ctx.showError);
    listAwsKeyLists().then(showAwsLists).catch(ctx.showError);
    listCheckpointFiles().then(showCheckpoints).catch(ctx.showError);
  };

  const root = el(
    "section",
    { className: "trust-view", testid: "trust-view" },
    you.root,
    el("h2", { className: "section-title", text: "Trusted keys" }),
    el("p", { className: "muted", text: "A bundle is verified only when its signature checks out against a key you trust. Get the producer's public key through a channel you trust, not from the bundle." }),
    keysList,
    keyForm,
    el("h3", { className: "trust-subtitle", text: "AWS CloudTrail keys" }),
    el("p", {
      className: "muted",
      text: "A CloudTrail folder is verified only when every digest file is signed by an AWS key you trust. Add the output of “aws cloudtrail list-public-keys” that you or your AWS administrator got from AWS, not the public-keys folder that came with the evidence: whoever made the folder could have made those keys too.",
    }),
    awsList,
    awsForm,
    el("h2", { className: "section-title", text: "Checkpoint files" }),
    el("p", { className: "muted", text: "Checkpoints are chain hashes published outside the bundle (e.g. sent to you earlier). A chain whose last event matches one is vouched for." }),
    checkpointsList,
    addCheckpoint,
    el("h2", { className: "section-title", text: "Re-verification" }),
    el("p", { className: "muted", text: "Checks every stored event of this case against its own hash again (a case file changed after import shows here), and each bundle's signature and checkpoints under the keys and files above, from its original file." }),
    el("p", { className: "muted", text: "What it finds is shown at the top of the verification panel, on the left." }),
    reverify,
  );
  return { root, refresh() {}, shown: load };
}
