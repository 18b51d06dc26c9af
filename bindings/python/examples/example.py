#!/usr/bin/env python3
"""The README's example: a request span with a child, an error, and log correlation; delivered by
the native sender to the agent of DD_TRACE_AGENT_URL (else DD_AGENT_HOST / localhost:8126)."""
import logging

import ddtrace_c

tracer = ddtrace_c.Tracer(service="shop", env="dev", version="1.0")     # or DD_SERVICE, DD_ENV, ...
handler = logging.StreamHandler()
handler.addFilter(ddtrace_c.LogCorrelationFilter(tracer))
handler.setFormatter(logging.Formatter(ddtrace_c.LOG_FORMAT))
log = logging.getLogger("shop")
log.addHandler(handler)
log.setLevel(logging.INFO)


@tracer.wrap("cart.load", resource="SELECT * FROM carts", span_type="sql")
def load_cart(customer):
    return ["book", "pen"]


def checkout(headers):
    with tracer.trace("http.request", resource="POST /checkout", span_type="web",
                      child_of=tracer.extract(headers), kind="server") as span:
        span.set_tag("http.method", "POST")
        items = load_cart("c-42")                      # a child span, automatically
        span.set_metric("cart.items", len(items))
        log.info("checked out %d items", len(items))  # carries dd.trace_id and dd.span_id
        if len(items) > 1:
            raise ValueError("payment declined")       # recorded: error.type, .message, .stack


try:
    checkout({"x-datadog-trace-id": "1234567890123456789", "x-datadog-parent-id": "987654321"})
except ValueError:
    pass
tracer.close()                                         # flushes (also done at exit)
