#!/usr/bin/env bash
# tests/static_analysis_test.sh - cppcheck and clang-tidy (Debian packages) over the four headers,
# through a translation unit that implements them (DD_LAMBDA_IMPLEMENTATION, so every definition
# of dd_msgpack.h, dd_propagation.h, dd_trace.h and dd_lambda.h is analysed), and over the examples.
# Configuration: .cppcheck (suppressions, each justified), .clang-tidy and examples/.clang-tidy.
# One case per tool and file; a case fails on any finding. Last line: "static_analysis: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-$PWD/build/tests}/static_analysis
mkdir -p "$B"
pass=0
fail=0
case1() { # name status log
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/    /' "$3" | head -n 40; fi
}
for tool in cppcheck clang-tidy; do
    if ! command -v $tool >/dev/null; then echo "FAIL $tool is not installed (make setup)"; fail=$((fail + 1)); fi
done

# The implementation TU, in strict C99 and POSIX mode (the mode the headers document).
printf '#define _POSIX_C_SOURCE 200809L\n#define DD_LAMBDA_IMPLEMENTATION\n#define DD_SENDER_IMPLEMENTATION\n#include "dd_lambda.h"\n#include "dd_sender.h"\n' >"$B/impl.c"
# The C++ view of the same code: the headers promise to compile as C++11.
printf '#define _POSIX_C_SOURCE 200809L\n#define DD_LAMBDA_IMPLEMENTATION\n#define DD_SENDER_IMPLEMENTATION\n#include "dd_lambda.h"\n#include "dd_sender.h"\n' >"$B/impl.cc"

files=("$B/impl.c")
for f in examples/agent.c examples/sender_curl.c examples/lambda/bootstrap.c examples/ffi/libddtrace.c; do
    [ -f "$f" ] && files+=("$f")
done

if command -v cppcheck >/dev/null; then
    for f in "${files[@]}"; do
        n=$(basename "$f")
        # -D__GNUC__ fixes the configuration (the headers' GCC/Clang branches, as built here)
        # instead of letting cppcheck try every #ifdef combination.
        cppcheck --enable=warning,style,performance,portability --std=c99 --platform=unix64 --inline-suppr \
            --suppressions-list=.cppcheck -D__GNUC__=12 -I. --quiet --error-exitcode=1 \
            --template='{file}:{line}: {severity} [{id}] {message}' "$f" >"$B/cppcheck.$n.log" 2>&1
        case1 "cppcheck $f" $? "$B/cppcheck.$n.log"
    done
fi
if command -v clang-tidy >/dev/null; then
    for f in "${files[@]}"; do
        n=$(basename "$f")
        clang-tidy --quiet "$f" -- -std=c99 -I. >"$B/tidy.$n.log" 2>&1
        st=$?
        # warnings are errors (.clang-tidy): any "warning:" or "error:" line fails the case
        if grep -qE '(warning|error):' "$B/tidy.$n.log"; then st=1; fi
        case1 "clang-tidy $f" $st "$B/tidy.$n.log"
    done
    clang-tidy --quiet "$B/impl.cc" -- -x c++ -std=c++11 -I. >"$B/tidy.impl.cc.log" 2>&1
    st=$?
    if grep -qE '(warning|error):' "$B/tidy.impl.cc.log"; then st=1; fi
    case1 "clang-tidy implementation as C++11" $st "$B/tidy.impl.cc.log"
fi
echo "static_analysis: $pass passed, $fail failed"
[ "$fail" = 0 ]
