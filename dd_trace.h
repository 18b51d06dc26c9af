/* dd_trace.h - tracer, spans, sampling, agent payload and transport.           dd-trace-c 0.1.0
 *
 * In exactly one .c file:  #define DD_TRACE_IMPLEMENTATION   (implements all three headers)
 *                          #include "dd_trace.h"
 * Includes dd_msgpack.h and dd_propagation.h, which must sit beside it.
 * OPTIONS   DD_API (linkage), DD_ASSERT(c). Compile the implementation with _POSIX_C_SOURCE
 *           >= 200112L (or in GNU mode) for the monotonic clock and gethostname(); strict ISO
 *           mode falls back to gettimeofday() and no host name.
 * THREADS   a dd_tracer is thread-safe. A dd_span is used by one thread at a time; spans of one
 *           trace may start and finish on different threads. One tracer mutex guards segments,
 *           the payload buffer and the counters: a span start or finish takes it once, a tag
 *           never does. No user callback (transport, log, getenv, allocator excepted) is called
 *           while it is held. The transport runs on the flushing thread: dd_tracer_flush's
 *           caller, a dd_span_finish that triggers a size/interval flush, or the background
 *           flusher. Ids come from per-thread generators reseeded after fork() (pthread_atfork
 *           bumps a generation counter); after fork() only the child's own new spans are valid.
 * MEMORY    spans and tags live in per-segment arenas of fixed-size blocks that are recycled
 *           through free lists, so steady state allocates nothing per span. Limits (spans per
 *           segment, tag bytes per span, open segments, buffered bytes) drop and count, never
 *           grow without bound: see dd_tracer_counters.
 * ERRORS    edges return DD_OK / DD_ERR_*; span functions return void, accept NULL and never fail
 *           loudly (drops are counted and logged once at debug level).
 * DOES NOT  do I/O: bytes leave only through the transport callback you supply; the only file
 *           read is the cgroup file, once, in dd_tracer_new
 */
#ifndef DD_TRACE_H
#define DD_TRACE_H
#ifndef DD__PRELUDE /* ---- shared prelude: byte-identical in all three headers; a test diffs them ---- */
#define DD__PRELUDE
#define DD_VERSION 100 /* major*10000 + minor*100 + patch: 0.1.0 */
#define DD_VERSION_STRING "0.1.0"
#include <stddef.h>
#include <stdint.h>
#ifndef DD_API /* linkage of every public function; define as `static` for a private copy */
#if defined(DD_BUILD_SHARED) && defined(_WIN32)
#define DD_API __declspec(dllexport)
#elif defined(DD_BUILD_SHARED) && defined(__GNUC__)
#define DD_API __attribute__((visibility("default")))
#elif defined(__GNUC__)
#define DD_API extern __attribute__((visibility("hidden")))
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
/* DD_VERSION of the compiled implementation, for FFI bindings to compare. [any thread] */
DD_API int dd_version(void);
/* The allocator hook. NULL functions mean malloc/free. `size` is given to free_fn too. */
typedef struct dd_allocator {
    void *(*alloc_fn)(void *user, size_t size);
    void (*free_fn)(void *user, void *ptr, size_t size);
    void *user;
} dd_allocator;
DD__END_C
#endif /* DD__PRELUDE ---- end of shared prelude ---- */
#if DD_VERSION != 100
#error "dd_*.h headers come from different releases"
#endif
#include "dd_msgpack.h"
#include "dd_propagation.h"

DD__BEGIN_C

/*=== declarations ===*/

#include "wip/sampling_decl.h" /* sampling part, merged into this header before release */

/*=== tracer: configuration ===*/

/* Tri-state fields of dd_tracer_config: 0 = unset (the DD_* environment variable, else the
 * default decides), DD_ON or DD_OFF = decided by code, which beats the environment. */
#ifndef DD_ON
#define DD_ON 1
#define DD_OFF 2
#endif

/* Defaults of dd_tracer_config limits (used when a field is 0). */
#define DD_DEFAULT_MAX_SPANS_PER_SEGMENT 100000 /* spans started in one local trace segment      */
#define DD_DEFAULT_MAX_TAG_BYTES 16384        /* key+value bytes of tags/metrics of one span     */
#define DD_DEFAULT_MAX_OPEN_SEGMENTS 100000   /* local traces with unfinished spans             */
#define DD_DEFAULT_MAX_BUFFER_BYTES (10u << 20) /* encoded chunks waiting for a flush             */
#define DD_DEFAULT_FLUSH_BYTES (5u << 20)     /* buffered bytes that trigger an automatic flush */
#define DD_DEFAULT_MAX_REQUEST_BYTES (10u << 20) /* one request body; larger flushes are split   */
#define DD_DEFAULT_FLUSH_INTERVAL_MS 2000     /* automatic flush after this much time           */
#define DD_DEFAULT_PARTIAL_FLUSH_MIN_SPANS 500 /* DD_TRACE_PARTIAL_FLUSH_MIN_SPANS default       */
#define DD_DEFAULT_SEND_RETRIES 2             /* extra attempts for a retryable failure         */

/* A request to send to the agent: always "POST" to "/v0.4/traces" with a msgpack body. Header
 * names and values (dd_header, from dd_propagation.h) are also NUL-terminated. Everything is
 * borrowed for the duration of the transport call. */
typedef struct dd_http_request {
    const char *method;
    const char *path;
    const dd_header *headers;
    size_t n_headers;
    const uint8_t *body;
    size_t body_len;
} dd_http_request;

/* What the transport reports back. `status` is the HTTP status (0 when no answer arrived);
 * `body` (may be NULL) must stay valid until the SDK call that invoked the transport returns. */
typedef struct dd_http_response {
    int status;
    const char *body;
    size_t body_len;
} dd_http_response;

/* Sends one request, synchronously. Returns 0 when an HTTP answer arrived (whatever its
 * status, which goes in resp->status) and non-zero when the request could not be sent.
 * Called on the thread that flushes (dd_tracer_flush, a span finish that triggers a flush, or
 * the background flusher), never with an SDK lock held. */
typedef int (*dd_transport_fn)(void *user, const dd_http_request *req, dd_http_response *resp);

/* Tracer configuration. A zeroed struct is valid: every unset field is taken from the DD_*
 * environment variable named beside it (read once, in dd_tracer_new, through getenv_fn), else
 * from the default. Strings are NUL-terminated and copied by dd_tracer_new. */
typedef struct dd_tracer_config {
    const char *service;      /* DD_SERVICE; default AWS_LAMBDA_FUNCTION_NAME, else program name   */
    const char *env;          /* DD_ENV; default none                                               */
    const char *version;      /* DD_VERSION; default none                                           */
    const char *tags;         /* DD_TAGS: "k:v,k:v" or "k:v k:v", added to each chunk's first span  */
    int enabled;              /* DD_TRACE_ENABLED; default on. Off: spans are NULL, nothing is sent */
    int trace_id_128;         /* DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED; default on           */
    int debug;                /* DD_TRACE_DEBUG; default off: debug log lines, payloads as JSON     */
    int startup_logs;         /* DD_TRACE_STARTUP_LOGS; default on (when log_fn is set)             */
    int partial_flush;        /* DD_TRACE_PARTIAL_FLUSH_ENABLED; default off                        */
    int partial_flush_min_spans; /* DD_TRACE_PARTIAL_FLUSH_MIN_SPANS; 0 = default 500              */
    int report_hostname;      /* DD_TRACE_REPORT_HOSTNAME; default off: _dd.hostname on chunk roots */
    const char *hostname;     /* used when report_hostname is on; default: gethostname()           */
    const char *language;     /* Datadog-Meta-Lang and the `language` tag; default "c"              */
    const char *language_version; /* Datadog-Meta-Lang-Version; default the C standard, e.g. "199901" */
    const char *cgroup_path;  /* where the container id is read, once; default "/proc/self/cgroup"; "" = none */
    uint32_t max_spans_per_segment; /* 0 = DD_DEFAULT_MAX_SPANS_PER_SEGMENT                        */
    uint32_t max_tag_bytes;   /* per span; 0 = DD_DEFAULT_MAX_TAG_BYTES                               */
    uint32_t max_open_segments; /* 0 = DD_DEFAULT_MAX_OPEN_SEGMENTS                                 */
    uint64_t max_buffer_bytes; /* 0 = DD_DEFAULT_MAX_BUFFER_BYTES                                    */
    uint64_t flush_bytes;     /* 0 = DD_DEFAULT_FLUSH_BYTES                                           */
    uint64_t max_request_bytes; /* 0 = DD_DEFAULT_MAX_REQUEST_BYTES                                 */
    int64_t flush_interval_ms; /* 0 = DD_DEFAULT_FLUSH_INTERVAL_MS; negative = no interval flush    */
    int background_flush;     /* DD_ON: a pthread flushes every flush_interval_ms; default off       */
    int send_retries;         /* extra attempts after a retryable failure (no answer, 408, 429, 5xx);
                                 0 = DD_DEFAULT_SEND_RETRIES, negative = none                         */
    dd_sampling_config sampling; /* rules, rates and limits: see the sampling section             */
    dd_allocator allocator;   /* every allocation of the tracer; zeroed = malloc/free                */
    int64_t (*wall_ns_fn)(void *user);  /* span start, ns since the Unix epoch; NULL = system clock */
    int64_t (*mono_ns_fn)(void *user);  /* durations and intervals, ns; NULL = monotonic clock      */
    uint64_t (*random_fn)(void *user);  /* ids; NULL = per-thread generator seeded from the OS,
                                           reseeded after fork()                                   */
    const char *(*getenv_fn)(void *user, const char *name); /* NULL = getenv; called in dd_tracer_new only */
    dd_log_fn log_fn;         /* diagnostics; NULL = silent                                         */
    dd_transport_fn transport_fn; /* the only way bytes leave; NULL = payloads are dropped (counted) */
    void *hook_user;          /* first argument of every hook above                                 */
} dd_tracer_config;

/* Counters since dd_tracer_new, read with dd_tracer_counters. Every dropped item is counted
 * exactly once, in the counter that names the limit or failure that dropped it. */
typedef struct dd_counters {
    uint64_t spans_started;       /* spans handed out (not NULL)                              */
    uint64_t spans_finished;      /* dd_span_finish calls on them                             */
    uint64_t spans_dropped_limit; /* span starts refused: max_spans_per_segment or
                                     max_open_segments reached, or out of memory            */
    uint64_t segments_dropped_limit; /* root span starts refused by max_open_segments         */
    uint64_t tags_dropped;        /* tags/metrics refused by max_tag_bytes or out of memory    */
    uint64_t chunks_encoded;      /* chunks put in the payload buffer                          */
    uint64_t spans_encoded;       /* spans put in the payload buffer                           */
    uint64_t chunks_dropped_buffer; /* chunks refused: max_buffer_bytes (or a single chunk
                                     larger than max_request_bytes)                           */
    uint64_t spans_dropped_buffer;  /* their spans                                             */
    uint64_t partial_flushes;     /* chunks cut from a segment by partial flush                */
    uint64_t requests_sent;       /* requests the agent accepted (2xx)                         */
    uint64_t requests_failed;     /* attempts that failed (no answer, or status >= 400)        */
    uint64_t requests_retried;    /* attempts that were retries                                */
    uint64_t chunks_sent;         /* chunks in accepted requests                               */
    uint64_t chunks_dropped_send; /* chunks lost after the last failed attempt                 */
    uint64_t spans_dropped_send;  /* their spans                                               */
    uint64_t bytes_sent;          /* body bytes of accepted requests                           */
    uint64_t responses_invalid;   /* 2xx answers whose body was not valid rates JSON           */
    uint64_t flushes;             /* flushes that had something to send                        */
} dd_counters;

typedef struct dd_tracer dd_tracer; /* opaque */
typedef struct dd_span dd_span;     /* opaque; lives until dd_span_finish */

/*=== tracer ===*/

/* Creates a tracer from `cfg` (NULL = zeroed config), reading the environment once and, when
 * cgroup_path is not "", the container id. Logs the startup configuration line (JSON) when
 * startup logs are on and invalid settings (the default is kept). Starts the background
 * flusher when asked. Returns NULL when out of memory. [setup] */
DD_API dd_tracer *dd_tracer_new(const dd_tracer_config *cfg);

/* Stops the background flusher, finishes nothing but flushes every completed chunk (segments
 * with unfinished spans are dropped and counted), and frees the tracer. Spans of this tracer
 * must not be used afterwards. NULL is a no-op. [setup] */
DD_API void dd_tracer_free(dd_tracer *t);

/* Sends every chunk completed before the call, synchronously on this thread, split into
 * requests under max_request_bytes. Waits for a flush already running on another thread.
 * Returns DD_OK (also when there was nothing to send), DD_ERR_TRANSPORT or DD_ERR_HTTP when a
 * request failed after its retries (its chunks are dropped and counted), DD_ERR_INVALID_ARG
 * for NULL. [any thread] */
DD_API int dd_tracer_flush(dd_tracer *t);

/* Copies the counters into *out (zeroed for a NULL tracer). [any thread] */
DD_API void dd_tracer_counters(const dd_tracer *t, dd_counters *out);

/* The tracer's resolved service, env and version ("" when none). Valid until dd_tracer_free.
 * [any thread] */
DD_API const char *dd_tracer_service(const dd_tracer *t);
DD_API const char *dd_tracer_env(const dd_tracer *t);
DD_API const char *dd_tracer_version(const dd_tracer *t);

/* Debug rendering: a request body is one msgpack value, so dd_mp_to_json(req->body,
 * req->body_len, out, cap) shows it as JSON (the tracer does so in its debug log). */

/*=== spans ===*/

/* How to start a span. Zeroed = a root span named "" of the tracer's service. A string with
 * `_len` 0 is read up to its NUL; NULL means the default. */
typedef struct dd_span_options {
    const dd_span *parent;              /* child of this span (same segment), or NULL          */
    const dd_trace_context *context;    /* else continue this extracted context (a new segment
                                           whose root is this span), or NULL for a new trace    */
    const char *name;        size_t name_len;
    const char *service;     size_t service_len;   /* default: the parent's, else the tracer's   */
    const char *resource;    size_t resource_len;  /* default: the name                         */
    const char *type;        size_t type_len;      /* default: ""                               */
    int64_t start_ns;        /* wall clock, ns since the Unix epoch; 0 = now                     */
} dd_span_options;

/* Starts a span. Returns NULL when tracing is disabled, a limit refuses the span (counted),
 * or memory runs out; every dd_span_* function accepts NULL and then does nothing.
 * [any thread] */
DD_API dd_span *dd_span_start(dd_tracer *t, const dd_span_options *opts);

/* Starts a child of `parent` named `name` (the common case, kept short). NULL parent: NULL.
 * [owner thread of parent] */
DD_API dd_span *dd_span_start_child(dd_span *parent, const char *name);
DD_API dd_span *dd_span_start_child_n(dd_span *parent, const char *name, size_t name_len);

/* Finishes the span now (or at end_ns, wall clock ns since the epoch, for spans rebuilt from
 * event timestamps; a time before the start gives duration 0). The handle is dead afterwards.
 * The last span of a segment to finish completes it: the sampling decision is made if it was
 * not, the chunk is encoded into the payload buffer, and a flush may run on this thread when
 * the buffer passed flush_bytes or flush_interval_ms has passed (no background flusher).
 * [owner thread] */
DD_API void dd_span_finish(dd_span *s);
DD_API void dd_span_finish_at(dd_span *s, int64_t end_ns);

/* Sets the span's start time (wall clock ns since the Unix epoch). [owner thread] */
DD_API void dd_span_set_start(dd_span *s, int64_t start_ns);

/* Span fields; strings are copied. A value over the tag-bytes limit is dropped and counted.
 * [owner thread] */
DD_API void dd_span_set_name(dd_span *s, const char *name);
DD_API void dd_span_set_name_n(dd_span *s, const char *name, size_t len);
DD_API void dd_span_set_service(dd_span *s, const char *service);
DD_API void dd_span_set_service_n(dd_span *s, const char *service, size_t len);
DD_API void dd_span_set_resource(dd_span *s, const char *resource);
DD_API void dd_span_set_resource_n(dd_span *s, const char *resource, size_t len);
DD_API void dd_span_set_type(dd_span *s, const char *type);
DD_API void dd_span_set_type_n(dd_span *s, const char *type, size_t len);

/* A string tag (meta). Setting a key again replaces its value. Bytes that are not valid UTF-8
 * are replaced with U+FFFD on the wire. [owner thread] */
DD_API void dd_span_set_tag(dd_span *s, const char *key, const char *value);
DD_API void dd_span_set_tag_n(dd_span *s, const char *key, size_t key_len, const char *value,
                              size_t value_len);

/* A numeric tag (metrics, float64 on the wire). NaN and infinities are dropped and counted.
 * [owner thread] */
DD_API void dd_span_set_metric(dd_span *s, const char *key, double value);
DD_API void dd_span_set_metric_n(dd_span *s, const char *key, size_t key_len, double value);

/* The error flag: non-zero marks the span as an error (error: 1), 0 clears it. [owner thread] */
DD_API void dd_span_set_error(dd_span *s, int error);

/* Marks the span as an error and sets error.type, error.message and error.stack (each NULL =
 * left as is). [owner thread] */
DD_API void dd_span_set_error_info(dd_span *s, const char *type, const char *message,
                                   const char *stack);
DD_API void dd_span_set_error_info_n(dd_span *s, const char *type, size_t type_len,
                                     const char *message, size_t message_len, const char *stack,
                                     size_t stack_len);

/* span.kind: "server", "client", "producer", "consumer" or "internal". [owner thread] */
DD_API void dd_span_set_kind(dd_span *s, const char *kind);
DD_API void dd_span_set_kind_n(dd_span *s, const char *kind, size_t len);

/* Non-zero: metric _dd.measured = 1 (the agent computes stats for this span). [owner thread] */
DD_API void dd_span_set_measured(dd_span *s, int measured);

/* Manual sampling decision for the span's whole trace: DD_PRIORITY_USER_KEEP (2) or
 * DD_PRIORITY_USER_REJECT (-1) (other values are clamped to these), mechanism 4 (manual).
 * Ignored once the decision is locked by an injection (dd_span_inject / dd_span_context).
 * [owner thread] */
DD_API void dd_span_set_priority(dd_span *s, int priority);

/* Adds a span link (trace id, span id, flags, tracestate, reason/context_headers attributes).
 * Returns DD_OK, DD_ERR_LIMIT (tag-bytes limit, counted), DD_ERR_INVALID_ARG. [owner thread] */
DD_API int dd_span_add_link(dd_span *s, const dd_span_link *link);

/* Getters. A NULL span gives zeros. [owner thread] */
DD_API void dd_span_trace_id(const dd_span *s, dd_trace_id *out);
DD_API uint64_t dd_span_id(const dd_span *s);
DD_API uint64_t dd_span_parent_id(const dd_span *s);
DD_API dd_tracer *dd_span_tracer(const dd_span *s);

/* The context a child in another process would continue: trace id, this span's id as parent
 * id, sampling priority, origin, propagated tags (_dd.p.dm, _dd.p.tid, ...) and tracestate.
 * Makes the trace's sampling decision first and locks it. Returns DD_OK, or
 * DD_ERR_INVALID_ARG (and *out zeroed). [owner thread] */
DD_API int dd_span_context(dd_span *s, dd_trace_context *out);

/* dd_span_context, then dd_inject with the tracer's propagation config (from the
 * DD_TRACE_PROPAGATION_STYLE* environment read in dd_tracer_new). Returns what dd_inject
 * returns, or DD_ERR_INVALID_ARG. [owner thread] */
DD_API int dd_span_inject(dd_span *s, const dd_carrier_writer *carrier);

/* Log correlation for the span, with snprintf semantics (returns the length needed without
 * the NUL). json = 0: `dd.trace_id=<id> dd.span_id=<id> dd.service=<s> dd.env=<e>
 * dd.version=<v>`; json != 0: `"dd.trace_id":"<id>","dd.span_id":"<id>",...` (members to
 * splice into a JSON object). The trace id is 32 lowercase hex digits for 128-bit traces and
 * decimal for 64-bit ones, the span id decimal (as dd-trace-py 3.x). NULL span: ids 0.
 * [owner thread] */
DD_API size_t dd_span_log_correlation(const dd_span *s, int json, char *out, size_t cap);

#include "wip/lambda_decl.h" /* Lambda spans, merged into this header before release */

DD__END_C
#endif /* DD_TRACE_H */

#if defined(DD_TRACE_IMPLEMENTATION) \
    && !defined(DD__TRACE_IMPLEMENTED)
#define DD__TRACE_IMPLEMENTED
#ifndef DD__PRELUDE_IMPLEMENTED /* ---- shared prelude implementation: byte-identical in all three headers ---- */
#define DD__PRELUDE_IMPLEMENTED
#include <stdlib.h>
#define DD__STATUS_CASE(name, value, text) case value: return text;
DD_API const char *dd_status_str(int status) {
    switch (status) { DD__STATUS_LIST(DD__STATUS_CASE) default: return "unknown status"; }
}
DD_API int dd_version(void) { return DD_VERSION; }
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

#include "wip/sampling_impl.h" /* sampling part, merged into this header before release */

/*=== tracer ===*/

#include "wip/lambda_impl.h" /* Lambda spans, merged into this header before release */

#endif /* DD__TRACE_IMPLEMENTED */
