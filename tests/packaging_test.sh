#!/usr/bin/env bash
# Packaging: `make` alone builds the libraries and examples, runs no test and installs nothing;
# `make shared` exports only the public API, versioned (SONAME libddtrace.so.<major>, symlinks);
# `make static` gives libddtrace.a; `make install PREFIX=... [LIBDIR=...]` installs headers, both
# libraries, ddtrace.pc and the CMake package; examples/packaging/consumer.c is then built and run
# through pkg-config (shared and static), CMake find_package (header-only, shared and static, from
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
MAJOR=${VERSION%%.*}
PREFIX=$P/prefix

# --- `make` alone: the libraries and the examples; no test, no setup, nothing installed ---
check "version is x.y.z ($VERSION)" bash -c "[[ '$VERSION' =~ ^[0-9]+\.[0-9]+\.[0-9]+\$ ]]"
check "make -n (no target) runs no test, no setup and no install" \
    bash -c "out=\$(make -n BUILD='$P/plain'); ! grep -qE 'tests/run\.sh|scripts/setup\.sh|apt-get|(^|[ ;])install ' <<<\"\$out\" && grep -q 'libddtrace.so.$VERSION' <<<\"\$out\""
check "make (no target) builds the libraries and the examples" \
    bash -c "make -s BUILD='$P/plain' >'$P/plain.out' 2>&1 && test -s '$P/plain/libddtrace.so.$VERSION' && test -s '$P/plain/libddtrace.a' && test -x '$P/plain/examples/agent' && test -x '$P/plain/examples/bootstrap'"
check "make (no target) ran no test" bash -c "! grep -qE 'passed, [0-9]+ failed|^== ' '$P/plain.out' && test ! -e '$P/plain/tests'"
check "make test still runs its setup step first" bash -c "make --no-print-directory -n test | head -n 1 | grep -q 'scripts/setup.sh'"

# --- the shared library ---
check "make shared" make -s shared BUILD="$P/build"
LIB=$P/build/libddtrace.so
exports() { nm -D --defined-only "$LIB" | awk '$2 ~ /^[TWDBR]$/ {print $3}' | sort; }
declared() { cat dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h dd_sender.h | tr '\n' ' ' | grep -oE 'DD_API [^;{(]*\(' | sed -E 's/.*[ *]([A-Za-z_0-9]+)\($/\1/' | sort -u; }
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
check "libddtrace.so SONAME is libddtrace.so.$MAJOR" bash -c "readelf -d '$LIB' | grep -q 'SONAME.*\[libddtrace.so.$MAJOR\]'"
check "libddtrace.so -> libddtrace.so.$VERSION, libddtrace.so.$MAJOR -> libddtrace.so.$VERSION (a real file)" \
    bash -c "[ \"\$(readlink '$P/build/libddtrace.so')\" = libddtrace.so.$VERSION ] && [ \"\$(readlink '$P/build/libddtrace.so.$MAJOR')\" = libddtrace.so.$VERSION ] && test -f '$P/build/libddtrace.so.$VERSION' && test ! -L '$P/build/libddtrace.so.$VERSION'"

# --- the static library ---
check "make static" make -s static BUILD="$P/build"
check "libddtrace.a holds the public API (dd_tracer_new, dd_sender_new, dd_lambda_*)" \
    bash -c "nm '$P/build/libddtrace.a' | grep -qw 'T dd_tracer_new' && nm '$P/build/libddtrace.a' | grep -qw 'T dd_sender_new' && nm '$P/build/libddtrace.a' | grep -q 'T dd_lambda_'"

# --- make install ---
check "make install PREFIX=..." make -s install BUILD="$P/build" PREFIX="$PREFIX"
for f in include/ddtrace/dd_trace.h include/ddtrace/dd_propagation.h include/ddtrace/dd_msgpack.h include/ddtrace/dd_sender.h include/ddtrace/dd_lambda.h \
         lib/libddtrace.so lib/libddtrace.so.$MAJOR lib/libddtrace.so.$VERSION lib/libddtrace.a \
         lib/pkgconfig/ddtrace.pc lib/cmake/ddtrace/ddtraceConfig.cmake lib/cmake/ddtrace/ddtraceConfigVersion.cmake; do
    check "installed $f" test -s "$PREFIX/$f"
done
check "installed symlinks: libddtrace.so and libddtrace.so.$MAJOR -> libddtrace.so.$VERSION" \
    bash -c "[ \"\$(readlink '$PREFIX/lib/libddtrace.so')\" = libddtrace.so.$VERSION ] && [ \"\$(readlink '$PREFIX/lib/libddtrace.so.$MAJOR')\" = libddtrace.so.$VERSION ]"
check "make install honours DESTDIR" bash -c "make -s install BUILD='$P/build' PREFIX=/usr/local DESTDIR='$P/stage' && test -s '$P/stage/usr/local/lib/libddtrace.so' && grep -q '^prefix=/usr/local$' '$P/stage/usr/local/lib/pkgconfig/ddtrace.pc'"
check "make install honours LIBDIR and INCLUDEDIR" \
    bash -c "make -s install BUILD='$P/build' PREFIX='$P/p3' LIBDIR='$P/p3/lib64/multiarch' INCLUDEDIR='$P/p3/inc' && test -s '$P/p3/lib64/multiarch/libddtrace.so.$VERSION' && test -s '$P/p3/lib64/multiarch/libddtrace.a' && test -s '$P/p3/lib64/multiarch/pkgconfig/ddtrace.pc' && test -s '$P/p3/lib64/multiarch/cmake/ddtrace/ddtraceConfig.cmake' && test -s '$P/p3/inc/ddtrace/dd_trace.h' && test ! -e '$P/p3/lib' && test ! -e '$P/p3/include'"
check "LIBDIR/INCLUDEDIR: pkg-config --libs --cflags name them" \
    bash -c "[ \"\$(echo \$(PKG_CONFIG_PATH='$P/p3/lib64/multiarch/pkgconfig' pkg-config --cflags --libs ddtrace))\" = '-I$P/p3/inc/ddtrace -L$P/p3/lib64/multiarch -lddtrace' ]"
check "LIBDIR/INCLUDEDIR: pkg-config consumer builds and runs" \
    bash -c "gcc -std=c99 $STRICT examples/packaging/consumer.c \$(PKG_CONFIG_PATH='$P/p3/lib64/multiarch/pkgconfig' pkg-config --cflags --libs ddtrace) -Wl,-rpath,'$P/p3/lib64/multiarch' -o '$P/p3_consumer' && '$P/p3_consumer' | grep -q 'consumer ok'"

# --- consumer through pkg-config, linked with the shared library ---
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
check "pkg-config --modversion ddtrace = $VERSION" bash -c "[ \"\$(pkg-config --modversion ddtrace)\" = '$VERSION' ]"
check "pkg-config --cflags --libs: the include dir and -lddtrace, no definition needed" \
    bash -c "[ \"\$(echo \$(pkg-config --cflags --libs ddtrace))\" = '-I$PREFIX/include/ddtrace -L$PREFIX/lib -lddtrace' ]"
check "pkg-config --static --libs adds -lpthread -lm (Libs.private)" \
    bash -c "[ \"\$(echo \$(pkg-config --static --libs ddtrace))\" = '-L$PREFIX/lib -lddtrace -lpthread -lm' ]"
check "ddtrace.pc: libdir from LIBDIR, no URL placeholder" \
    bash -c "grep -qx 'libdir=$PREFIX/lib' '$PREFIX/lib/pkgconfig/ddtrace.pc' && ! grep -qi '^URL: https://github.com/DataDog\$' '$PREFIX/lib/pkgconfig/ddtrace.pc' && pkg-config --validate ddtrace"
check "pkg-config consumer builds (gcc, strict)" bash -c "gcc -std=c99 $STRICT examples/packaging/consumer.c \$(pkg-config --cflags --libs ddtrace) -Wl,-rpath,'$PREFIX/lib' -o '$P/pc_consumer'"
check "pkg-config consumer needs libddtrace.so.$MAJOR (the SONAME)" bash -c "readelf -d '$P/pc_consumer' | grep -q 'NEEDED.*\[libddtrace.so.$MAJOR\]'"
check "static consumer (pkg-config --static, libddtrace.a) builds, runs, and does not need libddtrace" \
    bash -c "gcc -std=c99 $STRICT examples/packaging/consumer.c \$(pkg-config --cflags ddtrace) '$PREFIX/lib/libddtrace.a' \$(pkg-config --static --libs-only-l ddtrace | sed 's/-lddtrace//') -o '$P/static_consumer' && ! readelf -d '$P/static_consumer' | grep -q 'NEEDED.*libddtrace' && '$P/static_consumer' | grep -q 'consumer ok'"
check "static consumer with -Wl,-Bstatic -lddtrace builds and does not need libddtrace" \
    bash -c "gcc -std=c99 $STRICT examples/packaging/consumer.c \$(pkg-config --cflags ddtrace) -L'$PREFIX/lib' -Wl,-Bstatic -lddtrace -Wl,-Bdynamic -lpthread -lm -o '$P/static_consumer2' && ! readelf -d '$P/static_consumer2' | grep -q 'NEEDED.*libddtrace' && '$P/static_consumer2' | grep -q 'consumer ok'"
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
check "find_package: shared consumer runs against the installed library" bash -c "'$P/fp/consumer_shared' | grep -q 'consumer ok' && readelf -d '$P/fp/consumer_shared' | grep -q 'NEEDED.*libddtrace.so.$MAJOR' && ldd '$P/fp/consumer_shared' | grep -q '$PREFIX/lib/libddtrace.so'"
check "find_package: static consumer runs and does not need libddtrace" bash -c "'$P/fp/consumer_static' | grep -q 'consumer ok' && ! readelf -d '$P/fp/consumer_static' | grep -q 'NEEDED.*libddtrace'"
check "find_package refuses a newer version than installed" bash -c "mkdir -p '$P/fpv' && printf 'cmake_minimum_required(VERSION 3.13)\nproject(v C)\nfind_package(ddtrace 99.0 CONFIG REQUIRED)\n' > '$P/fpv/CMakeLists.txt' && ! cmake -S '$P/fpv' -B '$P/fpv/b' -DCMAKE_PREFIX_PATH='$PREFIX'"

# --- CMake add_subdirectory (header-only) ---
check "CMake add_subdirectory consumer builds" cm examples/packaging/add_subdirectory "$P/as" -DDDTRACE_DIR="$ROOT"
check "add_subdirectory: consumer runs" bash -c "'$P/as/consumer_headers' | grep -q 'consumer ok'"

# --- this project's CMakeLists.txt as a top-level build, then find_package against its install ---
check "CMake top-level build + install" bash -c "cm() { :; }; cmake -S '$ROOT' -B '$P/top' -DCMAKE_C_FLAGS='$STRICT' -DCMAKE_INSTALL_PREFIX='$P/prefix2' && cmake --build '$P/top' && cmake --install '$P/top'"
check "find_package against CMake's install" cm examples/packaging/find_package "$P/fp2" -DCMAKE_PREFIX_PATH="$P/prefix2"
check "find_package (CMake install): the three consumers run" bash -c "'$P/fp2/consumer_headers' | grep -q 'consumer ok' && '$P/fp2/consumer_shared' | grep -q 'consumer ok' && '$P/fp2/consumer_static' | grep -q 'consumer ok'"
check "CMake install: versioned library in CMAKE_INSTALL_LIBDIR, SONAME libddtrace.so.$MAJOR, static library, .pc" \
    bash -c "L=\$(dirname \$(find '$P/prefix2' -name 'libddtrace.so.$VERSION' | head -n 1)) && readelf -d \$L/libddtrace.so.$VERSION | grep -q 'SONAME.*\[libddtrace.so.$MAJOR\]' && test -L \$L/libddtrace.so.$MAJOR && test -L \$L/libddtrace.so && test -s \$L/libddtrace.a && grep -qx \"libdir=\$L\" \$L/pkgconfig/ddtrace.pc"
