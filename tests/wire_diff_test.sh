#!/usr/bin/env bash
# Differential check of everything the SDK puts on the wire: the working tree's headers against
# those of a fixed baseline commit (WIRE_DIFF_BASE, default aa49c13a: main before the hot-path
# rewrite of issue #19). tests/wire_diff/driver.c is built against each and run on the same
# deterministic inputs: traces of 1..300 spans of many shapes under five tracer configurations
# (the /v0.4/traces requests, headers and body, and the /v0.6/stats payloads with stats on), the
# injections of every style combination, and the extraction of the fuzz corpora of the propagation
# harnesses plus hand-made header sets (each context printed field by field). Every case must give
# the same bytes, from the new headers as built here and built with DD_NO_SIMD (the portable word
# scanners instead of SSE2). Skipped (0 passed, 0 failed) without git history holding WIRE_DIFF_BASE.
#   WIRE_DIFF_NEW=dir   compare the headers in dir (dd_msgpack.h, dd_propagation.h, dd_trace.h)
#                       instead of the working tree's (to check that the harness catches a change)
set -u
cd "$(dirname "$0")/.." || exit 1
BASE=${WIRE_DIFF_BASE:-aa49c13a}
B=${BUILD_DIR:-build/tests}/wire_diff
NEW=${WIRE_DIFF_NEW:-.}
HEADERS="dd_msgpack.h dd_propagation.h dd_trace.h"
mkdir -p "$B/old" "$B/new" "$B/portable"
if ! command -v git >/dev/null 2>&1 || ! git rev-parse -q --verify "$BASE^{commit}" >/dev/null 2>&1; then
    echo "skipped: no git history with $BASE"
    echo "0 passed, 0 failed"
    exit 0
fi
for h in $HEADERS; do
    git show "$BASE:$h" > "$B/old/$h" || { echo "0 passed, 1 failed"; exit 1; }
    cp "$NEW/$h" "$B/new/$h" || { echo "0 passed, 1 failed"; exit 1; }
done
CC=${CC:-gcc}
# "portable": the new headers built with DD_NO_SIMD (the word scanners instead of SSE2)
for h in $HEADERS; do cp "$B/new/$h" "$B/portable/$h"; done
for side in old new portable; do
    cp tests/wire_diff/driver.c "$B/$side/driver.c"
    flags=""
    [ "$side" = portable ] && flags="-DDD_NO_SIMD"
    # shellcheck disable=SC2086
    if ! $CC -std=c99 -O0 -g $flags -I"$B/$side" "$B/$side/driver.c" -o "$B/$side/driver" -lpthread -lm 2>"$B/$side/build.log"; then
        head -20 "$B/$side/build.log"
        echo "FAILED: the driver does not build against the $side headers"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
files=$(ls fuzz/corpus/{all_styles,datadog,tracecontext,b3,baggage,xdatadog_tags,tracestate,xray_header,xray}/* 2>/dev/null)
for side in old new portable; do
    # shellcheck disable=SC2086
    if ! "$B/$side/driver" $files > "$B/$side.txt" 2>"$B/$side.err"; then
        tail -5 "$B/$side.err"
        echo "FAILED: the driver built against the $side headers did not finish"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
# Case by case: lines "case <group>/<name> <bytes>"; a per-group summary, the differing cases.
# compare_with <side>: the old output against that side's, "N passed, N failed" last
compare_with() {
    awk -v base="$BASE" '
        NR == FNR { old[$2] = $0; order[++n] = $2; next }
        { new[$2] = $0 }
        END {
            for (i = 1; i <= n; i++) {
                c = order[i]; g = c; sub(/\/.*/, "", g)
                if (!(g in cases)) groups[++ng] = g
                cases[g]++
                if ((c in new) && new[c] == old[c]) { pass++; bytes[g] += length(old[c]); total += length(old[c]) }
                else {
                    fail++; failed[g]++
                    if (fail <= 10) {
                        a = old[c]; b = (c in new) ? new[c] : ""
                        for (k = 1; k <= length(a) && substr(a, k, 1) == substr(b, k, 1); k++) ;
                        s = k > 60 ? k - 60 : 1
                        printf "FAILED: %s differs from byte %d (of %d old, %d new)\n  old: ...%s\n  new: ...%s\n", \
                            c, k, length(a), length(b), substr(a, s, 160), substr(b, s, 160)
                    }
                }
            }
            for (c in new) if (!(c in old)) { fail++; printf "FAILED: %s only in the new output\n", c }
            for (i = 1; i <= ng; i++)
                printf "%-24s %6d cases, %10d bytes identical%s\n", groups[i], cases[groups[i]], bytes[groups[i]], \
                    failed[groups[i]] ? sprintf(", %d DIFFER", failed[groups[i]]) : ""
            printf "old (%s) and new headers: %d bytes compared in %d cases\n", base, total, pass + fail
            printf "%d passed, %d failed\n", pass, fail
            exit fail > 0
        }' "$B/old.txt" "$B/$1.txt"
}
pass=0
fail=0
for side in new portable; do
    echo "-- old against $side"
    compare_with "$side" > "$B/$side.cmp"
    sed '$d' "$B/$side.cmp"
    line=$(tail -n 1 "$B/$side.cmp")
    p=$(grep -oE '^[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${f:-1}))
done
echo "$pass passed, $fail failed"
# the outputs (about 45 MB each) are kept only when they differ
[ "$fail" = 0 ] && rm -f "$B/old.txt" "$B/new.txt" "$B/portable.txt"
[ "$fail" = 0 ]
