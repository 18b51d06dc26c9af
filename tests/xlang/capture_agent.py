#!/usr/bin/python3
"""tests/xlang/capture_agent.py - a minimal trace agent that keeps what it receives.

    /usr/bin/python3 tests/xlang/capture_agent.py --out DIR --ready-file FILE

Listens on 127.0.0.1 (an ephemeral port, written to FILE once it listens). Accepts PUT or POST
/v0.4/traces with a msgpack body, answers 200 {"rate_by_service":{}}, and stores each decoded body
as one JSON line in DIR/<tag>.jsonl. The senders cannot label their requests, so <tag> is the
content of the file DIR/current when the request arrives: the test writes the scenario's name there
before running it and runs one scenario at a time ("unknown" when the file is absent).
Each line: {"path", "lang" (Datadog-Meta-Lang), "count" (X-Datadog-Trace-Count), "payload"}.
A body that does not decode gets 400 and a line {"error": ...}: the comparison then fails.
HTTP/1.1 with keep-alive, as the native sender expects. Standard library + python3-msgpack.
"""
import argparse
import http.server
import json
import os
import sys
import threading

import msgpack

LOCK = threading.Lock()


def tojson(v):
    # msgpack may give bytes (bin) values; the comparison works on JSON text.
    if isinstance(v, bytes):
        return {"$bin": v.hex()}
    if isinstance(v, dict):
        return {str(k): tojson(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [tojson(x) for x in v]
    return v


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    out_dir = "."

    def log_message(self, fmt, *args):  # quiet: the test prints what matters
        pass

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _tag(self):
        try:
            with open(os.path.join(self.out_dir, "current")) as f:
                return f.read().strip() or "unknown"
        except OSError:
            return "unknown"

    def _traces(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        path = self.path.split("?", 1)[0]
        if path != "/v0.4/traces":
            self._answer(404, b"{}")
            return
        rec = {"path": path, "lang": self.headers.get("Datadog-Meta-Lang"),
               "count": self.headers.get("X-Datadog-Trace-Count")}
        try:
            rec["payload"] = tojson(msgpack.unpackb(body, raw=False, strict_map_key=False))
            status, answer = 200, b'{"rate_by_service":{}}'
        except Exception as e:  # hostile or broken body: recorded, refused
            rec["error"] = "%s: %s" % (type(e).__name__, e)
            status, answer = 400, b'{"error":"undecodable msgpack"}'
        with LOCK:
            with open(os.path.join(self.out_dir, self._tag() + ".jsonl"), "a") as f:
                f.write(json.dumps(rec, sort_keys=True) + "\n")
        self._answer(status, answer)

    do_PUT = _traces
    do_POST = _traces

    def do_GET(self):
        self._answer(404, b"{}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready-file", required=True)
    a = ap.parse_args()
    Handler.out_dir = a.out
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = a.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.ready_file)  # the port appears whole
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
