'use strict'
// dd-trace-c for Node.js: Datadog tracing through the dd-trace-c SDK (koffi over a native library
// this package builds at install time). Spans are C objects; delivery happens on the tracer's own
// native thread through the SDK's HTTP sender (no JavaScript transport, nothing on the event loop).
//
//   const dd = require('dd-trace-c')
//   const tracer = dd.init({ service: 'checkout' })      // + DD_* environment variables
//   await tracer.trace('job', { resource: 'send' }, async (span) => { span.setTag('queue', 'q') })
//   tracer.close()                                        // flushes what finished, frees the tracer
//
// Ids are BigInt. Every span method accepts a span the SDK refused (disabled tracer, limits) and
// then does nothing, as the C API does.
const { AsyncLocalStorage } = require('async_hooks')
const native = require('./lib/native')
const { COUNTERS } = require('./lib/layout')

const VERSION = require('./package.json').version
const PRIORITY_UNSET = -128
const USER_KEEP = 2
const USER_REJECT = -1
const ON = 1
const OFF = 2
const DELIVERY = { background: 1, sync: 2, manual: 3 }

const utf8 = (s) => Buffer.from(String(s), 'utf8')
const u64 = (v) => BigInt.asUintN(64, BigInt(v))
const tri = (v) => v === undefined || v === null ? 0 : (v ? ON : OFF)
const ms2ns = (ms) => BigInt(Math.round(Number(ms) * 1e6))

function lib () { return native.load() }

// The SDK's diagnostics for tracers made with a `logger` option: the C side queues lines in a
// bounded ring (any thread may log; JavaScript cannot run there), drained here on this thread by a
// timer that does not keep the process alive, and at every flush() and close().
const LEVELS = ['error', 'warn', 'info', 'debug']
const loggers = new Map() // tracer id -> logger function
let nextLoggerId = 1
let drainTimer = null
function drainLogs () {
  const { fns } = lib()
  const out = Buffer.alloc(512)
  const meta = new Uint32Array(2)
  for (;;) {
    const n = fns.log_pop(out, out.length, meta)
    if (n < 0) return
    const fn = loggers.get(meta[1])
    if (!fn) continue
    try { fn(LEVELS[meta[0]] || 'debug', out.toString('utf8', 0, n)) } catch (e) { /* a logger must not break tracing */ }
  }
}

// dd_header items over an object's entries (names/values kept alive in `keep` by the caller).
function headerItems (obj, keep) {
  const { koffi, T } = lib()
  const entries = Object.entries(obj || {}).filter(([, v]) => v !== undefined && v !== null)
  const size = koffi.sizeof(T.dd_header)
  const items = Buffer.alloc(Math.max(1, entries.length) * size)
  entries.forEach(([k, v], i) => {
    const kb = utf8(k)
    const vb = utf8(Array.isArray(v) ? v.join(',') : v)
    keep.push(kb, vb)
    koffi.encode(items, i * size, T.dd_header, { name: kb, name_len: kb.length, value: vb, value_len: vb.length })
  })
  return { items, n: entries.length }
}

// An extracted trace context (a dd_trace_context in a Buffer): give it as `childOf` to continue it.
class Context {
  constructor () {
    const { koffi, T } = lib()
    this.buf = Buffer.alloc(koffi.sizeof(T.dd_trace_context))
  }

  get _value () { const { koffi, T } = lib(); return koffi.decode(this.buf, T.dd_trace_context) }
  get traceId () { const t = this._value.trace_id; return (u64(t.hi) << 64n) | u64(t.lo) }
  get parentId () { return u64(this._value.parent_id) }
  get samplingPriority () { const p = this._value.sampling_priority; return p === PRIORITY_UNSET ? null : p }
  get origin () { return this._value.origin || null }
  get propagationTags () { return this._value.ptags }
  get baggage () { return readBaggage(this.buf, lib().koffi.offsetof(lib().T.dd_trace_context, 'baggage')) }
  toTraceIdHex () { return this.traceId.toString(16).padStart(32, '0') }
}

// The items of a dd_baggage at `offset` of `mem` (a Buffer or a C pointer).
function readBaggage (mem, offset) {
  const { koffi, T } = lib()
  if (!mem) return {}
  const b = Buffer.isBuffer(mem) ? koffi.decode(mem, offset, T.dd_baggage) : koffi.decode(mem, T.dd_baggage)
  const data = Buffer.from(b.data)
  const out = {}
  let off = 0
  for (let i = 0; i < b.n; i++) {
    const k = data.subarray(off, off + b.key_len[i]).toString('utf8'); off += b.key_len[i]
    out[k] = data.subarray(off, off + b.value_len[i]).toString('utf8'); off += b.value_len[i]
  }
  return out
}

const IDS = new BigUint64Array(4) // ddnode_span_ids' output, reused

// The room dd_span_inject_headers writes into: one per thread (this module is per thread), reused,
// as inject never runs twice at once on one thread. 32 KiB holds the longest baggage header.
const INJECT_ITEMS = 32
let injectBuffers = null
function injectRoom () {
  if (!injectBuffers) {
    const { koffi, T } = lib()
    const itemSize = koffi.sizeof(T.dd_header)
    injectBuffers = { itemSize, items: Buffer.alloc(INJECT_ITEMS * itemSize), buf: Buffer.alloc(32768), h: Buffer.alloc(koffi.sizeof(T.dd_headers)) }
  }
  return injectBuffers
}

class Span {
  constructor (tracer, handle, name) { this.tracer = tracer; this.s = handle; this.name = name; this.finished = false }
  _str (fn, v) { const b = utf8(v); lib().fns[fn](this.s, b, b.length); return this }
  setName (v) { this.name = String(v); return this._str('span_set_name_n', v) }
  setService (v) { return this._str('span_set_service_n', v) }
  setResource (v) { return this._str('span_set_resource_n', v) }
  setType (v) { return this._str('span_set_type_n', v) }
  setKind (v) { return this._str('span_set_kind_n', v) }
  setOrigin (v) { return this._str('span_set_origin_n', v) }
  setMeasured (on = true) { lib().fns.span_set_measured(this.s, on ? 1 : 0); return this }

  // A string tag; a number becomes a metric (as dd-trace-js does); booleans are "true"/"false".
  setTag (key, value) {
    if (value === undefined || value === null) return this
    if (typeof value === 'number' || typeof value === 'bigint') return this.setMetric(key, Number(value))
    const k = utf8(key); const v = utf8(typeof value === 'object' ? JSON.stringify(value) : value)
    lib().fns.span_set_tag_n(this.s, k, k.length, v, v.length)
    return this
  }

  addTags (tags) { for (const [k, v] of Object.entries(tags || {})) this.setTag(k, v); return this }
  setMetric (key, value) { const k = utf8(key); lib().fns.span_set_metric_n(this.s, k, k.length, Number(value)); return this }

  // A tag set on this open span ("" keys of the tracer's own tags are not visible), or undefined.
  getTag (key) {
    const { fns, koffi } = lib()
    const k = utf8(key); const v = [null]; const n = [0]
    if (fns.span_get_tag(this.s, k, k.length, v, n) !== 0) return undefined
    return Number(n[0]) ? Buffer.from(koffi.view(v[0], Number(n[0]))).toString('utf8') : ''
  }

  // setError(err) with an Error (type = its name, message, stack), or setError(type, message, stack);
  // setError(false) clears the error flag.
  setError (err, message, stack) {
    const { fns } = lib()
    if (err === false) { fns.span_set_error(this.s, 0); return this }
    let type = err
    if (err instanceof Error || (err && typeof err === 'object')) {
      type = err.name || (err.constructor && err.constructor.name) || 'Error'
      message = err.message; stack = err.stack
    }
    const t = utf8(type || 'Error'); const m = utf8(message == null ? '' : message)
    const st = stack == null ? null : utf8(stack)
    fns.span_set_error_info_n(this.s, t, t.length, m, m.length, st, st ? st.length : 0)
    return this
  }

  keep () { lib().fns.span_set_priority(this.s, USER_KEEP); return this }
  drop () { lib().fns.span_set_priority(this.s, USER_REJECT); return this }
  setPriority (p) { lib().fns.span_set_priority(this.s, p); return this }

  // Ids (BigInt; 0n for a refused span), still readable after finish.
  _readIds () {
    if (this._ids) return this._ids
    lib().fns.span_ids(this.s, IDS)
    return { traceId: (IDS[0] << 64n) | IDS[1], spanId: IDS[2], parentId: IDS[3] }
  }

  get traceId () { return this._readIds().traceId }
  get spanId () { return this._readIds().spanId }
  get parentId () { return this._readIds().parentId }
  toTraceIdHex () { return this.traceId.toString(16).padStart(32, '0') }

  // A child span (same local trace).
  child (name, opts) { return this.tracer.startSpan(name, Object.assign({}, opts, { childOf: this })) }

  // The context a downstream service continues, as HTTP headers (lower-case names), with the
  // tracer's inject styles; `carrier` (an object) gets them too. Locks the sampling decision.
  inject (carrier) {
    const { koffi, RAW, fns } = lib()
    const w = injectRoom()
    fns.headers_init(w.h, w.items, INJECT_ITEMS, w.buf, w.buf.length)
    const rc = fns.span_inject_headers(this.s, w.h)
    const out = carrier || {}
    if (rc !== 0) return out
    const h = koffi.decode(w.h, RAW.dd_headers)
    const base = BigInt(h.buf) // the names and values live in w.buf: read them there
    for (let i = 0; i < Number(h.n); i++) {
      const x = koffi.decode(w.items, i * w.itemSize, RAW.dd_header)
      const n = Number(BigInt(x.name) - base); const v = Number(BigInt(x.value) - base)
      out[w.buf.toString('utf8', n, n + Number(x.name_len))] = w.buf.toString('utf8', v, v + Number(x.value_len))
    }
    return out
  }

  // The `_datadog` message attribute (queues, Lambda events) as JSON text; "" without a context.
  injectDatadogJson () {
    const { fns } = lib()
    let out = Buffer.alloc(2048)
    let n = Number(fns.span_inject_datadog_json(this.s, out, out.length))
    if (n >= out.length) { out = Buffer.alloc(n + 1); n = Number(fns.span_inject_datadog_json(this.s, out, out.length)) }
    return out.subarray(0, n).toString('utf8')
  }

  // A span link to a Context, a Span or { traceId, spanId, flags, tracestate }, with attributes
  // (an object: values sent as strings, at most 32, as dd-trace's addLink). True when added.
  addLink (target, attributes) {
    const { fns } = lib()
    let traceId, spanId, flags = 0, tracestate = ''
    if (target instanceof Span) { traceId = target.traceId; spanId = target.spanId } else if (target instanceof Context) {
      const v = target._value
      traceId = (u64(v.trace_id.hi) << 64n) | u64(v.trace_id.lo); spanId = u64(v.parent_id)
      if (v.sampling_priority !== PRIORITY_UNSET) flags = (v.sampling_priority > 0 ? 1 : 0) | 0x80000000
      tracestate = v.tracestate
    } else {
      traceId = BigInt(target.traceId); spanId = BigInt(target.spanId)
      flags = target.flags || 0; tracestate = target.tracestate || ''
    }
    const attrs = Object.assign({}, attributes)
    const extra = {}
    for (const k of Object.keys(attrs)) {
      if (k !== 'reason' && k !== 'context_headers') extra[k] = String(attrs[k])
    }
    const keep = []
    const { items, n } = headerItems(extra, keep)
    return fns.span_add_link_attrs(this.s, {
      trace_id: { hi: traceId >> 64n, lo: BigInt.asUintN(64, traceId) },
      span_id: spanId,
      flags: flags | 0,
      tracestate,
      reason: attrs.reason || '',
      context_headers: attrs.context_headers || ''
    }, items, n) === 0
  }

  // Baggage of the span's trace (W3C baggage, sent by inject with the `baggage` style).
  setBaggageItem (key, value) {
    const k = utf8(key); const v = utf8(value)
    return lib().fns.span_baggage_set(this.s, k, k.length, v, v.length) === 0
  }

  getBaggageItem (key) { return this.getAllBaggageItems()[key] }
  removeBaggageItem (key) { const k = utf8(key); return lib().fns.span_baggage_remove(this.s, k, k.length) === 0 }
  removeAllBaggageItems () { lib().fns.span_baggage_clear(this.s); return this }
  getAllBaggageItems () { return this.s ? readBaggage(lib().fns.span_baggage(this.s), 0) : {} }

  // Log correlation: { 'dd.trace_id', 'dd.span_id', 'dd.service', 'dd.env', 'dd.version' }
  // ({} with DD_LOGS_INJECTION=false); logCorrelation() gives the text form.
  logFields () { const t = this._correlation(1); return t ? JSON.parse('{' + t + '}') : {} }
  logCorrelation () { return this._correlation(0) }
  _correlation (json) {
    const { fns } = lib()
    let out = Buffer.alloc(512)
    let n = Number(fns.span_log_correlation(this.s, json, out, out.length))
    if (n >= out.length) { out = Buffer.alloc(n + 1); n = Number(fns.span_log_correlation(this.s, json, out, out.length)) }
    return out.subarray(0, n).toString('utf8')
  }

  // Ends the span (now, or at endTime in ms since the epoch). The C span is gone afterwards: its
  // ids stay readable, every other method does nothing.
  finish (endTime) {
    if (this.finished) return
    this._release()
    const s = this.s
    this.s = null
    if (endTime === undefined) lib().fns.span_finish(s)
    else lib().fns.span_finish_at(s, ms2ns(endTime))
  }

  _release () { this._ids = this._readIds(); this.finished = true }
}

const CONFIG_KEYS = { // option name -> dd_tracer_config field (strings and numbers as given)
  service: 'service', env: 'env', version: 'version', hostname: 'hostname', propagationStyle: 'propagation_style',
  propagationStyleExtract: 'propagation_style_extract', propagationStyleInject: 'propagation_style_inject',
  propagationBehaviorExtract: 'propagation_behavior_extract', baggageTagKeys: 'baggage_tag_keys',
  headerTags: 'header_tags', serviceMapping: 'service_mapping', peerServiceMapping: 'peer_service_mapping',
  flushIntervalMs: 'flush_interval_ms', requestTimeoutMs: 'request_timeout_ms', shutdownTimeoutMs: 'shutdown_timeout_ms',
  sendRetries: 'send_retries', maxBufferBytes: 'max_buffer_bytes', flushBytes: 'flush_bytes',
  partialFlushMinSpans: 'partial_flush_min_spans', maxSpansPerSegment: 'max_spans_per_segment'
}
const FLAG_KEYS = { enabled: 'enabled', debug: 'debug', startupLogs: 'startup_logs', partialFlush: 'partial_flush',
  reportHostname: 'report_hostname', traceId128: 'trace_id_128', logsInjection: 'logs_injection', log128bit: 'log_128bit' }

class Tracer {
  // Options (each unset one is read from its DD_* variable by the SDK): service, env, version,
  // tags ({k: v} or "k:v,k:v"), enabled, debug, startupLogs, sampleRate, rateLimit, samplingRules,
  // spanSamplingRules, propagationStyle*, flushIntervalMs, shutdownTimeoutMs, ... (see index.d.ts);
  // url: the agent (else DD_TRACE_AGENT_URL, DD_AGENT_HOST/DD_TRACE_AGENT_PORT, the socket,
  // localhost:8126); delivery: 'background' (default), 'sync' or 'manual'; logger(level, message):
  // the SDK's diagnostics (default: stderr), delivered on this thread.
  constructor (options) {
    const opts = options || {}
    const { koffi, T, fns } = lib()
    this._als = new AsyncLocalStorage()
    const cfg = { size: koffi.sizeof(T.dd_tracer_config), language: 'nodejs', language_version: process.versions.node }
    for (const [k, f] of Object.entries(CONFIG_KEYS)) if (opts[k] !== undefined && opts[k] !== null) cfg[f] = opts[k]
    for (const [k, f] of Object.entries(FLAG_KEYS)) cfg[f] = tri(opts[k])
    if (opts.tags) cfg.tags = typeof opts.tags === 'string' ? opts.tags : Object.entries(opts.tags).map(([k, v]) => `${k}:${v}`).join(',')
    if (opts.delivery) cfg.delivery = DELIVERY[opts.delivery] || 0
    cfg.sampling = {}
    if (opts.sampleRate !== undefined) { cfg.sampling.sample_rate = opts.sampleRate; cfg.sampling.sample_rate_set = 1 }
    if (opts.rateLimit !== undefined) { cfg.sampling.rate_limit = opts.rateLimit; cfg.sampling.rate_limit_set = 1 }
    if (opts.samplingRules) cfg.sampling.rules_json = typeof opts.samplingRules === 'string' ? opts.samplingRules : JSON.stringify(opts.samplingRules)
    if (opts.spanSamplingRules) cfg.sampling.span_rules_json = typeof opts.spanSamplingRules === 'string' ? opts.spanSamplingRules : JSON.stringify(opts.spanSamplingRules)
    this.lambdaMode = 0
    const inLambda = opts.lambda !== undefined ? !!opts.lambda : !!process.env.AWS_LAMBDA_FUNCTION_NAME
    this._extensionPath = opts.extensionPath || process.env.DD_LAMBDA_EXTENSION_PATH || null
    if (inLambda) {
      this.lambdaMode = fns.lambda_transport(cfg, this._extensionPath)
      if (!this.lambdaMode) throw new Error('dd-trace-c: out of memory')
    } else {
      const o = {}
      fns.sender_options_init(o)
      if (opts.url) o.url = String(opts.url) // else the environment's address rules
      const sender = fns.sender_new(o)
      if (!sender) throw new Error(`dd-trace-c: no usable agent address${opts.url ? ' in ' + opts.url : ''}`)
      fns.sender_attach(cfg, sender) // the tracer owns it and frees it after its last delivery
    }
    if (typeof opts.logger === 'function') {
      const id = nextLoggerId++
      fns.log_attach(cfg, id)
      loggers.set(id, opts.logger)
      if (!drainTimer) { drainTimer = setInterval(drainLogs, 250); drainTimer.unref() }
    }
    this.t = fns.tracer_new(cfg)
    drainLogs()
    if (!this.t) throw new Error('dd-trace-c: dd_tracer_new failed')
    this._lambda = null
  }

  get service () { return lib().fns.tracer_service(this.t) }
  get env () { return lib().fns.tracer_env(this.t) }
  get version () { return lib().fns.tracer_version(this.t) }

  // The span trace()/wrap()/the Lambda wrapper made active for the current async context.
  activeSpan () { return this._als.getStore() || null }

  // Starts a span. opts: childOf (a Span or a Context; default the active span, null = a new trace),
  // resource, service, type, kind, tags ({k: v}), startTime (ms since the epoch), links.
  startSpan (name, opts) {
    opts = opts || {}
    const { koffi, T, fns } = lib()
    const parent = opts.childOf === undefined ? this.activeSpan() : opts.childOf
    const o = { size: koffi.sizeof(T.dd_span_options), parent: null, context: null, start_ns: 0 }
    if (parent instanceof Span) o.parent = parent.s
    else if (parent instanceof Context) o.context = parent.buf
    else if (parent) throw new TypeError('dd-trace-c: childOf must be a Span or a Context')
    for (const k of ['name', 'service', 'resource', 'type']) {
      const v = k === 'name' ? name : opts[k]
      const n = v === undefined || v === null ? 0 : Buffer.byteLength(String(v), 'utf8')
      o[k] = n ? String(v) : null // koffi passes a UTF-8 copy for the call; _len is its byte length
      o[k + '_len'] = n
    }
    if (opts.startTime !== undefined) o.start_ns = ms2ns(opts.startTime)
    const span = new Span(this, fns.span_start(this.t, o), String(name))
    if (opts.kind) span.setKind(opts.kind)
    if (opts.tags) span.addTags(opts.tags)
    for (const l of opts.links || []) span.addLink(l.context || l, l.attributes)
    return span
  }

  // Runs fn(span) inside a new span (a child of the active one), active while fn runs; finishes it
  // when fn returns or its promise settles, recording a thrown error or rejection (and rethrowing).
  trace (name, opts, fn) {
    if (typeof opts === 'function') { fn = opts; opts = {} }
    const span = this.startSpan(name, opts)
    return this._als.run(span, () => {
      let r
      try {
        r = fn(span)
      } catch (e) {
        span.setError(e); span.finish(); throw e
      }
      if (r && typeof r.then === 'function') {
        return r.then((v) => { span.finish(); return v }, (e) => { span.setError(e); span.finish(); throw e })
      }
      span.finish()
      return r
    })
  }

  // fn wrapped so that every call runs in trace(name, opts, ...).
  wrap (name, opts, fn) {
    if (typeof opts === 'function') { fn = opts; opts = {} }
    const tracer = this
    return function (...args) { return tracer.trace(name, opts, () => fn.apply(this, args)) }
  }

  // A Context from incoming headers (an object; names in any case; arrays joined with ','), with
  // the tracer's extract styles; null when they hold none.
  extract (headers) {
    const { fns } = lib()
    const keep = []
    const { items, n } = headerItems(headers, keep)
    const ctx = new Context()
    return fns.tracer_extract_headers(this.t, items, n, ctx.buf) === 0 ? ctx : null
  }

  // A Context from a `_datadog` message attribute (JSON text or an object); null when none.
  extractDatadogJson (json) {
    const b = utf8(typeof json === 'string' ? json : JSON.stringify(json))
    const ctx = new Context()
    return lib().fns.tracer_extract_datadog_json(this.t, b, b.length, ctx.buf) === 0 ? ctx : null
  }

  // inject(span, carrier): the span's context into carrier (an object), returned.
  inject (span, carrier) { return span.inject(carrier || {}) }

  // Delivers every finished trace now and waits for the outcome (at most shutdown_timeout_ms):
  // 0 or a negative DD_ERR_* status (statusText() names it). Blocks this thread while it waits.
  flush () { const rc = lib().fns.tracer_flush(this.t); drainLogs(); return rc }
  statusText (status) { return lib().fns.status_str(status) }

  counters () {
    const out = {}
    lib().fns.tracer_counters(this.t, out)
    for (const k of COUNTERS) out[k] = Number(out[k])
    return out
  }

  // Flushes what finished (within shutdown_timeout_ms) and frees the tracer. Idempotent.
  close () {
    if (!this.t) return
    if (this._lambda) { lib().fns.lambda_free(this._lambda.handle); this._lambda = null }
    lib().fns.tracer_free(this.t)
    this.t = null
    drainLogs()
  }

  _lambdaState () {
    if (this._lambda) return this._lambda
    const { fns } = lib()
    const handle = [null]
    const l = fns.lambda_new(this.t, this.lambdaMode || 1, this._extensionPath, handle)
    if (!l) throw new Error('dd-trace-c: dd_lambda_new failed')
    this._lambda = { l, handle: handle[0] }
    return this._lambda
  }

  // An AWS Lambda handler (async (event, context) => result) traced as datadog-lambda does: the
  // parent context from the event (SQS/SNS/HTTP/... or X-Ray), the inferred span, aws.lambda
  // (active while the handler runs, so trace() calls are its children), cold start, the error of a
  // throwing handler, and the flush before the result is returned.
  wrapLambda (handler) {
    const tracer = this
    return async function (event, context) {
      const { fns } = lib()
      const st = tracer._lambdaState()
      context = context || {}
      const keep = []
      const cstr = (v) => { if (v == null) return null; const b = utf8(String(v) + '\0'); keep.push(b); return b }
      const ev = utf8(JSON.stringify(event === undefined ? null : event))
      const cc = context.clientContext ? utf8(JSON.stringify(context.clientContext)) : null
      keep.push(ev, cc)
      const handle = fns.lambda_start_invocation(st.l, {
        event: ev, event_len: ev.length, client_context: cc, client_context_len: cc ? cc.length : 0,
        request_id: cstr(context.awsRequestId), invoked_function_arn: cstr(context.invokedFunctionArn),
        xray_trace_id: null, start_ns: 0
      }, null)
      const span = new Span(tracer, handle, 'aws.lambda')
      let result, failed = null
      try {
        result = await tracer._als.run(span, () => handler(event, context))
      } catch (e) {
        failed = e
        fns.lambda_set_invocation_error(st.l, handle, e && e.name ? e.name : 'Error', e && e.message ? String(e.message) : String(e),
          e && e.stack ? String(e.stack) : null)
      }
      const resp = result === undefined ? null : utf8(JSON.stringify(result))
      span._release()
      span.s = null
      fns.lambda_end_invocation(st.l, handle, resp, resp ? resp.length : 0, failed ? 1 : 0)
      if (failed) throw failed
      return result
    }
  }

  // A custom metric in Lambda (a distribution; DogStatsD to the Extension, else a Forwarder line).
  lambdaMetric (name, value, tags, timestampS) {
    const t = (tags || []).map(String)
    return lib().fns.lambda_metric(this._lambdaState().l, String(name), Number(value), t.length ? t : null, t.length, timestampS || 0)
  }
}

let globalTracer = null
// The process's tracer (created once; later calls return it).
function init (options) {
  if (!globalTracer) globalTracer = new Tracer(options)
  return globalTracer
}

module.exports = {
  init,
  Tracer,
  Span,
  Context,
  version: VERSION,
  nativeVersion: () => lib().version,
  logLinesDropped: () => Number(lib().fns.log_dropped()),
  libraryPath: () => lib().file,
  PRIORITY: { USER_REJECT, AUTO_REJECT: 0, AUTO_KEEP: 1, USER_KEEP }
}
