#!/usr/bin/env bash
# Assembles a CloudTrail evidence folder that Trailscope verifies offline.
#
#   scripts/collect-cloudtrail.sh --bucket B [--prefix P] --start YYYY-MM-DD --end YYYY-MM-DD OUT
#
# Downloads with the AWS CLI (credentials as the CLI finds them):
#   OUT/AWSLogs/…                       the trail's log files and digest files for the days
#                                       from --start to --end (and the day after, whose first
#                                       digests cover the end), exactly as `aws s3 sync` writes them
#   OUT/digest-signatures/<path>.json   `aws s3api head-object` of every digest: a download loses
#                                       the S3 metadata that holds each digest's signature
#   OUT/public-keys/<region>.json       `aws cloudtrail list-public-keys` for each region, over
#                                       the window (plus two hours, as `validate-logs` does)
#   OUT/COLLECTED.txt                   what was run, when, by whom, and the SHA-256 of every file
#
# Then: trailscope verify OUT. It only reads from AWS; nothing is written to the bucket.
set -euo pipefail

usage() {
  sed -n '4,5p' "$0" | sed 's/^# *//' >&2
  exit 2
}

bucket="" prefix="" start="" end="" out=""
while (($# > 0)); do
  case "$1" in
    --bucket) bucket="${2:-}"; shift 2 ;;
    --prefix) prefix="${2:-}"; shift 2 ;;
    --start) start="${2:-}"; shift 2 ;;
    --end) end="${2:-}"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "collect-cloudtrail: unknown option $1" >&2; usage ;;
    *) out="$1"; shift ;;
  esac
done
[[ -n "$bucket" && -n "$start" && -n "$end" && -n "$out" ]] || usage
for day in "$start" "$end"; do
  if ! date -u -d "$day" +%F >/dev/null 2>&1 || [[ ! "$day" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
    echo "collect-cloudtrail: $day is not a date (YYYY-MM-DD)" >&2
    exit 2
  fi
done
if [[ "$(date -u -d "$start" +%s)" -gt "$(date -u -d "$end" +%s)" ]]; then
  echo "collect-cloudtrail: --start $start is after --end $end" >&2
  exit 2
fi
command -v aws >/dev/null 2>&1 || {
  echo "collect-cloudtrail: the AWS CLI (aws) is not installed or not on PATH" >&2
  exit 1
}
prefix="${prefix%/}"
key_root="${prefix:+$prefix/}AWSLogs/"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# One include per day and kind: s3 sync filters by key, and the date folders are
# <region>/YYYY/MM/DD under CloudTrail/ and CloudTrail-Digest/.
filters=(--exclude "*")
day="$start"
last="$(date -u -d "$end + 1 day" +%F)"
while :; do
  folder="$(date -u -d "$day" +%Y/%m/%d)"
  filters+=(--include "*/CloudTrail/*/$folder/*" --include "*/CloudTrail-Digest/*/$folder/*")
  [[ "$day" == "$last" ]] && break
  day="$(date -u -d "$day + 1 day" +%F)"
done

echo "collect-cloudtrail: downloading s3://$bucket/$key_root ($start to $end)" >&2
aws s3 sync "s3://$bucket/$key_root" "$out/AWSLogs/" "${filters[@]}" --only-show-errors

digests=()
while IFS= read -r -d '' file; do
  digests+=("${file#"$out"/}")
done < <(find "$out/AWSLogs" -path '*/CloudTrail-Digest/*' -name '*.json.gz' -type f -print0 | sort -z)
echo "collect-cloudtrail: ${#digests[@]} digest files; reading each one's signature" >&2
for relative in "${digests[@]}"; do
  target="$out/digest-signatures/$relative.json"
  mkdir -p "$(dirname "$target")"
  aws s3api head-object --bucket "$bucket" --key "${prefix:+$prefix/}$relative" --output json >"$target.partial"
  mv "$target.partial" "$target"
done

# Regions: the digests' source regions (…/CloudTrail-Digest/<region>/YYYY/…).
mapfile -t regions < <(printf '%s\n' "${digests[@]}" | sed -n 's#.*/CloudTrail-Digest/\([^/]*\)/.*#\1#p' | sort -u)
mkdir -p "$out/public-keys"
# The digests downloaded run to the end of the day after --end; keys cover them, plus
# two hours as `validate-logs` asks for.
key_end="$(date -u -d "$end + 2 days + 2 hours" +%Y-%m-%dT%H:%M:%SZ)"
for region in "${regions[@]}"; do
  echo "collect-cloudtrail: public keys of $region" >&2
  aws cloudtrail list-public-keys --region "$region" \
    --start-time "${start}T00:00:00Z" --end-time "$key_end" --output json >"$out/public-keys/$region.json.partial"
  mv "$out/public-keys/$region.json.partial" "$out/public-keys/$region.json"
done

{
  echo "Collected by scripts/collect-cloudtrail.sh"
  echo "when (UTC): $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "by: $(id -un 2>/dev/null || echo unknown)@$(hostname 2>/dev/null || echo unknown)"
  echo "source: s3://$bucket/$key_root"
  echo "window: $start to $end"
  echo "regions: ${regions[*]:-none}"
  echo
  echo "SHA-256 of every file:"
  (cd "$out" && find AWSLogs digest-signatures public-keys -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum)
} >"$out/COLLECTED.txt"
echo "collect-cloudtrail: done: ${#digests[@]} digests, regions: ${regions[*]:-none}. Next: trailscope verify $out" >&2
