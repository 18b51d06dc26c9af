"""A fake Datadog Lambda Extension for tests (docs/lambda.md §11): one HTTP port serving the
lifecycle API (POST /lambda/start-invocation, /lambda/end-invocation) and the trace intake
(PUT/POST /v0.4/traces, msgpack), plus UDP sockets for DogStatsD and the X-Ray daemon, all on
127.0.0.1. Every request or datagram is appended to --record as a JSON line with its arrival time:
  {"kind": "start"|"end", "headers": {lower-case name: value}, "body": text, "time"}
  {"kind": "traces", "payload": [[span, ...], ...], "time"}
  {"kind": "statsd"|"xray", "data": text, "time"}
start-invocation answers as the Extension does when it extracted a context: x-datadog-trace-id and
x-datadog-sampling-priority from the event's HTTP headers (case-insensitive), else no header.
--slow-traces N: the N-th trace payload (1-based) is answered only after --slow-seconds (the
tracer's deadline must not wait for it). Writes "<http port> <statsd port> <xray port>" to
--ready-file. Needs python3-msgpack."""
import argparse
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import msgpack

LOCK = threading.Lock()
ARGS = None
N_TRACES = [0]


def record(obj):
    obj["time"] = time.time()
    with LOCK, open(ARGS.record, "a") as f:
        f.write(json.dumps(obj) + "\n")


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def reply(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        data = self.body()
        hdrs = {k.lower(): v for k, v in self.headers.items()}
        if self.path == "/lambda/start-invocation":
            answer = []
            try:
                ev = json.loads(data)
                h = {k.lower(): v for k, v in (ev.get("headers") or {}).items()} if isinstance(ev, dict) else {}
                if "x-datadog-trace-id" in h:
                    answer = [("x-datadog-trace-id", h["x-datadog-trace-id"]),
                              ("x-datadog-sampling-priority", h.get("x-datadog-sampling-priority", "1"))]
            except ValueError:
                pass
            record({"kind": "start", "headers": hdrs, "body": data.decode("utf-8", "replace")})
            return self.reply(200, "{}", answer)
        if self.path == "/lambda/end-invocation":
            record({"kind": "end", "headers": hdrs, "body": data.decode("utf-8", "replace")})
            return self.reply(200, "{}")
        if self.path in ("/v0.4/traces", "/v0.5/traces"):
            with LOCK:
                N_TRACES[0] += 1
                n = N_TRACES[0]
            payload = msgpack.unpackb(data, raw=False, strict_map_key=False)
            if n == ARGS.slow_traces:
                record({"kind": "slow", "n": n})
                time.sleep(ARGS.slow_seconds)
                return  # no answer at all: the tracer's deadline decides
            record({"kind": "traces", "payload": payload})
            return self.reply(200, '{"rate_by_service":{}}')
        if self.path == "/lambda/flush":
            record({"kind": "flush"})
            return self.reply(404, "{}")
        self.reply(404, "{}")


def udp(kind):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))

    def loop():
        while True:
            data, _ = s.recvfrom(65536)
            record({"kind": kind, "data": data.decode("utf-8", "replace")})
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--record", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--slow-traces", type=int, default=0)
    ap.add_argument("--slow-seconds", type=float, default=5)
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    statsd, xray = udp("statsd"), udp("xray")
    with open(ARGS.ready_file + ".tmp", "w") as f:
        f.write("%d %d %d\n" % (srv.server_address[1], statsd, xray))
    import os
    os.rename(ARGS.ready_file + ".tmp", ARGS.ready_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
