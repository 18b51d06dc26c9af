'use strict'
// tests/stats/sketch_cross.js - the DDSketch cross-check of tests/stats_sketch_test.sh: the SDK's
// sketches (through sketch_cli, argv[2]) against npm @datadog/sketches-js 2.1.1, both directions.
// For each set of values:
//  1. the SDK's quantiles are within the 1 % relative accuracy of the exact ones;
//  2. sketches-js decodes the SDK's bytes: same count, and every quantile exactly one bin below
//     the SDK's (sketches-js reads key k as covering (g^(k-1), g^k], sketches-go and the SDK read
//     bin i as [g^i, g^(i+1)): docs/stats.md §4);
//  3. a sketches-js sketch of the same values has the SDK's bins shifted by one (key = index + 1)
//     with the same counts (except a duration of exactly 1 ns = g^0, in bin 0 of both);
//  4. the SDK's independent decoder reads sketches-js's bytes (padded, 128-bin chunks) and, with
//     the sketches-js key rule, gets sketches-js's own quantiles and the exact ones within 1 %.
// Prints "ok"/"FAIL" lines and a last line "N passed, N failed".
const { execFileSync } = require('child_process')
const { LogCollapsingLowestDenseDDSketch, DDSketch } = require('@datadog/sketches-js')

const cli = process.argv[2]
const Q = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]
const GAMMA = 1.01 / 0.99
let pass = 0
let fail = 0
function check (cond, what) {
  if (cond) { pass++; console.log('ok   ' + what) } else { fail++; console.log('FAIL ' + what) }
}
function parse (out) {
  const r = {}
  for (const line of out.trim().split('\n')) {
    const [k, ...rest] = line.split(' ')
    r[k] = rest
  }
  return r
}
function close (a, b, rel) { return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) }

// a small deterministic generator (no Math.random: the test must not vary between runs)
let seed = 12345
function rnd () { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }

const cases = {
  'spec example (1 000 000, 1 010 000)': [1000000, 1010000],
  'one value of 1 ns': [1],
  'constant 5000 x 100': Array(100).fill(5000),
  'log-uniform 1 us .. 1 s, 1000 values': Array.from({ length: 1000 }, () => Math.round(Math.exp(Math.log(1e3) + rnd() * Math.log(1e6)))),
  'with zero durations': [0, 0, 0, 120, 4500, 98000, 1e7],
  'wide: 1 ns .. 1e15 ns (1700 bins)': Array.from({ length: 400 }, (_, i) => Math.round(Math.exp(i / 399 * Math.log(1e15)))),
  'sub-bin neighbours': [999999, 1000000, 1000001, 1019999, 1020000, 1020001]
}

for (const [name, values] of Object.entries(cases)) {
  const sorted = [...values].sort((a, b) => a - b)
  const exact = Q.map((q) => sorted[Math.floor(q * (sorted.length - 1))])
  const c = parse(execFileSync(cli, ['enc', ...values.map(String)]).toString())
  const hex = Object.keys(c).find((k) => /^[0-9a-f]+$/.test(k))
  const cq = c.quantiles.map(Number)
  // 1
  check(cq.every((v, i) => exact[i] === 0 ? v === 0 : close(v, exact[i], 0.01 + 1e-12)), `${name}: SDK quantiles within 1 % of exact`)
  // 2
  const fromC = DDSketch.fromProto(Buffer.from(hex, 'hex'))
  check(fromC.count === values.length, `${name}: sketches-js decodes the SDK bytes, count ${fromC.count}`)
  check(Q.every((q, i) => {
    const jv = fromC.getValueAtQuantile(q)
    return exact[i] === 0 ? jv === 0 : close(jv * GAMMA, cq[i], 1e-9)
  }), `${name}: sketches-js quantiles of the SDK bytes are one bin below the SDK's`)
  // 3
  const js = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: 0.01 })
  for (const v of values) js.accept(v)
  const jsKeys = []
  js.store.bins.forEach((n, i) => { if (n) jsKeys.push(`${i + js.store.offset}:${n}`) })
  // 1 ns is exactly g^0: the lower end of the SDK's bin 0 and the upper end of sketches-js's key 0
  const shifted = c.keys.map((kv) => { const [k, n] = kv.split(':'); return `${Number(k) === 0 ? 0 : Number(k) + 1}:${n}` })
  check(jsKeys.join(' ') === shifted.join(' '), `${name}: sketches-js bins = SDK bins + 1 (${c.keys.length} bins)`)
  check(js.zeroCount === Number(c.count[2]), `${name}: same zero count (${js.zeroCount})`)
  // 4
  const jsHex = Buffer.from(js.toProto()).toString('hex')
  const back = parse(execFileSync(cli, ['dec', 'ceil', jsHex]).toString())
  check(Number(back.count[0]) === values.length, `${name}: the SDK's decoder reads sketches-js bytes (${jsHex.length / 2} bytes), count ${back.count[0]}`)
  const bq = back.quantiles.map(Number)
  check(Q.every((q, i) => close(bq[i], js.getValueAtQuantile(q), 1e-9) || (bq[i] === 0 && js.getValueAtQuantile(q) === 0)),
    `${name}: its quantiles equal sketches-js's own`)
  check(bq.every((v, i) => exact[i] === 0 ? v === 0 : close(v, exact[i], 0.01 + 1e-12)), `${name}: and are within 1 % of exact`)
  // the SDK's bytes through its own decoder (floor rule) give the SDK's quantiles
  const self = parse(execFileSync(cli, ['dec', 'floor', hex]).toString())
  check(self.quantiles.map(Number).every((v, i) => close(v, cq[i], 1e-12) || (v === 0 && cq[i] === 0)), `${name}: round trip through the independent decoder`)
}
console.log(`${pass} passed, ${fail} failed`)
