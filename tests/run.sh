#!/usr/bin/env bash
# Runs every check of the project and ends with one line "N passed, N failed".
#   tests/run.sh            everything
#   ONLY=msgpack tests/run.sh   only suites whose name contains "msgpack" (quick local loop)
# Each test program is built strictly (-Werror) twice, with gcc as C99 and with clang as C11
# under ASan+UBSan, and both are run. Scripts tests/*_test.sh and fuzz corpus replays are run too. Every suite prints a
# line "<suite>: N passed, N failed"; this script sums them.
set -u
cd "$(dirname "$0")/.."
B=${BUILD:-build}/tests
mkdir -p "$B"
export BUILD_DIR="$PWD/$B"
STRICT="-Wall -Wextra -Wpedantic -Werror"
LIBS="-lpthread -lm"
ONLY=${ONLY:-}
total_pass=0
total_fail=0
failed_suites=()

# Adds a suite's "N passed, N failed" line (the last one in its output) to the totals.
count() { # name logfile status
    local line p f
    line=$(grep -E '([A-Za-z0-9_.:/+-]+: )?[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
    if [ -n "$line" ]; then
        p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
        f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    else
        p=0; f=1 # no summary line: the suite did not run to its end
    fi
    if [ "$3" != 0 ] && [ "$f" = 0 ]; then f=1; fi # a crash after the summary still fails
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    if [ "$f" != 0 ]; then failed_suites+=("$1"); echo "--- $1: $p passed, $f failed (log: $2)"; tail -n 30 "$2" | sed 's/^/    /'; else echo "    $1: $p passed"; fi
}
# One pass/fail case, for compile checks.
case1() { # name status
    if [ "$2" = 0 ]; then total_pass=$((total_pass + 1)); else total_fail=$((total_fail + 1)); failed_suites+=("$1"); echo "--- FAILED: $1"; fi
}
wanted() { [ -z "$ONLY" ] || [[ "$1" == *"$ONLY"* ]]; }

# 1. Compile checks: each header alone, C++, two units linked, DD_API static, the implementation
# macros in both include orders, and no Lambda code in a unit without dd_lambda.h.
if wanted compile; then
    echo "== compile checks"
    : >"$B/compile.log"
    for h in dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h dd_sender.h; do
        for cc in gcc clang; do for std in c99 c11; do
            printf '#include "%s"\nint dd__probe;\n' "$h" | $cc -std=$std $STRICT -fsyntax-only -I. -x c - 2>>"$B/compile.log"
            case1 "compile $h alone $cc $std" $?
            printf '#define DD_TRACE_IMPLEMENTATION\n#define DD_SENDER_IMPLEMENTATION\n#include "%s"\nint dd__probe;\n' "$h" | $cc -std=$std $STRICT -fsyntax-only -I. -x c - 2>>"$B/compile.log"
            case1 "compile $h implementation $cc $std" $?
        done; done
    done
    # An application stamping its own version, service and env as macros (-DDD_VERSION='"1.2.3"'),
    # or any DD_* environment variable name the headers read, collides with no macro or name of
    # theirs: every header, declarations and implementation, under -Werror.
    app_defs=(-DDD_VERSION='"1.2.3"' -DDD_SERVICE='"x"' -DDD_ENV='"y"')
    env_defs=()
    # (and common Datadog settings the headers do not read)
    for v in $(grep -ohE '"DD_[A-Z0-9_]+"' dd_*.h | tr -d '"' | sort -u) DD_API_KEY DD_SITE DD_HOSTNAME DD_LOG_LEVEL \
             DD_DOGSTATSD_PORT DD_DOGSTATSD_URL DD_PROFILING_ENABLED DD_APPSEC_ENABLED DD_RUNTIME_METRICS_ENABLED; do
        env_defs+=("-D$v=\"x\""); done
    for h in dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h dd_sender.h; do
        for cc in gcc clang; do
            printf '#include "%s"\nint dd__probe;\n' "$h" | $cc -std=c99 $STRICT "${app_defs[@]}" -fsyntax-only -I. -x c - 2>>"$B/compile.log"
            case1 "compile $h with -DDD_VERSION -DDD_SERVICE -DDD_ENV $cc" $?
            printf '#define DD_LAMBDA_IMPLEMENTATION\n#define DD_SENDER_IMPLEMENTATION\n#include "%s"\n#include "dd_lambda.h"\nint dd__probe;\n' "$h" |
                $cc -std=c99 $STRICT "${app_defs[@]}" -fsyntax-only -I. -x c - 2>>"$B/compile.log"
            case1 "compile $h implementation with -DDD_VERSION -DDD_SERVICE -DDD_ENV $cc" $?
        done
        printf '#define DD_LAMBDA_IMPLEMENTATION\n#define DD_SENDER_IMPLEMENTATION\n#include "%s"\n#include "dd_lambda.h"\nint dd__probe;\n' "$h" |
            gcc -std=c99 $STRICT "${env_defs[@]}" -fsyntax-only -I. -x c - 2>>"$B/compile.log"
        case1 "compile $h implementation with ${#env_defs[@]} DD_* setting names defined" $?
        printf '#include "%s"\nint dd__probe;\n' "$h" | g++ -std=c++11 $STRICT "${app_defs[@]}" -fsyntax-only -I. -x c++ - 2>>"$B/compile.log"
        case1 "compile $h as C++ with -DDD_VERSION -DDD_SERVICE -DDD_ENV" $?
    done
    # dd_sender.h's implementation alone (dd_trace.h's elsewhere), first in strict ISO mode: it
    # defines _POSIX_C_SOURCE itself.
    for cc in gcc clang; do for std in c99 c11; do
        printf '#define DD_SENDER_IMPLEMENTATION\n#include "dd_sender.h"\nint dd__probe;\n' | $cc -std=$std $STRICT -fsyntax-only -I. -x c - 2>>"$B/compile.log"
        case1 "compile dd_sender.h implementation alone $cc $std" $?
    done; done
    # DD_LAMBDA_IMPLEMENTATION implements all four headers; DD_TRACE_IMPLEMENTATION does too once
    # dd_lambda.h is included, before or after dd_trace.h; lower headers included without a macro
    # are implemented by a first include of dd_lambda.h with one. Each unit must define every
    # public function of the four headers (nm against the DD_API declarations).
    declared_api() { cat dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h | tr '\n' ' ' | grep -oE 'DD_API [^;{(]*\(' | sed -E 's/.*[ *]([A-Za-z_0-9]+)\($/\1/' | grep -E '^dd_' | sort -u; }
    defined_api() { nm --defined-only "$1" | awk '$2 ~ /^[TW]$/ {print $3}' | grep -E '^dd_' | sort -u; }
    n=0
    for unit in '#define DD_LAMBDA_IMPLEMENTATION\n#include "dd_lambda.h"' \
                '#define DD_TRACE_IMPLEMENTATION\n#include "dd_lambda.h"\n#include "dd_trace.h"' \
                '#define DD_TRACE_IMPLEMENTATION\n#include "dd_trace.h"\n#include "dd_lambda.h"' \
                '#include "dd_propagation.h"\n#include "dd_trace.h"\n#define DD_LAMBDA_IMPLEMENTATION\n#include "dd_lambda.h"' \
                '#include "dd_trace.h"\n#define DD_TRACE_IMPLEMENTATION\n#include "dd_lambda.h"'; do
        n=$((n + 1))
        printf "$unit\n" | gcc -std=c99 $STRICT -c -I. -x c - -o "$B/impl_$n.o" 2>>"$B/compile.log" &&
            diff <(declared_api) <(defined_api "$B/impl_$n.o") >>"$B/compile.log"
        st=$?; case1 "implementation order $n: $(printf "$unit" | tr '\n' ' ')" $st
    done
    # A host service (dd_trace.h, or dd_propagation.h alone) compiles no Lambda code.
    for h in dd_trace.h dd_propagation.h; do
        printf '#define DD_TRACE_IMPLEMENTATION\n#include "%s"\n' "$h" | gcc -std=c99 $STRICT -c -I. -x c - -o "$B/host.o" 2>>"$B/compile.log" &&
            ! nm "$B/host.o" | grep -iE 'lambda|_lam_|sfn|sha256|base64|xray_subsegment|xray_send' >>"$B/compile.log"
        st=$?; case1 "no Lambda code in a unit that includes $h only" $st
    done
    for cxx in g++ clang++; do
        $cxx -std=c++11 $STRICT -I. -c tests/compile/cxx.cc -o "$B/cxx.o" 2>>"$B/compile.log"; case1 "compile C++ $cxx" $?
    done
    for cc in gcc clang; do
        $cc -std=c99 $STRICT -I. tests/compile/unit_a.c tests/compile/unit_b.c -o "$B/two_units" $LIBS 2>>"$B/compile.log" && "$B/two_units"
        case1 "link two units $cc" $?
        $cc -std=c99 $STRICT -I. tests/compile/static_api.c -o "$B/static_api" $LIBS 2>>"$B/compile.log" && "$B/static_api"
        case1 "DD_API static $cc" $?
    done
    ./tests/prelude_check.sh >"$B/prelude.log" 2>&1; count prelude "$B/prelude.log" $?
    [ -s "$B/compile.log" ] && head -n 40 "$B/compile.log"
fi

# Builds of sections 2-4, JOBS at a time (default: one per core) before anything runs; the runs
# stay one at a time, because some tests measure their own timing or use fixed ports.
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
build1() { # binary command...: the log goes to <binary>.log, the exit status to <binary>.rc
    local out=$1; shift
    rm -f "$out" "$out.rc" # a failed build must not run an old binary
    "$@" -o "$out" $LIBS >"$out.log" 2>&1
    echo $? >"$out.rc"
}
spawn() { # at most JOBS builds at once
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    build1 "$@" &
}
# One pass/fail case for a build spawned above (a missing status is a failed build).
built() { # name binary
    local st; st=$(cat "$2.rc" 2>/dev/null || echo 1)
    case1 "$1" "$st"
}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
for src in tests/*_test.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c); wanted "$name" || continue
    # Both compilers and both standards (every pair is in the compile checks above, on the headers).
    # gcc as C99, clang as C11 under ASan+UBSan (both -Werror: each compiler and standard builds it).
    spawn "$B/$name.gcc.c99" gcc -std=c99 $STRICT -O1 -g -I. "$src"
    spawn "$B/$name.asan" clang -std=c11 $STRICT -O1 -g $SAN -I. "$src"
done
for src in tests/tsan_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c); wanted "$name" || continue
    spawn "$B/$name" clang -std=c11 $STRICT -O1 -g -fsanitize=thread -I. "$src"
done
for src in fuzz/fuzz_*.c; do
    [ -e "$src" ] || continue
    target=$(basename "$src" .c); target=${target#fuzz_}
    wanted "fuzz_$target" || continue
    spawn "$B/replay_$target" clang -std=c11 -O1 -g $SAN -I. fuzz/replay.c "$src"
done
wait

# Scripts that only compute (no ports, no timing) run one after another in the background while
# the other suites run (mostly one process, often waiting): section 5 collects them in order.
BACKGROUND_SCRIPTS=" static_analysis_test wire_diff_test lambda_extract_diff_test packaging_test readme_cxx_test "
BACKGROUND_SCRIPTS+=" msgpack_python_test trace_payload_test stats_sketch_test lambda_conformance_test "
run_script() { # name: output in <name>.out, exit status in <name>.rc
    rm -f "$B/$1.rc"
    timeout 900 bash "tests/$1.sh" >"$B/$1.out" 2>&1; echo $? >"$B/$1.rc"
}
(for name in $BACKGROUND_SCRIPTS; do
    [ -e "tests/$name.sh" ] && wanted "$name" && run_script "$name"
done) &
background_pid=$!

# 2. Test programs: tests/*_test.c.
for src in tests/*_test.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    wanted "$name" || continue
    echo "== $name"
    built "build $name gcc c99" "$B/$name.gcc.c99"
    built "build $name clang c11 asan+ubsan" "$B/$name.asan"
    for bin in "$B/$name.gcc.c99" "$B/$name.asan"; do
        [ -x "$bin" ] || continue
        (cd tests && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 timeout 600 "../$bin") >"$bin.out" 2>&1
        count "$(basename "$bin")" "$bin.out" $?
    done
done

# 3. ThreadSanitizer programs: tests/tsan_*.c.
for src in tests/tsan_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c); wanted "$name" || continue
    echo "== $name"
    built "build $name" "$B/$name"
    [ -x "$B/$name" ] && { (cd tests && TSAN_OPTIONS=halt_on_error=1 timeout 600 "../$B/$name") >"$B/$name.out" 2>&1; count "$name" "$B/$name.out" $?; }
done

# 4. Fuzz corpus replay: every fuzz/fuzz_*.c over fuzz/corpus/<target>/, under ASan+UBSan.
for src in fuzz/fuzz_*.c; do
    [ -e "$src" ] || continue
    target=$(basename "$src" .c); target=${target#fuzz_}
    wanted "fuzz_$target" || continue
    echo "== replay $target"
    built "build replay $target" "$B/replay_$target"
    [ -x "$B/replay_$target" ] && { timeout 600 "$B/replay_$target" "fuzz/corpus/$target" >"$B/replay_$target.out" 2>&1; count "replay_$target" "$B/replay_$target.out" $?; }
done

# 5. Scripts: tests/*_test.sh (python cross-checks, interop with official tracers, examples).
for sh in tests/*_test.sh; do
    [ -e "$sh" ] || continue
    name=$(basename "$sh" .sh); wanted "$name" || continue
    echo "== $name"
    if [[ "$BACKGROUND_SCRIPTS" == *" $name "* ]]; then
        wait "$background_pid" 2>/dev/null
        count "$name" "$B/$name.out" "$(cat "$B/$name.rc" 2>/dev/null || echo 1)"
        continue
    fi
    run_script "$name"
    count "$name" "$B/$name.out" "$(cat "$B/$name.rc")"
done

if [ ${#failed_suites[@]} -gt 0 ]; then echo "failed: ${failed_suites[*]}"; fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
