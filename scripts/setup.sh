#!/usr/bin/env bash
# Installs what Trailscope needs to build, test and run, then builds the front end.
#
# Idempotent: installs only the Debian packages that are missing (and
# tauri-driver from crates.io when it is not installed), runs `npm ci`
# only when ui/node_modules is missing or older than ui/package-lock.json, and
# rebuilds ui/dist each time (it is quick, and the desktop shell embeds it at
# compile time). Works as root (CI) or through sudo, with no standard input.
# It never downloads anything but Debian, npm, crates.io and PyPI packages (DuckDB,
# in a venv at target/py, which the Parquet export's tests read the export with).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# System libraries for Tauri on Linux (WebKitGTK 4.1, GTK, rsvg, OpenSSL, the
# tray-icon library), plus xvfb for a headless window in tests and screenshots,
# webkit2gtk-driver (WebKitWebDriver) for the end-to-end tests, x11-utils
# (xwininfo) for them and for screenshots, jq for scripts, and the openssl command,
# which a test uses to cross-check CloudTrail digest signatures.
apt_packages=(
  build-essential
  pkg-config
  libssl-dev
  openssl
  libwebkit2gtk-4.1-dev
  librsvg2-dev
  libayatana-appindicator3-dev
  xvfb
  webkit2gtk-driver
  x11-utils
  jq
  # The auditor's report: its PDF embeds DejaVu Sans; its tests open the HTML in chromium and read PDFs back with pdftotext (poppler-utils).
  chromium
  poppler-utils
  fonts-dejavu-core
)
# python3 -m venv needs Debian's python3-venv (ensurepip) when Python is Debian's.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt_packages+=(python3-venv)
fi
# Extra packages a caller needs (scripts/screenshot.sh adds imagemagick).
if [[ -n "${TRAILSCOPE_EXTRA_APT:-}" ]]; then
  read -r -a extra <<<"$TRAILSCOPE_EXTRA_APT"
  apt_packages+=("${extra[@]}")
fi

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup: need root or sudo to run: $*" >&2
    exit 1
  fi
}

missing=()
for package in "${apt_packages[@]}"; do
  # dpkg -s also lists removed-but-configured packages; check the status line.
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

for tool in cargo node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup: '$tool' is not on PATH; install Rust (rustup) and Node.js 20.19+ first" >&2
    exit 1
  fi
done

# tauri-driver, the WebDriver server that scripts/e2e.sh drives the app through
# (it starts Debian's WebKitWebDriver behind it). Built from crates.io, once.
tauri_driver_version="2.1.0"
if ! command -v tauri-driver >/dev/null 2>&1 &&
  [[ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]]; then
  echo "setup: cargo install tauri-driver $tauri_driver_version"
  cargo install tauri-driver --version "$tauri_driver_version" --locked
else
  echo "setup: tauri-driver present"
fi

# DuckDB (PyPI) in a venv at target/py: tests/parquet.rs reads the Parquet export
# with it (target/py/bin/python, or TRAILSCOPE_PYTHON), as a reviewer would.
duckdb_version="2.0.1"
if ! "$repo_root/target/py/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$duckdb_version')" >/dev/null 2>&1; then
  echo "setup: venv target/py with duckdb $duckdb_version"
  mkdir -p "$repo_root/target"
  python3 -m venv "$repo_root/target/py"
  "$repo_root/target/py/bin/pip" install --quiet --disable-pip-version-check "duckdb==$duckdb_version"
else
  echo "setup: target/py has duckdb $duckdb_version"
fi

cd "$repo_root/ui"
# npm ci writes node_modules/.package-lock.json; if package-lock.json is newer,
# the dependencies changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
else
  echo "setup: ui/node_modules up to date"
fi

echo "setup: building ui/dist"
npm run --silent build
