'use strict'
// example.js - a traced request handler with dd-trace-c (run: DD_TRACE_AGENT_URL=http://127.0.0.1:8126 node example.js).
// It continues the caller's trace from the incoming headers, traces a query as a child span, passes
// the context on to a downstream call, records an error, and closes the tracer, which sends the
// trace to the agent from the SDK's own thread.
const dd = require('dd-trace-c')

const tracer = dd.init({ service: 'checkout', env: process.env.DD_ENV || 'dev', startupLogs: false })

async function handle (headers) {
  const caller = tracer.extract(headers) // null when the request carries no context
  return tracer.trace('http.request', { childOf: caller, resource: 'GET /cart', kind: 'server', type: 'web' }, async (span) => {
    span.setTag('http.method', 'GET')
    await tracer.trace('db.query', { resource: 'SELECT * FROM carts', type: 'sql' }, async (q) => {
      q.setTag('db.system', 'postgresql').setMetric('db.rows', 3)
    })
    const outgoing = tracer.inject(span, {}) // x-datadog-*, traceparent, tracestate, baggage
    try {
      throw new Error('payment service unavailable')
    } catch (e) {
      span.setError(e).setTag('http.status_code', '503')
    }
    console.log(JSON.stringify({ trace_id: String(span.traceId), span_id: String(span.spanId), log: span.logFields(), outgoing }))
  })
}

handle({ 'x-datadog-trace-id': '1234567890123456789', 'x-datadog-parent-id': '987654321', 'x-datadog-sampling-priority': '1' })
  .then(() => tracer.close())
