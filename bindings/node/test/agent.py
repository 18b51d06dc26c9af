#!/usr/bin/python3
"""test/agent.py PORT_FILE RECORD_FILE - a capture agent for the Node binding's tests.

Accepts PUT/POST /v0.4/traces (any other path: 404), decodes the msgpack body with python3-msgpack
(Debian's; independent of the SDK's encoder) and appends one JSON line per request to RECORD_FILE:
{"path", "headers" (lower-case names), "payload": [[span, ...], ...]} with trace_id, span_id and
parent_id as decimal strings (JavaScript numbers cannot hold 64-bit ids). Answers 200 with
{"rate_by_service":{"service:,env:":1}}. Writes its port to PORT_FILE once it listens; exits on SIGTERM."""
import json, os, signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import msgpack

lock = threading.Lock()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path not in ("/v0.4/traces",):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
        try:
            payload = msgpack.unpackb(body, raw=False, strict_map_key=False)
            for chunk in payload:
                for s in chunk:
                    for k in ("trace_id", "span_id", "parent_id"):
                        if k in s: s[k] = str(s[k])
                    if "span_links" in s:
                        for l in s["span_links"]:
                            for k in ("trace_id", "trace_id_high", "span_id"):
                                if k in l: l[k] = str(l[k])
            status = 200
        except Exception as e:  # a body that is not msgpack: recorded as an error
            payload, status = {"error": str(e)}, 400
        rec = {"path": self.path, "status": status, "headers": {k.lower(): v for k, v in self.headers.items()},
               "payload": payload}
        with lock, open(sys.argv[2], "a") as f:
            f.write(json.dumps(rec) + "\n")
        out = b'{"rate_by_service":{"service:,env:":1}}' if status == 200 else b"{}"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_PUT = do_POST = _handle

srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
