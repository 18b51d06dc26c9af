#!/usr/bin/env bash
# `make demo` as a user runs it (host -> queue -> Lambda, examples/demo/), with the local agent
# recording every payload it received; Python then checks the recorded payloads against what
# docs/agent-protocol.md and docs/propagation.md say a connected trace is: one trace id (low 64
# bits and _dd.p.tid), the parent chain
# http.request -> sqs.send -> queue.deliver -> aws.sqs -> aws.lambda -> demo.handler, three
# processes (process_id) in three payloads, _dd.origin=lambda on the Lambda spans only, one
# sampling priority on every chunk root (docs/agent-protocol.md: _sampling_priority_v1 on chunk
# roots), the agent-facing headers. A second run sets DD_TRACE_AGENT_URL to an agent started
# here: the demo must send everything there. Last line: "demo: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/demo
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
    echo "demo: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT

# 1. make demo, as in the README (its own build dir), with the agent recording.
DEMO_RECORD="$B/run1.jsonl" DEMO_TMP="$B/run1" timeout 120 make -s demo BUILD="$B/build" >"$B/run1.out" 2>&1
rc=$?
cat "$B/run1.out"
if [ $rc = 0 ]; then ok "make demo exits 0"; else bad "make demo exit status $rc"; fi
n_lines=$(grep -c '^trace [0-9a-f]\{32\} ' "$B/run1.out")
if [ "$n_lines" = 1 ]; then ok "the agent printed exactly one trace"; else bad "the agent printed $n_lines traces"; fi
if grep -q '^trace [0-9a-f]\{32\}  6 span(s) from 3 payload(s), 3 process(es)' "$B/run1.out"; then
    ok "the printed trace has 6 spans from 3 payloads and 3 processes"; else bad "printed trace summary"; fi
if [ "$(grep -c '^ *`- ' "$B/run1.out")" = 5 ] && [ "$(grep -c '^\* ' "$B/run1.out")" = 1 ]; then
    ok "the printed tree has one root and five descendants"; else bad "printed tree shape"; fi

check() { # record-file demo-output label
    $PY - "$1" "$2" "$3" <<'EOF'
import json, re, sys
rec_file, out_file, label = sys.argv[1], sys.argv[2], sys.argv[3]
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond:
        passed += 1; print("ok   %s: %s" % (label, what))
    else:
        failed += 1; print("FAIL %s: %s" % (label, what))
try:
    recs = [json.loads(l) for l in open(rec_file) if l.strip()]
except Exception as e:
    recs = []; print("cannot read the records:", e)
traces = [r for r in recs if r.get("path") == "/v0.4/traces"]
check(len(traces) == 3 and all(r["status"] == 200 and r["method"] in ("POST", "PUT") for r in traces),
      "three trace payloads, each accepted (200)")
spans, chunk_roots = [], []
for i, r in enumerate(traces):
    h = r["headers"]
    chunks = r["payload"] if isinstance(r["payload"], list) else []
    check(h.get("content-type") == "application/msgpack" and h.get("datadog-meta-lang") == "c"
          and h.get("x-datadog-trace-count") == str(len(chunks)),
          "payload %d headers: msgpack, Datadog-Meta-Lang c, X-Datadog-Trace-Count %d" % (i, len(chunks)))
    for c in chunks:
        ids = {s["span_id"] for s in c}
        chunk_roots += [s for s in c if s["parent_id"] not in ids]
        for s in c:
            s["_payload"] = i
            spans.append(s)
check(len(spans) == 6, "6 spans in all (got %d)" % len(spans))
by = {s["name"]: s for s in spans}
chain = ["http.request", "sqs.send", "queue.deliver", "aws.sqs", "aws.lambda", "demo.handler"]
check(sorted(by) == sorted(chain), "span names %s" % sorted(by))
if sorted(by) != sorted(chain):
    print("%s: %d passed, %d failed" % (label, passed, failed)); sys.exit(0)
# One trace: the low 64 bits on every span, the high 64 bits (_dd.p.tid) on every chunk root.
check(len({s["trace_id"] for s in spans}) == 1 and spans[0]["trace_id"] != 0, "one trace id (low 64 bits) on all 6 spans")
tids = {s["meta"].get("_dd.p.tid") for s in chunk_roots}
check(len(tids) == 1 and None not in tids and re.fullmatch(r"[0-9a-f]{16}", tids.pop() or ""),
      "one _dd.p.tid (16 lowercase hex) on every chunk root")
# The parent chain across the three processes.
check(by["http.request"]["parent_id"] == 0, "http.request is the root (parent_id 0)")
for parent, child in zip(chain, chain[1:]):
    check(by[child]["parent_id"] == by[parent]["span_id"], "%s is the child of %s" % (child, parent))
check(len({s["span_id"] for s in spans}) == 6, "six distinct span ids")
# Three processes, three payloads; who sent what.
pid = {s["_payload"]: s["metrics"].get("process_id") for s in chunk_roots}
check(len(set(pid.values())) == 3 and None not in pid.values(), "chunk roots of three different processes (process_id)")
groups = [{"http.request", "sqs.send"}, {"queue.deliver"}, {"aws.sqs", "aws.lambda", "demo.handler"}]
sent = [{s["name"] for s in spans if s["_payload"] == i} for i in range(3)]
check(sorted(map(sorted, sent)) == sorted(map(sorted, groups)), "host, queue and Lambda spans came in separate payloads")
check(by["http.request"]["service"] == "demo-host" and by["queue.deliver"]["service"] == "demo-queue"
      and by["aws.lambda"]["service"] == "demo-function", "services demo-host, demo-queue, demo-function")
# Origin: the Lambda spans carry _dd.origin=lambda, the others none.
for n in ("aws.sqs", "aws.lambda", "demo.handler"):
    check(by[n]["meta"].get("_dd.origin") == "lambda", "%s has _dd.origin=lambda" % n)
for n in ("http.request", "sqs.send", "queue.deliver"):
    check("_dd.origin" not in by[n]["meta"], "%s has no _dd.origin" % n)
# Priority: decided once by the host (auto keep: the agent's rate is 1), carried by _datadog.
prios = [s["metrics"].get("_sampling_priority_v1") for s in chunk_roots]
check(len(prios) == 3 and all(p == 1.0 for p in prios), "_sampling_priority_v1 = 1 on every chunk root: %s" % prios)
check(all(s["metrics"].get("_sampling_priority_v1") is None for s in spans if s not in chunk_roots),
      "no _sampling_priority_v1 on spans that are not chunk roots")
dms = {s["meta"].get("_dd.p.dm") for s in chunk_roots}
check(dms == {"-0"}, "_dd.p.dm=-0 (default mechanism) on every chunk root: %s" % dms)
# Span shapes the demo promises.
check(by["http.request"]["meta"].get("http.method") == "GET" and by["http.request"]["meta"].get("http.status_code") == "200"
      and by["http.request"]["meta"].get("span.kind") == "server" and by["http.request"]["resource"] == "GET /checkout",
      "http.request: GET /checkout, 200, server")
check(by["sqs.send"]["meta"].get("span.kind") == "producer" and by["queue.deliver"]["meta"].get("span.kind") == "consumer",
      "sqs.send is a producer, queue.deliver a consumer")
check(by["aws.sqs"]["service"] == "demo-queue" and by["aws.sqs"]["metrics"].get("_dd._inferred_span") == 1.0
      and by["aws.lambda"]["meta"].get("function_trigger.event_source") == "sqs"
      and by["aws.lambda"]["meta"].get("function_trigger.event_source_arn") == "arn:aws:sqs:us-east-1:123456789012:demo-queue",
      "aws.sqs inferred span of demo-queue; aws.lambda triggered by sqs with the queue's ARN")
check(all(s["error"] == 0 and s["duration"] >= 0 for s in spans), "no error, no negative duration")
hr, ss = by["http.request"], by["sqs.send"]
check(hr["start"] <= ss["start"] and ss["start"] + ss["duration"] <= hr["start"] + hr["duration"],
      "sqs.send lies within http.request")
check(by["queue.deliver"]["start"] >= ss["start"] and by["aws.lambda"]["start"] >= by["queue.deliver"]["start"],
      "the queue starts after the host sent, the Lambda after the queue")
# The trace id the host answered (32 hex) is the recorded one.
m = re.search(r'"trace_id":"([0-9a-f]{32})"', open(out_file).read())
full = "%s%016x" % (by["http.request"]["meta"].get("_dd.p.tid", ""), spans[0]["trace_id"])
check(m is not None and m.group(1) == full, "the host's answer names the trace %s" % full)
print("%s: %d passed, %d failed" % (label, passed, failed))
EOF
}
count_py() { # output of check
    local line p f
    echo "$1" | grep -v ': [0-9]* passed, [0-9]* failed$'
    line=$(echo "$1" | grep -E ': [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then bad "$2: the checker did not finish"; return; fi
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")
    pass=$((pass + p)); fail=$((fail + f))
}
count_py "$(check "$B/run1.jsonl" "$B/run1.out" "local agent")" "local agent"

# 2. The same demo with every C program built by clang under ASan+UBSan (strict flags).
A="$B/asan"; mkdir -p "$A"
CL="clang -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -I."
built=1
$CL examples/agent.c -o "$A/agent" -lpthread 2>"$B/asan.build.log" || built=0
$CL examples/lambda/bootstrap.c -o "$A/bootstrap" -lpthread -lm 2>>"$B/asan.build.log" || built=0
$CL examples/demo/host.c -o "$A/demo_host" -lpthread -lm 2>>"$B/asan.build.log" || built=0
$CL examples/demo/queue.c -o "$A/demo_queue" -lpthread -lm 2>>"$B/asan.build.log" || built=0
if [ $built = 1 ]; then ok "demo programs build with clang -std=c11, strict, ASan+UBSan"; else bad "asan build"; cat "$B/asan.build.log"; fi
if [ $built = 1 ]; then
    ASAN_OPTIONS=detect_leaks=1 DEMO_RECORD="$B/asan.jsonl" DEMO_TMP="$B/asan.run" timeout 120 bash examples/demo/demo.sh "$A" \
        >"$B/asan.out" 2>&1
    rc=$?
    if [ $rc = 0 ]; then ok "demo under ASan+UBSan exits 0"; else bad "demo under ASan+UBSan: status $rc"; tail -n 20 "$B/asan.out"; fi
    if cat "$B/asan.run"/*.log | grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer'; then
        bad "sanitizer report in the demo"; grep -h -A5 'ERROR\|runtime error' "$B/asan.run"/*.log | head -30
    else ok "no sanitizer report from agent, host, queue or Lambda"; fi
    count_py "$(check "$B/asan.jsonl" "$B/asan.out" "asan")" "asan"
fi

# 3. DD_TRACE_AGENT_URL set: no local agent is started, everything goes to the given one.
"$B/build/examples/agent" --port 0 --ready-file "$B/ext.ready" --quiet --record "$B/run2.jsonl" >"$B/ext.out" 2>"$B/ext.err" &
EXT=$!; PIDS="$PIDS $EXT"
for _ in $(seq 1 100); do [ -s "$B/ext.ready" ] && break; sleep 0.05; done
DD_TRACE_AGENT_URL="http://127.0.0.1:$(cat "$B/ext.ready")" DEMO_TMP="$B/run2" timeout 120 make -s demo BUILD="$B/build" \
    >"$B/run2.out" 2>&1
rc=$?
cat "$B/run2.out"
if [ $rc = 0 ] && grep -q "^demo: sending to the agent at http://127.0.0.1:" "$B/run2.out"; then
    ok "with DD_TRACE_AGENT_URL the demo runs against the given agent"; else bad "demo with DD_TRACE_AGENT_URL (status $rc)"; fi
if [ ! -e "$B/run2/agent.ready" ]; then ok "no local agent was started"; else bad "a local agent was started"; fi
sleep 0.2
count_py "$(check "$B/run2.jsonl" "$B/run2.out" "DD_TRACE_AGENT_URL")" "DD_TRACE_AGENT_URL"
