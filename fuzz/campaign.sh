#!/usr/bin/env bash
# A fuzzing campaign: every harness for SECS seconds, JOBS at a time, at nice 19 (so that other
# work on the machine keeps its share). Each job is built from the HEAD commit at the time it
# starts (git archive), not from the working tree, so its figures name a commit. Working corpora
# start from fuzz/corpus/<target> and grow in OUT/corpus/<target>; fuzz/ is not written (merge
# what was found with: OUT/bin-<t> -merge=1 fuzz/corpus/<t> OUT/corpus/<t>).
#   SECS=1800 JOBS=4 bash fuzz/campaign.sh          the full campaign, 30 minutes per harness (2 hours on 2 cores)
#   TARGETS="json b3" SECS=60 bash fuzz/campaign.sh  some harnesses only
# OUT/summary gets a line per start and end: wall and CPU seconds (user, sys), executions, final
# corpus size, exit status (0: clean; a finding leaves OUT/art-<target>-*).
set -u
cd "$(dirname "$0")/.."
REPO=$PWD
OUT=${OUT:-$REPO/build/fuzzcamp}
SECS=${SECS:-1800}
JOBS=${JOBS:-4}
TARGETS=${TARGETS:-$(ls fuzz/fuzz_*.c | sed 's#fuzz/fuzz_##; s#\.c$##' | tr '\n' ' ')}
mkdir -p "$OUT"

job() {
    local t=$1 sha src start end rc execs dict=
    sha=$(git -C "$REPO" rev-parse --short HEAD)
    src=$OUT/src-$t
    rm -rf "$src" && mkdir -p "$src" "$OUT/corpus/$t"
    git -C "$REPO" archive HEAD | tar -x -C "$src"
    [ -n "$(ls -A "$OUT/corpus/$t")" ] || cp "$src/fuzz/corpus/$t/"* "$OUT/corpus/$t/" 2>/dev/null
    if ! clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I"$src" "$src/fuzz/fuzz_$t.c" \
        -o "$OUT/bin-$t" -lpthread -lm; then
        echo "$t build failed" >>"$OUT/summary"
        return
    fi
    [ -f "$src/fuzz/dict/$t.dict" ] && dict=-dict=$src/fuzz/dict/$t.dict
    start=$(date +%s)
    echo "$t start $(date +%H:%M:%S) commit $sha" >>"$OUT/summary"
    /usr/bin/time -f "%U %S" -o "$OUT/$t.time" nice -n 19 "$OUT/bin-$t" $dict -max_total_time="$SECS" \
        -timeout=10 -rss_limit_mb=1500 -print_final_stats=1 -artifact_prefix="$OUT/art-$t-" \
        "$OUT/corpus/$t" >"$OUT/$t.log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$OUT/$t.log" | awk '{print $2}')
    echo "$t end $(date +%H:%M:%S) rc=$rc wall=$((end - start))s cpu=$(tail -n 1 "$OUT/$t.time")" \
        "execs=$execs corpus=$(ls "$OUT/corpus/$t" | wc -l) commit $sha" >>"$OUT/summary"
}

# Workers take the next target from a shared queue until it is empty.
worker() {
    local t
    while true; do
        t=$( (
            flock 9
            set -- $(cat "$OUT/queue")
            [ $# -gt 0 ] || exit 0
            echo "$1"
            shift
            echo "$*" >"$OUT/queue"
        ) 9>"$OUT/lock")
        [ -n "$t" ] || return 0
        job "$t"
    done
}

command -v clang >/dev/null || { echo "clang is needed (make setup)"; exit 1; }
echo "$TARGETS" >"$OUT/queue"
for _ in $(seq "$JOBS"); do
    worker &
    sleep 20 # staggered builds
done
wait
echo "all done $(date +%H:%M:%S)" >>"$OUT/summary"
grep -q 'rc=[1-9]\|build failed' "$OUT/summary" && { echo "findings: see $OUT/summary"; exit 1; }
exit 0
