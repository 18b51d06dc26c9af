"""Delivery: the native sender to a local agent (background, flush, close), a Python transport, fork."""
import os
import time

import ddtrace_c


def test_native_sender_background_delivery_without_flush(agent):
    t = ddtrace_c.Tracer(service="bg", agent_url=agent.url, flush_interval_ms=100)
    assert t.agent_url == agent.url
    with t.trace("bg.span") as s:
        s.set_tag("k", "v")
    spans = agent.wait_spans(1, timeout=5)
    assert [(x["name"], x["span_id"], x["meta"]["k"]) for x in spans] == [("bg.span", s.span_id, "v")]
    assert t.sender_counters()["answered"] >= 1
    path, headers, _ = agent.requests[0]
    assert path == "/v0.4/traces" and headers["datadog-meta-lang"] == "python"
    t.close()


def test_native_sender_from_the_environment_and_close_flushes(agent, monkeypatch):
    monkeypatch.setenv("DD_TRACE_AGENT_URL", agent.url)
    t = ddtrace_c.Tracer(service="env-url")
    with t.trace("closing"):
        pass
    t.close()  # delivers what finished
    assert [x["name"] for x in agent.spans()] == ["closing"]
    assert t.counters() == {}  # closed


def test_agent_host_and_port_variables(agent, monkeypatch):
    monkeypatch.setenv("DD_AGENT_HOST", "127.0.0.1")
    monkeypatch.setenv("DD_TRACE_AGENT_PORT", str(agent.port))
    t = ddtrace_c.Tracer(service="hostport")
    assert t.agent_url == agent.url
    with t.trace("hp"):
        pass
    assert t.flush() == 0 and [x["name"] for x in agent.spans()] == ["hp"]
    t.close()


def test_unreachable_agent_is_counted_not_raised():
    t = ddtrace_c.Tracer(agent_url="http://127.0.0.1:9", shutdown_timeout_ms=200, request_timeout_ms=200)
    with t.trace("lost"):
        pass
    assert t.flush() == ddtrace_c.ffi.DD_ERR_TRANSPORT
    c = t.counters()
    assert c["requests_deferred"] >= 1 and c["spans_pending"] == 1
    t.close()


def test_python_transport_in_background(capture):
    t = ddtrace_c.Tracer(service="pyt", transport=capture, flush_interval_ms=50)
    with t.trace("py.bg"):
        pass
    deadline = time.monotonic() + 5
    while not capture.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [s["name"] for s in capture.spans()] == ["py.bg"]
    t.close()


def test_python_transport_errors_are_kept():
    def broken(method, path, headers, body):
        raise TimeoutError("no answer")
    t = ddtrace_c.Tracer(transport=broken, send_retries=-1, flush_interval_ms=-1)
    with t.trace("x"):
        pass
    assert t.flush() == ddtrace_c.ffi.DD_ERR_TRANSPORT
    assert isinstance(t.transport_errors[0], TimeoutError) and t.counters()["spans_unconfirmed"] == 1
    t.close()


def test_fork_child_traces_on_its_own(agent):
    t = ddtrace_c.Tracer(service="forked", agent_url=agent.url, flush_interval_ms=-1)
    with t.trace("parent.open") as parent_span:
        pid = os.fork()
        if pid == 0:  # the child: the parent's span is inert here; new spans are the child's
            code = 1
            try:
                inert = t.current_span() is None and parent_span._live is None
                parent_span.set_tag("from", "child")  # does nothing here
                with t.trace("child.work") as c:
                    c.set_tag("pid", str(os.getpid()))
                code = 0 if inert and t.flush() == 0 else 2 if inert else 3
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    assert t.flush() == 0
    names = sorted(s["name"] for s in agent.spans())
    assert names == ["child.work", "parent.open"]
    child = [s for s in agent.spans() if s["name"] == "child.work"][0]
    parent = [s for s in agent.spans() if s["name"] == "parent.open"][0]
    assert child["meta"]["pid"] == str(pid) and child["parent_id"] == 0 and "from" not in parent["meta"]
    t.close()


def test_threads_trace_concurrently_and_every_span_is_counted(agent):
    import threading
    t = ddtrace_c.Tracer(service="threads", agent_url=agent.url, flush_interval_ms=50)

    def worker(n):
        for i in range(50):
            with t.trace("thread.root") as r:
                r.set_tag("worker", str(n))
                with t.trace("thread.child") as c:
                    assert c.parent_id == r.span_id
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert t.flush() == 0
    spans = agent.wait_spans(800, timeout=10)
    roots = {s["span_id"] for s in spans if s["name"] == "thread.root"}
    children = [s for s in spans if s["name"] == "thread.child"]
    assert len(roots) == 400 and len(children) == 400 and all(c["parent_id"] in roots for c in children)
    c = t.counters()
    assert c["spans_started"] == c["spans_sent"] == 800 and c["spans_open"] == c["spans_pending"] == 0
    t.close()


def test_spans_after_close_do_nothing(capture):
    t = ddtrace_c.Tracer(transport=capture)
    span = t.trace("left.open")
    t.close()
    span.set_tag("a", "b")
    span.set_error("E", "m")
    assert span.inject() == {} and span.log_correlation().startswith("dd.trace_id=0 dd.span_id=0 ")
    span.finish()  # the SDK freed it with the tracer: no call reaches it
    assert span.span_id != 0 and t.current_span() is None
