#!/usr/bin/env bash
# The verification benchmark (issue 2): generates a 1,000,000-event bundle once, then
# times, in one hyperfine run on the same events file:
#   sha256sum events.jsonl            (reading and hashing the bytes once)
#   trailscope verify BUNDLE          (parse, canonicalize, hash every event, check links,
#                                      manifest and file digest)
#   jq -cS . events.jsonl             (parse and re-serialize with sorted keys)
# and prints verify/sha256sum and jq/verify. Targets: verify <= 4x sha256sum, and at
# least 5x faster than jq -cS.
#
# Usage: scripts/bench.sh [EVENTS] (default 1000000). Data goes to bench-data/.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
events="${1:-1000000}"
runs="${BENCH_RUNS:-5}"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v jq >/dev/null || need+=(jq)
if ((${#need[@]} > 0)); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

cargo build --release --locked -p trailscope
bin="$repo_root/target/release/trailscope"
data="$repo_root/bench-data"
bundle="$data/bundle-$events"
mkdir -p "$data"
if [[ ! -f "$bundle/manifest.json" ]]; then
  rm -rf "$bundle"
  echo "bench: generating $events events"
  /usr/bin/time -f "bench: generated in %e s, peak RSS %M KB" \
    "$bin" gen "$bundle" --events "$events" --chains 2 --seed 1
fi
events_file="$bundle/events.jsonl"
echo "bench: $(du -h "$events_file" | cut -f1) events file, $(nproc) cores"

/usr/bin/time -f "bench: verify peak RSS %M KB" "$bin" verify "$bundle" >/dev/null || [[ $? -eq 3 ]]

hyperfine --warmup 1 --runs "$runs" --export-json "$data/verify.json" \
  -n sha256sum "sha256sum $events_file" \
  -n verify "$bin verify $bundle >/dev/null || test \$? -eq 3"
# jq takes far longer; fewer runs keep the benchmark short.
hyperfine --runs "${BENCH_JQ_RUNS:-2}" --export-json "$data/jq.json" \
  -n "jq -cS" "jq -cS . $events_file >/dev/null"

python3 - "$data/verify.json" "$data/jq.json" <<'EOF'
import json, sys
results = {r["command"]: r["median"] for f in sys.argv[1:] for r in json.load(open(f))["results"]}
sha, verify, jq = results["sha256sum"], results["verify"], results["jq -cS"]
print(f"bench: median sha256sum {sha:.2f} s, verify {verify:.2f} s, jq -cS {jq:.2f} s")
print(f"bench: verify / sha256sum = {verify / sha:.2f}x (target <= 4x)  {'OK' if verify / sha <= 4 else 'MISSED'}")
print(f"bench: jq -cS / verify    = {jq / verify:.2f}x (target >= 5x)  {'OK' if jq / verify >= 5 else 'MISSED'}")
EOF
