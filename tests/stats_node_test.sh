#!/usr/bin/env bash
# Client-side stats against the official Node.js tracer (docs/stats.md §9): the scenario of
# tests/stats/scenario.txt (60 traces: web requests with measured database children, consumers,
# errors, rejected traces) is played through npm dd-trace 6.21.0 (tests/hybrid's pinned install,
# DD_TRACE_STATS_COMPUTATION_ENABLED=true) and through the SDK (tests/stats/c_scenario.c, with
# dd_sender.h), each against its own local capture agent (tests/stats/capture_agent.py: /info
# with client_drop_p0s and /v0.6/stats). tests/stats/compare_stats.py then requires the same keys,
# counts, durations and sketch bins. Skips (0 passed, 0 failed) only when the npm registry is
# unreachable. Last line: "stats_node: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/stats_node
rm -rf "$B"
mkdir -p "$B/node" "$B/c"
PY=/usr/bin/python3
pass=0
fail=0
PIDS=""
finish() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    echo "stats_node: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
command -v node >/dev/null && command -v npm >/dev/null || { fail=1; echo "FAIL node and npm are required (make setup installs them)"; exit 0; }

# the official tracer, as tests/hybrid_node_test.sh installs it
stamp=tests/hybrid/node_modules/.dd-trace-c-lock
want=$(cksum < tests/hybrid/package-lock.json)
if [ ! -f tests/hybrid/node_modules/dd-trace/package.json ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! (cd tests/hybrid && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$B/npm.log" 2>&1; then
        if ! timeout 30 npm ping >>"$B/npm.log" 2>&1; then
            trap - EXIT
            echo "stats_node: SKIPPED, the npm registry is unreachable (see $B/npm.log)"
            echo "stats_node: 0 passed, 0 failed"
            exit 0
        fi
        tail -n 20 "$B/npm.log"
        fail=1
        echo "FAIL npm ci"
        exit 0
    fi
    echo "$want" >"$stamp"
fi

if ! gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -I. tests/stats/c_scenario.c -o "$B/c_scenario" -lpthread -lm 2>"$B/build.log"; then
    cat "$B/build.log"; fail=1; echo "FAIL build"; exit 0
fi

start_agent() { # DIR: starts a capture agent writing there; its port in AGENT_PORT
    rm -f "$1/port"
    $PY tests/stats/capture_agent.py "$1" "$1/port" >"$1/agent.log" 2>&1 &
    PIDS="$PIDS $!"
    for _ in $(seq 50); do [ -s "$1/port" ] && break; sleep 0.1; done
    AGENT_PORT=$(cat "$1/port" 2>/dev/null)
}
start_agent "$B/node"
np=$AGENT_PORT
start_agent "$B/c"
cp=$AGENT_PORT
[ -n "$np" ] && [ -n "$cp" ] || { fail=1; echo "FAIL capture agents did not start"; exit 0; }

if DD_TRACE_AGENT_URL=http://127.0.0.1:$np DD_SERVICE=svc DD_ENV=prod DD_VERSION=1.0 DD_TRACE_STATS_COMPUTATION_ENABLED=true \
    DD_TRACE_SAMPLE_RATE=1 DD_INSTRUMENTATION_TELEMETRY_ENABLED=false DD_REMOTE_CONFIGURATION_ENABLED=false \
    NODE_PATH=$ROOT/tests/hybrid/node_modules timeout 60 node tests/stats/node_scenario.js tests/stats/scenario.txt >"$B/node.log" 2>&1; then
    pass=$((pass + 1)); echo "ok   npm dd-trace $(cd tests/hybrid && node -p 'require("dd-trace/package.json").version') played the scenario"
else
    fail=$((fail + 1)); echo "FAIL node scenario"; tail -n 20 "$B/node.log"
fi
if DD_TRACE_AGENT_URL=http://127.0.0.1:$cp DD_SERVICE=svc DD_ENV=prod DD_VERSION=1.0 DD_TRACE_SAMPLE_RATE=1 \
    timeout 60 "$B/c_scenario" tests/stats/scenario.txt >"$B/c.log" 2>&1; then
    pass=$((pass + 1)); echo "ok   the SDK played the scenario: $(tail -n 1 "$B/c.log")"
else
    fail=$((fail + 1)); echo "FAIL C scenario"; tail -n 20 "$B/c.log"
fi
sleep 0.3
out=$($PY tests/stats/compare_stats.py "$B/node" "$B/c" 2>&1)
echo "$out" | grep -v ' passed, '
last=$(echo "$out" | tail -n 1)
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    pass=$((pass + BASH_REMATCH[1])); fail=$((fail + BASH_REMATCH[2]))
else
    fail=$((fail + 1))
fi
