#!/usr/bin/env bash
# Time and peak memory of `connector-dev inspect RUN --summary` beside
# DuckDB's SUMMARIZE over the same Parquet batches (the files the embedded
# S3 keeps on disk), at each row count.
#
#   bench/summary.sh [ROWS ...]        default: 1000000 5000000
#
# DuckDB comes from npm (@duckdb/node-api, installed into a temp folder,
# never into the repository); without node or npm it measures
# connector-dev alone. Prints one line per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
rows_list=("${@:-1000000 5000000}")
read -r -a rows_list <<<"${rows_list[*]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/connector-dev" .
bin=$work/connector-dev
export CI=true BATCH_ROWS=${BATCH_ROWS:-50000}

duck=""
if command -v node >/dev/null && command -v npm >/dev/null; then
  (cd "$work" && npm init -y >/dev/null && npm install --silent @duckdb/node-api@1.5.6-r.1 >/dev/null 2>&1) && duck=1
  cat >"$work/summarize.mjs" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const [glob] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const t0 = performance.now();
const r = await c.runAndReadAll(`SUMMARIZE SELECT * FROM read_parquet('${glob}')`);
const ms = performance.now() - t0;
const rows = r.getRowObjects();
console.log(`duckdb_seconds=${(ms / 1000).toFixed(2)} columns=${rows.length} id_approx_unique=${rows[0].approx_unique}`);
JS
fi
label="not installed"; [ -n "$duck" ] && label="@duckdb/node-api 1.5.6-r.1"
echo "$(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); duckdb: $label"

peak() { awk -F': ' '/Maximum resident/{printf "%d MB", $2/1024} /Elapsed/{split($2,a,":"); printf "%.2f s ", a[1]*60+a[2]}' "$1"; }

for rows in "${rows_list[@]}"; do
  state=$work/state-$rows
  SYNTHETIC_ROWS=$rows "$bin" run synthetic --ci --state-dir "$state" >"$work/run.out" 2>&1 || { cat "$work/run.out"; exit 1; }
  run=$("$bin" inspect --ci --state-dir "$state" | awk 'NR==2{print $1}')
  sync
  /usr/bin/time -v "$bin" inspect "$run" --summary --state-dir "$state" >"$work/summary.out" 2>"$work/time.out"
  echo "connector-dev --summary rows=$rows: $(peak "$work/time.out") id_distinct=$(awk '$1=="id"{print $5}' "$work/summary.out")"
  if [ -n "$duck" ]; then
    glob=$(find "$state/s3/buckets" -type d -name "$run")/'*.parquet'
    /usr/bin/time -v node "$work/summarize.mjs" "$glob" >"$work/duck.out" 2>"$work/time.out"
    echo "duckdb SUMMARIZE       rows=$rows: $(peak "$work/time.out")(process) $(cat "$work/duck.out")"
  fi
  rm -rf "$state"
done
