'use strict'
// tests/stats/node_scenario.js - plays tests/stats/scenario.txt through the official Node.js tracer
// (npm dd-trace, DD_TRACE_STATS_COMPUTATION_ENABLED=true, agent from DD_TRACE_AGENT_URL) for
// tests/stats_node_test.sh, with the same timing as tests/stats/c_scenario.c: trace i starts at
// now - 70 s + i s. Then flushes traces and stats (flushAll) and exits.
const fs = require('fs')
const tracer = require('dd-trace').init({ plugins: false, startupLogs: false })

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
const t0 = Date.now() - 70000
lines.forEach((line, i) => {
  const f = line.split('|')
  const start = t0 + 1000 * i
  const root = tracer.startSpan(f[0], { startTime: start, tags: { 'resource.name': f[1], 'span.type': f[2], 'span.kind': f[3] } })
  if (f[4]) root.setTag('http.status_code', f[4])
  if (Number(f[5])) root.setTag('error', true)
  if (Number(f[10])) root.setTag('manual.drop', true)
  if (f[7]) {
    const ch = tracer.startSpan(f[7], {
      childOf: root, startTime: start + 1, tags: { 'resource.name': f[8], 'span.type': 'sql', 'span.kind': 'internal', '_dd.measured': 1 }
    })
    ch.finish(start + 1 + Number(f[9]))
  }
  root.finish(start + Number(f[6]))
})
setTimeout(() => {
  tracer._tracer.flushAll(() => setTimeout(() => process.exit(0), 500))
}, 500)
