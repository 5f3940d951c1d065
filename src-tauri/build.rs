//! Build script for the desktop shell: lets `tauri-build` read `tauri.conf.json`
//! and `capabilities/`, and generate the permission manifests.
//!
//! It must never fetch anything, run the front-end build, or touch the engine:
//! `scripts/setup.sh` builds `ui/dist` before cargo runs.

fn main() {
    tauri_build::build()
}
