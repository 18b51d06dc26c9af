#!/usr/bin/python3
"""tests/xlang/compare.py - normalises the captured scenario payloads and compares them.

    /usr/bin/python3 tests/xlang/compare.py DIR REF NAME...      (DIR/<name>.jsonl from capture_agent.py)
    /usr/bin/python3 tests/xlang/compare.py --self-test DIR REF  (the negative checks)

For each NAME: the payload must hold the scenario of tests/xlang/SCENARIO.md (checked on its own,
so that bindings that are all wrong the same way still fail), and its normalised spans must equal
REF's (a unified diff of the two normalised JSON texts is printed otherwise).
Normalisation (SCENARIO.md): every chunk of every request flattened, spans sorted by name; span
ids, start and duration removed; parent_id, span link span_id and _dd.parent_id replaced by the
name of the span they designate (a remote parent keeps its number: the scenario fixes it); the
values that differ per process, host or binding removed (NOISE_META, NOISE_METRICS);
error.stack's content replaced by "<non-empty>" when non-empty (its presence is kept).
The trace id is kept: the scenario fixes it. Last line: "checks: N passed, N failed".
"""
import copy
import difflib
import json
import os
import sys

# Per process, per host or per binding: removed before comparing.
NOISE_META = {"runtime-id", "language", "_dd.p.tid", "_dd.hostname", "_dd.tracer_version", "_dd.tracer",
              "_dd.container_id", "_dd.git.commit.sha", "_dd.git.repository_url"}
NOISE_METRICS = {"process_id"}
TRACE_ID = 1234567890123456789
NAMES = ["db.query", "http.request", "sqs.receive", "sqs.send"]


def load(path):
    """The requests of one scenario: a list of decoded bodies (lists of chunks)."""
    reqs = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                if "error" in rec:
                    raise ValueError("%s: the agent could not decode a body: %s" % (path, rec["error"]))
                reqs.append(rec["payload"])
    return reqs


def normalise(reqs):
    spans = [s for body in reqs for chunk in body for s in chunk]
    by_id = {}
    for s in spans:
        by_id.setdefault(s.get("span_id"), s.get("name"))
    hex_ids = {"%016x" % i: n for i, n in by_id.items() if isinstance(i, int)}
    out = []
    for s in spans:
        n = {k: v for k, v in s.items() if k not in ("span_id", "start", "duration")}
        pid = s.get("parent_id")
        n["parent"] = by_id.get(pid, pid)  # a name, or the remote parent's fixed number
        n.pop("parent_id", None)
        meta = {k: v for k, v in (s.get("meta") or {}).items() if k not in NOISE_META}
        if "error.stack" in meta:
            meta["error.stack"] = "<non-empty>" if meta["error.stack"] else ""
        if "_dd.parent_id" in meta:
            meta["_dd.parent_id"] = hex_ids.get(meta["_dd.parent_id"], meta["_dd.parent_id"])
        n["meta"] = meta
        n["metrics"] = {k: v for k, v in (s.get("metrics") or {}).items() if k not in NOISE_METRICS}
        links = []
        for l in s.get("span_links") or []:
            l = dict(l)
            l["span_id"] = by_id.get(l.get("span_id"), l.get("span_id"))
            links.append(l)
        if links:
            n["span_links"] = links
        else:
            n.pop("span_links", None)
        out.append(n)
    out.sort(key=lambda x: (str(x.get("name")), json.dumps(x, sort_keys=True)))
    return out


def scenario_problems(spans):
    """What the normalised spans miss of SCENARIO.md's expectations (empty: all there)."""
    bad = []
    names = sorted(s.get("name") for s in spans)
    if names != NAMES:
        return ["span names %s, want %s" % (names, NAMES)]
    sp = {s["name"]: s for s in spans}

    def want(cond, what):
        if not cond:
            bad.append(what)

    for s in spans:
        want(s.get("trace_id") == TRACE_ID, "%s: trace_id %s" % (s["name"], s.get("trace_id")))
        want(s["meta"].get("_dd.origin") == "synthetics", "%s: _dd.origin" % s["name"])
        want(s.get("service") == "xlang" and s["meta"].get("env") == "test" and s["meta"].get("version") == "1.0",
             "%s: service/env/version from DD_SERVICE, DD_ENV, DD_VERSION" % s["name"])
    for root in ("http.request", "sqs.receive"):  # the two local roots carry the trace's decision
        m, x = sp[root]["meta"], sp[root]["metrics"]
        want(x.get("_sampling_priority_v1") == 2 and m.get("_dd.p.dm") == "-4", root + ": priority 2, _dd.p.dm=-4")
    r, d, q, c = sp["http.request"], sp["db.query"], sp["sqs.send"], sp["sqs.receive"]
    want(r["parent"] == 987654321 and r.get("resource") == "GET /checkout" and r.get("type") == "web",
         "http.request: parent 987654321, resource, type")
    want(all(r["meta"].get(k) == v for k, v in (("span.kind", "server"), ("http.method", "GET"),
                                                 ("http.url", "http://shop.local/checkout"), ("customer.tier", "gold"),
                                                 ("http.status_code", "500"), ("error.type", "ValueError"),
                                                 ("error.message", "boom"), ("error.stack", "<non-empty>"))),
         "http.request: kind, http tags, customer.tier, status 500, error type/message/stack")
    want(r.get("error") == 1 and r["metrics"].get("cart.items") == 3, "http.request: error 1, cart.items 3")
    want(d["parent"] == "http.request" and d.get("resource") == "SELECT * FROM carts" and d.get("type") == "sql"
         and d["meta"].get("db.system") == "postgresql" and d["metrics"].get("db.rows") == 7 and d.get("error") == 0,
         "db.query: child of http.request, resource, type, db.system, db.rows 7")
    want(q["parent"] == "http.request" and q.get("resource") == "orders" and q["meta"].get("span.kind") == "producer",
         "sqs.send: child of http.request, resource orders, kind producer")
    want(c["parent"] == "sqs.send" and c.get("resource") == "orders" and c["meta"].get("span.kind") == "consumer",
         "sqs.receive: child of sqs.send (through _datadog), resource orders, kind consumer")
    links = c.get("span_links") or []
    want(len(links) == 1 and links[0].get("trace_id") == TRACE_ID and links[0].get("span_id") == "sqs.send"
         and (links[0].get("attributes") or {}).get("link.kind") == "queue",
         "sqs.receive: one span link to the extracted context (sqs.send), attribute link.kind=queue")
    for s in (d, q):
        want("span_links" not in s and s.get("error") == 0, s["name"] + ": no link, no error")
    return bad


def text(spans):
    return json.dumps(spans, indent=1, sort_keys=True).splitlines()


def diff(ref_name, ref, name, got):
    """A unified diff of the normalised JSON, empty when equal."""
    return list(difflib.unified_diff(text(ref), text(got), ref_name, name, lineterm="", n=4))


class Checks:
    def __init__(self):
        self.p = self.f = 0

    def __call__(self, cond, what, detail=()):
        if cond:
            self.p += 1
            print("ok   " + what)
        else:
            self.f += 1
            print("FAIL " + what)
            for line in detail:
                print("     " + line)

    def end(self):
        print("checks: %d passed, %d failed" % (self.p, self.f))
        return 0


def self_test(check, ref_name, ref):
    """Negative checks: the comparison must see deliberate changes, the expectations must catch a
    payload that is wrong the same way in every language."""
    changes = [
        ("db.rows 7 -> 8", lambda sp: sp["db.query"]["metrics"].__setitem__("db.rows", 8.0)),
        ("customer.tier removed", lambda sp: sp["http.request"]["meta"].pop("customer.tier")),
        ("sqs.receive parented to http.request", lambda sp: sp["sqs.receive"].__setitem__("parent", "http.request")),
        ("error.stack missing", lambda sp: sp["http.request"]["meta"].pop("error.stack")),
        ("span link dropped", lambda sp: sp["sqs.receive"].pop("span_links")),
        ("span.kind producer -> client", lambda sp: sp["sqs.send"]["meta"].__setitem__("span.kind", "client")),
    ]
    for what, change in changes:
        alt = copy.deepcopy(ref)
        change({s["name"]: s for s in alt})
        d = diff(ref_name, ref, "altered", alt)
        check(bool(d), "negative: %s is reported as a difference (%d diff lines)" % (what, len(d)))
        check(bool(scenario_problems(alt)), "negative: %s breaks the scenario's expectations" % what)
    # Normalisation must keep what it is told to keep: an error.stack emptied is a difference.
    alt = copy.deepcopy(ref)
    {s["name"]: s for s in alt}["http.request"]["meta"]["error.stack"] = ""
    check(bool(diff(ref_name, ref, "altered", alt)), "negative: an empty error.stack differs from a non-empty one")


def main(argv):
    check = Checks()
    if len(argv) >= 2 and argv[1] == "--self-test":
        d, ref_name = argv[2], argv[3]
        ref = normalise(load(os.path.join(d, ref_name + ".jsonl")))
        self_test(check, ref_name, ref)
        return check.end()
    d, ref_name, names = argv[1], argv[2], argv[3:]
    try:
        ref = normalise(load(os.path.join(d, ref_name + ".jsonl")))
    except (OSError, ValueError) as e:
        check(False, "%s: payload captured and decoded (%s)" % (ref_name, e))
        return check.end()
    probs = scenario_problems(ref)
    check(not probs, "%s: the payload holds the scenario of SCENARIO.md" % ref_name, probs)
    for name in names:
        try:
            got = normalise(load(os.path.join(d, name + ".jsonl")))
        except (OSError, ValueError) as e:
            check(False, "%s: payload captured and decoded (%s)" % (name, e))
            continue
        probs = scenario_problems(got)
        check(not probs, "%s: the payload holds the scenario of SCENARIO.md" % name, probs)
        dl = diff(ref_name, ref, name, got)
        check(not dl, "%s: normalised spans equal %s's" % (name, ref_name), dl)
    return check.end()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
