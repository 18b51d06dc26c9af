#!/usr/bin/env bash
# FFI from Node.js: examples/node/ddtrace_ffi.js (koffi from npm, pinned in examples/node/package.json
# and package-lock.json, installed here with `npm ci` into examples/node/node_modules, git-ignored)
# over the shared library of `make shared`. Node performs the calls and writes what it saw to a
# JSON file (ids as decimal strings, the transport's request body as base64); /usr/bin/python3 then
# checks it: every mirrored structure's size and offsets against the C compiler's, extraction of
# hand-written datadog and W3C headers, injection, the request body decoded with python3-msgpack
# (names, ids, links, tags), failures of the JS transport counted. Skips (0 passed, 0 failed) only
# when the npm registry is unreachable. Last line: "ffi_node: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/ffi_node
rm -rf "$B"
mkdir -p "$B"
PY=/usr/bin/python3
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() { echo "ffi_node: $pass passed, $fail failed"; exit 0; }
trap finish EXIT
add_counts() {
    local line
    echo "$1"
    line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed$' <<<"$1" | tail -n 1)
    if [ -z "$line" ]; then bad "$2: the checker did not finish"; return; fi
    pass=$((pass + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
    fail=$((fail + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
}
command -v node >/dev/null && command -v npm >/dev/null || { bad "node and npm are required (make setup installs them)"; exit 0; }

# --- koffi, pinned ---
stamp=examples/node/node_modules/.dd-trace-c-lock
want=$(cksum < examples/node/package-lock.json)
if [ ! -f examples/node/node_modules/koffi/package.json ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! (cd examples/node && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$B/npm.log" 2>&1; then
        if ! timeout 30 npm ping >>"$B/npm.log" 2>&1; then
            echo "ffi_node: SKIPPED, the npm registry is unreachable (see $B/npm.log)"
            exit 0
        fi
        tail -n 20 "$B/npm.log"; bad "npm ci failed"; exit 0
    fi
    echo "$want" >"$stamp"
fi
v=$(cd examples/node && node -p 'require("koffi/package.json").version')
if [ "$v" = 2.16.3 ]; then ok "koffi $v installed (node $(node --version))"; else bad "koffi version $v"; fi

if make -s shared BUILD="$B/build" >"$B/build.log" 2>&1 && [ -f "$B/build/libddtrace.so" ]; then
    ok "make shared builds libddtrace.so"; else bad "make shared"; cat "$B/build.log"; exit 0; fi
LIB=$B/build/libddtrace.so

# --- (1) layout: koffi's sizes/offsets against a C probe generated from the same field lists ---
node -e '
const f = require("./examples/node/ddtrace_ffi.js")
const out = {}, c = ["#include <stddef.h>", "#include <stdio.h>", "#include \"dd_trace.h\"", "int main(void) {"]
for (const [name, t] of Object.entries(f.STRUCTS)) {
  const info = f.koffi.introspect(t)
  out[name] = f.koffi.sizeof(t)
  c.push(`    printf("${name} %lu\\n", (unsigned long)sizeof(${name}));`)
  for (const m of Object.keys(info.members)) {
    out[name + "." + m] = info.members[m].offset
    c.push(`    printf("${name}.${m} %lu\\n", (unsigned long)offsetof(${name}, ${m}));`)
  }
}
c.push("    return 0;", "}")
require("fs").writeFileSync(process.argv[1], c.join("\n") + "\n")
require("fs").writeFileSync(process.argv[2], JSON.stringify(out))
' "$B/layout.c" "$B/layout_koffi.json" 2>"$B/layout.err" || { bad "layout probe generation"; cat "$B/layout.err"; }
if gcc -std=c99 -Wall -Wextra -Werror -I. "$B/layout.c" -o "$B/layout" 2>>"$B/build.log" && "$B/layout" >"$B/layout.txt"; then
    add_counts "$($PY - "$B/layout.txt" "$B/layout_koffi.json" <<'EOF'
import json, sys
c = dict((k, int(v)) for k, v in (l.split() for l in open(sys.argv[1])))
k = json.load(open(sys.argv[2]))
structs = [n for n in k if "." not in n]
p = n = 0
for s in structs:
    keys = [s] + [x for x in k if x.startswith(s + ".")]
    bad = ["%s: C %d, koffi %d" % (x, c.get(x, -1), k[x]) for x in keys if c.get(x) != k[x]]
    if bad: n += 1; print("FAIL layout of %s: %s" % (s, "; ".join(bad)))
    else: p += 1; print("ok   layout of %s (%d bytes, %d fields) matches C" % (s, k[s], len(keys) - 1))
print("checks: %d passed, %d failed" % (p, n))
EOF
)" layout
else
    bad "layout probe builds and runs"; cat "$B/build.log"
fi

# --- (2)-(5) the binding: Node acts and records, Python checks ---
env -u DD_TRACE_PROPAGATION_STYLE -u DD_TRACE_PROPAGATION_STYLE_INJECT -u DD_TRACE_PROPAGATION_STYLE_EXTRACT \
    -u DD_SERVICE -u DD_ENV -u DD_VERSION -u DD_TAGS -u DD_TRACE_SAMPLE_RATE -u DD_TRACE_SAMPLING_RULES -u DD_TRACE_ENABLED \
    node - "$LIB" "$B/run.json" >"$B/node.out" 2>&1 <<'EOF'
const fs = require('fs')
const { Library, DD_OFF } = require(process.cwd() + '/examples/node/ddtrace_ffi.js')
const dd = new Library(process.argv[2])
const r = { version: dd.version, status_str: dd.statusStr(-10) }
const s = (x) => x == null ? null : x.toString()
const ctx = dd.extract({ 'X-Datadog-Trace-Id': '1234567890123456789', 'X-Datadog-Parent-Id': '987654321',
  'X-Datadog-Sampling-Priority': '2', 'X-Datadog-Origin': 'synthetics', 'X-Datadog-Tags': '_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000' })
r.ctx = ctx && { trace_id: s(ctx.traceId), parent_id: s(ctx.parentId), priority: ctx.samplingPriority, origin: ctx.origin }
const w3c = dd.extract({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })
r.w3c = w3c && { trace_id: s(w3c.traceId), parent_id: s(w3c.parentId), priority: w3c.samplingPriority }
r.none = [dd.extract({ 'x-datadog-parent-id': '5' }), dd.extract({})]
const sent = []
const transport = (req) => { sent.push(req); return { status: 200, body: '{"rate_by_service":{"service:,env:":1}}' } }
const tr = dd.tracer(transport, { service: 'ffi-node', env: 'test', version: '1.2.3' })
const root = tr.startSpan('js.request', { context: ctx, resource: 'GET /items', type: 'web' })
root.setKind('server').setTag('http.method', 'GET').setMetric('items', 3)
const child = root.child('js.db')
child.setTag('db.system', 'sqlite').setError('TypeError', 'bad row')
r.ids = { root: s(root.spanId), root_parent: s(root.parentId), root_trace: s(root.traceId), child: s(child.spanId), child_parent: s(child.parentId) }
r.inject = child.inject()
child.finish()
root.finish()
r.flush_rc = tr.flush()
r.requests = sent.map((q) => ({ method: q.method, path: q.path, headers: q.headers, body: q.body.toString('base64') }))
r.counters = tr.counters()
tr.close(); tr.close()
// A new trace: 128-bit id, UTF-8 tag.
sent.length = 0
const t2 = dd.tracer(transport, { service: 'ffi-node' })
const n2 = t2.startSpan('js.new')
n2.setTag('greeting', 'h\u00e9llo \u2603')
r.new_trace = s(n2.traceId)
n2.finish(); t2.flush(); t2.close()
r.new_body = sent.length ? sent[0].body.toString('base64') : null
// A throwing transport, an HTTP 500, a disabled tracer.
const t3 = dd.tracer(() => { throw new Error('agent down') }, { send_retries: -1 })
t3.startSpan('lost').finish()
r.throw_rc = t3.flush(); r.throw_counters = t3.counters(); r.throw_errors = t3.transportErrors.map(String); t3.close()
const t3b = dd.tracer(() => { const e = new Error('connect ECONNREFUSED'); e.code = 'ECONNREFUSED'; throw e }, { send_retries: -1, shutdown_timeout_ms: 300 })
t3b.startSpan('kept').finish()
r.refused_rc = t3b.flush(); r.refused_counters = t3b.counters(); r.refused_errors = t3b.transportErrors.length; t3b.close()
// No transport: the library's own sender on the tracer's worker thread (no JS callback there),
// here to a port where nothing listens: not sent, the payload kept, no crash.
process.env.DD_TRACE_AGENT_URL = 'http://127.0.0.1:1'
const t6 = dd.tracer(null, { shutdown_timeout_ms: 300 })
t6.startSpan('native').finish()
r.native_rc = t6.flush(); r.native_counters = t6.counters(); t6.close()
const t4 = dd.tracer(() => ({ status: 500, body: 'oops' }), { send_retries: -1 })
t4.startSpan('lost').finish()
r.http500_rc = t4.flush(); r.http500_failed = t4.counters().requests_failed; t4.close()
sent.length = 0
const t5 = dd.tracer(transport, { enabled: DD_OFF })
const s5 = t5.startSpan('nothing')
let refused = false
try { s5.inject() } catch (e) { refused = true }
r.disabled = { null_span: s5.s === null, refused, sent: sent.length }
s5.finish(); t5.flush(); t5.close()
fs.writeFileSync(process.argv[3], JSON.stringify(r, null, 1))
console.log('node: done')
EOF
rc=$?
if [ $rc = 0 ] && [ -s "$B/run.json" ]; then ok "the Node program ran the binding to its end"; else bad "node exit status $rc"; cat "$B/node.out"; exit 0; fi

add_counts "$($PY - "$B/run.json" <<'EOF'
import base64, json, sys
import msgpack
r = json.load(open(sys.argv[1]))
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond: passed += 1; print("ok   " + what)
    else: failed += 1; print("FAIL " + what)
check(r["version"] == 200 and r["status_str"] == "transport failed", "dd_version() 200 and dd_status_str through koffi")
ctx = r["ctx"] or {}
check(ctx.get("trace_id") == str((0x640cfd8d00000000 << 64) | 1234567890123456789) and ctx.get("parent_id") == "987654321"
      and ctx.get("priority") == 2 and ctx.get("origin") == "synthetics", "extract datadog headers: 128-bit id, parent, priority 2, origin")
w = r["w3c"] or {}
check(w.get("trace_id") == str(0x4bf92f3577b34da6a3ce929d0e0e4736) and w.get("parent_id") == str(0x00f067aa0ba902b7)
      and w.get("priority") == 1, "extract the W3C example traceparent (sampled -> priority 1)")
check(r["none"] == [None, None], "no context: null")
ids = r["ids"]
check(ids["root_trace"] == ctx.get("trace_id") and ids["root_parent"] == "987654321" and ids["child_parent"] == ids["root"] != "0",
      "span ids: root continues the context, child's parent is root")
h = r["inject"]
check(h.get("x-datadog-trace-id") == "1234567890123456789" and h.get("x-datadog-parent-id") == ids["child"]
      and h.get("x-datadog-sampling-priority") == "2" and h.get("x-datadog-origin") == "synthetics",
      "inject: x-datadog-* carry the trace, the child's id, priority 2 and origin")
check("_dd.p.dm=-4" in h.get("x-datadog-tags", "") and "_dd.p.tid=640cfd8d00000000" in h.get("x-datadog-tags", ""),
      "inject: x-datadog-tags keep _dd.p.dm=-4 and _dd.p.tid")
check(h.get("traceparent") == "00-640cfd8d00000000%016x-%016x-01" % (1234567890123456789, int(ids["child"])),
      "inject: traceparent 00-<32 hex trace>-<16 hex child>-01")
check(r["flush_rc"] == 0 and len(r["requests"]) == 1, "flush: DD_OK, one request through the JS transport")
q = r["requests"][0] if r["requests"] else {"method": "", "path": "", "headers": {}, "body": "kA=="}
low = {k.lower(): v for k, v in q["headers"].items()}
check(q["method"] in ("POST", "PUT") and q["path"] == "/v0.4/traces" and low.get("content-type") == "application/msgpack"
      and low.get("datadog-meta-lang") == "c" and low.get("x-datadog-trace-count") == "1",
      "request: /v0.4/traces, msgpack, Datadog-Meta-Lang c, X-Datadog-Trace-Count 1")
payload = msgpack.unpackb(base64.b64decode(q["body"]), raw=False, strict_map_key=False)
spans = {s["name"]: s for chunk in payload for s in chunk}
check(sorted(spans) == ["js.db", "js.request"], "payload: the two spans, decoded by python3-msgpack")
rs, cs = spans.get("js.request", {}), spans.get("js.db", {})
check(rs.get("trace_id") == 1234567890123456789 and rs.get("parent_id") == 987654321 and str(rs.get("span_id")) == ids["root"],
      "payload: root trace_id (low 64), parent_id, span_id")
check(cs.get("parent_id") == rs.get("span_id") and str(cs.get("span_id")) == h.get("x-datadog-parent-id"),
      "payload: child linked to root, its id the injected parent id")
rm, rx = rs.get("meta", {}), rs.get("metrics", {})
check(rs.get("service") == "ffi-node" and rs.get("resource") == "GET /items" and rs.get("type") == "web"
      and rm.get("env") == "test" and rm.get("version") == "1.2.3" and rm.get("http.method") == "GET"
      and rm.get("span.kind") == "server" and rx.get("items") == 3.0, "payload: service, resource, type, env, version, tags, metric")
check(rm.get("_dd.origin") == "synthetics" and rx.get("_sampling_priority_v1") == 2.0 and rm.get("_dd.p.dm") == "-4"
      and rm.get("_dd.p.tid") == "640cfd8d00000000", "payload: origin, priority 2, _dd.p.dm and _dd.p.tid from the context")
check(cs.get("error") == 1 and cs.get("meta", {}).get("error.type") == "TypeError"
      and cs.get("meta", {}).get("error.message") == "bad row", "payload: child error flag, error.type/message")
c = r["counters"]
check(c["requests_sent"] == 1 and c["spans_encoded"] == 2 and c["responses_invalid"] == 0,
      "counters: 1 request, 2 spans, the JS transport's rates body read by C")
tid = int(r["new_trace"])
p2 = msgpack.unpackb(base64.b64decode(r["new_body"] or "kA=="), raw=False)
s2 = p2[0][0] if p2 else {}
check(tid >> 64 != 0 and s2.get("trace_id") == tid & (2**64 - 1) and s2.get("meta", {}).get("_dd.p.tid") == "%016x" % (tid >> 64),
      "new trace: 128-bit id, low half on the wire, high half in _dd.p.tid")
check(s2.get("meta", {}).get("greeting") == "h\u00e9llo \u2603", "UTF-8 tag value round trip")
tc = r["throw_counters"]
check(r["throw_rc"] == -10 and tc["requests_failed"] == 1 and tc["requests_unconfirmed"] == 1 and tc["spans_unconfirmed"] == 1
      and tc["spans_dropped_send"] == 0 and r["throw_errors"] == ["Error: agent down"],
      "a throwing transport: DD_ERR_TRANSPORT, unconfirmed (never sent again), the error kept")
rc = r["refused_counters"]
check(r["refused_rc"] == -10 and rc["requests_failed"] >= 1 and rc["requests_deferred"] == rc["requests_failed"]
      and rc["spans_pending"] == 1 and rc["spans_dropped_send"] == 0 and rc["spans_unconfirmed"] == 0
      and r["refused_errors"] == rc["requests_failed"],
      "a transport throwing ECONNREFUSED: DD_ERR_TRANSPORT, not sent (deferred), the payload kept")
check(r["http500_rc"] == -13 and r["http500_failed"] == 1, "an HTTP 500 from the transport: DD_ERR_HTTP, counted")
nc = r["native_counters"]
check(r["native_rc"] == -10 and nc["requests_deferred"] >= 1 and nc["spans_pending"] == 1 and nc["requests_sent"] == 0,
      "no transport: the native sender (nothing listening): DD_ERR_TRANSPORT, deferred, the payload kept")
check(r["disabled"] == {"null_span": True, "refused": True, "sent": 0}, "disabled tracer: NULL spans, inject refused, nothing sent")
print("checks: %d passed, %d failed" % (passed, failed))
EOF
)" binding

# --- the README's Node.js snippet, as written (the library path replaced by this build's) ---
$PY - "$ROOT/README.md" "$LIB" "$ROOT" >"$B/readme_snippet.js" <<'EOF'
import json, re, sys
blocks = re.findall(r"\n```js\n(.*?)\n```\n", open(sys.argv[1]).read(), re.S)
if len(blocks) != 1:
    print("throw new Error('README: %d js blocks')" % len(blocks))
else:
    print(blocks[0].replace("'./examples/node/ddtrace_ffi.js'", json.dumps(sys.argv[3] + "/examples/node/ddtrace_ffi.js"))
          .replace("'build/libddtrace.so'", json.dumps(sys.argv[2])))
    # what the snippet's transport kept, for the check below
    print("require('fs').writeFileSync(process.argv[2], Buffer.concat(bodies).toString('base64') + ' ' + bodies.length)")
EOF
if node "$B/readme_snippet.js" "$B/readme_snippet.b64" >"$B/readme_snippet.out" 2>&1; then
    ok "the README's Node.js snippet runs"; else bad "the README's Node.js snippet"; cat "$B/readme_snippet.out"; fi
if $PY - "$B/readme_snippet.b64" <<'EOF'
import base64, sys
import msgpack
b64, n = open(sys.argv[1]).read().split(" ")
p = msgpack.unpackb(base64.b64decode(b64), raw=False)
s = [x for ch in p for x in ch]
sys.exit(0 if n == "1" and len(s) == 1 and s[0]["name"] == "job" and s[0]["service"] == "js-worker"
         and s[0]["resource"] == "send-emails" and s[0]["meta"].get("queue") == "emails" else 1)
EOF
then ok "the README's Node.js snippet: its transport got span job (js-worker, send-emails, queue=emails)"
else bad "the README's Node.js snippet's request"; fi
