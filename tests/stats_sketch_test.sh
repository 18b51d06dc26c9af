#!/usr/bin/env bash
# DDSketch cross-check (docs/stats.md §4): the SDK's sketches against npm @datadog/sketches-js
# 2.1.1 (pinned in tests/stats/package.json and package-lock.json), both directions: see
# tests/stats/sketch_cross.js. The packages are installed with `npm ci` into a cache under
# build/ (reinstalled when the lock file changes); skips (0 passed, 0 failed) only when the npm
# registry is unreachable. Last line: "stats_sketch: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/stats_sketch
CACHE=$ROOT/build/npm-stats
mkdir -p "$B" "$CACHE"
pass=0
fail=0
finish() { echo "stats_sketch: $pass passed, $fail failed"; exit 0; }
trap finish EXIT
command -v node >/dev/null && command -v npm >/dev/null || { fail=1; echo "FAIL node and npm are required (make setup installs them)"; exit 0; }

want=$(cat tests/stats/package.json tests/stats/package-lock.json | cksum)
if [ ! -f "$CACHE/node_modules/@datadog/sketches-js/package.json" ] || [ "$(cat "$CACHE/.lock" 2>/dev/null)" != "$want" ]; then
    cp tests/stats/package.json tests/stats/package-lock.json "$CACHE/"
    if ! (cd "$CACHE" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$B/npm.log" 2>&1; then
        if ! timeout 30 npm ping >>"$B/npm.log" 2>&1; then
            trap - EXIT
            echo "stats_sketch: SKIPPED, the npm registry is unreachable (see $B/npm.log)"
            echo "stats_sketch: 0 passed, 0 failed"
            exit 0
        fi
        tail -n 20 "$B/npm.log"
        fail=1
        echo "FAIL npm ci"
        exit 0
    fi
    echo "$want" >"$CACHE/.lock"
fi

if ! gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -I. tests/stats/sketch_cli.c -o "$B/sketch_cli" -lpthread -lm 2>"$B/build.log"; then
    cat "$B/build.log"
    fail=1
    echo "FAIL build sketch_cli"
    exit 0
fi
out=$(NODE_PATH="$CACHE/node_modules" node tests/stats/sketch_cross.js "$B/sketch_cli" 2>&1)
echo "$out" | grep -v ' passed, '
last=$(echo "$out" | tail -n 1)
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    pass=${BASH_REMATCH[1]}
    fail=${BASH_REMATCH[2]}
else
    echo "$out" | tail -n 5
    fail=1
fi
