#!/usr/bin/env bash
# Packaging: `make shared` exports only the public API; `make install PREFIX=...` installs headers,
# libddtrace.so, ddtrace.pc and the CMake package; examples/packaging/consumer.c is then built
# and run through pkg-config (shared library), CMake find_package (header-only and shared, from
# `make install` and from CMake's own install) and CMake add_subdirectory (header-only).
# Last line: "packaging: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
P=${BUILD_DIR:-$ROOT/build/tests}/packaging
rm -rf "$P"
mkdir -p "$P"
pass=0
fail=0
check() { # name command...
    local name=$1; shift
    if "$@" >>"$P/log" 2>&1; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; tail -n 15 "$P/log"; fi
}
trap 'echo "packaging: $pass passed, $fail failed"' EXIT
STRICT="-Wall -Wextra -Wpedantic -Werror"
VERSION=$(sed -n 's/^#define DDTRACE_VERSION_STRING "\(.*\)"/\1/p' dd_trace.h | head -n 1)
PREFIX=$P/prefix

# --- the shared library ---
check "make shared" make -s shared BUILD="$P/build"
LIB=$P/build/libddtrace.so
exports() { nm -D --defined-only "$LIB" | awk '$2 ~ /^[TWDBR]$/ {print $3}' | sort; }
declared() { cat dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h dd_sender.h wip/*.h 2>/dev/null | tr '\n' ' ' | grep -oE 'DD_API [^;{(]*\(' | sed -E 's/.*[ *]([A-Za-z_0-9]+)\($/\1/' | sort -u; }
only_public() {
    local bad
    bad=$(exports | grep -vE '^dd_[a-z0-9_]+$|^dd__' ; exports | grep -E '^dd__')
    [ -z "$bad" ] || { echo "not public API: $bad"; return 1; }
    bad=$(comm -23 <(exports) <(declared))
    [ -z "$bad" ] || { echo "exported but not declared DD_API: $bad"; return 1; }
}
check "libddtrace.so exports only dd_* names declared DD_API" only_public
check "libddtrace.so exports dd_version, dd_status_str, dd_mp_writer_init_fixed" \
    bash -c "nm -D --defined-only '$LIB' | grep -qw dd_version && nm -D --defined-only '$LIB' | grep -qw dd_status_str && nm -D --defined-only '$LIB' | grep -qw dd_mp_writer_init_fixed"
check "libddtrace.so exports the agent sender (dd_sender_new, dd_sender_transport, dd_udp_send)" \
    bash -c "nm -D --defined-only '$LIB' | grep -qw dd_sender_new && nm -D --defined-only '$LIB' | grep -qw dd_sender_transport && nm -D --defined-only '$LIB' | grep -qw dd_udp_send"
check "libddtrace.so has no undefined dd_* symbol" bash -c "! nm -D --undefined-only '$LIB' | grep -q ' dd_'"
check "libddtrace.so soname" bash -c "readelf -d '$LIB' | grep -q 'SONAME.*\[libddtrace.so\]'"

# --- make install ---
check "make install PREFIX=..." make -s install BUILD="$P/build" PREFIX="$PREFIX"
for f in include/ddtrace/dd_trace.h include/ddtrace/dd_propagation.h include/ddtrace/dd_msgpack.h include/ddtrace/dd_sender.h include/ddtrace/dd_lambda.h lib/libddtrace.so \
         lib/pkgconfig/ddtrace.pc lib/cmake/ddtrace/ddtraceConfig.cmake lib/cmake/ddtrace/ddtraceConfigVersion.cmake; do
    check "installed $f" test -s "$PREFIX/$f"
done
check "make install honours DESTDIR" bash -c "make -s install BUILD='$P/build' PREFIX=/usr/local DESTDIR='$P/stage' && test -s '$P/stage/usr/local/lib/libddtrace.so' && grep -q '^prefix=/usr/local$' '$P/stage/usr/local/lib/pkgconfig/ddtrace.pc'"

# --- consumer through pkg-config, linked with the shared library ---
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
check "pkg-config --modversion ddtrace = $VERSION" bash -c "[ \"\$(pkg-config --modversion ddtrace)\" = '$VERSION' ]"
check "pkg-config consumer builds (gcc, strict)" bash -c "gcc -std=c99 $STRICT examples/packaging/consumer.c \$(pkg-config --cflags --libs ddtrace) -Wl,-rpath,'$PREFIX/lib' -o '$P/pc_consumer'"
check "pkg-config consumer needs libddtrace.so" bash -c "readelf -d '$P/pc_consumer' | grep -q 'NEEDED.*\[libddtrace.so\]'"
check "pkg-config consumer runs" bash -c "'$P/pc_consumer' | grep -q 'consumer ok'"
check "pkg-config consumer builds (clang, strict)" bash -c "clang -std=c11 $STRICT examples/packaging/consumer.c \$(pkg-config --cflags --libs ddtrace) -Wl,-rpath,'$PREFIX/lib' -o '$P/pc_consumer2' && '$P/pc_consumer2'"
check "header-only consumer from the installed headers" bash -c "gcc -std=c99 $STRICT -DCONSUMER_HEADER_ONLY -I'$PREFIX/include/ddtrace' examples/packaging/consumer.c -o '$P/ho_consumer' -lpthread -lm && '$P/ho_consumer' | grep -q 'consumer ok' && ! readelf -d '$P/ho_consumer' | grep -q libddtrace"

# --- CMake find_package against `make install` ---
cm() { # srcdir builddir extra-args...
    local src=$1 bld=$2; shift 2
    cmake -S "$src" -B "$bld" -DCMAKE_C_FLAGS="$STRICT" "$@" && cmake --build "$bld"
}
check "CMake find_package consumer builds" cm examples/packaging/find_package "$P/fp" -DCMAKE_PREFIX_PATH="$PREFIX"
check "find_package: header-only consumer runs" bash -c "'$P/fp/consumer_headers' | grep -q 'consumer ok' && ! readelf -d '$P/fp/consumer_headers' | grep -q libddtrace"
check "find_package: shared consumer runs against the installed library" bash -c "'$P/fp/consumer_shared' | grep -q 'consumer ok' && readelf -d '$P/fp/consumer_shared' | grep -q 'NEEDED.*libddtrace.so' && ldd '$P/fp/consumer_shared' | grep -q '$PREFIX/lib/libddtrace.so'"
check "find_package refuses a newer version than installed" bash -c "mkdir -p '$P/fpv' && printf 'cmake_minimum_required(VERSION 3.13)\nproject(v C)\nfind_package(ddtrace 99.0 CONFIG REQUIRED)\n' > '$P/fpv/CMakeLists.txt' && ! cmake -S '$P/fpv' -B '$P/fpv/b' -DCMAKE_PREFIX_PATH='$PREFIX'"

# --- CMake add_subdirectory (header-only) ---
check "CMake add_subdirectory consumer builds" cm examples/packaging/add_subdirectory "$P/as" -DDDTRACE_DIR="$ROOT"
check "add_subdirectory: consumer runs" bash -c "'$P/as/consumer_headers' | grep -q 'consumer ok'"

# --- this project's CMakeLists.txt as a top-level build, then find_package against its install ---
check "CMake top-level build + install" bash -c "cm() { :; }; cmake -S '$ROOT' -B '$P/top' -DCMAKE_C_FLAGS='$STRICT' -DCMAKE_INSTALL_PREFIX='$P/prefix2' && cmake --build '$P/top' && cmake --install '$P/top'"
check "find_package against CMake's install" cm examples/packaging/find_package "$P/fp2" -DCMAKE_PREFIX_PATH="$P/prefix2"
check "find_package (CMake install): both consumers run" bash -c "'$P/fp2/consumer_headers' | grep -q 'consumer ok' && '$P/fp2/consumer_shared' | grep -q 'consumer ok'"
