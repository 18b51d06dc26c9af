#!/usr/bin/env bash
# `make install PREFIX=<folder>` is all a program outside the repository needs: the 15 lines of
# examples/install/app.c, built against the installed headers and library only (copied out of the
# repository first), send their trace to a local agent (examples/agent.c), with the agent's
# address from DD_TRACE_AGENT_URL. Last line: "install: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
W=${BUILD_DIR:-$ROOT/build/tests}/install
rm -rf "$W"
mkdir -p "$W/outside"
pass=0
fail=0
check() { # name command...
    local name=$1; shift
    if "$@" >>"$W/log" 2>&1; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; tail -n 15 "$W/log"; fi
}
agent_pid=
cleanup() { [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null; echo "install: $pass passed, $fail failed"; }
trap cleanup EXIT
PREFIX=$W/prefix
check "make install PREFIX=<folder>" make -s install BUILD="$W/build" PREFIX="$PREFIX"
cp examples/install/app.c "$W/outside/app.c"
check "app.c is at most 15 lines of code" bash -c "[ \$(grep -cvE '^\s*(/\*|\*|$)' '$W/outside/app.c') -le 15 ]"
cd "$W/outside"
check "app.c builds against the installed files only (gcc, strict C99)" \
    gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -I"$PREFIX/include" app.c -L"$PREFIX/lib" -lddtrace \
        -Wl,-rpath,"$PREFIX/lib" -o app
check "app.c builds as C++11 too" \
    g++ -std=c++11 -Wall -Wextra -Werror -x c++ -I"$PREFIX/include" app.c -L"$PREFIX/lib" -lddtrace \
        -Wl,-rpath,"$PREFIX/lib" -o app_cxx
cd "$ROOT"
check "the example agent builds" make -s BUILD="$W/build" "$W/build/examples/agent"
"$W/build/examples/agent" --port 0 --ready-file "$W/port" --record "$W/record.jsonl" --quiet --timeout-ms 20000 \
    >"$W/agent.out" 2>&1 &
agent_pid=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
port=$(cat "$W/port" 2>/dev/null)
check "the agent listens" test -n "$port"
check "the app runs and exits at once" bash -c "DD_TRACE_AGENT_URL=http://127.0.0.1:$port timeout 10 '$W/outside/app' 2>'$W/app.err'"
check "the agent received the app's span" grep -q '"name":"installed.app"' "$W/record.jsonl"
check "the app logged its start-up line on stderr (no logger set)" grep -q "DATADOG TRACER CONFIGURATION" "$W/app.err"
check "an unreachable agent gives a warning, and the app still exits within the deadline" \
    bash -c "DD_TRACE_AGENT_URL=http://127.0.0.1:1 timeout 10 '$W/outside/app' 2>'$W/down.err'; grep -q 'WARN.*agent unreachable' '$W/down.err'"
