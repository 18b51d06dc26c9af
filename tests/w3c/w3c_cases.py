#!/usr/bin/env python3
"""Our own statement of the W3C trace-context conformance cases, run against tests/w3c/w3c_service.

Usage: w3c_cases.py http://127.0.0.1:PORT/test

It plays the role of the W3C harness with the Python standard library only: it listens on a free
loopback port, sends the service a POST whose JSON body lists callback URLs on that port, and checks
the traceparent/tracestate the service forwards on each callback. The expectations come from the
W3C Trace Context recommendation (level 1) and, where the Datadog tracers deliberately differ from
the strict W3C cases, from docs/propagation.md (§4 and §11; R-* names below); those cases are
marked DATADOG and listed in tests/w3c/README.md. Last line: "w3c: N passed, N failed".
"""
import http.client
import http.server
import json
import re
import sys
import threading
import urllib.parse
import uuid

TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT = "b7ad6b7169203331"
ZERO_TRACE = "0" * 32

TP_RE = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


class Recorder(http.server.BaseHTTPRequestHandler):
    """Callback endpoint: remembers every field (repeats included) and the body of each POST."""
    calls = {}
    lock = threading.Lock()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with Recorder.lock:
            Recorder.calls[self.path] = {"fields": list(self.headers.items()), "body": body}
        answer = b"null"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class Outcome:
    """What one callback received: the single traceparent and the tracestate members."""

    def __init__(self, fields, body):
        self.body = body
        tps = [v for k, v in fields if k.lower() == "traceparent"]
        if len(tps) != 1:
            raise AssertionError("expected one traceparent field, got %r" % tps)
        m = TP_RE.match(tps[0])
        if not m:
            raise AssertionError("forwarded traceparent %r is not version-00 lowercase hex" % tps[0])
        self.version, self.trace, self.parent, self.flags = m.groups()
        if self.trace == ZERO_TRACE or self.parent == "0" * 16:
            raise AssertionError("forwarded traceparent %r has a zero id" % tps[0])
        self.members = []
        for k, v in fields:
            if k.lower() != "tracestate":
                continue
            for part in v.split(","):
                part = part.strip(" \t")
                if part:
                    self.members.append(part)

    def dd(self):
        """The dd member's sub-fields as a dict; the dd member must come first (R-W3C-16)."""
        if not self.members or not self.members[0].startswith("dd="):
            raise AssertionError("tracestate %r does not start with the dd member" % self.members)
        if sum(1 for m in self.members if m.startswith("dd=")) != 1:
            raise AssertionError("tracestate %r has more than one dd member" % self.members)
        fields = {}
        for sub in self.members[0][3:].split(";"):
            key, _, val = sub.partition(":")
            fields[key] = val
        return fields

    def foreign(self):
        return [m for m in self.members if not m.startswith("dd=")]


class Service:
    def __init__(self, endpoint, recorder_port):
        u = urllib.parse.urlsplit(endpoint)
        self.host, self.port, self.path = u.hostname, u.port, u.path or "/"
        self.recorder_port = recorder_port

    def call(self, fields, callbacks=1, arguments=None):
        """Sends `fields` (name, value pairs, repeats allowed, values sent as given) and asks for
        `callbacks` callbacks; returns one Outcome per callback, in order."""
        scope = uuid.uuid4().hex
        urls = ["http://127.0.0.1:%d/%s.%d" % (self.recorder_port, scope, i) for i in range(callbacks)]
        actions = [{"url": u, "arguments": [] if arguments is None else arguments} for u in urls]
        body = json.dumps(actions).encode("ascii")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.putrequest("POST", self.path, skip_accept_encoding=True)
            for k, v in fields:
                conn.putheader(k, v)
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            answer = resp.read()
            if resp.status != 200:
                raise AssertionError("service answered %d %r" % (resp.status, answer[:200]))
        finally:
            conn.close()
        outcomes = []
        for u in urls:
            path = urllib.parse.urlsplit(u).path
            with Recorder.lock:
                got = Recorder.calls.pop(path, None)
            if got is None:
                raise AssertionError("no callback to %s" % path)
            outcomes.append(Outcome(got["fields"], got["body"]))
        return outcomes


def tp(trace=TRACE, parent=PARENT, flags="01", version="00"):
    return "%s-%s-%s-%s" % (version, trace, parent, flags)


# --- expectations -------------------------------------------------------------------------------

def continues(o, trace=TRACE, flags=None):
    """The trace goes on: same trace id, a new span id, version 00 (W3C processing model)."""
    assert o.trace == trace, "trace id %s, expected %s" % (o.trace, trace)
    assert o.parent != PARENT, "the incoming parent id was forwarded instead of a new span id"
    assert o.version == "00", "version %s re-emitted, expected 00" % o.version
    if flags is not None:
        assert o.flags == flags, "flags %s, expected %s" % (o.flags, flags)


def restarts(o, *rejected):
    """The input was not a valid context: a new trace id, unrelated to anything in the input."""
    for r in (TRACE,) + rejected:
        assert o.trace != r and r not in o.trace, "trace id %s reuses rejected %r" % (o.trace, r)
    assert o.foreign() == [], "a rejected traceparent kept its tracestate %r" % o.foreign()


def dd_member(o, s):
    """dd member first, s:<priority>, p:<the forwarded span id> (R-W3C-16, R-W3C-17)."""
    d = o.dd()
    assert d.get("s") == s, "dd s:%r, expected %r" % (d.get("s"), s)
    assert d.get("p") == o.parent, "dd p:%r, expected the forwarded span id %s" % (d.get("p"), o.parent)
    return d


def with_tp(*ts_fields, flags="00"):
    return [("traceparent", tp(flags=flags))] + [("tracestate", v) for v in ts_fields]


CASES = []


def case(name):
    def add(fn):
        CASES.append((name, fn))
        return fn
    return add


# --- traceparent --------------------------------------------------------------------------------

@case("no context: a new trace, sampled, dd member with s:1 and t.dm:-0")
def _(svc):
    o = svc.call([])[0]
    restarts(o)
    assert o.flags == "01"
    d = dd_member(o, "1")
    assert d.get("t.dm") == "-0", d


@case("valid traceparent, sampled: trace continued, new span id, flags 01")
def _(svc):
    o = svc.call([("traceparent", tp())])[0]
    continues(o, flags="01")
    dd_member(o, "1")
    assert o.foreign() == []


@case("valid traceparent, not sampled: flags 00, dd s:0")
def _(svc):
    o = svc.call([("traceparent", tp(flags="00"))])[0]
    continues(o, flags="00")
    dd_member(o, "0")


@case("field name casing does not matter")
def _(svc):
    for name in ("TraceParent", "tRaCePaReNt", "TRACEPARENT"):
        continues(svc.call([(name, tp())])[0])


@case("look-alike field names are not traceparent")
def _(svc):
    for name in ("trace-parent", "trace.parent", "trace_parent", "traceparents"):
        restarts(svc.call([(name, tp())])[0])


@case("two different traceparent fields: neither is used")
def _(svc):
    other = "0af7651916cd43dd8448eb211c80319d"
    restarts(svc.call([("traceparent", tp()), ("traceparent", tp(trace=other))])[0], other)


@case("the same traceparent twice is one value")
def _(svc):
    continues(svc.call([("traceparent", tp()), ("traceparent", tp())])[0])


@case("version 00 admits nothing after the flags")
def _(svc):
    for tail in (".", "-", "-00", "-what-comes-next", "0"):
        restarts(svc.call([("traceparent", tp() + tail)])[0])


@case("a future version is read as 00 when a dash or the end follows the flags")
def _(svc):
    continues(svc.call([("traceparent", tp(version="cc"))])[0], flags="01")
    continues(svc.call([("traceparent", tp(version="cc") + "-anything-later")])[0], flags="01")
    continues(svc.call([("traceparent", tp(version="fe", flags="00") + "-x")])[0], flags="00")
    restarts(svc.call([("traceparent", tp(version="cc") + ".anything")])[0])
    restarts(svc.call([("traceparent", tp(version="cc") + "1")])[0])


@case("version ff and malformed versions are rejected")
def _(svc):
    for v in ("ff", ".0", "0.", "0", "000", "0g", "A0"):
        value = "%s-%s-%s-01" % (v, TRACE, PARENT)
        restarts(svc.call([("traceparent", value)])[0])


@case("trace id: all zero, non-hex, upper case, too short or too long are rejected")
def _(svc):
    bad = [ZERO_TRACE, "." + TRACE[1:], TRACE[:-1] + ".", TRACE.upper(), TRACE[:-1], TRACE + "1",
           "1" + TRACE]
    for t in bad:
        restarts(svc.call([("traceparent", tp(trace=t))])[0], t, t[:32], t[-32:])


@case("parent id: all zero, non-hex, too short or too long are rejected")
def _(svc):
    for p in ("0" * 16, "." + PARENT[1:], PARENT[:-1] + ".", PARENT[:-1], PARENT + "1", PARENT.upper()):
        restarts(svc.call([("traceparent", tp(parent=p))])[0])


@case("flags: non-hex, one digit or three digits are rejected")
def _(svc):
    for f in (".0", "0.", "1", "001", "0x", "g1"):
        restarts(svc.call([("traceparent", tp(flags=f))])[0])


@case("only the sampled bit of the flags is forwarded (DATADOG: no random flag, R-W3C-15)")
def _(svc):
    continues(svc.call([("traceparent", tp(flags="03"))])[0], flags="01")
    continues(svc.call([("traceparent", tp(flags="02"))])[0], flags="00")
    continues(svc.call([("traceparent", tp(flags="ff"))])[0], flags="01")


@case("spaces and tabs around the traceparent value are ignored")
def _(svc):
    for value in (" " + tp(), "\t" + tp(), tp() + " ", tp() + "\t", " \t" + tp() + "\t "):
        continues(svc.call([("traceparent", value)])[0])


@case("several callbacks: one trace id, a different span id for each")
def _(svc):
    outs = svc.call([("traceparent", tp())], callbacks=3)
    for o in outs:
        continues(o)
    assert len({o.parent for o in outs}) == 3, [o.parent for o in outs]
    outs = svc.call([], callbacks=3)
    assert len({o.trace for o in outs}) == 1 and len({o.parent for o in outs}) == 3
    outs = svc.call([("traceparent", tp(trace=ZERO_TRACE))], callbacks=3)
    assert ZERO_TRACE not in {o.trace for o in outs} and len({o.parent for o in outs}) == 3


@case("the arguments of an action are the body of its callback")
def _(svc):
    nested = [{"url": "http://127.0.0.1:1/next", "arguments": [{"k": "v \u00e9"}, 1, None]}]
    o = svc.call([("traceparent", tp())], arguments=nested)[0]
    assert json.loads(o.body) == nested, o.body


# --- tracestate ---------------------------------------------------------------------------------

@case("tracestate without traceparent is ignored")
def _(svc):
    o = svc.call([("tracestate", "foo=1,bar=2")])[0]
    restarts(o)


@case("tracestate under a rejected traceparent is ignored")
def _(svc):
    o = svc.call([("traceparent", tp(parent="0" * 16)), ("tracestate", "foo=1")])[0]
    restarts(o)


@case("foreign members are forwarded in order, after the dd member")
def _(svc):
    o = svc.call(with_tp("foo=1,bar=2"))[0]
    continues(o, flags="00")
    dd_member(o, "0")
    assert o.foreign() == ["foo=1", "bar=2"], o.members


@case("tracestate field name casing does not matter; look-alikes are ignored")
def _(svc):
    for name in ("TraceState", "tRaCeStAtE", "TRACESTATE"):
        o = svc.call([("traceparent", tp()), (name, "foo=1")])[0]
        assert o.foreign() == ["foo=1"], (name, o.members)
    for name in ("trace-state", "trace.state", "trace_state"):
        o = svc.call([("traceparent", tp()), (name, "foo=1")])[0]
        continues(o)
        assert o.foreign() == [], (name, o.members)


@case("empty tracestate fields are accepted and add nothing")
def _(svc):
    o = svc.call(with_tp(""))[0]
    continues(o)
    assert o.foreign() == []
    for fields in (with_tp("foo=1", ""), with_tp("", "foo=1")):
        o = svc.call(fields)[0]
        continues(o)
        assert o.foreign() == ["foo=1"], o.members


@case("several tracestate fields are joined in order (R-HDR-4)")
def _(svc):
    o = svc.call(with_tp("foo=1,bar=2", "rojo=1,congo=2", "baz=3"))[0]
    assert o.foreign() == ["foo=1", "bar=2", "rojo=1", "congo=2", "baz=3"], o.members


@case("spaces and tabs around members are dropped, empty members skipped")
def _(svc):
    for value in ("foo=1 \t , \t bar=2, \t baz=3", "foo=1\t \t,\t \tbar=2,\t \tbaz=3", " foo=1,,bar=2 ,baz=3\t"):
        o = svc.call(with_tp(value))[0]
        assert o.foreign() == ["foo=1", "bar=2", "baz=3"], (value, o.members)


@case("every character the grammar allows survives byte for byte")
def _(svc):
    key = "".join(chr(c) for c in range(0x61, 0x7B)) + "0123456789_-*/"
    value = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in ",=")
    for k in (key, key + "@a-z0-9_-*/", "t" * 241 + "@" + "v" * 14):
        o = svc.call(with_tp(k + "=" + value.rstrip(" ")))[0]
        assert o.foreign() == [k + "=" + value.rstrip(" ")], o.members


@case("an incoming dd member is replaced, its fields carried into the new one (R-W3C-10, R-W3C-16)")
def _(svc):
    o = svc.call(with_tp("foo=1,dd=s:2;o:rum;t.dm:-4;p:0123456789abcdef,bar=2", flags="01"))[0]
    continues(o, flags="01")
    d = dd_member(o, "2")
    assert d.get("o") == "rum" and d.get("t.dm") == "-4", d
    assert o.foreign() == ["foo=1", "bar=2"], o.members


@case("duplicate keys are forwarded as they came (W3C allows keeping them)")
def _(svc):
    assert svc.call(with_tp("foo=1,foo=2"))[0].foreign() == ["foo=1", "foo=2"]
    assert svc.call(with_tp("foo=1", "foo=1"))[0].foreign() == ["foo=1", "foo=1"]


@case("a member without '=' is dropped, the others kept")
def _(svc):
    assert svc.call(with_tp("foo,bar=1,=x"))[0].foreign() == ["bar=1"]


@case("32 members at most: dd plus the first 31 foreign ones (R-W3C-20)")
def _(svc):
    members = ["bar%02d=%02d" % (i, i) for i in range(1, 33)]
    o = svc.call(with_tp(",".join(members[:10]), ",".join(members[10:20]), ",".join(members[20:])))[0]
    assert len(o.members) == 32 and o.foreign() == members[:31], o.members


@case("DATADOG: 33 incoming members are not discarded; dd plus the first 31 go on (R-W3C-20)")
def _(svc):
    members = ["bar%02d=%02d" % (i, i) for i in range(1, 34)]
    o = svc.call(with_tp(",".join(members)))[0]
    assert len(o.members) == 32 and o.foreign() == members[:31], o.members


@case("DATADOG: members with keys outside the W3C grammar are forwarded verbatim (opaque, R-W3C-9)")
def _(svc):
    for value, expect in (("FOO=1", ["FOO=1"]), ("foo.bar=1", ["foo.bar=1"]), ("foo =1", ["foo =1"]),
                          ("@foo=1,bar=2", ["@foo=1", "bar=2"]), ("z" * 257 + "=1", ["z" * 257 + "=1"])):
        o = svc.call(with_tp(value))[0]
        continues(o)
        assert o.foreign() == expect, (value, o.members)


@case("DATADOG: members with values outside the W3C grammar are forwarded verbatim (opaque, R-W3C-9)")
def _(svc):
    for value, expect in (("foo=bar=baz", ["foo=bar=baz"]), ("foo=,bar=3", ["foo=", "bar=3"])):
        o = svc.call(with_tp(value))[0]
        assert o.foreign() == expect, (value, o.members)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    recorder = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    svc = Service(sys.argv[1], recorder.server_address[1])
    passed = failed = 0
    for name, fn in CASES:
        try:
            fn(svc)
        except Exception as e:  # an assertion, or the service not answering: the case fails
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
        else:
            passed += 1
            print("ok   %s" % name)
    recorder.shutdown()
    print("w3c: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
