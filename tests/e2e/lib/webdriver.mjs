// A small W3C WebDriver client over Node's built-in fetch, enough to drive the
// Trailscope window through tauri-driver (which forwards to WebKitWebDriver).
// No dependencies, so installing the e2e suite downloads nothing at all.
//
// Every request has a time limit, and every wait polls with a deadline, so a
// hung driver or a view that never appears fails (or skips) in bounded time.

/** The W3C key under which a driver returns an element reference. */
const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

/** An error answered by the remote end, with its W3C error code. */
export class WebDriverError extends Error {
  constructor(method, path, status, error, message) {
    super(`${method} ${path}: HTTP ${status} ${error}: ${message}`);
    this.status = status;
    this.error = error;
  }
}

/** Sends one command; returns the `value` of the answer. */
async function command(baseUrl, method, path, body, timeoutMs) {
  const init = {
    method,
    headers: { "content-type": "application/json; charset=utf-8" },
    signal: AbortSignal.timeout(timeoutMs),
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(baseUrl + path, init);
  } catch (cause) {
    throw new Error(`${method} ${path}: no answer from ${baseUrl} (${cause.message})`, { cause });
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  const value = parsed.value;
  if (!response.ok || (value && typeof value === "object" && typeof value.error === "string")) {
    throw new WebDriverError(
      method,
      path,
      response.status,
      value?.error ?? "unknown error",
      value?.message ?? text.slice(0, 300),
    );
  }
  return value;
}

/** Waits until the driver answers GET /status, or throws after `timeoutMs`. */
export async function waitForDriver(baseUrl, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      return await command(baseUrl, "GET", "/status", undefined, 2_000);
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw new Error(`no WebDriver at ${baseUrl} after ${timeoutMs} ms: ${last?.message}`);
}

/** W3C WebDriver key codes for `pressKeys`. */
export const KEYS = {
  enter: "\uE007",
  escape: "\uE00C",
  arrowDown: "\uE015",
  arrowUp: "\uE013",
  tab: "\uE004",
  backspace: "\uE003",
};

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One WebDriver session: one running app window. */
export class Session {
  constructor(baseUrl, id, capabilities) {
    this.baseUrl = baseUrl;
    this.id = id;
    this.capabilities = capabilities;
  }

  /**
   * Starts a session. With tauri-driver, `tauri:options` names the app binary
   * and its arguments; the driver starts the app and attaches to its webview.
   */
  static async create(baseUrl, alwaysMatch, timeoutMs = 60_000) {
    const value = await command(
      baseUrl,
      "POST",
      "/session",
      { capabilities: { alwaysMatch, firstMatch: [{}] } },
      timeoutMs,
    );
    return new Session(baseUrl, value.sessionId, value.capabilities);
  }

  send(method, path, body, timeoutMs = 15_000) {
    return command(this.baseUrl, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  /** Ends the session; the driver closes the app. Never throws. */
  async delete(timeoutMs = 15_000) {
    try {
      await command(this.baseUrl, "DELETE", `/session/${this.id}`, undefined, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** The page's document.title. */
  title() {
    return this.send("GET", "/title");
  }

  /** Runs a function body in the page (`return ...;`) with `args`. */
  execute(script, ...args) {
    return this.send("POST", "/execute/sync", { script, args });
  }

  /**
   * Runs a function body in the page that finishes by calling its last argument
   * (`arguments[arguments.length - 1](value)`); resolves to that value.
   */
  executeAsync(script, args = [], timeoutMs = 60_000) {
    return this.send("POST", "/execute/async", { script, args }, timeoutMs);
  }

  /** Element references matching a CSS selector (possibly none). */
  async findAll(selector) {
    const found = await this.send("POST", "/elements", { using: "css selector", value: selector });
    return found.map((reference) => {
      const id = reference[ELEMENT_KEY];
      if (typeof id !== "string") {
        throw new Error(`an element reference without ${ELEMENT_KEY}: ${JSON.stringify(reference)}`);
      }
      return id;
    });
  }

  /** The rendered text of an element. */
  text(elementId) {
    return this.send("GET", `/element/${elementId}/text`);
  }

  /**
   * An element's textContent, wherever it is: unlike `text`, also for an element
   * scrolled out of view or clipped (WebKit's driver returns "" for those).
   */
  textContent(elementId) {
    return this.execute("return arguments[0].textContent;", { [ELEMENT_KEY]: elementId });
  }

  /** Clicks an element (scrolled into view by the driver). */
  click(elementId) {
    return this.send("POST", `/element/${elementId}/click`, {});
  }

  /** Types `text` into an element (an input): W3C "Element Send Keys". */
  type(elementId, text) {
    return this.send("POST", `/element/${elementId}/value`, { text });
  }

  /** Empties an input. */
  clear(elementId) {
    return this.send("POST", `/element/${elementId}/clear`, {});
  }

  /** An element's attribute (e.g. `data-event-idx`), or null. */
  attribute(elementId, name) {
    return this.send("GET", `/element/${elementId}/attribute/${encodeURIComponent(name)}`);
  }

  /** An element's DOM property (e.g. `value`, `checked`). */
  property(elementId, name) {
    return this.send("GET", `/element/${elementId}/property/${encodeURIComponent(name)}`);
  }

  /**
   * Presses keys on whatever has focus, one after another: each item is a
   * character or a W3C key code such as KEYS.enter.
   */
  async pressKeys(keys) {
    const actions = [];
    for (const key of keys) {
      actions.push({ type: "keyDown", value: key }, { type: "keyUp", value: key });
    }
    await this.send("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.send("DELETE", "/actions");
  }

  /** Clicks the first element matching `selector`, waiting for it; throws if none. */
  async clickSelector(selector, options) {
    const element = await this.waitForElement(selector, options);
    if (element === undefined) {
      throw new Error(`nothing matches ${selector}`);
    }
    await this.click(element);
    return element;
  }

  /** A PNG screenshot of the window, as a Buffer. */
  async screenshot() {
    return Buffer.from(await this.send("GET", "/screenshot", undefined, 30_000), "base64");
  }

  /**
   * Polls `probe` until it returns something other than undefined/null/false,
   * or until `timeoutMs` has passed (then returns undefined). Errors thrown by
   * `probe` (say, while the page reloads) count as "not yet".
   */
  async waitFor(probe, { timeoutMs = 20_000, intervalMs = 250 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined && value !== null && value !== false) {
          return value;
        }
      } catch {
        // not ready yet
      }
      if (Date.now() >= deadline) {
        return undefined;
      }
      await sleep(intervalMs);
    }
  }

  /** Waits for the first element matching `selector`; its id, or undefined. */
  async waitForElement(selector, options) {
    return this.waitFor(async () => (await this.findAll(selector))[0], options);
  }

  /**
   * Throws unless the session still answers and finds elements in the page:
   * called before a test skips for a missing view, so a broken driver or a
   * blank page fails instead of passing as "not built yet".
   */
  async assertPageAnswers() {
    const bodies = await this.findAll("body");
    if (bodies.length !== 1) {
      throw new Error(`the page has ${bodies.length} <body> elements`);
    }
    const text = await this.execute("return document.body.innerText;");
    if (text.trim() === "") {
      throw new Error("the page shows no text at all");
    }
  }
}
