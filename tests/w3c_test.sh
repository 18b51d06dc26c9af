#!/usr/bin/env bash
# W3C trace-context conformance of dd_propagation.h, through tests/w3c/w3c_service.c (the "test
# service" of the W3C suite: extract with the tracecontext style, one client span per callback,
# inject, forward the arguments).
#   W3C_TRACE_CONTEXT_DIR=<a checkout of w3c/trace-context>: runs its official harness (test/test.py,
#     which needs python3-aiohttp) at STRICT_LEVEL=2 and SPEC_LEVEL=2. The deliberate Datadog
#     deviations listed in tests/w3c/README.md must fail as documented (each counts as passed then,
#     and as failed if it unexpectedly passes, so the README stays true); every other test must pass.
#   unset: runs tests/w3c/w3c_cases.py, our own statement of the same cases (Python stdlib only).
# Last line: "w3c: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-$PWD/build/tests}/w3c
mkdir -p "$B"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

fail() { echo "w3c: $*"; echo "w3c: 0 passed, 1 failed"; exit 1; }

gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -I. tests/w3c/w3c_service.c -o "$B/w3c_service" -lpthread -lm \
    2>"$B/build.log" || { cat "$B/build.log"; fail "w3c_service does not build"; }

"$B/w3c_service" 0 >"$B/service.out" 2>"$B/service.err" &
svc=$!
trap 'kill "$svc" 2>/dev/null; wait "$svc" 2>/dev/null' EXIT
port=
for _ in $(seq 50); do
    port=$(awk '$1 == "listening" { print $2 }' "$B/service.out")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "w3c_service did not start ($(cat "$B/service.err"))"
endpoint="http://127.0.0.1:$port/test"

if [ -z "${W3C_TRACE_CONTEXT_DIR:-}" ]; then
    timeout 300 "$PY" tests/w3c/w3c_cases.py "$endpoint"
    exit $?
fi

# ---- the official harness ----
dir=$W3C_TRACE_CONTEXT_DIR/test
[ -f "$dir/test.py" ] || fail "no test/test.py under W3C_TRACE_CONTEXT_DIR=$W3C_TRACE_CONTEXT_DIR"
"$PY" -c 'import aiohttp' 2>/dev/null || fail "the W3C harness needs python3-aiohttp (make setup installs it)"
hport=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$B/official.log
(cd "$dir" && STRICT_LEVEL=2 SPEC_LEVEL=2 HARNESS_PORT=$hport timeout 600 "$PY" test.py "$endpoint") >"$log" 2>&1

# The deliberate deviations (tests/w3c/README.md): tracestate kept opaque, as every Datadog tracer
# does (system-tests skips these five for that reason), and no W3C level-2 random flag.
deviations="test_tracestate_key_illegal_characters test_tracestate_key_illegal_vendor_format
test_tracestate_member_count_limit test_tracestate_key_length_limit test_tracestate_value_illegal_characters
test_propagates_random_flag"
ran=$(sed -nE 's/^Ran ([0-9]+) tests? in .*/\1/p' "$log")
[ -n "$ran" ] || { tail -n 30 "$log"; fail "the W3C harness did not finish (log: $log)"; }
skipped=$(grep -oE 'skipped=[0-9]+' "$log" | tail -n 1 | cut -d= -f2)
skipped=${skipped:-0}
failing=$(sed -nE 's/^(FAIL|ERROR): (test_[a-z0-9_]+) .*/\2/p' "$log" | sort -u)
pass=0; bad=0; ok=$((ran - skipped))
for t in $failing; do
    ok=$((ok - 1))
    if grep -qw "$t" <<<"$deviations"; then
        echo "ok   $t fails as documented (deliberate Datadog behaviour)"; pass=$((pass + 1))
    else
        echo "FAIL $t"; bad=$((bad + 1))
    fi
done
for t in $deviations; do
    if ! grep -qx "$t" <<<"$failing"; then
        if grep -q "^$t " "$log"; then
            echo "FAIL $t passes now: update tests/w3c/README.md and this list"; bad=$((bad + 1)); ok=$((ok - 1))
        fi
    fi
done
pass=$((pass + ok))
echo "official W3C suite: ran $ran, ok $ok, failed $(wc -w <<<"$failing"), skipped $skipped (log: $log)"
echo "w3c: $pass passed, $bad failed"
[ "$bad" = 0 ]
