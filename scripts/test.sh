#!/usr/bin/env bash
# Runs every test: formatting and lints (cargo fmt --check, clippy -D warnings;
# counted as one Rust failure when either complains), the Rust workspace (engine,
# CLI and desktop shell), the front end's unit tests, the end-to-end tests of
# the real app window
# (scripts/e2e.sh; TRAILSCOPE_SKIP_E2E=1 leaves them out), and the Debian package
# built, installed, run and removed (scripts/test-package.sh, which needs root or
# `sudo -n`; TRAILSCOPE_SKIP_PACKAGE=1 leaves it out). Runs all parts even
# when one fails, then exits non-zero if any failed, with a closing
# "test: N passed, N failed" line.
#
# Uses the release profile. Measured on two cores from a cold target directory,
# `cargo test --workspace --release` builds in about 5m20s against 7m15s for the
# debug profile (whose dependencies get opt-level 2 with full debug info, while
# release keeps line tables only), and scripts/app.sh and scripts/screenshot.sh
# reuse the same release build.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

started=$SECONDS
# The package test's own needs (see scripts/test-package.sh): ImageMagick for its
# screenshot, desktop-file-utils and gio for a desktop's view of the package.
if [[ "${TRAILSCOPE_SKIP_PACKAGE:-}" != 1 ]]; then
  TRAILSCOPE_EXTRA_APT="${TRAILSCOPE_EXTRA_APT:-} imagemagick desktop-file-utils libglib2.0-bin" \
    bash scripts/setup.sh
else
  bash scripts/setup.sh
fi

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
failed_parts=()

echo "test: cargo fmt --check, cargo clippy -D warnings"
lint_failed=0
if ! cargo fmt --all --check; then
  echo "test: cargo fmt --check found unformatted code (run cargo fmt --all)"
  lint_failed=1
fi
if ! cargo clippy --workspace --all-targets --release --locked -- -D warnings; then
  lint_failed=1
fi
if ((lint_failed)); then
  failed_parts+=("lint")
fi

echo "test: cargo test --workspace --release --no-fail-fast"
if ! cargo test --workspace --release --locked --no-fail-fast 2>&1 | tee "$logs/cargo.txt"; then
  failed_parts+=("rust")
fi

echo "test: ui (vitest)"
if ! (cd ui && npx --no-install vitest run --reporter=default --reporter=json \
  --outputFile.json="$logs/vitest.json"); then
  failed_parts+=("ui")
fi

e2e_counts=""
if [[ "${TRAILSCOPE_SKIP_E2E:-}" == 1 ]]; then
  echo "test: e2e skipped (TRAILSCOPE_SKIP_E2E=1)"
else
  echo "test: e2e (scripts/e2e.sh)"
  if ! TRAILSCOPE_E2E_SKIP_SETUP=1 bash scripts/e2e.sh 2>&1 | tee "$logs/e2e.txt"; then
    failed_parts+=("e2e")
  fi
  # Its closing line: "e2e: N passed, N failed, N skipped".
  e2e_counts="$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$logs/e2e.txt" | tail -n 1)"
fi
read -r e2e_passed e2e_failed e2e_skipped <<<"${e2e_counts:-0 0 0}"

# After e2e, whose release build the package reuses.
package_counts=""
if [[ "${TRAILSCOPE_SKIP_PACKAGE:-}" == 1 ]]; then
  echo "test: package skipped (TRAILSCOPE_SKIP_PACKAGE=1)"
else
  echo "test: package (scripts/test-package.sh)"
  if ! TRAILSCOPE_PACKAGE_SKIP_SETUP=1 bash scripts/test-package.sh 2>&1 | tee "$logs/package.txt"; then
    failed_parts+=("package")
  fi
  # Its closing line: "package: N passed, N failed".
  package_counts="$(sed -n 's/^package: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$logs/package.txt" | tail -n 1)"
fi
read -r package_passed package_failed <<<"${package_counts:-0 0}"

# Sum "test result: ok. N passed; M failed; ..." over every cargo test binary.
read -r rust_passed rust_failed < <(
  sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$logs/cargo.txt" |
    awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }'
)
ui_passed=0
ui_failed=0
if [[ -s "$logs/vitest.json" ]]; then
  ui_passed="$(jq '.numPassedTests' "$logs/vitest.json")"
  ui_failed="$(jq '.numFailedTests' "$logs/vitest.json")"
fi

# A part that failed before any test reported (a build error, say) counts as one
# failure, so the closing line never reads as a pass when the run failed.
for part in "${failed_parts[@]+"${failed_parts[@]}"}"; do
  case "$part" in
    rust) ((rust_failed > 0)) || rust_failed=1 ;;
    ui) ((ui_failed > 0)) || ui_failed=1 ;;
    e2e) ((e2e_failed > 0)) || e2e_failed=1 ;;
    package) ((package_failed > 0)) || package_failed=1 ;;
    lint) rust_failed=$((rust_failed + 1)) ;;
  esac
done

elapsed=$((SECONDS - started))
echo "test: rust $rust_passed passed, $rust_failed failed; ui $ui_passed passed, $ui_failed failed;" \
  "e2e $e2e_passed passed, $e2e_failed failed, $e2e_skipped skipped;" \
  "package $package_passed passed, $package_failed failed; ${elapsed}s"
if ((${#failed_parts[@]} > 0)); then
  echo "test: FAILED: ${failed_parts[*]}"
fi
echo "test: $((rust_passed + ui_passed + e2e_passed + package_passed)) passed," \
  "$((rust_failed + ui_failed + e2e_failed + package_failed)) failed"
if ((${#failed_parts[@]} > 0)); then
  exit 1
fi
