#!/usr/bin/env bash
# Interop with the official Node.js tracer (npm dd-trace, pinned in tests/node_interop/package.json and
# package-lock.json): for each style both support (datadog, tracecontext, b3multi, b3 single header),
# Node extracts what dd_propagation.h injects and dd_propagation.h extracts what Node injects; trace id,
# parent id, priority, origin and _dd.p.* tags must match (tests/node_interop/interop.js); then W3C baggage
# both ways and the three extract behaviours (continue, restart, ignore) on the same headers.
# Installs dd-trace with `npm ci` into tests/node_interop/node_modules (git-ignored) when missing or stale;
# skips (0 passed, 0 failed) only when the npm registry cannot be reached.
# The tracer is started with telemetry, remote configuration and agent connections disabled.
set -u
cd "$(dirname "$0")/node_interop"
B=${BUILD_DIR:-$PWD/../../build/tests}/node_interop
mkdir -p "$B"

fail() { echo "node_interop: $*"; echo "node_interop: 0 passed, 1 failed"; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are required (make setup installs them)"

stamp=node_modules/.dd-trace-c-lock
want=$(cksum < package-lock.json)
if [ ! -f node_modules/dd-trace/package.json ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >"$B/npm.log" 2>&1; then
        if ! timeout 30 npm ping >>"$B/npm.log" 2>&1; then
            echo "node_interop: SKIPPED, the npm registry is unreachable (see $B/npm.log)"
            echo "node_interop: 0 passed, 0 failed"
            exit 0
        fi
        tail -n 20 "$B/npm.log"
        fail "npm ci failed"
    fi
    echo "$want" >"$stamp"
fi
echo "dd-trace $(node -p 'require("dd-trace/package.json").version') on node $(node --version)"

gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -O1 -g -I../.. interop.c -o "$B/interop" 2>"$B/build.log" ||
    { cat "$B/build.log"; fail "interop.c does not build"; }

export DD_TRACE_TELEMETRY_ENABLED=false DD_INSTRUMENTATION_TELEMETRY_ENABLED=false
export DD_REMOTE_CONFIGURATION_ENABLED=false DD_TRACE_AGENT_URL=http://127.0.0.1:9
export DD_TRACE_STARTUP_LOGS=false DD_RUNTIME_METRICS_ENABLED=false DD_PROFILING_ENABLED=false
export DD_CRASHTRACKING_ENABLED=false DD_APPSEC_ENABLED=false DD_DATA_STREAMS_ENABLED=false
pass=0
failn=0
for style in datadog tracecontext b3multi b3; do
    out=$(DD_TRACE_PROPAGATION_STYLE_INJECT=$style DD_TRACE_PROPAGATION_STYLE_EXTRACT=datadog,$style \
        timeout 120 node interop.js "$style" "$B/interop" 2>&1)
    rc=$?
    echo "$out"
    line=$(grep -E "^$style: [0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -n 1)
    if [ -z "$line" ]; then failn=$((failn + 1)); continue; fi
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")
    [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
    pass=$((pass + p))
    failn=$((failn + f))
done
# W3C baggage both ways and the extract behaviours (docs/http.md §1, docs/propagation.md §7.5)
for behavior in continue restart ignore; do
    style=baggage-$behavior
    out=$(DD_TRACE_PROPAGATION_STYLE=datadog,tracecontext,baggage DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT=$behavior \
        timeout 120 node interop.js "$style" "$B/interop" 2>&1)
    rc=$?
    echo "$out"
    line=$(grep -E "^$style: [0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -n 1)
    if [ -z "$line" ]; then failn=$((failn + 1)); continue; fi
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")
    [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
    pass=$((pass + p))
    failn=$((failn + f))
done
echo "node_interop: $pass passed, $failn failed"
[ "$failn" = 0 ]
