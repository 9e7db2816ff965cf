#!/usr/bin/env bash
# Load speed of the postgres destination beside psql's \copy of the same rows.
#
#   bench/postgres.sh [ROWS]            default: 1000000
#
# Against POSTGRES_URL when set (a user that may create tables in public),
# else a throwaway local server (go run ./connectors/postgres/pgtest/pgserve:
# needs the PostgreSQL server binaries; fsync off). Measures:
#   1. `run synthetic --job fixtures/synthetic/postgres.json`: end to end,
#      and its destination stage (report.json);
#   2. `run postgres --from-run RUN`: the load alone, over the same batches;
#   3. psql `\copy` of the same rows as CSV into a table of the same
#      definition without indexes, on the same server.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=$(mktemp -d)
cleanup() { [ -n "${srv_pid:-}" ] && kill "$srv_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

CGO_ENABLED=0 go build -o "$work/connector-dev" .
bin=$work/connector-dev
pgbin=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
psql=$(command -v psql || echo "$pgbin/psql")
if [ -z "${POSTGRES_URL:-}" ]; then
  go build -o "$work/pgserve" ./connectors/postgres/pgtest/pgserve
  mkfifo "$work/hold"
  "$work/pgserve" <"$work/hold" >"$work/url" 2>&1 &
  srv_pid=$!
  exec 3>"$work/hold" # pgserve serves until this closes
  for _ in $(seq 300); do grep -q '^postgres://' "$work/url" && break; sleep 0.1; done
  POSTGRES_URL=$(grep '^postgres://' "$work/url") || { cat "$work/url"; exit 1; }
  export POSTGRES_URL
  echo "server: throwaway, $("$pgbin/postgres" --version), fsync off"
fi
export CI=true SYNTHETIC_ROWS=$rows PGOPTIONS="-c client_min_messages=warning"
echo "rows=$rows; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

stage() { # report.json of the newest run -> "rows/s (seconds)" of its destination stage
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); d=[s for s in r["stages"] if s["name"]=="destination"][0]; print("%d rows/s (%.2f s)" % (d["rows_per_s"], d["seconds"]))' \
    "$(ls -td "$work"/state/runs/*/ | head -1)report.json"
}

start=$(date +%s.%N)
"$bin" run synthetic --ci --state-dir "$work/state" --job fixtures/synthetic/postgres.json >"$work/run.out"
end=$(date +%s.%N)
run_id=$(ls -t "$work/state/runs" | head -1)
echo "end to end:  $(echo "$rows / ($end - $start)" | bc) rows/s ($(echo "$end - $start" | bc) s); destination stage $(stage)"

/usr/bin/time -v "$bin" run postgres --ci --state-dir "$work/state" --from-run "$run_id" >"$work/load.out" 2>"$work/time.out"
rss=$(awk -F': ' '/Maximum resident/{printf "%d MB", $2/1024}' "$work/time.out")
echo "load alone:  $(stage), peak RSS $rss   (run postgres --from-run $run_id)"

"$psql" -q "$POSTGRES_URL" -c "\\copy public.accounts TO '$work/rows.csv' CSV"
"$psql" -q "$POSTGRES_URL" -c "DROP TABLE IF EXISTS public.accounts_copy; CREATE TABLE public.accounts_copy (LIKE public.accounts)"
start=$(date +%s.%N)
"$psql" -q "$POSTGRES_URL" -c "\\copy public.accounts_copy FROM '$work/rows.csv' CSV"
end=$(date +%s.%N)
echo "psql \\copy: $(echo "$rows / ($end - $start)" | bc) rows/s ($(echo "$end - $start" | bc) s), CSV $(du -h "$work/rows.csv" | cut -f1)"
"$psql" -q "$POSTGRES_URL" -c "DROP TABLE public.accounts_copy"
