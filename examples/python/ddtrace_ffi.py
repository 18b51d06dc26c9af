#!/usr/bin/python3
# make shared && python3 examples/python/ddtrace_ffi.py     (a self-check against build/libddtrace.so)
"""examples/python/ddtrace_ffi.py - the low-level ctypes layer, now part of the Python package
(bindings/python/ddtrace_c/ffi.py), re-exported from the source tree so that the repository's
tests and the README's FFI snippet keep working without installing anything:

    import sys; sys.path.insert(0, "examples/python")
    from ddtrace_ffi import Library, HttpTransport
    dd = Library("build/libddtrace.so")

The installable package (pip install bindings/python) has the Pythonic API: see
bindings/python/README.md.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))
from ddtrace_c.ffi import *  # noqa: E402,F401,F403
from ddtrace_c.ffi import STRUCTS, Library, HttpTransport, NotSent, DDError  # noqa: E402,F401
from ddtrace_c import ffi as _ffi  # noqa: E402

if __name__ == "__main__":
    _ffi._self_check(sys.argv[1] if len(sys.argv) > 1 else None)
