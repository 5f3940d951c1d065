#!/usr/bin/env bash
# Builds the Debian package of Trailscope: bash scripts/package.sh
#
# Prints the path of the .deb on standard output (its only line there; everything
# else goes to standard error), so `deb="$(bash scripts/package.sh)"` works.
#
# The package holds the desktop app (/usr/bin/trailscope-app) with its desktop
# entry and icon, the `trailscope` CLI (/usr/bin/trailscope), and the file type
# application/x-trailscope-audit-bundle (*.audit.zip, a shared-mime-info file),
# which the desktop entry opens. It is made by Tauri's Debian bundler
# (`tauri bundle --bundles deb`, from the @tauri-apps/cli npm package in ui/),
# which builds the .deb itself: nothing is downloaded (no AppImage, whose tools
# would be).
#
# How:
#   1. scripts/setup.sh (skipped with TRAILSCOPE_PACKAGE_SKIP_SETUP=1, when the
#      caller has run it: it rebuilds ui/dist, which the app embeds);
#   2. the same release build as scripts/e2e.sh and scripts/app.sh (nothing to do
#      when it is current);
#   3. copies of both binaries without their debug line tables, in
#      <target>/package/release (the bundler patches the app binary it packs, and
#      target/release stays as cargo left it);
#   4. Depends: computed from those binaries by dpkg-shlibdeps (versioned, for the
#      Debian they were built on), to which Tauri adds libwebkit2gtk-4.1-0 and
#      libgtk-3-0;
#   5. `tauri bundle` with src-tauri/packaging/deb.conf.json merged over
#      src-tauri/tauri.conf.json, whose `bundle.active` stays false: cargo builds and
#      tests never bundle.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

say() { echo "package: $*" >&2; }

if [[ "${TRAILSCOPE_PACKAGE_SKIP_SETUP:-}" != 1 ]]; then
  bash scripts/setup.sh >&2
fi

tauri="$repo_root/ui/node_modules/.bin/tauri"
if [[ ! -x "$tauri" ]]; then
  say "the tauri CLI ($tauri) is missing: run scripts/setup.sh (npm ci in ui/)"
  exit 1
fi
for tool in strip dpkg-shlibdeps dpkg-deb jq; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "'$tool' is missing: run scripts/setup.sh (build-essential, jq)"
    exit 1
  fi
done

say "cargo build --release (trailscope-app, trailscope)"
cargo build --release --locked -p trailscope-app -p trailscope --bins >&2

target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
stage="$target_dir/package"
rm -rf "$stage/release/bundle/deb"
mkdir -p "$stage/release"
for bin in trailscope-app trailscope; do
  # Line tables only serve backtraces; symbol names stay. 133 MB -> 21 MB for the app.
  strip --strip-debug -o "$stage/release/$bin" "$target_dir/release/$bin"
done

# dpkg-shlibdeps reads debian/control; a minimal one in a scratch folder will do.
shlibs="$(mktemp -d)"
trap 'rm -rf "$shlibs"' EXIT
mkdir "$shlibs/debian"
printf 'Source: trailscope\n\nPackage: trailscope\nArchitecture: any\n' >"$shlibs/debian/control"
depends="$(cd "$shlibs" && dpkg-shlibdeps -O "$stage/release/trailscope-app" "$stage/release/trailscope" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')"
if [[ -z "$depends" ]]; then
  say "dpkg-shlibdeps found no dependencies"
  exit 1
fi
say "Depends: $depends"

# The CLI's staged path is absolute, so it comes in a second config, merged last.
extra="$(jq -cn --arg cli "$stage/release/trailscope" --arg depends "$depends" \
  '{bundle: {linux: {deb: {files: {"/usr/bin/trailscope": $cli}, depends: ($depends | split(", "))}}}}')"

say "tauri bundle --bundles deb"
(cd src-tauri && CARGO_TARGET_DIR="$stage" "$tauri" bundle --ci --bundles deb \
  --config packaging/deb.conf.json --config "$extra") >&2

debs=("$stage"/release/bundle/deb/*.deb)
if ((${#debs[@]} != 1)) || [[ ! -f "${debs[0]}" ]]; then
  say "expected one .deb in $stage/release/bundle/deb, found: ${debs[*]}"
  exit 1
fi
deb="${debs[0]}"
say "$(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')($(du -h "$deb" | cut -f1))"
echo "$deb"
