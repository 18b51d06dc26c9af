'use strict'
// worker_threads and child processes: each has its own tracer; a trace crosses as headers.
const test = require('node:test')
const assert = require('node:assert')
const path = require('path')
const { Worker } = require('worker_threads')
const { fork } = require('child_process')
const { startAgent, pkg, pkgDir } = require('./helpers')

const dd = pkg()
let agent
test.before(async () => { agent = await startAgent() })
test.after(() => agent && agent.stop())

const CHILD = (dir) => `
const dd = require(${JSON.stringify(dir)})
const { isMainThread, workerData, parentPort } = require('worker_threads')
const data = isMainThread ? JSON.parse(process.env.DDC_TEST_DATA) : workerData
const t = dd.init({ service: 'threads', url: data.url, startupLogs: false })
t.trace(data.name, { childOf: t.extract(data.headers) }, (s) => s.setTag('where', data.name))
t.close()
if (parentPort) parentPort.postMessage('done'); else process.send('done')
`

test('a worker_thread and a forked process continue the main thread\'s trace', async () => {
  const t = new dd.Tracer({ service: 'threads', url: agent.url, startupLogs: false })
  const root = t.startSpan('main.op')
  const headers = root.inject()
  const code = CHILD(pkgDir())
  await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { url: agent.url, headers, name: 'worker.op' } })
    w.once('message', resolve); w.once('error', reject)
  })
  await new Promise((resolve, reject) => {
    const file = path.join(agent.dir, 'child.js')
    require('fs').writeFileSync(file, code)
    const c = fork(file, [], { env: Object.assign({}, process.env, { DDC_TEST_DATA: JSON.stringify({ url: agent.url, headers, name: 'child.op' }) }) })
    c.once('message', resolve); c.once('error', reject)
  })
  root.finish(); t.close()
  const spans = await agent.waitFor((ss) => ['main.op', 'worker.op', 'child.op'].every((n) => ss.some((s) => s.name === n)))
  const by = (n) => spans.find((s) => s.name === n)
  assert.ok(by('worker.op') && by('child.op'), 'all three spans arrived')
  assert.strictEqual(by('worker.op').parent_id, by('main.op').span_id)
  assert.strictEqual(by('child.op').parent_id, by('main.op').span_id)
  assert.strictEqual(new Set([by('main.op'), by('worker.op'), by('child.op')].map((s) => s.trace_id)).size, 1)
  assert.notStrictEqual(by('worker.op').meta['runtime-id'], undefined)
})
