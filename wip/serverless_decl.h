/* wip/serverless_decl.h: developed apart, merged into its header before release. */

/*=== json reader ===*/

/* A small, strict, bounded JSON reader (RFC 8259) that never allocates and never recurses.
 * dd_json_parse validates a whole document once; the other calls then walk the validated text.
 * A dd_json names one value's text inside the caller's buffer (borrowed: the buffer must outlive
 * it): `p` points at its first byte and `n` counts its bytes; a string's text includes its quotes.
 * Duplicate object keys: lookups return the LAST member with that key, as Python's json and
 * JavaScript's JSON.parse do. */
#define DD_JSON_NULL 1
#define DD_JSON_BOOL 2
#define DD_JSON_NUMBER 3
#define DD_JSON_STRING 4
#define DD_JSON_ARRAY 5
#define DD_JSON_OBJECT 6
#define DD_JSON_MAX_DEPTH 64 /* arrays/objects nested deeper are DD_ERR_DEPTH */

typedef struct dd_json {
    const char *p; /* first byte of the value's text */
    size_t n;      /* bytes of the value's text      */
    int type;      /* DD_JSON_*, 0 for "no value"    */
} dd_json;

/* Members of an object or elements of an array, in document order. Plain data. */
typedef struct dd_json_iter {
    const char *cur; /* next byte to read            */
    const char *end; /* one past the container's text */
    int type;        /* the container's DD_JSON_*    */
    int state;       /* 0 before the first, 1 inside, 2 finished */
} dd_json_iter;

/* Validates `text` (len bytes, not NUL-terminated necessarily) as exactly one JSON value with
 * optional surrounding whitespace: RFC 8259 grammar, valid UTF-8 (no surrogates, no overlongs),
 * no control characters in strings, at most DD_JSON_MAX_DEPTH nested containers. On DD_OK *root
 * names the top value (whitespace excluded). Errors: DD_ERR_INVALID_ARG (NULL), DD_ERR_MALFORMED,
 * DD_ERR_DEPTH; *root is zeroed on failure. [any thread] */
DD_API int dd_json_parse(const char *text, size_t len, dd_json *root);

/* The member of object `obj` whose key, after unescaping, equals key[0..key_len) (the last one
 * when a key repeats). DD_OK, DD_ERR_NOT_FOUND, DD_ERR_TYPE (obj is not an object) or
 * DD_ERR_INVALID_ARG; *out zeroed unless DD_OK. [any thread] */
DD_API int dd_json_get(const dd_json *obj, const char *key, size_t key_len, dd_json *out);

/* Element `index` (0-based) of array `arr`. DD_OK, DD_ERR_NOT_FOUND, DD_ERR_TYPE,
 * DD_ERR_INVALID_ARG; *out zeroed unless DD_OK. [any thread] */
DD_API int dd_json_at(const dd_json *arr, size_t index, dd_json *out);

/* Starts a walk over an object's members or an array's elements. A non-container (or NULL)
 * gives a walk that ends at once. [any thread] */
DD_API void dd_json_iter_init(dd_json_iter *it, const dd_json *container);

/* The next member: *key gets the member's key as a DD_JSON_STRING (objects; may be NULL, and is
 * zeroed for arrays), *val its value. DD_OK, or DD_ERR_NOT_FOUND at the end (both zeroed).
 * [any thread] */
DD_API int dd_json_next(dd_json_iter *it, dd_json *key, dd_json *val);

/* Unescapes string `v` into out[0..cap) as UTF-8 and NUL-terminates it; \uXXXX surrogate pairs
 * become one code point, a lone surrogate becomes U+FFFD. *len (may be NULL) gets the decoded
 * length without the NUL. DD_OK; DD_ERR_BUFFER_FULL when cap < length + 1 (*len still gets the
 * length needed, out gets ""); DD_ERR_TYPE when v is not a string. [any thread] */
DD_API int dd_json_string(const dd_json *v, char *out, size_t cap, size_t *len);

/* Compares string `v`, unescaped, with s[0..s_len): 1 when equal, 0 otherwise (and for a
 * non-string). [any thread] */
DD_API int dd_json_string_eq(const dd_json *v, const char *s, size_t s_len);

/* A number's value, parsed without strtod (no locale): exact (correctly rounded) when the
 * significand has at most 15 digits and the decimal exponent is within +-22, within a few ulps
 * otherwise; magnitudes beyond double give DD_ERR_LIMIT. DD_ERR_TYPE for a non-number; *out = 0
 * unless DD_OK. [any thread] */
DD_API int dd_json_number(const dd_json *v, double *out);

/* An unsigned 64-bit integer: either a JSON number written as plain decimal digits (no sign,
 * fraction or exponent) or a JSON string holding only 1..20 decimal digits (ids travel as strings
 * in carriers). DD_ERR_TYPE for anything else, DD_ERR_LIMIT above 2^64-1; *out = 0 unless DD_OK.
 * [any thread] */
DD_API int dd_json_u64(const dd_json *v, uint64_t *out);

/* Walks `dot_path` ("Records.0.messageAttributes._datadog") from root: each dot-separated segment
 * is an array index (decimal digits, when the current value is an array) or an object key (keys
 * containing a dot cannot be named this way: use dd_json_get). An empty path gives root itself.
 * DD_OK, DD_ERR_NOT_FOUND, DD_ERR_INVALID_ARG; *out zeroed unless DD_OK. [any thread] */
DD_API int dd_json_path(const dd_json *root, const char *dot_path, dd_json *out);

/*=== base64, sha-256 ===*/

/* Decodes standard base64 (RFC 4648 alphabet "+/", '=' padding optional; no whitespace, no
 * URL-safe alphabet) into out[0..cap). Returns DD_OK and *out_len, DD_ERR_MALFORMED for a bad
 * character or length, DD_ERR_BUFFER_FULL when cap < the decoded length (*out_len then gets the
 * length needed). Never writes past cap. [any thread] */
DD_API int dd_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* SHA-256 (FIPS 180-4) of data[0..len) into digest[32]. [any thread] */
DD_API void dd_sha256(const void *data, size_t len, uint8_t digest[32]);

/* The Step Functions id primitive (spec/serverless.md 4.9): SHA-256 of s[0..len), 8 bytes
 * big-endian (bytes 0..7 when `high` is nonzero, bytes 8..15 otherwise), bit 63 cleared, 0 mapped
 * to 1. [any thread] */
DD_API uint64_t dd_sfn_hash(const char *s, size_t len, int high);

/*=== _datadog carrier ===*/

/* A dd_carrier_reader over a JSON object whose members are carrier keys ("x-datadog-trace-id":
 * "123", ...): a `_datadog` object, API Gateway `headers`, a Lambda client context's `custom`.
 * Keys match case-insensitively (after unescaping); string values are returned unescaped, number
 * values as their text; other values are absent. When `multi` names an object too (API Gateway /
 * ALB `multiValueHeaders`), a key missing from `obj` is looked up there and the first element of
 * its array is used (single values win, as datadog-lambda-go does). Values with escapes are
 * unescaped into `buf`; what does not fit is absent. Plain data: lives on the caller's stack; both
 * dd_json values must stay valid while the reader is used. */
#define DD_JSON_CARRIER_BUF 1024
typedef struct dd_json_carrier {
    dd_json obj;
    dd_json multi;
    size_t used;
    char buf[DD_JSON_CARRIER_BUF];
} dd_json_carrier;

/* Fills *r to read from *c, which it initialises over obj (and multi, both may be NULL or
 * non-objects: absent). [any thread] */
DD_API void dd_json_carrier_init(dd_json_carrier *c, dd_carrier_reader *r, const dd_json *obj, const dd_json *multi);

/* Extracts a context from a `_datadog` JSON object given as text (e.g. an SQS String attribute's
 * StringValue) with the configured styles (cfg NULL: the defaults, datadog,tracecontext).
 * DD_OK, DD_ERR_NOT_FOUND (no context), DD_ERR_MALFORMED (not a JSON object); *out zeroed unless
 * DD_OK. [any thread] */
DD_API int dd_datadog_extract(const dd_propagation_config *cfg, const char *json, size_t len, dd_trace_context *out);

/* Writes ctx as the `_datadog` JSON object the official helpers produce (get_dd_trace_context /
 * getTraceHeaders): the members dd_inject writes with cfg's inject styles (NULL: datadog,
 * tracecontext), in that order, compact ({"x-datadog-trace-id":"1","x-datadog-parent-id":"2",...}),
 * values as JSON strings. ctx->parent_id is the span id to send. snprintf semantics: returns the
 * length needed without the NUL; out (cap bytes) gets the NUL-terminated object when it fits and
 * "" otherwise. Returns 0 when ctx has no trace id or injection fails. Put the result in an SQS
 * String attribute, an SNS attribute (Binary: base64 it), an EventBridge `detail._datadog`, a
 * Kinesis record's `_datadog`, a Step Functions input's `_datadog` or a ClientContext's `custom`.
 * [any thread] */
DD_API size_t dd_datadog_inject(const dd_propagation_config *cfg, const dd_trace_context *ctx, char *out, size_t cap);

/*=== lambda events ===*/

/* Event sources, named as the span tag function_trigger.event_source (spec/serverless.md 3.1). */
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
/* Where the extracted context came from (spec 1.4). */
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
    /* HTTP triggers: tags of the aws.lambda span besides function_trigger.* (spec 7.3):
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
    size_t scratch_len;                      /* bodies, base64 data); NULL: 16 KiB on the stack   */
} dd_lambda_config;

/* "api-gateway", "sqs", ... for a DD_LAMBDA_EVENT_* value; "unknown" otherwise. [any thread] */
DD_API const char *dd_lambda_event_source_name(int event_source);

/* Extracts the parent context of an invocation from the raw event JSON and the invocation's
 * client context JSON (the Lambda-Runtime-Client-Context header value, {"custom":{...}}; NULL or
 * empty when absent), in the official precedence (spec/serverless.md 4.0): custom extractor →
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
 * (spec 6.5, Python/Go semantics): merging off → the extracted context when it came from the
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
