#!/usr/bin/python3
"""Decodes the requests written by tests/trace_payload_gen.c with python3-msgpack and checks every
field, msgpack type and tag against docs/agent-protocol.md. The expectations are written
here by hand. Each check group counts as one case; the last line is
"trace_payload: N passed, N failed".

    trace_payload_check.py OUT_DIR
"""
import glob
import os
import re
import sys

import msgpack

OUT = sys.argv[1]
VERSION = re.search(r'#define DDTRACE_VERSION_STRING "([^"]+)"',
                    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dd_trace.h")).read()).group(1)
passed = 0
failed = 0


def case(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
    except AssertionError as e:
        failed += 1
        print("FAIL %s: %s" % (name, e))
    except Exception as e:  # a decoding error is a failure too
        failed += 1
        print("FAIL %s: %r" % (name, e))


def eq(got, want, what):
    assert got == want, "%s: got %r, want %r" % (what, got, want)


# --- a small msgpack type scanner: python3-msgpack gives values, this gives the wire types ---
class T:
    def __init__(self, kind, code, value=None, items=None):
        self.kind, self.code, self.value, self.items = kind, code, value, items


def scan(b, i=0):
    """Returns (T, next offset). kind: uint, int, f32, f64, str, bin, nil, bool, array, map."""
    c = b[i]
    if c <= 0x7F:
        return T("uint", c, c), i + 1
    if c >= 0xE0:
        return T("int", c, c - 256), i + 1
    if 0xA0 <= c <= 0xBF:
        n = c & 0x1F
        return T("str", c, b[i + 1:i + 1 + n]), i + 1 + n
    if 0x90 <= c <= 0x9F:
        return scan_array(b, i + 1, c & 0x0F, c)
    if 0x80 <= c <= 0x8F:
        return scan_map(b, i + 1, c & 0x0F, c)
    if c == 0xC0:
        return T("nil", c), i + 1
    if c in (0xC2, 0xC3):
        return T("bool", c, c == 0xC3), i + 1
    widths = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}
    if c in widths:
        w = widths[c]
        return T("uint", c, int.from_bytes(b[i + 1:i + 1 + w], "big")), i + 1 + w
    widths = {0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}
    if c in widths:
        w = widths[c]
        return T("int", c, int.from_bytes(b[i + 1:i + 1 + w], "big", signed=True)), i + 1 + w
    if c == 0xCA:
        return T("f32", c), i + 5
    if c == 0xCB:
        import struct
        return T("f64", c, struct.unpack(">d", b[i + 1:i + 9])[0]), i + 9
    for code, w, kind in ((0xD9, 1, "str"), (0xDA, 2, "str"), (0xDB, 4, "str"),
                          (0xC4, 1, "bin"), (0xC5, 2, "bin"), (0xC6, 4, "bin")):
        if c == code:
            n = int.from_bytes(b[i + 1:i + 1 + w], "big")
            return T(kind, c, b[i + 1 + w:i + 1 + w + n]), i + 1 + w + n
    if c in (0xDC, 0xDD):
        w = 2 if c == 0xDC else 4
        return scan_array(b, i + 1 + w, int.from_bytes(b[i + 1:i + 1 + w], "big"), c)
    if c in (0xDE, 0xDF):
        w = 2 if c == 0xDE else 4
        return scan_map(b, i + 1 + w, int.from_bytes(b[i + 1:i + 1 + w], "big"), c)
    raise AssertionError("unexpected msgpack byte 0x%02x at %d" % (c, i))


def scan_array(b, i, n, code):
    items = []
    for _ in range(n):
        t, i = scan(b, i)
        items.append(t)
    return T("array", code, items=items), i


def scan_map(b, i, n, code):
    items = []
    for _ in range(n):
        k, i = scan(b, i)
        v, i = scan(b, i)
        items.append((k, v))
    return T("map", code, items=items), i


def load(name):
    """(decoded value, type tree, headers dict, request line) of OUT/name.bin/.hdr."""
    raw = open(os.path.join(OUT, name + ".bin"), "rb").read()
    value = msgpack.unpackb(raw, raw=False, strict_map_key=False)
    tree, end = scan(raw)
    eq(end, len(raw), name + ": exactly one msgpack value in the body")
    lines = open(os.path.join(OUT, name + ".hdr")).read().splitlines()
    headers = {}
    for line in lines[1:]:
        k, v = line.split(": ", 1)
        assert k.lower() not in headers, "duplicate header " + k
        headers[k.lower()] = v
    return value, tree, headers, lines[0]


def pid_of(scenario):
    return int(open(os.path.join(OUT, scenario + ".pid")).read())


SPAN_KEYS = ["trace_id", "span_id", "parent_id", "name", "service", "resource", "type", "start",
             "duration", "error", "meta", "metrics"]
UINT = ("uint",)


def check_span_types(tspan, what):
    """docs/agent-protocol.md §2.2: the 12 (or 13 with span_links) keys and their types."""
    assert tspan.kind == "map", what + ": span is not a map"
    keys = [k.value.decode() for k, _ in tspan.items]
    for k, _ in tspan.items:
        eq(k.kind, "str", what + ": key type")
    want = SPAN_KEYS + (["span_links"] if "span_links" in keys else [])
    eq(sorted(keys), sorted(want), what + ": span keys")
    f = {k.value.decode(): v for k, v in tspan.items}
    for k in ("trace_id", "span_id", "parent_id"):
        eq(f[k].kind, "uint", what + ": " + k + " is an unsigned integer (uint64)")
    for k in ("start", "duration"):
        assert f[k].kind in ("uint", "int"), what + ": " + k + " is an integer"
        assert 0 <= f[k].value <= 2**63 - 1, what + ": " + k + " fits int64"
    assert f["error"].kind in ("uint", "int") and f["error"].value in (0, 1), what + ": error is int32 0/1"
    for k in ("name", "service", "resource", "type"):
        eq(f[k].kind, "str", what + ": " + k + " is str (never bin)")
        f[k].value.decode("utf-8")  # valid UTF-8
    eq(f["meta"].kind, "map", what + ": meta is a map")
    for mk, mv in f["meta"].items:
        eq((mk.kind, mv.kind), ("str", "str"), what + ": meta is str -> str")
        mk.value.decode("utf-8")
        mv.value.decode("utf-8")
    eq(f["metrics"].kind, "map", what + ": metrics is a map")
    for mk, mv in f["metrics"].items:
        eq(mk.kind, "str", what + ": metrics key is str")
        eq(mv.kind, "f64", what + ": metrics value %s is float64" % mk.value.decode())
    if "span_links" in f:
        eq(f["span_links"].kind, "array", what + ": span_links is an array")
        for link in f["span_links"].items:
            lk = {k.value.decode(): v for k, v in link.items}
            assert set(lk) <= {"trace_id", "trace_id_high", "span_id", "attributes", "tracestate", "flags"}, \
                what + ": unknown span link key (libdatadog rejects it)"
            for k in ("trace_id", "trace_id_high", "span_id"):
                eq(lk[k].kind, "uint", what + ": link " + k)
            if "flags" in lk:
                eq(lk["flags"].kind, "uint", what + ": link flags")
                assert lk["flags"].value < 2**32 and lk["flags"].value & 0x80000000, what + ": flags uint32 with bit 31"


def check_payload_types(tree, what):
    eq(tree.kind, "array", what + ": payload is an array of chunks")
    for ci, chunk in enumerate(tree.items):
        eq(chunk.kind, "array", what + ": chunk is an array")
        assert chunk.items, what + ": chunk is not empty"
        for si, span in enumerate(chunk.items):
            check_span_types(span, "%s chunk %d span %d" % (what, ci, si))


def check_headers(h, line, n_chunks, what, lang="c"):
    eq(line, "POST /v0.4/traces", what + ": request line")
    eq(h.get("content-type"), "application/msgpack", what + ": Content-Type")
    eq(h.get("datadog-meta-lang"), lang, what + ": Datadog-Meta-Lang")
    assert h.get("datadog-meta-lang-version"), what + ": Datadog-Meta-Lang-Version"
    # docs/agent-protocol.md §4: required by system-tests test_traces_header_present (the compiler)
    assert h.get("datadog-meta-lang-interpreter") in ("gcc", "clang"), what + ": Datadog-Meta-Lang-Interpreter"
    eq(h.get("datadog-meta-tracer-version"), VERSION, what + ": Datadog-Meta-Tracer-Version")
    eq(h.get("x-datadog-trace-count"), str(n_chunks), what + ": X-Datadog-Trace-Count = chunks in the body")
    # docs/agent-protocol.md §4 and §7: the tracer marks top-level spans itself (_dd.top_level), so it says so; it
    # computes no stats, so it must not claim it (the agent would then skip stats: docs/agent-protocol.md §8)
    assert h.get("datadog-client-computed-top-level", "").lower() not in ("", "0", "f", "false"), \
        what + ": Datadog-Client-Computed-Top-Level"
    assert "datadog-client-computed-stats" not in h, what + ": no Datadog-Client-Computed-Stats"
    assert "datadog-client-dropped-p0-traces" not in h, what + ": no client-side P0 dropping"


RUNTIME_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
WALL0 = 1732170000123456789
TID_HI = "%016x" % (1732170000 << 32)  # 673ed11000000000


# --- basic ---
def basic():
    v, tree, h, line = load("basic.0")
    return v, tree, h, line


def t_basic_envelope():
    v, tree, h, line = basic()
    check_headers(h, line, 1, "basic")
    check_payload_types(tree, "basic")
    eq(len(v), 1, "one chunk")
    eq(len(v[0]), 3, "three spans")
    assert not glob.glob(os.path.join(OUT, "basic.1.bin")), "one request only"


def t_basic_root():
    v, _, _, _ = basic()
    root = v[0][0]
    eq(root["trace_id"], 0x91A2B3C4D5E6F708, "trace_id = low 64 bits")
    eq(root["span_id"], 0x11, "span_id")
    eq(root["parent_id"], 0, "root parent_id")
    eq((root["name"], root["service"], root["resource"], root["type"]),
       ("http.request", "svc", "GET /users", "web"), "names")
    eq(root["start"], WALL0 + 1000, "start ns")
    eq(root["duration"], 1501500, "duration ns")
    eq(root["error"], 0, "error")
    meta = dict(root["meta"])
    assert RUNTIME_ID.match(meta.pop("runtime-id")), "runtime-id is a UUID v4"
    eq(meta, {"_dd.p.dm": "-0", "_dd.p.tid": TID_HI, "language": "c", "http.method": "GET",
              "span.kind": "server", "env": "prod", "version": "1.2.3", "team": "core", "region": "eu"},
       "root meta")
    eq(root["metrics"], {"_sampling_priority_v1": 1.0, "process_id": float(pid_of("basic")),
                         "_dd.agent_psr": 1.0, "_dd.top_level": 1.0, "http.status_code_num": 200.0},
       "root metrics")


def t_basic_children():
    v, _, _, _ = basic()
    db, cache = v[0][1], v[0][2]
    eq((db["trace_id"], db["span_id"], db["parent_id"]), (0x91A2B3C4D5E6F708, 0x22, 0x11), "db ids")
    eq((db["name"], db["service"], db["resource"], db["type"]), ("db.query", "svc", "SELECT ?", "sql"), "db names")
    eq((db["start"], db["duration"], db["error"]), (WALL0 + 1500, 1000, 1), "db times, error")
    eq(db["meta"], {"language": "c", "error.type": "ETIMEDOUT", "error.message": "timeout",
                    "error.stack": "at db.c:12", "env": "prod", "version": "1.2.3", "team": "core",
                    "region": "eu"}, "db meta")
    eq(db["metrics"], {"_dd.measured": 1.0, "rows": 3.0}, "db metrics: measured, not top-level")
    eq((cache["span_id"], cache["parent_id"], cache["service"], cache["resource"]),
       (0x33, 0x11, "redis", "cache.get"), "cache: another service, resource defaults to the name")
    eq((cache["start"], cache["duration"]), (WALL0 + 2500, 250), "explicit finish time")
    eq(cache["meta"], {"language": "c", "env": "override", "team": "core", "region": "eu"},
       "cache meta: the span's env wins; no version for another service")
    eq(cache["metrics"], {"_dd.top_level": 1.0}, "service entry span is top-level")


# --- context ---
def t_context():
    v, tree, h, line = load("context.0")
    check_headers(h, line, 1, "context")
    check_payload_types(tree, "context")
    root, child = v[0]
    eq(root["trace_id"], 0xC151DF7D6EE5E2D6, "extracted trace id (low)")
    eq(root["parent_id"], 0xA3978FB9B92502A8, "remote parent")
    eq(child["parent_id"], root["span_id"], "child of the local root")
    meta = dict(root["meta"])
    assert RUNTIME_ID.match(meta.pop("runtime-id"))
    eq(meta, {"_dd.p.usr.id": "baz64", "_dd.p.dm": "-4", "_dd.p.tid": "640cfd8d00000000", "language": "c",
              "_dd.origin": "synthetics", "_dd.parent_id": "a3978fb9b92502a8"}, "local root meta")
    eq(root["metrics"], {"_sampling_priority_v1": 2.0, "process_id": float(pid_of("context")),
                         "_dd.top_level": 1.0}, "extracted priority kept, no sampler rates")
    eq(child["meta"], {"language": "c", "_dd.origin": "synthetics"}, "child meta: origin on every span")
    eq(child["metrics"], {}, "child metrics")
    eq(root["span_links"], [{"trace_id": 0x2222222222222222, "trace_id_high": 0x1111111111111111,
                             "span_id": 0x3333333333333333,
                             "attributes": {"reason": "terminated_context", "context_headers": "tracecontext"},
                             "tracestate": "dd=s:2;o:rum", "flags": 0x80000001}], "span_links")
    assert "span_links" not in child


# --- upstream_ksr: docs/sampling.md §8 ("an extracted upstream ksr is propagated unchanged") and §9 ---
def t_upstream_ksr():
    v, tree, h, line = load("upstream_ksr.0")
    check_headers(h, line, 1, "upstream_ksr")
    check_payload_types(tree, "upstream_ksr")
    root, child = v[0]
    eq(root["meta"].get("_dd.p.ksr"), "1.000000", "upstream _dd.p.ksr on the chunk root, unchanged")
    eq(root["meta"].get("_dd.p.dm"), "-3", "upstream _dd.p.dm on the chunk root")
    eq(root["metrics"].get("_sampling_priority_v1"), 2.0, "upstream priority")
    for k in ("_dd.rule_psr", "_dd.agent_psr", "_dd.limit_psr"):
        assert k not in root["metrics"], "no local rate tag for an inherited decision: " + k
    assert "_dd.p.ksr" not in child["meta"], "only on the chunk root"
    ptags = dict(kv.split("=", 1) for kv in open(os.path.join(OUT, "upstream_ksr.ptags")).read().split(","))
    eq(ptags.get("_dd.p.ksr"), "1.000000", "injected context keeps the upstream _dd.p.ksr")
    eq(ptags.get("_dd.p.dm"), "-3", "injected context keeps the upstream _dd.p.dm")


# --- many_ptags: docs/agent-protocol.md §2.3, the propagated _dd.p.* tags go on the chunk root ---
def t_many_ptags():
    v, tree, h, line = load("many_ptags.0")
    check_payload_types(tree, "many_ptags")
    meta = v[0][0]["meta"]
    for i in range(40):
        eq(meta.get("_dd.p.k%02d" % i), "v", "propagated tag %d of 40 on the chunk root" % i)


# --- id64 ---
def t_id64():
    v, tree, h, line = load("id64.0")
    check_headers(h, line, 1, "id64")
    check_payload_types(tree, "id64")
    s = v[0][0]
    eq(s["trace_id"], 0x71A2B3C4D5E6F708, "64-bit trace id: bit 63 cleared")
    eq(s["span_id"], 0x66, "span id: bit 63 cleared")
    assert "_dd.p.tid" not in s["meta"], "no _dd.p.tid in 64-bit mode"
    assert "_dd.p.dm" not in s["meta"], "_dd.p.dm removed when priority <= 0"
    eq(s["metrics"]["_sampling_priority_v1"], -1.0, "manual reject")
    eq((s["name"], s["resource"]), ("job", "job"), "resource follows a renamed span")


# --- partial ---
def t_partial():
    v0, t0, h0, l0 = load("partial.0")
    v1, t1, h1, l1 = load("partial.1")
    check_headers(h0, l0, 1, "partial.0")
    check_headers(h1, l1, 1, "partial.1")
    check_payload_types(t0, "partial.0")
    check_payload_types(t1, "partial.1")
    a, b = v0[0], v1[0]
    eq(len(a) + len(b), 4, "4 spans in two chunks")
    eq({s["trace_id"] for s in a + b}, {0x77}, "one trace id")
    for chunk, what in ((a, "first chunk"), (b, "second chunk")):
        first = chunk[0]
        eq(first["meta"].get("_dd.p.tid"), TID_HI, what + ": _dd.p.tid on its first span")
        eq(first["meta"].get("_dd.p.dm"), "-0", what + ": _dd.p.dm on its first span")
        eq(first["metrics"].get("_sampling_priority_v1"), 1.0, what + ": priority on its first span")
        for s in chunk[1:]:
            assert "_sampling_priority_v1" not in s["metrics"] and "_dd.p.tid" not in s["meta"], what
    eq(b[0]["parent_id"], 0, "the local root opens the last chunk")


# --- split ---
def t_split():
    files = sorted(glob.glob(os.path.join(OUT, "split.*.bin")))
    assert len(files) >= 2, "several requests"
    total = 0
    ids = set()
    for f in files:
        name = os.path.basename(f)[:-4]
        v, tree, h, line = load(name)
        assert os.path.getsize(f) <= 2000, name + ": body under max_request_bytes"
        check_headers(h, line, len(v), name)
        check_payload_types(tree, name)
        total += len(v)
        for chunk in v:
            ids.add(chunk[0]["trace_id"])
    eq(total, 40, "every chunk sent once")
    eq(len(ids), 40, "no chunk duplicated")


# --- too_large: docs/agent-protocol.md §5.2, 413 = split the payload, do not retry it as is ---
def t_too_large():
    files = sorted(glob.glob(os.path.join(OUT, "too_large.*.bin")),
                   key=lambda f: int(os.path.basename(f).split(".")[1]))
    sizes = [os.path.getsize(f) for f in files]
    assert sizes and sizes[0] > 1500, "the first request holds all 12 traces: %r" % sizes
    refused = [n for n in sizes if n > 1500]
    assert all(b < a for a, b in zip(refused, refused[1:])), "a refused body is never sent again: %r" % sizes
    v0, _, _, _ = load("too_large.0")
    eq(len(v0), 12, "the refused request had the 12 chunks")
    ids = []
    for f in files[1:]:
        name = os.path.basename(f)[:-4]
        v, tree, h, line = load(name)
        check_headers(h, line, len(v), name)
        check_payload_types(tree, name)
        if os.path.getsize(f) <= 1500:  # accepted
            ids += [chunk[0]["trace_id"] for chunk in v]
    eq(sorted(ids), sorted(chunk[0]["trace_id"] for chunk in v0), "every chunk delivered once after the split")


# --- agent_rate ---
def t_agent_rate():
    v0, _, _, _ = load("agent_rate.0")
    v1, tree, h, line = load("agent_rate.1")
    check_payload_types(tree, "agent_rate.1")
    first, second = v0[0][0], v1[0][0]
    eq(first["metrics"]["_sampling_priority_v1"], 1.0, "before the agent's rates: default keep")
    eq(first["meta"]["_dd.p.dm"], "-0", "default mechanism")
    eq(second["metrics"]["_sampling_priority_v1"], 0.0, "agent rate 0: auto reject")
    eq(second["metrics"]["_dd.agent_psr"], 0.0, "_dd.agent_psr")
    assert "_dd.p.dm" not in second["meta"], "no _dd.p.dm on a rejected trace"
    eq(second["meta"]["env"], "prod", "env tag")


# --- strings ---
def t_strings():
    v, tree, h, line = load("strings.0")
    check_payload_types(tree, "strings")
    m = v[0][0]["meta"]
    eq(m["bad"], "a\ufffdb", "invalid UTF-8 replaced by U+FFFD")
    eq(m["empty"], "", "empty value kept")
    eq(m["long"], "v" * 3000, "long value intact")
    eq(m["utf8"], "caf\u00e9 \u20ac", "valid UTF-8 intact")


for name, fn in [("basic envelope and headers", t_basic_envelope), ("basic root span", t_basic_root),
                 ("basic child spans", t_basic_children), ("extracted context", t_context),
                 ("upstream _dd.p.ksr kept", t_upstream_ksr), ("40 propagated tags", t_many_ptags),
                 ("64-bit ids and manual reject", t_id64), ("partial flush chunks", t_partial),
                 ("split requests", t_split), ("413: split and resend", t_too_large),
                 ("agent rates applied", t_agent_rate),
                 ("strings and UTF-8", t_strings)]:
    case(name, fn)
print("trace_payload: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
