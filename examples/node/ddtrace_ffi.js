// make shared && (cd examples/node && npm ci) && node examples/node/ddtrace_ffi.js build/libddtrace.so
'use strict'
// examples/node/ddtrace_ffi.js - dd-trace-c from Node.js through koffi (npm koffi, pinned in package.json).
//
//   const { Library } = require('./ddtrace_ffi')
//   const dd = new Library('build/libddtrace.so')      // checks DDTRACE_VERSION against dd_version()
//   const tracer = dd.tracer(null, { service: 'checkout' }) // the library's own agent sender, or a JS
//   // transport, called on the JS thread by flush() and close() (manual delivery):
//   //   dd.tracer((req) => {          // req = { method, path, headers: {name: value}, body: Buffer }
//   //     return { status: 200, body: Buffer.from('{"rate_by_service":{}}') }  // or { status: 0 }: not sent
//   //   }, { service: 'checkout' })
//   const root = tracer.startSpan('http.request', { resource: 'GET /cart' })
//   const child = root.child('db.query'); child.setTag('db.system', 'postgresql'); child.finish()
//   const headers = root.inject()                     // { 'x-datadog-trace-id': ..., traceparent: ... }
//   root.finish(); tracer.flush(); tracer.close()
//   const ctx = dd.extract({ 'x-datadog-trace-id': '1', 'x-datadog-parent-id': '2' })  // or null
//
// The transport is synchronous, because dd_tracer_flush is (a Lambda flushes before it answers):
// write it with blocking I/O or hand the bytes to a worker. Ids are BigInt. The structures mirror
// dd_trace.h from the field lists of bindings/node/lib/layout.js (one list for this example and the
// npm package); tests/ffi_node_test.sh compares their sizes and offsets with the C compiler's. The
// package (bindings/node) is the supported binding; this file stays as the low-level example with a
// JavaScript transport.
const koffi = require('koffi')
const path = require('path')

const DDTRACE_VERSION = 200
const DD_ON = 1
const DD_OFF = 2
const DD_DELIVERY_BACKGROUND = 1
const DD_DELIVERY_SYNC = 2
const DD_DELIVERY_MANUAL = 3
// What a transport returns (dd_trace.h): a whole answer arrived; the agent surely did not get the
// request (kept and tried again); written but the answer was lost (never sent again).
const DD_TRANSPORT_ANSWERED = 0
const DD_TRANSPORT_NOT_SENT = 1
const DD_TRANSPORT_UNCONFIRMED = 2
const PRIORITY_UNSET = -128

// The structures: one field list for this example and the npm package (bindings/node/lib/layout.js,
// which its own load-time check compares with the compiler's); transport_fn is a typed callback here.
const LAYOUT = require('../../bindings/node/lib/layout.js')
const COUNTERS = LAYOUT.COUNTERS
const dd_transport_fn = koffi.proto('int dd_transport_fn(void *user, void *req, void *resp)')
const T = {}
const ctype = (t) => Array.isArray(t) ? (t[0] === 'char' ? koffi.array('char', t[1], 'String') : koffi.array(ctype(t[0]), t[1])) : (T[t] || t)
for (const [name, fields] of Object.entries(LAYOUT.STRUCTS)) {
  T[name] = koffi.struct(name, Object.fromEntries(fields.map(([f, t]) =>
    [f, name === 'dd_tracer_config' && f === 'transport_fn' ? koffi.pointer(dd_transport_fn) : ctype(t)])))
}
const { dd_header, dd_headers, dd_trace_context, dd_tracer_config, dd_span_options, dd_http_request, dd_http_response } = T

// Every mirrored structure of dd_trace.h, for the layout check of tests/ffi_node_test.sh.
const STRUCTS = Object.fromEntries(['dd_header', 'dd_headers', 'dd_carrier_reader', 'dd_carrier_writer', 'dd_trace_id',
  'dd_span_link', 'dd_trace_context', 'dd_propagation_config', 'dd_http_request', 'dd_http_response',
  'dd_sampling_config', 'dd_allocator', 'dd_tracer_config', 'dd_span_options', 'dd_counters'].map((n) => [n, T[n]]))

const utf8 = (s) => Buffer.from(String(s), 'utf8')
const big = (v) => BigInt.asUintN(64, BigInt(v))

class Library {
  constructor (file) {
    file = file || process.env.DDTRACE_LIB || path.join(__dirname, '..', '..', 'build', 'libddtrace.so')
    const lib = koffi.load(file)
    const version = lib.func('int dd_version(void)')()
    if (version !== DDTRACE_VERSION) throw new Error(`libddtrace is version ${version}, this binding mirrors ${DDTRACE_VERSION}`)
    const f = (proto) => lib.func(proto)
    this.c = {
      status_str: f('const char *dd_status_str(int status)'),
      tracer_new: f('void *dd_tracer_new(const dd_tracer_config *cfg)'),
      tracer_free: f('void dd_tracer_free(void *t)'),
      tracer_flush: f('int dd_tracer_flush(void *t)'),
      tracer_counters: f('void dd_tracer_counters(void *t, _Out_ dd_counters *out)'),
      span_start: f('void *dd_span_start(void *t, const dd_span_options *opts)'),
      span_start_child_n: f('void *dd_span_start_child_n(void *parent, const uint8_t *name, size_t len)'),
      span_finish: f('void dd_span_finish(void *s)'),
      span_set_tag_n: f('void dd_span_set_tag_n(void *s, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)'),
      span_set_metric_n: f('void dd_span_set_metric_n(void *s, const uint8_t *k, size_t kl, double v)'),
      span_set_resource_n: f('void dd_span_set_resource_n(void *s, const uint8_t *r, size_t len)'),
      span_set_kind_n: f('void dd_span_set_kind_n(void *s, const uint8_t *k, size_t len)'),
      span_set_error_info_n: f('void dd_span_set_error_info_n(void *s, const uint8_t *t, size_t tl, const uint8_t *m, size_t ml, const uint8_t *st, size_t sl)'),
      span_set_priority: f('void dd_span_set_priority(void *s, int priority)'),
      span_trace_id: f('void dd_span_trace_id(void *s, _Out_ dd_trace_id *out)'),
      span_id: f('uint64_t dd_span_id(void *s)'),
      span_parent_id: f('uint64_t dd_span_parent_id(void *s)'),
      span_inject: f('int dd_span_inject(void *s, const dd_carrier_writer *w)'),
      headers_init: f('void dd_headers_init(_Out_ dd_headers *h, void *items, size_t cap, void *buf, size_t buf_cap)'),
      headers_reader: f('void dd_headers_reader(_Out_ dd_carrier_reader *r, void *h)'),
      headers_writer: f('void dd_headers_writer(_Out_ dd_carrier_writer *w, void *h)'),
      propagation_config_default: f('void dd_propagation_config_default(_Out_ dd_propagation_config *cfg)'),
      propagation_config_from_env: f('int dd_propagation_config_from_env(_Inout_ dd_propagation_config *cfg, void *g, void *u, void *l)'),
      extract: f('int dd_extract(const dd_propagation_config *cfg, const dd_carrier_reader *r, void *out)'),
      sender_new: f('void *dd_sender_new(void *opts)'),
      sender_attach: f('void dd_sender_attach(_Inout_ dd_tracer_config *cfg, void *s)')
    }
    this.version = version
  }

  statusStr (status) { return this.c.status_str(status) }

  // transport null/undefined: the library's own agent sender (dd_sender.h: DD_TRACE_AGENT_URL,
  // DD_AGENT_HOST/DD_TRACE_AGENT_PORT, the socket, localhost:8126) on the tracer's worker thread;
  // else a synchronous JS function, called on the JS thread by flush() and close() only.
  tracer (transport, config) { return new Tracer(this, transport, config || {}) }

  // A Context from an object of HTTP headers (names in any case), with the styles of
  // DD_TRACE_PROPAGATION_STYLE* (default datadog, tracecontext); null when there is none.
  extract (headers) {
    const entries = Object.entries(headers)
    const keep = []
    const items = koffi.alloc(dd_header, Math.max(1, entries.length))
    entries.forEach(([k, v], i) => {
      const kb = utf8(k)
      const vb = utf8(v)
      keep.push(kb, vb)
      koffi.encode(items, i * koffi.sizeof(dd_header), dd_header,
        { name: kb, name_len: kb.length, value: vb, value_len: vb.length })
    })
    // The reader keeps the address of `h`: it must be C memory that outlives dd_extract, not a
    // temporary copy of a JS object (the same holds for the writer in Span.inject).
    const h = koffi.alloc(dd_headers, 1)
    try {
      koffi.encode(h, dd_headers, { items, n: entries.length, cap: entries.length, buf: null, buf_len: 0, buf_cap: 0 })
      const reader = {}
      this.c.headers_reader(reader, h)
      const cfg = {}
      this.c.propagation_config_default(cfg)
      this.c.propagation_config_from_env(cfg, null, null, null)
      const ctx = new Context()
      const rc = this.c.extract(cfg, reader, ctx.ptr)
      return rc === 0 ? ctx : null
    } finally {
      koffi.free(h)
      koffi.free(items)
    }
  }
}

// An extracted trace context: C memory (a dd_trace_context) owned by this object.
class Context {
  constructor () {
    this.ptr = koffi.alloc(dd_trace_context, 1)
    koffi.encode(this.ptr, 'uint8_t', new Array(koffi.sizeof(dd_trace_context)).fill(0), koffi.sizeof(dd_trace_context))
  }

  get value () { return koffi.decode(this.ptr, dd_trace_context) }
  get traceId () { const t = this.value.trace_id; return (big(t.hi) << 64n) | big(t.lo) }
  get parentId () { return big(this.value.parent_id) }
  get samplingPriority () { const p = this.value.sampling_priority; return p === PRIORITY_UNSET ? null : p }
  get origin () { return this.value.origin }
  free () { if (this.ptr) { koffi.free(this.ptr); this.ptr = null } }
}

const CONFIG_STRINGS = ['service', 'env', 'version', 'tags', 'hostname', 'language', 'language_version', 'cgroup_path']

class Tracer {
  constructor (dd, transport, config) {
    this.dd = dd
    this.c = dd.c
    this.transport = transport
    this.transportErrors = []
    this.resp = null // the last response body, alive until the next flush
    this.cb = null
    const cfg = { size: koffi.sizeof(dd_tracer_config), cgroup_path: '' } // no container id by default
    if (transport) {
      // A koffi callback must run on the JS thread: no worker thread, flush when asked.
      cfg.flush_interval_ms = -1
      for (const [k, v] of Object.entries(config)) cfg[k] = v
      if (cfg.delivery !== DD_DELIVERY_SYNC) cfg.delivery = DD_DELIVERY_MANUAL // sync: on the thread that finishes spans
    } else {
      for (const [k, v] of Object.entries(config)) cfg[k] = v
    }
    for (const k of CONFIG_STRINGS) if (cfg[k] === undefined) cfg[k] = null
    if (transport) {
      this.cb = koffi.register((user, req, resp) => this._onRequest(req, resp), koffi.pointer(dd_transport_fn))
      cfg.transport_fn = this.cb
    } else {
      const sender = this.c.sender_new(null) // the agent address from the environment
      if (!sender) throw new Error('dd_sender_new failed')
      this.c.sender_attach(cfg, sender) // owned by the tracer from here on (transport_free_fn)
    }
    this.t = this.c.tracer_new(cfg)
    if (!this.t) { if (this.cb) koffi.unregister(this.cb); throw new Error('dd_tracer_new failed') }
  }

  // Called by C on the JS thread (manual delivery): must not throw through C frames. Returns a
  // DD_TRANSPORT_* code: { status > 0 } is a whole answer; { status: 0 }, or an error with
  // notSent true or code ECONNREFUSED, means the request surely did not reach the agent; any
  // other error means it may have (never sent again).
  _onRequest (reqPtr, respPtr) {
    try {
      const req = koffi.decode(reqPtr, dd_http_request)
      const headers = {}
      for (let i = 0; i < Number(req.n_headers); i++) {
        const h = koffi.decode(req.headers, i * koffi.sizeof(dd_header), dd_header)
        headers[koffi.decode(h.name, 'char', Number(h.name_len))] = koffi.decode(h.value, 'char', Number(h.value_len))
      }
      const n = Number(req.body_len)
      const body = n ? Buffer.from(new Uint8Array(koffi.view(req.body, n))) : Buffer.alloc(0) // a copy: the C buffer is borrowed
      const r = this.transport({ method: req.method, path: req.path, headers, body }) || {}
      const status = r.status | 0
      if (!status) {
        koffi.encode(respPtr, dd_http_response, { status: 0, body: null, body_len: 0, retry_after_ms: 0 })
        return DD_TRANSPORT_NOT_SENT
      }
      this.resp = Buffer.concat([Buffer.from(r.body || ''), Buffer.alloc(1)])
      koffi.encode(respPtr, dd_http_response,
        { status, body: this.resp, body_len: this.resp.length - 1, retry_after_ms: Number(r.retryAfterMs) || 0 })
      return DD_TRANSPORT_ANSWERED
    } catch (e) {
      this.transportErrors.push(e)
      koffi.encode(respPtr, dd_http_response, { status: 0, body: null, body_len: 0, retry_after_ms: 0 })
      return e && (e.notSent || e.code === 'ECONNREFUSED') ? DD_TRANSPORT_NOT_SENT : DD_TRANSPORT_UNCONFIRMED
    }
  }

  startSpan (name, opts) {
    opts = opts || {}
    const o = { size: koffi.sizeof(dd_span_options), parent: opts.parent ? opts.parent.s : null, context: opts.context ? opts.context.ptr : null, start_ns: opts.startNs || 0 }
    for (const k of ['name', 'service', 'resource', 'type']) {
      const v = k === 'name' ? name : opts[k]
      o[k] = v == null ? null : String(v)
      o[k + '_len'] = v == null ? 0 : utf8(v).length
    }
    return new Span(this, this.c.span_start(this.t, o))
  }

  // Delivers the finished traces now (through a JS transport on this thread, else the native
  // sender's worker while this thread waits): DD_OK (0) or DD_ERR_*.
  flush () {
    const rc = this.c.tracer_flush(this.t)
    this.resp = null
    return rc
  }

  counters () {
    const out = {}
    this.c.tracer_counters(this.t, out)
    for (const k of COUNTERS) out[k] = Number(out[k])
    return out
  }

  // Flushes what finished and frees the tracer (idempotent).
  close () {
    if (!this.t) return
    this.c.tracer_free(this.t)
    this.t = null
    if (this.cb) koffi.unregister(this.cb)
  }
}

// A dd_span; a disabled tracer gives spans whose methods do nothing (the C side accepts NULL).
class Span {
  constructor (tracer, handle) { this.tracer = tracer; this.c = tracer.c; this.s = handle }
  child (name) { const n = utf8(name); return new Span(this.tracer, this.c.span_start_child_n(this.s, n, n.length)) }
  setTag (k, v) { const kb = utf8(k); const vb = utf8(v); this.c.span_set_tag_n(this.s, kb, kb.length, vb, vb.length); return this }
  setMetric (k, v) { const kb = utf8(k); this.c.span_set_metric_n(this.s, kb, kb.length, Number(v)); return this }
  setResource (r) { const b = utf8(r); this.c.span_set_resource_n(this.s, b, b.length); return this }
  setKind (k) { const b = utf8(k); this.c.span_set_kind_n(this.s, b, b.length); return this }
  setError (type, message, stack) {
    const t = utf8(type); const m = utf8(message); const st = stack == null ? null : utf8(stack)
    this.c.span_set_error_info_n(this.s, t, t.length, m, m.length, st, st ? st.length : 0)
    return this
  }

  setPriority (p) { this.c.span_set_priority(this.s, p); return this }
  get traceId () { const t = {}; this.c.span_trace_id(this.s, t); return (big(t.hi) << 64n) | big(t.lo) }
  get spanId () { return big(this.c.span_id(this.s)) }
  get parentId () { return big(this.c.span_parent_id(this.s)) }

  // The headers that continue this span's trace in another service.
  inject () {
    const cap = 16
    const items = koffi.alloc(dd_header, cap)
    const buf = koffi.alloc('char', 4096)
    const h = koffi.alloc(dd_headers, 1)
    try {
      const hv = {}
      this.c.headers_init(hv, items, cap, buf, 4096)
      koffi.encode(h, dd_headers, hv)
      const w = {}
      this.c.headers_writer(w, h)
      const rc = this.c.span_inject(this.s, w)
      if (rc !== 0) throw new Error('dd_span_inject: ' + this.tracer.dd.statusStr(rc))
      const out = {}
      const n = Number(koffi.decode(h, dd_headers).n)
      for (let i = 0; i < n; i++) {
        const x = koffi.decode(items, i * koffi.sizeof(dd_header), dd_header)
        out[koffi.decode(x.name, 'char', Number(x.name_len))] = koffi.decode(x.value, 'char', Number(x.value_len))
      }
      return out
    } finally {
      koffi.free(h); koffi.free(buf); koffi.free(items)
    }
  }

  // Ends the span; the handle is dead afterwards.
  finish () { this.c.span_finish(this.s); this.s = null }
}

module.exports = { Library, Context, Tracer, Span, STRUCTS, DDTRACE_VERSION, DD_ON, DD_OFF, PRIORITY_UNSET, koffi }
Object.assign(module.exports, {
  DD_DELIVERY_BACKGROUND, DD_DELIVERY_SYNC, DD_DELIVERY_MANUAL, DD_TRANSPORT_ANSWERED, DD_TRANSPORT_NOT_SENT,
  DD_TRANSPORT_UNCONFIRMED
})

if (require.main === module) {
  const dd = new Library(process.argv[2])
  const sent = []
  const tracer = dd.tracer((req) => { sent.push(req); return { status: 200, body: '{"rate_by_service":{}}' } }, { service: 'ffi-node' })
  const root = tracer.startSpan('js.request', { resource: 'GET /' })
  const work = root.child('js.work')
  work.setTag('component', 'koffi')
  work.finish()
  const headers = root.inject()
  root.finish()
  tracer.flush()
  tracer.close()
  console.log('injected:', headers)
  console.log(`sent ${sent.length} request(s), ${sent.reduce((a, r) => a + r.body.length, 0)} body bytes to ${sent.length ? sent[0].path : '-'}`)
}
