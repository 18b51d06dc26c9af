"""The Pythonic API over ddtrace_c.ffi: Tracer, Span, Context (see the package's README.md)."""
import atexit
import contextvars
import ctypes
import functools
import inspect
import json
import logging
import os
import platform
import threading
import traceback
import weakref
from ctypes import byref, c_double, c_size_t, c_void_p

from . import ffi

_LIB = None
_LIB_LOCK = threading.Lock()


def library():
    """The package's native library (ffi.Library), loaded and layout-checked once per process."""
    global _LIB
    with _LIB_LOCK:
        if _LIB is None:
            path = ffi.bundled_library_path() or os.environ.get("DDTRACE_LIB")
            if path is None:
                raise ffi.DDError("ddtrace_c has no native library here (the source tree?): install the package "
                                  "(pip install --no-build-isolation --no-index bindings/python) or set DDTRACE_LIB")
            _LIB = ffi.Library(path)
        return _LIB


def _b(text):
    if text is None:
        return None
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def _s(ptr, n):
    return ctypes.string_at(ptr, n).decode("utf-8", "replace") if n else ""


# The fork generation: spans created before a fork() belong to the parent process; in the child
# they do nothing (the SDK discards what the parent had buffered, and finishing them there would
# send them twice).
_FORK_GEN = [0]
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _FORK_GEN.__setitem__(0, _FORK_GEN[0] + 1))

_LOG_LEVELS = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO, 3: logging.DEBUG}
_LIVE_TRACERS = weakref.WeakSet()


@atexit.register
def _close_all():
    # Deliver what finished before the interpreter goes away (callbacks into Python after that
    # would find no interpreter).
    for t in list(_LIVE_TRACERS):
        t.close()


def _tri(value):
    """Python's True/False/None as the SDK's DD_ON/DD_OFF/unset."""
    if value is None:
        return 0
    return ffi.DD_ON if value else ffi.DD_OFF


_BOOL_OPTIONS = ("trace_id_128", "debug", "startup_logs", "partial_flush", "report_hostname", "logs_injection",
                 "log_128bit", "http_client_tag_query_string", "client_ip_enabled")
_INT_OPTIONS = ("partial_flush_min_spans", "max_spans_per_segment", "max_tag_bytes", "max_open_segments",
                "max_buffer_bytes", "flush_bytes", "max_request_bytes", "flush_interval_ms", "send_retries",
                "request_timeout_ms", "shutdown_timeout_ms", "baggage_max_items", "baggage_max_bytes")
_STR_OPTIONS = ("hostname", "language", "language_version", "cgroup_path", "propagation_style",
                "propagation_style_extract", "propagation_style_inject", "propagation_behavior_extract",
                "baggage_tag_keys", "obfuscation_query_string_regexp", "http_server_error_statuses",
                "http_client_error_statuses", "header_tags", "client_ip_header", "peer_service_mapping",
                "service_mapping")
_DELIVERY = {"background": ffi.DD_DELIVERY_BACKGROUND, "sync": ffi.DD_DELIVERY_SYNC, "manual": ffi.DD_DELIVERY_MANUAL}
# Tags whose numeric values stay strings on the wire, as dd-trace-py keeps them.
_STRING_NUMERIC_TAGS = frozenset(["http.status_code"])
# The attributes dd_span_link has fixed fields for; any other attribute goes through
# dd_span_add_link_attrs as a string.
LINK_ATTRIBUTES = ("reason", "context_headers")


class Context:
    """A trace context: what a carrier carried (Tracer.extract*) or what a span would send
    (Span.context). Pass it as child_of to continue the trace, or to Span.link_span."""

    __slots__ = ("_c",)

    def __init__(self, c=None):
        self._c = c if c is not None else ffi.dd_trace_context()

    @property
    def trace_id(self):
        """The 128-bit trace id as an int (0: no trace, e.g. a baggage-only carrier)."""
        return (self._c.trace_id.hi << 64) | self._c.trace_id.lo

    @property
    def span_id(self):
        """The id of the remote parent span (the sender's span)."""
        return self._c.parent_id

    @property
    def sampling_priority(self):
        """-1, 0, 1, 2, or None when the carrier had none."""
        p = self._c.sampling_priority
        return None if p == ffi.PRIORITY_UNSET else p

    @property
    def origin(self):
        return self._c.origin.decode("utf-8", "replace")

    @property
    def dd_tags(self):
        """The propagated _dd.p.* tags as a dict."""
        text = self._c.ptags[:self._c.ptags_len].decode("utf-8", "replace")
        return dict(kv.split("=", 1) for kv in text.split(",") if "=" in kv)

    @property
    def tracestate(self):
        """Foreign (non-dd) W3C tracestate members, as received."""
        return self._c.tracestate[:self._c.tracestate_len].decode("utf-8", "replace")

    @property
    def style(self):
        """The propagation style that gave this context ("datadog", "tracecontext", ...), or ""."""
        return library().lib.dd_style_name(self._c.style).decode() if self._c.style else ""

    @property
    def baggage(self):
        """The W3C baggage items carried beside the context, as a dict."""
        return _baggage_dict(library().lib, ctypes.pointer(self._c.baggage))

    def __repr__(self):
        return "Context(trace_id=%d, span_id=%d, sampling_priority=%r, origin=%r)" % (
            self.trace_id, self.span_id, self.sampling_priority, self.origin)


def _baggage_dict(lib, bag):
    out = {}
    if not bag:
        return out
    it = ffi.dd_baggage_iter()
    k, v, kn, vn = c_void_p(), c_void_p(), c_size_t(), c_size_t()
    while lib.dd_baggage_next(bag, byref(it), byref(k), byref(kn), byref(v), byref(vn)) == 0:
        out[_s(k.value, kn.value)] = _s(v.value, vn.value)
    return out


def _header_array(headers):
    """A dict (or list of pairs) as a dd_header array; the returned list keeps the bytes alive."""
    items = list(headers.items()) if hasattr(headers, "items") else list(headers or [])
    arr = (ffi.dd_header * max(1, len(items)))()
    keep = [arr]
    for i, (k, v) in enumerate(items):
        kb, vb = _b(str(k)), _b(str(v))
        keep += [kb, vb]
        arr[i] = ffi.dd_header(ctypes.cast(ctypes.c_char_p(kb), c_void_p), len(kb),
                               ctypes.cast(ctypes.c_char_p(vb), c_void_p), len(vb))
    return arr, len(items), keep


class Span:
    """One span of a trace. Start spans with Tracer.trace / Tracer.start_span; use them as context
    managers (the span finishes at the end of the block; an exception leaving the block is
    recorded as error.type, error.message and error.stack). A span is used by one thread at a
    time; after finish() every method does nothing."""

    def __init__(self, tracer, handle, name, service, resource, span_type, parent):
        self._tracer = tracer
        self._lib = tracer._lib
        self._h = handle
        self._gen = _FORK_GEN[0]
        self._name, self._service, self._resource, self._type = name, service, resource, span_type
        self._error = 0
        self._parent = parent
        self._local_root = parent._local_root if parent is not None else self
        self._prev_active = None
        self._activated = False
        self._external_finish = False  # finished by another owner (dd_lambda_end_invocation)
        # Ids never change: read once, so they stay readable after finish().
        t = ffi.dd_trace_id()
        self._lib.dd_span_trace_id(handle, byref(t))
        self._ids = ((t.hi << 64) | t.lo, self._lib.dd_span_id(handle), self._lib.dd_span_parent_id(handle))

    # -- identity ------------------------------------------------------------------------------
    @property
    def _live(self):
        """The native handle, or None once finished, disabled, inherited through fork(), or when its
        tracer is closed (the SDK freed the span with it: touching it would be a use after free)."""
        return self._h if self._h and self._gen == _FORK_GEN[0] and not self._tracer._closed else None

    @property
    def finished(self):
        return self._h is None

    @property
    def trace_id(self):
        """The 128-bit trace id as an int (its low 64 bits are the wire's trace_id; 0 for a span
        of a disabled tracer)."""
        return self._ids[0]

    @property
    def span_id(self):
        return self._ids[1]

    @property
    def parent_id(self):
        return self._ids[2]

    @property
    def parent(self):
        """The local parent Span, or None."""
        return self._parent

    @property
    def context(self):
        """The Context a child in another process would continue (this makes the trace's
        sampling decision and locks it, as an injection does)."""
        ctx = Context()
        if self._lib.dd_span_context(self._live, byref(ctx._c)) != 0:
            return None
        return ctx

    # -- fields --------------------------------------------------------------------------------
    def _setter(fn_name, attr):  # noqa: N805 - a helper run at class creation
        def get(self):
            return getattr(self, attr)

        def set_(self, value):
            setattr(self, attr, value)
            v = _b(value or "")
            getattr(self._lib, fn_name)(self._live, v, len(v))
        return property(get, set_)

    name = _setter("dd_span_set_name_n", "_name")
    service = _setter("dd_span_set_service_n", "_service")
    resource = _setter("dd_span_set_resource_n", "_resource")
    span_type = _setter("dd_span_set_type_n", "_type")
    del _setter

    @property
    def error(self):
        """The error flag (0 or 1)."""
        return self._error

    @error.setter
    def error(self, value):
        self._error = 1 if value else 0
        self._lib.dd_span_set_error(self._live, self._error)

    def set_tag(self, key, value=None):
        """A tag. Numbers become metrics (as in dd-trace-py), except http.status_code, which stays
        a string; booleans and everything else become strings. Returns the span."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in _STRING_NUMERIC_TAGS \
                and not (isinstance(value, int) and abs(value) > 2 ** 53):
            return self.set_metric(key, value)
        return self.set_tag_str(key, "" if value is None else str(value))

    def set_tag_str(self, key, value):
        k, v = _b(key), _b(value)
        self._lib.dd_span_set_tag_n(self._live, k, len(k), v, len(v))
        return self

    def set_tags(self, tags):
        for k, v in tags.items():
            self.set_tag(k, v)
        return self

    def set_metric(self, key, value):
        """A numeric tag (float64 on the wire; NaN and infinities are dropped and counted)."""
        k = _b(key)
        self._lib.dd_span_set_metric_n(self._live, k, len(k), float(value))
        return self

    def set_metrics(self, metrics):
        for k, v in metrics.items():
            self.set_metric(k, v)
        return self

    def get_tag(self, key):
        """A string tag set on this span (not the tracer's own), or None."""
        k, v, n = _b(key), c_void_p(), c_size_t()
        if self._lib.dd_span_get_tag(self._live, k, len(k), byref(v), byref(n)) != 0:
            return None
        return _s(v.value, n.value)

    def get_metric(self, key):
        k, v = _b(key), c_double()
        if self._lib.dd_span_get_metric(self._live, k, len(k), byref(v)) != 0:
            return None
        return v.value

    def set_kind(self, kind):
        """span.kind: "server", "client", "producer", "consumer" or "internal"."""
        k = _b(kind)
        self._lib.dd_span_set_kind_n(self._live, k, len(k))
        return self

    def set_origin(self, origin):
        """The trace's origin (_dd.origin on every span, propagated by inject)."""
        o = _b(origin)
        self._lib.dd_span_set_origin_n(self._live, o, len(o))
        return self

    def set_measured(self, measured=True):
        """_dd.measured = 1: the agent computes stats for this span."""
        self._lib.dd_span_set_measured(self._live, 1 if measured else 0)
        return self

    def set_sampling_priority(self, priority):
        """A manual decision for the whole trace: 2 (keep) or -1 (reject); ignored once an
        injection has locked the decision."""
        self._lib.dd_span_set_priority(self._live, int(priority))
        return self

    def manual_keep(self):
        return self.set_sampling_priority(ffi.PRIORITY_USER_KEEP)

    def manual_drop(self):
        return self.set_sampling_priority(ffi.PRIORITY_USER_REJECT)

    # -- errors ----------------------------------------------------------------------------------
    def set_error(self, error_type, message, stack=None):
        """Marks the span as an error with error.type, error.message and error.stack (None: left
        as is)."""
        t, m, st = _b(error_type), _b(message), _b(stack)
        self._lib.dd_span_set_error_info_n(self._live, t, len(t) if t else 0, m, len(m) if m else 0,
                                           st, len(st) if st else 0)
        self._error = 1
        return self

    def set_exc_info(self, exc_type, exc_val, exc_tb, limit=30):
        """Records an exception as dd-trace-py does: error.type "<module>.<name>" (e.g.
        builtins.ValueError), error.message str(exc), error.stack the formatted traceback (at
        most `limit` frames). SystemExit with code 0 or None is not an error."""
        if exc_type is None or exc_val is None:
            return self
        if issubclass(exc_type, SystemExit) and getattr(exc_val, "code", None) in (0, None):
            return self
        stack = "".join(traceback.format_exception(exc_type, exc_val, exc_tb, limit=limit))
        try:
            message = str(exc_val)
        except Exception:
            message = "<unprintable %s>" % exc_type.__name__
        return self.set_error("%s.%s" % (exc_type.__module__, exc_type.__qualname__), message, stack)

    # -- HTTP ----------------------------------------------------------------------------------
    def set_http_request(self, method, url, headers=None, kind="server"):
        """span.kind and type (web / http), http.method, http.url (userinfo removed, query
        obfuscated), http.useragent and the DD_TRACE_HEADER_TAGS request headers."""
        arr, n, keep = _header_array(headers)
        k = ffi.DD_HTTP_SERVER if kind == "server" else ffi.DD_HTTP_CLIENT
        self._lib.dd_span_set_http_request(self._live, k, _b(method), _b(url), arr, n)
        del keep
        return self

    def set_http_response(self, status, headers=None):
        """http.status_code, the error flag for DD_TRACE_HTTP_*_ERROR_STATUSES, response header tags."""
        arr, n, keep = _header_array(headers)
        self._lib.dd_span_set_http_response(self._live, int(status), arr, n)
        del keep
        return self

    def set_http_route(self, route):
        self._lib.dd_span_set_http_route(self._live, _b(route))
        return self

    def set_http_client_ip(self, peer_ip=None, headers=None):
        """http.client_ip / network.client.ip (with DD_TRACE_CLIENT_IP_ENABLED)."""
        arr, n, keep = _header_array(headers)
        self._lib.dd_span_set_http_client_ip(self._live, _b(peer_ip), arr, n)
        del keep
        return self

    # -- links and baggage -----------------------------------------------------------------------
    def link_span(self, context, attributes=None, flags=None):
        """A span link to `context` (a Context or a Span) with `attributes` (a dict; values are
        sent as strings, at most 32 of them, as the official tracers' add_link(context, attributes))."""
        if isinstance(context, Span):
            context = context.context
        if context is None:
            return self
        attributes = dict(attributes or {})
        extra = [(k, v) for k, v in attributes.items() if k not in LINK_ATTRIBUTES]
        link = ffi.dd_span_link()
        link.trace_id = context._c.trace_id
        link.span_id = context._c.parent_id
        if flags is not None:
            link.flags = int(flags) | -0x80000000  # "set": the SDK writes flags | 0x80000000
        elif context.sampling_priority is not None:
            link.flags = (1 if context.sampling_priority > 0 else 0) | -0x80000000
        for key, size in (("reason", 32), ("context_headers", 16)):
            if key in attributes:
                v = _b(str(attributes[key]))
                if len(v) >= size:
                    raise ValueError("span link %s longer than %d bytes" % (key, size - 1))
                setattr(link, key, v)
        if context.tracestate:
            link.tracestate = _b(context.tracestate)[:512]
        arr, n, keep = _header_array(extra)
        rc = self._lib.dd_span_add_link_attrs(self._live, byref(link), arr, n)
        del keep  # the C side copied the attributes
        if rc != 0 and self._live:
            raise ffi.DDError("dd_span_add_link_attrs: " + self._lib.dd_status_str(rc).decode())
        return self

    add_link = link_span

    def set_baggage_item(self, key, value):
        """Sets a W3C baggage item of the trace (sent by inject with the baggage style)."""
        k, v = _b(key), _b(str(value))
        rc = self._lib.dd_span_baggage_set(self._live, k, len(k), v, len(v))
        if rc != 0 and self._live:
            raise ffi.DDError("baggage: " + self._lib.dd_status_str(rc).decode())
        return self

    def get_baggage_item(self, key):
        k, v, n = _b(key), c_void_p(), c_size_t()
        if self._lib.dd_span_baggage_get(self._live, k, len(k), byref(v), byref(n)) != 0:
            return None
        return _s(v.value, n.value)

    def remove_baggage_item(self, key):
        k = _b(key)
        self._lib.dd_span_baggage_remove(self._live, k, len(k))
        return self

    def clear_baggage(self):
        self._lib.dd_span_baggage_clear(self._live)
        return self

    def get_baggage_items(self):
        """The trace's baggage as a dict."""
        return _baggage_dict(self._lib, self._lib.dd_span_baggage(self._live))

    # -- propagation ---------------------------------------------------------------------------
    def inject(self, headers=None):
        """Writes the headers that continue this span's trace elsewhere (the tracer's styles:
        DD_TRACE_PROPAGATION_STYLE_INJECT, default datadog, tracecontext, baggage) into `headers`
        (a dict, created when None) and returns it. Locks the trace's sampling decision."""
        out = {} if headers is None else headers
        if not self._live:
            return out
        cap, buf_cap = 32, 32768
        items = (ffi.dd_header * cap)()
        buf = ctypes.create_string_buffer(buf_cap)
        h = ffi.dd_headers()
        self._lib.dd_headers_init(byref(h), items, cap, ctypes.cast(buf, c_void_p), buf_cap)
        rc = self._lib.dd_span_inject_headers(self._live, byref(h))
        if rc != 0:
            raise ffi.DDError("dd_span_inject_headers: " + self._lib.dd_status_str(rc).decode())
        for i in range(h.n):
            out[_s(items[i].name, items[i].name_len)] = _s(items[i].value, items[i].value_len)
        return out

    def inject_datadog_json(self):
        """The `_datadog` JSON object (text) for a queue message's attributes (SQS, SNS,
        EventBridge, Kinesis): what the official helpers write. "" for a finished span."""
        if not self._live:
            return ""
        n = self._lib.dd_span_inject_datadog_json(self._live, None, 0)
        buf = ctypes.create_string_buffer(n + 1)
        n = self._lib.dd_span_inject_datadog_json(self._live, ctypes.cast(buf, c_void_p), n + 1)
        return buf.raw[:n].decode("utf-8")

    def inject_env(self, environ=None):
        """The context as environment variables for a child process (X_DATADOG_TRACE_ID,
        TRACEPARENT, ...), added to `environ` (a dict, created when None) and returned."""
        out = {} if environ is None else environ
        if not self._live:
            return out
        cap, buf_cap = 33, 32768
        envp = (ctypes.c_char_p * cap)()
        buf = ctypes.create_string_buffer(buf_cap)
        e = ffi.dd_env_block()
        self._lib.dd_env_block_init(byref(e), envp, cap, ctypes.cast(buf, c_void_p), buf_cap)
        rc = self._lib.dd_span_inject_env(self._live, byref(e))
        if rc != 0:
            raise ffi.DDError("dd_span_inject_env: " + self._lib.dd_status_str(rc).decode())
        for i in range(e.n):
            k, _, v = envp[i].decode("utf-8", "replace").partition("=")
            out[k] = v
        return out

    # -- logs ------------------------------------------------------------------------------------
    def log_correlation(self, json_form=False):
        """dd.trace_id=... dd.span_id=... dd.service=... dd.env=... dd.version=... (the text form,
        values escaped), or the JSON members; "" with DD_LOGS_INJECTION off."""
        n = self._lib.dd_span_log_correlation(self._live, 1 if json_form else 0, None, 0)
        buf = ctypes.create_string_buffer(n + 1)
        n = self._lib.dd_span_log_correlation(self._live, 1 if json_form else 0, ctypes.cast(buf, c_void_p), n + 1)
        return buf.raw[:n].decode("utf-8", "replace")

    def log_fields(self):
        """{"dd.trace_id": ..., "dd.span_id": ..., "dd.service": ..., "dd.env": ..., "dd.version": ...}
        as dd-trace-py's log injection adds them ({} with DD_LOGS_INJECTION off)."""
        members = self.log_correlation(json_form=True)
        return json.loads("{" + members + "}") if members else {}

    # -- lifecycle -----------------------------------------------------------------------------
    def finish(self, finish_time=None):
        """Ends the span (now, or at `finish_time`, seconds since the epoch) and makes its parent
        the active span again if this one was active. Idempotent."""
        h = self._live
        self._h = None
        if h and not self._external_finish:
            if finish_time is None:
                self._lib.dd_span_finish(h)
            else:
                self._lib.dd_span_finish_at(h, int(finish_time * 1e9))
        self._tracer._deactivate(self)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if exc_type is not None:
            self.set_exc_info(exc_type, exc_val, exc_tb)
        self.finish()
        return False

    def __repr__(self):
        return "Span(name=%r, span_id=%d, trace_id=%d, parent_id=%d)" % (
            self._name, self.span_id, self.trace_id, self.parent_id)


class Tracer:
    """A tracer: spans, propagation and delivery to the Datadog Agent.

    Configuration comes from keyword arguments, else the same DD_* environment variables as the
    official tracers (DD_SERVICE, DD_ENV, DD_VERSION, DD_TAGS, DD_TRACE_ENABLED,
    DD_TRACE_SAMPLE_RATE, DD_TRACE_SAMPLING_RULES, DD_TRACE_PROPAGATION_STYLE*, DD_LOGS_INJECTION,
    ...), read once when the tracer is created. Delivery: by default a native worker thread sends
    finished traces every flush_interval_ms (2 s) through the SDK's HTTP sender to
    agent_url / DD_TRACE_AGENT_URL / DD_AGENT_HOST + DD_TRACE_AGENT_PORT / the Unix socket
    /var/run/datadog/apm.socket / localhost:8126, never blocking the application. transport: a
    Python callable(method, path, headers, body) -> (status, body[, retry_after_ms]) instead
    (raise ffi.NotSent when the request surely did not arrive).

    Keyword options (None = the environment variable, else the SDK's default):
      service, env, version, tags (dict or "k:v,k:v"), enabled, agent_url, transport,
      sample_rate, rate_limit, sampling_rules, span_sampling_rules (JSON text or lists of
      dicts), drop_rejected_traces, delivery ("background", "sync", "manual"), logger
      (a logging.Logger for the SDK's diagnostics; default logging.getLogger("ddtrace_c")),
      and the dd_tracer_config fields: %s.
    Thread-safe; a Span is used by one thread at a time. The current span is kept per thread
    and per asyncio task (contextvars), so spans started inside another's block are its children.
    """ % ", ".join(_BOOL_OPTIONS + _INT_OPTIONS + _STR_OPTIONS)

    def __init__(self, service=None, env=None, version=None, tags=None, *, enabled=None, agent_url=None,
                 transport=None, sample_rate=None, rate_limit=None, sampling_rules=None, span_sampling_rules=None,
                 drop_rejected_traces=None, delivery=None, logger=None, _native_transport=None, **options):
        self._dd = library()
        self._lib = self._dd.lib
        cfg = {"language": "python", "language_version": platform.python_version(), "cgroup_path": None}
        for key, value in (("service", service), ("env", env), ("version", version)):
            if value is not None:
                cfg[key] = str(value)
        if tags is not None:
            cfg["tags"] = tags if isinstance(tags, str) else ",".join("%s:%s" % kv for kv in tags.items())
        if enabled is not None:
            cfg["enabled"] = _tri(enabled)
        if delivery is not None:
            cfg["delivery"] = _DELIVERY[delivery] if isinstance(delivery, str) else int(delivery)
        for key, value in options.items():
            if key in _BOOL_OPTIONS:
                cfg[key] = _tri(value)
            elif key in _INT_OPTIONS:
                cfg[key] = int(value)
            elif key in _STR_OPTIONS:
                cfg[key] = value
            else:
                raise TypeError("Tracer() got an unexpected keyword argument %r" % key)
        sampling = {}
        if sample_rate is not None:
            sampling.update(sample_rate=float(sample_rate), sample_rate_set=1)
        if rate_limit is not None:
            sampling.update(rate_limit=float(rate_limit), rate_limit_set=1)
        if sampling_rules is not None:
            sampling["rules_json"] = sampling_rules if isinstance(sampling_rules, str) else json.dumps(sampling_rules)
        if span_sampling_rules is not None:
            sampling["span_rules_json"] = (span_sampling_rules if isinstance(span_sampling_rules, str)
                                           else json.dumps(span_sampling_rules))
        if drop_rejected_traces is not None:
            sampling["drop_rejected_traces"] = 1 if drop_rejected_traces else 0
        self.logger = logger if logger is not None else logging.getLogger("ddtrace_c")
        log = self.logger

        def on_log(level, message):
            log.log(_LOG_LEVELS.get(level, logging.DEBUG), "%s", message)
        if transport is not None and "flush_interval_ms" not in cfg:
            cfg["flush_interval_ms"] = 0  # background delivery, as with the native sender
        self._native = ffi.Tracer(self._dd, transport, sampling=sampling, log_callback=on_log, agent_url=agent_url,
                                  native_transport=_native_transport, **cfg)
        self._active = contextvars.ContextVar("ddtrace_c_active_span_%x" % id(self), default=None)
        self._closed = False
        _LIVE_TRACERS.add(self)

    # -- properties ------------------------------------------------------------------------------
    @property
    def _t(self):
        return self._native.t

    @property
    def service(self):
        return self._lib.dd_tracer_service(self._t).decode() if self._t else ""

    @property
    def env(self):
        return self._lib.dd_tracer_env(self._t).decode() if self._t else ""

    @property
    def version(self):
        return self._lib.dd_tracer_version(self._t).decode() if self._t else ""

    @property
    def agent_url(self):
        """Where the native sender delivers ("http://host:port", "unix:///path"), or None with a
        Python transport."""
        s = self._native.sender
        return self._lib.dd_sender_url(s).decode() if s and self._t else None

    @property
    def transport_errors(self):
        """Exceptions raised by a Python transport (the SDK counts the failed requests)."""
        return self._native.transport_errors

    # -- spans -----------------------------------------------------------------------------------
    def current_span(self):
        """The active span of this thread / asyncio task, or None."""
        span = self._active.get()
        while span is not None and (span._h is None or span._gen != _FORK_GEN[0]):
            span = span._prev_active
        return span

    def current_root_span(self):
        """The local root of the active span's trace, or None."""
        span = self.current_span()
        return span._local_root if span is not None else None

    def start_span(self, name, child_of=None, service=None, resource=None, span_type=None, *, kind=None,
                   activate=False, start_ns=0, span_id=0):
        """Starts a span: the child of `child_of` (a Span or a Context), else a new trace. It is not
        made active unless activate=True. Returns a Span (a no-op one when tracing is disabled)."""
        o = ffi.dd_span_options()
        o.size = ctypes.sizeof(ffi.dd_span_options)
        keep = [_b(x) for x in (name, service, resource, span_type)]
        o.name, o.service, o.resource, o.type = keep
        o.name_len, o.service_len, o.resource_len, o.type_len = [len(x) if x else 0 for x in keep]
        parent = None
        if isinstance(child_of, Span):
            parent = child_of
            o.parent = child_of._live
        elif isinstance(child_of, Context):
            o.context = ctypes.pointer(child_of._c)
        elif child_of is not None:
            raise TypeError("child_of must be a Span or a Context")
        o.start_ns = int(start_ns)
        o.span_id = int(span_id)
        handle = self._lib.dd_span_start(self._t, byref(o)) if self._t else None
        span = Span(self, handle, name, service, resource, span_type, parent)
        if kind:
            span.set_kind(kind)
        if activate:
            self._activate(span)
        return span

    def trace(self, name, service=None, resource=None, span_type=None, *, child_of=None, kind=None):
        """Starts a span as a child of the active span (or of `child_of`) and makes it active until
        it finishes: `with tracer.trace("db.query", resource="SELECT 1") as span: ...`."""
        if child_of is None:
            child_of = self.current_span()
        return self.start_span(name, child_of, service, resource, span_type, kind=kind, activate=True)

    def wrap(self, name=None, service=None, resource=None, span_type=None):
        """A decorator tracing each call of the function (async functions too); the span is named
        `name`, default "<module>.<qualified name>", and records exceptions."""
        def decorator(fn):
            span_name = name or "%s.%s" % (fn.__module__, fn.__qualname__)
            if inspect.iscoroutinefunction(fn):
                @functools.wraps(fn)
                async def async_wrapper(*args, **kwargs):
                    with self.trace(span_name, service=service, resource=resource, span_type=span_type):
                        return await fn(*args, **kwargs)
                return async_wrapper

            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                with self.trace(span_name, service=service, resource=resource, span_type=span_type):
                    return fn(*args, **kwargs)
            return wrapper
        return decorator

    def activate(self, span):
        """Makes `span` the active span of this thread / task until it finishes."""
        self._activate(span)
        return span

    def activated(self, span):
        """A context manager that makes `span` active inside the block (without finishing it)."""
        tracer = self

        class _Activated:
            def __enter__(self_inner):
                self_inner.token = tracer._active.set(span)
                return span

            def __exit__(self_inner, *exc):
                tracer._active.reset(self_inner.token)
                return False
        return _Activated()

    def _activate(self, span):
        span._prev_active = self._active.get()
        span._activated = True
        self._active.set(span)

    def _deactivate(self, span):
        if span._activated and self._active.get() is span:
            prev = span._prev_active
            while prev is not None and prev._h is None:
                prev = prev._prev_active
            self._active.set(prev)

    # -- propagation -------------------------------------------------------------------------------
    def _extract_ctx(self, fn, *args):
        ctx = Context()
        rc = fn(self._t, *args, byref(ctx._c))
        return ctx if rc == 0 else None

    def extract(self, headers):
        """The Context carried by HTTP headers (a dict or a list of pairs; names in any case), with
        the tracer's extract styles; None when there is none."""
        arr, n, keep = _header_array(headers)
        return self._extract_ctx(self._lib.dd_tracer_extract_headers, arr, n)

    def extract_datadog_json(self, message_attribute):
        """The Context of a queue message's `_datadog` attribute (its JSON text, bytes, or a dict)."""
        if isinstance(message_attribute, dict):
            message_attribute = json.dumps(message_attribute)
        data = _b(message_attribute)
        return self._extract_ctx(self._lib.dd_tracer_extract_datadog_json, data, len(data))

    def extract_env(self, environ=None):
        """The Context a parent process left in the environment (os.environ by default)."""
        env = os.environ if environ is None else environ
        kept = []

        def getenv(user, name):
            v = env.get(name.decode())
            if v is None:
                return None
            kept.append(ctypes.create_string_buffer(_b(v)))
            return ctypes.cast(kept[-1], c_void_p).value
        cb = ffi.GETENV_FN(getenv)
        return self._extract_ctx(self._lib.dd_tracer_extract_env, cb, None)

    def inject(self, headers=None, span=None):
        """Injects the active span (or `span`) into `headers` (a dict, created when None)."""
        span = span or self.current_span()
        return span.inject(headers) if span is not None else ({} if headers is None else headers)

    # -- delivery ------------------------------------------------------------------------------
    def flush(self):
        """Delivers every finished trace now and waits for the outcome (at most
        shutdown_timeout_ms): 0 (DD_OK) or a negative DD_ERR_* status (ffi constants)."""
        return self._native.flush() if self._t else 0

    def counters(self):
        """The SDK's counters (spans started, sent, dropped and why, requests...) as a dict."""
        return self._native.counters() if self._t else {}

    def sender_counters(self):
        """The native sender's counters (requests, answered, not_sent, ...), or {} without it."""
        s = self._native.sender
        if not s or not self._t:
            return {}
        st = ffi.dd_sender_stats()
        self._lib.dd_sender_counters(s, byref(st))
        return {n: getattr(st, n) for n, _ in ffi.dd_sender_stats._fields_}

    def close(self):
        """Delivers what finished (at most shutdown_timeout_ms) and frees the tracer; spans still
        open are dropped and their methods do nothing from then on. Idempotent; also run at
        interpreter exit and when the tracer is garbage-collected."""
        if not self._closed:
            self._closed = True
            self._native.close()

    shutdown = close

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def log_filter(self):
        """A logging.Filter adding dd.trace_id, dd.span_id, dd.service, dd.env and dd.version to
        every record (see ddtrace_c.LogCorrelationFilter)."""
        from .logs import LogCorrelationFilter
        return LogCorrelationFilter(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def extract(headers):
    """A Context from HTTP headers with the SDK's default styles (datadog, tracecontext, baggage),
    without a tracer; None when there is none. Tracer.extract uses the tracer's styles."""
    lib = library().lib
    arr, n, keep = _header_array(headers)
    ctx = Context()
    return ctx if lib.dd_tracer_extract_headers(None, arr, n, byref(ctx._c)) == 0 else None


__all__ = ["Tracer", "Span", "Context", "extract", "library", "LINK_ATTRIBUTES"]
