// Answers that arrive after the reviewer may have moved on: each fetch is stored and
// shown only if what it was for is still on screen (a newer choice drops it), and a
// failure goes to the frame's error line. No IPC of its own, no DOM.

/** Stores a fetch's answer with `store`, then re-renders, unless it came too late. */
export type Settle = <T>(promise: Promise<T>, store: (value: T) => void) => void;

export function settler(isCurrent: () => boolean, render: () => void, onError: (error: unknown) => void): Settle {
  return (promise, store) => {
    promise
      .then((value) => {
        if (!isCurrent()) return;
        store(value);
        render();
      })
      .catch(onError);
  };
}
