'use strict'
// lib/native.js - loads libddtrace_node with koffi, declares its functions and mirrors its structures
// (from lib/layout.js), then checks every mirrored size and offset against the table the C compiler
// produced for this very library: any difference throws, naming the fields, before anything runs.
const fs = require('fs')
const path = require('path')
const koffi = require('koffi')
const { STRUCTS, layoutKeys } = require('./layout')
const { LIB } = require('../scripts/build')

const DDTRACE_VERSION = 200 // the headers this binding mirrors (0.2.0)

// koffi types from the plain field lists, in dependency order.
const T = {}
function ctype (t) {
  if (Array.isArray(t)) return t[0] === 'char' ? koffi.array('char', t[1], 'String') : koffi.array(ctype(t[0]), t[1])
  return T[t] || t
}
for (const [name, fields] of Object.entries(STRUCTS)) {
  T[name] = koffi.struct(name, Object.fromEntries(fields.map(([f, t]) => [f, ctype(t)])))
}

// Read-only twins of dd_header and dd_headers with addresses as integers (same layout: a pointer
// is a uintptr_t), so that injected headers are read straight from the binding's own Buffer.
const RAW = {}
for (const name of ['dd_header', 'dd_headers']) {
  RAW[name] = koffi.struct(name + '_raw', Object.fromEntries(STRUCTS[name].map(([f, t]) => [f, t === 'void *' ? 'uintptr_t' : t])))
}

function libraryPath () {
  if (process.env.DDTRACE_LIB) return process.env.DDTRACE_LIB
  const built = path.join(__dirname, '..', 'native', 'build', LIB)
  if (fs.existsSync(built)) return built
  throw new Error(`dd-trace-c: ${built} is missing: run \`npm run build\` in ${path.join(__dirname, '..')} ` +
    '(the install script builds it with the C compiler)')
}

// Compares koffi's layout with the C compiler's; returns the list of differences.
function layoutMismatches (lib) {
  const count = Number(lib.func('size_t ddnode_layout_count(void)')())
  const keyAt = lib.func('const char *ddnode_layout_key(size_t i)')
  const valueAt = lib.func('uint64_t ddnode_layout_value(size_t i)')
  const c = new Map()
  for (let i = 0; i < count; i++) c.set(keyAt(i), Number(valueAt(i)))
  const bad = []
  for (const [key] of layoutKeys()) {
    const [s, f] = key.split('.')
    const js = f === undefined ? koffi.sizeof(T[s]) : koffi.introspect(T[s]).members[f].offset
    if (!c.has(key)) bad.push(`${key}: not in the library's table (built from another lib/layout.js)`)
    else if (c.get(key) !== js) bad.push(`${key}: C ${c.get(key)}, JS ${js}`)
  }
  return bad
}

let loaded = null
function load () {
  if (loaded) return loaded
  const file = libraryPath()
  const lib = koffi.load(file)
  const version = lib.func('int dd_version(void)')()
  if (version !== DDTRACE_VERSION) {
    throw new Error(`dd-trace-c: ${file} is version ${version}, this binding mirrors ${DDTRACE_VERSION}`)
  }
  const bad = layoutMismatches(lib)
  if (bad.length) {
    throw new Error(`dd-trace-c: the structures of lib/layout.js do not match ${file} ` +
      `(update lib/layout.js to the headers):\n  ${bad.join('\n  ')}`)
  }
  const f = (proto) => lib.func(proto)
  const fns = {
    status_str: f('const char *dd_status_str(int status)'),
    tracer_new: f('void *dd_tracer_new(const dd_tracer_config *cfg)'),
    tracer_free: f('void dd_tracer_free(void *t)'),
    tracer_flush: f('int dd_tracer_flush(void *t)'),
    tracer_counters: f('void dd_tracer_counters(void *t, _Out_ dd_counters *out)'),
    tracer_service: f('const char *dd_tracer_service(void *t)'),
    tracer_env: f('const char *dd_tracer_env(void *t)'),
    tracer_version: f('const char *dd_tracer_version(void *t)'),
    tracer_extract_headers: f('int dd_tracer_extract_headers(void *t, void *headers, size_t n, void *out)'),
    tracer_extract_datadog_json: f('int dd_tracer_extract_datadog_json(void *t, const uint8_t *json, size_t len, void *out)'),
    span_start: f('void *dd_span_start(void *t, const dd_span_options *opts)'),
    span_finish: f('void dd_span_finish(void *s)'),
    span_finish_at: f('void dd_span_finish_at(void *s, int64_t end_ns)'),
    span_set_name_n: f('void dd_span_set_name_n(void *s, const uint8_t *v, size_t len)'),
    span_set_service_n: f('void dd_span_set_service_n(void *s, const uint8_t *v, size_t len)'),
    span_set_resource_n: f('void dd_span_set_resource_n(void *s, const uint8_t *v, size_t len)'),
    span_set_type_n: f('void dd_span_set_type_n(void *s, const uint8_t *v, size_t len)'),
    span_set_tag_n: f('void dd_span_set_tag_n(void *s, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)'),
    span_set_metric_n: f('void dd_span_set_metric_n(void *s, const uint8_t *k, size_t kl, double v)'),
    span_get_tag: f('int dd_span_get_tag(void *s, const uint8_t *k, size_t kl, _Out_ void **v, _Out_ size_t *vl)'),
    span_set_error: f('void dd_span_set_error(void *s, int error)'),
    span_set_error_info_n: f('void dd_span_set_error_info_n(void *s, const uint8_t *t, size_t tl, const uint8_t *m, size_t ml, const uint8_t *st, size_t sl)'),
    span_set_kind_n: f('void dd_span_set_kind_n(void *s, const uint8_t *k, size_t len)'),
    span_set_origin_n: f('void dd_span_set_origin_n(void *s, const uint8_t *o, size_t len)'),
    span_set_measured: f('void dd_span_set_measured(void *s, int measured)'),
    span_set_priority: f('void dd_span_set_priority(void *s, int priority)'),
    span_baggage_set: f('int dd_span_baggage_set(void *s, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)'),
    span_baggage_remove: f('int dd_span_baggage_remove(void *s, const uint8_t *k, size_t kl)'),
    span_baggage_clear: f('void dd_span_baggage_clear(void *s)'),
    span_baggage: f('void *dd_span_baggage(void *s)'),
    span_add_link: f('int dd_span_add_link(void *s, const dd_span_link *link)'),
    span_add_link_attrs: f('int dd_span_add_link_attrs(void *s, const dd_span_link *link, void *attrs, size_t n)'),
    span_trace_id: f('void dd_span_trace_id(void *s, _Out_ dd_trace_id *out)'),
    span_id: f('uint64_t dd_span_id(void *s)'),
    span_parent_id: f('uint64_t dd_span_parent_id(void *s)'),
    span_ids: f('void ddnode_span_ids(void *s, uint64_t *out)'),
    span_context: f('int dd_span_context(void *s, void *out)'),
    span_inject_headers: f('int dd_span_inject_headers(void *s, void *headers)'),
    span_inject_datadog_json: f('size_t dd_span_inject_datadog_json(void *s, _Out_ uint8_t *out, size_t cap)'),
    span_log_correlation: f('size_t dd_span_log_correlation(void *s, int json, _Out_ uint8_t *out, size_t cap)'),
    headers_init: f('void dd_headers_init(void *h, void *items, size_t cap, void *buf, size_t buf_cap)'),
    sender_options_init: f('void dd_sender_options_init(_Out_ dd_sender_options *opts)'),
    sender_new: f('void *dd_sender_new(const dd_sender_options *opts)'),
    sender_attach: f('void dd_sender_attach(_Inout_ dd_tracer_config *cfg, void *s)'),
    lambda_transport: f('int ddnode_lambda_transport(_Inout_ dd_tracer_config *cfg, const char *extension_path)'),
    lambda_new: f('void *ddnode_lambda_new(void *t, int mode, const char *extension_path, _Out_ void **handle)'),
    lambda_free: f('void ddnode_lambda_free(void *handle)'),
    lambda_start_invocation: f('void *dd_lambda_start_invocation(void *l, const dd_lambda_invocation *inv, void *trigger)'),
    lambda_end_invocation: f('int dd_lambda_end_invocation(void *l, void *span, const uint8_t *resp, size_t len, int is_error)'),
    lambda_set_invocation_error: f('void dd_lambda_set_invocation_error(void *l, void *span, const char *type, const char *message, const char *stack)'),
    lambda_metric: f('int dd_lambda_metric(void *l, const char *name, double value, const char **tags, size_t n_tags, int64_t ts)'),
    log_attach: f('void ddnode_log_attach(_Inout_ dd_tracer_config *cfg, uint32_t tracer_id)'),
    log_pop: f('int ddnode_log_pop(uint8_t *out, size_t cap, uint32_t *out2)'),
    log_dropped: f('uint64_t ddnode_log_dropped(void)'),
    lambda_log_prefix: f('size_t dd_lambda_log_prefix(void *l, void *span, _Out_ uint8_t *out, size_t cap)')
  }
  loaded = { koffi, lib, file, version, T, RAW, fns }
  return loaded
}

module.exports = { load, koffi, T, RAW, STRUCTS, DDTRACE_VERSION, layoutMismatches }
