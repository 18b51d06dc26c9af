"""AWS Lambda: wrap a handler so each invocation gets the official libraries' spans (dd_lambda.h).

    from ddtrace_c.aws_lambda import datadog_lambda

    @datadog_lambda
    def handler(event, context):
        ...                                   # tracer.trace(...) spans here are children of aws.lambda

Per invocation the wrapper calls dd_lambda_start_invocation (the parent context from the event,
the client context or X-Ray; the inferred span of the trigger; the aws.lambda span with its
function_* / cold_start / trigger tags) and, after the handler, dd_lambda_end_invocation (the
HTTP status from the response, the error, a synchronous flush before the response is posted).
An exception is recorded on aws.lambda (error.type, error.message, error.stack) and re-raised.

Where the data goes (as the official libraries decide, docs/lambda.md section 11): when the
Datadog Extension is present (/opt/extensions/datadog-agent, or DD_LAMBDA_EXTENSION_PATH), traces
go through the native sender to the Extension (http://127.0.0.1:8126, or DD_TRACE_AGENT_URL) and
custom metrics as DogStatsD datagrams to 127.0.0.1:DD_DOGSTATSD_PORT (8125); otherwise traces and
metrics are written as JSON lines on stdout for the Forwarder.
"""
import functools
import json
import os
import threading
import traceback
from ctypes import addressof, byref, c_char_p, c_void_p, cast, create_string_buffer, sizeof, string_at

from . import ffi
from ._tracer import Span, Tracer, library


def _extension_present(path=None):
    path = path or os.environ.get("DD_LAMBDA_EXTENSION_PATH") or "/opt/extensions/datadog-agent"
    return os.path.exists(path)


class LambdaTracer:
    """The per-process Lambda state (a dd_lambda) and its tracer. One per process: it remembers the
    cold start. `tracer` None: a tracer made for Lambda (manual delivery, flushed at the end of
    each invocation) whose transport follows the mode. `write`: a callable(line) receiving the
    Forwarder's lines (None: stdout). Other keywords are dd_lambda_options fields
    (function_name, service, managed_services, cold_start_tracing, ...; None = the DD_* variable)."""

    def __init__(self, tracer=None, *, mode=None, extension_path=None, write=None, **options):
        self._dd = library()
        lib = self._lib = self._dd.lib
        if mode is None:
            mode = "extension" if _extension_present(extension_path) else "forwarder"
        self.mode_name = mode
        self._keep = []
        self._statsd = None
        self._write_cb = None
        if write is not None:
            def on_write(user, line, n, _w=write):
                try:
                    _w(string_at(line, n).decode("utf-8", "replace"))
                    return 0
                except Exception:
                    return -1
            self._write_cb = ffi.WRITE_FN(on_write)
        self._forwarder = ffi.dd_lambda_forwarder()
        if self._write_cb is not None:
            self._forwarder.write_fn = cast(self._write_cb, c_void_p)
        if tracer is None:
            common = dict(delivery="manual", flush_interval_ms=-1)
            if mode == "extension":
                url = os.environ.get("DD_TRACE_AGENT_URL") or "http://127.0.0.1:8126"
                tracer = Tracer(agent_url=url, **common)
            else:
                fn = cast(lib.dd_lambda_forwarder_transport, c_void_p).value
                tracer = Tracer(_native_transport=(fn, addressof(self._forwarder)), **common)
        self.tracer = tracer
        # The tracer's transport may point into these: they live as long as the tracer does.
        tracer._lambda_keep = (self._forwarder, self._write_cb)
        opts = ffi.dd_lambda_options()
        opts.size = sizeof(ffi.dd_lambda_options)
        opts.mode = ffi.DD_LAMBDA_MODE_EXTENSION if mode == "extension" else ffi.DD_LAMBDA_MODE_FORWARDER
        if extension_path:
            opts.extension_path = self._b(extension_path)
        if mode == "extension":
            port = os.environ.get("DD_DOGSTATSD_PORT", "")
            port = int(port) if port.isdigit() and 0 < int(port) < 65536 else 8125
            self._statsd = lib.dd_udp_sender_open(b"127.0.0.1", port)
            if self._statsd:
                # dd_udp_send(u, data, len) has dd_datagram_fn's shape and returns 0 when sent.
                opts.statsd_fn = cast(lib.dd_udp_send, c_void_p).value
                opts.statsd_user = self._statsd
        if self._write_cb is not None:
            opts.write_fn = cast(self._write_cb, c_void_p)
        for key, value in options.items():
            if value is None:
                continue
            if key not in dict(ffi.dd_lambda_options._fields_):
                raise TypeError("LambdaTracer() got an unexpected keyword argument %r" % key)
            if isinstance(value, bool):
                value = ffi.DD_ON if value else ffi.DD_OFF
            setattr(opts, key, self._b(value) if isinstance(value, str) else value)
        self._l = lib.dd_lambda_new(tracer._t, byref(opts))
        if not self._l:
            raise ffi.DDError("dd_lambda_new failed")
        self._lock = threading.Lock()

    def _b(self, text):
        self._keep.append(text.encode("utf-8"))
        return self._keep[-1]

    @property
    def mode(self):
        """ffi.DD_LAMBDA_MODE_EXTENSION or ffi.DD_LAMBDA_MODE_FORWARDER."""
        return self._lib.dd_lambda_mode(self._l)

    def invoke(self, handler, event, context=None):
        """Runs one invocation of handler(event, context) inside its spans; returns its result."""
        lib = self._lib
        if isinstance(event, (bytes, bytearray)):
            raw = bytes(event)
        elif isinstance(event, str):
            raw = event.encode("utf-8")
        else:
            try:
                raw = json.dumps(event).encode("utf-8")
            except (TypeError, ValueError):
                raw = b"{}"
        inv = ffi.dd_lambda_invocation()
        inv.event, inv.event_len = raw, len(raw)
        keep = [raw]
        cc = getattr(context, "client_context", None)
        custom = getattr(cc, "custom", None) if cc is not None else None
        if custom:
            ccb = json.dumps({"custom": custom}).encode("utf-8")
            keep.append(ccb)
            inv.client_context, inv.client_context_len = ccb, len(ccb)
        for field, attr in (("request_id", "aws_request_id"), ("invoked_function_arn", "invoked_function_arn")):
            value = getattr(context, attr, None)
            if value:
                keep.append(str(value).encode("utf-8"))
                setattr(inv, field, keep[-1])
        trigger = ffi.dd_lambda_trigger()
        handle = lib.dd_lambda_start_invocation(self._l, byref(inv), byref(trigger))
        span = Span(self.tracer, handle, "aws.lambda", None, None, "serverless", None)
        span._external_finish = True  # dd_lambda_end_invocation finishes it
        self.tracer._activate(span)
        self.trigger = trigger
        try:
            result = handler(event, context)
        except BaseException as e:
            if not (isinstance(e, SystemExit) and e.code in (0, None)):
                etype = "%s.%s" % (type(e).__module__, type(e).__qualname__)
                stack = "".join(traceback.format_exception(type(e), e, e.__traceback__, limit=30))
                lib.dd_lambda_set_invocation_error(self._l, span._live, etype.encode(), str(e).encode("utf-8", "replace"),
                                                   stack.encode("utf-8", "replace"))
            self._end(span, None, 1)
            raise
        try:
            response = json.dumps(result).encode("utf-8") if result is not None else None
        except (TypeError, ValueError):
            response = None
        self._end(span, response, 0)
        return result

    def _end(self, span, response, is_error):
        h = span._live
        span.finish()  # no dd_span_finish (external); restores the previous active span
        self.last_status = self._lib.dd_lambda_end_invocation(self._l, h, response, len(response) if response else 0,
                                                              is_error)

    def wrap(self, handler):
        """The decorator form of invoke()."""
        @functools.wraps(handler)
        def wrapper(event, context=None):
            return self.invoke(handler, event, context)
        return wrapper

    def metric(self, name, value, tags=None, timestamp=None):
        """A custom distribution metric (datadog-lambda-python's lambda_metric): to the
        Extension's DogStatsD or as a Forwarder line. tags: a list of "k:v" or a dict. Returns
        0 or a DD_ERR_* status."""
        if isinstance(tags, dict):
            tags = ["%s:%s" % kv for kv in tags.items()]
        tags = [t.encode("utf-8") for t in (tags or [])]
        arr = (c_char_p * max(1, len(tags)))(*tags)
        return self._lib.dd_lambda_metric(self._l, name.encode("utf-8"), float(value), arr, len(tags),
                                          int(timestamp or 0))

    def log_prefix(self, span=None):
        """Lambda log correlation ("[dd.trace_id=... dd.span_id=...]"-style text of docs/lambda.md)."""
        span = span or self.tracer.current_span()
        h = span._live if span is not None else None
        n = self._lib.dd_lambda_log_prefix(self._l, h, None, 0)
        buf = create_string_buffer(n + 1)
        n = self._lib.dd_lambda_log_prefix(self._l, h, cast(buf, c_void_p), n + 1)
        return buf.raw[:n].decode("utf-8", "replace")

    def close(self):
        """Frees the Lambda state and the tracer it made (at the end of the process)."""
        if self._l:
            self._lib.dd_lambda_free(self._l)
            self._l = None
            self.tracer.close()
            if self._statsd:
                self._lib.dd_udp_sender_close(self._statsd)
                self._statsd = None


_DEFAULT = []
_DEFAULT_LOCK = threading.Lock()


def datadog_lambda(handler=None, **options):
    """Decorator for a Lambda handler: `@datadog_lambda` or `@datadog_lambda(service="orders")`.
    One LambdaTracer per process is made on the first invocation (options go to it)."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(event, context=None):
            with _DEFAULT_LOCK:
                if not _DEFAULT:
                    _DEFAULT.append(LambdaTracer(**options))
            return _DEFAULT[0].invoke(fn, event, context)
        return wrapper
    return decorate(handler) if handler is not None else decorate


def current_lambda_tracer():
    """The LambdaTracer made by @datadog_lambda, or None before the first invocation."""
    return _DEFAULT[0] if _DEFAULT else None

