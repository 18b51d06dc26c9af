#!/usr/bin/env python3
"""The cross-language scenario of tests/xlang/SCENARIO.md, played through the Python package.

    DD_SERVICE=xlang DD_ENV=test DD_VERSION=1.0 DD_TRACE_AGENT_URL=http://127.0.0.1:PORT \
        python3 xlang_scenario.py

with ddtrace_c installed (pip install --no-build-isolation --no-index bindings/python, or
pip install --target DIR ... and PYTHONPATH=DIR), or straight from the source tree over the library
of `make shared`: PYTHONPATH=bindings/python DDTRACE_LIB=build/libddtrace.so python3 xlang_scenario.py.
Configuration comes only from the environment; delivery is the native sender's. Exits non-zero when
a check of the scenario fails. Not a pytest module (its name does not start with test_)."""
import json
import sys
import traceback

import ddtrace_c

TRACE_ID = 1234567890123456789


def main():
    tracer = ddtrace_c.Tracer()

    # 1. Extract the incoming request's headers.
    incoming = {"x-datadog-trace-id": str(TRACE_ID), "x-datadog-parent-id": "987654321",
                "x-datadog-sampling-priority": "2", "x-datadog-origin": "synthetics",
                "x-datadog-tags": "_dd.p.dm=-4"}
    ctx = tracer.extract(incoming)
    assert ctx is not None and ctx.trace_id == TRACE_ID and ctx.span_id == 987654321, ctx

    # 2. The server span, an error with a stack.
    with tracer.trace("http.request", resource="GET /checkout", span_type="web", child_of=ctx, kind="server") as server:
        server.set_tag("http.method", "GET")
        server.set_tag("http.url", "http://shop.local/checkout")
        server.set_tag("customer.tier", "gold")
        server.set_metric("cart.items", 3)
        server.set_tag("http.status_code", 500)  # stays the string "500"
        try:
            raise ValueError("boom")
        except ValueError as e:
            stack = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        server.set_error("ValueError", "boom", stack)

        # 3. A child.
        with tracer.trace("db.query", resource="SELECT * FROM carts", span_type="sql") as db:
            db.set_tag("db.system", "postgresql")
            db.set_metric("db.rows", 7)
            # 4. Inject the child's context into a fresh dict: checked, not sent.
            headers = db.inject({})
        assert headers.get("x-datadog-trace-id") == str(TRACE_ID), headers
        parts = headers.get("traceparent", "").split("-")
        assert len(parts) == 4 and int(parts[1], 16) == TRACE_ID, headers

        # 5. The queue hop: the producer writes `_datadog`, the consumer continues it with a link.
        with tracer.trace("sqs.send", resource="orders", kind="producer") as send:
            attribute = send.inject_datadog_json()
        assert json.loads(attribute)["x-datadog-trace-id"] == str(TRACE_ID), attribute
        consumer_ctx = tracer.extract_datadog_json(attribute)
        assert consumer_ctx is not None and consumer_ctx.span_id == send.span_id
        with tracer.trace("sqs.receive", resource="orders", kind="consumer", child_of=consumer_ctx) as receive:
            receive.link_span(consumer_ctx, {"link.kind": "queue"})

    # 6. The server span finished with its block: flush and close.
    rc = tracer.flush()
    counters = tracer.counters()
    tracer.close()
    assert rc == 0, "flush: %d" % rc
    assert counters["spans_sent"] == 4, counters
    return 0


if __name__ == "__main__":
    sys.exit(main())
