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
set -euo pipefail
cd "$(dirname "$0")/.."
rows_list=("${@:-1000000 5000000}")
read -r -a rows_list <<<"${rows_list[*]}"
ref=${PYTHON_REFERENCE:-../shared/bench/python_reference.py}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -o "$work/connector-dev" .
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

for rows in "${rows_list[@]}"; do
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import pandas, boto3' 2>/dev/null; then
    rm -f "$work/ref.db"
    sync
    echo "python reference  rows=$rows: $(/usr/bin/python3 "$ref" "$rows" "$BATCH_ROWS" "$url" "$work/ref.db")"
  else
    echo "python reference: skipped (apt-get install -y python3-pandas python3-boto3)"
  fi
  for mode in external embedded; do
    flags=(--s3-endpoint "$url")
    [ "$mode" = embedded ] && flags=(--state-dir "$work/state")
    rm -f "$SQLITE_DATABASE"
    sync # the previous run's dirty pages are not this run's I/O
    start=$(date +%s.%N)
    SYNTHETIC_ROWS=$rows /usr/bin/time -v "$bin" run synthetic --ci "${flags[@]}" >"$work/run.out" 2>"$work/time.out"
    end=$(date +%s.%N)
    rss=$(awk '/Maximum resident/{print int($6/1024)}' "$work/time.out")
    total=$(echo "$end - $start" | bc)
    echo "connector-dev     rows=$rows S3=$mode: total_s=$total rows_per_s=$(echo "$rows / $total" | bc) $(summ "$work/run.out"), peak RSS ${rss} MB"
  done
done
