"""Log correlation through a logging.Filter."""
import io
import logging

import ddtrace_c


def make_logger(tracer, fmt=ddtrace_c.LOG_FORMAT):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ddtrace_c.LogCorrelationFilter(tracer))
    handler.setFormatter(logging.Formatter(fmt))
    log = logging.getLogger("pytest.logs.%x" % id(stream))
    log.propagate = False
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return log, stream


def test_records_carry_the_active_span(tracer):
    log, stream = make_logger(tracer)
    with tracer.trace("logged") as span:
        log.info("inside")
    log.info("outside")
    inside, outside = stream.getvalue().splitlines()
    tid = "%032x" % span.trace_id
    assert "dd.trace_id=%s dd.span_id=%d" % (tid, span.span_id) in inside
    assert "dd.service=pytest dd.env=test dd.version=9.9" in inside
    assert "dd.trace_id=0 dd.span_id=0" in outside and "dd.service=pytest" in outside


def test_64_bit_ids_in_decimal(capture):
    t = ddtrace_c.Tracer(service="s", transport=capture, trace_id_128=False)
    log, stream = make_logger(t, "%(message)s %(dd.trace_id)s %(dd.span_id)s")
    with t.trace("x") as span:
        log.info("m")
        fields = span.log_fields()
    assert stream.getvalue().split() == ["m", str(span.trace_id), str(span.span_id)]
    assert fields["dd.trace_id"] == str(span.trace_id)
    t.close()


def test_logs_injection_off(capture):
    t = ddtrace_c.Tracer(service="s", transport=capture, logs_injection=False)
    with t.trace("x") as span:
        assert span.log_correlation() == "" and span.log_fields() == {}
    t.close()


def test_sdk_diagnostics_go_to_python_logging(capture):
    records = []

    class H(logging.Handler):
        def emit(self, record):
            records.append(record)
    logger = logging.getLogger("pytest.sdk")
    logger.addHandler(H())
    logger.setLevel(logging.DEBUG)
    t = ddtrace_c.Tracer(service="s", transport=capture, startup_logs=True, logger=logger)
    t.close()
    assert any("DATADOG TRACER CONFIGURATION" in r.getMessage() and '"lang":"python"' in r.getMessage() for r in records)
