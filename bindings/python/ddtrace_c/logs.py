"""Log correlation: a logging.Filter that adds the active span's ids to every record.

    import logging, ddtrace_c
    tracer = ddtrace_c.Tracer(service="checkout")
    handler = logging.StreamHandler()
    handler.addFilter(ddtrace_c.LogCorrelationFilter(tracer))
    handler.setFormatter(logging.Formatter(ddtrace_c.LOG_FORMAT))
    logging.getLogger().addHandler(handler)

The record attributes are those of dd-trace-py's log injection: dd.trace_id (32 lower-case hex
digits for a 128-bit trace, decimal for a 64-bit one, or with
DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED=false), dd.span_id (decimal), dd.service, dd.env,
dd.version; outside a span the ids are "0". The values come from the SDK
(dd_span_log_correlation), so C code in the same process logs the same ids.
"""
import logging

# A format with the correlation fields, in the order dd-trace-py documents them.
LOG_FORMAT = ("%(asctime)s %(levelname)s [%(name)s] [dd.service=%(dd.service)s dd.env=%(dd.env)s "
              "dd.version=%(dd.version)s dd.trace_id=%(dd.trace_id)s dd.span_id=%(dd.span_id)s] - %(message)s")


class LogCorrelationFilter(logging.Filter):
    """Adds dd.trace_id, dd.span_id, dd.service, dd.env and dd.version to each record (never
    drops one). Attach it to a handler (or a logger) of the application."""

    def __init__(self, tracer, name=""):
        super().__init__(name)
        self.tracer = tracer

    def filter(self, record):
        span = self.tracer.current_span()
        fields = span.log_fields() if span is not None else {}
        if not fields:  # no active span, or DD_LOGS_INJECTION off
            fields = {"dd.trace_id": "0", "dd.span_id": "0", "dd.service": self.tracer.service,
                      "dd.env": self.tracer.env, "dd.version": self.tracer.version}
        for key, value in fields.items():
            setattr(record, key, value)
        return True
