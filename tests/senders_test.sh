#!/usr/bin/env bash
# The senders (dd_sender.h, and examples/sender_curl.c) against the example agent (examples/agent.c)
# over TCP and a Unix socket, and against an independent Python server that answers hand-written
# HTTP bytes. Covers an agent that is down, too slow, closes without answering, and answers 400,
# 413 and 500: the senders never crash (they run under ASan+UBSan), count failures and classify
# them as dd_trace.h's transport contract says (rc 1 = not sent, 2 = unconfirmed).
# The payload is encoded by Python's msgpack (not by us) and what the agent recorded is compared
# with Python's decoding of the same bytes. Last line: "senders: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/senders
rm -rf "$B"
mkdir -p "$B"
PY=/usr/bin/python3
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { # name condition-string
    if eval "$2"; then ok "$1"; else bad "$1: $2"; fi
}
# Unix socket paths must fit in sun_path (108 bytes): keep them in a short directory.
S=$(mktemp -d /tmp/dd_senders.XXXXXX)
finish() {
    for p in ${PIDS:-}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$S"
    echo "senders: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT

STRICT="-Wall -Wextra -Wpedantic -Werror"
RATES='{"rate_by_service":{"service:,env:":1}}'

# --- build ---
if gcc -std=c99 $STRICT -O1 -g -I. examples/agent.c -o "$B/agent.gcc" -lpthread 2>"$B/build.log"; then ok "build agent (gcc)"; else bad "build agent (gcc)"; cat "$B/build.log"; fi
# The agent parses what the network sends: it runs under ASan+UBSan here.
if clang -std=c99 $STRICT -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I. \
    examples/agent.c -o "$B/agent" -lpthread 2>>"$B/build.log"; then ok "build agent (asan+ubsan)"; else bad "build agent"; cat "$B/build.log"; exit 0; fi
if clang -std=c99 $STRICT -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I. \
    tests/senders_check.c examples/sender_curl.c -o "$B/check" -lcurl -lpthread -lm 2>>"$B/build.log"; then
    ok "build senders (asan+ubsan)"
else
    bad "build senders"; cat "$B/build.log"; exit 0
fi
for cc in gcc clang; do
    printf '#define DD_SENDER_IMPLEMENTATION\n#include "dd_sender.h"\n' | $cc -std=c99 $STRICT -O2 -I. -x c -c - -o "$B/sp.$cc.o" 2>>"$B/build.log" && \
    $cc -std=c99 $STRICT -O2 -I. -c examples/sender_curl.c -o "$B/sc.$cc.o" 2>>"$B/build.log"
    check "senders compile strictly with $cc" "[ $? = 0 ]"
done
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

# --- payloads, encoded by Python's msgpack ---
$PY - "$B" <<'EOF'
import msgpack, sys, os
d = sys.argv[1]
t = 0x91a2b3c4d5e6f708
spans = [
    {"trace_id": t, "span_id": 0x11, "parent_id": 0, "name": "http.request", "service": "svc",
     "resource": "GET /users", "type": "web", "start": 1732170000123456789, "duration": 1500000, "error": 0,
     "meta": {"_dd.p.tid": "6740a5e000000000", "span.kind": "server", "_dd.origin": "lambda"},
     "metrics": {"_sampling_priority_v1": 1.0, "_dd.top_level": 1.0}},
    {"trace_id": t, "span_id": 0x22, "parent_id": 0x11, "name": "db.query", "service": "svc",
     "resource": "SELECT ?", "type": "sql", "start": 1732170000123556789, "duration": 500000, "error": 1,
     "meta": {"error.message": "timeout"}, "metrics": {"_dd.measured": 1.0}},
]
open(os.path.join(d, "good.bin"), "wb").write(msgpack.packb([spans]))
open(os.path.join(d, "bad.bin"), "wb").write(b"\x91\x91\xc1")
f32 = [[dict(spans[1], metrics={"x": 1.5})]]
open(os.path.join(d, "float32.bin"), "wb").write(msgpack.packb(f32, use_single_float=True))
EOF
check "payloads written" "[ -s $B/good.bin ] && [ -s $B/float32.bin ]"

# --- helpers ---
PIDS=""
start_agent() { # name args... ; sets PORT, APID
    local name=$1; shift
    rm -f "$B/$name.ready"
    "$B/agent" --port 0 --ready-file "$B/$name.ready" "$@" >"$B/$name.out" 2>"$B/$name.err" &
    APID=$!
    PIDS="$PIDS $APID"
    for _ in $(seq 1 100); do [ -s "$B/$name.ready" ] && break; sleep 0.05; done
    PORT=$(cat "$B/$name.ready" 2>/dev/null || echo 0)
}
stop_agent() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
send() { # kind url body ctype count [timeout]
    "$B/check" "$@" 2>>"$B/check.err"
}
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2" | head -n 1; }
body_of() { sed -n 's/.* body=//p' <<<"$1"; }

# --- a healthy agent on TCP and a Unix socket ---
SOCK="$S/agent.sock"
start_agent ok --unix "$SOCK" --record "$B/ok.jsonl"
check "agent listens" "[ $PORT != 0 ]"
for kind in sender curl; do
    for url in "http://127.0.0.1:$PORT" "unix://$SOCK"; do
        r=$(send $kind "$url" "$B/good.bin" application/msgpack 1)
        check "$kind $url: 200" "[ \"$(field status "$r")\" = 200 ] && [ \"$(field rc "$r")\" = 0 ]"
        check "$kind $url: rates body handed back" "[ '$(body_of "$r")' = '$RATES' ]"
    done
    r=$(DD_TRACE_AGENT_URL= DD_AGENT_HOST=127.0.0.1 DD_TRACE_AGENT_PORT=$PORT send $kind - "$B/good.bin" application/msgpack 1)
    check "$kind: DD_AGENT_HOST + DD_TRACE_AGENT_PORT" "[ \"$(field status "$r")\" = 200 ]"
    r=$(DD_TRACE_AGENT_URL="unix://$SOCK" send $kind - "$B/good.bin" application/msgpack 1)
    check "$kind: DD_TRACE_AGENT_URL=unix://" "[ \"$(field status "$r")\" = 200 ]"
    r=$(DD_TRACE_AGENT_URL="http://127.0.0.1:$PORT/" send $kind - "$B/good.bin" application/msgpack 2)
    check "$kind: DD_TRACE_AGENT_URL=http:// (POST then PUT)" "[ \"$(field status "$r")\" = 200 ] && [ \"$(field responses "$r")\" = 2 ]"
    r=$(send $kind "http://127.0.0.1:$PORT" "$B/bad.bin" application/msgpack 1)
    check "$kind: undecodable msgpack -> 400 counted" "[ \"$(field status "$r")\" = 400 ] && [ \"$(field http_errors "$r")\" = 1 ] && [ \"$(field rc "$r")\" = 0 ]"
    r=$(send $kind "http://127.0.0.1:$PORT" "$B/good.bin" application/json 1)
    check "$kind: wrong Content-Type -> 400" "[ \"$(field status "$r")\" = 400 ]"
    r=$(send $kind "http://127.0.0.1:$PORT" "$B/float32.bin" application/msgpack 1)
    check "$kind: float32 metric -> 400 (as the Go agent)" "[ \"$(field status "$r")\" = 400 ]"
    r=$(send $kind "ftp://127.0.0.1:$PORT" "$B/good.bin" application/msgpack 1)
    check "$kind: unusable URL refused at init" "[ \"$(field init "$r")\" = -1 ]"
done
for kind in sender curl; do
    r=$(send $kind "http://127.0.0.1:$PORT" "$B/good.bin" application/msgpack 3)
    check "$kind reuses its connection (3 requests, 1 connect)" "[ \"$(field connects "$r")\" = 1 ] && [ \"$(field responses "$r")\" = 3 ]"
done
stop_agent "$APID"

# What the agent recorded equals Python's decoding of the bytes sent.
$PY - "$B" "$RATES" >"$B/record.log" 2>&1 <<'EOF'
import json, msgpack, sys, os, re
version = re.search(r'#define DDTRACE_VERSION_STRING "([^"]+)"', open("dd_trace.h").read()).group(1)
d = sys.argv[1]
want = msgpack.unpackb(open(os.path.join(d, "good.bin"), "rb").read(), raw=False)
lines = [json.loads(l) for l in open(os.path.join(d, "ok.jsonl"))]
good = [l for l in lines if l["status"] == 200]
assert len(good) == 2 * (2 + 2 + 2) + 2 * 3, len(good)  # per sender: TCP, unix, 2 env, 2 PUT/POST, reuse 3
for l in good:
    assert l["payload"] == want, l["payload"]
    h = l["headers"]
    assert h["content-type"] == "application/msgpack" and h["x-datadog-trace-count"] == "1", h
    assert h["datadog-meta-lang"] == "c" and h["datadog-meta-tracer-version"] == version, h
    assert int(h["content-length"]) == len(open(os.path.join(d, "good.bin"), "rb").read())
assert {l["method"] for l in good} == {"POST", "PUT"}
assert sorted(l["status"] for l in lines if l["status"] != 200) == [400] * 6
print("record ok")
EOF
check "agent recorded exactly the payloads sent (checked by Python msgpack)" "grep -q 'record ok' $B/record.log || { cat $B/record.log; false; }"
check "agent printed the trace as a tree" "grep -q '^\* svc \[c\] http.request  1.500 ms' $B/ok.out && grep -q '^  \`- svc \[c\] db.query  0.500 ms' $B/ok.out"

# --- failure answers: 500, 400, 413 ---
for mode in "500:--status 500" "400:--status 400" "413:--max-bytes 100"; do
    code=${mode%%:*}; args=${mode#*:}
    start_agent "f$code" $args --unix "$S/f$code.sock"
    for kind in sender curl; do
        for url in "http://127.0.0.1:$PORT" "unix://$S/f$code.sock"; do
            r=$(send $kind "$url" "$B/good.bin" application/msgpack 2)
            check "$kind $url: answer $code reported and counted" "[ \"$(field status "$r")\" = $code ] && [ \"$(field http_errors "$r")\" = 2 ] && [ \"$(field rc "$r")\" = 0 ]"
        done
    done
    stop_agent "$APID"
done

# --- an agent that fails the first request only ---
for kind in sender curl; do
    start_agent flaky --status 500 --fail-first 1
    r=$(send $kind "http://127.0.0.1:$PORT" "$B/good.bin" application/msgpack 2)
    check "$kind: 500 then 200 on the same sender" "[ \"$(field status "$r")\" = 200 ] && [ \"$(field http_errors "$r")\" = 1 ]"
    stop_agent "$APID"
done

# --- too slow: the agent answers after 3 s, the senders give up at 500 ms ---
start_agent slow --delay-ms 3000 --unix "$S/slow.sock"
for kind in sender curl; do
    for url in "http://127.0.0.1:$PORT" "unix://$S/slow.sock"; do
        t0=$(date +%s%N)
        r=$(send $kind "$url" "$B/good.bin" application/msgpack 1 500)
        t1=$(date +%s%N)
        ms=$(( (t1 - t0) / 1000000 ))
        check "$kind $url: timeout reported and counted, unconfirmed (${ms} ms)" "[ \"$(field rc "$r")\" = 2 ] && [ \"$(field timeouts "$r")\" = 1 ] && [ \"$(field status "$r")\" = 0 ] && [ $ms -lt 2500 ]"
    done
done
stop_agent "$APID"

# --- closes without answering ---
start_agent closer --close
for kind in sender curl; do
    r=$(send $kind "http://127.0.0.1:$PORT" "$B/good.bin" application/msgpack 1)
    check "$kind: connection closed without an answer counted, unconfirmed" "[ \"$(field rc "$r")\" = 2 ] && [ \"$(field transport_errors "$r")\" = 1 ] && [ \"$(field status "$r")\" = 0 ]"
done
stop_agent "$APID"

# --- down: nothing listens on the port or the socket ---
DOWN=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
for kind in sender curl; do
    r=$(send $kind "http://127.0.0.1:$DOWN" "$B/good.bin" application/msgpack 2)
    check "$kind: agent down (TCP) -> refused counted, not sent" "[ \"$(field rc "$r")\" = 1 ] && [ \"$(field refused "$r")\" = 2 ] && [ \"$(field transport_errors "$r")\" = 2 ]"
    r=$(send $kind "unix://$S/nobody.sock" "$B/good.bin" application/msgpack 1)
    check "$kind: agent down (Unix socket) -> refused counted, not sent" "[ \"$(field rc "$r")\" = 1 ] && [ \"$(field refused "$r")\" = 1 ]"
done

# --- chunked answers from the agent ---
start_agent chunked --chunked --unix "$S/ch.sock"
for kind in sender curl; do
    for url in "http://127.0.0.1:$PORT" "unix://$S/ch.sock"; do
        r=$(send $kind "$url" "$B/good.bin" application/msgpack 1)
        check "$kind $url: chunked answer decoded" "[ \"$(field status "$r")\" = 200 ] && [ '$(body_of "$r")' = '$RATES' ]"
    done
done
stop_agent "$APID"

# --- hand-written HTTP answers from an independent Python server ---
cat >"$B/raw_server.py" <<'EOF'
import socket, sys
# Serves one canned answer per connection, in order, after reading the request head and body.
answers = [bytes.fromhex(h) for h in sys.argv[2:]]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
for a in answers:
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        data += c.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    n = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
    while len(rest) < n:
        rest += c.recv(65536)
    c.sendall(a)
    c.close()
EOF
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
A1=$(hexof $'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7;ext=1\r\n{"rate_\r\n1D\r\nby_service":{"service:,env:":\r\n2\r\n1}\r\n1\r\n}\r\n0\r\nTrailer-A: x\r\n\r\n')
A2=$(hexof $'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"rate_by_service":{}}')
A3=$(hexof $'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n')
A4=$(hexof $'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort')
A5=$(hexof $'HTTP/1.0 429 Too Many Requests\r\nContent-Length: 2\r\n\r\n{}')
$PY "$B/raw_server.py" "$B/raw.ready" "$A1" "$A2" "$A3" "$A4" "$A5" >"$B/raw.log" 2>&1 &
RPID=$!; PIDS="$PIDS $RPID"
for _ in $(seq 1 100); do [ -s "$B/raw.ready" ] && break; sleep 0.05; done
RP=$(cat "$B/raw.ready")
r=$(send sender "http://127.0.0.1:$RP" "$B/good.bin" application/msgpack 1)
check "sender: hand-written chunked body (extension, upper-case hex, trailer)" "[ \"$(field status "$r")\" = 200 ] && [ '$(body_of "$r")' = '$RATES' ]"
r=$(send sender "http://127.0.0.1:$RP" "$B/good.bin" application/msgpack 1)
check "sender: 100 Continue skipped, body read until close" "[ \"$(field status "$r")\" = 200 ] && [ '$(body_of "$r")' = '{\"rate_by_service\":{}}' ]"
r=$(send sender "http://127.0.0.1:$RP" "$B/good.bin" application/msgpack 1)
check "sender: malformed chunk size is a transport error" "[ \"$(field rc "$r")\" != 0 ] && [ \"$(field status "$r")\" = 0 ] && [ \"$(field transport_errors "$r")\" = 1 ]"
r=$(send sender "http://127.0.0.1:$RP" "$B/good.bin" application/msgpack 1)
check "sender: body shorter than Content-Length is a transport error" "[ \"$(field rc "$r")\" != 0 ] && [ \"$(field status "$r")\" = 0 ]"
r=$(send sender "http://127.0.0.1:$RP" "$B/good.bin" application/msgpack 1)
check "sender: HTTP/1.0 429 reported" "[ \"$(field status "$r")\" = 429 ] && [ '$(body_of "$r")' = '{}' ] && [ \"$(field http_errors "$r")\" = 1 ]"
wait "$RPID" 2>/dev/null

# --- the agent's tree: one trace from three processes' payloads, a missing parent, a cycle, a deep chain ---
$PY - "$B" <<'EOF2'
import msgpack, os, sys
d = sys.argv[1]
T = 0x1111
def sp(sid, pid, name, svc, start, dur, proc=None, meta=None):
    m = {"trace_id": T, "span_id": sid, "parent_id": pid, "name": name, "service": svc, "resource": name.upper(),
         "type": "web", "start": start, "duration": dur, "error": 0, "meta": meta or {}, "metrics": {}}
    if proc: m["metrics"]["process_id"] = float(proc)
    return m
base = 1700000000000000000
open(os.path.join(d, "p1.bin"), "wb").write(msgpack.packb([[sp(1, 0, "http.request", "host", base, 9000000, 101, {"_dd.p.tid": "6740a5e000000000"})]]))
open(os.path.join(d, "p2.bin"), "wb").write(msgpack.packb([[sp(3, 2, "handler", "queue", base + 2000000, 1000000),
                                                             sp(2, 1, "sqs.send", "queue", base + 1000000, 3000000, 102)]]))
cyc = [dict(sp(7, 8, "a", "cyc", base, 1), trace_id=0x2222), dict(sp(8, 7, "b", "cyc", base, 1), trace_id=0x2222)]
chain = [dict(sp(100 + i, 100 + i - 1 if i else 0, "deep", "chain", base + 5, 1), trace_id=0x3333) for i in range(5000)]
open(os.path.join(d, "p3.bin"), "wb").write(msgpack.packb([[sp(4, 3, "aws.lambda", "fn", base + 2500000, 500000, 103),
                                                             sp(5, 99, "orphan", "fn", base + 2600000, 100000)], cyc, chain]))
EOF2
"$B/agent" --port 0 --ready-file "$B/tree.ready" --expect-spans 5007 --timeout-ms 20000 >"$B/tree.out" 2>"$B/tree.err" &
APID=$!; PIDS="$PIDS $APID"
for _ in $(seq 1 100); do [ -s "$B/tree.ready" ] && break; sleep 0.05; done
for f in p1 p2 p3; do send sender "http://127.0.0.1:$(cat "$B/tree.ready")" "$B/$f.bin" application/msgpack 1 >/dev/null; done
wait "$APID"; arc=$?
check "agent exits 0 once --expect-spans arrived" "[ $arc = 0 ]"
cat >"$B/tree.want" <<'EOF2'

trace 6740a5e0000000000000000000001111  5 span(s) from 3 payload(s), 3 process(es)  services: host, queue, fn  9.000 ms
* host [c] http.request  9.000 ms  (HTTP.REQUEST, span 1)
  `- queue [c] sqs.send  3.000 ms  (SQS.SEND, span 2)
    `- queue [c] handler  1.000 ms  (HANDLER, span 3)
      `- fn [c] aws.lambda  0.500 ms  (AWS.LAMBDA, span 4)
* fn [c] orphan  0.100 ms  (ORPHAN, span 5, remote parent 99)
EOF2
check "tree of one trace across three payloads and processes (exact text)" "head -n 7 $B/tree.out | diff - $B/tree.want"
check "a parent cycle is printed flat, not followed" "grep -qx '? cyc a (span 7, parent 8: parent cycle)' $B/tree.out && grep -qx '? cyc b (span 8, parent 7: parent cycle)' $B/tree.out"
check "a 5000-deep chain is printed without recursion" "[ \$(grep -c ' chain \[c\] deep ' $B/tree.out) = 5000 ] && grep -q '^ \{9998\}\`- chain \[c\] deep  0.000 ms  (DEEP, span 5099)' $B/tree.out"

check "no sanitizer report" "! grep -q 'ERROR: AddressSanitizer\|runtime error\|LeakSanitizer' $B/check.err $B/*.err"
