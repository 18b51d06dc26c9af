'use strict'
// test/xlang_scenario.js - the cross-language scenario of tests/xlang/SCENARIO.md through the Node.js
// package: `DD_TRACE_AGENT_URL=http://127.0.0.1:PORT DD_SERVICE=xlang DD_ENV=test DD_VERSION=1.0 node xlang_scenario.js`.
// Uses the installed `dd-trace-c`, else this checkout's (run `npm install` in bindings/node first: it
// fetches koffi and builds native/build/libddtrace_node.so). Exits non-zero when an assertion fails.
//
// One departure forced by the C API, the same in every binding: the child's context is injected
// before the child finishes (a finished span has no context left to inject).
const assert = require('assert')
const path = require('path')

function pkg () {
  try { return require('dd-trace-c') } catch (e) { return require(path.join(__dirname, '..')) }
}
const dd = pkg()
const tracer = new dd.Tracer({ startupLogs: false }) // service, env, version, agent: DD_* of the environment

// 1. extract the incoming request's headers
const incoming = tracer.extract({
  'x-datadog-trace-id': '1234567890123456789',
  'x-datadog-parent-id': '987654321',
  'x-datadog-sampling-priority': '2',
  'x-datadog-origin': 'synthetics',
  'x-datadog-tags': '_dd.p.dm=-4'
})
assert.ok(incoming, 'the headers hold a context')

// 2. the server span, with an error
const server = tracer.startSpan('http.request', { childOf: incoming, resource: 'GET /checkout', type: 'web', kind: 'server' })
server.setTag('http.method', 'GET')
server.setTag('http.url', 'http://shop.local/checkout')
server.setTag('customer.tier', 'gold')
server.setMetric('cart.items', 3)
server.setTag('http.status_code', '500')
server.setError('ValueError', 'boom', new Error('boom').stack)

// 3. the child; 4. its context injected into a fresh object (checked, not sent)
const query = server.child('db.query', { resource: 'SELECT * FROM carts', type: 'sql' })
query.setTag('db.system', 'postgresql')
query.setMetric('db.rows', 7)
const headers = query.inject({})
assert.strictEqual(headers['x-datadog-trace-id'], '1234567890123456789')
const traceHex = (1234567890123456789n).toString(16).padStart(32, '0')
assert.ok(headers.traceparent && headers.traceparent.split('-')[1] === traceHex, `traceparent ${headers.traceparent}`)
query.finish()

// 5. the queue hop: producer with a `_datadog` attribute, consumer continuing it with a link
const send = server.child('sqs.send', { kind: 'producer', resource: 'orders' })
const attribute = send.injectDatadogJson()
assert.ok(attribute.length > 2, 'a _datadog attribute')
send.finish()
const received = tracer.extractDatadogJson(attribute)
assert.ok(received, 'the _datadog attribute holds a context')
const receive = tracer.startSpan('sqs.receive', { childOf: received, kind: 'consumer', resource: 'orders' })
assert.ok(receive.addLink(received, { 'link.kind': 'queue' }), 'span link added')
receive.finish()

// 6. finish, flush, close
server.finish()
const rc = tracer.flush()
tracer.close()
if (rc !== 0) { console.error(`xlang_scenario: flush failed: ${tracer.statusText(rc)}`); process.exit(1) }
console.log('xlang_scenario: node done')
