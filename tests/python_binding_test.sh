#!/usr/bin/env bash
# The Python package (bindings/python), installed as a user would, offline:
#   (1) a fresh venv (Debian's python3-venv, --system-site-packages for python3-wheel, python3-pytest
#       and python3-msgpack) and `pip install --no-build-isolation --no-index bindings/python`, which
#       compiles the SDK into the package; the wheel is tagged for the platform, not pure;
#   (2) the package's pytest suite (bindings/python/tests) with Debian's python3-pytest, against the
#       installed package (the version equals DDTRACE_VERSION_STRING of the repository's dd_trace.h);
#   (3) the package's example and its README's example against a local capture agent
#       (bindings/python/tests/capture_agent.py, bodies decoded with python3-msgpack): their spans
#       arrive through the native sender;
#   (4) the cross-language scenario script (bindings/python/tests/xlang_scenario.py) against the same
#       agent: 4 spans of trace 1234567890123456789, priority 2, origin synthetics;
#   (5) every struct the package mirrors in ctypes, compared field by field with the C compiler's
#       sizeof/offsetof for the repository's headers.
# Last line: "python_binding: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/python_binding
rm -rf "$B"
mkdir -p "$B"
PY=/usr/bin/python3
pass=0
fail=0
PIDS=""
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$ROOT/bindings/python/build" "$ROOT"/bindings/python/*.egg-info
    echo "python_binding: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT

# (1) Install offline into a fresh venv.
VENV=$B/venv
if $PY -m venv --system-site-packages "$VENV" >"$B/venv.log" 2>&1; then ok "python3 -m venv"; else
    bad "python3 -m venv (python3-venv missing? scripts/setup.sh installs it)"; cat "$B/venv.log"; exit 0; fi
VPY=$VENV/bin/python
if "$VPY" -m pip install --no-build-isolation --no-index --disable-pip-version-check \
        "$ROOT/bindings/python" >"$B/pip.log" 2>&1; then
    ok "pip install --no-build-isolation --no-index bindings/python (offline; compiles the SDK)"
else
    bad "pip install bindings/python"; tail -n 40 "$B/pip.log"; exit 0
fi
SITE=$("$VPY" -c 'import ddtrace_c, os; print(os.path.dirname(os.path.dirname(ddtrace_c.__file__)))' 2>>"$B/pip.log")
case "$SITE" in
"$VENV"/*) ok "ddtrace_c imports from the venv ($SITE)" ;;
*) bad "ddtrace_c imports from the venv (got '$SITE')" ;;
esac
WHEEL_FILE=$(ls "$SITE"/ddtrace_c-*.dist-info/WHEEL 2>/dev/null | head -n 1)
if [ -n "$WHEEL_FILE" ] && grep -q '^Root-Is-Purelib: false' "$WHEEL_FILE" && grep -q '^Tag: .*linux' "$WHEEL_FILE"; then
    ok "the wheel is platform-specific ($(grep '^Tag:' "$WHEEL_FILE" | head -n 1))"
else
    bad "the wheel's tag (a native library inside: not pure)"; cat "$WHEEL_FILE" 2>/dev/null
fi
SDK_VERSION=$(sed -n 's/^#define DDTRACE_VERSION_STRING "\(.*\)"/\1/p' dd_trace.h | head -n 1)
PKG_VERSION=$("$VPY" -c 'import ddtrace_c; print(ddtrace_c.__version__)' 2>&1)
DIST_VERSION=$("$VPY" -c 'import importlib.metadata as m; print(m.version("ddtrace-c"))' 2>&1)
if [ -n "$SDK_VERSION" ] && [ "$PKG_VERSION" = "$SDK_VERSION" ] && [ "$DIST_VERSION" = "$SDK_VERSION" ]; then
    ok "package version $PKG_VERSION = DDTRACE_VERSION_STRING (distribution metadata too)"
else
    bad "versions: dd_trace.h '$SDK_VERSION', ddtrace_c.__version__ '$PKG_VERSION', metadata '$DIST_VERSION'"
fi

# (2) The pytest suite, run from outside the source tree so that only the installed package imports.
if "$VPY" -c 'import pytest' 2>/dev/null; then
    (cd "$B" && DDTRACE_REPO=$ROOT "$VPY" -m pytest -q -p no:cacheprovider "$ROOT/bindings/python/tests") \
        >"$B/pytest.log" 2>&1
    tail -n 30 "$B/pytest.log"
    summary=$(grep -E '^=* *[0-9]+ (passed|failed|error)' "$B/pytest.log" | tail -n 1)
    [ -z "$summary" ] && summary=$(grep -E '[0-9]+ (passed|failed)' "$B/pytest.log" | tail -n 1)
    np=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || true)
    nf=$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || true)
    ne=$(grep -oE '[0-9]+ errors?' <<<"$summary" | grep -oE '[0-9]+' || true)
    pass=$((pass + ${np:-0}))
    fail=$((fail + ${nf:-0} + ${ne:-0}))
    [ -z "$np" ] && bad "pytest ran no test: $summary"
else
    bad "pytest is not importable (python3-pytest; scripts/setup.sh installs it)"
fi

# (3) + (4) The example and the scenario against a capture agent.
$PY bindings/python/tests/capture_agent.py --ready-file "$B/agent.port" --out "$B/agent.jsonl" --seconds 40 \
    >"$B/agent.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do [ -s "$B/agent.port" ] && break; sleep 0.05; done
URL="http://127.0.0.1:$(cat "$B/agent.port" 2>/dev/null)"
wait_spans() { # $1 = number of spans expected in agent.jsonl
    for _ in $(seq 1 60); do
        [ "$($PY -c 'import json,sys; print(sum(len(json.loads(l)["spans"] or []) for l in open(sys.argv[1]) if l.strip()))' \
            "$B/agent.jsonl" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
if (cd "$B" && env -u DD_SERVICE -u DD_ENV -u DD_VERSION DD_TRACE_AGENT_URL="$URL" DD_TRACE_STARTUP_LOGS=false \
        "$VPY" "$ROOT/bindings/python/examples/example.py") >"$B/example.out" 2>&1; then
    ok "the example runs"; else bad "the example"; cat "$B/example.out"; fi
wait_spans 2
if $PY - "$B/agent.jsonl" "$B/example.out" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
spans = {s["name"]: s for r in recs for s in (r["spans"] or [])}
req, cart = spans.get("http.request", {}), spans.get("cart.load", {})
out = open(sys.argv[2]).read()
ok = (recs and recs[0]["path"] == "/v0.4/traces" and recs[0]["headers"].get("datadog-meta-lang") == "python"
      and req.get("trace_id") == 1234567890123456789 and req.get("parent_id") == 987654321
      and req.get("service") == "shop" and req.get("error") == 1
      and req["meta"].get("error.type") == "builtins.ValueError" and req["meta"].get("error.message") == "payment declined"
      and "Traceback" in req["meta"].get("error.stack", "") and req["metrics"].get("cart.items") == 2.0
      and cart.get("parent_id") == req.get("span_id") and cart.get("type") == "sql"
      and "dd.trace_id=1234567890123456789 dd.span_id=%d" % req.get("span_id", -1) in out)
if not ok:
    print(json.dumps(spans, indent=1)[:3000]); print(out)
sys.exit(0 if ok else 1)
EOF
then ok "the example's trace at the agent: http.request (error with stack, continued trace) and its child cart.load; log line correlated"
else bad "the example's trace at the agent"; fi

# The package README's example, as written.
: >"$B/agent.jsonl"
$PY - "$ROOT/bindings/python/README.md" >"$B/readme_example.py" <<'EOF'
import re, sys
blocks = re.findall(r"\n```python\n(.*?)\n```\n", open(sys.argv[1]).read(), re.S)
print(blocks[0] if len(blocks) == 1 else "raise SystemExit('README: %d python blocks')" % len(blocks))
EOF
if (cd "$B" && env -u DD_SERVICE DD_TRACE_AGENT_URL="$URL" DD_TRACE_STARTUP_LOGS=false "$VPY" readme_example.py) \
        >"$B/readme_example.out" 2>&1; then ok "the package README's example runs"
else bad "the package README's example"; cat "$B/readme_example.out"; fi
wait_spans 2
if $PY - "$B/agent.jsonl" <<'EOF'
import json, sys
spans = {s["name"]: s for l in open(sys.argv[1]) if l.strip() for s in (json.loads(l)["spans"] or [])}
r, c = spans.get("http.request", {}), spans.get("cart.load", {})
sys.exit(0 if r.get("trace_id") == 1234567890123456789 and r.get("service") == "shop" and r["metrics"].get("cart.items") == 2.0
         and c.get("parent_id") == r.get("span_id") and r["meta"].get("env") == "prod" else 1)
EOF
then ok "the package README's example: http.request and its child cart.load at the agent"
else bad "the package README's example's trace"; fi

: >"$B/agent.jsonl"
if (cd "$B" && env -i PATH="$PATH" DD_SERVICE=xlang DD_ENV=test DD_VERSION=1.0 DD_TRACE_AGENT_URL="$URL" \
        "$VPY" "$ROOT/bindings/python/tests/xlang_scenario.py") >"$B/xlang.out" 2>&1; then
    ok "xlang_scenario.py runs (its own asserts)"; else bad "xlang_scenario.py"; cat "$B/xlang.out"; fi
wait_spans 4
if $PY - "$B/agent.jsonl" <<'EOF'
import json, sys
spans = [s for l in open(sys.argv[1]) if l.strip() for s in (json.loads(l)["spans"] or [])]
by = {s["name"]: s for s in spans}
ok = sorted(by) == ["db.query", "http.request", "sqs.receive", "sqs.send"] and len(spans) == 4
ok = ok and all(s["trace_id"] == 1234567890123456789 and s["meta"].get("_dd.origin") == "synthetics"
                and s["service"] == "xlang" and s["meta"].get("env") == "test" for s in spans)
ok = ok and all(by[n]["metrics"].get("_sampling_priority_v1") == 2.0 and by[n]["meta"].get("_dd.p.dm") == "-4"
                for n in ("http.request", "sqs.receive"))
r = by.get("http.request", {})
ok = ok and r.get("error") == 1 and r["meta"].get("error.type") == "ValueError" and r["meta"].get("error.stack") \
    and r["meta"].get("http.status_code") == "500" and r["metrics"].get("cart.items") == 3.0 and r.get("parent_id") == 987654321
ok = ok and by["db.query"]["parent_id"] == r["span_id"] and by["sqs.send"]["parent_id"] == r["span_id"]
ok = ok and by["sqs.receive"]["parent_id"] == by["sqs.send"]["span_id"] \
    and by["sqs.receive"]["span_links"][0]["span_id"] == by["sqs.send"]["span_id"]
if not ok:
    print(json.dumps(by, indent=1)[:4000])
sys.exit(0 if ok else 1)
EOF
then ok "the scenario's payload: 4 spans of trace 1234567890123456789, priority 2, origin synthetics, _dd.p.dm=-4, the link"
else bad "the scenario's payload"; fi

# (5) The ctypes mirrors against the C compiler (the installed package's field lists).
"$VPY" - "$B/layout.c" <<'EOF' || bad "layout probe generation"
import sys
from ddtrace_c import ffi
out = ['#include <stddef.h>', '#include <stdio.h>', '#include "dd_lambda.h"', '#include "dd_sender.h"', 'int main(void) {']
for s in ffi.STRUCTS:
    out.append('    printf("%s %%lu\\n", (unsigned long)sizeof(%s));' % (s.__name__, s.__name__))
    for name, _ in s._fields_:
        out.append('    printf("%s.%s %%lu\\n", (unsigned long)offsetof(%s, %s));' % (s.__name__, name, s.__name__, name))
out += ['    return 0;', '}']
open(sys.argv[1], "w").write("\n".join(out) + "\n")
EOF
if gcc -std=c99 -Wall -Wextra -Werror -I. "$B/layout.c" -o "$B/layout" 2>"$B/layout.log" && "$B/layout" >"$B/layout.txt"; then
    if "$VPY" - "$B/layout.txt" <<'EOF'
import sys
from ddtrace_c import ffi
table = {k: int(v) for k, v in (l.split() for l in open(sys.argv[1]))}
bad = ffi.layout_mismatches(table)
if bad: print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
    then ok "layout: the $("$VPY" -c 'from ddtrace_c import ffi; print(len(ffi.STRUCTS))') mirrored structs match the C compiler field by field"
    else bad "layout: ctypes mirrors differ from the repository's headers"; fi
else
    bad "layout probe builds and runs"; cat "$B/layout.log"
fi
