#!/usr/bin/env bash
# Cross-check against an independent decoder/encoder: Debian's python3-msgpack reads what our
# writer wrote, and our reader reads what python3-msgpack packed (see tests/msgpack_cross.py).
# Ends with "msgpack_python: N passed, N failed".
set -u
cd "$(dirname "$0")"
out=${BUILD_DIR:-$(mktemp -d)}/msgpack_python
mkdir -p "$out"
if ! /usr/bin/python3 -c 'import msgpack' 2>/dev/null; then
    echo "python3-msgpack is missing: apt-get install python3-msgpack (scripts/setup.sh does it)"
    echo "msgpack_python: 0 passed, 1 failed"
    exit 1
fi
if ! cc -std=c99 -Wall -Wextra -Wpedantic -Werror -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    msgpack_cross.c -o "$out/msgpack_cross" 2>"$out/build.log"; then
    cat "$out/build.log"
    echo "msgpack_python: 0 passed, 1 failed"
    exit 1
fi
/usr/bin/python3 msgpack_cross.py "$out/msgpack_cross" "$out"
