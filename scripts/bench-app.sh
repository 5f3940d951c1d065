#!/usr/bin/env bash
# The app's own timings on a large case: scripts/bench-app.sh [EVENTS]
#
# Generates a bundle of EVENTS events (default 1,000,000) with the CLI, imports it
# into a case (both kept under target/bench-app/ for the next run), then starts the
# real app under Xvfb (scripts/e2e.sh's harness) and measures inside the window:
# opening the case to its first rows, and changing a filter to new rows (one actor,
# a time preset, a text search). Prints one "bench-app:" line per measure (medians
# of TRAILSCOPE_BENCH_RUNS runs, default 5). Assumes scripts/setup.sh has run.
# With TRAILSCOPE_BENCH_CASE set to a case file, measures that case instead
# (scripts/bench.sh's scale part hands it its 1,000,000- and 10,000,000-event cases).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
events="${1:-1000000}"

cargo build --release --locked -p trailscope --bins
if [[ -n "${TRAILSCOPE_BENCH_CASE:-}" ]]; then
  echo "bench-app: case $TRAILSCOPE_BENCH_CASE"
  TRAILSCOPE_E2E_SKIP_SETUP=1 TRAILSCOPE_E2E_FILES="bench/app-timings.test.mjs" TRAILSCOPE_E2E_TIMEOUT=1800 \
    exec bash scripts/e2e.sh
fi
work="$repo_root/target/bench-app/$events"
if [[ ! -f "$work/case.trailscope" ]]; then
  rm -rf "$work"
  mkdir -p "$work"
  ./target/release/trailscope gen "$work/bundle" --events "$events" --chains 4 --seed 42 >/dev/null
  # Exit 3 is "intact" (the generated bundle is not signed): a good import.
  status=0
  ./target/release/trailscope import --case "$work/case.trailscope.partial" "$work/bundle" \
    >/dev/null 2>&1 || status=$?
  if ((status != 0 && status != 3)); then
    echo "bench-app: the import failed (exit $status)" >&2
    exit 1
  fi
  mv "$work/case.trailscope.partial" "$work/case.trailscope"
fi
echo "bench-app: case of $events events at $work/case.trailscope"

TRAILSCOPE_BENCH_CASE="$work/case.trailscope" TRAILSCOPE_E2E_SKIP_SETUP=1 \
  TRAILSCOPE_E2E_FILES="bench/app-timings.test.mjs" TRAILSCOPE_E2E_TIMEOUT=1800 \
  bash scripts/e2e.sh
