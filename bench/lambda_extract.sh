#!/usr/bin/env bash
# The rows "lambda extract 6 MB ..." of BENCHMARKS.md: dd_lambda_extract of each big event shape of
# bench/lambda_events.h against one dd_json_parse of the same bytes (bench/lambda_extract.c).
#   bash bench/lambda_extract.sh          instructions (callgrind, one call each) and wall medians
#   LAMBDA_RUNS=N                         wall-time runs per median (default 21)
#   BENCH_PROFILES=1                      also the top functions of each extraction (self Ir)
# The goal (issue #15): extraction <= 3x one parse.
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}/bench
CC=${CC:-gcc}
mkdir -p "$B"
$CC -std=c99 -O2 -g -Wall -Wextra -Wpedantic -Werror -I. bench/lambda_extract.c -o "$B/lambda_extract" -lpthread -lm
"$B/lambda_extract" check >/dev/null || { echo "an event lost its context"; exit 1; }
echo "== wall time (median ms over ${LAMBDA_RUNS:-21} runs, gcc -O2)"
"$B/lambda_extract" wall "${LAMBDA_RUNS:-21}"
if command -v valgrind >/dev/null; then
    echo "== instructions (callgrind, one call after a warm-up)"
    printf '| %-10s | %14s | %14s | %6s |\n' shape "extract Ir" "parse Ir" ratio
    for shape in sqs sns_sqs kinesis apigw sqs_batch; do
        for op in extract parse; do
            valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$B/cg.lambda.$shape.$op.out" \
                "$B/lambda_extract" one "$shape" "$op" 1 >/dev/null 2>"$B/cg.lambda.$shape.$op.log"
        done
        e=$(grep -E '^(summary|totals):' "$B/cg.lambda.$shape.extract.out" | head -n 1 | awk '{print $2}')
        p=$(grep -E '^(summary|totals):' "$B/cg.lambda.$shape.parse.out" | head -n 1 | awk '{print $2}')
        printf '| %-10s | %14s | %14s | %6s |\n' "$shape" "$e" "$p" "$(awk -v e="$e" -v p="$p" 'BEGIN {printf "%.2f", e / p}')"
        if [ -n "${BENCH_PROFILES:-}" ]; then
            callgrind_annotate --inclusive=no "$B/cg.lambda.$shape.extract.out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n '3,8p' |
                awk '{x = $1; gsub(",", "", x); f = ""; for (i = 2; i <= NF; i++) if ($i ~ /:/) { f = $i; break }; sub(/.*:/, "", f); sub(/ .*/, "", f);
                    if (f != "") printf "      %12.0f Ir  %s\n", x, f}'
        fi
    done
fi
