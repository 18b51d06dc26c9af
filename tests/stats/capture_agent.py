"""tests/stats/capture_agent.py - a local agent for tests/stats_node_test.sh.

Answers GET /info as an agent that accepts client-computed stats (endpoints list /v0.4/traces and
/v0.6/stats, client_drop_p0s true, no peer tags), answers every POST/PUT with 200 {} and writes
each body to OUTDIR/<n>-<path with / as _>.bin with its headers in a .hdr file (one "name: value"
per line). Usage: capture_agent.py OUTDIR PORTFILE (the chosen port is written to PORTFILE)."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUT, PORTFILE = sys.argv[1], sys.argv[2]
INFO = json.dumps({"version": "7.70.0", "endpoints": ["/v0.4/traces", "/v0.6/stats", "/info"],
                   "client_drop_p0s": True, "peer_tags": [], "config": {"default_env": "none"}}).encode()
lock = threading.Lock()
seq = [0]


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, body, ctype="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/info":
            self.answer(INFO)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with lock:
            seq[0] += 1
            name = "%s/%04d-%s" % (OUT, seq[0], self.path.strip("/").replace("/", "_"))
        with open(name + ".hdr", "w") as f:
            for k, v in self.headers.items():
                f.write("%s: %s\n" % (k, v))
        with open(name + ".bin", "wb") as f:
            f.write(body)
        self.answer(b"{}")

    do_POST = do_PUT


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(PORTFILE, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
