#!/usr/bin/env bash
# Installs what the tests, the demo and the examples need on a Debian machine.
# Run as root it installs missing packages with apt-get; otherwise it names what to install.
# Idempotent and quiet when everything is already there.
set -u
need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# python3-aiohttp: the official W3C trace-context harness (tests/w3c_test.sh with W3C_TRACE_CONTEXT_DIR).
# luajit: the LuaJIT binding's tests (tests/lua_binding_test.sh, tests/xlang_test.sh).
# python3-venv, -pip, -setuptools, -wheel, -pytest: the Python package's offline install and its tests
# (tests/python_binding_test.sh).
for p in gcc g++ make clang libclang-rt-14-dev python3 python3-msgpack python3-aiohttp libcurl4-openssl-dev zip \
         pkg-config cmake valgrind cppcheck clang-tidy luajit \
         python3-venv python3-pip python3-setuptools python3-wheel python3-pytest; do
    have_pkg "$p" || need+=("$p")
done
# Node.js and npm: the interop and FFI tests use them; a machine may already have them from elsewhere.
have_cmd node || need+=(nodejs)
have_cmd npm || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && have_cmd apt-get; then
        echo "setup: installing ${need[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
            || { echo "setup: apt-get install failed" >&2; exit 1; }
    else
        echo "setup: please install: sudo apt-get install ${need[*]}" >&2
        exit 1
    fi
fi
exit 0
