"""Propagation: headers, _datadog for queues, the environment carrier, baggage, span links."""
import json

import pytest

import ddtrace_c

DD_HEADERS = {"X-Datadog-Trace-Id": "1234567890123456789", "X-Datadog-Parent-Id": "987654321",
              "X-Datadog-Sampling-Priority": "2", "X-Datadog-Origin": "synthetics",
              "X-Datadog-Tags": "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000"}


def test_extract_datadog_headers(tracer):
    ctx = tracer.extract(DD_HEADERS)
    assert ctx.trace_id == (0x640cfd8d00000000 << 64) | 1234567890123456789 and ctx.span_id == 987654321
    assert ctx.sampling_priority == 2 and ctx.origin == "synthetics" and ctx.style == "datadog"
    assert ctx.dd_tags == {"_dd.p.dm": "-4", "_dd.p.tid": "640cfd8d00000000"}


def test_extract_w3c_and_nothing(tracer):
    ctx = tracer.extract({"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "tracestate": "rojo=00f067aa0ba902b7"})
    assert ctx.trace_id == 0x4bf92f3577b34da6a3ce929d0e0e4736 and ctx.span_id == 0x00f067aa0ba902b7
    assert ctx.sampling_priority == 1 and ctx.tracestate == "rojo=00f067aa0ba902b7"
    assert tracer.extract({}) is None and tracer.extract({"x-datadog-parent-id": "5"}) is None
    assert ddtrace_c.extract(DD_HEADERS).span_id == 987654321


def test_continue_and_inject(tracer, capture):
    ctx = tracer.extract(DD_HEADERS)
    with tracer.trace("server", child_of=ctx) as server:
        with tracer.trace("client") as client:
            headers = tracer.inject()
            assert headers == client.inject()
    assert headers["x-datadog-trace-id"] == "1234567890123456789"
    assert headers["x-datadog-parent-id"] == str(client.span_id)
    assert headers["x-datadog-sampling-priority"] == "2" and headers["x-datadog-origin"] == "synthetics"
    assert "_dd.p.dm=-4" in headers["x-datadog-tags"]
    assert headers["traceparent"] == "00-640cfd8d00000000%016x-%016x-01" % (1234567890123456789, client.span_id)
    tracer.flush()
    s = capture.by_name()
    assert s["server"]["trace_id"] == 1234567890123456789 and s["server"]["parent_id"] == 987654321
    assert s["server"]["meta"]["_dd.origin"] == "synthetics" and s["client"]["meta"]["_dd.origin"] == "synthetics"
    assert server.span_id == s["server"]["span_id"]


def test_datadog_json_round_trip_for_queues(tracer, capture):
    with tracer.trace("sqs.send", kind="producer") as send:
        attribute = send.inject_datadog_json()
    obj = json.loads(attribute)
    assert obj["x-datadog-trace-id"] == str(send.trace_id & (2 ** 64 - 1)) and obj["x-datadog-parent-id"] == str(send.span_id)
    for carried in (attribute, attribute.encode(), obj):
        ctx = tracer.extract_datadog_json(carried)
        assert ctx.trace_id == send.trace_id and ctx.span_id == send.span_id
    assert tracer.extract_datadog_json("not json") is None


def test_environment_carrier(tracer):
    with tracer.trace("parent") as p:
        env = p.inject_env({"PATH": "/bin"})
    assert env["PATH"] == "/bin" and env["X_DATADOG_PARENT_ID"] == str(p.span_id) and "TRACEPARENT" in env
    ctx = tracer.extract_env(env)
    assert ctx.trace_id == p.trace_id and ctx.span_id == p.span_id


def test_baggage(tracer, capture):
    ctx = tracer.extract({"x-datadog-trace-id": "7", "x-datadog-parent-id": "8", "baggage": "user.id=42,color=red%20blue"})
    assert ctx.baggage == {"user.id": "42", "color": "red blue"}
    with tracer.trace("b", child_of=ctx) as span:
        assert span.get_baggage_item("color") == "red blue"
        span.set_baggage_item("k", "v").remove_baggage_item("color")
        assert span.get_baggage_items() == {"user.id": "42", "k": "v"}
        assert span.inject()["baggage"] == "user.id=42,k=v"
        span.clear_baggage()
        assert span.get_baggage_items() == {}
    tracer.flush()
    assert capture.spans()[0]["meta"]["baggage.user.id"] == "42"  # DD_TRACE_BAGGAGE_TAG_KEYS default


def test_span_links(tracer, capture):
    ctx = tracer.extract({"x-datadog-trace-id": "11", "x-datadog-parent-id": "12", "x-datadog-sampling-priority": "1"})
    with tracer.trace("linked") as span:
        span.link_span(ctx, {"reason": "queue", "link.kind": "queue", "n": 3})
        with pytest.raises(ddtrace_c.ffi.DDError):
            span.link_span(ctx, {"": "empty key"})  # refused, not dropped silently
        other = tracer.start_span("other")
        span.link_span(other)
        other.finish()
    tracer.flush()
    links = capture.by_name()["linked"]["span_links"]
    assert len(links) == 2
    assert links[0]["trace_id"] == 11 and links[0]["span_id"] == 12 and links[0]["attributes"] == {"reason": "queue", "link.kind": "queue", "n": "3"}
    assert links[0]["flags"] == 0x80000001
    assert links[1]["span_id"] == capture.by_name()["other"]["span_id"]
