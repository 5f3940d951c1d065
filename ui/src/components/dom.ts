// The one way views build DOM: createElement plus textContent. Event text is data,
// so nothing here (or anywhere in the UI) may use innerHTML, insertAdjacentHTML or
// outerHTML. No IPC, no state.

export interface ElementOptions {
  className?: string;
  /** A stable `data-testid` for the end-to-end tests. */
  testid?: string;
  text?: string;
  title?: string;
}

/** A new element with a class, a test id and plain text, all optional. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className !== undefined) node.className = options.className;
  if (options.testid !== undefined) node.dataset.testid = options.testid;
  if (options.title !== undefined) node.title = options.title;
  if (options.text !== undefined) node.textContent = options.text;
  if (children.length > 0) node.append(...children);
  return node;
}

/** A plain `type="button"` button (never a form submit) with a class and a test id. */
export function button(text: string, testid: string, className = "button"): HTMLButtonElement {
  const node = el("button", { className, testid, text });
  node.type = "button";
  return node;
}
