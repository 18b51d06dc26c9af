"""The package itself: version, native library, layout check."""
import ctypes
import os
import re

import pytest

import ddtrace_c
from ddtrace_c import ffi


def header(name):
    here = os.path.dirname(os.path.abspath(ddtrace_c.__file__))
    return os.path.join(here, "_native", "include", name)


def test_version_is_the_sdks():
    text = open(header("dd_trace.h")).read()
    assert re.search(r'#define DDTRACE_VERSION_STRING "([^"]+)"', text).group(1) == ddtrace_c.__version__
    number = int(re.search(r"#define DDTRACE_VERSION (\d+)", text).group(1))
    assert number == ffi.DDTRACE_VERSION == ddtrace_c.library().lib.dd_version()


def test_version_matches_the_repository_headers():
    repo = os.environ.get("DDTRACE_REPO")
    if not repo:
        pytest.skip("DDTRACE_REPO not set (the shell test sets it)")
    text = open(os.path.join(repo, "dd_trace.h")).read()
    assert re.search(r'#define DDTRACE_VERSION_STRING "([^"]+)"', text).group(1) == ddtrace_c.__version__


def test_native_library_is_the_packages_and_layout_checked():
    lib = ddtrace_c.library()
    assert lib.path == ffi.bundled_library_path()
    assert lib.layout_checked
    table = lib.layout_table()
    assert table["dd_trace_context"] == ctypes.sizeof(ffi.dd_trace_context)
    assert table["dd_counters"] == ctypes.sizeof(ffi.dd_counters)
    assert len(table) == sum(1 + len(s._fields_) for s in ffi.STRUCTS)


def test_a_layout_mismatch_is_reported():
    table = dict(ddtrace_c.library().layout_table())
    assert ffi.layout_mismatches(table) == []
    table["dd_counters"] += 8  # as if the C side had grown a counter
    table["dd_trace_context.baggage"] += 8
    bad = ffi.layout_mismatches(table)
    assert any(b.startswith("sizeof dd_counters") for b in bad)
    assert any(b.startswith("dd_trace_context.baggage") for b in bad)
    del table["dd_span_link"]
    assert any("dd_span_link: not in" in b for b in ffi.layout_mismatches(table))


def test_status_strings():
    assert ddtrace_c.library().lib.dd_status_str(-10) == b"transport failed"
