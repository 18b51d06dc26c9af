// test/usage.ts - compiled with `tsc --noEmit --strict` by tests/node_binding_test.sh against index.d.ts.
import * as dd from 'dd-trace-c'

const tracer: dd.Tracer = dd.init({ service: 'typed', env: 'test', tags: { team: 'core' }, delivery: 'background' })
const ctx: dd.Context | null = tracer.extract({ 'x-datadog-trace-id': '1', 'x-datadog-parent-id': '2' })
const span: dd.Span = tracer.startSpan('op', { childOf: ctx, resource: 'r', kind: 'server', tags: { n: 1, ok: true } })
span.setTag('k', 'v').setMetric('m', 1.5).setError(new Error('x'))
const headers: Record<string, string> = tracer.inject(span, {})
const id: bigint = span.traceId
const fields: dd.LogFields = span.logFields()
const n: Promise<number> = tracer.trace('job', async (s: dd.Span): Promise<number> => { s.setBaggageItem('a', 'b'); return 1 })
const sync: string = tracer.trace('sync', { resource: 'x' }, () => 'y')
span.addLink(ctx ?? span, { reason: 'queue' })
span.finish()
const handler = tracer.wrapLambda(async (event: { Records: unknown[] }, context: dd.LambdaContext) => ({ n: event.Records.length, id: context.awsRequestId }))
const c: number = tracer.counters().spans_sent
const rc: number = tracer.flush()
tracer.close()
export { headers, id, fields, n, sync, handler, c, rc }
export const packageVersion: string = dd.version
