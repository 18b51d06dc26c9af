'use strict'
// AWS Lambda wrapping (dd_lambda.h) in child processes (AWS_LAMBDA_FUNCTION_NAME changes the
// tracer's delivery), and the load-time layout check failing loudly on a mismatched mirror.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('fs')
const path = require('path')
const { startAgent, runNode, pkgDir } = require('./helpers')

let agent
test.before(async () => { agent = await startAgent() })
test.after(() => agent && agent.stop())

const HANDLER = (dir) => `
const dd = require(${JSON.stringify(dir)})
const tracer = dd.init({ startupLogs: false })
const handler = tracer.wrapLambda(async (event, context) => {
  await tracer.trace('handler.work', async (s) => { s.setTag('records', String(event.Records ? event.Records.length : 0)) })
  if (event.fail) throw new TypeError('handler failed')
  return { statusCode: 200 }
})
;(async () => {
  const ctx = { awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders' }
  console.log(JSON.stringify(await handler({ Records: [1, 2] }, ctx)))
  try { await handler({ fail: true }, { awsRequestId: 'req-2', invokedFunctionArn: ctx.invokedFunctionArn }) } catch (e) { console.log('rethrown ' + e.name) }
  tracer.close()
})()
`

test('Lambda, Extension mode: aws.lambda with the handler span as child, errors, flushed per invocation', async () => {
  const ext = path.join(agent.dir, 'datadog-agent')
  fs.writeFileSync(ext, '')
  const r = runNode(HANDLER(pkgDir()), {
    AWS_LAMBDA_FUNCTION_NAME: 'orders', DD_LAMBDA_EXTENSION_PATH: ext, DD_TRACE_AGENT_URL: agent.url, DD_SERVICE: ''
  })
  assert.strictEqual(r.status, 0, r.stderr)
  assert.match(r.stdout, /\{"statusCode":200\}\nrethrown TypeError/)
  const spans = await agent.waitFor((ss) => ss.filter((s) => s.name === 'aws.lambda').length >= 2)
  const roots = spans.filter((s) => s.name === 'aws.lambda')
  assert.strictEqual(roots.length, 2)
  const ok = roots.find((s) => s.meta.request_id === 'req-1'); const bad = roots.find((s) => s.meta.request_id === 'req-2')
  assert.strictEqual(ok.meta.function_arn, 'arn:aws:lambda:us-east-1:123456789012:function:orders')
  assert.strictEqual(ok.meta.cold_start, 'true'); assert.strictEqual(bad.meta.cold_start, 'false')
  assert.strictEqual(ok.error, 0)
  const work = spans.filter((s) => s.name === 'handler.work')
  assert.ok(work.some((w) => w.parent_id === ok.span_id && w.meta.records === '2'), 'handler span under aws.lambda')
  assert.strictEqual(bad.error, 1)
  assert.strictEqual(bad.meta['error.type'], 'TypeError'); assert.strictEqual(bad.meta['error.message'], 'handler failed')
  assert.match(bad.meta['error.stack'], /TypeError: handler failed/)
})

test('Lambda, Forwarder mode (no Extension): each trace a JSON line on stdout', () => {
  const r = runNode(HANDLER(pkgDir()), {
    AWS_LAMBDA_FUNCTION_NAME: 'orders', DD_LAMBDA_EXTENSION_PATH: path.join(agent.dir, 'absent'), DD_TRACE_AGENT_URL: ''
  })
  assert.strictEqual(r.status, 0, r.stderr)
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{"traces"')).map((l) => JSON.parse(l))
  const names = lines.flatMap((l) => l.traces.flat().map((s) => s.name))
  assert.ok(names.includes('aws.lambda') && names.includes('handler.work'), names.join(','))
})

test('layout: a mirror that differs from the headers is refused at load, naming the field', () => {
  const dir = pkgDir()
  const r = runNode(`
    require(${JSON.stringify(path.join(dir, 'lib', 'layout.js'))}).STRUCTS.dd_counters.push(['not_in_c', 'uint64_t'])
    const ctx = require(${JSON.stringify(path.join(dir, 'lib', 'layout.js'))}).STRUCTS.dd_trace_context
    ctx.splice(ctx.findIndex(([f]) => f === 'origin'), 1, ['origin', ['char', 64]])
    try { new (require(${JSON.stringify(dir)}).Tracer)({}) } catch (e) { console.log(e.message) }`, {})
  assert.match(r.stdout, /do not match/)
  assert.match(r.stdout, /dd_counters: C \d+, JS \d+/)
  assert.match(r.stdout, /dd_trace_context\.ptags_len: C \d+, JS \d+/)
  const good = runNode(`require(${JSON.stringify(path.join(dir, 'lib', 'native.js'))}).load(); console.log('loaded')`, {})
  assert.strictEqual(good.stdout.trim(), 'loaded', good.stderr)
})
