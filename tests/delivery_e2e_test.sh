#!/usr/bin/env bash
# The tracer and the real sender (dd_sender.h when it is at the repo root, else
# examples/sender_posix.c) against tests/fault_agent.py, one fault mode at a time, then the agent
# recovers (tests/delivery_e2e.c). For every mode, from the agent's side and the tracer's:
#   - no span id was ingested twice (a request the agent may have processed is never sent again);
#   - every ingested id is one the tracer started;
#   - the ingested ids cover what the tracer counts as sent, and are no more than what it counts
#     as sent, unconfirmed or dropped after an answer (or still pending, sent by dd_tracer_free);
#   - the counters balance and nothing is left pending once the agent is back.
# Also a closed port (connection refused) for the whole run. About a minute.
# Ends with "delivery_e2e: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-$PWD/build/tests}/delivery_e2e
mkdir -p "$B"
PY=/usr/bin/python3
DEF=
[ -f dd_sender.h ] && DEF=-DHAVE_DD_SENDER
if ! gcc -std=c99 -O1 -g -Wall -Wextra -Wpedantic -Werror -I. $DEF tests/delivery_e2e.c -o "$B/drive" -lpthread -lm 2>"$B/build.log"; then
    cat "$B/build.log"
    echo "delivery_e2e: 0 passed, 1 failed"
    exit 1
fi
if ! $PY -c 'import msgpack' 2>/dev/null; then
    echo "delivery_e2e: python3-msgpack missing (scripts/setup.sh installs it)"
    echo "delivery_e2e: 0 passed, 1 failed"
    exit 1
fi
if [ -n "$DEF" ]; then echo "transport: dd_sender.h"; else echo "transport: examples/sender_posix.c"; fi
exec $PY - "$B" "${DEF:+dd_sender}" <<'EOF'
import json, os, socket, subprocess, sys

B = sys.argv[1]
real_sender = sys.argv[2] == "dd_sender"  # keep-alive, and "not sent" told apart from "unconfirmed"
passed = failed = 0
def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAILED: %s %s" % (name, detail))
    return ok

ctl = os.path.join(B, "mode")
with open(ctl, "w") as f:
    f.write("ok\n")
agent = subprocess.Popen([sys.executable, "tests/fault_agent.py", "0", "--control", ctl], stdout=subprocess.PIPE, text=True)
port = int(agent.stdout.readline())

def control(path):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path).encode())
    data = b""
    while True:
        x = s.recv(1 << 20)
        if not x:
            break
        data += x
    s.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])

def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

MODES = ["ok", "hang", "slow_drip", "continue_forever", "close_mid_head", "close_mid_body",
         "reset_after_read", "reset_before_read", "400", "404", "408", "413", "429", "500", "503",
         "garbage", "huge_body", "infinite_chunked", "late", "refused"]

def run_mode(mode):
    ids_file = os.path.join(B, "ids." + mode)
    if mode == "refused":
        url, ctl_arg = "http://127.0.0.1:%d" % closed_port(), "-"
    else:
        url, ctl_arg = "http://127.0.0.1:%d" % port, ctl
        with open(ctl, "w") as f:
            f.write(mode + "\n")
    control("/test/reset")
    try:
        r = subprocess.run([os.path.join(B, "drive"), url, ctl_arg, "1.0", ids_file], capture_output=True, text=True,
                           timeout=60)
    except subprocess.TimeoutExpired:
        check(mode + ": driver ends within 60 s", False)
        return
    if not check(mode + ": driver ran", r.returncode == 0 and r.stdout.strip(), r.stderr[-300:]):
        return
    k = json.loads(r.stdout.strip().splitlines()[-1])
    st = control("/test/stats")
    got = set(control("/test/ids")["ids"])
    with open(ids_file) as f:
        started = set(int(x) for x in f)
    print("%-17s tracer: sent %4d unconfirmed %4d dropped(send) %4d dropped(shutdown) %4d deferred requests %3d, "
          "settled in %4d ms | agent: %3d requests, %4d spans, %4d unique, %d duplicates, %d rejected, %d connections"
          % (mode, k["sent"], k["unconfirmed"], k["dropped_send"], k["dropped_shutdown"], k["requests_deferred"],
             k["settle_ms"], st["requests"], st["spans"], st["unique_spans"], st["duplicates"], st["rejected_spans"],
             st["connections"]))
    check(mode + ": no span ingested twice", st["duplicates"] == 0, str(st))
    check(mode + ": every ingested id was started by the tracer", got <= started, "%d foreign" % len(got - started))
    check(mode + ": ingested ids cover the sent spans", len(got) >= k["sent"], "%d < %d" % (len(got), k["sent"]))
    # (what was still pending when the driver read its counters went out in dd_tracer_free)
    check(mode + ": ingested <= sent + unconfirmed + dropped after an answer (+ pending)",
          len(got) <= k["sent"] + k["unconfirmed"] + k["dropped_send"] + k["pending"], "%d vs %s" % (len(got), k))
    check(mode + ": counters balance", k["balance_rhs"] == k["started"], str(k))
    check(mode + ": nothing pending once the agent is back", k["pending"] == 0 or mode == "refused", str(k))
    if mode == "ok":
        check("ok: every span delivered", k["sent"] == k["started"] == len(got), str(k))
        if real_sender:
            check("ok: one kept-alive connection", st["connections"] <= 2, str(st))
    if mode == "refused" and real_sender:
        check("refused: nothing sent", k["sent"] == 0 and k["unconfirmed"] == 0, str(k))

try:
    for mode in MODES:
        run_mode(mode)
finally:
    agent.kill()
    agent.wait()
print("delivery_e2e: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
