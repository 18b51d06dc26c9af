#!/usr/bin/env bash
# A hybrid trace: a Node.js HTTP service traced by the official tracer (npm dd-trace 6.21.0, pinned in
# tests/hybrid/package.json and package-lock.json, the version tests/node_interop uses) calls a C
# HTTP service traced by dd-trace-c (tests/hybrid/c_service.c: extract, span, inject), which calls
# the Node service back. Both report to the local agent (examples/agent.c); Python then checks the
# recorded payloads: one trace id across both languages (low 64 bits and _dd.p.tid), every parent
# link (Node server -> Node client -> C server -> C client -> Node server), one sampling priority,
# and each tracer's own headers. Installs dd-trace with `npm ci` into tests/hybrid/node_modules
# (git-ignored); skips (0 passed, 0 failed) only when the npm registry is unreachable.
# Last line: "hybrid_node: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/hybrid_node
rm -rf "$B"
mkdir -p "$B"
PY=/usr/bin/python3
pass=0
fail=0
PIDS=""
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    echo "hybrid_node: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
command -v node >/dev/null && command -v npm >/dev/null || { bad "node and npm are required (make setup installs them)"; exit 0; }

# --- the official tracer, pinned ---
stamp=tests/hybrid/node_modules/.dd-trace-c-lock
want=$(cksum < tests/hybrid/package-lock.json)
if [ ! -f tests/hybrid/node_modules/dd-trace/package.json ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! (cd tests/hybrid && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$B/npm.log" 2>&1; then
        if ! timeout 30 npm ping >>"$B/npm.log" 2>&1; then
            echo "hybrid_node: SKIPPED, the npm registry is unreachable (see $B/npm.log)"
            trap - EXIT
            echo "hybrid_node: 0 passed, 0 failed"
            exit 0
        fi
        tail -n 20 "$B/npm.log"
        bad "npm ci failed"
        exit 0
    fi
    echo "$want" >"$stamp"
fi
v=$(cd tests/hybrid && node -p 'require("dd-trace/package.json").version')
if [ "$v" = 6.21.0 ]; then ok "official dd-trace $v installed (node $(node --version))"; else bad "dd-trace version $v"; fi

# --- build (strict; the C service under ASan+UBSan) ---
STRICT="-Wall -Wextra -Wpedantic -Werror"
if gcc -std=c99 $STRICT -O2 -I. tests/hybrid/c_service.c -o "$B/c_service.gcc" -lpthread -lm 2>"$B/build.log" &&
    clang -std=c11 $STRICT -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -I. tests/hybrid/c_service.c \
        -o "$B/c_service" -lpthread -lm 2>>"$B/build.log" &&
    gcc -std=c99 $STRICT -O1 -I. examples/agent.c -o "$B/agent" -lpthread 2>>"$B/build.log"; then
    ok "C service (gcc c99, clang c11 asan) and agent build strictly"
else
    bad "build"; cat "$B/build.log"; exit 0
fi

# --- run: agent, Node service, C service; then one request to Node's /start ---
SPANS=5 # Node: web.request /start, http.request; C: c.request, c.callback; Node: web.request /callback
"$B/agent" --port 0 --ready-file "$B/agent.ready" --record "$B/agent.jsonl" --expect-spans $SPANS --timeout-ms 30000 \
    >"$B/agent.out" 2>"$B/agent.err" &
APID=$!; PIDS="$PIDS $APID"
for _ in $(seq 1 100); do [ -s "$B/agent.ready" ] && break; sleep 0.05; done
AGENT=http://127.0.0.1:$(cat "$B/agent.ready")

(
    cd tests/hybrid
    export DD_TRACE_AGENT_URL=$AGENT DD_SERVICE=hybrid-node DD_ENV= DD_VERSION=
    export DD_TRACE_TELEMETRY_ENABLED=false DD_INSTRUMENTATION_TELEMETRY_ENABLED=false
    export DD_REMOTE_CONFIGURATION_ENABLED=false DD_TRACE_STARTUP_LOGS=false DD_RUNTIME_METRICS_ENABLED=false
    export DD_PROFILING_ENABLED=false DD_CRASHTRACKING_ENABLED=false DD_APPSEC_ENABLED=false DD_DATA_STREAMS_ENABLED=false
    export DD_TRACE_STATS_COMPUTATION_ENABLED=false DD_TRACE_DNS_ENABLED=false DD_TRACE_NET_ENABLED=false
    unset DD_TRACE_PROPAGATION_STYLE DD_TRACE_PROPAGATION_STYLE_INJECT DD_TRACE_PROPAGATION_STYLE_EXTRACT DD_TRACE_SAMPLE_RATE
    exec node service.js "$B/node.ready"
) >"$B/node.out" 2>&1 &
NPID=$!; PIDS="$PIDS $NPID"
for _ in $(seq 1 200); do [ -s "$B/node.ready" ] && break; kill -0 $NPID 2>/dev/null || break; sleep 0.05; done
[ -s "$B/node.ready" ] || { bad "the Node service did not start"; cat "$B/node.out"; exit 0; }
NODE=http://127.0.0.1:$(cat "$B/node.ready")

env -u DD_TRACE_PROPAGATION_STYLE -u DD_TRACE_PROPAGATION_STYLE_INJECT -u DD_TRACE_PROPAGATION_STYLE_EXTRACT \
    -u DD_TRACE_SAMPLE_RATE DD_TRACE_AGENT_URL=$AGENT DD_SERVICE=hybrid-c DD_ENV= DD_VERSION= \
    ASAN_OPTIONS=detect_leaks=1 "$B/c_service" --callback "$NODE/callback" --ready-file "$B/c.ready" >"$B/c.out" 2>&1 &
CPID=$!; PIDS="$PIDS $CPID"
for _ in $(seq 1 100); do [ -s "$B/c.ready" ] && break; sleep 0.05; done
C=http://127.0.0.1:$(cat "$B/c.ready")

$PY -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())' \
    "$NODE/start?c=$C/c" >"$B/start.json" 2>"$B/start.err"
if [ -s "$B/start.json" ]; then ok "Node /start answered"; else bad "Node /start did not answer"; cat "$B/start.err"; fi
wait $CPID; crc=$?
if [ $crc = 0 ]; then ok "C service exited cleanly after its request"; else bad "C service exit status $crc"; fi
if grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$B/c.out"; then bad "sanitizer report"; head -30 "$B/c.out"; else ok "no sanitizer report"; fi
wait $APID; arc=$?
cat "$B/agent.out"
if [ $arc = 0 ]; then ok "the agent received the $SPANS spans"; else bad "the agent did not receive $SPANS spans (status $arc)"; fi

# --- the checks, on the recorded payloads ---
out=$($PY - "$B/agent.jsonl" "$B/start.json" <<'EOF'
import json, sys
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond: passed += 1; print("ok   " + what)
    else: failed += 1; print("FAIL " + what)
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
traces = [r for r in recs if r["path"] in ("/v0.4/traces", "/v0.5/traces") and r["status"] == 200]
spans, roots = [], []
langs = set()
for r in traces:
    lang = r["headers"].get("datadog-meta-lang")
    langs.add(lang)
    for c in r["payload"] or []:
        ids = {s["span_id"] for s in c}
        for s in c:
            s["_lang"] = lang
            spans.append(s)
            if s["parent_id"] not in ids: roots.append(s)
check(langs == {"nodejs", "c"}, "payloads from both tracers (Datadog-Meta-Lang nodejs and c): %s" % sorted(map(str, langs)))
check(len(spans) == 5, "5 spans in all (got %d: %s)" % (len(spans), [(s["_lang"], s["name"], s["resource"]) for s in spans]))
node = [s for s in spans if s["_lang"] == "nodejs"]
c = [s for s in spans if s["_lang"] == "c"]
def one(lst, pred, what):
    m = [s for s in lst if pred(s)]
    check(len(m) == 1, "exactly one " + what)
    return m[0] if m else {"span_id": -1, "parent_id": -2, "meta": {}, "metrics": {}, "trace_id": -3}
start = one(node, lambda s: s["meta"].get("span.kind") == "server" and "/start" in s["meta"].get("http.url", ""), "Node server span for /start")
nclient = one(node, lambda s: s["meta"].get("span.kind") == "client", "Node client span (http.request to the C service)")
cb = one(node, lambda s: s["meta"].get("span.kind") == "server" and "/callback" in s["meta"].get("http.url", ""), "Node server span for /callback")
creq = one(c, lambda s: s["name"] == "c.request", "C span c.request")
ccb = one(c, lambda s: s["name"] == "c.callback", "C span c.callback")
check(nclient["name"] == "http.request" and start["name"] == cb["name"] == "web.request",
      "the official tracer's span names: web.request, http.request")
check(len({s["trace_id"] for s in spans}) == 1, "one trace id (low 64 bits) across Node and C")
tids = {s["meta"].get("_dd.p.tid") for s in roots}
check(len(tids) == 1 and None not in tids, "one _dd.p.tid on every chunk root, Node's and C's: %s" % tids)
check(start["parent_id"] == 0, "Node's /start span is the root")
check(nclient["parent_id"] == start["span_id"], "Node client span is the child of Node's /start span")
check(creq["parent_id"] == nclient["span_id"], "C c.request continues from Node's client span (extracted)")
check(ccb["parent_id"] == creq["span_id"], "C c.callback is the child of c.request")
check(cb["parent_id"] == ccb["span_id"], "Node's /callback span continues from C's c.callback (injected)")
check(creq["service"] == "hybrid-c" and start["service"] == "hybrid-node", "services hybrid-node and hybrid-c")
prios = {s["metrics"].get("_sampling_priority_v1") for s in roots}
check(len(prios) == 1 and None not in prios and prios.pop() >= 1, "one keep priority on every chunk root, both languages")
check(creq["meta"].get("_dd.p.dm") == start["meta"].get("_dd.p.dm") and creq["meta"].get("_dd.p.dm") is not None,
      "C keeps Node's decision maker _dd.p.dm=%s" % start["meta"].get("_dd.p.dm"))
# What Node's /callback handler saw: C's span id as parent, the trace id in 32 hex.
ans = json.load(open(sys.argv[2]))
body = json.loads(json.loads(ans["c_body"])["callback_body"]) if ans.get("c_status") == 200 else {}
full = "%s%016x" % (start["meta"].get("_dd.p.tid", ""), start["trace_id"])
check(body.get("x_datadog_parent_id") == str(ccb["span_id"]), "Node received x-datadog-parent-id = c.callback's span id")
check((body.get("traceparent") or "").startswith("00-%s-%016x-01" % (full, ccb["span_id"])),
      "Node received traceparent 00-<trace>-<c.callback>-01: %s" % body.get("traceparent"))
check(body.get("trace_id") == full, "Node's active span in /callback has the trace id %s" % full)
print("checks: %d passed, %d failed" % (passed, failed))
EOF
)
echo "$out"
line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed$' <<<"$out")
if [ -n "$line" ]; then
    pass=$((pass + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
    fail=$((fail + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
else
    bad "the checker did not finish"
fi
