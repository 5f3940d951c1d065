#!/usr/bin/env bash
# Issue 14's benchmark: every target at 1,000,000 and 10,000,000 events, in one run.
#
#   bash scripts/bench-scale.sh [SIZES]      (default "1000000 10000000")
#   BENCH_PARTS=scale bash scripts/bench.sh  (the same, from the benchmark script)
#
# For each size it uses bench-data/bundle-SIZE (generated once with 4 chains, kept), then:
#   1. imports it into a new case, without the text index (`--no-text-index`): seconds
#      and peak RSS (/usr/bin/time), and the case's size against the bundle's;
#   2. builds the text index (`trailscope index`): seconds, peak RSS, the case's size;
#   3. times the investigator's queries in one process (examples/bench_queries.rs):
#      the first page, text search, unfiltered and filtered facets, counts;
#   4. times the app on that case under Xvfb (scripts/bench-app.sh with
#      TRAILSCOPE_BENCH_CASE; 3 runs, medians): open to first rows, filter changes,
#      pickers, the count, a text search;
#   5. at 1,000,000 only: DuckDB (the Python package setup.sh installs in target/py)
#      loading the same JSON Lines file, `CREATE TABLE … AS SELECT * FROM
#      read_json_auto(…)`, against our import (which verifies and indexes too), then
#      DUCK_PAIRS (default 2) more of each in turn: the verdict is the median ratio;
#      and the floor of an import into SQLite: `trailscope verify` (verification
#      alone) and examples/bench_floor.rs (SQLite alone: the rows and the indexes).
# Then prints one line per target with the figure at each size and whether it is met.
# Figures go to bench-data/scale-SIZE.json. Needs about 25 GB of disk at 10,000,000.
# BENCH_SKIP_APP=1 leaves the app out.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
sizes="${1:-1000000 10000000}"
data="$repo_root/bench-data"
mkdir -p "$data"

cargo build --release --locked -p trailscope --bins --examples
bin="$repo_root/target/release/trailscope"
queries="$repo_root/target/release/examples/bench_queries"
floor="$repo_root/target/release/examples/bench_floor"
python="${TRAILSCOPE_PYTHON:-$repo_root/target/py/bin/python}"

timed() { # timed OUT_FILE command…: "seconds peak_kb" into OUT_FILE
  local out="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$out" "$@"
}

checked_timed() { # checked_timed OUT_FILE trailscope-arguments…: timed, and must succeed
  local status=0
  timed "$1" "$bin" "${@:2}" >/dev/null 2>&1 || status=$?
  # Exit 3 is "intact" (the generated bundle is not signed): a good import or verify.
  if ((status != 0 && status != 3)); then
    echo "scale: trailscope $2 failed (exit $status)" >&2
    exit 1
  fi
}

import_timed() { # import_timed CASE OUT_FILE: imports $bundle into a new CASE, timed
  checked_timed "$2" import --case "$1" --no-text-index "$bundle"
}

for n in $sizes; do
  bundle="$data/bundle-$n"
  if [[ ! -f "$bundle/manifest.json" ]]; then
    rm -rf "$bundle"
    echo "scale: generating $n events"
    "$bin" gen "$bundle" --events "$n" --chains 4 --seed 1 >/dev/null
  fi
  bundle_bytes=$(du -sb "$bundle" | cut -f1)
  case_path="$data/scale-$n.case"
  rm -f "$case_path" "$case_path-journal"
  echo "scale: $n events — load average $(cut -d' ' -f1-3 /proc/loadavg)"

  import_timed "$case_path" "$data/scale-import.time"
  read -r import_s import_kb < <(tail -n 1 "$data/scale-import.time")
  case_bytes=$(stat -c %s "$case_path")
  echo "scale: import ${import_s} s, peak RSS $((import_kb / 1024)) MB, case $((case_bytes / 1048576)) MB"

  timed "$data/scale-index.time" "$bin" index --case "$case_path" 2>/dev/null
  read -r index_s index_kb < <(tail -n 1 "$data/scale-index.time")
  indexed_bytes=$(stat -c %s "$case_path")
  echo "scale: text index ${index_s} s, peak RSS $((index_kb / 1024)) MB, case $((indexed_bytes / 1048576)) MB"

  "$queries" "$case_path" >"$data/scale-$n-queries.jsonl"
  echo "scale: queries timed ($(wc -l <"$data/scale-$n-queries.jsonl") measures)"

  : >"$data/scale-$n-app.txt"
  if [[ "${BENCH_SKIP_APP:-}" != 1 ]]; then
    TRAILSCOPE_BENCH_CASE="$case_path" TRAILSCOPE_BENCH_RUNS="${TRAILSCOPE_BENCH_RUNS:-3}" \
      bash scripts/bench-app.sh 2>&1 | grep '^bench-app: .*median' >"$data/scale-$n-app.txt" || true
    echo "scale: app timed ($(wc -l <"$data/scale-$n-app.txt") measures)"
  fi

  duck_s="" duck_kb="" pairs="" verify_s="" floor_json=""
  if [[ "$n" == 1000000 ]]; then
    duck() {
      rm -f "$data/scale-duck.duckdb"
      timed "$data/scale-duck.time" "$python" -c "
import duckdb, sys
con = duckdb.connect(sys.argv[1])
con.execute(\"CREATE TABLE events AS SELECT * FROM read_json_auto(?)\", [sys.argv[2]])
print(con.execute('SELECT count(*) FROM events').fetchone()[0])
" "$data/scale-duck.duckdb" "$bundle/events.jsonl" >/dev/null
      rm -f "$data/scale-duck.duckdb"
    }
    duck
    read -r duck_s duck_kb < <(tail -n 1 "$data/scale-duck.time")
    echo "scale: DuckDB read_json_auto ${duck_s} s, peak RSS $((duck_kb / 1024)) MB"
    # The machine's speed drifts within minutes: DUCK_PAIRS (default 2) more imports
    # and DuckDB loads, in turn, for a median of the paired ratios.
    pairs="$import_s:$duck_s"
    for _ in $(seq "${DUCK_PAIRS:-2}"); do
      rm -f "$data/scale-pair.case" "$data/scale-pair.case-journal"
      import_timed "$data/scale-pair.case" "$data/scale-pair.time"
      read -r ours _ < <(tail -n 1 "$data/scale-pair.time")
      duck
      read -r theirs _ < <(tail -n 1 "$data/scale-duck.time")
      pairs="$pairs $ours:$theirs"
    done
    rm -f "$data/scale-pair.case" "$data/scale-pair.case-journal"
    echo "scale: ours against DuckDB, in turn (s:s): $pairs"

    # The floor of this design: verification alone (`verify`: read, parse, hash, no
    # storage) and SQLite alone (examples/bench_floor.rs: the rows copied in one
    # statement, then the indexes an import builds after them).
    checked_timed "$data/scale-verify.time" verify "$bundle"
    read -r verify_s _ < <(tail -n 1 "$data/scale-verify.time")
    floor_json="$("$floor" "$case_path" "$data/scale-floor.db")"
    echo "scale: floor: verify ${verify_s} s; SQLite alone $floor_json"
  fi

  "$python" - "$data/scale-$n.json" "$n" "$bundle_bytes" "$import_s" "$import_kb" "$case_bytes" \
    "$index_s" "$index_kb" "$indexed_bytes" "$data/scale-$n-queries.jsonl" "$data/scale-$n-app.txt" \
    "$duck_s" "$duck_kb" "$pairs" "$verify_s" "$floor_json" <<'EOF'
import json, re, sys
(out, n, bundle, import_s, import_kb, case, index_s, index_kb, indexed, queries, app, duck_s, duck_kb, pairs,
 verify_s, floor_json) = sys.argv[1:]
q = [json.loads(line) for line in open(queries)]
def worst(name):
    ms = [r["ms"] for r in q if r["query"] == name]
    return max(ms) if ms else None
app_ms = {}
for line in open(app):
    m = re.match(r"bench-app: (.*): median (\d+) ms", line)
    if m:
        app_ms[m.group(1)] = int(m.group(2))
figures = {
    "events": int(n), "bundle_bytes": int(bundle),
    "import_s": float(import_s), "import_rss_mb": int(import_kb) / 1024,
    "case_ratio": int(case) / int(bundle), "case_ratio_with_text": int(indexed) / int(bundle),
    "text_index_s": float(index_s), "text_index_rss_mb": int(index_kb) / 1024,
    "open_first_page_ms": worst("open_first_page"),
    "text_first_page_ms": worst("text_first_page"), "text_count_ms": worst("text_count"),
    "facet_unfiltered_ms": worst("facet_unfiltered"), "facet_filtered_ms": worst("facet_filtered"),
    "count_ms": worst("count"), "filter_page_ms": worst("page_actor"),
    "app": app_ms, "queries": q,
}
if duck_s:
    figures["duckdb_s"] = float(duck_s)
    figures["duckdb_rss_mb"] = int(duck_kb) / 1024
    figures["duckdb_pairs"] = [[float(x) for x in p.split(":")] for p in pairs.split()]
if verify_s:
    figures["floor"] = dict(json.loads(floor_json), verify_s=float(verify_s))
json.dump(figures, open(out, "w"), indent=1)
EOF
done

"$python" - $(for n in $sizes; do echo "$data/scale-$n.json"; done) <<'EOF'
import json, sys
runs = [json.load(open(p)) for p in sys.argv[1:]]
def row(target, limit, key, unit, fmt="{:.0f}"):
    cells, met, measured = [], True, False
    for r in runs:
        v = key(r)
        if v is None:
            cells.append("—")
            continue
        measured = True
        cells.append((fmt + " {}").format(v, unit))
        met = met and v <= limit
    verdict = "   not measured" if not measured else "   met" if met else "   NOT met"
    print(f"{target:<58} " + "  ".join(f"{c:>14}" for c in cells) + verdict)
print("scale: target".ljust(59) + "  ".join(f"{r['events']:>14,}" for r in runs))
row("import <= 150 s (at 10,000,000)", 150, lambda r: r["import_s"], "s")
row("import peak RSS <= 300 MB", 300, lambda r: r["import_rss_mb"], "MB")
row("case <= 1.5x the bundle (before the text index)", 1.5, lambda r: r["case_ratio"], "x", "{:.2f}")
row("case <= 1.5x the bundle (with the text index)", 1.5, lambda r: r["case_ratio_with_text"], "x", "{:.2f}")
print(f"{'text index, built after the import (the app: in the background)':<58} "
      + "  ".join(f"{r['text_index_s']:>12.0f} s" for r in runs) + "   (no target)")
row("text search, first page <= 100 ms", 100, lambda r: r["text_first_page_ms"], "ms")
row("facet values, unfiltered <= 100 ms", 100, lambda r: r["facet_unfiltered_ms"], "ms")
row("facet values, under a filter <= 300 ms", 300, lambda r: r["facet_filtered_ms"], "ms")
row("count of matching events <= 1000 ms (exact)", 1000, lambda r: max(r["count_ms"], r["text_count_ms"]), "ms")
row("app: open the case to first rows <= 1000 ms", 1000, lambda r: r["app"].get("open the case to first rows"), "ms")
row("app: every picker and filter change <= 200 ms", 200,
    lambda r: max((v for k, v in r["app"].items() if k != "open the case to first rows"), default=None), "ms")
for r in runs:
    if "duckdb_s" in r:
        pairs = r.get("duckdb_pairs") or [[r["import_s"], r["duckdb_s"]]]
        ratios = sorted(ours / theirs for ours, theirs in pairs)
        ratio = ratios[len(ratios) // 2]
        print(f"{'import no slower than DuckDB read_json_auto (1,000,000)':<58} "
              f"ours {r['import_s']:.1f} s ({r['import_rss_mb']:.0f} MB) vs DuckDB {r['duckdb_s']:.1f} s "
              f"({r['duckdb_rss_mb']:.0f} MB); ours/DuckDB over {len(pairs)} pairs in turn: "
              f"median {ratio:.2f} ({ratios[0]:.2f}–{ratios[-1]:.2f})" + ("   met" if ratio <= 1 else "   NOT met"))
    if "floor" in r:
        # Verification and the row inserts can overlap; the index builds come after both.
        f = r["floor"]
        least = max(f["verify_s"], f["rows_s"]) + f["indexes_s"]
        median_duck = sorted(theirs for _, theirs in pairs)[len(pairs) // 2]
        print(f"{'floor of this design (1,000,000), nothing else counted':<58} "
              f"verification alone {f['verify_s']:.1f} s; SQLite alone: rows {f['rows_s']:.1f} s, "
              f"{f['indexes']} indexes {f['indexes_s']:.1f} s (SQLite {f['sqlite']}); "
              f"at least {least:.1f} s = {least / median_duck:.2f}x DuckDB's median {median_duck:.1f} s")
EOF
