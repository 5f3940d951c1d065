// Runs something once, when an element first comes into view (scrolled to, or shown),
// so a long list asks the shell only about the rows a reviewer actually sees. No IPC
// of its own, no state beyond the one observer per element.

/** Calls `run` once, the first time `node` intersects the viewport. */
export function whenVisible(node: Element, run: () => void): void {
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    run();
  });
  observer.observe(node);
}
