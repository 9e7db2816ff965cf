#!/usr/bin/env bash
# Seeded fault runs: N runs of `run synthetic --ci --faults s3=RATE,seed=K`
# against the embedded S3, each checked for exit 0 and for a warehouse that
# holds exactly the rows the source made (by count and by the ids: none
# lost, none duplicated).
#
#   bench/faults.sh [RUNS] [ROWS] [RATE]     default: 100 200000 0.2
#
# Needs sqlite3 (apt-get install -y sqlite3) to read the warehouse. Prints
# one line per failed run and a summary line:
#   runs=100 passed=100 rows_lost=0 rows_duplicated=0 faults=... retries=...
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
rows=${2:-200000}
rate=${3:-0.2}
command -v sqlite3 >/dev/null || { echo "bench/faults.sh needs sqlite3: apt-get install -y sqlite3"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/connector-dev" .
export CI=true SYNTHETIC_ROWS=$rows SQLITE_DATABASE=$work/warehouse.db

want_sum=$(( rows * (rows - 1) / 2 )) # synthetic ids are 0 .. rows-1
passed=0 lost=0 dup=0 faults=0 retries=0
for seed in $(seq 1 "$runs"); do
  state=$work/state-$seed
  rm -f "$SQLITE_DATABASE"
  set +e
  "$work/connector-dev" run synthetic --ci --state-dir "$state" --faults "s3=$rate,seed=$seed" >"$work/out" 2>&1
  code=$?
  set -e
  read -r n distinct sum < <(sqlite3 -separator ' ' "$SQLITE_DATABASE" \
    'SELECT count(*), count(DISTINCT id), coalesce(sum(id), 0) FROM accounts' 2>/dev/null || echo "0 0 0")
  report=$(ls "$state"/runs/*/report.json 2>/dev/null | head -1)
  f=0 r=0
  if [ -n "$report" ]; then
    f=$(jq '[.faults // {} | .[]] | add // 0' "$report")
    r=$(grep -ci 'retry' "$(dirname "$report")/run.log" || true)
  fi
  faults=$((faults + f)) retries=$((retries + r))
  l=$((rows - distinct)) d=$((n - distinct))
  lost=$((lost + l)) dup=$((dup + d))
  if [ "$code" -eq 0 ] && [ "$l" -eq 0 ] && [ "$d" -eq 0 ] && [ "$sum" -eq "$want_sum" ]; then
    passed=$((passed + 1))
  else
    echo "seed=$seed exit=$code rows=$n distinct=$distinct sum=$sum (want $rows rows, sum $want_sum): $(tail -1 "$work/out")"
  fi
  rm -rf "$state"
done
echo "runs=$runs rows_per_run=$rows rate=$rate passed=$passed rows_lost=$lost rows_duplicated=$dup faults_injected=$faults retries=$retries"
[ "$passed" -eq "$runs" ]
