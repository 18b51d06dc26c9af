/* dd_trace.h - tracer, spans, sampling, agent payload and transport.           dd-trace-c 0.2.0
 *
 * In exactly one .c file:  #define DD_TRACE_IMPLEMENTATION   (implements all three headers)
 *                          #include "dd_trace.h"
 * Includes dd_msgpack.h and dd_propagation.h, which must sit beside it. AWS Lambda (dd_lambda_*):
 * dd_lambda.h, on top of this header.
 * OPTIONS   DD_API (linkage), DD_ASSERT(c). Compile the implementation with _POSIX_C_SOURCE
 *           >= 200112L (or in GNU mode) for the monotonic clock and gethostname(); strict ISO
 *           mode falls back to gettimeofday() and no host name. The implementation needs gcc or
 *           clang (their __atomic builtins); the declarations compile with any C99 or C++ compiler.
 * THREADS   a dd_tracer is thread-safe. A dd_span is used by one thread at a time; spans of one
 *           trace may start and finish on different threads. A child span's start and a finish
 *           that does not complete its trace take only their trace's lock (a few dozen
 *           instructions held; spans_started/finished are atomic counters); the tracer mutex,
 *           which guards the open traces, the payload buffer and the other counters, is taken
 *           when a root starts a trace, when the last span finishes it, for a partial flush and
 *           to count a drop; a tag takes only its trace's lock, once per 384 bytes of tags
 *           (the _static functions likewise). No user callback (transport, log, getenv,
 *           allocator excepted) is called while an SDK lock is held. The sampling decision reads
 *           the local root (name, service, resource, tags): when another thread injects or
 *           triggers a partial flush, the root must not be changed at the same time.
 * DELIVERY  the thread that finishes the last span of a local trace encodes it (small traces;
 *           large ones are left to the worker) into a bounded buffer and returns: it never waits
 *           for the network. By default (DD_DELIVERY_BACKGROUND) a worker thread owned by the
 *           tracer, started with the first finished trace, sends the buffer every
 *           flush_interval_ms or as soon as it passes flush_bytes, one request at a time, each
 *           within request_timeout_ms. A request the agent surely did not process (no
 *           connection, 408, 429, 503) is kept and tried again after a backoff (100 ms doubling
 *           to 1 s, plus up to 100 ms of jitter; Retry-After honoured up to 10 s; 429/503/408 at
 *           most send_retries more times, an unreachable agent for as long as the payload is
 *           held); a request written whose answer was lost is never sent again (counted in
 *           spans_unconfirmed). While a payload is held, new traces fill the buffer up to
 *           max_buffer_bytes and the rest are dropped and counted. dd_tracer_flush asks the
 *           worker and waits at most shutdown_timeout_ms (+ one request); dd_tracer_free gives
 *           the worker shutdown_timeout_ms for a last delivery, then drops and counts the rest.
 *           DD_DELIVERY_SYNC and DD_DELIVERY_MANUAL (the default in AWS Lambda) use no thread.
 *           Docs: docs/delivery.md.
 * MEMORY    bound on what delivery holds: max_buffer_bytes (encoded traces and completed traces
 *           waiting for the worker) + the payload in flight (at most max_buffer_bytes) + one
 *           request copy (at most max_request_bytes) + the block pool (8 MiB). Defaults: 38 MiB.
 * FORK      ids come from per-thread generators reseeded after fork(). pthread_atfork handlers
 *           hold every tracer's locks across fork(), so a child never inherits a held lock; in
 *           the child, whatever was buffered, in flight or being encoded belongs to the parent
 *           and is discarded (counted once in spans_dropped_shutdown, so spans_pending starts at
 *           0), the tracer gets a new pid and runtime-id, and its own worker starts with its
 *           first finished trace. fork() waits for a worker still starting (its thread's start-up
 *           allocates outside the tracer's locks); a worker inside a delivery allocates too, which
 *           glibc's malloc survives but an allocator without fork handling may not (GCC 12's
 *           ASan runtime: the child's allocations then block).
 * MEMORY    spans and tags live in per-segment arenas of fixed-size blocks that are recycled
 *           through free lists, so steady state allocates nothing per span. Limits (spans per
 *           segment, tag bytes per span, open segments, buffered bytes) drop and count, never
 *           grow without bound: see dd_tracer_counters.
 * HOOKS     all in dd_tracer_config, each called with its own user pointer first (transport_user,
 *           log_user, clock_user, random_user, getenv_user; each NULL means hook_user). getenv_fn: in dd_tracer_new only. wall_ns_fn, mono_ns_fn,
 *           random_fn: on the thread that starts or finishes a span. log_fn: on the thread whose
 *           call has something to say (the worker for delivery failures and invalid agent rates;
 *           every repeated message, drops and dead handles too, at most one line per kind per
 *           DD_TRACE_LOGGING_RATE seconds, default 60, with the count suppressed since the last
 *           one). transport_fn: on the
 *           worker (or the delivering thread in the other modes), one call at a time.
 *           allocator: any thread, possibly under an SDK lock (it must not call back).
 *
 * MAP of the implementation (below `=== implementation ===`), in order. A section owns what it
 * defines; it may call any public function of the three headers and the private helpers of the
 * sections above it (forward declarations mark the few calls downwards: dd__deliver,
 * dd__wake_worker, dd__tracer_http, dd__link_add, dd__stats_new, the fork handlers, dd__h_splice).
 * Lock order: the tracer mutex (t->lock), then a segment's lock (seg->lock), then the sampler's
 * (s->lock) or the tracer's pool lock (t->pool), then dd__htab_lock; no user hook but the
 * allocator runs under any of them.
 *   === sampling implementation ===  keep/drop by rate (Knuth hash), glob matching, _dd.p.dm and
 *                                    ksr formatting: pure functions.
 *   --- rate limiter: token bucket + effective rate (dd-trace-cpp limiter.cpp's algorithm) ---
 *                                    dd__limiter; the caller holds the sampler's lock.
 *   --- the sampler ---              dd__sampler (rules, text pool, limiters, agent rates, its
 *                                    lock), the sampling input and decision types.
 *   --- sampler: log lines and numbers --- dd__smsg (no printf), dd__sampler_log, rate parsing.
 *   --- sampler: rules ---           rules from code and from DD_TRACE_SAMPLING_RULES /
 *                                    DD_SPAN_SAMPLING_RULES JSON (dd_json_*) into the text pool.
 *   --- sampler: init and destroy --- dd__sampler_init (getenv_fn, log_fn), dd__sampler_destroy.
 *   --- sampler: decisions ---       rule matching, dd__sampler_decide (the sampler's lock around
 *                                    the limiter and the agent rates only).
 *   --- sampler: agent rates ---     dd__sampler_set_agent_rates: the agent's rate_by_service,
 *                                    under the sampler's lock.
 *   --- span sampler ---             dd__span_sampler_decide: single-span sampling rules.
 *   === tracer ===                   includes, DD__HAVE_POSIX, arena constants.
 *   --- clocks ---                   the default wall, monotonic and getenv hooks.
 *   --- ids: per-thread splitmix64 streams, reseeded after fork ---  dd__rng (thread-local),
 *                                    the fork generation, pthread_atfork registration.
 *   --- small text helpers (no stdio, no locale) --- dd__t_u64_dec, dd__t_hex16, dd__t_ieq,
 *                                    dd__tsb (bounded builder, JSON strings), UTF-8 repair.
 *   --- private types ---            blocks, tags, links, a span's service and type (dd__sty),
 *                                    struct dd_span, dd__segment, the payload buffer (dd__pbuf)
 *                                    and encoders (dd__enc).
 *   --- struct dd_tracer ---         the tracer: hooks, configuration, lock and condition, sampler,
 *                                    pools, payload buffers, worker state, counters.
 *   --- logging: never called with the tracer lock held --- the default stderr logger,
 *                                    dd__tlog*, rate-limited lines, the drop kinds (each rate-limited).
 *   --- arenas: fixed-size blocks recycled through the tracer's pool --- the span path's lock
 *                                    word (dd__spin), the block pools (t->pool: segments' first
 *                                    blocks, 4 KiB blocks), segment allocation (seg->lock) and release.
 *   --- span handles: a slot and a generation, checked by every span function --- the
 *                                    process-wide handle table (its own mutex, taken under
 *                                    t->pool), dd__span_live, slot take/bind/release, the
 *                                    segment's slot cache.
 *   --- span tag storage ---         a span's area (refilled under the lock), tag lookup, the
 *                                    msgpack-ready tag layout (dd__span_put); no lock per tag;
 *                                    the _static setters' DD__TAG_REF tags (dd__span_put_ref).
 *   --- configuration ---            DD_* parsing helpers (dd__env_ctx, dd__resolve_flag).
 *   --- container id, global tags, runtime id --- the cgroup file, DD_TAGS, runtime-id, fork check.
 *   --- propagation configuration: code beats the environment (docs/propagation.md §2) ---
 *                                    t->prop (styles, baggage tag keys).
 *   --- tracer creation ---          the startup log, the condition variable, the delivery mode.
 *   --- dd_tracer_new ---            dd_tracer_config_init, dd_tracer_new: one allocation for the
 *                                    tracer and its strings; reads the environment once.
 *   --- ids ---                      span and trace ids (random_fn or dd__rng).
 *   --- spans ---                    span initialisation, child spans (under the segment's lock),
 *                                    segment text and ptags.
 *   --- baggage of a trace (docs/http.md §1) --- the segment's dd_baggage and its span tags.
 *   --- span start and fields ---    dd_span_start (context, root tags), name/service/resource/type,
 *                                    dd_span_start_child_static, dd_span_set_resource_static.
 *   --- tags ---                     manual.keep/drop, peer.service, dd_span_set_tag, get_tag/metric.
 *   --- span baggage ---             dd_span_baggage_* (changes under the tracer lock).
 *   --- HTTP spans (docs/http.md §2) --- the default query-string pattern, PCRE to POSIX ERE.
 *   --- HTTP configuration ---       error statuses, header tags, peer service mapping,
 *                                    dd__tracer_http (called by dd_tracer_new).
 *   --- HTTP tags ---                dd_span_set_http_request/_client_ip/_route/_response.
 *   --- metrics, errors, kind, links and ids of a span --- dd_span_set_metric/_error/_kind/
 *                                    _measured, dd_span_add_link, dd_span_trace_id and friends.
 *   --- sampling decision: the one place it is made (under lock) --- dd__segment_decide (calls
 *                                    the sampler), dd_span_set_priority, dd_span_set_origin.
 *   --- encoding (docs/agent-protocol.md §2.2-§2.6), under lock --- dd__encode_span: most spans
 *                                    from the encoder's template (dd__enc_template, _tpl), the
 *                                    rest by dd__encode_span_full; a cursor over the writer's
 *                                    buffer (dd__enc_*), few room checks.
 *   --- client-side stats (docs/stats.md) --- DDSketch, the concentrator (dd__stats_finish, under
 *                                    lock), the /v0.6/stats payload, /info and its trace filters
 *                                    (compiled on the worker), the P0 rule, Datadog-Agent-State
 *                                    (dd_http_response_header); requests in dd__stats_pass (no
 *                                    lock; holds t->flushing).
 *   --- payload buffer and span filtering --- dd__pbuf_grow, dd__segment_filter (calls the span
 *                                    sampler), dd__encode_chunk, dd__pbuf_append.
 *   --- finish ---                   dd__finish (the segment's lock), dd__complete: the trace's
 *                                    decision, encoding off the lock on the finishing thread or
 *                                    queueing for the worker; dd__finish_partial.
 *   --- delivery: the worker, requests, retries and the held payload --- responses, backoff.
 *   --- delivery: requests ---       dd__build_request (a body sent from the buffer in place),
 *                                    dd__send_held: calls transport_fn and log_fn without the lock.
 *   --- delivery: cycles ---         dd__deliver, dd__deliver_all: swapping and freeing buffers.
 *   --- the worker thread ---        dd__worker_main, dd__wake_worker.
 *   --- flush, counters and accessors --- dd_tracer_flush, dd_tracer_counters, service/env/version.
 *   --- shutdown and fork ---        the tracer registry (its own mutex), fork handlers,
 *                                    dd_tracer_free.
 *   --- propagation from a span ---  dd__sctx (the span's fields, no dd_trace_context), dd_span_context,
 *                                    dd_span_inject* (dd__inject over a dd__ictx).
 *   --- extraction with the tracer's configuration --- dd_tracer_extract* (dd_extract).
 *   --- log correlation (dd-trace-py 3.x formats) --- dd_span_log_correlation.
 *   Every section may use the shared prelude (dd__alloc, dd__free, DD__PRIVATE).
 *
 * HANDLES   a dd_span * is a handle (a slot of a process-wide table and the slot's generation),
 *           not the span's address. It is live from the call that returned it until
 *           dd_span_finish / dd_span_finish_at, and dead from then on, whatever happens to the
 *           trace: still open (a second finish), sent, or its memory reused by another trace's
 *           spans. Every dd_span_* function (and dd_span_options.parent) recognises a dead handle
 *           in every build: the call does nothing, returns what it returns for NULL (NULL, 0,
 *           DD_ERR_INVALID_ARG or DD_ERR_NOT_FOUND as documented), and counts it in
 *           dd_counters.stale_handle_calls (NULL itself is not counted). Exact on 64-bit for 2^32
 *           reuses of one slot (4096 on 32-bit). Handles of a freed tracer are dead too (counted
 *           in whichever tracer owns their slot by then, if any). Cost: ~15 instructions per call
 *           (BENCHMARKS.md).
 * ERRORS    edges return DD_OK / DD_ERR_*; span functions return void, accept NULL and never fail
 *           loudly: each kind of drop is counted and logged (warning) at most once per kind per
 *           DD_TRACE_LOGGING_RATE seconds with the number not logged since, and the counters go to
 *           the debug log after each flush. No configuration can flood the log at start-up:
 *           DD_TAGS problems make one summary line, sampling-rule problems at most 10 lines per
 *           list and one summary.
 * STACK     every call stays within 16 KiB of stack, measured by tests/stack_test.c on a guarded
 *           16 KiB thread stack with worst-case inputs (gcc and clang, -O0 to -O2; hooks and
 *           carrier callbacks add their own use, except in the figures of a finish, flush and
 *           free, which include dd_sender_transport to a local agent). The largest:
 *           dd_span_inject and its variants 12.5 KiB (8 KiB of it the `baggage` header, formatted
 *           before the carrier gets it), _cstr 13.5 KiB with its 1 KiB scratch: the closest to the
 *           limit; dd_tracer_new 7 KiB; dd_tracer_extract* as dd_extract, 6-7 KiB;
 *           dd_span_set_http_request 8 KiB of its own, but see its note: glibc's regexec may take
 *           20 KiB more the first time a query shape is obfuscated, the one call that can pass
 *           16 KiB; the finish of a trace's last span, dd_tracer_flush and dd_tracer_free 5.5 KiB
 *           with encoding and a request; dd_span_context 3 KiB; dd_span_start 2 KiB; a tag or a
 *           getter under 1 KiB. No call puts a dd_trace_context (20 KB) on the stack. The worker
 *           thread has the default stack size.
 * NULL      one rule for the whole API (the five headers): every public function accepts NULL for
 *           any pointer argument and then returns its documented error (DD_ERR_INVALID_ARG, or its
 *           own error value: DD_ERR_NOT_FOUND, 0, NULL, "", -1, DD_TRANSPORT_NOT_SENT) or does
 *           nothing, writing nothing; where NULL has a documented meaning (defaults, none, an
 *           optional out-param, an output buffer taken as capacity 0 to measure) it keeps it.
 *           tests/null_api_test.c calls every function with NULL in each pointer position (the
 *           calls generated from the headers by scripts/gen_null_calls.py).
 * DOES NOT  do I/O: bytes leave only through the transport callback you supply; the only files
 *           read are the cgroup file (container id) and, when no service is configured,
 *           /proc/self/comm (program name), once each, in dd_tracer_new
 */
#ifndef DD_TRACE_H
#define DD_TRACE_H
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

DD__BEGIN_C

/*=== declarations ===*/

/*=== sampling ===*/

/* Sampling mechanisms: the number behind `_dd.p.dm` ("-" + mechanism) and
 * `_dd.span_sampling.mechanism` (docs/sampling.md §7). */
#define DD_SAMPLING_MECHANISM_DEFAULT 0       /* no rule, no agent rate yet (rate 1.0)      */
#define DD_SAMPLING_MECHANISM_AGENT_RATE 1    /* the agent's rate_by_service                */
#define DD_SAMPLING_MECHANISM_RULE 3          /* a sampling rule or DD_TRACE_SAMPLE_RATE    */
#define DD_SAMPLING_MECHANISM_MANUAL 4        /* user keep / user reject                    */
#define DD_SAMPLING_MECHANISM_SPAN_RULE 8     /* single-span sampling                       */
#define DD_SAMPLING_MECHANISM_REMOTE_RULE 11  /* rule with provenance "customer"            */
#define DD_SAMPLING_MECHANISM_REMOTE_ADAPTIVE_RULE 12 /* rule with provenance "dynamic"     */

/* Fixed capacities of the sampler. Rules beyond them are dropped and reported via the log hook. */
#define DD_SAMPLING_RULES_MAX 64        /* trace rules, the DD_TRACE_SAMPLE_RATE catch-all included */
#define DD_SPAN_SAMPLING_RULES_MAX 32   /* single-span rules                                       */
#define DD_SAMPLING_TAG_PATTERNS_MAX 64 /* tag patterns over all rules                             */
#define DD_SAMPLING_TEXT_MAX 8192       /* bytes of rule patterns and tag keys over all rules      */
#define DD_AGENT_RATES_MAX 256          /* keys of the agent's rate_by_service kept                */
#define DD_AGENT_RATES_TEXT_MAX 16384   /* bytes of those keys                                     */

/* One tag condition of an in-code rule: the tag `key` must exist on the span and its value
 * match the glob `pattern`. */
typedef struct dd_sampling_tag_pattern {
    const char *key;
    const char *pattern;
} dd_sampling_tag_pattern;

/* A sampling rule given in code, with the meaning of one DD_TRACE_SAMPLING_RULES entry
 * (or, for span rules, one DD_SPAN_SAMPLING_RULES entry). Patterns are globs: `*` matches any
 * run of bytes, `?` exactly one byte, everything else itself, ASCII case folded; NULL means `*`.
 * Matching is linear in the subject (a few ns per byte at worst); for that, a pattern may have at
 * most 64 bytes between two `*` (before the first and after the last, any length): a rule with a
 * longer one is ignored and logged. Strings are copied at setup. */
typedef struct dd_sampling_rule {
    const char *service;
    const char *name;
    const char *resource;
    const dd_sampling_tag_pattern *tags; /* every tag must exist and match */
    size_t n_tags;
    double sample_rate;                  /* in [0, 1], taken as given (0 is a real rate) */
    double max_per_second;               /* span rules only; <= 0 = unlimited           */
} dd_sampling_rule;

/* Sampling configuration, part of the tracer's configuration. Zeroed is valid: rules and rates
 * then come from the environment (DD_TRACE_SAMPLING_RULES, DD_TRACE_SAMPLE_RATE,
 * DD_TRACE_RATE_LIMIT, DD_SPAN_SAMPLING_RULES), read once at setup. A field set in code beats its
 * environment variable. Invalid values are reported through the log hook and ignored: a rule that
 * does not parse is skipped and the valid ones kept; unparsable JSON gives no rules. */
typedef struct dd_sampling_config {
    const char *rules_json;       /* trace rules as JSON; NULL = DD_TRACE_SAMPLING_RULES        */
    double sample_rate;           /* catch-all rule after the others, in [0, 1]               */
    int sample_rate_set;          /* nonzero: sample_rate is set; 0 = DD_TRACE_SAMPLE_RATE      */
    double rate_limit;            /* traces per second kept by rules; > 0 and finite          */
    int rate_limit_set;           /* nonzero: rate_limit is set; 0 = DD_TRACE_RATE_LIMIT or 100 */
    const char *span_rules_json;  /* single-span rules as JSON; NULL = DD_SPAN_SAMPLING_RULES   */
    /* Nonzero: traces whose final priority is <= 0 are not sent to the agent (their spans kept
     * by single-span sampling still are). Off by default because the agent computes its
     * statistics (request counts, errors, latency) and its own sampling rates from every trace
     * it receives, dropped or not: turning this on saves bandwidth but makes those figures
     * count only the kept traces. */
    int drop_rejected_traces;
    const dd_sampling_rule *rules; /* in-code trace rules; when n_rules > 0 they replace the JSON */
    size_t n_rules;
    const dd_sampling_rule *span_rules; /* in-code span rules; replace the span JSON when > 0 */
    size_t n_span_rules;
} dd_sampling_config;

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
#define DD_DEFAULT_MAX_OPEN_SEGMENTS 10000    /* local traces with unfinished spans (896 B+ each) */
#define DD_DEFAULT_MAX_BUFFER_BYTES (10u << 20) /* encoded chunks waiting for a flush             */
#define DD_DEFAULT_FLUSH_BYTES (1u << 20)     /* buffered bytes that wake the worker at once      */
#define DD_DEFAULT_MAX_REQUEST_BYTES (10u << 20) /* one request body; larger flushes are split   */
#define DD_DEFAULT_FLUSH_INTERVAL_MS 2000     /* automatic flush after this much time           */
#define DD_DEFAULT_PARTIAL_FLUSH_MIN_SPANS 500 /* DD_TRACE_PARTIAL_FLUSH_MIN_SPANS default       */
#define DD_DEFAULT_SEND_RETRIES 2             /* extra attempts after a 408, 429 or 503 answer   */
#define DD_DEFAULT_REQUEST_TIMEOUT_MS 2000    /* one request, connect to last byte (DD_TRACE_AGENT_TIMEOUT) */
#define DD_DEFAULT_SHUTDOWN_TIMEOUT_MS 2000   /* dd_tracer_free's last delivery, all requests     */

/* Delivery modes (dd_tracer_config.delivery): who calls the transport. */
#define DD_DELIVERY_BACKGROUND 1 /* a worker thread owned by the tracer; a span finish only hands
                                    its trace over (the default outside AWS Lambda)             */
#define DD_DELIVERY_SYNC 2       /* no thread: the dd_span_finish that passes flush_bytes or the
                                    flush interval sends on its own thread (single-threaded
                                    embedders that forbid threads)                              */
#define DD_DELIVERY_MANUAL 3     /* no thread, nothing automatic: only dd_tracer_flush and
                                    dd_tracer_free send (the default in AWS Lambda)             */

/* What a dd_transport_fn returns. The difference between the last two is what keeps a payload
 * from being delivered twice: only a request that surely did not reach the agent is tried again. */
#define DD_TRANSPORT_ANSWERED 0    /* a whole HTTP answer arrived; its status is in resp->status */
#define DD_TRANSPORT_NOT_SENT 1    /* the agent surely did not process the request: no connection,
                                      or the connection failed before the whole request was
                                      written. The payload is kept and tried again later.       */
#define DD_TRANSPORT_UNCONFIRMED 2 /* the whole request was written but no whole answer came back
                                      (deadline, reset, unreadable or oversized answer): the
                                      agent may have processed it, so it is never sent again.
                                      Every other non-zero value means the same.                */

/* A request to send to the agent: always "POST" to "/v0.4/traces" with a msgpack body. Header
 * names and values (dd_header, from dd_propagation.h) are also NUL-terminated. Everything is
 * borrowed for the duration of the transport call. The transport adds Content-Length: body_len
 * (not chunked encoding: the APM test agent requires Content-Length). */
typedef struct dd_http_request {
    const char *method;
    const char *path;
    const dd_header *headers;
    size_t n_headers;
    const uint8_t *body;
    size_t body_len;
    int64_t timeout_ms; /* the deadline of this call, connect to last byte of the answer: the
                           transport returns by then whatever the peer does (> 0)            */
} dd_http_request;

/* What the transport reports back. `status` is the HTTP status (0 when no answer arrived);
 * `body` (may be NULL) must stay valid until the SDK call that invoked the transport returns. */
typedef struct dd_http_response {
    int status;
    const char *body;
    size_t body_len;
    int64_t retry_after_ms; /* a 429 or 503 answer's Retry-After header in ms (0: none); the
                               SDK zeroes the whole struct before the call                   */
} dd_http_response;

/* Sends one request, synchronously, within req->timeout_ms. Returns DD_TRANSPORT_ANSWERED (0)
 * when a whole HTTP answer arrived (whatever its status, in resp->status),
 * DD_TRANSPORT_NOT_SENT when the agent surely did not get the request, any other value when it
 * may have. Called on the worker thread (background delivery), else on the thread that flushes,
 * one call at a time per tracer, never with an SDK lock held. */
typedef int (*dd_transport_fn)(void *user, const dd_http_request *req, dd_http_response *resp);

/* For a transport_fn: hands the SDK one header of the answer it is filling in. Call it during the
 * transport_fn call, on that thread, with the resp the call was given (name case-insensitive,
 * the value need not outlive the call). The SDK reads `Datadog-Agent-State`: with client-side
 * stats on, a value different from the last one seen makes it read the agent's /info again at
 * once (docs/stats.md §6). Other names, and calls outside a transport_fn call of the SDK, are
 * ignored. dd_sender_transport does it. [transport_fn] */
DD_API void dd_http_response_header(const dd_http_response *resp, const char *name, size_t name_len, const char *value,
                                    size_t value_len);

/* Tracer configuration. A zeroed struct is valid: every unset field is taken from the DD_*
 * environment variable named beside it (read once, in dd_tracer_new, through getenv_fn), else
 * from the default. Strings are NUL-terminated and copied by dd_tracer_new. */
/* An all-zero initialiser that compiles as C and as C++ without warnings:
 *   dd_tracer_config cfg = DD_TRACER_CONFIG_INIT;   (also DD_SPAN_OPTIONS_INIT) */
#ifdef __cplusplus
#define DD_ZERO_INIT {}
#else
#define DD_ZERO_INIT {0}
#endif
#define DD_TRACER_CONFIG_INIT DD_ZERO_INIT
#define DD_SPAN_OPTIONS_INIT DD_ZERO_INIT

typedef struct dd_tracer_config {
    size_t size;              /* sizeof(dd_tracer_config) as the caller was compiled (dd_tracer_config_init
                                 sets it); fields past it take their defaults, so a caller built
                                 against an older, shorter layout keeps working. 0 = this layout   */
    const char *service;      /* DD_SERVICE; default AWS_LAMBDA_FUNCTION_NAME, else program name   */
    const char *env;          /* DD_ENV; default none                                               */
    const char *version;      /* DD_VERSION; default none                                           */
    const char *tags;         /* DD_TAGS: "k:v,k:v" or "k:v k:v", added to every span (as Go, C++);
                                 at most 64, the rest and items without key:value ignored (one
                                 summary line)                                                    */
    int enabled;              /* DD_TRACE_ENABLED; default on. Off: spans are NULL, nothing is sent */
    int trace_id_128;         /* DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED; default on           */
    int debug;                /* DD_TRACE_DEBUG; default off: debug log lines, payloads as JSON     */
    int startup_logs;         /* DD_TRACE_STARTUP_LOGS; default on                                  */
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
    uint64_t max_buffer_bytes; /* completed traces waiting for a flush (their arena bytes, plus
                                  encoded partial chunks); 0 = DD_DEFAULT_MAX_BUFFER_BYTES          */
    uint64_t flush_bytes;     /* estimated payload bytes that trigger a flush; 0 = DD_DEFAULT_FLUSH_BYTES */
    uint64_t max_request_bytes; /* 0 = DD_DEFAULT_MAX_REQUEST_BYTES                                 */
    int64_t flush_interval_ms; /* 0 = DD_DEFAULT_FLUSH_INTERVAL_MS; negative = no interval flush    */
    int background_flush;     /* older name of `delivery`: DD_ON = background, DD_OFF = sync        */
    int send_retries;         /* extra attempts after a 408, 429 or 503 answer (an unreachable agent
                                 is tried for as long as the payload is held);
                                 0 = DD_DEFAULT_SEND_RETRIES, negative = none                         */
    dd_sampling_config sampling; /* rules, rates and limits: see the sampling section             */
    dd_allocator allocator;   /* every allocation of the tracer; zeroed = malloc/free                */
    int64_t (*wall_ns_fn)(void *user);  /* span start, ns since the Unix epoch; NULL = system clock */
    int64_t (*mono_ns_fn)(void *user);  /* durations and intervals, ns; NULL = monotonic clock      */
    uint64_t (*random_fn)(void *user);  /* ids; NULL = per-thread generator seeded from the OS,
                                           reseeded after fork()                                   */
    const char *(*getenv_fn)(void *user, const char *name); /* NULL = getenv; called in dd_tracer_new only */
    dd_log_fn log_fn;         /* diagnostics; NULL = one line per message on stderr: errors and
                                 warnings, debug lines too with DD_TRACE_DEBUG                     */
    dd_transport_fn transport_fn; /* the only way bytes leave; NULL = payloads are dropped (counted) */
    void *hook_user;          /* first argument of every hook above (unless set below)              */
    int delivery;             /* DD_DELIVERY_*; 0 = background, manual in AWS Lambda
                                 (AWS_LAMBDA_FUNCTION_NAME set). background_flush = DD_OFF is
                                 DD_DELIVERY_SYNC, DD_ON is DD_DELIVERY_BACKGROUND               */
    int64_t request_timeout_ms; /* deadline of one request; 0 = DD_TRACE_AGENT_TIMEOUT (seconds),
                                   else DD_DEFAULT_REQUEST_TIMEOUT_MS                           */
    int64_t shutdown_timeout_ms; /* bound on dd_tracer_free's last delivery; 0 =
                                    DD_DEFAULT_SHUTDOWN_TIMEOUT_MS, negative = send nothing     */
    void *transport_user;     /* first argument of transport_fn; NULL = hook_user                */
    void *log_user;           /* first argument of log_fn; NULL = hook_user                      */
    void (*transport_free_fn)(void *transport_user); /* called once by dd_tracer_free after the
                                 last delivery (so the tracer can own its sender); NULL = none    */
    /* Propagation (docs/propagation.md §2, docs/http.md §1), used by dd_tracer_extract* and
     * dd_span_inject*. NULL / 0 = the environment variable, else the default. Style lists as in
     * dd_propagation_parse_styles ("datadog,tracecontext,baggage" is the default both ways); a
     * direction's own field beats propagation_style, and any of them beats every variable. */
    const char *propagation_style;         /* DD_TRACE_PROPAGATION_STYLE (both directions)           */
    const char *propagation_style_extract; /* DD_TRACE_PROPAGATION_STYLE_EXTRACT                     */
    const char *propagation_style_inject;  /* DD_TRACE_PROPAGATION_STYLE_INJECT                      */
    const char *propagation_behavior_extract; /* DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT: "continue"
                                                 (default), "restart" or "ignore"                    */
    int32_t baggage_max_items;  /* DD_TRACE_BAGGAGE_MAX_ITEMS; 0 = 64 (at most DD_BAGGAGE_ITEMS_MAX);
                                   negative = no baggage style                                      */
    int32_t baggage_max_bytes;  /* DD_TRACE_BAGGAGE_MAX_BYTES; 0 = 8192 (at most
                                   DD_BAGGAGE_BYTES_MAX); negative = no baggage style               */
    const char *baggage_tag_keys; /* DD_TRACE_BAGGAGE_TAG_KEYS: extracted baggage items copied onto
                                     the local root as baggage.<key> tags; default
                                     "user.id,session.id,account.id"; "" = none; "*" = all          */
    int logs_injection;       /* DD_LOGS_INJECTION; default on. Off: dd_span_log_correlation
                                 writes nothing                                                   */
    int log_128bit;           /* DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED; default on. Off: the
                                 trace id is logged as its low 64 bits in decimal                  */
    /* HTTP spans (dd_span_set_http_*; docs/http.md §2) */
    const char *obfuscation_query_string_regexp; /* DD_TRACE_OBFUSCATION_QUERY_STRING_REGEXP; NULL =
                                 the variable, else the official default; "" = no obfuscation      */
    const char *http_server_error_statuses; /* DD_TRACE_HTTP_SERVER_ERROR_STATUSES; default 500-599 */
    const char *http_client_error_statuses; /* DD_TRACE_HTTP_CLIENT_ERROR_STATUSES; default 400-499 */
    const char *header_tags;  /* DD_TRACE_HEADER_TAGS: "header[:tag],..."                          */
    int http_client_tag_query_string; /* DD_TRACE_HTTP_CLIENT_TAG_QUERY_STRING; default on         */
    int client_ip_enabled;    /* DD_TRACE_CLIENT_IP_ENABLED; default off: dd_span_set_http_client_ip
                                 does nothing                                                    */
    const char *client_ip_header; /* DD_TRACE_CLIENT_IP_HEADER: the only header read for it       */
    const char *peer_service_mapping; /* DD_TRACE_PEER_SERVICE_MAPPING "from:to,...": a peer.service
                                         tag set to `from` becomes `to`                             */
    const char *service_mapping; /* DD_SERVICE_MAPPING "from:to,...": a span whose service is `from`
                                    (the tracer's, or one set in code) gets `to`, as dd-trace-py's
                                    spans do                                                     */
    void *clock_user;         /* first argument of wall_ns_fn and mono_ns_fn; NULL = hook_user    */
    void *random_user;        /* first argument of random_fn; NULL = hook_user                   */
    void *getenv_user;        /* first argument of getenv_fn; NULL = hook_user                   */
    int stats_computation;    /* DD_TRACE_STATS_COMPUTATION_ENABLED; default off. On: APM stats are
                                 computed here and sent to /v0.6/stats, and traces the sampler
                                 rejected are not sent, when the agent's /info agrees
                                 (docs/stats.md)                                                  */
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
    uint64_t chunks_encoded;      /* chunks accepted into the buffer (completed traces are
                                     encoded by the next flush, which may still refuse one
                                     larger than max_request_bytes: then it moves to
                                     chunks_dropped_buffer)                                   */
    uint64_t spans_encoded;       /* their spans                                              */
    uint64_t chunks_dropped_buffer; /* chunks refused: max_buffer_bytes, a chunk larger than
                                     max_request_bytes, or out of memory                      */
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
    uint64_t spans_dropped_sampling;  /* spans of rejected traces not sent (sampling.drop_rejected_traces
                                         on, or client-side stats, and no single-span rule kept
                                         them), and spans the agent's trace filters reject
                                         (client-side stats, docs/stats.md §2)                  */
    uint64_t chunks_dropped_sampling; /* chunks left empty by that                              */
    uint64_t spans_sent;          /* spans in requests the agent accepted (2xx)                */
    uint64_t requests_unconfirmed; /* requests written whose answer never came whole (deadline,
                                     reset, unreadable): maybe delivered, never sent again     */
    uint64_t chunks_unconfirmed;  /* their chunks                                              */
    uint64_t spans_unconfirmed;   /* their spans                                               */
    uint64_t requests_deferred;   /* attempts the agent surely did not process (no connection,
                                     408, 429, 503): the payload was kept for a later try      */
    uint64_t spans_dropped_shutdown; /* spans still buffered when dd_tracer_free's deadline
                                     passed, or discarded by a fork()ed child (the parent sends
                                     them)                                                     */
    uint64_t spans_open;          /* now: started and not finished                             */
    uint64_t spans_pending;       /* now: finished and not yet sent or dropped (in their open
                                     trace, the buffer, or a request being sent)               */
    uint64_t stale_handle_calls;  /* span function calls given a dead handle (after its
                                     dd_span_finish): ignored (see HANDLES at the top)         */
    /* client-side stats (docs/stats.md) */
    uint64_t stats_spans;         /* spans aggregated into stats                               */
    uint64_t stats_spans_overflow; /* of which into a bucket's overflow key (a key or text limit),
                                     or with their additional tags blocked (100 sets a bucket) */
    uint64_t stats_spans_dropped; /* eligible spans not aggregated: every bucket slot taken, or
                                     out of memory                                            */
    uint64_t stats_payloads_sent; /* /v0.6/stats requests the agent accepted (2xx)             */
    uint64_t stats_payloads_failed; /* /v0.6/stats requests lost (never retried once written)  */
    uint64_t stats_bytes_sent;    /* their body bytes (accepted ones)                          */
    uint64_t chunks_dropped_p0;   /* of chunks_dropped_sampling: rejected chunks dropped because
                                     stats cover them (the agent's client_drop_p0s)            */
    uint64_t spans_dropped_p0;    /* of spans_dropped_sampling: their spans, and the spans of
                                     such chunks that single-span sampling did not keep       */
} dd_counters;
/* The balance that always holds (a test asserts it after every fault):
 *   spans_started = spans_open + spans_pending + spans_sent + spans_unconfirmed
 *                 + spans_dropped_buffer + spans_dropped_sampling + spans_dropped_send
 *                 + spans_dropped_shutdown */

/* Zero *cfg and set its size: what a caller built as a shared-library client should use, so
 * that a later library version knows which fields it has. [any thread] */
DD_API void dd_tracer_config_init(dd_tracer_config *cfg);

typedef struct dd_tracer dd_tracer; /* opaque */
typedef struct dd_span dd_span;     /* opaque; lives until dd_span_finish */

/*=== tracer lifecycle ===*/

/* Creates a tracer from `cfg` (NULL = zeroed config), reading the environment once and, when
 * cgroup_path is not "", the container id. Logs the startup configuration line (JSON) when
 * startup logs are on and invalid settings (the default is kept). Starts the background
 * flusher when asked. Returns NULL when out of memory. [setup] */
DD_API dd_tracer *dd_tracer_new(const dd_tracer_config *cfg);

/* Gives the worker (or, without one, this thread) at most shutdown_timeout_ms to deliver what
 * is buffered, counts what is left in spans_dropped_shutdown, drops traces with unfinished
 * spans, and frees the tracer. It returns within shutdown_timeout_ms + 200 ms whatever the
 * transport does: a call still under way then (one started before the deadline with its own
 * request deadline, or one that ignores its deadline) is left to the worker, which frees the
 * tracer and calls transport_free_fn when it returns. So a transport must be owned by the tracer
 * (transport_free_fn; dd_sender_attach does it), not freed by the caller right after this call.
 * Spans of this tracer must not be used afterwards. NULL is a no-op. [setup] */
DD_API void dd_tracer_free(dd_tracer *t);

/* Delivers every trace completed before the call and waits for the outcome, at most
 * shutdown_timeout_ms (+ one request): the worker sends (background mode), else this thread
 * does. Returns DD_OK (also when there was nothing to send); DD_ERR_TRANSPORT when the agent
 * could not be reached in time (the payload stays buffered for the next try) or a request's
 * answer was lost (counted in spans_unconfirmed); DD_ERR_HTTP when the agent refused a payload
 * (dropped, counted); DD_ERR_INVALID_ARG for NULL. [any thread] */
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
    size_t size;                        /* as dd_tracer_config.size (0 = this layout)            */
    const dd_span *parent;              /* child of this span (same segment), or NULL          */
    const dd_trace_context *context;    /* else continue this extracted context (a new segment
                                           whose root is this span), or NULL for a new trace    */
    const char *name;        size_t name_len;
    const char *service;     size_t service_len;   /* default: the parent's, else the tracer's   */
    const char *resource;    size_t resource_len;  /* default: the name                         */
    const char *type;        size_t type_len;      /* default: ""                               */
    int64_t start_ns;        /* wall clock, ns since the Unix epoch; 0 = now                     */
    /* Ids given by the caller (spans rebuilt from logs or another system); 0 = generated.
     * trace_id: only for a new trace (no parent, no context with a trace id), and only with a
     * non-zero low half (x-datadog-trace-id 0 is no trace); else a new id is generated.
     * span_id: any non-zero value, for a root or a child. */
    dd_trace_id trace_id;
    uint64_t span_id;
} dd_span_options;

/* Starts a span. Returns NULL when tracing is disabled, a limit refuses the span (counted),
 * or memory runs out; every dd_span_* function accepts NULL and then does nothing.
 * A context without trace id but with baggage or span links (a baggage-only request, extract
 * behaviour `restart`) starts a new trace that carries them. Extracted baggage becomes the
 * trace's baggage, and the items named by DD_TRACE_BAGGAGE_TAG_KEYS become baggage.<key> tags
 * of this span, the local root. [any thread] */
DD_API dd_span *dd_span_start(dd_tracer *t, const dd_span_options *opts);

/* Starts a child of `parent` named `name` (the common case, kept short). NULL parent: NULL.
 * [owner thread of parent] */
DD_API dd_span *dd_span_start_child(dd_span *parent, const char *name);
DD_API dd_span *dd_span_start_child_n(dd_span *parent, const char *name, size_t name_len);

/* Finishes the span now (or at end_ns, wall clock ns since the epoch, for spans rebuilt from
 * event timestamps; a time before the start gives duration 0). The handle is dead afterwards:
 * any later call with it, a second finish included, is ignored and counted (HANDLES at the top).
 * The last span of a segment to finish completes it: the sampling decision is made if it was
 * not, and the trace is encoded into the buffer (by this thread when it is small, else by the
 * worker) or dropped and counted when the buffer is full. It never waits for the network,
 * except in DD_DELIVERY_SYNC mode, where it delivers when the buffer passed flush_bytes or
 * flush_interval_ms has passed. With partial flush on, a segment with partial_flush_min_spans
 * finished spans has them encoded as a chunk at once. [owner thread] */
DD_API void dd_span_finish(dd_span *s);
DD_API void dd_span_finish_at(dd_span *s, int64_t end_ns);

/* Sets the span's start time (wall clock ns since the Unix epoch). [owner thread] */
DD_API void dd_span_set_start(dd_span *s, int64_t start_ns);

/* Span fields; strings are copied. A value over the tag-bytes limit (or one that finds no memory)
 * is dropped and counted in tags_dropped. [owner thread] */
DD_API void dd_span_set_name(dd_span *s, const char *name);
DD_API void dd_span_set_name_n(dd_span *s, const char *name, size_t len);
DD_API void dd_span_set_service(dd_span *s, const char *service);
DD_API void dd_span_set_service_n(dd_span *s, const char *service, size_t len);
DD_API void dd_span_set_resource(dd_span *s, const char *resource);
DD_API void dd_span_set_resource_n(dd_span *s, const char *resource, size_t len);
DD_API void dd_span_set_type(dd_span *s, const char *type);
DD_API void dd_span_set_type_n(dd_span *s, const char *type, size_t len);

/* A string tag (meta). Setting a key again replaces its value (a metric of that key too): in its
 * storage when it fits, else in new storage twice as large, so that replacing a value any number
 * of times takes at most about twice its largest length; the last value is the one sent. A value
 * over max_tag_bytes (the span's live tags counted) removes the key and counts tags_dropped: no
 * older value is sent. Bytes that are not valid UTF-8 are replaced with U+FFFD on the wire.
 * [owner thread] */
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

/* Sets the origin of the span's whole trace (e.g. "lambda", "synthetics"): meta _dd.origin on
 * every span of the trace and the origin propagated by dd_span_inject; an extracted context's
 * origin is replaced. At most DD_ORIGIN_MAX bytes, else ignored. [owner thread] */
DD_API void dd_span_set_origin(dd_span *s, const char *origin);
DD_API void dd_span_set_origin_n(dd_span *s, const char *origin, size_t len);

/* Non-zero: metric _dd.measured = 1 (the agent computes stats for this span). [owner thread] */
DD_API void dd_span_set_measured(dd_span *s, int measured);

/* Manual sampling decision for the span's whole trace: DD_PRIORITY_USER_KEEP (2) or
 * DD_PRIORITY_USER_REJECT (-1) (other values are clamped to these), mechanism 4 (manual).
 * Ignored once the decision is locked by an injection (dd_span_inject / dd_span_context).
 * The tags manual.keep and manual.drop (dd_span_set_tag on any span of the trace, any value but
 * "false" or "0") call it with 2 / -1 and are not stored (docs/http.md §3, docs/sampling.md §2).
 * (A peer.service tag is kept with _dd.peer.service.source=peer.service, renamed by
 * DD_TRACE_PEER_SERVICE_MAPPING with _dd.peer.service.remapped_from; docs/http.md §2.7.)
 * [owner thread] */
DD_API void dd_span_set_priority(dd_span *s, int priority);

/* Strings the caller keeps: the _static functions do what their copying namesakes do (the same
 * limits, tag-bytes accounting, drops and counters, NULL handling and threads; the same bytes on
 * the wire, non-UTF-8 repaired alike) but keep a pointer to the caller's bytes instead of a copy.
 * The caller promises that those bytes stay valid and unchanged until the span's trace has been
 * encoded or dropped: by the dd_span_finish that completes the trace when it encodes it itself
 * (small traces) or cuts a partial-flush chunk of the span, else by the worker (or, without one,
 * the flushing thread) -- at the latest when a dd_tracer_flush called after the trace's last
 * finish has returned DD_OK, or when dd_tracer_free has returned. String literals and any string
 * that outlives the tracer satisfy it. Until then the tracer may read them from any thread (the
 * sampling decision, dd_span_inject, client-side stats, the encoder). Whether a string is ASCII
 * is checked once, when it is given: bytes changed afterwards could reach the wire unchecked.
 * dd_span_get_tag returns the caller's pointer for such a tag. A key set again may keep the
 * pointer it was first given or take the new one. dd_span_start_child_static: a child named `name` (its resource follows
 * the name until set), as dd_span_start_child. [owner thread of the span, or of parent] */
DD_API dd_span *dd_span_start_child_static(dd_span *parent, const char *name);
DD_API void dd_span_set_resource_static(dd_span *s, const char *resource);
DD_API void dd_span_set_tag_static(dd_span *s, const char *key, const char *value);
DD_API void dd_span_set_tag_static_n(dd_span *s, const char *key, size_t key_len, const char *value,
                                     size_t value_len);
DD_API void dd_span_set_metric_static(dd_span *s, const char *key, double value);

/* Reads back a tag set on the open span with dd_span_set_tag / dd_span_set_metric (not the
 * tracer's own tags, added when the span is encoded). DD_OK with *value / *value_len pointing into
 * the span (valid until that tag changes or the span finishes); DD_ERR_NOT_FOUND; DD_ERR_TYPE (the
 * key holds a metric / a string). [owner thread] */
DD_API int dd_span_get_tag(const dd_span *s, const char *key, size_t key_len, const char **value,
                           size_t *value_len);
DD_API int dd_span_get_metric(const dd_span *s, const char *key, size_t key_len, double *value);

/* The trace's baggage (docs/http.md §1): one ordered map per local trace, shared by its spans,
 * filled from the extracted context and sent by dd_span_inject* with the `baggage` style. The
 * first item takes DD_BAGGAGE_* capacity (16.6 KB) from the trace's memory; a trace without
 * baggage pays nothing. Set, remove and clear take the tracer mutex.
 * dd_span_baggage_set: DD_OK, DD_ERR_LIMIT (capacity), DD_ERR_INVALID_ARG (empty key, NULL span),
 *   DD_ERR_NO_MEMORY. dd_span_baggage_get: as dd_baggage_get (the value stays valid until the
 *   trace's baggage changes). dd_span_baggage_remove: DD_OK or DD_ERR_NOT_FOUND.
 * dd_span_baggage: the map, to walk with dd_baggage_next, or NULL when the trace has none.
 * [owner thread; the spans of one trace must not change it from two threads at once] */
DD_API int dd_span_baggage_set(dd_span *s, const char *key, size_t key_len, const char *value,
                               size_t value_len);
DD_API int dd_span_baggage_get(const dd_span *s, const char *key, size_t key_len, const char **value,
                               size_t *value_len);
DD_API int dd_span_baggage_remove(dd_span *s, const char *key, size_t key_len);
DD_API void dd_span_baggage_clear(dd_span *s);
DD_API const dd_baggage *dd_span_baggage(const dd_span *s);

/* HTTP spans (docs/http.md §2). dd_span_set_http_request: kind DD_HTTP_SERVER or DD_HTTP_CLIENT
 * sets span.kind and the span type (web / http), http.method, http.url (`url` as given, e.g.
 * "https://host/path?q#f": userinfo removed; the query obfuscated with
 * DD_TRACE_OBFUSCATION_QUERY_STRING_REGEXP, every match replaced by <redacted>, and left out when
 * the pattern is invalid, the query longer than 2047 bytes, or, on a client span,
 * DD_TRACE_HTTP_CLIENT_TAG_QUERY_STRING is off), http.useragent (server) and the request headers
 * named by DD_TRACE_HEADER_TAGS (http.request.headers.<name> or the mapped tag). The pattern runs
 * with POSIX <regex.h> (its Perl forms (?: \d \s \w rewritten), which may allocate through
 * malloc, not the tracer's allocator; built without POSIX (strict ISO C), a query is left out
 * unless the pattern is "".
 * Stack: 8 KiB of its own. glibc's regexec builds its automaton lazily, on the caller's stack:
 * the first time it meets a query of a new shape it may take 20 KiB more (26 KiB in all measured
 * with the default pattern), later ~1 KiB. A thread with a small stack should not be the first
 * to obfuscate: run the request path once at startup on a thread with a larger stack.
 * dd_span_set_http_response: http.status_code (decimal text) and the error flag when the status
 * is in DD_TRACE_HTTP_SERVER_ERROR_STATUSES (server spans) or ..._CLIENT_... (client spans), and
 * the response header tags (http.response.headers.<name>). dd_span_set_http_route: http.route.
 * [owner thread] */
#define DD_HTTP_SERVER 1
#define DD_HTTP_CLIENT 2
DD_API void dd_span_set_http_request(dd_span *s, int kind, const char *method, const char *url,
                                     const dd_header *headers, size_t n_headers);
DD_API void dd_span_set_http_route(dd_span *s, const char *route);
/* With DD_TRACE_CLIENT_IP_ENABLED (default off; docs/http.md §2.6): network.client.ip = the socket
 * peer `peer_ip` (may be NULL), and http.client_ip = the first public address of the headers
 * x-forwarded-for, x-real-ip, true-client-ip, x-client-ip, forwarded (its for= values),
 * forwarded-for, x-cluster-client-ip, fastly-client-ip, cf-connecting-ip, cf-connecting-ipv6 (in
 * that order; only DD_TRACE_CLIENT_IP_HEADER when set; entries split on ',', ports and brackets
 * removed), else a public peer, else the first private header address, else the peer. Needs POSIX
 * (inet_pton). [owner thread] */
DD_API void dd_span_set_http_client_ip(dd_span *s, const char *peer_ip, const dd_header *headers, size_t n_headers);
DD_API void dd_span_set_http_response(dd_span *s, int status, const dd_header *headers, size_t n_headers);

/* Adds a span link (trace id, span id, flags, tracestate, reason/context_headers attributes).
 * Returns DD_OK, DD_ERR_LIMIT (tag-bytes limit, counted), DD_ERR_INVALID_ARG. [owner thread]
 * dd_span_add_link_attrs: the same, with up to DD_SPAN_LINK_ATTRS_MAX attributes of the caller's
 * (string keys and values, any bytes, written after `reason` and `context_headers`; as the
 * official tracers' addLink(context, attributes)). A key that is empty, repeated, or equal to
 * "reason" / "context_headers" while the link sets that field is DD_ERR_INVALID_ARG; the link and
 * its attributes count against the span's tag bytes. attrs may be NULL when n_attrs is 0. */
#define DD_SPAN_LINK_ATTRS_MAX 32
DD_API int dd_span_add_link(dd_span *s, const dd_span_link *link);
DD_API int dd_span_add_link_attrs(dd_span *s, const dd_span_link *link, const dd_header *attrs, size_t n_attrs);

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

/* dd_span_context, then dd_inject with the tracer's propagation config (dd_tracer_config's
 * propagation fields, else the DD_TRACE_PROPAGATION_* environment read in dd_tracer_new).
 * Returns what dd_inject returns, or DD_ERR_INVALID_ARG. No dd_trace_context is built: the
 * span's fields are read under the tracer lock into a 1.3 KiB copy and the baggage header (at most
 * DD_BAGGAGE_HEADER_MAX bytes) formatted there; stack 12.5 KiB, _cstr 13.5 KiB. [owner thread] */
DD_API int dd_span_inject(dd_span *s, const dd_carrier_writer *carrier);
/* dd_span_inject into each carrier kind of dd_propagation.h:
 *   _headers: a dd_headers list made with dd_headers_init (fields replaced or appended);
 *   _cstr: a callback taking NUL-terminated strings (a map of another language, message
 *          attributes); values over DD_CSTR_CARRIER_SCRATCH - 1 bytes cannot be passed
 *          (DD_ERR_BUFFER_FULL: a long baggage header);
 *   _env: a child process's environment block (dd_env_block_init);
 *   _datadog_json: the `_datadog` JSON object of queue messages (dd_datadog_inject), snprintf
 *          semantics, 0 on failure. [owner thread] */
DD_API int dd_span_inject_headers(dd_span *s, dd_headers *headers);
DD_API int dd_span_inject_cstr(dd_span *s, int (*set_fn)(void *user, const char *name, const char *value),
                               void *user);
DD_API int dd_span_inject_env(dd_span *s, dd_env_block *env);
DD_API size_t dd_span_inject_datadog_json(dd_span *s, char *out, size_t cap);

/* Extraction with the tracer's propagation config (styles, extract-first, x-datadog-tags and
 * baggage limits, extract behaviour): dd_extract's results and return values. Put a DD_OK
 * context in dd_span_options.context.
 *   dd_tracer_extract: any dd_carrier_reader;
 *   _headers: an array of n name/value pairs (names in any case; repeated fields joined);
 *   _cstr: get_fn(user, lowercase name) returning a NUL-terminated value or NULL;
 *   _env: the environment carrier (NULL getenv_fn = getenv), a parent process's context;
 *   _datadog_json: a `_datadog` JSON object given as text (dd_datadog_extract).
 * A NULL tracer uses the defaults. [any thread] */
DD_API int dd_tracer_extract(const dd_tracer *t, const dd_carrier_reader *carrier, dd_trace_context *out);
DD_API int dd_tracer_extract_headers(const dd_tracer *t, const dd_header *headers, size_t n, dd_trace_context *out);
DD_API int dd_tracer_extract_cstr(const dd_tracer *t, const char *(*get_fn)(void *user, const char *name),
                                  void *user, dd_trace_context *out);
DD_API int dd_tracer_extract_env(const dd_tracer *t, const char *(*getenv_fn)(void *user, const char *name),
                                 void *user, dd_trace_context *out);
DD_API int dd_tracer_extract_datadog_json(const dd_tracer *t, const char *json, size_t len, dd_trace_context *out);
/* The tracer's resolved propagation config (read only). [any thread] */
DD_API const dd_propagation_config *dd_tracer_propagation(const dd_tracer *t);

/* Log correlation for the span, with snprintf semantics (returns the length needed without
 * the NUL). json = 0: `dd.trace_id=<id> dd.span_id=<id> dd.service=<s> dd.env=<e>
 * dd.version=<v>`; json != 0: `"dd.trace_id":"<id>","dd.span_id":"<id>",...` (members to
 * splice into a JSON object). The trace id is 32 lowercase hex digits for 128-bit traces and
 * decimal for 64-bit ones (and for every trace with DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED
 * off), the span id decimal (as dd-trace-py 3.x; docs/http.md §2.9). NULL span: ids 0.
 * In the text form service, env and version are escaped so that no value can end the line or
 * start another field: a backslash becomes \\, a space \x20, a control byte \n, \r, \t or
 * \xHH. With DD_LOGS_INJECTION off it writes "" and returns 0. [owner thread] */
DD_API size_t dd_span_log_correlation(const dd_span *s, int json, char *out, size_t cap);

DD__END_C
#endif /* DD_TRACE_H */

#if (defined(DD_TRACE_IMPLEMENTATION) || defined(DD_LAMBDA_IMPLEMENTATION)) \
    && !defined(DD__TRACE_IMPLEMENTED)
#define DD__TRACE_IMPLEMENTED
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

/*=== sampling implementation ===*/
/* Owns the pure helpers of sampling: the Knuth keep/drop, globs, decimal and ksr formatting. No
 * state, no lock, no allocation; any thread. */
#include <pthread.h>
#include <sched.h>   /* sched_yield: a waiting agent-rates writer, a waiter on a dd__spin */
#if !defined(__GNUC__) && !defined(__clang__)
#error "the dd_trace.h implementation needs the GCC/Clang __atomic builtins (the span path's locks)"
#endif
#include <stdio.h> /* the default logger's stderr */
#include <stdlib.h>
#include <string.h>

/* The Knuth factor of docs/sampling.md §3 (0x0F6B75AB2BC471C7). */
#define DD__KNUTH_FACTOR UINT64_C(1111111111111111111)
#define DD__DEFAULT_RATE_LIMIT 100.0
#define DD__LIMITER_MAX_RATE 1e9 /* above this a token every nanosecond is the best we can do */
#define DD__LIMITER_WINDOW 9     /* previous one-second buckets in the effective rate */
#define DD__KSR_MAX 16           /* "0.123457" and NUL fit easily */

/* Keep/drop by rate on a 64-bit id: keep when id * KNUTH (mod 2^64) <= rate * (2^64 - 1). A rate
 * of 1.0 or more is UINT64_MAX (the double product would be 2^64, which does not convert); a
 * rate of 0, below 0 or NaN is threshold 0. [any thread] */
DD__PRIVATE int dd__sampling_keep(uint64_t id, double rate) {
    uint64_t threshold;
    if (rate >= 1.0) threshold = UINT64_MAX;
    else if (rate > 0.0) threshold = (uint64_t)(rate * 18446744073709551615.0);
    else threshold = 0;
    return id * DD__KNUTH_FACTOR <= threshold;
}

DD__PRIVATE int dd__sampling_fold(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* Glob matching (docs/sampling.md §4.3): `*` any run of bytes (also empty), `?` exactly one byte,
 * anything else itself with ASCII case folded; the whole subject must match. Linear in the
 * subject: the pattern is cut at its stars into segments; the first is compared at the start, the
 * last at the end, and each middle one is searched leftmost after the previous one (the leftmost
 * place is always the best: it leaves the most subject to the rest). A search compares naively
 * while that stays cheap and switches to a shift-and automaton (one 64-bit word, so segments of
 * at most DD__GLOB_SEGMENT_MAX bytes) when partial matches start to cost: no subject costs more
 * than a few instructions per byte and segment. Rules with a longer middle segment are refused at
 * setup (dd__glob_bounded); this matcher still answers for them, in O(segment * subject). */
#define DD__GLOB_SEGMENT_MAX 64
/* The tiny helpers of the span and encoding hot paths: inlined, so a tag or a key costs no call;
 * their rare branches kept out of line. */
#if defined(__GNUC__)
#define DD__T_HOT __attribute__((always_inline)) inline
#define DD__T_COLD __attribute__((noinline))
#else
#define DD__T_HOT
#define DD__T_COLD
#endif
#if defined(__GNUC__)
#define DD__T_HOT_GLOB __attribute__((always_inline)) inline
#else
#define DD__T_HOT_GLOB
#endif

/* 1 when pattern byte p matches subject byte c. */
DD__PRIVATE DD__T_HOT_GLOB int dd__glob_byte(char p, char c) {
    return p == c || p == '?' || dd__sampling_fold((unsigned char)p) == dd__sampling_fold((unsigned char)c);
}
/* 1 when the k bytes of s match segment seg (no '*'). */
DD__PRIVATE int dd__glob_eq(const char *seg, const char *s, size_t k) {
    size_t j;
    for (j = 0; j < k; j++)
        if (!dd__glob_byte(seg[j], s[j])) return 0;
    return 1;
}
/* The first place at or after i where byte c (either case) is, else n: memchr, both cases. */
DD__PRIVATE size_t dd__glob_next(const char *s, size_t i, size_t n, int c) {
    const char *a = (const char *)memchr(s + i, c, n - i), *b = NULL;
    int other = c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    if (other != c) b = (const char *)memchr(s + i, other, (size_t)((a ? a : s + n) - (s + i)));
    if (b) return (size_t)(b - s);
    return a ? (size_t)(a - s) : n;
}
/* Leftmost place of segment seg (k bytes, no '*', k >= 1) in s[0..n), or n + 1 when none. */
DD__PRIVATE size_t dd__glob_find(const char *seg, size_t k, const char *s, size_t n) {
    size_t i = 0, work = 0, j;
    uint64_t mask[256], d = 0, top;
    if (k > n) return n + 1;
    while (i + k <= n) { /* naive while partial matches stay short */
        if (seg[0] != '?' && (i = dd__glob_next(s, i, n - k + 1, (unsigned char)seg[0])) + k > n) break;
        for (j = 1; j < k; j++)
            if (!dd__glob_byte(seg[j], s[i + j])) break;
        if (j == k) return i;
        work += j;
        if (work > 2 * i + 16 && k <= DD__GLOB_SEGMENT_MAX) break;
        i++;
    }
    if (i + k > n) return n + 1;
    /* shift-and: bit j of d is set after byte x when seg[0..j] matches the bytes ending at x */
    top = (uint64_t)0;
    for (j = 0; j < k; j++)
        if (seg[j] == '?') top |= (uint64_t)1 << j;
    for (j = 0; j < 256; j++) mask[j] = top;
    for (j = 0; j < k; j++) {
        int c = dd__sampling_fold((unsigned char)seg[j]);
        if (seg[j] == '?') continue;
        mask[c] |= (uint64_t)1 << j;
        if (c >= 'a' && c <= 'z') mask[c - ('a' - 'A')] |= (uint64_t)1 << j;
    }
    top = (uint64_t)1 << (k - 1);
    for (j = i; j < n; j++) {
        d = ((d << 1) | 1) & mask[(unsigned char)s[j]];
        if (d & top) return j + 1 - k;
    }
    return n + 1;
}
DD__PRIVATE int dd__glob_match(const char *pat, size_t pn, const char *s, size_t sn) {
    size_t first = 0, last, suf, i, end, p, q, at;
    while (first < pn && pat[first] != '*') first++;
    if (first == pn) return pn == sn && dd__glob_eq(pat, s, pn); /* no star */
    last = pn - 1;
    while (pat[last] != '*') last--;
    suf = pn - last - 1;
    if (first + suf > sn || !dd__glob_eq(pat, s, first) || !dd__glob_eq(pat + last + 1, s + sn - suf, suf)) return 0;
    i = first;
    end = sn - suf;
    for (p = first + 1; p < last; p = q) {
        if (pat[p] == '*') {
            q = p + 1;
            continue;
        }
        for (q = p; pat[q] != '*'; q++) {}
        at = dd__glob_find(pat + p, q - p, s + i, end - i);
        if (at > end - i) return 0;
        i += at + (q - p);
    }
    return 1;
}
/* 1 when no segment between two stars is longer than DD__GLOB_SEGMENT_MAX (setup only). */
DD__PRIVATE int dd__glob_bounded(const char *pat, size_t pn) {
    size_t first = 0, last, p, q;
    while (first < pn && pat[first] != '*') first++;
    if (first == pn) return 1;
    last = pn - 1;
    while (pat[last] != '*') last--;
    for (p = first + 1; p < last; p = q + 1) {
        for (q = p; pat[q] != '*'; q++) {}
        if (q - p > DD__GLOB_SEGMENT_MAX) return 0;
    }
    return 1;
}

DD__PRIVATE int dd__glob_all_stars(const char *pat, size_t pn) {
    size_t i;
    for (i = 0; i < pn; i++)
        if (pat[i] != '*') return 0;
    return 1;
}

/* Decimal text of v into buf (at least 21 bytes); returns the length. No NUL. */
DD__PRIVATE size_t dd__sampling_u64_dec(uint64_t v, char *buf) {
    char tmp[20];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return n;
}

/* Formats a rate in [0, 1] as `_dd.p.ksr` (docs/sampling.md §8): six decimals rounded to
 * nearest with ties to even on the exact binary value (what "%.6f" does), then trailing zeros and
 * a trailing '.' stripped. Exact integer arithmetic on the double's bits, no printf and no
 * locale. Writes a NUL-terminated text into buf (DD__KSR_MAX bytes) and returns its length. */
DD__PRIVATE size_t dd__sampling_format_ksr(double r, char *buf) {
    uint64_t bits, m, q = 0;
    int exp, k;
    size_t n = 0;
    if (!(r > 0.0)) r = 0.0; /* NaN and negatives: validated earlier, formatted as 0 */
    if (r >= 1.0) { /* the default agent rate, formatted at every decision: "1" */
        buf[0] = '1';
        buf[1] = '\0';
        return 1;
    }
    memcpy(&bits, &r, sizeof bits);
    exp = (int)((bits >> 52) & 0x7ff);
    m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    /* value = m * 2^-k. Below 2^-21 (< 5e-7) it rounds to 0; subnormals and 0 too. */
    k = 1075 - exp;
    if (exp >= 1002 && r > 0.0) {
        /* P = m * 10^6 < 2^73 as a 128-bit hi:lo, then q = P >> k (52 <= k <= 73) and the
         * remainder compared with half of 2^k. */
        uint64_t mh = m >> 32, ml = m & 0xffffffffu;
        uint64_t a = mh * 1000000u, b = ml * 1000000u;
        uint64_t lo = (a << 32) + b;
        uint64_t hi = (a >> 32) + (lo < b ? 1u : 0u);
        uint64_t rem_hi, rem_lo, half_hi, half_lo;
        int up;
        if (k < 64) {
            q = (hi << (64 - k)) | (lo >> k);
            rem_hi = 0;
            rem_lo = lo & ((UINT64_C(1) << k) - 1);
            half_hi = 0;
            half_lo = UINT64_C(1) << (k - 1);
        } else {
            q = hi >> (k - 64);
            rem_hi = hi & ((UINT64_C(1) << (k - 64)) - 1);
            rem_lo = lo;
            half_hi = k == 64 ? 0 : UINT64_C(1) << (k - 65);
            half_lo = k == 64 ? UINT64_C(1) << 63 : 0;
        }
        if (rem_hi != half_hi) up = rem_hi > half_hi;
        else if (rem_lo != half_lo) up = rem_lo > half_lo;
        else up = (int)(q & 1u); /* exact tie: to even */
        q += (uint64_t)up;
    }
    n = dd__sampling_u64_dec(q / 1000000u, buf);
    q %= 1000000u;
    if (q) {
        int d;
        char frac[6];
        size_t fn = 6;
        for (d = 5; d >= 0; d--) {
            frac[d] = (char)('0' + (int)(q % 10));
            q /= 10;
        }
        while (fn > 0 && frac[fn - 1] == '0') fn--;
        buf[n++] = '.';
        memcpy(buf + n, frac, fn);
        n += fn;
    }
    buf[n] = '\0';
    return n;
}

/*--- rate limiter: token bucket + effective rate (dd-trace-cpp limiter.cpp's algorithm) ---*/
/* Owns dd__limiter; no lock of its own: the sampler calls it under its lock. */

typedef struct dd__limiter {
    double per_second;
    int64_t max_tokens;  /* ceil(per_second): the bucket starts full */
    int64_t tokens;
    int64_t interval_ns; /* one token comes back every 1e9 / per_second ns */
    int64_t next_refill_ns;
    int64_t period;      /* the current one-second bucket (now_ns / 1e9, floored) */
    uint64_t requested, allowed; /* in the current second */
    double previous[DD__LIMITER_WINDOW]; /* ratios of the previous seconds, newest first */
    int started;         /* the clock is read at the first call, not at setup */
} dd__limiter;

DD__PRIVATE void dd__limiter_init(dd__limiter *l, double per_second) {
    int64_t t;
    memset(l, 0, sizeof *l);
    if (!(per_second <= DD__LIMITER_MAX_RATE)) per_second = DD__LIMITER_MAX_RATE;
    if (!(per_second > 0.0)) per_second = DD__DEFAULT_RATE_LIMIT; /* callers validated; be safe */
    if (per_second < 1e-9) per_second = 1e-9; /* a token every 31 years: the interval fits int64 */
    l->per_second = per_second;
    t = (int64_t)per_second;
    if ((double)t < per_second) t++;
    l->max_tokens = t;
    l->interval_ns = (int64_t)(1e9 / per_second);
    if (l->interval_ns < 1) l->interval_ns = 1;
}

DD__PRIVATE int64_t dd__limiter_second(int64_t ns) {
    return ns >= 0 ? ns / 1000000000 : -((-(ns + 1)) / 1000000000) - 1;
}

/* Takes one token if there is one. *effective gets the mean of the previous 9 seconds' allowed
 * ratios (1.0 for a second without requests) and the current second's ratio. The caller holds
 * the sampler's lock. A clock that goes backwards refills nothing and opens no new second. */
DD__PRIVATE int dd__limiter_allow(dd__limiter *l, int64_t now_ns, double *effective) {
    int64_t sec = dd__limiter_second(now_ns);
    double sum = 0.0;
    int allowed = 0, i;
    if (!l->started) {
        int j;
        l->started = 1;
        l->tokens = l->max_tokens;
        l->next_refill_ns = now_ns + l->interval_ns;
        l->period = sec;
        for (j = 0; j < DD__LIMITER_WINDOW; j++) l->previous[j] = 1.0;
    }
    if (sec > l->period) {
        int64_t gap = sec - l->period; /* seconds elapsed; gap - 1 of them saw no request */
        double ratio = l->requested ? (double)l->allowed / (double)l->requested : 1.0;
        if (gap > DD__LIMITER_WINDOW) {
            for (i = 0; i < DD__LIMITER_WINDOW; i++) l->previous[i] = 1.0;
        } else {
            int g = (int)gap;
            for (i = DD__LIMITER_WINDOW - 1; i >= g; i--) l->previous[i] = l->previous[i - g];
            l->previous[g - 1] = ratio;
            for (i = 0; i < g - 1; i++) l->previous[i] = 1.0;
        }
        l->period = sec;
        l->requested = 0;
        l->allowed = 0;
    }
    l->requested++;
    if (now_ns >= l->next_refill_ns) {
        /* whole intervals since the last refill, in unsigned arithmetic so that no clock value
         * overflows; the phase of the refills is kept */
        uint64_t n = ((uint64_t)now_ns - (uint64_t)l->next_refill_ns) / (uint64_t)l->interval_ns + 1;
        l->next_refill_ns = (int64_t)((uint64_t)l->next_refill_ns + n * (uint64_t)l->interval_ns);
        if (n >= (uint64_t)(l->max_tokens - l->tokens)) l->tokens = l->max_tokens;
        else l->tokens += (int64_t)n;
    }
    if (l->tokens >= 1) {
        l->tokens--;
        l->allowed++;
        allowed = 1;
    }
    for (i = 0; i < DD__LIMITER_WINDOW; i++) sum += l->previous[i];
    if (effective)
        *effective = (sum + (double)l->allowed / (double)l->requested) / (DD__LIMITER_WINDOW + 1);
    return allowed;
}

/*--- the sampler ---*/
/* Owns dd__sampler and the types of its inputs and decisions. The sampler has its own mutex, taken
 * inside the tracer's when both are held; it calls no user hook but log_fn (getenv_fn at init). */

typedef struct dd__glob {
    uint32_t off, len; /* in the sampler's text pool */
    int any;           /* absent or only `*`: matches everything */
} dd__glob;

typedef struct dd__sampling_tag {
    uint32_t key_off, key_len;
    dd__glob pattern;
} dd__sampling_tag;

typedef struct dd__srule {
    dd__glob service, name, resource;
    uint32_t tag0, n_tags; /* into the sampler's tags[] */
    double rate;
    double max_per_second; /* span rules: > 0 when limited */
    int mechanism;
    uint32_t ksr_len;      /* trace rules: the rate as _dd.p.ksr, formatted once when the rules */
    char ksr[DD__KSR_MAX]; /* are complete (dd__sampler_init), copied by each decision */
} dd__srule;

typedef struct dd__agent_rate {
    uint32_t off, len; /* the key "service:S,env:E" in the table's text */
    double rate;
    uint32_t ksr_len;       /* the rate formatted once, when the table is written */
    char ksr[DD__KSR_MAX];  /* (a decision copies it: no formatting per trace) */
} dd__agent_rate;

/* One published set of agent rates: written whole by the one writer (under the sampler's lock),
 * then published; read without any lock (dd__agent_read_begin). */
typedef struct dd__agent_table {
    int has_default_rate;
    dd__agent_rate dflt; /* the default rate ("service:,env:"): rate and ksr only */
    size_t n;
    dd__agent_rate rates[DD_AGENT_RATES_MAX];
    char text[DD_AGENT_RATES_TEXT_MAX];
} dd__agent_table;

#define DD__AGENT_BODY_KEEP 1024
typedef struct dd__sampler {
    dd_log_fn log_fn;
    void *log_user;
    int drop_rejected_traces;
    double rate_limit;
    /* setup only: while `quiet`, at most quiet_left more lines, the rest counted in quiet_held */
    int quiet;
    size_t quiet_left, quiet_held;
    /* immutable after init */
    size_t n_rules, n_span_rules, n_tags, text_used;
    dd__srule rules[DD_SAMPLING_RULES_MAX];
    dd__srule span_rules[DD_SPAN_SAMPLING_RULES_MAX];
    dd__sampling_tag tags[DD_SAMPLING_TAG_PATTERNS_MAX];
    char text[DD_SAMPLING_TEXT_MAX];
    /* guarded by lock */
    pthread_mutex_t lock;
    dd__limiter limiter;
    dd__limiter span_limiters[DD_SPAN_SAMPLING_RULES_MAX];
    /* the agent rates, read on every trace decision without the lock: two tables, agent[agent_cur]
     * the published one; a reader counts itself in agent_readers[i] while it reads table i, and
     * the writer (under lock) rewrites the other table only once no reader counts in it, then
     * publishes it (the rates change once per flush; a decision must not wait for that) */
    unsigned agent_cur;
    unsigned agent_readers[2];
    dd__agent_table agent[2];
    /* the last body applied, when it fits: the agent mostly answers the same rates, which then
     * need no parsing (the same body gives the same rates) */
    size_t applied_len; /* 0: none */
    char applied[DD__AGENT_BODY_KEEP];
} dd__sampler;

/* What the sampler needs to know about a span (the local root, or any span for single-span
 * sampling). Strings are borrowed for the call; NULL is "". tag_fn (may be NULL: no tags) looks
 * a tag up on `span`: it returns 1 and sets either *val and *val_len (a string tag, *is_num = 0) or
 * *num (a metric, *is_num = 1), or returns 0 when the span has no such tag. */
typedef struct dd__sampling_input {
    dd_trace_id trace_id;
    const char *service;
    size_t service_len;
    const char *name;
    size_t name_len;
    const char *resource;
    size_t resource_len;
    const char *env; /* the root's env tag: the agent-rate key */
    size_t env_len;
    const void *span;
    int (*tag_fn)(const void *span, const char *key, size_t key_len, const char **val, size_t *val_len,
                  double *num, int *is_num);
    int64_t now_ns; /* any clock that advances in nanoseconds: the limiter's seconds */
} dd__sampling_input;

/* A trace decision and the tags it calls for (docs/sampling.md §9). */
typedef struct dd__sampling_decision {
    int priority;  /* DD_PRIORITY_*: -1, 0, 1 or 2 */
    int mechanism; /* DD_SAMPLING_MECHANISM_* */
    double rule_rate, limit_rate, agent_rate;
    int has_rule_rate, has_limit_rate, has_agent_rate;
    char ksr[DD__KSR_MAX]; /* `_dd.p.ksr`, "" when none is written */
    size_t ksr_len;
    char dm[8];            /* `_dd.p.dm` ("-3") when priority > 0; "" means: remove the tag */
    size_t dm_len;
} dd__sampling_decision;

/* A single-span sampling verdict: the three metrics of a kept span. */
typedef struct dd__span_sampling_decision {
    int keep;
    int mechanism;          /* DD_SAMPLING_MECHANISM_SPAN_RULE when kept */
    double rule_rate;       /* `_dd.span_sampling.rule_rate` */
    double max_per_second;  /* `_dd.span_sampling.max_per_second`, when has_max_per_second */
    int has_max_per_second;
    int rule; /* the index of the span rule that kept it (the rules do not change after dd_tracer_new) */
} dd__span_sampling_decision;

/*--- sampler: log lines and numbers ---*/
/* Log lines built without printf and sent to the sampler's log_fn; rate parsing. No lock. */
/* A log line assembled from pieces into a fixed buffer (no printf); long pieces are cut. */
typedef struct dd__smsg {
    char buf[320];
    size_t n;
} dd__smsg;

DD__PRIVATE void dd__smsg_add(dd__smsg *m, const char *p, size_t n) {
    if (!p) return;
    if (n > sizeof m->buf - 1 - m->n) n = sizeof m->buf - 1 - m->n;
    memcpy(m->buf + m->n, p, n);
    m->n += n;
}

DD__PRIVATE void dd__smsg_str(dd__smsg *m, const char *p) { dd__smsg_add(m, p, p ? strlen(p) : 0); }

DD__PRIVATE void dd__sampler_emit(const dd__sampler *s, int level, dd__smsg *m) {
    m->buf[m->n] = '\0';
    if (s->quiet) { /* setup, single-threaded: a flood of bad rules gives a few lines and a count */
        dd__sampler *w = (dd__sampler *)s;
        if (!w->quiet_left) {
            w->quiet_held++;
            return;
        }
        w->quiet_left--;
    }
    if (s->log_fn) s->log_fn(s->log_user, level, m->buf, m->n);
}

/* Logs a + b[0..b_len) (cut at 96 bytes: it may be an environment variable) + c. */
DD__PRIVATE void dd__sampler_log(const dd__sampler *s, int level, const char *a, const char *b, size_t b_len,
                                 const char *c) {
    dd__smsg m;
    if (!s->log_fn) return;
    m.n = 0;
    dd__smsg_str(&m, a);
    dd__smsg_add(&m, b, b_len > 96 ? 96 : b_len);
    dd__smsg_str(&m, c);
    dd__sampler_emit(s, level, &m);
}
/* Setup reads a list of rules between these two: its first DD__SETUP_LINES problems are logged one
 * by one, the others summed up in one line at the end ("<what>: N more problems not logged one by
 * one; R rules ignored in all"), so that no configuration can flood the log. */
#define DD__SETUP_LINES 10
DD__PRIVATE void dd__sampler_quiet_begin(dd__sampler *s) {
    s->quiet = 1;
    s->quiet_left = DD__SETUP_LINES;
    s->quiet_held = 0;
}
DD__PRIVATE void dd__sampler_quiet_end(dd__sampler *s, const char *what, size_t ignored) {
    dd__smsg m;
    char num[24];
    s->quiet = 0;
    if (!s->quiet_held || !s->log_fn) return;
    m.n = 0;
    dd__smsg_str(&m, what);
    dd__smsg_str(&m, ": ");
    dd__smsg_add(&m, num, dd__sampling_u64_dec((uint64_t)s->quiet_held, num));
    dd__smsg_str(&m, " more problems not logged one by one; ");
    dd__smsg_add(&m, num, dd__sampling_u64_dec((uint64_t)ignored, num));
    dd__smsg_str(&m, " rules ignored in all");
    dd__sampler_emit(s, DD_LOG_ERROR, &m);
}

/* The `_dd.p.dm` text of a mechanism: "-" and its decimal number. buf holds 8 bytes. */
DD__PRIVATE size_t dd__sampling_format_dm(int mechanism, char *buf) {
    size_t n = 1;
    buf[0] = '-';
    if (mechanism < 0) mechanism = 0;
    n += dd__sampling_u64_dec((uint64_t)mechanism, buf + 1);
    buf[n] = '\0';
    return n;
}

/* A decimal number in an environment variable: optional spaces, an optional '+', digits with an
 * optional fraction (".5" and "5." too) and exponent. Parsed by the JSON reader: no strtod, so no
 * locale. Returns 1 and sets *out, or 0 for anything else. */
DD__PRIVATE int dd__sampling_parse_double(const char *s, double *out) {
    char buf[64];
    size_t n = 0, len;
    dd_json v;
    *out = 0;
    if (!s) return 0;
    while (*s == ' ' || *s == '\t') s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
    if (len && *s == '+') {
        s++;
        len--;
    }
    if (len == 0 || len > sizeof buf - 3) return 0;
    if (*s == '.') buf[n++] = '0';
    if (*s == '-' && len > 1 && s[1] == '.') { /* "-.5" */
        buf[n++] = '-';
        buf[n++] = '0';
        s++;
        len--;
    }
    memcpy(buf + n, s, len);
    n += len;
    if (buf[n - 1] == '.') buf[n++] = '0';
    if (dd_json_parse(buf, n, &v) != DD_OK || v.type != DD_JSON_NUMBER) return 0;
    return dd_json_number(&v, out) == DD_OK;
}

DD__PRIVATE int dd__sampling_rate_ok(double r) { return r >= 0.0 && r <= 1.0; }

/*--- sampler: rules ---*/
/* Trace and span rules from code or JSON (dd_json_*) into the sampler's fixed tables and text
 * pool; only at init, before the sampler is shared. */
/* Copies bytes into the rule text pool; 0 when full. */
DD__PRIVATE int dd__sampler_text_add(dd__sampler *s, const char *p, size_t n, uint32_t *off) {
    if (n > DD_SAMPLING_TEXT_MAX - s->text_used) return 0;
    memcpy(s->text + s->text_used, p, n);
    *off = (uint32_t)s->text_used;
    s->text_used += n;
    return 1;
}

DD__PRIVATE int dd__sampler_glob_set(dd__sampler *s, dd__glob *g, const char *p, size_t n) {
    memset(g, 0, sizeof *g);
    if (!p || dd__glob_all_stars(p, n)) {
        g->any = 1;
        return 1;
    }
    g->len = (uint32_t)n;
    return dd__sampler_text_add(s, p, n, &g->off);
}

/* 1 when every pattern of an in-code rule is bounded (dd__glob_bounded). */
DD__PRIVATE int dd__code_rule_bounded(const dd_sampling_rule *r) {
    size_t i;
    if ((r->service && !dd__glob_bounded(r->service, strlen(r->service)))
        || (r->name && !dd__glob_bounded(r->name, strlen(r->name)))
        || (r->resource && !dd__glob_bounded(r->resource, strlen(r->resource))))
        return 0;
    for (i = 0; r->tags && i < r->n_tags; i++)
        if (r->tags[i].pattern && !dd__glob_bounded(r->tags[i].pattern, strlen(r->tags[i].pattern))) return 0;
    return 1;
}
#define DD__GLOB_REFUSED ": a pattern has more than 64 bytes between two '*' (too costly to match); rule ignored"
/* Appends an in-code rule; returns 0 (and leaves nothing behind) when a capacity is reached. */
DD__PRIVATE int dd__sampler_add_code_rule(dd__sampler *s, const dd_sampling_rule *r, int span) {
    size_t text_mark = s->text_used, tags_mark = s->n_tags, i;
    dd__srule *out = span ? &s->span_rules[s->n_span_rules] : &s->rules[s->n_rules];
    if (span ? s->n_span_rules >= DD_SPAN_SAMPLING_RULES_MAX : s->n_rules >= DD_SAMPLING_RULES_MAX) return 0;
    memset(out, 0, sizeof *out);
    if (!dd__sampler_glob_set(s, &out->service, r->service, r->service ? strlen(r->service) : 0)
        || !dd__sampler_glob_set(s, &out->name, r->name, r->name ? strlen(r->name) : 0)
        || !dd__sampler_glob_set(s, &out->resource, r->resource, r->resource ? strlen(r->resource) : 0))
        goto full;
    out->tag0 = (uint32_t)s->n_tags;
    for (i = 0; r->tags && i < r->n_tags; i++) {
        dd__sampling_tag *t;
        const char *k = r->tags[i].key, *p = r->tags[i].pattern;
        if (!k) continue;
        if (s->n_tags >= DD_SAMPLING_TAG_PATTERNS_MAX) goto full;
        t = &s->tags[s->n_tags];
        t->key_len = (uint32_t)strlen(k);
        if (!dd__sampler_text_add(s, k, t->key_len, &t->key_off)) goto full;
        if (!dd__sampler_glob_set(s, &t->pattern, p ? p : "*", p ? strlen(p) : 1)) goto full;
        s->n_tags++;
    }
    out->n_tags = (uint32_t)(s->n_tags - out->tag0);
    out->rate = r->sample_rate;
    out->max_per_second = r->max_per_second > 0.0 ? r->max_per_second : 0.0;
    out->mechanism = DD_SAMPLING_MECHANISM_RULE;
    if (span) s->n_span_rules++;
    else s->n_rules++;
    return 1;
full:
    s->text_used = text_mark;
    s->n_tags = tags_mark;
    return 0;
}

/* Decodes JSON string `v` into the text pool as a glob. 0 when full. */
DD__PRIVATE int dd__sampler_json_glob(dd__sampler *s, const dd_json *v, dd__glob *g) {
    size_t len = 0;
    memset(g, 0, sizeof *g);
    if (dd_json_string(v, s->text + s->text_used, DD_SAMPLING_TEXT_MAX - s->text_used, &len) != DD_OK) return 0;
    if (dd__glob_all_stars(s->text + s->text_used, len)) {
        g->any = 1;
        return 1;
    }
    g->off = (uint32_t)s->text_used;
    g->len = (uint32_t)len;
    s->text_used += len;
    return 1;
}


/* Parses one rule object into *out. Returns 1 on success, 0 for an invalid rule (logged), -1 when
 * a capacity was reached (logged by the caller). Leaves nothing behind on failure. */
DD__PRIVATE int dd__sampler_parse_rule(dd__sampler *s, const dd_json *obj, dd__srule *out, int span,
                                       const char *what, const char *idx, size_t idx_len) {
    static const char *const fields[3] = {"service", "name", "resource"};
    size_t text_mark = s->text_used, tags_mark = s->n_tags, f;
    dd_json v, key;
    dd_json_iter it;
    dd__glob *globs[3];
    const char *bad = NULL;
    int full = 0;
    globs[0] = &out->service;
    globs[1] = &out->name;
    globs[2] = &out->resource;
    memset(out, 0, sizeof *out);
    out->rate = 1.0;
    out->mechanism = DD_SAMPLING_MECHANISM_RULE;
    if (obj->type != DD_JSON_OBJECT) {
        bad = ": not an object; rule ignored";
        goto fail;
    }
    for (f = 0; f < 3; f++) {
        globs[f]->any = 1;
        if (dd_json_get(obj, fields[f], strlen(fields[f]), &v) != DD_OK) continue;
        if (v.type != DD_JSON_STRING) {
            bad = f == 0 ? ": \"service\" must be a string; rule ignored"
                  : f == 1 ? ": \"name\" must be a string; rule ignored"
                           : ": \"resource\" must be a string; rule ignored";
            goto fail;
        }
        if (!dd__sampler_json_glob(s, &v, globs[f])) {
            full = 1;
            goto fail;
        }
        if (!globs[f]->any && !dd__glob_bounded(s->text + globs[f]->off, globs[f]->len)) {
            bad = DD__GLOB_REFUSED;
            goto fail;
        }
    }
    out->tag0 = (uint32_t)s->n_tags;
    if (dd_json_get(obj, "tags", 4, &v) == DD_OK) {
        dd_json tk, tv;
        if (v.type != DD_JSON_OBJECT) {
            bad = ": \"tags\" must be an object of strings; rule ignored";
            goto fail;
        }
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, &tk, &tv) == DD_OK) {
            dd__sampling_tag *t;
            size_t len = 0;
            if (tv.type != DD_JSON_STRING) {
                bad = ": a \"tags\" value must be a string; rule ignored";
                goto fail;
            }
            if (s->n_tags >= DD_SAMPLING_TAG_PATTERNS_MAX) {
                full = 1;
                goto fail;
            }
            t = &s->tags[s->n_tags];
            if (dd_json_string(&tk, s->text + s->text_used, DD_SAMPLING_TEXT_MAX - s->text_used, &len) != DD_OK) {
                full = 1;
                goto fail;
            }
            t->key_off = (uint32_t)s->text_used;
            t->key_len = (uint32_t)len;
            s->text_used += len;
            if (!dd__sampler_json_glob(s, &tv, &t->pattern)) {
                full = 1;
                goto fail;
            }
            if (!t->pattern.any && !dd__glob_bounded(s->text + t->pattern.off, t->pattern.len)) {
                bad = DD__GLOB_REFUSED;
                goto fail;
            }
            s->n_tags++;
        }
    }
    out->n_tags = (uint32_t)(s->n_tags - out->tag0);
    if (dd_json_get(obj, "sample_rate", 11, &v) == DD_OK) {
        if (v.type != DD_JSON_NUMBER || dd_json_number(&v, &out->rate) != DD_OK || !dd__sampling_rate_ok(out->rate)) {
            bad = ": \"sample_rate\" must be a number in [0, 1]; rule ignored";
            goto fail;
        }
    }
    if (dd_json_get(obj, "max_per_second", 14, &v) == DD_OK) {
        double mps = 0;
        if (v.type != DD_JSON_NUMBER || dd_json_number(&v, &mps) != DD_OK) {
            bad = ": \"max_per_second\" must be a number; rule ignored";
            goto fail;
        }
        if (span && mps > 0.0) out->max_per_second = mps; /* trace rules accept and ignore it */
    }
    if (!span && dd_json_get(obj, "provenance", 10, &v) == DD_OK) {
        if (dd_json_string_eq(&v, "customer", 8)) out->mechanism = DD_SAMPLING_MECHANISM_REMOTE_RULE;
        else if (dd_json_string_eq(&v, "dynamic", 7)) out->mechanism = DD_SAMPLING_MECHANISM_REMOTE_ADAPTIVE_RULE;
        else if (!dd_json_string_eq(&v, "local", 5)) {
            bad = ": \"provenance\" must be \"local\", \"customer\" or \"dynamic\"; rule ignored";
            goto fail;
        }
    }
    /* Unknown keys are ignored with a warning, as dd-trace-go does (docs/sampling.md §4.1). */
    dd_json_iter_init(&it, obj);
    while (dd_json_next(&it, &key, &v) == DD_OK) {
        static const char *const known[7] = {"service", "name", "resource", "tags", "sample_rate", "max_per_second",
                                             "provenance"};
        size_t kk, n_known = span ? 6 : 7;
        int found = 0;
        for (kk = 0; kk < n_known && !found; kk++) found = dd_json_string_eq(&key, known[kk], strlen(known[kk]));
        if (!found) {
            dd__smsg m;
            m.n = 0;
            dd__smsg_str(&m, what);
            dd__smsg_str(&m, " rule ");
            dd__smsg_add(&m, idx, idx_len);
            dd__smsg_str(&m, ": unknown key ");
            dd__smsg_add(&m, key.p, key.n > 64 ? 64 : key.n); /* the key as written, quotes included */
            dd__smsg_str(&m, " ignored");
            dd__sampler_emit(s, DD_LOG_WARN, &m);
        }
    }
    return 1;
fail:
    s->text_used = text_mark;
    s->n_tags = tags_mark;
    if (full) return -1;
    {
        dd__smsg m;
        m.n = 0;
        dd__smsg_str(&m, what);
        dd__smsg_str(&m, " rule ");
        dd__smsg_add(&m, idx, idx_len);
        dd__smsg_str(&m, bad);
        dd__sampler_emit(s, DD_LOG_ERROR, &m);
    }
    return 0;
}

/* Parses a rules array (DD_TRACE_SAMPLING_RULES or DD_SPAN_SAMPLING_RULES, named by `what`).
 * Invalid JSON or a non-array gives no rules; an invalid rule is skipped; rules beyond the
 * capacities are dropped. Each case is logged. Returns the number of rules added. */
DD__PRIVATE size_t dd__sampler_parse_rules(dd__sampler *s, const char *json, size_t len, int span, const char *what) {
    dd_json root, v;
    dd_json_iter it;
    size_t index = 0, added = 0, ignored = 0;
    int rc = dd_json_parse(json, len, &root);
    if (rc != DD_OK || root.type != DD_JSON_ARRAY) {
        dd__sampler_log(s, DD_LOG_ERROR, what,
                        NULL, 0, rc != DD_OK ? ": invalid JSON; no rules used" : ": not a JSON array; no rules used");
        return 0;
    }
    dd_json_iter_init(&it, &root);
    dd__sampler_quiet_begin(s);
    while (dd_json_next(&it, NULL, &v) == DD_OK) {
        char idx[21];
        size_t idx_len = dd__sampling_u64_dec((uint64_t)index, idx);
        int ok;
        size_t *count = span ? &s->n_span_rules : &s->n_rules;
        size_t cap = span ? DD_SPAN_SAMPLING_RULES_MAX : DD_SAMPLING_RULES_MAX - 1; /* room for the catch-all */
        index++;
        if (*count >= cap) {
            dd__sampler_log(s, DD_LOG_ERROR, what, NULL, 0, ": too many rules; the rest are ignored");
            break;
        }
        ok = dd__sampler_parse_rule(s, &v, span ? &s->span_rules[*count] : &s->rules[*count], span, what, idx,
                                    idx_len);
        if (ok < 0) {
            dd__sampler_log(s, DD_LOG_ERROR, what, NULL, 0,
                            ": rule patterns exceed the sampler's capacity; the rest are ignored");
            break;
        }
        if (ok) {
            (*count)++;
            added++;
        } else {
            ignored++;
        }
    }
    dd__sampler_quiet_end(s, what, ignored);
    return added;
}

/*--- sampler: init and destroy ---*/
/* Reads DD_TRACE_SAMPLE_RATE, the rules and limits through getenv_fn; creates and destroys the
 * sampler's mutex. */
DD__PRIVATE const char *dd__sampler_getenv(const char *(*getenv_fn)(void *, const char *), void *user,
                                           const char *name) {
    const char *v = getenv_fn ? getenv_fn(user, name) : getenv(name);
    return v && *v ? v : NULL;
}

/* Sets the sampler up from `cfg` (NULL = zeroed) and the environment, read here only. Errors in
 * the configuration are reported through log_fn and the faulty parts ignored; the call itself
 * fails only for a NULL sampler (DD_ERR_INVALID_ARG) or a mutex that cannot be created
 * (DD_ERR_NO_MEMORY), leaving *s zeroed. [setup] */
DD__PRIVATE int dd__sampler_init(dd__sampler *s, const dd_sampling_config *cfg,
                                 const char *(*getenv_fn)(void *, const char *), void *getenv_user, dd_log_fn log_fn,
                                 void *log_user) {
    dd_sampling_config zero;
    const char *env;
    size_t i;
    double rate_limit = DD__DEFAULT_RATE_LIMIT;
    if (!s) return DD_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    if (!cfg) {
        memset(&zero, 0, sizeof zero);
        cfg = &zero;
    }
    s->log_fn = log_fn;
    s->log_user = log_user;
    s->drop_rejected_traces = cfg->drop_rejected_traces != 0;

    /* trace rules: in code, else JSON in code, else DD_TRACE_SAMPLING_RULES */
    if (cfg->rules && cfg->n_rules) {
        size_t ignored = 0;
        dd__sampler_quiet_begin(s);
        for (i = 0; i < cfg->n_rules; i++, ignored++) {
            if (!dd__sampling_rate_ok(cfg->rules[i].sample_rate)) {
                char idx[21];
                size_t n = dd__sampling_u64_dec((uint64_t)i, idx);
                dd__sampler_log(s, DD_LOG_ERROR, "in-code sampling rule ", idx, n,
                                ": sample_rate must be in [0, 1]; rule ignored");
                continue;
            }
            if (!dd__code_rule_bounded(&cfg->rules[i])) {
                char idx[21];
                size_t n = dd__sampling_u64_dec((uint64_t)i, idx);
                dd__sampler_log(s, DD_LOG_ERROR, "in-code sampling rule ", idx, n, DD__GLOB_REFUSED);
                continue;
            }
            if (s->n_rules >= DD_SAMPLING_RULES_MAX - 1 || !dd__sampler_add_code_rule(s, &cfg->rules[i], 0)) {
                dd__sampler_log(s, DD_LOG_ERROR, "in-code sampling rules exceed the sampler's capacity",
                                NULL, 0, "; the rest are ignored");
                break;
            }
            ignored--; /* added */
        }
        dd__sampler_quiet_end(s, "in-code sampling rules", ignored);
    } else {
        const char *json = cfg->rules_json ? cfg->rules_json
                                           : dd__sampler_getenv(getenv_fn, getenv_user, "DD_TRACE_SAMPLING_RULES");
        if (json) dd__sampler_parse_rules(s, json, strlen(json), 0, "DD_TRACE_SAMPLING_RULES");
    }

    /* DD_TRACE_SAMPLE_RATE: a catch-all rule after the others (docs/sampling.md §4.2) */
    {
        double rate = 0;
        int have = 0;
        if (cfg->sample_rate_set) {
            rate = cfg->sample_rate;
            have = 1;
            if (!dd__sampling_rate_ok(rate)) {
                dd__sampler_log(s, DD_LOG_ERROR, "sample_rate must be in [0, 1]", NULL, 0, "; ignored");
                have = 0;
            }
        } else if ((env = dd__sampler_getenv(getenv_fn, getenv_user, "DD_TRACE_SAMPLE_RATE")) != NULL) {
            have = dd__sampling_parse_double(env, &rate) && dd__sampling_rate_ok(rate);
            if (!have)
                dd__sampler_log(s, DD_LOG_ERROR, "DD_TRACE_SAMPLE_RATE=", env, strlen(env),
                                ": not a number in [0, 1]; ignored");
        }
        if (have) {
            dd__srule *r = &s->rules[s->n_rules++]; /* one slot is always left for it */
            memset(r, 0, sizeof *r);
            r->service.any = r->name.any = r->resource.any = 1;
            r->tag0 = (uint32_t)s->n_tags;
            r->rate = rate;
            r->mechanism = DD_SAMPLING_MECHANISM_RULE;
        }
    }

    /* DD_TRACE_RATE_LIMIT: > 0 and finite, else the default (dd-trace-cpp's choice, docs/sampling.md §5) */
    if (cfg->rate_limit_set) {
        if (cfg->rate_limit > 0.0 && cfg->rate_limit <= 1.7976931348623157e308) rate_limit = cfg->rate_limit;
        else dd__sampler_log(s, DD_LOG_ERROR, "rate_limit must be > 0", NULL, 0, "; using 100");
    } else if ((env = dd__sampler_getenv(getenv_fn, getenv_user, "DD_TRACE_RATE_LIMIT")) != NULL) {
        double v = 0;
        if (dd__sampling_parse_double(env, &v) && v > 0.0) rate_limit = v;
        else dd__sampler_log(s, DD_LOG_ERROR, "DD_TRACE_RATE_LIMIT=", env, strlen(env),
                             ": not a number > 0; using 100");
    }
    s->rate_limit = rate_limit;
    dd__limiter_init(&s->limiter, rate_limit);
    for (i = 0; i < s->n_rules; i++) {
        memset(s->rules[i].ksr, 0, sizeof s->rules[i].ksr); /* as a fresh decision's */
        s->rules[i].ksr_len = (uint32_t)dd__sampling_format_ksr(s->rules[i].rate, s->rules[i].ksr);
    }

    /* span rules: in code, else JSON in code, else DD_SPAN_SAMPLING_RULES */
    if (cfg->span_rules && cfg->n_span_rules) {
        size_t ignored = 0;
        dd__sampler_quiet_begin(s);
        for (i = 0; i < cfg->n_span_rules; i++, ignored++) {
            if (!dd__sampling_rate_ok(cfg->span_rules[i].sample_rate)) {
                char idx[21];
                size_t n = dd__sampling_u64_dec((uint64_t)i, idx);
                dd__sampler_log(s, DD_LOG_ERROR, "in-code span sampling rule ", idx, n,
                                ": sample_rate must be in [0, 1]; rule ignored");
                continue;
            }
            if (!dd__code_rule_bounded(&cfg->span_rules[i])) {
                char idx[21];
                size_t n = dd__sampling_u64_dec((uint64_t)i, idx);
                dd__sampler_log(s, DD_LOG_ERROR, "in-code span sampling rule ", idx, n, DD__GLOB_REFUSED);
                continue;
            }
            if (!dd__sampler_add_code_rule(s, &cfg->span_rules[i], 1)) {
                dd__sampler_log(s, DD_LOG_ERROR, "in-code span sampling rules exceed the sampler's capacity",
                                NULL, 0, "; the rest are ignored");
                break;
            }
            ignored--; /* added */
        }
        dd__sampler_quiet_end(s, "in-code span sampling rules", ignored);
    } else {
        const char *json = cfg->span_rules_json
                               ? cfg->span_rules_json
                               : dd__sampler_getenv(getenv_fn, getenv_user, "DD_SPAN_SAMPLING_RULES");
        if (json) dd__sampler_parse_rules(s, json, strlen(json), 1, "DD_SPAN_SAMPLING_RULES");
        else if ((env = dd__sampler_getenv(getenv_fn, getenv_user, "DD_SPAN_SAMPLING_RULES_FILE")) != NULL)
            /* the headers do no file I/O: the caller reads the file and passes span_rules_json */
            dd__sampler_log(s, DD_LOG_WARN, "DD_SPAN_SAMPLING_RULES_FILE=", env, strlen(env),
                            ": files are not read; pass the rules as span_rules_json or DD_SPAN_SAMPLING_RULES");
    }
    for (i = 0; i < s->n_span_rules; i++)
        if (s->span_rules[i].max_per_second > 0.0) dd__limiter_init(&s->span_limiters[i], s->span_rules[i].max_per_second);

    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        memset(s, 0, sizeof *s);
        return DD_ERR_NO_MEMORY;
    }
    return DD_OK;
}

/* Releases the sampler's lock. [setup] */
DD__PRIVATE void dd__sampler_destroy(dd__sampler *s) {
    if (!s) return;
    pthread_mutex_destroy(&s->lock);
}

/*--- sampler: decisions ---*/
/* Rule matching (reads the input only) and dd__sampler_decide (the sampler's lock around the
 * limiter and the agent rates). */
DD__PRIVATE int dd__sampler_glob_ok(const dd__sampler *s, const dd__glob *g, const char *p, size_t n) {
    if (g->any) return 1;
    return dd__glob_match(s->text + g->off, g->len, p ? p : "", p ? n : 0);
}

/* Every field and tag of the rule matches the span (docs/sampling.md §4.3). A tag must exist: a
 * string tag is matched as is, an integer-valued metric as its decimal text (20.0 -> "20"), any
 * other metric only by an all-`*` pattern. */
DD__PRIVATE int dd__sampler_rule_matches(const dd__sampler *s, const dd__srule *r, const dd__sampling_input *in) {
    uint32_t i;
    if (!dd__sampler_glob_ok(s, &r->service, in->service, in->service_len)
        || !dd__sampler_glob_ok(s, &r->name, in->name, in->name_len)
        || !dd__sampler_glob_ok(s, &r->resource, in->resource, in->resource_len))
        return 0;
    for (i = 0; i < r->n_tags; i++) {
        const dd__sampling_tag *t = &s->tags[r->tag0 + i];
        const char *val = NULL;
        size_t val_len = 0;
        double num = 0;
        int is_num = 0;
        if (!in->tag_fn || !in->tag_fn(in->span, s->text + t->key_off, t->key_len, &val, &val_len, &num, &is_num))
            return 0;
        if (is_num) {
            char buf[24];
            size_t n = 0;
            if (t->pattern.any) continue;
            /* integer-valued and within int64: match its decimal text */
            if (!(num > -9223372036854775808.0 && num < 9223372036854775808.0)) return 0;
            if ((double)(int64_t)num != num) return 0;
            if (num < 0) {
                buf[n++] = '-';
                n += dd__sampling_u64_dec((uint64_t)0 - (uint64_t)(int64_t)num, buf + n);
            } else {
                n += dd__sampling_u64_dec((uint64_t)(int64_t)num, buf + n);
            }
            if (!dd__glob_match(s->text + t->pattern.off, t->pattern.len, buf, n)) return 0;
        } else if (!dd__sampler_glob_ok(s, &t->pattern, val, val_len)) {
            return 0;
        }
    }
    return 1;
}

/* Is `key` (n bytes) exactly "service:" S ",env:" E? */
DD__PRIVATE int dd__agent_key_is(const char *key, size_t n, const char *svc, size_t svc_len, const char *env,
                                 size_t env_len) {
    if (n != 8 + svc_len + 5 + env_len) return 0;
    return memcmp(key, "service:", 8) == 0 && (svc_len == 0 || memcmp(key + 8, svc, svc_len) == 0)
           && memcmp(key + 8 + svc_len, ",env:", 5) == 0
           && (env_len == 0 || memcmp(key + 13 + svc_len, env, env_len) == 0);
}

/* Pins the published agent table for reading (no lock): counts in its readers, then checks it is
 * still the published one (else the writer may be rewriting it: count out and retry). Paired
 * with dd__agent_read_end. The sequentially consistent order makes the writer either see the
 * count or the reader see the newer table. */
DD__PRIVATE const dd__agent_table *dd__agent_read_begin(dd__sampler *s, unsigned *idx) {
    for (;;) {
        unsigned i = __atomic_load_n(&s->agent_cur, __ATOMIC_SEQ_CST) & 1u;
        __atomic_add_fetch(&s->agent_readers[i], 1, __ATOMIC_SEQ_CST);
        if ((__atomic_load_n(&s->agent_cur, __ATOMIC_SEQ_CST) & 1u) == i) {
            *idx = i;
            return &s->agent[i];
        }
        __atomic_sub_fetch(&s->agent_readers[i], 1, __ATOMIC_SEQ_CST);
    }
}
DD__PRIVATE void dd__agent_read_end(dd__sampler *s, unsigned idx) {
    __atomic_sub_fetch(&s->agent_readers[idx], 1, __ATOMIC_SEQ_CST);
}

/* Decides keep or drop for a new trace from its local root (docs/sampling.md §2-§9):
 * the first matching rule (then the rate limiter on a keep), else the agent's rate for
 * "service:S,env:E", else the agent's default rate, else keep with mechanism DEFAULT. The caller
 * handles extracted and manual priorities before calling. No allocation; the lock is held only
 * around the limiter (the agent rates are read without it: dd__agent_read_begin). [any thread] */
DD__PRIVATE void dd__sampler_decide(dd__sampler *s, const dd__sampling_input *in, dd__sampling_decision *out) {
    size_t i;
    const dd__srule *rule = NULL;
    memset(out, 0, sizeof *out);
    for (i = 0; i < s->n_rules; i++) {
        if (dd__sampler_rule_matches(s, &s->rules[i], in)) {
            rule = &s->rules[i];
            break;
        }
    }
    if (rule) {
        out->mechanism = rule->mechanism;
        out->rule_rate = rule->rate;
        out->has_rule_rate = 1;
        out->ksr_len = rule->ksr_len;
        memcpy(out->ksr, rule->ksr, sizeof out->ksr);
        if (dd__sampling_keep(in->trace_id.lo, rule->rate)) {
            int allowed;
            pthread_mutex_lock(&s->lock);
            allowed = dd__limiter_allow(&s->limiter, in->now_ns, &out->limit_rate);
            pthread_mutex_unlock(&s->lock);
            out->has_limit_rate = 1;
            out->priority = allowed ? DD_PRIORITY_USER_KEEP : DD_PRIORITY_USER_REJECT;
        } else {
            out->priority = DD_PRIORITY_USER_REJECT;
        }
    } else {
        double rate = 1.0;
        const dd__agent_rate *found = NULL;
        unsigned idx;
        const dd__agent_table *tab = dd__agent_read_begin(s, &idx);
        for (i = 0; i < tab->n; i++) {
            const dd__agent_rate *a = &tab->rates[i];
            if (dd__agent_key_is(tab->text + a->off, a->len, in->service, in->service ? in->service_len : 0,
                                 in->env, in->env ? in->env_len : 0)) {
                found = a;
                break;
            }
        }
        if (!found && tab->has_default_rate) found = &tab->dflt;
        if (found) { /* copied while the table is pinned */
            rate = found->rate;
            out->ksr_len = found->ksr_len;
            memcpy(out->ksr, found->ksr, sizeof out->ksr);
        }
        dd__agent_read_end(s, idx);
        out->agent_rate = rate;
        out->has_agent_rate = 1;
        if (found) {
            out->mechanism = DD_SAMPLING_MECHANISM_AGENT_RATE;
            out->priority = dd__sampling_keep(in->trace_id.lo, rate) ? DD_PRIORITY_AUTO_KEEP : DD_PRIORITY_AUTO_REJECT;
        } else {
            out->mechanism = DD_SAMPLING_MECHANISM_DEFAULT;
            out->priority = DD_PRIORITY_AUTO_KEEP;
        }
    }
    if (out->priority > 0) out->dm_len = dd__sampling_format_dm(out->mechanism, out->dm);
}

/*--- sampler: agent rates ---*/
/* Replaces the agent rates under the sampler's lock; called with the agent's answer on delivery. */
/* Feeds the body of an agent response, {"rate_by_service":{"service:S,env:E":rate,...}}, to the
 * sampler: the whole per-key map is replaced, and the default rate ("service:,env:") updated when
 * present. A body that is not a JSON object, or a rate that is not a number in [0, 1], rejects the
 * whole response (logged) and changes nothing; a body without rate_by_service changes nothing.
 * Keys beyond DD_AGENT_RATES_MAX or DD_AGENT_RATES_TEXT_MAX are dropped (logged): their traces
 * use the default rate. Returns DD_OK, DD_ERR_NOT_FOUND (no rate_by_service) or DD_ERR_MALFORMED
 * (rejected). [any thread] */
DD__PRIVATE int dd__sampler_applied_before(dd__sampler *s, const char *json, size_t len) {
    int same;
    pthread_mutex_lock(&s->lock);
    same = len && s->applied_len == len && memcmp(s->applied, json, len) == 0;
    pthread_mutex_unlock(&s->lock);
    return same;
}
/* The work of dd__sampler_set_agent_rates without logging: *why is set to the line to log (the
 * tracer rate-limits it: every answer of a broken agent would otherwise log one). */
DD__PRIVATE int dd__sampler_apply_agent_rates(dd__sampler *s, const char *json, size_t len, const char **why) {
    dd_json root, rates, k, v;
    dd_json_iter it;
    size_t dropped = 0;
    *why = NULL;
    if (!s || !json) return DD_ERR_INVALID_ARG;
    if (dd__sampler_applied_before(s, json, len)) return DD_OK;
    if (dd_json_parse(json, len, &root) != DD_OK || root.type != DD_JSON_OBJECT) {
        *why = "agent response: not a JSON object; rates unchanged";
        return DD_ERR_MALFORMED;
    }
    if (dd_json_get(&root, "rate_by_service", 15, &rates) != DD_OK) return DD_ERR_NOT_FOUND;
    if (rates.type != DD_JSON_OBJECT) {
        *why = "agent response: rate_by_service is not an object; rates unchanged";
        return DD_ERR_MALFORMED;
    }
    /* one pass under the lock, into the table readers do not use: published only when every rate
     * is valid (no callback is called while the lock is held) */
    pthread_mutex_lock(&s->lock);
    {
        size_t used = 0;
        unsigned cur = s->agent_cur & 1u, next = cur ^ 1u;
        dd__agent_table *nt = &s->agent[next];
        unsigned spins = 0;
        /* a reader that pinned `next` before the last publish has not finished with it yet */
        while (__atomic_load_n(&s->agent_readers[next], __ATOMIC_SEQ_CST) != 0)
            if (++spins % 64 == 0) sched_yield();
        nt->n = 0;
        nt->has_default_rate = s->agent[cur].has_default_rate; /* kept unless the body names one */
        nt->dflt = s->agent[cur].dflt;
        dd_json_iter_init(&it, &rates);
        while (dd_json_next(&it, &k, &v) == DD_OK) {
            double r = 0;
            size_t klen = 0;
            dd__agent_rate *a;
            if (v.type != DD_JSON_NUMBER || dd_json_number(&v, &r) != DD_OK || !dd__sampling_rate_ok(r)) {
                pthread_mutex_unlock(&s->lock); /* nothing published */
                *why = "agent response: a rate is not a number in [0, 1]; rates unchanged";
                return DD_ERR_MALFORMED;
            }
            if (dd_json_string_eq(&k, "service:,env:", 13)) {
                nt->has_default_rate = 1;
                nt->dflt.rate = r;
                memset(nt->dflt.ksr, 0, sizeof nt->dflt.ksr); /* as a fresh decision's */
                nt->dflt.ksr_len = (uint32_t)dd__sampling_format_ksr(r, nt->dflt.ksr);
                continue;
            }
            if (nt->n >= DD_AGENT_RATES_MAX
                || dd_json_string(&k, nt->text + used, DD_AGENT_RATES_TEXT_MAX - used, &klen) != DD_OK) {
                dropped++;
                continue;
            }
            a = &nt->rates[nt->n++];
            a->off = (uint32_t)used;
            a->len = (uint32_t)klen;
            a->rate = r;
            memset(a->ksr, 0, sizeof a->ksr); /* as a fresh decision's */
            a->ksr_len = (uint32_t)dd__sampling_format_ksr(r, a->ksr);
            used += klen;
        }
        __atomic_store_n(&s->agent_cur, next, __ATOMIC_SEQ_CST); /* published whole */
    }
    s->applied_len = len <= DD__AGENT_BODY_KEEP ? len : 0;
    memcpy(s->applied, json, s->applied_len);
    pthread_mutex_unlock(&s->lock);
    if (dropped) *why = "agent response: more rates than the sampler keeps; the others use the default rate";
    return DD_OK;
}
DD__PRIVATE int dd__sampler_set_agent_rates(dd__sampler *s, const char *json, size_t len) {
    const char *why;
    int rc = dd__sampler_apply_agent_rates(s, json, len, &why);
    if (why && s) dd__sampler_log(s, rc == DD_OK ? DD_LOG_WARN : DD_LOG_ERROR, why, NULL, 0, "");
    return rc;
}

/*--- span sampler ---*/
/* Single-span rules; their limiters under the sampler's lock. */
/* Single-span sampling for one span of a trace whose final priority is <= 0 (docs/sampling.md
 * §10): the first span rule matching the span's own service, name, resource and tags;
 * kept when hash(span_id) <= threshold(sample_rate) and the rule's limiter allows. Returns 1 and
 * fills *out for a kept span, else 0 with *out zeroed. [any thread] */
DD__PRIVATE int dd__span_sampler_decide(dd__sampler *s, const dd__sampling_input *in, uint64_t span_id,
                                        dd__span_sampling_decision *out) {
    size_t i;
    memset(out, 0, sizeof *out);
    for (i = 0; i < s->n_span_rules; i++) {
        const dd__srule *r = &s->span_rules[i];
        if (!dd__sampler_rule_matches(s, r, in)) continue;
        if (!dd__sampling_keep(span_id, r->rate)) return 0;
        if (r->max_per_second > 0.0) {
            int allowed;
            pthread_mutex_lock(&s->lock);
            allowed = dd__limiter_allow(&s->span_limiters[i], in->now_ns, NULL);
            pthread_mutex_unlock(&s->lock);
            if (!allowed) return 0;
            out->max_per_second = r->max_per_second;
            out->has_max_per_second = 1;
        }
        out->keep = 1;
        out->mechanism = DD_SAMPLING_MECHANISM_SPAN_RULE;
        out->rule_rate = r->rate;
        out->rule = (int)i;
        return 1;
    }
    return 0;
}

/*=== tracer ===*/
/* The tracer: spans, segments, encoding and delivery. The tracer mutex (t->lock) guards the open
 * segments' list and their trace-level state, the payload buffers and the counters; a segment's
 * lock its spans' bookkeeping (arenas section); user hooks are called without either (allocator
 * excepted). */
/* With `#define DD_API static` an unused public function must not warn (as dd_msgpack.h). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <string.h>
#include <stdlib.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h> /* gettimeofday: the clock left in strict ISO mode */
#if defined(_POSIX_C_SOURCE) && _POSIX_C_SOURCE >= 200112L
#include <fcntl.h> /* open(): the cgroup file, read once in dd_tracer_new */
#include <regex.h> /* the query-string obfuscation of HTTP spans */
#include <sys/socket.h> /* AF_INET*, inet_pton: client IPs of HTTP spans */
#include <arpa/inet.h>
#define DD__HAVE_POSIX 1
#else
#define DD__HAVE_POSIX 0
#endif

#ifndef DD__SPAN_INLINE_BYTES
/* Bytes allocated with a local root for its name, resource and first tags: a name and a resource
 * of up to 64 bytes together (each rounded up to 8) without taking the lock again; more take
 * areas of DD__SPAN_AREA_BYTES from the segment (dd__span_refill). A child is allocated with room
 * for its own name and resource (none for the _static functions). */
#define DD__SPAN_INLINE_BYTES 64
#endif
/* A span's tag area: taken when its first tag does not fit (a child is allocated with room for its
 * name and resource only), and again each time it is full: about 7 short tags each time. */
#define DD__SPAN_AREA_BYTES 320
/* The area taken by a _static setter (7 of its 32-byte records, DD__TAG_REF_BYTES). */
#define DD__SPAN_REF_AREA_BYTES 224
#define DD__BLOCK_BYTES 4096       /* arena block payload; larger requests get their own block */
#define DD__BLOCK_POOL_MAX 2048    /* recycled blocks kept per size (8 MiB + 1.8 MiB); the rest are freed */
#define DD__TAG_DEAD 0
#define DD__TAG_META 1
#define DD__TAG_METRIC 2

/*--- clocks ---*/
/* The default hooks; used when wall_ns_fn, mono_ns_fn, getenv_fn are NULL. No state. */
DD__PRIVATE int64_t dd__default_wall_ns(void *user) {
    struct timeval tv;
    (void)user;
#if DD__HAVE_POSIX
    {
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) == 0) return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    }
#endif
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}
DD__PRIVATE int64_t dd__default_mono_ns(void *user) {
#if DD__HAVE_POSIX
    struct timespec ts;
    (void)user;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#endif
    return dd__default_wall_ns(user);
}
DD__PRIVATE const char *dd__default_getenv(void *user, const char *name) {
    (void)user;
    return getenv(name);
}

/*--- ids: per-thread splitmix64 streams, reseeded after fork ---*/
/* Owns the thread-local generator, the fork generation and the atfork registration; no lock: each
 * thread draws from its own stream. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define DD__THREAD_LOCAL thread_local
#elif defined(__GNUC__)
#define DD__THREAD_LOCAL __thread
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define DD__THREAD_LOCAL _Thread_local
#else
#error "dd_trace.h needs thread-local storage"
#endif
#define DD__RNG_SEEDED 0x5eed5eedu
typedef struct dd__rng_state {
    uint64_t x;
    uint64_t generation; /* dd__fork_generation when seeded */
    uint32_t seeded;     /* DD__RNG_SEEDED once seeded: thread-locals are not reliably zero */
} dd__rng_state;
static DD__THREAD_LOCAL dd__rng_state dd__rng;
static volatile uint64_t dd__fork_generation; /* bumped in the child by pthread_atfork */
static volatile uint64_t dd__seed_counter;    /* distinguishes threads seeded in the same ns */
static pthread_once_t dd__atfork_once = PTHREAD_ONCE_INIT;

DD__PRIVATE void dd__fork_prepare(void);
DD__PRIVATE void dd__fork_parent(void);
DD__PRIVATE void dd__fork_child(void);
DD__PRIVATE void dd__register_atfork(void) { pthread_atfork(dd__fork_prepare, dd__fork_parent, dd__fork_child); }

DD__PRIVATE uint64_t dd__t_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
/* Seeds from what the OS gives every process and thread: the time in ns from two clocks, the
 * pid, addresses randomized by ASLR (this thread's TLS block and stack) and a counter. */
DD__PRIVATE DD__T_COLD void dd__rng_seed(uint64_t generation) { /* (out of line: dd__rng_next needs no frame) */
    uint64_t s;
    int stack_probe = 0;
    s = dd__t_mix64((uint64_t)dd__default_wall_ns(NULL));
    s = dd__t_mix64(s ^ (uint64_t)dd__default_mono_ns(NULL));
    s = dd__t_mix64(s ^ (uint64_t)getpid());
    s = dd__t_mix64(s ^ (uint64_t)(uintptr_t)&dd__rng);
    s = dd__t_mix64(s ^ (uint64_t)(uintptr_t)&stack_probe);
    s = dd__t_mix64(s ^ __sync_add_and_fetch(&dd__seed_counter, 1));
    dd__rng.x = s;
    dd__rng.generation = generation;
    dd__rng.seeded = DD__RNG_SEEDED;
}
DD__PRIVATE DD__T_HOT uint64_t dd__rng_next_hot(void) { /* (inlined: a span's id) */
    uint64_t gen = dd__fork_generation;
    if (dd__rng.seeded != DD__RNG_SEEDED || dd__rng.generation != gen) dd__rng_seed(gen);
    dd__rng.x += UINT64_C(0x9e3779b97f4a7c15);
    return dd__t_mix64(dd__rng.x);
}
DD__PRIVATE uint64_t dd__rng_next(void) { return dd__rng_next_hot(); }

/*--- small text helpers (no stdio, no locale) ---*/
/* Owns dd__tsb and the number, hex and UTF-8 helpers; pure, no allocation (dd_lambda.h uses them). */
DD__PRIVATE size_t dd__t_u64_dec(uint64_t v, char *out) {
    char tmp[20];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = 0;
    return n;
}
/* 16 lowercase hex digits and a NUL. Each 32-bit half is spread to one nibble per byte and
 * turned into digits all at once (SWAR: +'0', and +39 more where the nibble is over 9): a third
 * of the instructions of a digit-by-digit loop, on the trace id's high half of every chunk. */
DD__PRIVATE void dd__t_hex8x(uint32_t h, char *out) {
    uint64_t x = h;
    int j;
    x = ((x & UINT64_C(0xFFFF0000)) << 16) | (x & UINT64_C(0xFFFF));
    x = ((x & UINT64_C(0x0000FF000000FF00)) << 8) | (x & UINT64_C(0x000000FF000000FF));
    x = ((x & UINT64_C(0x00F000F000F000F0)) << 4) | (x & UINT64_C(0x000F000F000F000F));
    x += UINT64_C(0x3030303030303030)
         + (((x + UINT64_C(0x0606060606060606)) >> 4) & UINT64_C(0x0101010101010101)) * 39;
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    x = __builtin_bswap64(x); /* the most significant digit first */
    memcpy(out, &x, 8);
    (void)j;
#else
    for (j = 0; j < 8; j++) out[j] = (char)(x >> (56 - 8 * j)); /* the most significant digit first */
#endif
}
DD__PRIVATE void dd__t_hex16(uint64_t v, char *out) {
    dd__t_hex8x((uint32_t)(v >> 32), out);
    dd__t_hex8x((uint32_t)v, out + 8);
    out[16] = 0;
}
DD__PRIVATE int dd__t_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
DD__PRIVATE int dd__t_ieq(const char *a, const char *b) {
    while (*a && *b && dd__t_lower((unsigned char)*a) == dd__t_lower((unsigned char)*b)) a++, b++;
    return *a == 0 && *b == 0;
}
DD__PRIVATE int dd__t_is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* A bounded text builder used for log lines and the startup JSON; cuts what does not fit. */
typedef struct dd__tsb {
    char *p;
    size_t n, cap, need; /* bytes stored, buffer size, bytes the whole text needs */
} dd__tsb;
DD__PRIVATE void dd__tsb_init(dd__tsb *b, char *p, size_t cap) {
    b->p = p;
    b->n = b->need = 0;
    b->cap = p ? cap : 0;
    if (b->cap) p[0] = 0;
}
DD__PRIVATE void dd__tsb_add(dd__tsb *b, const char *s, size_t n) {
    size_t room;
    if (!s) return;
    b->need += n;
    if (!b->cap) return;
    room = b->cap - 1 - b->n;
    if (n > room) n = room;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
DD__PRIVATE void dd__tsb_str(dd__tsb *b, const char *s) { dd__tsb_add(b, s, s ? strlen(s) : 0); }
DD__PRIVATE void dd__tsb_u64(dd__tsb *b, uint64_t v) {
    char t[21];
    dd__tsb_add(b, t, dd__t_u64_dec(v, t));
}
DD__PRIVATE void dd__tsb_i64(dd__tsb *b, int64_t v) {
    if (v < 0) {
        dd__tsb_add(b, "-", 1);
        dd__tsb_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        dd__tsb_u64(b, (uint64_t)v);
    }
}
DD__PRIVATE size_t dd__t_utf8_valid_prefix(const unsigned char *s, size_t n);
/* A JSON string literal, escaping quotes, backslashes and control bytes; bytes that are not
 * UTF-8 become \ufffd, so the text is always valid JSON. */
DD__PRIVATE void dd__tsb_json_str(dd__tsb *b, const char *s, size_t n) {
    static const char hx[] = "0123456789abcdef";
    size_t i = 0;
    dd__tsb_add(b, "\"", 1);
    while (s && i < n) {
        size_t v = dd__t_utf8_valid_prefix((const unsigned char *)s + i, n - i), e = i + v;
        for (; i < e; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '"' || c == '\\') {
                char q[2];
                q[0] = '\\';
                q[1] = (char)c;
                dd__tsb_add(b, q, 2);
            } else if (c < 0x20) {
                char q[6];
                q[0] = '\\';
                q[1] = 'u';
                q[2] = '0';
                q[3] = '0';
                q[4] = hx[c >> 4];
                q[5] = hx[c & 15];
                dd__tsb_add(b, q, 6);
            } else {
                dd__tsb_add(b, s + i, 1);
            }
        }
        if (i < n) {
            dd__tsb_add(b, "\\ufffd", 6);
            i++;
        }
    }
    dd__tsb_add(b, "\"", 1);
}

/* Length of the longest valid UTF-8 prefix of s[0..n) (docs/agent-protocol.md §2.2: libdatadog
 * rejects invalid UTF-8). ASCII runs are checked eight bytes at a time. */
DD__PRIVATE size_t dd__t_utf8_valid_prefix(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c;
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & UINT64_C(0x8080808080808080))) {
                i += 8;
                continue;
            }
        }
        c = s[i];
        if (c < 0x80) {
            i++;
        } else if (c >= 0xc2 && c <= 0xdf) {
            if (i + 1 >= n || (s[i + 1] & 0xc0) != 0x80) return i;
            i += 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            unsigned c1;
            if (i + 2 >= n) return i;
            c1 = s[i + 1];
            if ((c1 & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80) return i;
            if (c == 0xe0 && c1 < 0xa0) return i; /* overlong */
            if (c == 0xed && c1 >= 0xa0) return i; /* surrogate */
            i += 3;
        } else if (c >= 0xf0 && c <= 0xf4) {
            unsigned c1;
            if (i + 3 >= n) return i;
            c1 = s[i + 1];
            if ((c1 & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80 || (s[i + 3] & 0xc0) != 0x80) return i;
            if (c == 0xf0 && c1 < 0x90) return i;
            if (c == 0xf4 && c1 >= 0x90) return i;
            i += 4;
        } else {
            return i;
        }
    }
    return n;
}
/* Bytes needed for s[0..n) once each invalid byte becomes U+FFFD (3 bytes). */
DD__PRIVATE size_t dd__t_utf8_fixed_len(const unsigned char *s, size_t n) {
    size_t i = 0, out = 0;
    while (i < n) {
        size_t v = dd__t_utf8_valid_prefix(s + i, n - i);
        out += v;
        i += v;
        if (i < n) {
            out += 3;
            i++;
        }
    }
    return out;
}
DD__PRIVATE void dd__t_utf8_fix_copy(char *dst, const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        size_t v = dd__t_utf8_valid_prefix(s + i, n - i);
        memcpy(dst, s + i, v);
        dst += v;
        i += v;
        if (i < n) {
            dst[0] = (char)0xef;
            dst[1] = (char)0xbf;
            dst[2] = (char)0xbd;
            dst += 3;
            i++;
        }
    }
}

/*--- private types ---*/
/* Owns the private types of spans and segments and the payload and encoder types; no code. */
typedef struct dd__block {
    struct dd__block *next;
    size_t cap; /* payload bytes after the header */
} dd__block;
#define DD__BLOCK_HDR ((sizeof(dd__block) + 15) & ~(size_t)15)

/* A tag or metric, in the span's area: a 16-byte header (8 of them `next`: the span's tags are a
 * list, newest first, the order they go on the wire), then, after `off` unused bytes, the msgpack
 * str of the key, then the str of the value (meta) or the float64 (a metric: 0xcb and 8
 * big-endian bytes), with room for DD__TAG_VCAP value bytes. The value's place is fixed: a replacement whose header is
 * shorter moves the key up (off grows), a longer one moves it back down. The encoder copies a
 * tag whose strings are ASCII (DD__TAG_ASCII, noted by the copy that stored them) as it is, and
 * checks (and repairs) the others as UTF-8: the span's hot path only copies. */
typedef struct dd__tag {
    struct dd__tag *next;
    uint16_t w16;      /* wire bytes: key and value with their headers (DD__TAG_WIRE_LEN); DD__TAG_VLEN */
    uint16_t c16;      /* value capacity (a metric's: 8); DD__TAG_VCAP */
    uint8_t k8;        /* key bytes; DD__TAG_KLEN */
    uint8_t kind;      /* DD__TAG_* */
    uint8_t hd;        /* bits 0-2: msgpack header bytes before the key, 3-5: before the value; DD__TAG_BIG */
    uint8_t off;       /* bits 0-2: unused bytes before the key's header (0 to 4); DD__TAG_ASCII */
} dd__tag;
/* A tag whose key is over 255 bytes or whose value capacity is over DD__TAG_SMALL_CAP (rare:
 * DD__TAG_BIG in `hd`) has its lengths in the 16 bytes before its header, k8, w16 and c16 unused:
 * most tags then take a 16-byte header. Only the record's creation decides; DD__TAG_KLEN and the
 * others read either form. */
typedef struct dd__tag_big {
    uint32_t klen, vlen, vcap, pad;
} dd__tag_big;
#define DD__TAG_BIG 0x40
#define DD__TAG_SMALL_CAP 0xfe00 /* w16 holds the key, the value and their headers */
#define DD__TAG_BIGX(g) ((const dd__tag_big *)(const void *)((const char *)(g) - sizeof(dd__tag_big)))
#define DD__TAG_BIGW(g) ((dd__tag_big *)(void *)((char *)(g) - sizeof(dd__tag_big)))
#define DD__TAG_KLEN(g) ((size_t)(((g)->hd & DD__TAG_BIG) ? DD__TAG_BIGX(g)->klen : (g)->k8))
#define DD__TAG_VLEN(g) \
    (((g)->hd & DD__TAG_BIG) ? (size_t)DD__TAG_BIGX(g)->vlen                                                    \
                             : (size_t)(g)->w16 - (g)->k8 - ((g)->hd & 7u) - ((g)->hd >> 3 & 7u))
#define DD__TAG_VCAP(g) ((size_t)(((g)->hd & DD__TAG_BIG) ? DD__TAG_BIGX(g)->vcap : (g)->c16))
/* 1 when the tag's key has n bytes, 1 <= n <= 255: k8 alone (a big tag's k8 is its key length too
 * when that fits, else 0). */
#define DD__TAG_KLEN_IS(g, n) ((g)->k8 == (n))
#define DD__TAG_KHDR(g) ((size_t)((g)->hd & 7))
#define DD__TAG_VHDR(g) ((size_t)((g)->hd >> 3 & 7))
#define DD__TAG_SET_VHDR(g, n) ((g)->hd = (uint8_t)(((g)->hd & ~0x38) | (n) << 3))
/* In a tag's `off`: its key and (meta) its value are all ASCII, as found by the copy that stored
 * them; the encoder then copies the tag as it is, without looking at its bytes again. Clear (not
 * ASCII, or a value replaced in place): the encoder checks the strings, as dd__enc_tag_checked. */
#define DD__TAG_ASCII 0x80
#define DD__TAG_OFF(g) ((size_t)((g)->off & 7))
#define DD__TAG_HDR ((sizeof(dd__tag) + 7) & ~(size_t)7)
#define DD__TAG_WIRE(g) ((char *)(g) + DD__TAG_HDR + DD__TAG_OFF(g))
/* The wire bytes of a tag stored in the span (not DD__TAG_REF); the _A form, of a DD__TAG_ASCII
 * tag (never DD__TAG_BIG: the encoder's copy reads one field). */
#define DD__TAG_WIRE_LEN_A(g) ((size_t)(g)->w16)
#define DD__TAG_WIRE_LEN(g) \
    (((g)->hd & DD__TAG_BIG) ? DD__TAG_KHDR(g) + DD__TAG_BIGX(g)->klen + DD__TAG_VHDR(g) + DD__TAG_BIGX(g)->vlen \
                             : DD__TAG_WIRE_LEN_A(g))
/* A tag set by a _static setter (DD__TAG_REF in `off`) holds the caller's strings by pointer:
 * after the header, the key's address, then the value's (meta) or the float64's 8 big-endian
 * bytes (a metric). It never has DD__TAG_ASCII: the encoder writes it through
 * dd__enc_tag_checked (the strings checked as UTF-8, the same bytes as a copy would give). */
#define DD__TAG_REF 0x40
#define DD__TAG_REF_BYTES (DD__TAG_HDR + 16)
#define DD__TAG_REFP(g) ((const char *const *)(const void *)((const char *)(g) + DD__TAG_HDR))
/* The key's and the value's bytes (a metric's value: its 8 big-endian bytes), of any tag; the
 * _W forms, of a tag stored in the span (not DD__TAG_REF), are where they are written. */
#define DD__TAG_KEY_W(g) (DD__TAG_WIRE(g) + DD__TAG_KHDR(g))
#define DD__TAG_VAL_W(g) (DD__TAG_KEY_W(g) + DD__TAG_KLEN(g) + DD__TAG_VHDR(g))
#define DD__TAG_KEY(g) (((g)->off & DD__TAG_REF) ? DD__TAG_REFP(g)[0] : (const char *)DD__TAG_KEY_W(g))
#define DD__TAG_VAL(g) \
    (((g)->off & DD__TAG_REF) ? ((g)->kind == DD__TAG_META ? DD__TAG_REFP(g)[1] : (const char *)(g) + DD__TAG_HDR + 8) \
                              : (const char *)DD__TAG_VAL_W(g))

/* A span link (rare): in its segment's list (dd__segment.links, in the order added), with the
 * span it belongs to; the span only notes that it has some (has_links). */
typedef struct dd__link {
    struct dd__link *next;
    const struct dd_span *owner;
    dd_trace_id trace_id;
    uint64_t span_id;
    uint32_t flags;
    const char *tracestate, *reason, *ctx_headers;
    uint32_t tracestate_len, reason_len, ctx_headers_len;
    const char *attrs; /* n_attrs x (u32 key length, key, u32 value length, value), unaligned */
    uint32_t n_attrs;
} dd__link;

typedef struct dd__tstr {
    const char *p;
    uint32_t n;
} dd__tstr;

/* A lock word for the span path's short critical sections (arenas section): 0 = free. */
typedef int dd__spin;

struct dd__segment;
/* A span's service and type: most spans share one (the tracer's service and no type: the
 * tracer's record; a child without a type of its own: its parent's), so a span holds a pointer
 * to it. A span changes only a record it owns (own_sty) that no other span points to (`shared`
 * clear), else it takes a new one from its area first (dd__span_sty_w): a child keeps the
 * service it started with whatever its parent does later. A record is made at most once per
 * span, and again only after a child shared it, so the area it takes is bounded by the spans. */
typedef struct dd__sty {
    const char *service, *type;
    uint32_t service_n, type_n;
    uint32_t shared; /* 1: another span (or the tracer) may point to it */
} dd__sty;
#define DD__STY_BYTES ((sizeof(dd__sty) + 7) & ~(size_t)7) /* as a span's area gives it */
struct dd_span {
    struct dd__segment *seg;
    /* the local parent, whose span_id is this span's parent id; NULL for the local root, whose
     * parent id is its segment's (root_parent_id: the extracted context's, else 0) */
    const struct dd_span *parent;
    uint64_t span_id;
    int64_t start_ns; /* (the duration, set at finish: u.f) */
    /* name and resource: each a pointer and a 32-bit length (DD__SSTR makes the pair); service
     * and type in *sty (DD__SVC, DD__TYP) */
    const char *name, *resource;
    dd__sty *sty;
    uint32_t name_n, resource_n;
    /* max_tag_bytes less the bytes of the span's strings and live tags (modulo 2^32): a tag of n
     * bytes fits when n <= tag_room, one load */
    uint32_t tag_room, n_meta, n_metrics;
    /* flags, 0 or 1, a bit each (pending: in the segment's done list; ss_keep: the single-span
     * sampling verdict, set while a P0 chunk is cut). One thread writes them at a time: the owner
     * while the span is open, the finishing thread and then the flush (under the locks). */
    unsigned error : 1, measured : 1, resource_set : 1, pending : 1, finished : 1, ss_keep : 1, has_links : 1,
        own_sty : 1;
    uint8_t ss_rule; /* when ss_keep: the index in t->sampler.span_rules of the rule that kept it
                      * (its rate and max_per_second are read from there by the encoder) */
    uint8_t ascii; /* DD__SA_* of the fields known to be all ASCII (the encoder copies them unchecked) */
    uint64_t key_bits; /* dd__key_bit of every key ever set: most lookups end here */
    dd__tag *tags;
    /* While the span is open (u.o): its own bump area for tags (`left` bytes from cur). Once
     * finished (dd__finish sets u.f, then `finished`), the area is not used again and the place
     * holds the span's duration and the link of the segment's done list (u.f.next_done: finished,
     * not yet encoded spans). The handle's slot is not kept: dd_span_finish has the handle. */
    union {
        struct {
            char *cur;
            uint32_t left;
        } o;
        struct {
            struct dd_span *next_done;
            int64_t duration;
        } f;
    } u;
};
/* A span's string field as a dd__tstr (DD__SSTR), and the addresses of its pointer and length
 * (DD__SF) for the setters. */
DD__PRIVATE DD__T_HOT dd__tstr dd__sstr(const char *p, uint32_t n) {
    dd__tstr r;
    r.p = p;
    r.n = n;
    return r;
}
#define DD__SSTR(s, f) dd__sstr((s)->f, (s)->f##_n)
#define DD__SVC(s) dd__sstr((s)->sty->service, (s)->sty->service_n)
#define DD__TYP(s) dd__sstr((s)->sty->type, (s)->sty->type_n)
/* 1 when two spans have the same service (top_level); most children share the pointer. */
DD__PRIVATE DD__T_HOT int dd__span_same_service(const struct dd_span *a, const struct dd_span *b) {
    const dd__sty *x = a->sty, *y = b->sty;
    return x == y
           || (x->service_n == y->service_n && (x->service == y->service || memcmp(x->service, y->service, x->service_n) == 0));
}
#define DD__SF(s, f) &(s)->f, &(s)->f##_n
#define DD__SCOPY(d, df, s, sf) ((d)->df = (s)->sf, (d)->df##_n = (s)->sf##_n)
#define DD__SPAN_STRUCT ((sizeof(struct dd_span) + 7) & ~(size_t)7) /* where the span's own area begins */
/* dd__span_common_init stores every field of a new span by name: a struct that changes size
 * without that list fails here (on 64-bit targets) rather than leave a field unset. */
typedef char dd__span_fields_check[sizeof(void *) != 8 || sizeof(struct dd_span) == 112 ? 1 : -1];
/* Bits of a span's `ascii`: set by the copy (or reference) that gives the field its string. */
#define DD__SA_NAME 1
#define DD__SA_SERVICE 2
#define DD__SA_RESOURCE 4
#define DD__SA_TYPE 8
#define DD__SA_ALL 15
#define DD__SA_SET(s, bit, or_bytes) \
    ((s)->ascii = (uint8_t)(((s)->ascii & ~(bit)) | (((or_bytes) & DD__T_NOT_ASCII) ? 0 : (bit))))

typedef struct dd__segment {
    struct dd__segment *prev_open, *next_open; /* while open */
    struct dd__segment *next_done_seg;         /* once complete, until the flush encodes it */
    struct dd_tracer *tracer;
    dd__block *blocks; /* the first holds this header */
    char *cur, *end;
    dd_trace_id trace_id;
    dd_span *root;
    dd_span *done_head, *done_tail; /* finished spans awaiting encoding, in finish order */
    dd__link *links, *links_tail;   /* the spans' links, in the order added (under lock) */
    uint32_t n_spans, n_open, n_done;
    int priority, mechanism, decided, locked, chunks;
    double rule_rate, limit_rate, agent_rate;
    int has_rule_rate, has_limit_rate, has_agent_rate;
    char dm[8], ksr[16];
    uint32_t dm_len, ksr_len;
    char ext_dm[8];   /* _dd.p.dm of the extracted context */
    uint32_t ext_dm_len;
    int64_t wall0, mono0; /* the root's clocks: children derive wall time from one mono read */
    uint64_t est_bytes;   /* estimated encoded size once complete */
    uint32_t n_kept;      /* spans that go on the wire, once queued for the worker */
    int stats_chunk;      /* the chunk being cut is in the client-side stats (docs/stats.md §7) */
    uint64_t root_parent_id; /* the root's parent id: the extracted context's, else 0 */
    dd__tstr origin, ptags, tracestate, dd_member_extra;
    dd__tstr ptags_order; /* the extracted ptags verbatim when their order is not the one
                             dd__span_context_fill writes (R-DD-14), else empty */
    dd_baggage *baggage;  /* NULL until the trace has baggage (docs/http.md §1) */
    struct dd__inj_cache *inj; /* dd_span_inject's recorded headers, NULL until the first */
    /* span path (spans, finish): `lock` guards the arena (blocks, cur, end), n_spans, n_open,
     * the done list and n_done, and the handle slots cached here (h_free .. h_tail, linked
     * through the slots' `next`), so that a child start or finish needs no tracer lock */
    dd__spin lock;
    uint32_t h_free, h_tail;
    /* last, so that a new segment zeroes only the fields above it and the first byte of this */
    char inject_error[DD_PROPAGATION_ERROR_MAX + 1]; /* _dd.propagation_error from dd_inject */
} dd__segment;

/* A span's parent id: its local parent's span id, else the segment's (the root's). */
DD__PRIVATE DD__T_HOT uint64_t dd__span_parent_id(const struct dd_span *s) {
    return s->parent ? s->parent->span_id : s->seg->root_parent_id;
}

typedef struct dd__chunk_mark {
    size_t end;      /* offset in the buffer after the chunk */
    uint32_t spans;  /* spans in it */
    int stats;       /* its spans are in the client-side stats (docs/stats.md §7) */
} dd__chunk_mark;

typedef struct dd__tkv {
    dd__tstr k, v;
} dd__tkv;

/* Encoded chunks waiting for a flush. The chunks follow DD__PBUF_HEAD bytes left free (written
 * with the first chunk), where a request's array header goes: a request is sent from the buffer
 * in place, its header written just before its first chunk (over the end of the chunk before
 * it, already resolved). marks[].end are offsets in the buffer, the head included. */
#define DD__PBUF_HEAD 5
typedef struct dd__pbuf {
    dd_mp_writer w;
    dd__chunk_mark *marks;
    size_t n_marks, cap_marks;
} dd__pbuf;
/* The chunks' bytes in pb (without its head). */
DD__PRIVATE size_t dd__pbuf_size(const dd__pbuf *pb) {
    size_t n = dd_mp_writer_size(&pb->w);
    return n > DD__PBUF_HEAD ? n - DD__PBUF_HEAD : 0;
}

#define DD__ENC_HD_LEN (1 + 9 + 9 + 8) /* see dd__enc.hd */
#define DD__ENC_TPL_MAX 1024 /* bytes of an encoder's template (dd__enc_template); more: no template */
/* An encoder: a writer and a buffer for strings repaired to valid UTF-8 (docs/agent-protocol.md §2.2: libdatadog
 * rejects invalid UTF-8). Two exist: one used under the lock (partial flush), one by the
 * flushing thread. */
typedef struct dd__enc {
    dd_mp_writer w;
    char *fix;
    size_t fix_cap;
    int stats; /* the chunk in w is in the client-side stats */
    /* meta's "language" entry, the same in every span: its wire bytes, made once for the tracer's
     * language (lang_p, lang_n) when that is short ASCII (lang_len 0: not made) */
    const char *lang_p;
    size_t lang_n, lang_len;
    uint64_t lang_bit; /* dd__key_bit("language") */
    uint8_t lang[48];
    /* The template of a span's map (dd__enc_template): the tracer's constant entries as wire
     * bytes, made once for tracer tp_t at fork generation tp_gen. tp_buf holds env, version and
     * DD_TAGS (meta's tail, version from tp_ver), then runtime-id and _dd.hostname (a chunk
     * root's meta); tp_pid the process_id metric. tp_ok 0: not usable (too long, not ASCII, a
     * DD_TAGS key the tracer writes itself): every span goes through dd__encode_span_full. */
    const struct dd_tracer *tp_t;
    uint64_t tp_gen;
    int tp_ok;
    uint32_t tp_ver, tp_glob, tp_tail, tp_first; /* tp_buf offsets: version, DD_TAGS, their end, the root part's end */
    uint32_t tp_n_tail, tp_n_first;              /* entries: env + DD_TAGS (version apart); runtime-id + hostname */
    uint64_t tp_bits, tp_bits_ver, tp_bits_first; /* key bits: language, env, DD_TAGS; version; a chunk root's keys */
    uint64_t tp_any, tp_any_first; /* bits of all a span's possible entries but _dd.measured; a root's */
    uint8_t tp_pid[9];
    uint64_t hd_lo;    /* a trace id's low half (over 32 bits; 0: none) and its spans' first bytes: */
    uint8_t hd[32];    /* map marker (no links), trace_id and its value, the span_id key (DD__ENC_HD_LEN),
                          the marker of a span id over 32 bits */
    uint64_t tid_hi;   /* _dd.p.tid of the last chunk root (a trace id's high half: its start second) */
    char tid_hex[17];  /* and its 16 hex digits */
    uint8_t tp_buf[DD__ENC_TPL_MAX];
} dd__enc;
#if defined(__clang__) /* Datadog-Meta-Lang-Interpreter (system-tests require the header) */
#define DD__INTERPRETER "clang"
#elif defined(__GNUC__)
#define DD__INTERPRETER "gcc"
#elif defined(_MSC_VER)
#define DD__INTERPRETER "msvc"
#else
#define DD__INTERPRETER "unknown"
#endif
/*--- struct dd_tracer ---*/
/* Owns struct dd_tracer and its limits; the fields after `guarded by lock` are under t->lock. */
#define DD__MAX_GLOBAL_TAGS 64
#define DD__HEADERS_MAX 16
/* Kinds of rate-limited log lines (dd__tlog_limited). */
#define DD__RL_NOT_SENT 0
#define DD__RL_UNCONFIRMED 1
#define DD__RL_HTTP 2
#define DD__RL_EMPTY_ANSWER 3
#define DD__RL_NO_TRANSPORT 4
#define DD__RL_DEFERRED 5
#define DD__RL_BAD_RATES 6
#define DD__RL_STATS 7
#define DD__RL_KINDS 8
#define DD__DROP_KINDS 7 /* DD__DROP_* bits, in the logging section */
#define DD__ENC_POOL_MAX 16 /* producer threads encoding at once; more hand traces to the worker */
/* A completed trace with fewer estimated bytes is encoded by the thread that finished it, while
 * its spans are in that core's cache; a larger one is left to the worker, so that no
 * dd_span_finish encodes for long. */
#define DD__ENCODE_ON_FINISH_MAX 65536
#define DD__BAG_KEYS_MAX 32    /* DD_TRACE_BAGGAGE_TAG_KEYS entries kept */
#define DD__BAG_KEYS_TEXT 1024 /* and their bytes */
#define DD__HEADER_TAGS_MAX 32 /* DD_TRACE_HEADER_TAGS entries kept */
#define DD__HTTP_STATUS_RANGES 16 /* entries of DD_TRACE_HTTP_*_ERROR_STATUSES */
#define DD__QS_NONE 0          /* the query is kept as it is */
#define DD__QS_REGEX 1         /* matches become <redacted> */
#define DD__QS_DROP 2          /* the query is left out (invalid pattern, or no <regex.h>) */

/* A "from:to,..." renaming table (DD_TRACE_PEER_SERVICE_MAPPING, DD_SERVICE_MAPPING): each entry's
 * from then to, in text. */
typedef struct dd__map {
    int n;
    uint16_t off[DD__HEADER_TAGS_MAX], from_len[DD__HEADER_TAGS_MAX], to_len[DD__HEADER_TAGS_MAX];
    char text[1024];
} dd__map;
/* The entry renaming v, or -1. */
DD__PRIVATE int dd__map_find(const dd__map *m, const char *v, size_t vn) {
    int i;
    for (i = 0; i < m->n; i++)
        if (m->from_len[i] == vn && memcmp(m->text + m->off[i], v, vn) == 0) return i;
    return -1;
}

typedef struct dd__stats dd__stats; /* client-side stats: their own section */
DD__PRIVATE dd__stats *dd__stats_new(dd_tracer *t, const char *additional_tags); /* called by dd_tracer_new */
struct dd_tracer {
    dd_allocator alloc;
    int64_t (*wall_ns_fn)(void *user);
    int64_t (*mono_ns_fn)(void *user);
    uint64_t (*random_fn)(void *user);
    dd_log_fn log_fn;
    dd_transport_fn transport_fn;
    void *hook_user, *transport_user, *log_user, *clock_user, *random_user, *getenv_user;
    void (*transport_free_fn)(void *transport_user);
    /* resolved configuration, immutable after dd_tracer_new */
    int enabled, trace_id_128, debug, partial_flush, report_hostname, delivery;
    int64_t request_timeout_ms, flush_timeout_ns, log_rate_ns;
    int logs_injection, log_128bit; /* DD_LOGS_INJECTION, DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED */
    uint32_t partial_flush_min_spans, max_spans_per_segment, max_tag_bytes, max_open_segments;
    uint64_t max_buffer_bytes, flush_bytes, max_request_bytes;
    int64_t flush_interval_ns;
    int send_retries, has_thread;
    char *strings; /* one allocation for every resolved string below */
    size_t strings_size;
    dd__tstr service, env, version, language, language_version, hostname, container_id, entity_id;
    size_t n_global_tags;
    dd__tkv global_tags[DD__MAX_GLOBAL_TAGS];
    dd_propagation_config prop;
    /* DD_TRACE_BAGGAGE_TAG_KEYS: keys in bag_keys, each NUL-terminated; bag_all for "*" */
    int bag_all, n_bag_keys;
    uint16_t bag_key_off[DD__BAG_KEYS_MAX], bag_key_len[DD__BAG_KEYS_MAX];
    char bag_keys[DD__BAG_KEYS_TEXT];
    /* HTTP spans (docs/http.md §2) */
    int qs_mode, client_query, client_ip, n_ht, n_err[2]; /* n_err: [0] server, [1] client */
    char ip_header[64]; /* DD_TRACE_CLIENT_IP_HEADER, lowercase, or "" */
    dd__map psm;        /* DD_TRACE_PEER_SERVICE_MAPPING */
    dd__map svc_map;    /* DD_SERVICE_MAPPING: span services renamed as they are set */
    dd__tstr root_service; /* the tracer's service after DD_SERVICE_MAPPING */
    dd__sty root_sty;      /* root_service and no type: a new root's (`shared` set) */
    uint8_t root_service_ascii; /* DD__SA_SERVICE when root_service is all ASCII, else 0 */
    uint16_t err_lo[2][DD__HTTP_STATUS_RANGES], err_hi[2][DD__HTTP_STATUS_RANGES];
    uint16_t ht_off[DD__HEADER_TAGS_MAX], ht_len[DD__HEADER_TAGS_MAX], ht_tag_len[DD__HEADER_TAGS_MAX];
    char ht_text[2048]; /* each header name, then its tag name (when mapped) */
#if DD__HAVE_POSIX
    regex_t qs_re;      /* with qs_mode DD__QS_REGEX */
#endif
    dd__sampler sampler;
    /* guarded by lock */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* flush finished / flusher wake-up */
    dd_counters counters;
    uint32_t n_open_segments;
    dd__segment *open_head; /* open segments, for dd_tracer_free */
    /* span path: `pool` (not `lock`) guards the block pools (free_blocks, free_first and their
     * counts), h_free and h_owned; spans_started and spans_finished are counted in n_started and
     * n_finished (atomic) and copied into the counters by dd_tracer_counters */
    dd__spin pool;
    uint64_t n_started, n_finished;
    dd__block *free_blocks, *free_first; /* pooled 4 KiB blocks, segments' first blocks (arenas) */
    size_t n_free_blocks, n_free_first;
    uint32_t h_free;  /* first free handle slot of the tracer's chunks, 0 = none (span handles) */
    uint32_t h_owned; /* first chunk of the handle table it owns + 1, 0 = none */
    dd__pbuf bufs[2];
    /* delivery state (the in-flight payload, the worker's handshake, rate-limited logs) */
    size_t fl_next;   /* first in-flight chunk not yet resolved */
    size_t fl_counted; /* first in-flight chunk whose outcome is not in the counters yet (fl_next
                          runs ahead of it during a pass, off the lock): a fork()ed child drops
                          the chunks from here */
    size_t fl_marks;  /* chunks the in-flight buffer held when taken, before the segments of
                         in_flight were encoded into it (off the lock) */
    size_t fl_cap;    /* request size for the in-flight chunks (halved by a 413) */
    int64_t retry_at; /* real mono ns before which a held payload is not tried again */
    int64_t last_flush_ns; /* real mono ns of the last delivery pass */
    int64_t last_finish_flush_mono; /* synchronous mode: mono_ns_fn time of the last one */
    int64_t shutdown_ns;   /* dd_tracer_free's bound on its last delivery; < 0: none */
    int64_t stop_deadline; /* real mono ns */
    uint64_t flush_req, flush_done; /* explicit flushes asked of the worker, and answered */
    int64_t rl_last[DD__RL_KINDS]; /* rate-limited logging: last line per kind, real mono ns */
    uint64_t rl_suppressed[DD__RL_KINDS];
    struct dd_tracer *next_registered; /* every live tracer, for fork() */
    dd__enc *enc_pool[DD__ENC_POOL_MAX]; /* encoders for traces completed on producer threads */
    int n_enc_pool, n_enc_made;
    int active;       /* bufs[active] takes new chunks */
    int flushing;     /* a delivery pass owns bufs[!active] (its requests are sent from it) and enc_flush */
    int held;         /* bufs[!active] holds chunks not yet resolved (in flight) */
    int fl_attempts;  /* tries of the in-flight request the agent did not process */
    int flush_wanted; /* the buffer passed flush_bytes: the worker should run */
    int flush_rc;     /* the answer of the last explicit flush */
    int stop;         /* the worker must make its last delivery and exit */
    int worker_exited, worker_failed, orphaned;
    int worker_idle;  /* the worker waits with no timer: the next buffered trace must wake it */
    int worker_started; /* the worker reached its loop: its thread's start-up (which allocates
                           outside our locks) is over; fork() waits for it (dd__fork_prepare) */
    uint64_t enc_spans; /* spans of traces being encoded by finishing threads (off the lock) */
    dd__segment *done_head, *done_tail; /* completed segments waiting for the flush */
    uint64_t done_bytes;                 /* their arena bytes (memory: max_buffer_bytes) */
    uint64_t done_est;                   /* their estimated encoded size (flush_bytes) */
    dd__segment *in_flight;              /* the completed segments that flush is sending */
    dd__enc enc_lock;                    /* encodes partial-flush chunks */
    uint64_t fork_generation; /* for pid and runtime-id */
    int64_t pid;
    int64_t drop_last[DD__DROP_KINDS];       /* each DD__DROP_* kind: its last line, real mono ns */
    uint64_t drop_suppressed[DD__DROP_KINDS]; /* drops since then, not logged */
    uint64_t drop_report[DD__DROP_KINDS];     /* the count the next line of the kind reports */
    char runtime_id[37];
    /* owned by the flushing thread */
    dd__enc enc_flush;
    pthread_t thread; /* the worker (background delivery), when has_thread */
    dd__stats *stats; /* client-side stats, NULL when off; guarded by lock (docs/stats.md) */
};

/*--- logging: never called with the tracer lock held ---*/
/* Owns the tracer's logging and its rate limit (under lock briefly to check the limit, never
 * while calling log_fn); the drop kinds. */
/* The logger used when log_fn is NULL: one line per message on stderr with a level prefix.
 * Control bytes become '?', so that nothing a peer sent (an agent's answer) can forge a line. */
DD__PRIVATE void dd__stderr_log(void *user, int level, const char *msg, size_t len) {
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char line[1100];
    size_t n = 0, i;
    const char *name = level >= 0 && level <= 3 ? names[level] : "LOG";
    (void)user;
    memcpy(line, "[dd-trace-c ", 12);
    n = 12;
    memcpy(line + n, name, strlen(name));
    n += strlen(name);
    line[n++] = ']';
    line[n++] = ' ';
    for (i = 0; i < len && n < sizeof line - 2; i++) {
        unsigned char c = (unsigned char)msg[i];
        line[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    line[n++] = '\n';
    fwrite(line, 1, n, stderr);
}
DD__PRIVATE void dd__tlog(const dd_tracer *t, int level, const char *msg, size_t len) {
    if (t->log_fn && (level < DD_LOG_DEBUG || t->debug)) t->log_fn(t->log_user, level, msg, len);
}
DD__PRIVATE void dd__tlogs(const dd_tracer *t, int level, const char *msg) { dd__tlog(t, level, msg, strlen(msg)); }
DD__PRIVATE void dd__tlog3(const dd_tracer *t, int level, const char *a, const char *b, size_t blen, const char *c) {
    char buf[320];
    dd__tsb sb;
    if (!t->log_fn || (level >= DD_LOG_DEBUG && !t->debug)) return;
    dd__tsb_init(&sb, buf, sizeof buf);
    dd__tsb_str(&sb, a);
    dd__tsb_add(&sb, b, blen);
    dd__tsb_str(&sb, c);
    t->log_fn(t->log_user, level, buf, sb.n);
}
/* Repetitive messages (delivery failures) go out at most once per kind per logging interval
 * (DD_TRACE_LOGGING_RATE seconds, default 60, as dd-trace-py), with the number suppressed since
 * the last line, so that a dead agent cannot flood the log. */
DD__PRIVATE void dd__tlog_limited_n(dd_tracer *t, int kind, const char *msg, size_t len) {
    uint64_t suppressed = 0;
    int64_t now;
    int go = 1;
    if (!t->log_fn) return;
    now = dd__default_mono_ns(NULL);
    pthread_mutex_lock(&t->lock);
    if (t->log_rate_ns > 0 && t->rl_last[kind] && now - t->rl_last[kind] < t->log_rate_ns) {
        t->rl_suppressed[kind]++;
        go = 0;
    } else {
        t->rl_last[kind] = now ? now : 1;
        suppressed = t->rl_suppressed[kind];
        t->rl_suppressed[kind] = 0;
    }
    pthread_mutex_unlock(&t->lock);
    if (!go) return;
    if (!suppressed) {
        dd__tlog(t, DD_LOG_WARN, msg, len);
    } else {
        char buf[400], num[24];
        dd__tsb sb;
        dd__tsb_init(&sb, buf, sizeof buf);
        dd__tsb_add(&sb, msg, len);
        dd__tsb_str(&sb, " (");
        dd__t_u64_dec(suppressed, num);
        dd__tsb_str(&sb, num);
        dd__tsb_str(&sb, " more like it suppressed since the last report)");
        dd__tlog(t, DD_LOG_WARN, buf, sb.n);
    }
}
DD__PRIVATE void dd__tlog_limited(dd_tracer *t, int kind, const char *msg) { dd__tlog_limited_n(t, kind, msg, strlen(msg)); }
/* Drop kinds: always counted; logged (at warning level) at most once per kind per logging interval
 * (DD_TRACE_LOGGING_RATE), the line saying how many were not logged since the last one. */
#define DD__DROP_SPAN_LIMIT 1u
#define DD__DROP_SEGMENT_LIMIT 2u
#define DD__DROP_TAG_LIMIT 4u
#define DD__DROP_BUFFER 8u
#define DD__DROP_NO_MEMORY 16u
#define DD__DROP_TOO_BIG 32u
#define DD__DROP_STALE 64u
/* The kinds of `kinds` whose line is due (under lock): the others are counted as suppressed. */
DD__PRIVATE unsigned dd__drop_first(dd_tracer *t, unsigned kinds) {
    unsigned due = 0, i;
    int64_t now = dd__default_mono_ns(NULL);
    for (i = 0; i < DD__DROP_KINDS; i++) {
        if (!(kinds & (1u << i))) continue;
        if (t->log_rate_ns > 0 && t->drop_last[i] && now - t->drop_last[i] < t->log_rate_ns) {
            t->drop_suppressed[i]++;
            continue;
        }
        t->drop_last[i] = now ? now : 1;
        t->drop_report[i] = t->drop_suppressed[i];
        t->drop_suppressed[i] = 0;
        due |= 1u << i;
    }
    return due;
}
/* Logs the lines dd__drop_first found due (without the lock). */
DD__PRIVATE void dd__tlog_drops(dd_tracer *t, unsigned kinds) {
    static const char *const what[DD__DROP_KINDS] = {
        "span dropped: max_spans_per_segment reached (counted in spans_dropped_limit)",
        "trace dropped: max_open_segments reached (counted in segments_dropped_limit)",
        "tag dropped: max_tag_bytes reached for a span, or not a finite number (counted in tags_dropped)",
        "chunk dropped: max_buffer_bytes reached (counted in chunks_dropped_buffer)",
        "dropped for lack of memory (counted)",
        "chunk dropped: larger than max_request_bytes (counted in chunks_dropped_buffer)",
        "dead span handle (used after dd_span_finish): call ignored (counted in stale_handle_calls)"};
    size_t i;
    if (!kinds) return; /* the hot path: nothing dropped */
    for (i = 0; i < DD__DROP_KINDS; i++) {
        char buf[300], num[24];
        dd__tsb sb;
        uint64_t more;
        if (!(kinds & (1u << i))) continue;
        pthread_mutex_lock(&t->lock);
        more = t->drop_report[i];
        t->drop_report[i] = 0;
        pthread_mutex_unlock(&t->lock);
        dd__tsb_init(&sb, buf, sizeof buf);
        dd__tsb_str(&sb, what[i]);
        dd__tsb_str(&sb, "; at most one line per DD_TRACE_LOGGING_RATE");
        if (more) {
            dd__tsb_str(&sb, " (");
            dd__t_u64_dec(more, num);
            dd__tsb_str(&sb, num);
            dd__tsb_str(&sb, " more like it suppressed since the last report)");
        }
        dd__tlog(t, DD_LOG_WARN, buf, sb.n);
    }
}

/*--- arenas: fixed-size blocks recycled through the tracer's pool ---*/
/* Owns the span path's locks (dd__spin), the block pools and segment allocation. Lock order:
 * t->lock, then a segment's lock, then t->pool (then dd__htab_lock); the span path (a child's
 * start, a finish that does not complete its trace) takes only a segment's lock. Two sizes are
 * pooled: a segment's first block (DD__BLOCK_FIRST_BYTES: its header, the root span and a little
 * room, so that an open one-span trace holds under 1 KiB) and the 4 KiB blocks the trace grows
 * in; a larger request gets a block of its own, freed with the segment. */
#define DD__BLOCK_FIRST_BYTES                                                                                  \
    ((((sizeof(dd__segment) + 7) & ~(size_t)7) + ((sizeof(dd_span) + 7) & ~(size_t)7) + DD__SPAN_INLINE_BYTES + 192 \
      + 15) & ~(size_t)15)
/* Short critical sections (a few dozen instructions, no call out): an uncontended lock and
 * unlock are one atomic exchange and one store, where a pthread mutex pair costs ~55
 * instructions. A waiter spins 64 times, then yields, so that a preempted holder is not spun
 * against for a whole time slice. */
DD__PRIVATE DD__T_COLD void dd__spin_wait(dd__spin *l) {
    unsigned n = 0;
    for (;;) {
        if (!__atomic_load_n(l, __ATOMIC_RELAXED) && !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) return;
        if (++n == 64) {
            sched_yield();
            n = 0;
        }
    }
}
DD__PRIVATE DD__T_HOT void dd__spin_lock(dd__spin *l) {
    if (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) dd__spin_wait(l);
}
DD__PRIVATE DD__T_HOT void dd__spin_unlock(dd__spin *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* A pooled block (under t->pool): a segment's first block when first, else a 4 KiB one; or NULL. */
DD__PRIVATE dd__block *dd__block_pop(dd_tracer *t, int first) {
    dd__block *b = first ? t->free_first : t->free_blocks;
    if (b) {
        if (first) {
            t->free_first = b->next;
            t->n_free_first--;
        } else {
            t->free_blocks = b->next;
            t->n_free_blocks--;
        }
        b->next = NULL;
    }
    return b;
}
/* A new block of cap payload bytes (the allocator, without any lock of the span path). */
DD__PRIVATE dd__block *dd__block_new(dd_tracer *t, size_t cap) {
    dd__block *b = (dd__block *)dd__alloc(&t->alloc, DD__BLOCK_HDR + cap);
    if (!b) return NULL;
    b->next = NULL;
    b->cap = cap;
    return b;
}
/* A block of at least `need` bytes: a pooled one, else a new one. */
DD__PRIVATE dd__block *dd__block_get(dd_tracer *t, size_t need) {
    dd__block *b = NULL;
    size_t cap = need > DD__BLOCK_BYTES ? need : DD__BLOCK_BYTES;
    if (cap == DD__BLOCK_BYTES) {
        dd__spin_lock(&t->pool);
        b = dd__block_pop(t, 0);
        dd__spin_unlock(&t->pool);
        if (b) return b;
    }
    return dd__block_new(t, cap);
}
DD__PRIVATE void dd__h_splice(dd_tracer *t, uint32_t h_free, uint32_t h_tail); /* span handles */
/* Gives a chain of blocks back, and the handle slots h_free .. h_tail (span handles; 0 = none),
 * in one t->pool section: blocks of the two pooled sizes kept up to DD__BLOCK_POOL_MAX each, the
 * rest freed after it. */
DD__PRIVATE void dd__blocks_put(dd_tracer *t, dd__block *b, uint32_t h_free, uint32_t h_tail) {
    dd__block *next, *extra = NULL;
    dd__spin_lock(&t->pool);
    if (h_free) dd__h_splice(t, h_free, h_tail);
    for (; b; b = next) {
        next = b->next;
        if (b->cap == DD__BLOCK_BYTES && t->n_free_blocks < DD__BLOCK_POOL_MAX) {
            b->next = t->free_blocks;
            t->free_blocks = b;
            t->n_free_blocks++;
        } else if (b->cap == DD__BLOCK_FIRST_BYTES && t->n_free_first < DD__BLOCK_POOL_MAX) {
            b->next = t->free_first;
            t->free_first = b;
            t->n_free_first++;
        } else {
            b->next = extra;
            extra = b;
        }
    }
    dd__spin_unlock(&t->pool);
    for (; extra; extra = next) {
        next = extra->next;
        dd__free(&t->alloc, extra, DD__BLOCK_HDR + extra->cap);
    }
}
/* dd_tracer_free: the pooled blocks go back to the allocator. */
DD__PRIVATE void dd__block_pools_free(dd_tracer *t) {
    dd__block *b;
    while ((b = t->free_blocks) != NULL) {
        t->free_blocks = b->next;
        dd__free(&t->alloc, b, DD__BLOCK_HDR + b->cap);
    }
    while ((b = t->free_first) != NULL) {
        t->free_first = b->next;
        dd__free(&t->alloc, b, DD__BLOCK_HDR + b->cap);
    }
    t->n_free_blocks = t->n_free_first = 0;
}
/* Bump allocation in the segment's arena, 8-byte aligned, under the segment's lock (or before
 * the segment is shared). NULL when memory runs out. */
DD__PRIVATE void *dd__seg_alloc_locked(dd_tracer *t, dd__segment *seg, size_t n) {
    void *p;
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(seg->end - seg->cur) < n) {
        dd__block *b = dd__block_get(t, n);
        if (!b) return NULL;
        /* the first block stays first: it holds the segment header */
        b->next = seg->blocks->next;
        seg->blocks->next = b;
        seg->cur = (char *)b + DD__BLOCK_HDR;
        seg->end = seg->cur + b->cap;
    }
    p = seg->cur;
    seg->cur += n;
    return p;
}
/* dd__seg_alloc_locked for a child's start: the bump inlined when the current block has room
 * (most children), the call only for a new block. */
DD__PRIVATE DD__T_HOT void *dd__seg_bump_locked(dd_tracer *t, dd__segment *seg, size_t n) {
    char *p = seg->cur;
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(seg->end - p) < n) return dd__seg_alloc_locked(t, seg, n);
    seg->cur = p + n;
    return p;
}
/* dd__seg_alloc_locked taking the segment's lock: any thread (the tracer lock may be held). */
DD__PRIVATE void *dd__seg_alloc(dd_tracer *t, dd__segment *seg, size_t n) {
    void *p;
    dd__spin_lock(&seg->lock);
    p = dd__seg_alloc_locked(t, seg, n);
    dd__spin_unlock(&seg->lock);
    return p;
}
DD__PRIVATE void dd__seg_unlink_open(dd_tracer *t, dd__segment *seg) { /* under lock */
    if (seg->prev_open) seg->prev_open->next_open = seg->next_open;
    else t->open_head = seg->next_open;
    if (seg->next_open) seg->next_open->prev_open = seg->prev_open;
    t->n_open_segments--;
}
/* A segment no thread uses any more: its blocks go back to the pool, and the handle slots it
 * cached to the tracer's free list (read first: the header lives in the first block). */
DD__PRIVATE void dd__seg_free_blocks(dd_tracer *t, dd__segment *seg) {
    uint32_t h_free = seg->h_free, h_tail = seg->h_tail;
    dd__blocks_put(t, seg->blocks, h_free, h_tail);
}
DD__PRIVATE void dd__seg_release(dd_tracer *t, dd__segment *seg) { /* an open segment, under lock */
    dd__seg_unlink_open(t, seg);
    dd__seg_free_blocks(t, seg);
}

/*--- span handles: a slot and a generation, checked by every span function ---*/
/* Owns the process-wide handle table. A dd_span * given to the application is not the span's
 * address (span memory is pooled and reused by later traces) but an index into this table and the
 * slot's generation: index | generation << DD__H_IDX_BITS. dd_span_finish releases the slot (its
 * generation moves on), so a handle used afterwards, whatever became of the memory, no longer
 * matches and every span function ignores it (dd__span_live). Slots come in chunks of
 * DD__HCHUNK_SLOTS owned by one tracer (its free list is under t->pool); chunks are assigned under
 * dd__htab_lock and freed with the tracer. A segment keeps the slots its finished spans released
 * (under its own lock) for its next children, takes DD__H_BATCH at a time from the tracer when
 * it has none, and gives them all back with its blocks (dd__seg_free_blocks): a child's start
 * and finish touch no tracer-wide state. A chunk index used again starts its generations after the last ones of the
 * previous chunk there. Reads are lock-free: a live handle's slot was written before the handle
 * was handed out. */
#if UINTPTR_MAX > 0xffffffffu
#define DD__H_IDX_BITS 32 /* 64-bit handles: 2^32 generations per slot before one comes back */
#define DD__HTAB_CHUNKS 8192
#else
#define DD__H_IDX_BITS 20 /* 32-bit handles: 4096 generations per slot */
#define DD__HTAB_CHUNKS 1024
#endif
#define DD__HCHUNK_BITS 10
#define DD__HCHUNK_SLOTS (1u << DD__HCHUNK_BITS) /* live spans: DD__HTAB_CHUNKS * this, process-wide */
#define DD__H_IDX_MASK (((uintptr_t)1 << DD__H_IDX_BITS) - 1)
/* the bits of an index that can name a slot: masking with it needs no bounds check */
#define DD__H_SLOT_MASK ((uint32_t)DD__HTAB_CHUNKS * DD__HCHUNK_SLOTS - 1)
#define DD__H_GEN_MASK ((uint32_t)(UINTPTR_MAX >> DD__H_IDX_BITS))
/* A slot is 12 bytes on 64-bit, in two arrays of its chunk (its generation in gen[], its span in
 * ref[]): no padding, and an index scales into either without a multiply. */
typedef union dd__hndref {
    struct dd_span *span; /* live: the span */
    uint32_t next;        /* free: the next free slot, of the owning tracer's or a segment's free
                           * list (a free slot's generation never matches a live handle's) */
} dd__hndref;
typedef struct dd__hndchunk {
    struct dd_tracer *tracer; /* the owner: stale calls are counted there */
    uint32_t next_owned;      /* the owner's next chunk + 1, 0 = last */
    uint32_t gen[DD__HCHUNK_SLOTS]; /* the generation a live handle carries; moves on at release */
    dd__hndref ref[DD__HCHUNK_SLOTS];
} dd__hndchunk;
static dd__hndchunk *dd__htab[DD__HTAB_CHUNKS];
static uint32_t dd__htab_gen0[DD__HTAB_CHUNKS]; /* first generation of the next chunk at each index */
static pthread_mutex_t dd__htab_lock = PTHREAD_MUTEX_INITIALIZER;

#define DD__H_BATCH 8 /* slots a segment takes from its tracer at once */
/* A new chunk for t, its slots pushed on t's free list (under t->pool; takes dd__htab_lock).
 * 0 when the table is full or memory runs out. */
DD__PRIVATE DD__T_COLD int dd__h_grow(dd_tracer *t) {
    dd__hndchunk *c = (dd__hndchunk *)dd__alloc(&t->alloc, sizeof(dd__hndchunk));
    uint32_t k, i;
    if (!c) return 0;
    pthread_mutex_lock(&dd__htab_lock);
    for (k = 0; k < DD__HTAB_CHUNKS && dd__htab[k]; k++) {}
    if (k == DD__HTAB_CHUNKS) {
        pthread_mutex_unlock(&dd__htab_lock);
        dd__free(&t->alloc, c, sizeof(dd__hndchunk));
        return 0;
    }
    c->tracer = t;
    c->next_owned = t->h_owned;
    t->h_owned = k + 1;
    for (i = DD__HCHUNK_SLOTS; i-- > 0;) {
        c->gen[i] = dd__htab_gen0[k];
        if (k == 0 && i == 0) { /* index 0 is the NULL handle: never handed out, never matches */
            c->gen[i] = 1;
            c->ref[i].span = NULL; /* (and would give NULL) */
            continue;
        }
        c->ref[i].next = t->h_free;
        t->h_free = k << DD__HCHUNK_BITS | i;
    }
    dd__htab[k] = c;
    pthread_mutex_unlock(&dd__htab_lock);
    return 1;
}
DD__PRIVATE DD__T_HOT dd__hndref *dd__h_ref(uint32_t idx) {
    return &dd__htab[idx >> DD__HCHUNK_BITS]->ref[idx & (DD__HCHUNK_SLOTS - 1)];
}
DD__PRIVATE DD__T_HOT uint32_t *dd__h_gen(uint32_t idx) {
    return &dd__htab[idx >> DD__HCHUNK_BITS]->gen[idx & (DD__HCHUNK_SLOTS - 1)];
}
/* Takes a free slot of the tracer (under t->pool). 0 when none can be had. */
DD__PRIVATE DD__T_HOT uint32_t dd__h_take(dd_tracer *t) {
    uint32_t idx;
    if (!t->h_free && !dd__h_grow(t)) return 0;
    idx = t->h_free;
    t->h_free = dd__h_ref(idx)->next;
    return idx;
}
/* Binds slot idx to the started span s and returns the handle the application gets. */
DD__PRIVATE DD__T_HOT dd_span *dd__h_bind(dd_span *s, uint32_t idx) {
    dd__h_ref(idx)->span = s;
    return (dd_span *)(((uintptr_t)(*dd__h_gen(idx) & DD__H_GEN_MASK) << DD__H_IDX_BITS) | idx);
}
/* A slot for a child of seg (under the segment's lock): one its finished spans released, else
 * a batch from the tracer (t->pool). 0 when none can be had. */
DD__PRIVATE DD__T_HOT uint32_t dd__h_seg_take(dd_tracer *t, dd__segment *seg) {
    uint32_t idx = seg->h_free, k;
    if (!idx) {
        dd__spin_lock(&t->pool);
        for (k = 0; k < DD__H_BATCH && (idx = dd__h_take(t)) != 0; k++) {
            dd__h_ref(idx)->next = seg->h_free;
            if (!seg->h_free) seg->h_tail = idx;
            seg->h_free = idx;
        }
        dd__spin_unlock(&t->pool);
        if (!(idx = seg->h_free)) return 0;
    }
    seg->h_free = dd__h_ref(idx)->next;
    return idx;
}
/* dd_span_finish: the span's handle dies, its slot waits in the segment for the next child
 * (under the segment's lock). */
DD__PRIVATE DD__T_HOT void dd__h_release(dd__segment *seg, uint32_t idx) {
    ++*dd__h_gen(idx);
    dd__h_ref(idx)->next = seg->h_free;
    if (!seg->h_free) seg->h_tail = idx;
    seg->h_free = idx;
}
/* Slots h_free .. h_tail (linked through `next`) join the tracer's free list (under t->pool):
 * the cache of a segment whose blocks are freed (dd__seg_free_blocks). */
DD__PRIVATE void dd__h_splice(dd_tracer *t, uint32_t h_free, uint32_t h_tail) {
    dd__h_ref(h_tail)->next = t->h_free;
    t->h_free = h_free;
}
/* A dead handle: counted in its tracer (the owner of the slot's chunk), logged at most once per interval. NULL is no
 * handle at all and is not counted. */
DD__PRIVATE DD__T_COLD void dd__h_stale(uintptr_t h) {
    uint32_t k = ((uint32_t)h & DD__H_SLOT_MASK) >> DD__HCHUNK_BITS;
    dd_tracer *t;
    unsigned first;
    if (!h || !dd__htab[k]) return;
    t = dd__htab[k]->tracer;
    pthread_mutex_lock(&t->lock);
    t->counters.stale_handle_calls++;
    first = dd__drop_first(t, DD__DROP_STALE);
    pthread_mutex_unlock(&t->lock);
    dd__tlog_drops(t, first);
}
/* The span behind a handle, or NULL for NULL and for a dead handle (counted): the first thing
 * every public span function does. Three loads and two tests. A matching generation implies a
 * bound slot: a slot's span is set before its handle exists and its generation moves on when it
 * is released (before the slot joins a free list, which reuses its address bytes), and the NULL
 * handle's slot never has generation 0. */
DD__PRIVATE DD__T_HOT dd_span *dd__span_live(const dd_span *handle) {
    uintptr_t h = (uintptr_t)handle;
    uint32_t idx = (uint32_t)h & DD__H_SLOT_MASK;
    const dd__hndchunk *c = dd__htab[idx >> DD__HCHUNK_BITS];
    if (c) {
        uint32_t i = idx & (DD__HCHUNK_SLOTS - 1);
        if ((c->gen[i] & DD__H_GEN_MASK) == (uint32_t)(h >> DD__H_IDX_BITS)) return c->ref[i].span;
    }
    dd__h_stale(h);
    return NULL;
}
/* dd_tracer_free: the tracer's chunks leave the table; their indexes keep counting generations. */
DD__PRIVATE void dd__h_free_all(dd_tracer *t) {
    pthread_mutex_lock(&dd__htab_lock);
    while (t->h_owned) {
        uint32_t k = t->h_owned - 1, i, top = 0;
        dd__hndchunk *c = dd__htab[k];
        for (i = (k == 0) ? 1 : 0; i < DD__HCHUNK_SLOTS; i++) /* (not the NULL handle's slot) */
            if (c->gen[i] - dd__htab_gen0[k] > top) top = c->gen[i] - dd__htab_gen0[k];
        dd__htab_gen0[k] += top + 1;
        dd__htab[k] = NULL;
        t->h_owned = c->next_owned;
        dd__free(&t->alloc, c, sizeof(dd__hndchunk));
    }
    t->h_free = 0;
    pthread_mutex_unlock(&dd__htab_lock);
}

/*--- span tag storage ---*/
/* A span's own area: tags are written without the lock, a new area is taken under it. Owns the
 * tag layout (wire-ready msgpack) and lookup. */
/* dd__span_room when the span's area is full, under the segment's lock (no tracer lock on the
 * tag path): DD__SPAN_AREA_BYTES more (or n). An area that ends where the segment's free room
 * begins (the span's tags set right after its start or its last refill, the common case) grows
 * in place, so that what was left of it is not lost; else a new area, or what is left of the
 * segment's current block when that is less but holds n. */
DD__PRIVATE DD__T_HOT char *dd__span_refill_area(dd_span *s, size_t n, size_t area) {
    dd__segment *seg = s->seg;
    dd_tracer *t = seg->tracer;
    size_t want = n > area ? n : area, left, add;
    char *p;
    dd__spin_lock(&seg->lock);
    left = (size_t)(seg->end - seg->cur) & ~(size_t)7;
    if (s->u.o.cur + s->u.o.left == seg->cur && left >= n - s->u.o.left) {
        add = want - s->u.o.left;
        if (add > left) add = left;
        seg->cur += add;
        dd__spin_unlock(&seg->lock);
        p = s->u.o.cur;
        s->u.o.cur = p + n;
        s->u.o.left = (uint32_t)(s->u.o.left + add - n);
        return p;
    }
    if (left < want && left >= n) want = left;
    p = (char *)dd__seg_alloc_locked(t, seg, want);
    dd__spin_unlock(&seg->lock);
    if (!p) return NULL;
    s->u.o.cur = p + n;
    s->u.o.left = (uint32_t)(want - n);
    return p;
}
/* (two copies, out of line: the callers pass no area size) */
DD__PRIVATE DD__T_COLD char *dd__span_refill(dd_span *s, size_t n) { return dd__span_refill_area(s, n, DD__SPAN_AREA_BYTES); }
DD__PRIVATE DD__T_COLD char *dd__span_refill_ref(dd_span *s) {
    return dd__span_refill_area(s, DD__TAG_REF_BYTES, DD__SPAN_REF_AREA_BYTES);
}
/* Room for n bytes in the span's bump area; takes the segment's lock only to refill it. */
DD__PRIVATE DD__T_HOT char *dd__span_room(dd_span *s, size_t n) {
    char *p;
    n = (n + 7) & ~(size_t)7;
    if (s->u.o.left < n) return dd__span_refill(s, n);
    p = s->u.o.cur;
    s->u.o.cur = p + n;
    s->u.o.left -= (uint32_t)n;
    return p;
}
DD__PRIVATE void dd__count_tag_drop(dd_span *s) {
    dd_tracer *t = s->seg->tracer;
    unsigned first;
    pthread_mutex_lock(&t->lock);
    t->counters.tags_dropped++;
    first = dd__drop_first(t, DD__DROP_TAG_LIMIT);
    pthread_mutex_unlock(&t->lock);
    dd__tlog_drops(t, first);
}
/* 1 when s[0..n) is all ASCII: a word at a time, the tail as an overlapping word (most strings). */
DD__PRIVATE DD__T_HOT int dd__t_is_ascii(const char *s, size_t n) {
    uint64_t acc = 0, w;
    size_t i;
    if (n >= 8) {
        for (i = 0; i + 8 <= n; i += 8) {
            memcpy(&w, s + i, 8);
            acc |= w;
        }
        memcpy(&w, s + n - 8, 8);
        acc |= w;
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        acc = a | b;
    } else if (n) {
        acc = (unsigned char)s[0] | (unsigned char)s[n / 2] | (unsigned char)s[n - 1];
    }
    return !(acc & UINT64_C(0x8080808080808080));
}
/* dd__mp_copy that also returns the OR of the bytes it copied (DD__T_NOT_ASCII & result: not all
 * ASCII), from the words it loads anyway: a string's ASCII check folded into its copy. Source and
 * destination do not overlap. */
#define DD__T_NOT_ASCII UINT64_C(0x8080808080808080)
DD__PRIVATE DD__T_HOT uint64_t dd__t_copy_or16(char *d, const char *s, size_t n) { /* 16 <= n <= 32 */
    uint64_t a, b, c, e;
    memcpy(&a, s, 8);
    memcpy(&b, s + 8, 8);
    memcpy(&c, s + n - 16, 8);
    memcpy(&e, s + n - 8, 8);
    memcpy(d, &a, 8);
    memcpy(d + 8, &b, 8);
    memcpy(d + n - 16, &c, 8);
    memcpy(d + n - 8, &e, 8);
    return a | b | c | e;
}
DD__PRIVATE DD__T_HOT uint64_t dd__t_copy_or(char *d, const char *s, size_t n) {
    uint64_t a, b;
    if (n > 16) {
        if (n <= 32) return dd__t_copy_or16(d, s, n); /* overlapping words, as dd__mp_copy */
        if (n <= 64) { /* the first 32 bytes, then the last 32 (overlapping) */
            a = dd__t_copy_or16(d, s, 32);
            return a | dd__t_copy_or16(d + n - 32, s + n - 32, 32);
        }
        memcpy(d, s, n); /* long values: the library's copy, then the check */
        return dd__t_is_ascii(s, n) ? 0 : 0x80;
    }
    if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
        return a | b;
    }
    if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        memcpy(d, &x, 4);
        memcpy(d + n - 4, &y, 4);
        return x | y;
    }
    if (n) {
        unsigned char x = (unsigned char)s[0], y = (unsigned char)s[n / 2], z = (unsigned char)s[n - 1];
        d[0] = (char)x;
        d[n / 2] = (char)y;
        d[n - 1] = (char)z;
        return (uint64_t)(x | y | z);
    }
    return 0;
}
/* Copies a string into the span's area, within the tag-bytes limit. Bytes are kept as given;
 * UTF-8 is checked (and repaired) when the chunk is encoded, off the span's hot path. */
DD__PRIVATE int dd__span_copy(dd_span *s, const char *p, size_t n, const char **op, uint32_t *on, unsigned bit) {
    char *dst;
    if (n > s->tag_room) return -1;
    if (n == 0) {
        *op = "";
        *on = 0;
        s->ascii = (uint8_t)(s->ascii | bit);
        return 0;
    }
    dst = dd__span_room(s, n);
    if (!dst) return -1;
    DD__SA_SET(s, bit, dd__t_copy_or(dst, p, n));
    s->tag_room -= (uint32_t)n;
    *op = dst;
    *on = (uint32_t)n;
    return 0;
}

/* A one-bit summary of a key (a 64-bit Bloom filter of one hash): a clear bit in a set's summary
 * proves the key is not in the set, without comparing strings. */
/* dd__key_bit of a key of at least one byte (the setters' fast paths, after their length check). */
DD__PRIVATE DD__T_HOT uint64_t dd__key_bit_nz(const char *k, size_t n) {
    /* cppcheck-suppress arrayIndexOutOfBoundsCond ; cppcheck pairs a literal key with another caller's length bound */
    return (uint64_t)1 << ((n * 5 + (unsigned char)k[0] + (unsigned char)k[n - 1] * 3u) & 63);
}
DD__PRIVATE DD__T_HOT uint64_t dd__key_bit(const char *k, size_t n) {
    if (!n) return 1;
    return dd__key_bit_nz(k, n);
}
DD__PRIVATE DD__T_HOT dd__tag *dd__span_find_bit(const dd_span *s, const char *k, size_t klen, uint64_t bit) {
    dd__tag *g;
    if (!(s->key_bits & bit)) return NULL;
    if (klen - 1 < 0xff) {
        for (g = s->tags; g; g = g->next)
            if (DD__TAG_KLEN_IS(g, klen) && g->kind != DD__TAG_DEAD && memcmp(DD__TAG_KEY(g), k, klen) == 0) return g;
        return NULL;
    }
    for (g = s->tags; g; g = g->next)
        if (DD__TAG_KLEN(g) == klen && g->kind != DD__TAG_DEAD && memcmp(DD__TAG_KEY(g), k, klen) == 0) return g;
    return NULL;
}
DD__PRIVATE dd__tag *dd__span_find(const dd_span *s, const char *k, size_t klen) {
    return dd__span_find_bit(s, k, klen, dd__key_bit(k, klen));
}
DD__PRIVATE void dd__tag_kill(dd_span *s, dd__tag *g) {
    if (g->kind == DD__TAG_META) s->n_meta--;
    else s->n_metrics--;
    g->kind = DD__TAG_DEAD;
    s->tag_room += (uint32_t)(DD__TAG_KLEN(g) + DD__TAG_VLEN(g)); /* live tags only: a replaced one gives its bytes back */
}
/* Sets meta (kind META, value v/vlen) or a metric (kind METRIC, num). A key set again is replaced
 * (in place when the new value fits). */
DD__PRIVATE double dd__tag_num(const dd__tag *g) {
    const unsigned char *p = (const unsigned char *)DD__TAG_VAL(g);
    uint64_t bits = 0;
    double v;
    int i;
    for (i = 0; i < 8; i++) bits = bits << 8 | p[i];
    memcpy(&v, &bits, sizeof v);
    return v;
}
/* Header bytes of a msgpack str of n bytes, and the header itself (fixstr, str8, str16, str32);
 * dd__str_hdr returns its length. Inlined: keys and values are nearly always fixstr. */
DD__PRIVATE DD__T_HOT size_t dd__str_hdr_len(size_t n) { return n < 32 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5; }
DD__PRIVATE DD__T_HOT size_t dd__str_hdr(char *p, size_t n) {
    unsigned char *q = (unsigned char *)p;
    if (n < 32) {
        q[0] = (unsigned char)(0xa0 | n);
    } else if (n <= 0xff) {
        q[0] = 0xd9, q[1] = (unsigned char)n;
    } else if (n <= 0xffff) {
        q[0] = 0xda, q[1] = (unsigned char)(n >> 8), q[2] = (unsigned char)n;
    } else {
        q[0] = 0xdb, q[1] = (unsigned char)(n >> 24), q[2] = (unsigned char)(n >> 16);
        q[3] = (unsigned char)(n >> 8), q[4] = (unsigned char)n;
    }
    return dd__str_hdr_len(n);
}
/* Writes a tag's value: the str header and bytes (meta), or 0xcb and the big-endian double
 * (a metric, v is its 8 native bytes). */
DD__PRIVATE DD__T_HOT void dd__tag_put_value(char *p, int kind, const char *v, size_t vlen) {
    if (kind == DD__TAG_META) {
        dd__mp_copy(p + dd__str_hdr(p, vlen), v, vlen);
    } else {
        uint64_t b;
        unsigned char *q = (unsigned char *)p;
        memcpy(&b, v, 8);
        q[0] = 0xcb;
        q[1] = (unsigned char)(b >> 56), q[2] = (unsigned char)(b >> 48), q[3] = (unsigned char)(b >> 40);
        q[4] = (unsigned char)(b >> 32), q[5] = (unsigned char)(b >> 24), q[6] = (unsigned char)(b >> 16);
        q[7] = (unsigned char)(b >> 8), q[8] = (unsigned char)b;
    }
}
/* A tag's value length, within its capacity (which decided the record's form), once its key and
 * its headers are set. */
DD__PRIVATE DD__T_HOT void dd__tag_set_vlen(dd__tag *g, size_t vlen) {
    if (g->hd & DD__TAG_BIG) DD__TAG_BIGW(g)->vlen = (uint32_t)vlen;
    else g->w16 = (uint16_t)(DD__TAG_KHDR(g) + g->k8 + DD__TAG_VHDR(g) + vlen);
}
/* A new record in the span's area: its header (lengths, kind, header sizes; `off` and `next` left
 * to the caller) and `wire` bytes after it, in the DD__TAG_BIG form when a length needs it. NULL
 * when memory runs out. */
DD__PRIVATE dd__tag *dd__tag_alloc(dd_span *s, size_t wire, int kind, size_t klen, size_t vlen, size_t cap,
                                   size_t khdr, size_t vhdr) {
    int big = klen > 0xff || cap > DD__TAG_SMALL_CAP;
    char *p = dd__span_room(s, (big ? sizeof(dd__tag_big) : 0) + DD__TAG_HDR + wire);
    dd__tag *g;
    if (!p) return NULL;
    if (big) {
        dd__tag_big *x = (dd__tag_big *)(void *)p;
        x->klen = (uint32_t)klen;
        x->vlen = (uint32_t)vlen;
        x->vcap = (uint32_t)cap;
        x->pad = 0;
        p += sizeof *x;
    }
    g = (dd__tag *)(void *)p;
    g->k8 = (uint8_t)(klen <= 0xff ? klen : 0); /* (kept in a big tag too: DD__TAG_KLEN_IS) */
    g->w16 = (uint16_t)(big ? 0 : khdr + klen + vhdr + vlen);
    g->c16 = (uint16_t)(big ? 0 : cap);
    g->kind = (uint8_t)kind;
    g->hd = (uint8_t)(khdr | vhdr << 3 | (big ? DD__TAG_BIG : 0));
    return g;
}
/* A new value for the live tag g in its own storage: vlen <= its capacity and the value's header fits
 * before the fixed place of the value (the key moves when the header's size changes). */
DD__PRIVATE DD__T_HOT void dd__tag_replace(dd_span *s, dd__tag *g, int kind, const char *v, size_t vlen,
                                           size_t vhdr) {
    char *val = DD__TAG_VAL_W(g);
    size_t off = DD__TAG_OFF(g), old = DD__TAG_VLEN(g); /* (read before the header's size changes) */
    if (vhdr != DD__TAG_VHDR(g)) {
        char *wire = DD__TAG_WIRE(g);
        off = off + DD__TAG_VHDR(g) - vhdr;
        memmove(DD__TAG_WIRE(g) - DD__TAG_OFF(g) + off, wire, DD__TAG_KHDR(g) + DD__TAG_KLEN(g));
        DD__TAG_SET_VHDR(g, vhdr);
    }
    if (kind != g->kind) {
        if (kind == DD__TAG_META) s->n_meta++, s->n_metrics--;
        else s->n_metrics++, s->n_meta--;
        g->kind = (uint8_t)kind;
    }
    dd__tag_put_value(val - vhdr, kind, v, vlen);
    s->tag_room -= (uint32_t)(vlen - old);
    dd__tag_set_vlen(g, vlen);
    g->off = (uint8_t)off; /* DD__TAG_ASCII cleared: the encoder checks a replaced value (a long
                              value would cost its check on every replacement here) */
}
/* Appends a new tag with room for cap value bytes (cap >= vlen). 0 when memory runs out. */
DD__PRIVATE DD__T_HOT int dd__tag_new(dd_span *s, int kind, const char *k, size_t klen, const char *v, size_t vlen,
                                      size_t vhdr, size_t cap, uint64_t bit) {
    size_t khdr = dd__str_hdr_len(klen);
    dd__tag *n = dd__tag_alloc(s, khdr + klen + vhdr + cap, kind, klen, vlen, cap, khdr, vhdr);
    uint64_t acc;
    char *val;
    if (!n) return 0;
    n->off = 0;
    dd__str_hdr(DD__TAG_WIRE(n), klen);
    acc = dd__t_copy_or(DD__TAG_KEY_W(n), k, klen);
    val = DD__TAG_KEY_W(n) + klen;
    if (kind == DD__TAG_META) acc |= dd__t_copy_or(val + dd__str_hdr(val, vlen), v, vlen);
    else dd__tag_put_value(val, kind, v, vlen);
    if (!(acc & DD__T_NOT_ASCII) && !(n->hd & DD__TAG_BIG)) n->off = DD__TAG_ASCII; /* (DD__TAG_WIRE_LEN_A) */
    if (kind == DD__TAG_META) s->n_meta++;
    else s->n_metrics++;
    s->tag_room -= (uint32_t)(klen + vlen);
    s->key_bits |= bit;
    n->next = s->tags;
    s->tags = n;
    return 1;
}
/* A DD__TAG_REF tag given a value by a copying setter where a copied tag would be replaced in
 * place: a copied tag of the same capacity and header room takes its place in the list (after
 * it; g is dead), so that the tags' order is the copy's. */
DD__PRIVATE DD__T_COLD void dd__tag_unref(dd_span *s, dd__tag *g, int kind, const char *k, size_t klen,
                                          const char *v, size_t vlen, size_t vhdr) {
    size_t off = DD__TAG_OFF(g) + DD__TAG_VHDR(g) - vhdr;
    dd__tag *n = dd__tag_alloc(s, off + DD__TAG_KHDR(g) + klen + vhdr + DD__TAG_VCAP(g), kind, klen, vlen,
                               DD__TAG_VCAP(g), DD__TAG_KHDR(g), vhdr);
    dd__tag_kill(s, g);
    if (!n) {
        dd__count_tag_drop(s);
        return;
    }
    n->off = (uint8_t)off; /* not DD__TAG_ASCII: checked by the encoder, as a replaced value */
    dd__str_hdr(DD__TAG_WIRE(n), klen);
    memcpy(DD__TAG_KEY_W(n), k, klen);
    dd__tag_put_value(DD__TAG_VAL_W(n) - vhdr, kind, v, vlen);
    if (kind == DD__TAG_META) s->n_meta++;
    else s->n_metrics++;
    s->tag_room -= (uint32_t)(klen + vlen);
    n->next = g->next;
    g->next = n;
}
/* A key set again (g is its live tag): the new value in g's storage when it fits, else in new
 * storage of at least twice the old capacity, so that replacing a value any number of times takes
 * at most about twice its largest length. A value over max_tag_bytes removes the key (counted in
 * tags_dropped) rather than leave an older value to be sent. */
DD__PRIVATE DD__T_COLD void dd__tag_set_again(dd_span *s, dd__tag *g, int kind, const char *k, size_t klen,
                                              const char *v, size_t vlen, size_t vhdr, uint64_t bit) {
    size_t room = (uint32_t)(s->tag_room + DD__TAG_KLEN(g) + DD__TAG_VLEN(g)), cap; /* with g's bytes back */
    if (klen + vlen > room) {
        dd__tag_kill(s, g);
        dd__count_tag_drop(s);
        return;
    }
    if (vlen <= DD__TAG_VCAP(g) && vhdr <= DD__TAG_OFF(g) + DD__TAG_VHDR(g)) {
        if (g->off & DD__TAG_REF) dd__tag_unref(s, g, kind, k, klen, v, vlen, vhdr);
        else dd__tag_replace(s, g, kind, v, vlen, vhdr);
        return;
    }
    cap = DD__TAG_VCAP(g) * 2 > vlen ? DD__TAG_VCAP(g) * 2 : vlen; /* room for the next growth */
    if (cap > room - klen) cap = room - klen;
    dd__tag_kill(s, g);
    if (!dd__tag_new(s, kind, k, klen, v, vlen, vhdr, cap, bit)) dd__count_tag_drop(s);
}
/* Sets meta (kind META, value v/vlen) or a metric (kind METRIC, num); a key set again is replaced
 * (dd__tag_set_again). tag_room counts live tags only. The general case: dd__span_put and the
 * public setters try dd__span_put_fast first. */
DD__PRIVATE DD__T_COLD void dd__span_put_any(dd_span *s, int kind, const char *k, size_t klen, const char *v,
                                             size_t vlen, double num) {
    dd__tag *g;
    uint64_t bit;
    size_t vhdr;
    if (s->finished) return; /* a finished span no longer changes */
    if (!klen) {
        dd__count_tag_drop(s);
        return;
    }
    if (kind != DD__TAG_META) {
        v = (const char *)&num;
        vlen = sizeof num;
    } else if (!v) {
        v = "", vlen = 0;
    }
    vhdr = kind == DD__TAG_META ? dd__str_hdr_len(vlen) : 1; /* a metric: 0xcb */
    bit = dd__key_bit(k, klen);
    g = dd__span_find_bit(s, k, klen, bit);
    if (g) {
        dd__tag_set_again(s, g, kind, k, klen, v, vlen, vhdr, bit);
        return;
    }
    if (klen + vlen > s->tag_room || !dd__tag_new(s, kind, k, klen, v, vlen, vhdr, vlen, bit))
        dd__count_tag_drop(s);
}
/* The common case of the public setters, inlined in them: a key of 1 to 31 bytes never set on this
 * span (its key bit is clear: no lookup, else a look through the tags) and a value of at most 247 bytes (meta; a metric is
 * vlen 8, v NULL and num). Writes the tag dd__tag_new would (a fixstr key, a fixstr or str8 value);
 * 0 (nothing written) sends the call to dd__span_put_any. */
DD__PRIVATE DD__T_HOT int dd__span_put_fast(dd_span *s, int kind, const char *k, size_t klen, const char *v,
                                            size_t vlen, double num) {
    /* the span's fields in locals: the byte stores below could alias them */
    uint64_t bits = s->key_bits, bit;
    uint32_t room = s->tag_room;
    dd__tag *g, *head = s->tags;
    char *cur = s->u.o.cur; /* (not the span's area once finished: not used then) */
    uint32_t left = s->u.o.left;
    size_t vhdr = 1 + (vlen >= 32), need; /* (a metric's vlen: 8) */
    unsigned char *w;
    uint64_t acc;
    if (((klen - 1) | (vlen >> 3)) >= 31 || s->finished) return 0; /* klen 1..31, vlen up to 247 */
    bit = dd__key_bit_nz(k, klen); /* the encoder's filter of the tracer's own keys uses it too */
    if (bits & bit) { /* maybe set before (or a key sharing its bit): look */
        for (g = head; g; g = g->next) {
            if (DD__TAG_KLEN_IS(g, klen) && g->kind != DD__TAG_DEAD && memcmp(DD__TAG_KEY(g), k, klen) == 0) {
                if (kind != DD__TAG_META) v = (const char *)&num;
                dd__tag_set_again(s, g, kind, k, klen, v, vlen, vhdr, bit);
                return 1;
            }
        }
    }
    if (klen + vlen > room) return 0;
    need = (DD__TAG_HDR + 1 + klen + vhdr + vlen + 7) & ~(size_t)7; /* a metric: 0xcb + 8 bytes */
    if (left >= need) {
        g = (dd__tag *)cur;
        s->u.o.cur = cur + need;
        s->u.o.left = left - (uint32_t)need;
    } else if ((g = (dd__tag *)dd__span_refill(s, need)) == NULL) {
        return 0;
    }
    s->tag_room = room - (uint32_t)(klen + vlen);
    s->key_bits = bits | bit;
    s->tags = g;
    if (kind == DD__TAG_META) s->n_meta++;
    else s->n_metrics++;
    g->next = head;
    g->w16 = (uint16_t)(1 + klen + vhdr + vlen);
    g->c16 = (uint16_t)vlen;
    g->k8 = (uint8_t)klen;
    g->kind = (uint8_t)kind;
    g->hd = (uint8_t)(1 | vhdr << 3);
    w = (unsigned char *)g + DD__TAG_HDR;
    w[0] = (unsigned char)(0xa0 | klen);
    acc = dd__t_copy_or((char *)w + 1, k, klen);
    w += 1 + klen;
    if (kind == DD__TAG_META) {
        if (vlen < 32) {
            w[0] = (unsigned char)(0xa0 | vlen);
        } else {
            w[0] = 0xd9;
            w[1] = (unsigned char)vlen;
        }
        acc |= dd__t_copy_or((char *)w + vhdr, v, vlen);
    } else {
        dd__tag_put_value((char *)w, DD__TAG_METRIC, (const char *)&num, 8);
    }
    g->off = (acc & DD__T_NOT_ASCII) ? 0 : DD__TAG_ASCII;
    return 1;
}
/* dd__span_put_any, new short keys first (the tracer's own tags: HTTP, errors, Lambda). */
DD__PRIVATE void dd__span_put(dd_span *s, int kind, const char *k, size_t klen, const char *v, size_t vlen,
                              double num) {
    if (kind == DD__TAG_META ? v != NULL && dd__span_put_fast(s, kind, k, klen, v, vlen, 0)
                             : dd__span_put_fast(s, kind, k, klen, NULL, 8, num))
        return;
    dd__span_put_any(s, kind, k, klen, v, vlen, num);
}

/* The value of a DD__TAG_REF tag: the caller's string (meta), or the float64's big-endian bytes. */
DD__PRIVATE DD__T_HOT void dd__tag_ref_value(dd__tag *g, int kind, const char *v, size_t vlen, double num) {
    char *p = (char *)g + DD__TAG_HDR + 8;
    if (kind == DD__TAG_META) {
        memcpy(p, &v, sizeof v);
        DD__TAG_SET_VHDR(g, dd__str_hdr_len(vlen));
    } else {
        char b[9];
        dd__tag_put_value(b, DD__TAG_METRIC, (const char *)&num, 8);
        memcpy(p, b + 1, 8);
        DD__TAG_SET_VHDR(g, 1); /* 0xcb */
        vlen = 8;
    }
    g->kind = (uint8_t)kind;
    dd__tag_set_vlen(g, vlen);
}
/* The common case of the _static setters, inlined in them: a key not set on this span (its key
 * bit clear: no lookup, else a look through the tags) and a value (meta: not NULL) within the
 * limit; the DD__TAG_REF tag dd__span_put_ref would append. 0 (nothing written) sends the call
 * to dd__span_put_ref. */
DD__PRIVATE DD__T_HOT int dd__span_put_ref_fast(dd_span *s, int kind, const char *k, size_t klen, const char *v,
                                                size_t vlen, double num) {
    uint64_t bit;
    uint32_t room = s->tag_room;
    size_t vhdr;
    dd__tag *g;
    /* a key of 1 to 31 bytes (a fixstr), a value up to 63,487 (not DD__TAG_BIG) */
    if (((klen - 1) | (vlen >> 11)) >= 31 || s->finished || klen + vlen > room) return 0;
    bit = dd__key_bit_nz(k, klen);
    if ((s->key_bits & bit) && dd__span_find_bit(s, k, klen, bit)) return 0; /* set before */
    if (s->u.o.left >= DD__TAG_REF_BYTES) {
        g = (dd__tag *)s->u.o.cur;
        s->u.o.cur += DD__TAG_REF_BYTES;
        s->u.o.left -= (uint32_t)DD__TAG_REF_BYTES;
    } else if ((g = (dd__tag *)dd__span_refill_ref(s)) == NULL) {
        return 0;
    }
    memcpy((char *)g + DD__TAG_HDR, &k, sizeof k);
    g->next = s->tags;
    if (kind == DD__TAG_META) { /* as dd__tag_ref_value, the header's lengths known small */
        vhdr = dd__str_hdr_len(vlen);
        memcpy((char *)g + DD__TAG_HDR + 8, &v, sizeof v);
    } else {
        char b[9];
        dd__tag_put_value(b, DD__TAG_METRIC, (const char *)&num, 8);
        memcpy((char *)g + DD__TAG_HDR + 8, b + 1, 8);
        vhdr = 1; /* 0xcb */
    }
    g->w16 = (uint16_t)(1 + klen + vhdr + vlen); /* (a metric's vlen: 8) */
    g->c16 = (uint16_t)vlen;
    g->k8 = (uint8_t)klen;
    g->kind = (uint8_t)kind;
    g->hd = (uint8_t)(1 | vhdr << 3);
    g->off = DD__TAG_REF;
    s->tags = g;
    s->key_bits |= bit;
    s->tag_room = room - (uint32_t)(klen + vlen);
    if (kind == DD__TAG_META) s->n_meta++;
    else s->n_metrics++;
    return 1;
}
/* The _static setters: meta (kind META, v/vlen) or a metric (kind METRIC, num) whose key and value
 * the caller keeps valid and unchanged until the span's trace is encoded (dd_trace.h, "Strings
 * the caller keeps"), held by pointer in a DD__TAG_REF tag. Everything else is as the copy
 * (dd__span_put_any): the limits and tag_room, and the record's vcap, vhdr and `off` kept as a
 * copied tag's would be, so that a key set again is replaced in place or by a new tag at the head
 * exactly when a copy would be (the tags' order on the wire is the same). A copied tag set again
 * goes the copying way. */
DD__PRIVATE void dd__span_put_ref(dd_span *s, int kind, const char *k, size_t klen, const char *v, size_t vlen,
                                  double num) {
    dd__tag *g, *n;
    uint64_t bit;
    size_t room, vhdr, cap;
    if (s->finished) return;
    if (!klen) {
        dd__count_tag_drop(s);
        return;
    }
    if (kind != DD__TAG_META) vlen = 8;
    else if (!v) v = "", vlen = 0;
    vhdr = kind == DD__TAG_META ? dd__str_hdr_len(vlen) : 1;
    bit = dd__key_bit(k, klen);
    g = dd__span_find_bit(s, k, klen, bit);
    if (g && !(g->off & DD__TAG_REF)) {
        dd__span_put_any(s, kind, k, klen, v, vlen, num);
        return;
    }
    room = (uint32_t)(s->tag_room + (g ? DD__TAG_KLEN(g) + DD__TAG_VLEN(g) : 0)); /* with g's bytes back */
    if (klen + vlen > room) {
        if (g) dd__tag_kill(s, g);
        dd__count_tag_drop(s);
        return;
    }
    cap = vlen;
    if (g && vlen <= DD__TAG_VCAP(g) && vhdr <= DD__TAG_OFF(g) + DD__TAG_VHDR(g)) { /* where a copy is replaced in place */
        g->off = (uint8_t)(DD__TAG_REF | (DD__TAG_OFF(g) + DD__TAG_VHDR(g) - vhdr));
        if (kind != g->kind) {
            if (kind == DD__TAG_META) s->n_meta++, s->n_metrics--;
            else s->n_metrics++, s->n_meta--;
        }
        dd__tag_ref_value(g, kind, v, vlen, num);
        s->tag_room = (uint32_t)(room - klen - vlen);
        return;
    }
    if (g) { /* as dd__tag_set_again: new storage, twice the old capacity */
        cap = DD__TAG_VCAP(g) * 2 > vlen ? DD__TAG_VCAP(g) * 2 : vlen;
        if (cap > room - klen) cap = room - klen;
        dd__tag_kill(s, g);
    }
    if (!(n = dd__tag_alloc(s, DD__TAG_REF_BYTES - DD__TAG_HDR, kind, klen, vlen, cap, dd__str_hdr_len(klen),
                            vhdr))) {
        dd__count_tag_drop(s);
        return;
    }
    memcpy((char *)n + DD__TAG_HDR, &k, sizeof k);
    n->off = DD__TAG_REF;
    if (kind == DD__TAG_META) s->n_meta++;
    else s->n_metrics++;
    s->key_bits |= bit;
    n->next = s->tags;
    s->tags = n;
    dd__tag_ref_value(n, kind, v, vlen, num);
    s->tag_room = (uint32_t)(s->tag_room - klen - vlen);
}

/*--- configuration ---*/
/* DD_* parsing helpers (dd__env_ctx reads through getenv_fn); only during dd_tracer_new. */
/* 1 on, 0 off, -1 invalid: "true"/"1"/"yes"/"on" and "false"/"0"/"no"/"off", any case. */
DD__PRIVATE int dd__t_parse_bool(const char *v) {
    if (dd__t_ieq(v, "true") || dd__t_ieq(v, "1") || dd__t_ieq(v, "yes") || dd__t_ieq(v, "on")) return 1;
    if (dd__t_ieq(v, "false") || dd__t_ieq(v, "0") || dd__t_ieq(v, "no") || dd__t_ieq(v, "off")) return 0;
    return -1;
}
/* A decimal in [1, max], surrounding spaces allowed; -1 when invalid. */
DD__PRIVATE int64_t dd__t_parse_count(const char *v, int64_t max) {
    int64_t x = 0;
    int digits = 0;
    while (dd__t_is_space((unsigned char)*v)) v++;
    while (*v >= '0' && *v <= '9') {
        x = x * 10 + (*v++ - '0');
        digits++;
        if (x > max) return -1;
    }
    while (dd__t_is_space((unsigned char)*v)) v++;
    if (!digits || *v || x < 1) return -1;
    return x;
}

typedef struct dd__env_ctx {
    const dd_tracer *t;
    const char *(*getenv_fn)(void *user, const char *name);
} dd__env_ctx;
DD__PRIVATE const char *dd__t_env(const dd__env_ctx *e, const char *name) {
    const char *v = e->getenv_fn(e->t->getenv_user, name);
    return v && *v ? v : NULL;
}
/* For readers that take one user pointer for both getenv and log (the propagation config). */
DD__PRIVATE const char *dd__env_tramp(void *u, const char *name) {
    const dd__env_ctx *e = (const dd__env_ctx *)u;
    return e->getenv_fn(e->t->getenv_user, name);
}
DD__PRIVATE void dd__log_tramp(void *u, int level, const char *msg, size_t len) {
    dd__tlog(((const dd__env_ctx *)u)->t, level, msg, len);
}
DD__PRIVATE void dd__tlog_invalid(const dd_tracer *t, const char *name, const char *value) {
    {
        char buf[200];
        dd__tsb sb;
        dd__tsb_init(&sb, buf, sizeof buf);
        dd__tsb_str(&sb, "invalid value for ");
        dd__tsb_str(&sb, name);
        dd__tsb_str(&sb, ": \"");
        dd__tsb_str(&sb, value);
        dd__tsb_str(&sb, "\"; the default is kept");
        dd__tlog(t, DD_LOG_ERROR, buf, sb.n);
    }
}
/* Tri-state: code (DD_ON/DD_OFF) beats the environment, which beats the default. */
DD__PRIVATE int dd__resolve_flag(const dd__env_ctx *e, int code, const char *name, int def) {
    const char *v;
    if (code == DD_ON) return 1;
    if (code == DD_OFF) return 0;
    v = dd__t_env(e, name);
    if (v) {
        int b = dd__t_parse_bool(v);
        if (b >= 0) return b;
        dd__tlog_invalid(e->t, name, v);
    }
    return def;
}

/*--- container id, global tags, runtime id ---*/
/* The cgroup file (read once in dd_tracer_new), DD_TAGS, the runtime-id; dd__check_fork under
 * lock. */
/* Reads up to cap-1 bytes of a file (only in dd_tracer_new). Returns the length, 0 on failure. */
DD__PRIVATE size_t dd__t_read_file(const char *path, char *buf, size_t cap) {
#if DD__HAVE_POSIX
    size_t n = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    return n;
#else
    (void)path;
    (void)cap;
    buf[0] = 0;
    return 0;
#endif
}
DD__PRIVATE int dd__t_is_hex(int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
DD__PRIVATE int dd__t_all_hex(const char *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (!dd__t_is_hex((unsigned char)p[i])) return 0;
    return 1;
}
/* A container id in one cgroup path component, as dd-trace-cpp and dd-trace-go recognise it:
 * 64 hex digits, a UUID, or an ECS task id "<32 hex>-<digits>", optionally prefixed by the
 * runtime ("docker-", "crio-", "cri-containerd-", "libpod-") and suffixed ".scope". */
DD__PRIVATE int dd__container_id_in(const char *p, size_t n, const char **id, size_t *idn) {
    static const char *const prefixes[] = {"docker-", "crio-", "cri-containerd-", "libpod-"};
    size_t i;
    if (n > 6 && memcmp(p + n - 6, ".scope", 6) == 0) n -= 6;
    for (i = 0; i < 4; i++) {
        size_t pl = strlen(prefixes[i]);
        if (n > pl && memcmp(p, prefixes[i], pl) == 0) {
            p += pl;
            n -= pl;
            break;
        }
    }
    if (n == 64 && dd__t_all_hex(p, 64)) goto found;
    if (n == 36 && p[8] == '-' && p[13] == '-' && p[18] == '-' && p[23] == '-' && dd__t_all_hex(p, 8)
        && dd__t_all_hex(p + 9, 4) && dd__t_all_hex(p + 14, 4) && dd__t_all_hex(p + 19, 4) && dd__t_all_hex(p + 24, 12))
        goto found;
    if (n > 33 && p[32] == '-' && dd__t_all_hex(p, 32)) {
        for (i = 33; i < n; i++)
            if (p[i] < '0' || p[i] > '9') return 0;
        goto found;
    }
    return 0;
found:
    *id = p;
    *idn = n;
    return 1;
}
/* The container id from the text of /proc/self/cgroup: lines "hierarchy:controllers:path",
 * the last path component. */
DD__PRIVATE int dd__parse_cgroup(const char *text, size_t len, const char **id, size_t *idn) {
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = (const char *)memchr(p, '\n', (size_t)(end - p)), *c1, *c2, *slash;
        if (!eol) eol = end;
        c1 = (const char *)memchr(p, ':', (size_t)(eol - p));
        c2 = c1 ? (const char *)memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
        if (c2) {
            slash = eol;
            while (slash > c2 && slash[-1] != '/') slash--;
            if (slash > c2 && dd__container_id_in(slash, (size_t)(eol - slash), id, idn)) return 1;
        }
        p = eol + 1;
    }
    return 0;
}

/* The one line that sums up the DD_TAGS items ignored (however many: no flood at start-up):
 * "DD_TAGS: N items ignored (M without key:value, first: "..."; K over the limit of 64 tags,
 * first: "...")". */
DD__PRIVATE void dd__tags_summary(const dd_tracer *t, size_t bad, const char *bad1, size_t bad1n, size_t over,
                                  const char *over1, size_t over1n) {
    char buf[400], num[24];
    dd__tsb sb;
    if (!bad && !over) return;
    dd__tsb_init(&sb, buf, sizeof buf);
    dd__tsb_str(&sb, "DD_TAGS: ");
    dd__t_u64_dec((uint64_t)(bad + over), num);
    dd__tsb_str(&sb, num);
    dd__tsb_str(&sb, bad + over == 1 ? " item ignored (" : " items ignored (");
    if (bad) {
        dd__t_u64_dec((uint64_t)bad, num);
        dd__tsb_str(&sb, num);
        dd__tsb_str(&sb, " without key:value, first: \"");
        dd__tsb_add(&sb, bad1, bad1n > 64 ? 64 : bad1n);
        dd__tsb_str(&sb, over ? "\"; " : "\"");
    }
    if (over) {
        dd__t_u64_dec((uint64_t)over, num);
        dd__tsb_str(&sb, num);
        dd__tsb_str(&sb, " over the limit of 64 tags, first: \"");
        dd__tsb_add(&sb, over1, over1n > 64 ? 64 : over1n);
        dd__tsb_str(&sb, "\"");
    }
    dd__tsb_str(&sb, ")");
    dd__tlog(t, DD_LOG_ERROR, buf, sb.n);
}
/* DD_TAGS: "k:v,k:v" or, without commas, "k:v k:v"; an item without ':' or with an empty key
 * is skipped, as are items past DD__MAX_GLOBAL_TAGS (one summary line). Parses in place: the
 * slices point into `s`. */
DD__PRIVATE void dd__parse_tags(dd_tracer *t, char *s, size_t n) {
    size_t i = 0, bad = 0, over = 0, bad1 = 0, bad1n = 0, over1 = 0, over1n = 0;
    int commas = memchr(s, ',', n) != NULL;
    while (i < n) {
        size_t a, b, colon;
        while (i < n && (s[i] == ',' || (!commas && dd__t_is_space((unsigned char)s[i])))) i++;
        a = i;
        while (i < n && s[i] != ',' && (commas || !dd__t_is_space((unsigned char)s[i]))) i++;
        b = i;
        while (a < b && dd__t_is_space((unsigned char)s[a])) a++;
        while (b > a && dd__t_is_space((unsigned char)s[b - 1])) b--;
        if (a == b) continue;
        for (colon = a; colon < b && s[colon] != ':'; colon++) {
        }
        if (colon == b || colon == a) {
            if (!bad++) bad1 = a, bad1n = b - a;
            continue;
        }
        if (t->n_global_tags >= DD__MAX_GLOBAL_TAGS) {
            if (!over++) over1 = a, over1n = b - a;
            continue;
        }
        {
            size_t ke = colon, vs = colon + 1;
            while (ke > a && dd__t_is_space((unsigned char)s[ke - 1])) ke--;
            while (vs < b && dd__t_is_space((unsigned char)s[vs])) vs++;
            t->global_tags[t->n_global_tags].k.p = s + a;
            t->global_tags[t->n_global_tags].k.n = (uint32_t)(ke - a);
            t->global_tags[t->n_global_tags].v.p = s + vs;
            t->global_tags[t->n_global_tags].v.n = (uint32_t)(b - vs);
            t->n_global_tags++;
        }
    }
    dd__tags_summary(t, bad, s + bad1, bad1n, over, s + over1, over1n);
}

DD__PRIVATE void dd__runtime_id(dd_tracer *t) {
    static const char hx[] = "0123456789abcdef";
    uint64_t a = dd__rng_next(), b = dd__rng_next(); /* never the test hook: unique per process */
    int i, o = 0;
    /* UUID version 4: 8-4-4-4-12, version nibble 4, variant bits 10 */
    a = (a & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
    b = (b & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
    for (i = 0; i < 32; i++) {
        uint64_t w = i < 16 ? a : b;
        int shift = 60 - 4 * (i & 15);
        if (i == 8 || i == 12 || i == 16 || i == 20) t->runtime_id[o++] = '-';
        t->runtime_id[o++] = hx[(w >> shift) & 15];
    }
    t->runtime_id[o] = 0;
}
/* pid and runtime-id are per process: refreshed after fork (under lock). */
DD__PRIVATE void dd__check_fork(dd_tracer *t) {
    if (t->fork_generation != dd__fork_generation) {
        t->fork_generation = dd__fork_generation;
        t->pid = (int64_t)getpid();
        dd__runtime_id(t);
    }
}

/*--- propagation configuration: code beats the environment (docs/propagation.md §2) ---*/
/* Owns t->prop: styles and baggage settings from code, else the environment; in dd_tracer_new. */
DD__PRIVATE void dd__code_styles(dd_tracer *t, const char *name, const char *v, int *styles, int *n) {
    int tmp[DD_STYLES_MAX], tn = 0, i;
    if (!v) return;
    if (dd_propagation_parse_styles(v, strlen(v), tmp, &tn) != DD_OK) dd__tlog_invalid(t, name, v);
    if (tn == 0) return;
    for (i = 0; i < tn; i++) styles[i] = tmp[i];
    *n = tn;
}
/* DD_TRACE_BAGGAGE_TAG_KEYS (docs/http.md §1.5 R-BT-1): comma-separated, entries trimmed, empty
 * ones ignored, "*" = every key. */
DD__PRIVATE void dd__bag_tag_keys(dd_tracer *t, const char *v) {
    size_t used = 0;
    t->bag_all = 0;
    t->n_bag_keys = 0;
    while (v && *v) {
        const char *e = strchr(v, ','), *k = v;
        size_t n = e ? (size_t)(e - v) : strlen(v);
        v = e ? e + 1 : NULL;
        while (n && dd__t_is_space((unsigned char)*k)) k++, n--;
        while (n && dd__t_is_space((unsigned char)k[n - 1])) n--;
        if (!n) continue;
        if (n == 1 && k[0] == '*') {
            t->bag_all = 1;
            continue;
        }
        if (t->n_bag_keys >= DD__BAG_KEYS_MAX || used + n + 1 > sizeof t->bag_keys) {
            dd__tlogs(t, DD_LOG_WARN, "DD_TRACE_BAGGAGE_TAG_KEYS: too many keys, the rest are ignored");
            break;
        }
        memcpy(t->bag_keys + used, k, n);
        t->bag_keys[used + n] = 0;
        t->bag_key_off[t->n_bag_keys] = (uint16_t)used;
        t->bag_key_len[t->n_bag_keys++] = (uint16_t)n;
        used += n + 1;
    }
}
DD__PRIVATE void dd__tracer_propagation(dd_tracer *t, const dd_tracer_config *cfg, const dd__env_ctx *e) {
    dd_propagation_config *p = &t->prop;
    const char *v;
    dd_propagation_config_default(p);
    dd_propagation_config_from_env(p, dd__env_tramp, (void *)e, t->log_fn ? dd__log_tramp : NULL);
    /* a direction's own field, else the common one: each beats every variable */
    dd__code_styles(t, "propagation_style", cfg->propagation_style, p->extract_styles, &p->n_extract);
    dd__code_styles(t, "propagation_style", cfg->propagation_style, p->inject_styles, &p->n_inject);
    dd__code_styles(t, "propagation_style_extract", cfg->propagation_style_extract, p->extract_styles,
                    &p->n_extract);
    dd__code_styles(t, "propagation_style_inject", cfg->propagation_style_inject, p->inject_styles, &p->n_inject);
    if ((v = cfg->propagation_behavior_extract) != NULL) {
        if (dd__t_ieq(v, "continue")) p->extract_behavior = DD_EXTRACT_CONTINUE;
        else if (dd__t_ieq(v, "restart")) p->extract_behavior = DD_EXTRACT_RESTART;
        else if (dd__t_ieq(v, "ignore")) p->extract_behavior = DD_EXTRACT_IGNORE;
        else dd__tlog_invalid(t, "propagation_behavior_extract", v);
    }
    if (cfg->baggage_max_items > 0) p->baggage_max_items = cfg->baggage_max_items;
    if (cfg->baggage_max_bytes > 0) p->baggage_max_bytes = cfg->baggage_max_bytes;
    if (cfg->baggage_max_items < 0 || cfg->baggage_max_bytes < 0) { /* no baggage style either way */
        int d, j, k;
        for (d = 0; d < 2; d++) {
            int *st = d ? p->inject_styles : p->extract_styles, *n = d ? &p->n_inject : &p->n_extract;
            for (j = k = 0; j < *n; j++)
                if (st[j] != DD_STYLE_BAGGAGE) st[k++] = st[j];
            if (!k) st[k++] = DD_STYLE_NONE;
            *n = k;
        }
    }
    /* set but empty: no tags (R-BT-1), so the variable is read raw */
    v = cfg->baggage_tag_keys;
    if (!v) v = e->getenv_fn(t->getenv_user, "DD_TRACE_BAGGAGE_TAG_KEYS");
    if (!v) v = "user.id,session.id,account.id";
    dd__bag_tag_keys(t, v);
}

DD__PRIVATE void dd__tracer_http(dd_tracer *t, const dd_tracer_config *cfg, const dd__env_ctx *e);
/*--- tracer creation ---*/
/* The startup log, the lock and condition, the delivery mode; all in dd_tracer_new. */
DD__PRIVATE void dd__startup_log(dd_tracer *t) {
    char buf[1536];
    dd__tsb sb;
    char num[24];
    size_t i;
    dd__tsb_init(&sb, buf, sizeof buf);
    dd__tsb_str(&sb, "DATADOG TRACER CONFIGURATION - {\"version\":");
    dd__tsb_json_str(&sb, DDTRACE_VERSION_STRING, strlen(DDTRACE_VERSION_STRING));
    dd__tsb_str(&sb, ",\"lang\":");
    dd__tsb_json_str(&sb, t->language.p, t->language.n);
    dd__tsb_str(&sb, ",\"lang_version\":");
    dd__tsb_json_str(&sb, t->language_version.p, t->language_version.n);
    dd__tsb_str(&sb, ",\"service\":");
    dd__tsb_json_str(&sb, t->service.p, t->service.n);
    dd__tsb_str(&sb, ",\"env\":");
    dd__tsb_json_str(&sb, t->env.p, t->env.n);
    dd__tsb_str(&sb, ",\"dd_version\":");
    dd__tsb_json_str(&sb, t->version.p, t->version.n);
    dd__tsb_str(&sb, ",\"enabled\":");
    dd__tsb_str(&sb, t->enabled ? "true" : "false");
    dd__tsb_str(&sb, ",\"trace_128_bit_generation_enabled\":");
    dd__tsb_str(&sb, t->trace_id_128 ? "true" : "false");
    dd__tsb_str(&sb, ",\"partial_flush_enabled\":");
    dd__tsb_str(&sb, t->partial_flush ? "true" : "false");
    dd__tsb_str(&sb, ",\"partial_flush_min_spans\":");
    dd__tsb_u64(&sb, t->partial_flush_min_spans);
    dd__tsb_str(&sb, ",\"report_hostname\":");
    dd__tsb_str(&sb, t->report_hostname ? "true" : "false");
    dd__tsb_str(&sb, ",\"debug\":");
    dd__tsb_str(&sb, t->debug ? "true" : "false");
    dd__tsb_str(&sb, ",\"tags\":{");
    for (i = 0; i < t->n_global_tags; i++) {
        if (i) dd__tsb_str(&sb, ",");
        dd__tsb_json_str(&sb, t->global_tags[i].k.p, t->global_tags[i].k.n);
        dd__tsb_str(&sb, ":");
        dd__tsb_json_str(&sb, t->global_tags[i].v.p, t->global_tags[i].v.n);
    }
    dd__tsb_str(&sb, "},\"flush_interval_ms\":");
    dd__tsb_i64(&sb, t->flush_interval_ns < 0 ? -1 : t->flush_interval_ns / 1000000);
    dd__tsb_str(&sb, ",\"delivery\":");
    dd__tsb_str(&sb, t->delivery == DD_DELIVERY_BACKGROUND ? "\"background\""
                     : t->delivery == DD_DELIVERY_SYNC ? "\"sync\"" : "\"manual\"");
    dd__tsb_str(&sb, ",\"agent_timeout_ms\":");
    dd__tsb_i64(&sb, t->request_timeout_ms);
    dd__tsb_str(&sb, ",\"max_request_bytes\":");
    dd__tsb_u64(&sb, t->max_request_bytes);
    dd__tsb_str(&sb, ",\"container_id\":");
    dd__tsb_json_str(&sb, t->container_id.p, t->container_id.n);
    dd__tsb_str(&sb, ",\"runtime_id\":");
    dd__tsb_json_str(&sb, t->runtime_id, strlen(t->runtime_id));
    dd__tsb_str(&sb, ",\"transport\":");
    dd__tsb_str(&sb, t->transport_fn ? "true" : "false");
    dd__tsb_str(&sb, ",\"pid\":");
    dd__t_u64_dec((uint64_t)t->pid, num);
    dd__tsb_str(&sb, num);
    dd__tsb_str(&sb, "}");
    dd__tlog(t, DD_LOG_INFO, buf, sb.n);
}

DD__PRIVATE void dd__register(dd_tracer *t);
/* The worker's waits are deadlines on the monotonic clock: a wall-clock step must not stretch or
 * cut them. */
DD__PRIVATE void dd__cond_init(dd_tracer *t) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
#if DD__HAVE_POSIX && !defined(__APPLE__)
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
#endif
    pthread_cond_init(&t->cond, &ca);
    pthread_condattr_destroy(&ca);
}
DD__PRIVATE int64_t dd__now(void);

/* Delivery settings: mode, deadlines and the logging interval. */
DD__PRIVATE void dd__resolve_delivery(dd_tracer *t, const dd__env_ctx *e, const dd_tracer_config *cfg) {
    const char *v;
    int64_t n;
    t->transport_user = cfg->transport_user ? cfg->transport_user : cfg->hook_user;
    t->transport_free_fn = cfg->transport_free_fn;
    if (cfg->delivery >= DD_DELIVERY_BACKGROUND && cfg->delivery <= DD_DELIVERY_MANUAL) t->delivery = cfg->delivery;
    else if (cfg->background_flush == DD_ON) t->delivery = DD_DELIVERY_BACKGROUND;
    else if (cfg->background_flush == DD_OFF) t->delivery = DD_DELIVERY_SYNC;
    else if (dd__t_env(e, "AWS_LAMBDA_FUNCTION_NAME")) t->delivery = DD_DELIVERY_MANUAL; /* flushed per invocation */
    else t->delivery = DD_DELIVERY_BACKGROUND;
    t->request_timeout_ms = DD_DEFAULT_REQUEST_TIMEOUT_MS;
    if (cfg->request_timeout_ms > 0) {
        t->request_timeout_ms = cfg->request_timeout_ms;
    } else if ((v = dd__t_env(e, "DD_TRACE_AGENT_TIMEOUT")) != NULL) {
        if ((n = dd__t_parse_count(v, 86400)) > 0) t->request_timeout_ms = n * 1000;
        else dd__tlog_invalid(t, "DD_TRACE_AGENT_TIMEOUT", v);
    }
    t->shutdown_ns = cfg->shutdown_timeout_ms < 0 ? -1
                     : (cfg->shutdown_timeout_ms ? cfg->shutdown_timeout_ms : DD_DEFAULT_SHUTDOWN_TIMEOUT_MS) * 1000000;
    t->flush_timeout_ns = t->shutdown_ns > 0 ? t->shutdown_ns : DD_DEFAULT_SHUTDOWN_TIMEOUT_MS * INT64_C(1000000);
    if (t->flush_timeout_ns < t->request_timeout_ms * 1000000) t->flush_timeout_ns = t->request_timeout_ms * 1000000;
    t->log_rate_ns = INT64_C(60000000000);
    if ((v = dd__t_env(e, "DD_TRACE_LOGGING_RATE")) != NULL) {
        if ((n = strcmp(v, "0") == 0 ? 0 : dd__t_parse_count(v, 86400)) >= 0) t->log_rate_ns = n * INT64_C(1000000000);
        else dd__tlog_invalid(t, "DD_TRACE_LOGGING_RATE", v);
    }
}

/*--- dd_tracer_new ---*/
/* Allocates the tracer with its allocator, reads the environment (getenv_fn), creates the sampler;
 * nothing is shared before it returns. */
/* The resolved strings, gathered before one allocation holds them all. */
typedef struct dd__strsrc {
    const char *p;
    size_t n;
} dd__strsrc;

DD_API void dd_tracer_config_init(dd_tracer_config *cfg) {
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->size = sizeof *cfg;
}

DD_API dd_tracer *dd_tracer_new(const dd_tracer_config *cfg_in) {
    dd_tracer_config zero;
    const dd_tracer_config *cfg = cfg_in;
    dd_tracer *t;
    dd__env_ctx e;
    const char *v;
    dd__strsrc src[8]; /* service env version language language_version hostname container tags */
    size_t fixed[8];
    dd__tstr *dst[7];
    char host[256], comm[64], langver[24];
    char *cg = NULL;
    size_t cg_cap = 65536, total = 0, i;
    const char *cid = NULL;
    size_t cidn = 0;
    int64_t n;
    if (!cfg || (cfg->size && cfg->size < sizeof zero)) { /* an older caller's shorter layout */
        memset(&zero, 0, sizeof zero);
        if (cfg) memcpy(&zero, cfg, cfg->size);
        cfg = &zero;
    }
    t = (dd_tracer *)dd__alloc(&cfg->allocator, sizeof *t);
    if (!t) return NULL;
    memset(t, 0, sizeof *t);
    t->alloc = cfg->allocator;
    t->wall_ns_fn = cfg->wall_ns_fn ? cfg->wall_ns_fn : dd__default_wall_ns;
    t->mono_ns_fn = cfg->mono_ns_fn ? cfg->mono_ns_fn : dd__default_mono_ns;
    t->random_fn = cfg->random_fn;
    t->log_fn = cfg->log_fn ? cfg->log_fn : dd__stderr_log;
    t->transport_fn = cfg->transport_fn;
    t->hook_user = cfg->hook_user;
    t->log_user = cfg->log_user ? cfg->log_user : cfg->hook_user;
    t->clock_user = cfg->clock_user ? cfg->clock_user : cfg->hook_user;
    t->random_user = cfg->random_user ? cfg->random_user : cfg->hook_user;
    t->getenv_user = cfg->getenv_user ? cfg->getenv_user : cfg->hook_user;
    e.t = t;
    e.getenv_fn = cfg->getenv_fn ? cfg->getenv_fn : dd__default_getenv;

    t->debug = dd__resolve_flag(&e, cfg->debug, "DD_TRACE_DEBUG", 0);
    t->enabled = dd__resolve_flag(&e, cfg->enabled, "DD_TRACE_ENABLED", 1);
    t->trace_id_128 = dd__resolve_flag(&e, cfg->trace_id_128, "DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED", 1);
    t->partial_flush = dd__resolve_flag(&e, cfg->partial_flush, "DD_TRACE_PARTIAL_FLUSH_ENABLED", 0);
    t->report_hostname = dd__resolve_flag(&e, cfg->report_hostname, "DD_TRACE_REPORT_HOSTNAME", 0);
    dd__resolve_delivery(t, &e, cfg);
    t->partial_flush_min_spans = DD_DEFAULT_PARTIAL_FLUSH_MIN_SPANS;
    if (cfg->partial_flush_min_spans > 0) {
        t->partial_flush_min_spans = (uint32_t)cfg->partial_flush_min_spans;
    } else if ((v = dd__t_env(&e, "DD_TRACE_PARTIAL_FLUSH_MIN_SPANS")) != NULL) {
        if ((n = dd__t_parse_count(v, 1000000000)) > 0) t->partial_flush_min_spans = (uint32_t)n;
        else dd__tlog_invalid(t, "DD_TRACE_PARTIAL_FLUSH_MIN_SPANS", v);
    }
    t->max_spans_per_segment = cfg->max_spans_per_segment ? cfg->max_spans_per_segment : DD_DEFAULT_MAX_SPANS_PER_SEGMENT;
    t->max_tag_bytes = cfg->max_tag_bytes ? cfg->max_tag_bytes : DD_DEFAULT_MAX_TAG_BYTES;
    t->max_open_segments = cfg->max_open_segments ? cfg->max_open_segments : DD_DEFAULT_MAX_OPEN_SEGMENTS;
    t->max_buffer_bytes = cfg->max_buffer_bytes ? cfg->max_buffer_bytes : DD_DEFAULT_MAX_BUFFER_BYTES;
    t->flush_bytes = cfg->flush_bytes ? cfg->flush_bytes : DD_DEFAULT_FLUSH_BYTES;
    t->max_request_bytes = cfg->max_request_bytes ? cfg->max_request_bytes : DD_DEFAULT_MAX_REQUEST_BYTES;
    if (t->max_request_bytes < 64) t->max_request_bytes = 64;
    t->flush_interval_ns = cfg->flush_interval_ms < 0 ? -1
                           : (cfg->flush_interval_ms ? cfg->flush_interval_ms : DD_DEFAULT_FLUSH_INTERVAL_MS) * 1000000;
    t->send_retries = cfg->send_retries < 0 ? 0 : (cfg->send_retries ? cfg->send_retries : DD_DEFAULT_SEND_RETRIES);

    /* strings: code beats the environment beats the default */
    memset(src, 0, sizeof src);
    src[0].p = cfg->service ? cfg->service : dd__t_env(&e, "DD_SERVICE");
    if (!src[0].p) src[0].p = dd__t_env(&e, "AWS_LAMBDA_FUNCTION_NAME");
    if (!src[0].p) { /* the program name, as dd-trace-cpp's default service */
        size_t cn = dd__t_read_file("/proc/self/comm", comm, sizeof comm);
        while (cn && (comm[cn - 1] == '\n' || comm[cn - 1] == '\r')) comm[--cn] = 0;
        src[0].p = cn ? comm : "unnamed-c-service";
    }
    src[1].p = cfg->env ? cfg->env : dd__t_env(&e, "DD_ENV");
    src[2].p = cfg->version ? cfg->version : dd__t_env(&e, "DD_VERSION");
    src[3].p = cfg->language && *cfg->language ? cfg->language : "c";
    if (cfg->language_version && *cfg->language_version) {
        src[4].p = cfg->language_version;
    } else {
#if defined(__cplusplus)
        dd__t_u64_dec((uint64_t)__cplusplus, langver);
#elif defined(__STDC_VERSION__)
        dd__t_u64_dec((uint64_t)__STDC_VERSION__, langver);
#else
        langver[0] = '1', langver[1] = '9', langver[2] = '8', langver[3] = '9', langver[4] = 0;
#endif
        src[4].p = langver;
    }
    if (t->report_hostname) {
        if (cfg->hostname && *cfg->hostname) {
            src[5].p = cfg->hostname;
        } else {
#if DD__HAVE_POSIX
            host[0] = 0;
            if (gethostname(host, sizeof host - 1) == 0) {
                host[sizeof host - 1] = 0;
                src[5].p = host;
            }
#else
            (void)host;
#endif
        }
    }
    if (!cfg->cgroup_path || *cfg->cgroup_path) {
        cg = (char *)dd__alloc(&t->alloc, cg_cap);
        if (cg) {
            size_t cn = dd__t_read_file(cfg->cgroup_path ? cfg->cgroup_path : "/proc/self/cgroup", cg, cg_cap);
            if (dd__parse_cgroup(cg, cn, &cid, &cidn)) {
                src[6].p = cid;
                src[6].n = cidn;
            }
        }
    }
    src[7].p = cfg->tags ? cfg->tags : dd__t_env(&e, "DD_TAGS");
    for (i = 0; i < 8; i++) {
        if (src[i].p && !src[i].n) src[i].n = strlen(src[i].p);
        /* everything here reaches the wire as msgpack str: repaired to valid UTF-8 */
        fixed[i] = dd__t_utf8_fixed_len((const unsigned char *)src[i].p, src[i].n);
        total += fixed[i] + 1;
    }
    total += src[6].n + 4; /* entity id "ci-<container id>" */
    t->strings = (char *)dd__alloc(&t->alloc, total);
    if (!t->strings) {
        dd__free(&t->alloc, cg, cg_cap);
        dd__free(&t->alloc, t, sizeof *t);
        return NULL;
    }
    t->strings_size = total;
    dst[0] = &t->service, dst[1] = &t->env, dst[2] = &t->version, dst[3] = &t->language;
    dst[4] = &t->language_version, dst[5] = &t->hostname, dst[6] = &t->container_id;
    {
        char *p = t->strings;
        for (i = 0; i < 8; i++) {
            if (src[i].n) dd__t_utf8_fix_copy(p, (const unsigned char *)src[i].p, src[i].n);
            p[fixed[i]] = 0;
            if (i < 7) {
                dst[i]->p = p;
                dst[i]->n = (uint32_t)fixed[i];
            } else {
                dd__parse_tags(t, p, fixed[i]);
            }
            p += fixed[i] + 1;
        }
        t->entity_id.p = p;
        if (src[6].n) {
            memcpy(p, "ci-", 3);
            memcpy(p + 3, src[6].p, src[6].n);
            t->entity_id.n = (uint32_t)(src[6].n + 3);
        }
        p[t->entity_id.n] = 0;
    }
    dd__free(&t->alloc, cg, cg_cap);

    dd__tracer_propagation(t, cfg, &e);
    t->logs_injection = dd__resolve_flag(&e, cfg->logs_injection, "DD_LOGS_INJECTION", 1);
    t->log_128bit = dd__resolve_flag(&e, cfg->log_128bit, "DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED", 1);
    dd__tracer_http(t, cfg, &e);
    if (dd__sampler_init(&t->sampler, &cfg->sampling, e.getenv_fn, t->getenv_user, t->log_fn, t->log_user) != DD_OK) {
        dd__free(&t->alloc, t->strings, t->strings_size);
        dd__free(&t->alloc, t, sizeof *t);
        return NULL;
    }
    pthread_once(&dd__atfork_once, dd__register_atfork);
    t->fork_generation = dd__fork_generation;
    t->pid = (int64_t)getpid();
    dd__runtime_id(t);
    pthread_mutex_init(&t->lock, NULL);
    dd__cond_init(t);
    dd_mp_writer_init_growable(&t->bufs[0].w, &t->alloc, 0);
    dd_mp_writer_init_growable(&t->bufs[1].w, &t->alloc, 0);
    dd_mp_writer_init_growable(&t->enc_lock.w, &t->alloc, 0);
    dd_mp_writer_init_growable(&t->enc_flush.w, &t->alloc, 0);
    t->last_finish_flush_mono = t->mono_ns_fn(t->clock_user);
    t->last_flush_ns = dd__now();
    if (dd__resolve_flag(&e, cfg->stats_computation, "DD_TRACE_STATS_COMPUTATION_ENABLED", 0))
        t->stats = dd__stats_new(t, dd__t_env(&e, "DD_TRACE_STATS_ADDITIONAL_TAGS"));
    dd__register(t);

    if (dd__resolve_flag(&e, cfg->startup_logs, "DD_TRACE_STARTUP_LOGS", 1)) dd__startup_log(t);
#if !DD__HAVE_POSIX
    dd__tlogs(t, DD_LOG_WARN, "the implementation was compiled without _POSIX_C_SOURCE >= 200112L (strict ISO C): "
                              "no program name, container id or host name, and durations from the wall clock; "
                              "compile it with -D_POSIX_C_SOURCE=200809L or -std=gnu99");
#endif
    return t;
}

/*--- ids ---*/
/* Span and trace ids from random_fn or the per-thread generator; no lock. */
DD__PRIVATE uint64_t dd__rand(const dd_tracer *t) { return t->random_fn ? t->random_fn(t->random_user) : dd__rng_next(); }
/* 63-bit, non-zero (dd-trace-cpp and dd-trace-go clear bit 63 for int64 consumers). */
/* dd__new_span_id after a first draw of 0: up to 7 more. */
DD__PRIVATE DD__T_COLD uint64_t dd__new_span_id_again(const dd_tracer *t) {
    int i;
    for (i = 1; i < 8; i++) {
        uint64_t v = dd__rand(t) & UINT64_C(0x7fffffffffffffff);
        if (v) return v;
    }
    return 1;
}
/* A span id: 63 random bits, not 0 (up to 8 draws, else 1). The first draw inlined, from the
 * per-thread generator without a call unless the test hook is set. */
DD__PRIVATE DD__T_HOT uint64_t dd__new_span_id(const dd_tracer *t) {
    uint64_t v = (t->random_fn ? t->random_fn(t->random_user) : dd__rng_next_hot()) & UINT64_C(0x7fffffffffffffff);
    return v ? v : dd__new_span_id_again(t);
}
/* docs/propagation.md R-ID-1/2: 128-bit = (uint32 unix seconds) << 32 : random 64; 64-bit mode
 * clears bit 63. */
DD__PRIVATE void dd__new_trace_id(const dd_tracer *t, int64_t start_ns, dd_trace_id *id) {
    int i;
    id->lo = 0;
    for (i = 0; i < 8 && !id->lo; i++) id->lo = dd__rand(t);
    if (!id->lo) id->lo = 1;
    if (t->trace_id_128) {
        id->hi = (uint64_t)(uint32_t)(start_ns / 1000000000) << 32;
    } else {
        id->hi = 0;
        id->lo &= UINT64_C(0x7fffffffffffffff);
        if (!id->lo) id->lo = 1;
    }
}

/*--- spans ---*/
/* Span creation in a segment's arena: a child takes its segment's lock once, never the
 * tracer's (but to count a drop). */
DD__PRIVATE size_t dd__t_slen(const char *p, size_t n) { return p && !n ? strlen(p) : n; }

/* Names a span field: copies the string into the span's area; bit: the field's DD__SA_*. */
DD__PRIVATE void dd__span_field(dd_span *s, const char **fp, uint32_t *fn, unsigned bit, const char *p, size_t n) {
    if (!p || s->finished) return;
    if (dd__span_copy(s, p, n, fp, fn, bit) != 0) dd__count_tag_drop(s);
}
/* Names a span field with the caller's string, held by pointer (the _static functions): the
 * limits, the tag-bytes count and the ASCII bit exactly as dd__span_field's copy. */
DD__PRIVATE DD__T_HOT void dd__span_field_ref(dd_span *s, const char **fp, uint32_t *fn, unsigned bit, const char *p, size_t n) {
    if (!p || s->finished) return;
    if (n > s->tag_room) {
        dd__count_tag_drop(s);
        return;
    }
    if (!n) p = "";
    DD__SA_SET(s, bit, dd__t_is_ascii(p, n) ? 0 : 0x80);
    s->tag_room -= (uint32_t)n;
    *fp = p;
    *fn = (uint32_t)n;
}
/* The span's own dd__sty to write its service or type in: its record when it owns one no other
 * span shares, else a copy of the one it reads, taken from its area. NULL when memory runs out. */
DD__PRIVATE dd__sty *dd__span_sty_w(dd_span *s) {
    dd__sty *w;
    if (s->own_sty && !s->sty->shared) return s->sty;
    if (!(w = (dd__sty *)(void *)dd__span_room(s, sizeof(dd__sty)))) return NULL;
    *w = *s->sty;
    w->shared = 0;
    s->sty = w;
    s->own_sty = 1;
    return w;
}
/* A span's type (copied). */
DD__PRIVATE void dd__span_type(dd_span *s, const char *p, size_t n) {
    dd__sty *w;
    if (!p || s->finished) return;
    if (!(w = dd__span_sty_w(s))) dd__count_tag_drop(s);
    else dd__span_field(s, &w->type, &w->type_n, DD__SA_TYPE, p, n);
}
/* A span's service, renamed by DD_SERVICE_MAPPING (as dd-trace-py renames every span's). The
 * tracer's own service and a mapping's target are the tracer's strings, which outlive its spans:
 * referenced, not copied (but counted in the span's tag bytes). */
DD__PRIVATE void dd__span_service(dd_span *s, const char *p, size_t n) {
    const dd_tracer *t = s->seg->tracer;
    const dd__map *m = &t->svc_map;
    int i;
    dd__tstr kept;
    unsigned ascii;
    if (!p || s->finished) return;
    if (m->n && (i = dd__map_find(m, p, n)) >= 0) {
        kept.p = m->text + m->off[i] + m->from_len[i];
        kept.n = m->to_len[i];
        ascii = dd__t_is_ascii(kept.p, kept.n) ? DD__SA_SERVICE : 0;
    } else if (n == t->root_service.n && memcmp(p, t->root_service.p, n) == 0) {
        kept = t->root_service;
        ascii = t->root_service_ascii;
    } else {
        dd__sty *w = dd__span_sty_w(s);
        if (!w) dd__count_tag_drop(s);
        else dd__span_field(s, &w->service, &w->service_n, DD__SA_SERVICE, p, n);
        return;
    }
    /* counted in the span's tag bytes as a copy would be, so that the limit drops the same tags */
    if (kept.n > s->tag_room) {
        dd__count_tag_drop(s);
        return;
    }
    if (kept.p != s->sty->service || kept.n != s->sty->service_n) { /* (else nothing to write) */
        dd__sty *w = dd__span_sty_w(s);
        if (!w) {
            dd__count_tag_drop(s);
            return;
        }
        w->service = kept.p;
        w->service_n = kept.n;
    }
    s->tag_room -= kept.n;
    s->ascii = (uint8_t)((s->ascii & ~DD__SA_SERVICE) | ascii);
}

DD__PRIVATE DD__T_HOT void dd__span_common_init(dd_span *s, dd__segment *seg, const dd_span *parent,
                                               int64_t start_ns, const dd_tracer *t, size_t area) {
    /* every field, in order, stored once (cheaper than a memset of the struct and then the
     * fields that do not start at zero; DD__SPAN_FIELDS_CHECK fails the build when the struct
     * changes without this list) */
    s->seg = seg;
    s->parent = parent;
    s->span_id = dd__new_span_id(t);
    s->start_ns = start_ns;
    s->name = s->resource = "";
    s->sty = (dd__sty *)&t->root_sty; /* (never written: `shared`) */
    s->name_n = s->resource_n = 0;
    s->tag_room = t->max_tag_bytes;
    s->n_meta = s->n_metrics = 0;
    s->key_bits = 0;
    s->tags = NULL;
    s->u.o.cur = (char *)s + DD__SPAN_STRUCT; /* the area allocated with the span */
    s->u.o.left = (uint32_t)area;
    s->error = s->measured = s->resource_set = s->pending = s->finished = s->ss_keep = s->has_links = s->own_sty = 0;
    s->ss_rule = 0;
    s->ascii = DD__SA_NAME | DD__SA_SERVICE | DD__SA_RESOURCE | DD__SA_TYPE; /* all "" */
}
/* A new span's name and, when `res` is not NULL, its resource (else the resource is the name):
 * both copied into the span's area in one reservation when they fit (most spans), else field by
 * field (dd__span_field: a new area, or a drop counted). */
DD__PRIVATE DD__T_HOT void dd__span_names(dd_span *s, const char *name, size_t nn, const char *res, size_t rn) {
    size_t a, need;
    if (!name) name = "", nn = 0;
    a = (nn + 7) & ~(size_t)7;
    need = a + (res ? (rn + 7) & ~(size_t)7 : 0);
    if (need <= s->u.o.left && nn + (res ? rn : 0) <= s->tag_room) {
        char *d = s->u.o.cur;
        uint64_t acc, racc;
        s->u.o.cur = d + need;
        s->u.o.left -= (uint32_t)need;
        acc = dd__t_copy_or(d, name, nn);
        s->name = d;
        s->name_n = (uint32_t)nn;
        s->tag_room -= (uint32_t)nn;
        if (!res) {
            DD__SCOPY(s, resource, s, name);
            DD__SA_SET(s, DD__SA_NAME | DD__SA_RESOURCE, acc);
            return;
        }
        racc = dd__t_copy_or(d + a, res, rn);
        if (!((acc | racc) & DD__T_NOT_ASCII)) { /* most spans: one test for both */
            s->ascii |= DD__SA_NAME | DD__SA_RESOURCE;
        } else {
            DD__SA_SET(s, DD__SA_NAME, acc);
            DD__SA_SET(s, DD__SA_RESOURCE, racc);
        }
        s->resource = d + a;
        s->resource_n = (uint32_t)rn;
        s->tag_room -= (uint32_t)rn;
        s->resource_set = 1;
        return;
    }
    dd__span_field(s, DD__SF(s, name), DD__SA_NAME, name, nn);
    DD__SCOPY(s, resource, s, name);
    DD__SA_SET(s, DD__SA_RESOURCE, (s->ascii & DD__SA_NAME) ? 0 : 0x80);
    if (res) {
        dd__span_field(s, DD__SF(s, resource), DD__SA_RESOURCE, res, rn);
        s->resource_set = 1;
    }
}
#define DD__SPAN_ALLOC (DD__SPAN_STRUCT + DD__SPAN_INLINE_BYTES) /* a root's */

/* A child of parent (under its segment's lock); `ref`: the name is the caller's (the _static
 * start), opts NULL. Inlined into its two callers below, each with opts or ref known, so that
 * neither pays for the tests of the other's case. */
DD__PRIVATE DD__T_HOT dd_span *dd__start_child_body(dd_span *parent, const char *name, size_t name_len,
                                                    const dd_span_options *opts, int ref) {
    dd__segment *seg = parent->seg;
    dd_tracer *t = seg->tracer;
    dd_span *s = NULL;
    unsigned drop = DD__DROP_SPAN_LIMIT;
    uint32_t idx = 0;
    int64_t mono = t->mono_ns_fn(t->clock_user);
    /* the span and room for the copies of its name, resource and type (none when held by
     * pointer); what does not fit later takes an area (dd__span_refill) */
    size_t rn = opts && opts->resource ? dd__t_slen(opts->resource, opts->resource_len) : 0;
    size_t tn = opts && opts->type ? dd__t_slen(opts->type, opts->type_len) : 0;
    size_t area = ref ? 0 : ((name_len + 7) & ~(size_t)7) + ((rn + 7) & ~(size_t)7) + ((tn + 7) & ~(size_t)7);
    /* and a dd__sty when the child cannot share its parent's (a type, or a service of its own) */
    dd__sty *psty = parent->sty;
    int own = psty->type_n || (opts && (opts->type || opts->service));
    if (own) area += DD__STY_BYTES;
    dd__spin_lock(&seg->lock);
    if (seg->n_spans < t->max_spans_per_segment) {
        drop = DD__DROP_NO_MEMORY;
        if ((idx = dd__h_seg_take(t, seg)) != 0) {
            s = (dd_span *)dd__seg_bump_locked(t, seg, DD__SPAN_STRUCT + area);
            if (s) {
                seg->n_spans++;
                seg->n_open++;
                __atomic_add_fetch(&t->n_started, 1, __ATOMIC_SEQ_CST); /* before the handle exists */
            } else { /* back to the segment's cache, its generation unchanged */
                dd__h_ref(idx)->next = seg->h_free;
                if (!seg->h_free) seg->h_tail = idx;
                seg->h_free = idx;
            }
        }
    }
    dd__spin_unlock(&seg->lock);
    if (!s) { /* counted under the tracer lock: the only time a child start takes it */
        pthread_mutex_lock(&t->lock);
        t->counters.spans_dropped_limit++;
        drop = dd__drop_first(t, drop);
        pthread_mutex_unlock(&t->lock);
        dd__tlog_drops(t, drop);
        return NULL;
    }
    dd__span_common_init(s, seg, parent, opts && opts->start_ns ? opts->start_ns : seg->wall0 + (mono - seg->mono0), t,
                         area);
    if (!own) { /* the parent's record (the usual case): shared from now on */
        s->sty = psty;
        if (!psty->shared) psty->shared = 1; /* (never written once set: the tracer's is) */
    } else { /* the parent's service without its type, a record of the child's own: the first
              * bytes of its area, reserved above */
        dd__sty *w = (dd__sty *)(void *)s->u.o.cur;
        s->u.o.cur += DD__STY_BYTES;
        s->u.o.left -= (uint32_t)DD__STY_BYTES;
        w->service = psty->service;
        w->service_n = psty->service_n;
        w->type = "";
        w->type_n = w->shared = 0;
        s->sty = w;
        s->own_sty = 1;
    }
    s->ascii = (uint8_t)(DD__SA_NAME | DD__SA_RESOURCE | DD__SA_TYPE | (parent->ascii & DD__SA_SERVICE));
    if (opts) {
        if (opts->span_id) s->span_id = opts->span_id;
        if (opts->service) dd__span_service(s, opts->service, dd__t_slen(opts->service, opts->service_len));
        if (opts->type) dd__span_type(s, opts->type, tn);
    }
    if (ref) {
        dd__span_field_ref(s, DD__SF(s, name), DD__SA_NAME, name ? name : "", name_len);
        DD__SCOPY(s, resource, s, name);
        DD__SA_SET(s, DD__SA_RESOURCE, (s->ascii & DD__SA_NAME) ? 0 : 0x80);
    } else if (opts && opts->resource) {
        dd__span_names(s, name, name_len, opts->resource, rn);
    } else {
        dd__span_names(s, name, name_len, NULL, 0);
    }
    return dd__h_bind(s, idx);
}
/* A child started with options (dd_span_start). */
DD__PRIVATE dd_span *dd__start_child(dd_span *parent, const char *name, size_t name_len, const dd_span_options *opts) {
    return dd__start_child_body(parent, name, name_len, opts, 0);
}
/* A child started with a name only (dd_span_start_child*): copied, or held by pointer (`ref`). */
DD__PRIVATE dd_span *dd__start_child_named(dd_span *parent, const char *name, size_t name_len, int ref) {
    return ref ? dd__start_child_body(parent, name, name_len, NULL, 1) : dd__start_child_body(parent, name, name_len, NULL, 0);
}

/* Copies context text into the new segment's arena (before the segment is shared). */
DD__PRIVATE void dd__seg_text(dd_tracer *t, dd__segment *seg, dd__tstr *out, const char *p, size_t n) {
    char *d;
    out->p = "";
    out->n = 0;
    if (!n) return;
    d = (char *)dd__seg_alloc(t, seg, n);
    if (!d) return;
    memcpy(d, p, n);
    out->p = d;
    out->n = (uint32_t)n;
}
/* The extracted ptags without _dd.p.dm, _dd.p.tid and _dd.p.ksr, which the tracer writes itself;
 * _dd.p.dm is kept aside (an extracted priority keeps its decision maker), _dd.p.ksr goes in
 * seg->ksr, unchanged until a local decision replaces it (docs/sampling.md §8). */
DD__PRIVATE void dd__seg_ptags(dd_tracer *t, dd__segment *seg, const dd_trace_context *ctx) {
    const char *p = ctx->ptags, *end = ctx->ptags + ctx->ptags_len;
    char *d = ctx->ptags_len ? (char *)dd__seg_alloc(t, seg, ctx->ptags_len) : NULL;
    size_t n = 0;
    seg->ptags.p = "";
    seg->ptags.n = 0;
    if (!d) return;
    while (p < end) {
        const char *comma = (const char *)memchr(p, ',', (size_t)(end - p)), *eq;
        size_t len;
        if (!comma) comma = end;
        len = (size_t)(comma - p);
        eq = (const char *)memchr(p, '=', len);
        if (eq) {
            size_t kl = (size_t)(eq - p);
            if (kl == 8 && memcmp(p, "_dd.p.dm", 8) == 0) {
                size_t vl = len - 9;
                if (vl < sizeof seg->ext_dm) {
                    memcpy(seg->ext_dm, eq + 1, vl);
                    seg->ext_dm_len = (uint32_t)vl;
                }
            } else if (kl == 9 && memcmp(p, "_dd.p.ksr", 9) == 0) {
                size_t vl = len - 10;
                if (vl < sizeof seg->ksr) {
                    memcpy(seg->ksr, eq + 1, vl);
                    seg->ksr_len = (uint32_t)vl;
                }
            } else if (!(kl == 9 && memcmp(p, "_dd.p.tid", 9) == 0)) {
                if (n) d[n++] = ',';
                memcpy(d + n, p, len);
                n += len;
            }
        }
        p = comma + 1;
    }
    seg->ptags.p = d;
    seg->ptags.n = (uint32_t)n;
    /* dd__span_context_fill writes the other tags, then _dd.p.dm, _dd.p.ksr, _dd.p.tid: when the
     * incoming header had another order, it is kept to be followed (R-DD-14: an unchanged header
     * goes out as the same string) */
    {
        int rank = 0, r;
        p = ctx->ptags;
        while (p < end) {
            const char *comma = (const char *)memchr(p, ',', (size_t)(end - p)), *eq;
            if (!comma) comma = end;
            eq = (const char *)memchr(p, '=', (size_t)(comma - p));
            r = 0;
            if (eq) {
                size_t kl = (size_t)(eq - p);
                if (kl == 8 && memcmp(p, "_dd.p.dm", 8) == 0) r = 1;
                else if (kl == 9 && memcmp(p, "_dd.p.ksr", 9) == 0) r = 2;
                else if (kl == 9 && memcmp(p, "_dd.p.tid", 9) == 0) r = 3;
            }
            if (r < rank) {
                dd__seg_text(t, seg, &seg->ptags_order, ctx->ptags, ctx->ptags_len);
                break;
            }
            rank = r;
            p = comma + 1;
        }
    }
}
DD__PRIVATE void dd__link_add(dd_span *s, const dd_span_link *l, int *ok);

/*--- baggage of a trace (docs/http.md §1) ---*/
/* Owns the segment's dd_baggage (made on first use) and the baggage span tags. */
/* The trace's map, made on first use in the segment's arena. Under lock (or before the segment
 * is shared). NULL when memory runs out. */
DD__PRIVATE dd_baggage *dd__seg_baggage(dd_tracer *t, dd__segment *seg) {
    if (!seg->baggage) {
        seg->baggage = (dd_baggage *)dd__seg_alloc(t, seg, sizeof(dd_baggage));
        if (seg->baggage) seg->baggage->n = seg->baggage->len = 0;
    }
    return seg->baggage;
}
/* Copies the used part of a map (nothing past len is ever read). */
DD__PRIVATE void dd__bag_copy(dd_baggage *dst, const dd_baggage *src) {
    uint32_t n = src->n, len = src->len;
    if (n > DD_BAGGAGE_ITEMS_MAX || len > DD_BAGGAGE_BYTES_MAX) n = len = 0;
    dst->n = n;
    dst->len = len;
    memcpy(dst->key_len, src->key_len, n * sizeof src->key_len[0]);
    memcpy(dst->value_len, src->value_len, n * sizeof src->value_len[0]);
    memcpy(dst->data, src->data, len);
}
/* DD_TRACE_BAGGAGE_TAG_KEYS (R-BT-2, R-BT-3): extracted items as baggage.<key> on the local root;
 * keys compare exactly, a '*' inside a key is literal. */
DD__PRIVATE DD__T_COLD void dd__bag_tags(dd_span *s, const dd_baggage *b) {
    const dd_tracer *t = s->seg->tracer;
    dd_baggage_iter it = {0, 0};
    const char *k, *v;
    size_t kn, vn;
    char key[8 + 504];
    if (!t->bag_all && !t->n_bag_keys) return;
    memcpy(key, "baggage.", 8);
    while (dd_baggage_next(b, &it, &k, &kn, &v, &vn) == DD_OK) {
        int i, hit = t->bag_all;
        for (i = 0; !hit && i < t->n_bag_keys; i++)
            hit = t->bag_key_len[i] == kn && memcmp(t->bag_keys + t->bag_key_off[i], k, kn) == 0;
        if (!hit || kn > sizeof key - 8) continue; /* a key over 504 bytes gets no tag */
        memcpy(key + 8, k, kn);
        dd__span_put(s, DD__TAG_META, key, 8 + kn, v, vn, 0);
    }
}

/*--- span start and fields ---*/
/* dd_span_start (a root or a continued trace: the tracer lock once; a child: its segment's lock
 * once) and the span's name,
 * service, resource and type (no lock unless the span's area is full). */
/* The local root's tags, links and baggage from the context it starts with: a continued one
 * (`continued`), or one without trace id that carries baggage or links (R-BG-18, R-MS-9 restart). */
DD__PRIVATE DD__T_COLD void dd__root_from_context(dd_tracer *t, dd_span *s, const dd_trace_context *ctx,
                                                  int continued) {
    uint32_t i;
    int ok;
    if (continued) {
        if (ctx->last_parent_id[0])
            dd__span_put(s, DD__TAG_META, "_dd.parent_id", 13, ctx->last_parent_id, strlen(ctx->last_parent_id), 0);
        if (ctx->propagation_error[0])
            dd__span_put(s, DD__TAG_META, "_dd.propagation_error", 21, ctx->propagation_error,
                         strlen(ctx->propagation_error), 0);
    }
    for (i = 0; i < ctx->n_links && i < DD_SPAN_LINKS_MAX; i++) dd__link_add(s, &ctx->links[i], &ok);
    if (ctx->baggage.n) {
        dd_baggage *b = dd__seg_baggage(t, s->seg);
        if (b) dd__bag_copy(b, &ctx->baggage);
        dd__bag_tags(s, &ctx->baggage);
    }
}
/* dd_span_start of a root (or a continued trace), and of a child given by an older caller's
 * shorter options: its own frame, so that a child's start does not pay for it. */
DD__PRIVATE DD__T_COLD dd_span *dd__start_root(dd_tracer *t, const dd_span_options *opts) {
    dd_span_options zero;
    dd__segment *seg;
    dd__block *b;
    dd_span *s;
    unsigned drop = 0;
    uint32_t idx = 0;
    int64_t wall, mono;
    const dd_trace_context *ctx;
    if (!opts || (opts->size && opts->size < sizeof zero)) { /* an older caller's shorter layout */
        memset(&zero, 0, sizeof zero);
        if (opts) memcpy(&zero, opts, opts->size);
        opts = &zero;
    }
    if (opts->parent) { /* a dead parent handle starts nothing (counted) */
        dd_span *p = dd__span_live(opts->parent);
        return p ? dd__start_child(p, opts->name, dd__t_slen(opts->name, opts->name_len), opts) : NULL;
    }
    ctx = opts->context && (opts->context->trace_id.lo || opts->context->trace_id.hi) ? opts->context : NULL;
    wall = t->wall_ns_fn(t->clock_user);
    mono = t->mono_ns_fn(t->clock_user);
    pthread_mutex_lock(&t->lock);
    b = NULL;
    if (t->n_open_segments < t->max_open_segments) { /* a slot and a block: one t->pool section */
        dd__spin_lock(&t->pool);
        if ((idx = dd__h_take(t)) != 0) b = dd__block_pop(t, 1);
        dd__spin_unlock(&t->pool);
        if (idx && !b && !(b = dd__block_new(t, DD__BLOCK_FIRST_BYTES))) /* the slot back, unused */
            dd__blocks_put(t, NULL, idx, idx);
    }
    if (!b) {
        t->counters.segments_dropped_limit++;
        t->counters.spans_dropped_limit++;
        drop = dd__drop_first(t, t->n_open_segments >= t->max_open_segments ? DD__DROP_SEGMENT_LIMIT
                                                                              : DD__DROP_NO_MEMORY);
    } else {
        seg = (dd__segment *)((char *)b + DD__BLOCK_HDR);
        memset(seg, 0, offsetof(dd__segment, inject_error));
        seg->inject_error[0] = 0;
        seg->blocks = b;
        seg->next_open = t->open_head;
        if (t->open_head) t->open_head->prev_open = seg;
        t->open_head = seg;
        t->n_open_segments++;
        __atomic_add_fetch(&t->n_started, 1, __ATOMIC_SEQ_CST);
    }
    pthread_mutex_unlock(&t->lock);
    if (!b) {
        dd__tlog_drops(t, drop);
        return NULL;
    }
    seg->tracer = t;
    seg->cur = (char *)seg + ((sizeof *seg + 7) & ~(size_t)7);
    seg->end = (char *)b + DD__BLOCK_HDR + b->cap;
    seg->wall0 = wall;
    seg->mono0 = mono;
    seg->n_spans = seg->n_open = 1;
    seg->priority = DD_PRIORITY_UNSET;
    /* (fits: the first block is fresh; a dd__sty for a service or a type of the root's own) */
    s = (dd_span *)dd__seg_alloc_locked(t, seg, DD__SPAN_ALLOC + (opts->type || opts->service ? DD__STY_BYTES : 0));
    seg->root = s;
    if (!ctx) { /* before the span id */
        if (opts->trace_id.lo) seg->trace_id = opts->trace_id; /* given: a non-zero low half */
        else dd__new_trace_id(t, opts->start_ns ? opts->start_ns : wall, &seg->trace_id);
    }
    dd__span_common_init(s, seg, NULL, opts->start_ns ? opts->start_ns : wall, t,
                         DD__SPAN_INLINE_BYTES + (opts->type || opts->service ? DD__STY_BYTES : 0));
    if (opts->span_id) s->span_id = opts->span_id;
    if (ctx) {
        seg->trace_id = ctx->trace_id;
        seg->root_parent_id = ctx->parent_id;
        if (ctx->sampling_priority != DD_PRIORITY_UNSET) { /* an extracted decision wins */
            seg->priority = ctx->sampling_priority;
            seg->decided = 1;
        }
        dd__seg_text(t, seg, &seg->origin, ctx->origin, ctx->origin_len);
        dd__seg_text(t, seg, &seg->tracestate, ctx->tracestate, ctx->tracestate_len);
        dd__seg_text(t, seg, &seg->dd_member_extra, ctx->dd_member_extra, ctx->dd_member_extra_len);
        dd__seg_ptags(t, seg, ctx);
        if (seg->decided && seg->ext_dm_len) { /* carried unchanged (docs/propagation.md R-DM-1) */
            memcpy(seg->dm, seg->ext_dm, seg->ext_dm_len);
            seg->dm_len = seg->ext_dm_len;
        }
    } else {
        seg->origin.p = seg->tracestate.p = seg->dd_member_extra.p = seg->ptags.p = "";
    }
    s->ascii = (uint8_t)(DD__SA_NAME | DD__SA_RESOURCE | DD__SA_TYPE | t->root_service_ascii);
    if (opts->service) dd__span_service(s, opts->service, dd__t_slen(opts->service, opts->service_len));
    if (opts->type) dd__span_type(s, opts->type, dd__t_slen(opts->type, opts->type_len));
    dd__span_names(s, opts->name, dd__t_slen(opts->name, opts->name_len), opts->resource,
                   dd__t_slen(opts->resource, opts->resource_len));
    if (opts->context) dd__root_from_context(t, s, opts->context, ctx != NULL);
    return dd__h_bind(s, idx);
}
DD_API dd_span *dd_span_start(dd_tracer *t, const dd_span_options *opts) {
    if (!t || !t->enabled) return NULL;
    if (opts && opts->parent && (!opts->size || opts->size >= sizeof *opts)) { /* a child: the hot path */
        dd_span *p = dd__span_live(opts->parent); /* a dead parent handle starts nothing (counted) */
        return p ? dd__start_child(p, opts->name, dd__t_slen(opts->name, opts->name_len), opts) : NULL;
    }
    return dd__start_root(t, opts);
}

DD_API dd_span *dd_span_start_child(dd_span *parent, const char *name) {
    if (!(parent = dd__span_live(parent))) return NULL;
    return dd__start_child_named(parent, name, name ? strlen(name) : 0, 0);
}
DD_API dd_span *dd_span_start_child_n(dd_span *parent, const char *name, size_t name_len) {
    if (!(parent = dd__span_live(parent))) return NULL;
    return dd__start_child_named(parent, name, name_len, 0);
}
DD_API dd_span *dd_span_start_child_static(dd_span *parent, const char *name) {
    if (!(parent = dd__span_live(parent))) return NULL;
    return dd__start_child_named(parent, name, name ? strlen(name) : 0, 1);
}

DD_API void dd_span_set_start(dd_span *s, int64_t start_ns) {
    if (!(s = dd__span_live(s))) return;
    s->start_ns = start_ns;
}
/* The resource follows the name until it is set itself. */
DD_API void dd_span_set_name_n(dd_span *s, const char *v, size_t n) {
    if (!(s = dd__span_live(s)) || !v) return;
    dd__span_field(s, DD__SF(s, name), DD__SA_NAME, v, n);
    if (!s->resource_set) {
        DD__SCOPY(s, resource, s, name);
        DD__SA_SET(s, DD__SA_RESOURCE, (s->ascii & DD__SA_NAME) ? 0 : 0x80);
    }
}
DD_API void dd_span_set_name(dd_span *s, const char *v) {
    if (v) dd_span_set_name_n(s, v, strlen(v));
}
DD_API void dd_span_set_service(dd_span *s, const char *v) {
    if ((s = dd__span_live(s)) && v) dd__span_service(s, v, strlen(v));
}
DD_API void dd_span_set_service_n(dd_span *s, const char *v, size_t n) {
    if ((s = dd__span_live(s)) && v) dd__span_service(s, v, n);
}
DD_API void dd_span_set_resource_n(dd_span *s, const char *v, size_t n) {
    if (!(s = dd__span_live(s)) || !v) return;
    dd__span_field(s, DD__SF(s, resource), DD__SA_RESOURCE, v, n);
    s->resource_set = 1;
}
DD_API void dd_span_set_resource(dd_span *s, const char *v) {
    if (v) dd_span_set_resource_n(s, v, strlen(v));
}
DD_API void dd_span_set_resource_static(dd_span *s, const char *v) {
    if (!(s = dd__span_live(s)) || !v) return;
    dd__span_field_ref(s, DD__SF(s, resource), DD__SA_RESOURCE, v, strlen(v));
    s->resource_set = 1;
}
DD_API void dd_span_set_type(dd_span *s, const char *v) {
    if ((s = dd__span_live(s)) && v) dd__span_type(s, v, strlen(v));
}
DD_API void dd_span_set_type_n(dd_span *s, const char *v, size_t n) {
    if ((s = dd__span_live(s)) && v) dd__span_type(s, v, n);
}
/*--- tags ---*/
/* Tag setters and getters of one span: no lock unless the span's area is full; manual.keep/drop
 * go through dd_span_set_priority. */
/* manual.keep / manual.drop (docs/http.md §3 R-MT-1, R-MT-2; docs/sampling.md §2): the decision of
 * dd_span_set_priority, the tag not stored; "false" or "0" does nothing. 1 when the key was one of
 * them. The caller checked the length (11) and the first byte: most keys stop there. */
DD__PRIVATE void dd__set_priority(dd_span *s, int priority);
DD__PRIVATE DD__T_COLD int dd__manual_tag(dd_span *s, const char *key, const char *v, size_t vn) {
    int keep;
    if (memcmp(key, "manual.keep", 11) == 0) keep = 1;
    else if (memcmp(key, "manual.drop", 11) == 0) keep = 0;
    else return 0;
    if (v && ((vn == 1 && v[0] == '0') ||
              (vn == 5 && (v[0] | 0x20) == 'f' && (v[1] | 0x20) == 'a' && (v[2] | 0x20) == 'l' &&
               (v[3] | 0x20) == 's' && (v[4] | 0x20) == 'e')))
        return 1;
    dd__set_priority(s, keep ? DD_PRIORITY_USER_KEEP : DD_PRIORITY_USER_REJECT);
    return 1;
}
/* peer.service set by the user (docs/http.md §2.7 R-PS-1, R-PS-4): kept, with
 * _dd.peer.service.source=peer.service; DD_TRACE_PEER_SERVICE_MAPPING renames it and records
 * _dd.peer.service.remapped_from. */
DD__PRIVATE DD__T_COLD void dd__peer_service(dd_span *s, const char *v, size_t vn) {
    const dd_tracer *t = s->seg->tracer;
    int i;
    if (!v) v = "", vn = 0;
    if ((i = dd__map_find(&t->psm, v, vn)) >= 0) {
        dd__span_put(s, DD__TAG_META, "_dd.peer.service.remapped_from", 30, v, vn, 0);
        v = t->psm.text + t->psm.off[i] + vn;
        vn = t->psm.to_len[i];
    }
    dd__span_put(s, DD__TAG_META, "peer.service", 12, v, vn, 0);
    dd__span_put(s, DD__TAG_META, "_dd.peer.service.source", 23, "peer.service", 12, 0);
}
/* Keys of 11 or 12 bytes: manual.keep / manual.drop, peer.service. 1 when handled. */
DD__PRIVATE DD__T_COLD int dd__magic_tag(dd_span *s, const char *key, size_t kn, const char *v, size_t vn) {
    if (kn == 11) return key[0] == 'm' && dd__manual_tag(s, key, v, vn);
    if (key[0] != 'p' || memcmp(key, "peer.service", 12) != 0) return 0;
    dd__peer_service(s, v, vn);
    return 1;
}
DD_API void dd_span_set_tag(dd_span *s, const char *key, const char *value) {
    size_t kn, vn;
    if (!(s = dd__span_live(s)) || !key) return;
    kn = strlen(key);
    vn = value ? strlen(value) : 0;
    if (kn - 11u <= 1u && (key[0] == 'm' || key[0] == 'p') && dd__magic_tag(s, key, kn, value, vn)) return;
    if (value && dd__span_put_fast(s, DD__TAG_META, key, kn, value, vn, 0)) return;
    dd__span_put_any(s, DD__TAG_META, key, kn, value, vn, 0);
}
DD_API void dd_span_set_tag_n(dd_span *s, const char *key, size_t key_len, const char *value, size_t value_len) {
    if (!(s = dd__span_live(s)) || !key) return;
    if (key_len - 11u <= 1u && (key[0] == 'm' || key[0] == 'p') &&
        dd__magic_tag(s, key, key_len, value, value ? value_len : 0))
        return;
    if (value && dd__span_put_fast(s, DD__TAG_META, key, key_len, value, value_len, 0)) return;
    dd__span_put_any(s, DD__TAG_META, key, key_len, value, value ? value_len : 0, 0);
}
DD_API void dd_span_set_tag_static_n(dd_span *s, const char *key, size_t key_len, const char *value,
                                     size_t value_len) {
    if (!(s = dd__span_live(s)) || !key) return;
    if (key_len - 11u <= 1u && (key[0] == 'm' || key[0] == 'p') &&
        dd__magic_tag(s, key, key_len, value, value ? value_len : 0))
        return;
    if (value && dd__span_put_ref_fast(s, DD__TAG_META, key, key_len, value, value_len, 0)) return;
    dd__span_put_ref(s, DD__TAG_META, key, key_len, value, value ? value_len : 0, 0);
}
DD_API void dd_span_set_tag_static(dd_span *s, const char *key, const char *value) {
    if (key) dd_span_set_tag_static_n(s, key, strlen(key), value, value ? strlen(value) : 0);
}
DD_API int dd_span_get_tag(const dd_span *s, const char *key, size_t key_len, const char **value,
                           size_t *value_len) {
    const dd__tag *g;
    if (value) *value = NULL;
    if (value_len) *value_len = 0;
    if (!(s = dd__span_live(s)) || !key) return DD_ERR_NOT_FOUND;
    g = dd__span_find(s, key, key_len);
    if (!g) return DD_ERR_NOT_FOUND;
    if (g->kind != DD__TAG_META) return DD_ERR_TYPE;
    if (value) *value = DD__TAG_VAL(g);
    if (value_len) *value_len = DD__TAG_VLEN(g);
    return DD_OK;
}
DD_API int dd_span_get_metric(const dd_span *s, const char *key, size_t key_len, double *value) {
    const dd__tag *g;
    if (value) *value = 0;
    if (!(s = dd__span_live(s)) || !key) return DD_ERR_NOT_FOUND;
    g = dd__span_find(s, key, key_len);
    if (!g) return DD_ERR_NOT_FOUND;
    if (g->kind != DD__TAG_METRIC) return DD_ERR_TYPE;
    if (value) *value = dd__tag_num(g);
    return DD_OK;
}
/*--- span baggage ---*/
/* dd_span_baggage_*: the trace's map; set, remove and clear under the tracer lock. */
DD_API int dd_span_baggage_set(dd_span *s, const char *key, size_t key_len, const char *value,
                               size_t value_len) {
    dd_tracer *t;
    dd_baggage *b;
    int rc;
    if (!(s = dd__span_live(s)) || !key || !key_len) return DD_ERR_INVALID_ARG;
    t = s->seg->tracer;
    pthread_mutex_lock(&t->lock);
    b = dd__seg_baggage(t, s->seg);
    rc = b ? dd_baggage_set(b, key, key_len, value ? value : "", value ? value_len : 0) : DD_ERR_NO_MEMORY;
    pthread_mutex_unlock(&t->lock);
    return rc;
}
DD_API int dd_span_baggage_get(const dd_span *s, const char *key, size_t key_len, const char **value,
                               size_t *value_len) {
    if (value) *value = NULL;
    if (value_len) *value_len = 0;
    if (!(s = dd__span_live(s)) || !s->seg->baggage) return DD_ERR_NOT_FOUND;
    return dd_baggage_get(s->seg->baggage, key, key_len, value, value_len);
}
DD_API int dd_span_baggage_remove(dd_span *s, const char *key, size_t key_len) {
    dd_tracer *t;
    int rc;
    if (!(s = dd__span_live(s)) || !s->seg->baggage) return DD_ERR_NOT_FOUND;
    t = s->seg->tracer;
    pthread_mutex_lock(&t->lock);
    rc = dd_baggage_remove(s->seg->baggage, key, key_len);
    pthread_mutex_unlock(&t->lock);
    return rc;
}
DD_API void dd_span_baggage_clear(dd_span *s) {
    dd_tracer *t;
    if (!(s = dd__span_live(s)) || !s->seg->baggage) return;
    t = s->seg->tracer;
    pthread_mutex_lock(&t->lock);
    dd_baggage_clear(s->seg->baggage);
    pthread_mutex_unlock(&t->lock);
}
DD_API const dd_baggage *dd_span_baggage(const dd_span *s) { return (s = dd__span_live(s)) ? s->seg->baggage : NULL; }
/*--- HTTP spans (docs/http.md §2) ---*/
/* Owns the query-string obfuscation pattern and its PCRE to POSIX translation. */
/* The official default query-string pattern (dd-trace-py's, the newest; docs/http.md §2.3 R-QS-4)
 * in POSIX extended syntax: (?: groups written as ( groups, \s as [[:space:]], \w as
 * [[:alnum:]_]; compiled case-insensitively. It gives the documented results on every vector of
 * docs/http.md §2.3 (tests/trace_test.c). */
#define DD__WS "[[:space:]]"
static const char dd__qs_default[] =
    "(\"|%22)?((old[-_]?|new[-_]?)?p(ass)?w(or)?d(1|2)?|pass([-_]?phrase)?|secret|(api[-_]?|private[-_]?|public[-_]?"
    "|access[-_]?|secret[-_]?|app(lication)?[-_]?)key([-_]?id)?|token|consumer[-_]?(id|key|secret)|sign(ed|ature)?"
    "|auth(entication|orization)?)((" DD__WS "|%20)*(=|%3D)[^&]+|(\"|%22)(" DD__WS "|%20)*(:|%3A)(" DD__WS
    "|%20)*(\"|%22)(%2[^2]|%[^2]|[^\"%])+(\"|%22))|(bearer(" DD__WS "|%20)+[a-z0-9._-]+|token(:|%3A)[a-z0-9]{13}"
    "|gh[opsu]_[0-9a-zA-Z]{36}|ey[I-L]([[:alnum:]_=-]|%3D)+\\.ey[I-L]([[:alnum:]_=-]|%3D)+(\\.([[:alnum:]_.+/=-]"
    "|%3D|%2F|%2B)+)?|-{5}BEGIN([a-z[:space:]]|%20)+PRIVATE(" DD__WS "|%20)KEY-{5}[^-]+-{5}END([a-z[:space:]]"
    "|%20)+PRIVATE(" DD__WS "|%20)KEY(-{5})?(\n|%0A)?|(ssh-(rsa|dss)|ecdsa-[a-z0-9]+-[a-z0-9]+)(" DD__WS
    "|%20|%09)+([a-z0-9/.+]|%2F|%5C|%2B){100,}(=|%3D)*((" DD__WS "|%20|%09)+[a-z0-9._-]+)?)";
/* A user pattern (written for the official tracers' regex engines) in POSIX extended syntax: the
 * common Perl forms (?:, (?i), \d \s \w \D \S \W are rewritten; the rest is left as it is. 0 when
 * it does not fit. */
DD__PRIVATE int dd__pcre_to_ere(const char *in, char *out, size_t cap) {
    size_t o = 0;
    int bracket = 0;
#define DD__PUT(str)                                                                               \
    do {                                                                                           \
        size_t l_ = strlen(str);                                                                   \
        if (o + l_ + 1 > cap) return 0;                                                            \
        memcpy(out + o, str, l_);                                                                  \
        o += l_;                                                                                   \
    } while (0)
    if (strncmp(in, "(?i)", 4) == 0) in += 4;
    while (*in) {
        char c = *in, one[2];
        if (!bracket && c == '(' && in[1] == '?' && in[2] == ':') {
            DD__PUT("(");
            in += 3;
            continue;
        }
        if (c == '\\' && in[1]) {
            char e = in[1];
            const char *r = NULL;
            in += 2;
            if (e == 'd') r = bracket ? "0-9" : "[0-9]";
            else if (e == 's') r = bracket ? "[:space:]" : "[[:space:]]";
            else if (e == 'w') r = bracket ? "[:alnum:]_" : "[[:alnum:]_]";
            else if (!bracket && e == 'D') r = "[^0-9]";
            else if (!bracket && e == 'S') r = "[^[:space:]]";
            else if (!bracket && e == 'W') r = "[^[:alnum:]_]";
            if (r) {
                DD__PUT(r);
            } else if (bracket) { /* no escapes in a POSIX bracket: the character itself */
                one[0] = e, one[1] = 0;
                DD__PUT(one);
            } else {
                one[0] = '\\', one[1] = 0;
                DD__PUT(one);
                one[0] = e;
                DD__PUT(one);
            }
            continue;
        }
        if (!bracket && c == '[') {
            bracket = 1;
            DD__PUT("[");
            in++;
            if (*in == '^') {
                DD__PUT("^");
                in++;
            }
            if (*in == ']') {
                DD__PUT("]");
                in++;
            }
            continue;
        }
        if (bracket && c == ']') bracket = 0;
        one[0] = c, one[1] = 0;
        DD__PUT(one);
        in++;
    }
#undef DD__PUT
    out[o] = 0;
    return 1;
}
/*--- HTTP configuration ---*/
/* DD_TRACE_HTTP_*_ERROR_STATUSES, DD_TRACE_HEADER_TAGS, peer service mapping, the query regex:
 * into the tracer, only in dd_tracer_new (dd__tracer_http). */
/* "N" or "A-B" (inclusive), comma-separated, whitespace ignored, ranges normalised; any bad entry
 * rejects the whole value (docs/http.md §2.5 R-ES-3). 1 when parsed. */
DD__PRIVATE int dd__parse_statuses(const char *v, uint16_t *lo, uint16_t *hi, int *n) {
    int k = 0;
    while (*v) {
        long a = -1, b = -1, *cur = &a;
        while (*v && *v != ',') {
            char c = *v++;
            if (c == ' ' || c == '\t') continue;
            if (c == '-' && cur == &a && a >= 0) {
                cur = &b;
                continue;
            }
            if (c < '0' || c > '9') return 0;
            *cur = (*cur < 0 ? 0 : *cur) * 10 + (c - '0');
            if (*cur > 999) return 0;
        }
        if (*v == ',') v++;
        if (a < 0 && cur == &a) continue; /* an empty entry */
        if (a < 0 || (cur == &b && b < 0) || k >= DD__HTTP_STATUS_RANGES) return 0;
        if (cur == &a) b = a;
        lo[k] = (uint16_t)(a < b ? a : b);
        hi[k++] = (uint16_t)(a < b ? b : a);
    }
    *n = k;
    return 1;
}
/* DD_TRACE_HEADER_TAGS (R-HT-1..4): "header" or "header:tag", split at the first ':', trimmed. */
DD__PRIVATE void dd__parse_header_tags(dd_tracer *t, const char *v) {
    size_t used = 0;
    t->n_ht = 0;
    while (v && *v) {
        const char *e = strchr(v, ','), *h = v, *colon, *tag = NULL;
        size_t n = e ? (size_t)(e - v) : strlen(v), hn, tn = 0;
        v = e ? e + 1 : NULL;
        colon = (const char *)memchr(h, ':', n);
        hn = colon ? (size_t)(colon - h) : n;
        if (colon) {
            tag = colon + 1;
            tn = n - hn - 1;
            while (tn && dd__t_is_space((unsigned char)*tag)) tag++, tn--;
            while (tn && dd__t_is_space((unsigned char)tag[tn - 1])) tn--;
        }
        while (hn && dd__t_is_space((unsigned char)*h)) h++, hn--;
        while (hn && dd__t_is_space((unsigned char)h[hn - 1])) hn--;
        if (!hn || (colon && !tn)) continue; /* ":tag" and "header:": no tag (R-HT-3, as Go) */
        if (t->n_ht >= DD__HEADER_TAGS_MAX || used + hn + tn + 2 > sizeof t->ht_text) {
            dd__tlogs(t, DD_LOG_WARN, "DD_TRACE_HEADER_TAGS: too many headers, the rest are ignored");
            break;
        }
        t->ht_off[t->n_ht] = (uint16_t)used;
        t->ht_len[t->n_ht] = (uint16_t)hn;
        memcpy(t->ht_text + used, h, hn);
        used += hn;
        t->ht_tag_len[t->n_ht] = (uint16_t)tn;
        if (tn) memcpy(t->ht_text + used, tag, tn);
        used += tn;
        t->n_ht++;
    }
}
/* "from:to[,...]" (comma-separated, else space-separated; split at the first ':'; R-PS-4) */
DD__PRIVATE void dd__parse_mapping(dd_tracer *t, const char *v, dd__map *m, const char *name) {
    size_t used = 0;
    char sep = v && strchr(v, ',') ? ',' : ' ';
    m->n = 0;
    while (v && *v) {
        const char *e = strchr(v, sep), *f = v, *colon, *to;
        size_t n = e ? (size_t)(e - v) : strlen(v), fn, tn;
        v = e ? e + 1 : NULL;
        colon = (const char *)memchr(f, ':', n);
        if (!colon) continue;
        fn = (size_t)(colon - f);
        to = colon + 1;
        tn = n - fn - 1;
        while (fn && dd__t_is_space((unsigned char)*f)) f++, fn--;
        while (fn && dd__t_is_space((unsigned char)f[fn - 1])) fn--;
        while (tn && dd__t_is_space((unsigned char)*to)) to++, tn--;
        while (tn && dd__t_is_space((unsigned char)to[tn - 1])) tn--;
        if (!fn || !tn) continue;
        if (m->n >= DD__HEADER_TAGS_MAX || used + fn + tn > sizeof m->text) {
            dd__tlog3(t, DD_LOG_WARN, name, ": too many entries, the rest are ignored", 0, "");
            break;
        }
        m->off[m->n] = (uint16_t)used;
        m->from_len[m->n] = (uint16_t)fn;
        m->to_len[m->n++] = (uint16_t)tn;
        memcpy(m->text + used, f, fn);
        memcpy(m->text + used + fn, to, tn);
        used += fn + tn;
    }
}
DD__PRIVATE void dd__tracer_http(dd_tracer *t, const dd_tracer_config *cfg, const dd__env_ctx *e) {
    const char *v;
    int k;
    static const char *const names[2] = {"DD_TRACE_HTTP_SERVER_ERROR_STATUSES", "DD_TRACE_HTTP_CLIENT_ERROR_STATUSES"};
    for (k = 0; k < 2; k++) {
        v = k ? cfg->http_client_error_statuses : cfg->http_server_error_statuses;
        if (!v) v = dd__t_env(e, names[k]);
        t->n_err[k] = 1;
        t->err_lo[k][0] = k ? 400 : 500;
        t->err_hi[k][0] = k ? 499 : 599;
        if (v && !dd__parse_statuses(v, t->err_lo[k], t->err_hi[k], &t->n_err[k])) {
            dd__tlog_invalid(t, names[k], v);
            t->n_err[k] = 1;
            t->err_lo[k][0] = k ? 400 : 500;
            t->err_hi[k][0] = k ? 499 : 599;
        }
    }
    v = cfg->header_tags ? cfg->header_tags : dd__t_env(e, "DD_TRACE_HEADER_TAGS");
    dd__parse_header_tags(t, v);
    v = cfg->peer_service_mapping ? cfg->peer_service_mapping : dd__t_env(e, "DD_TRACE_PEER_SERVICE_MAPPING");
    dd__parse_mapping(t, v, &t->psm, "DD_TRACE_PEER_SERVICE_MAPPING");
    v = cfg->service_mapping ? cfg->service_mapping : dd__t_env(e, "DD_SERVICE_MAPPING");
    dd__parse_mapping(t, v, &t->svc_map, "DD_SERVICE_MAPPING");
    t->root_service = t->service;
    if (t->svc_map.n) {
        int i = dd__map_find(&t->svc_map, t->service.p, t->service.n);
        if (i >= 0) {
            t->root_service.p = t->svc_map.text + t->svc_map.off[i] + t->svc_map.from_len[i];
            t->root_service.n = t->svc_map.to_len[i];
        }
    }
    t->root_service_ascii = dd__t_is_ascii(t->root_service.p, t->root_service.n) ? DD__SA_SERVICE : 0;
    t->root_sty.service = t->root_service.p;
    t->root_sty.service_n = t->root_service.n;
    t->root_sty.type = "";
    t->root_sty.type_n = 0;
    t->root_sty.shared = 1;
    t->client_query = dd__resolve_flag(e, cfg->http_client_tag_query_string, "DD_TRACE_HTTP_CLIENT_TAG_QUERY_STRING", 1);
    t->client_ip = dd__resolve_flag(e, cfg->client_ip_enabled, "DD_TRACE_CLIENT_IP_ENABLED", 0);
    v = cfg->client_ip_header ? cfg->client_ip_header : dd__t_env(e, "DD_TRACE_CLIENT_IP_HEADER");
    t->ip_header[0] = 0;
    if (v) {
        size_t i, n = strlen(v);
        while (n && dd__t_is_space((unsigned char)*v)) v++, n--;
        while (n && dd__t_is_space((unsigned char)v[n - 1])) n--;
        if (n < sizeof t->ip_header) {
            for (i = 0; i < n; i++) t->ip_header[i] = dd__lower(v[i]);
            t->ip_header[n] = 0;
        } else {
            dd__tlog_invalid(t, "DD_TRACE_CLIENT_IP_HEADER", v);
        }
    }
    /* set but empty: no obfuscation (R-QS-2), so the variable is read raw */
    v = cfg->obfuscation_query_string_regexp;
    if (!v) v = e->getenv_fn(t->getenv_user, "DD_TRACE_OBFUSCATION_QUERY_STRING_REGEXP");
    t->qs_mode = DD__QS_DROP;
    if (v && !v[0]) {
        t->qs_mode = DD__QS_NONE;
        return;
    }
#if DD__HAVE_POSIX
    {
        char ere[2048];
        const char *pat = v ? ere : dd__qs_default;
        if (v && (!dd__pcre_to_ere(v, ere, sizeof ere) || strcmp(v, ".*") == 0)) pat = NULL; /* JS: ".*" drops */
        if (pat && regcomp(&t->qs_re, pat, REG_EXTENDED | REG_ICASE) == 0) t->qs_mode = DD__QS_REGEX;
        else if (v) dd__tlog_invalid(t, "DD_TRACE_OBFUSCATION_QUERY_STRING_REGEXP", v); /* R-QS-3: the query is dropped */
    }
#endif
}
/*--- HTTP tags ---*/
/* HTTP tags of one span (URL, headers, client IP, status); reads the tracer's configuration, no
 * lock beyond the tag storage's. */
DD__PRIVATE int dd__http_kind(const dd_span *s) { /* 1 client, 0 server (the default) */
    const dd__tag *g = dd__span_find(s, "span.kind", 9);
    return g && g->kind == DD__TAG_META && DD__TAG_VLEN(g) == 6 && memcmp(DD__TAG_VAL(g), "client", 6) == 0;
}
/* The header tags of one side (R-HT-4, R-HT-5): fields of a name joined by ',', trimmed. */
DD__PRIVATE void dd__http_header_tags(dd_span *s, const dd_header *h, size_t nh, int response) {
    const dd_tracer *t = s->seg->tracer;
    int i;
    for (i = 0; i < t->n_ht; i++) {
        const char *name = t->ht_text + t->ht_off[i];
        size_t nn = t->ht_len[i], j, k, tl = t->ht_tag_len[i];
        char val[1024], key[256];
        size_t vl = 0, kl;
        int found = 0;
        for (j = 0; j < nh; j++) {
            const char *v = h[j].value ? h[j].value : "";
            size_t vn = h[j].value ? h[j].value_len : 0;
            if (!h[j].name || h[j].name_len != nn || !dd__ieq(h[j].name, nn, name, nn)) continue;
            dd__trim_ws(&v, &vn);
            if (found && vl < sizeof val) val[vl++] = ',';
            if (vn > sizeof val - vl) vn = sizeof val - vl;
            memcpy(val + vl, v, vn);
            vl += vn;
            found = 1;
        }
        if (!found) continue;
        if (tl) { /* a mapped name, verbatim */
            if (tl > sizeof key) continue;
            memcpy(key, name + nn, tl);
            kl = tl;
        } else {
            static const char pre[2][24] = {"http.request.headers.", "http.response.headers."};
            size_t pl = response ? 22 : 21;
            if (pl + nn > sizeof key) continue;
            memcpy(key, pre[response], pl);
            for (k = 0; k < nn; k++) {
                char c = dd__lower(name[k]);
                key[pl + k] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ':' ||
                               c == '/') ? c : '_';
            }
            kl = pl + nn;
        }
        dd__span_put(s, DD__TAG_META, key, kl, val, vl, 0);
    }
}
/* http.url (R-HTTP-1..3, R-QS-1..3): userinfo removed; the query obfuscated, or left out. */
DD__PRIVATE void dd__http_url(dd_span *s, const char *url, size_t n, int client) {
    const dd_tracer *t = s->seg->tracer;
    char out[4096], q[2048];
    dd__tsb b;
    const char *scheme = dd__memchr(url, n, ':'), *qm, *hash, *auth, *at, *path;
    size_t pre;
    dd__tsb_init(&b, out, sizeof out);
    /* scheme://[userinfo@]authority...: the userinfo is left out */
    pre = 0;
    if (scheme && (size_t)(scheme - url) + 3 <= n && scheme[1] == '/' && scheme[2] == '/') {
        auth = scheme + 3;
        path = auth;
        while ((size_t)(path - url) < n && *path != '/' && *path != '?' && *path != '#') path++;
        at = NULL;
        for (qm = auth; qm < path; qm++)
            if (*qm == '@') at = qm;
        dd__tsb_add(&b, url, (size_t)(auth - url));
        pre = at ? (size_t)(at + 1 - url) : (size_t)(auth - url);
    }
    hash = dd__memchr(url + pre, n - pre, '#');
    qm = dd__memchr(url + pre, (hash ? (size_t)(hash - url) : n) - pre, '?');
    dd__tsb_add(&b, url + pre, (size_t)((qm ? qm : hash ? hash : url + n) - (url + pre)));
    if (qm && !(client && !t->client_query)) {
        const char *qs = qm + 1, *qe = hash ? hash : url + n;
        size_t qn = (size_t)(qe - qs);
        if (t->qs_mode == DD__QS_NONE) {
            dd__tsb_add(&b, qm, qn + 1);
        } else if (t->qs_mode == DD__QS_REGEX && qn < sizeof q) {
#if DD__HAVE_POSIX
            const char *p = q;
            regmatch_t m;
            int flags = 0;
            memcpy(q, qs, qn);
            q[qn] = 0;
            dd__tsb_add(&b, "?", 1);
            while (*p && regexec(&t->qs_re, p, 1, &m, flags) == 0) {
                if (m.rm_eo == m.rm_so) { /* an empty match: step over one byte */
                    dd__tsb_add(&b, p++, 1);
                } else {
                    dd__tsb_add(&b, p, (size_t)m.rm_so);
                    dd__tsb_add(&b, "<redacted>", 10);
                    p += m.rm_eo;
                }
                flags = REG_NOTBOL;
            }
            dd__tsb_add(&b, p, strlen(p));
#endif
        } /* else: an invalid pattern, or a query too long to check: left out (R-QS-3) */
    }
    if (hash) dd__tsb_add(&b, hash, (size_t)(url + n - hash));
    dd__span_put(s, DD__TAG_META, "http.url", 8, out, b.n, 0);
}
DD_API void dd_span_set_http_request(dd_span *s, int kind, const char *method, const char *url,
                                     const dd_header *headers, size_t n_headers) {
    int client = kind == DD_HTTP_CLIENT;
    size_t i;
    if (!(s = dd__span_live(s)) || s->finished) return;
    dd__span_put(s, DD__TAG_META, "span.kind", 9, client ? "client" : "server", 6, 0);
    dd__span_type(s, client ? "http" : "web", client ? 4 : 3);
    if (method) dd__span_put(s, DD__TAG_META, "http.method", 11, method, strlen(method), 0);
    if (url) dd__http_url(s, url, strlen(url), client);
    if (!client) {
        for (i = 0; i < n_headers && headers; i++)
            if (headers[i].name && headers[i].value && dd__ieq(headers[i].name, headers[i].name_len, "user-agent", 10))
                dd__span_put(s, DD__TAG_META, "http.useragent", 14, headers[i].value, headers[i].value_len, 0);
    }
    if (headers) dd__http_header_tags(s, headers, n_headers, 0);
}
/* Client IP (docs/http.md §2.6, dd-trace-go's resolveWith). 1 public, 0 private or special, -1 not
 * an address; the address is canonicalised into out (INET6_ADDRSTRLEN). */
DD__PRIVATE int dd__ip_class(const char *s, size_t n, char *out) {
#if DD__HAVE_POSIX
    char buf[64];
    unsigned char a[16];
    while (n && (*s == ' ' || *s == '\t' || *s == '"')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"')) n--;
    if (n && *s == '[') { /* [v6] or [v6]:port */
        const char *e = (const char *)memchr(s, ']', n);
        if (!e) return -1;
        n = (size_t)(e - s - 1);
        s++;
    } else if (n && memchr(s, '.', n) && memchr(s, ':', n)) { /* v4:port */
        n = (size_t)((const char *)memchr(s, ':', n) - s);
    }
    if (!n || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (inet_pton(AF_INET, buf, a) == 1) {
        inet_ntop(AF_INET, a, out, 46);
        /* 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10 (R-IP-5) */
        if (a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
            (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] == 0)
            return 0;
        return 1;
    }
    if (inet_pton(AF_INET6, buf, a) == 1) {
        static const unsigned char loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        inet_ntop(AF_INET6, a, out, 46);
        /* ::1, fc00::/7, fe80::/10, fec0::/10 */
        if (memcmp(a, loop, 16) == 0 || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
            (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))
            return 0;
        return 1;
    }
#else
    (void)s, (void)n, (void)out;
#endif
    return -1;
}
DD_API void dd_span_set_http_client_ip(dd_span *s, const char *peer_ip, const dd_header *headers, size_t n_headers) {
    static const char *const order[] = {"x-forwarded-for", "x-real-ip", "true-client-ip", "x-client-ip", "forwarded",
                                        "forwarded-for", "x-cluster-client-ip", "fastly-client-ip", "cf-connecting-ip",
                                        "cf-connecting-ipv6"};
    const dd_tracer *t;
    char pub[46] = "", priv[46] = "", peer[46] = "", tmp[46];
    size_t k, j, nk;
    int peer_class = -1;
    if (!(s = dd__span_live(s)) || s->finished) return;
    t = s->seg->tracer;
    if (!t->client_ip) return; /* R-IP-1 */
    if (peer_ip) {
        peer_class = dd__ip_class(peer_ip, strlen(peer_ip), peer);
        if (peer_class >= 0) dd__span_put(s, DD__TAG_META, "network.client.ip", 17, peer, strlen(peer), 0);
    }
    nk = t->ip_header[0] ? 1 : sizeof order / sizeof order[0]; /* R-IP-6: the configured header only */
    for (k = 0; k < nk && !pub[0]; k++) {
        const char *name = t->ip_header[0] ? t->ip_header : order[k];
        size_t nn = strlen(name);
        int fwd = nn == 9 && memcmp(name, "forwarded", 9) == 0;
        for (j = 0; j < n_headers && headers && !pub[0]; j++) {
            const char *v = headers[j].value, *end;
            if (!v || !headers[j].name || !dd__ieq(headers[j].name, headers[j].name_len, name, nn)) continue;
            end = v + headers[j].value_len;
            while (v < end && !pub[0]) { /* R-IP-4: each comma-separated entry, the first public one wins */
                const char *c = (const char *)memchr(v, ',', (size_t)(end - v)), *e = c ? c : end, *p = v;
                int cls;
                v = c ? c + 1 : end;
                if (fwd) { /* Forwarded: for=<addr> in ;-separated pairs */
                    const char *f = NULL, *q;
                    for (q = p; q + 4 <= e; q++)
                        if ((q == p || q[-1] == ';' || q[-1] == ' ') && dd__ieq(q, 4, "for=", 4)) {
                            f = q + 4;
                            break;
                        }
                    if (!f) continue;
                    p = f;
                    q = (const char *)memchr(p, ';', (size_t)(e - p));
                    if (q) e = q;
                }
                cls = dd__ip_class(p, (size_t)(e - p), tmp);
                if (cls == 1) memcpy(pub, tmp, sizeof tmp);
                else if (cls == 0 && !priv[0]) memcpy(priv, tmp, sizeof tmp);
            }
        }
    }
    /* public header address > public peer > private header address > peer */
    {
        const char *ip = pub[0] ? pub : peer_class == 1 ? peer : priv[0] ? priv : peer_class >= 0 ? peer : NULL;
        if (ip) dd__span_put(s, DD__TAG_META, "http.client_ip", 14, ip, strlen(ip), 0);
    }
}
DD_API void dd_span_set_http_route(dd_span *s, const char *route) {
    if ((s = dd__span_live(s)) && route) dd__span_put(s, DD__TAG_META, "http.route", 10, route, strlen(route), 0);
}
DD_API void dd_span_set_http_response(dd_span *s, int status, const dd_header *headers, size_t n_headers) {
    const dd_tracer *t;
    char num[24];
    size_t n;
    int k, i;
    if (!(s = dd__span_live(s)) || s->finished) return;
    t = s->seg->tracer;
    if (status > 0) {
        n = dd__t_u64_dec((uint64_t)status, num);
        dd__span_put(s, DD__TAG_META, "http.status_code", 16, num, n, 0);
        k = dd__http_kind(s);
        for (i = 0; i < t->n_err[k]; i++)
            if (status >= t->err_lo[k][i] && status <= t->err_hi[k][i]) s->error = 1;
    }
    if (headers) dd__http_header_tags(s, headers, n_headers, 1);
}

/*--- metrics, errors, kind, links and ids of a span ---*/
/* Setters and getters of one span; links in the span's area. No lock beyond the tag storage's. */
/* Not NaN nor an infinity: its exponent bits not all set (one test on the bits, no FP compare). */
DD__PRIVATE int dd__t_finite(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (b & UINT64_C(0x7ff0000000000000)) != UINT64_C(0x7ff0000000000000);
}
DD_API void dd_span_set_metric(dd_span *s, const char *key, double value) {
    size_t kn;
    if (!(s = dd__span_live(s)) || !key) return;
    kn = strlen(key);
    if (!dd__t_finite(value)) dd__count_tag_drop(s);
    else if (!dd__span_put_fast(s, DD__TAG_METRIC, key, kn, NULL, 8, value))
        dd__span_put_any(s, DD__TAG_METRIC, key, kn, NULL, 0, value);
}
DD_API void dd_span_set_metric_n(dd_span *s, const char *key, size_t key_len, double value) {
    if (!(s = dd__span_live(s)) || !key) return;
    if (!dd__t_finite(value)) dd__count_tag_drop(s);
    else if (!dd__span_put_fast(s, DD__TAG_METRIC, key, key_len, NULL, 8, value))
        dd__span_put_any(s, DD__TAG_METRIC, key, key_len, NULL, 0, value);
}
DD_API void dd_span_set_metric_static(dd_span *s, const char *key, double value) {
    if (!(s = dd__span_live(s)) || !key) return;
    if (!dd__t_finite(value)) dd__count_tag_drop(s);
    else if (!dd__span_put_ref_fast(s, DD__TAG_METRIC, key, strlen(key), NULL, 8, value))
        dd__span_put_ref(s, DD__TAG_METRIC, key, strlen(key), NULL, 0, value);
}
DD_API void dd_span_set_error(dd_span *s, int error) {
    if ((s = dd__span_live(s)) && !s->finished) s->error = error ? 1 : 0;
}
DD_API void dd_span_set_error_info(dd_span *s, const char *type, const char *message, const char *stack) {
    dd_span_set_error_info_n(s, type, type ? strlen(type) : 0, message, message ? strlen(message) : 0, stack,
                             stack ? strlen(stack) : 0);
}
DD_API void dd_span_set_error_info_n(dd_span *s, const char *type, size_t type_len, const char *message,
                                     size_t message_len, const char *stack, size_t stack_len) {
    if (!(s = dd__span_live(s)) || s->finished) return;
    s->error = 1;
    if (type) dd__span_put(s, DD__TAG_META, "error.type", 10, type, type_len, 0);
    if (message) dd__span_put(s, DD__TAG_META, "error.message", 13, message, message_len, 0);
    if (stack) dd__span_put(s, DD__TAG_META, "error.stack", 11, stack, stack_len, 0);
}
DD_API void dd_span_set_kind(dd_span *s, const char *kind) {
    if ((s = dd__span_live(s)) && kind) dd__span_put(s, DD__TAG_META, "span.kind", 9, kind, strlen(kind), 0);
}
DD_API void dd_span_set_kind_n(dd_span *s, const char *kind, size_t len) {
    if ((s = dd__span_live(s)) && kind) dd__span_put(s, DD__TAG_META, "span.kind", 9, kind, len, 0);
}
DD_API void dd_span_set_measured(dd_span *s, int measured) {
    if ((s = dd__span_live(s)) && !s->finished) s->measured = measured ? 1 : 0;
}

/* Bytes the attributes take in a dd__link (see its `attrs`). */
DD__PRIVATE size_t dd__link_attrs_size(const dd_header *attrs, size_t n) {
    size_t i, need = 0;
    for (i = 0; i < n; i++) need += 8 + attrs[i].name_len + attrs[i].value_len;
    return need;
}
DD__PRIVATE char *dd__link_put_str(char *p, const char *v, size_t len) {
    uint32_t n = (uint32_t)len;
    memcpy(p, &n, 4);
    if (len) memcpy(p + 4, v, len);
    return p + 4 + len;
}
DD__PRIVATE void dd__link_put(dd_span *s, const dd_span_link *l, const dd_header *attrs, size_t n_attrs, int *ok) {
    dd__link *k;
    size_t ts = strlen(l->tracestate), rs = strlen(l->reason), cs = strlen(l->context_headers);
    size_t need = sizeof(dd__link) + ts + rs + cs + dd__link_attrs_size(attrs, n_attrs);
    size_t counted = need - sizeof(uintptr_t); /* counted without the owner pointer, as before it */
    size_t i;
    *ok = 0;
    if (counted > s->tag_room) {
        dd__count_tag_drop(s);
        return;
    }
    k = (dd__link *)dd__span_room(s, need);
    if (!k) {
        dd__count_tag_drop(s);
        return;
    }
    s->tag_room -= (uint32_t)counted;
    k->trace_id = l->trace_id;
    k->span_id = l->span_id;
    k->flags = (uint32_t)l->flags;
    {
        char *p = (char *)(k + 1);
        memcpy(p, l->tracestate, ts);
        k->tracestate = p;
        k->tracestate_len = (uint32_t)ts;
        p += ts;
        memcpy(p, l->reason, rs);
        k->reason = p;
        k->reason_len = (uint32_t)rs;
        p += rs;
        memcpy(p, l->context_headers, cs);
        k->ctx_headers = p;
        k->ctx_headers_len = (uint32_t)cs;
        p += cs;
        k->attrs = p;
        k->n_attrs = (uint32_t)n_attrs;
        for (i = 0; i < n_attrs; i++) {
            p = dd__link_put_str(p, attrs[i].name, attrs[i].name_len);
            p = dd__link_put_str(p, attrs[i].value, attrs[i].value_len);
        }
    }
    /* appended to the segment's list (other spans of the trace may add theirs meanwhile), so a
     * span's links keep their order */
    k->next = NULL;
    k->owner = s;
    dd__spin_lock(&s->seg->lock);
    if (s->seg->links_tail) s->seg->links_tail->next = k;
    else s->seg->links = k;
    s->seg->links_tail = k;
    dd__spin_unlock(&s->seg->lock);
    s->has_links = 1;
    *ok = 1;
}
DD__PRIVATE void dd__link_add(dd_span *s, const dd_span_link *l, int *ok) { dd__link_put(s, l, NULL, 0, ok); }

/* A caller's attribute key is refused when empty, repeated, or a field the link itself sets. */
DD__PRIVATE int dd__link_attrs_ok(const dd_span_link *l, const dd_header *attrs, size_t n) {
    size_t i, j;
    if (n > DD_SPAN_LINK_ATTRS_MAX || (n && !attrs)) return 0;
    for (i = 0; i < n; i++) {
        const dd_header *a = &attrs[i];
        if (!a->name || !a->name_len || (!a->value && a->value_len) || a->name_len > UINT32_MAX || a->value_len > UINT32_MAX)
            return 0;
        if (l->reason[0] && a->name_len == 6 && memcmp(a->name, "reason", 6) == 0) return 0;
        if (l->context_headers[0] && a->name_len == 15 && memcmp(a->name, "context_headers", 15) == 0) return 0;
        for (j = 0; j < i; j++)
            if (attrs[j].name_len == a->name_len && memcmp(attrs[j].name, a->name, a->name_len) == 0) return 0;
    }
    return 1;
}
DD_API int dd_span_add_link_attrs(dd_span *s, const dd_span_link *link, const dd_header *attrs, size_t n_attrs) {
    int ok;
    if (!(s = dd__span_live(s)) || !link || (!link->trace_id.lo && !link->trace_id.hi)) return DD_ERR_INVALID_ARG;
    if (memchr(link->tracestate, 0, sizeof link->tracestate) == NULL || memchr(link->reason, 0, sizeof link->reason) == NULL
        || memchr(link->context_headers, 0, sizeof link->context_headers) == NULL)
        return DD_ERR_INVALID_ARG;
    if (!dd__link_attrs_ok(link, attrs, n_attrs)) return DD_ERR_INVALID_ARG;
    dd__link_put(s, link, attrs, n_attrs, &ok);
    return ok ? DD_OK : DD_ERR_LIMIT;
}
DD_API int dd_span_add_link(dd_span *s, const dd_span_link *link) { return dd_span_add_link_attrs(s, link, NULL, 0); }

DD_API void dd_span_trace_id(const dd_span *s, dd_trace_id *out) {
    if (!out) return;
    if (!(s = dd__span_live(s))) {
        out->hi = out->lo = 0;
        return;
    }
    *out = s->seg->trace_id;
}
DD_API uint64_t dd_span_id(const dd_span *s) { return (s = dd__span_live(s)) ? s->span_id : 0; }
DD_API uint64_t dd_span_parent_id(const dd_span *s) { return (s = dd__span_live(s)) ? dd__span_parent_id(s) : 0; }
DD_API dd_tracer *dd_span_tracer(const dd_span *s) { return (s = dd__span_live(s)) ? s->seg->tracer : NULL; }

/*--- sampling decision: the one place it is made (under lock) ---*/
/* Owns the segment's decision: calls the sampler (whose lock nests inside the tracer's). */
DD__PRIVATE int dd__root_tag_fn(const void *span, const char *key, size_t key_len, const char **val, size_t *val_len,
                                double *num, int *is_num) {
    const dd_span *s = (const dd_span *)span;
    const dd_tracer *t = s->seg->tracer;
    const dd__tag *g = dd__span_find(s, key, key_len);
    size_t i;
    if (g) {
        *is_num = g->kind == DD__TAG_METRIC;
        *num = g->kind == DD__TAG_METRIC ? dd__tag_num(g) : 0;
        *val = DD__TAG_VAL(g);
        *val_len = DD__TAG_VLEN(g);
        return 1;
    }
    for (i = 0; i < t->n_global_tags; i++) {
        if (t->global_tags[i].k.n == key_len && memcmp(t->global_tags[i].k.p, key, key_len) == 0) {
            *is_num = 0;
            *val = t->global_tags[i].v.p;
            *val_len = t->global_tags[i].v.n;
            return 1;
        }
    }
    if (key_len == 3 && memcmp(key, "env", 3) == 0 && t->env.n) {
        *is_num = 0;
        *val = t->env.p;
        *val_len = t->env.n;
        return 1;
    }
    if (key_len == 7 && memcmp(key, "version", 7) == 0 && t->version.n) {
        *is_num = 0;
        *val = t->version.p;
        *val_len = t->version.n;
        return 1;
    }
    return 0;
}

/* What the trace and span samplers read of span s: its trace, names, tags (through
 * dd__root_tag_fn) and the tracer's env; the caller overrides env and sets now_ns. */
DD__PRIVATE void dd__sampling_input_of(dd__sampling_input *in, const dd_tracer *t, const dd__segment *seg,
                                       const dd_span *s) {
    memset(in, 0, sizeof *in);
    in->trace_id = seg->trace_id;
    in->service = s->sty->service;
    in->service_len = s->sty->service_n;
    in->name = s->name;
    in->name_len = s->name_n;
    in->resource = s->resource;
    in->resource_len = s->resource_n;
    in->env = t->env.p;
    in->env_len = t->env.n;
    in->span = s;
    in->tag_fn = dd__root_tag_fn;
}

/* Decides the trace's sampling priority once, at the local root's finish, the first partial
 * flush or the first injection, whichever comes first. An extracted priority was already taken
 * at the segment's creation (seg->decided), a manual one by dd_span_set_priority. */
DD__PRIVATE void dd__segment_decide(dd_tracer *t, dd__segment *seg, int64_t now_mono) {
    dd__sampling_input in;
    dd__sampling_decision d;
    const dd_span *r = seg->root;
    const dd__tag *env;
    if (seg->decided) return;
    seg->decided = 1;
    dd__sampling_input_of(&in, t, seg, r);
    env = dd__span_find(r, "env", 3);
    if (env && env->kind == DD__TAG_META) { /* the root's own env wins over the tracer's */
        in.env = DD__TAG_VAL(env);
        in.env_len = DD__TAG_VLEN(env);
    }
    in.now_ns = now_mono;
    dd__sampler_decide(&t->sampler, &in, &d);
    seg->priority = d.priority;
    seg->mechanism = d.mechanism;
    seg->rule_rate = d.rule_rate;
    seg->limit_rate = d.limit_rate;
    seg->agent_rate = d.agent_rate;
    seg->has_rule_rate = d.has_rule_rate;
    seg->has_limit_rate = d.has_limit_rate;
    seg->has_agent_rate = d.has_agent_rate;
    seg->dm_len = d.dm_len < sizeof seg->dm ? (uint32_t)d.dm_len : 0;
    memcpy(seg->dm, d.dm, sizeof seg->dm); /* whole arrays (same size): a fixed-size copy; *_len tells */
    seg->ksr_len = d.ksr_len < sizeof seg->ksr ? (uint32_t)d.ksr_len : 0;
    memcpy(seg->ksr, d.ksr, sizeof seg->ksr);
}

DD__PRIVATE void dd__set_priority(dd_span *s, int priority) {
    dd__segment *seg = s->seg;
    dd_tracer *t = seg->tracer;
    pthread_mutex_lock(&t->lock);
    if (!seg->locked) {
        seg->decided = 1;
        seg->priority = priority > 0 ? DD_PRIORITY_USER_KEEP : DD_PRIORITY_USER_REJECT;
        seg->mechanism = DD_SAMPLING_MECHANISM_MANUAL;
        seg->has_rule_rate = seg->has_limit_rate = seg->has_agent_rate = 0;
        seg->ksr_len = 0;
        seg->dm_len = 0;
        if (priority > 0) {
            seg->dm[0] = '-';
            seg->dm[1] = '4';
            seg->dm_len = 2;
        }
    }
    pthread_mutex_unlock(&t->lock);
}
DD_API void dd_span_set_priority(dd_span *s, int priority) {
    if ((s = dd__span_live(s)) != NULL) dd__set_priority(s, priority);
}

DD_API void dd_span_set_origin_n(dd_span *s, const char *origin, size_t len) {
    dd__segment *seg;
    dd_tracer *t;
    char *d;
    if (!(s = dd__span_live(s)) || !origin || s->finished || len > DD_ORIGIN_MAX) return;
    seg = s->seg;
    t = seg->tracer;
    pthread_mutex_lock(&t->lock);
    d = len ? (char *)dd__seg_alloc(t, seg, len) : NULL;
    if (d || !len) {
        if (len) memcpy(d, origin, len);
        seg->origin.p = d ? d : "";
        seg->origin.n = (uint32_t)len;
    }
    pthread_mutex_unlock(&t->lock);
}
DD_API void dd_span_set_origin(dd_span *s, const char *origin) {
    if (origin) dd_span_set_origin_n(s, origin, strlen(origin));
}

/*--- encoding (docs/agent-protocol.md §2.2-§2.6), under lock ---*/
/* Owns the span encoding (dd_mp_writer into a dd__enc): under the tracer lock, or off it for a
 * completed segment no other thread can reach. Allocates only through the writer. */
/* The encoder writes through a cursor (uint8_t *p into e->w's buffer) after making room for what
 * follows: one compare per item, every store inline, the writer's length set back at the end. A
 * failed growth leaves the writer's sticky error set and the span unfinished; the chunk is then
 * dropped and counted (dd__pbuf_append). */
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_grow(dd_mp_writer *w, const uint8_t *p, size_t n, uint8_t **end) {
    w->len = (size_t)(p - w->buf);
    if (!dd__mp_grow(w, n)) return NULL;
    *end = w->buf + w->cap;
    return w->buf + w->len;
}
/* Room for n more bytes at the cursor p (the buffer ends at `end`, a local: stores through p
 * cannot change it), or return from the encoder: the writer's error is set. */
#define DD__ROOM(n)                                                                     \
    do {                                                                                \
        if ((size_t)(end - p) < (size_t)(n) && !(p = dd__enc_grow(w, p, (n), &end))) return; \
    } while (0)
/* A marker byte and `bytes` big-endian bytes of v. */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_tagged(uint8_t *p, uint8_t tag, uint64_t v, int bytes) {
    p[0] = tag;
    dd__mp_put_be(p + 1, v, bytes);
    return p + 1 + bytes;
}
/* The smallest encodings, as dd_mp_write_u64/_i64/_map and the str header of dd_mp_write_str. */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_u64(uint8_t *p, uint64_t v) {
    if (v <= 0x7f) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v <= 0xff) return dd__enc_tagged(p, 0xcc, v, 1);
    if (v <= 0xffff) return dd__enc_tagged(p, 0xcd, v, 2);
    if (v <= 0xffffffffu) return dd__enc_tagged(p, 0xce, v, 4);
    return dd__enc_tagged(p, 0xcf, v, 8);
}
/* dd__enc_u64 out of line, for dd__enc_big's rare small values. */
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_u64_small(uint8_t *p, uint64_t v) { return dd__enc_u64(p, v); }
/* dd__enc_u64 for values that are nearly always over 32 bits (random ids, Unix times in ns): that
 * case inline, the others out of line (inline, the compiler prepares every width's bytes before
 * it knows which one it needs). */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_big(uint8_t *p, uint64_t v) {
    if (v > 0xffffffffu) return dd__enc_tagged(p, 0xcf, v, 8);
    return dd__enc_u64_small(p, v);
}
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_i64(uint8_t *p, int64_t v) {
    uint64_t u = (uint64_t)v; /* two's complement bytes of a negative value */
    if (v >= 0) return dd__enc_u64(p, u);
    if (v >= -32) {
        *p = (uint8_t)(u & 0xff);
        return p + 1;
    }
    if (v >= INT8_MIN) return dd__enc_tagged(p, 0xd0, u, 1);
    if (v >= INT16_MIN) return dd__enc_tagged(p, 0xd1, u, 2);
    if (v >= INT32_MIN) return dd__enc_tagged(p, 0xd2, u, 4);
    return dd__enc_tagged(p, 0xd3, u, 8);
}
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_i64_cold(uint8_t *p, int64_t v) { return dd__enc_i64(p, v); }
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_map(uint8_t *p, size_t n) {
    if (n < 16) {
        *p = (uint8_t)(0x80 | n);
        return p + 1;
    }
    if (n <= 0xffff) return dd__enc_tagged(p, 0xde, n, 2);
    return dd__enc_tagged(p, 0xdf, n, 4);
}
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_f64(uint8_t *p, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return dd__enc_tagged(p, 0xcb, bits, 8);
}
/* n bytes (a string, a tag as it goes on the wire) from s to d, not overlapping: up to 32 by
 * dd__mp_copy (dd_msgpack.h), 33 to 64 as two overlapping 32-byte copies inline, longer by memcpy. */
DD__PRIVATE DD__T_HOT void dd__enc_copy(uint8_t *d, const char *s, size_t n) {
    if (n <= 32) {
        dd__mp_copy(d, s, n);
    } else if (n <= 64) {
        memcpy(d, s, 32);
        memcpy(d + n - 32, s + n - 32, 32);
    } else {
        memcpy(d, s, n);
    }
}
/* The str header of a string of 256 bytes or more, out of line (inline, the compiler prepares
 * these headers' bytes for every string before it knows that it needs none). */
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_strhdr_long(uint8_t *p, size_t n) {
    if (n <= 0xffff) return dd__enc_tagged(p, 0xda, n, 2);
    return dd__enc_tagged(p, 0xdb, n, 4);
}
/* A str (header and bytes) copied as given; room for n + 5 bytes was made. */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_strb(uint8_t *p, const char *s, size_t n) {
    if (n < 32) {
        *p++ = (uint8_t)(0xa0 | n);
    } else if (n <= 0xff) {
        p[0] = 0xd9;
        p[1] = (uint8_t)n;
        p += 2;
    } else {
        p = dd__enc_strhdr_long(p, n);
    }
    dd__enc_copy(p, s, n);
    return p + n;
}
/* A constant key (n < 32, known at compile time): marker and bytes inline; room was made. */
#define DD__KEY(p, lit) ((p)[0] = (uint8_t)(0xa0 | (sizeof(lit) - 1)), memcpy((p) + 1, (lit), sizeof(lit) - 1), (p) + sizeof(lit))
/* Constant bytes (a key with its header, and what usually follows) as one fixed-size store of 8
 * or 16 bytes (lit padded to that size); the padding is written over by what follows, in room
 * that was made. The cursor does not move. */
#define DD__KEYM(p, lit) memcpy((p), (lit), sizeof(lit) - 1)
/* A str copied as given, with its own room. */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_str_raw(dd_mp_writer *w, uint8_t *p, uint8_t **end, const char *s, size_t n) {
    if (n > 0xffffffffu) { /* as dd_mp_write_str: not a msgpack str */
        w->len = (size_t)(p - w->buf);
        dd__mp_set_error(w, DD_ERR_INVALID_ARG);
        return NULL;
    }
    if ((size_t)(*end - p) < n + 5 && !(p = dd__enc_grow(w, p, n + 5, end))) return NULL;
    return dd__enc_strb(p, s, n);
}
#define DD__SYS_MAX 72 /* 512 bytes of x-datadog-tags hold at most 57 tags, plus the tracer's 8 */
typedef struct dd__sys {
    dd__tstr k[DD__SYS_MAX], v[DD__SYS_MAX];
    double num[DD__SYS_MAX];
    size_t n;
    uint64_t key_bits; /* as dd_span.key_bits */
} dd__sys;
DD__PRIVATE DD__T_HOT void dd__sys_add(dd__sys *sy, const char *k, size_t kn, const char *v, size_t vn, double num) {
    if (sy->n >= DD__SYS_MAX) return;
    sy->k[sy->n].p = k;
    sy->k[sy->n].n = (uint32_t)kn;
    sy->v[sy->n].p = v;
    sy->v[sy->n].n = (uint32_t)vn;
    sy->num[sy->n] = num;
    sy->n++;
    sy->key_bits |= dd__key_bit(k, kn);
}
DD__PRIVATE int dd__sys_has(const dd__sys *sy, const char *k, size_t kn) {
    size_t i;
    if (!(sy->key_bits & dd__key_bit(k, kn))) return 0;
    for (i = 0; i < sy->n; i++)
        if (sy->k[i].n == kn && memcmp(sy->k[i].p, k, kn) == 0) return 1;
    return 0;
}
DD__PRIVATE int dd__tstr_eq(dd__tstr a, dd__tstr b) {
    return a.n == b.n && (a.n == 0 || a.p == b.p || memcmp(a.p, b.p, a.n) == 0);
}

/* The slow path of dd__enc_str: s is not valid UTF-8, each bad byte becomes U+FFFD. */
DD__PRIVATE DD__T_COLD void dd__enc_str_repaired(dd_tracer *t, dd__enc *e, const char *p, size_t n) {
    size_t need = dd__t_utf8_fixed_len((const unsigned char *)p, n);
    if (need > e->fix_cap) {
        char *f = (char *)dd__alloc(&t->alloc, need);
        if (!f) {
            dd_mp_write_str(&e->w, "", 0);
            return;
        }
        dd__free(&t->alloc, e->fix, e->fix_cap);
        e->fix = f;
        e->fix_cap = need;
    }
    dd__t_utf8_fix_copy(e->fix, (const unsigned char *)p, n);
    dd_mp_write_str(&e->w, e->fix, need);
}
DD__PRIVATE void dd__enc_str(dd_tracer *t, dd__enc *e, const char *p, size_t n) {
    if (dd__t_is_ascii(p, n) || dd__t_utf8_valid_prefix((const unsigned char *)p, n) == n)
        dd_mp_write_str(&e->w, p, n);
    else
        dd__enc_str_repaired(t, e, p, n);
}
/* The OR of a string's bytes, as words (dd__t_is_ascii without its final test): short strings
 * are two overlapping loads. */
DD__PRIVATE DD__T_HOT uint64_t dd__enc_or_bytes(const char *s, size_t n) {
    uint64_t a, b;
    if (n >= 8) {
        if (n > 16) return dd__t_is_ascii(s, n) ? 0 : UINT64_C(0x80);
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        return a | b;
    }
    if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        return x | y;
    }
    if (!n) return 0;
    return (unsigned char)s[0] | (unsigned char)s[n / 2] | (unsigned char)s[n - 1];
}
/* dd__enc_str at the cursor: a string checked (and repaired) as UTF-8 (docs/agent-protocol.md §2.2). */
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_vstr_slow(dd_tracer *t, dd__enc *e, const uint8_t *p, uint8_t **end, const char *s,
                                                  size_t n) {
    dd_mp_writer *w = &e->w;
    w->len = (size_t)(p - w->buf);
    dd__enc_str(t, e, s, n);
    *end = w->buf + w->cap;
    return w->error == DD_OK ? w->buf + w->len : NULL;
}
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_vstr(dd_tracer *t, dd__enc *e, uint8_t *p, uint8_t **end, const char *s,
                                            size_t n) {
    if (!(dd__enc_or_bytes(s, n) & UINT64_C(0x8080808080808080))) { /* most names, keys and values: copied */
        if (n > 0xffffffffu) return dd__enc_vstr_slow(t, e, p, end, s, n);
        if ((size_t)(*end - p) < n + 5 && !(p = dd__enc_grow(&e->w, p, n + 5, end))) return NULL;
        return dd__enc_strb(p, s, n);
    }
    return dd__enc_vstr_slow(t, e, p, end, s, n);
}
/* A span's name, service, resource or type: copied when the span noted it all ASCII (DD__SA_*),
 * else checked as dd__enc_vstr does. */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_field(dd_tracer *t, dd__enc *e, uint8_t *p, uint8_t **end, dd__tstr f,
                                             unsigned ascii) {
    if (!ascii) return dd__enc_vstr(t, e, p, end, f.p, f.n);
    if ((size_t)(*end - p) < (size_t)f.n + 5 && !(p = dd__enc_grow(&e->w, p, (size_t)f.n + 5, end))) return NULL;
    return dd__enc_strb(p, f.p, f.n);
}
/* A link's own attributes, in the order they were given (see dd__link's `attrs`). */
DD__PRIVATE void dd__enc_link_attrs(dd_tracer *t, dd__enc *e, const dd__link *k) {
    const char *p = k->attrs;
    uint32_t i, n;
    for (i = 0; i < k->n_attrs; i++) {
        memcpy(&n, p, 4);
        dd__enc_str(t, e, p + 4, n);
        p += 4 + n;
        memcpy(&n, p, 4);
        dd__enc_str(t, e, p + 4, n);
        p += 4 + n;
    }
}
/* span_links (docs/agent-protocol.md §2.4): trace_id, trace_id_high, span_id, then what is set.
 * Rare: through the writer's functions. */
#define DD__WKEY(w, lit) dd_mp_write_str((w), (lit), sizeof(lit) - 1)
DD__PRIVATE DD__T_COLD void dd__enc_links(dd_tracer *t, dd__enc *e, const dd_span *s) {
    dd_mp_writer *w = &e->w;
    const dd__link *k;
    uint32_t n = 0;
    /* the segment's list: no span of it is open (complete), or its lock is held (partial flush) */
    for (k = s->seg->links; k; k = k->next) n += k->owner == s;
    DD__WKEY(w, "span_links");
    dd_mp_write_array(w, n);
    for (k = s->seg->links; k; k = k->next) {
        if (k->owner != s) continue;
        uint32_t attrs = (k->reason_len ? 1u : 0u) + (k->ctx_headers_len ? 1u : 0u) + k->n_attrs;
        dd_mp_write_map(w, 3 + (attrs ? 1 : 0) + (k->tracestate_len ? 1 : 0) + (k->flags ? 1 : 0));
        DD__WKEY(w, "trace_id");
        dd_mp_write_u64(w, k->trace_id.lo);
        DD__WKEY(w, "trace_id_high");
        dd_mp_write_u64(w, k->trace_id.hi);
        DD__WKEY(w, "span_id");
        dd_mp_write_u64(w, k->span_id);
        if (attrs) {
            DD__WKEY(w, "attributes");
            dd_mp_write_map(w, attrs);
            if (k->reason_len) {
                DD__WKEY(w, "reason");
                dd__enc_str(t, e, k->reason, k->reason_len);
            }
            if (k->ctx_headers_len) {
                DD__WKEY(w, "context_headers");
                dd__enc_str(t, e, k->ctx_headers, k->ctx_headers_len);
            }
            dd__enc_link_attrs(t, e, k);
        }
        if (k->tracestate_len) {
            DD__WKEY(w, "tracestate");
            dd__enc_str(t, e, k->tracestate, k->tracestate_len);
        }
        if (k->flags) {
            DD__WKEY(w, "flags");
            dd_mp_write_u64(w, k->flags | UINT32_C(0x80000000));
        }
    }
}
#undef DD__WKEY

/* The trace-level meta of a chunk's first span (docs/agent-protocol.md §2.3): the propagated tags
 * as extracted, then what this tracer decided. */
DD__PRIVATE void dd__sys_first_meta(dd_tracer *t, dd__segment *seg, dd__sys *sy, char *scratch) {
    const char *p = seg->ptags.p, *end = seg->ptags.p + seg->ptags.n;
    while (p < end) {
        const char *comma = (const char *)memchr(p, ',', (size_t)(end - p)), *eq;
        if (!comma) comma = end;
        eq = (const char *)memchr(p, '=', (size_t)(comma - p));
        if (eq) dd__sys_add(sy, p, (size_t)(eq - p), eq + 1, (size_t)(comma - eq - 1), 0);
        p = comma + 1;
    }
    /* dm is set by a local keep only, or inherited as it came (whatever the priority) */
    if (seg->dm_len) dd__sys_add(sy, "_dd.p.dm", 8, seg->dm, seg->dm_len, 0);
    if (seg->ksr_len) dd__sys_add(sy, "_dd.p.ksr", 9, seg->ksr, seg->ksr_len, 0);
    if (seg->trace_id.hi) {
        dd__t_hex16(seg->trace_id.hi, scratch);
        dd__sys_add(sy, "_dd.p.tid", 9, scratch, 16, 0);
    }
    dd__sys_add(sy, "runtime-id", 10, t->runtime_id, 36, 0);
    if (t->report_hostname && t->hostname.n) dd__sys_add(sy, "_dd.hostname", 12, t->hostname.p, t->hostname.n, 0);
    if (seg->inject_error[0])
        dd__sys_add(sy, "_dd.propagation_error", 21, seg->inject_error, strlen(seg->inject_error), 0);
}
DD__PRIVATE void dd__sys_first_metrics(dd_tracer *t, dd__segment *seg, dd__sys *sy) {
    if (seg->priority != DD_PRIORITY_UNSET)
        dd__sys_add(sy, "_sampling_priority_v1", 21, NULL, 0, (double)seg->priority);
    dd__sys_add(sy, "process_id", 10, NULL, 0, (double)t->pid);
    if (seg->has_agent_rate) dd__sys_add(sy, "_dd.agent_psr", 13, NULL, 0, seg->agent_rate);
    if (seg->has_rule_rate) dd__sys_add(sy, "_dd.rule_psr", 12, NULL, 0, seg->rule_rate);
    if (seg->has_limit_rate) dd__sys_add(sy, "_dd.limit_psr", 13, NULL, 0, seg->limit_rate);
}

/* Whether a span tag may have one of the tracer's keys: the key summaries first, then, for a few
 * tracer keys, a lookup of each (the summaries of a span with many tags often meet by chance). */
DD__PRIVATE int dd__sys_clash(const dd__sys *sy, const dd_span *s) {
    size_t i;
    if (!(sy->key_bits & s->key_bits)) return 0;
    if (sy->n > 4) return 1;
    for (i = 0; i < sy->n; i++)
        if (dd__span_find(s, sy->k[i].p, sy->k[i].n)) return 1;
    return 0;
}
/* A tag with a string that is not ASCII: checked (and repaired) as UTF-8; out of line, so that
 * the copy loop stays small. */
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_tag_checked(dd_tracer *t, dd__enc *e, uint8_t *p, uint8_t **end,
                                                    const dd__tag *g) {
    if (!(p = dd__enc_vstr(t, e, p, end, DD__TAG_KEY(g), DD__TAG_KLEN(g)))) return NULL;
    if (g->kind == DD__TAG_META) return dd__enc_vstr(t, e, p, end, DD__TAG_VAL(g), DD__TAG_VLEN(g));
    if ((size_t)(*end - p) < 9 && !(p = dd__enc_grow(&e->w, p, 9, end))) return NULL;
    return dd__enc_f64(p, dd__tag_num(g));
}
/* A tag: copied as it is when ASCII (stored as it goes on the wire; a metric: its float64), else
 * checked by dd__enc_tag_checked. NULL after a write error. */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_tag(dd_tracer *t, dd__enc *e, uint8_t *p, uint8_t **end, const dd__tag *g) {
    size_t n;
    if (!(g->off & DD__TAG_ASCII)) return dd__enc_tag_checked(t, e, p, end, g);
    n = DD__TAG_WIRE_LEN_A(g);
    if ((size_t)(*end - p) < n && !(p = dd__enc_grow(&e->w, p, n, end))) return NULL;
    dd__mp_copy(p, DD__TAG_WIRE(g), n);
    return p + n;
}
/* Makes e's "language" entry for t (see dd__enc); 0 when it cannot be prepared. */
DD__PRIVATE int dd__enc_lang(dd__enc *e, const dd_tracer *t) {
    size_t n = t->language.n;
    if (e->lang_len && e->lang_p == t->language.p && e->lang_n == n) return 1;
    e->lang_len = 0;
    if (n >= 32 || !dd__t_is_ascii(t->language.p, n)) return 0;
    memcpy(e->lang, "\xa8language", 9);
    e->lang[9] = (uint8_t)(0xa0 | n);
    memcpy(e->lang + 10, t->language.p, n);
    e->lang_p = t->language.p;
    e->lang_n = n;
    e->lang_len = 10 + n;
    e->lang_bit = dd__key_bit("language", 8);
    return 1;
}

/* The room of start, duration and error with their keys, and of the "meta" key and its map header. */
#define DD__ENC_TIMES_ROOM (6 + 9 + 9 + 9 + 6 + 9 + 5 + 5)
/* The room of a span map's head: marker, trace_id, span_id and parent_id. */
#define DD__ENC_HEAD_ROOM 64
/* The room of the four strings' keys and headers. */
#define DD__ENC_STR_ROOM (4 * 5 + 5 + 8 + 9 + 5)
/* Room for n more bytes at the cursor, grown out of line: the cursor there, or NULL (the writer's
 * error is set). The caller sets its end again (w->buf + w->cap): no pointer to it escapes, so
 * that a loop keeps it in a register. */
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_more(dd_mp_writer *w, const uint8_t *p, size_t n) {
    w->len = (size_t)(p - w->buf);
    return dd__mp_grow(w, n);
}
/* DD__ROOM with dd__enc_more, `fail` after an error (return; or return NULL;). */
#define DD__LROOM(n, fail)                                                       \
    do {                                                                         \
        if ((size_t)(end - p) < (size_t)(n)) {                                   \
            if (!(p = dd__enc_more(w, p, (n)))) fail;                            \
            end = w->buf + w->cap;                                               \
        }                                                                        \
    } while (0)
/* A span map's entries up to the "meta" key (docs/agent-protocol.md §2.2): the map's marker, the
 * ids, the four strings (copied when the span noted them ASCII, else checked), start, duration
 * and error; one room check for all when the strings are ASCII. Returns the cursor (the buffer
 * ends at *endp), NULL after a write error. */
DD__PRIVATE DD__T_HOT uint8_t *dd__enc_head(dd_tracer *t, const dd__segment *seg, const dd_span *s, dd__enc *e,
                                            uint8_t **endp) {
    dd_mp_writer *w = &e->w;
    uint8_t *p, *end;
    int ascii = (s->ascii & DD__SA_ALL) == DD__SA_ALL;
    uint64_t pid = s->parent ? s->parent->span_id : seg->root_parent_id;
    if (w->error != DD_OK) return NULL;
    p = w->buf + w->len;
    end = w->buf + w->cap;
    DD__LROOM(DD__ENC_HEAD_ROOM
                  + (ascii ? (size_t)s->name_n + s->sty->service_n + s->resource_n + s->sty->type_n + DD__ENC_STR_ROOM
                                 + DD__ENC_TIMES_ROOM
                           : 0),
              return NULL);
    if (seg->trace_id.lo == e->hd_lo && e->hd_lo) { /* the chunk's other spans: its first's bytes */
        memcpy(p, e->hd, sizeof e->hd);
        if (s->has_links) *p = 0x8d;
        if (s->span_id > 0xffffffffu) { /* after the marker hd ends with */
            dd__mp_put_be(p + DD__ENC_HD_LEN + 1, s->span_id, 8);
            p += DD__ENC_HD_LEN + 9;
        } else {
            p = dd__enc_u64_small(p + DD__ENC_HD_LEN, s->span_id);
        }
    } else {
        *p++ = s->has_links ? 0x8d : 0x8c;
        p = DD__KEY(p, "trace_id");
        p = dd__enc_big(p, seg->trace_id.lo);
        p = DD__KEY(p, "span_id");
        if (seg->trace_id.lo > 0xffffffffu && seg->n_done > 1) { /* 9 bytes, as hd expects; others follow */
            memcpy(e->hd, p - DD__ENC_HD_LEN, sizeof e->hd);
            e->hd[0] = 0x8c;
            e->hd[DD__ENC_HD_LEN] = 0xcf;
            e->hd_lo = seg->trace_id.lo;
        }
        p = dd__enc_big(p, s->span_id);
    }
    if (pid > 0xffffffffu) { /* key and marker in one store, then the value */
        DD__KEYM(p, "\xa9" "parent_id\xcf\0\0\0\0\0");
        dd__mp_put_be(p + 11, pid, 8);
        p += 19;
    } else {
        p = DD__KEY(p, "parent_id");
        p = dd__enc_u64_small(p, pid);
    }
    if (ascii) { /* most spans: the four strings, in the room made above */
        const dd__sty *y = s->sty;
        p = DD__KEY(p, "name");
        p = dd__enc_strb(p, s->name, s->name_n);
        p = DD__KEY(p, "service");
        p = dd__enc_strb(p, y->service, y->service_n);
        p = DD__KEY(p, "resource");
        p = dd__enc_strb(p, s->resource, s->resource_n);
        p = DD__KEY(p, "type");
        p = dd__enc_strb(p, y->type, y->type_n);
    } else {
        DD__LROOM(5, return NULL);
        p = DD__KEY(p, "name");
        if (!(p = dd__enc_field(t, e, p, &end, DD__SSTR(s, name), s->ascii & DD__SA_NAME))) return NULL;
        DD__LROOM(8, return NULL);
        p = DD__KEY(p, "service");
        if (!(p = dd__enc_field(t, e, p, &end, DD__SVC(s), s->ascii & DD__SA_SERVICE))) return NULL;
        DD__LROOM(9, return NULL);
        p = DD__KEY(p, "resource");
        if (!(p = dd__enc_field(t, e, p, &end, DD__SSTR(s, resource), s->ascii & DD__SA_RESOURCE))) return NULL;
        DD__LROOM(5, return NULL);
        p = DD__KEY(p, "type");
        if (!(p = dd__enc_field(t, e, p, &end, DD__TYP(s), s->ascii & DD__SA_TYPE))) return NULL;
        DD__LROOM(DD__ENC_TIMES_ROOM, return NULL);
    }
    if ((uint64_t)s->start_ns - UINT64_C(0x100000000) < UINT64_C(0x7fffffff00000000)) { /* over 32 bits: Unix ns */
        DD__KEYM(p, "\xa5" "start\xcf\0");
        dd__mp_put_be(p + 7, (uint64_t)s->start_ns, 8);
        p += 15;
    } else {
        p = DD__KEY(p, "start");
        p = dd__enc_i64_cold(p, s->start_ns);
    }
    if ((uint64_t)s->u.f.duration - 0x10000u <= 0xffffffffu - 0x10000u) { /* 65 us to 71 min: the usual uint32 */
        DD__KEYM(p, "\xa8" "duration\xce\0\0\0\0\0\0");
        dd__mp_put_be(p + 10, (uint64_t)s->u.f.duration, 4);
        p += 14;
    } else {
        p = DD__KEY(p, "duration");
        p = dd__enc_i64_cold(p, s->u.f.duration);
    }
    /* error (0 or 1: a positive fixint) and the "meta" key */
    DD__KEYM(p, "\xa5" "error\0\xa4" "meta\0\0\0\0");
    p[6] = (uint8_t)s->error;
    p += 12;
    *endp = end;
    return p;
}
#define DD__ENC_MT_MAX 32 /* metric tags remembered by the meta walk (more: the metrics walk again) */
/* One span as a msgpack map (docs/agent-protocol.md §2.2): the keys in a fixed order, meta (the
 * tracer's own keys win, then the span's tags, then env/version/DD_TAGS) and metrics (float64
 * always, never float32 nor an integer). A map's count is known before its entries are written:
 * when no span tag has a tracer key it is a sum of counts; else, when the most it can be is under
 * 16, a one-byte header patched at the end; only otherwise a counting walk first. The tag walk for
 * meta also remembers the metric tags. Every span can take this way; most take the template's
 * (dd__encode_span), which writes the same bytes. */
DD__PRIVATE DD__T_COLD void dd__encode_span_full(dd_tracer *t, dd__segment *seg, const dd_span *s, int first,
                                                 dd__enc *e, char *scratch /* 17 bytes */) {
    dd_mp_writer *w = &e->w;
    dd__sys sy;
    const dd__tag *g;
    const dd__tag *mt[DD__ENC_MT_MAX];
    size_t i, count, n_mt = 0, hdr = 0; /* hdr: offset of a map header to patch (the buffer may move) */
    size_t lang;                           /* index of the prepared "language" entry in sy, or DD__SYS_MAX */
    uint8_t *p, *end;
    uint64_t gmask = 0;
    int clash, mt_ok = s->n_metrics <= DD__ENC_MT_MAX, env_ok = 0, version_ok = 0;
    int top_level = !s->parent || !dd__span_same_service(s, s->parent);
    int with_version = t->version.n && dd__tstr_eq(DD__SVC(s), t->service);

    if (!(p = dd__enc_head(t, seg, s, e, &end))) return;

    /* meta */
    sy.n = 0;
    sy.key_bits = 0;
    if (first) dd__sys_first_meta(t, seg, &sy, scratch);
    lang = sy.n < DD__SYS_MAX && dd__enc_lang(e, t) ? sy.n : DD__SYS_MAX; /* the prepared entry's index */
    if (lang < DD__SYS_MAX) { /* dd__sys_add with the key's bit known */
        sy.k[lang].p = "language";
        sy.k[lang].n = 8;
        sy.v[lang] = t->language;
        sy.n++;
        sy.key_bits |= e->lang_bit;
    } else {
        dd__sys_add(&sy, "language", 8, t->language.p, t->language.n, 0);
    }
    if (seg->origin.n) dd__sys_add(&sy, "_dd.origin", 10, seg->origin.p, seg->origin.n, 0);
    clash = dd__sys_clash(&sy, s); /* else no span tag has a tracer key */
    count = sy.n + s->n_meta;
    if (t->env.n && !dd__span_find(s, "env", 3) && !dd__sys_has(&sy, "env", 3)) env_ok = 1;
    if (with_version && !dd__span_find(s, "version", 7) && !dd__sys_has(&sy, "version", 7)) version_ok = 1;
    count += (size_t)env_ok + (size_t)version_ok;
    for (i = 0; i < t->n_global_tags; i++) {
        const dd__tkv *kv = &t->global_tags[i];
        if (!dd__span_find(s, kv->k.p, kv->k.n) && !dd__sys_has(&sy, kv->k.p, kv->k.n)) {
            count++;
            gmask |= (uint64_t)1 << i; /* at most DD__MAX_GLOBAL_TAGS (64) */
        }
    }
    if (clash && count >= 16) { /* the exact count first: span tags with a tracer key are left out */
        for (g = s->tags; g; g = g->next)
            if (g->kind == DD__TAG_META && dd__sys_has(&sy, DD__TAG_KEY(g), DD__TAG_KLEN(g))) count--;
    } else if (clash) {
        hdr = (size_t)(p - w->buf); /* at most 15: one byte, patched below */
    }
    p = dd__enc_map(p, count);
    for (i = 0; i < sy.n; i++) {
        if (i == lang) {
            DD__ROOM(sizeof e->lang);
            memcpy(p, e->lang, sizeof e->lang); /* a fixed size: two stores; e->lang_len count */
            p += e->lang_len;
            continue;
        }
        if (!(p = dd__enc_str_raw(w, p, &end, sy.k[i].p, sy.k[i].n))) return;
        if (!(p = dd__enc_vstr(t, e, p, &end, sy.v[i].p, sy.v[i].n))) return;
    }
    for (g = s->tags; g; g = g->next) {
        if (g->kind != DD__TAG_META) {
            if (g->kind == DD__TAG_METRIC && n_mt < DD__ENC_MT_MAX) mt[n_mt++] = g;
            continue;
        }
        if (clash && dd__sys_has(&sy, DD__TAG_KEY(g), DD__TAG_KLEN(g))) {
            if (hdr) count--;
            continue;
        }
        if (!(p = dd__enc_tag(t, e, p, &end, g))) return;
    }
    if (hdr) w->buf[hdr] = (uint8_t)(0x80 | count);
    if (env_ok) {
        DD__ROOM(4);
        p = DD__KEY(p, "env");
        if (!(p = dd__enc_str_raw(w, p, &end, t->env.p, t->env.n))) return;
    }
    if (version_ok) {
        DD__ROOM(8);
        p = DD__KEY(p, "version");
        if (!(p = dd__enc_str_raw(w, p, &end, t->version.p, t->version.n))) return;
    }
    for (i = 0; gmask && i < t->n_global_tags; i++) {
        const dd__tkv *kv = &t->global_tags[i];
        if (!(gmask >> i & 1)) continue;
        if (!(p = dd__enc_str_raw(w, p, &end, kv->k.p, kv->k.n))) return;
        if (!(p = dd__enc_str_raw(w, p, &end, kv->v.p, kv->v.n))) return;
    }

    /* metrics */
    sy.n = 0;
    sy.key_bits = 0;
    if (first) dd__sys_first_metrics(t, seg, &sy);
    if (top_level) dd__sys_add(&sy, "_dd.top_level", 13, NULL, 0, 1.0);
    if (s->measured) dd__sys_add(&sy, "_dd.measured", 12, NULL, 0, 1.0);
    if (s->ss_keep) { /* docs/sampling.md §10 */
        const dd__srule *r = &t->sampler.span_rules[s->ss_rule]; /* as dd__span_sampler_decide's verdict */
        dd__sys_add(&sy, "_dd.span_sampling.mechanism", 27, NULL, 0, (double)DD_SAMPLING_MECHANISM_SPAN_RULE);
        dd__sys_add(&sy, "_dd.span_sampling.rule_rate", 27, NULL, 0, r->rate);
        if (r->max_per_second > 0.0) dd__sys_add(&sy, "_dd.span_sampling.max_per_second", 32, NULL, 0, r->max_per_second);
    }
    clash = dd__sys_clash(&sy, s);
    count = sy.n + s->n_metrics;
    if (clash) { /* the exact count: metric tags with a tracer key are left out */
        for (g = mt_ok ? NULL : s->tags; g; g = g->next)
            if (g->kind == DD__TAG_METRIC && dd__sys_has(&sy, DD__TAG_KEY(g), DD__TAG_KLEN(g))) count--;
        for (i = 0; mt_ok && i < n_mt; i++)
            if (dd__sys_has(&sy, DD__TAG_KEY(mt[i]), DD__TAG_KLEN(mt[i]))) count--;
    }
    DD__ROOM(8 + 5);
    p = DD__KEY(p, "metrics");
    p = dd__enc_map(p, count);
    for (i = 0; i < sy.n; i++) {
        if (!(p = dd__enc_str_raw(w, p, &end, sy.k[i].p, sy.k[i].n))) return;
        DD__ROOM(9);
        p = dd__enc_f64(p, sy.num[i]);
    }
    /* the metric tags: remembered, or (more than DD__ENC_MT_MAX) found again */
    g = mt_ok ? (n_mt ? mt[0] : NULL) : s->tags;
    for (i = 0; g; g = mt_ok ? (++i < n_mt ? mt[i] : NULL) : g->next) {
        if (g->kind != DD__TAG_METRIC || (clash && dd__sys_has(&sy, DD__TAG_KEY(g), DD__TAG_KLEN(g)))) continue;
        if (!(p = dd__enc_tag(t, e, p, &end, g))) return;
    }
    w->len = (size_t)(p - w->buf);
    if (s->has_links) dd__enc_links(t, e, s);
}

/* The template of a span's map for tracer t (see dd__enc's tp_*): the entries the tracer adds to
 * every span's meta after its tags (env, version, DD_TAGS: written unchecked, as
 * dd__encode_span_full does), those of a chunk root (runtime-id, _dd.hostname) and the
 * process_id metric, as wire bytes. Made once per encoder and tracer, again after a fork (pid and
 * runtime-id change). Not usable (tp_ok 0) when a part is not as dd__encode_span_full would write
 * it from constant bytes: the language not short ASCII, a hostname not ASCII, a DD_TAGS key that
 * is one of the tracer's own meta keys (dd__encode_span_full leaves it out where that key is
 * written), or more than DD__ENC_TPL_MAX bytes. */
DD__PRIVATE DD__T_COLD void dd__enc_template(dd__enc *e, const dd_tracer *t) {
    static const char *const own[] = {"language", "_dd.origin", "_dd.p.dm", "_dd.p.ksr", "_dd.p.tid", "runtime-id",
                                      "_dd.hostname", "_dd.propagation_error"};
    uint8_t *b = e->tp_buf;
    size_t n = 0, need = 128 + (size_t)t->env.n + t->version.n, i, j;
    double pid = (double)t->pid;
    uint64_t bits;
    int host = t->report_hostname && t->hostname.n;
    e->tp_t = t;
    e->tp_gen = t->fork_generation;
    e->tp_ok = 0;
    if (!dd__enc_lang(e, t)) return;
    if (host) {
        if (!dd__t_is_ascii(t->hostname.p, t->hostname.n)) return;
        need += t->hostname.n;
    }
    for (i = 0; i < t->n_global_tags; i++) {
        const dd__tkv *kv = &t->global_tags[i];
        for (j = 0; j < sizeof own / sizeof own[0]; j++)
            if (kv->k.n == strlen(own[j]) && memcmp(kv->k.p, own[j], kv->k.n) == 0) return;
        need += (size_t)kv->k.n + kv->v.n + 10;
    }
    if (need > DD__ENC_TPL_MAX) return;
    bits = e->lang_bit;
    e->tp_n_tail = 0;
    if (t->env.n) {
        b[n++] = 0xa3;
        memcpy(b + n, "env", 3);
        n = (size_t)(dd__enc_strb(b + n + 3, t->env.p, t->env.n) - b);
        bits |= dd__key_bit("env", 3);
        e->tp_n_tail++;
    }
    e->tp_ver = (uint32_t)n;
    e->tp_bits_ver = 0;
    if (t->version.n) {
        b[n++] = 0xa7;
        memcpy(b + n, "version", 7);
        n = (size_t)(dd__enc_strb(b + n + 7, t->version.p, t->version.n) - b);
        e->tp_bits_ver = dd__key_bit("version", 7);
    }
    e->tp_glob = (uint32_t)n;
    for (i = 0; i < t->n_global_tags; i++) {
        const dd__tkv *kv = &t->global_tags[i];
        n = (size_t)(dd__enc_strb(b + n, kv->k.p, kv->k.n) - b);
        n = (size_t)(dd__enc_strb(b + n, kv->v.p, kv->v.n) - b);
        bits |= dd__key_bit(kv->k.p, kv->k.n);
        e->tp_n_tail++;
    }
    e->tp_tail = (uint32_t)n;
    b[n++] = 0xaa;
    memcpy(b + n, "runtime-id", 10);
    n = (size_t)(dd__enc_strb(b + n + 10, t->runtime_id, 36) - b);
    e->tp_n_first = 1;
    if (host) {
        b[n++] = 0xac;
        memcpy(b + n, "_dd.hostname", 12);
        n = (size_t)(dd__enc_strb(b + n + 12, t->hostname.p, t->hostname.n) - b);
        e->tp_n_first++;
    }
    e->tp_first = (uint32_t)n;
    e->tp_bits = bits;
    /* a chunk root's own keys (dd__sys_first_meta, dd__sys_first_metrics), whether present or not */
    e->tp_bits_first = dd__key_bit("_dd.p.dm", 8) | dd__key_bit("_dd.p.ksr", 9) | dd__key_bit("_dd.p.tid", 9)
                       | dd__key_bit("runtime-id", 10) | dd__key_bit("_dd.hostname", 12)
                       | dd__key_bit("_sampling_priority_v1", 21) | dd__key_bit("process_id", 10)
                       | dd__key_bit("_dd.agent_psr", 13) | dd__key_bit("_dd.rule_psr", 12)
                       | dd__key_bit("_dd.limit_psr", 13);
    e->tp_any = bits | e->tp_bits_ver | dd__key_bit("_dd.origin", 10) | dd__key_bit("_dd.top_level", 13);
    e->tp_any_first = e->tp_any | e->tp_bits_first;
    dd__enc_f64(e->tp_pid, pid);
    e->tp_ok = 1;
}

/* A float64 1.0, the value of _dd.top_level and _dd.measured. */
#define DD__ENC_F64_ONE "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"
/* The room of a chunk root's meta entries before language: _dd.p.tid, runtime-id, _dd.hostname
 * (the template's bytes after its tail), language. */
#define DD__ENC_ROOT_META_ROOM(e) (10 + 17 + (size_t)((e)->tp_first - (e)->tp_tail) + sizeof(e)->lang)
/* The room of the metrics key, its map header and the tracer's metrics. */
#define DD__ENC_METRICS_ROOM (8 + 5 + 22 + 9 + 11 + 9 + 3 * (14 + 9) + 14 + 9 + 13 + 9)
/* dd__enc_vstr and dd__enc_tag_checked at a cursor whose buffer ends at w->buf + w->cap, out of
 * line: dd__encode_span_tpl's own end is then a local that no pointer reaches (kept in a register). */
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_vstr_at(dd_tracer *t, dd__enc *e, uint8_t *p, const char *s, size_t n) {
    uint8_t *end = e->w.buf + e->w.cap;
    return dd__enc_vstr(t, e, p, &end, s, n);
}
DD__PRIVATE DD__T_COLD uint8_t *dd__enc_tag_checked_at(dd_tracer *t, dd__enc *e, uint8_t *p, const dd__tag *g) {
    uint8_t *end = e->w.buf + e->w.cap;
    return dd__enc_tag_checked(t, e, p, &end, g);
}
/* dd__enc_vstr at the cursor of dd__encode_span_tpl (an ASCII string inline). */
#define DD__TVSTR(str, len)                                                              \
    do {                                                                                 \
        if (!(dd__enc_or_bytes((str), (len)) & DD__T_NOT_ASCII)) { /* len: a uint32_t */  \
            DD__LROOM((size_t)(len) + 5, return);                                        \
            p = dd__enc_strb(p, (str), (len));                                           \
        } else {                                                                         \
            if (!(p = dd__enc_vstr_at(t, e, p, (str), (len)))) return;                   \
            end = w->buf + w->cap;                                                       \
        }                                                                                \
    } while (0)
/* A tag at the cursor of dd__encode_span_tpl: copied as it is when ASCII, else checked. */
#define DD__TTAG(g)                                                          \
    do {                                                                     \
        if ((g)->off & DD__TAG_ASCII) {                                      \
            size_t n_ = DD__TAG_WIRE_LEN_A(g);                               \
            DD__LROOM(n_, return);                                           \
            dd__enc_copy(p, DD__TAG_WIRE(g), n_);                            \
            p += n_;                                                         \
        } else {                                                             \
            if (!(p = dd__enc_tag_checked_at(t, e, p, (g)))) return;         \
            end = w->buf + w->cap;                                           \
        }                                                                    \
    } while (0)
/* dd__encode_span_full's bytes for a span none of whose tags has a key of the tracer's entries
 * (the caller checked the key bits): every count is a sum, the tracer's entries are the template's
 * bytes or written in place. Not for a span with non-ASCII name/service/resource/type, single-span
 * sampling, a chunk root with propagated tags or an injection error (dd__encode_span). */
DD__PRIVATE DD__T_HOT void dd__encode_span_tpl(dd_tracer *t, dd__segment *seg, const dd_span *s, int first,
                                               dd__enc *e, int top_level, int with_version) {
    dd_mp_writer *w = &e->w;
    const dd__tag *g;
    const dd__tag *mt[DD__ENC_MT_MAX];
    size_t i, n_mt = 0;
    uint8_t *p, *end;
    if (!(p = dd__enc_head(t, seg, s, e, &end))) return;
    /* meta: [the chunk root's], language, [_dd.origin], the tags, [env], [version], [DD_TAGS] */
    p = dd__enc_map(p, (size_t)s->n_meta + 1 + (seg->origin.n ? 1 : 0) + e->tp_n_tail + (size_t)with_version
                           + (first ? (seg->dm_len ? 1 : 0) + (seg->ksr_len ? 1 : 0) + (seg->trace_id.hi ? 1 : 0)
                                          + e->tp_n_first
                                    : 0));
    if (first) {
        if (seg->dm_len) {
            DD__LROOM(9, return);
            p = DD__KEY(p, "_dd.p.dm");
            DD__TVSTR(seg->dm, seg->dm_len);
        }
        if (seg->ksr_len) {
            DD__LROOM(10, return);
            p = DD__KEY(p, "_dd.p.ksr");
            DD__TVSTR(seg->ksr, seg->ksr_len);
        }
        DD__LROOM(DD__ENC_ROOT_META_ROOM(e), return);
        if (seg->trace_id.hi) { /* 16 hex digits (a fixstr), made again when the second changed */
            if (seg->trace_id.hi != e->tid_hi) {
                dd__t_hex16(seg->trace_id.hi, e->tid_hex);
                e->tid_hi = seg->trace_id.hi;
            }
            p = DD__KEY(p, "_dd.p.tid");
            *p++ = 0xb0;
            memcpy(p, e->tid_hex, 16);
            p += 16;
        }
        dd__enc_copy(p, (const char *)e->tp_buf + e->tp_tail, e->tp_first - e->tp_tail);
        p += e->tp_first - e->tp_tail;
    } else {
        DD__LROOM(sizeof e->lang, return);
    }
    memcpy(p, e->lang, sizeof e->lang); /* a fixed size: two stores; e->lang_len count */
    p += e->lang_len;
    if (seg->origin.n) {
        DD__LROOM(11, return);
        p = DD__KEY(p, "_dd.origin");
        DD__TVSTR(seg->origin.p, seg->origin.n);
    }
    for (g = s->tags; g; g = g->next) {
        if (g->kind == DD__TAG_META) {
            DD__TTAG(g);
        } else if (g->kind == DD__TAG_METRIC && n_mt < DD__ENC_MT_MAX) {
            mt[n_mt++] = g;
        }
    }
    if (e->tp_tail) {
        DD__LROOM(e->tp_tail, return);
        if (with_version) {
            memcpy(p, e->tp_buf, e->tp_tail);
            p += e->tp_tail;
        } else {
            memcpy(p, e->tp_buf, e->tp_ver);
            p += e->tp_ver;
            memcpy(p, e->tp_buf + e->tp_glob, e->tp_tail - e->tp_glob);
            p += e->tp_tail - e->tp_glob;
        }
    }
    /* metrics: [the chunk root's], [_dd.top_level], [_dd.measured], the metric tags */
    DD__LROOM(DD__ENC_METRICS_ROOM, return);
    p = DD__KEY(p, "metrics");
    p = dd__enc_map(p, (size_t)s->n_metrics + (size_t)top_level + s->measured
                           + (first ? (seg->priority != DD_PRIORITY_UNSET ? 1 : 0) + 1 + (size_t)seg->has_agent_rate
                                          + (size_t)seg->has_rule_rate + (size_t)seg->has_limit_rate
                                    : 0));
    if (first) {
        if (seg->priority != DD_PRIORITY_UNSET) {
            p = DD__KEY(p, "_sampling_priority_v1");
            p = dd__enc_f64(p, (double)seg->priority);
        }
        p = DD__KEY(p, "process_id");
        memcpy(p, e->tp_pid, 9);
        p += 9;
        if (seg->has_agent_rate) {
            p = DD__KEY(p, "_dd.agent_psr");
            p = dd__enc_f64(p, seg->agent_rate);
        }
        if (seg->has_rule_rate) {
            p = DD__KEY(p, "_dd.rule_psr");
            p = dd__enc_f64(p, seg->rule_rate);
        }
        if (seg->has_limit_rate) {
            p = DD__KEY(p, "_dd.limit_psr");
            p = dd__enc_f64(p, seg->limit_rate);
        }
    }
    if (top_level) {
        p = DD__KEY(p, "_dd.top_level");
        memcpy(p, DD__ENC_F64_ONE, 9);
        p += 9;
    }
    if (s->measured) {
        p = DD__KEY(p, "_dd.measured");
        memcpy(p, DD__ENC_F64_ONE, 9);
        p += 9;
    }
    if (s->n_metrics <= DD__ENC_MT_MAX) {
        for (i = 0; i < n_mt; i++) DD__TTAG(mt[i]);
    } else {
        for (g = s->tags; g; g = g->next)
            if (g->kind == DD__TAG_METRIC) DD__TTAG(g);
    }
    w->len = (size_t)(p - w->buf);
    if (s->has_links) dd__enc_links(t, e, s);
}
#undef DD__TTAG
#undef DD__TVSTR
#undef DD__ENC_ROOT_META_ROOM
#undef DD__ENC_METRICS_ROOM

/* One span (see dd__encode_span_full), from the template when its tags cannot meet the tracer's
 * entries: the key bits of the entries this span gets (language, env, version, DD_TAGS, and as
 * they apply _dd.origin, _dd.top_level, _dd.measured and a chunk root's keys) do not meet the
 * span's. Then no tag is left out and no tracer entry either, and every count is a sum. Most
 * spans pass on the union of those bits (tp_any, and _dd.measured when set: a metric tag of that
 * name is common); the others have the exact set checked. */
DD__PRIVATE void dd__encode_span(dd_tracer *t, dd__segment *seg, const dd_span *s, int first, dd__enc *e,
                                 char *scratch /* 17 bytes */) {
    int top_level, with_version;
    uint64_t bits;
    if (e->tp_t != t || e->tp_gen != t->fork_generation) dd__enc_template(e, t);
    if (!e->tp_ok || (s->ascii & DD__SA_ALL) != DD__SA_ALL || s->ss_keep
        || (first && (seg->ptags.n || seg->inject_error[0]))) {
        dd__encode_span_full(t, seg, s, first, e, scratch);
        return;
    }
    top_level = !s->parent || !dd__span_same_service(s, s->parent);
    with_version = t->version.n && dd__tstr_eq(DD__SVC(s), t->service);
    bits = (first ? e->tp_any_first : e->tp_any) | (s->measured ? dd__key_bit("_dd.measured", 12) : 0);
    if (s->key_bits & bits) { /* the exact set */
        bits = e->tp_bits | (with_version ? e->tp_bits_ver : 0);
        if (seg->origin.n) bits |= dd__key_bit("_dd.origin", 10);
        if (top_level) bits |= dd__key_bit("_dd.top_level", 13);
        if (s->measured) bits |= dd__key_bit("_dd.measured", 12);
        if (first) bits |= e->tp_bits_first;
        if (s->key_bits & bits) {
            dd__encode_span_full(t, seg, s, first, e, scratch);
            return;
        }
    }
    dd__encode_span_tpl(t, seg, s, first, e, top_level, with_version);
}
#undef DD__ENC_F64_ONE
#undef DD__LROOM
#undef DD__KEY
#undef DD__ROOM

/*--- client-side stats (docs/stats.md) ---*/
/* Owns the DDSketch (logarithmic mapping, gamma = 1.01/0.99, bins floor(ln v / ln gamma); a dense
 * store of at most 2048 bins that collapses the lowest; its protobuf form), the concentrator
 * (eligible spans of a completed chunk, aggregated per 10 s bucket and key, every table
 * bounded), the /v0.6/stats payload, the /info reader and the client-side P0 drop rule.
 * Aggregation runs under the tracer lock (dd__finish); a stats pass (the worker, a flush,
 * shutdown) detaches the due buckets under the lock, encodes and sends them off it while it
 * holds t->flushing (so one transport call at a time), and gives them back for reuse: in steady
 * state nothing is allocated. */
DD__PRIVATE int64_t dd__now(void);
DD__PRIVATE void dd__tlog_payload(const dd_tracer *t, const uint8_t *body, size_t len);
/* ASCII case-insensitive comparison of n bytes with a lower-case literal. */
DD__PRIVATE int dd__stats_ieq_n(const char *a, const char *lower, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != lower[i]) return 0;
    }
    return 1;
}
#define DD__SK_BINS_MAX 2048          /* bins of one sketch (collapsing the lowest beyond)        */
#define DD__SK_GAMMA 1.0202020202020202 /* (1 + 0.01) / (1 - 0.01): relative accuracy 1 %         */
#define DD__STATS_BUCKET_NS INT64_C(10000000000) /* 10 s buckets                                  */
#define DD__STATS_BUCKETS_MAX 6       /* buckets held (two pending, future ones); then counted drop */
#define DD__STATS_KEYS_MAX 7000       /* keys per bucket (libdatadog's cap); then the overflow key */
#define DD__STATS_TEXT_MAX (4u << 20) /* key text per bucket; then the overflow key               */
#define DD__STATS_BIN_BYTES_MAX (16u << 20) /* sketch bins per bucket; then a sketch collapses     */
#define DD__STATS_PEER_MAX 512        /* bytes of one span's peer tags (key:value, length-prefixed) */
#define DD__STATS_PEER_KEYS_MAX 32    /* /info peer_tags keys kept                                 */
#define DD__STATS_PEER_TEXT 1024      /* and their bytes                                           */
#define DD__INFO_BODY_MAX (1u << 20)  /* a bigger /info answer is ignored (as dd-trace-go)         */
#define DD__INFO_PERIOD_NS INT64_C(30000000000) /* /info again after 30 s (on a delivery pass)     */
#define DD__STATS_NSTR 10 /* service, name, resource, type, span.kind, peer tags, http.method,
                             http.endpoint, grpc code, _dd.svc_src */
#define DD__STATS_KINDS_MAX 8         /* /info span_kinds_stats_computed entries kept               */
#define DD__STATS_KIND_LEN 16         /* and their bytes (each, with the NUL)                      */
#define DD__STATS_BLOCKED "tracer_blocked_value"
#define DD__FILTER_LISTS 5     /* /info trace filters: ignore_resources, filter_tags.require, .reject,
                                  filter_tags_regex.require, .reject (docs/stats.md §2)          */
#define DD__FILTER_MAX 32      /* entries kept per list; the rest are left out (counted, logged)   */
#define DD__FILTER_LEN 255     /* bytes of one entry (a longer one is left out)                  */
#define DD__FILTER_TEXT 4096   /* bytes of all entries                                           */
#define DD__STATS_ADD_KEYS 4   /* DD_TRACE_STATS_ADDITIONAL_TAGS keys kept (sorted; libdatadog's cap) */
#define DD__STATS_ADD_KEY_LEN 64 /* bytes of one such key (a longer one is left out)              */
#define DD__STATS_ADD_VALUE_CHARS 200 /* a longer value becomes tracer_blocked_value             */
#define DD__STATS_ADD_SETS 100 /* distinct additional-tag sets per bucket; then tracer_blocked_value */
#define DD__STATS_ADD_FLAG 0x8000u /* in an entry's 2-byte length: an additional tag, not a peer tag */
#define DD__STATS_KEYBUF (DD__STATS_PEER_MAX + DD__STATS_ADD_KEYS * (2 + DD__STATS_ADD_KEY_LEN + 1 + 4 * DD__STATS_ADD_VALUE_CHARS))
#define DD__AGENT_STATE_LEN 64 /* bytes of a Datadog-Agent-State value kept (a SHA-256 in hex)     */
typedef char dd__stats_nstr_even[DD__STATS_NSTR % 2 == 0 ? 1 : -1]; /* dd__stats_key_eq reads lengths in pairs */

/* A dense store: counts of bins [lo, lo + n), bins[] holds cap slots. Counts are exact integers. */
typedef struct dd__sketch {
    uint64_t *bins;
    uint32_t n, cap;
    int32_t lo;
    uint64_t zero; /* values too small to index (durations of 0 ns) */
} dd__sketch;

/* ln(v) for v > 0 without libm: v = m * 2^e, ln m = 2 atanh((m - 1) / (m + 1)) by its series
 * (|z| <= 0.172, so 11 terms reach double precision). */
DD__PRIVATE double dd__sk_ln(double v) {
    uint64_t b;
    static const double inv_odd[10] = {1.0, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19};
    double m, z, z2, sum;
    int e, k;
    memcpy(&b, &v, sizeof b);
    e = (int)((b >> 52) & 0x7ff) - 1023;
    b = (b & UINT64_C(0x000fffffffffffff)) | UINT64_C(0x3ff0000000000000);
    memcpy(&m, &b, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    z = (m - 1.0) / (m + 1.0);
    z2 = z * z;
    /* z (1 + z^2/3 + z^4/5 + ... + z^20/21), Horner */
    sum = 1.0 / 21;
    for (k = 9; k >= 0; k--) sum = sum * z2 + inv_odd[k];
    sum *= z;
    return 2.0 * sum + (double)e * 0.69314718055994530942;
}
/* The bin of v >= 1 (durations in ns; smaller values go to the zero count): floor(log_gamma v). */
DD__PRIVATE int32_t dd__sk_index(double v) {
    static const double mult = 49.99833328888678; /* 1 / ln(gamma) */
    double x = dd__sk_ln(v) * mult;
    int32_t i = (int32_t)x;
    if ((double)i > x) i--;
    return i;
}

/* The same bins by table for integer durations below 2^40 ns (18 minutes), a few instructions
 * instead of a logarithm. lower[i] is the smallest integer of bin i (dd__sk_index's own answer,
 * found once at start), so for such v the table gives exactly dd__sk_index's bin: dd__sk_index
 * is monotonic there (adjacent integers differ by 1/v > 1e-12 in ln, far above its error), and
 * tests/stats_test.c compares both on every boundary and on random values. */
#define DD__SK_FAST_LIMIT (UINT64_C(1) << 40)
#define DD__SK_FAST_BINS 1390 /* > dd__sk_index(2^40) + 1 (1386) */
typedef struct dd__sk_fast {
    int ok;                               /* the tables are filled (else dd__sk_index for v >= 256) */
    uint64_t lower[DD__SK_FAST_BINS];     /* smallest integer of bin i (a bin holding none: the next's) */
    uint16_t small[256];                  /* the bin of v < 256 */
    uint16_t sub[32 * 128];               /* the bin of the lowest integer of each 1/128 of [2^e, 2^(e+1)), e = 8..39 */
} dd__sk_fast;
DD__PRIVATE void dd__sk_fast_init(dd__sk_fast *f) {
    int32_t i, imax = dd__sk_index((double)(DD__SK_FAST_LIMIT - 1));
    uint64_t v;
    double g = 1.0;
    int e, m;
    f->ok = 0;
    f->small[0] = 0; /* unused: 0 ns goes to the zero count */
    for (v = 1; v < 256; v++) f->small[v] = (uint16_t)dd__sk_index((double)v);
    if (imax + 2 > DD__SK_FAST_BINS) return;
    f->lower[0] = 1;
    for (i = 1; i <= imax; i++) { /* from gamma^i (rounding drifts a little), then exact */
        g *= DD__SK_GAMMA;
        v = (uint64_t)g;
        if (v < f->lower[i - 1]) v = f->lower[i - 1];
        while (v > f->lower[i - 1] && dd__sk_index((double)(v - 1)) >= i) v--;
        while (dd__sk_index((double)v) < i) v++;
        f->lower[i] = v;
    }
    f->lower[imax + 1] = DD__SK_FAST_LIMIT; /* above every v the table serves */
    for (e = 8; e < 40; e++)
        for (m = 0; m < 128; m++) f->sub[(e - 8) * 128 + m] = (uint16_t)dd__sk_index((double)((uint64_t)(128 + m) << (e - 7)));
    f->ok = 1;
}
/* The bin of an integer duration v >= 1 (as dd__sk_index((double)v)). A 1/128 slice of an octave
 * is narrower than a bin (2 %), so the slice's first bin is v's bin or the one before. */
DD__PRIVATE DD__T_HOT int32_t dd__sk_bin(const dd__sk_fast *f, uint64_t v) {
    int32_t i;
    int e;
    if (v < 256) return f->small[v];
    if (v >= DD__SK_FAST_LIMIT || !f->ok) return dd__sk_index((double)v);
#if defined(__GNUC__)
    e = 63 - __builtin_clzll((unsigned long long)v);
#else
    for (e = 8; v >> (e + 1); e++) continue;
#endif
    i = f->sub[((e - 8) << 7) | (int)((v >> (e - 7)) & 127)];
    while (v >= f->lower[i + 1]) i++;
    return i;
}

/* Room for `want` bins; bin memory counts against *budget. 0, or -1 (no room: the caller
 * collapses instead). */
DD__PRIVATE int dd__sk_reserve(dd_tracer *t, dd__sketch *k, uint32_t want, uint64_t *budget) {
    uint32_t cap = k->cap ? k->cap : 8;
    uint64_t *nb;
    if (want <= k->cap) return 0;
    while (cap < want) cap *= 2;
    if (cap > DD__SK_BINS_MAX) cap = DD__SK_BINS_MAX;
    if (*budget + (uint64_t)(cap - k->cap) * 8 > DD__STATS_BIN_BYTES_MAX) return -1;
    nb = (uint64_t *)dd__alloc(&t->alloc, (size_t)cap * 8);
    if (!nb) return -1;
    if (k->n) memcpy(nb, k->bins, (size_t)k->n * 8);
    dd__free(&t->alloc, k->bins, (size_t)k->cap * 8);
    *budget += (uint64_t)(cap - k->cap) * 8;
    k->bins = nb;
    k->cap = cap;
    return 0;
}

/* Counts one value of bin i. The store keeps at most DD__SK_BINS_MAX bins: the lowest are merged
 * into the lowest kept one (as sketches-go's collapsing-lowest dense store). The usual case, a
 * bin inside the window, is inlined into the caller. */
DD__PRIVATE void dd__sk_insert_slow(dd_tracer *t, dd__sketch *k, int32_t i, uint64_t *budget);
DD__PRIVATE DD__T_HOT void dd__sk_insert(dd_tracer *t, dd__sketch *k, int32_t i, uint64_t *budget) {
    if (k->n && i >= k->lo && i < k->lo + (int32_t)k->n) k->bins[i - k->lo]++;
    else dd__sk_insert_slow(t, k, i, budget);
}
/* Adds one value (a duration in ns): bin floor(log_gamma v), or the zero count below 1. */
DD__PRIVATE void dd__sk_add(dd_tracer *t, dd__sketch *k, double v, uint64_t *budget) {
    if (!(v >= 1.0)) k->zero++;
    else dd__sk_insert(t, k, dd__sk_index(v), budget);
}
DD__PRIVATE void dd__sk_insert_slow(dd_tracer *t, dd__sketch *k, int32_t i, uint64_t *budget) {
    int32_t hi;
    uint32_t want;
    if (!k->n) {
        if (dd__sk_reserve(t, k, 1, budget) != 0) {
            k->zero++; /* no memory at all: still counted */
            return;
        }
        k->lo = i;
        k->n = 1;
        k->bins[0] = 1;
        return;
    }
    hi = k->lo + (int32_t)k->n - 1;
    if (i >= k->lo && i <= hi) {
        k->bins[i - k->lo]++;
        return;
    }
    if (i > hi) {
        want = (uint32_t)(i - k->lo) + 1;
        if (want > DD__SK_BINS_MAX) { /* collapse the lowest bins so that i is the highest */
            uint32_t drop = want - DD__SK_BINS_MAX, j;
            uint64_t sum = 0;
            if (drop >= k->n) {
                for (j = 0; j < k->n; j++) sum += k->bins[j];
                k->lo = i - (DD__SK_BINS_MAX - 1);
                k->bins[0] = sum;
                k->n = 1;
            } else {
                for (j = 0; j <= drop; j++) sum += k->bins[j];
                memmove(k->bins + 1, k->bins + drop + 1, (size_t)(k->n - drop - 1) * 8);
                k->bins[0] = sum;
                k->lo += (int32_t)drop;
                k->n -= drop;
            }
            want = (uint32_t)(i - k->lo) + 1;
        }
        if (dd__sk_reserve(t, k, want, budget) != 0) {
            k->bins[k->n - 1]++; /* no room to grow: the nearest bin */
            return;
        }
        while (k->n < want) k->bins[k->n++] = 0;
        k->bins[k->n - 1]++;
        return;
    }
    /* i < lo */
    want = (uint32_t)(hi - i) + 1;
    if (want > DD__SK_BINS_MAX || dd__sk_reserve(t, k, want, budget) != 0) {
        k->bins[0]++; /* below the window: collapsed into the lowest bin */
        return;
    }
    memmove(k->bins + (k->lo - i), k->bins, (size_t)k->n * 8);
    memset(k->bins, 0, (size_t)(k->lo - i) * 8);
    k->bins[0] = 1;
    k->n = want;
    k->lo = i;
}

DD__PRIVATE size_t dd__pb_varint_len(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}
DD__PRIVATE size_t dd__pb_varint(uint8_t *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}
DD__PRIVATE size_t dd__pb_double(uint8_t *p, double d) { /* protobuf doubles are little-endian */
    uint64_t b;
    int i;
    memcpy(&b, &d, sizeof b);
    for (i = 0; i < 8; i++) p[i] = (uint8_t)(b >> (8 * i));
    return 8;
}
/* The encoded size of the sketch as a DDSketch protobuf message. */
DD__PRIVATE size_t dd__sk_proto_len(const dd__sketch *k) {
    size_t n = 11 + 2 + 2; /* mapping, empty negative store, positive store header (empty) */
    if (k->n) {
        uint32_t zz = ((uint32_t)k->lo << 1) ^ (k->lo < 0 ? 0xffffffffu : 0u); /* sint32 zig-zag */
        size_t inner = 1 + dd__pb_varint_len((uint64_t)k->n * 8) + (size_t)k->n * 8;
        if (k->lo) inner += 1 + dd__pb_varint_len(zz);
        n += dd__pb_varint_len(inner) - 1 + inner;
    }
    if (k->zero) n += 9;
    return n;
}
/* Writes the DDSketch message (docs/stats.md §4) into p (dd__sk_proto_len bytes): fields in
 * number order, proto3 zero values left out, both stores always present, bins as packed
 * contiguousBinCounts from the lowest to the highest non-empty bin. Returns the bytes written. */
DD__PRIVATE size_t dd__sk_proto(const dd__sketch *k, uint8_t *p) {
    size_t o = 0;
    uint32_t j;
    p[o++] = 0x0a; /* 1: mapping */
    p[o++] = 0x09;
    p[o++] = 0x09; /* 1: gamma (double); indexOffset 0 and interpolation NONE are omitted */
    o += dd__pb_double(p + o, DD__SK_GAMMA);
    p[o++] = 0x12; /* 2: positiveValues */
    if (!k->n) {
        p[o++] = 0;
    } else {
        uint32_t zz = ((uint32_t)k->lo << 1) ^ (k->lo < 0 ? 0xffffffffu : 0u); /* sint32 zig-zag */
        size_t inner = 1 + dd__pb_varint_len((uint64_t)k->n * 8) + (size_t)k->n * 8;
        if (k->lo) inner += 1 + dd__pb_varint_len(zz);
        o += dd__pb_varint(p + o, inner);
        p[o++] = 0x12; /* 2: contiguousBinCounts, packed */
        o += dd__pb_varint(p + o, (uint64_t)k->n * 8);
        for (j = 0; j < k->n; j++) o += dd__pb_double(p + o, (double)k->bins[j]);
        if (k->lo) {
            p[o++] = 0x18; /* 3: contiguousBinIndexOffset */
            o += dd__pb_varint(p + o, zz);
        }
    }
    p[o++] = 0x1a; /* 3: negativeValues, empty */
    p[o++] = 0;
    if (k->zero) {
        p[o++] = 0x21; /* 4: zeroCount */
        o += dd__pb_double(p + o, (double)k->zero);
    }
    return o;
}
/* Writes the sketch as a msgpack bin into w: the header, then the message in place. */
DD__PRIVATE void dd__sk_write(dd_mp_writer *w, const dd__sketch *k) {
    size_t n = dd__sk_proto_len(k);
    uint8_t h[5], *p;
    if (n <= 0xff) {
        h[0] = 0xc4, h[1] = (uint8_t)n;
        dd_mp_write_raw(w, h, 2);
    } else if (n <= 0xffff) {
        h[0] = 0xc5, h[1] = (uint8_t)(n >> 8), h[2] = (uint8_t)n;
        dd_mp_write_raw(w, h, 3);
    } else {
        h[0] = 0xc6, h[1] = (uint8_t)(n >> 24), h[2] = (uint8_t)(n >> 16), h[3] = (uint8_t)(n >> 8), h[4] = (uint8_t)n;
        dd_mp_write_raw(w, h, 5);
    }
    p = dd__mp_room(w, n);
    if (p) w->len += dd__sk_proto(k, p);
}

/* One aggregation key and its figures (ClientGroupedStats). Strings live in the bucket's text. */
typedef struct dd__sgroup {
    uint64_t hash;
    uint32_t off[DD__STATS_NSTR], len[DD__STATS_NSTR]; /* the key's strings in the bucket's text */
    uint32_t http_status;
    uint8_t synthetics, trace_root; /* trace_root: 1 TRUE, 2 FALSE, 0 NOT_SET (overflow key) */
    uint64_t hits, errors, top_level_hits, duration;
    dd__sketch ok, err;
} dd__sgroup;

typedef struct dd__sbucket {
    int64_t start; /* aligned ns */
    int used;
    uint32_t n_groups, cap_groups, overflow; /* overflow: its group index + 1, or 0 */
    dd__sgroup *groups;                      /* slots keep their sketch memory across reuse */
    uint32_t *table;                         /* open addressing: group index + 1, 0 = empty */
    uint32_t table_cap;
    uint32_t recent[4]; /* the groups last found (index + 1, most recent first): tried before hashing */
    char *text;
    size_t text_len, text_cap;
    size_t charge; /* key text counted against DD__STATS_TEXT_MAX: each key's bytes + 46 */
    uint64_t bin_bytes; /* sketch bins allocated by this bucket's groups */
    uint32_t n_add_sets; /* distinct additional-tag sets seen (their hashes), at most DD__STATS_ADD_SETS */
    uint64_t add_sets[DD__STATS_ADD_SETS];
} dd__sbucket;

/* The key of one span, pointing into the span (and the peer tags scratch). */
typedef struct dd__skey {
    const char *p[DD__STATS_NSTR];
    uint32_t n[DD__STATS_NSTR];
    uint32_t http_status;
    uint8_t synthetics, trace_root;
} dd__skey;

struct dd__stats {
    int enabled;      /* DD_TRACE_STATS_COMPUTATION_ENABLED / stats_computation */
    int active;       /* enabled and the agent's /info lists /v0.6/stats (and client_drop_p0s) */
    int drop_p0s;     /* active and /info client_drop_p0s */
    int info_known;   /* an /info answer was read (else every trace is sent, as without stats) */
    int64_t next_info_ns;  /* real mono ns of the next /info request */
    int64_t next_flush_ns; /* real mono ns of the next bucket flush (10 s schedule) */
    int64_t oldest_ts;     /* wall ns: spans of older buckets go to this one */
    uint64_t sequence;     /* payloads sent */
    uint64_t p0_traces, p0_spans; /* dropped since the last trace request (its headers) */
    uint64_t p0_sent_traces, p0_sent_spans; /* in the trace request being sent (given back when it
                                               surely did not reach the agent: dd__stats_p0_unsent) */
    char p0_traces_txt[24], p0_spans_txt[24]; /* those headers' values (the flushing thread's) */
    int last_bucket; /* the bucket of the previous span, tried first */
    int64_t last_start; /* the aligned end of the previous span (INT64_MIN: none yet) */
    dd__sbucket buckets[DD__STATS_BUCKETS_MAX];
    dd__sbucket *out[DD__STATS_BUCKETS_MAX]; /* detached by the pass that sends them */
    /* /info: the peer tag keys (each NUL-terminated) and the default env */
    int n_peer;
    uint16_t peer_off[DD__STATS_PEER_KEYS_MAX], peer_len[DD__STATS_PEER_KEYS_MAX];
    char peer_text[DD__STATS_PEER_TEXT];
    char default_env[64];
    /* the span kinds that make a span eligible (/info span_kinds_stats_computed, else the four) */
    int n_kinds;
    uint8_t kind_len[DD__STATS_KINDS_MAX];
    char kinds[DD__STATS_KINDS_MAX][DD__STATS_KIND_LEN];
    uint64_t kind_sig; /* dd__stats_kind_bit of each kind: a clear bit rules a span kind out at once */
    dd_mp_writer send; /* the stats request body (owned by the pass) */
    dd__sk_fast skf;   /* the sketch's bin tables (dd__sk_bin) */
    /* /info's trace filters, compiled on the worker (NULL: none); a chunk they reject gets no
     * stats and is not sent (docs/stats.md §2) */
    struct dd__tfilters *filters;
    int filters_left_out; /* entries of the current /info not used (logged when it changes) */
    char *scratch;        /* a root's value NUL-terminated for regexec (grown under lock) */
    size_t scratch_cap;
    /* DD_TRACE_STATS_ADDITIONAL_TAGS: sorted, at most DD__STATS_ADD_KEYS (docs/stats.md §2) */
    int n_add;
    uint8_t add_len[DD__STATS_ADD_KEYS];
    char add_keys[DD__STATS_ADD_KEYS][DD__STATS_ADD_KEY_LEN + 1];
    char keybuf[DD__STATS_KEYBUF]; /* a span's peer and additional tags (under lock) */
    /* Datadog-Agent-State: the last value a response carried (docs/stats.md §6) */
    char agent_state[DD__AGENT_STATE_LEN];
    size_t agent_state_len;
};

/* --- /info (docs/stats.md §6): a hostile JSON object, read into a plain snapshot --- */
typedef struct dd__info {
    int has_stats_endpoint, client_drop_p0s;
    int n_peer;
    uint16_t peer_off[DD__STATS_PEER_KEYS_MAX], peer_len[DD__STATS_PEER_KEYS_MAX];
    char peer_text[DD__STATS_PEER_TEXT];
    char default_env[64];
    int has_kinds, n_kinds; /* span_kinds_stats_computed was there; its usable entries */
    uint8_t kind_len[DD__STATS_KINDS_MAX];
    char kinds[DD__STATS_KINDS_MAX][DD__STATS_KIND_LEN];
    /* the trace filters, list l's entry i at filter_text + filter_off[l][i] (NUL-terminated) */
    int n_filter[DD__FILTER_LISTS];
    uint16_t filter_off[DD__FILTER_LISTS][DD__FILTER_MAX], filter_len[DD__FILTER_LISTS][DD__FILTER_MAX];
    char filter_text[DD__FILTER_TEXT];
    int filters_left_out; /* strings not kept: over a bound, or holding a NUL */
} dd__info;

/* The trace filter lists of an /info object (docs/stats.md §6): strings only, empty ones ignored
 * (as dd-trace-go), each list and the whole text bounded. */
DD__PRIVATE void dd__info_filters(const dd_json *root, dd__info *out) {
    static const char *const path[DD__FILTER_LISTS] = {"ignore_resources", "filter_tags.require", "filter_tags.reject",
                                                       "filter_tags_regex.require", "filter_tags_regex.reject"};
    dd_json v, item;
    dd_json_iter it;
    size_t used = 0;
    int l;
    for (l = 0; l < DD__FILTER_LISTS; l++) {
        if (dd_json_path(root, path[l], &v) != DD_OK || v.type != DD_JSON_ARRAY) continue;
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, NULL, &item) == DD_OK) {
            char *dst = out->filter_text + used;
            size_t n = 0, room = sizeof out->filter_text - used;
            if (item.type != DD_JSON_STRING) continue;
            if (room > DD__FILTER_LEN + 1) room = DD__FILTER_LEN + 1;
            if (out->n_filter[l] == DD__FILTER_MAX || dd_json_string(&item, dst, room, &n) != DD_OK || memchr(dst, 0, n)) {
                if (room) dst[0] = 0;
                if (!dd_json_string_eq(&item, "", 0)) out->filters_left_out++;
                continue;
            }
            if (!n) continue;
            out->filter_off[l][out->n_filter[l]] = (uint16_t)used;
            out->filter_len[l][out->n_filter[l]] = (uint16_t)n;
            out->n_filter[l]++;
            used += n + 1;
        }
    }
}

/* Parses an /info body. DD_OK with *out filled, or an error with *out zeroed (nothing partial).
 * Bounded: at most DD__INFO_BODY_MAX bytes, DD__STATS_PEER_KEYS_MAX peer keys; the JSON reader is
 * iterative with a fixed depth limit. */
DD__PRIVATE int dd__info_parse(const char *body, size_t len, dd__info *out) {
    dd_json root, v, item;
    dd_json_iter it;
    size_t used = 0;
    memset(out, 0, sizeof *out);
    if (!body || len > DD__INFO_BODY_MAX) return DD_ERR_LIMIT;
    if (dd_json_parse(body, len, &root) != DD_OK || root.type != DD_JSON_OBJECT) return DD_ERR_MALFORMED;
    if (dd_json_get(&root, "endpoints", 9, &v) == DD_OK && v.type == DD_JSON_ARRAY) {
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, NULL, &item) == DD_OK)
            if (dd_json_string_eq(&item, "/v0.6/stats", 11)) out->has_stats_endpoint = 1;
    }
    if (dd_json_get(&root, "client_drop_p0s", 15, &v) == DD_OK && v.type == DD_JSON_BOOL && v.n == 4 && memcmp(v.p, "true", 4) == 0) out->client_drop_p0s = 1;
    if (dd_json_get(&root, "peer_tags", 9, &v) == DD_OK && v.type == DD_JSON_ARRAY) {
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, NULL, &item) == DD_OK && out->n_peer < DD__STATS_PEER_KEYS_MAX) {
            size_t n = 0;
            if (item.type != DD_JSON_STRING) continue;
            if (dd_json_string(&item, out->peer_text + used, sizeof out->peer_text - used, &n) != DD_OK || n == 0
                || memchr(out->peer_text + used, 0, n))
                continue; /* too long for what is left, empty, or holding a NUL: not a tag key */
            out->peer_off[out->n_peer] = (uint16_t)used;
            out->peer_len[out->n_peer] = (uint16_t)n;
            out->n_peer++;
            used += n + 1;
            out->peer_text[used - 1] = 0;
        }
    }
    if (dd_json_get(&root, "span_kinds_stats_computed", 25, &v) == DD_OK && v.type == DD_JSON_ARRAY) {
        out->has_kinds = 1; /* present, even empty: only those kinds (libdatadog) */
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, NULL, &item) == DD_OK && out->n_kinds < DD__STATS_KINDS_MAX) {
            size_t n = 0;
            char *k = out->kinds[out->n_kinds];
            if (item.type != DD_JSON_STRING || dd_json_string(&item, k, DD__STATS_KIND_LEN - 1, &n) != DD_OK || n == 0
                || memchr(k, 0, n)) {
                memset(k, 0, DD__STATS_KIND_LEN);
                continue; /* longer than any span kind, empty, or holding a NUL: left out */
            }
            k[n] = 0;
            out->kind_len[out->n_kinds++] = (uint8_t)n;
        }
    }
    if (dd_json_path(&root, "config.default_env", &v) == DD_OK && v.type == DD_JSON_STRING) {
        size_t n = 0;
        if (dd_json_string(&v, out->default_env, sizeof out->default_env, &n) != DD_OK || memchr(out->default_env, 0, n))
            out->default_env[0] = 0;
    }
    dd__info_filters(&root, out);
    return DD_OK;
}

/* A one-bit summary of a span kind (its length and first byte, lower-cased as dd__stats_ieq_n
 * does): a kind and a span's kind that dd__stats_ieq_n finds equal have the same bit. */
DD__PRIVATE DD__T_HOT uint64_t dd__stats_kind_bit(const char *k, uint32_t n) {
    unsigned c = (unsigned char)k[0];
    if (c >= 'A' && c <= 'Z') c += 32;
    return (uint64_t)1 << ((c + 7u * n) & 63);
}
DD__PRIVATE void dd__stats_kind_sig(dd__stats *st) {
    int i;
    st->kind_sig = 0;
    for (i = 0; i < st->n_kinds; i++) st->kind_sig |= dd__stats_kind_bit(st->kinds[i], st->kind_len[i]);
}
/* The kinds that make a span eligible when /info does not list them (libdatadog's default). */
DD__PRIVATE void dd__stats_default_kinds(dd__stats *st) {
    static const char *const four[4] = {"client", "server", "producer", "consumer"};
    int i;
    memset(st->kinds, 0, sizeof st->kinds);
    for (i = 0; i < 4; i++) {
        st->kind_len[i] = (uint8_t)strlen(four[i]);
        memcpy(st->kinds[i], four[i], st->kind_len[i]);
    }
    st->n_kinds = 4;
    dd__stats_kind_sig(st);
}
/* Applies an /info snapshot (under lock); NULL = the agent has no /info (404): no features. */
DD__PRIVATE void dd__stats_apply_info(dd__stats *st, const dd__info *in) {
    st->info_known = 1;
    st->active = st->enabled && in && in->has_stats_endpoint && in->client_drop_p0s;
    st->drop_p0s = st->active;
    st->n_peer = 0;
    st->default_env[0] = 0;
    dd__stats_default_kinds(st);
    if (!in) return;
    if (in->has_kinds) {
        st->n_kinds = in->n_kinds;
        memcpy(st->kind_len, in->kind_len, sizeof st->kind_len);
        memcpy(st->kinds, in->kinds, sizeof st->kinds);
        dd__stats_kind_sig(st);
    }
    st->n_peer = in->n_peer;
    memcpy(st->peer_off, in->peer_off, sizeof st->peer_off);
    memcpy(st->peer_len, in->peer_len, sizeof st->peer_len);
    memcpy(st->peer_text, in->peer_text, sizeof st->peer_text);
    memcpy(st->default_env, in->default_env, sizeof st->default_env);
}

/* --- the key of a span --- */
DD__PRIVATE int dd__stats_meta(const dd_span *s, const char *k, size_t kn, const char **v, uint32_t *vn) {
    const dd__tag *g = dd__span_find(s, k, kn);
    if (!g || g->kind != DD__TAG_META) return 0;
    *v = DD__TAG_VAL(g);
    *vn = DD__TAG_VLEN(g);
    return 1;
}
/* A decimal integer (an optional +, surrounding blanks), else -1 (negative, out of range, other). */
DD__PRIVATE int64_t dd__stats_parse_int(const char *p, size_t n, int64_t max) {
    size_t i = 0;
    int64_t x = 0;
    int digits = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    if (i < n && p[i] == '+') i++;
    while (i < n && p[i] >= '0' && p[i] <= '9') {
        x = x * 10 + (p[i++] - '0');
        digits++;
        if (x > max) return -1;
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    return digits && i == n ? x : -1;
}
/* The gRPC status names (upper case, without underscores) in code order 0..16. */
static const char *const dd__grpc_names[17] = {"OK", "CANCELLED", "UNKNOWN", "INVALIDARGUMENT", "DEADLINEEXCEEDED",
                                              "NOTFOUND", "ALREADYEXISTS", "PERMISSIONDENIED", "RESOURCEEXHAUSTED",
                                              "FAILEDPRECONDITION", "ABORTED", "OUTOFRANGE", "UNIMPLEMENTED",
                                              "INTERNAL", "UNAVAILABLE", "DATALOSS", "UNAUTHENTICATED"};
static const char *const dd__grpc_codes[17] = {"0", "1", "2", "3", "4", "5", "6", "7", "8",
                                              "9", "10", "11", "12", "13", "14", "15", "16"};
/* A gRPC status value as its decimal code: a number is kept, a name (any case, with or without
 * `_`, optional `StatusCode.` prefix) mapped; NULL when neither. */
DD__PRIVATE const char *dd__stats_grpc(const char *v, size_t n, char *num, size_t *out_n) {
    char up[32];
    size_t i, m = 0;
    int64_t x = dd__stats_parse_int(v, n, 1000000000);
    int c;
    if (x >= 0) {
        dd__t_u64_dec((uint64_t)x, num);
        *out_n = strlen(num);
        return num;
    }
    if (n > 11 && dd__stats_ieq_n(v, "statuscode.", 11)) v += 11, n -= 11;
    for (i = 0; i < n; i++) {
        c = (unsigned char)v[i];
        if (c == '_') continue;
        if (m + 1 >= sizeof up) return NULL;
        up[m++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    up[m] = 0;
    for (c = 0; c < 17; c++)
        if (strcmp(up, dd__grpc_names[c]) == 0) {
            *out_n = strlen(dd__grpc_codes[c]);
            return dd__grpc_codes[c];
        }
    return NULL;
}
/* 1 when v is an IP address literal (v4 dotted quad, or v6: hex digits, ':' and '.', two ':' at
 * least), which peer tags replace (docs/stats.md §3), except the loopback and cloud metadata
 * addresses the agent keeps. */
DD__PRIVATE int dd__stats_blocked_ip(const char *v, size_t n) {
    static const char *const keep[5] = {"127.0.0.1", "::1", "169.254.169.254", "fd00:ec2::254", "169.254.170.2"};
    static const uint8_t klen[5] = {9, 3, 15, 13, 13};
    size_t i, dots = 0, colons = 0, run = 0;
    int v4 = 1, v6 = 1;
    if (!n || n > 45) return 0;
    for (i = 0; i < n && (v4 | v6); i++) { /* most values (host names) are told apart in a few bytes */
        char c = v[i];
        int dig = c >= '0' && c <= '9', hex = dig || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (c == '.') {
            if (!run) v4 = 0;
            dots++, run = 0;
        } else if (c == ':') {
            colons++, v4 = 0;
        } else {
            if (!dig) v4 = 0;
            if (!hex) v6 = 0;
            run++;
            if (run > 3) v4 = 0;
        }
    }
    if (!(v4 && dots == 3 && run) && !(v6 && colons >= 2)) return 0;
    for (i = 0; i < 5; i++) /* an address the agent keeps */
        if (klen[i] == n && memcmp(keep[i], v, n) == 0) return 0;
    return 1;
}
/* n > 0 bytes equal, a word at a time (key strings are short: no call to memcmp). */
DD__PRIVATE DD__T_HOT int dd__stats_same(const char *a, const char *b, uint32_t n) {
    uint64_t x, y, x2, y2;
    uint32_t i;
    if (n >= 8) {
        for (i = 0; i + 16 < n; i += 8) { /* all but the last two words (n > 16) */
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y) return 0;
        }
        memcpy(&x, a + i, 8); /* the last two, overlapping those before */
        memcpy(&y, b + i, 8);
        memcpy(&x2, a + n - 8, 8);
        memcpy(&y2, b + n - 8, 8);
        return ((x ^ y) | (x2 ^ y2)) == 0;
    }
    if (n >= 4) {
        uint32_t u, v, u2, v2;
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        memcpy(&u2, a + n - 4, 4);
        memcpy(&v2, b + n - 4, 4);
        return ((u ^ v) | (u2 ^ v2)) == 0;
    }
    return ((a[0] ^ b[0]) | (a[n / 2] ^ b[n / 2]) | (a[n - 1] ^ b[n - 1])) == 0; /* n <= 3: every byte */
}
/* Peer tags of a span into buf: each entry a 2-byte big-endian length then "key:value". Returns
 * the bytes used. Client/producer/consumer spans: the /info keys with a value, in /info order;
 * internal (or kind-less) spans with _dd.base_service: that one only. */
DD__PRIVATE DD__T_COLD uint32_t dd__stats_peer(const dd__stats *st, const dd_span *s, const char *kind, uint32_t kn,
                                               const dd__tag *base_service, char *buf) {
    uint32_t used = 0, vn;
    const char *v;
    int i;
    int peer_kind = (kn == 6 && (memcmp(kind, "client", 6) == 0)) || (kn == 8 && memcmp(kind, "producer", 8) == 0)
                    || (kn == 8 && memcmp(kind, "consumer", 8) == 0);
    if (!peer_kind) {
        if ((kn == 0 || (kn == 8 && memcmp(kind, "internal", 8) == 0)) && base_service
            && (v = DD__TAG_VAL(base_service), vn = DD__TAG_VLEN(base_service)) != 0 && 2 + 17 + vn <= DD__STATS_PEER_MAX) {
            buf[0] = (char)((17 + vn) >> 8), buf[1] = (char)(17 + vn);
            memcpy(buf + 2, "_dd.base_service:", 17);
            memcpy(buf + 19, v, vn);
            used = 19 + vn;
        }
        return used;
    }
    for (i = 0; i < st->n_peer; i++) { /* the /info keys with a value, in /info order */
        const char *k = st->peer_text + st->peer_off[i];
        uint32_t klen = st->peer_len[i], e;
        /* a key is on at most one live tag; a metric of that name gives none */
        const dd__tag *g = dd__span_find_bit(s, k, klen, dd__key_bit(k, klen));
        if (!g || g->kind != DD__TAG_META || !(vn = (uint32_t)DD__TAG_VLEN(g))) continue;
        v = DD__TAG_VAL(g);
        if (dd__stats_blocked_ip(v, vn)) v = "blocked-ip-address", vn = 18;
        e = klen + 1 + vn;
        if (used + 2 + e > DD__STATS_PEER_MAX) break; /* bounded: later keys are left out */
        buf[used] = (char)(e >> 8), buf[used + 1] = (char)e;
        memcpy(buf + used + 2, k, klen);
        buf[used + 2 + klen] = ':';
        memcpy(buf + used + 3 + klen, v, vn);
        used += 2 + e;
    }
    return used;
}
/* The span's DD_TRACE_STATS_ADDITIONAL_TAGS into buf (after its peer tags): for each configured
 * key (sorted) the span has as non-empty meta, an entry "key:value" whose 2-byte length carries
 * DD__STATS_ADD_FLAG; a value over 200 characters (UTF-8) becomes tracer_blocked_value
 * (libdatadog). Returns the bytes used (at most the 4 * 867 buf has room for). */
DD__PRIVATE uint32_t dd__stats_add_tags(const dd__stats *st, const dd_span *s, char *buf) {
    uint32_t used = 0, vn, e, chars, j;
    const char *v;
    int i;
    for (i = 0; i < st->n_add; i++) {
        if (!dd__stats_meta(s, st->add_keys[i], st->add_len[i], &v, &vn) || !vn) continue;
        if (vn > DD__STATS_ADD_VALUE_CHARS) { /* bytes >= characters: count only when it may be too long */
            for (chars = 0, j = 0; j < vn; j++) chars += ((unsigned char)v[j] & 0xc0) != 0x80;
            if (chars > DD__STATS_ADD_VALUE_CHARS || vn > 4 * DD__STATS_ADD_VALUE_CHARS)
                v = DD__STATS_BLOCKED, vn = sizeof DD__STATS_BLOCKED - 1;
        }
        e = st->add_len[i] + 1u + vn;
        buf[used] = (char)((e | DD__STATS_ADD_FLAG) >> 8), buf[used + 1] = (char)e;
        memcpy(buf + used + 2, st->add_keys[i], st->add_len[i]);
        buf[used + 2 + st->add_len[i]] = ':';
        memcpy(buf + used + 3 + st->add_len[i], v, vn);
        used += 2 + e;
    }
    return used;
}
/* The tags a key reads, found in one walk over the span's tags (a lookup per key would walk them
 * a dozen times): each tag is told apart by its key's length first. The span's key bits (the
 * dd__key_bit of every key it ever had) say which of those keys may be there: none, no walk (most
 * internal spans); else the walk stops once each key whose bit no other of them shares is found
 * (a key is on at most one live tag; a bit a key not looked for shares, or a dead tag's, keeps
 * it going to the end, as before). */
typedef struct dd__stags {
    const dd__tag *status, *base_service, *partial, *measured, *top_level;
    const char *route; /* http.route's value (http.endpoint's, in key field 7, beats it, even empty) */
    uint32_t route_n;
    int endpoint; /* http.endpoint was there */
    const dd__tag *grpc[8]; /* the 4 gRPC keys as meta, then as metrics, in precedence order */
    int any_grpc;
} dd__stags;
/* The lengths of those keys (9, 10, 11, 12, 13, 16, 19, 20): other tags are passed over at once. */
#define DD__STATS_KLENS ((1u << 9) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 16) | (1u << 19) | (1u << 20))
/* The key bit of a literal (strlen and all folded to a constant; through a pointer, so that
 * cppcheck does not pair one literal's size with another's length). */
DD__PRIVATE DD__T_HOT uint64_t dd__stats_kb(const char *k) { return dd__key_bit(k, strlen(k)); }
#define DD__SKB(lit) dd__stats_kb(lit)
/* The bits of the keys looked for; and of those, the bits only one of them has (http.endpoint and
 * the two rpc.grpc keys share one: finding one of them does not clear it). */
#define DD__STATS_WANT \
    (DD__SKB("span.kind") | DD__SKB("grpc.code") | DD__SKB("http.route") | DD__SKB("http.method") | DD__SKB("_dd.svc_src") \
     | DD__SKB("_dd.measured") | DD__SKB("http.endpoint") | DD__SKB("_dd.top_level") | DD__SKB("http.status_code") \
     | DD__SKB("_dd.base_service") | DD__SKB("grpc.status.code") | DD__SKB("_dd.partial_version") \
     | DD__SKB("rpc.grpc.status_code") | DD__SKB("rpc.grpc.status.code"))
DD__PRIVATE DD__T_HOT uint64_t dd__stats_solo(void) {
    uint64_t once = 0, twice = 0, b;
#define DD__SK_ONE(lit) (b = DD__SKB(lit), twice |= once & b, once |= b)
    DD__SK_ONE("span.kind"), DD__SK_ONE("grpc.code"), DD__SK_ONE("http.route"), DD__SK_ONE("http.method");
    DD__SK_ONE("_dd.svc_src"), DD__SK_ONE("_dd.measured"), DD__SK_ONE("http.endpoint"), DD__SK_ONE("_dd.top_level");
    DD__SK_ONE("http.status_code"), DD__SK_ONE("_dd.base_service"), DD__SK_ONE("grpc.status.code");
    DD__SK_ONE("_dd.partial_version"), DD__SK_ONE("rpc.grpc.status_code"), DD__SK_ONE("rpc.grpc.status.code");
#undef DD__SK_ONE
    return once & ~twice;
}
/* 8 bytes of p as a word (of a literal: a constant); the walk below tells keys of 9 to 20 bytes
 * apart by their first and last 8 bytes (and the middle 8 beyond 16): the whole key. */
DD__PRIVATE DD__T_HOT uint64_t dd__stats_w8(const char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}
/* The walk; the meta values that are key fields as they are (span.kind, http.method,
 * http.endpoint, _dd.svc_src) go straight into key (whose lengths are zero), the others into f. */
DD__PRIVATE DD__T_HOT void dd__stats_tags(const dd_span *s, dd__stags *f, dd__skey *key) {
    const dd__tag *g;
    uint64_t left = s->key_bits & DD__STATS_WANT, solo = dd__stats_solo();
    f->status = f->base_service = f->partial = f->measured = f->top_level = NULL;
    f->route_n = 0;
    f->endpoint = 0;
    f->any_grpc = 0; /* grpc[] is zeroed by the first gRPC key found (read only when any_grpc) */
    for (g = left ? s->tags : NULL; g; g = g->next) {
        const char *k;
        uint64_t a, z;
        uint32_t n = g->k8; /* 0 for a key over 255 bytes: no key looked for */
        int meta;
        if (n > 20 || !((1u << n) & DD__STATS_KLENS) || g->kind == DD__TAG_DEAD) continue;
        k = DD__TAG_KEY(g);
        a = dd__stats_w8(k);
        z = dd__stats_w8(k + n - 8);
        meta = g->kind == DD__TAG_META;
/* key lit (of n bytes, 9 to 16; 19 and 20 with the middle word) found: its bit cleared unless
 * another key looked for shares it */
#define DD__SK_IS(lit) (a == dd__stats_w8(lit) && z == dd__stats_w8(&(lit)[sizeof(lit) - 9]) && (left &= ~(solo & DD__SKB(lit)), 1))
#define DD__SK_IS20(lit) (dd__stats_w8(k + 8) == dd__stats_w8(&(lit)[8]) && DD__SK_IS(lit))
#define DD__SK_GRPC(i) (f->any_grpc ? (void)0 : (void)memset(f->grpc, 0, sizeof f->grpc), f->grpc[i] = g, f->any_grpc = 1)
/* a meta tag's value (its key is at k) */
#define DD__SK_VAL ((g->off & DD__TAG_REF) ? DD__TAG_REFP(g)[1] : k + n + DD__TAG_VHDR(g))
#define DD__SK_KEY(fi) (key->p[fi] = DD__SK_VAL, key->n[fi] = (uint32_t)DD__TAG_VLEN(g))
        switch (n) {
        case 9:
            if (DD__SK_IS("span.kind")) {
                if (meta) DD__SK_KEY(4);
            } else if (DD__SK_IS("grpc.code")) {
                DD__SK_GRPC(meta ? 1 : 5);
            }
            break;
        case 10:
            if (meta && DD__SK_IS("http.route")) f->route = DD__SK_VAL, f->route_n = (uint32_t)DD__TAG_VLEN(g);
            break;
        case 11:
            if (meta && DD__SK_IS("http.method")) DD__SK_KEY(6);
            else if (meta && DD__SK_IS("_dd.svc_src")) DD__SK_KEY(9);
            break;
        case 12:
            if (!meta && DD__SK_IS("_dd.measured")) f->measured = g;
            break;
        case 13:
            if (meta && DD__SK_IS("http.endpoint")) DD__SK_KEY(7), f->endpoint = 1;
            else if (!meta && DD__SK_IS("_dd.top_level")) f->top_level = g;
            break;
        case 16:
            if (DD__SK_IS("http.status_code")) f->status = g;
            else if (meta && DD__SK_IS("_dd.base_service")) f->base_service = g;
            else if (DD__SK_IS("grpc.status.code")) DD__SK_GRPC(meta ? 3 : 7);
            break;
        case 19:
            if (!meta && DD__SK_IS20("_dd.partial_version")) f->partial = g;
            break;
        case 20:
            if (DD__SK_IS20("rpc.grpc.status_code")) DD__SK_GRPC(meta ? 0 : 4);
            else if (DD__SK_IS20("rpc.grpc.status.code")) DD__SK_GRPC(meta ? 2 : 6);
            break;
        default:
            break;
        }
#undef DD__SK_IS
#undef DD__SK_IS20
#undef DD__SK_GRPC
#undef DD__SK_VAL
#undef DD__SK_KEY
        if (!left) break;
    }
}
/* 1 when metric tag g is exactly 1 (its 8 big-endian bytes are 1.0's): dd__tag_num(g) == 1 without
 * assembling the double. */
DD__PRIVATE DD__T_HOT int dd__stats_one(const dd__tag *g) {
    static const unsigned char one[8] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
    return memcmp(DD__TAG_VAL(g), one, 8) == 0;
}
/* 1 when the span is aggregated (docs/stats.md §2), with its key in *key (strings borrowed from
 * the span, the segment and peer). `top_level` as the encoder decides it; a span given the metric
 * _dd.top_level = 1 itself is top-level on the wire too, and *top_level says so. */
DD__PRIVATE int dd__stats_key(const dd__stats *st, const dd__segment *seg, const dd_span *s, int *top_level,
                              dd__skey *key, char *peer, char *grpc_num) {
    dd__stags f;
    const char *v;
    uint32_t vn;
    int i;
/* Field f of the key (a field not set is empty). */
#define DD__SK_FIELD(f, ptr, len) (key->p[f] = (ptr), key->n[f] = (len))
    memset(key->n, 0, sizeof key->n); /* p[f] is read only when n[f] > 0 (but span.kind's is passed on) */
    key->p[4] = "";
    key->http_status = 0;
    dd__stats_tags(s, &f, key);
    if (f.partial && dd__tag_num(f.partial) >= 0) return 0; /* a partial snapshot */
    if (!*top_level && f.top_level && dd__stats_one(f.top_level)) *top_level = 1;
    if (!*top_level && !s->measured && !(f.measured && dd__stats_one(f.measured))) {
        /* the span kind, lower-cased, one of /info span_kinds_stats_computed (else of the four);
         * kinds are never empty, and most spans' kinds (internal, none) are ruled out by the bit */
        if (!key->n[4] || !(st->kind_sig & dd__stats_kind_bit(key->p[4], key->n[4]))) return 0;
        for (i = 0; i < st->n_kinds; i++)
            if (key->n[4] == st->kind_len[i] && dd__stats_ieq_n(key->p[4], st->kinds[i], key->n[4])) break;
        if (i == st->n_kinds) return 0;
    }
    DD__SK_FIELD(0, s->sty->service, s->sty->service_n);
    DD__SK_FIELD(1, s->name, s->name_n);
    DD__SK_FIELD(2, s->resource, s->resource_n);
    DD__SK_FIELD(3, s->sty->type, s->sty->type_n);
    {   /* peer tags, then the additional tags (DD__STATS_ADD_FLAG entries) in the same field */
        uint32_t kn = key->n[4], pn = 0;
        const char *kp = key->p[4];
        /* none unless a client, producer or consumer kind or _dd.base_service (dd__stats_peer's
         * first test): the call, kept out of this hot path, is made only when it may find some */
        if (f.base_service || (kn == 6 && memcmp(kp, "client", 6) == 0)
            || (kn == 8 && (memcmp(kp, "producer", 8) == 0 || memcmp(kp, "consumer", 8) == 0)))
            pn = dd__stats_peer(st, s, kp, kn, f.base_service, peer);
        if (st->n_add) pn += dd__stats_add_tags(st, s, peer + pn);
        DD__SK_FIELD(5, peer, pn);
    }
    if (!f.endpoint && f.route_n) DD__SK_FIELD(7, f.route, f.route_n); /* http.endpoint, else http.route */
    for (i = 0; f.any_grpc && i < 8 && !key->n[8]; i++) { /* the meta keys first, then the metrics */
        size_t cn = 0;
        const char *code = NULL;
        const dd__tag *g = f.grpc[i];
        if (!g) continue;
        if (g->kind == DD__TAG_META) {
            code = dd__stats_grpc(DD__TAG_VAL(g), DD__TAG_VLEN(g), grpc_num, &cn);
        } else {
            double d = dd__tag_num(g);
            if (d >= 0 && d <= 1e9) {
                dd__t_u64_dec((uint64_t)d, grpc_num);
                code = grpc_num, cn = strlen(grpc_num);
            }
        }
        if (code) DD__SK_FIELD(8, code, (uint32_t)cn);
    }
#undef DD__SK_FIELD
    if (f.status && f.status->kind == DD__TAG_METRIC) {
        double d = dd__tag_num(f.status);
        key->http_status = d >= 0 && d < 4294967296.0 ? (uint32_t)d : 0;
    } else if (f.status) {
        const char *d = DD__TAG_VAL(f.status);
        if (DD__TAG_VLEN(f.status) == 3 && d[0] >= '0' && d[0] <= '9' && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' && d[2] <= '9') {
            key->http_status = (uint32_t)((d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0')); /* the usual form */
        } else {
            int64_t x = dd__stats_parse_int(d, DD__TAG_VLEN(f.status), 0xffffffff);
            key->http_status = x < 0 ? 0 : (uint32_t)x;
        }
    }
    v = seg->origin.p, vn = seg->origin.n;
    key->synthetics = vn >= 10 && memcmp(v, "synthetics", 10) == 0;
    key->trace_root = dd__span_parent_id(s) == 0 ? 1 : 2;
    return 1;
}

/* The key's share of DD__STATS_TEXT_MAX: its bytes, plus 46 (what a length-prefixed form of the
 * key would add: the bound is the same whatever the layout). */
#define DD__STATS_KEY_EXTRA (4 * DD__STATS_NSTR + 6)
DD__PRIVATE size_t dd__stats_key_bytes(const dd__skey *k) {
    size_t n = 0;
    int f;
    for (f = 0; f < DD__STATS_NSTR; f++) n += k->n[f];
    return n;
}
/* 1 when group g of bucket b has the key k: the numbers, the lengths, then the bytes, field by
 * field (unrolled: an empty field costs a test). */
DD__PRIVATE DD__T_COLD int dd__stats_key_eq(const dd__sbucket *b, const dd__sgroup *g, const dd__skey *k) {
    int f;
    uint64_t x, y, d = 0;
    const char *q;
    if (((g->http_status ^ k->http_status) | (uint32_t)(g->trace_root ^ k->trace_root) | (uint32_t)(g->synthetics ^ k->synthetics)) != 0)
        return 0;
    for (f = 0; f < DD__STATS_NSTR; f += 2) { /* the lengths, two at a time */
        memcpy(&x, &g->len[f], 8);
        memcpy(&y, &k->n[f], 8);
        d |= x ^ y;
    }
    if (d) return 0;
    q = b->text + g->off[0]; /* the fields follow one another in the text (not the overflow group's, whose
                              * trace root 0 never matches) */
#define DD__SK_EQ(f) \
    if (k->n[f]) { \
        if (!dd__stats_same(q, k->p[f], k->n[f])) return 0; \
        q += k->n[f]; \
    }
    DD__SK_EQ(0) DD__SK_EQ(1) DD__SK_EQ(2) DD__SK_EQ(3) DD__SK_EQ(4)
    DD__SK_EQ(5) DD__SK_EQ(6) DD__SK_EQ(7) DD__SK_EQ(8)
#undef DD__SK_EQ
    return !k->n[9] || dd__stats_same(q, k->p[9], k->n[9]); /* the last field: q is not moved on */
}
typedef char dd__stats_nstr_ten[DD__STATS_NSTR == 10 ? 1 : -1]; /* dd__stats_key_eq names the ten fields */
/* The key's hash: every field's length and bytes, a word at a time, and the numbers. */
DD__PRIVATE uint64_t dd__stats_hash(const dd__skey *k) {
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ ((uint64_t)k->http_status << 16 | (uint64_t)k->synthetics << 8 | k->trace_root), w;
    int f;
    for (f = 0; f < DD__STATS_NSTR; f++) {
        const char *p = k->p[f];
        uint32_t n = k->n[f];
        h = (h ^ n) * UINT64_C(0xff51afd7ed558ccd);
        while (n >= 8) {
            memcpy(&w, p, 8);
            h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
            h ^= h >> 32;
            p += 8;
            n -= 8;
        }
        if (n) {
            w = 0;
            memcpy(&w, p, n);
            h = (h ^ w) * UINT64_C(0xc4ceb9fe1a85ec53);
            h ^= h >> 29;
        }
    }
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    return h ^ (h >> 29);
}
/* A new group slot (its sketches keep their memory from an earlier use). NULL: no memory. */
DD__PRIVATE dd__sgroup *dd__stats_slot(dd_tracer *t, dd__sbucket *b) {
    dd__sgroup *g;
    if (b->n_groups == b->cap_groups) {
        uint32_t cap = b->cap_groups ? b->cap_groups * 2 : 16;
        dd__sgroup *ng;
        if (cap > DD__STATS_KEYS_MAX + 1) cap = DD__STATS_KEYS_MAX + 1;
        if (cap == b->cap_groups) return NULL;
        ng = (dd__sgroup *)dd__alloc(&t->alloc, (size_t)cap * sizeof *ng);
        if (!ng) return NULL;
        if (b->cap_groups) memcpy(ng, b->groups, (size_t)b->cap_groups * sizeof *ng);
        memset(ng + b->cap_groups, 0, (size_t)(cap - b->cap_groups) * sizeof *ng);
        dd__free(&t->alloc, b->groups, (size_t)b->cap_groups * sizeof *ng);
        b->groups = ng;
        b->cap_groups = cap;
    }
    g = &b->groups[b->n_groups++];
    g->hits = g->errors = g->top_level_hits = g->duration = 0;
    g->ok.n = g->err.n = 0;
    g->ok.zero = g->err.zero = 0;
    return g;
}
/* Room for n more bytes of key text in b (the text grows by doubling, up to DD__STATS_TEXT_MAX). */
DD__PRIVATE int dd__stats_text_room(dd_tracer *t, dd__sbucket *b, size_t n) {
    size_t cap = b->text_cap ? b->text_cap : 4096;
    char *nt;
    if (b->text_cap - b->text_len >= n) return 1;
    while (cap - b->text_len < n) cap *= 2;
    if (cap > DD__STATS_TEXT_MAX) cap = DD__STATS_TEXT_MAX;
    if (cap - b->text_len < n) return 0;
    nt = (char *)dd__alloc(&t->alloc, cap);
    if (!nt) return 0;
    if (b->text_len) memcpy(nt, b->text, b->text_len);
    dd__free(&t->alloc, b->text, b->text_cap);
    b->text = nt;
    b->text_cap = cap;
    return 1;
}
/* The bucket's overflow group (every string tracer_blocked_value), made once per bucket. */
DD__PRIVATE dd__sgroup *dd__stats_overflow(dd_tracer *t, dd__sbucket *b) {
    dd__sgroup *g;
    int i;
    if (b->overflow) return &b->groups[b->overflow - 1];
    if (!dd__stats_text_room(t, b, sizeof DD__STATS_BLOCKED - 1)) return NULL;
    g = dd__stats_slot(t, b);
    if (!g) return NULL;
    memcpy(b->text + b->text_len, DD__STATS_BLOCKED, sizeof DD__STATS_BLOCKED - 1);
    for (i = 0; i < DD__STATS_NSTR; i++) {
        int blocked = i <= 3; /* service, name, resource, type */
        g->off[i] = (uint32_t)b->text_len;
        g->len[i] = blocked ? (uint32_t)(sizeof DD__STATS_BLOCKED - 1) : 0;
    }
    b->text_len += sizeof DD__STATS_BLOCKED - 1;
    b->charge += sizeof DD__STATS_BLOCKED - 1;
    g->http_status = 0;
    g->synthetics = 0;
    g->trace_root = 0; /* never equal to a span's key (trace root 1 or 2): not in the table */
    g->hash = 0;
    b->overflow = b->n_groups;
    return g;
}
/* Group index + 1 gi becomes the most recent of b (dd__stats_group tries those first). */
DD__PRIVATE DD__T_HOT void dd__stats_recent(dd__sbucket *b, uint32_t gi) {
    int j = 0;
    while (j < 3 && b->recent[j] != gi) j++;
    /* unrolled (a loop here becomes a call to memmove) */
    if (j >= 3) b->recent[3] = b->recent[2];
    if (j >= 2) b->recent[2] = b->recent[1];
    if (j >= 1) b->recent[1] = b->recent[0];
    b->recent[0] = gi;
}
/* The group of key k in bucket b, made if new; the overflow group when the bucket is full; NULL
 * when not even that has memory. *overflowed set (else left as it was) when it went to the
 * overflow group. The groups
 * found last are compared first (a trace's spans share few keys): no hash then. */
DD__PRIVATE dd__sgroup *dd__stats_group(dd_tracer *t, dd__sbucket *b, const dd__skey *k, int *overflowed) {
    uint64_t h;
    uint32_t mask, i, j;
    size_t n, o;
    dd__sgroup *g;
    int f;
    for (j = 0; j < 4 && b->recent[j]; j++) {
        g = &b->groups[b->recent[j] - 1];
        if (dd__stats_key_eq(b, g, k)) {
            if (j) dd__stats_recent(b, b->recent[j]);
            return g;
        }
    }
    h = dd__stats_hash(k);
    if (!b->table) {
        b->table_cap = 16384; /* > 2 x DD__STATS_KEYS_MAX: probes stay short */
        b->table = (uint32_t *)dd__alloc(&t->alloc, b->table_cap * sizeof *b->table);
        if (!b->table) {
            b->table_cap = 0;
            return NULL;
        }
        memset(b->table, 0, b->table_cap * sizeof *b->table);
    }
    mask = b->table_cap - 1;
    for (i = (uint32_t)h & mask; b->table[i]; i = (i + 1) & mask) {
        g = &b->groups[b->table[i] - 1];
        if (g->hash == h && dd__stats_key_eq(b, g, k)) {
            dd__stats_recent(b, b->table[i]);
            return g;
        }
    }
    n = dd__stats_key_bytes(k);
    /* a full bucket (keys or text; the overflow key's text is kept in reserve) */
    if (b->n_groups - (b->overflow ? 1 : 0) >= DD__STATS_KEYS_MAX
        || n + DD__STATS_KEY_EXTRA + sizeof DD__STATS_BLOCKED > DD__STATS_TEXT_MAX - b->charge
        || !dd__stats_text_room(t, b, n + sizeof DD__STATS_BLOCKED))
        goto overflow;
    g = dd__stats_slot(t, b);
    if (!g) goto overflow;
    for (f = 0, o = b->text_len; f < DD__STATS_NSTR; f++) {
        g->off[f] = (uint32_t)o;
        g->len[f] = k->n[f];
        if (k->n[f]) memcpy(b->text + o, k->p[f], k->n[f]);
        o += k->n[f];
    }
    b->text_len = o;
    b->charge += n + DD__STATS_KEY_EXTRA;
    g->http_status = k->http_status;
    g->synthetics = k->synthetics;
    g->trace_root = k->trace_root;
    g->hash = h;
    b->table[i] = b->n_groups;
    dd__stats_recent(b, b->n_groups);
    return g;
overflow:
    *overflowed = 1;
    return dd__stats_overflow(t, b);
}
DD__PRIVATE int64_t dd__stats_align(int64_t ns) { return ns - (ns % DD__STATS_BUCKET_NS + DD__STATS_BUCKET_NS) % DD__STATS_BUCKET_NS; }

/* The bucket starting at `start` (made from a free slot if new), NULL when all slots are taken. */
DD__PRIVATE dd__sbucket *dd__stats_bucket(dd__stats *st, int64_t start) {
    int i, free_slot = -1;
    dd__sbucket *last = &st->buckets[st->last_bucket];
    if (last->used && last->start == start) return last;
    for (i = 0; i < DD__STATS_BUCKETS_MAX; i++) {
        if (st->buckets[i].used && st->buckets[i].start == start) {
            st->last_bucket = i;
            return &st->buckets[i];
        }
        if (!st->buckets[i].used && free_slot < 0 && !st->out[i]) free_slot = i;
    }
    if (free_slot < 0) return NULL;
    st->last_bucket = free_slot;
    st->buckets[free_slot].used = 1;
    st->buckets[free_slot].start = start;
    return &st->buckets[free_slot];
}
DD__PRIVATE void dd__stats_reset_bucket(dd__sbucket *b) {
    b->used = 0;
    b->n_groups = 0;
    b->overflow = 0;
    b->text_len = 0;
    b->charge = 0;
    b->n_add_sets = 0;
    memset(b->recent, 0, sizeof b->recent);
    if (b->table) memset(b->table, 0, b->table_cap * sizeof *b->table);
}

/* The span's additional-tag set (the flagged entries of key field 5, in st->keybuf) admitted in
 * bucket b: the first DD__STATS_ADD_SETS distinct sets (the empty one too) are; a later new one
 * is replaced by tracer_blocked_value (libdatadog's cardinality limit). 1 when replaced. */
DD__PRIVATE int dd__stats_add_set(dd__stats *st, dd__sbucket *b, dd__skey *key) {
    uint32_t a = 0, e, i, n = key->n[5];
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    while (a + 2 <= n && !((unsigned char)st->keybuf[a] & (DD__STATS_ADD_FLAG >> 8)))
        a += 2 + ((uint32_t)(unsigned char)st->keybuf[a] << 8 | (unsigned char)st->keybuf[a + 1]);
    for (i = a; i < n; i++) h = (h ^ (unsigned char)st->keybuf[i]) * UINT64_C(0x100000001b3);
    for (i = 0; i < b->n_add_sets; i++)
        if (b->add_sets[i] == h) return 0;
    if (b->n_add_sets < DD__STATS_ADD_SETS) {
        b->add_sets[b->n_add_sets++] = h;
        return 0;
    }
    e = sizeof DD__STATS_BLOCKED; /* "tracer_blocked_value:" (an empty value) */
    st->keybuf[a] = (char)((e | DD__STATS_ADD_FLAG) >> 8), st->keybuf[a + 1] = (char)e;
    memcpy(st->keybuf + a + 2, DD__STATS_BLOCKED ":", e);
    key->n[5] = a + 2 + e;
    return 1;
}
/* What aggregating a chunk counts, added to the tracer's counters once per chunk. */
typedef struct dd__scount {
    uint64_t spans, overflow, dropped;
} dd__scount;
/* Aggregates one finished span of a chunk (under lock). Inlined in dd__stats_add_chunk's loop. */
DD__PRIVATE DD__T_HOT void dd__stats_add_span(dd_tracer *t, dd__stats *st, dd__segment *seg, const dd_span *s, dd__scount *c) {
    char num[24];
    dd__skey key;
    dd__sbucket *b;
    dd__sgroup *g = NULL;
    int64_t start, end;
    int top_level = !s->parent || !dd__span_same_service(s, s->parent), overflowed = 0;
    if (!dd__stats_key(st, seg, s, &top_level, &key, st->keybuf, num)) return;
    end = s->start_ns + s->u.f.duration;
    if (end >= st->last_start && end - st->last_start < DD__STATS_BUCKET_NS) start = st->last_start; /* as the previous span */
    else start = st->last_start = dd__stats_align(end);
    if (start < st->oldest_ts) start = st->oldest_ts; /* late: the oldest bucket still open */
    b = dd__stats_bucket(st, start);
    if (st->n_add && b) overflowed = dd__stats_add_set(st, b, &key); /* its additional tags blocked */
    if (b) g = dd__stats_group(t, b, &key, &overflowed);
    if (!g) {
        c->dropped++;
        return;
    }
    c->overflow += (uint64_t)overflowed;
    c->spans++;
    g->hits++;
    g->duration += (uint64_t)s->u.f.duration;
    if (top_level) g->top_level_hits++;
    if (s->error) g->errors++;
    if (s->u.f.duration < 1) (s->error ? &g->err : &g->ok)->zero++;
    else dd__sk_insert(t, s->error ? &g->err : &g->ok, dd__sk_bin(&st->skf, (uint64_t)s->u.f.duration), &b->bin_bytes);
}
/* Aggregates the chunk's finished spans (seg->done list) into the buckets, in the chunk's wire
 * order (its root first when in it, then the others in finish order); under lock, before the P0
 * filter, so that every span the agent does not see is counted here. One loop (one copy of the
 * inlined span code), the counters added at the end. */
DD__PRIVATE void dd__stats_add_chunk(dd_tracer *t, dd__segment *seg) {
    dd__stats *st = t->stats;
    dd_span *first = seg->root->pending ? seg->root : NULL, *s, *next;
    dd__scount c = {0, 0, 0};
    int out_of_order = first != NULL; /* s is `first`, ahead of its place in the list */
    for (s = first ? first : seg->done_head; s; s = next) {
        dd__stats_add_span(t, st, seg, s, &c);
        next = out_of_order ? seg->done_head : s->u.f.next_done;
        out_of_order = 0;
        if (next && next == first) next = next->u.f.next_done; /* aggregated already */
    }
    t->counters.stats_spans += c.spans;
    t->counters.stats_spans_overflow += c.overflow;
    t->counters.stats_spans_dropped += c.dropped;
}

/* The client-side P0 rule (docs/stats.md §7), under lock, for a completed or partial chunk whose
 * priority is <= 0: 1 when it may be dropped (stats active and the agent agreed, and no span of
 * the chunk has an error: the agent still needs those traces). Single-span sampling keeps its
 * spans through dd__segment_filter. */
DD__PRIVATE int dd__stats_may_drop(const dd_tracer *t, const dd__segment *seg) {
    const dd_span *s;
    if (!t->stats || !t->stats->drop_p0s || !seg->stats_chunk || seg->priority > 0 || seg->priority == DD_PRIORITY_UNSET)
        return 0;
    for (s = seg->done_head; s; s = s->u.f.next_done)
        if (s->error) return 0;
    return 1;
}

/* --- trace filters (docs/stats.md §2): compiled on the worker, matched under lock --- */
/* One filter_tags / filter_tags_regex entry: a key, and a value to equal or a pattern to match
 * (none: the key alone). */
typedef struct dd__tfilter {
    const char *key, *val; /* into the set's text, NUL-terminated */
    uint32_t klen, vlen;
    int has_val, regex, require;
#if DD__HAVE_POSIX
    regex_t re; /* when regex && has_val */
#endif
} dd__tfilter;
typedef struct dd__tfilters {
    int n_res, n_tag;
#if DD__HAVE_POSIX
    regex_t res[DD__FILTER_MAX]; /* ignore_resources */
#endif
    dd__tfilter tag[4 * DD__FILTER_MAX]; /* rejects first, then requires */
    char text[DD__FILTER_TEXT];
    int left_out; /* entries not used: unreadable, over a bound, no key, or a pattern that did not compile */
} dd__tfilters;

DD__PRIVATE void dd__tfilters_free(dd_tracer *t, dd__tfilters *f) {
#if DD__HAVE_POSIX
    int i;
#endif
    if (!f) return;
#if DD__HAVE_POSIX
    for (i = 0; i < f->n_res; i++) regfree(&f->res[i]);
    for (i = 0; i < f->n_tag; i++)
        if (f->tag[i].regex && f->tag[i].has_val) regfree(&f->tag[i].re);
#endif
    dd__free(&t->alloc, f, sizeof *f);
}
/* A pattern of the official tracers' engines (RE2, Rust regex) compiled as POSIX ERE, unanchored
 * (a search, as their MatchString / is_match), without submatches. (?i) at the start makes it
 * case-insensitive; \d \s \w (?: are rewritten (dd__pcre_to_ere). 0 when it cannot be used. */
DD__PRIVATE int dd__tfilter_compile(void *re, const char *pat) {
#if DD__HAVE_POSIX
    char ere[8 * DD__FILTER_LEN + 1]; /* a \w becomes 13 bytes: any 255-byte pattern fits */
    int flags = REG_EXTENDED | REG_NOSUB;
    if (strncmp(pat, "(?i)", 4) == 0) flags |= REG_ICASE;
    if (!dd__pcre_to_ere(pat, ere, sizeof ere)) return 0;
    return regcomp((regex_t *)re, ere, flags) == 0;
#else
    (void)re, (void)pat;
    return 0; /* no <regex.h> in this build: the pattern is left out */
#endif
}
/* Blanks (ASCII) off both ends of p[0..*n): the official tracers trim keys and values. */
DD__PRIVATE const char *dd__tfilter_trim(const char *p, size_t *n) {
    while (*n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++, (*n)--;
    while (*n && (p[*n - 1] == ' ' || p[*n - 1] == '\t' || p[*n - 1] == '\n' || p[*n - 1] == '\r')) (*n)--;
    return p;
}
/* The filters of an /info snapshot, compiled (on the worker, no lock held); NULL when it has none
 * that can be used (or no memory: the trace filters are then the agent's alone). *left_out: the
 * entries that could not be used. */
DD__PRIVATE dd__tfilters *dd__tfilters_new(dd_tracer *t, const dd__info *in, int *left_out) {
    /* tag lists in match order: reject, regex reject, require, regex require */
    static const int order[4] = {2, 4, 1, 3};
    dd__tfilters *f;
    size_t used = 0;
    int l, i, any = 0;
    *left_out = in->filters_left_out;
    for (l = 0; l < DD__FILTER_LISTS; l++) any |= in->n_filter[l] != 0;
    if (!any) return NULL;
    f = (dd__tfilters *)dd__alloc(&t->alloc, sizeof *f);
    if (!f) return NULL;
    memset(f, 0, sizeof *f);
    f->left_out = in->filters_left_out;
    for (i = 0; i < in->n_filter[0]; i++) {
#if DD__HAVE_POSIX
        if (dd__tfilter_compile(&f->res[f->n_res], in->filter_text + in->filter_off[0][i])) f->n_res++;
        else f->left_out++;
#else
        f->left_out++;
#endif
    }
    for (l = 0; l < 4; l++) {
        int list = order[l];
        for (i = 0; i < in->n_filter[list]; i++) {
            const char *e = in->filter_text + in->filter_off[list][i], *colon, *k, *v = NULL;
            size_t kn, vn = 0;
            dd__tfilter *x = &f->tag[f->n_tag];
            colon = (const char *)memchr(e, ':', in->filter_len[list][i]);
            kn = colon ? (size_t)(colon - e) : in->filter_len[list][i];
            k = dd__tfilter_trim(e, &kn);
            if (colon) {
                vn = in->filter_len[list][i] - (size_t)(colon + 1 - e);
                v = dd__tfilter_trim(colon + 1, &vn);
            }
            if (!kn) { /* no key: unusable (libdatadog) */
                f->left_out++;
                continue;
            }
            memset(x, 0, sizeof *x);
            x->regex = list >= 3;
            x->require = list == 1 || list == 3;
            x->has_val = vn != 0; /* "key:" is the key alone (libdatadog) */
            memcpy(f->text + used, k, kn); /* the text of the list fits: it holds every entry */
            f->text[used + kn] = 0;
            x->key = f->text + used, x->klen = (uint32_t)kn;
            used += kn + 1;
            if (x->has_val) {
                memcpy(f->text + used, v, vn);
                f->text[used + vn] = 0;
                x->val = f->text + used, x->vlen = (uint32_t)vn;
                used += vn + 1;
#if DD__HAVE_POSIX
                if (x->regex && !dd__tfilter_compile(&x->re, x->val)) {
                    f->left_out++;
                    continue;
                }
#else
                if (x->regex) {
                    f->left_out++;
                    continue;
                }
#endif
            }
            f->n_tag++;
        }
    }
    *left_out = f->left_out;
    if (!f->n_res && !f->n_tag) {
        dd__tfilters_free(t, f);
        return NULL;
    }
    return f;
}
/* v[0..n) NUL-terminated in the stats' scratch (grown under lock, kept); NULL without memory. */
DD__PRIVATE const char *dd__tfilter_cstr(dd_tracer *t, const char *v, size_t n, int lower) {
    dd__stats *st = t->stats;
    size_t i;
    if (n + 1 > st->scratch_cap) {
        size_t cap = st->scratch_cap ? st->scratch_cap : 256;
        char *p;
        while (cap < n + 1) cap *= 2;
        p = (char *)dd__alloc(&t->alloc, cap);
        if (!p) return NULL;
        dd__free(&t->alloc, st->scratch, st->scratch_cap);
        st->scratch = p, st->scratch_cap = cap;
    }
    for (i = 0; i < n; i++) st->scratch[i] = lower && v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) : v[i];
    st->scratch[n] = 0;
    return st->scratch;
}
/* 1 when the root's meta `key` matches filter x (the value as the agent reads it: env lower-cased,
 * an http.status_code that is not a status absent). Under lock. */
DD__PRIVATE int dd__tfilter_match(dd_tracer *t, const dd__tfilter *x, const dd_span *root) {
    const char *v = NULL;
    size_t vn = 0;
    double num = 0;
    int is_num = 0, env;
    if (!dd__root_tag_fn(root, x->key, x->klen, &v, &vn, &num, &is_num) || is_num) return 0;
    if (x->klen == 16 && memcmp(x->key, "http.status_code", 16) == 0) {
        int64_t c = dd__stats_parse_int(v, vn, 1000);
        if (c < 100 || c >= 600) return 0;
    }
    if (!x->has_val) return 1;
    env = x->klen == 3 && memcmp(x->key, "env", 3) == 0;
    if (!x->regex) {
        size_t i;
        if (vn != x->vlen) return 0;
        for (i = 0; i < vn; i++) {
            char c = v[i];
            if (env && c >= 'A' && c <= 'Z') c = (char)(c + 32);
            if (c != x->val[i]) return 0;
        }
        return 1;
    }
#if DD__HAVE_POSIX
    v = dd__tfilter_cstr(t, v, vn, env);
    return v && regexec(&x->re, v, 0, NULL, 0) == 0;
#else
    (void)t;
    return 0;
#endif
}
/* 1 when the agent's trace filters reject the trace of this local root (libdatadog's
 * TraceFilterer, dd-trace-go's traceFilters.reject): its resource (its name when empty) matches
 * an ignore_resources pattern, or a reject filter matches its meta, or a require filter does not.
 * Under lock, on the finishing thread: only called when /info has filters. */
DD__PRIVATE int dd__stats_filtered(dd_tracer *t, const dd__tfilters *f, const dd_span *root) {
    int i;
#if DD__HAVE_POSIX
    if (f->n_res) {
        dd__tstr r = root->resource_n ? DD__SSTR(root, resource) : DD__SSTR(root, name);
        const char *c = dd__tfilter_cstr(t, r.p, r.n, 0);
        for (i = 0; c && i < f->n_res; i++)
            if (regexec(&f->res[i], c, 0, NULL, 0) == 0) return 1;
    }
#endif
    for (i = 0; i < f->n_tag; i++)
        if (dd__tfilter_match(t, &f->tag[i], root) == !f->tag[i].require) return 1;
    return 0;
}

/* --- the payload --- */
DD__PRIVATE void dd__stats_str(dd_mp_writer *w, const char *k, const char *v, size_t n) {
    dd_mp_write_str(w, k, strlen(k));
    dd_mp_write_str(w, v, n);
}
DD__PRIVATE void dd__stats_uint(dd_mp_writer *w, const char *k, uint64_t v) {
    dd_mp_write_str(w, k, strlen(k));
    dd_mp_write_u64(w, v);
}
/* The entries of key field 5 (2-byte length, then "key:value") whose DD__STATS_ADD_FLAG is `flag`,
 * as an array of strings: the peer tags (flag 0) or the additional tags. */
DD__PRIVATE void dd__stats_write_tags(dd_mp_writer *w, const char *p, uint32_t len, uint32_t flag) {
    uint32_t n = 0, off, e;
    for (off = 0; off + 2 <= len; off += 2 + (e & ~DD__STATS_ADD_FLAG)) {
        e = (uint32_t)(unsigned char)p[off] << 8 | (unsigned char)p[off + 1];
        n += (e & DD__STATS_ADD_FLAG) == flag;
    }
    dd_mp_write_array(w, n);
    for (off = 0; off + 2 <= len; off += 2 + (e & ~DD__STATS_ADD_FLAG)) {
        e = (uint32_t)(unsigned char)p[off] << 8 | (unsigned char)p[off + 1];
        if ((e & DD__STATS_ADD_FLAG) == flag) dd_mp_write_str(w, p + off + 2, e & ~DD__STATS_ADD_FLAG);
    }
}
/* One ClientGroupedStats (22 entries, docs/stats.md §5). */
DD__PRIVATE void dd__stats_write_group(dd_mp_writer *w, const dd__sbucket *b, const dd__sgroup *g) {
    const char *tx = b->text;
    dd_mp_write_map(w, 22);
    dd__stats_str(w, "Service", tx + g->off[0], g->len[0]);
    dd__stats_str(w, "Name", tx + g->off[1], g->len[1]);
    dd__stats_str(w, "Resource", tx + g->off[2], g->len[2]);
    dd__stats_uint(w, "HTTPStatusCode", g->http_status);
    dd__stats_str(w, "Type", tx + g->off[3], g->len[3]);
    dd__stats_str(w, "DBType", "", 0);
    dd__stats_uint(w, "Hits", g->hits);
    dd__stats_uint(w, "Errors", g->errors);
    dd__stats_uint(w, "Duration", g->duration);
    dd_mp_write_str(w, "OkSummary", 9);
    dd__sk_write(w, &g->ok);
    dd_mp_write_str(w, "ErrorSummary", 12);
    dd__sk_write(w, &g->err);
    dd_mp_write_str(w, "Synthetics", 10);
    dd_mp_write_bool(w, g->synthetics);
    dd__stats_uint(w, "TopLevelHits", g->top_level_hits);
    dd__stats_str(w, "SpanKind", tx + g->off[4], g->len[4]);
    dd_mp_write_str(w, "PeerTags", 8);
    dd__stats_write_tags(w, tx + g->off[5], g->len[5], 0);
    dd_mp_write_str(w, "IsTraceRoot", 11);
    dd_mp_write_i64(w, g->trace_root);
    dd__stats_str(w, "GRPCStatusCode", tx + g->off[8], g->len[8]);
    dd__stats_str(w, "HTTPMethod", tx + g->off[6], g->len[6]);
    dd__stats_str(w, "HTTPEndpoint", tx + g->off[7], g->len[7]);
    dd__stats_str(w, "srv_src", tx + g->off[9], g->len[9]);
    dd_mp_write_str(w, "SpanDerivedPrimaryTags", 22);
    dd_mp_write_array(w, 0);
    dd_mp_write_str(w, "AdditionalMetricTags", 20);
    dd__stats_write_tags(w, tx + g->off[5], g->len[5], DD__STATS_ADD_FLAG);
}
/* The ClientStatsPayload of the n buckets in bs (16 entries, docs/stats.md §5) into w. */
DD__PRIVATE void dd__stats_write_payload(const dd_tracer *t, dd_mp_writer *w, dd__sbucket *const *bs, int n,
                                         uint64_t sequence) {
    const dd__stats *st = t->stats;
    int i;
    uint32_t j;
    dd_mp_writer_reset(w);
    dd_mp_write_map(w, 16);
    if (t->report_hostname) dd__stats_str(w, "Hostname", t->hostname.p, t->hostname.n);
    else dd__stats_str(w, "Hostname", "", 0);
    if (t->env.n) dd__stats_str(w, "Env", t->env.p, t->env.n);
    else if (st->default_env[0]) dd__stats_str(w, "Env", st->default_env, strlen(st->default_env));
    else dd__stats_str(w, "Env", "unknown-env", 11);
    dd__stats_str(w, "Version", t->version.p, t->version.n);
    dd_mp_write_str(w, "Stats", 5);
    dd_mp_write_array(w, (uint32_t)n);
    for (i = 0; i < n; i++) {
        dd_mp_write_map(w, 4);
        dd__stats_uint(w, "Start", (uint64_t)bs[i]->start);
        dd__stats_uint(w, "Duration", (uint64_t)DD__STATS_BUCKET_NS);
        dd_mp_write_str(w, "Stats", 5);
        dd_mp_write_array(w, bs[i]->n_groups);
        for (j = 0; j < bs[i]->n_groups; j++) dd__stats_write_group(w, bs[i], &bs[i]->groups[j]);
        dd_mp_write_str(w, "AgentTimeShift", 14);
        dd_mp_write_i64(w, 0);
    }
    dd__stats_str(w, "Lang", "", 0);
    dd__stats_str(w, "TracerVersion", "", 0);
    dd__stats_str(w, "RuntimeID", t->runtime_id, strlen(t->runtime_id));
    dd__stats_uint(w, "Sequence", sequence);
    dd__stats_str(w, "AgentAggregation", "", 0);
    dd__stats_str(w, "Service", t->service.p, t->service.n);
    dd__stats_str(w, "ContainerID", "", 0);
    dd_mp_write_str(w, "Tags", 4);
    dd_mp_write_array(w, 0);
    dd__stats_str(w, "GitCommitSha", "", 0);
    dd__stats_str(w, "ImageTag", "", 0);
    dd__stats_uint(w, "ProcessTagsHash", 0);
    dd__stats_str(w, "ProcessTags", "", 0);
}

/* --- the stats pass: /info, then the due buckets --- */
/* Common headers of the tracer's requests (docs/agent-protocol.md §4) into h; returns the count. */
DD__PRIVATE size_t dd__stats_headers(const dd_tracer *t, dd_header *h, int msgpack) {
    size_t nh = 0;
#define DD__SHDR(n, v, vn)                   \
    do {                                     \
        h[nh].name = (n);                    \
        h[nh].name_len = sizeof(n) - 1;      \
        h[nh].value = (v);                   \
        h[nh].value_len = (vn);              \
        nh++;                                \
    } while (0)
    if (msgpack) DD__SHDR("Content-Type", "application/msgpack", 19);
    DD__SHDR("Datadog-Meta-Lang", t->language.p, t->language.n);
    DD__SHDR("Datadog-Meta-Lang-Version", t->language_version.p, t->language_version.n);
    if (t->language.n == 1 && t->language.p[0] == 'c')
        DD__SHDR("Datadog-Meta-Lang-Interpreter", DD__INTERPRETER, sizeof(DD__INTERPRETER) - 1);
    DD__SHDR("Datadog-Meta-Tracer-Version", DDTRACE_VERSION_STRING, sizeof(DDTRACE_VERSION_STRING) - 1);
    if (t->container_id.n) {
        DD__SHDR("Datadog-Container-ID", t->container_id.p, t->container_id.n);
        DD__SHDR("Datadog-Entity-ID", t->entity_id.p, t->entity_id.n);
    }
#undef DD__SHDR
    return nh;
}

/* Response headers a transport hands over with dd_http_response_header during its call: the
 * note of the call in progress on this thread (the tracer's requests run one at a time per
 * thread; a transport that traces itself nests, hence the saved pointer). */
typedef struct dd__resp_note {
    const dd_http_response *resp;
    struct dd__resp_note *prev;
    int has_state;
    size_t state_len; /* the whole value's length; its first DD__AGENT_STATE_LEN bytes kept */
    char state[DD__AGENT_STATE_LEN];
} dd__resp_note;
static DD__THREAD_LOCAL dd__resp_note *dd__resp_cur;
DD__PRIVATE void dd__resp_begin(dd__resp_note *n, const dd_http_response *resp) {
    n->resp = resp;
    n->has_state = 0;
    n->state_len = 0;
    n->prev = dd__resp_cur;
    dd__resp_cur = n;
}
DD__PRIVATE void dd__resp_end(dd__resp_note *n) { dd__resp_cur = n->prev; }
DD_API void dd_http_response_header(const dd_http_response *resp, const char *name, size_t name_len, const char *value,
                                    size_t value_len) {
    dd__resp_note *n = dd__resp_cur;
    if (!resp || !name || !value || !n || n->resp != resp) return; /* not a call of ours in progress */
    if (name_len != 19 || !dd__stats_ieq_n(name, "datadog-agent-state", 19)) return;
    n->has_state = 1;
    n->state_len = value_len;
    memcpy(n->state, value, value_len < DD__AGENT_STATE_LEN ? value_len : DD__AGENT_STATE_LEN);
}
/* A Datadog-Agent-State value seen (no lock held). The agent changes it when its /info changes
 * (libdatadog and dd-trace-java compare it with the SHA-256 of the /info body); dd-trace-c
 * remembers the last value seen instead, and a trace answer with another one makes /info due at
 * once (the next stats pass, right after this delivery). `from_info`: the /info answer's own,
 * only remembered. */
DD__PRIVATE void dd__stats_agent_state(dd_tracer *t, const dd__resp_note *n, int from_info) {
    dd__stats *st = t->stats;
    size_t k = n->state_len < DD__AGENT_STATE_LEN ? n->state_len : DD__AGENT_STATE_LEN;
    if (!st || !n->has_state) return;
    pthread_mutex_lock(&t->lock);
    if (st->agent_state_len != n->state_len || memcmp(st->agent_state, n->state, k) != 0) {
        memcpy(st->agent_state, n->state, k);
        st->agent_state_len = n->state_len;
        if (!from_info) st->next_info_ns = 0;
    }
    pthread_mutex_unlock(&t->lock);
}

/* GET /info through the transport (no lock held) and applies the answer. A transport that
 * cannot reach the agent keeps the previous snapshot; 404 (or any other answer) means no
 * features: traces are all sent and the agent computes the stats. The trace filters are
 * compiled here, on the worker, before the lock is taken. */
DD__PRIVATE void dd__stats_fetch_info(dd_tracer *t, int64_t deadline) {
    dd__stats *st = t->stats;
    dd_header h[8];
    dd_http_request req;
    dd_http_response resp;
    dd__resp_note note;
    dd__info *info;
    dd__tfilters *filters = NULL;
    int rc, ok = 0, left_out = 0, log_left_out = 0;
    int64_t left = (deadline - dd__now()) / 1000000;
    if (left < 1 || !t->transport_fn) return;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/info";
    req.headers = h;
    req.n_headers = dd__stats_headers(t, h, 0);
    req.timeout_ms = t->request_timeout_ms < left ? t->request_timeout_ms : left;
    memset(&resp, 0, sizeof resp);
    info = (dd__info *)dd__alloc(&t->alloc, sizeof *info);
    if (!info) return;
    dd__resp_begin(&note, &resp);
    rc = t->transport_fn(t->transport_user, &req, &resp);
    dd__resp_end(&note);
    if (rc == DD_TRANSPORT_ANSWERED && resp.status == 200)
        ok = dd__info_parse(resp.body, resp.body_len, info) == DD_OK;
    if (ok) filters = dd__tfilters_new(t, info, &left_out);
    if (rc == DD_TRANSPORT_ANSWERED) dd__stats_agent_state(t, &note, 1);
    pthread_mutex_lock(&t->lock);
    if (rc == DD_TRANSPORT_ANSWERED) {
        int was = st->active;
        dd__tfilters *old = st->filters;
        dd__stats_apply_info(st, ok ? info : NULL);
        if (st->active && !was) { /* buckets start now: spans before were left to the agent */
            st->oldest_ts = dd__stats_align(t->wall_ns_fn(t->clock_user));
            st->next_flush_ns = dd__now() + DD__STATS_BUCKET_NS;
        }
        st->filters = filters; /* this snapshot's (NULL: none); the old set is freed below */
        filters = old;
        log_left_out = left_out && left_out != st->filters_left_out;
        st->filters_left_out = left_out;
    }
    pthread_mutex_unlock(&t->lock);
    dd__tfilters_free(t, filters);
    dd__free(&t->alloc, info, sizeof *info);
    if (rc == DD_TRANSPORT_ANSWERED && !ok)
        dd__tlogs(t, DD_LOG_DEBUG, "the agent's /info is missing or unreadable: stats are left to the agent");
    if (log_left_out) { /* once per change of the agent's configuration, not every 30 s */
        char num[24];
        dd__t_u64_dec((uint64_t)left_out, num);
        dd__tlog3(t, DD_LOG_WARN, "trace filters of the agent's /info left out (unreadable, over a bound, without a key, or a pattern "
                  "POSIX regcomp refused): ", num, strlen(num), "; the agent still applies them to what it receives");
    }
}

/* One stats pass (no lock held, one per tracer at a time through t->flushing): /info when due,
 * then the buckets whose time has come (all of them when `force`) in one /v0.6/stats request,
 * never retried once written (a duplicate would count twice). */
DD__PRIVATE void dd__stats_pass(dd_tracer *t, int64_t deadline, int force) {
    dd__stats *st = t->stats;
    dd__sbucket *bs[DD__STATS_BUCKETS_MAX];
    int n = 0, i, info_due, rc;
    int64_t now_wall, now;
    uint64_t seq;
    if (!st) return;
    pthread_mutex_lock(&t->lock);
    while (t->flushing) pthread_cond_wait(&t->cond, &t->lock);
    t->flushing = 1;
    now = dd__now();
    info_due = now >= st->next_info_ns;
    if (info_due) st->next_info_ns = now + DD__INFO_PERIOD_NS; /* whatever the outcome: no busy loop */
    pthread_mutex_unlock(&t->lock);
    if (info_due) dd__stats_fetch_info(t, deadline);

    pthread_mutex_lock(&t->lock);
    now = dd__now();
    if (force || now >= st->next_flush_ns) {
        now_wall = t->wall_ns_fn(t->clock_user);
        for (i = 0; i < DD__STATS_BUCKETS_MAX; i++) {
            dd__sbucket *b = &st->buckets[i];
            if (!b->used || (!force && b->start > now_wall - 2 * DD__STATS_BUCKET_NS)) continue;
            if (b->n_groups) {
                st->out[i] = b;
                bs[n++] = b;
                b->used = 0; /* no new span joins it; the slot is reused once sent */
            } else {
                dd__stats_reset_bucket(b);
            }
        }
        /* spans of buckets already sent go to the oldest still open (docs/stats.md §3) */
        if (force) {
            if (dd__stats_align(now_wall) > st->oldest_ts) st->oldest_ts = dd__stats_align(now_wall);
        } else if (dd__stats_align(now_wall) - DD__STATS_BUCKET_NS > st->oldest_ts) {
            st->oldest_ts = dd__stats_align(now_wall) - DD__STATS_BUCKET_NS;
        }
        if (now >= st->next_flush_ns) st->next_flush_ns = now + DD__STATS_BUCKET_NS;
    }
    seq = st->sequence;
    if (n) st->sequence++;
    pthread_mutex_unlock(&t->lock);

    if (n) {
        dd_header h[8];
        dd_http_request req;
        dd_http_response resp;
        size_t used = 0;
        int64_t left = (deadline - dd__now()) / 1000000;
        /* oldest first: the order the buckets cover */
        for (i = 1; i < n; i++) {
            dd__sbucket *x = bs[i];
            int j = i;
            while (j > 0 && bs[j - 1]->start > x->start) bs[j] = bs[j - 1], j--;
            bs[j] = x;
        }
        dd__stats_write_payload(t, &st->send, bs, n, seq);
        rc = -1;
        memset(&resp, 0, sizeof resp); /* read below whether or not a request was made */
        if (t->transport_fn && left >= 1 && dd_mp_writer_finish(&st->send, &used) == DD_OK) {
            memset(&req, 0, sizeof req);
            req.method = "POST";
            req.path = "/v0.6/stats";
            req.headers = h;
            req.n_headers = dd__stats_headers(t, h, 1);
            req.body = dd_mp_writer_data(&st->send);
            req.body_len = used;
            req.timeout_ms = t->request_timeout_ms < left ? t->request_timeout_ms : left;
            dd__tlog_payload(t, req.body, req.body_len);
            rc = t->transport_fn(t->transport_user, &req, &resp);
        }
        pthread_mutex_lock(&t->lock);
        if (rc == DD_TRANSPORT_ANSWERED && resp.status >= 200 && resp.status < 300) {
            t->counters.stats_payloads_sent++;
            t->counters.stats_bytes_sent += used;
        } else {
            t->counters.stats_payloads_failed++;
        }
        for (i = 0; i < DD__STATS_BUCKETS_MAX; i++)
            if (st->out[i]) {
                dd__stats_reset_bucket(st->out[i]);
                st->out[i] = NULL;
            }
        pthread_mutex_unlock(&t->lock);
        if (rc != DD_TRANSPORT_ANSWERED || resp.status < 200 || resp.status >= 300)
            dd__tlog_limited(t, DD__RL_STATS, "a /v0.6/stats request failed: those stats are lost (counted in stats_payloads_failed)");
    }
    pthread_mutex_lock(&t->lock);
    t->flushing = 0;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

/* When the worker should next run a stats pass (real mono ns), INT64_MAX when never (under lock):
 * /info until it is known, then every 10 s while stats are active and a bucket holds spans. */
DD__PRIVATE int64_t dd__stats_next(const dd_tracer *t) {
    const dd__stats *st = t->stats;
    int i;
    if (!st) return INT64_MAX;
    if (!st->info_known) return st->next_info_ns;
    if (!st->active) return INT64_MAX; /* /info again with the next trace delivery */
    for (i = 0; i < DD__STATS_BUCKETS_MAX; i++)
        if (st->buckets[i].used) return st->next_flush_ns;
    return INT64_MAX;
}

/* 1 when a partial-flush chunk holds the local root (walked under the segment's lock: a root still
 * open may be finishing on another thread, so its own fields are not read). A partial chunk cut
 * before the root finished passes the trace filters, as in dd-trace-go; so does one cut after the
 * root went out in an earlier partial chunk (dd-trace-go filters that one too); the chunk that
 * completes the trace is always filtered. */
DD__PRIVATE int dd__stats_root_in_chunk(const dd__segment *seg) {
    const dd_span *s;
    for (s = seg->done_head; s; s = s->u.f.next_done)
        if (s == seg->root) return 1;
    return 0;
}
/* A chunk the agent's trace filters reject (under lock): released without being encoded or
 * aggregated, counted with the sampling drops (chunks_ and spans_dropped_sampling, not _p0: no
 * Datadog-Client-Dropped-P0-* header counts it, the agent would have dropped it too). */
DD__PRIVATE void dd__stats_drop_filtered(dd_tracer *t, dd__segment *seg) {
    dd_span *s;
    for (s = seg->done_head; s; s = s->u.f.next_done) s->pending = 0;
    t->counters.spans_dropped_sampling += seg->n_done;
    t->counters.chunks_dropped_sampling++;
    seg->done_head = seg->done_tail = NULL;
    seg->n_done = 0;
    seg->chunks++;
}
/* dd__finish's hook (under lock, stats on): when the agent agreed, aggregates the chunk, wakes an idle worker so that
 * the bucket schedule runs, and returns 1 when the finishing thread must run a stats pass itself
 * (DD_DELIVERY_SYNC, the schedule has come). */
DD__PRIVATE int dd__stats_finish(dd_tracer *t, dd__segment *seg, int complete) {
    seg->stats_chunk = t->stats->active; /* its trace request says so (one kind per request) */
    if (!seg->stats_chunk) return 0;
    if (t->stats->filters && seg->n_done && (complete || dd__stats_root_in_chunk(seg))
        && dd__stats_filtered(t, t->stats->filters, seg->root)) {
        dd__stats_drop_filtered(t, seg); /* no stats, not sent */
        return 0;
    }
    dd__stats_add_chunk(t, seg);
    if (t->delivery == DD_DELIVERY_BACKGROUND) {
        if (t->worker_idle) pthread_cond_broadcast(&t->cond);
        return 0;
    }
    return t->delivery == DD_DELIVERY_SYNC && !t->flushing && dd__now() >= dd__stats_next(t);
}
/* A trace request that surely did not reach the agent (not sent, or refused unread: 408, 413,
 * 429, 503) gives its P0 counts back, for the next request to carry (docs/stats.md §7). No lock
 * held. */
DD__PRIVATE void dd__stats_p0_unsent(dd_tracer *t) {
    dd__stats *st = t->stats;
    if (!st) return;
    pthread_mutex_lock(&t->lock);
    st->p0_traces += st->p0_sent_traces;
    st->p0_spans += st->p0_sent_spans;
    st->p0_sent_traces = st->p0_sent_spans = 0;
    pthread_mutex_unlock(&t->lock);
}
/* 1 when a bucket holds spans not yet sent (under lock). */
DD__PRIVATE int dd__stats_pending(const dd_tracer *t) {
    int i;
    if (!t->stats) return 0;
    for (i = 0; i < DD__STATS_BUCKETS_MAX; i++)
        if (t->stats->buckets[i].used) return 1;
    return 0;
}

/* DD_TRACE_STATS_ADDITIONAL_TAGS ("k1,k2,..."): blanks trimmed, empty items and keys over
 * DD__STATS_ADD_KEY_LEN bytes left out, then sorted, de-duplicated and cut to the first
 * DD__STATS_ADD_KEYS (libdatadog's order of those steps); one warning when something was left out. */
DD__PRIVATE void dd__stats_add_config(dd_tracer *t, dd__stats *st, const char *v) {
    char keys[16][DD__STATS_ADD_KEY_LEN + 1];
    int n = 0, i, j, dropped = 0;
    while (v && *v) {
        const char *e = strchr(v, ',');
        size_t len = e ? (size_t)(e - v) : strlen(v);
        const char *k = dd__tfilter_trim(v, &len);
        if (len > DD__STATS_ADD_KEY_LEN || (len && n == 16)) dropped++;
        else if (len) {
            memcpy(keys[n], k, len);
            keys[n++][len] = 0;
        }
        v = e ? e + 1 : "";
    }
    for (i = 1; i < n; i++) /* insertion sort: at most 16 */
        for (j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            char tmp[DD__STATS_ADD_KEY_LEN + 1];
            memcpy(tmp, keys[j], sizeof tmp);
            memcpy(keys[j], keys[j - 1], sizeof tmp);
            memcpy(keys[j - 1], tmp, sizeof tmp);
        }
    for (i = 0; i < n; i++) {
        if (st->n_add && strcmp(st->add_keys[st->n_add - 1], keys[i]) == 0) continue; /* a duplicate */
        if (st->n_add == DD__STATS_ADD_KEYS) {
            dropped++;
            continue;
        }
        st->add_len[st->n_add] = (uint8_t)strlen(keys[i]);
        memcpy(st->add_keys[st->n_add++], keys[i], sizeof keys[i]);
    }
    if (dropped)
        dd__tlogs(t, DD_LOG_WARN, "DD_TRACE_STATS_ADDITIONAL_TAGS: keys left out (more than 4 after sorting, empty, or longer "
                                  "than 64 bytes)");
}

/* Made by dd_tracer_new when stats computation is on (`additional_tags`: the value of
 * DD_TRACE_STATS_ADDITIONAL_TAGS, or NULL); NULL when off or out of memory. */
DD__PRIVATE dd__stats *dd__stats_new(dd_tracer *t, const char *additional_tags) {
    dd__stats *st = (dd__stats *)dd__alloc(&t->alloc, sizeof *st);
    if (!st) return NULL;
    memset(st, 0, sizeof *st);
    st->enabled = 1;
    st->last_start = INT64_MIN / 2;
    st->oldest_ts = dd__stats_align(t->wall_ns_fn(t->clock_user));
    st->next_info_ns = 0; /* at the first delivery pass */
    st->next_flush_ns = dd__now() + DD__STATS_BUCKET_NS;
    dd_mp_writer_init_growable(&st->send, &t->alloc, 0);
    dd__sk_fast_init(&st->skf);
    dd__stats_default_kinds(st);
    dd__stats_add_config(t, st, additional_tags);
    return st;
}
DD__PRIVATE void dd__stats_free(dd_tracer *t) {
    dd__stats *st = t->stats;
    int i;
    uint32_t j;
    if (!st) return;
    for (i = 0; i < DD__STATS_BUCKETS_MAX; i++) {
        dd__sbucket *b = &st->buckets[i];
        for (j = 0; j < b->cap_groups; j++) {
            dd__free(&t->alloc, b->groups[j].ok.bins, (size_t)b->groups[j].ok.cap * 8);
            dd__free(&t->alloc, b->groups[j].err.bins, (size_t)b->groups[j].err.cap * 8);
        }
        dd__free(&t->alloc, b->groups, (size_t)b->cap_groups * sizeof(dd__sgroup));
        dd__free(&t->alloc, b->table, (size_t)b->table_cap * sizeof(uint32_t));
        dd__free(&t->alloc, b->text, b->text_cap);
    }
    dd_mp_writer_free(&st->send);
    dd__tfilters_free(t, st->filters);
    dd__free(&t->alloc, st->scratch, st->scratch_cap);
    dd__free(&t->alloc, st, sizeof *st);
    t->stats = NULL;
}
/* In a fork()ed child: the buckets are the parent's to send (under lock). */
DD__PRIVATE void dd__stats_fork_child(dd_tracer *t) {
    int i;
    if (!t->stats) return;
    for (i = 0; i < DD__STATS_BUCKETS_MAX; i++) {
        dd__stats_reset_bucket(&t->stats->buckets[i]);
        t->stats->out[i] = NULL;
    }
    t->stats->p0_traces = t->stats->p0_spans = t->stats->p0_sent_traces = t->stats->p0_sent_spans = 0;
}

/*--- payload buffer and span filtering ---*/
/* The payload buffers (grown with the tracer's allocator), single-span filtering (calls the span
 * sampler), a chunk appended within max_buffer_bytes; under the tracer lock. */
DD__PRIVATE int dd__pbuf_grow(dd_tracer *t, dd__pbuf *pb) {
    size_t cap = pb->cap_marks ? pb->cap_marks * 2 : 64, old_cap = pb->cap_marks;
    dd__chunk_mark *m = (dd__chunk_mark *)dd__alloc(&t->alloc, cap * sizeof *m), *old = pb->marks;
    if (!m) return -1;
    if (pb->n_marks) memcpy(m, old, pb->n_marks * sizeof *m);
    /* the new array in place before the old one goes: a fork()ed child reads the in-flight
     * buffer's marks while its flushing thread may have been here (dd__drop_pipeline) */
    pb->marks = m;
    pb->cap_marks = cap;
    dd__free(&t->alloc, old, old_cap * sizeof *m);
    return 0;
}

/* Single-span sampling on a rejected trace (docs/sampling.md §10-§11): marks the spans a span rule
 * keeps; with drop_rejected_traces the others are unlinked (counted). Returns the spans left.
 * Under lock. */
DD__PRIVATE uint32_t dd__segment_filter(dd_tracer *t, dd__segment *seg) {
    dd_span *s;
    uint32_t kept = 0, n = seg->n_done;
    int p0 = !t->sampler.drop_rejected_traces && dd__stats_may_drop(t, seg); /* docs/stats.md §7 */
    int drop = t->sampler.drop_rejected_traces || p0;
    if (!n || seg->priority > 0 || seg->priority == DD_PRIORITY_UNSET || !t->sampler.n_span_rules) {
        if (n && seg->priority <= 0 && seg->priority != DD_PRIORITY_UNSET && drop)
            goto drop_all;
        return n;
    }
    for (s = seg->done_head; s; s = s->u.f.next_done) {
        dd__sampling_input in;
        dd__span_sampling_decision d;
        dd__sampling_input_of(&in, t, seg, s);
        in.now_ns = seg->mono0 + (s->start_ns - seg->wall0) + s->u.f.duration;
        s->ss_keep = dd__span_sampler_decide(&t->sampler, &in, s->span_id, &d);
        if (s->ss_keep) {
            s->ss_rule = (uint8_t)d.rule;
            kept++;
        }
    }
    if (!drop || kept == n) return n;
    if (!kept) goto drop_all;
    {
        dd_span **pp = &seg->done_head;
        seg->done_tail = NULL;
        while (*pp) {
            if (!(*pp)->ss_keep) {
                (*pp)->pending = 0;
                *pp = (*pp)->u.f.next_done;
            } else {
                seg->done_tail = *pp;
                pp = &(*pp)->u.f.next_done;
            }
        }
    }
    t->counters.spans_dropped_sampling += n - kept;
    if (p0) {
        t->counters.spans_dropped_p0 += n - kept;
        t->stats->p0_spans += n - kept;
    }
    seg->n_done = kept;
    return kept;
drop_all:
    for (s = seg->done_head; s; s = s->u.f.next_done) s->pending = 0;
    t->counters.spans_dropped_sampling += n;
    t->counters.chunks_dropped_sampling++;
    if (p0) {
        t->counters.spans_dropped_p0 += n;
        t->counters.chunks_dropped_p0++;
        t->stats->p0_spans += n;
        t->stats->p0_traces++;
    }
    seg->done_head = seg->done_tail = NULL;
    seg->n_done = 0;
    seg->chunks++;
    return 0;
}

/* Encodes the segment's finished, not yet encoded spans as one chunk into e->w (reset first).
 * The local root (when in the chunk) comes first and carries the trace-level tags. The caller
 * holds the lock, or owns the completed segment. Returns the spans encoded. */
DD__PRIVATE uint32_t dd__encode_chunk(dd_tracer *t, dd__segment *seg, dd__enc *e) {
    dd_span *s, *first;
    uint32_t n = seg->n_done;
    char tmp[24];
    dd_mp_writer_reset(&e->w);
    e->stats = seg->stats_chunk;
    if (!n) return 0;
    first = seg->root->pending ? seg->root : seg->done_head;
    dd_mp_write_array(&e->w, n);
    dd__encode_span(t, seg, first, 1, e, tmp);
    for (s = seg->done_head; s; s = s->u.f.next_done) {
        s->pending = 0;
        if (s != first) dd__encode_span(t, seg, s, 0, e, tmp);
    }
    first->pending = 0;
    seg->done_head = seg->done_tail = NULL;
    seg->n_done = 0;
    seg->chunks++;
    return n;
}

/* Appends the chunk in e->w (n spans) to pb and counts into *c: chunks/spans_encoded on success
 * (unless `queued`: then they were counted when the segment was queued), chunks/spans_dropped_buffer
 * on failure (taken back from *_encoded when `queued`). `limit` caps pb's size (0 = none). Returns 0
 * or the DD__DROP_* kind. Counters may be a delta merged later: unsigned arithmetic wraps back. */
DD__PRIVATE unsigned dd__pbuf_append(dd_tracer *t, dd__pbuf *pb, dd__enc *e, uint32_t n, uint64_t limit,
                                     dd_counters *c, int queued) {
    size_t used = 0, have = dd__pbuf_size(pb), i;
    unsigned drop;
    if (dd_mp_writer_finish(&e->w, &used) != DD_OK) {
        drop = DD__DROP_NO_MEMORY;
    } else if (used + 5 > t->max_request_bytes) {
        drop = DD__DROP_TOO_BIG;
    } else if (limit && have + used > limit) {
        drop = DD__DROP_BUFFER;
    } else if (pb->n_marks == pb->cap_marks && dd__pbuf_grow(t, pb) != 0) {
        drop = DD__DROP_NO_MEMORY;
    } else {
        if (!pb->n_marks) { /* the head (dd__build_request), then the first chunk */
            dd_mp_writer_reset(&pb->w);
            dd_mp_write_raw(&pb->w, "\0\0\0\0\0", DD__PBUF_HEAD);
        }
        dd_mp_write_raw(&pb->w, dd_mp_writer_data(&e->w), used);
        if (dd_mp_writer_error(&pb->w) == DD_OK) {
            pb->marks[pb->n_marks].end = DD__PBUF_HEAD + have + used;
            pb->marks[pb->n_marks].spans = n;
            pb->marks[pb->n_marks].stats = e->stats;
            pb->n_marks++;
            if (!queued) {
                c->chunks_encoded++;
                c->spans_encoded += n;
            }
            return 0;
        }
        /* the buffer could not grow and the writer's error is sticky: empty it, counted */
        for (i = 0; i < pb->n_marks; i++) {
            c->chunks_dropped_buffer++;
            c->spans_dropped_buffer += pb->marks[i].spans;
            c->chunks_encoded--;
            c->spans_encoded -= pb->marks[i].spans;
        }
        pb->n_marks = 0;
        dd_mp_writer_reset(&pb->w);
        drop = DD__DROP_NO_MEMORY;
    }
    c->chunks_dropped_buffer++;
    c->spans_dropped_buffer += n;
    if (queued) {
        c->chunks_encoded--;
        c->spans_encoded -= n;
    }
    return drop;
}

/*--- finish ---*/
/* dd__finish: the span joins its segment's done list under the segment's lock. dd__complete (the
 * last span): the decision, then under the tracer lock either a pooled encoder or the worker's
 * queue; the encoding itself off the lock; may deliver (DD_DELIVERY_SYNC) without the lock. */
DD__PRIVATE int dd__deliver(dd_tracer *t, int64_t deadline, int force, int *result);
DD__PRIVATE int dd__wake_worker(dd_tracer *t);
DD__PRIVATE int64_t dd__now(void);

/* Bytes a completed segment holds while it waits for the flush (its arena blocks). */
DD__PRIVATE uint64_t dd__seg_bytes(const dd__segment *seg) {
    const dd__block *b;
    uint64_t n = 0;
    for (b = seg->blocks; b; b = b->next) n += b->cap;
    return n;
}

/* An encoder for a producer thread, from the pool (under lock); NULL when all are taken and
 * none can be made. Warm-up allocates one per thread finishing traces at once, then nothing. */
DD__PRIVATE dd__enc *dd__enc_take(dd_tracer *t) {
    dd__enc *e;
    if (t->n_enc_pool) return t->enc_pool[--t->n_enc_pool];
    if (t->n_enc_made == DD__ENC_POOL_MAX) return NULL;
    e = (dd__enc *)dd__alloc(&t->alloc, sizeof *e);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    dd_mp_writer_init_growable(&e->w, &t->alloc, 0);
    t->n_enc_made++;
    return e;
}
DD__PRIVATE void dd__enc_give(dd_tracer *t, dd__enc *e) { t->enc_pool[t->n_enc_pool++] = e; }

/* A completed segment waits for the worker, which encodes it (under lock). Returns the drop kind
 * when the buffer is full. */
DD__PRIVATE unsigned dd__queue_segment(dd_tracer *t, dd__segment *seg, uint32_t n, uint64_t est) {
    uint64_t bytes = dd__seg_bytes(seg);
    if (t->done_bytes + bytes + dd__pbuf_size(&t->bufs[t->active]) > t->max_buffer_bytes) {
        t->counters.chunks_dropped_buffer++;
        t->counters.spans_dropped_buffer += n;
        dd__seg_release(t, seg);
        return dd__drop_first(t, DD__DROP_BUFFER);
    }
    dd__seg_unlink_open(t, seg);
    seg->next_done_seg = NULL;
    seg->n_kept = n;
    if (t->done_tail) t->done_tail->next_done_seg = seg;
    else t->done_head = seg;
    t->done_tail = seg;
    t->done_bytes += bytes;
    t->done_est += est;
    t->counters.chunks_encoded++;
    t->counters.spans_encoded += n;
    return 0;
}

/* After new data joined the buffer (under lock): wakes the worker when the buffer passed
 * flush_bytes or half of max_buffer_bytes (a small memory limit would otherwise fill before the
 * payload estimate triggers), or, in synchronous mode, tells the caller to deliver (also when
 * the interval passed). Returns 1 when the caller must deliver itself. */
DD__PRIVATE int dd__after_buffered(dd_tracer *t, int64_t mono) {
    uint64_t held = dd__pbuf_size(&t->bufs[t->active]);
    int full = t->done_est + held >= t->flush_bytes || t->done_bytes + held >= t->max_buffer_bytes / 2;
    if (t->delivery == DD_DELIVERY_BACKGROUND) {
        if (full) t->flush_wanted = 1;
        if ((full || !t->has_thread || t->worker_idle) && dd__wake_worker(t) != 0)
            return !t->flushing; /* no thread: deliver here */
        return 0;
    }
    if (t->delivery == DD_DELIVERY_SYNC && !t->flushing
        && (full || (t->flush_interval_ns >= 0 && mono - t->last_finish_flush_mono >= t->flush_interval_ns))) {
        t->last_finish_flush_mono = mono;
        return 1;
    }
    return 0;
}

/* A segment whose last span finished (n_open reached 0): no span of it is open, so no other
 * thread reaches it any more. The sampling decision is made without the tracer lock (the
 * sampler has its own); the trace joins the buffer under it, encoded between two holds of it. */
DD__PRIVATE void dd__complete(dd__segment *seg, int64_t mono) {
    dd__segment *encode_seg = NULL;
    dd_tracer *t = seg->tracer;
    dd__enc *e = NULL;
    unsigned drop = 0;
    uint32_t n, encoding = 0;
    int changed = 0, deliver = 0, rc, stats_due = 0;
    dd__segment_decide(t, seg, mono);
    pthread_mutex_lock(&t->lock);
    if (t->stats) stats_due = dd__stats_finish(t, seg, 1); /* before any drop */
    n = seg->priority > 0 ? seg->n_done : dd__segment_filter(t, seg); /* a kept trace keeps all */
    if (!n) {
        dd__seg_release(t, seg);
    } else {
        uint64_t est = 300; /* the chunk root's extra tags */
        dd_span *q;
        for (q = seg->done_head; q; q = q->u.f.next_done) est += 160 + (uint32_t)(t->max_tag_bytes - q->tag_room);
        seg->est_bytes = est;
        if (est <= DD__ENCODE_ON_FINISH_MAX && (e = dd__enc_take(t)) != NULL) {
            dd__seg_unlink_open(t, seg);
            dd__check_fork(t);
            encode_seg = seg;
            encoding = n;
            t->enc_spans += n; /* in no list while encoded: a fork()ed child counts them here */
        } else {
            drop = dd__queue_segment(t, seg, n, est);
            changed = 1;
        }
    }
    if (changed) deliver = dd__after_buffered(t, mono);
    pthread_mutex_unlock(&t->lock);
    if (encode_seg) {
        /* encoded here, off the lock, while its spans are still in this core's cache */
        n = dd__encode_chunk(t, encode_seg, e);
        pthread_mutex_lock(&t->lock);
        t->enc_spans -= encoding;
        drop = dd__pbuf_append(t, &t->bufs[t->active], e, n,
                               t->max_buffer_bytes > t->done_bytes ? t->max_buffer_bytes - t->done_bytes : 1,
                               &t->counters, 0);
        if (drop) drop = dd__drop_first(t, drop);
        dd__enc_give(t, e);
        deliver = dd__after_buffered(t, mono);
        pthread_mutex_unlock(&t->lock);
        dd__seg_free_blocks(t, encode_seg); /* the pool has its own lock */
    }
    dd__tlog_drops(t, drop);
    if (deliver) {
        dd__deliver(t, dd__now() + t->flush_timeout_ns, 0, &rc);
    }
    if (deliver || stats_due) dd__stats_pass(t, dd__now() + t->flush_timeout_ns, 0);
}

/* A finish that made a partial flush due: under the tracer lock, then the segment's (held while
 * the done list is cut: the other spans' finishes wait). The caller still counts in
 * seg->n_open, so that no other thread completes the segment (and frees it) meanwhile. */
DD__PRIVATE DD__T_COLD void dd__finish_partial(dd__segment *seg, int64_t mono) {
    dd_tracer *t = seg->tracer;
    unsigned drop = 0;
    uint32_t n;
    int deliver = 0, rc, stats_due = 0;
    pthread_mutex_lock(&t->lock);
    dd__spin_lock(&seg->lock);
    if (--seg->n_open == 0) { /* the others finished meanwhile: this one completes it */
        dd__spin_unlock(&seg->lock);
        pthread_mutex_unlock(&t->lock);
        dd__complete(seg, mono);
        return;
    }
    if (t->partial_flush && seg->n_done >= t->partial_flush_min_spans) { /* unless made since */
        dd__segment_decide(t, seg, mono);
        seg->locked = 1; /* chunks already out carry this decision */
        t->counters.partial_flushes++;
        if (t->stats) stats_due = dd__stats_finish(t, seg, 0);
        if (dd__segment_filter(t, seg)) {
            dd__check_fork(t);
            n = dd__encode_chunk(t, seg, &t->enc_lock);
            drop = dd__pbuf_append(t, &t->bufs[t->active], &t->enc_lock, n,
                                   t->max_buffer_bytes > t->done_bytes ? t->max_buffer_bytes - t->done_bytes : 1,
                                   &t->counters, 0);
            if (drop) drop = dd__drop_first(t, drop);
            deliver = dd__after_buffered(t, mono);
        }
    }
    dd__spin_unlock(&seg->lock);
    pthread_mutex_unlock(&t->lock);
    dd__tlog_drops(t, drop);
    if (deliver) dd__deliver(t, dd__now() + t->flush_timeout_ns, 0, &rc);
    if (deliver || stats_due) dd__stats_pass(t, dd__now() + t->flush_timeout_ns, 0);
}

/* A span's finish: its handle dies and it joins its segment's done list under the segment's
 * lock only; the tracer lock is taken when the segment completes or a partial flush is due. */
DD__PRIVATE DD__T_HOT void dd__finish(dd_span *s, uint32_t hidx, int64_t end_wall, int64_t mono) {
    dd__segment *seg = s->seg;
    dd_tracer *t = seg->tracer;
    s->u.f.duration = end_wall > s->start_ns ? end_wall - s->start_ns : 0;
    s->finished = 1;
    s->u.f.next_done = NULL;
    s->pending = 1;
    dd__spin_lock(&seg->lock);
    dd__h_release(seg, hidx); /* the handle dies: any later call with it is ignored and counted */
    if (seg->done_tail) seg->done_tail->u.f.next_done = s;
    else seg->done_head = s;
    seg->done_tail = s;
    seg->n_done++;
    /* counted before the trace can complete (and its spans be counted as sent or dropped) */
    __atomic_add_fetch(&t->n_finished, 1, __ATOMIC_SEQ_CST);
    if (seg->n_open == 1) { /* the last open span: the trace is complete */
        seg->n_open = 0;
        dd__spin_unlock(&seg->lock);
        dd__complete(seg, mono);
        return;
    }
    if (!(t->partial_flush && seg->n_done >= t->partial_flush_min_spans)) {
        seg->n_open--;
        dd__spin_unlock(&seg->lock);
        return;
    }
    dd__spin_unlock(&seg->lock);
    dd__finish_partial(seg, mono);
}

/* (the handle's slot index: the span does not keep it) */
#define DD__H_IDX_OF(h) ((uint32_t)(uintptr_t)(h) & DD__H_SLOT_MASK)
DD_API void dd_span_finish(dd_span *h) {
    int64_t mono;
    dd_span *s;
    if (!(s = dd__span_live(h)) || s->finished) return; /* a second finish: a dead handle, counted */
    mono = s->seg->tracer->mono_ns_fn(s->seg->tracer->clock_user);
    dd__finish(s, DD__H_IDX_OF(h), s->seg->wall0 + (mono - s->seg->mono0), mono);
}
DD_API void dd_span_finish_at(dd_span *h, int64_t end_ns) {
    dd_span *s;
    if (!(s = dd__span_live(h)) || s->finished) return;
    dd__finish(s, DD__H_IDX_OF(h), end_ns, s->seg->tracer->mono_ns_fn(s->seg->tracer->clock_user));
}

/*--- delivery: the worker, requests, retries and the held payload ---*/
/* Owns: the in-flight buffer (bufs[!active]) while `held`, the worker thread, the explicit-flush
 * handshake (flush_req / flush_done) and the delivery counters. Touches the sampler only to hand
 * it the agent's answer. Timing here always uses the real monotonic clock (dd__default_mono_ns):
 * the clock hooks time spans, not deliveries. */
typedef struct dd__send_stats {
    uint64_t sent, failed, retried, deferred, chunks_sent, spans_sent, chunks_dropped, spans_dropped, bytes,
        invalid, unconfirmed, chunks_unconfirmed, spans_unconfirmed, no_transport;
} dd__send_stats;

/* What one pass over the in-flight buffer ended with. */
#define DD__CYCLE_DONE 0 /* every chunk resolved: sent, unconfirmed or dropped */
#define DD__CYCLE_HELD 1 /* a request must wait for a later try; the rest stays in flight */

#define DD__SHUTDOWN_ROUNDS 4 /* payloads dd_tracer_free sends: what was buffered, and what its
                                own requests add (a transport that traces itself) */
#define DD__BACKOFF_BASE_NS INT64_C(100000000)    /* 100 ms, doubled per try */
#define DD__BACKOFF_CAP_NS INT64_C(1000000000)    /* under the 2 s interval: delivery resumes within one */
#define DD__RETRY_AFTER_CAP_NS INT64_C(10000000000) /* the most of a Retry-After we honour */

DD__PRIVATE int64_t dd__now(void) { return dd__default_mono_ns(NULL); }
DD__PRIVATE void dd__tlog_counters(dd_tracer *t);
DD__PRIVATE void dd__timedwait_ns(dd_tracer *t, int64_t until);

/* A 2xx answer: {"rate_by_service": {...}} goes to the sampler, which validates it. */
DD__PRIVATE void dd__handle_response(dd_tracer *t, const dd_http_response *resp, dd__send_stats *st) {
    const char *why;
    if (!resp->body || !resp->body_len) {
        st->invalid++;
        dd__tlog_limited(t, DD__RL_EMPTY_ANSWER, "agent answered with an empty body; sampling rates unchanged");
        return;
    }
    if (dd__sampler_apply_agent_rates(&t->sampler, resp->body, resp->body_len, &why) == DD_ERR_MALFORMED) st->invalid++;
    if (why) dd__tlog_limited(t, DD__RL_BAD_RATES, why);
}

DD__PRIVATE void dd__tlog_payload(const dd_tracer *t, const uint8_t *body, size_t len) {
    size_t need, cap;
    char *text;
    if (!t->log_fn || !t->debug) return;
    need = dd_mp_to_json(body, len, NULL, 0);
    cap = (need < 65536 ? need : 65536) + 1;
    text = (char *)dd__alloc(&t->alloc, cap);
    if (!text) return;
    dd_mp_to_json(body, len, text, cap);
    dd__tlog3(t, DD_LOG_DEBUG, "payload: ", text, strlen(text), need >= cap ? " (cut)" : "");
    dd__free(&t->alloc, text, cap);
}

/* The wait before try n (1-based) of a request the agent did not process: 100 ms doubling, capped
 * at 1 s and at 3/4 of the flush interval, plus up to a quarter more of jitter so that many
 * processes do not retry in step; so an agent that comes back is reached within one interval. A
 * Retry-After longer than that is honoured up to its own cap. */
DD__PRIVATE int64_t dd__backoff_ns(const dd_tracer *t, int n, int64_t retry_after_ms) {
    int64_t d = DD__BACKOFF_BASE_NS, ra, cap = DD__BACKOFF_CAP_NS;
    if (t->flush_interval_ns > 0 && t->flush_interval_ns / 4 * 3 < cap) cap = t->flush_interval_ns / 4 * 3;
    while (--n > 0 && d < cap) d *= 2;
    if (d > cap) d = cap;
    if (d < 1000000) d = 1000000;
    d += (int64_t)(dd__rng_next() % (uint64_t)(d / 4 + 1));
    if (retry_after_ms > 0) {
        ra = retry_after_ms > DD__RETRY_AFTER_CAP_NS / 1000000 ? DD__RETRY_AFTER_CAP_NS : retry_after_ms * 1000000;
        if (ra > d) d = ra;
    }
    return d;
}

/*--- delivery: requests ---*/
/* Builds a request from pb in place and calls transport_fn without the tracer lock; logs failures. */
/* Builds the request for chunks [i, j) of pb (they start at offset `start`): its body is the
 * chunks where they are, after the array header written just before them (see dd__pbuf). */
DD__PRIVATE void dd__build_request(dd_tracer *t, dd__pbuf *pb, size_t i, size_t j, size_t start,
                                   dd_header *h, char *count, dd_http_request *req) {
    size_t nh = 0, n = j - i, hl = n < 16 ? 1 : n <= 0xffff ? 3 : 5;
    uint8_t *body = pb->w.buf + start - hl;
    if (n < 16) body[0] = (uint8_t)(0x90 | n); /* as dd_mp_write_array */
    else if (n <= 0xffff) body[0] = 0xdc, dd__mp_put_be(body + 1, n, 2);
    else body[0] = 0xdd, dd__mp_put_be(body + 1, n, 4);
    dd__t_u64_dec(n, count);
#define DD__HDR(n, v, vn)                    \
    do {                                     \
        h[nh].name = (n);                    \
        h[nh].name_len = sizeof(n) - 1;      \
        h[nh].value = (v);                   \
        h[nh].value_len = (vn);              \
        nh++;                                \
    } while (0)
    DD__HDR("Content-Type", "application/msgpack", 19);
    DD__HDR("Datadog-Meta-Lang", t->language.p, t->language.n);
    DD__HDR("Datadog-Meta-Lang-Version", t->language_version.p, t->language_version.n);
    if (t->language.n == 1 && t->language.p[0] == 'c') /* the compiler; unknown for another language */
        DD__HDR("Datadog-Meta-Lang-Interpreter", DD__INTERPRETER, sizeof(DD__INTERPRETER) - 1);
    DD__HDR("Datadog-Meta-Tracer-Version", DDTRACE_VERSION_STRING, sizeof(DDTRACE_VERSION_STRING) - 1);
    DD__HDR("X-Datadog-Trace-Count", count, strlen(count));
    DD__HDR("Datadog-Client-Computed-Top-Level", "yes", 3);
    if (t->stats) { /* docs/stats.md §7: stats computed here, and the P0 traces not sent */
        dd__stats *st = t->stats;
        pthread_mutex_lock(&t->lock);
        if (pb->marks[i].stats) DD__HDR("Datadog-Client-Computed-Stats", "yes", 3); /* one kind per request */
        if (st->p0_traces) { /* each only when > 0, as libdatadog */
            dd__t_u64_dec(st->p0_traces, st->p0_traces_txt);
            DD__HDR("Datadog-Client-Dropped-P0-Traces", st->p0_traces_txt, strlen(st->p0_traces_txt));
        }
        if (st->p0_spans) {
            dd__t_u64_dec(st->p0_spans, st->p0_spans_txt);
            DD__HDR("Datadog-Client-Dropped-P0-Spans", st->p0_spans_txt, strlen(st->p0_spans_txt));
        }
        st->p0_sent_traces = st->p0_traces, st->p0_sent_spans = st->p0_spans;
        st->p0_traces = st->p0_spans = 0;
        pthread_mutex_unlock(&t->lock);
    }
    /* an overloaded agent then answers 429 instead of a 200 that silently drops the payload */
    DD__HDR("Datadog-Send-Real-Http-Status", "true", 4);
    if (t->container_id.n) {
        DD__HDR("Datadog-Container-ID", t->container_id.p, t->container_id.n);
        DD__HDR("Datadog-Entity-ID", t->entity_id.p, t->entity_id.n);
    }
#undef DD__HDR
    req->method = "POST";
    req->path = "/v0.4/traces";
    req->headers = h;
    req->n_headers = nh;
    req->timeout_ms = t->request_timeout_ms;
    req->body = body;
    req->body_len = pb->marks[j - 1].end - start + hl;
}

/* One line for a request that failed, rate-limited per kind of failure. */
DD__PRIVATE void dd__log_failure(dd_tracer *t, int kind, int rc, const dd_http_response *resp, const char *outcome) {
    char msg[240], num[24];
    dd__tsb sb;
    dd__tsb_init(&sb, msg, sizeof msg);
    if (rc == DD_TRANSPORT_NOT_SENT) {
        dd__tsb_str(&sb, "agent unreachable (the request did not reach it)");
    } else if (rc != DD_TRANSPORT_ANSWERED) {
        dd__tsb_str(&sb, "no complete answer from the agent after the request was written");
    } else {
        dd__tsb_str(&sb, "agent answered HTTP ");
        dd__t_u64_dec((uint64_t)(resp->status < 0 ? 0 : resp->status), num);
        dd__tsb_str(&sb, num);
        if (resp->body && resp->body_len) {
            dd__tsb_str(&sb, " (");
            dd__tsb_add(&sb, resp->body, resp->body_len > 80 ? 80 : resp->body_len);
            dd__tsb_str(&sb, ")");
        }
    }
    dd__tsb_str(&sb, outcome);
    dd__tlog_limited_n(t, kind, msg, sb.n);
}

/* Sends the in-flight chunks from t->fl_next on, until all are resolved (DONE), one must wait
 * (HELD), or `deadline` (real mono ns) leaves no time for another request (HELD). `force`: the
 * first request goes now even if its backoff has not passed. Never sends a chunk twice unless
 * the agent surely did not process it (DD_TRANSPORT_NOT_SENT, 408, 429, 503). */
DD__PRIVATE int dd__send_held(dd_tracer *t, dd__pbuf *pb, int64_t deadline, dd__send_stats *st) {
    while (t->fl_next < pb->n_marks) {
        size_t i = t->fl_next, j = i, start = i ? pb->marks[i - 1].end : DD__PBUF_HEAD;
        uint32_t spans = 0;
        char count[24];
        dd_header h[DD__HEADERS_MAX];
        dd_http_request req;
        dd_http_response resp;
        int rc;
        int64_t now, left;
        pthread_mutex_lock(&t->lock); /* dd_tracer_free may have cut this pass short */
        if (t->stop && t->stop_deadline < deadline) deadline = t->stop_deadline;
        pthread_mutex_unlock(&t->lock);
        now = dd__now();
        left = deadline - now;
        if (left < 1000000) return DD__CYCLE_HELD; /* under 1 ms left: nothing useful fits */
        while (j < pb->n_marks
               && (j == i || (pb->marks[j].end - start + 5 <= t->fl_cap && pb->marks[j].stats == pb->marks[i].stats))) {
            spans += pb->marks[j].spans;
            j++;
        }
        dd__build_request(t, pb, i, j, start, h, count, &req);
        if (req.timeout_ms > left / 1000000) req.timeout_ms = left / 1000000;
        memset(&resp, 0, sizeof resp);
        if (!req.body || !t->transport_fn) {
            st->no_transport++;
            st->chunks_dropped += j - i;
            st->spans_dropped += spans;
            dd__tlog_limited(t, DD__RL_NO_TRANSPORT, req.body ? "no transport_fn: payload dropped (counted in spans_dropped_send)"
                                                                : "out of memory building a request: payload dropped (counted)");
            t->fl_next = j;
            continue;
        }
        dd__tlog_payload(t, req.body, req.body_len);
        if (t->fl_attempts) st->retried++;
        if (t->stats) { /* a changed Datadog-Agent-State makes /info due (docs/stats.md §6) */
            dd__resp_note note;
            dd__resp_begin(&note, &resp);
            rc = t->transport_fn(t->transport_user, &req, &resp);
            dd__resp_end(&note);
            if (rc == DD_TRANSPORT_ANSWERED) dd__stats_agent_state(t, &note, 0);
        } else {
            rc = t->transport_fn(t->transport_user, &req, &resp);
        }
        if (rc == DD_TRANSPORT_ANSWERED && resp.status >= 200 && resp.status < 300) {
            st->sent++;
            st->bytes += req.body_len;
            st->chunks_sent += j - i;
            st->spans_sent += spans;
            dd__handle_response(t, &resp, st);
            t->fl_next = j;
            t->fl_attempts = 0;
            continue;
        }
        st->failed++;
        if (rc == DD_TRANSPORT_ANSWERED && resp.status == 413 && j - i > 1) {
            /* the agent's limit is lower than ours: the same chunks again in halves (it refused
             * them unread, so this is no duplicate) */
            t->fl_cap = (pb->marks[j - 1].end - start) / 2 + 5;
            dd__stats_p0_unsent(t);
            dd__log_failure(t, DD__RL_DEFERRED, rc, &resp, "; sending in smaller requests");
            continue;
        }
        if (rc == DD_TRANSPORT_NOT_SENT
            || (rc == DD_TRANSPORT_ANSWERED && (resp.status == 408 || resp.status == 429 || resp.status == 503))) {
            /* surely not processed: kept for a later try. An unreachable agent is tried for as long
             * as the payload is held; an agent that refuses, send_retries more times. */
            dd__stats_p0_unsent(t);
            t->fl_attempts++;
            if (rc == DD_TRANSPORT_NOT_SENT || t->fl_attempts <= t->send_retries) {
                st->deferred++;
                t->retry_at = dd__now() + dd__backoff_ns(t, t->fl_attempts, rc == DD_TRANSPORT_ANSWERED ? resp.retry_after_ms : 0);
                dd__log_failure(t, rc == DD_TRANSPORT_NOT_SENT ? DD__RL_NOT_SENT : DD__RL_DEFERRED, rc, &resp,
                                "; payload kept, will try again");
                return DD__CYCLE_HELD;
            }
        }
        if (rc != DD_TRANSPORT_ANSWERED && rc != DD_TRANSPORT_NOT_SENT) {
            /* written, answer lost: the agent may have it. Counted apart, never sent again. */
            st->unconfirmed++;
            st->chunks_unconfirmed += j - i;
            st->spans_unconfirmed += spans;
            dd__log_failure(t, DD__RL_UNCONFIRMED, rc, &resp,
                            "; not sent again (may have been received; counted in spans_unconfirmed)");
        } else {
            st->chunks_dropped += j - i;
            st->spans_dropped += spans;
            dd__log_failure(t, DD__RL_HTTP, rc, &resp, "; payload dropped (counted in spans_dropped_send)");
        }
        t->fl_next = j;
        t->fl_attempts = 0;
    }
    return DD__CYCLE_DONE;
}

/*--- delivery: cycles ---*/
/* One delivery: swaps the buffers under the lock, sends off it, merges the counters under it. */
/* Frees completed segments (under lock). */
DD__PRIVATE void dd__free_seg_list(dd_tracer *t, dd__segment *seg) {
    while (seg) {
        dd__segment *next = seg->next_done_seg;
        dd__seg_free_blocks(t, seg);
        seg = next;
    }
}

/* Adds a pass's figures to the counters (under lock). */
DD__PRIVATE void dd__merge_stats(dd_tracer *t, const dd__send_stats *st, const dd_counters *delta) {
    dd_counters *c = &t->counters;
    c->chunks_encoded += delta->chunks_encoded;
    c->spans_encoded += delta->spans_encoded;
    c->chunks_dropped_buffer += delta->chunks_dropped_buffer;
    c->spans_dropped_buffer += delta->spans_dropped_buffer;
    c->requests_sent += st->sent;
    c->requests_failed += st->failed;
    c->requests_retried += st->retried;
    c->requests_deferred += st->deferred;
    c->requests_unconfirmed += st->unconfirmed;
    c->chunks_sent += st->chunks_sent;
    c->spans_sent += st->spans_sent;
    c->chunks_unconfirmed += st->chunks_unconfirmed;
    c->spans_unconfirmed += st->spans_unconfirmed;
    c->chunks_dropped_send += st->chunks_dropped;
    c->spans_dropped_send += st->spans_dropped;
    c->bytes_sent += st->bytes;
    c->responses_invalid += st->invalid;
}

/* One pass of delivery: unless a payload is already held, the buffered chunks and completed
 * segments become the in-flight payload (segments are encoded here, off the lock); then requests
 * go out until everything is resolved, a request must wait, or the deadline. `force`: a held
 * payload is tried now even before its backoff ends. Returns DD__CYCLE_DONE or _HELD, and in
 * *result DD_OK, DD_ERR_TRANSPORT (unreachable, unconfirmed or timed out) or DD_ERR_HTTP. One
 * pass at a time per tracer (t->flushing). */
DD__PRIVATE int dd__deliver(dd_tracer *t, int64_t deadline, int force, int *result) {
    dd__pbuf *pb;
    dd__send_stats st;
    dd__segment *done = NULL, *seg;
    dd_counters delta;
    unsigned drops = 0, first_drops = 0;
    int outcome;
    *result = DD_OK;
    pthread_mutex_lock(&t->lock);
    while (t->flushing) pthread_cond_wait(&t->cond, &t->lock);
    if (!t->held) {
        if (!t->bufs[t->active].n_marks && !t->done_head) {
            pthread_mutex_unlock(&t->lock);
            return DD__CYCLE_DONE;
        }
        t->active ^= 1;
        t->held = 1;
        t->fl_next = 0;
        t->fl_counted = 0;
        t->fl_marks = t->bufs[!t->active].n_marks;
        t->fl_cap = (size_t)t->max_request_bytes;
        t->fl_attempts = 0;
        t->retry_at = 0;
        t->counters.flushes++;
        done = t->done_head;
        t->in_flight = done; /* a child forked while they are encoded frees its copies */
        t->done_head = t->done_tail = NULL;
        t->done_bytes = 0;
        t->done_est = 0;
        dd__check_fork(t);
    } else if (!force && dd__now() < t->retry_at) {
        pthread_mutex_unlock(&t->lock);
        *result = DD_ERR_TRANSPORT;
        return DD__CYCLE_HELD;
    }
    t->flushing = 1;
    t->last_flush_ns = dd__now();
    pb = &t->bufs[!t->active];
    pthread_mutex_unlock(&t->lock);

    memset(&delta, 0, sizeof delta);
    for (seg = done; seg; seg = seg->next_done_seg) {
        uint32_t n = dd__encode_chunk(t, seg, &t->enc_flush);
        drops |= dd__pbuf_append(t, pb, &t->enc_flush, n, 0, &delta, 1);
    }
    if (done) {
        pthread_mutex_lock(&t->lock);
        dd__free_seg_list(t, done); /* encoded: their arenas go back to the pool before any I/O */
        t->in_flight = NULL;
        if (drops & DD__DROP_TOO_BIG) first_drops |= dd__drop_first(t, DD__DROP_TOO_BIG);
        if (drops & DD__DROP_NO_MEMORY) first_drops |= dd__drop_first(t, DD__DROP_NO_MEMORY);
        pthread_mutex_unlock(&t->lock);
        dd__tlog_drops(t, first_drops);
    }

    memset(&st, 0, sizeof st);
    outcome = dd__send_held(t, pb, deadline, &st);

    pthread_mutex_lock(&t->lock);
    dd__merge_stats(t, &st, &delta);
    t->fl_counted = t->fl_next;
    if (outcome == DD__CYCLE_DONE) {
        pb->n_marks = 0;
        dd_mp_writer_reset(&pb->w);
        t->held = 0;
    }
    t->flushing = 0;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (outcome == DD__CYCLE_HELD || st.unconfirmed || st.no_transport) *result = DD_ERR_TRANSPORT;
    else if (st.chunks_dropped) *result = DD_ERR_HTTP;
    if (t->debug && t->log_fn) dd__tlog_counters(t);
    return outcome;
}

/* Delivers on this thread within `deadline`, waiting out backoffs that end before it: the held
 * payload first, then what was buffered behind it, for at most `rounds` payloads (2 covers
 * everything buffered before the call; shutdown asks for as many as there are). */
DD__PRIVATE int dd__deliver_all(dd_tracer *t, int64_t deadline, int rounds) {
    int result = DD_OK, rc = DD_OK;
    if (t->stats) dd__stats_pass(t, deadline, 1); /* every stats bucket goes too (docs/stats.md §3) */
    while (rounds > 0) {
        if (dd__now() >= deadline) return DD_ERR_TRANSPORT;
        if (dd__deliver(t, deadline, 1, &rc) == DD__CYCLE_DONE) {
            int more;
            if (rc != DD_OK) result = rc;
            rc = DD_OK;
            pthread_mutex_lock(&t->lock);
            more = t->bufs[t->active].n_marks || t->done_head;
            pthread_mutex_unlock(&t->lock);
            if (!more) return result;
            rounds--;
        } else {
            int64_t at;
            pthread_mutex_lock(&t->lock);
            at = t->retry_at;
            while (at < deadline && dd__now() < at) dd__timedwait_ns(t, at);
            pthread_mutex_unlock(&t->lock);
            if (at >= deadline) return rc;
        }
    }
    return result;
}

/*--- the worker thread ---*/
/* Owns: nothing but the loop; it calls dd__deliver when there is a reason to. Started lazily by
 * the first completed trace (dd__wake_worker), again in a fork()ed child, stopped by
 * dd_tracer_free. */
DD__PRIVATE void dd__timedwait_ns(dd_tracer *t, int64_t until) { /* real mono ns, under lock */
    struct timespec ts;
#if DD__HAVE_POSIX && !defined(__APPLE__)
    ts.tv_sec = (time_t)(until / 1000000000);
    ts.tv_nsec = (long)(until % 1000000000);
#else
    int64_t at = dd__default_wall_ns(NULL) + (until - dd__now());
    ts.tv_sec = (time_t)(at / 1000000000);
    ts.tv_nsec = (long)(at % 1000000000);
#endif
    pthread_cond_timedwait(&t->cond, &t->lock, &ts);
}

/* Why the worker should run a pass now, or 0 with *until the time it should next look. */
DD__PRIVATE int dd__worker_due_traces(const dd_tracer *t, int64_t now, int64_t *until) {
    int buffered = t->bufs[t->active].n_marks || t->done_head;
    *until = INT64_MAX;
    if (t->flush_req != t->flush_done) return 1;
    if (t->held) {
        if (now >= t->retry_at) return 1;
        *until = t->retry_at;
        return 0;
    }
    if (t->flush_wanted && buffered) return 1;
    if (buffered && t->flush_interval_ns >= 0) {
        if (now - t->last_flush_ns >= t->flush_interval_ns) return 1;
        *until = t->last_flush_ns + t->flush_interval_ns;
    }
    return 0;
}

/* dd__worker_due_traces, or the stats schedule (/info, 10 s buckets: docs/stats.md §3). */
DD__PRIVATE int dd__worker_due(const dd_tracer *t, int64_t now, int64_t *until) {
    int64_t sn = dd__stats_next(t);
    if (dd__worker_due_traces(t, now, until)) return 1;
    if (now >= sn) return 1;
    if (sn < *until) *until = sn;
    return 0;
}

DD__PRIVATE void dd__worker_free_tracer(dd_tracer *t);

DD__PRIVATE void *dd__worker_main(void *arg) {
    dd_tracer *t = (dd_tracer *)arg;
    int orphaned, k;
    pthread_mutex_lock(&t->lock);
    t->worker_started = 1; /* a fork() waiting in dd__fork_prepare may go on */
    pthread_cond_broadcast(&t->cond);
    /* room for two flushes in each buffer now, on this thread: a producer then never copies a
     * growing buffer under the lock in steady state */
    for (k = 0; k < 2; k++) {
        dd_mp_writer *w = &t->bufs[k].w;
        size_t want = (size_t)(t->flush_bytes * 2 < t->max_buffer_bytes ? t->flush_bytes * 2 : t->max_buffer_bytes);
        if (w->cap < want && dd_mp_writer_error(w) == DD_OK) dd__mp_grow(w, want - w->len);
    }
    while (!t->stop) {
        int64_t now = dd__now(), until;
        if (!dd__worker_due(t, now, &until)) {
            if (until == INT64_MAX) { /* nothing buffered: the next trace wakes it to arm the interval */
                t->worker_idle = 1;
                pthread_cond_wait(&t->cond, &t->lock);
                t->worker_idle = 0;
            } else {
                dd__timedwait_ns(t, until);
            }
            continue;
        }
        t->flush_wanted = 0;
        if (t->flush_req != t->flush_done) { /* an explicit flush waits for this */
            uint64_t req = t->flush_req;
            int rc;
            pthread_mutex_unlock(&t->lock);
            rc = dd__deliver_all(t, dd__now() + t->flush_timeout_ns, 2);
            pthread_mutex_lock(&t->lock);
            t->flush_done = req;
            t->flush_rc = rc;
            pthread_cond_broadcast(&t->cond);
        } else {
            int rc;
            pthread_mutex_unlock(&t->lock);
            dd__deliver(t, INT64_MAX, 0, &rc);
            if (t->stats) dd__stats_pass(t, dd__now() + t->flush_timeout_ns, 0);
            pthread_mutex_lock(&t->lock);
        }
    }
    pthread_mutex_unlock(&t->lock);
    /* the last delivery, bounded by dd_tracer_free's deadline */
    if (t->stop_deadline) dd__deliver_all(t, t->stop_deadline, DD__SHUTDOWN_ROUNDS);
    pthread_mutex_lock(&t->lock);
    t->worker_exited = 1;
    orphaned = t->orphaned;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (orphaned) dd__worker_free_tracer(t); /* dd_tracer_free gave up waiting: the tracer is ours */
    return NULL;
}

/* Asks the worker for a pass (starting it if this process has none). Under lock. Returns 0, or
 * -1 when no thread could be started (the caller then delivers itself). */
DD__PRIVATE int dd__wake_worker(dd_tracer *t) {
    if (!t->has_thread) {
        if (t->worker_failed) return -1;
        t->stop = 0;
        t->worker_exited = 0;
        t->worker_started = 0;
        if (pthread_create(&t->thread, NULL, dd__worker_main, t) != 0) {
            t->worker_failed = 1;
            return -1;
        }
        t->has_thread = 1;
    }
    pthread_cond_broadcast(&t->cond);
    /* the idle worker is woken and will look at the buffer (arming the interval): the traces that
     * finish before it runs need not wake it again (dd__after_buffered) */
    t->worker_idle = 0;
    return 0;
}

/*--- flush, counters and accessors ---*/
/* dd_tracer_flush asks the worker and waits on the condition (or delivers itself in the other
 * modes); the counters are copied under the tracer lock. */
DD_API int dd_tracer_flush(dd_tracer *t) {
    int rc;
    if (!t) return DD_ERR_INVALID_ARG;
    if (t->delivery != DD_DELIVERY_BACKGROUND) return dd__deliver_all(t, dd__now() + t->flush_timeout_ns, 2);
    pthread_mutex_lock(&t->lock);
    if (!t->held && !t->bufs[t->active].n_marks && !t->done_head && !dd__stats_pending(t)
        && !(t->stats && !t->stats->info_known)) { /* a first flush also learns the agent's features */
        pthread_mutex_unlock(&t->lock);
        return DD_OK;
    }
    if (dd__wake_worker(t) != 0) {
        pthread_mutex_unlock(&t->lock);
        return dd__deliver_all(t, dd__now() + t->flush_timeout_ns, 2);
    }
    {
        uint64_t mine = ++t->flush_req;
        /* the worker bounds its pass by flush_timeout; a transport that ignores its deadline
         * must not hold this thread much longer */
        int64_t give_up = dd__now() + t->flush_timeout_ns + t->request_timeout_ms * 1000000 + 100000000;
        while (t->flush_done < mine && !t->worker_exited && dd__now() < give_up) dd__timedwait_ns(t, give_up);
        rc = t->flush_done >= mine ? t->flush_rc : DD_ERR_TRANSPORT;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

/* The debug line after each delivery pass. */
DD__PRIVATE void dd__tlog_counters(dd_tracer *t) {
    dd_counters c;
    char msg[400];
    dd__tsb sb;
    dd_tracer_counters(t, &c);
    dd__tsb_init(&sb, msg, sizeof msg);
    dd__tsb_str(&sb, "delivered: spans_sent=");
    dd__tsb_u64(&sb, c.spans_sent);
    dd__tsb_str(&sb, " spans_unconfirmed=");
    dd__tsb_u64(&sb, c.spans_unconfirmed);
    dd__tsb_str(&sb, " spans_dropped_send=");
    dd__tsb_u64(&sb, c.spans_dropped_send);
    dd__tsb_str(&sb, " spans_dropped_buffer=");
    dd__tsb_u64(&sb, c.spans_dropped_buffer);
    dd__tsb_str(&sb, " spans_pending=");
    dd__tsb_u64(&sb, c.spans_pending);
    dd__tsb_str(&sb, " requests_sent=");
    dd__tsb_u64(&sb, c.requests_sent);
    dd__tsb_str(&sb, " requests_failed=");
    dd__tsb_u64(&sb, c.requests_failed);
    dd__tlog(t, DD_LOG_DEBUG, msg, sb.n);
}

DD_API void dd_tracer_counters(const dd_tracer *t, dd_counters *out) {
    dd_tracer *m = (dd_tracer *)t;
    if (!out) return;
    if (!t) {
        memset(out, 0, sizeof *out);
        return;
    }
    pthread_mutex_lock(&m->lock);
    *out = t->counters;
    /* counted on the span path without the lock (atomics): finished first, so that it never
     * exceeds started (a span's start is counted before its finish) and, read under the lock,
     * never falls behind the spans already resolved (counted before its trace can complete) */
    out->spans_finished = __atomic_load_n(&m->n_finished, __ATOMIC_SEQ_CST);
    out->spans_started = __atomic_load_n(&m->n_started, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&m->lock);
    /* the two gauges follow from the totals: what is neither open nor resolved is pending */
    out->spans_open = out->spans_started - out->spans_finished;
    out->spans_pending = out->spans_finished - out->spans_sent - out->spans_unconfirmed - out->spans_dropped_buffer
                         - out->spans_dropped_sampling - out->spans_dropped_send - out->spans_dropped_shutdown;
}
DD_API const char *dd_tracer_service(const dd_tracer *t) { return t ? t->service.p : ""; }
DD_API const char *dd_tracer_env(const dd_tracer *t) { return t ? t->env.p : ""; }
DD_API const char *dd_tracer_version(const dd_tracer *t) { return t ? t->version.p : ""; }

/*--- shutdown and fork ---*/
/* Owns: the registry of live tracers (for the fork handlers) and the tracer's teardown. In a
 * fork()ed child everything inherited in the pipeline is the parent's to send: it is discarded
 * (counted in spans_dropped_shutdown), and the child's own worker starts with its first trace. */
static pthread_mutex_t dd__registry_lock = PTHREAD_MUTEX_INITIALIZER;
static dd_tracer *dd__registry;

DD__PRIVATE void dd__register(dd_tracer *t) {
    pthread_mutex_lock(&dd__registry_lock);
    t->next_registered = dd__registry;
    dd__registry = t;
    pthread_mutex_unlock(&dd__registry_lock);
}
DD__PRIVATE void dd__unregister(dd_tracer *t) {
    dd_tracer **p;
    pthread_mutex_lock(&dd__registry_lock);
    for (p = &dd__registry; *p; p = &(*p)->next_registered)
        if (*p == t) {
            *p = t->next_registered;
            break;
        }
    pthread_mutex_unlock(&dd__registry_lock);
}

/* Empties the buffers, the queued segments and the held payload, counting their spans as
 * dropped at shutdown (under lock, or in a fork()ed child). */
DD__PRIVATE void dd__drop_pipeline(dd_tracer *t) {
    uint64_t spans = 0;
    size_t i;
    int k;
    dd__segment *seg;
    for (k = 0; k < 2; k++) {
        dd__pbuf *pb = &t->bufs[k];
        size_t end = pb->n_marks;
        i = 0;
        if (k != t->active) { /* in flight: from the first chunk the counters lack; while the
                                 segments of in_flight are encoded into it, only the chunks it
                                 held when taken (those segments are counted below) */
            i = t->held ? t->fl_counted : end;
            if (t->held && t->in_flight) end = t->fl_marks;
        }
        for (; i < end; i++) spans += pb->marks[i].spans;
        pb->n_marks = 0;
        dd_mp_writer_reset(&pb->w);
    }
    for (seg = t->done_head; seg; seg = seg->next_done_seg) spans += seg->n_kept;
    for (seg = t->in_flight; seg; seg = seg->next_done_seg) spans += seg->n_kept;
    dd__free_seg_list(t, t->done_head);
    dd__free_seg_list(t, t->in_flight);
    t->done_head = t->done_tail = t->in_flight = NULL;
    t->done_bytes = t->done_est = 0;
    t->held = 0;
    t->counters.spans_dropped_shutdown += spans;
}

/* The span path's locks of t: every open segment's (the open list cannot change under t->lock),
 * then the pool's. lock != 0 takes them, 0 lets them go. */
DD__PRIVATE void dd__fork_span_locks(dd_tracer *t, int lock) {
    dd__segment *seg;
    for (seg = t->open_head; seg; seg = seg->next_open) {
        if (lock) dd__spin_lock(&seg->lock);
        else dd__spin_unlock(&seg->lock);
    }
    if (lock) dd__spin_lock(&t->pool);
    else dd__spin_unlock(&t->pool);
}
DD__PRIVATE void dd__fork_prepare(void) {
    dd_tracer *t;
    pthread_mutex_lock(&dd__registry_lock);
    for (t = dd__registry; t; t = t->next_registered) {
        pthread_mutex_lock(&t->lock);
        /* a worker just created runs its thread's start-up outside every lock of ours, and that
         * may allocate: an allocator without fork handling (GCC 12's ASan runtime) would leave a
         * lock held in the child, where the child's own worker then blocks for ever */
        while (t->has_thread && !t->worker_started && !t->worker_exited) pthread_cond_wait(&t->cond, &t->lock);
        dd__fork_span_locks(t, 1);
        pthread_mutex_lock(&t->sampler.lock);
    }
    pthread_mutex_lock(&dd__htab_lock); /* after the tracers' locks, as dd__h_grow */
}
DD__PRIVATE void dd__fork_parent(void) {
    dd_tracer *t;
    pthread_mutex_unlock(&dd__htab_lock);
    for (t = dd__registry; t; t = t->next_registered) {
        dd__fork_span_locks(t, 0);
        pthread_mutex_unlock(&t->sampler.lock);
        pthread_mutex_unlock(&t->lock);
    }
    pthread_mutex_unlock(&dd__registry_lock);
}
DD__PRIVATE void dd__fork_child(void) {
    dd_tracer *t;
    dd__fork_generation = dd__fork_generation + 1;
    pthread_mutex_unlock(&dd__htab_lock);
    for (t = dd__registry; t; t = t->next_registered) {
        dd__fork_span_locks(t, 0);
        dd__drop_pipeline(t); /* the parent sends these */
        t->counters.spans_dropped_shutdown += t->enc_spans; /* the threads encoding them are gone */
        t->enc_spans = 0;
        dd__stats_fork_child(t);
        t->has_thread = 0;
        t->worker_idle = 0; /* no worker here: the first buffered trace starts one */
        t->stop = 0;
        t->flushing = 0;
        t->worker_exited = 0;
        t->flush_done = t->flush_req;
        dd__cond_init(t); /* the parent's waiters on it do not exist here */
        t->sampler.agent_readers[0] = t->sampler.agent_readers[1] = 0; /* readers were other threads */
        pthread_mutex_unlock(&t->sampler.lock);
        pthread_mutex_unlock(&t->lock);
    }
    pthread_mutex_unlock(&dd__registry_lock);
}

/* Everything but the worker: what dd_tracer_free does once no thread delivers any more. */
DD__PRIVATE void dd__worker_free_tracer(dd_tracer *t) {
    int i;
    pthread_mutex_lock(&t->lock);
    dd__drop_pipeline(t);
    while (t->open_head) dd__seg_release(t, t->open_head); /* unfinished traces are lost with the tracer */
    dd__h_free_all(t); /* every handle of the tracer is dead */
    dd__block_pools_free(t);
    pthread_mutex_unlock(&t->lock);
    for (i = 0; i < 2; i++) {
        dd_mp_writer_free(&t->bufs[i].w);
        dd__free(&t->alloc, t->bufs[i].marks, t->bufs[i].cap_marks * sizeof(dd__chunk_mark));
    }
    for (i = 0; i < t->n_enc_pool; i++) {
        dd_mp_writer_free(&t->enc_pool[i]->w);
        dd__free(&t->alloc, t->enc_pool[i]->fix, t->enc_pool[i]->fix_cap);
        dd__free(&t->alloc, t->enc_pool[i], sizeof(dd__enc));
    }
    dd_mp_writer_free(&t->enc_lock.w);
    dd_mp_writer_free(&t->enc_flush.w);
    dd__free(&t->alloc, t->enc_lock.fix, t->enc_lock.fix_cap);
    dd__free(&t->alloc, t->enc_flush.fix, t->enc_flush.fix_cap);
    dd__stats_free(t);
    dd__sampler_destroy(&t->sampler);
#if DD__HAVE_POSIX
    if (t->qs_mode == DD__QS_REGEX) regfree(&t->qs_re);
#endif
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    dd__free(&t->alloc, t->strings, t->strings_size);
    if (t->transport_free_fn) t->transport_free_fn(t->transport_user);
    {
        dd_allocator a = t->alloc;
        dd__free(&a, t, sizeof *t);
    }
}

DD_API void dd_tracer_free(dd_tracer *t) {
    int64_t deadline;
    if (!t) return;
    deadline = t->shutdown_ns < 0 ? 0 : dd__now() + t->shutdown_ns;
    pthread_mutex_lock(&t->lock);
    if (!t->has_thread && t->delivery == DD_DELIVERY_BACKGROUND && t->shutdown_ns > 0
        && (t->held || t->bufs[t->active].n_marks || t->done_head || dd__stats_pending(t)))
        dd__wake_worker(t); /* the last delivery stays off the application thread */
    if (t->has_thread) {
        /* the worker makes the last delivery within the deadline; a call still under way 200 ms
         * later is not waited for: the worker frees the tracer (and calls transport_free_fn)
         * when it returns */
        int64_t give_up = (deadline ? deadline : dd__now()) + 200000000;
        t->stop = 1;
        t->stop_deadline = deadline;
        pthread_cond_broadcast(&t->cond);
        while (!t->worker_exited && dd__now() < give_up) dd__timedwait_ns(t, give_up);
        if (!t->worker_exited) {
            pthread_mutex_unlock(&t->lock);
            dd__tlogs(t, DD_LOG_WARN, "the transport did not return by the shutdown deadline; the tracer is freed when it does");
            pthread_mutex_lock(&t->lock);
        }
        if (!t->worker_exited) {
            t->orphaned = 1;
            pthread_mutex_unlock(&t->lock);
            dd__unregister(t);
            pthread_detach(t->thread);
            return;
        }
        pthread_mutex_unlock(&t->lock);
        pthread_join(t->thread, NULL);
    } else {
        pthread_mutex_unlock(&t->lock);
        if (deadline) dd__deliver_all(t, deadline, DD__SHUTDOWN_ROUNDS);
    }
    dd__unregister(t);
    dd__worker_free_tracer(t);
}

/*--- propagation from a span ---*/
/* A span's trace context (under the tracer lock for the decision) and dd_inject through it. */
/* Copies a segment string into a context field of max bytes (+1 for the NUL); too long: "". */
DD__PRIVATE DD__T_HOT uint32_t dd__ctx_text(char *dst, size_t max, dd__tstr src) {
    uint32_t n = src.n <= max ? src.n : 0;
    dd__mp_copy(dst, src.p, n);
    dst[n] = 0;
    return n;
}
/* Appends k=v to the context's ptags, as dd_ptags_set would: the segment's ptags never hold the
 * tracer's own keys (dd__seg_ptags strips them) and its values are valid, so no search and no
 * check; a tag that does not fit DD_PTAGS_MAX is left out, as dd_ptags_set leaves it. */
/* A span's propagation context, as injection reads it (v points into the arrays): what
 * dd_span_context copies into a dd_trace_context and dd_span_inject injects without building one
 * (a whole dd_trace_context is 20 KB of stack). */
typedef struct dd__sctx {
    dd__ictx v;
    uint32_t ptags_len, ptags_lost;
    char origin[DD_ORIGIN_MAX + 1];
    char ptags[DD_PTAGS_MAX + 1];
    char tracestate[DD_TRACESTATE_MAX + 1];
    char dd_member_extra[DD_DD_MEMBER_EXTRA_MAX + 1];
} dd__sctx;
DD__PRIVATE DD__T_HOT void dd__ctx_ptag_append(dd__sctx *out, const char *k, size_t kn, const char *v, size_t vn) {
    size_t n = out->ptags_len, comma = n ? 1 : 0;
    if (n + comma + kn + 1 + vn > DD_PTAGS_MAX) { /* dd_inject leaves x-datadog-tags out (R-DD-15) */
        out->ptags_lost++;
        return;
    }
    if (comma) out->ptags[n++] = ',';
    memcpy(out->ptags + n, k, kn);
    n += kn;
    out->ptags[n++] = '=';
    dd__mp_copy(out->ptags + n, v, vn);
    n += vn;
    out->ptags[n] = 0;
    out->ptags_len = (uint32_t)n;
}
/* The ptags in the extracted order (seg->ptags_order): _dd.p.dm, _dd.p.ksr and _dd.p.tid updated
 * where they stood, left out when the trace no longer has them, appended when new (R-DD-14).
 * `hex` is trace_id.hi in hex, or NULL. */
DD__PRIVATE DD__T_COLD void dd__ctx_ptags_ordered(dd__sctx *out, const dd__segment *seg, const char *hex) {
    const char *p = seg->ptags_order.p, *end = p + seg->ptags_order.n;
    int dm = 0, ksr = 0, tid = 0;
    out->ptags_len = 0;
    out->ptags[0] = 0;
    while (p < end) {
        const char *comma = (const char *)memchr(p, ',', (size_t)(end - p)), *eq;
        size_t kl;
        if (!comma) comma = end;
        eq = (const char *)memchr(p, '=', (size_t)(comma - p));
        if (eq) {
            kl = (size_t)(eq - p);
            if (kl == 8 && memcmp(p, "_dd.p.dm", 8) == 0) {
                if (seg->dm_len && !dm) dd__ctx_ptag_append(out, p, 8, seg->dm, seg->dm_len);
                dm = 1;
            } else if (kl == 9 && memcmp(p, "_dd.p.ksr", 9) == 0) {
                if (seg->ksr_len && !ksr) dd__ctx_ptag_append(out, p, 9, seg->ksr, seg->ksr_len);
                ksr = 1;
            } else if (kl == 9 && memcmp(p, "_dd.p.tid", 9) == 0) {
                if (hex && !tid) dd__ctx_ptag_append(out, p, 9, hex, 16);
                tid = 1;
            } else {
                dd__ctx_ptag_append(out, p, kl, eq + 1, (size_t)(comma - eq - 1));
            }
        }
        p = comma + 1;
    }
    if (!dm && seg->dm_len) dd__ctx_ptag_append(out, "_dd.p.dm", 8, seg->dm, seg->dm_len);
    if (!ksr && seg->ksr_len) dd__ctx_ptag_append(out, "_dd.p.ksr", 9, seg->ksr, seg->ksr_len);
    if (!tid && hex) dd__ctx_ptag_append(out, "_dd.p.tid", 9, hex, 16);
}
/* What a trace's recorded injection depends on, besides the tracer's configuration (fixed) and
 * the parent id: compared under the lock before every replay, so that a change (an origin set
 * after the first injection, say) makes a new record. */
typedef struct dd__inj_key {
    dd_trace_id trace_id;
    int priority;
    uint32_t dm_len, ksr_len;
    char dm[8], ksr[16];
    dd__tstr origin, ptags, tracestate, dd_member_extra, ptags_order;
} dd__inj_key;
#define DD__INJ_RECORDS_MAX 8 /* records made for one trace; then the long way (arena bounded) */
typedef struct dd__inj_cache {
    dd__inj_key key;
    uint32_t made; /* records made for the trace, this one included */
    dd__irec rec; /* only DD__IREC_SIZE(&rec) bytes of it are allocated */
} dd__inj_cache;
DD__PRIVATE int dd__tstr_same(dd__tstr a, dd__tstr b) { return a.p == b.p && a.n == b.n; }
DD__PRIVATE int dd__inj_bytes_eq(const char *a, const char *b, uint32_t n) { /* n < 16: no call */
    uint32_t i;
    for (i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}
DD__PRIVATE void dd__inj_key_of(dd__inj_key *k, const dd__segment *seg) { /* under lock */
    memset(k, 0, sizeof *k);
    k->trace_id = seg->trace_id;
    k->priority = seg->priority;
    k->dm_len = seg->dm_len < sizeof k->dm ? seg->dm_len : 0;
    k->ksr_len = seg->ksr_len < sizeof k->ksr ? seg->ksr_len : 0;
    memcpy(k->dm, seg->dm, k->dm_len);
    memcpy(k->ksr, seg->ksr, k->ksr_len);
    k->origin = seg->origin;
    k->ptags = seg->ptags;
    k->tracestate = seg->tracestate;
    k->dd_member_extra = seg->dd_member_extra;
    k->ptags_order = seg->ptags_order;
}
DD__PRIVATE int dd__inj_key_eq(const dd__inj_key *k, const dd__segment *seg) { /* under lock */
    return k->trace_id.lo == seg->trace_id.lo && k->trace_id.hi == seg->trace_id.hi && k->priority == seg->priority &&
           k->dm_len == seg->dm_len && k->ksr_len == seg->ksr_len && dd__inj_bytes_eq(k->dm, seg->dm, k->dm_len) &&
           dd__inj_bytes_eq(k->ksr, seg->ksr, k->ksr_len) && dd__tstr_same(k->origin, seg->origin) &&
           dd__tstr_same(k->ptags, seg->ptags) && dd__tstr_same(k->tracestate, seg->tracestate) &&
           dd__tstr_same(k->dd_member_extra, seg->dd_member_extra) && dd__tstr_same(k->ptags_order, seg->ptags_order);
}
/* The sampling decision, if not made yet, and the trace's propagated fields frozen (under lock). */
DD__PRIVATE void dd__span_decide_locked(dd_tracer *t, dd__segment *seg) {
    if (!seg->decided) dd__segment_decide(t, seg, t->mono_ns_fn(t->clock_user));
    seg->locked = 1;
}
/* The span's context into c, under the tracer lock (the sampling decision is made first). The
 * trace's baggage: copied into *bag_copy, or formatted as the `baggage` header into bag_header
 * (DD_BAGGAGE_HEADER_MAX + 1 bytes) with the tracer's limits, when not NULL. */
DD__PRIVATE int dd__span_context_fill(dd_span *s, dd__sctx *c, dd_baggage *bag_copy, char *bag_header,
                                      dd__inj_key *key) {
    dd__segment *seg = s->seg;
    dd_tracer *t = seg->tracer;
    dd__ictx *v = &c->v;
    c->ptags_lost = 0;
    v->baggage = NULL;
    v->bag_header = bag_header;
    v->bag_header_len = 0;
    pthread_mutex_lock(&t->lock);
    dd__span_decide_locked(t, seg);
    if (key) dd__inj_key_of(key, seg);
    v->trace_id = seg->trace_id;
    v->parent_id = s->span_id;
    v->sampling_priority = seg->priority;
    v->origin_len = dd__ctx_text(c->origin, DD_ORIGIN_MAX, seg->origin);
    v->tracestate_len = dd__ctx_text(c->tracestate, DD_TRACESTATE_MAX, seg->tracestate);
    v->dd_member_extra_len = dd__ctx_text(c->dd_member_extra, DD_DD_MEMBER_EXTRA_MAX, seg->dd_member_extra);
    if (bag_copy) {
        if (seg->baggage && seg->baggage->n) dd__bag_copy(bag_copy, seg->baggage);
        else bag_copy->n = bag_copy->len = 0;
    }
    if (bag_header) v->bag_header_len = dd__baggage_header(&t->prop, seg->baggage, bag_header);
    if (seg->ptags_order.n) {
        char hex[17];
        if (seg->trace_id.hi) dd__t_hex16(seg->trace_id.hi, hex);
        dd__ctx_ptags_ordered(c, seg, seg->trace_id.hi ? hex : NULL);
        pthread_mutex_unlock(&t->lock);
    } else {
        c->ptags_len = dd__ctx_text(c->ptags, DD_PTAGS_MAX, seg->ptags);
        if (seg->dm_len) dd__ctx_ptag_append(c, "_dd.p.dm", 8, seg->dm, seg->dm_len); /* see dd__encode_span */
        if (seg->ksr_len) dd__ctx_ptag_append(c, "_dd.p.ksr", 9, seg->ksr, seg->ksr_len);
        pthread_mutex_unlock(&t->lock);
        if (seg->trace_id.hi) {
            char hex[17];
            dd__t_hex16(seg->trace_id.hi, hex);
            dd__ctx_ptag_append(c, "_dd.p.tid", 9, hex, 16);
        }
    }
    v->origin = c->origin;
    v->ptags = c->ptags;
    v->ptags_len = c->ptags_len;
    v->ptags_lost = c->ptags_lost;
    v->tracestate = c->tracestate;
    v->dd_member_extra = c->dd_member_extra;
    return DD_OK;
}
DD_API int dd_span_context(dd_span *s, dd_trace_context *out) {
    dd__sctx c;
    if (!out) return DD_ERR_INVALID_ARG;
    memset(out, 0, offsetof(dd_trace_context, baggage)); /* the baggage is set by the fill */
    out->baggage.n = out->baggage.len = 0;
    if (!(s = dd__span_live(s))) return DD_ERR_INVALID_ARG;
    dd__span_context_fill(s, &c, &out->baggage, NULL, NULL);
    out->trace_id = c.v.trace_id;
    out->parent_id = c.v.parent_id;
    out->sampling_priority = c.v.sampling_priority;
    out->origin_len = c.v.origin_len;
    memcpy(out->origin, c.origin, (size_t)c.v.origin_len + 1);
    out->ptags_len = c.ptags_len;
    memcpy(out->ptags, c.ptags, (size_t)c.ptags_len + 1);
    out->ptags_lost = c.ptags_lost;
    out->tracestate_len = c.v.tracestate_len;
    memcpy(out->tracestate, c.tracestate, (size_t)c.v.tracestate_len + 1);
    out->dd_member_extra_len = c.v.dd_member_extra_len;
    memcpy(out->dd_member_extra, c.dd_member_extra, (size_t)c.v.dd_member_extra_len + 1);
    return DD_OK;
}

/* Injects the span's context the long way: its fields copied under the lock into a dd__sctx and
 * the baggage header formatted there too (the writer runs without the lock), then dd_inject's
 * styles. For a trace whose injection cannot be recorded. */
DD__PRIVATE DD__T_COLD int dd__span_inject_full(dd_span *s, const dd_carrier_writer *carrier) {
    dd__sctx c;
    char bag[DD_BAGGAGE_HEADER_MAX + 1];
    char err[DD_PROPAGATION_ERROR_MAX + 1];
    int rc;
    dd_tracer *t = s->seg->tracer;
    rc = dd__span_context_fill(s, &c, NULL, bag, NULL);
    if (rc != DD_OK) return rc;
    err[0] = 0;
    rc = dd__inject(&t->prop, &c.v, carrier, err);
    if (err[0]) {
        pthread_mutex_lock(&t->lock);
        memcpy(s->seg->inject_error, err, sizeof err);
        pthread_mutex_unlock(&t->lock);
    }
    return rc;
}
/* Records the trace's injection for this span (dd__irec_make) and keeps it in the segment, with
 * the key it was made from. 1 when there is a record to replay. Once per trace (again when the key
 * changed, at most DD__INJ_RECORDS_MAX times: the arena only grows until the trace ends). */
DD__PRIVATE DD__T_COLD int dd__span_inject_record(dd_span *s) {
    dd__sctx c;
    dd__inj_cache rec;
    dd__segment *seg = s->seg;
    dd_tracer *t = seg->tracer;
    dd__inj_cache *keep = NULL;
    size_t size;
    dd__span_context_fill(s, &c, NULL, NULL, &rec.key);
    if (!dd__irec_make(&rec.rec, &t->prop, &c.v)) return 0;
    size = offsetof(dd__inj_cache, rec) + DD__IREC_SIZE(&rec.rec);
    pthread_mutex_lock(&t->lock);
    rec.made = seg->inj ? seg->inj->made + 1 : 1;
    if (rec.made <= DD__INJ_RECORDS_MAX) keep = (dd__inj_cache *)dd__seg_alloc(t, seg, size);
    if (keep) {
        memcpy(keep, &rec, size);
        seg->inj = keep;
    }
    pthread_mutex_unlock(&t->lock);
    return keep != NULL;
}
/* dd_span_inject with the trace's recorded headers (dd__irec), when they are there for the
 * segment as it is: found under the lock with the baggage header formatted there, then written for
 * this span's id without the lock. 1 when done (*rc set); 0, and *full when the trace has made all
 * the records it may, when not. Its own frame: the baggage header is never on the stack together
 * with a recording's or the long way's buffers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
DD__PRIVATE int dd__span_inject_replay(dd_span *s, const dd_carrier_writer *carrier, int *rc, int *full) {
    char bag[DD_BAGGAGE_HEADER_MAX + 1];
    dd__segment *seg = s->seg;
    dd_tracer *t = seg->tracer;
    const dd__inj_cache *k;
    size_t bag_len;
    int err;
    pthread_mutex_lock(&t->lock);
    dd__span_decide_locked(t, seg);
    k = seg->inj;
    if (!k || !dd__inj_key_eq(&k->key, seg)) {
        *full = k && k->made >= DD__INJ_RECORDS_MAX;
        pthread_mutex_unlock(&t->lock);
        return 0;
    }
    bag_len = dd__baggage_header(&t->prop, seg->baggage, bag);
    pthread_mutex_unlock(&t->lock);
    /* read without the lock: a record is never changed once stored (a new key makes a new one),
     * and the segment lives while s is open (s is this thread's: dd_span THREADS) */
    *rc = dd__irec_replay(&k->rec, s->span_id, bag, bag_len, carrier, &err);
    if (err) {
        pthread_mutex_lock(&t->lock);
        memcpy(seg->inject_error, k->rec.err, sizeof k->rec.err);
        pthread_mutex_unlock(&t->lock);
    }
    return 1;
}
/* Injects the span's context: the trace's recorded headers replayed (the first injection of a
 * trace records them), else the long way. */
DD_API int dd_span_inject(dd_span *s, const dd_carrier_writer *carrier) {
    int tries, rc = DD_OK, full = 0;
    if (!(s = dd__span_live(s)) || !carrier || !carrier->set) return DD_ERR_INVALID_ARG;
    for (tries = 0; s->span_id && tries < 2; tries++) {
        if (dd__span_inject_replay(s, carrier, &rc, &full)) return rc;
        if (full || tries || !dd__span_inject_record(s)) break;
    }
    return dd__span_inject_full(s, carrier);
}
DD_API int dd_span_inject_headers(dd_span *s, dd_headers *headers) {
    dd_carrier_writer w;
    if (!headers) return DD_ERR_INVALID_ARG;
    dd_headers_writer(&w, headers);
    return dd_span_inject(s, &w);
}
DD_API int dd_span_inject_cstr(dd_span *s, int (*set_fn)(void *user, const char *name, const char *value),
                               void *user) {
    dd_cstr_carrier c;
    dd_carrier_writer w;
    if (!set_fn) return DD_ERR_INVALID_ARG;
    c.get_fn = NULL;
    c.set_fn = set_fn;
    c.user = user;
    dd_cstr_carrier_writer(&w, &c);
    return dd_span_inject(s, &w);
}
DD_API int dd_span_inject_env(dd_span *s, dd_env_block *env) {
    dd_carrier_writer w;
    if (!env) return DD_ERR_INVALID_ARG;
    dd_env_block_writer(&w, env);
    return dd_span_inject(s, &w);
}
DD_API size_t dd_span_inject_datadog_json(dd_span *s, char *out, size_t cap) {
    dd__sctx c;
    char bag[DD_BAGGAGE_HEADER_MAX + 1];
    if (out && cap) out[0] = 0;
    if (!(s = dd__span_live(s)) || dd__span_context_fill(s, &c, NULL, bag, NULL) != DD_OK) return 0;
    return dd__datadog_inject(&s->seg->tracer->prop, &c.v, out, cap);
}

/*--- extraction with the tracer's configuration ---*/
/* dd_extract with the tracer's propagation configuration; no lock. */
DD__PRIVATE const dd_propagation_config *dd__tprop(const dd_tracer *t) { return t ? &t->prop : NULL; }
DD_API const dd_propagation_config *dd_tracer_propagation(const dd_tracer *t) { return dd__tprop(t); }
DD_API int dd_tracer_extract(const dd_tracer *t, const dd_carrier_reader *carrier, dd_trace_context *out) {
    return dd_extract(dd__tprop(t), carrier, out);
}
DD_API int dd_tracer_extract_headers(const dd_tracer *t, const dd_header *headers, size_t n, dd_trace_context *out) {
    dd_headers h;
    dd_carrier_reader r;
    memset(&h, 0, sizeof h);
    h.items = (dd_header *)headers;
    h.n = headers ? n : 0;
    dd_headers_reader(&r, &h);
    return dd_extract(dd__tprop(t), &r, out);
}
DD_API int dd_tracer_extract_cstr(const dd_tracer *t, const char *(*get_fn)(void *user, const char *name),
                                  void *user, dd_trace_context *out) {
    dd_cstr_carrier c;
    dd_carrier_reader r;
    c.get_fn = get_fn;
    c.set_fn = NULL;
    c.user = user;
    dd_cstr_carrier_reader(&r, &c);
    return dd_extract(dd__tprop(t), &r, out);
}
DD_API int dd_tracer_extract_env(const dd_tracer *t, const char *(*getenv_fn)(void *user, const char *name),
                                 void *user, dd_trace_context *out) {
    dd_env_source src;
    dd_carrier_reader r;
    src.getenv_fn = getenv_fn;
    src.user = user;
    dd_env_reader(&r, &src);
    return dd_extract(dd__tprop(t), &r, out);
}
DD_API int dd_tracer_extract_datadog_json(const dd_tracer *t, const char *json, size_t len, dd_trace_context *out) {
    return dd_datadog_extract(dd__tprop(t), json, len, out);
}

/*--- log correlation (dd-trace-py 3.x formats) ---*/
/* The trace and span ids as log fields; no lock, no allocation. */
/* A value of the text form: nothing in it can end the line or the field (a newline in DD_ENV
 * must not forge a log line). */
DD__PRIVATE void dd__tsb_log_value(dd__tsb *b, const char *s, size_t n) {
    static const char hx[] = "0123456789abcdef";
    size_t i, run = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char q[4];
        size_t qn = 2;
        if (c > ' ' && c != '\\' && c != 0x7f) continue;
        dd__tsb_add(b, s + run, i - run);
        run = i + 1;
        q[0] = '\\';
        if (c == '\\') q[1] = '\\';
        else if (c == '\n') q[1] = 'n';
        else if (c == '\r') q[1] = 'r';
        else if (c == '\t') q[1] = 't';
        else {
            q[1] = 'x';
            q[2] = hx[c >> 4];
            q[3] = hx[c & 15];
            qn = 4;
        }
        dd__tsb_add(b, q, qn);
    }
    dd__tsb_add(b, s + run, n - run);
}
DD_API size_t dd_span_log_correlation(const dd_span *s, int json, char *out, size_t cap) {
    dd__tsb sb;
    char tid[33], sid[21];
    const dd_tracer *t = (s = dd__span_live(s)) != NULL ? s->seg->tracer : NULL; /* dead: as NULL */
    dd__tstr vals[3];
    static const char *const names[3] = {"dd.service", "dd.env", "dd.version"};
    size_t i;
    dd__tsb_init(&sb, out, cap);
    if (t && !t->logs_injection) return 0;
    if (s && s->seg->trace_id.hi && t->log_128bit) {
        dd__t_hex16(s->seg->trace_id.hi, tid);
        dd__t_hex16(s->seg->trace_id.lo, tid + 16);
    } else {
        dd__t_u64_dec(s ? s->seg->trace_id.lo : 0, tid);
    }
    dd__t_u64_dec(s ? s->span_id : 0, sid);
    vals[0].p = t ? t->service.p : "", vals[0].n = t ? t->service.n : 0;
    vals[1].p = t ? t->env.p : "", vals[1].n = t ? t->env.n : 0;
    vals[2].p = t ? t->version.p : "", vals[2].n = t ? t->version.n : 0;
    if (json) {
        dd__tsb_str(&sb, "\"dd.trace_id\":\"");
        dd__tsb_str(&sb, tid);
        dd__tsb_str(&sb, "\",\"dd.span_id\":\"");
        dd__tsb_str(&sb, sid);
        dd__tsb_str(&sb, "\"");
        for (i = 0; i < 3; i++) {
            dd__tsb_str(&sb, ",\"");
            dd__tsb_str(&sb, names[i]);
            dd__tsb_str(&sb, "\":");
            dd__tsb_json_str(&sb, vals[i].p, vals[i].n);
        }
    } else {
        dd__tsb_str(&sb, "dd.trace_id=");
        dd__tsb_str(&sb, tid);
        dd__tsb_str(&sb, " dd.span_id=");
        dd__tsb_str(&sb, sid);
        for (i = 0; i < 3; i++) {
            dd__tsb_str(&sb, " ");
            dd__tsb_str(&sb, names[i]);
            dd__tsb_str(&sb, "=");
            dd__tsb_log_value(&sb, vals[i].p, vals[i].n);
        }
    }
    return sb.need;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif /* DD__TRACE_IMPLEMENTED */
