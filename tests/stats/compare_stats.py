"""tests/stats/compare_stats.py NODE_DIR C_DIR - the comparison of tests/stats_node_test.sh.

Both directories hold what tests/stats/capture_agent.py recorded for one run of the scenario. The
/v0.6/stats payloads of each run are summed over buckets (the runs' 10 s boundaries need not fall
alike) and over dd-trace-js's split of top-level and other hits of one key, by the key both
tracers fill: Service, Name, Resource, Type, HTTPStatusCode, SpanKind, Synthetics. Per key: Hits,
Errors, TopLevelHits and Duration must be equal, and the OK and error sketches must hold the same
bins once sketches-js's key convention is accounted for (key = sketches-go bin + 1,
docs/stats.md §4), hence the same quantiles. Also checked: the trace requests of both carry
Datadog-Client-Computed-Stats, and the SDK's dropped the rejected traces (the P0 headers)."""
import glob
import os
import struct
import sys

import msgpack

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what)


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        if not c & 0x80:
            return v, i
        s += 7


def fields(b):
    i = 0
    while i < len(b):
        tag, i = varint(b, i)
        f, wt = tag >> 3, tag & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 1:
            v = struct.unpack("<d", b[i:i + 8])[0]
            i += 8
        elif wt == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def sketch_bins(b):
    """{bin: count} of a DDSketch's positive store, and its zero count"""
    bins, zero = {}, 0.0
    for f, wt, v in fields(b):
        if f == 1 and wt == 2:
            for mf, mwt, mv in fields(v):
                if mf == 1:
                    assert abs(mv - 1.01 / 0.99) < 1e-12, mv
                if mf == 2:
                    assert mv == 0, "indexOffset"
        elif f == 2 and wt == 2:
            counts, off = [], 0
            for sf, swt, sv in fields(v):
                if sf == 2 and swt == 2:
                    counts += [struct.unpack("<d", sv[j:j + 8])[0] for j in range(0, len(sv), 8)]
                elif sf == 2 and swt == 1:
                    counts.append(sv)
                elif sf == 3:
                    off = (sv >> 1) ^ -(sv & 1)
                elif sf == 1:
                    raise ValueError("binCounts map not expected")
            for j, c in enumerate(counts):
                if c:
                    bins[off + j] = bins.get(off + j, 0) + c
        elif f == 4:
            zero = v
    return bins, zero


def load(d, shift):
    agg = {}
    for p in sorted(glob.glob(os.path.join(d, "*-v0.6_stats.bin"))):
        payload = msgpack.unpackb(open(p, "rb").read(), raw=False, strict_map_key=False)
        for bucket in payload["Stats"]:
            for g in bucket["Stats"]:
                key = (g["Service"], g["Name"], g["Resource"], g["Type"], int(g["HTTPStatusCode"] or 0),
                       g.get("SpanKind", ""), bool(g["Synthetics"]))
                a = agg.setdefault(key, {"Hits": 0, "Errors": 0, "TopLevelHits": 0, "Duration": 0, "ok": {}, "err": {}})
                for k in ("Hits", "Errors", "TopLevelHits", "Duration"):
                    a[k] += int(g[k])
                for name, field in (("ok", "OkSummary"), ("err", "ErrorSummary")):
                    bins, zero = sketch_bins(g[field])
                    assert zero == 0
                    for k, c in bins.items():
                        a[name][k - shift] = a[name].get(k - shift, 0) + c
    return agg


def headers(d, path):
    out = []
    for p in sorted(glob.glob(os.path.join(d, "*-%s.hdr" % path))):
        h = {}
        for line in open(p):
            k, _, v = line.rstrip("\n").partition(": ")
            h[k.lower()] = v
        out.append(h)
    return out


node_dir, c_dir = sys.argv[1], sys.argv[2]
js = load(node_dir, 1)  # sketches-js keys are sketches-go bins + 1
c = load(c_dir, 0)
check(len(js) > 0 and len(c) > 0, "both tracers sent /v0.6/stats (%d and %d keys)" % (len(js), len(c)))
check(sorted(js) == sorted(c), "same keys: %s" % sorted(set(js) ^ set(c)))
for key in sorted(set(js) & set(c)):
    a, b = js[key], c[key]
    name = "%s %s %s %s %d %s" % key[:6]
    for k in ("Hits", "Errors", "TopLevelHits", "Duration"):
        check(a[k] == b[k], "%s: %s %d (node) == %d (SDK)" % (name, k, a[k], b[k]))
    check(a["ok"] == b["ok"], "%s: OK sketch bins equal (%d bins)" % (name, len(b["ok"])))
    check(a["err"] == b["err"], "%s: error sketch bins equal (%d bins)" % (name, len(b["err"])))
th = headers(node_dir, "v0.4_traces")
check(th and all(h.get("datadog-client-computed-stats") == "yes" for h in th), "node's trace requests say Datadog-Client-Computed-Stats: yes")
th = headers(c_dir, "v0.4_traces")
check(th and all(h.get("datadog-client-computed-stats") == "yes" for h in th), "the SDK's trace requests say Datadog-Client-Computed-Stats: yes")
p0 = sum(int(h.get("datadog-client-dropped-p0-traces", "0")) for h in th)
want = sum(1 for line in open(os.path.join(os.path.dirname(__file__), "scenario.txt"))
           if not line.startswith("#") and line.strip() and line.rstrip("\n").split("|")[10] == "1"
           and line.split("|")[5] == "0")
check(p0 == want, "the SDK dropped the %d rejected traces without an error (Datadog-Client-Dropped-P0-Traces total %d)" % (want, p0))
print("%d passed, %d failed" % (passed, failed))
