#!/usr/bin/env bash
# Runs the benchmarks of BENCHMARKS.md and prints the table (ours vs dd-trace-cpp 2.2) as Markdown.
#   bash bench/run.sh                 everything (about 2 minutes on a 2-vCPU machine)
#   BENCH_QUICK=1 bash bench/run.sh   fewer repetitions, for a quick look
#   BUILD=build/x bash bench/run.sh   where the binaries and callgrind files go (default build)
#   BENCH_PROFILES=1 bash bench/run.sh   also the top functions (self Ir/op) of every op
# Instructions/op come from valgrind --tool=callgrind with --collect-atstart=no: bench.c toggles
# collection on around each measured batch only, after a warm-up, and the count is divided by
# the iterations. Times are the thread's CPU time per op, medians over repeated runs (gcc -O2).
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}/bench
CC=${CC:-gcc}
mkdir -p "$B"
QUICK=${BENCH_QUICK:-}
RUNS=15; CRUNS=7; TSEC=1.0
if [ -n "$QUICK" ]; then RUNS=3; CRUNS=3; TSEC=0.3; fi

$CC -std=c99 -O2 -g -Wall -Wextra -Wpedantic -Werror -I. bench/bench.c -o "$B/bench" -lpthread -lm

echo "== machine"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') (family $(grep -m1 'cpu family' /proc/cpuinfo | sed 's/.*: //'), model $(grep -m1 -E '^model\s' /proc/cpuinfo | sed 's/.*: //'), $(grep -m1 'cpu MHz' /proc/cpuinfo | sed 's/.*: //' | cut -d. -f1) MHz, cache $(grep -m1 'cache size' /proc/cpuinfo | sed 's/.*: //'))"
echo "kernel: $(uname -sr), memory: $(awk '/MemTotal/ {printf "%d MiB", $2 / 1024}' /proc/meminfo), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "compiler: $($CC --version | head -n 1)"
echo "valgrind: $(valgrind --version 2>/dev/null || echo none)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ) commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

echo "== native runs (median ns/op over $RUNS runs, heap allocations/op)"
"$B/bench" ops "$RUNS" | tee "$B/ops.txt"

# Instructions per op: total Ir collected inside the measured regions / iterations.
declare -A IR
if command -v valgrind >/dev/null; then
    echo "== callgrind (instructions inside the measured region / iterations)"
    while IFS='|' read -r op title iters refir refns refal; do
        out="$B/cg.$op.out"
        valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out" "$B/bench" one "$op" "$iters" >/dev/null 2>"$B/cg.$op.log"
        tot=$(grep -E '^(totals|summary):' "$out" | head -n 1 | awk '{print $2}')
        IR[$op]=$((tot / iters))
        echo "$op: $tot Ir / $iters = ${IR[$op]} Ir/op   (profile: callgrind_annotate $out)"
        if [ -n "${BENCH_PROFILES:-}" ]; then # the top functions by self cost, per op
            callgrind_annotate --inclusive=no "$out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n '3,12p' |
                awk -v it="$iters" '{x = $1; gsub(",", "", x); f = ""; for (i = 2; i <= NF; i++) if ($i ~ /:/) { f = $i; break }; sub(/.*\//, "", f);
                    if (f != "") printf "    %8.0f Ir/op  %s\n", x / it, f}'
        fi
    done < <("$B/bench" ops-list)
fi

echo "== memory (heap bytes through the allocator hook; RSS delta from /proc/self/status)"
"$B/bench" memory bare | tee "$B/mem.txt"
"$B/bench" memory tagged | tee -a "$B/mem.txt"
"$B/bench" memory bare_static | tee -a "$B/mem.txt"
"$B/bench" memory tagged_static | tee -a "$B/mem.txt"
"$B/bench" memory trace | tee -a "$B/mem.txt"

LTRACES=20000; [ -n "$QUICK" ] && LTRACES=5000
echo "== tail latency of dd_span_finish (native, ns; 10-span traces with 7 tags, $LTRACES traces)"
"$B/bench" latency "$LTRACES" | tee "$B/latency.txt"

# Compile times: CPU time (user + sys, cc1 and as included) of `gcc -O2 -c`, median of $CRUNS
# runs; wall time is printed too but depends on the machine's load.
median_ms() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
compile_ms() { # file -> "cpu_ms wall_ms"
    local i t0 t1 cpu cpus=() walls=()
    for ((i = 0; i < CRUNS; i++)); do
        t0=$(date +%s%N)
        cpu=$( { TIMEFORMAT='%3U %3S'; time $CC -std=c99 -O2 -I. -c "$1" -o "$B/ct.o"; } 2>&1 | awk '{printf "%d", ($1 + $2) * 1000}')
        t1=$(date +%s%N)
        cpus+=("$cpu"); walls+=($(((t1 - t0) / 1000000)))
    done
    echo "$(printf '%s\n' "${cpus[@]}" | median_ms) $(printf '%s\n' "${walls[@]}" | median_ms)"
}
printf '#include "dd_trace.h"\nint bench_probe(void) { return DDTRACE_VERSION; }\n' >"$B/ct_headers.c"
printf '#define DD_TRACE_IMPLEMENTATION\n#include "dd_trace.h"\n' >"$B/ct_impl.c"
cp "$B/ct_headers.c" "$B/ct_headers_abs.c"; sed -i "s#\"dd_trace.h\"#\"$PWD/dd_trace.h\"#" "$B/ct_headers_abs.c"
sed "s#\"dd_trace.h\"#\"$PWD/dd_trace.h\"#" "$B/ct_impl.c" >"$B/ct_impl_abs.c"
printf 'int bench_probe(void) { return 0; }\n' >"$B/ct_empty.c"
echo "== compile times (gcc -O2 -c, median of $CRUNS: CPU ms, wall ms)"
read -r CT_EMPTY CTW_EMPTY < <(compile_ms "$B/ct_empty.c"); echo "empty TU: $CT_EMPTY ms CPU, $CTW_EMPTY ms wall"
read -r CT_HDR CTW_HDR < <(compile_ms "$B/ct_headers_abs.c"); echo "TU including all three headers: $CT_HDR ms CPU, $CTW_HDR ms wall"
read -r CT_IMPL CTW_IMPL < <(compile_ms "$B/ct_impl_abs.c"); echo "implementation TU: $CT_IMPL ms CPU, $CTW_IMPL ms wall"

echo "== scaling: one trace of N spans (bare), created, finished (root last) and flushed"
"$B/bench" scaling | tee "$B/scaling.txt"
declare -A SIR
if command -v valgrind >/dev/null; then
    for n in 1 10 100 1000 10000; do
        reps=$((20000 / n)); [ "$reps" -gt 2000 ] && reps=2000
        out="$B/cg.scaling.$n.out"
        valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out" "$B/bench" scaling-one "$n" "$reps" >/dev/null 2>&1
        tot=$(grep -E '^(totals|summary):' "$out" | head -n 1 | awk '{print $2}')
        SIR[$n]=$((tot / (reps * n)))
    done
fi

echo "== threads: 10-span traces with 7 tags each, one shared tracer, automatic flushes"
"$B/bench" threads "$TSEC" | tee "$B/threads.txt"

# ---- the table ----
val() { awk -v k="$2" -v c="$3" '$1 == "op" && $2 == k {print $c}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.3f", a / b; else printf "-" }'; }
echo
echo "## Results (ours vs dd-trace-cpp 2.2; ratio = ours / reference Ir, goal <= 0.100)"
echo
echo "| op | Ir/op ours | Ir/op ref | Ir ratio | ns/op ours | ns/op ref | allocs/op ours | allocs/op ref | Ir goal |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
while IFS='|' read -r op title iters refir refns refal; do
    ir=${IR[$op]:-}
    ns=$(val "$B/ops.txt" "$op" 3)
    al=$(val "$B/ops.txt" "$op" 6)
    r=$(ratio "$ir" "$refir")
    verdict=$(awk -v r="$r" 'BEGIN { if (r == "-") print "-"; else if (r <= 0.1) print "met"; else print "MISSED" }')
    [ "$refir" = 0 ] && refir=-; [ "$refns" = 0 ] && refns=-; [ "$refal" = 0 ] && refal=-
    [ "$refir" = - ] && verdict=-
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$title" "${ir:--}" "$refir" "$r" "$ns" "$refns" "$al" "$refal" "$verdict"
done < <("$B/bench" ops-list)
BARE=$(awk '$2 == "bare" {print $4}' "$B/mem.txt"); TAG=$(awk '$2 == "tagged" {print $4}' "$B/mem.txt")
RSSB=$(awk '$2 == "bare" {print $6}' "$B/mem.txt"); RSST=$(awk '$2 == "tagged" {print $6}' "$B/mem.txt")
TRC=$(awk '$2 == "trace" {print $4}' "$B/mem.txt")
BARES=$(awk '$2 == "bare_static" {print $4}' "$B/mem.txt"); TAGS=$(awk '$2 == "tagged_static" {print $4}' "$B/mem.txt")
printf '| bytes of heap per open span, bare / 7 tags | %s / %s | 534 / 1,494 | %s / %s | | | | | goal 128 / 400: %s |\n' \
    "$BARE" "$TAG" "$(ratio "$BARE" 534)" "$(ratio "$TAG" 1494)" \
    "$(awk -v a="$BARE" -v b="$TAG" 'BEGIN { print (a <= 128 && b <= 400) ? "met" : "MISSED" }')"
printf '| bytes of heap per open span, bare / 7 tags, names and tags by pointer (_static) | %s / %s | 534 / 1,494 | %s / %s | | | | | goal 128 / 400: %s |\n' \
    "$BARES" "$TAGS" "$(ratio "$BARES" 534)" "$(ratio "$TAGS" 1494)" \
    "$(awk -v a="$BARES" -v b="$TAGS" 'BEGIN { print (a <= 128 && b <= 400) ? "met" : "MISSED" }')"
printf '| bytes of heap per open one-span trace | %s | 1,272 | %s | | | | | goal <= 1024: %s |\n' \
    "$TRC" "$(ratio "$TRC" 1272)" "$(awk -v a="$TRC" 'BEGIN { print (a <= 1024) ? "met" : "MISSED" }')"
printf '| RSS for 10,000 open spans, bare / 7 tags | %s KiB / %s KiB | | | | | | | |\n' "$RSSB" "$RSST"
printf '| compile a TU including all three headers (CPU) | %s ms (empty TU: %s ms) | 430-460 ms | %s | | | | | goal < 30 ms: %s |\n' \
    "$CT_HDR" "$CT_EMPTY" "$(ratio "$CT_HDR" 445)" "$(awk -v a="$CT_HDR" 'BEGIN { print a < 30 ? "met" : "MISSED" }')"
printf '| compile the implementation TU at -O2 (CPU) | %s ms | | | | | | | goal < 500 ms: %s |\n' \
    "$CT_IMPL" "$(awk -v a="$CT_IMPL" 'BEGIN { print a < 500 ? "met" : "MISSED" }')"
echo
echo "## Scaling: cost per span as one trace grows (bare spans: create + finish + encode + flush)"
echo
echo "| spans in the trace | ns/span | Ir/span | allocs/span |"
echo "|---:|---:|---:|---:|"
awk '$1 == "scaling" {print $2, $3, $4}' "$B/scaling.txt" | while read -r n ns al; do
    printf '| %s | %s | %s | %s |\n' "$n" "$ns" "${SIR[$n]:--}" "$al"
done
echo
echo "## Tail latency of dd_span_finish (native ns, each call timed alone; 10-span traces with 7 tags)"
echo
echo "| finishes | count | p50 | p99 | p99.9 | max |"
echo "|---|---:|---:|---:|---:|---:|"
awk '$1 == "latency" { w = $2 == "all" ? "every finish" : $2 == "child" ? "children (9 per trace)" : "roots (complete and encode the trace)";
    printf "| %s | %s | %s | %s | %s | %s |\n", w, $4, $6, $8, $10, $12 }' "$B/latency.txt"
grep '^#' "$B/latency.txt" | sed 's/^# /\n/'
echo
echo "## Throughput (10-span traces with 7 tags, one tracer shared by the threads)"
echo
echo "| threads | spans/s (wall) | wall ns per span per thread | CPU ns per span (all threads) | spans dropped by the tracer |"
echo "|---:|---:|---:|---:|---:|"
awk '$1 == "threads" {printf "| %s | %s | %s | %s | %s %% |\n", $2, $3, $4, $5, $6}' "$B/threads.txt"
