#!/usr/bin/env bash
# tests/lua_binding_test.sh - the LuaJIT binding (bindings/lua): (1) its library built from
# bindings/lua/ddtrace_lua.c with the Makefile, and the same file compiled strictly by gcc and
# clang; (2) every struct of its ffi.cdef against the C compiler (sizeof, _Alignof, offsetof) and
# the headers' field lists, plus the macros it mirrors; a deliberately altered cdef must be
# reported; (3) bindings/lua/test/test_binding.lua and test_example.lua (the OpenResty-style
# example's driver) against tests/xlang/capture_agent.py, whose decoded payloads they read, and
# the first again with an ASan + UBSan build of the library; (4) bindings/lua/README.md's example.
# Needs luajit (scripts/setup.sh installs it) and /usr/bin/python3 with msgpack.
# Last line: "lua_binding: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/lua_binding
rm -rf "$B"
mkdir -p "$B/capture"
PY=/usr/bin/python3
pass=0
fail=0
AGENT_PID=""
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() {
    [ -n "$AGENT_PID" ] && { kill "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null; }
    echo "lua_binding: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
add_counts() { # output of a checker ending with "[checks: ]N passed, N failed"
    local line
    echo "$1"
    line=$(grep -E '^(checks: )?[0-9]+ passed, [0-9]+ failed$' <<<"$1" | tail -n 1)
    if [ -z "$line" ]; then bad "$2: the checker did not finish"; return; fi
    pass=$((pass + $(sed -E 's/^(checks: )?([0-9]+) passed.*/\2/' <<<"$line")))
    fail=$((fail + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
}

command -v luajit >/dev/null || { bad "luajit is required (scripts/setup.sh installs Debian's luajit)"; exit 0; }
LIB=$B/libddtrace_lua.so
export DDTRACE_LUA_LIB=$LIB

# (1) The library, as the README says to build it; the same file strictly with both compilers.
if make -s -C bindings/lua OUT="$LIB" >"$B/build.log" 2>&1 && [ -f "$LIB" ]; then
    ok "make -C bindings/lua builds libddtrace_lua.so"
else
    bad "make -C bindings/lua"; cat "$B/build.log"; exit 0
fi
for cc in gcc clang; do
    if $cc -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only bindings/lua/ddtrace_lua.c 2>>"$B/build.log"; then
        ok "bindings/lua/ddtrace_lua.c compiles clean with $cc -std=c99 -Wall -Wextra -Wpedantic -Werror"
    else
        bad "$cc strict compile of ddtrace_lua.c"; tail -n 20 "$B/build.log"
    fi
done
if nm -D --defined-only "$LIB" | awk '{print $3}' | grep -v '^dd_' | grep -qv '^_'; then
    bad "the library exports only dd_* symbols"; nm -D --defined-only "$LIB" | grep -v ' dd_' | head
else
    ok "the library exports only dd_* symbols ($(nm -D --defined-only "$LIB" | grep -c ' dd_'))"
fi

# (2) Layouts: the cdef and constants as ddtrace.lua declares them, a C probe generated from them.
layout() { # cdef_file probe_name -> prints the checker's output
    luajit bindings/lua/test/layout.lua gen "$1" "$B/consts" >"$B/$2.c" \
        && gcc -std=c11 -Wall -Wextra -Werror -I. "$B/$2.c" -o "$B/$2" 2>>"$B/build.log" \
        && "$B/$2" >"$B/$2.txt" \
        && luajit bindings/lua/test/layout.lua check "$1" "$B/consts" "$B/$2.txt" dd_propagation.h dd_trace.h dd_sender.h
}
if (cd bindings/lua && luajit - "$B/cdef.h" "$B/consts" <<'EOF'
local d = require("ddtrace")
local f = assert(io.open(arg[1], "w"))
f:write(d._CDEF)
f:close()
f = assert(io.open(arg[2], "w"))
for k, v in pairs(d._CONST) do f:write(k, " ", v, "\n") end
f:close()
EOF
); then
    out=$(layout "$B/cdef.h" probe)
    add_counts "$out" layout
else
    bad "ddtrace.lua loads and gives its cdef"
fi
# Negative: a field the padding hides from sizeof (has_w3c_parent, before a uint64_t), and a
# counter removed from the end, must both be reported.
for del in 'int32_t has_w3c_parent;' 'uint64_t spans_pending;'; do
    grep -vF "$del" "$B/cdef.h" >"$B/cdef_bad.h"
    out=$(layout "$B/cdef_bad.h" probe_bad)
    if grep -q '^FAIL layout of' <<<"$out" && grep -q '^LAYOUT MISMATCH' <<<"$out"; then
        ok "negative: a cdef without '$del' is reported as a layout mismatch"
    else
        bad "negative: a cdef without '$del' was not reported"; echo "$out" | tail -n 5
    fi
done

# (3) The binding's tests and the example, against the capture agent.
$PY tests/xlang/capture_agent.py --out "$B/capture" --ready-file "$B/agent.port" >"$B/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 100); do [ -s "$B/agent.port" ] && break; sleep 0.05; done
if [ ! -s "$B/agent.port" ]; then bad "the capture agent starts"; cat "$B/agent.log"; exit 0; fi
out=$(env -u DD_TRACE_PROPAGATION_STYLE -u DD_TRACE_PROPAGATION_STYLE_INJECT -u DD_TRACE_PROPAGATION_STYLE_EXTRACT \
      -u DD_VERSION -u DD_TAGS -u DD_TRACE_SAMPLE_RATE -u DD_TRACE_SAMPLING_RULES -u DD_TRACE_ENABLED -u DD_AGENT_HOST \
      -u DD_TRACE_AGENT_PORT -u DD_TRACE_DEBUG \
      CAPTURE_DIR="$B/capture" DD_SERVICE=lua-env DD_ENV=test DD_TRACE_AGENT_URL="http://127.0.0.1:$(cat "$B/agent.port")" \
      timeout 120 luajit bindings/lua/test/run.lua bindings/lua/test/test_binding.lua bindings/lua/test/test_example.lua 2>&1)
add_counts "$out" "binding tests"

# (3b) The same tests with the library built with ASan + UBSan and preloaded into luajit: a call
# reaching C memory the binding should no longer touch (a span of a closed tracer, a context, a
# scratch buffer) is a heap-use-after-free or overflow report, which fails here.
ASAN_RT=$(gcc -print-file-name=libasan.so)
UBSAN_RT=$(gcc -print-file-name=libubsan.so)
if gcc -std=c99 -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -fPIC -shared \
        -Wl,-z,nodelete bindings/lua/ddtrace_lua.c -o "$B/libddtrace_lua_asan.so" -lpthread -lm 2>>"$B/build.log"; then
    out=$(env -u DD_TRACE_PROPAGATION_STYLE -u DD_TRACE_PROPAGATION_STYLE_INJECT -u DD_TRACE_PROPAGATION_STYLE_EXTRACT \
          -u DD_VERSION -u DD_TAGS -u DD_TRACE_SAMPLE_RATE -u DD_TRACE_SAMPLING_RULES -u DD_TRACE_ENABLED -u DD_AGENT_HOST \
          -u DD_TRACE_AGENT_PORT -u DD_TRACE_DEBUG \
          ASAN_OPTIONS=detect_leaks=1:exitcode=23 LD_PRELOAD="$ASAN_RT $UBSAN_RT" DDTRACE_LUA_LIB="$B/libddtrace_lua_asan.so" \
          CAPTURE_DIR="$B/capture" CAPTURE_PREFIX=asan- DD_SERVICE=lua-env DD_ENV=test \
          DD_TRACE_AGENT_URL="http://127.0.0.1:$(cat "$B/agent.port")" \
          timeout 120 luajit bindings/lua/test/run.lua bindings/lua/test/test_binding.lua 2>&1)
    status=$?
    if [ $status = 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' <<<"$out"; then
        ok "the binding's tests under ASan + UBSan: no report ($(grep -E '^[0-9]+ passed' <<<"$out"))"
    else
        bad "the binding's tests under ASan + UBSan (exit $status)"; grep -E -A12 'ERROR:|runtime error:|^FAIL' <<<"$out" | head -40
    fi
else
    bad "the ASan + UBSan build of ddtrace_lua.c"; tail -n 20 "$B/build.log"
fi

# (4) bindings/lua/README.md's example, as written.
awk '/^```lua$/ { inside = 1; next } /^```/ && inside { exit } inside' bindings/lua/README.md >"$B/readme_example.lua"
echo readme >"$B/capture/current"
if [ "$(grep -c . "$B/readme_example.lua")" -ge 5 ] \
    && (cd bindings/lua && env -u DD_SERVICE -u DD_ENV DD_TRACE_STARTUP_LOGS=false \
        DD_TRACE_AGENT_URL="http://127.0.0.1:$(cat "$B/agent.port")" timeout 30 luajit "$B/readme_example.lua") >"$B/readme.out" 2>&1 \
    && $PY - "$B/capture/readme.jsonl" <<'PYEOF'
import json, sys
spans = {s["name"]: s for l in open(sys.argv[1]) for ch in json.loads(l)["payload"] for s in ch}
r, d = spans.get("http.request", {}), spans.get("db.query", {})
sys.exit(0 if r.get("service") == "checkout" and r.get("trace_id") == 1234 and r.get("parent_id") == 5678
         and d.get("parent_id") == r.get("span_id") and d.get("metrics", {}).get("db.rows") == 7 else 1)
PYEOF
then
    ok "bindings/lua/README.md's example runs and its two spans reach the agent"
else
    bad "bindings/lua/README.md's example"; cat "$B/readme.out"
fi
