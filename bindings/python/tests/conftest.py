"""Fixtures: a Python transport that decodes payloads, a capture agent for the native sender, and a
clean DD_* environment (the SDK reads the environment once per tracer)."""
import os
import sys

import msgpack
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # capture_agent

from capture_agent import CaptureAgent  # noqa: E402

import ddtrace_c  # noqa: E402


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("DD_") or k.startswith("OTEL_") or k in ("AWS_LAMBDA_FUNCTION_NAME", "_X_AMZN_TRACE_ID"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("DD_TRACE_STARTUP_LOGS", "false")


class Capture:
    """A Python transport: records requests and decodes their msgpack bodies."""

    def __init__(self):
        self.requests = []

    def __call__(self, method, path, headers, body):
        self.requests.append((method, path, headers, msgpack.unpackb(body, raw=False, strict_map_key=False)))
        return 200, b'{"rate_by_service":{"service:,env:":1}}'

    def spans(self):
        return [s for _, _, _, p in self.requests for chunk in p for s in chunk]

    def by_name(self):
        return {s["name"]: s for s in self.spans()}


@pytest.fixture
def capture():
    return Capture()


@pytest.fixture
def tracer(capture):
    t = ddtrace_c.Tracer(service="pytest", env="test", version="9.9", transport=capture, flush_interval_ms=-1)
    yield t
    t.close()


@pytest.fixture
def agent():
    a = CaptureAgent()
    yield a
    a.close()
