#!/usr/bin/env bash
# Load figures for `targeting serve` (bench/README.md, "The service under wrk").
#   [THREADS=N] bench/serve/run-wrk.sh [BUILD_DIR] [SECONDS]
# Generates a corpus (targeting gen, seed 7), starts the server on a free
# port with the example pack and --threads THREADS (default 1: on two
# cores, one for the server and one for wrk), and runs wrk with
# bench/serve/score.lua at 1, 16 and 64 connections, single records and
# batches of 100 (NDJSON), first alone and then while POST /v1/reload
# swaps the rule set every second. Needs wrk (apt-get install wrk) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
seconds=${2:-10}
bin=$build/targeting
work=$(mktemp -d)
# On the way out, a server that is gone or did not exit 0 has its log shown
# (a sanitizer report, say) before the work directory goes.
trap 'kill $server 2>/dev/null || true; kill $reloader 2>/dev/null || true
      [[ ${clean:-0} == 1 ]] || { echo "== server log"; cat "$work/server.log"; }; rm -rf "$work"' EXIT
reloader=
"$bin" gen --records 20000 --seed 7 -o "$work/corpus" > /dev/null
"$bin" serve rules/ --listen 127.0.0.1:0 --port-file "$work/port" --as-of 2026-09-30 --threads "${THREADS:-1}" \
  2> "$work/server.log" &
server=$!
for _ in $(seq 100); do [[ -f $work/port ]] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$work/port")
echo "server: $bin serve rules/ --threads ${THREADS:-1} on $url; wrk $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

run() {  # connections batch
  local c=$1 batch=$2
  WRK_BATCH=$batch wrk -t1 -c"$c" -d"${seconds}s" --latency -s bench/serve/score.lua "$url" -- \
    "$work/corpus/manifest.jsonl" "$batch" | tail -1 | sed "s/^/c=$c /"
}

matrix() {
  for batch in 1 100; do
    for c in 1 16 64; do run "$c" "$batch"; done
  done
}

echo "== without reloads"
matrix
echo "== with POST /v1/reload every second"
(
  ok=0 failed=0
  trap 'echo "reloads: $ok answered 200, $failed otherwise" > "$work/reloads"; exit 0' TERM
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/v1/reload" || echo 000)
    if [[ $code == 200 ]]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
    sleep 1 & wait $!
  done
) &
reloader=$!
matrix
kill -TERM $reloader; wait $reloader || true
reloader=
cat "$work/reloads"
curl -s "$url/metrics" | grep -E '^targeting_(reloads|records_(scored|rejected))_total'
kill -TERM $server; wait $server && echo "server exited 0" && clean=1
