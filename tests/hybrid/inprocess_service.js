'use strict'
// tests/hybrid/inprocess_service.js LIB RESULT_FILE - a Node.js program traced by the official tracer
// (npm dd-trace, pinned in package.json) that calls native code traced with dd-trace-c in the same
// process (tests/hybrid/inprocess_native.c loaded with koffi), for tests/node_hybrid_inprocess_test.sh.
//
// The pattern: inject the active span's context with dd-trace's own propagator into a plain object
// (`tracer.inject(span, 'http_headers', carrier)`), hand the headers to C, which extracts them and
// starts its spans as children. Each tracer sends to the agent of DD_TRACE_AGENT_URL.
const tracer = require('dd-trace').init({ flushInterval: 50, startupLogs: false })
const koffi = require('koffi')
const fs = require('fs')

const lib = koffi.load(process.argv[2])
const nativeProcess = lib.func('int native_process(const char **names, const char **values, size_t n, int rows, _Out_ uint8_t *out, size_t cap)')
const nativeShutdown = lib.func('void native_shutdown(void)')

// What JavaScript code calls: the native work, continuing the caller's trace.
function transform (rows) {
  const carrier = {}
  tracer.inject(tracer.scope().active(), 'http_headers', carrier)
  const names = Object.keys(carrier)
  const out = Buffer.alloc(512)
  const rc = nativeProcess(names, names.map((k) => String(carrier[k])), names.length, rows, out, out.length)
  if (rc !== 0) throw new Error('native_process: ' + rc)
  return { carrier, native: JSON.parse(out.toString('utf8', 0, out.indexOf(0))) }
}

const result = tracer.trace('js.request', { resource: 'POST /transform', type: 'web' }, (span) => {
  span.setTag('span.kind', 'server')
  const r = transform(7)
  const ctx = span.context()
  r.js = { trace_id: ctx.toTraceId(true), span_id: ctx.toSpanId(), priority: ctx._sampling.priority }
  return r
})
fs.writeFileSync(process.argv[3], JSON.stringify(result))
nativeShutdown() // the C spans are delivered before this returns (bounded)
setTimeout(() => process.exit(0), 400) // dd-trace flushes every 50 ms
