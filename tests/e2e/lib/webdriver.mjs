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
