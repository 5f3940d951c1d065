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
# A third part times the mapped source: the same events as a 1,000,000-row CSV export
# (scripts/bench/events-to-csv.py) imported through scripts/bench/export.mapping.toml,
# against sqlite3 .import of the same CSV file into a table of its columns with the
# same kinds of indexes (time, actor, record, id).
#
# A fourth part times CloudTrail (issue 11): a 30-day, 2-region trail of 2,004,480 records
# verified and imported, against `zcat | jq -c '.Records[]'` over the same log files.
#
# Usage: scripts/bench.sh [EVENTS] (default 1000000). Data goes to bench-data/.
# A fifth part times a 1,000,000-row Microsoft 365 (Purview) export against sqlite3 .import.
#
# A sixth part (excerpt, issue 13) times an evidence excerpt of 3 starred events of the
# 1,000,000-event case (one inclusion proof each, streamed over the chain's hashes) and
# its check in a folder of its own, with the excerpt's size and the peak RSS of both.
#
# A seventh part (scale, issue 14) is scripts/bench-scale.sh: every target of issue 14 at
# 1,000,000 and 10,000,000 events (import, memory, case size, text index, text search,
# facets, counts, the app's timings, and DuckDB loading the same file), in one run.
#
# BENCH_PARTS=mapped (or verify, import, cloudtrail, purview, excerpt, scale;
# space-separated) runs only those parts.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
events="${1:-1000000}"
runs="${BENCH_RUNS:-5}"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v jq >/dev/null || need+=(jq)
command -v sqlite3 >/dev/null || need+=(sqlite3)
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
parts="${BENCH_PARTS:-verify import mapped cloudtrail purview}"
part() { [[ " $parts " == *" $1 "* ]]; }
events_file="$bundle/events.jsonl"
if part verify || part import || part mapped || part excerpt; then
  if [[ ! -f "$bundle/manifest.json" ]]; then
    rm -rf "$bundle"
    echo "bench: generating $events events"
    /usr/bin/time -f "bench: generated in %e s, peak RSS %M KB" \
      "$bin" gen "$bundle" --events "$events" --chains 2 --seed 1
  fi
  echo "bench: $(du -h "$events_file" | cut -f1) events file, $(nproc) cores"
fi

if part verify; then

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

fi

# ---- the case index (issue 3) --------------------------------------------------------
if part import; then
# Times `trailscope import` of the same bundle into a fresh case against sqlite3 loading
# the same rows as CSV into the same table and then building the same indexes, reports
# the import's peak RSS, and the median latency of `events --actor X` (first page),
# `timeline TYPE ID` and `diff EVENT_ID` on that case. Targets: import <= 15 s and
# <= 2x sqlite3; peak RSS <= 300 MB; each query p50 <= 20 ms.
case_db="$data/case-$events.db"
rm -f "$case_db" "$case_db-journal"
/usr/bin/time -f "bench: import peak RSS %M KB" "$bin" import --case "$case_db" "$bundle" >/dev/null || [[ $? -eq 3 ]]

# The baseline table drops STRICT, which .import's text values would trip on.
csv="$data/rows-$events.csv"
schema="$data/schema.sql"
indexes="$data/indexes.sql"
sqlite3 "$case_db" "SELECT sql || ';' FROM sqlite_master WHERE name = 'event'" | sed 's/) STRICT;/);/' >"$schema"
sqlite3 "$case_db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL" >"$indexes"
if [[ ! -s "$csv" ]]; then
  sqlite3 -csv "$case_db" "SELECT event_idx, bundle_idx, file, line, chain, seq, id, ts, action, category, actor_id,
    actor_type, actor_name, on_behalf_of, target_type, target_id, target_name, outcome, channel, ip, batch_id,
    client_id, rule_id, omitted, malformed, hex(hash), checks_ok, CAST(raw AS TEXT) FROM event" >"$csv"
fi
baseline="$data/baseline.db"
hyperfine --runs "${BENCH_IMPORT_RUNS:-3}" --export-json "$data/import.json" \
  --prepare "rm -f $case_db $case_db-journal" \
  -n "trailscope import" "$bin import --case $case_db $bundle >/dev/null || test \$? -eq 3" \
  --prepare "rm -f $baseline; sqlite3 $baseline < $schema" \
  -n "sqlite3 .import" "sqlite3 $baseline '.import --csv $csv event' && sqlite3 $baseline < $indexes"

actor="$(sqlite3 "$case_db" "SELECT actor_id FROM actor WHERE actor_type = 'user' ORDER BY n_events DESC LIMIT 1")"
read -r target_type target_id < <(sqlite3 -separator ' ' "$case_db" \
  "SELECT target_type, target_id FROM event WHERE target_type = 'Order' GROUP BY target_id ORDER BY count(*) DESC LIMIT 1")
event_id="$(sqlite3 "$case_db" "SELECT id FROM event WHERE action = 'order.updated'
  LIMIT 1 OFFSET (SELECT count(*) / 2 FROM event WHERE action = 'order.updated')")"
hyperfine --warmup 3 --runs "${BENCH_QUERY_RUNS:-30}" -N --export-json "$data/queries.json" \
  -n "events --actor" "$bin events --case $case_db --actor $actor --limit 50" \
  -n "timeline" "$bin timeline --case $case_db $target_type $target_id" \
  -n "diff" "$bin diff --case $case_db $event_id"

python3 - "$data/import.json" "$data/queries.json" <<'EOF'
import json, sys
imp = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
ours, base = imp["trailscope import"], imp["sqlite3 .import"]
print(f"bench: median import {ours:.2f} s (target <= 15 s)  {'OK' if ours <= 15 else 'MISSED'}")
print(f"bench: sqlite3 .import + indexes {base:.2f} s; import / sqlite3 = {ours / base:.2f}x (target <= 2x)  {'OK' if ours / base <= 2 else 'MISSED'}")
for r in json.load(open(sys.argv[2]))["results"]:
    ms = r["median"] * 1000
    print(f"bench: {r['command']:<16} p50 {ms:6.1f} ms (target <= 20 ms)  {'OK' if ms <= 20 else 'MISSED'}")
EOF
fi

# ---- the mapped source (issue 10) ------------------------------------------------------
# `trailscope import --mapping` of a CSV export of the same events against sqlite3 .import
# of the same file into a table of its columns plus indexes on time, user, record and id.
if part mapped; then
  export_csv="$data/export-$events.csv"
  if [[ ! -s "$export_csv" ]]; then
    echo "bench: writing the CSV export"
    python3 "$repo_root/scripts/bench/events-to-csv.py" "$events_file" "$export_csv.tmp"
    mv "$export_csv.tmp" "$export_csv"
  fi
  mapping="$repo_root/scripts/bench/export.mapping.toml"
  echo "bench: CSV export $(du -h "$export_csv" | cut -f1), $(($(wc -l <"$export_csv") - 1)) lines after the header"
  mapped_db="$data/mapped-$events.db"
  rm -f "$mapped_db" "$mapped_db-journal"
  /usr/bin/time -f "bench: mapped import peak RSS %M KB" \
    "$bin" import --case "$mapped_db" --mapping "$mapping" "$export_csv" >/dev/null || [[ $? -eq 4 ]]
  csv_baseline="$data/csv-baseline.db"
  csv_indexes="CREATE INDEX by_time ON export(Time); CREATE INDEX by_user ON export(UserId, Time);
    CREATE INDEX by_record ON export(RecordType, RecordId, Time); CREATE INDEX by_id ON export(EventId);"
  hyperfine --runs "${BENCH_IMPORT_RUNS:-3}" --export-json "$data/mapped.json" \
    --prepare "rm -f $mapped_db $mapped_db-journal" \
    -n "trailscope import --mapping" "$bin import --case $mapped_db --mapping $mapping $export_csv >/dev/null || test \$? -eq 4" \
    --prepare "rm -f $csv_baseline" \
    -n "sqlite3 .import (csv)" "sqlite3 $csv_baseline '.import --csv $export_csv export' && sqlite3 $csv_baseline '$csv_indexes'"
  python3 - "$data/mapped.json" <<'EOF'
import json, sys
res = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
ours, base = res["trailscope import --mapping"], res["sqlite3 .import (csv)"]
print(f"bench: mapped CSV import {ours:.2f} s; sqlite3 .import + indexes {base:.2f} s; ratio {ours / base:.2f}x")
EOF
fi

# ---- CloudTrail (issue 11) -------------------------------------------------------------
# A 30-day, 2-region trail (12 log files an hour of 116 records each: 2,004,480 records in
# 17,280 log files, about 400 MB gzipped and 2.9 GB inflated), generated once, then in one
# run: `trailscope verify` (every digest's signature and link, every log file's SHA-256,
# every record parsed, counted and checked for repeats) and `trailscope import` into a
# fresh case, against `zcat | jq -c '.Records[]'` over the same log files (inflating and
# parsing every record once, printing each). Targets: verify at least 3x faster than the
# pipeline, import no slower than it, peak RSS under 300 MB each. The load average is
# printed beside each figure: other work on the machine skews them.
if part cloudtrail; then
  trail="$data/cloudtrail-30d"
  trail_keys="$trail.keys.json"
  trail_case="$data/cloudtrail-30d.case.db"
  # The keys file is written last (renamed into place), so it marks a complete trail.
  if [[ ! -f "$trail_keys" ]]; then
    rm -rf "$trail"
    echo "bench: generating a 30-day, 2-region CloudTrail trail"
    /usr/bin/time -f "bench: generated in %e s, peak RSS %M KB" \
      "$bin" gen-cloudtrail "$trail" --regions us-east-1,eu-west-1 --days 30 \
      --logs-per-hour 12 --records-per-log 116 --trusted-keys-out "$trail_keys.tmp"
    mv "$trail_keys.tmp" "$trail_keys"
  fi
  pipeline="find $trail/AWSLogs -path '*/CloudTrail/*' -name '*.json.gz' -print0 | sort -z | xargs -0 zcat | jq -c '.Records[]'"
  load() { cut -d' ' -f1-3 /proc/loadavg; }

  # The record count, from trailscope's own report (and the peak RSS of a verification).
  load_rss="$(load)"
  /usr/bin/time -f "%M" -o "$data/cloudtrail-verify.rss" \
    "$bin" verify "$trail" --trusted-keys "$trail_keys" --json >"$data/cloudtrail-report.json"
  records="$(python3 -c 'import json, sys; print(sum(c["events"] for c in json.load(open(sys.argv[1]))["chains"]))' \
    "$data/cloudtrail-report.json")"
  log_files="$(find "$trail/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' | wc -l)"
  echo "bench: CloudTrail trail of $records records in $log_files log files, $(du -sh "$trail/AWSLogs" | cut -f1) on disk, $(nproc) cores"
  # The pipeline must read every log file: its output is counted once (and kept).
  if [[ ! -s "$trail.jq-lines" ]]; then
    echo "bench: counting the pipeline's output once"
    sh -c "$pipeline | wc -l" >"$trail.jq-lines.tmp"
    mv "$trail.jq-lines.tmp" "$trail.jq-lines"
  fi
  if [[ "$(cat "$trail.jq-lines")" -ne "$records" ]]; then
    echo "bench: the pipeline prints $(cat "$trail.jq-lines") records, trailscope counts $records" >&2
    exit 1
  fi
  rm -f "$trail_case" "$trail_case-journal"
  /usr/bin/time -f "%M" -o "$data/cloudtrail-import.rss" \
    "$bin" import --case "$trail_case" "$trail" --trusted-keys "$trail_keys" >/dev/null 2>"$data/cloudtrail-import.log" ||
    { cat "$data/cloudtrail-import.log" >&2; exit 1; }
  load_rss="$load_rss -> $(load)"

  load_verify="$(load)"
  hyperfine --warmup 1 --runs "$runs" --export-json "$data/cloudtrail-verify.json" \
    -n "trailscope verify" "$bin verify $trail --trusted-keys $trail_keys >/dev/null"
  load_verify="$load_verify -> $(load)"
  # The import and the pipeline take minutes each: fewer runs, as for jq above.
  load_slow="$(load)"
  hyperfine --runs "${BENCH_CLOUDTRAIL_RUNS:-2}" --export-json "$data/cloudtrail-slow.json" \
    --prepare "rm -f $trail_case $trail_case-journal" \
    -n "trailscope import" "$bin import --case $trail_case $trail --trusted-keys $trail_keys >/dev/null 2>&1" \
    --prepare "true" \
    -n "zcat | jq" "$pipeline >/dev/null"
  load_slow="$load_slow -> $(load)"
  case_size="$(du -h "$trail_case" | cut -f1)"
  rm -f "$trail_case" "$trail_case-journal"

  python3 - "$data/cloudtrail-verify.json" "$data/cloudtrail-slow.json" "$data/cloudtrail-verify.rss" \
    "$data/cloudtrail-import.rss" "$records" "$load_verify" "$load_slow" "$load_rss" "$case_size" <<'EOF'
import json, sys
verify_json, slow_json, verify_rss, import_rss, records, load_verify, load_slow, load_rss, case_size = sys.argv[1:]
res = {r["command"]: r["median"] for f in (verify_json, slow_json) for r in json.load(open(f))["results"]}
verify, imp, jq = res["trailscope verify"], res["trailscope import"], res["zcat | jq"]
# /usr/bin/time reports KiB; MB here are 10^6 bytes.
rss = [int(open(f).read().split()[-1]) * 1024 / 1e6 for f in (verify_rss, import_rss)]
ok = lambda good: "OK" if good else "MISSED"
print(f"bench: cloudtrail, {int(records):,} records: median verify {verify:.2f} s (load {load_verify}); "
      f"import {imp:.2f} s, zcat | jq {jq:.2f} s (load {load_slow}); the case file was {case_size}")
print(f"bench: jq-pipeline / verify = {jq / verify:.2f}x (target >= 3x)  {ok(jq / verify >= 3)}")
print(f"bench: import / jq-pipeline = {imp / jq:.2f}x (target <= 1x)  {ok(imp <= jq)}")
print(f"bench: peak RSS verify {rss[0]:.0f} MB, import {rss[1]:.0f} MB (target < 300 MB; load {load_rss})  "
      f"{ok(max(rss) < 300)}")
EOF
fi

# ---- Microsoft 365 (issue 12) ----------------------------------------------------------
# A 1,000,000-row Purview audit search export (the classic CSV, generated once) imported
# by `trailscope import` (detected by content, every AuditData parsed and normalized,
# repeats counted, indexed), against `sqlite3 .import` of the same CSV into a table of its
# four columns with indexes on time and user, in one run.
if part purview; then
  purview_rows="${BENCH_PURVIEW_ROWS:-1000000}"
  purview_csv="$data/purview-$purview_rows.csv"
  if [[ ! -s "$purview_csv" ]]; then
    echo "bench: generating a $purview_rows-row Purview export"
    "$bin" gen-export purview "$purview_csv.tmp" --records "$purview_rows" --shape classic --seed 3
    mv "$purview_csv.tmp" "$purview_csv"
  fi
  echo "bench: Purview CSV $(du -h "$purview_csv" | cut -f1), $(($(wc -l <"$purview_csv") - 1)) lines after the header, $(nproc) cores"
  purview_case="$data/purview-$purview_rows.case.db"
  rm -f "$purview_case" "$purview_case-journal"
  /usr/bin/time -f "%M" -o "$data/purview-import.rss" \
    "$bin" import --case "$purview_case" "$purview_csv" >/dev/null 2>&1 || [[ $? -eq 4 ]]
  purview_baseline="$data/purview-baseline.db"
  purview_indexes="CREATE INDEX by_time ON audit(CreationDate); CREATE INDEX by_user ON audit(UserIds, CreationDate);"
  hyperfine --runs "${BENCH_IMPORT_RUNS:-3}" --export-json "$data/purview.json" \
    --prepare "rm -f $purview_case $purview_case-journal" \
    -n "trailscope import (purview)" "$bin import --case $purview_case $purview_csv >/dev/null 2>&1 || test \$? -eq 4" \
    --prepare "rm -f $purview_baseline" \
    -n "sqlite3 .import (purview)" "sqlite3 $purview_baseline '.import --csv $purview_csv audit' && sqlite3 $purview_baseline '$purview_indexes'"
  python3 - "$data/purview.json" "$data/purview-import.rss" <<'PY'
import json, sys
res = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
ours, base = res["trailscope import (purview)"], res["sqlite3 .import (purview)"]
rss = int(open(sys.argv[2]).read().split()[-1]) * 1024 / 1e6
print(f"bench: purview import {ours:.2f} s; sqlite3 .import + indexes {base:.2f} s; ratio {ours / base:.2f}x; peak RSS {rss:.0f} MB")
PY
fi

# ---- evidence excerpts (issue 13) ----------------------------------------------------
if part excerpt; then
  excerpt_case="$data/excerpt-case-$events.db"
  export TRAILSCOPE_HOME="$data/reviewer"
  if [[ ! -f "$excerpt_case" ]]; then
    "$bin" import --case "$excerpt_case" "$bundle" >/dev/null || [[ $? -eq 3 ]]
    # Three events far apart in the chain: the first, the middle and the last.
    for id in $(sqlite3 "$excerpt_case" "SELECT id FROM event WHERE event_idx IN
        ((SELECT min(event_idx) FROM event), (SELECT max(event_idx) / 2 FROM event), (SELECT max(event_idx) FROM event))"); do
      "$bin" star --case "$excerpt_case" "$id" >/dev/null
    done
  fi
  out="$data/excerpt-out"
  rm -rf "$out"
  /usr/bin/time -o "$data/excerpt.rss" -f "%M" "$bin" excerpt --case "$excerpt_case" --starred --out "$out" >/dev/null
  /usr/bin/time -o "$data/excerpt-verify.rss" -f "%M" "$bin" verify "$out" >/dev/null
  size=$(du -sb "$out" | cut -f1)
  hyperfine --runs "${BENCH_EXCERPT_RUNS:-3}" --export-json "$data/excerpt.json" \
    --prepare "rm -rf $out" \
    -n "excerpt (3 events)" "$bin excerpt --case $excerpt_case --starred --out $out >/dev/null" \
    --prepare "true" \
    -n "verify excerpt" "$bin verify $out >/dev/null"
  python3 - "$data/excerpt.json" "$data/excerpt.rss" "$data/excerpt-verify.rss" "$size" <<'PY'
import json, sys
res = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
rss = [int(open(p).read().split()[-1]) / 1024 for p in sys.argv[2:4]]
size = int(sys.argv[4])
print(f"bench: excerpt of 3 events {res['excerpt (3 events)']:.2f} s (peak RSS {rss[0]:.0f} MB), "
      f"its check {res['verify excerpt'] * 1000:.0f} ms (peak RSS {rss[1]:.0f} MB), {size / 1024:.1f} KB on disk")
PY
fi

if part scale; then
  bash scripts/bench-scale.sh
fi
