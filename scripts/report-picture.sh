#!/usr/bin/env bash
# Makes the README's picture of the auditor's report: scripts/report-picture.sh [OUT.png]
# (default docs/report.png).
#
# With the CLI only: a realistic bundle generated and signed with a key made here,
# imported into a case trusting that key (so the case is verified), two refused
# exports and one allowed export starred, tagged and noted by "Maria Lopez", the
# report written (`trailscope report`), and the top of it — title, verdict, what was
# examined — photographed 1280 pixels wide in headless Chromium (Debian's package,
# which scripts/setup.sh installs). Everything happens in a temporary folder,
# TRAILSCOPE_HOME included, so your own reviewer key and name are never touched.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$repo_root/docs/report.png}")"
cd "$repo_root"

if ! command -v chromium >/dev/null; then
  echo "report-picture: chromium is not installed; scripts/setup.sh installs it" >&2
  exit 1
fi
cargo build --release --locked -p trailscope --bins
trailscope="$repo_root/target/release/trailscope"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export TRAILSCOPE_HOME="$scratch/reviewer"
# Paths relative to the scratch folder, so the report reads "acme-crm-export", not /tmp/….
cd "$scratch"
case="investigation.trailscope"
"$trailscope" reviewer --name "Maria Lopez" >/dev/null

"$trailscope" keygen acme-audit-2026 --key-id acme-audit-2026 >/dev/null
"$trailscope" gen acme-crm-export --events 3000 --seed 7 --sign-key acme-audit-2026 >/dev/null
"$trailscope" import --case "$case" --trusted-keys acme-audit-2026.pub acme-crm-export >/dev/null

# The ids of the events matching a filter, newest first.
ids() {
  "$trailscope" events --case "$case" --format json "$@" 2>/dev/null |
    python3 -c 'import json, sys; print("\n".join(json.loads(line)["id"] for line in sys.stdin if line.strip()))'
}
mapfile -t refused < <(ids --text "Mateo Ruiz" --action export.created --outcome denied --limit 2)
mapfile -t allowed < <(ids --action export.created --outcome success --limit 1)
if ((${#refused[@]} < 2 || ${#allowed[@]} < 1)); then
  echo "report-picture: the generated bundle lacks the exports to mark" >&2
  exit 1
fi

for id in "${refused[@]}" "${allowed[0]}"; do
  "$trailscope" star --case "$case" "$id" >/dev/null
  "$trailscope" tag --case "$case" "$id" --tag "customer-data export" >/dev/null
done
"$trailscope" tag --case "$case" "${refused[0]}" --tag "follow-up" >/dev/null
"$trailscope" note --case "$case" "${refused[1]}" \
  --text "First of two attempts in 25 minutes to export the customer list without the permission." >/dev/null
"$trailscope" note --case "$case" "${refused[0]}" \
  --text "Second attempt. Asked his manager on 6 January why he needed the list." >/dev/null
"$trailscope" note --case "$case" "${allowed[0]}" \
  --text "Allowed export of Enterprise customers: confirm who received the file." >/dev/null

"$trailscope" report --case "$case" --out report.html >/dev/null

mkdir -p "$(dirname "$out")"
timeout 180 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --run-all-compositor-stages-before-draw --virtual-time-budget=5000 \
  --user-data-dir="$scratch/chromium" --window-size=1280,1370 \
  --screenshot="$out" "file://$scratch/report.html" 2>/dev/null
echo "report-picture: wrote $out"
