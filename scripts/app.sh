#!/usr/bin/env bash
# Runs the Trailscope desktop app: scripts/app.sh [BUNDLE_OR_CASE]
#
# Sets up the machine (scripts/setup.sh), then builds and starts the release app.
# Needs a desktop session: it never starts a virtual display of its own
# (scripts/screenshot.sh does that for headless machines).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# Checked first, so a headless machine hears it at once rather than after a build.
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "app: no display (neither DISPLAY nor WAYLAND_DISPLAY is set)." >&2
  echo "app: run this from a desktop session, or use scripts/screenshot.sh OUT.png on a headless machine." >&2
  exit 1
fi

bash scripts/setup.sh
exec cargo run --release -p trailscope-app -- "$@"
