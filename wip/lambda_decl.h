/* wip/lambda_decl.h: developed apart, merged into its header before release. */

/*=== lambda: invocation spans, inferred spans, log correlation ===*/

/* Library mode in AWS Lambda (spec/serverless.md sections 7, 8, 10, 14): one dd_lambda per
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

/* Creation options. A zeroed struct is valid: every unset field comes from the environment variable
 * named beside it, read once in dd_lambda_new through config->getenv_fn (NULL: libc getenv). */
typedef struct dd_lambda_options {
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
                                   later is a proactive initialisation, not a cold start (spec 7.5) */
    int cold_start_tracing;     /* DD_COLD_START_TRACING; default on (as the Python and Node
                                   libraries): the cold start gets an aws.lambda.load span from
                                   init_ns to the aws.lambda start                                 */
    int32_t min_cold_start_duration_ms; /* DD_MIN_COLD_START_DURATION; 0 = unset (default 3 ms);
                                   a shorter initialisation gets no span; negative = no minimum   */
} dd_lambda_options;

/* One invocation, as the Runtime API gives it (spec 14). Strings are NUL-terminated, read during
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
 * ColdStartTracer, spec 9) covers init_ns .. the aws.lambda start, when that lasts at least the
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

/* Log correlation in Lambda (spec 10), snprintf semantics: returns the length needed without the
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
