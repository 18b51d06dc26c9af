"""ddtrace_c - Datadog APM tracing for Python on dd-trace-c, the embeddable C SDK (through ctypes).

    import ddtrace_c
    tracer = ddtrace_c.Tracer(service="checkout", env="prod", version="1.4.2")   # or DD_* variables
    with tracer.trace("http.request", resource="GET /cart", span_type="web") as span:
        span.set_tag("customer.tier", "gold")
        with tracer.trace("db.query", resource="SELECT * FROM carts"):      # a child, automatically
            ...
    @tracer.wrap()
    def job(): ...
    tracer.close()                                           # or let the interpreter's exit flush

Spans go to the Datadog Agent through the SDK's native sender on a native worker thread
(DD_TRACE_AGENT_URL, DD_AGENT_HOST, DD_TRACE_AGENT_PORT, the Unix socket). See README.md for
propagation, queues (_datadog), span links, baggage, log correlation (LogCorrelationFilter),
AWS Lambda (ddtrace_c.aws_lambda) and what is not covered. ddtrace_c.ffi is the low-level layer.
"""
from . import ffi
from ._tracer import LINK_ATTRIBUTES, Context, Span, Tracer, extract, library
from .ffi import DDError, LayoutError, NotSent
from .logs import LOG_FORMAT, LogCorrelationFilter

try:
    from ._version import __version__
except ImportError:  # the source tree, not built: the SDK version is in dd_trace.h
    __version__ = "0+source"

# Priorities for Span.set_sampling_priority.
USER_REJECT, AUTO_REJECT, AUTO_KEEP, USER_KEEP = -1, 0, 1, 2

__all__ = ["Tracer", "Span", "Context", "extract", "library", "LogCorrelationFilter", "LOG_FORMAT", "DDError",
           "LayoutError", "NotSent", "LINK_ATTRIBUTES", "USER_REJECT", "AUTO_REJECT", "AUTO_KEEP", "USER_KEEP",
           "ffi", "__version__"]
