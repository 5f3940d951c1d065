#!/usr/bin/env bash
# Runs the end-to-end tests of the real desktop app (tests/e2e): scripts/e2e.sh
#
# Builds the release app and CLI (the same build as scripts/test.sh and
# scripts/app.sh), starts a virtual display (xvfb-run) with tauri-driver on it,
# which drives the app's WebKitGTK webview through WebKitWebDriver, runs the
# suite with Node's test runner (one app window per test, one test at a time),
# then stops everything it started. Exits non-zero if a test failed, and closes
# with an "e2e: N passed, N failed, N skipped" line.
#
# The suite is plain Node (a small W3C WebDriver client over fetch), so it needs
# no npm install. Every wait has a limit; the whole run is bounded by
# TRAILSCOPE_E2E_TIMEOUT seconds (default 900) besides the build.
#
# Environment: TRAILSCOPE_E2E_SKIP_SETUP=1 skips scripts/setup.sh (scripts/test.sh
# has run it already); TRAILSCOPE_E2E_TAP=FILE keeps the TAP report there;
# TRAILSCOPE_E2E_ONLY=REGEX runs only the tests whose names match;
# TRAILSCOPE_E2E_FILES="a.test.mjs b.test.mjs" runs those files (paths under
# tests/e2e) instead of every *.test.mjs there (scripts/bench-app.sh uses it).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [[ "${TRAILSCOPE_E2E_SKIP_SETUP:-}" != 1 ]]; then
  bash scripts/setup.sh
fi
cargo build --release --locked -p trailscope-app -p trailscope --bins

driver="$(command -v tauri-driver || true)"
if [[ -z "$driver" ]]; then
  driver="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
fi
native="$(command -v WebKitWebDriver || echo /usr/bin/WebKitWebDriver)"
for tool in "$driver" "$native" "$(command -v xvfb-run || echo xvfb-run)"; do
  if [[ ! -x "$tool" ]]; then
    echo "e2e: $tool is missing; scripts/setup.sh installs it" >&2
    exit 1
  fi
done

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
tap="${TRAILSCOPE_E2E_TAP:-$scratch/e2e.tap}"
: >"$tap"
mkdir -p "$scratch/data" "$scratch/config" "$scratch/cache"

# What the app sees (WebKitWebDriver starts it and passes its environment on):
# a fresh profile in the scratch folder, the spec's trusted key, and WebKitGTK
# kept off the GPU paths that Xvfb cannot draw with.
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
# (scripts/screenshot.sh passes a keys file of its own).
export TRAILSCOPE_TRUSTED_KEYS="${TRAILSCOPE_E2E_TRUSTED_KEYS:-$repo_root/spec/vectors/trusted-keys.txt}"
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1
export TRAILSCOPE_APP="$repo_root/target/release/trailscope-app"
export TRAILSCOPE_CLI="$repo_root/target/release/trailscope"

# Runs inside xvfb-run, with DISPLAY set to the virtual screen.
run_suite() {
  local driver="$1" native="$2" tap="$3" budget="$4" log="$5"
  # Two free loopback ports: tauri-driver's own and WebKitWebDriver's behind it.
  local port native_port
  read -r port native_port < <(node -e '
    const net = require("node:net");
    const one = () => new Promise((ok) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
    Promise.all([one(), one()]).then((p) => console.log(p.join(" ")));')

  "$driver" --port "$port" --native-port "$native_port" --native-driver "$native" >"$log" 2>&1 &
  # Global, not local: the EXIT trap reads it after this function has returned.
  driver_pid=$!

  # Stops tauri-driver and whatever it started (WebKitWebDriver, app windows
  # left by a test that timed out), each by its process id.
  descendants() {
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
      echo "$child"
      descendants "$child"
    done
  }
  stop_driver() {
    local pids
    pids="$(descendants "$driver_pid")"
    kill "$driver_pid" 2>/dev/null || true
    # shellcheck disable=SC2086
    [[ -z "$pids" ]] || kill $pids 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 "$driver_pid" 2>/dev/null || break
      sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -9 "$driver_pid" $pids 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  }
  trap stop_driver EXIT

  export TRAILSCOPE_WEBDRIVER_URL="http://127.0.0.1:$port"
  # tauri-driver forwards /status to WebKitWebDriver: ready when both answer.
  if ! node -e '
    const url = process.env.TRAILSCOPE_WEBDRIVER_URL + "/status";
    const deadline = Date.now() + 20000;
    (async () => {
      while (Date.now() < deadline) {
        try { const r = await fetch(url, { signal: AbortSignal.timeout(2000) }); if (r.ok) return; } catch {}
        await new Promise((ok) => setTimeout(ok, 200));
      }
      process.exit(1);
    })();'; then
    echo "e2e: tauri-driver did not answer within 20 s; its log:" >&2
    cat "$log" >&2
    return 1
  fi

  cd tests/e2e
  local status=0 only=()
  if [[ -n "${TRAILSCOPE_E2E_ONLY:-}" ]]; then
    only=(--test-name-pattern="$TRAILSCOPE_E2E_ONLY")
  fi
  timeout --kill-after=10 "$budget" node --test --test-concurrency=1 "${only[@]+"${only[@]}"}" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    ${TRAILSCOPE_E2E_FILES:-*.test.mjs} || status=$?
  if ((status == 124 || status == 137)); then
    echo "e2e: the suite did not finish within ${budget}s" >&2
  fi
  if ((status != 0)); then
    echo "e2e: tauri-driver's log:" >&2
    tail -n 50 "$log" >&2
  fi
  return "$status"
}

started=$SECONDS
status=0
# xvfb-run is a /bin/sh script, which drops exported bash functions: pass the
# function's text instead.
xvfb-run -a -s "-screen 0 1280x800x24" \
  bash -c "$(declare -f run_suite)"'; run_suite "$@"' run_suite \
  "$driver" "$native" "$tap" "${TRAILSCOPE_E2E_TIMEOUT:-900}" "$scratch/tauri-driver.log" || status=$?

# Node's TAP report closes with "# pass N", "# fail N", "# cancelled N", "# skipped N".
count() { sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$tap" | tail -n 1; }
passed="$(count pass)"
failed="$(count fail)"
cancelled="$(count cancelled)"
skipped="$(count skipped)"
passed="${passed:-0}"
failed=$((${failed:-0} + ${cancelled:-0}))
skipped="${skipped:-0}"
# A run that failed before any test reported still counts as a failure.
if ((status != 0 && failed == 0)); then
  failed=1
fi
driver_version="$(cargo install --list 2>/dev/null | sed -n 's/^tauri-driver \(v[^:]*\):$/\1/p')"
webkit_version="$(dpkg-query -W -f='${Version}' webkit2gtk-driver 2>/dev/null || true)"
echo "e2e: suite took $((SECONDS - started))s (tauri-driver ${driver_version:-?}, WebKitWebDriver ${webkit_version:-?}, node $(node --version))"
echo "e2e: $passed passed, $failed failed, $skipped skipped"
if ((status != 0 || failed > 0)); then
  exit 1
fi
