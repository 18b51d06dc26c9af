#!/usr/bin/env bash
# Decodes the tracer's requests with an independent decoder: tests/trace_payload_gen.c writes the
# requests of a set of scenarios, tests/trace_payload_check.py reads them with python3-msgpack and
# checks every field, wire type and tag against docs/agent-protocol.md.
# Ends with "trace_payload: N passed, N failed".
set -u
cd "$(dirname "$0")"
out=${BUILD_DIR:-$(mktemp -d)}/trace_payload
rm -rf "$out"
mkdir -p "$out"
if ! /usr/bin/python3 -c 'import msgpack' 2>/dev/null; then
    echo "python3-msgpack is missing: apt-get install python3-msgpack (scripts/setup.sh does it)"
    echo "trace_payload: 0 passed, 1 failed"
    exit 1
fi
if ! cc -std=c99 -Wall -Wextra -Wpedantic -Werror -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -I.. trace_payload_gen.c -o "$out/gen" -lpthread -lm 2>"$out/build.log"; then
    cat "$out/build.log"
    echo "trace_payload: 0 passed, 1 failed"
    exit 1
fi
if ! "$out/gen" "$out"; then
    echo "the payload generator failed"
    echo "trace_payload: 0 passed, 1 failed"
    exit 1
fi
/usr/bin/python3 trace_payload_check.py "$out"
