#!/usr/bin/env bash
# End-to-end speed and memory of `connector-dev run synthetic` beside the
# original Python template's stack (../shared/bench/python_reference.py:
# pandas + boto3 + SQLite), both against the same S3 server process.
#
#   bench/compare.sh [ROWS ...]        default: 1000000 5000000
#
# Needs /usr/bin/python3 with pandas and boto3 (apt-get install -y
# python3-pandas python3-boto3) for the baseline; without them it measures
# connector-dev alone. Prints one line per measurement.
#
# DuckDB column: ROUNDS (default 5) runs of connector-dev with the embedded
# S3 per row count, each followed by DuckDB (@duckdb/node-api, installed with
# npm into the temp folder; needs node and npm) loading that run's batches:
# `CREATE TABLE t AS SELECT * FROM read_parquet(...)` into an on-disk
# database, then CHECKPOINT, timed as the node process's wall time. Each
# round prints connector-dev's breakdown by stage (from report.json: the
# destination loads beside the source when it is transactional, so the two
# overlap) and the ratio; then the medians. DUCKDB=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
rows_list=("${@:-1000000 5000000}")
read -r -a rows_list <<<"${rows_list[*]}"
ref=${PYTHON_REFERENCE:-../shared/bench/python_reference.py}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# CONNECTOR_DEV=path measures that binary (another build, to compare) instead.
if [ -n "${CONNECTOR_DEV:-}" ]; then cp "$CONNECTOR_DEV" "$work/connector-dev"; else CGO_ENABLED=0 go build -o "$work/connector-dev" .; fi
rounds=${ROUNDS:-5}
duck=""
if [ "${DUCKDB:-1}" != 0 ] && command -v node >/dev/null && command -v npm >/dev/null; then
  mkdir -p "$work/duck"
  (cd "$work/duck" && npm install --silent --no-audit --no-fund @duckdb/node-api@1.5.6-r.1 >/dev/null)
  cat >"$work/duck/load.mjs" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const [db, glob] = process.argv.slice(2);
const inst = await DuckDBInstance.create(db);
const con = await inst.connect();
await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${glob.replaceAll("'", "''")}')`);
await con.run('CHECKPOINT');
const r = await con.runAndReadAll('SELECT count(*) FROM t');
console.log(`rows=${r.getRows()[0][0]}`);
JS
  duck=$work/duck/load.mjs
fi
bin=$work/connector-dev
export S3_BUCKET=bench S3_ACCESS_KEY_ID=dev S3_SECRET_ACCESS_KEY=dev BATCH_ROWS=${BATCH_ROWS:-50000}
export SQLITE_DATABASE=$work/warehouse.db CI=true

# One S3 server for both stacks: connector-dev's embedded one, on disk.
"$bin" s3 --state-dir "$work/s3state" >"$work/s3.out" 2>&1 &
for _ in $(seq 100); do grep -q '^S3 at' "$work/s3.out" && break; sleep 0.1; done
url=$(sed -n 's/^S3 at \([^ ]*\) .*/\1/p' "$work/s3.out")
[ -n "$url" ] || { cat "$work/s3.out"; exit 1; }
echo "S3 server: $url (embedded fake, disk backend); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

summ() { # the SUM lines of a run's output -> upload and load rows/s
  awk '$2=="SUM"{r[$3]=$(NF-1); t[$3]=$(NF-3)} END{printf "upload_rows_per_s=%s (%s s) load_rows_per_s=%s (%s s)", r["source"], t["source"], r["destination"], t["destination"]}' "$1"
}

median() { sort -n | awk '{v[NR]=$1} END{if(NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }

# stages FILE: the source's and destination's seconds in a report.json
stages() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); s={x["name"]:x["seconds"] for x in r["stages"]}; print("%.3f %.3f %.3f" % (s.get("source",0), s.get("destination",0), r["seconds"]))' "$1"
}

for rows in "${rows_list[@]}"; do
  if [ ! -f "$ref" ]; then
    echo "python reference: skipped (no $ref; set PYTHON_REFERENCE)"
  elif [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import pandas, boto3' 2>/dev/null; then
    rm -f "$work/ref.db"
    sync
    echo "python reference  rows=$rows: $(/usr/bin/python3 "$ref" "$rows" "$BATCH_ROWS" "$url" "$work/ref.db")"
  else
    echo "python reference: skipped (apt-get install -y python3-pandas python3-boto3)"
  fi
  run_cdev() { # mode -> one line; sets total, and the run's state folder holds its batches
    local mode=$1 flags=(--s3-endpoint "$url")
    [ "$mode" = embedded ] && flags=(--state-dir "$work/state")
    rm -f "$SQLITE_DATABASE"
    rm -rf "$work/state" # each round's batches alone under it
    sync # the previous run's dirty pages are not this run's I/O
    local start end rss
    start=$(date +%s.%N)
    SYNTHETIC_ROWS=$rows /usr/bin/time -v "$bin" run synthetic --ci "${flags[@]}" >"$work/run.out" 2>"$work/time.out"
    end=$(date +%s.%N)
    rss=$(awk '/Maximum resident/{print int($6/1024)}' "$work/time.out")
    total=$(printf '%.3f' "$(echo "$end - $start" | bc)")
    echo "connector-dev     rows=$rows S3=$mode: total_s=$total rows_per_s=$(echo "$rows / $total" | bc) $(summ "$work/run.out"), peak RSS ${rss} MB"
  }
  run_cdev external
  : >"$work/cdev.txt"; : >"$work/duck.txt"; : >"$work/src.txt"; : >"$work/dst.txt"
  for round in $(seq "$rounds"); do
    run_cdev embedded
    id=$(sed -n 's/.* run \([0-9]\{8\}-[0-9]\{6\}-[0-9a-f]*\)$/\1/p' "$work/run.out" | head -1)
    read -r src dst secs < <(stages "$work/state/runs/$id/report.json")
    order="after it"
    grep -q 'as the source stores them' "$work/run.out" && order="beside it"
    echo "  round $round: connector-dev total_s=$total; by stage (report.json): source ${src} s, destination ${dst} s ($order), run ${secs} s"
    echo "$total" >>"$work/cdev.txt"; echo "$src" >>"$work/src.txt"; echo "$dst" >>"$work/dst.txt"
    [ -n "$duck" ] || continue
    dir=$(dirname "$(find "$work/state" -path "*/$id/*" -name 'batch-*.parquet' | head -1)")
    rm -f "$work/duck.db" "$work/duck.db.wal"
    sync
    start=$(date +%s.%N)
    /usr/bin/time -v node "$duck" "$work/duck.db" "$dir/batch-*.parquet" >"$work/duck.out" 2>"$work/time.out"
    end=$(date +%s.%N)
    dtotal=$(printf '%.3f' "$(echo "$end - $start" | bc)")
    rss=$(awk '/Maximum resident/{print int($6/1024)}' "$work/time.out")
    echo "  round $round: duckdb CREATE TABLE AS read_parquet + CHECKPOINT total_s=$dtotal ($(cat "$work/duck.out"), peak RSS ${rss} MB); connector-dev / duckdb = $(printf '%.2f' "$(echo "scale=3; $total / $dtotal" | bc)")"
    echo "$dtotal" >>"$work/duck.txt"
  done
  c=$(median <"$work/cdev.txt"); sm=$(median <"$work/src.txt"); dm=$(median <"$work/dst.txt")
  line="median of $rounds rows=$rows: connector-dev total_s=$c (source $sm s, destination $dm s, $order)"
  if [ -n "$duck" ]; then
    d=$(median <"$work/duck.txt")
    line="$line duckdb total_s=$d ratio connector-dev/duckdb=$(printf '%.2f' "$(echo "scale=3; $c / $d" | bc)")"
  fi
  echo "$line"
done
