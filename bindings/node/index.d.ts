// Type declarations of dd-trace-c for Node.js (index.js). Ids are BigInt.

/** Tracer options; every one left out is read from its DD_* variable by the SDK, else defaulted. */
export interface TracerOptions {
  /** DD_SERVICE */ service?: string
  /** DD_ENV */ env?: string
  /** DD_VERSION */ version?: string
  /** DD_TAGS: added to every span */ tags?: string | Record<string, string | number>
  /** the agent: else DD_TRACE_AGENT_URL, DD_AGENT_HOST/DD_TRACE_AGENT_PORT, the socket, localhost:8126 */
  url?: string
  /** DD_TRACE_ENABLED */ enabled?: boolean
  /** DD_TRACE_DEBUG */ debug?: boolean
  /** DD_TRACE_STARTUP_LOGS */ startupLogs?: boolean
  /** DD_TRACE_PARTIAL_FLUSH_ENABLED */ partialFlush?: boolean
  /** DD_TRACE_PARTIAL_FLUSH_MIN_SPANS */ partialFlushMinSpans?: number
  /** DD_TRACE_REPORT_HOSTNAME */ reportHostname?: boolean
  hostname?: string
  /** DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED */ traceId128?: boolean
  /** DD_LOGS_INJECTION */ logsInjection?: boolean
  /** DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED */ log128bit?: boolean
  /** DD_TRACE_SAMPLE_RATE */ sampleRate?: number
  /** DD_TRACE_RATE_LIMIT */ rateLimit?: number
  /** DD_TRACE_SAMPLING_RULES (JSON text or the parsed array) */ samplingRules?: string | object[]
  /** DD_SPAN_SAMPLING_RULES */ spanSamplingRules?: string | object[]
  /** DD_TRACE_PROPAGATION_STYLE */ propagationStyle?: string
  /** DD_TRACE_PROPAGATION_STYLE_EXTRACT */ propagationStyleExtract?: string
  /** DD_TRACE_PROPAGATION_STYLE_INJECT */ propagationStyleInject?: string
  /** DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT */ propagationBehaviorExtract?: 'continue' | 'restart' | 'ignore'
  /** DD_TRACE_BAGGAGE_TAG_KEYS */ baggageTagKeys?: string
  /** DD_TRACE_HEADER_TAGS */ headerTags?: string
  /** DD_SERVICE_MAPPING */ serviceMapping?: string
  /** DD_TRACE_PEER_SERVICE_MAPPING */ peerServiceMapping?: string
  /** who sends: the tracer's native thread (default), the finishing call, or only flush()/close() */
  delivery?: 'background' | 'sync' | 'manual'
  flushIntervalMs?: number
  /** DD_TRACE_AGENT_TIMEOUT (per request) */ requestTimeoutMs?: number
  shutdownTimeoutMs?: number
  sendRetries?: number
  maxBufferBytes?: number
  flushBytes?: number
  maxSpansPerSegment?: number
  /** the SDK's diagnostics (default: stderr); called on the JavaScript thread, lines queued meanwhile */
  logger?: (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void
  /** AWS Lambda delivery (default: AWS_LAMBDA_FUNCTION_NAME is set) */ lambda?: boolean
  /** the Lambda Extension's file (default DD_LAMBDA_EXTENSION_PATH, else /opt/extensions/datadog-agent) */
  extensionPath?: string
}

export type TagValue = string | number | bigint | boolean | object

export interface SpanOptions {
  /** parent: a Span (same process) or a Context (extracted); default the active span; null: a new trace */
  childOf?: Span | Context | null
  resource?: string
  service?: string
  type?: string
  kind?: 'server' | 'client' | 'producer' | 'consumer' | 'internal'
  tags?: Record<string, TagValue>
  /** ms since the epoch */
  startTime?: number
  links?: Array<{ context: Context | Span | LinkTarget, attributes?: LinkAttributes }>
}

export interface LinkTarget { traceId: bigint, spanId: bigint, flags?: number, tracestate?: string }
export interface LinkAttributes { reason?: string, context_headers?: string }

export interface LogFields {
  'dd.trace_id'?: string
  'dd.span_id'?: string
  'dd.service'?: string
  'dd.env'?: string
  'dd.version'?: string
}

export type Headers = Record<string, string | string[] | undefined>

/** An extracted trace context. */
export class Context {
  readonly traceId: bigint
  readonly parentId: bigint
  /** null when the carrier had none */
  readonly samplingPriority: number | null
  readonly origin: string | null
  /** "_dd.p.dm=-4,..." */
  readonly propagationTags: string
  readonly baggage: Record<string, string>
  toTraceIdHex (): string
}

export class Span {
  readonly tracer: Tracer
  readonly name: string
  readonly finished: boolean
  readonly traceId: bigint
  readonly spanId: bigint
  readonly parentId: bigint
  toTraceIdHex (): string
  setName (name: string): this
  setService (service: string): this
  setResource (resource: string): this
  setType (type: string): this
  setKind (kind: string): this
  setOrigin (origin: string): this
  setMeasured (on?: boolean): this
  /** a number becomes a metric, a boolean "true"/"false", an object its JSON */
  setTag (key: string, value: TagValue | null | undefined): this
  addTags (tags: Record<string, TagValue>): this
  setMetric (key: string, value: number): this
  getTag (key: string): string | undefined
  /** an Error (type = its name, message, stack), or type, message and stack; false clears the flag */
  setError (error: Error | unknown): this
  setError (type: string, message?: string, stack?: string): this
  setError (clear: false): this
  keep (): this
  drop (): this
  setPriority (priority: number): this
  child (name: string, options?: Omit<SpanOptions, 'childOf'>): Span
  /** the headers that continue this trace downstream (lower-case names), also written into carrier */
  inject<T extends Record<string, string>> (carrier?: T): T & Record<string, string>
  /** the `_datadog` message attribute as JSON text */
  injectDatadogJson (): string
  addLink (target: Context | Span | LinkTarget, attributes?: LinkAttributes): boolean
  setBaggageItem (key: string, value: string): boolean
  getBaggageItem (key: string): string | undefined
  removeBaggageItem (key: string): boolean
  removeAllBaggageItems (): this
  getAllBaggageItems (): Record<string, string>
  logFields (): LogFields
  logCorrelation (): string
  /** endTime in ms since the epoch; default now */
  finish (endTime?: number): void
}

export interface Counters {
  spans_started: number; spans_finished: number; spans_dropped_limit: number; segments_dropped_limit: number
  tags_dropped: number; chunks_encoded: number; spans_encoded: number; chunks_dropped_buffer: number
  spans_dropped_buffer: number; partial_flushes: number; requests_sent: number; requests_failed: number
  requests_retried: number; chunks_sent: number; chunks_dropped_send: number; spans_dropped_send: number
  bytes_sent: number; responses_invalid: number; flushes: number; spans_dropped_sampling: number
  chunks_dropped_sampling: number; spans_sent: number; requests_unconfirmed: number; chunks_unconfirmed: number
  spans_unconfirmed: number; requests_deferred: number; spans_dropped_shutdown: number; spans_open: number
  spans_pending: number
  [name: string]: number
}

export interface LambdaContext {
  awsRequestId?: string
  invokedFunctionArn?: string
  clientContext?: unknown
  [key: string]: unknown
}

export class Tracer {
  constructor (options?: TracerOptions)
  readonly service: string
  readonly env: string
  readonly version: string
  /** DD_LAMBDA_MODE_EXTENSION (1), DD_LAMBDA_MODE_FORWARDER (2), or 0 outside Lambda */
  readonly lambdaMode: number
  activeSpan (): Span | null
  startSpan (name: string, options?: SpanOptions): Span
  trace<R> (name: string, fn: (span: Span) => R): R
  trace<R> (name: string, options: SpanOptions, fn: (span: Span) => R): R
  wrap<F extends (...args: any[]) => any> (name: string, fn: F): F
  wrap<F extends (...args: any[]) => any> (name: string, options: SpanOptions, fn: F): F
  extract (headers: Headers): Context | null
  extractDatadogJson (json: string | object): Context | null
  inject<T extends Record<string, string>> (span: Span, carrier?: T): T & Record<string, string>
  /** 0, or a negative DD_ERR_* status (statusText names it); blocks until delivered or timed out */
  flush (): number
  statusText (status: number): string
  counters (): Counters
  close (): void
  wrapLambda<E = unknown, R = unknown> (handler: (event: E, context: LambdaContext) => R | Promise<R>):
    (event: E, context: LambdaContext) => Promise<R>
  lambdaMetric (name: string, value: number, tags?: string[], timestampS?: number): number
}

/** The process's tracer, created on the first call. */
export function init (options?: TracerOptions): Tracer
/** The package version, equal to the SDK's DDTRACE_VERSION_STRING. */
export const version: string
/** DDTRACE_VERSION of the loaded native library. */
export function nativeVersion (): number
export function libraryPath (): string
/** diagnostics lines dropped because the queue for `logger` was full */
export function logLinesDropped (): number
export const PRIORITY: { USER_REJECT: -1, AUTO_REJECT: 0, AUTO_KEEP: 1, USER_KEEP: 2 }
