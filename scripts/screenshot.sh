#!/usr/bin/env bash
# Takes a screenshot of the desktop app on a virtual display:
#   scripts/screenshot.sh OUT.png [BUNDLE_OR_CASE]
#
# Builds the app (release profile, as scripts/test.sh and scripts/app.sh), starts
# it under Xvfb at 1280x800, waits for the "Trailscope" window and for the page
# to paint, captures the window to OUT.png, then stops the app it started.
# Needs no real display; installs imagemagick and x11-utils if missing.
set -euo pipefail

if (($# < 1)); then
  echo "usage: scripts/screenshot.sh OUT.png [BUNDLE_OR_CASE]" >&2
  exit 2
fi
out="$(realpath -m "$1")"
shift

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

TRAILSCOPE_EXTRA_APT="imagemagick x11-utils" bash scripts/setup.sh
cargo build --release -p trailscope-app
app="$repo_root/target/release/trailscope-app"
mkdir -p "$(dirname "$out")"

# Seconds to wait after the window maps, for WebKit to load and paint the page.
settle="${TRAILSCOPE_SCREENSHOT_SETTLE:-3}"

# Runs inside xvfb-run, with DISPLAY set to the virtual screen.
capture() {
  local app="$1" out="$2" settle="$3"
  shift 3
  # WebKitGTK's GPU paths have nothing to draw with on Xvfb.
  export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1
  "$app" "$@" &
  local pid=$!
  local shown=0
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "screenshot: the app exited before its window appeared" >&2
      return 1
    fi
    if xwininfo -root -tree 2>/dev/null | grep -q '"Trailscope"'; then
      shown=1
      break
    fi
    sleep 0.5
  done
  if ((shown == 0)); then
    echo "screenshot: no Trailscope window after 60s" >&2
    kill "$pid" 2>/dev/null || true
    return 1
  fi
  sleep "$settle"
  # The window alone when X can name it (no window manager, so no frame);
  # otherwise the whole screen.
  local window
  window="$(xwininfo -name Trailscope 2>/dev/null | sed -n 's/^xwininfo: Window id: \(0x[0-9a-f]*\).*/\1/p')"
  local status=0
  import -window "${window:-root}" "$out" || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return "$status"
}
# xvfb-run is a /bin/sh script, which drops exported bash functions: pass the
# function's text instead.
xvfb-run -a -s "-screen 0 1280x800x24" \
  bash -c "$(declare -f capture)"'; capture "$@"' capture "$app" "$out" "$settle" "$@"
echo "screenshot: wrote $out"
