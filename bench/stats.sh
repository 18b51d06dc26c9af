#!/usr/bin/env bash
# Client-side stats, what they save (docs/stats.md §10): instructions per trace (callgrind, the
# measured region of bench/stats.c only) and bytes sent per trace, for the 10-span reference trace
# at sample rate 0.1, stats off and on. Prints a Markdown table.
#   bash bench/stats.sh            (TRACES=20000 by default; about a minute under valgrind)
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}/bench
CC=${CC:-gcc}
TRACES=${TRACES:-20000}
mkdir -p "$B"
$CC -std=c99 -O2 -g -Wall -Wextra -Wpedantic -Werror -I. bench/stats.c -o "$B/stats" -lpthread -lm
declare -A IR BYTES SBYTES
for mode in off on; do
    out=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measured --callgrind-out-file="$B/stats-$mode.cg" "$B/stats" "$mode" "$TRACES" 2>/dev/null)
    ir=$(grep -E '^(summary|totals):' "$B/stats-$mode.cg" | head -n 1 | awk '{print $2}')
    IR[$mode]=$(awk -v a="$ir" -v n="$TRACES" 'BEGIN { printf "%.0f", a / n }')
    BYTES[$mode]=$(echo "$out" | awk '{print $6}')
    SBYTES[$mode]=$(echo "$out" | awk '{print $8}')
    echo "$out" >&2
done
echo "| 10-span trace, sample rate 0.1 | instructions / trace | trace bytes / trace | stats bytes / trace | total bytes / trace |"
echo "|---|---:|---:|---:|---:|"
for mode in off on; do
    echo "| stats $mode | ${IR[$mode]} | ${BYTES[$mode]} | ${SBYTES[$mode]} | $(awk -v a="${BYTES[$mode]}" -v b="${SBYTES[$mode]}" 'BEGIN { printf "%.1f", a + b }') |"
done
awk -v a="${IR[on]}" -v b="${IR[off]}" -v c="${BYTES[on]}" -v d="${SBYTES[on]}" -v e="${BYTES[off]}" \
    'BEGIN { printf "| on / off | %.3f | | | %.3f |\n", a / b, (c + d) / e }'
