#!/usr/bin/env bash
# tests/fault_agent.py plays every fault mode as its docstring says: a raw-socket client posts a
# small v0.4 payload in each mode and checks what comes back (an answer, nothing, a reset, a
# close, bytes that never end), then the counts: spans ingested whenever the body was read
# whole, not for reset_before_read nor for the rejecting statuses, a duplicate counted when a
# span comes again, keep-alive connections, the control file, reset. About 5 s (timeouts of
# 0.3 s for the modes that never answer). Ends with "fault_agent: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! $PY -c 'import msgpack' 2>/dev/null; then
    echo "fault_agent: python3-msgpack missing (scripts/setup.sh installs it)"
    echo "fault_agent: 0 passed, 1 failed"
    exit 1
fi
exec $PY - <<'EOF'
import json, os, socket, subprocess, sys, tempfile, time
import msgpack

passed = failed = 0
def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAILED: %s %s" % (name, detail))
    return ok

ctl_file = tempfile.NamedTemporaryFile("w", suffix=".mode", delete=False)
ctl_file.write("ok\n"); ctl_file.close()
agent = subprocess.Popen([sys.executable, "tests/fault_agent.py", "0", "--control", ctl_file.name],
                         stdout=subprocess.PIPE, text=True)
port = int(agent.stdout.readline())

def control(path):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path).encode())
    data = b""
    while True:
        x = s.recv(65536)
        if not x:
            break
        data += x
    s.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])

next_id = [1000]
def payload(n=3):
    ids = list(range(next_id[0], next_id[0] + n)); next_id[0] += n
    return ids, msgpack.packb([[{"trace_id": 1, "span_id": i, "name": "x"} for i in ids]])

def post(body, sock=None, timeout=0.3, want=300):
    """Posts body; returns (bytes received, how it ended: 'eof', 'timeout', 'reset', 'enough')."""
    own = sock is None
    s = sock or socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    s.sendall(b"POST /v0.4/traces HTTP/1.1\r\nHost: t\r\nContent-Type: application/msgpack\r\n"
              b"X-Datadog-Trace-Count: 1\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    data, end = b"", "enough"
    deadline = time.monotonic() + timeout  # for the whole answer, not each read
    try:
        while len(data) < want:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            s.settimeout(left)
            x = s.recv(65536)
            if not x:
                end = "eof"; break
            data += x
            if data.startswith(b"HTTP/1.1 ") and b"\r\n\r\n" in data and b"Content-Length: 22\r\n" in data \
                    and len(data.split(b"\r\n\r\n", 1)[1]) >= 22:
                end = "answered"; break
            if b"simulated" in data:
                end = "answered"; break
    except socket.timeout:
        end = "timeout"
    except ConnectionResetError:
        end = "reset"
    if own:
        s.close()
    return data, end

ingested, rejected = [], []
def mode(m):
    r = control("/test/mode/" + m)
    check("switch to " + m, r.get("mode") == m, str(r))

# ok, and keep-alive: three requests on one connection
mode("ok")
s = socket.create_connection(("127.0.0.1", port))
for i in range(3):
    ids, body = payload()
    data, end = post(body, sock=s)
    check("ok answers 200 with rates", end == "answered" and data.startswith(b"HTTP/1.1 200 ") and
          data.endswith(b'{"rate_by_service":{}}'), repr(data[:80]))
    ingested += ids
s.close()

expect = {  # mode: (how it ends, what the bytes start with, ingested?)
    "hang": ("timeout", b"", True),
    "slow_drip": ("timeout", b"HT", True),  # a byte per 100 ms: about 3 in 0.3 s
    "continue_forever": ("enough", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue", True),
    "close_mid_head": ("eof", b"HTTP/1.1 200 OK\r\nContent-Ty", True),
    "close_mid_body": ("eof", b"HTTP/1.1 200 OK\r\n", True),
    "reset_after_read": ("reset", b"", True),
    "reset_before_read": ("reset", b"", False),
    "garbage": ("eof", b"\x00\xff", True),
    "huge_body": ("enough", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600", True),
    "infinite_chunked": ("enough", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked", True),
    "late": ("timeout", b"", True),
}
for m, (end_want, start, ing) in expect.items():
    mode(m)
    ids, body = payload()
    data, end = post(body)
    check(m + " ends as " + end_want, end == end_want or (end_want == "reset" and end == "eof" and not data),
          "got %s %r" % (end, data[:60]))
    check(m + " bytes", data.startswith(start), repr(data[:80]))
    if ing:
        ingested += ids
    time.sleep(0.05)  # the agent decodes after the whole body: let it record

for status in (400, 404, 408, 413, 429, 500, 503):
    mode(str(status))
    ids, body = payload()
    data, end = post(body)
    check("%d answered" % status, data.startswith(b"HTTP/1.1 %d " % status), repr(data[:60]))
    check("%d Retry-After" % status, (b"Retry-After: 1\r\n" in data) == (status in (429, 503)), repr(data[:120]))
    (rejected if status in (408, 413, 429, 503) else ingested).extend(ids)

mode("ok")
time.sleep(0.1)
st = control("/test/stats")
check("spans = ingested", st["spans"] == len(ingested), "%s vs %d" % (st, len(ingested)))
check("unique = ingested", st["unique_spans"] == len(ingested), str(st))
check("no duplicates yet", st["duplicates"] == 0, str(st))
check("rejected spans counted apart", st["rejected_spans"] == len(rejected), "%s vs %d" % (st, len(rejected)))
ids_back = control("/test/ids")["ids"]
check("ids listed", ids_back == sorted(ingested), "%d vs %d" % (len(ids_back), len(ingested)))
requests = 3 + len(expect) + 7
check("requests", st["requests"] == requests, "%s vs %d" % (st, requests))
check("connections (keep-alive: 3 requests on one)", st["connections"] == requests - 2, str(st))

# a span again: a duplicate
body = msgpack.packb([[{"trace_id": 1, "span_id": ingested[0]}]])
post(body)
st = control("/test/stats")
check("a span again is a duplicate", st["duplicates"] == 1 and st["unique_spans"] == len(ingested), str(st))

# not a v0.4 payload: 400 in ok mode, counted as bad
data, end = post(b"\x93\x01\x02\x03")
check("bad payload answered 400", data.startswith(b"HTTP/1.1 400 "), repr(data[:60]))
check("bad payload counted", control("/test/stats")["bad_payloads"] == 1)

# the control file wins when it changes
time.sleep(0.02)
with open(ctl_file.name, "w") as f:
    f.write("503\n")
os.utime(ctl_file.name, None)
data, end = post(payload()[1])
check("control file switches the mode", data.startswith(b"HTTP/1.1 503 "), repr(data[:60]))
check("mode reported", control("/test/mode")["mode"] == "503")
u = socket.create_connection(("127.0.0.1", port))
u.sendall(b"GET /test/mode/nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
check("unknown mode refused", u.recv(100).startswith(b"HTTP/1.1 400 "))
u.close()

# reset
control("/test/reset")
st = control("/test/stats")
check("reset zeroes", st["requests"] == 0 and st["spans"] == 0 and st["unique_spans"] == 0 and
      st["duplicates"] == 0 and st["connections"] == 0, str(st))

agent.terminate()
agent.wait()
os.unlink(ctl_file.name)
print("fault_agent: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
