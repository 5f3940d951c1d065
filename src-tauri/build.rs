//! Build script for the desktop shell: lets `tauri-build` read `tauri.conf.json`
//! and `capabilities/`, and generate the permission manifests.
//!
//! It must never fetch anything, run the front-end build, or touch the engine:
//! `scripts/setup.sh` builds `ui/dist` before cargo runs.

fn main() {
    // The window embeds ui/dist at compile time, and tauri-build does not watch it:
    // without this, a front-end rebuild alone would leave the old UI in the binary.
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}
