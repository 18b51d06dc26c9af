#!/usr/bin/env bash
# Client-side stats, what they save (docs/stats.md §10): instructions per trace (callgrind, the
# measured region of bench/stats.c only) and bytes sent per trace, for the 10-span reference trace
# at sample rate 0.1, stats off and on: first every span aggregated (the worst case), then the
# realistic shape (the root `server`, 2 `client` children, 7 `internal` ones). Prints a Markdown table.
#   bash bench/stats.sh            (TRACES=20000 by default; about two minutes under valgrind)
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}/bench
CC=${CC:-gcc}
TRACES=${TRACES:-20000}
mkdir -p "$B"
$CC -std=c99 -O2 -g -Wall -Wextra -Wpedantic -Werror -I. bench/stats.c -o "$B/stats" -lpthread -lm
declare -A IR BYTES SBYTES
# shapes: "" = every span aggregated (the worst case, the first rows); mixed = 3 of 10 aggregated
for shape in "" mixed; do
for mode in off on; do
    k="$mode$shape"
    out=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measured --callgrind-out-file="$B/stats-$k.cg" "$B/stats" "$mode" "$TRACES" $shape 2>/dev/null)
    ir=$(grep -E '^(summary|totals):' "$B/stats-$k.cg" | head -n 1 | awk '{print $2}')
    IR[$k]=$(awk -v a="$ir" -v n="$TRACES" 'BEGIN { printf "%.0f", a / n }')
    BYTES[$k]=$(echo "$out" | awk '{print $6}')
    SBYTES[$k]=$(echo "$out" | awk '{print $8}')
    echo "$out" >&2
done
done
echo "| 10-span trace, sample rate 0.1 | instructions / trace | trace bytes / trace | stats bytes / trace | total bytes / trace |"
echo "|---|---:|---:|---:|---:|"
for shape in "" mixed; do
    label=${shape:+, realistic (3 of 10 aggregated)}
    for mode in off on; do
        k="$mode$shape"
        echo "| stats $mode$label | ${IR[$k]} | ${BYTES[$k]} | ${SBYTES[$k]} | $(awk -v a="${BYTES[$k]}" -v b="${SBYTES[$k]}" 'BEGIN { printf "%.1f", a + b }') |"
    done
    awk -v a="${IR[on$shape]}" -v b="${IR[off$shape]}" -v c="${BYTES[on$shape]}" -v d="${SBYTES[on$shape]}" -v e="${BYTES[off$shape]}" -v l="$label" \
        'BEGIN { printf "| on / off%s | %.3f | | | %.3f |\n", l, a / b, (c + d) / e }'
done
