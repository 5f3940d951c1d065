#!/usr/bin/env bash
# Tests the Debian package end to end: bash scripts/test-package.sh
#
# Builds it (scripts/package.sh), installs it with apt-get, checks what dpkg says it
# installed (the desktop entry, the icon, /usr/bin/trailscope, the file type), runs
# the installed CLI (keygen, gen, verify, import, status) with a scratch HOME,
# starts the installed app under Xvfb on a generated .audit.zip, waits for its
# window and for the case it imports, takes a screenshot (kept, its path printed)
# and checks it is not blank, then removes the package and checks the binaries are
# gone and the cases are still there. Every check prints a PASS or FAIL line; it
# closes with "package: N passed, N failed" and exits non-zero if any failed.
#
# Installing needs root: it runs as root, or through `sudo -n`, and otherwise stops
# with a message. It changes the machine's packages: a `trailscope` package already
# installed is removed first, and the one it installs is removed at the end (also
# when the script stops early).
#
# It needs, besides what scripts/setup.sh installs, ImageMagick (the screenshot) and,
# for the checks a desktop would make, desktop-file-utils (update-desktop-database,
# desktop-file-validate) and libglib2.0-bin (gio): $package_test_apt below, which it
# passes to setup.sh, as scripts/test.sh does.
#
# Environment: TRAILSCOPE_PACKAGE_SKIP_SETUP=1 skips scripts/setup.sh (scripts/test.sh
# has run it, with those packages); TRAILSCOPE_PACKAGE_SHOT=FILE is where the screenshot
# goes (default <target>/package-test/trailscope-app.png); TRAILSCOPE_PACKAGE_TIMEOUT
# bounds the wait for the app's window and case, in seconds (default 120).

# Functions called through `check` and in traps look unreachable to shellcheck:
# shellcheck disable=SC2317
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root" || exit 1
started=$SECONDS

passed=0
failed=0
pass() {
  echo "PASS: $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}
# check DESCRIPTION COMMAND...: PASS when the command succeeds.
check() {
  local what="$1"
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
  echo "package: took $((SECONDS - started))s"
  echo "package: $passed passed, $failed failed"
  ((failed == 0))
  exit $?
}

if [[ "$(id -u)" -eq 0 ]]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root() { sudo -n "$@"; }
else
  fail "installing a package needs root: run this as root, or as a user who may sudo without a password (sudo -n)"
  finish
fi
apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y "$@" </dev/null; }
installed() { dpkg-query -W -f='${Status}' trailscope 2>/dev/null | grep -q "install ok installed"; }

package_test_apt="imagemagick desktop-file-utils libglib2.0-bin"
if [[ "${TRAILSCOPE_PACKAGE_SKIP_SETUP:-}" != 1 ]]; then
  TRAILSCOPE_EXTRA_APT="${TRAILSCOPE_EXTRA_APT:-} $package_test_apt" bash scripts/setup.sh
fi
for tool in xvfb-run xwininfo xprop import identify; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    fail "'$tool' is missing (scripts/setup.sh installs it with TRAILSCOPE_EXTRA_APT=\"$package_test_apt\")"
    finish
  fi
done

scratch="$(mktemp -d)"
chmod 755 "$scratch"
we_installed=0
cleanup() {
  if ((we_installed)) && installed; then
    echo "package: removing the package left installed"
    apt_get remove trailscope >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# 1. Build.
echo "package: building (scripts/package.sh)"
if ! deb="$(TRAILSCOPE_PACKAGE_SKIP_SETUP=1 bash scripts/package.sh)" || [[ ! -f "$deb" ]]; then
  fail "scripts/package.sh builds a .deb"
  finish
fi
pass "scripts/package.sh built $deb ($(du -h "$deb" | cut -f1))"
target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
shot="$(realpath -m "${TRAILSCOPE_PACKAGE_SHOT:-$target_dir/package-test/trailscope-app.png}")"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "package: Depends: $depends"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libc6; do
  check "Depends names $dep" grep -q "\(^\|, \)$dep\b" <<<"$depends"
done

# 2. Install.
if installed; then
  echo "package: a trailscope package is installed already; removing it first"
  apt_get remove trailscope >/dev/null
fi
we_installed=1
# apt reads the .deb as its unprivileged _apt user: give it a copy it can read.
cp "$deb" "$scratch/"
chmod 644 "$scratch/$(basename "$deb")"
if apt_get install "$scratch/$(basename "$deb")" >"$scratch/apt-install.log" 2>&1 && installed; then
  pass "apt-get install ./$(basename "$deb")"
else
  fail "apt-get install ./$(basename "$deb"); its output:"
  cat "$scratch/apt-install.log"
  finish
fi

# 3. What it installed.
listed="$(dpkg -L trailscope)"
lists() { grep -qx "$1" <<<"$listed"; }
desktop=/usr/share/applications/Trailscope.desktop
mime_xml=/usr/share/mime/packages/trailscope.xml
for path in /usr/bin/trailscope-app /usr/bin/trailscope "$desktop" \
  /usr/share/icons/hicolor/128x128/apps/trailscope-app.png "$mime_xml"; do
  check "dpkg -L trailscope lists $path" lists "$path"
  check "$path is installed" test -s "$path"
done
check "the desktop entry runs the app with the file opened (Exec=trailscope-app %f)" \
  grep -qx 'Exec=trailscope-app %f' "$desktop"
check "the desktop entry opens application/x-trailscope-audit-bundle" \
  grep -qx 'MimeType=application/x-trailscope-audit-bundle;' "$desktop"
check "the file type's glob is *.audit.zip" grep -q 'pattern="\*\.audit\.zip"' "$mime_xml"
if command -v desktop-file-validate >/dev/null 2>&1; then
  check "desktop-file-validate accepts the desktop entry" desktop-file-validate "$desktop"
fi
if command -v update-mime-database >/dev/null 2>&1; then
  # dpkg's trigger ran update-mime-database: the type is in the system's database.
  check "the mime database knows *.audit.zip" \
    grep -qx 'application/x-trailscope-audit-bundle:\*\.audit\.zip' /usr/share/mime/globs
fi

# 4. The installed CLI, with a scratch HOME (the reviewer's key is made there); its
# output goes to a log, shown when a step fails.
home="$scratch/home"
mkdir -p "$home"
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
  XDG_CACHE_HOME="$home/.cache"
unset TRAILSCOPE_HOME TRAILSCOPE_TRUSTED_KEYS
bundle="$scratch/acme-audit-2026-q1.audit.zip"
key="$scratch/acme-audit-2026"
cli_log="$scratch/cli.log"
cli() {
  echo "\$ trailscope $*" >>"$cli_log"
  /usr/bin/trailscope "$@" >>"$cli_log" 2>&1 && return 0
  tail -n 20 "$cli_log"
  return 1
}
check "/usr/bin/trailscope --version says $(/usr/bin/trailscope --version 2>&1)" cli --version
check "trailscope keygen" cli keygen "$key" --key-id acme-audit-2026
check "trailscope gen --zip: a signed bundle of 5,000 events, $(basename "$bundle")" \
  cli gen "$bundle" --events 5000 --chains 2 --seed 7 --sign-key "$key" --zip
verify_out="$(/usr/bin/trailscope verify "$bundle" --trusted-keys "$key.pub" 2>&1)"
verify_status=$?
verify_head="$(head -n 1 <<<"$verify_out")"
check "trailscope verify exits 0 and says \"$verify_head\"" \
  test "$verify_status" -eq 0 -a "${verify_head#Verified: 5,000 events}" != "$verify_head"
case_file="$home/cases/q1.trailscope"
mkdir -p "$home/cases"
check "trailscope import into $case_file" cli import --case "$case_file" \
  "$bundle" --trusted-keys "$key.pub"
check "trailscope status of that case" cli status --case "$case_file"
if command -v gio >/dev/null 2>&1 && command -v update-desktop-database >/dev/null 2>&1; then
  # What a file manager asks (GIO): the file's type, and which app opens it (from the
  # mimeinfo.cache that dpkg's trigger had update-desktop-database write).
  content_type="$(gio info -a standard::content-type "$bundle" 2>/dev/null |
    sed -n 's/^ *standard::content-type: //p')"
  check "GIO calls $(basename "$bundle") application/x-trailscope-audit-bundle (${content_type:-nothing})" \
    test "$content_type" = application/x-trailscope-audit-bundle
  check "GIO opens application/x-trailscope-audit-bundle with Trailscope.desktop" \
    bash -c 'gio mime application/x-trailscope-audit-bundle 2>/dev/null | grep -q "^Default application.*: Trailscope\.desktop$"'
fi

# 5. The installed app under Xvfb, opening the bundle as a double-click would.
mkdir -p "$(dirname "$shot")"
rm -f "$shot"
app_dir="$scratch/app"
mkdir -p "$app_dir"
# Runs inside xvfb-run, with DISPLAY set: starts the app, waits for its window and
# the case it imports, takes the screenshot, stops the app. Writes what it saw into
# files of $app_dir for the checks below.
run_app() {
  local bundle="$1" shot="$2" dir="$3" budget="$4" data="$5"
  WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1 \
    /usr/bin/trailscope-app "$bundle" >"$dir/app.log" 2>&1 &
  local app=$!
  trap 'kill "$app" 2>/dev/null; wait "$app" 2>/dev/null' EXIT
  local deadline=$((SECONDS + budget)) window="" case_file=""
  while ((SECONDS < deadline)) && kill -0 "$app" 2>/dev/null; do
    if [[ -z "$window" ]]; then
      window="$(xwininfo -root -tree 2>/dev/null | sed -n 's/^ *\(0x[0-9a-f]*\) "Trailscope": .*/\1/p' | head -n 1)"
      [[ -z "$window" ]] || echo "$window" >"$dir/window"
    fi
    # The import is one transaction: status answers once it has committed.
    case_file="$(find "$data" -name '*.trailscope' -print -quit 2>/dev/null)"
    if [[ -n "$window" && -n "$case_file" ]] &&
      /usr/bin/trailscope status --case "$case_file" >"$dir/status.txt" 2>&1; then
      echo "$case_file" >"$dir/case"
      break
    fi
    sleep 0.5
  done
  if [[ -n "$window" ]]; then
    xprop -id "$window" WM_CLASS >"$dir/wm_class" 2>/dev/null || true
    # Room for the window to draw the opened case; then the whole screen, twice if
    # the first picture came too early to hold much.
    sleep 3
    import -window root "$shot" 2>"$dir/import.log"
    if [[ "$(identify -format '%k' "$shot" 2>/dev/null || echo 0)" -lt 256 ]]; then
      sleep 5
      import -window root "$shot" 2>>"$dir/import.log"
    fi
  fi
  kill -0 "$app" 2>/dev/null && echo running >"$dir/alive"
}
echo "package: starting /usr/bin/trailscope-app $bundle under Xvfb"
TRAILSCOPE_TRUSTED_KEYS="$key.pub" xvfb-run -a -s "-screen 0 1280x800x24" \
  bash -c "$(declare -f run_app)"'; run_app "$@"' run_app \
  "$bundle" "$shot" "$app_dir" "${TRAILSCOPE_PACKAGE_TIMEOUT:-120}" \
  "$XDG_DATA_HOME/app.trailscope.desktop"
check "the installed app opened a window titled Trailscope" test -s "$app_dir/window"
check "the app was still running when the screenshot was taken" test -s "$app_dir/alive"
app_case="$(cat "$app_dir/case" 2>/dev/null)"
check "the app imported the bundle it was started with into a case (${app_case:-none})" \
  test -n "$app_case"
check "that case is verified (the app was given the bundle's key)" \
  grep -q 'Overall: verified' "$app_dir/status.txt"
if [[ -s "$app_dir/wm_class" ]]; then
  check "the window's class matches the desktop entry's StartupWMClass ($(cat "$app_dir/wm_class"))" \
    grep -q '"trailscope-app"' "$app_dir/wm_class"
fi
colours="$(identify -format '%k' "$shot" 2>/dev/null || echo 0)"
check "the screenshot is not blank: $colours distinct colours (> 256)" test "$colours" -gt 256
echo "package: screenshot $shot"
if [[ -z "$app_case" || ! -s "$app_dir/alive" ]]; then
  echo "package: the app's output:"
  tail -n 30 "$app_dir/app.log"
fi

# 6. Remove: the binaries go, the cases stay.
if apt_get remove trailscope >"$scratch/apt-remove.log" 2>&1 && ! installed; then
  pass "apt-get remove trailscope"
else
  fail "apt-get remove trailscope; its output:"
  cat "$scratch/apt-remove.log"
fi
for path in /usr/bin/trailscope-app /usr/bin/trailscope "$desktop" "$mime_xml"; do
  check "$path is gone" test ! -e "$path"
done
if command -v update-mime-database >/dev/null 2>&1; then
  check "the mime database no longer knows *.audit.zip" \
    bash -c '! grep -q "application/x-trailscope-audit-bundle" /usr/share/mime/globs'
fi
check "the CLI's case is still there ($case_file)" test -s "$case_file"
if [[ -n "$app_case" ]]; then
  check "the app's case is still there ($app_case)" test -s "$app_case"
fi

finish
