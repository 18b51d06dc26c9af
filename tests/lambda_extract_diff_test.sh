#!/usr/bin/env bash
# Differential check of dd_lambda_extract: the current headers against those of an older commit
# (DIFF_BASE, default 98bb653: the last one before the single-pass extraction), over the
# conformance events (../shared, when present), the fuzz corpus of fuzz_lambda_event and the big
# events of bench/lambda_events.h (6 MB, 40 KB, 6 KB, each also cut short), in four
# configurations (tests/lambda_extract_diff.c); and the JSON reader over those files and the
# fuzz corpora of fuzz_json and fuzz_agent_response. Every output line must be the same. Skipped
# (0 passed, 0 failed) without git history holding DIFF_BASE.
set -u
cd "$(dirname "$0")/.."
BASE=${DIFF_BASE:-98bb653}
B=${BUILD_DIR:-build/tests}/lambda_extract_diff
mkdir -p "$B/old" "$B/events"
if ! git rev-parse -q --verify "$BASE^{commit}" >/dev/null 2>&1; then
    echo "skipped: no git history with $BASE"
    echo "0 passed, 0 failed"
    exit 0
fi
for h in dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h; do git show "$BASE:$h" > "$B/old/$h"; done
mkdir -p "$B/old/bench" "$B/old/tests"
cp bench/lambda_events.h "$B/old/bench/"
cp tests/lambda_extract_diff.c "$B/old/tests/"
CC=${CC:-gcc}
$CC -std=c99 -O1 -g -I. tests/lambda_extract_diff.c -o "$B/new" -lpthread -lm || { echo "0 passed, 1 failed"; exit 1; }
$CC -std=c99 -O1 -g -I"$B/old" "$B/old/tests/lambda_extract_diff.c" -o "$B/old_bin" -lpthread -lm || { echo "0 passed, 1 failed"; exit 1; }
# conformance events as files: a leading byte, then the event (the program drops the first byte)
rm -f "$B/events/"*
SHARED=${SHARED_DIR:-../shared}/conformance/lambda
if [ -d "$SHARED" ]; then
    /usr/bin/python3 - "$SHARED" "$B/events" <<'PY'
import json, os, sys
src, dst = sys.argv[1:3]
for f in sorted(os.listdir(src)):
    if f.endswith('.json') and f != 'README.md':
        d = json.load(open(os.path.join(src, f)))
        if 'event' in d:
            open(os.path.join(dst, f), 'wb').write(b'\0' + json.dumps(d['event']).encode())
PY
fi
files=$(ls "$B/events/"* fuzz/corpus/lambda_event/* fuzz/corpus/json/* fuzz/corpus/agent_response/* 2>/dev/null)
# shellcheck disable=SC2086
"$B/old_bin" $files > "$B/old.txt" || { echo "0 passed, 1 failed"; exit 1; }
# shellcheck disable=SC2086
"$B/new" $files > "$B/new.txt" || { echo "0 passed, 1 failed"; exit 1; }
total=$(wc -l < "$B/old.txt")
same=$(paste -d '\n' "$B/old.txt" "$B/new.txt" | awk 'NR % 2 { a = $0; next } a == $0' | wc -l)
if [ "$(wc -l < "$B/new.txt")" != "$total" ] || [ "$same" != "$total" ]; then
    diff "$B/old.txt" "$B/new.txt" | head -20
    echo "$same passed, $((total - same)) failed"
    exit 1
fi
echo "old ($BASE) and new extraction agree on $total input/configuration pairs"
echo "$total passed, 0 failed"
