"""Spans: context managers, decorators, the active span, tags, errors."""
import asyncio
import sys
import threading

import ddtrace_c


def test_with_blocks_parent_children_and_restore_the_active_span(tracer, capture):
    with tracer.trace("root", resource="GET /", span_type="web", service="front") as root:
        assert tracer.current_span() is root
        with tracer.trace("child") as child:
            assert tracer.current_span() is child and tracer.current_root_span() is root
            with tracer.trace("grandchild") as gc:
                pass
        assert tracer.current_span() is root
    assert tracer.current_span() is None
    assert tracer.flush() == 0
    s = capture.by_name()
    assert s["child"]["parent_id"] == s["root"]["span_id"] == root.span_id
    assert s["grandchild"]["parent_id"] == s["child"]["span_id"]
    assert s["root"]["parent_id"] == 0 and s["root"]["type"] == "web" and s["root"]["resource"] == "GET /"
    assert s["root"]["service"] == "front" and s["child"]["service"] == "front"
    assert len({x["trace_id"] for x in s.values()}) == 1
    assert gc.finished and s["root"]["meta"]["env"] == "test"
    assert "version" not in s["root"]["meta"]  # another service than the tracer's: no version, as dd-trace-py


def test_language_is_python(tracer, capture):
    with tracer.trace("x"):
        pass
    tracer.flush()
    _, _, headers, _ = capture.requests[0]
    assert headers["Datadog-Meta-Lang"] == "python"
    assert headers["Datadog-Meta-Lang-Version"] == "%d.%d.%d" % sys.version_info[:3]
    assert headers["Datadog-Meta-Tracer-Version"] == ddtrace_c.__version__
    assert capture.spans()[0]["meta"]["language"] == "python"


def test_wrap_decorator_sync_and_async(tracer, capture):
    @tracer.wrap()
    def work(x):
        assert tracer.current_span().name.endswith("work")
        return x * 2

    @tracer.wrap("async.job", resource="r")
    async def job():
        await asyncio.sleep(0)
        return tracer.current_span().name

    with tracer.trace("outer"):
        assert work(21) == 42
        assert asyncio.run(job()) == "async.job"
    tracer.flush()
    s = capture.by_name()
    assert s["test_spans.test_wrap_decorator_sync_and_async.<locals>.work"]["parent_id"] == s["outer"]["span_id"]
    assert s["async.job"]["parent_id"] == s["outer"]["span_id"] and s["async.job"]["resource"] == "r"


def test_exception_records_type_message_stack_and_propagates(tracer, capture):
    try:
        with tracer.trace("fails"):
            raise KeyError("missing")
    except KeyError:
        pass
    try:
        with tracer.trace("exits"):
            sys.exit(0)
    except SystemExit:
        pass
    tracer.flush()
    s = capture.by_name()
    m = s["fails"]["meta"]
    assert s["fails"]["error"] == 1 and m["error.type"] == "builtins.KeyError" and m["error.message"] == "'missing'"
    assert "Traceback (most recent call last)" in m["error.stack"] and "KeyError: 'missing'" in m["error.stack"]
    assert s["exits"]["error"] == 0 and "error.type" not in s["exits"]["meta"]


def test_tags_metrics_and_fields(tracer, capture):
    with tracer.trace("t") as span:
        span.set_tag("s", "v").set_tag("n", 3).set_tag("f", 1.5).set_tag("b", True).set_tag("http.status_code", 500)
        span.set_tag("big", 2 ** 60)
        span.set_tags({"k1": "v1"}).set_metrics({"m1": 7})
        span.set_tag_str("num.as.text", "12")
        span.resource, span.span_type, span.name = "res", "sql", "renamed"
        span.set_kind("client").set_measured()
        assert span.get_tag("s") == "v" and span.get_metric("n") == 3.0 and span.get_tag("nope") is None
        span.error = 1
    span.set_tag("after", "finish")  # a finished span ignores it
    tracer.flush()
    s = capture.by_name()["renamed"]
    assert s["meta"]["s"] == "v" and s["metrics"]["n"] == 3.0 and s["metrics"]["f"] == 1.5
    assert s["meta"]["b"] == "True" and s["meta"]["http.status_code"] == "500" and s["meta"]["big"] == str(2 ** 60)
    assert s["meta"]["k1"] == "v1" and s["metrics"]["m1"] == 7.0 and s["meta"]["num.as.text"] == "12"
    assert s["resource"] == "res" and s["type"] == "sql" and s["meta"]["span.kind"] == "client"
    assert s["metrics"]["_dd.measured"] == 1.0 and s["error"] == 1 and "after" not in s["meta"]


def test_manual_keep_and_drop(tracer, capture):
    with tracer.trace("keep") as a:
        a.manual_keep()
    with tracer.trace("drop") as b:
        b.manual_drop()
    tracer.flush()
    s = capture.by_name()
    assert s["keep"]["metrics"]["_sampling_priority_v1"] == 2.0 and s["drop"]["metrics"]["_sampling_priority_v1"] == -1.0


def test_active_span_is_per_thread_and_per_task(tracer):
    seen = {}
    with tracer.trace("main") as main:
        t = threading.Thread(target=lambda: seen.setdefault("thread", tracer.current_span()))
        t.start()
        t.join()

        async def task(name):
            with tracer.trace(name) as s:
                await asyncio.sleep(0.01)
                return tracer.current_span() is s and s.parent_id == main.span_id

        async def both():
            return await asyncio.gather(task("a"), task("b"))
        assert asyncio.run(both()) == [True, True]
    assert seen["thread"] is None


def test_start_span_is_not_active_and_explicit_children(tracer, capture):
    root = tracer.start_span("manual")
    assert tracer.current_span() is None
    child = tracer.start_span("manual.child", child_of=root)
    with tracer.activated(child):
        assert tracer.current_span() is child
    assert tracer.current_span() is None
    child.finish()
    child.finish()
    root.finish(finish_time=root_start_plus(root))
    tracer.flush()
    s = capture.by_name()
    assert s["manual.child"]["parent_id"] == s["manual"]["span_id"]


def root_start_plus(span):
    import time
    return time.time() + 0.5


def test_disabled_tracer_sends_nothing(capture):
    t = ddtrace_c.Tracer(enabled=False, transport=capture)
    with t.trace("nothing") as s:
        s.set_tag("a", "b")
        assert s.span_id == 0 and s.inject() == {}
    assert t.flush() == 0 and capture.requests == []
    t.close()


def test_config_from_environment(monkeypatch, capture):
    monkeypatch.setenv("DD_SERVICE", "from-env")
    monkeypatch.setenv("DD_ENV", "staging")
    monkeypatch.setenv("DD_TAGS", "team:core,zone:b")
    t = ddtrace_c.Tracer(transport=capture)
    assert (t.service, t.env) == ("from-env", "staging")
    with t.trace("e"):
        pass
    t.flush()
    m = capture.spans()[0]["meta"]
    assert capture.spans()[0]["service"] == "from-env" and m["env"] == "staging" and m["team"] == "core"
    t.close()
    t2 = ddtrace_c.Tracer(service="kw", tags={"a": "1"}, transport=capture)
    assert t2.service == "kw"
    t2.close()


def test_unknown_option_is_a_type_error():
    import pytest
    with pytest.raises(TypeError):
        ddtrace_c.Tracer(no_such_option=1)


def test_counters(tracer):
    with tracer.trace("c"):
        pass
    tracer.flush()
    c = tracer.counters()
    assert c["spans_started"] == 1 and c["spans_sent"] == 1 and c["requests_sent"] == 1


def test_http_helpers(capture):
    t = ddtrace_c.Tracer(service="web", transport=capture, header_tags="x-request-id:req.id")
    with t.trace("http.request") as s:
        s.set_http_request("GET", "http://user:pw@shop.local/cart?token=secret&x=1",
                           {"User-Agent": "pytest", "X-Request-Id": "r-1"})
        s.set_http_route("/cart")
        s.set_http_response(503)
    with t.trace("http.client") as c:
        c.set_http_request("POST", "http://api.local/pay", kind="client")
        c.set_http_response(404)
    t.flush()
    s, c = capture.by_name()["http.request"], capture.by_name()["http.client"]
    m = s["meta"]
    assert m["span.kind"] == "server" and s["type"] == "web" and m["http.method"] == "GET"
    assert "pw@" not in m["http.url"] and "secret" not in m["http.url"] and m["http.useragent"] == "pytest"
    assert m["req.id"] == "r-1" and m["http.route"] == "/cart" and m["http.status_code"] == "503" and s["error"] == 1
    assert c["meta"]["span.kind"] == "client" and c["type"] == "http" and c["error"] == 1
    t.close()


def test_sampling_options(capture):
    t = ddtrace_c.Tracer(service="smp", transport=capture, sample_rate=0.0,
                         sampling_rules=[{"service": "smp", "name": "kept", "sample_rate": 1.0}])
    with t.trace("kept"):
        pass
    with t.trace("dropped"):
        pass
    t.flush()
    s = capture.by_name()
    assert s["kept"]["metrics"]["_sampling_priority_v1"] == 2.0 and s["kept"]["meta"]["_dd.p.dm"] == "-3"
    assert s["dropped"]["metrics"]["_sampling_priority_v1"] == -1.0 and s["dropped"]["metrics"]["_dd.rule_psr"] == 0.0
    t.close()
