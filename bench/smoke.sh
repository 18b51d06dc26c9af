#!/usr/bin/env bash
# Smoke test of the benchmark harness, quick enough for every `make test` (a few seconds):
# bench/bench.c builds strictly with gcc and clang, every op runs and checks its own result
# (extract gives the expected ids and priority, inject succeeds, the fixed trace encodes), and
# the properties BENCHMARKS.md targets hold: 6 headers injected, and zero heap allocations per op in
# steady state. Ends with "bench_smoke: N passed, N failed". BUILD_DIR (absolute) may name the
# build directory, as tests/run.sh sets it. bench/throughput.c is only built here (its runs are
# timed: make bench-throughput).
set -u
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-$PWD/build/tests}/bench_smoke
mkdir -p "$B"
pass=0; fail=0
ok() { if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $1"; fi; }

for cc in gcc clang; do
    command -v $cc >/dev/null || continue
    $cc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I. bench/bench.c -o "$B/bench.$cc" -lpthread -lm 2>"$B/build.$cc.log"
    ok "build with $cc" $?
done
for cc in gcc clang; do # the throughput harness (timed: run by make bench-throughput only)
    command -v $cc >/dev/null || continue
    $cc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I. bench/throughput.c -o "$B/throughput.$cc" -lpthread -lm 2>"$B/build_throughput.$cc.log"
    ok "build bench/throughput.c with $cc" $?
done
if [ -x "$B/bench.gcc" ]; then
    "$B/bench.gcc" ops 1 >"$B/ops.txt" 2>&1
    ok "every op runs and checks its result" $?
    want=$("$B/bench.gcc" ops-list | wc -l)
    n=$(grep -c '^op ' "$B/ops.txt"); [ "$n" = "$want" ] && [ "$n" -ge 7 ]; ok "every op of ops-list reported ($n of $want)" $?
    grep -q '^# inject wrote 6 headers$' "$B/ops.txt"; ok "inject writes the 6 datadog + tracecontext headers" $?
    bad=$(awk '$1 == "op" && $6 != "0.0000" {print $2}' "$B/ops.txt" | tr '\n' ' ')
    [ -z "$bad" ]; ok "zero heap allocations per op in steady state (not: $bad)" $?
    "$B/bench.gcc" memory tagged >"$B/mem.txt" 2>&1; ok "10,000 open spans with 7 tags" $?
fi
# client-side stats (bench/stats.sh measures them): builds, and at sample rate 0.1 sends at most
# 0.15x the bytes of stats off
gcc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I. bench/stats.c -o "$B/stats" -lpthread -lm 2>"$B/build_stats.log"
ok "build bench/stats.c" $?
if [ -x "$B/stats" ]; then
    off=$("$B/stats" off 2000 | awk '{print $6 + $8}')
    on=$("$B/stats" on 2000 | awk '{print $6 + $8}')
    awk -v a="$on" -v b="$off" 'BEGIN { exit !(b > 0 && a / b <= 0.15) }'
    ok "stats on sends at most 0.15x the bytes of stats off ($on / $off bytes per trace)" $?
fi
echo "bench_smoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
