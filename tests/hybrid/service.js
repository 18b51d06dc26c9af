'use strict'
// tests/hybrid/service.js READY_FILE - the Node.js half of the hybrid trace (tests/hybrid_node_test.sh),
// traced by the official tracer (npm dd-trace, pinned in package.json / package-lock.json).
//   GET /start?c=<url of the C service>  calls the C service (the tracer's http client span injects
//                                        the context) and answers with what it answered
//   GET /callback                        what the C service calls back: answers the ids of its span
// The agent is DD_TRACE_AGENT_URL; spans are flushed every 50 ms.
const tracer = require('dd-trace').init({ flushInterval: 50, startupLogs: false })
const http = require('http')
const fs = require('fs')

const readyFile = process.argv[2]

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1')
  const reply = (status, obj) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(obj))
  }
  if (url.pathname === '/start') {
    http.get(url.searchParams.get('c'), (r) => {
      let body = ''
      r.setEncoding('utf8')
      r.on('data', (d) => { body += d })
      r.on('end', () => reply(200, { c_status: r.statusCode, c_body: body }))
    }).on('error', (e) => reply(502, { error: String(e) }))
  } else if (url.pathname === '/callback') {
    const span = tracer.scope().active()
    const ctx = span && span.context()
    reply(200, {
      trace_id: ctx ? ctx.toTraceId(true) : null,
      span_id: ctx ? ctx.toSpanId() : null,
      x_datadog_parent_id: req.headers['x-datadog-parent-id'] || null,
      traceparent: req.headers.traceparent || null
    })
  } else {
    reply(404, { error: 'not found' })
  }
})

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(readyFile + '.tmp', String(server.address().port))
  fs.renameSync(readyFile + '.tmp', readyFile)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
