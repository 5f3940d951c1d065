// Where the e2e suite finds the app, the CLI, the driver and the spec vectors,
// and how it starts one app window per test. scripts/e2e.sh sets the variables;
// the defaults are the release builds of this checkout.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Session } from "./webdriver.mjs";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const appBinary =
  process.env.TRAILSCOPE_APP ?? path.join(repoRoot, "target/release/trailscope-app");
export const cliBinary =
  process.env.TRAILSCOPE_CLI ?? path.join(repoRoot, "target/release/trailscope");
export const driverUrl = process.env.TRAILSCOPE_WEBDRIVER_URL ?? "http://127.0.0.1:4444";
export const vectorsDir = path.resolve(repoRoot, "spec/vectors");

/** Selectors the views put on their parts (see the UI's data-testid attributes). */
export const testId = (name) => `[data-testid="${name}"]`;

/**
 * Starts the app with `args` through tauri-driver and returns its session.
 * `env` adds variables to this app's environment only (e.g. `TRAILSCOPE_SAVE_DIR`,
 * which replaces the shell's save dialogs): tauri-driver has no option for it, so the
 * app is started through `env NAME=VALUE… app args…`, which becomes the app itself.
 * The caller must `await session.delete()` (in a finally), which closes it.
 */
export async function launchApp(args = [], { env = {} } = {}) {
  if (!existsSync(appBinary)) {
    throw new Error(`no app binary at ${appBinary}; build it with scripts/e2e.sh`);
  }
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const application = assignments.length === 0 ? appBinary : "/usr/bin/env";
  const argv = assignments.length === 0 ? args : [...assignments, appBinary, ...args];
  return Session.create(driverUrl, {
    "tauri:options": { application, args: argv },
  });
}

/** Runs `body(session)` in a freshly started app (`options` as `launchApp`'s), and always closes it. */
export async function withApp(args, body, options = {}) {
  const session = await launchApp(args, options);
  try {
    return await body(session);
  } finally {
    await session.delete();
  }
}
