#!/usr/bin/python3
"""A fake AWS Lambda Runtime API (2018-06-01) for tests and the demo; Python standard library only.

    fake_runtime_api.py [--port 0] [--ready-file F] [--events events.json] [--results results.jsonl]
                        [--exit-after N] [--function-arn ARN] [--deadline-ms MS]
                        [--runtime-out F] [--runtime CMD ARG...]

Serves, in order, the invocations listed in --events (a JSON array; each item is
{"event": <any JSON>, "request_id": "...", "client_context": <JSON or absent>,
 "trace_id": "<X-Amzn-Trace-Id value or absent>"}) and those POSTed to /fake/enqueue (same shape,
or a bare event) while it runs. Like the real API:
  GET  /2018-06-01/runtime/invocation/next            blocks until an invocation is ready; body = event,
       headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id,
       -Client-Context (when given)
  POST /2018-06-01/runtime/invocation/<id>/response   202 {"status":"OK"}
  POST /2018-06-01/runtime/invocation/<id>/error      202 (body {"errorMessage","errorType"}, header
       Lambda-Runtime-Function-Error-Type)
  POST /2018-06-01/runtime/init/error                 202
An unknown or already answered request id gets 400 (InvalidRequestID / InvalidStateTransition), a
response over 6 MiB gets 413. Each answer is appended to --results as a JSON line
{"kind": "response"|"error"|"init_error", "request_id", "body", "error_type", "time"}. After
--exit-after N answers the server exits (code 0).
An invocation item may carry its own "deadline_ms" (else --deadline-ms).
With --runtime CMD ARG... it also plays the platform's part (docs/lambda.md §11.4): it starts the
runtime (AWS_LAMBDA_RUNTIME_API set, stdout to --runtime-out when given, appended) and, when an
invocation passes its deadline unanswered, records {"kind": "timeout", "request_id", "time"} (it
counts as an answer; a later answer gets 400), kills the runtime with SIGKILL and starts a new
one, as Lambda resets the sandbox after a timeout. Each start is recorded as {"kind": "runtime_start",
"pid", "time"}. The runtime is killed when the server exits.
"""
import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_RESPONSE = 6 * 1024 * 1024
PREFIX = "/2018-06-01/runtime"


class State:
    def __init__(self, args):
        self.args = args
        self.pending = queue.Queue()
        self.open = {}  # request id -> invocation, handed out and not answered yet
        self.answered = set()
        self.count = 0
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.deadlines = {}  # request id -> deadline (epoch ms) of an open invocation
        self.proc = None

    def add(self, item):
        if not isinstance(item, dict) or "event" not in item:
            item = {"event": item}
        item.setdefault("request_id", str(uuid.uuid4()))
        self.pending.put(item)

    def record(self, kind, request_id, body, error_type):
        with self.lock:
            self.count += 1
            self.deadlines.pop(request_id, None)
            if self.args.results:
                with open(self.args.results, "a") as f:
                    f.write(json.dumps({"kind": kind, "request_id": request_id, "body": body,
                                        "error_type": error_type, "time": time.time()}) + "\n")
            if self.args.exit_after and self.count >= self.args.exit_after:
                self.done.set()
    def note(self, obj):
        if self.args.results:
            with self.lock, open(self.args.results, "a") as f:
                obj["time"] = time.time()
                f.write(json.dumps(obj) + "\n")
    def start_runtime(self, port):
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % port)
        out = open(self.args.runtime_out, "ab") if self.args.runtime_out else None
        self.proc = subprocess.Popen(self.args.runtime, env=env, stdout=out)
        if out:
            out.close()
        self.note({"kind": "runtime_start", "pid": self.proc.pid})
    def watch_deadlines(self, port):
        """The platform's timeout: the invocation is over, the sandbox reset (runtime killed, restarted)."""
        while not self.done.is_set():
            now = time.time() * 1000
            with self.lock:
                late = [rid for rid, dl in self.deadlines.items() if now >= dl and rid in self.open]
                for rid in late:
                    del self.open[rid]
                    self.answered.add(rid)
            for rid in late:
                self.record("timeout", rid, None, None)
                if self.proc and not self.done.is_set():
                    self.proc.send_signal(signal.SIGKILL)
                    self.proc.wait()
                    self.start_runtime(port)
            time.sleep(0.01)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *a):
        if not self.state.args.quiet:
            sys.stderr.write("fake-runtime-api: " + (fmt % a) + "\n")

    def reply(self, status, obj, headers=()):
        data = (obj if isinstance(obj, str) else json.dumps(obj)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        st = self.state
        if self.path != PREFIX + "/invocation/next":
            return self.reply(404, {"errorMessage": "not found", "errorType": "NotFound"})
        if st.args.record_next and st.args.results:  # when the runtime asked for the next invocation
            with st.lock, open(st.args.results, "a") as f:
                f.write(json.dumps({"kind": "next", "time": time.time()}) + "\n")
        item = st.pending.get()  # long poll, as the real API
        rid = item["request_id"]
        with st.lock:
            st.open[rid] = item
        deadline = int(time.time() * 1000) + int(item.get("deadline_ms", st.args.deadline_ms))
        if st.args.runtime:
            with st.lock:
                st.deadlines[rid] = deadline
        headers = [("Lambda-Runtime-Aws-Request-Id", rid), ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                   ("Lambda-Runtime-Invoked-Function-Arn", item.get("function_arn", st.args.function_arn))]
        if item.get("trace_id"):
            headers.append(("Lambda-Runtime-Trace-Id", item["trace_id"]))
        if item.get("client_context") is not None:
            headers.append(("Lambda-Runtime-Client-Context", json.dumps(item["client_context"])))
        self.reply(200, json.dumps(item["event"]), headers)

    def do_POST(self):
        st = self.state
        data = self.body()
        if self.path == "/fake/enqueue":
            try:
                st.add(json.loads(data))
            except ValueError:
                return self.reply(400, {"errorMessage": "not JSON", "errorType": "InvalidRequest"})
            return self.reply(202, {"status": "OK"})
        if self.path == PREFIX + "/init/error":
            st.record("init_error", None, data.decode("utf-8", "replace"),
                      self.headers.get("Lambda-Runtime-Function-Error-Type"))
            return self.reply(202, {"status": "OK"})
        parts = self.path[len(PREFIX):].split("/") if self.path.startswith(PREFIX + "/invocation/") else []
        if len(parts) != 4 or parts[3] not in ("response", "error"):
            return self.reply(404, {"errorMessage": "not found", "errorType": "NotFound"})
        rid, kind = parts[2], parts[3]
        with st.lock:
            if rid in st.answered:
                return self.reply(400, {"errorMessage": "already answered", "errorType": "InvalidStateTransition"})
            if rid not in st.open:
                return self.reply(400, {"errorMessage": "unknown request id", "errorType": "InvalidRequestID"})
            if len(data) > MAX_RESPONSE:
                return self.reply(413, {"errorMessage": "response too large", "errorType": "RequestEntityTooLarge"})
            del st.open[rid]
            st.deadlines.pop(rid, None)
            st.answered.add(rid)
        st.record(kind, rid, data.decode("utf-8", "replace"), self.headers.get("Lambda-Runtime-Function-Error-Type"))
        self.reply(202, {"status": "OK"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file")
    ap.add_argument("--events")
    ap.add_argument("--results")
    ap.add_argument("--exit-after", type=int, default=0)
    ap.add_argument("--record-next", action="store_true", help="also record each GET .../next as kind 'next'")
    ap.add_argument("--function-arn", default="arn:aws:lambda:us-east-1:123456789012:function:demo-function")
    ap.add_argument("--deadline-ms", type=int, default=30000)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--runtime-out", help="with --runtime: the runtime's stdout, appended")
    ap.add_argument("--runtime", nargs=argparse.REMAINDER, help="play the platform: run this runtime, restart it after a timeout")
    args = ap.parse_args()
    st = State(args)
    if args.events:
        for item in json.load(open(args.events)):
            st.add(item)
    Handler.state = st
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(args.ready_file + ".tmp", args.ready_file)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    if args.runtime:
        st.start_runtime(srv.server_address[1])
        threading.Thread(target=st.watch_deadlines, args=(srv.server_address[1],), daemon=True).start()
    try:
        st.done.wait()
    except KeyboardInterrupt:
        pass
    if st.proc:
        st.proc.send_signal(signal.SIGKILL)
        st.proc.wait()
    srv.shutdown()


if __name__ == "__main__":
    main()
