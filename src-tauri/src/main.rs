//! Entry point of the `trailscope-app` binary: reads the command line and hands
//! over to [`trailscope_app_lib::run`].
//!
//! It must never hold application logic, open files or call the engine; it only
//! turns `trailscope-app [BUNDLE_OR_CASE]` into a [`LaunchRequest`].

// Release builds on Windows get no console window; no effect on Linux or macOS.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use trailscope_app_lib::LaunchRequest;

const USAGE: &str = "usage: trailscope-app [BUNDLE_OR_CASE]";

fn main() -> ExitCode {
    let first = std::env::args_os().nth(1);
    if first
        .as_deref()
        .is_some_and(|arg| arg == "-h" || arg == "--help")
    {
        println!("{USAGE}");
        println!(
            "Opens the Trailscope window; BUNDLE_OR_CASE is an audit bundle or a case to open."
        );
        return ExitCode::SUCCESS;
    }
    let launch = match LaunchRequest::from_args(std::env::args_os().skip(1)) {
        Ok(launch) => launch,
        Err(message) => {
            eprintln!("trailscope-app: {message}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    trailscope_app_lib::run(launch)
}
