#!/usr/bin/env bash
# tests/valgrind.sh - `make valgrind`: every test program (tests/*_test.c) and every fuzz corpus
# replay (fuzz/fuzz_*.c + fuzz/replay.c), built without sanitizers (gcc -O1 -g), run under
# valgrind memcheck. A program passes when it passes its own checks AND memcheck reports zero
# errors and zero leaks (definite, indirect, possible; "still reachable" is not a leak).
#   ONLY=trace tests/valgrind.sh    only the programs whose name contains "trace"
# Last line: "valgrind: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=${BUILD:-build}/valgrind
mkdir -p "$B"
ONLY=${ONLY:-}
STRICT="-Wall -Wextra -Wpedantic -Werror"
LIBS="-lpthread -lm"
VG="valgrind --tool=memcheck --suppressions=$PWD/tests/valgrind.supp --soname-synonyms=somalloc=nouserintercepts --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes --error-exitcode=99 --child-silent-after-fork=no"
pass=0
fail=0
command -v valgrind >/dev/null || { echo "valgrind is not installed (make setup)"; echo "valgrind: 0 passed, 1 failed"; exit 1; }
wanted() { [ -z "$ONLY" ] || [[ "$1" == *"$ONLY"* ]]; }
# result name status log: memcheck's "ERROR SUMMARY: 0 errors" and no leak lines are required too
result() {
    local errs
    errs=$(grep -E 'ERROR SUMMARY: [0-9]+' "$3" | grep -vc 'ERROR SUMMARY: 0 errors')
    if [ "$2" = 0 ] && [ "$errs" = 0 ] && grep -q 'ERROR SUMMARY' "$3"; then
        pass=$((pass + 1)); echo "ok   $1"
    else
        fail=$((fail + 1)); echo "FAIL $1 (exit $2; log $3)"
        grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|Invalid|uninitialised|FAIL' "$3" | head -n 20 | sed 's/^/    /'
    fi
}
for src in tests/*_test.c; do
    name=$(basename "$src" .c); wanted "$name" || continue
    if ! gcc -std=c99 $STRICT -O1 -g -I. "$src" -o "$B/$name" $LIBS 2>"$B/$name.build.log"; then
        fail=$((fail + 1)); echo "FAIL build $name"; head -n 20 "$B/$name.build.log"; continue
    fi
    (cd tests && timeout 3600 $VG "../$B/$name") >"$B/$name.log" 2>&1
    result "$name" $? "$B/$name.log"
done
for src in fuzz/fuzz_*.c; do
    t=$(basename "$src" .c); t=${t#fuzz_}
    wanted "fuzz_$t" || continue
    [ -d "fuzz/corpus/$t" ] || continue
    if ! gcc -std=c11 -O1 -g -I. fuzz/replay.c "$src" -o "$B/replay_$t" $LIBS 2>"$B/replay_$t.build.log"; then
        fail=$((fail + 1)); echo "FAIL build replay_$t"; head -n 20 "$B/replay_$t.build.log"; continue
    fi
    timeout 3600 $VG "$B/replay_$t" "fuzz/corpus/$t" >"$B/replay_$t.log" 2>&1
    result "replay_$t" $? "$B/replay_$t.log"
done
echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
