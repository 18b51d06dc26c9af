'use strict'
// lib/layout.js - the C structures this binding passes to libddtrace, as plain data.
//
// One list feeds two consumers: lib/native.js builds the koffi types from it, and scripts/build.js
// generates a table of sizeof/offsetof from it that is compiled into the native library with the
// real headers. At load time lib/native.js compares the two and refuses to run on any difference
// (a field added, removed or moved in a header without the same change here), naming every
// mismatched field. Types: a C scalar name, another structure's name, or [element type, count].
// Field order and names follow the headers exactly (dd_propagation.h, dd_trace.h, dd_lambda.h).

const STRUCTS = {
  dd_header: [['name', 'void *'], ['name_len', 'size_t'], ['value', 'void *'], ['value_len', 'size_t']],
  dd_headers: [['items', 'void *'], ['n', 'size_t'], ['cap', 'size_t'], ['buf', 'void *'], ['buf_len', 'size_t'],
    ['buf_cap', 'size_t']],
  dd_carrier_reader: [['self', 'void *'], ['get', 'void *'], ['get_nth', 'void *']],
  dd_carrier_writer: [['self', 'void *'], ['set', 'void *']],
  dd_trace_id: [['hi', 'uint64_t'], ['lo', 'uint64_t']],
  dd_span_link: [['trace_id', 'dd_trace_id'], ['span_id', 'uint64_t'], ['flags', 'int32_t'],
    ['tracestate', ['char', 513]], ['reason', ['char', 32]], ['context_headers', ['char', 16]]],
  dd_baggage: [['n', 'uint32_t'], ['len', 'uint32_t'], ['key_len', ['uint16_t', 64]], ['value_len', ['uint16_t', 64]],
    ['data', ['uint8_t', 16384]]],
  dd_trace_context: [
    ['trace_id', 'dd_trace_id'], ['parent_id', 'uint64_t'], ['sampling_priority', 'int32_t'],
    ['origin_len', 'uint32_t'], ['origin', ['char', 65]],
    ['ptags_len', 'uint32_t'], ['ptags', ['char', 513]],
    ['tracestate_len', 'uint32_t'], ['tracestate', ['char', 513]],
    ['dd_member_extra_len', 'uint32_t'], ['dd_member_extra', ['char', 129]],
    ['has_w3c_parent', 'int32_t'], ['w3c_parent_id', 'uint64_t'], ['propagation_error', ['char', 65]],
    ['n_links', 'uint32_t'], ['links', ['dd_span_link', 4]], ['dropped', 'uint32_t'],
    ['last_parent_id', ['char', 17]], ['style', 'int32_t'], ['ptags_lost', 'uint32_t'], ['baggage', 'dd_baggage']],
  dd_propagation_config: [['extract_styles', ['int', 8]], ['n_extract', 'int'], ['inject_styles', ['int', 8]],
    ['n_inject', 'int'], ['extract_first', 'int'], ['x_datadog_tags_max_length', 'int32_t'],
    ['baggage_max_items', 'int32_t'], ['baggage_max_bytes', 'int32_t'], ['extract_behavior', 'int']],
  dd_sampling_config: [['rules_json', 'const char *'], ['sample_rate', 'double'], ['sample_rate_set', 'int'],
    ['rate_limit', 'double'], ['rate_limit_set', 'int'], ['span_rules_json', 'const char *'],
    ['drop_rejected_traces', 'int'], ['rules', 'void *'], ['n_rules', 'size_t'], ['span_rules', 'void *'],
    ['n_span_rules', 'size_t']],
  dd_allocator: [['alloc_fn', 'void *'], ['free_fn', 'void *'], ['user', 'void *']],
  dd_http_request: [['method', 'const char *'], ['path', 'const char *'], ['headers', 'void *'], ['n_headers', 'size_t'],
    ['body', 'void *'], ['body_len', 'size_t'], ['timeout_ms', 'int64_t']],
  dd_http_response: [['status', 'int'], ['body', 'void *'], ['body_len', 'size_t'], ['retry_after_ms', 'int64_t']],
  dd_tracer_config: [
    ['size', 'size_t'], ['service', 'const char *'], ['env', 'const char *'], ['version', 'const char *'],
    ['tags', 'const char *'], ['enabled', 'int'], ['trace_id_128', 'int'], ['debug', 'int'], ['startup_logs', 'int'],
    ['partial_flush', 'int'], ['partial_flush_min_spans', 'int'], ['report_hostname', 'int'],
    ['hostname', 'const char *'], ['language', 'const char *'], ['language_version', 'const char *'],
    ['cgroup_path', 'const char *'], ['max_spans_per_segment', 'uint32_t'], ['max_tag_bytes', 'uint32_t'],
    ['max_open_segments', 'uint32_t'], ['max_buffer_bytes', 'uint64_t'], ['flush_bytes', 'uint64_t'],
    ['max_request_bytes', 'uint64_t'], ['flush_interval_ms', 'int64_t'], ['background_flush', 'int'],
    ['send_retries', 'int'], ['sampling', 'dd_sampling_config'], ['allocator', 'dd_allocator'],
    ['wall_ns_fn', 'void *'], ['mono_ns_fn', 'void *'], ['random_fn', 'void *'], ['getenv_fn', 'void *'],
    ['log_fn', 'void *'], ['transport_fn', 'void *'], ['hook_user', 'void *'], ['delivery', 'int'],
    ['request_timeout_ms', 'int64_t'], ['shutdown_timeout_ms', 'int64_t'], ['transport_user', 'void *'],
    ['log_user', 'void *'], ['transport_free_fn', 'void *'], ['propagation_style', 'const char *'],
    ['propagation_style_extract', 'const char *'], ['propagation_style_inject', 'const char *'],
    ['propagation_behavior_extract', 'const char *'], ['baggage_max_items', 'int32_t'],
    ['baggage_max_bytes', 'int32_t'], ['baggage_tag_keys', 'const char *'], ['logs_injection', 'int'],
    ['log_128bit', 'int'], ['obfuscation_query_string_regexp', 'const char *'],
    ['http_server_error_statuses', 'const char *'], ['http_client_error_statuses', 'const char *'],
    ['header_tags', 'const char *'], ['http_client_tag_query_string', 'int'], ['client_ip_enabled', 'int'],
    ['client_ip_header', 'const char *'], ['peer_service_mapping', 'const char *'],
    ['service_mapping', 'const char *'], ['clock_user', 'void *'], ['random_user', 'void *'],
    ['getenv_user', 'void *']],
  dd_span_options: [['size', 'size_t'], ['parent', 'void *'], ['context', 'void *'], ['name', 'const char *'],
    ['name_len', 'size_t'], ['service', 'const char *'], ['service_len', 'size_t'], ['resource', 'const char *'],
    ['resource_len', 'size_t'], ['type', 'const char *'], ['type_len', 'size_t'], ['start_ns', 'int64_t'],
    ['trace_id', 'dd_trace_id'], ['span_id', 'uint64_t']],
  dd_sender_options: [['size', 'size_t'], ['url', 'const char *'], ['timeout_ms', 'int64_t'],
    ['max_response_bytes', 'size_t'], ['getenv_fn', 'void *'], ['getenv_user', 'void *'], ['log_fn', 'void *'],
    ['log_user', 'void *'], ['socket_path', 'const char *']],
  dd_lambda_invocation: [['event', 'const char *'], ['event_len', 'size_t'], ['client_context', 'const char *'],
    ['client_context_len', 'size_t'], ['request_id', 'const char *'], ['invoked_function_arn', 'const char *'],
    ['xray_trace_id', 'const char *'], ['start_ns', 'int64_t']]
}

// dd_counters: every field a uint64_t, in the header's order.
const COUNTERS = ['spans_started', 'spans_finished', 'spans_dropped_limit', 'segments_dropped_limit', 'tags_dropped',
  'chunks_encoded', 'spans_encoded', 'chunks_dropped_buffer', 'spans_dropped_buffer', 'partial_flushes',
  'requests_sent', 'requests_failed', 'requests_retried', 'chunks_sent', 'chunks_dropped_send', 'spans_dropped_send',
  'bytes_sent', 'responses_invalid', 'flushes', 'spans_dropped_sampling', 'chunks_dropped_sampling', 'spans_sent',
  'requests_unconfirmed', 'chunks_unconfirmed', 'spans_unconfirmed', 'requests_deferred', 'spans_dropped_shutdown',
  'spans_open', 'spans_pending']
STRUCTS.dd_counters = COUNTERS.map((n) => [n, 'uint64_t'])

// The layout entries the native library reports: "S" (sizeof) and "S.field" (offsetof).
function layoutKeys () {
  const keys = []
  for (const [s, fields] of Object.entries(STRUCTS)) {
    keys.push([s, `sizeof(${s})`])
    for (const [f] of fields) keys.push([`${s}.${f}`, `offsetof(${s}, ${f})`])
  }
  return keys
}

module.exports = { STRUCTS, COUNTERS, layoutKeys }
