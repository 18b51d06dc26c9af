#!/usr/bin/env bash
# Delivery under a steady offered load (bench/throughput.c), printed as Markdown tables. Timed:
# not part of `make test`; `make bench-throughput` runs it.
#   bash bench/throughput.sh                        5 s per run, 8 runs (about a minute)
#   THROUGHPUT_SECONDS=10 bash bench/throughput.sh  longer runs
#   BUILD=build/x bash bench/throughput.sh          where the binaries and raw lines go
#   THROUGHPUT_CPU=1 bash bench/throughput.sh       also the thread CPU time of each finish (a
#                                                   syscall per finish): tells waiting from working
# Runs, each in its own process (peak RSS is the process's VmHWM):
#   - the instant transport (200 at once, spans counted from each body) at 1x, 2x, 4x its target;
#   - the real sender (dd_sender.h when it is at the repo root, else examples/sender_posix.c) to
#     examples/agent.c --count-only on loopback, a fresh agent per run, at 1x, 2x, 4x its target;
#   - dd_span_finish latency with a transport that hangs and one that answers after 5 s, at the
#     instant target rate.
# Targets: >= 1,000,000 spans/s delivered with 0 drops (instant); >= 500,000 spans/s with 0
# drops (sender, loopback agent); finish p99.9 <= 20 us and max <= 1 ms.
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}/bench
CC=${CC:-gcc}
SECS=${THROUGHPUT_SECONDS:-5}
T_INSTANT=${THROUGHPUT_INSTANT_TARGET:-1000000}
T_SENDER=${THROUGHPUT_SENDER_TARGET:-500000}
STRICT="-Wall -Wextra -Wpedantic -Werror"
mkdir -p "$B"
OUT="$B/throughput.txt"
: >"$OUT"

SENDER_DEF=
SENDER_NAME="examples/sender_posix.c (a connection per request)"
if [ -f dd_sender.h ]; then SENDER_DEF=-DBENCH_SENDER; SENDER_NAME="dd_sender.h"; fi
$CC -std=c99 -O2 -g $STRICT -I. $SENDER_DEF bench/throughput.c -o "$B/throughput" -lpthread -lm
$CC -std=c99 -O2 -g $STRICT -I. examples/agent.c -o "$B/agent" -lpthread

echo "== machine"
echo "nproc: $(nproc), cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "compiler: $($CC --version | head -n 1), sender: $SENDER_NAME"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ) commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $SECS s per run"

run() { # label transport rate [url]
    local label=$1; shift
    local line
    line=$("$B/throughput" "$@" "$SECS") || { echo "throughput $* failed" >&2; return 1; }
    echo "$label $line" | tee -a "$OUT"
}
# The url goes after the seconds: throughput <transport> <rate> <seconds> [url].
run_sender() { # label rate
    local ready="$B/agent.ready.$$" port line agent_out="$B/agent.out.$$" apid
    rm -f "$ready"
    "$B/agent" --port 0 --ready-file "$ready" --count-only --quiet >"$agent_out" 2>&1 &
    apid=$!
    for _ in $(seq 100); do [ -s "$ready" ] && break; sleep 0.05; done
    port=$(cat "$ready")
    line=$("$B/throughput" sender "$2" "$SECS" "http://127.0.0.1:$port") || line="run sender failed"
    kill -TERM "$apid" 2>/dev/null || true
    wait "$apid" 2>/dev/null || true
    echo "$1 $line agent_spans $(awk '{print $8}' "$agent_out")" | tee -a "$OUT"
    rm -f "$ready" "$agent_out"
}

echo "== instant transport"
for m in 1 2 4; do run "instant:${m}x" instant $((T_INSTANT * m)); done
run "instant-parse:1x" instant-parse "$T_INSTANT" # the bodies walked: counted must equal sent
echo "== real sender to examples/agent.c on loopback"
for m in 1 2 4; do run_sender "sender:${m}x" $((T_SENDER * m)); done
echo "== finish latency while the agent does not answer"
run "hang:1x" hang "$T_INSTANT"
run "late5s:1x" late "$T_INSTANT"

# ---- the tables ----
# field value of a raw line: f <line> <name>
f() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$1"; }
num() { awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }
echo
echo "## Delivery throughput (2 producer threads, 10-span traces with 7 tags, default configuration, $SECS s per run)"
echo
echo "| transport | offered spans/s | produced spans/s | delivered spans/s | dropped: buffer / send / limit / shutdown | unconfirmed | pending after 3 s | peak RSS | finish p50 / p99.9 / max | target |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
while read -r line; do
    label=${line%% *}
    case $label in hang:* | late5s:*) continue ;; esac
    kind=${label%%:*}; mult=${label#*:}
    [ "$kind" = instant-parse ] && { echo "(instant-parse 1x: sent $(f "$line" sent), spans found by walking the bodies $(f "$line" counted), bad bodies $(f "$line" bad_bodies))" >&2; continue; }
    off=$(f "$line" offered); del=$(f "$line" delivered)
    drops=$(( $(f "$line" dropped_buffer) + $(f "$line" dropped_send) + $(f "$line" dropped_limit) + $(f "$line" dropped_shutdown) + $(f "$line" pending) ))
    if [ "$kind" = instant ]; then target=$T_INSTANT; name="instant (200 at once)"; else target=$T_SENDER; name="sender -> loopback agent"; fi
    verdict="-"
    if [ "$mult" = 1x ]; then
        verdict=$(awk -v d="$del" -v t="$target" -v x="$drops" 'BEGIN { print (d >= t * 0.99 && x == 0) ? "met" : "MISSED" }')
        verdict="$(num "$target")/s, 0 drops: $verdict"
    fi
    extra=""
    [ "$kind" = sender ] && extra=" (agent counted $(num "$(f "$line" agent_spans)"))"
    [ "$kind" = instant ] && extra=" (counted $(num "$(f "$line" counted)"))"
    printf '| %s %s | %s | %s | %s%s | %s / %s / %s / %s | %s | %s | %s MiB | %s / %s / %s us | %s |\n' \
        "$name" "$mult" "$(num "$off")" "$(num "$(f "$line" produced)")" "$(num "$del")" "$extra" \
        "$(f "$line" dropped_buffer)" "$(f "$line" dropped_send)" "$(f "$line" dropped_limit)" "$(f "$line" dropped_shutdown)" \
        "$(f "$line" unconfirmed)" "$(f "$line" pending)" "$(awk -v k="$(f "$line" rss_kib)" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$(f "$line" p50_us)" "$(f "$line" p999_us)" "$(f "$line" max_us)" "$verdict"
done <"$OUT"
echo
echo "## dd_span_finish latency while the agent does not answer ($(num "$T_INSTANT") spans/s offered; target p99.9 <= 20 us, max <= 1 ms)"
echo
echo "| transport | produced spans/s | p50 | p99.9 | max | finishes > 1 ms | most CPU in one finish | spans dropped (buffer) | peak RSS | target |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
grep -E '^(hang|late5s):' "$OUT" | while read -r line; do
    label=${line%% *}
    case $label in hang:*) name="hangs (never answers)" ;; *) name="answers after 5 s" ;; esac
    p999=$(f "$line" p999_us); mx=$(f "$line" max_us)
    verdict=$(awk -v p="$p999" -v m="$mx" 'BEGIN { print (p <= 20 && m <= 1000) ? "met" : "MISSED" }')
    cpu=$(f "$line" max_cpu_us); case $cpu in -*) cpu="-" ;; *) cpu="$cpu us" ;; esac
    printf '| %s | %s | %s us | %s us | %s us | %s | %s | %s | %s MiB | %s |\n' "$name" "$(num "$(f "$line" produced)")" \
        "$(f "$line" p50_us)" "$p999" "$mx" "$(f "$line" slow_1ms)" "$cpu" "$(num "$(f "$line" dropped_buffer)")" \
        "$(awk -v k="$(f "$line" rss_kib)" 'BEGIN { printf "%.1f", k / 1024 }')" "$verdict"
done
