#!/usr/bin/env bash
# In-process hybrid: a Node.js program traced by the official tracer (npm dd-trace 6.21.0, pinned in
# tests/hybrid/package.json and package-lock.json) calls C code traced with dd-trace-c in the same
# process (tests/hybrid/inprocess_native.c, loaded with koffi). The JavaScript side injects its active
# span into a plain object with dd-trace's `tracer.inject(span, 'http_headers', carrier)` and hands
# the headers to C, which extracts them and starts its spans as children (tests/hybrid/inprocess_service.js).
# Both tracers send to one local agent (examples/agent.c); Python then checks one connected trace:
# the same trace id (low 64 bits and _dd.p.tid), the C root's parent = the JS span, the C child under
# the C root, one sampling priority and decision maker on every chunk root.
# Installs tests/hybrid's packages with `npm ci` (cache under build/npm-cache; shared with
# tests/hybrid_node_test.sh); skips (0 passed, 0 failed) only when the npm registry is unreachable.
# Last line: "node_hybrid_inprocess: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/node_hybrid_inprocess
rm -rf "$B"
mkdir -p "$B" "$ROOT/build/npm-cache"
PY=/usr/bin/python3
pass=0
fail=0
PIDS=""
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    echo "node_hybrid_inprocess: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
command -v node >/dev/null && command -v npm >/dev/null || { bad "node and npm are required (make setup installs them)"; exit 0; }

# --- the official tracer and koffi, pinned ---
stamp=tests/hybrid/node_modules/.dd-trace-c-lock
want=$(cksum < tests/hybrid/package-lock.json)
if [ ! -f tests/hybrid/node_modules/koffi/package.json ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! (cd tests/hybrid && npm ci --cache "$ROOT/build/npm-cache" --prefer-offline --no-audit --no-fund --ignore-scripts \
            --loglevel=error) >"$B/npm.log" 2>&1; then
        if ! timeout 30 npm ping >>"$B/npm.log" 2>&1; then
            echo "node_hybrid_inprocess: SKIPPED, the npm registry is unreachable (see $B/npm.log)"
            trap - EXIT; echo "node_hybrid_inprocess: 0 passed, 0 failed"; exit 0
        fi
        tail -n 20 "$B/npm.log"; bad "npm ci failed"; exit 0
    fi
    echo "$want" >"$stamp"
fi
v=$(cd tests/hybrid && node -p 'require("dd-trace/package.json").version + " " + require("koffi/package.json").version')
if [ "$v" = "6.21.0 2.16.3" ]; then ok "official dd-trace and koffi installed: $v (node $(node --version))"; else bad "versions $v"; fi

# --- build: the native library strictly (one compiler, -O1: the SDK's own suites cover the rest); the agent ---
STRICT="-Wall -Wextra -Wpedantic -Werror -fPIC -shared -fvisibility=hidden"
if gcc -std=c99 $STRICT -O1 -I. tests/hybrid/inprocess_native.c -o "$B/libhybrid_native.so" -lpthread -lm 2>"$B/build.log" &&
    gcc -std=c99 -Wall -Wextra -Werror -O1 -I. examples/agent.c -o "$B/agent" -lpthread 2>>"$B/build.log"; then
    ok "native library (gcc c99, strict) and agent build"
else
    bad "build"; cat "$B/build.log"; exit 0
fi
exported=$(nm -D --defined-only "$B/libhybrid_native.so" | awk '{print $3}' | grep -c '^dd_')
if [ "$exported" = 0 ]; then ok "the embedded SDK exports no dd_* symbol (no clash with another copy in the process)"
else bad "$exported dd_* symbols exported"; fi

# --- run: agent, then the Node program (JS span -> C spans) ---
SPANS=3 # js.request (Node), native.process and native.query (C)
"$B/agent" --port 0 --ready-file "$B/agent.ready" --record "$B/agent.jsonl" --expect-spans $SPANS --timeout-ms 20000 \
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
    export DD_TRACE_STATS_COMPUTATION_ENABLED=false
    unset DD_TRACE_PROPAGATION_STYLE DD_TRACE_PROPAGATION_STYLE_INJECT DD_TRACE_PROPAGATION_STYLE_EXTRACT DD_TRACE_SAMPLE_RATE
    exec timeout 30 node inprocess_service.js "$B/libhybrid_native.so" "$B/result.json"
) >"$B/node.out" 2>&1
nrc=$?
if [ $nrc = 0 ] && [ -s "$B/result.json" ]; then ok "the Node program ran (JS span -> native call -> exit)"
else bad "the Node program (status $nrc)"; cat "$B/node.out"; fi
wait $APID; arc=$?
cat "$B/agent.out"
if [ $arc = 0 ]; then ok "the agent received the $SPANS spans"; else bad "the agent did not receive $SPANS spans (status $arc)"; fi

# --- the checks, on the recorded payloads ---
out=$($PY - "$B/agent.jsonl" "$B/result.json" <<'EOF'
import json, sys
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond: passed += 1; print("ok   " + what)
    else: failed += 1; print("FAIL " + what)
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
spans, roots, langs = [], [], set()
for r in recs:
    if r["path"] != "/v0.4/traces" or r["status"] != 200: continue
    lang = r["headers"].get("datadog-meta-lang")
    langs.add(lang)
    for c in r["payload"] or []:
        ids = {s["span_id"] for s in c}
        for s in c:
            s["_lang"] = lang
            spans.append(s)
            if s["parent_id"] not in ids: roots.append(s)
res = json.load(open(sys.argv[2]))
check(langs == {"nodejs", "c"}, "payloads from both tracers (Datadog-Meta-Lang nodejs and c): %s" % sorted(map(str, langs)))
def one(name):
    m = [s for s in spans if s["name"] == name]
    check(len(m) == 1, "exactly one span %s" % name)
    return m[0] if m else {"span_id": -1, "parent_id": -2, "trace_id": -3, "meta": {}, "metrics": {}, "service": ""}
js, proc, query = one("js.request"), one("native.process"), one("native.query")
check(js["_lang"] == "nodejs" and proc.get("_lang") == query.get("_lang") == "c", "js.request from dd-trace, native.* from dd-trace-c")
check(js["parent_id"] == 0, "the JS span is the trace's root")
check(len({s["trace_id"] for s in spans}) == 1, "one trace id (low 64 bits) on all %d spans" % len(spans))
tids = {s["meta"].get("_dd.p.tid") for s in roots}
check(len(tids) == 1 and None not in tids, "one _dd.p.tid on every chunk root, JS's and C's: %s" % tids)
full = "%s%016x" % (js["meta"].get("_dd.p.tid", ""), js["trace_id"])
check(res["js"]["trace_id"] == full and res["native"]["trace_id"] == full, "the 128-bit trace id seen by JS and by C: %s" % full)
check(proc["parent_id"] == js["span_id"], "the C root native.process is the child of the JS span (parent %s)" % proc["parent_id"])
check(res["native"]["parent_id"] == res["js"]["span_id"] == str(js["span_id"]), "C saw the JS span id as its parent when it ran")
check(res["native"]["extract"] == 0 and res["carrier"].get("x-datadog-parent-id") == str(js["span_id"]),
      "dd-trace's injected headers carried the JS span id, C extracted them (DD_OK)")
check(query["parent_id"] == proc["span_id"] and query["metrics"].get("db.rows") == 7.0, "native.query is the child of native.process")
prios = {s["metrics"].get("_sampling_priority_v1") for s in roots}
check(len(prios) == 1 and None not in prios and prios.pop() >= 1, "one keep priority on every chunk root, both tracers")
check(res["carrier"].get("x-datadog-sampling-priority") == str(int(proc["metrics"].get("_sampling_priority_v1", -9))),
      "the C root's priority is the one dd-trace injected (%s)" % res["carrier"].get("x-datadog-sampling-priority"))
check(proc["meta"].get("_dd.p.dm") == js["meta"].get("_dd.p.dm") and proc["meta"].get("_dd.p.dm") is not None,
      "C keeps dd-trace's decision maker _dd.p.dm=%s" % js["meta"].get("_dd.p.dm"))
check(js["service"] == proc["service"] == query["service"] == "hybrid-node",
      "one process, one DD_SERVICE: both tracers report service hybrid-node")
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
