// The front end's only door to the desktop shell: every call to Rust goes through
// this folder, and no other file may import @tauri-apps/api.
// It must never decide a verdict or reshape engine results; it only carries them.
import { invoke, isTauri } from "@tauri-apps/api/core";

/** The app's version, from the shell's `engine_version` command. */
export async function engineVersion(): Promise<string> {
  return invoke<string>("engine_version");
}

/** True inside the desktop window; false in a plain browser or a test. */
export function insideDesktopShell(): boolean {
  return isTauri();
}
