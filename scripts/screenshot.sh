#!/usr/bin/env bash
# Takes screenshots of the real desktop app on a virtual display:
#   scripts/screenshot.sh OUT.png [BUNDLE_OR_CASE]
#
# Starts the app under Xvfb through scripts/e2e.sh's harness (tauri-driver and
# WebKitWebDriver), opens the bundle or case (default: a realistic generated one,
# signed, with the spec's trusted key), opens an event's detail in the events view
# and saves the window to OUT.png (the README's picture). With
# TRAILSCOPE_SHOTS_TOUR=1 it also saves OUT-marks.png (the event starred, tagged
# and noted), OUT-record.png, OUT-actors.png, OUT-questions.png, OUT-keys.png,
# OUT-journal.png, OUT-excerpt-dialog.png (the "Evidence excerpt…" dialog), and
# OUT-excerpt.png (the check of an evidence excerpt of the
# starred event) with OUT-excerpt-broken.png (after one byte of it changed).
# TRAILSCOPE_SHOTS_THEME=dark asks GTK (and so
# the page's prefers-color-scheme) for the dark theme. Runs scripts/setup.sh first.
set -euo pipefail

if (($# < 1)); then
  echo "usage: scripts/screenshot.sh OUT.png [BUNDLE_OR_CASE]" >&2
  exit 2
fi
out="$(realpath -m "$1")"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

TRAILSCOPE_EXTRA_APT="imagemagick x11-utils" bash scripts/setup.sh
cargo build --release --locked -p trailscope --bins
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
if (($# >= 2)); then
  bundle="$(realpath "$2")"
else
  # Signed with a key made here, which the app is told to trust: a verified case.
  bundle="$scratch/acme-audit-2026-q1"
  ./target/release/trailscope keygen "$scratch/acme-audit-2026" --key-id acme-audit-2026 >/dev/null
  ./target/release/trailscope gen "$bundle" --events 5000 --chains 2 --seed 7 \
    --sign-key "$scratch/acme-audit-2026" >/dev/null
  export TRAILSCOPE_E2E_TRUSTED_KEYS="$scratch/acme-audit-2026.pub"
fi
mkdir -p "$(dirname "$out")"
if [[ "${TRAILSCOPE_SHOTS_THEME:-}" == dark ]]; then
  export GTK_THEME=Adwaita:dark
fi
TRAILSCOPE_SHOTS_OUT="$out" TRAILSCOPE_SHOTS_BUNDLE="$bundle" TRAILSCOPE_E2E_SKIP_SETUP=1 \
  TRAILSCOPE_E2E_FILES="tour/screenshots.test.mjs" bash scripts/e2e.sh
