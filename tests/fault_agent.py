#!/usr/bin/python3
"""tests/fault_agent.py - a loopback stand-in for the Datadog Agent that misbehaves on purpose.

    /usr/bin/python3 tests/fault_agent.py PORT [--mode MODE] [--control FILE] [--ingest-rejected]

Listens on 127.0.0.1:PORT (0 = pick a free port) and prints the port, alone on the first line
of stdout, once it listens. It answers every request to a trace path with the current fault
mode, one mode at a time for the whole agent:

    ok                 200 {"rate_by_service":{}}; keep-alive honoured (HTTP/1.1 unless
                       "Connection: close"), "Expect: 100-continue" honoured
    hang               reads the whole request, never answers (waits for the client to close)
    slow_drip          reads it, then sends a response head one byte per 100 ms, forever
    continue_forever   reads it, then sends "HTTP/1.1 100 Continue\\r\\n\\r\\n" every 10 ms, forever
    close_mid_head     reads it, sends half a status line and headers, closes (FIN)
    close_mid_body     reads it, sends a head with Content-Length: 100 and 10 bytes, closes
    reset_after_read   reads it, closes with SO_LINGER 0 (the client gets RST)
    reset_before_read  reads nothing (it only peeks at the first bytes to tell a control
                       request), closes with SO_LINGER 0
    400 404 408 413 429 500 503
                       reads it, answers that status (429 and 503 with "Retry-After: 1"),
                       keep-alive honoured
    garbage            reads it, sends non-HTTP bytes, closes
    huge_body          reads it, answers 200 with "Content-Length: 104857600" and streams zeros
    infinite_chunked   reads it, answers 200 chunked and sends 4 KiB chunks forever
    late               reads it, waits 5 s, answers 200 (keep-alive honoured)

Refused connections need no mode: point the client at a closed port.

Ingestion. Whenever the agent has read a whole request body, it decodes it as a v0.4 payload
(a msgpack array of chunks, each an array of span maps) and records every span_id, whatever it
answers afterwards (hang, reset, garbage...: the client cannot know, so a second copy of the
same span is a duplicate). The exception are the answers that tell the client the agent did
not process the request, 408, 413, 429 and 503, which the tracer is allowed to send again
(split in halves for 413): their spans are counted in "rejected_spans" and not ingested, unless
--ingest-rejected is given. A test then checks "duplicates" == 0, and that the ingested ids
(GET /test/ids) cover the spans the tracer counts as sent.

Control, always answered at once whatever the mode (on the same port, keep-alive):

    GET /test/stats       {"requests":N,"spans":N,"unique_spans":N,"duplicates":N,
                           "connections":N, "rejected_spans":N, "bad_payloads":N, "mode":"..."}
                          requests: trace requests whose first bytes arrived; spans: ingested
                          spans, duplicates included; connections: connections that carried at
                          least one trace request
    GET /test/ids         {"ids":[span_id, ...]} every unique ingested span id
    GET /test/reset       zeroes the counts and forgets the ids (the mode stays)
    GET /test/mode/MODE   switches the mode (POST works too); 400 for an unknown mode
    GET /test/mode        {"mode":"..."}

With --control FILE, the first word of FILE is the mode, re-read whenever the file's mtime
changes (checked as each request starts); a control request still wins until FILE changes.
"""
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time

import msgpack

MODES = {"ok", "hang", "slow_drip", "continue_forever", "close_mid_head", "close_mid_body",
         "reset_after_read", "reset_before_read", "garbage", "huge_body", "infinite_chunked", "late",
         "400", "404", "408", "413", "429", "500", "503"}
REJECTING = {"408", "413", "429", "503"}  # "not processed": the client may send it again
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 408: "Request Timeout",
           413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
           503: "Service Unavailable"}
HEAD_MAX = 65536
OK_BODY = b'{"rate_by_service":{}}'


class State:
    """Everything the handlers share, under one lock."""

    def __init__(self, mode, control_file, ingest_rejected):
        self.lock = threading.Lock()
        self.mode = mode
        self.control_file = control_file
        self.control_mtime = None
        self.ingest_rejected = ingest_rejected
        self.reset()

    def reset(self):
        self.requests = self.spans = self.duplicates = self.connections = 0
        self.rejected_spans = self.bad_payloads = 0
        self.ids = set()

    def current_mode(self):
        if self.control_file:
            try:
                mtime = os.stat(self.control_file).st_mtime_ns
                if mtime != self.control_mtime:
                    with open(self.control_file) as f:
                        words = f.read().split()
                    self.control_mtime = mtime
                    if words and words[0] in MODES:
                        self.mode = words[0]
            except OSError:
                pass
        return self.mode

    def stats(self):
        return {"requests": self.requests, "spans": self.spans, "unique_spans": len(self.ids),
                "duplicates": self.duplicates, "connections": self.connections,
                "rejected_spans": self.rejected_spans, "bad_payloads": self.bad_payloads,
                "mode": self.mode}


def span_ids(body):
    """The span_id of every span of a v0.4 payload; raises ValueError when it is not one."""
    payload = msgpack.unpackb(body, raw=False, strict_map_key=False, unicode_errors="surrogateescape")
    if not isinstance(payload, list):
        raise ValueError("payload is not an array")
    ids = []
    for chunk in payload:
        if not isinstance(chunk, list):
            raise ValueError("chunk is not an array")
        for span in chunk:
            if not isinstance(span, dict) or not isinstance(span.get("span_id"), int):
                raise ValueError("span is not a map with an integer span_id")
            ids.append(span["span_id"])
    return ids


class Closed(Exception):
    """The client went away."""


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.buf = b""
        self.counted = False
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # ---- reading ----
    def recv_more(self):
        data = self.request.recv(65536)
        if not data:
            raise Closed()
        self.buf += data

    def peek_is_control(self):
        """Waits for the first bytes of a request without consuming them; True for /test/."""
        want = (b"GET /test/", b"POST /test/")
        while True:
            if self.buf:
                seen = self.buf
            else:
                seen = self.request.recv(16, socket.MSG_PEEK)
                if not seen:
                    raise Closed()
            if any(seen.startswith(w) for w in want):
                return True
            if not any(w.startswith(seen) for w in want):
                return False
            if self.buf:  # a prefix of a control request: wait for the rest
                self.recv_more()
            else:
                time.sleep(0.001)

    def read_head(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > HEAD_MAX:
                raise Closed()
            self.recv_more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        method, path, version = (parts + ["", "", ""])[:3]
        return method, path, version, headers

    def read_body(self, headers):
        """The Content-Length body; None when the request has none we can read."""
        try:
            n = int(headers.get("content-length", ""))
        except ValueError:
            return None
        while len(self.buf) < n:
            self.recv_more()
        body, self.buf = self.buf[:n], self.buf[n:]
        return body

    # ---- writing ----
    def send(self, data):
        self.request.sendall(data)

    def answer(self, status, body=b"", ctype="application/json", extra="", close=False):
        head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s%s\r\n" % (
            status, REASONS.get(status, "Status"), ctype, len(body), extra,
            "Connection: close\r\n" if close else "")
        self.send(head.encode("latin-1") + body)

    def reset_close(self):
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.request.close()

    def wait_client_close(self):
        while True:
            if not self.request.recv(65536):
                return

    # ---- requests ----
    def handle(self):
        try:
            while self.one_request():
                pass
        except (Closed, OSError):
            pass

    def control(self):
        st = self.server.state
        method, path, version, headers = self.read_head()
        self.read_body(headers)
        close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        with st.lock:
            if path == "/test/stats":
                out = st.stats()
            elif path == "/test/ids":
                out = {"ids": sorted(st.ids)}
            elif path == "/test/reset":
                st.reset()
                out = {"reset": True}
            elif path == "/test/mode":
                out = {"mode": st.mode}
            elif path.startswith("/test/mode/") and path[len("/test/mode/"):] in MODES:
                st.mode = path[len("/test/mode/"):]
                out = {"mode": st.mode}
            else:
                out = None
        if out is None:
            self.answer(400 if path.startswith("/test/mode/") else 404, b"unknown control request\n",
                        "text/plain", close=close)
        else:
            self.answer(200, json.dumps(out).encode(), close=close)
        return not close

    def ingest(self, body, mode):
        st = self.server.state
        try:
            ids = span_ids(body)
        except Exception:  # anything msgpack or the shape check raises
            with st.lock:
                st.bad_payloads += 1
            return False
        with st.lock:
            if mode in REJECTING and not st.ingest_rejected:
                st.rejected_spans += len(ids)
                return True
            for i in ids:
                st.spans += 1
                if i in st.ids:
                    st.duplicates += 1
                else:
                    st.ids.add(i)
        return True

    def one_request(self):
        """Serves one request; False when the connection is to end."""
        st = self.server.state
        if self.peek_is_control():
            return self.control()
        with st.lock:
            mode = st.current_mode()
            st.requests += 1
            if not self.counted:
                st.connections += 1
                self.counted = True
        if mode == "reset_before_read":
            self.reset_close()
            return False
        method, path, version, headers = self.read_head()
        close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        if headers.get("expect", "").lower() == "100-continue" and mode == "ok":
            self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self.read_body(headers)
        if body is None:
            self.answer(411, b"length required\n", "text/plain", close=True)
            return False
        decoded = self.ingest(body, mode)
        if mode == "ok":
            if decoded:
                self.answer(200, OK_BODY, close=close)
            else:
                self.answer(400, b"msgpack decode error\n", "text/plain", close=close)
            return not close
        if mode == "late":
            time.sleep(5)
            self.answer(200, OK_BODY, close=close)
            return not close
        if mode.isdigit():
            status = int(mode)
            extra = "Retry-After: 1\r\n" if status in (429, 503) else ""
            self.answer(status, ("simulated %d\n" % status).encode(), "text/plain", extra, close)
            return not close
        if mode == "hang":
            self.wait_client_close()
        elif mode == "slow_drip":
            head = b"HTTP/1.1 200 OK\r\nX-Drip: "
            i = 0
            while True:  # the head never ends
                self.send(head[i:i + 1] if i < len(head) else b".")
                i += 1
                time.sleep(0.1)
        elif mode == "continue_forever":
            while True:
                self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                time.sleep(0.01)
        elif mode == "close_mid_head":
            self.send(b"HTTP/1.1 200 OK\r\nContent-Ty")
        elif mode == "close_mid_body":
            self.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                      + OK_BODY[:10])
        elif mode == "reset_after_read":
            self.reset_close()
        elif mode == "garbage":
            self.send(b"\x00\xff\xfeNOT HTTP AT ALL\r\n\r\n\x16\x03\x01garbage" * 4)
        elif mode == "huge_body":
            self.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n")
            zeros = bytes(65536)
            for _ in range(104857600 // len(zeros)):
                self.send(zeros)
        elif mode == "infinite_chunked":
            self.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"1000\r\n" + b"x" * 4096 + b"\r\n"
            while True:
                self.send(chunk)
        return False


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main(argv):
    args = argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 64
    port = int(args[0])
    mode, control, ingest_rejected = "ok", None, False
    i = 1
    while i < len(args):
        if args[i] == "--mode" and i + 1 < len(args) and args[i + 1] in MODES:
            mode = args[i + 1]
            i += 2
        elif args[i] == "--control" and i + 1 < len(args):
            control = args[i + 1]
            i += 2
        elif args[i] == "--ingest-rejected":
            ingest_rejected = True
            i += 1
        else:
            sys.stderr.write("fault_agent: bad argument %r (modes: %s)\n" % (args[i], " ".join(sorted(MODES))))
            return 64
    server = Server(("127.0.0.1", port), Handler)
    server.state = State(mode, control, ingest_rejected)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
