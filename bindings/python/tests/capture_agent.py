"""A tiny capture agent for the tests: accepts PUT/POST /v0.4/traces, records each body and answers
200 {"rate_by_service":{}} as the Datadog Agent does. Importable (CaptureAgent) or runnable:
    python3 capture_agent.py --ready-file PORTFILE --out BODIES.jsonl [--seconds N]
which writes the port once listening and appends {"path", "headers", "spans"} per request (the
msgpack body decoded with python3-msgpack), then exits after N seconds (default 30)."""
import argparse
import http.server
import json
import threading
import time

import msgpack


class CaptureAgent:
    def __init__(self, status=200):
        self.requests = []  # (path, headers dict, decoded payload)
        self.status = status
        self.cond = threading.Condition()
        agent = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                try:
                    payload = msgpack.unpackb(body, raw=False, strict_map_key=False) if body else None
                except Exception as e:  # recorded, so a test sees it
                    payload = {"undecodable": repr(e)}
                with agent.cond:
                    agent.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, payload))
                    agent.cond.notify_all()
                out = b'{"rate_by_service":{}}'
                self.send_response(agent.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_PUT = do_POST = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def spans(self):
        with self.cond:
            return [s for _, _, p in self.requests if isinstance(p, list) for chunk in p for s in chunk]

    def wait_spans(self, n, timeout=5.0):
        """Waits until at least n spans arrived (bounded); returns them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len([s for _, _, p in self.requests if isinstance(p, list) for c in p for s in c]) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
        return self.spans()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=30.0)
    a = ap.parse_args()
    agent = CaptureAgent()
    seen = 0
    with open(a.ready_file + ".tmp", "w") as f:
        f.write(str(agent.port))
    import os
    os.replace(a.ready_file + ".tmp", a.ready_file)
    deadline = time.monotonic() + a.seconds
    with open(a.out, "a") as out:
        while time.monotonic() < deadline:
            with agent.cond:
                agent.cond.wait(0.1)
                new = agent.requests[seen:]
                seen = len(agent.requests)
            for path, headers, payload in new:
                out.write(json.dumps({"path": path, "headers": headers, "spans": [s for c in (payload or []) for s in c]
                                      if isinstance(payload, list) else payload}) + "\n")
                out.flush()
    agent.close()


if __name__ == "__main__":
    main()
