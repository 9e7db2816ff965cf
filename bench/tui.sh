#!/usr/bin/env bash
# Cost of the terminal UI against a headless run (issue 4, item 5): the same
# synthetic run, R times each, in three modes:
#
#   ci-file  `run --ci`, stdout to a file             (no terminal at all)
#   ci-tmux  `run --ci` in a tmux pane, 120x40         (terminal cost, no TUI)
#   tui      `run` (the TUI) in a tmux pane, 120x40, CI unset, q after the banner
#
# Two cases: burst = SYNTHETIC_LOG_LINES=200000 SYNTHETIC_ROWS=10000 (a chatty
# connector) and rows = SYNTHETIC_ROWS=1000000 without log lines. It prints the
# run's seconds from report.json (what the run took, not the wait for q) and
# the peak RSS and CPU seconds (/usr/bin/time -f '%M %U %S'), median and min/max; then the key
# latency: during the burst under the TUI it sends `?` and polls the screen
# every 20 ms until the help shows, then Escape until the log is back, and
# says whether the screen answered before the burst's last line was logged.
#
#   bench/tui.sh [-r R] [-k K] [CASE ...]   CASE: burst rows keys (default all)
#
# R runs per case and mode (default 5), K key trials (default R). Every wait
# has a deadline (RUN_TIMEOUT seconds a run, default 300); tmux (own -S
# socket) and the temp dir are removed on exit; KEEP=1 keeps the temp dir.
# One line per measurement, with the command that reproduces it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
R=5 K=
while getopts r:k: o; do
  case $o in
  r) R=$OPTARG ;;
  k) K=$OPTARG ;;
  *) echo "usage: bench/tui.sh [-r R] [-k K] [burst|rows|keys ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
K=${K:-$R}
cases=("${@:-burst rows keys}")
read -r -a cases <<<"${cases[*]}"
run_timeout=${RUN_TIMEOUT:-300}
for c in "${cases[@]}"; do
  case $c in burst | rows | keys) ;; *) echo "bench/tui.sh: unknown case $c (burst, rows or keys)" >&2; exit 2 ;; esac
done
for tool in tmux /usr/bin/time timeout; do
  command -v "$tool" >/dev/null || { echo "bench/tui.sh: needs $tool (apt-get install -y tmux time coreutils)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/connector-dev-tui-bench.XXXXXX)
sock=$work/tmux.sock
cleanup() {
  tmux -S "$sock" kill-server 2>/dev/null || true
  if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CGO_ENABLED=0 go build -o "$work/connector-dev" .
bin=$work/connector-dev
# A project of its own, so the SQLite file (.env.credentials.example names
# .connector-dev/warehouse.db) and the state land in the temp dir.
proj=$work/proj
mkdir -p "$proj"
cp connectors.yaml .env.example .env.credentials.example "$proj/"
cp -r fixtures "$proj/"
unset CI
export -n CI 2>/dev/null || true

echo "connector-dev TUI bench: $(nproc) cores; uptime:$(uptime | sed 's/.*up/ up/'); R=$R K=$K; tmux $(tmux -V | cut -d' ' -f2) pane 120x40"
echo "by-hand commands below: first \`CGO_ENABLED=0 go build -o /tmp/cd .\` and run them in the repo root"

now() { echo "$EPOCHREALTIME"; }
# stats DECIMALS NUMBERS... -> "median=M min=A max=B" (median of an even count: mean of the middle two)
stats() {
  local d=$1
  shift
  printf '%s\n' "$@" | sort -g | awk -v d="$d" 'NF{v[++n]=$1} END{
    if (n==0) {printf "median=- min=- max=-"; exit}
    m = (n%2) ? v[(n+1)/2] : (v[n/2]+v[n/2+1])/2
    f = "%." d "f"
    printf "median=" f " min=" f " max=" f, m, v[1], v[n]}'
}
# report_seconds STATE -> the run's seconds from its only report.json
report_seconds() {
  local f
  f=$(find "$1/runs" -name report.json 2>/dev/null | head -1)
  [ -n "$f" ] || return 1
  # The top-level "seconds" is the first one in the file (stages come later).
  awk -F': *' '/"seconds"/{gsub(/[ ,]/, "", $2); print $2; exit}' "$f"
}
screen() { tmux -S "$sock" capture-pane -p -t bench 2>/dev/null || true; }
# wait_screen REGEX SECONDS POLL -> 0 once the pane matches, 1 at the deadline
wait_screen() {
  local deadline
  deadline=$(awk -v t="$(now)" -v s="$2" 'BEGIN{printf "%.6f", t+s}')
  while :; do
    screen | grep -Eq -- "$1" && return 0
    awk -v a="$(now)" -v b="$deadline" 'BEGIN{exit !(a>b)}' && return 1
    sleep "$3"
  done
}
wait_file() { # wait_file FILE SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do [ -s "$1" ] && return 0; sleep 0.1; done
  return 1
}
q() { printf '%q' "$1"; }

# one_run CASE MODE N -> sets secs, rss_mb and cpu_s (user+sys); 1 when the run failed or timed out
one_run() {
  local case=$1 mode=$2 n=$3 env st out
  env=$(case_env "$case")
  st=$work/state.$case.$mode.$n
  out=$work/out.$case.$mode.$n
  rm -rf "$st" "$proj/.connector-dev"
  secs= rss_mb= cpu_s=
  local runcmd="timeout --foreground $run_timeout /usr/bin/time -f '%M %U %S' -o $(q "$out.rss") $(q "$bin") run synthetic --dir $(q "$proj") --state-dir $(q "$st")"
  case $mode in
  ci-file)
    env $env bash -c "$runcmd --ci >$(q "$out.log") 2>&1; echo \$? >$(q "$out.exit")" || true
    ;;
  ci-tmux | tui)
    local flag=
    [ "$mode" = ci-tmux ] && flag=--ci
    tmux -S "$sock" new-session -d -s bench -x 120 -y 40 \
      "unset CI; env $env $runcmd $flag; echo \$? >$(q "$out.exit")"
    if [ "$mode" = tui ]; then
      if wait_screen '· exit [0-9]+' "$run_timeout" 0.1; then
        tmux -S "$sock" send-keys -t bench q
      else
        echo "  $case $mode #$n: no exit banner within ${run_timeout}s; the screen:" >&2
        screen >&2
      fi
    fi
    wait_file "$out.exit" 30 || echo "  $case $mode #$n: the process did not end" >&2
    tmux -S "$sock" kill-server 2>/dev/null || true
    ;;
  esac
  local code
  code=$(cat "$out.exit" 2>/dev/null || echo none)
  if [ "$code" != 0 ]; then
    echo "  $case $mode #$n: exit $code; output:" >&2
    tail -5 "$out.log" "$out.rss" 2>/dev/null >&2 || true
    rm -rf "$st"
    return 1
  fi
  secs=$(report_seconds "$st") || { echo "  $case $mode #$n: no report.json" >&2; return 1; }
  # time -o puts "Command exited with non-zero status" first on failure;
  # the figures are on the last line.
  rss_mb=$(awk 'END{printf "%.1f", $1/1024}' "$out.rss")
  cpu_s=$(awk 'END{printf "%.2f", $2+$3}' "$out.rss")
  rm -rf "$st" "$out".*
}

case_env() {
  case $1 in
  burst) echo "SYNTHETIC_LOG_LINES=200000 SYNTHETIC_ROWS=10000" ;;
  rows) echo "SYNTHETIC_ROWS=1000000" ;;
  esac
}
# repro CASE MODE -> the command that reproduces one run of CASE in MODE by hand
repro() {
  local env base
  env=$(case_env "$1")
  base="$env /usr/bin/time -f '%M %U %S' /tmp/cd run synthetic --state-dir \$(mktemp -d)"
  case $2 in
  ci-file) echo "$base --ci >/tmp/out.log" ;;
  ci-tmux) echo "tmux -S /tmp/s new-session -x 120 -y 40 \"unset CI; $base --ci\"" ;;
  tui) echo "tmux -S /tmp/s new-session -x 120 -y 40 \"unset CI; $base\" (q after the exit banner)" ;;
  esac
}

bench_case() {
  local case=$1 mode i s r u
  local -A tui_med S M C ok
  # Modes take turns within each round, so drifting load from elsewhere on
  # the machine falls on all of them alike.
  for ((i = 1; i <= R; i++)); do
    for mode in ci-file ci-tmux tui; do
      if one_run "$case" "$mode" "$i"; then
        S[$mode]+=" $secs" M[$mode]+=" $rss_mb" C[$mode]+=" $cpu_s" ok[$mode]=$((${ok[$mode]:-0} + 1))
      fi
    done
  done
  for mode in ci-file ci-tmux tui; do
    # shellcheck disable=SC2086 # the lists are space-separated numbers
    s=$(stats 3 ${S[$mode]:-})
    # shellcheck disable=SC2086
    r=$(stats 1 ${M[$mode]:-})
    # shellcheck disable=SC2086
    u=$(stats 2 ${C[$mode]:-})
    printf '%-5s %-7s seconds %s  cpu_s %s  peak_rss_mb %s  (ok %d/%d)  repro: bench/tui.sh -r %d %s  # one run: %s\n' \
      "$case" "$mode" "$s" "$u" "$r" "${ok[$mode]:-0}" "$R" "$R" "$case" "$(repro "$case" "$mode")"
    tui_med[$mode]=$(sed 's/median=\([^ ]*\).*/\1/' <<<"$s")
  done
  awk -v t="${tui_med[tui]}" -v c="${tui_med[ci-file]}" -v p="${tui_med[ci-tmux]}" -v k="$case" 'BEGIN{
    if (t=="-" || c=="-" || p=="-") {print k "  tui/headless: n/a (a mode had no successful run)"; exit}
    printf "%-5s tui/headless median seconds: tui/ci-file=%.3f tui/ci-tmux=%.3f (within 10%%: %s)  repro: bench/tui.sh -r '"$R"' %s\n",
      k, t/c, t/p, (t <= 1.1*c && t <= 1.1*p) ? "yes" : "NO", k}'
}

# ms_of_day HH:MM:SS.mmm -> milliseconds since local midnight
ms_of_day() { awk -F'[:.]' '{printf "%d", (($1*60+$2)*60+$3)*1000+$4}' <<<"$1"; }

bench_keys() {
  local i st out t0 t1 t2 a b end_ms t1_ms margin during=0 ok=0
  local -a HELP=() BACK=() MARGIN=()
  for ((i = 1; i <= K; i++)); do
    st=$work/state.keys.$i
    out=$work/out.keys.$i
    rm -rf "$st" "$proj/.connector-dev"
    tmux -S "$sock" new-session -d -s bench -x 120 -y 40 \
      "unset CI; env SYNTHETIC_LOG_LINES=200000 SYNTHETIC_ROWS=10000 timeout --foreground $run_timeout $(q "$bin") run synthetic --dir $(q "$proj") --state-dir $(q "$st"); echo \$? >$(q "$out.exit")"
    # The burst is under way once its lines reach the screen.
    if ! wait_screen 'synthetic log line' 60 0.02; then
      echo "  keys #$i: the burst never showed; the screen:" >&2
      screen >&2
      tmux -S "$sock" kill-server 2>/dev/null || true
      continue
    fi
    t0=$(now)
    tmux -S "$sock" send-keys -t bench '?'
    if ! wait_screen 'ctrl\+c +cancel run' 30 0.02; then
      echo "  keys #$i: ? did not open the help within 30s" >&2
      tmux -S "$sock" kill-server 2>/dev/null || true
      continue
    fi
    t1=$(now)
    tmux -S "$sock" send-keys -t bench Escape
    if ! wait_screen '── log' 30 0.02; then
      echo "  keys #$i: Escape did not close the help within 30s" >&2
      tmux -S "$sock" kill-server 2>/dev/null || true
      continue
    fi
    t2=$(now)
    wait_screen '· exit [0-9]+' "$run_timeout" 0.1 && tmux -S "$sock" send-keys -t bench q
    wait_file "$out.exit" 30 || true
    tmux -S "$sock" kill-server 2>/dev/null || true
    a=$(awk -v x="$t0" -v y="$t1" 'BEGIN{printf "%.0f", (y-x)*1000}')
    b=$(awk -v x="$t1" -v y="$t2" 'BEGIN{printf "%.0f", (y-x)*1000}')
    HELP+=("$a")
    BACK+=("$b")
    ok=$((ok + 1))
    # When the burst's last line was logged (run.log, local ms) against when
    # the help showed: positive margin = the key answered mid-burst.
    end_ms=$(grep -m1 'synthetic log line 200000 of' "$st"/runs/*/run.log 2>/dev/null | cut -d' ' -f1 || true)
    if [ -n "$end_ms" ]; then
      end_ms=$(ms_of_day "$end_ms")
      t1_ms=$(ms_of_day "$(date -d "@$t1" +%H:%M:%S.%3N)")
      margin=$((end_ms - t1_ms))
      ((margin < -43200000)) && margin=$((margin + 86400000))
      MARGIN+=("$margin")
      ((margin > 0)) && during=$((during + 1))
    fi
    rm -rf "$st" "$out".*
  done
  local repro="tmux -S /tmp/s new-session -x 120 -y 40 'unset CI; SYNTHETIC_LOG_LINES=200000 SYNTHETIC_ROWS=10000 /tmp/cd run synthetic --state-dir \$(mktemp -d)' then ? and Esc while the burst scrolls"
  printf 'keys  tui     ? -> help shown ms %s  (ok %d/%d)  repro: bench/tui.sh -k %d keys  # by hand: %s\n' "$(stats 0 "${HELP[@]}")" "$ok" "$K" "$K" "$repro"
  printf 'keys  tui     Esc -> log back ms %s  (ok %d/%d)  repro: bench/tui.sh -k %d keys\n' "$(stats 0 "${BACK[@]}")" "$ok" "$K" "$K"
  printf 'keys  tui     help shown before the burst ended: %d/%d (ms before its last line: %s)  repro: bench/tui.sh -k %d keys\n' \
    "$during" "$ok" "$(stats 0 "${MARGIN[@]}")" "$K"
}

for c in "${cases[@]}"; do
  case $c in
  burst | rows) bench_case "$c" ;;
  keys) bench_keys ;;
  esac
done
echo "done; uptime:$(uptime | sed 's/.*up/ up/')"
