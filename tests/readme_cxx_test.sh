#!/usr/bin/env bash
# Every ```c block of README.md compiles as C++11 too (g++ and clang++, -Wall -Wextra -Wpedantic
# -Werror). The blocks are the regions of tests/readme_test.c (which requires them to be equal, byte
# for byte, and compiles and runs them as C). A block with its own main() is a whole translation
# unit; a block that defines a function goes at file scope, any other one into a function body;
# both after a prelude that declares what the snippets take from their surroundings (the names
# tests/readme_test.c gives them as C). Last line: "readme_cxx: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
W=${BUILD_DIR:-$PWD/build/tests}/readme_cxx
rm -rf "$W"
mkdir -p "$W"
pass=0
fail=0
check() { # name command...
    local name=$1; shift
    if "$@" >>"$W/log" 2>&1; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; tail -n 15 "$W/log"; fi
}
trap 'echo "readme_cxx: $pass passed, $fail failed"' EXIT

# README.md's ```c blocks, one file each: $W/block_<n>.c
awk -v dir="$W" '
    /^```c[ \t]*$/ { n++; inside = 1; file = sprintf("%s/block_%d.c", dir, n); printf "" > file; next }
    /^```/ && inside { inside = 0; close(file); next }
    inside { print > file }
' README.md
n=$(ls "$W"/block_*.c 2>/dev/null | wc -l)
check "README.md has C blocks ($n)" test "$n" -ge 6
check "no C-only construct left in README.md's C blocks (= {0}, compound literals)" \
    bash -c "! cat '$W'/block_*.c | grep -nE '= *\\{ *0 *\\}|\\(dd_[a-z_]+\\) *\\{'"

cat >"$W/prelude.h" <<'EOF'
/* What the README's snippets take from their surroundings (tests/readme_test.c gives them the same
 * names as C). Declarations only: the snippets are compiled, not run. */
#include "dd_lambda.h"
#include "dd_sender.h"
#include <stdint.h>
#include <string.h>
typedef struct my_app { int answer; } my_app;
template <typename... A> int my_http_post(my_app *, A...) { return 200; }
template <typename... A> void my_report(const char *, A...) {}
inline void use_info(const char *, size_t) {}
EOF

for f in "$W"/block_*.c; do
    b=$(basename "$f" .c)
    cxx=$W/$b.cc
    if grep -qE '^int main\(' "$f"; then
        cp "$f" "$cxx"; kind="a whole program"
    elif grep -qE '^(static )?[a-z_]+[ *]+[a-z_]+\(.*\) *\{$' "$f"; then
        fn=$(grep -m1 -oE '^(static )?[a-z_]+[ *]+[a-z_]+\(' "$f" | sed -E 's/.*[ *]([a-z_]+)\($/\1/')
        { echo '#include "prelude.h"'; cat "$f"; echo "void *readme_cxx_use = (void *)&$fn; /* used */"; } >"$cxx"
        kind="at file scope"
    else
        {
            echo '#include "prelude.h"'
            echo 'void readme_cxx_snippet(dd_tracer *tracer, dd_header *request_headers, size_t n_request_headers,'
            echo '                        const char *event, size_t event_len, const char *request_id,'
            echo '                        const char *function_arn, const char *response) {'
            echo '    dd_tracer_config cfg = DD_TRACER_CONFIG_INIT;'
            echo '    (void)tracer; (void)request_headers; (void)n_request_headers; (void)event; (void)event_len;'
            echo '    (void)request_id; (void)function_arn; (void)response; (void)cfg;'
            cat "$f"
            echo '}'
        } >"$cxx"
        kind="in a function"
    fi
    first=$(grep -m1 -vE '^\s*(/\*.*\*/)?\s*$|^#' "$f" | cut -c1-60)
    for cxxc in g++ clang++; do
        check "$b ($kind: $first) as C++11, $cxxc" \
            $cxxc -std=c++11 -Wall -Wextra -Wpedantic -Werror -I. -I"$W" -c "$cxx" -o "$W/$b.$cxxc.o"
    done
done
