// Front-end entry: builds the start screen. Text goes in with textContent only,
// never innerHTML, so nothing from a bundle can ever become markup.
import { engineVersion, insideDesktopShell } from "./ipc";

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function renderStartScreen(root: HTMLElement): void {
  const header = element("header", "app-header");
  header.append(element("h1", "app-title", "Trailscope"));

  const main = element("main", "app-main");
  main.append(element("p", "app-hint", "Open an audit bundle to verify it"));
  const version = element("p", "app-version");
  main.append(version);

  root.replaceChildren(header, main);

  if (insideDesktopShell()) {
    engineVersion()
      .then((value) => {
        version.textContent = `Version ${value}`;
      })
      .catch((error: unknown) => {
        version.textContent = `Version unknown (${String(error)})`;
      });
  }
}

const root = document.getElementById("app");
if (root === null) {
  throw new Error("index.html has no #app element");
}
renderStartScreen(root);
