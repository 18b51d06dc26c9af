"""Builds the ddtrace_c package: pure Python plus one native library compiled from the SDK's headers.

The headers (dd_*.h) are read from the repository root two directories up (an install straight
from a clone), or from ddtrace_c/_native/include (an sdist, which carries copies). The build:
  1. copies the headers into the built package (ddtrace_c/_native/include),
  2. generates ddpy_layout.inc from ddtrace_c/ffi.py's ctypes field lists (sizeof and offsetof of
     every mirrored struct, so the library can tell the binding whether the mirrors still fit),
  3. compiles ddtrace_c/_native/ddtrace_py.c into ddtrace_c/_libddtrace.so with $CC (default cc),
  4. writes ddtrace_c/_version.py with DDTRACE_VERSION_STRING, also the package's version.
Nothing is downloaded: the backend is setuptools (Debian's python3-setuptools and python3-wheel).
"""
import importlib.util
import os
import re
import shlex
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = ["dd_msgpack.h", "dd_propagation.h", "dd_trace.h", "dd_lambda.h", "dd_sender.h"]
PACKAGED_INCLUDE = os.path.join(HERE, "ddtrace_c", "_native", "include")


def header_dir():
    for d in (os.path.normpath(os.path.join(HERE, "..", "..")), PACKAGED_INCLUDE):
        if all(os.path.isfile(os.path.join(d, h)) for h in HEADERS):
            return d
    raise SystemExit("ddtrace_c: the SDK headers (%s) are neither in the repository root nor in %s"
                     % (", ".join(HEADERS), PACKAGED_INCLUDE))


def sdk_version():
    text = open(os.path.join(header_dir(), "dd_trace.h"), encoding="utf-8").read()
    m = re.search(r'^#define DDTRACE_VERSION_STRING "([0-9][0-9A-Za-z.+-]*)"', text, re.M)
    if not m:
        raise SystemExit("ddtrace_c: no DDTRACE_VERSION_STRING in dd_trace.h")
    return m.group(1)


def layout_rows():
    """C initialisers {"struct", sizeof}, {"struct.field", offsetof} from ffi.py's mirrors."""
    spec = importlib.util.spec_from_file_location("_ddtrace_c_ffi", os.path.join(HERE, "ddtrace_c", "ffi.py"))
    ffi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ffi)  # ctypes definitions only: loads no library
    rows = []
    for s in ffi.STRUCTS:
        n = s.__name__
        rows.append('{"%s", sizeof(%s)},' % (n, n))
        rows += ['{"%s.%s", offsetof(%s, %s)},' % (n, f, n, f) for f, _ in s._fields_]
    return "\n".join(rows) + "\n"


class BuildWithNative(build_py):
    """build_py, then the native library and the version file inside the built package."""

    def run(self):
        super().run()
        pkg = os.path.join(self.build_lib, "ddtrace_c")
        inc = os.path.join(pkg, "_native", "include")
        os.makedirs(inc, exist_ok=True)
        src_dir = header_dir()
        for h in HEADERS:
            shutil.copyfile(os.path.join(src_dir, h), os.path.join(inc, h))
        with open(os.path.join(inc, "ddpy_layout.inc"), "w") as f:
            f.write(layout_rows())
        with open(os.path.join(pkg, "_version.py"), "w") as f:
            f.write('"""Written by setup.py from dd_trace.h."""\n__version__ = %r\n' % sdk_version())
        out = os.path.join(pkg, "_libddtrace.so")
        cc = shlex.split(os.environ.get("CC") or "cc")
        cmd = cc + ["-std=c99", "-O2", "-g0", "-fPIC", "-fvisibility=hidden", "-shared", "-Wl,-Bsymbolic-functions",
                    "-I", inc, os.path.join(HERE, "ddtrace_c", "_native", "ddtrace_py.c"), "-o", out,
                    "-lpthread", "-lm"]
        self.announce("ddtrace_c: " + " ".join(cmd), level=2)
        subprocess.check_call(cmd)


class SdistWithHeaders(sdist):
    """An sdist carries the headers, so that it builds away from the repository."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        dst = os.path.join(base_dir, "ddtrace_c", "_native", "include")
        os.makedirs(dst, exist_ok=True)
        for h in HEADERS:
            shutil.copyfile(os.path.join(header_dir(), h), os.path.join(dst, h))


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform, not py3-none-any."""

    def has_ext_modules(self):
        return True


setup(
    name="ddtrace-c",
    version=sdk_version(),
    description="Datadog APM tracing for Python on dd-trace-c (the embeddable C SDK), through ctypes",
    long_description=open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    packages=["ddtrace_c"],
    package_data={"ddtrace_c": ["_native/*.c"]},
    python_requires=">=3.7",
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildWithNative, "sdist": SdistWithHeaders},
    zip_safe=False,
)
