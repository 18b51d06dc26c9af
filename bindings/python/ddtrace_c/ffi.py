"""ddtrace_c.ffi - the low-level layer: dd-trace-c's C API through ctypes (standard library only).

The structures below mirror the public structs of dd_trace.h, dd_propagation.h, dd_sender.h and
dd_lambda.h field by field. Two checks keep them honest:
  * the package's own native library (built by setup.py) carries a table of every mirrored
    struct's sizeof and field offsets, generated from the field lists below and compiled by the C
    compiler; Library() compares it with ctypes at load time and refuses to run on any mismatch
    (LayoutError), so a changed C layout fails loudly instead of corrupting memory;
  * tests/python_binding_test.sh and tests/ffi_python_test.sh compile the same comparison
    against the repository's headers.

Low-level use (what examples/python/ddtrace_ffi.py re-exports, for the repository's own tests):

    from ddtrace_c.ffi import Library
    dd = Library("build/libddtrace.so")               # or Library(): the package's own library
    tracer = dd.tracer(service="checkout")             # the library's own agent sender
    def transport(method, path, headers, body):        # or a transport in Python
        ...; return status, response_body_bytes        # raise NotSent if it surely did not arrive
    tracer = dd.tracer(transport, service="checkout")
    root = tracer.start_span("http.request", resource="GET /cart")
    child = root.child("db.query"); child.set_tag("db.system", "postgresql"); child.finish()
    headers = root.inject()                            # {"x-datadog-trace-id": ..., "traceparent": ...}
    root.finish(); tracer.flush(); tracer.close()
    ctx = dd.extract({"x-datadog-trace-id": "1", "x-datadog-parent-id": "2"})  # a Context, or None

The Pythonic API (ddtrace_c.Tracer, spans as context managers, log correlation, Lambda) is built
on this module. Everything the C side hands to a Python callback is copied before the callback
returns; what a transport returns is kept alive until the next call (STYLE.md section 7).
"""
import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_int, c_int32, c_int64,
                    c_size_t, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

DDTRACE_VERSION = 200  # the DDTRACE_VERSION of the headers this binding mirrors
DD_ON, DD_OFF = 1, 2
DD_DELIVERY_BACKGROUND, DD_DELIVERY_SYNC, DD_DELIVERY_MANUAL = 1, 2, 3
# What a transport returns (dd_trace.h): a whole answer arrived; the agent surely did not get the
# request (kept and tried again); written but the answer was lost (never sent again).
DD_TRANSPORT_ANSWERED, DD_TRANSPORT_NOT_SENT, DD_TRANSPORT_UNCONFIRMED = 0, 1, 2
PRIORITY_USER_REJECT, PRIORITY_AUTO_REJECT, PRIORITY_AUTO_KEEP, PRIORITY_USER_KEEP = -1, 0, 1, 2
PRIORITY_UNSET = -128
DD_HTTP_SERVER, DD_HTTP_CLIENT = 1, 2
DD_OK, DD_ERR_TRANSPORT, DD_ERR_HTTP = 0, -10, -13


class dd_header(Structure):
    _fields_ = [("name", c_void_p), ("name_len", c_size_t), ("value", c_void_p), ("value_len", c_size_t)]


class dd_headers(Structure):
    _fields_ = [("items", POINTER(dd_header)), ("n", c_size_t), ("cap", c_size_t), ("buf", c_void_p),
                ("buf_len", c_size_t), ("buf_cap", c_size_t)]


class dd_carrier_reader(Structure):
    _fields_ = [("self", c_void_p), ("get", c_void_p), ("get_nth", c_void_p)]


class dd_carrier_writer(Structure):
    _fields_ = [("self", c_void_p), ("set", c_void_p)]


class dd_trace_id(Structure):
    _fields_ = [("hi", c_uint64), ("lo", c_uint64)]


class dd_span_link(Structure):
    _fields_ = [("trace_id", dd_trace_id), ("span_id", c_uint64), ("flags", c_int32), ("tracestate", c_char * 513),
                ("reason", c_char * 32), ("context_headers", c_char * 16)]


class dd_baggage(Structure):
    _fields_ = [("n", c_uint32), ("len", c_uint32), ("key_len", c_uint16 * 64), ("value_len", c_uint16 * 64),
                ("data", c_uint8 * 16384)]


class dd_trace_context(Structure):
    _fields_ = [("trace_id", dd_trace_id), ("parent_id", c_uint64), ("sampling_priority", c_int32),
                ("origin_len", c_uint32), ("origin", c_char * 65), ("ptags_len", c_uint32), ("ptags", c_char * 513),
                ("tracestate_len", c_uint32), ("tracestate", c_char * 513), ("dd_member_extra_len", c_uint32),
                ("dd_member_extra", c_char * 129), ("has_w3c_parent", c_int32), ("w3c_parent_id", c_uint64),
                ("propagation_error", c_char * 65), ("n_links", c_uint32), ("links", dd_span_link * 4),
                ("dropped", c_uint32), ("last_parent_id", c_char * 17), ("style", c_int32),
                ("ptags_lost", c_uint32), ("baggage", dd_baggage)]


class dd_propagation_config(Structure):
    _fields_ = [("extract_styles", c_int * 8), ("n_extract", c_int), ("inject_styles", c_int * 8), ("n_inject", c_int),
                ("extract_first", c_int), ("x_datadog_tags_max_length", c_int32), ("baggage_max_items", c_int32),
                ("baggage_max_bytes", c_int32), ("extract_behavior", c_int)]


class dd_http_request(Structure):
    _fields_ = [("method", c_char_p), ("path", c_char_p), ("headers", POINTER(dd_header)), ("n_headers", c_size_t),
                ("body", c_void_p), ("body_len", c_size_t), ("timeout_ms", c_int64)]


class dd_http_response(Structure):
    _fields_ = [("status", c_int), ("body", c_void_p), ("body_len", c_size_t), ("retry_after_ms", c_int64)]


TRANSPORT_FN = CFUNCTYPE(c_int, c_void_p, POINTER(dd_http_request), POINTER(dd_http_response))
LOG_FN = CFUNCTYPE(None, c_void_p, c_int, c_void_p, c_size_t)


class dd_sampling_config(Structure):
    _fields_ = [("rules_json", c_char_p), ("sample_rate", c_double), ("sample_rate_set", c_int),
                ("rate_limit", c_double), ("rate_limit_set", c_int), ("span_rules_json", c_char_p),
                ("drop_rejected_traces", c_int), ("rules", c_void_p), ("n_rules", c_size_t),
                ("span_rules", c_void_p), ("n_span_rules", c_size_t)]


class dd_allocator(Structure):
    _fields_ = [("alloc_fn", c_void_p), ("free_fn", c_void_p), ("user", c_void_p)]


class dd_tracer_config(Structure):
    _fields_ = [("size", c_size_t), ("service", c_char_p), ("env", c_char_p), ("version", c_char_p), ("tags", c_char_p),
                ("enabled", c_int), ("trace_id_128", c_int), ("debug", c_int), ("startup_logs", c_int),
                ("partial_flush", c_int), ("partial_flush_min_spans", c_int), ("report_hostname", c_int),
                ("hostname", c_char_p), ("language", c_char_p), ("language_version", c_char_p),
                ("cgroup_path", c_char_p), ("max_spans_per_segment", c_uint32), ("max_tag_bytes", c_uint32),
                ("max_open_segments", c_uint32), ("max_buffer_bytes", c_uint64), ("flush_bytes", c_uint64),
                ("max_request_bytes", c_uint64), ("flush_interval_ms", c_int64), ("background_flush", c_int),
                ("send_retries", c_int), ("sampling", dd_sampling_config), ("allocator", dd_allocator),
                ("wall_ns_fn", c_void_p), ("mono_ns_fn", c_void_p), ("random_fn", c_void_p),
                ("getenv_fn", c_void_p), ("log_fn", LOG_FN), ("transport_fn", TRANSPORT_FN),
                ("hook_user", c_void_p), ("delivery", c_int), ("request_timeout_ms", c_int64),
                ("shutdown_timeout_ms", c_int64), ("transport_user", c_void_p), ("log_user", c_void_p),
                ("transport_free_fn", c_void_p),
                ("propagation_style", c_char_p), ("propagation_style_extract", c_char_p),
                ("propagation_style_inject", c_char_p), ("propagation_behavior_extract", c_char_p),
                ("baggage_max_items", c_int32), ("baggage_max_bytes", c_int32), ("baggage_tag_keys", c_char_p),
                ("logs_injection", c_int), ("log_128bit", c_int),
                ("obfuscation_query_string_regexp", c_char_p), ("http_server_error_statuses", c_char_p),
                ("http_client_error_statuses", c_char_p), ("header_tags", c_char_p),
                ("http_client_tag_query_string", c_int), ("client_ip_enabled", c_int), ("client_ip_header", c_char_p),
                ("peer_service_mapping", c_char_p), ("service_mapping", c_char_p),
                ("clock_user", c_void_p), ("random_user", c_void_p), ("getenv_user", c_void_p),
                ("stats_computation", c_int)]


class dd_span_options(Structure):
    _fields_ = [("size", c_size_t), ("parent", c_void_p), ("context", POINTER(dd_trace_context)), ("name", c_char_p),
                ("name_len", c_size_t), ("service", c_char_p), ("service_len", c_size_t), ("resource", c_char_p),
                ("resource_len", c_size_t), ("type", c_char_p), ("type_len", c_size_t), ("start_ns", c_int64),
                ("trace_id", dd_trace_id), ("span_id", c_uint64)]


class dd_counters(Structure):
    _fields_ = [(n, c_uint64) for n in (
        "spans_started", "spans_finished", "spans_dropped_limit", "segments_dropped_limit", "tags_dropped",
        "chunks_encoded", "spans_encoded", "chunks_dropped_buffer", "spans_dropped_buffer", "partial_flushes",
        "requests_sent", "requests_failed", "requests_retried", "chunks_sent", "chunks_dropped_send",
        "spans_dropped_send", "bytes_sent", "responses_invalid", "flushes", "spans_dropped_sampling",
        "chunks_dropped_sampling", "spans_sent", "requests_unconfirmed", "chunks_unconfirmed", "spans_unconfirmed",
        "requests_deferred", "spans_dropped_shutdown", "spans_open", "spans_pending", "stale_handle_calls",
        "stats_spans", "stats_spans_overflow", "stats_spans_dropped", "stats_payloads_sent", "stats_payloads_failed",
        "stats_bytes_sent", "chunks_dropped_p0", "spans_dropped_p0")]


class dd_baggage_iter(Structure):
    _fields_ = [("i", c_uint32), ("off", c_uint32)]


class dd_env_block(Structure):
    _fields_ = [("envp", POINTER(c_char_p)), ("n", c_size_t), ("cap", c_size_t), ("buf", c_void_p),
                ("buf_len", c_size_t), ("buf_cap", c_size_t)]


GETENV_FN = CFUNCTYPE(c_void_p, c_void_p, c_char_p)  # returns a borrowed NUL-terminated value or NULL


class dd_sender_options(Structure):
    _fields_ = [("size", c_size_t), ("url", c_char_p), ("timeout_ms", c_int64), ("max_response_bytes", c_size_t),
                ("getenv_fn", c_void_p), ("getenv_user", c_void_p), ("log_fn", LOG_FN), ("log_user", c_void_p),
                ("socket_path", c_char_p)]


class dd_sender_stats(Structure):
    _fields_ = [(n, c_uint64) for n in (
        "requests", "answered", "not_sent", "unconfirmed", "http_errors", "timeouts", "connects", "reused",
        "stale", "interim", "bytes_sent", "bytes_received")]


# dd_lambda.h
DD_LAMBDA_MODE_EXTENSION, DD_LAMBDA_MODE_FORWARDER = 1, 2
DATAGRAM_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)
WRITE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)


class dd_lambda_tag(Structure):
    _fields_ = [("key", c_char * 32), ("value", c_char * 256)]


class dd_lambda_trigger(Structure):
    _fields_ = [("event_source", c_int32), ("event_subtype", c_int32), ("context_source", c_int32),
                ("event_source_arn", c_char * 256), ("span_name", c_char * 32), ("service", c_char * 256),
                ("resource", c_char * 256), ("start_ns", c_int64), ("is_async", c_int32), ("n_tags", c_uint32),
                ("tags", dd_lambda_tag * 12), ("span_type", c_char * 8), ("upstream_span_name", c_char * 32),
                ("upstream_service", c_char * 256), ("upstream_resource", c_char * 256),
                ("upstream_start_ns", c_int64), ("n_upstream_tags", c_uint32), ("upstream_tags", dd_lambda_tag * 6),
                ("n_trigger_tags", c_uint32), ("trigger_tags", dd_lambda_tag * 6)]


class dd_lambda_config(Structure):
    _fields_ = [("propagation", POINTER(dd_propagation_config)), ("extractor_fn", c_void_p),
                ("extractor_user", c_void_p), ("merge_xray", c_int32), ("getenv_fn", c_void_p),
                ("wall_ns_fn", c_void_p), ("random_fn", c_void_p), ("send_fn", c_void_p), ("hook_user", c_void_p),
                ("invoked_function_arn", c_char_p), ("scratch", c_void_p), ("scratch_len", c_size_t)]


class dd_lambda_extension_api(Structure):
    _fields_ = [("request_fn", c_void_p), ("response_header_fn", c_void_p), ("user", c_void_p),
                ("timeout_ms", c_int64)]


class dd_lambda_options(Structure):
    _fields_ = [("size", c_size_t), ("config", POINTER(dd_lambda_config)), ("function_name", c_char_p),
                ("service", c_char_p), ("service_mapping", c_char_p), ("managed_services", c_int),
                ("service_representation", c_int), ("logs_injection", c_int), ("log_128bit", c_int),
                ("init_ns", c_int64), ("cold_start_tracing", c_int), ("min_cold_start_duration_ms", c_int32),
                ("mode", c_int), ("extension_path", c_char_p), ("statsd_fn", c_void_p), ("statsd_user", c_void_p),
                ("write_fn", c_void_p), ("write_user", c_void_p), ("enhanced_metrics", c_int),
                ("universal_instrumentation", c_int), ("extension", dd_lambda_extension_api)]


class dd_lambda_invocation(Structure):
    _fields_ = [("event", c_char_p), ("event_len", c_size_t), ("client_context", c_char_p),
                ("client_context_len", c_size_t), ("request_id", c_char_p), ("invoked_function_arn", c_char_p),
                ("xray_trace_id", c_char_p), ("start_ns", c_int64)]


class dd_lambda_forwarder(Structure):
    _fields_ = [("write_fn", c_void_p), ("write_user", c_void_p), ("alloc", dd_allocator),
                ("lines", c_uint64), ("dropped", c_uint64)]


# Every mirrored structure, for the layout checks (the package's build-time table, and
# tests/python_binding_test.sh / tests/ffi_python_test.sh against the C compiler).
STRUCTS = [dd_header, dd_headers, dd_carrier_reader, dd_carrier_writer, dd_trace_id, dd_span_link, dd_baggage,
           dd_trace_context, dd_propagation_config, dd_http_request, dd_http_response, dd_sampling_config,
           dd_allocator, dd_tracer_config, dd_span_options, dd_counters, dd_baggage_iter, dd_env_block,
           dd_sender_options, dd_sender_stats, dd_lambda_tag, dd_lambda_trigger, dd_lambda_config,
           dd_lambda_extension_api, dd_lambda_options, dd_lambda_invocation, dd_lambda_forwarder]
# The C name of each (dd_sender_stats is `typedef struct dd_sender_counters {...} dd_sender_stats`):
# every one is a typedef of the same name.


class LayoutError(ImportError):
    """The library's struct layouts differ from the ctypes mirrors: using it would corrupt memory."""


def layout_mismatches(table):
    """Compares {"struct": size, "struct.field": offset} (what the C compiler says) with the ctypes
    mirrors; returns a list of human-readable differences (empty when they agree)."""
    bad = []
    for s in STRUCTS:
        name = s.__name__
        if name not in table:
            bad.append("%s: not in the library's layout table" % name)
            continue
        if table[name] != ctypes.sizeof(s):
            bad.append("sizeof %s: C %d, ctypes %d" % (name, table[name], ctypes.sizeof(s)))
        for field, _ in s._fields_:
            key = name + "." + field
            off = getattr(s, field).offset
            if table.get(key) != off:
                bad.append("%s: C offset %s, ctypes %d" % (key, table.get(key), off))
    return bad


_KEEP_ALIVE = []  # callbacks of closed tracers (see Tracer.close)


def _b(s):
    return s.encode() if isinstance(s, str) else s


class DDError(Exception):
    pass


class NotSent(Exception):
    """Raised by a transport when the request surely did not reach the agent (no connection, or
    the connection broke before the whole request was written): the tracer keeps the payload and
    tries again (DD_TRANSPORT_NOT_SENT). Any other exception means the request may have arrived
    (DD_TRANSPORT_UNCONFIRMED: never sent again), except ConnectionRefusedError, which is NotSent."""


def bundled_library_path():
    """The native library setup.py builds into the package (None when running from the source tree)."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "_libddtrace.so")
    return path if os.path.exists(path) else None


_SP, _VP = c_char_p, c_void_p
_PROTOS = {
    # prelude and tracer
    "dd_status_str": (c_char_p, [c_int]),
    "dd_tracer_config_init": (None, [POINTER(dd_tracer_config)]),
    "dd_tracer_new": (_VP, [POINTER(dd_tracer_config)]),
    "dd_tracer_free": (None, [_VP]),
    "dd_tracer_flush": (c_int, [_VP]),
    "dd_tracer_counters": (None, [_VP, POINTER(dd_counters)]),
    "dd_tracer_service": (c_char_p, [_VP]),
    "dd_tracer_env": (c_char_p, [_VP]),
    "dd_tracer_version": (c_char_p, [_VP]),
    "dd_tracer_propagation": (POINTER(dd_propagation_config), [_VP]),
    # spans
    "dd_span_start": (_VP, [_VP, POINTER(dd_span_options)]),
    "dd_span_start_child_n": (_VP, [_VP, _SP, c_size_t]),
    "dd_span_finish": (None, [_VP]),
    "dd_span_finish_at": (None, [_VP, c_int64]),
    "dd_span_set_start": (None, [_VP, c_int64]),
    "dd_span_set_name_n": (None, [_VP, _SP, c_size_t]),
    "dd_span_set_service_n": (None, [_VP, _SP, c_size_t]),
    "dd_span_set_resource_n": (None, [_VP, _SP, c_size_t]),
    "dd_span_set_type_n": (None, [_VP, _SP, c_size_t]),
    "dd_span_set_tag_n": (None, [_VP, _SP, c_size_t, _SP, c_size_t]),
    "dd_span_set_metric_n": (None, [_VP, _SP, c_size_t, c_double]),
    "dd_span_set_error": (None, [_VP, c_int]),
    "dd_span_set_error_info_n": (None, [_VP, _SP, c_size_t, _SP, c_size_t, _SP, c_size_t]),
    "dd_span_set_kind_n": (None, [_VP, _SP, c_size_t]),
    "dd_span_set_origin_n": (None, [_VP, _SP, c_size_t]),
    "dd_span_set_measured": (None, [_VP, c_int]),
    "dd_span_set_priority": (None, [_VP, c_int]),
    "dd_span_get_tag": (c_int, [_VP, _SP, c_size_t, POINTER(_VP), POINTER(c_size_t)]),
    "dd_span_get_metric": (c_int, [_VP, _SP, c_size_t, POINTER(c_double)]),
    "dd_span_baggage_set": (c_int, [_VP, _SP, c_size_t, _SP, c_size_t]),
    "dd_span_baggage_get": (c_int, [_VP, _SP, c_size_t, POINTER(_VP), POINTER(c_size_t)]),
    "dd_span_baggage_remove": (c_int, [_VP, _SP, c_size_t]),
    "dd_span_baggage_clear": (None, [_VP]),
    "dd_span_baggage": (POINTER(dd_baggage), [_VP]),
    "dd_span_set_http_request": (None, [_VP, c_int, _SP, _SP, POINTER(dd_header), c_size_t]),
    "dd_span_set_http_route": (None, [_VP, _SP]),
    "dd_span_set_http_client_ip": (None, [_VP, _SP, POINTER(dd_header), c_size_t]),
    "dd_span_set_http_response": (None, [_VP, c_int, POINTER(dd_header), c_size_t]),
    "dd_span_add_link": (c_int, [_VP, POINTER(dd_span_link)]),
    "dd_span_add_link_attrs": (c_int, [_VP, POINTER(dd_span_link), POINTER(dd_header), c_size_t]),
    "dd_span_trace_id": (None, [_VP, POINTER(dd_trace_id)]),
    "dd_span_id": (c_uint64, [_VP]),
    "dd_span_parent_id": (c_uint64, [_VP]),
    "dd_span_context": (c_int, [_VP, POINTER(dd_trace_context)]),
    "dd_span_inject": (c_int, [_VP, POINTER(dd_carrier_writer)]),
    "dd_span_inject_headers": (c_int, [_VP, POINTER(dd_headers)]),
    "dd_span_inject_env": (c_int, [_VP, POINTER(dd_env_block)]),
    "dd_span_inject_datadog_json": (c_size_t, [_VP, _VP, c_size_t]),
    "dd_tracer_extract_headers": (c_int, [_VP, POINTER(dd_header), c_size_t, POINTER(dd_trace_context)]),
    "dd_tracer_extract_env": (c_int, [_VP, GETENV_FN, _VP, POINTER(dd_trace_context)]),
    "dd_tracer_extract_datadog_json": (c_int, [_VP, _SP, c_size_t, POINTER(dd_trace_context)]),
    "dd_span_log_correlation": (c_size_t, [_VP, c_int, _VP, c_size_t]),
    # propagation without a tracer
    "dd_headers_init": (None, [POINTER(dd_headers), POINTER(dd_header), c_size_t, _VP, c_size_t]),
    "dd_headers_reader": (None, [POINTER(dd_carrier_reader), POINTER(dd_headers)]),
    "dd_headers_writer": (None, [POINTER(dd_carrier_writer), POINTER(dd_headers)]),
    "dd_env_block_init": (None, [POINTER(dd_env_block), POINTER(c_char_p), c_size_t, _VP, c_size_t]),
    "dd_propagation_config_default": (None, [POINTER(dd_propagation_config)]),
    "dd_propagation_config_from_env": (c_int, [POINTER(dd_propagation_config), _VP, _VP, _VP]),
    "dd_extract": (c_int, [POINTER(dd_propagation_config), POINTER(dd_carrier_reader), POINTER(dd_trace_context)]),
    "dd_inject": (c_int, [POINTER(dd_propagation_config), POINTER(dd_trace_context), POINTER(dd_carrier_writer)]),
    "dd_datadog_extract": (c_int, [POINTER(dd_propagation_config), _SP, c_size_t, POINTER(dd_trace_context)]),
    "dd_datadog_inject": (c_size_t, [POINTER(dd_propagation_config), POINTER(dd_trace_context), _VP, c_size_t]),
    "dd_ptags_get": (c_int, [POINTER(dd_trace_context), _SP, c_size_t, POINTER(_VP), POINTER(c_size_t)]),
    "dd_baggage_set": (c_int, [POINTER(dd_baggage), _SP, c_size_t, _SP, c_size_t]),
    "dd_baggage_next": (c_int, [POINTER(dd_baggage), POINTER(dd_baggage_iter), POINTER(_VP), POINTER(c_size_t),
                                POINTER(_VP), POINTER(c_size_t)]),
    "dd_xray_parse": (c_int, [_SP, c_size_t, POINTER(dd_trace_context)]),
    "dd_xray_format": (c_size_t, [POINTER(dd_trace_context), _VP, c_size_t]),
    "dd_style_name": (c_char_p, [c_int]),
    "dd_mp_to_json": (c_size_t, [_VP, c_size_t, _VP, c_size_t]),
    # the agent sender
    "dd_sender_options_init": (None, [POINTER(dd_sender_options)]),
    "dd_sender_new": (_VP, [POINTER(dd_sender_options)]),
    "dd_sender_free": (None, [_VP]),
    "dd_sender_attach": (None, [POINTER(dd_tracer_config), _VP]),
    "dd_sender_url": (c_char_p, [_VP]),
    "dd_sender_note": (c_char_p, [_VP]),
    "dd_sender_counters": (None, [_VP, POINTER(dd_sender_stats)]),
    "dd_sender_last_error": (c_char_p, [_VP]),
    "dd_udp_sender_open": (_VP, [_SP, c_int]),
    "dd_udp_sender_close": (None, [_VP]),
    "dd_udp_sender_counters": (None, [_VP, POINTER(c_uint64), POINTER(c_uint64)]),
    # AWS Lambda
    "dd_lambda_new": (_VP, [_VP, POINTER(dd_lambda_options)]),
    "dd_lambda_free": (None, [_VP]),
    "dd_lambda_start_invocation": (_VP, [_VP, POINTER(dd_lambda_invocation), POINTER(dd_lambda_trigger)]),
    "dd_lambda_end_invocation": (c_int, [_VP, _VP, _SP, c_size_t, c_int]),
    "dd_lambda_set_invocation_error": (None, [_VP, _VP, _SP, _SP, _SP]),
    "dd_lambda_log_prefix": (c_size_t, [_VP, _VP, _VP, c_size_t]),
    "dd_lambda_log_json": (c_size_t, [_VP, _VP, _VP, c_size_t]),
    "dd_lambda_metric": (c_int, [_VP, _SP, c_double, POINTER(c_char_p), c_size_t, c_int64]),
    "dd_lambda_mode": (c_int, [_VP]),
    "dd_lambda_event_source_name": (c_char_p, [c_int]),
    "dd_lambda_extract": (c_int, [POINTER(dd_lambda_config), _SP, c_size_t, _SP, c_size_t,
                                  POINTER(dd_trace_context), POINTER(dd_lambda_trigger)]),
}


class _LayoutEntry(Structure):
    _fields_ = [("name", c_char_p), ("value", c_size_t)]


class Library:
    """The shared library: the package's own (path None) or any build of libddtrace (make shared).
    Checks that it implements the DDTRACE_VERSION this module mirrors and, when the library
    carries a layout table (the package's does), that every mirrored struct agrees with it."""

    def __init__(self, path=None):
        if path is None:
            here = os.path.dirname(os.path.abspath(__file__))
            path = (os.environ.get("DDTRACE_LIB") or bundled_library_path()
                    or os.path.join(here, "..", "..", "..", "build", "libddtrace.so"))
        self.path = path
        self.lib = lib = ctypes.CDLL(path)
        lib.dd_version.restype = c_int
        if lib.dd_version() != DDTRACE_VERSION:
            raise DDError("libddtrace is version %d, this binding mirrors %d" % (lib.dd_version(), DDTRACE_VERSION))
        self.layout_checked = False
        if hasattr(lib, "ddpy_layout"):
            self.check_layout()
        for name, (res, args) in _PROTOS.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args

    def layout_table(self):
        """The library's compiled {"struct": sizeof, "struct.field": offsetof} table."""
        fn = self.lib.ddpy_layout
        fn.restype, fn.argtypes = POINTER(_LayoutEntry), [POINTER(c_size_t)]
        n = c_size_t()
        rows = fn(ctypes.byref(n))
        return {rows[i].name.decode(): rows[i].value for i in range(n.value)}

    def check_layout(self):
        bad = layout_mismatches(self.layout_table())
        if bad:
            raise LayoutError("%s: the C structs differ from ddtrace_c.ffi's mirrors (update ffi.py): %s"
                              % (self.path, "; ".join(bad)))
        self.layout_checked = True

    def status_str(self, status):
        return self.lib.dd_status_str(status).decode()

    def tracer(self, transport=None, **config):
        """A Tracer. transport None (the default): the library's own agent sender (dd_sender.h:
        DD_TRACE_AGENT_URL, DD_AGENT_HOST/DD_TRACE_AGENT_PORT, the socket, localhost:8126), which
        delivers on the tracer's worker thread; else a Python callable (see Tracer)."""
        return Tracer(self, transport, **config)

    def extract(self, headers):
        """A Context from a dict of HTTP headers (names in any case), with the styles of
        DD_TRACE_PROPAGATION_STYLE* (default datadog, tracecontext); None when there is none."""
        items = list(headers.items())
        arr = (dd_header * max(1, len(items)))()
        keep = []
        for i, (k, v) in enumerate(items):
            kb, vb = _b(k), _b(v)
            keep += [ctypes.create_string_buffer(kb, len(kb)), ctypes.create_string_buffer(vb, len(vb))]
            arr[i] = dd_header(ctypes.cast(keep[-2], c_void_p), len(kb), ctypes.cast(keep[-1], c_void_p), len(vb))
        h = dd_headers(items=arr, n=len(items), cap=len(items))
        reader, cfg, ctx = dd_carrier_reader(), dd_propagation_config(), Context()
        self.lib.dd_headers_reader(ctypes.byref(reader), ctypes.byref(h))
        self.lib.dd_propagation_config_default(ctypes.byref(cfg))
        self.lib.dd_propagation_config_from_env(ctypes.byref(cfg), None, None, None)
        rc = self.lib.dd_extract(ctypes.byref(cfg), ctypes.byref(reader), ctypes.byref(ctx.c))
        return ctx if rc == 0 else None


class Context:
    """An extracted trace context (a dd_trace_context)."""

    def __init__(self):
        self.c = dd_trace_context()

    trace_id = property(lambda self: (self.c.trace_id.hi << 64) | self.c.trace_id.lo)
    parent_id = property(lambda self: self.c.parent_id)
    sampling_priority = property(lambda self: None if self.c.sampling_priority == PRIORITY_UNSET
                                 else self.c.sampling_priority)
    origin = property(lambda self: self.c.origin.decode())


class Tracer:
    """A dd_tracer. transport None: the native agent sender of libddtrace (no HTTP client in
    Python). Else a Python callable
    transport(method, path, headers: dict, body: bytes) -> (status, response_body_bytes[, retry_after_ms])
    for a whole HTTP answer; return status 0 or raise NotSent when the request surely did not reach
    the agent; any other exception means it may have (see NotSent). It may run on the tracer's
    worker thread (ctypes takes the GIL)."""

    _STRING_FIELDS = frozenset(n for n, t in dd_tracer_config._fields_ if t is c_char_p)

    def __init__(self, library, transport, **config):
        """config: dd_tracer_config fields by name (strings as str), plus
        sampling: {dd_sampling_config field: value}; log_callback: a callable(level, message)
        for the SDK's diagnostics (on whichever thread has something to say); agent_url: the
        native sender's address (else the environment); native_transport: (C function address,
        user pointer) of a dd_transport_fn such as dd_lambda_forwarder_transport."""
        self.dd, self.lib = library, library.lib
        self._transport = transport
        self._resp = None  # the last response body, alive until the next call
        self.transport_errors = []
        self.sender = None
        cfg = dd_tracer_config()
        self.lib.dd_tracer_config_init(ctypes.byref(cfg))
        self._strings = []
        log_callback = config.pop("log_callback", None)
        agent_url = config.pop("agent_url", None)
        native_transport = config.pop("native_transport", None)
        for k, v in (config.pop("sampling", None) or {}).items():
            if isinstance(v, str):
                self._strings.append(v.encode())
                v = self._strings[-1]
            setattr(cfg.sampling, k, v)
        for k, v in config.items():
            if k in self._STRING_FIELDS:
                self._strings.append(_b(v))
                setattr(cfg, k, self._strings[-1])
            else:
                setattr(cfg, k, v)  # enabled, debug, flush_interval_ms, max_* ...: see dd_tracer_config
        if "cgroup_path" not in config:
            cfg.cgroup_path = b""  # a binding needs no container id by default
        self._cb = self._log_cb = None
        if log_callback is not None:
            def on_log(user, level, msg, n, _cb=log_callback):
                try:
                    _cb(level, ctypes.string_at(msg, n).decode("utf-8", "replace"))
                except Exception:  # never raise through C frames
                    pass
            self._log_cb = LOG_FN(on_log)
            cfg.log_fn = self._log_cb
        if native_transport is not None:
            fn, user = native_transport
            cfg.transport_fn = ctypes.cast(c_void_p(fn), TRANSPORT_FN)
            cfg.transport_user = user
        elif transport is None:
            opts = dd_sender_options()
            self.lib.dd_sender_options_init(ctypes.byref(opts))
            if agent_url:
                opts.url = self._keep(agent_url)
            if self._log_cb is not None:
                opts.log_fn = self._log_cb
            sender = self.lib.dd_sender_new(ctypes.byref(opts))  # else the address from the environment
            if not sender:
                raise DDError("dd_sender_new failed (agent_url %r)" % (agent_url,))
            self.lib.dd_sender_attach(ctypes.byref(cfg), sender)  # owned by the tracer from here on
            self.sender = sender
        else:
            self._cb = TRANSPORT_FN(self._on_request)  # kept alive as long as the tracer
            cfg.transport_fn = self._cb
            if "flush_interval_ms" not in config:
                cfg.flush_interval_ms = -1  # flush when asked: Python decides when to do I/O
        self.t = self.lib.dd_tracer_new(ctypes.byref(cfg))
        if not self.t:
            raise DDError("dd_tracer_new failed")

    def _keep(self, text):
        self._strings.append(_b(text))
        return self._strings[-1]

    def _on_request(self, user, req, resp):
        # Called by C on the delivering thread; must not raise through C frames. Returns a
        # DD_TRANSPORT_* code.
        try:
            r = req.contents
            headers = {}
            for i in range(r.n_headers):
                h = r.headers[i]
                headers[ctypes.string_at(h.name, h.name_len).decode()] = ctypes.string_at(h.value, h.value_len).decode()
            body = ctypes.string_at(r.body, r.body_len) if r.body_len else b""
            answer = self._transport(r.method.decode(), r.path.decode(), headers, body)
            status, rbody = answer[0], answer[1]
            if not status:
                resp.contents.status = 0
                return DD_TRANSPORT_NOT_SENT
            rbody = rbody or b""
            self._resp = ctypes.create_string_buffer(rbody, len(rbody) + 1)
            resp.contents.status = int(status)
            resp.contents.body = ctypes.cast(self._resp, c_void_p)
            resp.contents.body_len = len(rbody)
            if len(answer) > 2 and answer[2]:
                resp.contents.retry_after_ms = int(answer[2])
            return DD_TRANSPORT_ANSWERED
        except Exception as e:  # the SDK counts a failed request; Python keeps the reason
            self.transport_errors.append(e)
            resp.contents.status = 0
            if isinstance(e, (NotSent, ConnectionRefusedError)):
                return DD_TRANSPORT_NOT_SENT
            return DD_TRANSPORT_UNCONFIRMED

    def start_span(self, name, parent=None, context=None, service=None, resource=None, type=None, start_ns=0):
        o = dd_span_options()
        o.size = ctypes.sizeof(dd_span_options)
        keep = [_b(x) for x in (name, service, resource, type)]
        o.name, o.service, o.resource, o.type = keep
        o.name_len, o.service_len, o.resource_len, o.type_len = [len(x) if x else 0 for x in keep]
        if parent is not None:
            o.parent = parent.s
        if context is not None:
            o.context = ctypes.pointer(context.c)
        o.start_ns = start_ns
        return Span(self, self.lib.dd_span_start(self.t, ctypes.byref(o)))

    def flush(self):
        """Delivers the finished traces now (the worker sends, this thread waits) and returns
        DD_OK (0) or a DD_ERR_* status."""
        rc = self.lib.dd_tracer_flush(self.t)
        self._resp = None
        return rc

    def counters(self):
        c = dd_counters()
        self.lib.dd_tracer_counters(self.t, ctypes.byref(c))
        return {n: getattr(c, n) for n, _ in dd_counters._fields_}

    def close(self):
        """Flushes what finished and frees the tracer (idempotent)."""
        if self.t:
            self.lib.dd_tracer_free(self.t)
            self.t = None
            self.sender = None  # freed by the tracer after its last delivery
            # A transport call still under way past the shutdown deadline returns into these.
            _KEEP_ALIVE.append((self._cb, self._log_cb, self._strings))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Span:
    """A dd_span; a disabled tracer gives spans whose methods do nothing (the C side accepts NULL)."""

    def __init__(self, tracer, handle):
        self.tracer, self.lib, self.s = tracer, tracer.lib, handle

    def child(self, name):
        n = _b(name)
        return Span(self.tracer, self.lib.dd_span_start_child_n(self.s, n, len(n)))

    def set_tag(self, key, value):
        k, v = _b(key), _b(value)
        self.lib.dd_span_set_tag_n(self.s, k, len(k), v, len(v))
        return self

    def set_metric(self, key, value):
        k = _b(key)
        self.lib.dd_span_set_metric_n(self.s, k, len(k), float(value))
        return self

    def set_resource(self, resource):
        r = _b(resource)
        self.lib.dd_span_set_resource_n(self.s, r, len(r))
        return self

    def set_kind(self, kind):
        k = _b(kind)
        self.lib.dd_span_set_kind_n(self.s, k, len(k))
        return self

    def set_error(self, type_, message, stack=None):
        t, m, st = _b(type_), _b(message), _b(stack)
        self.lib.dd_span_set_error_info_n(self.s, t, len(t), m, len(m), st, len(st) if st else 0)
        return self

    def set_priority(self, priority):
        self.lib.dd_span_set_priority(self.s, priority)
        return self

    @property
    def trace_id(self):
        t = dd_trace_id()
        self.lib.dd_span_trace_id(self.s, ctypes.byref(t))
        return (t.hi << 64) | t.lo

    @property
    def span_id(self):
        return self.lib.dd_span_id(self.s)

    @property
    def parent_id(self):
        return self.lib.dd_span_parent_id(self.s)

    def inject(self):
        """The headers that continue this span's trace in another service (a dict)."""
        items = (dd_header * 16)()
        buf = ctypes.create_string_buffer(4096)
        h, w = dd_headers(), dd_carrier_writer()
        self.lib.dd_headers_init(ctypes.byref(h), items, 16, ctypes.cast(buf, c_void_p), 4096)
        self.lib.dd_headers_writer(ctypes.byref(w), ctypes.byref(h))
        rc = self.lib.dd_span_inject(self.s, ctypes.byref(w))
        if rc != 0:
            raise DDError("dd_span_inject: " + self.tracer.dd.status_str(rc))
        return {ctypes.string_at(items[i].name, items[i].name_len).decode():
                ctypes.string_at(items[i].value, items[i].value_len).decode() for i in range(h.n)}

    def finish(self):
        """Ends the span; the handle is dead afterwards."""
        self.lib.dd_span_finish(self.s)
        self.s = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None:
            self.set_error(exc_type.__name__, str(exc))
        self.finish()


class HttpTransport:
    """A transport over http.client to the Datadog Agent: url (default DD_TRACE_AGENT_URL, else
    http://DD_AGENT_HOST:DD_TRACE_AGENT_PORT, else http://localhost:8126), timeout in seconds."""

    def __init__(self, url=None, timeout=2.0):
        import urllib.parse
        if url is None:
            url = os.environ.get("DD_TRACE_AGENT_URL") or "http://%s:%s" % (
                os.environ.get("DD_AGENT_HOST") or "localhost", os.environ.get("DD_TRACE_AGENT_PORT") or "8126")
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http" or not u.hostname:
            raise DDError("HttpTransport supports http://host:port, not %r" % url)
        self.host, self.port, self.timeout = u.hostname, u.port or 80, timeout

    def __call__(self, method, path, headers, body):
        import http.client
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            try:
                conn.request(method, path, body=body, headers=headers)
            except OSError as e:  # no connection, or it broke before the whole request was written
                raise NotSent(str(e))
            r = conn.getresponse()  # an error from here on: written, answer lost (unconfirmed)
            return r.status, r.read()
        finally:
            conn.close()


def _self_check(path=None):
    """A self-check: a trace through a Python transport, printed (python3 -m ddtrace_c.ffi [lib])."""
    dd = Library(path)
    sent = []
    with dd.tracer(lambda m, p, h, b: (sent.append((m, p, h, b)), (200, b'{"rate_by_service":{}}'))[1],
                   service="ffi-python") as tr:
        root = tr.start_span("py.request", resource="GET /")
        with root.child("py.work") as work:
            work.set_tag("component", "ctypes")
        headers = root.inject()
        root.finish()
        tr.flush()
    print("injected:", headers)
    print("sent %d request(s), %d body bytes to %s" % (len(sent), sum(len(s[3]) for s in sent), sent[0][1] if sent else "-"))


if __name__ == "__main__":
    import sys
    _self_check(sys.argv[1] if len(sys.argv) > 1 else None)
