'use strict'
// The Node.js side of tests/node_interop_test.sh. Usage: node interop.js <style> <path to the C interop binary>
// Starts the official tracer (npm dd-trace, pinned in package.json) with the given inject style and
// "datadog,<style>" extraction, then checks both directions for a set of contexts:
//   Node -> C: Node extracts Datadog seed headers, injects them with <style>; the C side extracts.
//   C -> Node: the C side injects with <style>; Node extracts.
// and compares trace id, parent id, sampling priority, origin and the _dd.p.* tags.
// With <style> "baggage-<behavior>" (both sides run datadog,tracecontext,baggage and
// DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT=<behavior>) it checks W3C baggage both ways instead
// (docs/http.md §1) and what each extract behaviour keeps (docs/propagation.md §7.5).
// Prints "<style>: N passed, N failed" last.
const { execFileSync } = require('child_process')

const style = process.argv[2]
const bin = process.argv[3]

const tracer = require('dd-trace').init({
  telemetry: false,
  remoteConfig: false,
  startupLogs: false,
  flushInterval: 1e9,
  url: 'http://127.0.0.1:9', // nothing listens there, and flushInterval keeps it from being tried
  plugins: false,
})

let passed = 0
let failed = 0
function check (name, got, want) {
  const g = JSON.stringify(got)
  const w = JSON.stringify(want)
  if (g === w) {
    passed++
  } else {
    failed++
    console.log(`  FAIL ${style} ${name}: got ${g}, want ${w}`)
  }
}

function sortedTags (obj) {
  const out = {}
  for (const k of Object.keys(obj || {}).sort()) if (k.startsWith('_dd.p.')) out[k] = String(obj[k])
  return out
}
function tagsString (obj) {
  return Object.keys(obj).map(k => `${k}=${obj[k]}`).join(',')
}

// The contexts exchanged. ids in hex; tags without _dd.p.tid (the high bits add it).
const cases = [
  { name: '64-bit keep', hi: '0000000000000000', lo: '112210f47de98115', parent: '000000003ade68b1', prio: 1, origin: '', tags: {} },
  { name: '128-bit user keep synthetics', hi: '640cfd8d00000000', lo: 'b5a2814f70060771', parent: 'fedcba9876543210', prio: 2, origin: 'synthetics', tags: { '_dd.p.dm': '-4' } },
  { name: 'reject rum with = in a tag', hi: '0000000000000000', lo: '00000000000004d2', parent: '000000000000162e', prio: 0, origin: 'rum', tags: { '_dd.p.dm': '-3', '_dd.p.usr.id': 'baz64==' } },
  { name: 'user reject lambda 128-bit', hi: '6543210f00000000', lo: '7fffffffffffffff', parent: '0000000000000001', prio: -1, origin: 'lambda', tags: { '_dd.p.dm': '-1' } },
]

// What survives a trip through `style` (docs/propagation.md §3-§6).
function expected (c) {
  const tags = Object.assign({}, c.tags)
  if (c.hi !== '0000000000000000') tags['_dd.p.tid'] = c.hi
  const full = { trace_id: c.hi + c.lo, parent_id: c.parent, priority: c.prio, origin: c.origin, ptags: sortedTags(tags) }
  if (style === 'b3multi' || style === 'b3') {
    // B3 carries ids and a sampled bit only: priority > 0 -> 1, else 0; no origin, no _dd.p.* tags
    // except _dd.p.tid, which both sides derive from a 128-bit id (R-B3M-5).
    full.priority = c.prio > 0 ? 1 : 0
    full.origin = ''
    full.ptags = sortedTags(c.hi !== '0000000000000000' ? { '_dd.p.tid': c.hi } : {})
  }
  return full
}

function cExtract (headers, styles) {
  const text = Object.keys(headers).map(k => `${k}: ${headers[k]}`).join('\n') + '\n'
  return JSON.parse(execFileSync(bin, ['extract', styles], { input: text }).toString())
}
function cInject (c, styles, baggage) {
  const tags = tagsString(c.tags) || '-'
  const args = ['inject', styles, c.hi + c.lo, c.parent, String(c.prio), c.origin || '-', tags]
  const input = Object.keys(baggage || {}).map(k => `${k}\t${baggage[k]}\n`).join('')
  return JSON.parse(execFileSync(bin, args, { input }).toString())
}
function seedHeaders (c) {
  const h = {
    'x-datadog-trace-id': BigInt('0x' + c.lo).toString(),
    'x-datadog-parent-id': BigInt('0x' + c.parent).toString(),
    'x-datadog-sampling-priority': String(c.prio),
  }
  if (c.origin) h['x-datadog-origin'] = c.origin
  const tags = Object.assign({}, c.tags)
  if (c.hi !== '0000000000000000') tags['_dd.p.tid'] = c.hi
  if (Object.keys(tags).length) h['x-datadog-tags'] = tagsString(tags)
  return h
}
function nodeView (ctx) {
  return {
    trace_id: ctx.toTraceId(true),
    parent_id: ctx.toSpanId(true),
    priority: ctx._sampling.priority,
    origin: ctx._trace.origin || '',
    ptags: sortedTags(ctx._trace.tags),
  }
}

if (style.startsWith('baggage-')) {
  baggageChecks(style.slice('baggage-'.length))
  console.log(`${style}: ${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}

// W3C baggage both ways, and the extract behaviours (continue / restart / ignore).
function baggageChecks (behavior) {
  const all = 'datadog,tracecontext,baggage'
  // keys that are RFC 7230 tokens (dd-trace-js neither encodes nor decodes keys, docs/http.md §1.7)
  const items = {
    'user.id': 'Am\u00e9lie',
    'session.id': 'DF 28',
    'account.id': 'a,b;c=d/e?f:g@h',
    'key-with_token~chars': '100% off',
    emoji: '\u{1F600} and \u4e2d',
    quote: '"x"+y',
  }
  const base = { hi: '0000000000000000', lo: '00000000000004d2', parent: '000000000000162e', prio: 1, origin: '', tags: {} }

  // C -> Node: we inject baggage, Node extracts it (continue and restart keep it, ignore does not)
  const headers = cInject(base, all, items)
  check(`c->node baggage header written (${behavior})`, typeof headers.baggage, 'string')
  tracer.removeAllBaggageItems()
  const ctx = tracer.extract('http_headers', headers)
  check(`c->node baggage items (${behavior})`, tracer.getAllBaggageItems(), behavior === 'ignore' ? {} : items)

  // Node -> C: Node injects baggage, we extract the same items
  tracer.removeAllBaggageItems()
  for (const k of Object.keys(items)) tracer.setBaggageItem(k, items[k])
  const span = tracer.startSpan('client')
  const carrier = {}
  tracer.inject(span, 'http_headers', carrier)
  span.finish()
  check(`node->c baggage header written (${behavior})`, typeof carrier.baggage, 'string')
  const got = cExtract(carrier, all)
  check(`node->c baggage items (${behavior})`, got.baggage, behavior === 'ignore' ? undefined : items)
  tracer.removeAllBaggageItems()

  // the same incoming request on both sides: what the behaviour keeps
  const incoming = Object.assign(cInject(base, 'datadog,tracecontext', {}), { baggage: 'key1=value1' })
  const c = cExtract(incoming, all)
  const n = tracer.extract('http_headers', incoming)
  const nodeBaggage = tracer.getAllBaggageItems()
  const child = tracer.startSpan('server', { childOf: n })
  const nodeContinued = child.context().toTraceId(true) === base.hi + base.lo
  child.finish()
  if (behavior === 'continue') {
    check('continue: c continues', [c.rc, c.trace_id, c.parent_id], [0, base.hi + base.lo, base.parent])
    check('continue: node continues', nodeContinued, true)
    check('continue: baggage on both sides', [c.baggage, nodeBaggage], [{ key1: 'value1' }, { key1: 'value1' }])
  } else if (behavior === 'restart') {
    check('restart: c gives no trace to continue', [c.rc, c.trace_id], [0, null])
    check('restart: node starts a new trace', nodeContinued, false)
    const nl = (n && n._links) || []
    check('restart: node links the incoming context', nl.map(l => [l.context.toTraceId(true), l.context.toSpanId(true),
      l.attributes.reason, l.attributes.context_headers]), [[base.hi + base.lo, base.parent, 'propagation_behavior_extract', 'datadog']])
    check('restart: c links the same context', (c.links || []).map(l => [l.trace_id, l.span_id, l.reason, l.context_headers]),
      [[base.hi + base.lo, base.parent, 'propagation_behavior_extract', 'datadog']])
    check('restart: baggage kept on both sides', [c.baggage, nodeBaggage], [{ key1: 'value1' }, { key1: 'value1' }])
  } else {
    check('ignore: c finds nothing', c.rc, -8)
    check('ignore: node starts a new trace', nodeContinued, false)
    check('ignore: node keeps no link', ((n && n._links) || []).length, 0)
    check('ignore: no baggage on either side', [c.baggage, nodeBaggage], [undefined, {}])
  }
  if (behavior !== 'continue') return

  // limits and malformed headers, read by both sides (continue only)
  const many = {}
  for (let i = 0; i < 70; i++) many['key' + i] = 'v' + i
  tracer.removeAllBaggageItems()
  for (const k of Object.keys(many)) tracer.setBaggageItem(k, many[k])
  const s2 = tracer.startSpan('many')
  const c2 = {}
  tracer.inject(s2, 'http_headers', c2)
  s2.finish()
  tracer.removeAllBaggageItems()
  check('node writes 64 of 70 items (DD_TRACE_BAGGAGE_MAX_ITEMS)', c2.baggage.split(',').length, 64)
  check('c reads those 64 items', Object.keys(cExtract(c2, all).baggage).length, 64)
  const over = Object.assign({}, incoming, { baggage: Array.from({ length: 66 }, (_, i) => `k${i}=v`).join(',') })
  check('c keeps the first 64 of 66 incoming items', Object.keys(cExtract(over, all).baggage).length, 64)
  tracer.extract('http_headers', over)
  check('node keeps the first 64 of 66 incoming items', Object.keys(tracer.getAllBaggageItems()).length, 64)
  for (const bad of ['no-equal-sign,foo=gets-dropped-because-previous-pair-is-malformed', '=no-key', 'no-value=',
    'foo=gets-dropped-because-subsequent-pair-is-malformed,=']) {
    const h = Object.assign({}, incoming, { baggage: bad })
    tracer.removeAllBaggageItems()
    tracer.extract('http_headers', h)
    check(`malformed ${JSON.stringify(bad)}: no items on either side`, [cExtract(h, all).baggage, tracer.getAllBaggageItems()], [{}, {}])
  }
  const props = Object.assign({}, incoming, { baggage: 'key1=value1;a=b,key2=value2' })
  tracer.removeAllBaggageItems()
  tracer.extract('http_headers', props)
  check('properties stripped on both sides', [cExtract(props, all).baggage, tracer.getAllBaggageItems()],
    [{ key1: 'value1', key2: 'value2' }, { key1: 'value1', key2: 'value2' }])
  tracer.removeAllBaggageItems()
}

for (const c of cases) {
  const want = expected(c)

  // Node -> C
  const seeded = tracer.extract('http_headers', seedHeaders(c))
  const carrier = {}
  tracer.inject(seeded, 'http_headers', carrier)
  const got = cExtract(carrier, style)
  check(`node->c ${c.name} rc`, got.rc, 0)
  check(`node->c ${c.name} trace id`, got.trace_id, want.trace_id)
  check(`node->c ${c.name} parent id`, got.parent_id, want.parent_id)
  if ((style === 'b3multi') && c.prio === 2) {
    // Node writes x-b3-flags: 1 for priority 2; like Go and C++ (R-B3M-4) we read x-b3-sampled only.
    check(`node->c ${c.name} x-b3-flags sent`, carrier['x-b3-flags'], '1')
  }
  check(`node->c ${c.name} priority`, got.priority, want.priority)
  check(`node->c ${c.name} origin`, got.origin, want.origin)
  check(`node->c ${c.name} tags`, sortedTags(got.ptags), want.ptags)

  // Node -> C from a real child span: the parent becomes the child's span id
  const child = tracer.startSpan('child', { childOf: seeded })
  const childCarrier = {}
  tracer.inject(child, 'http_headers', childCarrier)
  const gotChild = cExtract(childCarrier, style)
  check(`node->c child of ${c.name} trace id`, gotChild.trace_id, want.trace_id)
  check(`node->c child of ${c.name} parent id`, gotChild.parent_id, child.context().toSpanId(true))
  check(`node->c child of ${c.name} priority`, gotChild.priority, want.priority)
  check(`node->c child of ${c.name} origin`, gotChild.origin, want.origin)
  check(`node->c child of ${c.name} tags`, sortedTags(gotChild.ptags), want.ptags)
  if (style === 'b3') {
    // R-B3S-4: dd-trace-js appends a 4th field, the parent of the injecting span; we ignore it (R-B3S-1).
    check(`node->c child of ${c.name} b3 has the parent field`, childCarrier.b3.split('-')[3], c.parent)
  }
  if (style === 'tracecontext') {
    // R-W3C-17: p is the injecting span's id
    check(`node->c child of ${c.name} tracestate p`, /(^|[=;])p:([0-9a-f]{16})/.exec(childCarrier.tracestate)[2],
      child.context().toSpanId(true))
  }
  child.finish()

  // C -> Node
  const headers = cInject(c, style)
  const ctx = tracer.extract('http_headers', headers)
  check(`c->node ${c.name} extracted`, ctx !== null, true)
  if (ctx) {
    const view = nodeView(ctx)
    check(`c->node ${c.name} trace id`, view.trace_id, want.trace_id)
    check(`c->node ${c.name} parent id`, view.parent_id, want.parent_id)
    check(`c->node ${c.name} priority`, view.priority, want.priority)
    check(`c->node ${c.name} origin`, view.origin, want.origin)
    check(`c->node ${c.name} tags`, view.ptags, want.ptags)
  }
}

if (style === 'tracecontext') {
  // R-W3C-19: the dd member is at most 256 characters; what does not fit is left out, s and p stay.
  // docs/propagation.md says dd-trace-js drops the whole dd member instead; the pinned 6.21.0 does not
  // (it trims the optional fields that do not fit), so this asserts the conforming behaviour on both sides.
  const big = 'x'.repeat(300)
  const c = { name: 'oversized tag', hi: '0000000000000000', lo: '0000000000000abc', parent: '0000000000000def', prio: 2, origin: 'rum', tags: { '_dd.p.big': big, '_dd.p.dm': '-4' } }
  const seeded = tracer.extract('http_headers', seedHeaders(c))
  const carrier = {}
  tracer.inject(seeded, 'http_headers', carrier)
  check('node keeps a dd member without the oversized tag', /(^|,)dd=/.test(carrier.tracestate) && !/t\.big/.test(carrier.tracestate), true)
  const got = cExtract(carrier, 'tracecontext')
  check('node->c oversized: priority', got.priority, 2)
  check('node->c oversized: origin', got.origin, 'rum')
  check('node->c oversized: tags', sortedTags(got.ptags), { '_dd.p.dm': '-4' })
  const headers = cInject(c, 'tracecontext')
  check('c->node oversized: dd member keeps s, p, o and the tag that fits', headers.tracestate,
    'dd=s:2;p:0000000000000def;o:rum;t.dm:-4')
  const ctx = tracer.extract('http_headers', headers)
  check('c->node oversized: priority', ctx && ctx._sampling.priority, 2)
  check('c->node oversized: origin', ctx && ctx._trace.origin, 'rum')
  check('c->node oversized: tags', ctx && sortedTags(ctx._trace.tags), { '_dd.p.dm': '-4' })
}

if (style === 'datadog') {
  // Deviations of dd-trace-js that docs/propagation.md documents, asserted on the same headers read
  // by both sides (we keep the rule, Node differs):
  const base = { 'x-datadog-trace-id': '123', 'x-datadog-parent-id': '456', 'x-datadog-sampling-priority': '1' }
  // R-DD-9: a non-_dd.p. key drops only that tag for us; JS rejects the whole header.
  const mixed = Object.assign({}, base, { 'x-datadog-tags': '_dd.p.dm=-4,foo=bar' })
  check('R-DD-9 c keeps the _dd.p. tags', sortedTags(cExtract(mixed, 'datadog').ptags), { '_dd.p.dm': '-4' })
  check('R-DD-9 node (deviation) drops every tag', sortedTags(tracer.extract('http_headers', mixed)._trace.tags), {})
  // R-DD-5: a non-integer priority invalidates the context for us; JS ignores the priority.
  const badPrio = Object.assign({}, base, { 'x-datadog-sampling-priority': 'abc' })
  check('R-DD-5 c rejects the context', cExtract(badPrio, 'datadog').rc, -5)
  const nodeBad = tracer.extract('http_headers', badPrio)
  check('R-DD-5 node (deviation) keeps it without priority', nodeBad && nodeBad._sampling.priority, undefined)
  // R-DD-6: synthetics without a parent id header is a root for us; JS requires the header.
  const synth = { 'x-datadog-trace-id': '123', 'x-datadog-origin': 'synthetics', 'x-datadog-sampling-priority': '1' }
  const cSynth = cExtract(synth, 'datadog')
  check('R-DD-6 c accepts synthetics with parent 0', [cSynth.rc, cSynth.parent_id, cSynth.origin], [0, '0000000000000000', 'synthetics'])
  check('R-DD-6 node (deviation) finds no context', tracer.extract('http_headers', synth), null)
}

console.log(`${style}: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
