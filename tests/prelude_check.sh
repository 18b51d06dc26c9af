#!/usr/bin/env bash
# The shared prelude (and its implementation block) must be byte-identical in all four headers.
cd "$(dirname "$0")/.."
pass=0; fail=0
block() { sed -n "/^#ifndef $2 /,/^#endif \/\* $2 /p" "$1"; }
for marker in DD__PRELUDE DD__PRELUDE_IMPLEMENTED; do
    ref=$(block dd_msgpack.h $marker)
    if [ -z "$ref" ]; then echo "no $marker block in dd_msgpack.h"; fail=$((fail+1)); continue; fi
    for h in dd_propagation.h dd_trace.h dd_lambda.h; do
        if [ "$(block $h $marker)" == "$ref" ]; then pass=$((pass+1)); else echo "$marker differs in $h"; fail=$((fail+1)); fi
    done
done
echo "prelude: $pass passed, $fail failed"
[ $fail = 0 ]
