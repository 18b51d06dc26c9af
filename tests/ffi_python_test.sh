#!/usr/bin/env bash
# FFI from Python: the package's ctypes layer (bindings/python/ddtrace_c/ffi.py, re-exported by
# examples/python/ddtrace_ffi.py; standard library only) over the shared library of `make shared`. Checks (1) every mirrored structure's size and field offsets against
# the C compiler's, (2) extraction of hand-written datadog and W3C headers (values from
# docs/propagation.md and the W3C Trace Context examples), (3) injection, (4) a flush through a
# transport written in Python whose request body is decoded with python3-msgpack and checked
# against the ids, names and tags the test set, (5) failures of the Python transport counted, (6)
# HttpTransport (http.client) to the local agent examples/agent.c. Last line:
# "ffi_python: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/ffi_python
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
    echo "ffi_python: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
add_counts() { # output of a checker ending with "checks: N passed, N failed"
    local line
    echo "$1"
    line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed$' <<<"$1" | tail -n 1)
    if [ -z "$line" ]; then bad "$2: the checker did not finish"; return; fi
    pass=$((pass + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
    fail=$((fail + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
}

if make -s shared BUILD="$B/build" >"$B/build.log" 2>&1 && [ -f "$B/build/libddtrace.so" ]; then
    ok "make shared builds libddtrace.so"; else bad "make shared"; cat "$B/build.log"; exit 0; fi
LIB=$B/build/libddtrace.so

# (1) Layout: a C program generated from the ctypes field lists prints sizeof and offsetof.
$PY - "$B/layout.c" <<'EOF' || bad "layout probe generation"
import sys
sys.path.insert(0, "examples/python")
import ddtrace_ffi as f
out = ['#include <stddef.h>', '#include <stdio.h>', '#include "dd_lambda.h"', '#include "dd_sender.h"', 'int main(void) {']
for s in f.STRUCTS:
    out.append('    printf("%s %%lu\\n", (unsigned long)sizeof(%s));' % (s.__name__, s.__name__))
    for name, _ in s._fields_:
        out.append('    printf("%s.%s %%lu\\n", (unsigned long)offsetof(%s, %s));' % (s.__name__, name, s.__name__, name))
out += ['    return 0;', '}']
open(sys.argv[1], "w").write("\n".join(out) + "\n")
EOF
if gcc -std=c99 -Wall -Wextra -Werror -I. "$B/layout.c" -o "$B/layout" 2>>"$B/build.log" && "$B/layout" >"$B/layout.txt"; then
    out=$($PY - "$B/layout.txt" <<'EOF'
import ctypes, sys
sys.path.insert(0, "examples/python")
import ddtrace_ffi as f
c = dict(l.split() for l in open(sys.argv[1]))
p = n = 0
for s in f.STRUCTS:
    bad = [] if int(c[s.__name__]) == ctypes.sizeof(s) else ["sizeof %s: C %s, ctypes %d" % (s.__name__, c[s.__name__], ctypes.sizeof(s))]
    for name, _ in s._fields_:
        off = getattr(s, name).offset
        if int(c[s.__name__ + "." + name]) != off:
            bad.append("%s.%s: C offset %s, ctypes %d" % (s.__name__, name, c[s.__name__ + "." + name], off))
    if bad: n += 1; print("FAIL layout of %s: %s" % (s.__name__, "; ".join(bad)))
    else: p += 1; print("ok   layout of %s (%d bytes, %d fields) matches C" % (s.__name__, ctypes.sizeof(s), len(s._fields_)))
print("checks: %d passed, %d failed" % (p, n))
EOF
)
    add_counts "$out" layout
else
    bad "layout probe builds and runs"; cat "$B/build.log"
fi

# (2)-(5) The binding itself.
out=$(env -u DD_TRACE_PROPAGATION_STYLE -u DD_TRACE_PROPAGATION_STYLE_INJECT -u DD_TRACE_PROPAGATION_STYLE_EXTRACT \
    -u DD_SERVICE -u DD_ENV -u DD_VERSION -u DD_TAGS -u DD_TRACE_SAMPLE_RATE -u DD_TRACE_SAMPLING_RULES -u DD_TRACE_ENABLED \
    $PY - "$LIB" <<'EOF'
import sys
sys.path.insert(0, "examples/python")
import msgpack
import ddtrace_ffi as f
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond: passed += 1; print("ok   " + what)
    else: failed += 1; print("FAIL " + what)

dd = f.Library(sys.argv[1])
check(dd.lib.dd_version() == 200 and dd.status_str(-10) == "transport failed", "dd_version() 200 and dd_status_str through ctypes")

# Extraction of hand-written headers (docs/propagation.md: decimal ids, priority, origin, x-datadog-tags).
ctx = dd.extract({"X-Datadog-Trace-Id": "1234567890123456789", "X-Datadog-Parent-Id": "987654321",
                  "X-Datadog-Sampling-Priority": "2", "X-Datadog-Origin": "synthetics",
                  "X-Datadog-Tags": "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000"})
check(ctx is not None and ctx.trace_id == (0x640cfd8d00000000 << 64) | 1234567890123456789 and ctx.parent_id == 987654321
      and ctx.sampling_priority == 2 and ctx.origin == "synthetics", "extract datadog headers: 128-bit id, parent, priority 2, origin")
w3c = dd.extract({"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
check(w3c is not None and w3c.trace_id == 0x4bf92f3577b34da6a3ce929d0e0e4736 and w3c.parent_id == 0x00f067aa0ba902b7
      and w3c.sampling_priority == 1, "extract the W3C example traceparent (sampled -> priority 1)")
check(dd.extract({"x-datadog-parent-id": "5"}) is None and dd.extract({}) is None, "no context: None")

# A tracer whose transport is Python; it records each request and answers agent rates.
sent = []
def transport(method, path, headers, body):
    sent.append((method, path, headers, body))
    return 200, b'{"rate_by_service":{"service:,env:":1}}'
tr = dd.tracer(transport, service="ffi-python", env="test", version="1.2.3")
root = tr.start_span("py.request", context=ctx, resource="GET /items", type="web")
root.set_kind("server").set_tag("http.method", "GET").set_metric("items", 3)
child = root.child("py.db")
root_id = root.span_id
child.set_tag("db.system", "sqlite").set_error("ValueError", "bad row")
check(root.trace_id == ctx.trace_id and root.parent_id == 987654321 and child.parent_id == root.span_id != 0,
      "span ids: root continues the context, child's parent is root")
hdr = child.inject()
check(hdr.get("x-datadog-trace-id") == "1234567890123456789" and hdr.get("x-datadog-parent-id") == str(child.span_id)
      and hdr.get("x-datadog-sampling-priority") == "2" and hdr.get("x-datadog-origin") == "synthetics",
      "inject: x-datadog-* carry the trace, the child's id, priority 2 and origin")
check("_dd.p.dm=-4" in hdr.get("x-datadog-tags", "") and "_dd.p.tid=640cfd8d00000000" in hdr.get("x-datadog-tags", ""),
      "inject: x-datadog-tags keep _dd.p.dm=-4 and _dd.p.tid")
check(hdr.get("traceparent") == "00-640cfd8d00000000%016x-%016x-01" % (1234567890123456789, child.span_id),
      "inject: traceparent 00-<32 hex trace>-<16 hex child>-01")
child.finish()
root.finish()
rc = tr.flush()
check(rc == 0 and len(sent) == 1, "flush: DD_OK, one request through the Python transport")
method, path, headers, body = sent[0] if sent else ("", "", {}, b"\x90")
low = {k.lower(): v for k, v in headers.items()}
check(method in ("POST", "PUT") and path == "/v0.4/traces" and low.get("content-type") == "application/msgpack"
      and low.get("datadog-meta-lang") == "c" and low.get("x-datadog-trace-count") == "1",
      "request: /v0.4/traces, msgpack, Datadog-Meta-Lang c, X-Datadog-Trace-Count 1")
payload = msgpack.unpackb(body, raw=False, strict_map_key=False)
spans = {s["name"]: s for chunk in payload for s in chunk}
check(sorted(spans) == ["py.db", "py.request"], "payload: the two spans, decoded by python3-msgpack")
r, c = spans.get("py.request", {}), spans.get("py.db", {})
check(r.get("trace_id") == 1234567890123456789 and r.get("parent_id") == 987654321 and r.get("span_id") == root_id != 0,
      "payload: root trace_id (low 64), parent_id, span_id")
check(c.get("parent_id") == r.get("span_id") and c.get("trace_id") == r.get("trace_id") and c.get("span_id") == int(hdr["x-datadog-parent-id"]),
      "payload: child linked to root, its id the injected parent id")
rm, rx = r.get("meta", {}), r.get("metrics", {})
check(r.get("service") == "ffi-python" and r.get("resource") == "GET /items" and r.get("type") == "web"
      and rm.get("env") == "test" and rm.get("version") == "1.2.3" and rm.get("http.method") == "GET"
      and rm.get("span.kind") == "server" and rx.get("items") == 3.0, "payload: service, resource, type, env, version, tags, metric")
check(rm.get("_dd.origin") == "synthetics" and rx.get("_sampling_priority_v1") == 2.0 and rm.get("_dd.p.dm") == "-4"
      and rm.get("_dd.p.tid") == "640cfd8d00000000", "payload: origin, priority 2, _dd.p.dm and _dd.p.tid from the context")
check(c.get("error") == 1 and c.get("meta", {}).get("error.type") == "ValueError"
      and c.get("meta", {}).get("error.message") == "bad row" and c.get("meta", {}).get("db.system") == "sqlite",
      "payload: child error flag, error.type/message, tag")
cnt = tr.counters()
check(cnt["requests_sent"] == 1 and cnt["spans_encoded"] == 2 and cnt["chunks_sent"] == 1, "counters: 1 request, 2 spans, 1 chunk")
tr.close()
tr.close()

# A new trace: 128-bit id by default, context manager, unicode tag values.
sent.clear()
with dd.tracer(transport, service="ffi-python") as t2:
    with t2.start_span("py.new") as s:
        s.set_tag("greeting", "h\u00e9llo \u2603")
        tid = s.trace_id
    t2.flush()
p2 = msgpack.unpackb(sent[0][3], raw=False) if sent else [[{}]]
s2 = p2[0][0]
check(tid >> 64 != 0 and s2.get("trace_id") == tid & (2**64 - 1) and s2.get("meta", {}).get("_dd.p.tid") == "%016x" % (tid >> 64),
      "new trace: 128-bit id, low half on the wire, high half in _dd.p.tid")
check(s2.get("meta", {}).get("greeting") == "h\u00e9llo \u2603" and s2.get("parent_id") == 0, "UTF-8 tag value round trip; root parent 0")

# A Python transport that raises: the flush fails, the SDK counts it, Python keeps the reason.
# A refused connection is DD_TRANSPORT_NOT_SENT (the payload is kept for another try), any other
# error DD_TRANSPORT_UNCONFIRMED (maybe delivered: never sent again).
def refused(method, path, headers, body):
    raise ConnectionRefusedError("agent down")
t3 = dd.tracer(refused, send_retries=-1, shutdown_timeout_ms=300)
t3.start_span("lost").finish()
rc = t3.flush()
cnt = t3.counters()
check(rc == -10 and cnt["requests_failed"] >= 1 and cnt["requests_deferred"] == cnt["requests_failed"]
      and cnt["spans_pending"] == 1 and cnt["spans_dropped_send"] == 0 and cnt["spans_unconfirmed"] == 0
      and len(t3.transport_errors) == cnt["requests_failed"],
      "a transport raising ConnectionRefusedError: DD_ERR_TRANSPORT, not sent (deferred), the payload kept")
t3.close()
def lost(method, path, headers, body):
    raise TimeoutError("no answer")
t3 = dd.tracer(lost, send_retries=-1)
t3.start_span("lost").finish()
rc = t3.flush()
rc2 = t3.flush()
cnt = t3.counters()
check(rc == -10 and rc2 == 0 and cnt["requests_failed"] == 1 and cnt["requests_unconfirmed"] == 1 and cnt["spans_unconfirmed"] == 1
      and cnt["spans_dropped_send"] == 0 and len(t3.transport_errors) == 1,
      "a transport raising another error: DD_ERR_TRANSPORT, unconfirmed, never sent again")
t3.close()
t4 = dd.tracer(lambda *a: (500, b"oops"), send_retries=-1)
t4.start_span("lost").finish()
rc = t4.flush()
check(rc == -13 and t4.counters()["requests_failed"] == 1, "an HTTP 500 from the transport: DD_ERR_HTTP, counted")
t4.close()
# Disabled by code: spans are NULL handles, nothing is sent.
sent.clear()
t5 = dd.tracer(transport, enabled=f.DD_OFF)
s5 = t5.start_span("nothing")
s5.set_tag("a", "b"); hdr5 = None
try:
    hdr5 = s5.inject()
except f.DDError:
    hdr5 = "error"
s5.finish(); t5.flush(); t5.close()
check(s5.s is None and not sent and hdr5 == "error", "disabled tracer: NULL spans, inject refused, nothing sent")
print("checks: %d passed, %d failed" % (passed, failed))
EOF
)
add_counts "$out" binding

# (6) HttpTransport (http.client) to the local agent.
if gcc -std=c99 -O1 -I. examples/agent.c -o "$B/agent" -lpthread 2>>"$B/build.log"; then
    "$B/agent" --port 0 --ready-file "$B/agent.ready" --quiet --record "$B/agent.jsonl" >"$B/agent.out" 2>&1 &
    PIDS="$PIDS $!"
    for _ in $(seq 1 100); do [ -s "$B/agent.ready" ] && break; sleep 0.05; done
    out=$(DD_TRACE_AGENT_URL="http://127.0.0.1:$(cat "$B/agent.ready")" $PY - "$LIB" "$B/agent.jsonl" <<'EOF'
import json, sys, time
sys.path.insert(0, "examples/python")
import ddtrace_ffi as f
dd = f.Library(sys.argv[1])
t = dd.tracer(f.HttpTransport(), service="ffi-http")
s = t.start_span("py.http")
sid = s.span_id
s.finish()
rc = t.flush()
cnt = t.counters()
t.close()
time.sleep(0.1)
recs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
got = [sp for r in recs for ch in (r.get("payload") or []) for sp in ch]
ok1 = rc == 0 and cnt["requests_sent"] == 1 and cnt["responses_invalid"] == 0
ok2 = len(recs) == 1 and recs[0]["status"] == 200 and [(x["name"], x["span_id"], x["service"]) for x in got] == [("py.http", sid, "ffi-http")]
# No transport given: the library's own sender (dd_sender.h), on the tracer's worker thread.
n = dd.tracer(service="ffi-native")
s = n.start_span("py.native")
nid = s.span_id
s.finish()
nrc = n.flush()
ncnt = n.counters()
n.close()
time.sleep(0.1)
recs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
got = [sp for r in recs for ch in (r.get("payload") or []) for sp in ch]
ok3 = nrc == 0 and ncnt["requests_sent"] == 1 and ncnt["spans_sent"] == 1 and ("py.native", nid, "ffi-native") in [
    (x["name"], x["span_id"], x["service"]) for x in got]
print(("ok  " if ok1 else "FAIL") + " HttpTransport: flush DD_OK, the agent's rates answer accepted")
print(("ok  " if ok2 else "FAIL") + " HttpTransport: the agent received the span (name, id, service)")
print(("ok  " if ok3 else "FAIL") + " no transport: the native sender delivered the span to the agent")
print("checks: %d passed, %d failed" % (ok1 + ok2 + ok3, 3 - ok1 - ok2 - ok3))
EOF
)
    add_counts "$out" http
    # (7) The README's Python snippet, as written (the library path replaced by this build's).
    $PY - "$ROOT/README.md" "$LIB" >"$B/readme_snippet.py" <<'EOF'
import re, sys
blocks = re.findall(r"\n```python\n(.*?)\n```\n", open(sys.argv[1]).read(), re.S)
print(blocks[0].replace('"build/libddtrace.so"', repr(sys.argv[2])) if len(blocks) == 1
      else "raise SystemExit('README: %d python blocks')" % len(blocks))
EOF
    if DD_TRACE_AGENT_URL="http://127.0.0.1:$(cat "$B/agent.ready")" $PY "$B/readme_snippet.py" >"$B/readme_snippet.out" 2>&1; then
        ok "the README's Python snippet runs"; else bad "the README's Python snippet"; cat "$B/readme_snippet.out"; fi
    sleep 0.1
    if $PY - "$B/agent.jsonl" <<'EOF'
import json, sys
spans = [s for l in open(sys.argv[1]) if l.strip() for ch in (json.loads(l).get("payload") or []) for s in ch]
job = [s for s in spans if s["name"] == "job"]
sys.exit(0 if len(job) == 1 and job[0]["service"] == "py-worker" and job[0]["resource"] == "send-emails"
         and job[0]["meta"].get("queue") == "emails" else 1)
EOF
    then ok "the README's Python snippet: the agent received span job (py-worker, send-emails, queue=emails)"
    else bad "the README's Python snippet's span at the agent"; fi
else
    bad "agent builds"
fi
