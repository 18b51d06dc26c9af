#!/usr/bin/env bash
# The Node.js package (bindings/node) as a user gets it: `npm pack` makes the tarball (headers copied
# in, version checked against DDTRACE_VERSION_STRING), `npm install <tarball>` in a scratch project
# builds the native library with the C compiler (koffi from the npm cache under build/npm-cache:
# fetched once, then installed with --offline), then:
#   - the package's own tests (bindings/node/test/*.test.js, node --test) against a capture agent
#     that decodes with python3-msgpack: delivery, spans, trace(), propagation, Lambda, layout refusal;
#   - example.js sends its trace to the capture agent through the native sender;
#   - index.d.ts: tsc --noEmit --strict on test/usage.ts (typescript from the same cache);
#   - the mirrored structures against gcc (C99) and clang (C11): sizeof and every offsetof.
# Skips (0 passed, 0 failed) only when the npm registry is unreachable and nothing is cached.
# Last line: "node_binding: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/node_binding
CACHE=$ROOT/build/npm-cache
TOOLS=$ROOT/build/node-tools
rm -rf "$B"
mkdir -p "$B" "$CACHE"
PY=/usr/bin/python3
pass=0
fail=0
PIDS=""
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    echo "node_binding: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
command -v node >/dev/null && command -v npm >/dev/null || { bad "node and npm are required (make setup installs them)"; exit 0; }
NPM="npm --cache $CACHE --no-audit --no-fund --loglevel=error"

# --- npm pack ---
if (cd bindings/node && $NPM pack --pack-destination "$B") >"$B/pack.log" 2>&1; then
    TGZ=$(ls "$B"/dd-trace-c-*.tgz 2>/dev/null | head -n 1)
    ok "npm pack: $(basename "$TGZ")"
else
    bad "npm pack"; cat "$B/pack.log"; exit 0
fi
hv=$(sed -n 's/^#define DDTRACE_VERSION_STRING "\(.*\)"/\1/p' dd_trace.h)
pv=$(node -p 'require("./bindings/node/package.json").version')
if [ "$pv" = "$hv" ] && [ "$(basename "$TGZ")" = "dd-trace-c-$hv.tgz" ]; then ok "package version $pv = DDTRACE_VERSION_STRING"
else bad "package version $pv, headers $hv"; fi
tar tzf "$TGZ" | sort >"$B/contents.txt"
missing=""
for f in package.json index.js index.d.ts lib/native.js lib/layout.js native/ddtrace_node.c scripts/build.js README.md example.js \
         native/include/dd_msgpack.h native/include/dd_propagation.h native/include/dd_trace.h native/include/dd_lambda.h \
         native/include/dd_sender.h LICENSE; do
    grep -qx "package/$f" "$B/contents.txt" || missing="$missing $f"
done
if [ -z "$missing" ] && ! grep -q '^package/test/\|^package/native/build/' "$B/contents.txt"; then
    ok "the tarball holds the sources, the five headers and the types, no tests or built library ($(wc -l <"$B/contents.txt") files)"
else
    bad "tarball contents: missing$missing"; cat "$B/contents.txt"
fi
if cmp -s "$B/contents.txt" /dev/null || ! tar xzf "$TGZ" -O package/native/include/dd_trace.h | cmp -s - dd_trace.h; then
    bad "the shipped dd_trace.h is not the repository's"; else ok "the shipped headers are the repository's"; fi

# --- npm install <tarball> in a scratch project: offline from the cache when it holds koffi ---
P=$B/proj
mkdir -p "$P/test"
echo '{"name":"scratch","version":"1.0.0","private":true}' >"$P/package.json"
t0=$(date +%s)
export DDTRACE_NODE_CFLAGS=-O1 # the install script's build, at -O1 to keep this suite short (users get -O2)
if (cd "$P" && $NPM install --offline "$TGZ") >"$B/install.log" 2>&1; then
    how="offline, from $CACHE"
elif (cd "$P" && $NPM install --prefer-offline "$TGZ") >>"$B/install.log" 2>&1; then
    how="koffi fetched from the registry into $CACHE"
else
    if ! timeout 30 npm ping >>"$B/install.log" 2>&1; then
        echo "node_binding: SKIPPED, the npm registry is unreachable and the cache is empty (see $B/install.log)"
        trap - EXIT; echo "node_binding: 0 passed, 0 failed"; exit 0
    fi
    bad "npm install <tarball>"; tail -n 30 "$B/install.log"; exit 0
fi
LIB=$P/node_modules/dd-trace-c/native/build/libddtrace_node.so
if [ -f "$LIB" ]; then ok "npm install <tarball> built the native library with cc $DDTRACE_NODE_CFLAGS in $(( $(date +%s) - t0 )) s ($how)"
else bad "no native library after install"; cat "$B/install.log"; exit 0; fi
kv=$(cd "$P" && node -p 'require("koffi/package.json").version')
[ "$kv" = 2.16.3 ] && ok "koffi $kv installed as the package's dependency" || bad "koffi version $kv"

# --- the package's tests, from the scratch project (they require the installed dd-trace-c) ---
cp bindings/node/test/*.js bindings/node/test/*.py bindings/node/test/usage.ts "$P/test/"
(cd "$P" && timeout 120 node --test test/*.test.js) >"$B/node_test.out" 2>&1
np=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$B/node_test.out"); nf=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$B/node_test.out")
if [ -n "$np" ] && [ -n "$nf" ]; then
    grep -E '^(not )?ok ' "$B/node_test.out" | sed 's/^/  node --test: /'
    pass=$((pass + np)); fail=$((fail + nf))
    [ "$nf" = 0 ] || grep -A30 '^not ok' "$B/node_test.out" | head -80
else
    bad "node --test did not finish"; tail -n 40 "$B/node_test.out"
fi

# --- example.js against a capture agent ---
$PY bindings/node/test/agent.py "$B/agent.port" "$B/agent.jsonl" &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do [ -s "$B/agent.port" ] && break; sleep 0.05; done
(cd "$P" && DD_TRACE_AGENT_URL=http://127.0.0.1:$(cat "$B/agent.port") DD_ENV=ci timeout 30 node node_modules/dd-trace-c/example.js) \
    >"$B/example.out" 2>&1
erc=$?
if [ $erc = 0 ] && $PY - "$B/agent.jsonl" "$B/example.out" <<'EOF'
import json, sys
spans = [s for l in open(sys.argv[1]) for c in json.loads(l)["payload"] for s in c]
out = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
by = {s["name"]: s for s in spans}
r, q = by["http.request"], by["db.query"]
assert r["trace_id"] == q["trace_id"] == "1234567890123456789" and r["parent_id"] == "987654321", r
assert q["parent_id"] == r["span_id"] == out["span_id"], (q, out)
assert r["service"] == "checkout" and r["meta"]["env"] == "ci" and r["error"] == 1, r
assert r["meta"]["error.message"] == "payment service unavailable" and r["meta"]["error.stack"].startswith("Error: payment")
assert q["metrics"]["db.rows"] == 3 and q["meta"]["db.system"] == "postgresql"
assert out["outgoing"]["x-datadog-parent-id"] == r["span_id"] and out["log"]["dd.span_id"] == r["span_id"]
EOF
then ok "example.js: its trace (http.request -> db.query, error, env ci) reached the agent through the native sender"
else bad "example.js (status $erc)"; cat "$B/example.out"; fi

# --- TypeScript declarations ---
if [ ! -x "$TOOLS/node_modules/.bin/tsc" ]; then
    mkdir -p "$TOOLS"
    [ -f "$TOOLS/package.json" ] || echo '{"name":"dd-trace-c-node-tools","private":true}' >"$TOOLS/package.json"
    (cd "$TOOLS" && ($NPM install --offline typescript@5.9.3 || $NPM install --prefer-offline typescript@5.9.3)) >"$B/tsc_install.log" 2>&1
fi
# strict, no @types (the declarations must stand alone), the installed package's index.d.ts
echo '{"compilerOptions":{"strict":true,"noEmit":true,"module":"commonjs","moduleResolution":"node","target":"es2020","lib":["es2020"],"types":[]}}' \
    >"$P/tsconfig.base.json"
tsc_on() { printf '{"extends":"./tsconfig.base.json","files":["%s"]}\n' "$1" >"$P/tsconfig.json" && "$TOOLS/node_modules/.bin/tsc" -p "$P/tsconfig.json"; }
if [ -x "$TOOLS/node_modules/.bin/tsc" ]; then
    if tsc_on test/usage.ts >"$B/tsc.out" 2>&1; then
        ok "index.d.ts: tsc $("$TOOLS/node_modules/.bin/tsc" --version | cut -d' ' -f2) --noEmit --strict accepts test/usage.ts"
    else bad "tsc on test/usage.ts"; cat "$B/tsc.out"; fi
    # and refuses a misuse, so the check can fail
    printf "import * as dd from 'dd-trace-c'\nconst n: number = dd.init().startSpan('x').traceId\nexport { n }\n" >"$P/test/misuse.ts"
    tsc_on test/misuse.ts >"$B/tsc_misuse.out" 2>&1
    if grep -q "error TS2322: Type 'bigint' is not assignable to type 'number'" "$B/tsc_misuse.out"; then
        ok "tsc refuses a bigint id used as a number"
    else bad "tsc on a misuse: $(cat "$B/tsc_misuse.out")"; fi
else
    echo "note: typescript could not be installed (see $B/tsc_install.log); index.d.ts not compiled"
fi

# --- the mirrored layout against gcc (C99) and clang (C11) ---
(cd "$P" && node -e '
const { layoutKeys } = require("dd-trace-c/lib/layout")
const { T, koffi } = require("dd-trace-c/lib/native")
const c = ["#include <stddef.h>", "#include <stdio.h>", "#include \"dd_lambda.h\"", "#include \"dd_sender.h\"", "int main(void) {"]
const js = []
for (const [key, expr] of layoutKeys()) {
  const [s, f] = key.split(".")
  js.push(key + " " + (f === undefined ? koffi.sizeof(T[s]) : koffi.introspect(T[s]).members[f].offset))
  c.push(`    printf("${key} %lu\\n", (unsigned long)${expr});`)
}
c.push("    return 0;", "}")
require("fs").writeFileSync(process.argv[1], c.join("\n") + "\n")
require("fs").writeFileSync(process.argv[2], js.join("\n") + "\n")
' "$B/layout.c" "$B/layout_js.txt") 2>"$B/layout.err" || { bad "layout probe generation"; cat "$B/layout.err"; }
for cc in "gcc -std=c99" "clang -std=c11"; do
    if $cc -Wall -Wextra -Werror -I. "$B/layout.c" -o "$B/layout" 2>"$B/layout_cc.err" && "$B/layout" >"$B/layout_c.txt"; then
        n=$(wc -l <"$B/layout_js.txt")
        if diff "$B/layout_c.txt" "$B/layout_js.txt" >"$B/layout.diff"; then
            ok "layout: $n sizes and offsets of $(grep -vc '\.' "$B/layout_js.txt") structures match $cc"
        else
            bad "layout differs from $cc (< C, > JS): update bindings/node/lib/layout.js"; cat "$B/layout.diff"
        fi
    else
        bad "layout probe with $cc"; cat "$B/layout_cc.err"
    fi
done
