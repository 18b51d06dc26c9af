/* dd_lambda.h - AWS Lambda: event extraction, X-Ray, invocation spans.           dd-trace-c 0.2.0
 *
 * In exactly one .c file:  #define DD_LAMBDA_IMPLEMENTATION   (implements all four headers)
 *                          #include "dd_lambda.h"
 * DD_TRACE_IMPLEMENTATION does the same in a file that includes this header. Define the macro
 * before the file's first include of dd_lambda.h (the other headers may come earlier without it).
 * Includes dd_trace.h (and dd_msgpack.h, dd_propagation.h), which must sit beside it. Everything
 * here exists only for AWS Lambda: a host service that includes dd_trace.h or dd_propagation.h
 * alone compiles none of it.
 * WHAT      the parent context of an invocation from its event and client context
 *           (dd_lambda_extract: custom extractor, AppSync, API Gateway, ALB, Function URL, SQS, SNS,
 *           EventBridge, Kinesis, Step Functions, durable functions, client context, then X-Ray)
 *           and the trigger it describes (function_trigger.* tags, inferred spans, upstream spans);
 *           DD_MERGE_XRAY_TRACES (dd_lambda_parent); the X-Ray datadog-metadata subsegments;
 *           base64 and SHA-256 (nested payloads, Step Functions ids); and library mode: the
 *           aws.lambda span, the inferred spans, the cold start, the flush at the end of each
 *           invocation and Lambda log correlation (dd_lambda_*); where the data goes
 *           (docs/lambda.md §11): the Datadog Extension (detected by its file; traces to its
 *           trace intake, custom metrics as DogStatsD datagrams through a callback) or the
 *           Forwarder (traces and metrics as JSON log lines through a write callback:
 *           dd_lambda_forwarder_transport, dd_lambda_metric); custom metrics (dd_lambda_metric,
 *           dd_dogstatsd_distribution, dd_lambda_metric_line) and, in Forwarder mode, the enhanced
 *           metrics aws.lambda.enhanced.invocations / .errors (DD_ENHANCED_METRICS).
 * USE       once per process   dd_tracer *t = dd_tracer_new(&cfg);
 *                              dd_lambda *l = dd_lambda_new(t, NULL);  (options from DD_* variables)
 *           per invocation     dd_lambda_invocation inv = {0};         (from .../invocation/next)
 *                              inv.event = body; inv.event_len = body_len; inv.request_id = id;
 *                              inv.invoked_function_arn = arn;
 *                              dd_span *s = dd_lambda_start_invocation(l, &inv, NULL);
 *                              ... the handler; its spans with dd_span_start_child(s, ...) ...
 *                              dd_lambda_end_invocation(l, s, response, response_len, failed);
 *                              then post the response (the spans are already sent)
 *           at exit            dd_lambda_free(l); dd_tracer_free(t);
 *           Extraction only (own spans): dd_lambda_extract, then dd_lambda_parent for the parent.
 *           Delivery (docs/lambda.md §11): dd_lambda_new picks DD_LAMBDA_MODE_EXTENSION when
 *           /opt/extensions/datadog-agent exists (give the tracer a transport to
 *           http://127.0.0.1:8126 and DD_DELIVERY_MANUAL, options.statsd_fn for metrics, and
 *           options.extension for DD_UNIVERSAL_INSTRUMENTATION), else DD_LAMBDA_MODE_FORWARDER
 *           (transport_fn = dd_lambda_forwarder_transport; metrics through options.write_fn).
 *           examples/lambda/bootstrap.c wires both with dd_sender.h.
 *           Custom metrics: dd_lambda_metric(l, "orders.placed", 1, tags, n_tags, 0).
 * THREADS   dd_lambda_extract, dd_lambda_parent, the X-Ray, base64 and SHA-256 functions keep no
 *           state: any thread. A dd_lambda may be shared by threads running invocations at once
 *           (Lambda Managed Instances): its mutex guards only the cold-start flag and the lists of
 *           open invocations, and no hook runs under it. An invocation's spans follow dd_trace.h's
 *           rules (one thread at a time; end it on the thread that owns the aws.lambda span).
 *           Hooks (extractor_fn, getenv_fn, wall_ns_fn, random_fn, send_fn, and the options'
 *           statsd_fn, write_fn and extension.request_fn) run on the calling thread, during the
 *           call (dd_lambda_forwarder_transport's write_fn: on the tracer's flushing thread). config->scratch is one buffer: leave it NULL when extractions
 *           run concurrently.
 * MEMORY    nested payloads (an SNS message in an SQS body, base64 data, a `_datadog` attribute)
 *           are decoded into config->scratch; without one, into a room of 16 KiB for an event
 *           (plus client context) up to 8 KiB (dd_lambda_start_invocation: the invocation's
 *           record's; dd_lambda_extract: allocated on first use) or of twice the event's size for a
 *           bigger one (allocated on first use); an allocated room is freed before
 *           dd_lambda_extract returns (the only allocation of an extraction; an event that decodes
 *           nothing allocates nothing); fixed capacities (DD_LAMBDA_*_MAX): a value that does not
 *           fit is left empty, never cut. dd_lambda_new allocates the dd_lambda and a copy of
 *           DD_SERVICE_MAPPING with the tracer's allocator; one record per open invocation (about
 *           70 KB: the extracted and parent contexts, the trigger, a 16 KiB decoding room, the
 *           X-Ray and error texts) is allocated on first need and recycled through a free list,
 *           freed by dd_lambda_free. Extraction reads the event in a fixed number of passes
 *           (docs/lambda.md §14): one dd_json_parse, one pass over each big value by the
 *           lookups (their ends are remembered), one decode of each nested document.
 * ERRORS    DD_OK or a negative DD_ERR_*. A malformed event is not an error: it yields no event
 *           context (the client context and X-Ray still apply). dd_lambda_start_invocation returns
 *           NULL when tracing is off, a limit refused the span or its record could not be
 *           allocated; dd_lambda_end_invocation accepts
 *           that NULL. Span functions follow dd_trace.h (never fail loudly, drops are counted).
 * STACK     Every public call stays within 16 KiB of stack (the hooks' own frames excluded),
 *           measured by tests/lambda_stack_test.c (tests/stack_probe.h) on a thread with a
 *           guarded 16 KiB stack (gcc -O2, x86-64, worst inputs of each call). Bytes:
 *             dd_lambda_extract            10,700 (6 MB SQS event, 200 KB carrier: its own frame
 *                                          2.7 KB, dd_extract below it; no scratch on the stack)
 *             dd_lambda_start_invocation   14,800 (universal instrumentation; its frame 4 KB: the
 *                                          contexts, trigger and decoding room are in the
 *                                          invocation's record)
 *             dd_lambda_end_invocation      4,600 (the flush, the end-invocation error headers)
 *             dd_lambda_metric              4,500   dd_lambda_forwarder_transport   4,300
 *             dd_dogstatsd_distribution,    2,950   dd_lambda_send_trace_metadata,  2,900
 *             dd_lambda_metric_line                 dd_xray_send_metadata
 *             dd_sfn_hash, dd_sha256          720   dd_lambda_set_invocation_error    450
 *             dd_lambda_new, _free            440   dd_xray_subsegment                400
 *             dd_lambda_parent                350   dd_lambda_log_line                420
 *             dd_lambda_log_prefix, _json,    250
 *             dd_lambda_mode, dd_base64_decode, dd_lambda_event_source_name
 *           (before issue #15's stack work: dd_lambda_start_invocation 105 KB, dd_lambda_extract
 *           52 KB, the universal-instrumentation end 26 KB, dd_lambda_parent 21 KB.)
 * NULL      one rule for the whole API (the five headers): every public function accepts NULL for
 *           any pointer argument and then returns its documented error (DD_ERR_INVALID_ARG, or its
 *           own error value: DD_ERR_NOT_FOUND, 0, NULL, "", -1, DD_TRANSPORT_NOT_SENT) or does
 *           nothing, writing nothing; where NULL has a documented meaning (defaults, none, an
 *           optional out-param, an output buffer taken as capacity 0 to measure) it keeps it.
 *           tests/null_api_test.c calls every function with NULL in each pointer position (the
 *           calls generated from the headers by scripts/gen_null_calls.py).
 *
 * MAP of the implementation (below `=== implementation ===`), in order. A section owns what it
 * defines; it may call any public function of the four headers and the private helpers of the
 * sections above it. The private helpers it borrows from dd_propagation.h (P) and dd_trace.h (T)
 * are listed: they are compiled in the same translation unit, so changing one of them changes
 * this file's behaviour.
 *   --- base64, sha-256 ---          dd_base64_decode, dd_sha256, dd_sfn_hash. Borrows nothing.
 *   --- event: scratch and JSON helpers ---  dd__sls_x (one extraction: config, styles, scratch,
 *                                    output), dd_lambda_event_source_name, unescaping and nested
 *                                    documents (JSON or base64 in a string) into the scratch,
 *                                    hex/decimal ids, _dd.p.* tags, the room's first use
 *                                    (dd__lx_room), fast unescaping (dd__lx_string), the SQS body
 *                                    decoded once. P: dd__sls_hexval, dd__sls_str_step,
 *                                    dd__sls_hex4.
 *   --- event: memoized lookups ---  dd__lx_get/_iget/_at/_path/_next: the lookups of
 *                                    dd_json_get & co. with the ends of big values remembered;
 *                                    the JSON carrier of dd_extract on them (dd__lx_extract_obj).
 *                                    P: dd__sls_skip_ws, dd__sls_skip_value, dd__sls_type_of,
 *                                    dd__sls_str_ieq, dd__sls_dec_u64, dd__sls_ctx_complete.
 *   --- event: step functions ---    Step Functions context objects and their ids (lookups: the
 *                                    section above, as in every event section below).
 *   --- event: carriers, x-ray headers ---  a carrier object (Step Functions or text map), the raw
 *                                    fields of an X-Ray header, dd-trace-java's Datadog marker in
 *                                    one. P: dd__sls_ctx_complete, dd__sls_dec_u64.
 *   --- event: context by trigger --- the Lambda-authorizer hand-off, HTTP headers, SNS attributes,
 *                                    SQS (envelopes, String/Binary attributes, AWSTraceHeader),
 *                                    durable functions. P: dd__sls_dec_u64.
 *   --- event: classification ---    event_source and event_subtype (dd__sls_class).
 *   --- event: sources in order ---  the event's context by source, the client context, the
 *                                    _X_AMZN_TRACE_ID fallback. P: dd__sls_ctx_complete.
 *   --- event: trigger description --- event source ARN; inferred and upstream span names,
 *                                    services, resources, start times and tags; HTTP trigger tags.
 *                                    P: dd__sls_is_digit.
 *   --- extract ---                  dd_lambda_extract: its decoding room (dd__sls_extract), the
 *                                    sources in their order of precedence.
 *                                    P: dd__sls_ctx_complete.
 *   --- x-ray merging ---            dd_lambda_parent (DD_MERGE_XRAY_TRACES). P:
 *                                    dd__sls_ctx_complete, dd__sls_lower.
 *   --- x-ray subsegment ---         dd_xray_subsegment, dd_xray_send_metadata,
 *                                    dd_lambda_send_trace_metadata. P: the `_datadog` JSON writer
 *                                    (dd__sls_jw, dd__sls_jw_raw, _str, _set, DD__SLS_RAW),
 *                                    dd__sls_ctx_complete.
 *   --- invocation state ---         struct dd_lambda (its mutex) and the per-invocation record.
 *   --- helpers ---                  options from the environment, DD_SERVICE_MAPPING, the
 *                                    inferred spans' service and common tags. T: dd__t_ieq.
 *   --- lifecycle ---                dd_lambda_new, dd_lambda_free; the trigger tags as the JSON of
 *                                    the "lambda_function_tags" subsegment. T: struct dd_tracer's
 *                                    alloc, prop, wall_ns_fn, hook_user; the dd__tsb string builder
 *                                    (dd__tsb_init, dd__tsb_str, dd__tsb_json_str).
 *   --- metrics ---                  dd_dogstatsd_distribution, dd_lambda_metric_line,
 *                                    dd_lambda_metric, dd_lambda_mode, the enhanced metrics.
 *                                    T: dd__tsb_init, dd__tsb_add; struct dd_tracer's wall_ns_fn.
 *   --- forwarder ---                dd_lambda_forwarder_transport: v0.4 msgpack to the
 *                                    Forwarder's JSON lines (dd_mp_reader, dd_mp_to_json).
 *   --- universal instrumentation --- the Extension's /lambda/start-invocation and
 *                                    /lambda/end-invocation, dd_lambda_set_invocation_error.
 *                                    P: dd__sls_dec_u64, dd__sls_hexval. T: dd__t_u64_dec.
 *   --- payload capture ---          DD_CAPTURE_LAMBDA_PAYLOAD (environment only; docs/lambda.md
 *                                    §7.6): the event and the response flattened onto aws.lambda
 *                                    (dd__lam_capture), iterative, bounded, nested JSON in the
 *                                    invocation's room. P: dd__sls_str_step.
 *   --- start ---                    dd_lambda_start_invocation: extract, parent, X-Ray "trace"
 *                                    metadata, upstream and inferred spans, aws.lambda,
 *                                    aws.lambda.load. T: struct dd_tracer's alloc, wall_ns_fn,
 *                                    hook_user; dd__t_lower.
 *   --- end ---                      dd_lambda_end_invocation: status code, error, the X-Ray tags
 *                                    subsegment, the finishes, the synchronous flush.
 *   --- log correlation ---          dd_lambda_log_prefix, dd_lambda_log_json, dd_lambda_log_line.
 *                                    T: dd__tsb_init, dd__tsb_add, dd__tsb_str, dd__t_hex16,
 *                                    dd__t_u64_dec.
 *   Every section may use the shared prelude (dd__alloc, dd__free, DD__PRIVATE).
 */
#ifndef DD_LAMBDA_H
#define DD_LAMBDA_H
#ifndef DD__PRELUDE /* ---- shared prelude: byte-identical in all four headers; a test diffs them ---- */
#define DD__PRELUDE
#define DDTRACE_VERSION 200 /* major*10000 + minor*100 + patch: 0.2.0 */
#define DDTRACE_VERSION_STRING "0.2.0"
#include <stddef.h>
#include <stdint.h>
#ifndef DD_API /* linkage of every public function; define as `static` for a private copy */
#if defined(DD_BUILD_SHARED) && defined(_WIN32)
#define DD_API __declspec(dllexport)
#elif defined(DD_BUILD_SHARED) && defined(__GNUC__)
#define DD_API __attribute__((visibility("default")))
#elif defined(__GNUC__) && (defined(DD_MSGPACK_IMPLEMENTATION) || defined(DD_PROPAGATION_IMPLEMENTATION) \
                             || defined(DD_TRACE_IMPLEMENTATION) || defined(DD_LAMBDA_IMPLEMENTATION) \
                             || defined(DD_SENDER_IMPLEMENTATION))
#define DD_API extern __attribute__((visibility("hidden"))) /* an embedded copy exports nothing */
#else
#define DD_API extern
#endif
#endif
#ifdef __cplusplus
#define DD__BEGIN_C extern "C" {
#define DD__END_C }
#else
#define DD__BEGIN_C
#define DD__END_C
#endif
#if defined(__GNUC__)
#define DD__PRIVATE static __attribute__((unused)) /* private helpers may go unused */
#else
#define DD__PRIVATE static
#endif
#ifndef DD_ASSERT /* programmer errors only; never used on input */
#define DD_ASSERT(c) ((void)0)
#endif
/* Status codes: DD_OK is 0, errors are negative and never renumbered or reused. */
#define DD__STATUS_LIST(X) \
    X(DD_OK, 0, "ok") \
    X(DD_ERR_INVALID_ARG, -1, "invalid argument") \
    X(DD_ERR_NO_MEMORY, -2, "out of memory") \
    X(DD_ERR_BUFFER_FULL, -3, "output buffer too small") \
    X(DD_ERR_TRUNCATED, -4, "input ends too early") \
    X(DD_ERR_MALFORMED, -5, "malformed input") \
    X(DD_ERR_TYPE, -6, "value has another type") \
    X(DD_ERR_DEPTH, -7, "nesting too deep") \
    X(DD_ERR_NOT_FOUND, -8, "not found") \
    X(DD_ERR_LIMIT, -9, "a configured limit was reached") \
    X(DD_ERR_TRANSPORT, -10, "transport failed") \
    X(DD_ERR_DISABLED, -11, "disabled by configuration") \
    X(DD_ERR_UNSUPPORTED, -12, "not supported") \
    X(DD_ERR_HTTP, -13, "agent answered with an HTTP error") \
    X(DD_ERR_STATE, -14, "called in the wrong state")
#define DD__STATUS_ENUM(name, value, text) name = value,
DD__BEGIN_C
enum { DD__STATUS_LIST(DD__STATUS_ENUM) DD__STATUS_END = 1 };
/* A status code's fixed English text; "unknown status" for a value not in the list. [any thread] */
DD_API const char *dd_status_str(int status);
/* DDTRACE_VERSION of the compiled implementation, for FFI bindings to compare. [any thread] */
DD_API int dd_version(void);
/* The allocator hook. NULL functions mean malloc/free. `size` is given to free_fn too. */
typedef struct dd_allocator {
    void *(*alloc_fn)(void *user, size_t size);
    void (*free_fn)(void *user, void *ptr, size_t size);
    void *user;
} dd_allocator;
DD__END_C
#endif /* DD__PRELUDE ---- end of shared prelude ---- */
#if DDTRACE_VERSION != 200
#error "dd_*.h headers come from different releases"
#endif
#include "dd_msgpack.h"
#include "dd_propagation.h"
#include "dd_trace.h"

DD__BEGIN_C

/*=== declarations ===*/

/*=== base64, sha-256 ===*/

/* Decodes standard base64 (RFC 4648 alphabet "+/", '=' padding optional; no whitespace, no
 * URL-safe alphabet) into out[0..cap). Returns DD_OK and *out_len, DD_ERR_MALFORMED for a bad
 * character or length, DD_ERR_BUFFER_FULL when cap < the decoded length (*out_len then gets the
 * length needed). Never writes past cap; after DD_ERR_MALFORMED out's first bytes may have been
 * written (the check runs with the decoding). [any thread] */
DD_API int dd_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* SHA-256 (FIPS 180-4) of data[0..len) into digest[32]. [any thread] */
DD_API void dd_sha256(const void *data, size_t len, uint8_t digest[32]);

/* The Step Functions id primitive (docs/lambda.md §4.9): SHA-256 of s[0..len), 8 bytes
 * big-endian (bytes 0..7 when `high` is nonzero, bytes 8..15 otherwise), bit 63 cleared, 0 mapped
 * to 1. [any thread] */
DD_API uint64_t dd_sfn_hash(const char *s, size_t len, int high);

/*=== lambda events ===*/

/* Event sources, named as the span tag function_trigger.event_source (docs/lambda.md §3.1). */
#define DD_LAMBDA_EVENT_UNKNOWN 0
#define DD_LAMBDA_EVENT_API_GATEWAY 1       /* "api-gateway" (REST, HTTP API, WebSocket)    */
#define DD_LAMBDA_EVENT_ALB 2               /* "application-load-balancer"                  */
#define DD_LAMBDA_EVENT_FUNCTION_URL 3      /* "lambda-function-url"                        */
#define DD_LAMBDA_EVENT_SQS 4               /* "sqs"                                        */
#define DD_LAMBDA_EVENT_SNS 5               /* "sns"                                        */
#define DD_LAMBDA_EVENT_EVENTBRIDGE 6       /* "eventbridge"                                */
#define DD_LAMBDA_EVENT_KINESIS 7           /* "kinesis"                                    */
#define DD_LAMBDA_EVENT_DYNAMODB 8          /* "dynamodb"                                   */
#define DD_LAMBDA_EVENT_S3 9                /* "s3"                                         */
#define DD_LAMBDA_EVENT_STATES 10           /* "states" (Step Functions)                    */
#define DD_LAMBDA_EVENT_CLOUDWATCH_EVENTS 11 /* "cloudwatch-events" (scheduled rules)       */
#define DD_LAMBDA_EVENT_CLOUDWATCH_LOGS 12  /* "cloudwatch-logs"                            */
#define DD_LAMBDA_EVENT_CLOUDFRONT 13       /* "cloudfront"                                 */
/* event_subtype for api-gateway / application-load-balancer */
#define DD_LAMBDA_HTTP_REST 1
#define DD_LAMBDA_HTTP_API 2
#define DD_LAMBDA_HTTP_WEBSOCKET 3
#define DD_LAMBDA_HTTP_ALB_MULTI 4          /* ALB target group with multi-value headers     */
/* Where the extracted context came from (docs/lambda.md §1.4). */
#define DD_LAMBDA_CONTEXT_NONE 0
#define DD_LAMBDA_CONTEXT_EVENT 1           /* the event, the client context or the custom extractor */
#define DD_LAMBDA_CONTEXT_XRAY 2            /* converted from _X_AMZN_TRACE_ID              */

#ifndef DD_ON
#define DD_ON 1
#define DD_OFF 2
#endif

#define DD_LAMBDA_ARN_MAX 255
#define DD_LAMBDA_NAME_MAX 255
#define DD_LAMBDA_TAG_KEY_MAX 31
#define DD_LAMBDA_TAG_VALUE_MAX 255
#define DD_LAMBDA_TAGS_MAX 12
#define DD_LAMBDA_TRIGGER_TAGS_MAX 6
#define DD_LAMBDA_UPSTREAM_TAGS_MAX 6

typedef struct dd_lambda_tag {
    char key[DD_LAMBDA_TAG_KEY_MAX + 1];
    char value[DD_LAMBDA_TAG_VALUE_MAX + 1];
} dd_lambda_tag;

/* What the event says about its trigger: for the aws.lambda span's function_trigger.* tags and
 * for the inferred span of the managed service. Strings are NUL-terminated; a value longer than
 * its capacity is left empty (never cut). Plain data. */
typedef struct dd_lambda_trigger {
    int32_t event_source;             /* DD_LAMBDA_EVENT_*                                       */
    int32_t event_subtype;            /* DD_LAMBDA_HTTP_* or 0                                   */
    int32_t context_source;           /* DD_LAMBDA_CONTEXT_*: where the returned context came from */
    char event_source_arn[DD_LAMBDA_ARN_MAX + 1]; /* function_trigger.event_source_arn, or ""     */
    /* inferred span: span_name "" when the trigger has none (Step Functions, unknown, ...) */
    char span_name[32];               /* "aws.sqs", "aws.apigateway", ...                        */
    char service[DD_LAMBDA_NAME_MAX + 1]; /* instance name: queue, topic, stream, table, domain  */
    char resource[DD_LAMBDA_NAME_MAX + 1];
    int64_t start_ns;                 /* from the event's own timestamp, Unix epoch ns; 0 unknown */
    int32_t is_async;                 /* async inferred spans end when aws.lambda starts          */
    uint32_t n_tags;                  /* service-specific inferred-span tags                     */
    dd_lambda_tag tags[DD_LAMBDA_TAGS_MAX];
    char span_type[8];                /* "web" or "http" (Function URL, ALB)                      */
    /* a second inferred span above the first, for SNS -> SQS ("aws.sns"), EventBridge -> SQS
     * ("aws.eventbridge") and a REST/WebSocket API behind an instrumented Lambda authorizer
     * ("aws.apigateway.authorizer"): it starts at its own time and ends when the first starts */
    char upstream_span_name[32];      /* "" when none                                            */
    char upstream_service[DD_LAMBDA_NAME_MAX + 1];
    char upstream_resource[DD_LAMBDA_NAME_MAX + 1];
    int64_t upstream_start_ns;
    uint32_t n_upstream_tags;         /* the upstream span's own tags (SNS: topicname, topic_arn,
                                         message_id, type, subject; EventBridge: detail_type)    */
    dd_lambda_tag upstream_tags[DD_LAMBDA_UPSTREAM_TAGS_MAX];
    /* HTTP triggers: tags of the aws.lambda span besides function_trigger.* (docs/lambda.md §7.3):
     * http.url, http.method, http.route, http.referer, http.useragent (ALB) */
    uint32_t n_trigger_tags;
    dd_lambda_tag trigger_tags[DD_LAMBDA_TRIGGER_TAGS_MAX];
} dd_lambda_trigger;

/* The custom extractor, C equivalent of DD_TRACE_EXTRACTOR: gets the raw event and returns
 *   DD_OK            *out holds the context (nonzero trace id and parent id); built-ins skipped;
 *   DD_ERR_NOT_FOUND "not mine": the built-in extraction runs as if there were no extractor
 *                    (datadog-lambda-js semantics);
 *   anything else    failure: the built-ins are skipped and only the X-Ray fallback applies
 *                    (datadog-lambda-python semantics for a raising extractor).
 * A DD_OK with an incomplete *out counts as a failure. */
typedef int (*dd_lambda_extractor_fn)(void *user, const char *event, size_t event_len, dd_trace_context *out);
/* Sends one UDP datagram to the X-Ray daemon (AWS_XRAY_DAEMON_ADDRESS host:port); 0 = sent. */
typedef int (*dd_datagram_fn)(void *user, const char *data, size_t len);

/* Zero-initialised is valid: default styles, no extractor, merging from DD_MERGE_XRAY_TRACES,
 * libc getenv, time(NULL) seconds as clock, no datagrams. */
typedef struct dd_lambda_config {
    const dd_propagation_config *propagation; /* styles for carriers; NULL: datadog,tracecontext */
    dd_lambda_extractor_fn extractor_fn;     /* NULL: none                                      */
    void *extractor_user;
    int32_t merge_xray;                      /* 0: DD_MERGE_XRAY_TRACES (default off); DD_ON/DD_OFF */
    const char *(*getenv_fn)(void *user, const char *name); /* _X_AMZN_TRACE_ID, DD_MERGE_XRAY_TRACES */
    int64_t (*wall_ns_fn)(void *user);       /* subsegment times; NULL: time(NULL) seconds      */
    uint64_t (*random_fn)(void *user);       /* subsegment ids; NULL: a hash of time and header  */
    dd_datagram_fn send_fn;                  /* X-Ray datagrams; NULL: none are built            */
    void *hook_user;                         /* handed to getenv_fn, wall_ns_fn, random_fn, send_fn */
    const char *invoked_function_arn;        /* NUL-terminated; region/account for built ARNs   */
    char *scratch;                           /* decoding room for nested payloads (SNS in SQS   */
    size_t scratch_len;                      /* bodies, base64 data); NULL: 16 KiB, or twice the
                                                event's size for one over 8 KiB, allocated on first
                                                use (MEMORY)                                     */
} dd_lambda_config;

/* "api-gateway", "sqs", ... for a DD_LAMBDA_EVENT_* value; "unknown" otherwise. [any thread] */
DD_API const char *dd_lambda_event_source_name(int event_source);

/* Extracts the parent context of an invocation from the raw event JSON and the invocation's
 * client context JSON (the Lambda-Runtime-Client-Context header value, {"custom":{...}}; NULL or
 * empty when absent), in the official precedence (docs/lambda.md §4.0): custom extractor →
 * AppSync request headers → HTTP events (Lambda-authorizer hand-off, then headers and
 * multiValueHeaders) → SQS (EventBridge or SNS envelope in the body, `_datadog` String/Binary
 * attribute, AWSTraceHeader carrying a Datadog id) → SNS → EventBridge → Kinesis → Step Functions →
 * durable functions → client context → X-Ray (_X_AMZN_TRACE_ID). Only Records[0] counts. A context
 * is complete with a trace id and a parent id; a missing sampling priority stays
 * DD_PRIORITY_UNSET (the local sampler decides). *trigger (may be NULL) gets the classification,
 * the event source ARN and the inferred-span description; trigger->context_source says where *out
 * came from. Returns DD_OK (context found), DD_ERR_NOT_FOUND (none: *out zeroed; the trigger is
 * still filled), DD_ERR_INVALID_ARG. A malformed event is not an error: it only yields no event
 * context. [any thread] */
DD_API int dd_lambda_extract(const dd_lambda_config *cfg, const char *event, size_t event_len,
                             const char *client_context, size_t cc_len, dd_trace_context *out,
                             dd_lambda_trigger *trigger);

/* The parent of the aws.lambda span (or of the inferred span) under DD_MERGE_XRAY_TRACES
 * (docs/lambda.md §6.5, Python/Go semantics): merging off → the extracted context when it came from the
 * event, none when it came from X-Ray (new trace); merging on → an event context keeps its trace id
 * and priority but takes the X-Ray Parent of _X_AMZN_TRACE_ID as parent id (when the header is
 * parseable), an X-Ray context is used as is. DD_OK (*parent set), DD_ERR_NOT_FOUND (start a new
 * trace; *parent zeroed). [any thread] */
DD_API int dd_lambda_parent(const dd_lambda_config *cfg, const dd_trace_context *extracted, int context_source,
                            dd_trace_context *parent);

/*=== x-ray subsegment ===*/

/* Builds the `datadog-metadata` X-Ray subsegment datagram byte for byte as the official libraries
 * do: the line {"format": "json", "version": 1}, a newline, then
 * {"id":"<id>","trace_id":"<Root>","parent_id":"<Parent>","name":"datadog-metadata",
 *  "start_time":<s>,"end_time":<s>,"type":"subsegment","metadata":{"datadog":{"<key>":<value>}}}
 * Root and Parent come from xray_header (an X-Amzn-Trace-Id value); time is now_ns as epoch
 * seconds with up to millisecond decimals (1487076708, 1487076708.5); value_json is inserted
 * verbatim (it must be JSON). snprintf semantics: returns the length needed; out gets the datagram
 * NUL-terminated when it fits and "" otherwise. Returns 0 when the header has no Root or Parent (or
 * they hold other than printable ASCII), or says Sampled=0 (the libraries send nothing then). [any thread] */
DD_API size_t dd_xray_subsegment(char *out, size_t cap, const char *xray_header, size_t header_len,
                                 const char *id, size_t id_len, int64_t now_ns, const char *key,
                                 size_t key_len, const char *value_json, size_t value_len);

/* Sends the "trace" metadata subsegment ({"trace-id":"<dec>","parent-id":"<dec>",
 * "sampling-priority":"<n>"}) for an event context through cfg->send_fn, with the current
 * _X_AMZN_TRACE_ID. DD_OK (sent), DD_ERR_NOT_FOUND (context_source is not EVENT, or no usable
 * sampled X-Ray header), DD_ERR_DISABLED (no send_fn), DD_ERR_TRANSPORT (send_fn failed).
 * [any thread] */
DD_API int dd_lambda_send_trace_metadata(const dd_lambda_config *cfg, const dd_trace_context *ctx, int context_source);

/* Sends one metadata subsegment with any key (e.g. "lambda_function_tags" and a JSON object of
 * the trigger tags after the handler). Same results as above. [any thread] */
DD_API int dd_xray_send_metadata(const dd_lambda_config *cfg, const char *key, size_t key_len,
                                 const char *value_json, size_t value_len);

/*=== lambda: invocation spans, inferred spans, log correlation ===*/

/* Library mode in AWS Lambda (docs/lambda.md §7, §8, §10, §14): one dd_lambda per
 * process (it remembers the cold start), then per invocation
 *
 *   dd_span *s = dd_lambda_start_invocation(l, &inv, &trigger);   extract, inferred span(s), aws.lambda
 *   ... the handler; children with dd_span_start_child(s, ...) ...
 *   dd_lambda_end_invocation(l, s, response, response_len, failed); status, finish, synchronous flush
 *
 * The spans are those of the official libraries (datadog-lambda-python, newest): aws.lambda with
 * type "serverless", resource = the function name, the function_* / cold_start / trigger tags;
 * the inferred span of the managed service (aws.apigateway, aws.httpapi, aws.apigateway.websocket,
 * aws.lambda.url, aws.alb, aws.sqs, aws.sns, aws.kinesis, aws.dynamodb, aws.s3, aws.eventbridge)
 * started at the event's own timestamp as the parent of aws.lambda and the child of the extracted
 * context, and above it the upstream span (SNS -> SQS, EventBridge -> SQS, Lambda authorizer). */

typedef struct dd_lambda dd_lambda; /* opaque; one per process */

/* Delivery modes (dd_lambda_options.mode, docs/lambda.md §11). */
#define DD_LAMBDA_MODE_EXTENSION 1 /* the Datadog Lambda Extension: traces to its trace intake
                                      (http://127.0.0.1:8126, flushed synchronously by
                                      dd_lambda_end_invocation), metrics as DogStatsD datagrams   */
#define DD_LAMBDA_MODE_FORWARDER 2 /* no Extension: traces (dd_lambda_forwarder_transport) and
                                      metrics written as log lines on stdout for the Forwarder    */
#define DD_LAMBDA_EXTENSION_PATH "/opt/extensions/datadog-agent"

/* Writes one whole line (its '\n' included) to the function's log; 0 = written. */
typedef int (*dd_lambda_write_fn)(void *user, const char *line, size_t len);

/* HTTP to the Extension's lifecycle API (universal instrumentation, docs/lambda.md §11.2):
 * request_fn sends one request to http://127.0.0.1:8124 (dd_trace.h's transport contract; the
 * request's timeout_ms is its deadline), response_header_fn then reads a header of its answer
 * (NULL when absent; *len its length). dd_sender.h's dd_sender_transport and
 * dd_sender_response_header fit as they are. */
typedef struct dd_lambda_extension_api {
    dd_transport_fn request_fn;                      /* NULL: universal instrumentation is off    */
    const char *(*response_header_fn)(void *user, const char *name, size_t *len);
    void *user;
    int64_t timeout_ms;                              /* 0 = 1000 ms per request                    */
} dd_lambda_extension_api;

/* Creation options. A zeroed struct is valid: every unset field comes from the environment variable
 * named beside it, read once in dd_lambda_new through config->getenv_fn (NULL: libc getenv). */
typedef struct dd_lambda_options {
    size_t size;                    /* sizeof(dd_lambda_options) as the caller was compiled; fields
                                       past it take their defaults. 0 = this layout             */
    const dd_lambda_config *config; /* extraction (extractor, merge_xray, propagation styles, X-Ray
                                       send_fn, getenv_fn, hook_user); NULL = zeroed; its NULL
                                       propagation = the tracer's styles. Copied, except
                                       what its pointers name, which must outlive the dd_lambda. Its
                                       `scratch` is shared: leave it NULL when invocations run
                                       concurrently. Its invoked_function_arn is ignored (see
                                       dd_lambda_invocation). */
    const char *function_name;  /* AWS_LAMBDA_FUNCTION_NAME; else the name in the invoked ARN, else
                                   "function" (Python's fallback)                                 */
    const char *service;        /* DD_SERVICE: the aws.lambda service and the inferred spans'
                                   peer.service; unset: the function name                         */
    const char *service_mapping; /* DD_SERVICE_MAPPING "key:value,key:value" for inferred spans   */
    int managed_services;       /* DD_TRACE_MANAGED_SERVICES; default on: inferred spans           */
    int service_representation; /* DD_TRACE_AWS_SERVICE_REPRESENTATION_ENABLED; default on. Off:
                                   aws.lambda service "aws.lambda", inferred spans "sqs", "sns"... */
    int logs_injection;         /* DD_LOGS_INJECTION; default on: the log helpers below add ids    */
    int log_128bit;             /* DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED; default on: 128-bit
                                   trace ids log as 32 hex digits (dd-trace-py 3.x), else low 64
                                   bits in decimal                                                 */
    int64_t init_ns;            /* when the sandbox initialised (wall clock ns since the epoch);
                                   0 = the time of dd_lambda_new. A first invocation more than 10 s
                                   later is a proactive initialisation, not a cold start (docs/lambda.md §7.5) */
    int cold_start_tracing;     /* DD_COLD_START_TRACING; default on (as the Python and Node
                                   libraries): the cold start gets an aws.lambda.load span from
                                   init_ns to the aws.lambda start                                 */
    int32_t min_cold_start_duration_ms; /* DD_MIN_COLD_START_DURATION; 0 = unset (default 3 ms);
                                   a shorter initialisation gets no span; negative = no minimum   */
    /* Where the data goes (docs/lambda.md §11, docs/delivery.md §4). Appended fields: a zeroed
     * tail keeps the behaviour of the fields above. */
    int mode;                   /* DD_LAMBDA_MODE_*; 0 = the Extension when extension_path exists
                                   (as the official libraries detect it), else the Forwarder      */
    const char *extension_path; /* NULL = DD_LAMBDA_EXTENSION_PATH (tests point it elsewhere)     */
    dd_datagram_fn statsd_fn;   /* Extension mode: one DogStatsD datagram (the bootstrap sends it
                                   through dd_sender.h's dd_udp_sender to 127.0.0.1:
                                   DD_DOGSTATSD_PORT, default 8125); NULL = metrics dropped        */
    void *statsd_user;
    dd_lambda_write_fn write_fn; /* Forwarder mode: one metric line; NULL = stdout (fwrite+fflush) */
    void *write_user;
    int enhanced_metrics;       /* DD_ENHANCED_METRICS; default on: aws.lambda.enhanced.invocations
                                   and .errors per invocation, in Forwarder mode only (the
                                   Extension makes its own)                                       */
    int universal_instrumentation; /* DD_UNIVERSAL_INSTRUMENTATION; default off. On (Extension mode
                                   only): the Extension's lifecycle API through `extension` below  */
    dd_lambda_extension_api extension; /* requests to the Extension's lifecycle API (127.0.0.1:8124) */
} dd_lambda_options;

/* One invocation, as the Runtime API gives it (docs/lambda.md §14). Strings are NUL-terminated, read during
 * dd_lambda_start_invocation only. */
typedef struct dd_lambda_invocation {
    const char *event;            /* the event JSON (the body of .../invocation/next)             */
    size_t event_len;
    const char *client_context;   /* Lambda-Runtime-Client-Context, or NULL                       */
    size_t client_context_len;
    const char *request_id;       /* Lambda-Runtime-Aws-Request-Id                                */
    const char *invoked_function_arn; /* Lambda-Runtime-Invoked-Function-Arn                      */
    const char *xray_trace_id;    /* Lambda-Runtime-Trace-Id; NULL: _X_AMZN_TRACE_ID via getenv_fn */
    int64_t start_ns;             /* handler start, wall clock ns since the epoch; 0 = now        */
} dd_lambda_invocation;

/* Creates the per-process Lambda state for tracer t (which must outlive it), reading the options'
 * environment variables and AWS_LAMBDA_INITIALIZATION_TYPE once. Returns NULL for a NULL tracer or
 * when out of memory (the tracer's allocator is used). [setup] */
DD_API dd_lambda *dd_lambda_new(dd_tracer *t, const dd_lambda_options *opts);

/* Frees the state. Invocations not ended are forgotten (their spans stay unfinished). NULL is a
 * no-op. [setup] */
DD_API void dd_lambda_free(dd_lambda *l);

/* Starts an invocation: extracts the parent context with dd_lambda_extract (custom extractor,
 * event, client context, X-Ray), chooses the parent with dd_lambda_parent (DD_MERGE_XRAY_TRACES),
 * sends the X-Ray "trace" metadata subsegment when config->send_fn is set, starts the upstream and
 * inferred spans (when managed services are on and the trigger has one) and returns the aws.lambda
 * span, started at inv->start_ns, with its tags:
 *   span.kind=server, cold_start=true|false (omitted in Lambda Managed Instances mode),
 *   proactive_initialization=true (only then), function_arn (lower-cased, without qualifier),
 *   function_version (the qualifier, else $LATEST), functionname (lower-cased), resource_names,
 *   request_id, datadog_lambda, dd_trace, span.name, _dd.origin=lambda,
 *   function_trigger.event_source / _arn, the HTTP trigger tags (http.url, http.method, ...) and
 *   _dd.parent_source=xray when merging continued an X-Ray context.
 * On the cold start (not in Managed Instances mode) a child aws.lambda.load span (service
 * "aws.lambda", type "aws.lambda.load", resource the function name; datadog-lambda-python's
 * ColdStartTracer, docs/lambda.md §9) covers init_ns .. the aws.lambda start, when that lasts at least the
 * minimum cold-start duration.
 * The inferred span also gets http.route (HTTP triggers) and dd_resource_key (the
 * function_trigger.event_source_arn) from the trigger tags, as datadog-lambda-python does.
 * *trigger (may be NULL) gets the extraction's trigger description. Returns NULL when tracing is
 * disabled, a limit refused the span, or l or inv is NULL; dd_lambda_end_invocation accepts that
 * NULL. [any thread] */
DD_API dd_span *dd_lambda_start_invocation(dd_lambda *l, const dd_lambda_invocation *inv,
                                           dd_lambda_trigger *trigger);

/* Ends the invocation started with `span` (the aws.lambda span): for HTTP triggers (API Gateway,
 * ALB, Function URL) sets http.status_code on aws.lambda and the inferred span from the response
 * JSON's statusCode (no response or `null`: 502; no statusCode: 200) and marks aws.lambda as an
 * error for a 5xx; is_error != 0 marks aws.lambda as an error (set error.type/message first with
 * dd_span_set_error_info); with config->send_fn, sends the X-Ray "lambda_function_tags" metadata
 * subsegment (function_trigger.*, the HTTP trigger tags and http.status_code, as
 * datadog-lambda-python does after the handler); finishes aws.lambda now, the inferred span now (sync) or at the
 * aws.lambda start (async), sets peer.service on it when a service is configured, and flushes
 * the tracer synchronously (the sandbox may freeze as soon as the response is posted). Finish
 * the handler's own spans before. Returns what dd_tracer_flush returns (DD_OK also for a NULL
 * span), DD_ERR_INVALID_ARG for a NULL l. [owner thread of span] */
DD_API int dd_lambda_end_invocation(dd_lambda *l, dd_span *span, const char *response, size_t response_len,
                                    int is_error);

/* Universal instrumentation (options.universal_instrumentation or DD_UNIVERSAL_INSTRUMENTATION,
 * as datadog-lambda-go names it; Extension mode with options.extension.request_fn set; docs/lambda.md
 * §11.2): dd_lambda_start_invocation POSTs /lambda/start-invocation (body: the raw event, "{}" when
 * none; headers: lambda-runtime-aws-request-id and the client context's x-datadog-* members) and
 * continues the context the Extension answers (x-datadog-trace-id, -sampling-priority, -tags with
 * _dd.p.tid; parent id = trace id, as datadog-lambda-go); it creates no inferred span, no
 * aws.lambda.load span and sends no X-Ray subsegment (the Extension does all that); the root keeps
 * its tags and request_id and gets resource "dd-tracer-serverless-span" (the Extension copies its
 * tags onto its own aws.lambda span and drops it). dd_lambda_end_invocation POSTs
 * /lambda/end-invocation before finishing the root (body: the response, "{}" when none; headers:
 * lambda-runtime-aws-request-id, x-datadog-span-id = the root's span id, and when the Extension
 * answered no context the root's x-datadog-trace-id, -parent-id (the root's span id),
 * -sampling-priority, -tags; for a failed invocation x-datadog-invocation-error: true and the
 * error's -msg, -type and -stack base64-encoded, from dd_lambda_set_invocation_error). Each
 * request has options.extension.timeout_ms as deadline; an Extension that does not answer leaves a
 * new trace. Neither call uses /lambda/flush. */

/* Marks the invocation as failed with an error type, message and stack (each may be NULL): sets
 * them on the aws.lambda span (dd_span_set_error_info) and keeps them (up to 1023 bytes each, a
 * longer one is left out) for the end-invocation headers. Call before dd_lambda_end_invocation
 * with is_error != 0. [owner thread of span] */
DD_API void dd_lambda_set_invocation_error(dd_lambda *l, dd_span *span, const char *type, const char *message,
                                           const char *stack);

/* Log correlation in Lambda (docs/lambda.md §10), snprintf semantics: returns the length needed without the
 * NUL; out (cap bytes) gets the text, cut to fit. With logs injection off they write "" and
 * return 0. Ids: span id decimal; trace id decimal for 64-bit traces, 32 lower-case hex digits
 * for 128-bit ones (unless log_128bit is off: low 64 bits decimal); a NULL span gives 0 and 0.
 *   dd_lambda_log_prefix: "[dd.trace_id=<id> dd.span_id=<id>] " (datadog-lambda-js text prefix)
 *   dd_lambda_log_json:   "dd":{"trace_id":"<id>","span_id":"<id>"} (a member for a JSON log)
 * [owner thread of span] */
DD_API size_t dd_lambda_log_prefix(const dd_lambda *l, const dd_span *span, char *out, size_t cap);
DD_API size_t dd_lambda_log_json(const dd_lambda *l, const dd_span *span, char *out, size_t cap);

/* A whole log line in the datadog-lambda-python layout:
 *   [<level>]\t<YYYY-MM-DDTHH:MM:SS.mmm>Z\t<request id>\t[dd.trace_id=<id> dd.span_id=<id>]\t<message>\n
 * (without the bracketed part when logs injection is off). time_ns is the wall clock in ns since
 * the epoch (milliseconds always have three digits, as Lambda's own log format). Same return
 * convention. [owner thread of span] */
DD_API size_t dd_lambda_log_line(const dd_lambda *l, const dd_span *span, const char *level, int64_t time_ns,
                                 const char *request_id, const char *message, size_t message_len, char *out,
                                 size_t cap);

/*=== lambda: metrics (DogStatsD, Forwarder lines) and the Forwarder's traces ===*/

#define DD_LAMBDA_METRIC_DATAGRAM_MAX 1432 /* one DogStatsD datagram (datadog-go, the Python client) */
#define DD_LAMBDA_METRIC_TAGS_MAX 64       /* tags of one metric                                  */
#define DD_LAMBDA_METRIC_MAX_AGE_S 14400   /* an older timestamp is dropped (4 h, as the libraries) */

/* One DogStatsD distribution datagram as datadog-lambda-python sends it to the Extension
 * (docs/delivery.md §4.1, §4.2): `<name>:<value>|d[|#<tag>,<tag>...][|T<timestamp>]`, no '\n'.
 * The value is the shortest decimal that reads back the same double ("1", "0.5", "1e+20");
 * `|T` only when timestamp_s > 0. Every tag is normalised as the libraries do (each byte outside
 * [A-Za-z0-9_-:/.] and below 0x80 becomes '_'; bytes from 0x80 up, UTF-8 letters, are kept);
 * empty tags are skipped. The name gets the same treatment for the bytes that would break the
 * datagram (':', '|', '@', '#', ',', space, control bytes become '_').
 * snprintf semantics: returns the length needed (0 for an empty name, a NaN or infinite value or
 * more than DD_LAMBDA_METRIC_TAGS_MAX tags); out gets the text NUL-terminated when it fits, else
 * "". [any thread] */
DD_API size_t dd_dogstatsd_distribution(char *out, size_t cap, const char *name, double value,
                                        const char *const *tags, size_t n_tags, int64_t timestamp_s);

/* The Forwarder's metric log line (docs/delivery.md §4.3), datadog-lambda-python's key order, no
 * spaces, '\n'-terminated: {"m":"<name>","v":<value>,"e":<timestamp_s>,"t":["<tag>",...]}.
 * Name and tags are normalised as above, then JSON-escaped as ujson does ('/' kept, non-ASCII
 * as \uXXXX). Same return convention. [any thread] */
DD_API size_t dd_lambda_metric_line(char *out, size_t cap, const char *name, double value,
                                    const char *const *tags, size_t n_tags, int64_t timestamp_s);

/* The custom-metric API (datadog-lambda-python's lambda_metric): a distribution point.
 * Extension mode: the datagram above through options.statsd_fn (`|T` only when timestamp_s > 0);
 * Forwarder mode: the line above through options.write_fn, its "e" the timestamp or now.
 * timestamp_s 0 = none; one more than DD_LAMBDA_METRIC_MAX_AGE_S old is dropped (DD_ERR_LIMIT).
 * DD_OK, DD_ERR_INVALID_ARG (no name, NaN/infinite value, NULL l), DD_ERR_LIMIT (too many tags,
 * too old, longer than DD_LAMBDA_METRIC_DATAGRAM_MAX), DD_ERR_DISABLED (no statsd_fn in Extension
 * mode), DD_ERR_TRANSPORT (the callback failed). [any thread] */
DD_API int dd_lambda_metric(dd_lambda *l, const char *name, double value, const char *const *tags, size_t n_tags,
                            int64_t timestamp_s);

/* DD_LAMBDA_MODE_EXTENSION or DD_LAMBDA_MODE_FORWARDER, as dd_lambda_new chose it. [any thread] */
DD_API int dd_lambda_mode(const dd_lambda *l);

/* The Forwarder's trace writer: a dd_transport_fn (set it as dd_tracer_config.transport_fn with a
 * dd_lambda_forwarder as transport_user) that never touches the network. Each request body (a
 * v0.4 msgpack array of traces) becomes one line per trace, written through write_fn (NULL:
 * stdout): {"traces":[[span,...]]} with the spans' trace_id (16 lower-case hex digits, 32 when
 * the trace has _dd.p.tid), span_id and parent_id (16 lower-case hex digits), name, service,
 * resource, type, start, duration, error, meta and metrics (docs/lambda.md §11.3,
 * docs/delivery.md §4.5). A line longer than DD_LAMBDA_FORWARDER_LINE_MAX is split by spans, and
 * a single span longer than that is dropped (counted in `dropped`). Answers 200 (the tracer counts
 * the spans as sent) or, for a body that is not a v0.4 payload, 400. [the tracer's flushing
 * thread] */
#define DD_LAMBDA_FORWARDER_LINE_MAX (256u * 1024u)
typedef struct dd_lambda_forwarder {
    dd_lambda_write_fn write_fn; /* NULL = stdout */
    void *write_user;
    dd_allocator alloc;          /* the line buffer; zeroed = malloc/free */
    uint64_t lines, dropped;     /* lines written, spans dropped (too long, write failed) */
} dd_lambda_forwarder;
DD_API int dd_lambda_forwarder_transport(void *user, const dd_http_request *req, dd_http_response *resp);

DD__END_C
#endif /* DD_LAMBDA_H */

#if (defined(DD_LAMBDA_IMPLEMENTATION) || defined(DD_TRACE_IMPLEMENTATION)) \
    && !defined(DD__LAMBDA_IMPLEMENTED)
#define DD__LAMBDA_IMPLEMENTED
#ifndef DD__PRELUDE_IMPLEMENTED /* ---- shared prelude implementation: byte-identical in all four headers ---- */
#define DD__PRELUDE_IMPLEMENTED
#include <stdlib.h>
#define DD__STATUS_CASE(name, value, text) case value: return text;
DD_API const char *dd_status_str(int status) {
    switch (status) { DD__STATUS_LIST(DD__STATUS_CASE) default: return "unknown status"; }
}
DD_API int dd_version(void) { return DDTRACE_VERSION; }
DD__PRIVATE void *dd__alloc(const dd_allocator *a, size_t size) {
    if (a && a->alloc_fn) return a->alloc_fn(a->user, size);
    return malloc(size ? size : 1);
}
DD__PRIVATE void dd__free(const dd_allocator *a, void *ptr, size_t size) {
    if (!ptr) return;
    if (a && a->free_fn) { a->free_fn(a->user, ptr, size); return; }
    (void)size;
    free(ptr);
}
#endif /* DD__PRELUDE_IMPLEMENTED ---- end of shared prelude implementation ---- */

/*=== implementation ===*/

/* With `#define DD_API static` an unused public function must not warn: scope the silence to
 * this block (GCC and Clang judge it by the function's location). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <inttypes.h>

/*--- base64, sha-256 ---*/

/* Sextet of each byte, 255 for a byte outside the alphabet (the only value with bit 7 set). */
static const uint8_t dd__sls_b64_table[256] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255, 255, 255,  63,
     52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255, 255, 255, 255,
    255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
     15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255, 255,
    255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
     41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

/* One pass: four characters at a time from the table, every sextet OR-ed into `bad` (only 255,
 * outside the alphabet, has bit 7), checked at the end; a 6 MB Kinesis record costs one short
 * pass. A buffer too small is found from the length alone (validated first, as before). */
DD_API int dd_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    const unsigned char *s = (const unsigned char *)in;
    size_t pad = 0, i, need, o = 0;
    unsigned bad = 0;
    if (out_len) *out_len = 0;
    if (!in && len) return DD_ERR_INVALID_ARG;
    while (pad < 2 && len > 0 && in[len - 1] == '=') { len--; pad++; }
    if (pad && (len + pad) % 4 != 0) return DD_ERR_MALFORMED;
    if (len % 4 == 1) return DD_ERR_MALFORMED;
    need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (need > cap || (!out && need)) {
        for (i = 0; i < len; i++) bad |= dd__sls_b64_table[s[i]];
        if (bad & 0x80u) return DD_ERR_MALFORMED;
        if (out_len) *out_len = need;
        return DD_ERR_BUFFER_FULL;
    }
    for (i = 0; i + 4 <= len; i += 4) {
        unsigned a = dd__sls_b64_table[s[i]], b = dd__sls_b64_table[s[i + 1]], c = dd__sls_b64_table[s[i + 2]],
                 d = dd__sls_b64_table[s[i + 3]];
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        bad |= a | b | c | d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    if (len - i >= 2) { /* 2 or 3 characters left: 1 or 2 bytes (leftover bits ignored, as AWS does) */
        unsigned a = dd__sls_b64_table[s[i]], b = dd__sls_b64_table[s[i + 1]], c = len - i == 3 ? dd__sls_b64_table[s[i + 2]] : 0u;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
        bad |= a | b | c;
        out[o++] = (uint8_t)(v >> 16);
        if (len - i == 3) out[o++] = (uint8_t)(v >> 8);
    }
    if (bad & 0x80u) return DD_ERR_MALFORMED;
    if (out_len) *out_len = need;
    return DD_OK;
}

DD__PRIVATE uint32_t dd__sls_rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

DD__PRIVATE void dd__sls_sha256_block(uint32_t h[8], const uint8_t *b) {
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t w[64], a, bb, c, d, e, f, g, hh;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)b[i * 4] << 24) | ((uint32_t)b[i * 4 + 1] << 16) | ((uint32_t)b[i * 4 + 2] << 8) |
               (uint32_t)b[i * 4 + 3];
    for (i = 16; i < 64; i++) {
        uint32_t s0 = dd__sls_rotr(w[i - 15], 7) ^ dd__sls_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = dd__sls_rotr(w[i - 2], 17) ^ dd__sls_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; bb = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
        uint32_t S1 = dd__sls_rotr(e, 6) ^ dd__sls_rotr(e, 11) ^ dd__sls_rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + k[i] + w[i];
        uint32_t S0 = dd__sls_rotr(a, 2) ^ dd__sls_rotr(a, 13) ^ dd__sls_rotr(a, 22);
        uint32_t maj = (a & bb) ^ (a & c) ^ (bb & c);
        uint32_t t2 = S0 + maj;
        hh = g; g = f; f = e; e = d + t1; d = c; c = bb; bb = a; a = t1 + t2;
    }
    h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

DD_API void dd_sha256(const void *data, size_t len, uint8_t digest[32]) {
    if (!digest || (!data && len)) return; /* the NULL rule */
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = (const uint8_t *)data;
    uint8_t tail[128];
    size_t rest, tn, i;
    uint64_t bits = (uint64_t)len * 8;
    while (len >= 64) {
        dd__sls_sha256_block(h, p);
        p += 64;
        len -= 64;
    }
    rest = len;
    memset(tail, 0, sizeof tail);
    if (rest) memcpy(tail, p, rest);
    tail[rest] = 0x80;
    tn = rest + 1 + 8 <= 64 ? 64 : 128;
    for (i = 0; i < 8; i++) tail[tn - 1 - i] = (uint8_t)(bits >> (8 * i));
    dd__sls_sha256_block(h, tail);
    if (tn == 128) dd__sls_sha256_block(h, tail + 64);
    for (i = 0; i < 8; i++) {
        digest[i * 4] = (uint8_t)(h[i] >> 24);
        digest[i * 4 + 1] = (uint8_t)(h[i] >> 16);
        digest[i * 4 + 2] = (uint8_t)(h[i] >> 8);
        digest[i * 4 + 3] = (uint8_t)h[i];
    }
}

DD_API uint64_t dd_sfn_hash(const char *s, size_t len, int high) {
    uint8_t d[32];
    uint64_t v = 0;
    int i, off = high ? 0 : 8;
    dd_sha256(s, s ? len : 0, d);
    for (i = 0; i < 8; i++) v = (v << 8) | d[off + i];
    v &= UINT64_C(0x7FFFFFFFFFFFFFFF);
    return v ? v : 1;
}

/*--- event: scratch and JSON helpers ---*/

#define DD__SLS_SMALL 8192    /* an event up to this size decodes in DD__SLS_ROOM bytes   */
#define DD__SLS_ROOM 16384    /* (see "extract"); a bigger one in twice its size           */
#define DD__LX_MEMO 32        /* remembered value ends (a power of two)         */
#define DD__LX_MEMO_MIN 512   /* only values of this many bytes or more         */
typedef struct dd__sls_x {
    const dd_lambda_config *cfg;
    const dd_propagation_config *prop;
    char *scratch;               /* NULL until first used when it is to be allocated (heap) */
    size_t cap, used;
    char *heap, *fallback;       /* the allocated room; a 16 KiB one to use if that fails */
    size_t fallback_len;
    dd_trace_context *out;
    struct { const char *p, *e; } memo[DD__LX_MEMO]; /* see "event: memoized lookups" */
    /* the SQS body decoded once (dd__sls_sqs_body): the string's text, the room it took, the result */
    const char *body_src;
    size_t body_at, body_end;
    dd_json body_doc;
} dd__sls_x;

/* Before anything is written at scratch[used..]: the remembered ends of values in that room (a
 * document decoded there before and released) and the decoded SQS body, when it lay there, are
 * forgotten. */
DD__PRIVATE int dd__lx_room(dd__sls_x *x) {
    const char *from, *to;
    size_t i;
    if (!x->scratch && x->cap) { /* the first use of an allocated room (dd__sls_extract) */
        x->heap = (char *)malloc(x->cap);
        x->scratch = x->heap;
        if (!x->heap && x->fallback && x->fallback_len >= DD__SLS_ROOM) { x->scratch = x->fallback; x->cap = DD__SLS_ROOM; }
        if (!x->scratch) x->cap = 0; /* out of memory: nested payloads are not decoded */
    }
    if (!x->scratch) return 0;
    from = x->scratch + x->used;
    to = x->scratch + x->cap;
    for (i = 0; i < DD__LX_MEMO; i++)
        if (x->memo[i].p >= from && x->memo[i].p < to) x->memo[i].p = NULL;
    if (x->body_end > x->used) x->body_src = NULL;
    return 1;
}

DD_API const char *dd_lambda_event_source_name(int s) {
    switch (s) {
    case DD_LAMBDA_EVENT_API_GATEWAY: return "api-gateway";
    case DD_LAMBDA_EVENT_ALB: return "application-load-balancer";
    case DD_LAMBDA_EVENT_FUNCTION_URL: return "lambda-function-url";
    case DD_LAMBDA_EVENT_SQS: return "sqs";
    case DD_LAMBDA_EVENT_SNS: return "sns";
    case DD_LAMBDA_EVENT_EVENTBRIDGE: return "eventbridge";
    case DD_LAMBDA_EVENT_KINESIS: return "kinesis";
    case DD_LAMBDA_EVENT_DYNAMODB: return "dynamodb";
    case DD_LAMBDA_EVENT_S3: return "s3";
    case DD_LAMBDA_EVENT_STATES: return "states";
    case DD_LAMBDA_EVENT_CLOUDWATCH_EVENTS: return "cloudwatch-events";
    case DD_LAMBDA_EVENT_CLOUDWATCH_LOGS: return "cloudwatch-logs";
    case DD_LAMBDA_EVENT_CLOUDFRONT: return "cloudfront";
    default: return "unknown";
    }
}

DD__PRIVATE const char *dd__sls_getenv(const dd_lambda_config *cfg, const char *name) {
    if (cfg && cfg->getenv_fn) return cfg->getenv_fn(cfg->hook_user, name);
    return getenv(name);
}

/* Bytes before the first '"' or '\\' at p (up to end): the JSON reader's eight-byte run. */
DD__PRIVATE size_t dd__lx_plain(const char *p, const char *end) {
    return (size_t)(dd__sls_run(p, end, DD__SLS_STOP_QE) - p);
}
/* dd_json_string for the extraction: the same bytes, the same DD_OK or failure (a failure leaves
 * out "" and *len 0), but the runs without a backslash go by memchr and memcpy, and a string that
 * cannot fit (it unescapes to at least a sixth of its text) is refused without a pass over it. */
DD__PRIVATE int dd__lx_string(const dd_json *v, char *out, size_t cap, size_t *len) {
    const char *p, *end;
    size_t total = 0;
    *len = 0;
    if (cap) out[0] = 0;
    if (!v || !v->p || v->type != DD_JSON_STRING || v->n < 2) return DD_ERR_TYPE;
    if ((v->n - 2 + 5) / 6 + 1 > cap) return DD_ERR_BUFFER_FULL;
    p = v->p + 1;
    end = v->p + v->n - 1;
    while (p < end) {
        unsigned char b[4];
        size_t k;
        if (end - p >= 8 && cap - total > 8) { /* the word is stored whole, its plain bytes kept */
            uint64_t w = dd__load8le(p), m = DD__SLS_QE_LANES(w);
            memcpy(out + total, p, 8);
            if (!m) { total += 8; p += 8; continue; }
            k = dd__lane(m);
            total += k;
            p += k;
        } else {
            k = dd__lx_plain(p, end);
            if (total + k >= cap) { out[0] = 0; return DD_ERR_BUFFER_FULL; }
            memcpy(out + total, p, k);
            total += k;
            p += k;
        }
        if (p >= end || *p != '\\') break; /* the end (a '"' inside cannot happen in valid text) */
        if (total + 1 >= cap) { out[0] = 0; return DD_ERR_BUFFER_FULL; }
        if (end - p >= 2 && p[1] != 'u') { /* one-byte escapes, as dd__sls_str_step decodes them, often in a row */
            const char *stop = end - 1;
            if ((size_t)(stop - p) > cap - total - 1) stop = p + (cap - total - 1); /* room for each byte */
            do {
                char c = p[1];
                out[total++] = c == '"' || c == '\\' ? c : c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n'
                             : c == 'r' ? '\r' : c == 't' ? '\t' : c;
                p += 2;
            } while (p < stop && p[0] == '\\' && p[1] != 'u');
            continue;
        }
        if ((k = dd__sls_str_step(&p, end, b)) == 0) break;
        if (total + k >= cap) { out[0] = 0; return DD_ERR_BUFFER_FULL; }
        memcpy(out + total, b, k);
        total += k;
    }
    out[total] = 0;
    *len = total;
    return DD_OK;
}

/* Unescapes JSON string s into scratch; returns its text or NULL. */
DD__PRIVATE const char *dd__sls_unescape(dd__sls_x *x, const dd_json *s, size_t *n) {
    char *buf;
    *n = 0;
    if (!s || s->type != DD_JSON_STRING || x->used >= x->cap || !dd__lx_room(x)) return NULL;
    buf = x->scratch + x->used;
    if (dd__lx_string(s, buf, x->cap - x->used, n) != DD_OK) return NULL;
    x->used += *n + 1;
    return buf;
}
/* A JSON document held inside JSON string s (an SQS body, a String attribute). */
DD__PRIVATE int dd__sls_parse_jstr(dd__sls_x *x, const dd_json *s, dd_json *out) {
    size_t n;
    const char *t = dd__sls_unescape(x, s, &n);
    memset(out, 0, sizeof *out);
    return t && dd_json_parse(t, n, out) == DD_OK;
}
/* A JSON document held base64-encoded inside JSON string s (a Binary attribute, Kinesis data). */
DD__PRIVATE int dd__sls_parse_b64(dd__sls_x *x, const dd_json *s, dd_json *out) {
    size_t n, m;
    const char *t;
    uint8_t *buf;
    memset(out, 0, sizeof *out);
    if (x->used >= x->cap || !dd__lx_room(x)) return 0;
    if (s && s->type == DD_JSON_STRING && s->n >= 2 && !memchr(s->p + 1, '\\', s->n - 2)) {
        /* nothing to unescape: decoded from the event's own text, the room an unescaped copy
         * would take still counted, so that what fits in the scratch does not change */
        n = s->n - 2;
        if (x->used >= x->cap || n + 1 > x->cap - x->used) return 0;
        t = s->p + 1;
        x->used += n + 1;
    } else if ((t = dd__sls_unescape(x, s, &n)) == NULL) {
        return 0;
    }
    if (x->used >= x->cap) return 0;
    buf = (uint8_t *)x->scratch + x->used;
    if (dd_base64_decode(t, n, buf, x->cap - x->used, &m) != DD_OK) return 0;
    x->used += m;
    return dd_json_parse((const char *)buf, m, out) == DD_OK;
}
/* 0 when JSON string s, unescaped, cannot be an object: its first byte that is not JSON whitespace
 * is not '{' (raw, or escaped as \u007b). Read up to that byte only. */
DD__PRIVATE int dd__lx_may_be_object(const dd_json *s) {
    const char *p, *end;
    if (s->type != DD_JSON_STRING || s->n < 2) return 0;
    for (p = s->p + 1, end = s->p + s->n - 1; p < end;) {
        if (*p == ' ') { p++; continue; }
        if (*p == '{') return 1;
        if (*p != '\\' || end - p < 2) return 0;
        if (p[1] == 't' || p[1] == 'n' || p[1] == 'r') { p += 2; continue; }
        if (p[1] != 'u' || end - p < 6) return 0;
        {
            unsigned cp = dd__sls_hex4(p + 2);
            if (cp == '{') return 1;
            if (cp != ' ' && cp != '\t' && cp != '\n' && cp != '\r') return 0;
            p += 6;
        }
    }
    return 0;
}
/* The SQS body parsed as a JSON object (an SNS notification, an EventBridge event): the trigger
 * description and the context both read it, and it is decoded once. The second caller, finding
 * the scratch where the first left it (same place, nothing written since), takes the same room
 * and result; a body that cannot be an object is not decoded at all. 1 for an object. */
DD__PRIVATE int dd__sls_sqs_body(dd__sls_x *x, const dd_json *body, dd_json *b) {
    size_t at = x->used;
    int ok;
    memset(b, 0, sizeof *b);
    if (x->body_src && x->body_src == body->p && x->body_at == at) {
        x->used = x->body_end;
        *b = x->body_doc;
        return b->type == DD_JSON_OBJECT;
    }
    if (!dd__lx_may_be_object(body)) return 0;
    ok = dd__sls_parse_jstr(x, body, b);
    x->body_src = body->p;
    x->body_at = at;
    x->body_end = x->used;
    if (!ok) memset(b, 0, sizeof *b);
    x->body_doc = *b;
    return b->type == DD_JSON_OBJECT;
}
/* Copies string v unescaped into dst (cap bytes); "" when it is not a string or does not fit. */
DD__PRIVATE size_t dd__sls_copy(const dd_json *v, char *dst, size_t cap) {
    size_t n = 0;
    if (dd__lx_string(v, dst, cap, &n) != DD_OK) {
        if (cap) dst[0] = 0;
        return 0;
    }
    return n;
}
DD__PRIVATE int dd__sls_str_is(const dd_json *v, const char *lit) { return dd_json_string_eq(v, lit, strlen(lit)); }

DD__PRIVATE int dd__sls_hex_u64(const char *s, size_t n, uint64_t *out) {
    uint64_t v = 0;
    size_t i;
    *out = 0;
    if (n == 0 || n > 16) return 0;
    for (i = 0; i < n; i++) {
        int h = dd__sls_hexval(s[i]);
        if (h < 0) return 0;
        v = (v << 4) | (uint64_t)h;
    }
    *out = v;
    return 1;
}
/* Lower-case hex without leading zeros, as Python's hex()[2:] and Rust's {:x}. */
DD__PRIVATE size_t dd__sls_hex_min(uint64_t v, char out[17]) {
    static const char hex[] = "0123456789abcdef";
    char t[16];
    size_t n = 0, i;
    do { t[n++] = hex[v & 15]; v >>= 4; } while (v);
    for (i = 0; i < n; i++) out[i] = t[n - 1 - i];
    out[n] = 0;
    return n;
}
DD__PRIVATE size_t dd__sls_dec(uint64_t v, char out[21]) {
    char t[20];
    size_t n = 0, i;
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (i = 0; i < n; i++) out[i] = t[n - 1 - i];
    out[n] = 0;
    return n;
}

/* Appends "k=v" to ctx->ptags (comma separated); 0 when it does not fit. */
DD__PRIVATE int dd__sls_ptag_add(dd_trace_context *c, const char *kv, size_t n) {
    size_t need = n + (c->ptags_len ? 1 : 0);
    if (c->ptags_len + need > DD_PTAGS_MAX) { c->dropped++; return 0; }
    if (c->ptags_len) c->ptags[c->ptags_len++] = ',';
    memcpy(c->ptags + c->ptags_len, kv, n);
    c->ptags_len += (uint32_t)n;
    c->ptags[c->ptags_len] = 0;
    return 1;
}
/* Copies the _dd.p.* members of an x-datadog-tags value; sets trace_id.hi from _dd.p.tid. */
DD__PRIVATE void dd__sls_ptags_from(dd_trace_context *c, const char *s, size_t n, int only_tid) {
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ',') j++;
        if (j - i > 6 && memcmp(s + i, "_dd.p.", 6) == 0) {
            int is_tid = j - i > 10 && memcmp(s + i, "_dd.p.tid=", 10) == 0;
            if (is_tid) {
                uint64_t hi;
                if (dd__sls_hex_u64(s + i + 10, j - i - 10, &hi)) c->trace_id.hi = hi;
            }
            if (is_tid || !only_tid) dd__sls_ptag_add(c, s + i, j - i);
        }
        i = j + 1;
    }
}

/*--- event: memoized lookups ---*/
/* One extraction looks up a fixed set of members (a few dozen), each with a walk over the members
 * of its object. A walk skips the values it passes over; skipping a big one (the Records array,
 * a 6 MB body) again for every lookup made the extraction many passes over the event. Here strings
 * are passed eight bytes at a time, and the end of every value of DD__LX_MEMO_MIN bytes or more is
 * remembered (by its first byte's address, a small direct-mapped table in the extraction's state),
 * also for the values inside a container passed over: skipping it again costs a probe. The event is then read about once by dd_json_parse and once by
 * the first skip of each big value, whatever the number of lookups (docs/lambda.md §4.0). The
 * results are those of dd_json_get/_path/_at and dd__sls_iget over the same validated text. */

/* Strings are passed by dd__sls_skip_string (eight bytes at a time up to each escape). */
DD__PRIVATE size_t dd__lx_slot(const char *p) {
    uintptr_t a = (uintptr_t)p;
    return (size_t)((a ^ (a >> 7) ^ (a >> 13)) & (DD__LX_MEMO - 1));
}
/* Remembers that the value at s ends at e when it is big enough; a slot keeps the bigger of two
 * values (the outer ones, which later lookups pass over most). */
DD__PRIVATE void dd__lx_remember(dd__sls_x *x, const char *s, const char *e) {
    size_t slot;
    if ((size_t)(e - s) < DD__LX_MEMO_MIN) return;
    slot = dd__lx_slot(s);
    if (x->memo[slot].p && (size_t)(x->memo[slot].e - x->memo[slot].p) > (size_t)(e - s)) return;
    x->memo[slot].p = s;
    x->memo[slot].e = e;
}
/* dd__sls_skip_value with the memo: a container is passed once, remembering the ends of the big
 * values inside it (up to DD__LX_NEST levels down), so that no later lookup reads them again. */
#define DD__LX_NEST 16
DD__PRIVATE const char *dd__lx_skip_value(dd__sls_x *x, const char *p, const char *end) {
    const char *open[DD__LX_NEST];
    size_t slot, depth = 0;
    if (p >= end) return end;
    if (*p != '"' && *p != '{' && *p != '[') return dd__sls_skip_value(p, end);
    slot = dd__lx_slot(p);
    if (x->memo[slot].p == p && x->memo[slot].e <= end) return x->memo[slot].e;
    if (*p == '"') {
        const char *e = dd__sls_skip_string(p, end);
        dd__lx_remember(x, p, e);
        return e;
    }
    while (p < end) {
        char c = *p;
        if (c == '"') {
            const char *e = dd__sls_skip_string(p, end);
            dd__lx_remember(x, p, e);
            p = e;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth < DD__LX_NEST) open[depth] = p;
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth < DD__LX_NEST) dd__lx_remember(x, open[depth], p + 1);
            if (depth == 0) return p + 1;
        }
        p++;
    }
    return end;
}
/* dd_json_next over an iterator started by dd_json_iter_init, skipping with the memo. */
DD__PRIVATE int dd__lx_next(dd__sls_x *x, dd_json_iter *it, dd_json *key, dd_json *val) {
    const char *p, *end, *vs;
    memset(key, 0, sizeof *key);
    memset(val, 0, sizeof *val);
    if (it->state == 2 || !it->cur) return 0;
    end = it->end;
    p = dd__sls_skip_ws(it->cur, end);
    if (it->state == 1) {
        if (p >= end || *p != ',') goto done;
        p = dd__sls_skip_ws(p + 1, end);
    }
    if (p >= end) goto done;
    if (it->type == DD_JSON_OBJECT) {
        const char *ks = p;
        if (*p != '"') goto done;
        p = dd__sls_skip_string(p, end);
        key->p = ks;
        key->n = (size_t)(p - ks);
        key->type = DD_JSON_STRING;
        p = dd__sls_skip_ws(p, end);
        if (p >= end || *p != ':') goto done;
        p = dd__sls_skip_ws(p + 1, end);
        if (p >= end) goto done;
    }
    vs = p;
    p = dd__lx_skip_value(x, p, end);
    if (p == vs) goto done;
    val->p = vs;
    val->n = (size_t)(p - vs);
    val->type = dd__sls_type_of(*vs);
    it->cur = p;
    it->state = 1;
    return 1;
done:
    it->state = 2;
    memset(key, 0, sizeof *key);
    memset(val, 0, sizeof *val);
    return 0;
}
/* Key k equals s[0..n): bytes compared in place when k has no escape, else unescaped. */
DD__PRIVATE int dd__lx_key_eq(const dd_json *k, const char *s, size_t n) {
    if (k->n < 2) return 0;
    if (!memchr(k->p + 1, '\\', k->n - 2)) return k->n - 2 == n && memcmp(k->p + 1, s, n) == 0;
    return dd_json_string_eq(k, s, n);
}
/* dd_json_get: the last member whose key equals key[0..n); 1 when found. */
DD__PRIVATE int dd__lx_get(dd__sls_x *x, const dd_json *obj, const char *key, size_t n, dd_json *out) {
    dd_json_iter it;
    dd_json k, v;
    int found = 0;
    memset(out, 0, sizeof *out);
    if (!obj || obj->type != DD_JSON_OBJECT) return 0;
    dd_json_iter_init(&it, obj);
    while (dd__lx_next(x, &it, &k, &v))
        if (dd__lx_key_eq(&k, key, n)) { *out = v; found = 1; }
    return found;
}
#define DD__LX_GET(x, obj, lit, out) dd__lx_get((x), (obj), (lit), sizeof(lit) - 1, (out))
DD__PRIVATE int dd__lx_has(dd__sls_x *x, const dd_json *obj, const char *key, size_t n) {
    dd_json v;
    return dd__lx_get(x, obj, key, n, &v);
}
#define DD__LX_HAS(x, obj, lit) dd__lx_has((x), (obj), (lit), sizeof(lit) - 1)
/* dd__sls_iget: the last member whose key equals key[0..n) ignoring ASCII case. */
DD__PRIVATE int dd__lx_iget(dd__sls_x *x, const dd_json *obj, const char *key, size_t n, dd_json *out) {
    dd_json_iter it;
    dd_json k, v;
    int found = 0;
    memset(out, 0, sizeof *out);
    if (!obj || obj->type != DD_JSON_OBJECT) return 0;
    dd_json_iter_init(&it, obj);
    while (dd__lx_next(x, &it, &k, &v))
        if (dd__sls_str_ieq(&k, key, n)) { *out = v; found = 1; }
    return found;
}
/* dd_json_at: element `index` of an array; 1 when found. */
DD__PRIVATE int dd__lx_at(dd__sls_x *x, const dd_json *arr, size_t index, dd_json *out) {
    dd_json_iter it;
    dd_json k, v;
    size_t i = 0;
    memset(out, 0, sizeof *out);
    if (!arr || arr->type != DD_JSON_ARRAY) return 0;
    dd_json_iter_init(&it, arr);
    while (dd__lx_next(x, &it, &k, &v))
        if (i++ == index) { *out = v; return 1; }
    return 0;
}
/* dd_json_path ("Records.0.body"): array indexes and exact keys; 1 when found. */
DD__PRIVATE int dd__lx_path(dd__sls_x *x, const dd_json *root, const char *path, dd_json *out) {
    dd_json cur = *root, next;
    const char *s = path;
    memset(out, 0, sizeof *out);
    if (*s == 0) { *out = cur; return 1; }
    for (;;) {
        const char *e = s;
        size_t n;
        int ok;
        while (*e && *e != '.') e++;
        n = (size_t)(e - s);
        if (cur.type == DD_JSON_ARRAY) {
            uint64_t idx;
            if (dd__sls_dec_u64(s, n, &idx) != DD_OK || idx > (uint64_t)(size_t)-1) return 0;
            ok = dd__lx_at(x, &cur, (size_t)idx, &next);
        } else if (cur.type == DD_JSON_OBJECT) {
            ok = dd__lx_get(x, &cur, s, n, &next);
        } else {
            return 0;
        }
        if (!ok) return 0;
        cur = next;
        if (*e == 0) break;
        s = e + 1;
    }
    *out = cur;
    return 1;
}

/* The JSON carrier of dd_extract (dd_json_carrier's reader, docs/propagation.md): the same
 * answers, its lookups through the memo. Escaped values are unescaped into buf, as there. */
typedef struct dd__lx_carrier {
    dd__sls_x *x;
    dd_json obj, multi;
    size_t used;
    char buf[DD_JSON_CARRIER_BUF];
} dd__lx_carrier;
DD__PRIVATE const char *dd__lx_carrier_get(void *self, const char *key, size_t key_len, size_t *value_len) {
    dd__lx_carrier *c = (dd__lx_carrier *)self;
    dd_json v;
    size_t n;
    if (value_len) *value_len = 0;
    if (!dd__lx_iget(c->x, &c->obj, key, key_len, &v) || v.type == DD_JSON_NULL) {
        dd_json arr;
        if (!dd__lx_iget(c->x, &c->multi, key, key_len, &arr)) return NULL;
        if (arr.type == DD_JSON_ARRAY) {
            if (!dd__lx_at(c->x, &arr, 0, &v)) return NULL;
        } else {
            v = arr;
        }
    }
    if (v.type == DD_JSON_NUMBER) {
        if (value_len) *value_len = v.n;
        return v.p;
    }
    if (v.type != DD_JSON_STRING) return NULL;
    if (!memchr(v.p + 1, '\\', v.n - 2)) {
        if (value_len) *value_len = v.n - 2;
        return v.p + 1;
    }
    if (dd__lx_string(&v, c->buf + c->used, sizeof c->buf - c->used, &n) != DD_OK) return NULL;
    {
        const char *r = c->buf + c->used;
        c->used += n + 1;
        if (value_len) *value_len = n;
        return r;
    }
}
/* dd__sls_extract_obj over the memoized carrier: 1 when a complete context was found. */
DD__PRIVATE int dd__lx_extract_obj(dd__sls_x *x, const dd_json *obj, const dd_json *multi, dd_trace_context *out) {
    dd__lx_carrier jc;
    dd_carrier_reader r;
    dd_propagation_config def;
    const dd_propagation_config *cfg = x->prop;
    if ((!obj || obj->type != DD_JSON_OBJECT) && (!multi || multi->type != DD_JSON_OBJECT)) return 0;
    if (!cfg) {
        dd_propagation_config_default(&def);
        cfg = &def;
    }
    memset(&jc.obj, 0, sizeof jc.obj);
    memset(&jc.multi, 0, sizeof jc.multi);
    jc.x = x;
    jc.used = 0;
    jc.buf[0] = 0;
    if (obj && obj->type == DD_JSON_OBJECT) jc.obj = *obj;
    if (multi && multi->type == DD_JSON_OBJECT) jc.multi = *multi;
    memset(&r, 0, sizeof r);
    r.self = &jc;
    r.get = dd__lx_carrier_get;
    if (dd_extract(cfg, &r, out) != DD_OK || !dd__sls_ctx_complete(out)) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return 1;
}

/*--- event: step functions ---*/

/* Step Functions (docs/lambda.md §3.3, §4.9). */
DD__PRIVATE int dd__sls_sfn_shape(dd__sls_x *x, const dd_json *o) {
    dd_json e, s;
    return DD__LX_GET(x, o, "Execution", &e) && e.type == DD_JSON_OBJECT && DD__LX_GET(x, o, "State", &s) &&
           s.type == DD_JSON_OBJECT && DD__LX_HAS(x, o, "StateMachine");
}
DD__PRIVATE int dd__sls_is_sfn(dd__sls_x *x, const dd_json *obj, dd_json *ctxo) {
    dd_json o = *obj, p, d;
    if (o.type != DD_JSON_OBJECT) return 0;
    if (DD__LX_GET(x, &o, "Payload", &p) && p.type == DD_JSON_OBJECT) o = p;
    if (dd__sls_sfn_shape(x, &o)) { *ctxo = o; return 1; }
    if (DD__LX_GET(x, &o, "_datadog", &d) && d.type == DD_JSON_OBJECT && dd__sls_sfn_shape(x, &d) &&
        DD__LX_HAS(x, &d, "serverless-version")) {
        *ctxo = d;
        return 1;
    }
    return 0;
}
DD__PRIVATE uint64_t dd__sls_u64_or0(dd__sls_x *x, const dd_json *o, const char *path) {
    dd_json v;
    uint64_t u = 0;
    if (dd__lx_path(x, o, path, &v)) dd_json_u64(&v, &u);
    return u;
}
DD__PRIVATE int dd__sls_sfn_extract(dd__sls_x *x, const dd_json *o, dd_trace_context *c) {
    dd_json exec_id, name, entered, v, sv, root_id, in_dd;
    size_t mark = x->used, n1, n2, n3, len;
    const char *s1, *s2, *s3;
    char *buf;
    uint64_t retry, redrive;
    char num[21], tid[32];
    memset(c, 0, sizeof *c);
    if (!dd__lx_path(x, o, "Execution.Id", &exec_id) || !dd__lx_path(x, o, "State.Name", &name) ||
        !dd__lx_path(x, o, "State.EnteredTime", &entered))
        return 0;
    s1 = dd__sls_unescape(x, &exec_id, &n1);
    s2 = dd__sls_unescape(x, &name, &n2);
    s3 = dd__sls_unescape(x, &entered, &n3);
    if (!s1 || !s2 || !s3) { x->used = mark; return 0; }
    retry = dd__sls_u64_or0(x, o, "State.RetryCount");
    redrive = dd__sls_u64_or0(x, o, "Execution.RedriveCount");
    len = n1 + n2 + n3 + 2 + 2 + 40;
    if (x->cap - x->used < len || !dd__lx_room(x)) { x->used = mark; return 0; }
    buf = x->scratch + x->used;
    len = 0;
    memcpy(buf + len, s1, n1); len += n1; buf[len++] = '#';
    memcpy(buf + len, s2, n2); len += n2; buf[len++] = '#';
    memcpy(buf + len, s3, n3); len += n3;
    if (retry || redrive) {
        size_t k;
        buf[len++] = '#';
        k = dd__sls_dec(retry, num); memcpy(buf + len, num, k); len += k;
        buf[len++] = '#';
        k = dd__sls_dec(redrive, num); memcpy(buf + len, num, k); len += k;
    }
    c->parent_id = dd_sfn_hash(buf, len, 1);
    c->sampling_priority = DD_PRIORITY_AUTO_KEEP;
    if (DD__LX_GET(x, o, "serverless-version", &sv) && dd__sls_str_is(&sv, "v1") &&
        DD__LX_GET(x, o, "x-datadog-trace-id", &v) && dd_json_u64(&v, &c->trace_id.lo) == DD_OK) {
        /* Lambda root: the upstream trace; every _dd.p.* of its tags (as the extension does) */
        dd_json tags;
        size_t tn;
        const char *ts;
        if (DD__LX_GET(x, o, "x-datadog-tags", &tags) && (ts = dd__sls_unescape(x, &tags, &tn)) != NULL)
            dd__sls_ptags_from(c, ts, tn, 0);
    } else if (DD__LX_GET(x, o, "serverless-version", &sv) && dd__sls_str_is(&sv, "v1") &&
               DD__LX_GET(x, o, "RootExecutionId", &root_id) && (s1 = dd__sls_unescape(x, &root_id, &n1)) != NULL) {
        c->trace_id.lo = dd_sfn_hash(s1, n1, 0);
        c->trace_id.hi = dd_sfn_hash(s1, n1, 1);
    } else if (dd__lx_path(x, o, "Execution.Input._datadog", &in_dd) && in_dd.type == DD_JSON_OBJECT &&
               DD__LX_GET(x, &in_dd, "x-datadog-trace-id", &v) && dd_json_u64(&v, &c->trace_id.lo) == DD_OK) {
        dd_json tags;
        size_t tn;
        const char *ts;
        if (DD__LX_GET(x, &in_dd, "x-datadog-tags", &tags) && (ts = dd__sls_unescape(x, &tags, &tn)) != NULL)
            dd__sls_ptags_from(c, ts, tn, 1);
    } else {
        s1 = dd__sls_unescape(x, &exec_id, &n1);
        if (!s1) { x->used = mark; memset(c, 0, sizeof *c); return 0; }
        c->trace_id.lo = dd_sfn_hash(s1, n1, 0);
        c->trace_id.hi = dd_sfn_hash(s1, n1, 1);
    }
    if (c->trace_id.hi && !c->ptags_len) {
        size_t k;
        memcpy(tid, "_dd.p.tid=", 10);
        k = dd__sls_hex_min(c->trace_id.hi, tid + 10);
        dd__sls_ptag_add(c, tid, 10 + k);
    }
    x->used = mark;
    if (!c->trace_id.lo && !c->trace_id.hi) { memset(c, 0, sizeof *c); return 0; }
    return 1;
}

/*--- event: carriers, x-ray headers ---*/

/* A carrier object: a Step Functions context object or the text-map keys. */
DD__PRIVATE int dd__sls_carrier(dd__sls_x *x, const dd_json *obj) {
    dd_json so;
    if (!obj || obj->type != DD_JSON_OBJECT) return 0;
    if (dd__sls_is_sfn(x, obj, &so)) return dd__sls_sfn_extract(x, &so, x->out);
    return dd__lx_extract_obj(x, obj, NULL, x->out);
}

/* Raw fields of an X-Ray header: Root, Parent, Sampled (any order; later duplicates win). */
typedef struct dd__sls_xray {
    const char *root, *parent, *sampled;
    size_t root_n, parent_n, sampled_n;
} dd__sls_xray;
DD__PRIVATE void dd__sls_xray_fields(const char *h, size_t n, dd__sls_xray *f) {
    size_t i = 0;
    memset(f, 0, sizeof *f);
    while (h && i < n) {
        size_t j = i, k;
        while (j < n && h[j] != ';') j++;
        k = i;
        while (k < j && h[k] == ' ') k++;
        /* cppcheck-suppress knownConditionTrueFalse ; cppcheck folds j - k wrongly: a real length test */
        if (j - k > 5 && memcmp(h + k, "Root=", 5) == 0) { f->root = h + k + 5; f->root_n = j - k - 5; }
        /* cppcheck-suppress knownConditionTrueFalse ; cppcheck folds j - k wrongly: a real length test */
        else if (j - k > 7 && memcmp(h + k, "Parent=", 7) == 0) { f->parent = h + k + 7; f->parent_n = j - k - 7; }
        /* cppcheck-suppress knownConditionTrueFalse ; cppcheck folds j - k wrongly: a real length test */
        else if (j - k > 8 && memcmp(h + k, "Sampled=", 8) == 0) { f->sampled = h + k + 8; f->sampled_n = j - k - 8; }
        i = j + 1;
    }
}
/* AWSTraceHeader / _X_AMZN_TRACE_ID written by dd-trace-java's X-Ray style: Root=1-<8 hex>-00000000<16 hex>;
 * trace id = those 16 hex digits (unmasked), parent = Parent, priority = Sampled (docs/lambda.md §4.3). */
DD__PRIVATE int dd__sls_xray_dd_marker(const char *h, size_t n, dd_trace_context *c) {
    dd__sls_xray f;
    uint64_t s;
    memset(c, 0, sizeof *c);
    dd__sls_xray_fields(h, n, &f);
    if (!f.root || f.root_n != 35 || f.root[0] != '1' || f.root[1] != '-' || f.root[10] != '-') return 0;
    if (memcmp(f.root + 11, "00000000", 8) != 0) return 0;
    if (!dd__sls_hex_u64(f.root + 19, 16, &c->trace_id.lo) || !f.parent ||
        !dd__sls_hex_u64(f.parent, f.parent_n, &c->parent_id) || f.parent_n != 16) {
        memset(c, 0, sizeof *c);
        return 0;
    }
    c->sampling_priority = DD_PRIORITY_UNSET;
    if (f.sampled && dd__sls_dec_u64(f.sampled, f.sampled_n, &s) == DD_OK && s <= 2)
        c->sampling_priority = (int32_t)s;
    if (!dd__sls_ctx_complete(c)) { memset(c, 0, sizeof *c); return 0; }
    return 1;
}

/*--- event: context by trigger ---*/

/* The Lambda-authorizer hand-off (docs/lambda.md §4.1.4): the decoded requestContext.authorizer._datadog
 * (or .lambda._datadog) object when it applies to this request; it stays in scratch. */
DD__PRIVATE int dd__sls_authorizer(dd__sls_x *x, const dd_json *ev, dd_json *obj) {
    dd_json auth, inj, v, rid, arid;
    double latency = 0;
    size_t n;
    const char *t;
    memset(obj, 0, sizeof *obj);
    if (!dd__lx_path(x, ev, "requestContext.authorizer", &auth) || auth.type != DD_JSON_OBJECT) return 0;
    if (!DD__LX_GET(x, &auth, "_datadog", &inj) && !dd__lx_path(x, &auth, "lambda._datadog", &inj)) return 0;
    if (!dd__sls_parse_b64(x, &inj, obj) || obj->type != DD_JSON_OBJECT) return 0;
    if (DD__LX_GET(x, &auth, "integrationLatency", &v) && dd_json_number(&v, &latency) == DD_OK && latency > 0) return 1;
    if (dd__lx_path(x, ev, "requestContext.requestId", &rid) && rid.type == DD_JSON_STRING &&
        DD__LX_GET(x, obj, "x-datadog-authorizing-requestid", &arid) && (t = dd__sls_unescape(x, &rid, &n)) != NULL &&
        dd_json_string_eq(&arid, t, n))
        return 1;
    return 0;
}

DD__PRIVATE int dd__sls_http(dd__sls_x *x, const dd_json *ev, int event_source) {
    dd_json h, mh, obj;
    if (event_source == DD_LAMBDA_EVENT_API_GATEWAY) {
        size_t mark = x->used;
        if (dd__sls_authorizer(x, ev, &obj) && dd__lx_extract_obj(x, &obj, NULL, x->out)) return 1;
        x->used = mark;
    }
    dd__lx_iget(x, ev, "headers", 7, &h);
    dd__lx_iget(x, ev, "multiValueHeaders", 17, &mh);
    return dd__lx_extract_obj(x, &h, &mh, x->out);
}

/* SNS message attributes object: _datadog {Type, Value}. */
DD__PRIVATE int dd__sls_sns_attrs(dd__sls_x *x, const dd_json *attrs) {
    dd_json a, t, val, obj;
    if (!DD__LX_GET(x, attrs, "_datadog", &a) || !DD__LX_GET(x, &a, "Value", &val)) return 0;
    (void)DD__LX_GET(x, &a, "Type", &t);
    if (dd__sls_str_is(&t, "Binary")) {
        if (!dd__sls_parse_b64(x, &val, &obj)) return 0;
    } else if (dd__sls_str_is(&t, "String")) {
        if (!dd__sls_parse_jstr(x, &val, &obj)) return 0;
    } else {
        return 0;
    }
    return dd__sls_carrier(x, &obj);
}

DD__PRIVATE int dd__sls_prefix(const dd_json *v, const char *lit) {
    size_t n = strlen(lit);
    return v->type == DD_JSON_STRING && v->n >= n + 2 && memcmp(v->p + 1, lit, n) == 0;
}

DD__PRIVATE int dd__sls_sqs(dd__sls_x *x, const dd_json *rec) {
    dd_json body, b, d, a, dt, val, obj, t;
    size_t mark = x->used;
    if (DD__LX_GET(x, rec, "body", &body) && dd__sls_sqs_body(x, &body, &b)) {
        if (dd__lx_path(x, &b, "detail._datadog", &d) && dd__sls_carrier(x, &d)) return 1;
        if (DD__LX_GET(x, &b, "Type", &t) && dd__sls_str_is(&t, "Notification") && DD__LX_HAS(x, &b, "TopicArn") &&
            DD__LX_GET(x, &b, "MessageAttributes", &a) && dd__sls_sns_attrs(x, &a))
            return 1;
    }
    x->used = mark;
    if (dd__lx_path(x, rec, "messageAttributes._datadog", &a) && a.type == DD_JSON_OBJECT) {
        int binary = 0, ok = 0;
        if (DD__LX_GET(x, &a, "dataType", &dt)) binary = dd__sls_prefix(&dt, "Binary");
        else binary = !DD__LX_HAS(x, &a, "stringValue");
        if (binary) ok = DD__LX_GET(x, &a, "binaryValue", &val) && dd__sls_parse_b64(x, &val, &obj);
        else ok = DD__LX_GET(x, &a, "stringValue", &val) && dd__sls_parse_jstr(x, &val, &obj);
        if (ok && dd__sls_carrier(x, &obj)) return 1;
        x->used = mark;
    }
    if (dd__lx_path(x, rec, "attributes.AWSTraceHeader", &val)) {
        size_t n;
        const char *h = dd__sls_unescape(x, &val, &n);
        if (h && dd__sls_xray_dd_marker(h, n, x->out)) return 1;
    }
    x->used = mark;
    return 0;
}

DD__PRIVATE int dd__sls_durable(dd__sls_x *x, const dd_json *ev) {
    dd_json ops, k, op, name, res, best, obj;
    dd_json_iter it;
    uint64_t best_n = 0;
    int have = 0;
    if (!dd__lx_path(x, ev, "InitialExecutionState.Operations", &ops)) return 0;
    dd_json_iter_init(&it, &ops);
    while (dd__lx_next(x, &it, &k, &op)) {
        uint64_t n;
        if (op.type != DD_JSON_OBJECT || !DD__LX_GET(x, &op, "Name", &name) || !dd__sls_prefix(&name, "_datadog_"))
            continue;
        if (dd__sls_dec_u64(name.p + 10, name.n - 11, &n) != DD_OK) continue;
        if (!dd__lx_path(x, &op, "StepDetails.Result", &res)) continue;
        if (!have || n >= best_n) { best = res; best_n = n; have = 1; }
    }
    if (!have) return 0;
    if (best.type == DD_JSON_STRING) {
        if (!dd__sls_parse_jstr(x, &best, &obj)) return 0;
        best = obj;
    }
    return dd__lx_extract_obj(x, &best, NULL, x->out);
}

/*--- event: classification ---*/

/* Classification, docs/lambda.md §3.1 (Python order: a later match overrides an earlier one). */
/* The classification alone (dd_lambda_extract without a trigger needs it too). */
typedef struct dd__sls_class {
    int32_t event_source, event_subtype;
} dd__sls_class;
DD__PRIVATE void dd__sls_classify(dd__sls_x *x, const dd_json *ev, dd__sls_class *t) {
    dd_json rc, v, rec, es, so;
    t->event_source = DD_LAMBDA_EVENT_UNKNOWN;
    t->event_subtype = 0;
    if (ev->type != DD_JSON_OBJECT) return;
    if (DD__LX_GET(x, ev, "requestContext", &rc) && rc.type == DD_JSON_OBJECT) {
        if (DD__LX_HAS(x, &rc, "stage")) {
            dd_json dn;
            char dom[256];
            if (DD__LX_GET(x, &rc, "domainName", &dn) && dd__sls_copy(&dn, dom, sizeof dom)) {
                const char *d1 = strchr(dom, '.');
                if (d1 && strncmp(d1 + 1, "lambda-url.", 11) == 0) {
                    t->event_source = DD_LAMBDA_EVENT_FUNCTION_URL;
                    return;
                }
            }
            t->event_source = DD_LAMBDA_EVENT_API_GATEWAY;
            if (DD__LX_HAS(x, ev, "httpMethod")) t->event_subtype = DD_LAMBDA_HTTP_REST;
            else if (DD__LX_HAS(x, ev, "routeKey")) t->event_subtype = DD_LAMBDA_HTTP_API;
            else if (DD__LX_HAS(x, &rc, "messageDirection")) t->event_subtype = DD_LAMBDA_HTTP_WEBSOCKET;
        }
        if (DD__LX_HAS(x, &rc, "elb")) {
            t->event_source = DD_LAMBDA_EVENT_ALB;
            t->event_subtype = DD__LX_HAS(x, ev, "multiValueHeaders") ? DD_LAMBDA_HTTP_ALB_MULTI : 0;
        }
    }
    if (DD__LX_HAS(x, ev, "awslogs")) t->event_source = DD_LAMBDA_EVENT_CLOUDWATCH_LOGS;
    if (DD__LX_HAS(x, ev, "detail-type")) t->event_source = DD_LAMBDA_EVENT_EVENTBRIDGE;
    if ((DD__LX_GET(x, ev, "source", &v) && dd__sls_str_is(&v, "aws.events")) ||
        dd__lx_path(x, ev, "detail.EventCategories", &v))
        t->event_source = DD_LAMBDA_EVENT_CLOUDWATCH_EVENTS;
    if (dd__sls_is_sfn(x, ev, &so)) t->event_source = DD_LAMBDA_EVENT_STATES;
    if (dd__lx_path(x, ev, "Records.0", &rec) && rec.type == DD_JSON_OBJECT) {
        if (DD__LX_GET(x, &rec, "eventSource", &es) || DD__LX_GET(x, &rec, "EventSource", &es)) {
            if (dd__sls_str_is(&es, "aws:dynamodb")) t->event_source = DD_LAMBDA_EVENT_DYNAMODB;
            else if (dd__sls_str_is(&es, "aws:kinesis")) t->event_source = DD_LAMBDA_EVENT_KINESIS;
            else if (dd__sls_str_is(&es, "aws:s3")) t->event_source = DD_LAMBDA_EVENT_S3;
            else if (dd__sls_str_is(&es, "aws:sns")) t->event_source = DD_LAMBDA_EVENT_SNS;
            else if (dd__sls_str_is(&es, "aws:sqs")) t->event_source = DD_LAMBDA_EVENT_SQS;
        } else if (DD__LX_HAS(x, &rec, "cf")) {
            t->event_source = DD_LAMBDA_EVENT_CLOUDFRONT;
        }
    }
}

/*--- event: sources in order ---*/

DD__PRIVATE int dd__sls_event_context(dd__sls_x *x, const dd_json *ev, int src) {
    dd_json v, rec, obj, so;
    if (ev->type != DD_JSON_OBJECT) return 0;
    if (DD__LX_GET(x, ev, "request", &v)) {
        dd_json h;
        return v.type == DD_JSON_OBJECT && DD__LX_GET(x, &v, "headers", &h) && dd__lx_extract_obj(x, &h, NULL, x->out);
    }
    if (dd__lx_iget(x, ev, "headers", 7, &v) || dd__lx_iget(x, ev, "multiValueHeaders", 17, &v)) return dd__sls_http(x, ev, src);
    dd__lx_path(x, ev, "Records.0", &rec);
    switch (src) {
    case DD_LAMBDA_EVENT_SQS: return dd__sls_sqs(x, &rec);
    case DD_LAMBDA_EVENT_SNS:
        if (dd__lx_path(x, &rec, "Sns.MessageAttributes", &v) && dd__sls_sns_attrs(x, &v)) return 1;
        { /* datadog-lambda-js: a Datadog id in _X_AMZN_TRACE_ID, written by dd-trace-java */
            const char *h = dd__sls_getenv(x->cfg, "_X_AMZN_TRACE_ID");
            return h && dd__sls_xray_dd_marker(h, strlen(h), x->out);
        }
    case DD_LAMBDA_EVENT_EVENTBRIDGE:
        return dd__lx_path(x, ev, "detail._datadog", &v) && dd__sls_carrier(x, &v);
    case DD_LAMBDA_EVENT_KINESIS:
        return dd__lx_path(x, &rec, "kinesis.data", &v) && dd__sls_parse_b64(x, &v, &obj) &&
               DD__LX_GET(x, &obj, "_datadog", &v) && dd__sls_carrier(x, &v);
    case DD_LAMBDA_EVENT_STATES: return dd__sls_is_sfn(x, ev, &so) && dd__sls_sfn_extract(x, &so, x->out);
    default: break;
    }
    if (DD__LX_HAS(x, ev, "DurableExecutionArn")) return dd__sls_durable(x, ev);
    return 0;
}

DD__PRIVATE int dd__sls_client_context(dd__sls_x *x, const char *cc, size_t cc_len) {
    dd_json root, custom, d;
    if (!cc || !cc_len || dd_json_parse(cc, cc_len, &root) != DD_OK) return 0;
    if (!DD__LX_GET(x, &root, "custom", &custom) || custom.type != DD_JSON_OBJECT) return 0;
    if (DD__LX_GET(x, &custom, "_datadog", &d) && d.type == DD_JSON_OBJECT) return dd__lx_extract_obj(x, &d, NULL, x->out);
    return dd__lx_extract_obj(x, &custom, NULL, x->out);
}

/* datadog-lambda-python's parse_xray_header (docs/lambda.md §6.2): at least three ';' parts, the
 * first three holding Root=, Parent= and Sampled= in that order; any other order is no context.
 * Only the Lambda variable is read this way: dd_xray_parse (the xray propagation style, HTTP
 * headers) stays lenient about the order. */
DD__PRIVATE int dd__sls_xray_python_order(const char *h) {
    static const char *const want[3] = {"Root=", "Parent=", "Sampled="};
    size_t i;
    for (i = 0; i < 3; i++) {
        const char *end = strchr(h, ';');
        size_t n = end ? (size_t)(end - h) : strlen(h), k = strlen(want[i]);
        if (n < k || memcmp(h, want[i], k) != 0) return 0;
        if (i < 2 && !end) return 0;
        h = end ? end + 1 : h + n;
    }
    return 1;
}
DD__PRIVATE int dd__sls_xray_env(const dd_lambda_config *cfg, dd_trace_context *c) {
    const char *h = dd__sls_getenv(cfg, "_X_AMZN_TRACE_ID");
    memset(c, 0, sizeof *c);
    if (!h || !dd__sls_xray_python_order(h) || dd_xray_parse(h, strlen(h), c) != DD_OK || !dd__sls_ctx_complete(c)) {
        memset(c, 0, sizeof *c);
        return 0;
    }
    return 1;
}

/*--- event: trigger description ---*/

DD__PRIVATE void dd__sls_set(char *dst, size_t cap, const char *s, size_t n) {
    if (n >= cap) n = 0;
    if (n) memcpy(dst, s, n);
    dst[n] = 0;
}
DD__PRIVATE void dd__sls_tag(dd_lambda_trigger *t, const char *key, const char *val, size_t n) {
    dd_lambda_tag *g;
    if (t->n_tags >= DD_LAMBDA_TAGS_MAX || n > DD_LAMBDA_TAG_VALUE_MAX || strlen(key) > DD_LAMBDA_TAG_KEY_MAX) return;
    g = &t->tags[t->n_tags++];
    memcpy(g->key, key, strlen(key) + 1);
    memcpy(g->value, val, n);
    g->value[n] = 0;
}
/* The same for the upstream span's tags. */
DD__PRIVATE void dd__sls_utag(dd_lambda_trigger *t, const char *key, const char *val, size_t n) {
    dd_lambda_tag *g;
    if (t->n_upstream_tags >= DD_LAMBDA_UPSTREAM_TAGS_MAX || n > DD_LAMBDA_TAG_VALUE_MAX || strlen(key) > DD_LAMBDA_TAG_KEY_MAX)
        return;
    g = &t->upstream_tags[t->n_upstream_tags++];
    memcpy(g->key, key, strlen(key) + 1);
    memcpy(g->value, val, n);
    g->value[n] = 0;
}
/* A string member of obj as an upstream tag ("" and non-strings skipped, as Python's `if subject`). */
DD__PRIVATE void dd__sls_utag_json(dd__sls_x *x, dd_lambda_trigger *t, const char *key, const dd_json *obj, const char *name) {
    dd_json v;
    char buf[DD_LAMBDA_TAG_VALUE_MAX + 1];
    size_t n;
    if (dd__lx_get(x, obj, name, strlen(name), &v) && v.type == DD_JSON_STRING &&
        dd__lx_string(&v, buf, sizeof buf, &n) == DD_OK && n)
        dd__sls_utag(t, key, buf, n);
}
DD__PRIVATE void dd__sls_tag_json(dd__sls_x *x, dd_lambda_trigger *t, const char *key, const dd_json *obj, const char *path) {
    dd_json v;
    char buf[DD_LAMBDA_TAG_VALUE_MAX + 1];
    size_t n;
    if (!dd__lx_path(x, obj, path, &v)) return;
    if (v.type == DD_JSON_STRING) {
        if (dd__lx_string(&v, buf, sizeof buf, &n) == DD_OK) dd__sls_tag(t, key, buf, n);
    } else if (v.type == DD_JSON_NUMBER && v.n <= DD_LAMBDA_TAG_VALUE_MAX) {
        dd__sls_tag(t, key, v.p, v.n);
    }
}
/* The part after the last `sep` of s. */
DD__PRIVATE const char *dd__sls_last(const char *s, char sep) {
    const char *r = strrchr(s, sep);
    return r ? r + 1 : s;
}
/* A timestamp (a JSON number or numeric string "1545082649183", "1545084650.987") in units of
 * unit_ns to ns, decimally (no double rounding); 0 when not a plain non-negative decimal. */
DD__PRIVATE int64_t dd__sls_ms_to_ns(const dd_json *v, int64_t unit_ns) {
    const char *p, *end;
    uint64_t ip = 0, frac = 0, scale = (uint64_t)unit_ns;
    if (v->type == DD_JSON_STRING && v->n >= 2) { p = v->p + 1; end = v->p + v->n - 1; }
    else if (v->type == DD_JSON_NUMBER) { p = v->p; end = v->p + v->n; }
    else return 0;
    if (p >= end || !dd__sls_is_digit(*p)) return 0;
    while (p < end && dd__sls_is_digit(*p)) {
        if (ip > (uint64_t)INT64_MAX / 10) return 0;
        ip = ip * 10 + (uint64_t)(*p++ - '0');
    }
    if (p < end && *p == '.') {
        for (p++; p < end && dd__sls_is_digit(*p); p++) {
            if (scale >= 10) { scale /= 10; frac += (uint64_t)(*p - '0') * scale; }
        }
    }
    if (p != end || ip > (uint64_t)INT64_MAX / (uint64_t)unit_ns) return 0;
    return (int64_t)(ip * (uint64_t)unit_ns + frac);
}
/* ISO 8601 UTC "2021-12-17T21:46:58.040Z" (fraction optional) to epoch ns; 0 when not that shape. */
DD__PRIVATE int64_t dd__sls_iso_to_ns(const dd_json *v) {
    char s[40];
    size_t n = dd__sls_copy(v, s, sizeof s), i;
    int64_t y, mo, d, h, mi, se, days, frac = 0, scale = 1000000000;
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return 0;
    for (i = 0; i < 19; i++)
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && !dd__sls_is_digit(s[i])) return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    mo = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    h = (s[11] - '0') * 10 + (s[12] - '0');
    mi = (s[14] - '0') * 10 + (s[15] - '0');
    se = (s[17] - '0') * 10 + (s[18] - '0');
    i = 19;
    if (s[i] == '.') {
        for (i++; i < n && dd__sls_is_digit(s[i]); i++) {
            if (scale > 1) { scale /= 10; frac += (s[i] - '0') * scale; }
        }
    }
    if (i != n - 1 || s[i] != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > 2261) return 0;
    { /* days from civil (Howard Hinnant's algorithm) */
        /* cppcheck-suppress knownConditionTrueFalse ; the published algorithm, valid for any year */
        int64_t yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
        int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        days = era * 146097 + doe - 719468;
    }
    return ((days * 86400 + h * 3600 + mi * 60 + se) * 1000000000) + frac;
}

/* API Gateway and Function URL ARNs from the function's ARN parts p[0..7] (docs/lambda.md §7.3). */
DD__PRIVATE void dd__sls_arn_build(dd__sls_x *x, dd_lambda_trigger *t, const dd_json *ev, const dd_json *rc, const char **p,
                                   const char *end) {
    char buf[DD_LAMBDA_ARN_MAX + 1], api[128], stage[128];
    dd_json v;
    size_t n = 0, rl = (size_t)(p[4] - p[3] - 1), al = (size_t)(p[5] - p[4] - 1);
    const char *part = "aws";
    (void)ev;
    if (rl >= 7 && memcmp(p[3], "us-gov-", 7) == 0) part = "aws-us-gov";
    else if (rl >= 3 && memcmp(p[3], "cn-", 3) == 0) part = "aws-cn";
#define DD__SLS_PUT(s, len) do { size_t l_ = (len); if (n + l_ < sizeof buf) { memcpy(buf + n, (s), l_); } n += l_; } while (0)
    if (t->event_source == DD_LAMBDA_EVENT_API_GATEWAY) {
        size_t a = DD__LX_GET(x, rc, "apiId", &v) ? dd__sls_copy(&v, api, sizeof api) : 0;
        size_t s = DD__LX_GET(x, rc, "stage", &v) ? dd__sls_copy(&v, stage, sizeof stage) : 0;
        if (!a || !s) return;
        DD__SLS_PUT("arn:", 4); DD__SLS_PUT(part, strlen(part)); DD__SLS_PUT(":apigateway:", 12);
        DD__SLS_PUT(p[3], rl); DD__SLS_PUT("::/restapis/", 12); DD__SLS_PUT(api, a);
        DD__SLS_PUT("/stages/", 8); DD__SLS_PUT(stage, s);
    } else {
        size_t fl = (size_t)((p[7] ? p[7] - 1 : end) - p[6]);
        DD__SLS_PUT("arn:aws:lambda:", 15); DD__SLS_PUT(p[3], rl); DD__SLS_PUT(":", 1); DD__SLS_PUT(p[4], al);
        DD__SLS_PUT(":url:", 5); DD__SLS_PUT(p[6], fl);
        if (p[7]) { DD__SLS_PUT(":", 1); DD__SLS_PUT(p[7], (size_t)(end - p[7])); }
    }
#undef DD__SLS_PUT
    dd__sls_set(t->event_source_arn, sizeof t->event_source_arn, buf, n < sizeof buf ? n : 0);
}

/* "<a><b>" into dst; "" when it does not fit. */
DD__PRIVATE size_t dd__sls_cat(char *dst, size_t cap, const char *a, size_t an, const char *b, size_t bn) {
    if (an + bn + 1 > cap) { dst[0] = 0; return 0; }
    memcpy(dst, a, an);
    memcpy(dst + an, b, bn);
    dst[an + bn] = 0;
    return an + bn;
}
DD__PRIVATE void dd__sls_ttag(dd_lambda_trigger *t, const char *key, const char *val, size_t n) {
    dd_lambda_tag *g;
    if (t->n_trigger_tags >= DD_LAMBDA_TRIGGER_TAGS_MAX || n > DD_LAMBDA_TAG_VALUE_MAX || !n) return;
    g = &t->trigger_tags[t->n_trigger_tags++];
    memcpy(g->key, key, strlen(key) + 1);
    memcpy(g->value, val, n);
    g->value[n] = 0;
}
/* String at path (exact keys) copied into dst; its length, 0 when absent. */
DD__PRIVATE size_t dd__sls_get_str(dd__sls_x *x, const dd_json *o, const char *path, char *dst, size_t cap) {
    dd_json v;
    dst[0] = 0;
    if (!dd__lx_path(x, o, path, &v)) return 0;
    return dd__sls_copy(&v, dst, cap);
}
/* A header value (case-insensitive name) from headers, else the first of multiValueHeaders. */
DD__PRIVATE size_t dd__sls_header(dd__sls_x *x, const dd_json *ev, const char *name, char *dst, size_t cap) {
    dd_json h, m, v;
    dst[0] = 0;
    if (dd__lx_iget(x, ev, "headers", 7, &h) && dd__lx_iget(x, &h, name, strlen(name), &v) && v.type == DD_JSON_STRING)
        return dd__sls_copy(&v, dst, cap);
    if (dd__lx_iget(x, ev, "multiValueHeaders", 17, &m) && dd__lx_iget(x, &m, name, strlen(name), &v) &&
        dd__lx_at(x, &v, 0, &h))
        return dd__sls_copy(&h, dst, cap);
    return 0;
}

/* API Gateway (REST, HTTP API, WebSocket), Function URL and ALB: ARN, inferred span, trigger tags. */
DD__PRIVATE void dd__sls_http_details(dd__sls_x *x, const dd_json *ev, const dd_json *rc, dd_lambda_trigger *t) {
    const dd_lambda_config *cfg = x->cfg;
    char dom[DD_LAMBDA_NAME_MAX + 1], method[16], path[DD_LAMBDA_NAME_MAX + 1], url[DD_LAMBDA_TAG_VALUE_MAX + 1];
    char route[DD_LAMBDA_NAME_MAX + 1], tmp[DD_LAMBDA_TAG_VALUE_MAX + 1];
    size_t dl, ml, pl, ul, rl, n;
    const char *fa = cfg ? cfg->invoked_function_arn : NULL;
    dd_json v;
    memcpy(t->span_type, "web", 4);
    if (t->event_source == DD_LAMBDA_EVENT_ALB) {
        if (dd__lx_path(x, rc, "elb.targetGroupArn", &v)) dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        memcpy(t->span_name, "aws.alb", 8);
        memcpy(t->span_type, "http", 5);
        dl = dd__sls_header(x, ev, "host", dom, sizeof dom);
        ml = dd__sls_get_str(x, ev, "httpMethod", method, sizeof method);
        pl = dd__sls_get_str(x, ev, "path", path, sizeof path);
        dd__sls_set(t->service, sizeof t->service, dom, dl);
        n = dd__sls_cat(tmp, sizeof tmp, method, ml, " ", ml ? 1 : 0);
        dd__sls_cat(t->resource, sizeof t->resource, tmp, n, path, pl);
        dd__sls_tag(t, "http.method", method, ml);
        dd__sls_tag(t, "endpoint", path, pl);
        dd__sls_tag(t, "target_group_arn", t->event_source_arn, strlen(t->event_source_arn));
        n = dd__sls_header(x, ev, "x-forwarded-proto", tmp, sizeof tmp);
        if (!n) n = dd__sls_cat(tmp, sizeof tmp, "http", 4, "", 0);
        n = dd__sls_cat(url, sizeof url, tmp, n, "://", 3);
        n = dd__sls_cat(tmp, sizeof tmp, url, n, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, path, pl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.method", method, ml);
        dd__sls_ttag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.route", path, pl);
        n = dd__sls_header(x, ev, "user-agent", tmp, sizeof tmp);
        dd__sls_ttag(t, "http.useragent", tmp, n);
        n = dd__sls_header(x, ev, "referer", tmp, sizeof tmp);
        dd__sls_ttag(t, "http.referer", tmp, n);
        return;
    }
    dl = dd__sls_get_str(x, rc, "domainName", dom, sizeof dom);
    if (fa) { /* region and account of the function's ARN: arn:<partition>:lambda:<region>:<account>:function:<name> */
        const char *p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t k = 0, i, fl = strlen(fa);
        p[0] = fa;
        for (i = 0; i < fl && k < 7; i++)
            if (fa[i] == ':') p[++k] = fa + i + 1;
        if (k >= 6) dd__sls_arn_build(x, t, ev, rc, p, fa + fl);
    }
    dd__sls_set(t->service, sizeof t->service, dom, dl);
    n = dd__sls_header(x, ev, "x-amz-invocation-type", tmp, sizeof tmp);
    t->is_async = n == 5 && memcmp(tmp, "Event", 5) == 0;
    if (t->event_source == DD_LAMBDA_EVENT_FUNCTION_URL || t->event_subtype == DD_LAMBDA_HTTP_API) {
        ml = dd__sls_get_str(x, rc, "http.method", method, sizeof method);
        pl = dd__sls_get_str(x, rc, "http.path", path, sizeof path);
        if (DD__LX_GET(x, rc, "timeEpoch", &v)) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        if (t->event_source == DD_LAMBDA_EVENT_FUNCTION_URL) {
            memcpy(t->span_name, "aws.lambda.url", 15);
            memcpy(t->span_type, "http", 5);
            rl = dd__sls_cat(route, sizeof route, path, pl, "", 0);
        } else {
            char rk[DD_LAMBDA_NAME_MAX + 1];
            size_t kl = dd__sls_get_str(x, ev, "routeKey", rk, sizeof rk);
            const char *sp = (const char *)memchr(rk, ' ', kl);
            memcpy(t->span_name, "aws.httpapi", 12);
            /* the route template when routeKey has one ("GET /users/{id}"), else the raw path */
            if (sp && memchr(rk, '{', kl)) rl = dd__sls_cat(route, sizeof route, sp + 1, kl - (size_t)(sp + 1 - rk), "", 0);
            else rl = dd__sls_cat(route, sizeof route, path, pl, "", 0);
            if (sp) dd__sls_ttag(t, "http.route", sp + 1, kl - (size_t)(sp + 1 - rk));
        }
        n = dd__sls_cat(tmp, sizeof tmp, method, ml, " ", ml ? 1 : 0);
        dd__sls_cat(t->resource, sizeof t->resource, tmp, n, route, rl);
        n = dd__sls_cat(tmp, sizeof tmp, "https://", 8, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, path, pl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_tag(t, "endpoint", path, pl);
        dd__sls_tag(t, "http.method", method, ml);
        dd__sls_tag_json(x, t, "http.protocol", rc, "http.protocol");
        dd__sls_tag_json(x, t, "http.source_ip", rc, "http.sourceIp");
        dd__sls_tag_json(x, t, "http.useragent", rc, "http.userAgent");
        dd__sls_ttag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.method", method, ml);
    } else if (t->event_subtype == DD_LAMBDA_HTTP_WEBSOCKET) {
        char rk[DD_LAMBDA_NAME_MAX + 1];
        size_t kl = dd__sls_get_str(x, rc, "routeKey", rk, sizeof rk);
        memcpy(t->span_name, "aws.apigateway.websocket", 25);
        if (DD__LX_GET(x, rc, "requestTimeEpoch", &v)) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        dd__sls_set(t->resource, sizeof t->resource, rk, kl);
        n = dd__sls_cat(tmp, sizeof tmp, "https://", 8, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, rk, kl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_tag(t, "endpoint", rk, kl);
        dd__sls_tag_json(x, t, "connection_id", rc, "connectionId");
        dd__sls_tag_json(x, t, "event_type", rc, "eventType");
        dd__sls_tag_json(x, t, "message_direction", rc, "messageDirection");
        dd__sls_ttag(t, "http.url", tmp, n);
    } else { /* REST */
        char rp[DD_LAMBDA_NAME_MAX + 1];
        size_t rpl;
        memcpy(t->span_name, "aws.apigateway", 15);
        if (DD__LX_GET(x, rc, "requestTimeEpoch", &v)) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        ml = dd__sls_get_str(x, ev, "httpMethod", method, sizeof method);
        pl = dd__sls_get_str(x, ev, "path", path, sizeof path);
        rl = dd__sls_get_str(x, ev, "resource", route, sizeof route);
        if (!rl) rl = dd__sls_get_str(x, rc, "resourcePath", route, sizeof route);
        if (!rl) rl = dd__sls_cat(route, sizeof route, path, pl, "", 0);
        n = dd__sls_cat(tmp, sizeof tmp, method, ml, " ", ml ? 1 : 0);
        dd__sls_cat(t->resource, sizeof t->resource, tmp, n, route, rl);
        n = dd__sls_cat(tmp, sizeof tmp, "https://", 8, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, path, pl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_tag(t, "endpoint", path, pl);
        dd__sls_tag(t, "http.method", method, ml);
        dd__sls_tag_json(x, t, "http.useragent", rc, "identity.userAgent");
        rpl = dd__sls_get_str(x, rc, "path", rp, sizeof rp);
        ul = dd__sls_cat(url, sizeof url, tmp, n, rp, rpl);
        dd__sls_ttag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.method", method, ml);
        dd__sls_ttag(t, "http.route", route, rl);
    }
    dd__sls_tag_json(x, t, "apiid", rc, "apiId");
    dd__sls_tag_json(x, t, "apiname", rc, "apiId");
    dd__sls_tag_json(x, t, "stage", rc, "stage");
    n = dd__sls_header(x, ev, "referer", tmp, sizeof tmp);
    dd__sls_ttag(t, "http.referer", tmp, n);
    if (t->event_source == DD_LAMBDA_EVENT_API_GATEWAY) {
        /* an instrumented Lambda authorizer ran first: REST and WebSocket get an
         * aws.apigateway.authorizer span from its finish time (ns, as Python reads it) to
         * max(that, requestTimeEpoch + integrationLatency ms), where the API span then starts;
         * HTTP APIs only start their span at the authorizer's finish time */
        dd_json obj, ft, lat;
        size_t mark = x->used;
        if (dd__sls_authorizer(x, ev, &obj) && DD__LX_GET(x, &obj, "x-datadog-parent-span-finish-time", &ft)) {
            int64_t fin = dd__sls_ms_to_ns(&ft, 1);
            if (t->event_subtype == DD_LAMBDA_HTTP_API) {
                if (fin) t->start_ns = fin;
            } else if (fin) {
                int64_t end = 0;
                if (dd__lx_path(x, rc, "authorizer.integrationLatency", &lat) && DD__LX_GET(x, rc, "requestTimeEpoch", &v))
                {
                    int64_t a = dd__sls_ms_to_ns(&v, 1000000), b = dd__sls_ms_to_ns(&lat, 1000000);
                    end = a <= INT64_MAX - b ? a + b : 0;
                }
                memcpy(t->upstream_span_name, "aws.apigateway.authorizer", 26);
                dd__sls_set(t->upstream_service, sizeof t->upstream_service, t->service, strlen(t->service));
                dd__sls_set(t->upstream_resource, sizeof t->upstream_resource, t->resource, strlen(t->resource));
                t->upstream_start_ns = fin;
                t->start_ns = end > fin ? end : fin;
            }
        }
        x->used = mark;
    }
}

/* The start of an aws.eventbridge span (datadog-lambda-python): the event's `time`, or the Step
 * Functions State.EnteredTime when detail._datadog is a context object (a PutEvents task). */
DD__PRIVATE int64_t dd__sls_eb_start(dd__sls_x *x, const dd_json *ev) {
    dd_json d, so, v;
    int64_t ns = 0;
    if (DD__LX_GET(x, ev, "detail", &d) && dd__sls_is_sfn(x, &d, &so) && dd__lx_path(x, &d, "_datadog.State.EnteredTime", &v))
        ns = dd__sls_iso_to_ns(&v);
    if (!ns && DD__LX_GET(x, ev, "time", &v)) ns = dd__sls_iso_to_ns(&v);
    return ns;
}

/* Event source ARN and inferred-span description (docs/lambda.md §7.3 and §8). */
DD__PRIVATE void dd__sls_trigger_details(dd__sls_x *x, const dd_json *ev, dd_lambda_trigger *t) {
    dd_json rec, v, rc;
    char name[DD_LAMBDA_NAME_MAX + 1], arn[DD_LAMBDA_ARN_MAX + 1];
    size_t n;
    dd__lx_path(x, ev, "Records.0", &rec);
    (void)DD__LX_GET(x, ev, "requestContext", &rc);
    memcpy(t->span_type, "web", 4);
    if (DD__LX_GET(x, &rec, "eventSourceARN", &v) || DD__LX_GET(x, &rec, "eventSourceArn", &v))
        dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
    switch (t->event_source) {
    case DD_LAMBDA_EVENT_S3:
        if (dd__lx_path(x, &rec, "s3.bucket.arn", &v)) dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        memcpy(t->span_name, "aws.s3", 7);
        if (dd__lx_path(x, &rec, "s3.bucket.name", &v)) {
            n = dd__sls_copy(&v, name, sizeof name);
            dd__sls_set(t->service, sizeof t->service, name, n);
            dd__sls_set(t->resource, sizeof t->resource, name, n);
            dd__sls_tag(t, "bucketname", name, n);
        }
        dd__sls_tag_json(x, t, "bucket_arn", &rec, "s3.bucket.arn");
        dd__sls_tag_json(x, t, "object_key", &rec, "s3.object.key");
        dd__sls_tag_json(x, t, "object_size", &rec, "s3.object.size");
        dd__sls_tag_json(x, t, "object_etag", &rec, "s3.object.eTag");
        dd__sls_tag_json(x, t, "event_name", &rec, "eventName");
        if (DD__LX_GET(x, &rec, "eventTime", &v)) t->start_ns = dd__sls_iso_to_ns(&v);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_SNS:
        if (dd__lx_path(x, &rec, "Sns.TopicArn", &v)) {
            n = dd__sls_copy(&v, arn, sizeof arn);
            dd__sls_set(t->event_source_arn, sizeof t->event_source_arn, arn, n);
            memcpy(t->span_name, "aws.sns", 8);
            n = strlen(dd__sls_last(arn, ':'));
            dd__sls_set(t->service, sizeof t->service, dd__sls_last(arn, ':'), n);
            dd__sls_set(t->resource, sizeof t->resource, dd__sls_last(arn, ':'), n);
            dd__sls_tag(t, "topicname", t->service, strlen(t->service));
            dd__sls_tag(t, "topic_arn", arn, strlen(arn));
        }
        dd__sls_tag_json(x, t, "message_id", &rec, "Sns.MessageId");
        dd__sls_tag_json(x, t, "type", &rec, "Sns.Type");
        dd__sls_tag_json(x, t, "subject", &rec, "Sns.Subject");
        if (dd__lx_path(x, &rec, "Sns.Timestamp", &v)) t->start_ns = dd__sls_iso_to_ns(&v);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_SQS:
        memcpy(t->span_name, "aws.sqs", 8);
        n = strlen(dd__sls_last(t->event_source_arn, ':'));
        dd__sls_set(t->service, sizeof t->service, dd__sls_last(t->event_source_arn, ':'), n);
        dd__sls_set(t->resource, sizeof t->resource, t->service, n);
        dd__sls_tag(t, "queuename", t->service, n);
        dd__sls_tag(t, "event_source_arn", t->event_source_arn, strlen(t->event_source_arn));
        dd__sls_tag_json(x, t, "receipt_handle", &rec, "receiptHandle");
        dd__sls_tag_json(x, t, "sender_id", &rec, "attributes.SenderId");
        if (dd__lx_path(x, &rec, "attributes.SentTimestamp", &v)) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        t->is_async = 1;
        { /* SNS envelope or EventBridge event in the body: an upstream span */
            dd_json body, b, ty;
            if (DD__LX_GET(x, &rec, "body", &body) && dd__sls_sqs_body(x, &body, &b)) {
                if (DD__LX_GET(x, &b, "Type", &ty) && dd__sls_str_is(&ty, "Notification") &&
                    DD__LX_GET(x, &b, "TopicArn", &v)) {
                    dd__sls_copy(&v, arn, sizeof arn);
                    memcpy(t->upstream_span_name, "aws.sns", 8);
                    n = strlen(dd__sls_last(arn, ':'));
                    dd__sls_set(t->upstream_service, sizeof t->upstream_service, dd__sls_last(arn, ':'), n);
                    dd__sls_set(t->upstream_resource, sizeof t->upstream_resource, dd__sls_last(arn, ':'), n);
                    if (DD__LX_GET(x, &b, "Timestamp", &v)) t->upstream_start_ns = dd__sls_iso_to_ns(&v);
                    /* the tags of a direct SNS trigger, from the envelope (Subject only when set) */
                    dd__sls_utag(t, "topicname", t->upstream_service, strlen(t->upstream_service));
                    dd__sls_utag(t, "topic_arn", arn, strlen(arn));
                    dd__sls_utag_json(x, t, "message_id", &b, "MessageId");
                    dd__sls_utag_json(x, t, "type", &b, "Type");
                    dd__sls_utag_json(x, t, "subject", &b, "Subject");
                } else if (dd__lx_path(x, &b, "detail._datadog", &ty) &&
                           (ty.type == DD_JSON_OBJECT || ty.type == DD_JSON_STRING) &&
                           DD__LX_GET(x, &b, "source", &v)) {
                    /* EventBridge -> SQS: only a traced producer's event (detail._datadog), as Python */
                    n = dd__sls_copy(&v, name, sizeof name);
                    memcpy(t->upstream_span_name, "aws.eventbridge", 16);
                    dd__sls_set(t->upstream_service, sizeof t->upstream_service, name, n);
                    dd__sls_set(t->upstream_resource, sizeof t->upstream_resource, name, n);
                    t->upstream_start_ns = dd__sls_eb_start(x, &b);
                    dd__sls_utag_json(x, t, "detail_type", &b, "detail-type");
                }
            }
        }
        break;
    case DD_LAMBDA_EVENT_KINESIS:
        memcpy(t->span_name, "aws.kinesis", 12);
        {
            const char *s = dd__sls_last(t->event_source_arn, '/');
            n = s == t->event_source_arn ? 0 : strlen(s);
            dd__sls_set(t->service, sizeof t->service, s, n);
            dd__sls_set(t->resource, sizeof t->resource, s, n);
            dd__sls_tag(t, "streamname", s, n);
        }
        if (DD__LX_GET(x, &rec, "eventID", &v)) {
            n = dd__sls_copy(&v, name, sizeof name);
            dd__sls_tag(t, "event_id", name, n);
            { const char *c = strchr(name, ':'); dd__sls_tag(t, "shardid", name, c ? (size_t)(c - name) : n); }
        }
        dd__sls_tag(t, "event_source_arn", t->event_source_arn, strlen(t->event_source_arn));
        dd__sls_tag_json(x, t, "event_name", &rec, "eventName");
        dd__sls_tag_json(x, t, "event_version", &rec, "eventVersion");
        dd__sls_tag_json(x, t, "partition_key", &rec, "kinesis.partitionKey");
        if (dd__lx_path(x, &rec, "kinesis.approximateArrivalTimestamp", &v))
            t->start_ns = dd__sls_ms_to_ns(&v, 1000000000);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_DYNAMODB:
        memcpy(t->span_name, "aws.dynamodb", 13);
        {
            const char *s = strchr(t->event_source_arn, '/');
            const char *e = s ? strchr(s + 1, '/') : NULL;
            n = s ? (e ? (size_t)(e - s - 1) : strlen(s + 1)) : 0;
            dd__sls_set(t->service, sizeof t->service, s ? s + 1 : "", n);
            dd__sls_set(t->resource, sizeof t->resource, s ? s + 1 : "", n);
            dd__sls_tag(t, "tablename", t->service, n);
        }
        dd__sls_tag(t, "event_source_arn", t->event_source_arn, strlen(t->event_source_arn));
        dd__sls_tag_json(x, t, "event_id", &rec, "eventID");
        dd__sls_tag_json(x, t, "event_name", &rec, "eventName");
        dd__sls_tag_json(x, t, "event_version", &rec, "eventVersion");
        dd__sls_tag_json(x, t, "stream_view_type", &rec, "dynamodb.StreamViewType");
        dd__sls_tag_json(x, t, "size_bytes", &rec, "dynamodb.SizeBytes");
        if (dd__lx_path(x, &rec, "dynamodb.ApproximateCreationDateTime", &v))
            t->start_ns = dd__sls_ms_to_ns(&v, 1000000000);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_EVENTBRIDGE:
        memcpy(t->span_name, "aws.eventbridge", 16);
        if (DD__LX_GET(x, ev, "source", &v)) {
            n = dd__sls_copy(&v, name, sizeof name);
            dd__sls_set(t->service, sizeof t->service, name, n);
            dd__sls_set(t->resource, sizeof t->resource, name, n);
        }
        dd__sls_tag_json(x, t, "detail_type", ev, "detail-type");
        t->start_ns = dd__sls_eb_start(x, ev);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_CLOUDWATCH_EVENTS:
        if (dd__lx_path(x, ev, "resources.0", &v)) dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        break;
    case DD_LAMBDA_EVENT_CLOUDFRONT: {
        /* arn:<partition>:cloudfront::<account>:distribution/<id>, region and account from the
         * function's ARN arn:<p>:lambda:<region>:<account>:... (datadog-lambda-python) */
        const char *fa = x->cfg ? x->cfg->invoked_function_arn : NULL, *p[5] = {0, 0, 0, 0, 0};
        size_t k = 0, i, fl = fa ? strlen(fa) : 0, rl, al, dn, m;
        const char *part = "aws";
        if (!fa || !dd__lx_path(x, &rec, "cf.config.distributionId", &v)) break;
        for (i = 0; i < fl && k < 4; i++)
            if (fa[i] == ':') p[++k] = fa + i + 1;
        if (k < 4) break;
        for (i = (size_t)(p[4] - fa); i < fl && fa[i] != ':'; i++) {}
        rl = (size_t)(p[4] - p[3] - 1);
        al = (size_t)(fa + i - p[4]);
        if (rl >= 7 && memcmp(p[3], "us-gov-", 7) == 0) part = "aws-us-gov";
        else if (rl >= 3 && memcmp(p[3], "cn-", 3) == 0) part = "aws-cn";
        dn = dd__sls_copy(&v, name, sizeof name);
        m = 4 + strlen(part) + 13 + al + 14 + dn;
        if (!dn || !al || m >= sizeof arn) break;
        m = 0;
        memcpy(arn + m, "arn:", 4); m += 4;
        memcpy(arn + m, part, strlen(part)); m += strlen(part);
        memcpy(arn + m, ":cloudfront::", 13); m += 13;
        memcpy(arn + m, p[4], al); m += al;
        memcpy(arn + m, ":distribution/", 14); m += 14;
        memcpy(arn + m, name, dn); m += dn;
        dd__sls_set(t->event_source_arn, sizeof t->event_source_arn, arn, m);
        break;
    }
    case DD_LAMBDA_EVENT_STATES: {
        dd_json so;
        if (dd__sls_is_sfn(x, ev, &so) && dd__lx_path(x, &so, "StateMachine.Id", &v))
            dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        break;
    }
    case DD_LAMBDA_EVENT_API_GATEWAY:
    case DD_LAMBDA_EVENT_FUNCTION_URL:
    case DD_LAMBDA_EVENT_ALB:
        dd__sls_http_details(x, ev, &rc, t);
        break;
    default: break;
    }
}

/*--- extract ---*/

/* The decoding room of one extraction (docs/lambda.md §4.0): config->scratch when given; else
 * `room` (room_len bytes: dd_lambda_start_invocation's per-invocation 16 KiB) for an event (plus
 * client context) up to DD__SLS_SMALL; else allocated on first use: 16 KiB for such an event, twice
 * the input for a bigger one (a 200 KB `_datadog` attribute must not be lost), freed before
 * dd_lambda_extract returns. Nothing is on the stack: the capacities are those of the 16 KiB stack
 * buffer this replaced, so every result is the same. */
DD__PRIVATE int dd__sls_extract_in(dd__sls_x *x, const char *event, size_t event_len, const char *client_context,
                                   size_t cc_len, dd_trace_context *out, dd_lambda_trigger *t);
DD__PRIVATE int dd__sls_extract(const dd_lambda_config *cfg, const char *event, size_t event_len,
                                const char *client_context, size_t cc_len, dd_trace_context *out,
                                dd_lambda_trigger *trigger, char *room, size_t room_len) {
    dd__sls_x x;
    int rc;
    if (out) memset(out, 0, sizeof *out);
    if (trigger) memset(trigger, 0, sizeof *trigger);
    if (!out || (!event && event_len) || (!client_context && cc_len)) return DD_ERR_INVALID_ARG;
    memset(&x, 0, sizeof x);
    x.cfg = cfg;
    x.prop = cfg ? cfg->propagation : NULL;
    x.out = out;
    if (cfg && cfg->scratch && cfg->scratch_len) {
        x.scratch = cfg->scratch;
        x.cap = cfg->scratch_len;
    } else if (event_len + cc_len > DD__SLS_SMALL && event_len + cc_len < (SIZE_MAX >> 2)) {
        x.cap = 2 * (event_len + cc_len) + 64; /* allocated by dd__lx_room on first use */
        x.fallback = room;
        x.fallback_len = room_len;
    } else if (room && room_len >= DD__SLS_ROOM) {
        x.scratch = room;
        x.cap = DD__SLS_ROOM;
    } else {
        x.cap = DD__SLS_ROOM; /* allocated by dd__lx_room on first use */
    }
    rc = dd__sls_extract_in(&x, event, event_len, client_context, cc_len, out, trigger);
    free(x.heap);
    return rc;
}
DD_API int dd_lambda_extract(const dd_lambda_config *cfg, const char *event, size_t event_len,
                             const char *client_context, size_t cc_len, dd_trace_context *out,
                             dd_lambda_trigger *trigger) {
    return dd__sls_extract(cfg, event, event_len, client_context, cc_len, out, trigger, NULL, 0);
}
/* The sources in their order; t may be NULL (only the context is wanted: the trigger's
 * description is not built, the classification is). */
DD__PRIVATE int dd__sls_extract_in(dd__sls_x *x, const char *event, size_t event_len, const char *client_context,
                                   size_t cc_len, dd_trace_context *out, dd_lambda_trigger *t) {
    const dd_lambda_config *cfg = x->cfg;
    dd__sls_class cl = {DD_LAMBDA_EVENT_UNKNOWN, 0};
    dd_json ev;
    int found = 0, builtins = 1, src = DD_LAMBDA_CONTEXT_NONE;
    memset(&ev, 0, sizeof ev);
    if (!event || dd_json_parse(event, event_len, &ev) != DD_OK) memset(&ev, 0, sizeof ev);
    if (ev.type) {
        dd__sls_classify(x, &ev, &cl);
        if (t) {
            t->event_source = cl.event_source;
            t->event_subtype = cl.event_subtype;
            dd__sls_trigger_details(x, &ev, t);
        }
        x->used = 0;
    }
    if (cfg && cfg->extractor_fn) {
        int rc = cfg->extractor_fn(cfg->extractor_user, event, event_len, out);
        if (rc == DD_OK && dd__sls_ctx_complete(out)) found = 1;
        else if (rc != DD_ERR_NOT_FOUND) builtins = 0;
        if (!found) memset(out, 0, sizeof *out);
    }
    if (!found && builtins) {
        if (ev.type) found = dd__sls_event_context(x, &ev, cl.event_source);
        if (!found) { memset(out, 0, sizeof *out); x->used = 0; found = dd__sls_client_context(x, client_context, cc_len); }
        if (!found) memset(out, 0, sizeof *out);
    }
    if (found) src = DD_LAMBDA_CONTEXT_EVENT;
    else if (dd__sls_xray_env(cfg, out)) src = DD_LAMBDA_CONTEXT_XRAY;
    else memset(out, 0, sizeof *out);
    if (t) t->context_source = src;
    return src == DD_LAMBDA_CONTEXT_NONE ? DD_ERR_NOT_FOUND : DD_OK;
}

/*--- x-ray merging ---*/

DD__PRIVATE int dd__sls_merge_on(const dd_lambda_config *cfg) {
    const char *v;
    if (cfg && cfg->merge_xray == DD_ON) return 1;
    if (cfg && cfg->merge_xray == DD_OFF) return 0;
    v = dd__sls_getenv(cfg, "DD_MERGE_XRAY_TRACES");
    if (!v) return 0;
    return (dd__sls_lower(v[0]) == 't' && dd__sls_lower(v[1]) == 'r' && dd__sls_lower(v[2]) == 'u' &&
            dd__sls_lower(v[3]) == 'e' && v[4] == 0) || (v[0] == '1' && v[1] == 0);
}

DD_API int dd_lambda_parent(const dd_lambda_config *cfg, const dd_trace_context *extracted, int context_source,
                            dd_trace_context *parent) {
    uint64_t xray_parent;
    if (parent) memset(parent, 0, sizeof *parent);
    if (!extracted || !parent) return DD_ERR_INVALID_ARG;
    if (!dd__sls_ctx_complete(extracted)) return DD_ERR_NOT_FOUND;
    if (!dd__sls_merge_on(cfg)) {
        if (context_source != DD_LAMBDA_CONTEXT_EVENT) return DD_ERR_NOT_FOUND;
        *parent = *extracted;
        return DD_OK;
    }
    /* the X-Ray header is read into *parent (no second 20 KB context on the stack), then replaced */
    xray_parent = context_source == DD_LAMBDA_CONTEXT_EVENT && dd__sls_xray_env(cfg, parent) ? parent->parent_id : 0;
    *parent = *extracted;
    if (xray_parent) parent->parent_id = xray_parent;
    return DD_OK;
}

/*--- x-ray subsegment ---*/

DD_API size_t dd_xray_subsegment(char *out, size_t cap, const char *xray_header, size_t header_len,
                                 const char *id, size_t id_len, int64_t now_ns, const char *key,
                                 size_t key_len, const char *value_json, size_t value_len) {
    dd__sls_xray f;
    dd__sls_jw w;
    char t[48];
    size_t tn;
    int64_t sec, ms;
    if (out && cap) out[0] = 0;
    dd__sls_xray_fields(xray_header, xray_header ? header_len : 0, &f);
    if (!f.root || !f.parent || !f.root_n || !f.parent_n) return 0;
    if (f.sampled && f.sampled_n == 1 && f.sampled[0] == '0') return 0;
    for (tn = 0; tn < f.root_n; tn++) /* ids are printable ASCII; anything else is not a header */
        if ((unsigned char)f.root[tn] <= 0x20 || (unsigned char)f.root[tn] >= 0x7f) return 0;
    for (tn = 0; tn < f.parent_n; tn++)
        if ((unsigned char)f.parent[tn] <= 0x20 || (unsigned char)f.parent[tn] >= 0x7f) return 0;
    if (now_ns < 0) now_ns = 0;
    sec = now_ns / 1000000000;
    ms = now_ns / 1000000 % 1000;
    tn = dd__sls_dec((uint64_t)sec, t);
    if (ms) {
        t[tn++] = '.';
        t[tn++] = (char)('0' + ms / 100);
        t[tn++] = (char)('0' + ms / 10 % 10);
        t[tn++] = (char)('0' + ms % 10);
        while (t[tn - 1] == '0') tn--;
    }
    memset(&w, 0, sizeof w);
    w.out = out;
    w.cap = cap;
    DD__SLS_RAW(&w, "{\"format\": \"json\", \"version\": 1}\n{\"id\":");
    dd__sls_jw_str(&w, id ? id : "", id ? id_len : 0);
    DD__SLS_RAW(&w, ",\"trace_id\":");
    dd__sls_jw_str(&w, f.root, f.root_n);
    DD__SLS_RAW(&w, ",\"parent_id\":");
    dd__sls_jw_str(&w, f.parent, f.parent_n);
    DD__SLS_RAW(&w, ",\"name\":\"datadog-metadata\",\"start_time\":");
    dd__sls_jw_raw(&w, t, tn);
    DD__SLS_RAW(&w, ",\"end_time\":");
    dd__sls_jw_raw(&w, t, tn);
    DD__SLS_RAW(&w, ",\"type\":\"subsegment\",\"metadata\":{\"datadog\":{");
    dd__sls_jw_str(&w, key ? key : "", key ? key_len : 0);
    DD__SLS_RAW(&w, ":");
    dd__sls_jw_raw(&w, value_json ? value_json : "null", value_json ? value_len : 4);
    DD__SLS_RAW(&w, "}}}");
    if (out && cap) out[w.len < cap ? w.len : 0] = 0;
    return w.len;
}

DD_API int dd_xray_send_metadata(const dd_lambda_config *cfg, const char *key, size_t key_len,
                                 const char *value_json, size_t value_len) {
    char buf[2048], id[17];
    const char *h;
    int64_t now;
    uint64_t r;
    size_t n, i;
    if (!cfg || !cfg->send_fn) return DD_ERR_DISABLED;
    h = dd__sls_getenv(cfg, "_X_AMZN_TRACE_ID");
    if (!h) return DD_ERR_NOT_FOUND;
    now = cfg->wall_ns_fn ? cfg->wall_ns_fn(cfg->hook_user) : (int64_t)time(NULL) * 1000000000;
    if (cfg->random_fn) {
        r = cfg->random_fn(cfg->hook_user);
    } else { /* not random, only distinct: a hash of the time and the header */
        uint8_t d[32];
        char seed[64 + 21];
        size_t hn = strlen(h) < 64 ? strlen(h) : 64;
        memcpy(seed, h, hn);
        n = dd__sls_dec((uint64_t)now, seed + hn);
        dd_sha256(seed, hn + n, d);
        for (r = 0, i = 0; i < 8; i++) r = (r << 8) | d[i];
    }
    for (i = 0; i < 16; i++) id[i] = "0123456789abcdef"[(r >> (60 - 4 * i)) & 15];
    id[16] = 0;
    n = dd_xray_subsegment(buf, sizeof buf, h, strlen(h), id, 16, now, key, key_len, value_json, value_len);
    if (n == 0) return DD_ERR_NOT_FOUND;
    if (n >= sizeof buf) return DD_ERR_LIMIT;
    return cfg->send_fn(cfg->hook_user, buf, n) == 0 ? DD_OK : DD_ERR_TRANSPORT;
}

DD_API int dd_lambda_send_trace_metadata(const dd_lambda_config *cfg, const dd_trace_context *ctx, int context_source) {
    dd__sls_jw w;
    char buf[160], num[24];
    size_t n;
    if (!cfg || !cfg->send_fn) return DD_ERR_DISABLED;
    if (!ctx || context_source != DD_LAMBDA_CONTEXT_EVENT || !dd__sls_ctx_complete(ctx)) return DD_ERR_NOT_FOUND;
    memset(&w, 0, sizeof w);
    w.out = buf;
    w.cap = sizeof buf;
    DD__SLS_RAW(&w, "{");
    n = dd__sls_dec(ctx->trace_id.lo, num);
    dd__sls_jw_set(&w, "trace-id", 8, num, n);
    n = dd__sls_dec(ctx->parent_id, num);
    dd__sls_jw_set(&w, "parent-id", 9, num, n);
    if (ctx->sampling_priority != DD_PRIORITY_UNSET) {
        int32_t p = ctx->sampling_priority;
        if (p < 0) {
            n = dd__sls_dec((uint64_t)(-(int64_t)p), num + 1);
            num[0] = '-';
            n++;
        } else {
            n = dd__sls_dec((uint64_t)p, num);
        }
        dd__sls_jw_set(&w, "sampling-priority", 17, num, n);
    }
    DD__SLS_RAW(&w, "}");
    return dd_xray_send_metadata(cfg, "trace", 5, buf, w.len);
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/*--- invocation state ---*/
/* With `#define DD_API static` an unused public function must not warn (as the tracer part). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

#define DD__LAM_PROACTIVE_NS INT64_C(10000000000) /* docs/lambda.md §7.5: EXT PROACTIVE_INITIALIZATION_THRESHOLD_MS */
#define DD__LAM_NAME_MAX 256

/* An invocation between start and end: found again by its aws.lambda span. */
#define DD__LAM_ERR_MAX 1024 /* error type, message, stack kept for the end-invocation headers */
typedef struct dd__lam_inv {
    struct dd__lam_inv *next;
    dd_span *lambda;
    dd_span *inferred;    /* NULL when none */
    int64_t lambda_start; /* async inferred spans end here */
    int inferred_async;
    int http;             /* http.status_code from the response */
    /* the X-Ray "lambda_function_tags" subsegment (only with config->send_fn): the trigger tags as
     * a JSON object without its closing brace, and the invocation's own X-Ray header */
    size_t tags_len;      /* 0 = nothing to send */
    char tags_json[1536];
    char xray[256];       /* "" = _X_AMZN_TRACE_ID through getenv_fn */
    /* the enhanced metrics' tags (Forwarder mode): n_enh NUL-terminated strings one after another */
    size_t n_enh;
    char enh_tags[768];
    /* universal instrumentation: the request id, and whether the Extension answered a context */
    char request_id[128];
    int ui, ui_adopted;
    char err_type[DD__LAM_ERR_MAX], err_msg[DD__LAM_ERR_MAX], err_stack[DD__LAM_ERR_MAX]; /* "" = none */
    /* Working storage, so that no call holds these on its stack (16 KiB per call, dd_lambda.h STACK):
     * dd_lambda_start_invocation extracts into ext, derives parent, describes the trigger in trig
     * when the caller gives none, and decodes nested payloads in room; dd_lambda_end_invocation
     * reads the root's context into ext and encodes the error headers in room. */
    dd_trace_context ext, parent;
    dd_lambda_trigger trig;
    char room[DD__SLS_ROOM];
} dd__lam_inv;

/* payload capture limits (see "payload capture") */
#define DD__CAP_DEPTH_MAX 32
#define DD__CAP_TAGS 1000
#define DD__CAP_KEY 512
#define DD__CAP_CHARS 5000 /* code points kept of a string value, as the official libraries */

struct dd_lambda {
    dd_tracer *t;
    dd_lambda_config cfg;
    int managed_services, service_representation, logs_injection, log_128bit, managed_instances;
    int cold_start_tracing;
    int64_t init_ns, min_cold_start_ns;
    char function_name[DD__LAM_NAME_MAX]; /* "" = take it from each invoked ARN */
    char service[DD__LAM_NAME_MAX];       /* "" = not configured */
    char *mapping;                        /* DD_SERVICE_MAPPING, NUL-terminated, or NULL */
    size_t mapping_size;
    int mode, enhanced, ui;                /* DD_LAMBDA_MODE_*; enhanced metrics; universal instrumentation */
    dd_datagram_fn statsd_fn;
    void *statsd_user;
    dd_lambda_write_fn write_fn;
    void *write_user;
    dd_lambda_extension_api ext;
    char memorysize[16];                   /* AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "" = unknown */
    char fn_version[32];                   /* AWS_LAMBDA_FUNCTION_VERSION */
    int capture, capture_depth;            /* DD_CAPTURE_LAMBDA_PAYLOAD, _MAX_DEPTH (0..32) */
    pthread_mutex_t lock; /* guards started, live, spare, capture_cut */
    uint64_t capture_cut;                  /* captures cut by a limit (tags, key, room) */
    int started;          /* an invocation has started: later ones are warm */
    dd__lam_inv *live, *spare;
};

/*--- helpers ---*/
DD__PRIVATE const char *dd__lam_env(const dd_lambda_config *c, const char *name) {
    if (c->getenv_fn) return c->getenv_fn(c->hook_user, name);
    return getenv(name);
}
/* A tri-state option: code (DD_ON/DD_OFF) beats the variable ("true"/"1", "false"/"0", any case);
 * anything else keeps the default. */
DD__PRIVATE int dd__lam_flag(const dd_lambda_config *c, int code, const char *name, int def) {
    const char *v;
    if (code == DD_ON) return 1;
    if (code == DD_OFF) return 0;
    v = dd__lam_env(c, name);
    if (!v) return def;
    if (dd__t_ieq(v, "true") || strcmp(v, "1") == 0) return 1;
    if (dd__t_ieq(v, "false") || strcmp(v, "0") == 0) return 0;
    return def;
}
/* Copies s into dst[cap] when it fits (else ""); returns the length kept. */
DD__PRIVATE size_t dd__lam_copy(char *dst, size_t cap, const char *s, size_t n) {
    if (!s || n >= cap) n = 0;
    if (n) memcpy(dst, s, n);
    dst[n] = 0;
    return n;
}
DD__PRIVATE int dd__lam_is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
/* s[0..*n) without surrounding whitespace (Python's str.strip). */
DD__PRIVATE const char *dd__lam_strip(const char *s, size_t *n) {
    while (*n && dd__lam_is_space((unsigned char)s[0])) s++, (*n)--;
    while (*n && dd__lam_is_space((unsigned char)s[*n - 1])) (*n)--;
    return s;
}

/* DD_SERVICE_MAPPING lookup as datadog-lambda-python's create_service_mapping reads it: entries
 * split on ',', each exactly one ':', key and value stripped, both non-empty and different; a
 * later entry with the same key wins. Returns the value's length (0 = no mapping). */
DD__PRIVATE size_t dd__lam_map(const dd_lambda *l, const char *key, size_t key_len, const char **val) {
    const char *p = l->mapping, *found = NULL;
    size_t found_n = 0;
    if (!p || !key_len) return 0;
    while (*p) {
        const char *e = strchr(p, ',');
        const char *c, *k, *v;
        size_t n = e ? (size_t)(e - p) : strlen(p), kn, vn;
        c = (const char *)memchr(p, ':', n);
        if (c && !memchr(c + 1, ':', (size_t)(p + n - c - 1))) {
            kn = (size_t)(c - p);
            vn = (size_t)(p + n - c - 1);
            k = dd__lam_strip(p, &kn);
            v = dd__lam_strip(c + 1, &vn);
            if (kn && vn && !(kn == vn && memcmp(k, v, kn) == 0) && kn == key_len && memcmp(k, key, kn) == 0) {
                found = v;
                found_n = vn;
            }
        }
        p += n;
        if (*p == ',') p++;
    }
    *val = found;
    return found_n;
}

/* The service of an inferred span (datadog-lambda-python determine_service_name): the mapping of
 * the specific key (api id, queue, topic, stream, table, bucket, event source), then of the
 * generic key (lambda_sqs, ...), then, with service representation off, the generic fallback,
 * else the instance name (stripped) or the fallback when it is empty. */
DD__PRIVATE void dd__lam_service(const dd_lambda *l, const char *span_name, const char *specific, const char *instance,
                                 char *out, size_t cap) {
    static const char *const kinds[][3] = {
        /* span name prefix, generic key, fallback ("" = the instance name, as the HTTP kinds) */
        {"aws.apigateway", "lambda_api_gateway", ""}, {"aws.httpapi", "lambda_api_gateway", ""},
        {"aws.lambda.url", "lambda_url", ""},         {"aws.alb", "lambda_alb", ""},
        {"aws.sqs", "lambda_sqs", "sqs"},             {"aws.sns", "lambda_sns", "sns"},
        {"aws.kinesis", "lambda_kinesis", "kinesis"}, {"aws.dynamodb", "lambda_dynamodb", "dynamodb"},
        {"aws.s3", "lambda_s3", "s3"},                {"aws.eventbridge", "lambda_eventbridge", "eventbridge"}};
    const char *generic = "", *fallback = "", *v = NULL;
    size_t i, n;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strncmp(span_name, kinds[i][0], strlen(kinds[i][0])) == 0) {
            generic = kinds[i][1];
            fallback = kinds[i][2][0] ? kinds[i][2] : instance;
            break;
        }
    }
    if ((n = dd__lam_map(l, specific, strlen(specific), &v)) != 0 || (n = dd__lam_map(l, generic, strlen(generic), &v)) != 0) {
        dd__lam_copy(out, cap, v, n);
        return;
    }
    if (!l->service_representation) {
        dd__lam_copy(out, cap, fallback, strlen(fallback));
        return;
    }
    n = strlen(instance);
    v = dd__lam_strip(instance, &n);
    if (n) dd__lam_copy(out, cap, v, n);
    else dd__lam_copy(out, cap, fallback, strlen(fallback));
}

/* Hooks of one invocation when it brings its own X-Ray header (Lambda-Runtime-Trace-Id): every
 * hook of the caller's config sees its own hook_user, and _X_AMZN_TRACE_ID reads the header. */
typedef struct dd__lam_hooks {
    const dd_lambda_config *orig;
    const char *xray;
} dd__lam_hooks;
DD__PRIVATE const char *dd__lam_h_getenv(void *u, const char *name) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    if (strcmp(name, "_X_AMZN_TRACE_ID") == 0) return h->xray;
    return dd__lam_env(h->orig, name);
}
DD__PRIVATE int64_t dd__lam_h_wall(void *u) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    return h->orig->wall_ns_fn(h->orig->hook_user);
}
DD__PRIVATE uint64_t dd__lam_h_random(void *u) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    return h->orig->random_fn(h->orig->hook_user);
}
DD__PRIVATE int dd__lam_h_send(void *u, const char *data, size_t len) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    return h->orig->send_fn(h->orig->hook_user, data, len);
}

DD__PRIVATE int dd__lam_is_http(int event_source) {
    return event_source == DD_LAMBDA_EVENT_API_GATEWAY || event_source == DD_LAMBDA_EVENT_ALB ||
           event_source == DD_LAMBDA_EVENT_FUNCTION_URL;
}

/* Tags every inferred span carries (docs/lambda.md §8; datadog-lambda-python create_inferred_span_*). */
DD__PRIVATE void dd__lam_inferred_tags(dd_span *s, const char *operation, const char *resource, int async,
                                       const char *request_id) {
    if (operation) dd_span_set_tag(s, "operation_name", operation);
    dd_span_set_tag(s, "resource_names", resource);
    dd_span_set_kind(s, "server");
    if (request_id && request_id[0]) dd_span_set_tag(s, "request_id", request_id);
    dd_span_set_tag(s, "_inferred_span.tag_source", "self");
    dd_span_set_tag(s, "_inferred_span.synchronicity", async ? "async" : "sync");
    dd_span_set_tag(s, "_dd.origin", "lambda");
    dd_span_set_metric(s, "_dd._inferred_span", 1.0);
}

/*--- lifecycle ---*/
DD_API dd_lambda *dd_lambda_new(dd_tracer *t, const dd_lambda_options *opts) {
    dd_lambda_options zero;
    dd_lambda *l;
    const char *v;
    if (!t) return NULL;
    if (!opts || (opts->size && opts->size < sizeof zero)) { /* an older caller's shorter layout */
        memset(&zero, 0, sizeof zero);
        if (opts) memcpy(&zero, opts, opts->size);
        opts = &zero;
    }
    l = (dd_lambda *)dd__alloc(&t->alloc, sizeof *l);
    if (!l) return NULL;
    memset(l, 0, sizeof *l);
    l->t = t;
    if (opts->config) l->cfg = *opts->config;
    l->cfg.invoked_function_arn = NULL;
    if (!l->cfg.propagation) l->cfg.propagation = &t->prop; /* the tracer's DD_TRACE_PROPAGATION_STYLE* */
    l->managed_services = dd__lam_flag(&l->cfg, opts->managed_services, "DD_TRACE_MANAGED_SERVICES", 1);
    l->service_representation =
        dd__lam_flag(&l->cfg, opts->service_representation, "DD_TRACE_AWS_SERVICE_REPRESENTATION_ENABLED", 1);
    l->logs_injection = dd__lam_flag(&l->cfg, opts->logs_injection, "DD_LOGS_INJECTION", 1);
    l->log_128bit = dd__lam_flag(&l->cfg, opts->log_128bit, "DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED", 1);
    /* on unless asked off, as datadog-lambda-python and -js (docs/lambda.md §9; the README says so) */
    l->cold_start_tracing = dd__lam_flag(&l->cfg, opts->cold_start_tracing, "DD_COLD_START_TRACING", 1);
    l->min_cold_start_ns = INT64_C(3000000); /* datadog-lambda-python/-js default: 3 ms */
    if (opts->min_cold_start_duration_ms) {
        l->min_cold_start_ns = opts->min_cold_start_duration_ms < 0 ? 0 : (int64_t)opts->min_cold_start_duration_ms * 1000000;
    } else if ((v = dd__lam_env(&l->cfg, "DD_MIN_COLD_START_DURATION")) != NULL) {
        int64_t ms = 0;
        size_t i;
        for (i = 0; v[i] >= '0' && v[i] <= '9' && i < 9; i++) ms = ms * 10 + (v[i] - '0');
        if (i > 0 && v[i] == 0) l->min_cold_start_ns = ms * 1000000; /* else the default stays */
    }
    l->capture = dd__lam_flag(&l->cfg, 0, "DD_CAPTURE_LAMBDA_PAYLOAD", 0);
    l->capture_depth = 10; /* the official default */
    if ((v = dd__lam_env(&l->cfg, "DD_CAPTURE_LAMBDA_PAYLOAD_MAX_DEPTH")) != NULL) {
        int d = 0;
        size_t i;
        for (i = 0; v[i] >= '0' && v[i] <= '9' && i < 6; i++) d = d * 10 + (v[i] - '0');
        if (i > 0 && v[i] == 0) l->capture_depth = d > DD__CAP_DEPTH_MAX ? DD__CAP_DEPTH_MAX : d;
    }
    v = dd__lam_env(&l->cfg, "AWS_LAMBDA_INITIALIZATION_TYPE");
    l->managed_instances = v && strcmp(v, "lambda-managed-instances") == 0;
    v = opts->function_name ? opts->function_name : dd__lam_env(&l->cfg, "AWS_LAMBDA_FUNCTION_NAME");
    if (v) dd__lam_copy(l->function_name, sizeof l->function_name, v, strlen(v));
    v = opts->service ? opts->service : dd__lam_env(&l->cfg, "DD_SERVICE");
    if (v) dd__lam_copy(l->service, sizeof l->service, v, strlen(v));
    v = opts->service_mapping ? opts->service_mapping : dd__lam_env(&l->cfg, "DD_SERVICE_MAPPING");
    if (v && v[0]) {
        size_t n = strlen(v);
        l->mapping = (char *)dd__alloc(&t->alloc, n + 1);
        if (l->mapping) {
            memcpy(l->mapping, v, n + 1);
            l->mapping_size = n + 1;
        }
    }
    l->init_ns = opts->init_ns ? opts->init_ns : t->wall_ns_fn(t->clock_user);
    /* the delivery mode: the Extension when its file exists (docs/lambda.md §11.1) */
    l->mode = opts->mode == DD_LAMBDA_MODE_EXTENSION || opts->mode == DD_LAMBDA_MODE_FORWARDER ? opts->mode : 0;
    if (!l->mode) {
        FILE *f = fopen(opts->extension_path ? opts->extension_path : DD_LAMBDA_EXTENSION_PATH, "rb");
        l->mode = f ? DD_LAMBDA_MODE_EXTENSION : DD_LAMBDA_MODE_FORWARDER;
        if (f) fclose(f);
    }
    l->statsd_fn = opts->statsd_fn;
    l->statsd_user = opts->statsd_user;
    l->write_fn = opts->write_fn;
    l->write_user = opts->write_user;
    l->enhanced = dd__lam_flag(&l->cfg, opts->enhanced_metrics, "DD_ENHANCED_METRICS", 1);
    l->ext = opts->extension;
    if (!l->ext.timeout_ms) l->ext.timeout_ms = 1000;
    l->ui = l->mode == DD_LAMBDA_MODE_EXTENSION && l->ext.request_fn &&
            dd__lam_flag(&l->cfg, opts->universal_instrumentation, "DD_UNIVERSAL_INSTRUMENTATION", 0);
    v = dd__lam_env(&l->cfg, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    if (v) dd__lam_copy(l->memorysize, sizeof l->memorysize, v, strlen(v));
    v = dd__lam_env(&l->cfg, "AWS_LAMBDA_FUNCTION_VERSION");
    if (v) dd__lam_copy(l->fn_version, sizeof l->fn_version, v, strlen(v));
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

DD_API void dd_lambda_free(dd_lambda *l) {
    dd_allocator a;
    dd__lam_inv *r, *next;
    int pass;
    if (!l) return;
    a = l->t->alloc;
    for (pass = 0; pass < 2; pass++) {
        for (r = pass ? l->spare : l->live; r; r = next) {
            next = r->next;
            dd__free(&a, r, sizeof *r);
        }
    }
    dd__free(&a, l->mapping, l->mapping_size);
    pthread_mutex_destroy(&l->lock);
    dd__free(&a, l, sizeof *l);
}

/* The trigger tags as datadog-lambda-python sends them in the "lambda_function_tags" subsegment
 * after the handler (docs/lambda.md §6.6): function_trigger.*, the HTTP tags, then http.status_code (added at
 * the end). Nothing when the trigger has no tags or they do not fit. */
DD__PRIVATE void dd__lam_tags_json(dd__lam_inv *rec, const dd_lambda_trigger *tr, const char *xray) {
    dd__tsb b;
    uint32_t i;
    if (tr->event_source == DD_LAMBDA_EVENT_UNKNOWN) return;
    dd__tsb_init(&b, rec->tags_json, sizeof rec->tags_json);
    dd__tsb_str(&b, "{\"function_trigger.event_source\":");
    dd__tsb_json_str(&b, dd_lambda_event_source_name(tr->event_source), strlen(dd_lambda_event_source_name(tr->event_source)));
    if (tr->event_source_arn[0]) {
        dd__tsb_str(&b, ",\"function_trigger.event_source_arn\":");
        dd__tsb_json_str(&b, tr->event_source_arn, strlen(tr->event_source_arn));
    }
    if (rec->http) dd__tsb_str(&b, ",\"span.kind\":\"server\"");
    for (i = 0; i < tr->n_trigger_tags && i < DD_LAMBDA_TRIGGER_TAGS_MAX; i++) {
        dd__tsb_str(&b, ",");
        dd__tsb_json_str(&b, tr->trigger_tags[i].key, strlen(tr->trigger_tags[i].key));
        dd__tsb_str(&b, ":");
        dd__tsb_json_str(&b, tr->trigger_tags[i].value, strlen(tr->trigger_tags[i].value));
    }
    if (b.need + 64 > sizeof rec->tags_json) return; /* room kept for http.status_code and "}" */
    rec->tags_len = b.need;
    if (xray) dd__lam_copy(rec->xray, sizeof rec->xray, xray, strlen(xray));
}

/*--- metrics ---*/
/* The shortest decimal text of v that reads back as v (Python's repr for the usual values). */
DD__PRIVATE size_t dd__lam_num(double v, char out[40]) {
    int prec;
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) return (size_t)snprintf(out, 40, "%" PRId64, (int64_t)v);
    for (prec = 15; prec < 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v);
        if (strtod(out, NULL) == v) break;
    }
    return (size_t)snprintf(out, 40, "%.*g", prec, v);
}
/* The libraries' tag rule: [\w\d_\-:/.] kept, any other ASCII byte -> '_' (non-ASCII kept). */
DD__PRIVATE char dd__lam_tag_char(unsigned char c) {
    if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '-' || c == ':' || c == '/' || c == '.')
        return (char)c;
    return '_';
}
DD__PRIVATE char dd__lam_name_char(unsigned char c) {
    if (c < 0x20 || c == 0x7f || c == ':' || c == '|' || c == '@' || c == '#' || c == ',' || c == ' ') return '_';
    return (char)c;
}
DD__PRIVATE int dd__lam_metric_ok(const char *name, double value, const char *const *tags, size_t n_tags) {
    if (!name || !name[0] || value != value || value - value != 0) return 0;
    if (n_tags > DD_LAMBDA_METRIC_TAGS_MAX || (n_tags && !tags)) return 0;
    return 1;
}
DD_API size_t dd_dogstatsd_distribution(char *out, size_t cap, const char *name, double value,
                                        const char *const *tags, size_t n_tags, int64_t timestamp_s) {
    dd__tsb sb;
    char num[40];
    size_t i, j, first = 1;
    if (!dd__lam_metric_ok(name, value, tags, n_tags)) {
        if (out && cap) out[0] = 0;
        return 0;
    }
    dd__tsb_init(&sb, out, cap);
    for (i = 0; name[i]; i++) {
        char c = dd__lam_name_char((unsigned char)name[i]);
        dd__tsb_add(&sb, &c, 1);
    }
    dd__tsb_add(&sb, ":", 1);
    dd__tsb_add(&sb, num, dd__lam_num(value, num));
    dd__tsb_add(&sb, "|d", 2);
    for (i = 0; i < n_tags; i++) {
        if (!tags[i] || !tags[i][0]) continue;
        dd__tsb_add(&sb, first ? "|#" : ",", first ? 2u : 1u);
        first = 0;
        for (j = 0; tags[i][j]; j++) {
            char c = dd__lam_tag_char((unsigned char)tags[i][j]);
            dd__tsb_add(&sb, &c, 1);
        }
    }
    if (timestamp_s > 0) {
        dd__tsb_add(&sb, "|T", 2);
        dd__tsb_add(&sb, num, (size_t)snprintf(num, sizeof num, "%" PRId64, timestamp_s));
    }
    if (sb.need >= cap && out && cap) out[0] = 0;
    return sb.need;
}
/* A JSON string as ujson writes it: '"' '\\' escaped, controls as \uXXXX (\n \r \t \b \f short),
 * '/' kept, non-ASCII UTF-8 as \uXXXX (surrogate pairs above U+FFFF; an invalid byte as U+FFFD).
 * `map` normalises each ASCII byte first. */
DD__PRIVATE void dd__lam_json_str(dd__tsb *sb, const char *s, char (*map)(unsigned char)) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    dd__tsb_add(sb, "\"", 1);
    while (s[i]) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t n, k;
        char u[12];
        if (c < 0x80) {
            char m = map((unsigned char)c);
            if (m == '"' || m == '\\') { dd__tsb_add(sb, "\\", 1); dd__tsb_add(sb, &m, 1); }
            else if (m == '\n') dd__tsb_add(sb, "\\n", 2);
            else if (m == '\r') dd__tsb_add(sb, "\\r", 2);
            else if (m == '\t') dd__tsb_add(sb, "\\t", 2);
            else if ((unsigned char)m < 0x20 || m == 0x7f) {
                u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0'; u[4] = hex[((unsigned char)m) >> 4]; u[5] = hex[m & 15];
                dd__tsb_add(sb, u, 6);
            } else dd__tsb_add(sb, &m, 1);
            i++;
            continue;
        }
        n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        if (c >= 0xf5) n = 0;
        cp = n == 4 ? c & 7u : n == 3 ? c & 15u : c & 31u;
        for (k = 1; k < n; k++) {
            unsigned char d = (unsigned char)s[i + k];
            if ((d & 0xc0) != 0x80) { n = 0; break; }
            cp = (cp << 6) | (d & 0x3fu);
        }
        if (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) n = 0;
        if (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) n = 0;
        if (!n) { cp = 0xfffd; n = 1; }
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000, hi = 0xd800 + (v >> 10), lo = 0xdc00 + (v & 0x3ff);
            snprintf(u, sizeof u, "\\u%04x", (unsigned)hi);
            dd__tsb_add(sb, u, 6);
            snprintf(u, sizeof u, "\\u%04x", (unsigned)lo);
            dd__tsb_add(sb, u, 6);
        } else {
            snprintf(u, sizeof u, "\\u%04x", (unsigned)cp);
            dd__tsb_add(sb, u, 6);
        }
        i += n;
    }
    dd__tsb_add(sb, "\"", 1);
}
DD_API size_t dd_lambda_metric_line(char *out, size_t cap, const char *name, double value,
                                    const char *const *tags, size_t n_tags, int64_t timestamp_s) {
    dd__tsb sb;
    char num[40];
    size_t i, first = 1;
    if (!dd__lam_metric_ok(name, value, tags, n_tags)) {
        if (out && cap) out[0] = 0;
        return 0;
    }
    dd__tsb_init(&sb, out, cap);
    dd__tsb_add(&sb, "{\"m\":", 5);
    dd__lam_json_str(&sb, name, dd__lam_name_char);
    dd__tsb_add(&sb, ",\"v\":", 5);
    dd__tsb_add(&sb, num, dd__lam_num(value, num));
    dd__tsb_add(&sb, ",\"e\":", 5);
    dd__tsb_add(&sb, num, (size_t)snprintf(num, sizeof num, "%" PRId64, timestamp_s));
    dd__tsb_add(&sb, ",\"t\":[", 6);
    for (i = 0; i < n_tags; i++) {
        if (!tags[i] || !tags[i][0]) continue;
        if (!first) dd__tsb_add(&sb, ",", 1);
        first = 0;
        dd__lam_json_str(&sb, tags[i], dd__lam_tag_char);
    }
    dd__tsb_add(&sb, "]}\n", 3);
    if (sb.need >= cap && out && cap) out[0] = 0;
    return sb.need;
}
DD__PRIVATE int dd__lam_write_line(dd_lambda_write_fn fn, void *user, const char *line, size_t len) {
    if (fn) return fn(user, line, len);
    if (fwrite(line, 1, len, stdout) != len) return -1;
    return fflush(stdout) == 0 ? 0 : -1;
}
DD__PRIVATE int dd__lam_metric(dd_lambda *l, const char *name, double value, const char *const *tags, size_t n_tags,
                               int64_t timestamp_s) {
    char buf[DD_LAMBDA_METRIC_DATAGRAM_MAX + 1];
    int64_t now_s;
    size_t n;
    if (!l || !dd__lam_metric_ok(name, value, tags, n_tags)) return n_tags > DD_LAMBDA_METRIC_TAGS_MAX && l ? DD_ERR_LIMIT : DD_ERR_INVALID_ARG;
    now_s = l->t->wall_ns_fn(l->t->clock_user) / INT64_C(1000000000);
    if (timestamp_s > 0 && timestamp_s < now_s - DD_LAMBDA_METRIC_MAX_AGE_S) return DD_ERR_LIMIT;
    if (l->mode == DD_LAMBDA_MODE_EXTENSION) {
        if (!l->statsd_fn) return DD_ERR_DISABLED;
        n = dd_dogstatsd_distribution(buf, sizeof buf, name, value, tags, n_tags, timestamp_s);
        if (!n || n >= sizeof buf) return DD_ERR_LIMIT;
        return l->statsd_fn(l->statsd_user, buf, n) == 0 ? DD_OK : DD_ERR_TRANSPORT;
    }
    n = dd_lambda_metric_line(buf, sizeof buf, name, value, tags, n_tags, timestamp_s > 0 ? timestamp_s : now_s);
    if (!n || n >= sizeof buf) return DD_ERR_LIMIT;
    return dd__lam_write_line(l->write_fn, l->write_user, buf, n) == 0 ? DD_OK : DD_ERR_TRANSPORT;
}
DD_API int dd_lambda_metric(dd_lambda *l, const char *name, double value, const char *const *tags, size_t n_tags,
                            int64_t timestamp_s) {
    return dd__lam_metric(l, name, value, tags, n_tags, timestamp_s);
}
DD_API int dd_lambda_mode(const dd_lambda *l) { return l ? l->mode : 0; }
/* The enhanced metrics of one invocation (Forwarder mode; docs/delivery.md §4.4, Python's
 * choices): invocations 1, and errors 1 for a failed invocation, with the invocation's tags. */
DD__PRIVATE void dd__lam_enhanced(dd_lambda *l, const dd__lam_inv *rec, int is_error) {
    const char *tags[8];
    size_t n = 0, i;
    const char *p = rec->enh_tags;
    if (!l->enhanced || l->mode != DD_LAMBDA_MODE_FORWARDER) return;
    for (i = 0; i < rec->n_enh && n < 8; i++) {
        tags[n++] = p;
        p += strlen(p) + 1;
    }
    dd__lam_metric(l, "aws.lambda.enhanced.invocations", 1, tags, n, 0);
    if (is_error) dd__lam_metric(l, "aws.lambda.enhanced.errors", 1, tags, n, 0);
}


/*--- forwarder ---*/
/* A growable text buffer on the forwarder's allocator; `bad` after a failed allocation. */
typedef struct dd__lam_gb {
    const dd_allocator *a;
    char *p;
    size_t n, cap;
    int bad;
} dd__lam_gb;
/* Room for n more bytes (and a NUL); 0, or -1 when out of memory. */
DD__PRIVATE int dd__lam_gb_room(dd__lam_gb *b, size_t n) {
    if (b->bad) return -1;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *q;
        while (cap < b->n + n + 1) cap *= 2;
        q = (char *)dd__alloc(b->a, cap);
        if (!q) { b->bad = 1; return -1; }
        if (b->n) memcpy(q, b->p, b->n);
        dd__free(b->a, b->p, b->cap);
        b->p = q;
        b->cap = cap;
    }
    return 0;
}
DD__PRIVATE void dd__lam_gb_add(dd__lam_gb *b, const char *s, size_t n) {
    if (dd__lam_gb_room(b, n) != 0) return;
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
/* The msgpack value at r as JSON text (dd_mp_to_json), then past it. */
DD__PRIVATE int dd__lam_gb_value(dd__lam_gb *b, dd_mp_reader *r) {
    const uint8_t *from = r->p;
    size_t need;
    if (dd_mp_skip(r) != DD_OK) return -1;
    need = dd_mp_to_json(from, (size_t)(r->p - from), NULL, 0);
    if (!need) return -1;
    if (dd__lam_gb_room(b, need) != 0) return -1;
    dd_mp_to_json(from, (size_t)(r->p - from), b->p + b->n, need + 1);
    b->n += need;
    return 0;
}
/* The trace's _dd.p.tid (16 hex digits) from any span's meta, or "" (does not move r). */
DD__PRIVATE void dd__lam_find_tid(dd_mp_reader r, uint32_t n_spans, char tid[17]) {
    uint32_t i, k, n, m, j;
    const char *s;
    uint32_t len;
    tid[0] = 0;
    for (i = 0; i < n_spans; i++) {
        if (dd_mp_read_map(&r, &n) != DD_OK) return;
        for (k = 0; k < n; k++) {
            if (dd_mp_read_str(&r, &s, &len) != DD_OK) return;
            if (len == 4 && memcmp(s, "meta", 4) == 0 && dd_mp_peek_type(&r) == DD_MP_MAP) {
                dd_mp_read_map(&r, &m);
                for (j = 0; j < m; j++) {
                    const char *v;
                    uint32_t vl;
                    if (dd_mp_read_str(&r, &s, &len) != DD_OK) return;
                    if (len == 9 && memcmp(s, "_dd.p.tid", 9) == 0 && dd_mp_peek_type(&r) == DD_MP_STR) {
                        dd_mp_read_str(&r, &v, &vl);
                        if (vl == 16) { memcpy(tid, v, 16); tid[16] = 0; return; }
                    } else if (dd_mp_skip(&r) != DD_OK) return;
                }
            } else if (dd_mp_skip(&r) != DD_OK) return;
        }
    }
}
/* One span map as the Forwarder's JSON object (ids as lower-case hex). 0, or -1 for a bad span. */
DD__PRIVATE int dd__lam_span_json(dd__lam_gb *b, dd_mp_reader *r, const char *tid) {
    uint32_t n, k, len;
    const char *key;
    static const char hex[] = "0123456789abcdef";
    if (dd_mp_read_map(r, &n) != DD_OK) return -1;
    dd__lam_gb_add(b, "{", 1);
    for (k = 0; k < n; k++) {
        if (dd_mp_read_str(r, &key, &len) != DD_OK) return -1;
        if (k) dd__lam_gb_add(b, ",", 1);
        dd__lam_gb_add(b, "\"", 1);
        dd__lam_gb_add(b, key, len); /* the tracer's own key names: plain ASCII */
        dd__lam_gb_add(b, "\":", 2);
        if ((len == 8 && memcmp(key, "trace_id", 8) == 0) || (len == 7 && memcmp(key, "span_id", 7) == 0) ||
            (len == 9 && memcmp(key, "parent_id", 9) == 0)) {
            uint64_t id;
            char h[36];
            int i, o = 0;
            if (dd_mp_read_u64(r, &id) != DD_OK) return -1;
            h[o++] = '"';
            if (key[0] == 't' && tid[0]) { memcpy(h + o, tid, 16); o += 16; }
            for (i = 15; i >= 0; i--) h[o + 15 - i] = hex[(id >> (i * 4)) & 15];
            o += 16;
            h[o++] = '"';
            dd__lam_gb_add(b, h, (size_t)o);
        } else if (dd__lam_gb_value(b, r) != 0) {
            return -1;
        }
    }
    dd__lam_gb_add(b, "}", 1);
    return b->bad ? -1 : 0;
}
DD_API int dd_lambda_forwarder_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    if (!resp) return DD_TRANSPORT_NOT_SENT; /* the NULL rule */
    dd_lambda_forwarder *f = (dd_lambda_forwarder *)user;
    dd_mp_reader r;
    uint32_t n_traces, t, n_spans, i;
    dd__lam_gb line, span;
    int rc = 0;
    resp->status = 400;
    if (!f || !req || !req->body) return DD_TRANSPORT_ANSWERED;
    memset(&line, 0, sizeof line);
    memset(&span, 0, sizeof span);
    line.a = span.a = &f->alloc;
    dd_mp_reader_init(&r, req->body, req->body_len);
    if (dd_mp_read_array(&r, &n_traces) != DD_OK) return DD_TRANSPORT_ANSWERED;
    for (t = 0; t < n_traces && rc == 0; t++) {
        char tid[17];
        size_t in_line = 0;
        if (dd_mp_read_array(&r, &n_spans) != DD_OK) { rc = -1; break; }
        dd__lam_find_tid(r, n_spans, tid);
        line.n = 0;
        for (i = 0; i < n_spans; i++) {
            span.n = 0;
            span.bad = 0;
            if (dd__lam_span_json(&span, &r, tid) != 0) {
                if (dd_mp_reader_error(&r) != DD_OK) { rc = -1; break; }
                f->dropped++;
                continue;
            }
            if (span.n + 16 > DD_LAMBDA_FORWARDER_LINE_MAX) { f->dropped++; continue; }
            if (in_line && line.n + span.n + 4 > DD_LAMBDA_FORWARDER_LINE_MAX) { /* this line is full */
                dd__lam_gb_add(&line, "]]}\n", 4);
                if (line.bad || dd__lam_write_line(f->write_fn, f->write_user, line.p, line.n) != 0) f->dropped += in_line;
                else f->lines++;
                line.n = 0;
                line.bad = 0;
                in_line = 0;
            }
            dd__lam_gb_add(&line, in_line ? "," : "{\"traces\":[[", in_line ? 1u : 12u);
            dd__lam_gb_add(&line, span.p, span.n);
            in_line++;
        }
        if (rc == 0 && in_line) {
            dd__lam_gb_add(&line, "]]}\n", 4);
            if (line.bad || dd__lam_write_line(f->write_fn, f->write_user, line.p, line.n) != 0) f->dropped += in_line;
            else f->lines++;
        }
    }
    dd__free(&f->alloc, line.p, line.cap);
    dd__free(&f->alloc, span.p, span.cap);
    if (rc == 0) {
        resp->status = 200;
        resp->body = "{\"rate_by_service\":{}}"; /* as an agent that sets no rates answers */
        resp->body_len = 22;
    }
    return DD_TRANSPORT_ANSWERED;
}


/*--- universal instrumentation ---*/
/* The Extension's lifecycle API (docs/lambda.md §11.2): requests through options.extension. */
DD__PRIVATE size_t dd__lam_b64enc(const char *in, size_t n, char *out, size_t cap) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    if ((n + 2) / 3 * 4 + 1 > cap) return 0;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = ((uint32_t)(unsigned char)in[i] << 16) | ((uint32_t)(unsigned char)in[i + 1] << 8) | (unsigned char)in[i + 2];
        out[o++] = a[v >> 18]; out[o++] = a[(v >> 12) & 63]; out[o++] = a[(v >> 6) & 63]; out[o++] = a[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)in[i + 1] << 8;
        out[o++] = a[v >> 18];
        out[o++] = a[(v >> 12) & 63];
        out[o++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = 0;
    return o;
}
DD__PRIVATE void dd__lam_hdr(dd_header *h, size_t *n, const char *name, const char *value) {
    h[*n].name = name;
    h[*n].name_len = strlen(name);
    h[*n].value = value;
    h[*n].value_len = strlen(value);
    (*n)++;
}
DD__PRIVATE int dd__lam_ext_post(dd_lambda *l, const char *path, const char *body, size_t len, const dd_header *h,
                                 size_t nh, dd_http_response *resp) {
    dd_http_request req;
    memset(&req, 0, sizeof req);
    memset(resp, 0, sizeof *resp);
    req.method = "POST";
    req.path = path;
    req.headers = h;
    req.n_headers = nh;
    req.body = (const uint8_t *)(body && len ? body : "{}");
    req.body_len = body && len ? len : 2;
    req.timeout_ms = l->ext.timeout_ms;
    return l->ext.request_fn(l->ext.user, &req, resp);
}
DD__PRIVATE const char *dd__lam_ext_header(dd_lambda *l, const char *name, size_t *n) {
    *n = 0;
    return l->ext.response_header_fn ? l->ext.response_header_fn(l->ext.user, name, n) : NULL;
}
/* POST /lambda/start-invocation with the raw event, the request id and the client context's
 * x-datadog-* members (the Extension's last resort); the context it answers goes to *out
 * (trace id, priority, _dd.p.tid; parent id = trace id, as datadog-lambda-go does). DD_OK when it
 * answered one, DD_ERR_NOT_FOUND when it answered none, DD_ERR_TRANSPORT when it did not answer. */
DD__PRIVATE int dd__lam_ui_start(dd_lambda *l, const dd_lambda_invocation *inv, dd_trace_context *out) {
    dd_header h[9];
    size_t nh = 0, n;
    char names[8][64], values[8][256];
    dd_http_response resp;
    const char *v;
    uint64_t id;
    memset(out, 0, sizeof *out);
    out->sampling_priority = DD_PRIORITY_UNSET;
    dd__lam_hdr(h, &nh, "lambda-runtime-aws-request-id", inv->request_id ? inv->request_id : "");
    if (inv->client_context && inv->client_context_len) {
        dd_json root, custom, val;
        dd_json_iter it;
        dd_json key;
        if (dd_json_parse(inv->client_context, inv->client_context_len, &root) == DD_OK &&
            dd_json_get(&root, "custom", 6, &custom) == DD_OK && custom.type == DD_JSON_OBJECT) {
            dd_json_iter_init(&it, &custom);
            while (nh < 9 && dd_json_next(&it, &key, &val) == DD_OK) {
                size_t kn = 0, vn = 0;
                if (val.type != DD_JSON_STRING || dd_json_string(&key, names[nh - 1], sizeof names[0], &kn) != DD_OK ||
                    kn < 10 || strncmp(names[nh - 1], "x-datadog-", 10) != 0 ||
                    dd_json_string(&val, values[nh - 1], sizeof values[0], &vn) != DD_OK)
                    continue;
                dd__lam_hdr(h, &nh, names[nh - 1], values[nh - 1]);
            }
        }
    }
    if (dd__lam_ext_post(l, "/lambda/start-invocation", inv->event, inv->event ? inv->event_len : 0, h, nh, &resp) !=
            DD_TRANSPORT_ANSWERED || resp.status / 100 != 2)
        return DD_ERR_TRANSPORT;
    v = dd__lam_ext_header(l, "x-datadog-trace-id", &n);
    if (!v || dd__sls_dec_u64(v, n, &id) != DD_OK || !id) return DD_ERR_NOT_FOUND;
    out->trace_id.lo = id;
    out->parent_id = id;
    v = dd__lam_ext_header(l, "x-datadog-sampling-priority", &n);
    if (v && n && n < 5) {
        int neg = v[0] == '-', p = 0;
        size_t i;
        for (i = (size_t)neg; i < n && v[i] >= '0' && v[i] <= '9'; i++) p = p * 10 + (v[i] - '0');
        if (i == n && n > (size_t)neg) out->sampling_priority = neg ? -p : p;
    }
    v = dd__lam_ext_header(l, "x-datadog-tags", &n);
    if (v && n && n <= DD_PTAGS_MAX) {
        const char *tid = NULL;
        size_t i;
        memcpy(out->ptags, v, n);
        out->ptags[n] = 0;
        out->ptags_len = (uint32_t)n;
        for (i = 0; i + 10 + 16 <= n; i++)
            if (memcmp(v + i, "_dd.p.tid=", 10) == 0 && (i == 0 || v[i - 1] == ',')) { tid = v + i + 10; break; }
        if (tid) {
            uint64_t hi = 0;
            int ok = 1;
            for (i = 0; i < 16; i++) {
                int d = dd__sls_hexval(tid[i]);
                if (d < 0) { ok = 0; break; }
                hi = hi << 4 | (uint64_t)d;
            }
            if (ok) out->trace_id.hi = hi;
        }
    }
    return DD_OK;
}
/* POST /lambda/end-invocation: the response, the request id, the root's span id, the root's
 * context when the Extension answered none at the start, the error headers (base64). */
DD__PRIVATE void dd__lam_ui_end(dd_lambda *l, dd__lam_inv *rec, dd_span *span, const char *response, size_t len,
                                int is_error) {
    dd_header h[12];
    size_t nh = 0;
    char sid[24], tid[24], pid[24], prio[8];
    char(*b64)[DD__LAM_ERR_MAX * 4 / 3 + 8] = (char(*)[DD__LAM_ERR_MAX * 4 / 3 + 8])rec->room; /* 3 of them */
    dd_trace_context *c = &rec->ext; /* the record's storage: nothing this big on the stack */
    dd_http_response resp;
    dd__lam_hdr(h, &nh, "lambda-runtime-aws-request-id", rec->request_id);
    sid[dd__t_u64_dec(dd_span_id(span), sid)] = 0;
    dd__lam_hdr(h, &nh, "x-datadog-span-id", sid);
    if (!rec->ui_adopted && dd_span_context(span, c) == DD_OK) {
        tid[dd__t_u64_dec(c->trace_id.lo, tid)] = 0;
        pid[dd__t_u64_dec(c->parent_id, pid)] = 0;
        dd__lam_hdr(h, &nh, "x-datadog-trace-id", tid);
        dd__lam_hdr(h, &nh, "x-datadog-parent-id", pid);
        if (c->sampling_priority != DD_PRIORITY_UNSET) {
            snprintf(prio, sizeof prio, "%d", (int)c->sampling_priority);
            dd__lam_hdr(h, &nh, "x-datadog-sampling-priority", prio);
        }
        if (c->ptags_len) dd__lam_hdr(h, &nh, "x-datadog-tags", c->ptags);
    }
    if (is_error) {
        dd__lam_hdr(h, &nh, "x-datadog-invocation-error", "true");
        if (rec->err_msg[0] && dd__lam_b64enc(rec->err_msg, strlen(rec->err_msg), b64[0], sizeof b64[0]))
            dd__lam_hdr(h, &nh, "x-datadog-invocation-error-msg", b64[0]);
        if (rec->err_type[0] && dd__lam_b64enc(rec->err_type, strlen(rec->err_type), b64[1], sizeof b64[1]))
            dd__lam_hdr(h, &nh, "x-datadog-invocation-error-type", b64[1]);
        if (rec->err_stack[0] && dd__lam_b64enc(rec->err_stack, strlen(rec->err_stack), b64[2], sizeof b64[2]))
            dd__lam_hdr(h, &nh, "x-datadog-invocation-error-stack", b64[2]);
    }
    dd__lam_ext_post(l, "/lambda/end-invocation", response, len, h, nh, &resp);
}
DD_API void dd_lambda_set_invocation_error(dd_lambda *l, dd_span *span, const char *type, const char *message,
                                           const char *stack) {
    dd__lam_inv *rec;
    if (!l || !span) return;
    dd_span_set_error_info(span, type, message, stack);
    pthread_mutex_lock(&l->lock);
    for (rec = l->live; rec; rec = rec->next)
        if (rec->lambda == span) break;
    pthread_mutex_unlock(&l->lock);
    if (!rec) return; /* the record is only used by the span's owner thread */
    dd__lam_copy(rec->err_type, sizeof rec->err_type, type, type ? strlen(type) : 0);
    dd__lam_copy(rec->err_msg, sizeof rec->err_msg, message, message ? strlen(message) : 0);
    dd__lam_copy(rec->err_stack, sizeof rec->err_stack, stack, stack ? strlen(stack) : 0);
}

/*--- payload capture ---*/
/* DD_CAPTURE_LAMBDA_PAYLOAD (docs/lambda.md §7.6): the event and the response flattened onto the
 * aws.lambda span as the Python library's tag_object does. The payload is hostile: the walk is
 * iterative over an explicit stack of at most DD__CAP_DEPTH_MAX frames, a capture sets at most
 * DD__CAP_TAGS tags (keys up to DD__CAP_KEY bytes; longer ones are skipped), and JSON nested in
 * strings is unescaped into the invocation's decoding room (stack-like: a nested document lives
 * until its last member is tagged); one that does not fit is tagged as a plain string. */

typedef struct dd__cap_fr {
    dd_json_iter it;
    size_t klen, idx, mark; /* key prefix length, next array index, room used before it */
    int depth;
} dd__cap_fr;

typedef struct dd__cap {
    dd_span *span;
    char *room;
    size_t cap, used;
    size_t n_tags;
    int max_depth, cut;
    char key[DD__CAP_KEY];
} dd__cap;

/* The official redactable_keys, compared with the key's last dot segment exactly (case-sensitive,
 * as both official libraries: "Authorization" is not redacted). */
DD__PRIVATE int dd__cap_redact(const char *k, size_t n) {
    static const char *const names[] = {"authorization", "x-authorization", "password", "token"};
    size_t i, s = n, m;
    while (s > 0 && k[s - 1] != '.') s--;
    if (s == n) s = 0; /* an empty last segment: the whole key (Python's `or k`) */
    m = n - s;
    for (i = 0; i < 4; i++)
        if (strlen(names[i]) == m && memcmp(names[i], k + s, m) == 0) return 1;
    return 0;
}

/* Sets one tag; the capture stops at DD__CAP_TAGS tags or when the span refuses one (its
 * max_tag_bytes: that tag is counted in tags_dropped, the rest of the payload is left out). */
DD__PRIVATE void dd__cap_tag(dd__cap *c, size_t klen, const char *v, size_t vn) {
    if (c->n_tags >= DD__CAP_TAGS) { c->cut = 1; return; }
    c->n_tags++;
    dd_span_set_tag_n(c->span, c->key, klen, v, vn);
    if (dd_span_get_tag(c->span, c->key, klen, NULL, NULL) != DD_OK) {
        c->cut = 1;
        c->n_tags = DD__CAP_TAGS; /* full: nothing more is tried */
    }
}

/* Bytes of the first DD__CAP_CHARS code points of UTF-8 text v[0..n). */
DD__PRIVATE size_t dd__cap_cut(const char *v, size_t n) {
    size_t i, cps = 0;
    for (i = 0; i < n; i++) {
        if (((unsigned char)v[i] & 0xC0) != 0x80 && cps++ == DD__CAP_CHARS) return i;
    }
    return n;
}

/* A string value that is not JSON: its first 5000 characters, or "redacted". Unescaped text is
 * borrowed from the payload when it has no escapes, else decoded into the room's free part. */
DD__PRIVATE void dd__cap_str(dd__cap *c, size_t klen, const dd_json *v) {
    const char *p = v->p + 1, *end = v->p + v->n - 1;
    unsigned char b[4];
    size_t k, n = 0, cps = 0;
    if (dd__cap_redact(c->key, klen)) { dd__cap_tag(c, klen, "redacted", 8); return; }
    if (!memchr(p, '\\', (size_t)(end - p))) { dd__cap_tag(c, klen, p, dd__cap_cut(p, (size_t)(end - p))); return; }
    while (cps < DD__CAP_CHARS && (k = dd__sls_str_step(&p, end, b)) != 0) {
        if (c->used + n + k > c->cap) { c->cut = 1; break; }
        memcpy(c->room + c->used + n, b, k);
        n += k;
        cps++;
    }
    dd__cap_tag(c, klen, c->room + c->used, n);
}

/* A string whose text may be a JSON document: unescaped into the room (at c->used) and parsed.
 * DD_OK with *out naming it (the caller then owns the room up to its end). */
DD__PRIVATE int dd__cap_nested(dd__cap *c, const dd_json *v, dd_json *out) {
    const char *p = v->p + 1, *end = v->p + v->n - 1;
    unsigned char b[4];
    size_t k, n = 0;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    if (p >= end || !(*p == '{' || *p == '[' || *p == '"' || *p == '-' || *p == 't' || *p == 'f' || *p == 'n' ||
                       (*p >= '0' && *p <= '9') || *p == '\\'))
        return DD_ERR_NOT_FOUND; /* cannot start a JSON value: a plain string */
    p = v->p + 1;
    while ((k = dd__sls_str_step(&p, end, b)) != 0) {
        if (c->used + n + k > c->cap) { c->cut = 1; return DD_ERR_BUFFER_FULL; }
        memcpy(c->room + c->used + n, b, k);
        n += k;
    }
    if (dd_json_parse(c->room + c->used, n, out) != DD_OK) return DD_ERR_MALFORMED;
    c->used += n;
    return DD_OK;
}

/* Tags one value under key[0..klen) at `depth` (tag_object); a container becomes a new frame. */
DD__PRIVATE void dd__cap_value(dd__cap *c, dd__cap_fr *st, size_t *sp, dd_json v, size_t klen, int depth) {
    size_t mark = c->used;
    for (;;) {
        if (v.type == DD_JSON_NULL) { dd__cap_tag(c, klen, "None", 4); break; } /* Python: str(None) */
        if (depth >= c->max_depth) { /* the rest as text (the JSON text, not Python's repr) */
            if (v.type == DD_JSON_STRING) { dd__cap_str(c, klen, &v); break; }
            if (dd__cap_redact(c->key, klen)) dd__cap_tag(c, klen, "redacted", 8);
            else dd__cap_tag(c, klen, v.p, dd__cap_cut(v.p, v.n));
            break;
        }
        depth++;
        if (v.type == DD_JSON_STRING) {
            dd_json in;
            if (dd__cap_nested(c, &v, &in) == DD_OK) { v = in; continue; }
            dd__cap_str(c, klen, &v);
            break;
        }
        if (v.type == DD_JSON_NUMBER) { dd__cap_tag(c, klen, v.p, v.n); break; } /* as written */
        if (v.type == DD_JSON_BOOL) { /* Python: str(True) */
            if (v.p[0] == 't') dd__cap_tag(c, klen, "True", 4);
            else dd__cap_tag(c, klen, "False", 5);
            break;
        }
        if (*sp >= DD__CAP_DEPTH_MAX) { c->cut = 1; break; } /* cannot happen: depth <= max_depth */
        dd_json_iter_init(&st[*sp].it, &v);
        st[*sp].klen = klen;
        st[*sp].idx = 0;
        st[*sp].mark = mark;
        st[*sp].depth = depth;
        (*sp)++;
        return; /* the room stays owned until the frame ends */
    }
    c->used = mark;
}

/* Flattens JSON text under prefix ("function.request"); invalid JSON sets nothing. */
DD__PRIVATE void dd__cap_walk(dd__cap *c, const char *prefix, const char *text, size_t len) {
    dd__cap_fr st[DD__CAP_DEPTH_MAX];
    size_t sp = 0, plen = strlen(prefix);
    dd_json root, k, v;
    if (!text || !len || dd_json_parse(text, len, &root) != DD_OK) return;
    memcpy(c->key, prefix, plen);
    dd__cap_value(c, st, &sp, root, plen, 0);
    while (sp > 0 && c->n_tags < DD__CAP_TAGS) {
        dd__cap_fr *f = &st[sp - 1];
        size_t klen = f->klen, kn = 0;
        if (dd_json_next(&f->it, &k, &v) != DD_OK) {
            c->used = f->mark;
            sp--;
            continue;
        }
        if (klen + 2 > DD__CAP_KEY) { c->cut = 1; f->idx++; continue; }
        c->key[klen] = '.';
        if (f->it.type == DD_JSON_ARRAY) {
            char d[24];
            size_t x = f->idx, m = 0;
            do { d[m++] = (char)('0' + x % 10); x /= 10; } while (x);
            if (klen + 1 + m > DD__CAP_KEY) { c->cut = 1; f->idx++; continue; }
            while (m) c->key[klen + 1 + kn++] = d[--m];
        } else if (dd_json_string(&k, c->key + klen + 1, DD__CAP_KEY - klen - 1, &kn) != DD_OK) {
            c->cut = 1; /* a key too long for the buffer: its value is left out */
            continue;
        }
        f->idx++;
        dd__cap_value(c, st, &sp, v, klen + 1 + kn, f->depth);
    }
    if (sp > 0) c->cut = 1;
}

/* One capture (request or response) onto span, the room as scratch; counts a cut capture. */
DD__PRIVATE void dd__lam_capture(dd_lambda *l, dd__lam_inv *rec, dd_span *span, const char *prefix, const char *text,
                                 size_t len) {
    dd__cap c;
    if (!l->capture || !rec || !span) return;
    c.span = span;
    c.room = rec->room;
    c.cap = sizeof rec->room;
    c.used = 0;
    c.n_tags = 0;
    c.max_depth = l->capture_depth;
    c.cut = 0;
    dd__cap_walk(&c, prefix, text, len);
    if (c.cut) {
        pthread_mutex_lock(&l->lock);
        l->capture_cut++;
        pthread_mutex_unlock(&l->lock);
    }
}

/*--- start ---*/
/* Starts the upstream span (when the trigger has one) and the inferred span; returns the inferred
 * span (NULL when none), *root_out the segment's root. */
DD__PRIVATE dd_span *dd__lam_start_inferred(dd_lambda *l, const dd_lambda_trigger *tr, const dd_trace_context *parent,
                                            const char *event, size_t event_len, const char *request_id,
                                            int64_t lambda_start) {
    dd_span_options so;
    dd_span *up = NULL, *inf;
    char service[DD__LAM_NAME_MAX], api_id[128];
    const char *operation = tr->span_name;
    int64_t start = tr->start_ns ? tr->start_ns : lambda_start;
    int http = dd__lam_is_http(tr->event_source);
    uint32_t i;
    api_id[0] = 0;
    if (http && tr->event_source != DD_LAMBDA_EVENT_ALB) { /* the specific DD_SERVICE_MAPPING key */
        dd_json ev, v;
        if (dd_json_parse(event, event_len, &ev) == DD_OK && dd_json_path(&ev, "requestContext.apiId", &v) == DD_OK)
            dd_json_string(&v, api_id, sizeof api_id, NULL);
    }
    /* API Gateway REST and HTTP API spans carry no operation_name (datadog-lambda-python #697) */
    if (strcmp(tr->span_name, "aws.apigateway") == 0 || strcmp(tr->span_name, "aws.httpapi") == 0) operation = NULL;
    memset(&so, 0, sizeof so);
    so.context = parent;
    if (tr->upstream_span_name[0]) {
        int authorizer = strcmp(tr->upstream_span_name, "aws.apigateway.authorizer") == 0;
        dd__lam_service(l, tr->upstream_span_name, authorizer ? api_id : tr->upstream_service, tr->upstream_service,
                        service, sizeof service);
        so.name = tr->upstream_span_name;
        so.service = service;
        so.resource = tr->upstream_resource;
        so.type = authorizer ? (tr->span_type[0] ? tr->span_type : "web") : "web";
        so.start_ns = tr->upstream_start_ns ? tr->upstream_start_ns : start;
        up = dd_span_start(l->t, &so);
        if (authorizer) { /* the API span's own tags, then its own name, always sync (Python) */
            for (i = 0; i < tr->n_tags && i < DD_LAMBDA_TAGS_MAX; i++)
                dd_span_set_tag(up, tr->tags[i].key, tr->tags[i].value);
            dd__lam_inferred_tags(up, tr->upstream_span_name, tr->upstream_resource, 0, request_id);
        } else {
            for (i = 0; i < tr->n_upstream_tags && i < DD_LAMBDA_UPSTREAM_TAGS_MAX; i++)
                dd_span_set_tag(up, tr->upstream_tags[i].key, tr->upstream_tags[i].value);
            dd__lam_inferred_tags(up, tr->upstream_span_name, tr->upstream_resource, 1, NULL);
        }
        memset(&so, 0, sizeof so);
        so.parent = up;
        if (!up) so.context = parent;
    }
    dd__lam_service(l, tr->span_name, http ? api_id : tr->service, tr->service, service, sizeof service);
    so.name = tr->span_name;
    so.service = service;
    so.resource = tr->resource;
    so.type = tr->span_type[0] ? tr->span_type : "web";
    so.start_ns = start;
    inf = dd_span_start(l->t, &so);
    for (i = 0; i < tr->n_tags && i < DD_LAMBDA_TAGS_MAX; i++) dd_span_set_tag(inf, tr->tags[i].key, tr->tags[i].value);
    dd__lam_inferred_tags(inf, operation, tr->resource, tr->is_async, http ? request_id : NULL);
    if (up) dd_span_finish_at(up, start); /* the upstream hop ends where the inferred span starts */
    return inf;
}

/* The enhanced metrics' tags of an invocation (docs/delivery.md §4.4, datadog-lambda-python's
 * get_enhanced_metrics_tags without `runtime`, which a custom runtime does not have). */
DD__PRIVATE void dd__lam_enh_tags(const dd_lambda *l, dd__lam_inv *rec, const char *const *parts, size_t n_parts,
                                  const char *arn_end, const char *name, const char *lower, int cold) {
    size_t used = 0, i, k;
    char one[300];
    const char *q = NULL;
    size_t qn = 0;
    int numeric = 1;
    rec->n_enh = 0;
    if (n_parts > 7) {
        q = parts[7];
        qn = (size_t)((n_parts > 8 ? parts[8] - 1 : arn_end) - q);
        for (k = 0; k < qn; k++)
            if (q[k] < '0' || q[k] > '9') numeric = 0;
    }
    for (i = 0; i < 8; i++) {
        one[0] = 0;
        switch (i) {
        case 0: if (n_parts > 4) snprintf(one, sizeof one, "region:%.*s", (int)(parts[4] - 1 - parts[3]), parts[3]); break;
        case 1: if (n_parts > 5) snprintf(one, sizeof one, "account_id:%.*s", (int)(parts[5] - 1 - parts[4]), parts[4]); break;
        case 2: snprintf(one, sizeof one, "functionname:%s", lower); break;
        case 3:
            if (q && qn && q[0] != '$') snprintf(one, sizeof one, "resource:%s:%.*s", name, (int)qn, q);
            else snprintf(one, sizeof one, "resource:%s", name);
            break;
        case 4: if (q && qn && q[0] != '$' && !numeric && l->fn_version[0]) snprintf(one, sizeof one, "executedversion:%s", l->fn_version); break;
        case 5: snprintf(one, sizeof one, "cold_start:%s", cold ? "true" : "false"); break;
        case 6: if (l->memorysize[0]) snprintf(one, sizeof one, "memorysize:%s", l->memorysize); break;
        default: snprintf(one, sizeof one, "datadog_lambda:v%s", DDTRACE_VERSION_STRING); break;
        }
        k = strlen(one);
        if (!k || used + k + 1 > sizeof rec->enh_tags) continue;
        memcpy(rec->enh_tags + used, one, k + 1);
        used += k + 1;
        rec->n_enh++;
    }
}

DD_API dd_span *dd_lambda_start_invocation(dd_lambda *l, const dd_lambda_invocation *inv, dd_lambda_trigger *trigger) {
    dd_lambda_config cfg;
    dd__lam_hooks hooks;
    dd_lambda_trigger *tr;
    dd_trace_context *parent;
    dd_span_options so;
    dd_span *inf = NULL, *s;
    dd__lam_inv *rec;
    char arn[DD_LAMBDA_ARN_MAX + 1], name[DD__LAM_NAME_MAX], lower[DD__LAM_NAME_MAX], service[DD__LAM_NAME_MAX];
    const char *parts[9];
    size_t arn_len, n_parts = 0, i, name_len;
    int64_t start;
    int first, proactive, have_parent, merged_xray = 0, adopted = 0;
    if (trigger) memset(trigger, 0, sizeof *trigger);
    if (!l || !inv) return NULL;
    /* the invocation's record first: it holds the contexts, the trigger and the decoding room */
    pthread_mutex_lock(&l->lock);
    rec = l->spare;
    if (rec) l->spare = rec->next;
    pthread_mutex_unlock(&l->lock);
    if (!rec) rec = (dd__lam_inv *)dd__alloc(&l->t->alloc, sizeof *rec);
    if (!rec) return NULL; /* out of memory: this invocation is not traced */
    tr = trigger ? trigger : &rec->trig;
    parent = &rec->parent;
    cfg = l->cfg;
    cfg.invoked_function_arn = inv->invoked_function_arn;
    if (inv->xray_trace_id) {
        hooks.orig = &l->cfg;
        hooks.xray = inv->xray_trace_id;
        cfg.getenv_fn = dd__lam_h_getenv;
        cfg.wall_ns_fn = l->cfg.wall_ns_fn ? dd__lam_h_wall : NULL;
        cfg.random_fn = l->cfg.random_fn ? dd__lam_h_random : NULL;
        cfg.send_fn = l->cfg.send_fn ? dd__lam_h_send : NULL;
        cfg.hook_user = &hooks;
    }
    dd__sls_extract(&cfg, inv->event, inv->event ? inv->event_len : 0, inv->client_context,
                    inv->client_context ? inv->client_context_len : 0, &rec->ext, tr, rec->room, sizeof rec->room);
    have_parent = dd_lambda_parent(&cfg, &rec->ext, tr->context_source, parent) == DD_OK;
    if (have_parent && tr->context_source == DD_LAMBDA_CONTEXT_XRAY) merged_xray = 1; /* only with merging on */
    if (l->ui) { /* the Extension extracts, infers and merges; the tracer adopts its answer (§11.2) */
        adopted = dd__lam_ui_start(l, inv, parent) == DD_OK;
        have_parent = adopted;
        merged_xray = 0;
    } else if (cfg.send_fn) {
        dd_lambda_send_trace_metadata(&cfg, &rec->ext, tr->context_source);
    }

    start = inv->start_ns ? inv->start_ns : l->t->wall_ns_fn(l->t->clock_user);
    pthread_mutex_lock(&l->lock);
    first = !l->started;
    l->started = 1;
    pthread_mutex_unlock(&l->lock);
    proactive = first && start - l->init_ns > DD__LAM_PROACTIVE_NS;

    /* the invoked ARN, lower-cased, in ':' parts (datadog-lambda-python create_function_execution_span) */
    arn_len = inv->invoked_function_arn ? strlen(inv->invoked_function_arn) : 0;
    if (arn_len > DD_LAMBDA_ARN_MAX) arn_len = 0;
    for (i = 0; i < arn_len; i++) arn[i] = (char)dd__t_lower((unsigned char)inv->invoked_function_arn[i]);
    arn[arn_len] = 0;
    parts[n_parts++] = arn;
    for (i = 0; i < arn_len && n_parts < 9; i++)
        if (arn[i] == ':') parts[n_parts++] = arn + i + 1;
    /* the function name: configured, else the ARN's (case kept), else "function" */
    name_len = strlen(l->function_name);
    if (name_len) {
        memcpy(name, l->function_name, name_len + 1);
    } else if (n_parts >= 7) {
        size_t off = (size_t)(parts[6] - arn), end = n_parts >= 8 ? (size_t)(parts[7] - arn) - 1 : arn_len;
        name_len = dd__lam_copy(name, sizeof name, inv->invoked_function_arn + off, end - off);
    }
    if (!name_len) name_len = dd__lam_copy(name, sizeof name, "function", 8);
    for (i = 0; i <= name_len; i++) lower[i] = (char)dd__t_lower((unsigned char)name[i]);
    if (l->service[0]) dd__lam_copy(service, sizeof service, l->service, strlen(l->service));
    else if (!l->service_representation) dd__lam_copy(service, sizeof service, "aws.lambda", 10);
    else dd__lam_copy(service, sizeof service, name, name_len);

    if (!l->ui && l->managed_services && tr->span_name[0])
        inf = dd__lam_start_inferred(l, tr, have_parent ? parent : NULL, inv->event, inv->event ? inv->event_len : 0,
                                     inv->request_id, start);
    if (inf) { /* from the trigger tags, as datadog-lambda-python's wrapper _after: http.route, dd_resource_key */
        for (i = 0; i < tr->n_trigger_tags && i < DD_LAMBDA_TRIGGER_TAGS_MAX; i++)
            if (strcmp(tr->trigger_tags[i].key, "http.route") == 0 && tr->trigger_tags[i].value[0])
                dd_span_set_tag(inf, "http.route", tr->trigger_tags[i].value);
        if (tr->event_source != DD_LAMBDA_EVENT_UNKNOWN && tr->event_source_arn[0])
            dd_span_set_tag(inf, "dd_resource_key", tr->event_source_arn);
    }
    memset(&so, 0, sizeof so);
    so.parent = inf;
    so.context = !inf && have_parent ? parent : NULL;
    so.name = "aws.lambda";
    so.service = service;
    so.resource = l->ui ? "dd-tracer-serverless-span" : name; /* the Extension replaces it (§11.2) */
    so.type = "serverless";
    so.start_ns = start;
    s = dd_span_start(l->t, &so);
    if (!s) {
        if (inf) dd_span_finish_at(inf, start);
        pthread_mutex_lock(&l->lock);
        rec->next = l->spare;
        l->spare = rec;
        pthread_mutex_unlock(&l->lock);
        return NULL;
    }
    dd_span_set_kind(s, "server");
    if (!l->managed_instances) dd_span_set_tag(s, "cold_start", first && !proactive ? "true" : "false");
    if (proactive && !l->managed_instances) dd_span_set_tag(s, "proactive_initialization", "true");
    if (n_parts > 7) dd_span_set_tag_n(s, "function_arn", 12, arn, (size_t)(parts[7] - arn) - 1);
    else dd_span_set_tag_n(s, "function_arn", 12, arn, arn_len);
    if (n_parts > 7) {
        size_t vn = (size_t)((n_parts > 8 ? parts[8] - 1 : arn + arn_len) - parts[7]);
        dd_span_set_tag_n(s, "function_version", 16, parts[7], vn);
    } else {
        dd_span_set_tag(s, "function_version", "$LATEST");
    }
    dd_span_set_tag(s, "request_id", inv->request_id ? inv->request_id : "");
    dd_span_set_tag(s, "resource_names", name);
    dd_span_set_tag(s, "functionname", lower);
    dd_span_set_tag(s, "datadog_lambda", DDTRACE_VERSION_STRING);
    dd_span_set_tag(s, "dd_trace", DDTRACE_VERSION_STRING);
    dd_span_set_tag(s, "span.name", "aws.lambda");
    dd_span_set_tag(s, "_dd.origin", "lambda");
    if (merged_xray) dd_span_set_tag(s, "_dd.parent_source", "xray");
    if (tr->event_source != DD_LAMBDA_EVENT_UNKNOWN) {
        dd_span_set_tag(s, "function_trigger.event_source", dd_lambda_event_source_name(tr->event_source));
        if (tr->event_source_arn[0]) dd_span_set_tag(s, "function_trigger.event_source_arn", tr->event_source_arn);
    }
    for (i = 0; i < tr->n_trigger_tags && i < DD_LAMBDA_TRIGGER_TAGS_MAX; i++)
        dd_span_set_tag(s, tr->trigger_tags[i].key, tr->trigger_tags[i].value);
    if (!l->ui && first && !proactive && !l->managed_instances && l->cold_start_tracing && start - l->init_ns >= l->min_cold_start_ns &&
        start > l->init_ns) { /* the sandbox's initialisation (docs/lambda.md §9) */
        dd_span *load;
        memset(&so, 0, sizeof so);
        so.parent = s;
        so.name = "aws.lambda.load";
        so.service = "aws.lambda";
        so.resource = name;
        so.type = "aws.lambda.load";
        so.start_ns = l->init_ns;
        load = dd_span_start(l->t, &so);
        dd_span_set_tag(load, "resource_names", name);
        dd_span_set_tag(load, "resource.name", name);
        dd_span_set_tag(load, "operation_name", "aws.lambda.load");
        dd_span_finish_at(load, start);
    }

    rec->lambda = s;
    rec->inferred = inf;
    rec->lambda_start = start;
    rec->inferred_async = tr->is_async;
    rec->http = dd__lam_is_http(tr->event_source);
    rec->tags_len = 0;
    rec->xray[0] = 0;
    if (l->cfg.send_fn) dd__lam_tags_json(rec, tr, inv->xray_trace_id);
    rec->ui = l->ui;
    rec->ui_adopted = adopted;
    dd__lam_copy(rec->request_id, sizeof rec->request_id, inv->request_id, inv->request_id ? strlen(inv->request_id) : 0);
    rec->err_type[0] = rec->err_msg[0] = rec->err_stack[0] = 0;
    rec->n_enh = 0;
    if (l->enhanced && l->mode == DD_LAMBDA_MODE_FORWARDER)
        dd__lam_enh_tags(l, rec, parts, n_parts, arn + arn_len, name, lower, first && !proactive);
    /* the event is read during this call only: captured now (lambda-python tags both at the end) */
    if (l->capture) dd__lam_capture(l, rec, s, "function.request", inv->event, inv->event ? inv->event_len : 0);
    pthread_mutex_lock(&l->lock);
    rec->next = l->live;
    l->live = rec;
    pthread_mutex_unlock(&l->lock);
    return s;
}

/*--- end ---*/
/* http.status_code from the handler's response (docs/lambda.md §7.4): none or null -> 502; an object's
 * statusCode (number or string) as text; anything else -> 200. */
DD__PRIVATE size_t dd__lam_status(const char *resp, size_t len, char *out, size_t cap) {
    dd_json root, v;
    size_t n;
    if (!resp || !len || dd_json_parse(resp, len, &root) != DD_OK) return dd__lam_copy(out, cap, resp && len ? "200" : "502", 3);
    if (root.type == DD_JSON_NULL) return dd__lam_copy(out, cap, "502", 3);
    if (root.type != DD_JSON_OBJECT || dd_json_get(&root, "statusCode", 10, &v) != DD_OK)
        return dd__lam_copy(out, cap, "200", 3);
    if (v.type == DD_JSON_NUMBER) return dd__lam_copy(out, cap, v.p, v.n);
    if (v.type == DD_JSON_STRING && dd_json_string(&v, out, cap, &n) == DD_OK) return n;
    return dd__lam_copy(out, cap, "200", 3);
}

DD_API int dd_lambda_end_invocation(dd_lambda *l, dd_span *span, const char *response, size_t response_len,
                                    int is_error) {
    dd__lam_inv *rec = NULL, **pp;
    char status[32];
    size_t n = 0;
    if (!l) return DD_ERR_INVALID_ARG;
    if (span) {
        pthread_mutex_lock(&l->lock);
        for (pp = &l->live; *pp; pp = &(*pp)->next) {
            if ((*pp)->lambda == span) {
                rec = *pp;
                *pp = rec->next;
                break;
            }
        }
        pthread_mutex_unlock(&l->lock);
        if (rec && rec->http) {
            n = dd__lam_status(response, response ? response_len : 0, status, sizeof status);
            if (n) {
                dd_span_set_tag_n(span, "http.status_code", 16, status, n);
                dd_span_set_tag_n(rec->inferred, "http.status_code", 16, status, n);
                if (n == 3 && status[0] == '5') dd_span_set_error(span, 1); /* Python: aws.lambda only */
            }
        }
        if (is_error) dd_span_set_error(span, 1);
        if (rec && rec->tags_len) { /* X-Ray hybrid: the trigger tags to the invocation's segment */
            dd_lambda_config cfg = l->cfg;
            dd__lam_hooks hooks;
            size_t m = rec->tags_len;
            size_t k;
            for (k = 0; k < n && status[k] >= '0' && status[k] <= '9'; k++) {}
            if (rec->http && n && k == n) { /* digits only: safe inside a JSON string */
                memcpy(rec->tags_json + m, ",\"http.status_code\":\"", 21);
                memcpy(rec->tags_json + m + 21, status, n);
                memcpy(rec->tags_json + m + 21 + n, "\"", 1);
                m += 22 + n;
            }
            rec->tags_json[m++] = '}';
            if (rec->xray[0]) {
                hooks.orig = &l->cfg;
                hooks.xray = rec->xray;
                cfg.getenv_fn = dd__lam_h_getenv;
                cfg.wall_ns_fn = l->cfg.wall_ns_fn ? dd__lam_h_wall : NULL;
                cfg.random_fn = l->cfg.random_fn ? dd__lam_h_random : NULL;
                cfg.send_fn = dd__lam_h_send;
                cfg.hook_user = &hooks;
            }
            dd_xray_send_metadata(&cfg, "lambda_function_tags", 20, rec->tags_json, m);
        }
        if (rec && l->capture) { /* no answer: Python's None (lambda-python tags self.response) */
            int none = !response || !response_len;
            dd__lam_capture(l, rec, span, "function.response", none ? "null" : response, none ? 4 : response_len);
        }
        if (rec && rec->ui) dd__lam_ui_end(l, rec, span, response, response ? response_len : 0, is_error);
        dd_span_finish(span);
        if (rec && rec->inferred) {
            if (l->service[0]) dd_span_set_tag(rec->inferred, "peer.service", l->service);
            if (rec->inferred_async) dd_span_finish_at(rec->inferred, rec->lambda_start);
            else dd_span_finish(rec->inferred);
        }
        if (rec) dd__lam_enhanced(l, rec, is_error);
        if (rec) {
            pthread_mutex_lock(&l->lock);
            rec->next = l->spare;
            l->spare = rec;
            pthread_mutex_unlock(&l->lock);
        }
    }
    return dd_tracer_flush(l->t);
}


/*--- log correlation ---*/
DD__PRIVATE void dd__lam_ids(const dd_lambda *l, const dd_span *s, char tid[33], char sid[21]) {
    dd_trace_id id;
    dd_span_trace_id(s, &id);
    if (id.hi && l->log_128bit) {
        dd__t_hex16(id.hi, tid);
        dd__t_hex16(id.lo, tid + 16);
    } else {
        dd__t_u64_dec(id.lo, tid);
    }
    dd__t_u64_dec(dd_span_id(s), sid);
}

DD_API size_t dd_lambda_log_prefix(const dd_lambda *l, const dd_span *span, char *out, size_t cap) {
    dd__tsb sb;
    char tid[33], sid[21];
    dd__tsb_init(&sb, out, cap);
    if (!l || !l->logs_injection) return 0;
    dd__lam_ids(l, span, tid, sid);
    dd__tsb_str(&sb, "[dd.trace_id=");
    dd__tsb_str(&sb, tid);
    dd__tsb_str(&sb, " dd.span_id=");
    dd__tsb_str(&sb, sid);
    dd__tsb_str(&sb, "] ");
    return sb.need;
}

DD_API size_t dd_lambda_log_json(const dd_lambda *l, const dd_span *span, char *out, size_t cap) {
    dd__tsb sb;
    char tid[33], sid[21];
    dd__tsb_init(&sb, out, cap);
    if (!l || !l->logs_injection) return 0;
    dd__lam_ids(l, span, tid, sid);
    dd__tsb_str(&sb, "\"dd\":{\"trace_id\":\"");
    dd__tsb_str(&sb, tid);
    dd__tsb_str(&sb, "\",\"span_id\":\"");
    dd__tsb_str(&sb, sid);
    dd__tsb_str(&sb, "\"}");
    return sb.need;
}

/* Two decimal digits. */
DD__PRIVATE void dd__lam_d2(dd__tsb *b, int64_t v, char sep) {
    char d[3];
    d[0] = (char)('0' + v / 10 % 10);
    d[1] = (char)('0' + v % 10);
    d[2] = sep;
    dd__tsb_add(b, d, sep ? 3 : 2);
}

DD_API size_t dd_lambda_log_line(const dd_lambda *l, const dd_span *span, const char *level, int64_t time_ns,
                                 const char *request_id, const char *message, size_t message_len, char *out,
                                 size_t cap) {
    dd__tsb sb;
    int64_t secs, days, sod, ms, y, m, d;
    char tid[33], sid[21], ms3[4];
    dd__tsb_init(&sb, out, cap);
    if (time_ns < 0) time_ns = 0;
    secs = time_ns / 1000000000;
    ms = time_ns / 1000000 % 1000;
    days = secs / 86400;
    sod = secs % 86400;
    { /* civil from days (Howard Hinnant's algorithm), days >= 0 */
        int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy, mp;
        y = yoe + era * 400;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        d = doy - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) y++;
    }
    dd__tsb_add(&sb, "[", 1);
    dd__tsb_str(&sb, level ? level : "");
    dd__tsb_add(&sb, "]\t", 2);
    dd__lam_d2(&sb, y / 100, 0);
    dd__lam_d2(&sb, y % 100, '-');
    dd__lam_d2(&sb, m, '-');
    dd__lam_d2(&sb, d, 'T');
    dd__lam_d2(&sb, sod / 3600, ':');
    dd__lam_d2(&sb, sod / 60 % 60, ':');
    dd__lam_d2(&sb, sod % 60, '.');
    ms3[0] = (char)('0' + ms / 100);
    ms3[1] = (char)('0' + ms / 10 % 10);
    ms3[2] = (char)('0' + ms % 10);
    ms3[3] = 'Z';
    dd__tsb_add(&sb, ms3, 4);
    dd__tsb_add(&sb, "\t", 1);
    dd__tsb_str(&sb, request_id ? request_id : "");
    dd__tsb_add(&sb, "\t", 1);
    if (l && l->logs_injection) {
        dd__lam_ids(l, span, tid, sid);
        dd__tsb_str(&sb, "[dd.trace_id=");
        dd__tsb_str(&sb, tid);
        dd__tsb_str(&sb, " dd.span_id=");
        dd__tsb_str(&sb, sid);
        dd__tsb_add(&sb, "]\t", 2);
    }
    dd__tsb_add(&sb, message ? message : "", message ? message_len : 0);
    dd__tsb_add(&sb, "\n", 1);
    return sb.need;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif /* DD__LAMBDA_IMPLEMENTED */
