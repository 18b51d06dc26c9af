/* dd_propagation.h - trace context, carriers and propagation styles.           dd-trace-c 0.1.0
 *
 * In exactly one .c file:  #define DD_PROPAGATION_IMPLEMENTATION   (DD_TRACE_IMPLEMENTATION also does)
 *                          #include "dd_propagation.h"
 * Stands alone on libc: a proxy can forward trace context without the tracer.
 * OPTIONS   DD_API (linkage), DD_ASSERT(c)
 * THREADS   no global state: every call may run on any thread; a dd_trace_context, a carrier and a
 *           config belong to their caller. Carrier callbacks run on the calling thread, during the call.
 * MEMORY    never allocates: contexts have fixed capacities (DD_*_MAX), what does not fit is dropped
 *           and counted, never truncated into an invalid value
 * ERRORS    DD_OK or a negative DD_ERR_*; on failure an out-param context is zeroed
 * DOES NOT  do I/O, allocate, start threads, make sampling decisions, or call locale-dependent libc;
 *           reads the environment only through dd_propagation_config_from_env and dd_env_reader
 * SECTIONS  log hook; ids (decimal and hex codecs); trace context and its _dd.p.* tags (dd_ptags_*);
 *           carriers (reader/writer interfaces; dd_headers, dd_cstr_carrier, environment variables);
 *           configuration (styles, DD_TRACE_PROPAGATION_* environment); dd_extract / dd_inject; single
 *           styles (X-Ray); then the serverless part (_datadog JSON, Lambda events).
 * STYLES    datadog (x-datadog-*), tracecontext (W3C traceparent/tracestate), b3multi (x-b3-*),
 *           b3 (single `b3` header), xray (X-Amzn-Trace-Id), none. Rules: spec/propagation.md.
 * USE       dd_propagation_config cfg; dd_propagation_config_default(&cfg);
 *           dd_headers in = {0}; in.items = request_headers; in.n = n_request_headers;
 *           dd_carrier_reader r; dd_headers_reader(&r, &in);
 *           dd_trace_context ctx; if (dd_extract(&cfg, &r, &ctx) == DD_OK) { ...continue the trace... }
 *           ctx.parent_id = my_span_id;  (the priority decided by the tracer is in ctx.sampling_priority)
 *           dd_header out[8]; char bytes[2048]; dd_headers h; dd_headers_init(&h, out, 8, bytes, sizeof bytes);
 *           dd_carrier_writer w; dd_headers_writer(&w, &h); dd_inject(&cfg, &ctx, &w);
 */
#ifndef DD_PROPAGATION_H
#define DD_PROPAGATION_H
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

DD__BEGIN_C

/*=== declarations ===*/

/*=== log hook ===*/

/* The diagnostics hook shared by every header: `msg` is `len` bytes of English text, not
 * NUL-terminated; it is borrowed for the call. NULL means silent. */
typedef void (*dd_log_fn)(void *user, int level, const char *msg, size_t len);
#define DD_LOG_ERROR 0
#define DD_LOG_WARN 1
#define DD_LOG_INFO 2
#define DD_LOG_DEBUG 3

/*=== ids ===*/

/* Fixed text sizes of ids, NUL not included. */
#define DD_U64_DEC_MAX_LEN 20 /* 18446744073709551615 */
#define DD_SPAN_ID_HEX_LEN 16
#define DD_TRACE_ID_HEX_LEN 32

/* A 128-bit trace id; hi is 0 for a 64-bit id. */
typedef struct dd_trace_id {
    uint64_t hi;
    uint64_t lo;
} dd_trace_id;

/* Writes `v` as unsigned decimal plus a NUL into `out`; returns the digit count (1..20). [any thread] */
DD_API size_t dd_u64_to_dec(uint64_t v, char out[21]);
/* Writes `v` as exactly 16 lowercase hex digits plus a NUL; returns 16. [any thread] */
DD_API size_t dd_u64_to_hex16(uint64_t v, char out[17]);
/* Writes hi||lo as exactly 32 lowercase hex digits plus a NUL; returns 32. [any thread] */
DD_API size_t dd_trace_id_to_hex32(const dd_trace_id *id, char out[33]);
/* Parses exactly `len` bytes of unsigned decimal (1..20 digits, no sign, no space, no overflow:
 * 18446744073709551615 is the largest). Returns DD_OK, or DD_ERR_MALFORMED and *out = 0. [any thread] */
DD_API int dd_u64_from_dec(const char *s, size_t len, uint64_t *out);
/* Parses exactly `len` bytes of hex, 1..16 digits of either case, no prefix, no sign, no space.
 * Returns DD_OK, or DD_ERR_MALFORMED and *out = 0. [any thread] */
DD_API int dd_u64_from_hex(const char *s, size_t len, uint64_t *out);
/* As dd_u64_from_hex for a trace id of 1..32 digits: the last 16 digits are `lo`, the ones before
 * them `hi`. Returns DD_OK, or DD_ERR_MALFORMED and *out zeroed. [any thread] */
DD_API int dd_trace_id_from_hex(const char *s, size_t len, dd_trace_id *out);

/*=== trace context ===*/

/* Fixed capacities of a dd_trace_context. What does not fit is dropped, counted in
 * `dropped` (and, for x-datadog-tags, reported as an error tag); it is never truncated into an
 * invalid value. */
#define DD_ORIGIN_MAX 64              /* origin bytes, NUL not included                       */
#define DD_PTAGS_MAX 512              /* propagated _dd.p.* tags, as "k=v,k=v" (x-datadog-tags) */
#define DD_TRACESTATE_MAX 512         /* foreign (non-dd) tracestate members, verbatim        */
#define DD_DD_MEMBER_EXTRA_MAX 128    /* unknown keys of the tracestate dd member, verbatim   */
#define DD_PROPAGATION_ERROR_MAX 64   /* the _dd.propagation_error value                      */
#define DD_SPAN_LINKS_MAX 4           /* span links for conflicting contexts                  */
#define DD_LAST_PARENT_ID_MAX 16      /* the _dd.parent_id value                              */

#define DD_PRIORITY_UNSET (-128)      /* sampling_priority when none was given   */
#define DD_PRIORITY_USER_REJECT (-1)
#define DD_PRIORITY_AUTO_REJECT 0
#define DD_PRIORITY_AUTO_KEEP 1
#define DD_PRIORITY_USER_KEEP 2

/* Propagation styles (spec/propagation.md 2.1). */
#define DD_STYLE_DATADOG 1
#define DD_STYLE_TRACECONTEXT 2
#define DD_STYLE_B3MULTI 3
#define DD_STYLE_B3 4                 /* the single `b3` header                                */
#define DD_STYLE_XRAY 5               /* X-Amzn-Trace-Id, ids converted as spec/serverless.md 6 */
#define DD_STYLE_NONE 6

/* A span link to a context that was not chosen as parent (spec/propagation.md 7.2). */
typedef struct dd_span_link {
    dd_trace_id trace_id;
    uint64_t span_id;
    int32_t flags;                    /* W3C flags | 0x80000000 when set, 0 when unknown        */
    char tracestate[DD_TRACESTATE_MAX + 1]; /* the raw tracestate, only for tracecontext     */
    char reason[24];                  /* attribute "reason", e.g. "terminated_context"         */
    char context_headers[16];         /* attribute "context_headers", the style name           */
} dd_span_link;

/* Everything a carrier can tell about the caller's trace. Plain data: copy it freely.
 * A zeroed context (trace_id 0) means "no context". Strings are NUL-terminated and their
 * lengths are kept beside them.
 * For dd_inject, `parent_id` is the id of the span that sends the context, and `ptags` holds the
 * trace's _dd.p.* tags; "_dd.p.tid" in it is rewritten from trace_id.hi on inject (added when hi
 * is not 0, removed when it is), so the two never disagree on the wire. */
typedef struct dd_trace_context {
    dd_trace_id trace_id;
    uint64_t parent_id;               /* span id of the remote parent; 0 only for synthetics    */
    int32_t sampling_priority;        /* DD_PRIORITY_* or DD_PRIORITY_UNSET                     */
    uint32_t origin_len;
    char origin[DD_ORIGIN_MAX + 1];
    uint32_t ptags_len;
    char ptags[DD_PTAGS_MAX + 1];     /* "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000", tag grammar R-DD-9 */
    uint32_t tracestate_len;
    char tracestate[DD_TRACESTATE_MAX + 1]; /* foreign members, in order, comma-joined       */
    uint32_t dd_member_extra_len;
    char dd_member_extra[DD_DD_MEMBER_EXTRA_MAX + 1]; /* unknown dd sub-members, ';'-joined */
    int32_t has_w3c_parent;           /* tracestate dd member carried p:<16 hex>                */
    uint64_t w3c_parent_id;           /* its value                                              */
    char propagation_error[DD_PROPAGATION_ERROR_MAX + 1]; /* _dd.propagation_error, or ""     */
    uint32_t n_links;
    dd_span_link links[DD_SPAN_LINKS_MAX];
    uint32_t dropped;                 /* items dropped because a capacity was reached           */
    /* The _dd.parent_id span tag for the local root, or "" for none: tracestate `p` verbatim
     * (even when it is not hex), or hex16 of the Datadog parent (spec/propagation.md 4.4, 7.3). */
    char last_parent_id[DD_LAST_PARENT_ID_MAX + 1];
    int32_t style;                    /* DD_STYLE_* that gave this context (extract), else 0    */
} dd_trace_context;

/* Propagated tags ("_dd.p.*") of a context, kept in `ptags` as "k=v,k=v".
 * dd_ptags_get: finds `key`; returns DD_OK with *val and *val_len pointing into ctx->ptags
 * (valid until ctx changes), or DD_ERR_NOT_FOUND with *val = NULL, *val_len = 0. [owner thread]
 * dd_ptags_set: replaces the value in place (order kept) or appends. The key must be 1.. bytes of
 * 0x21..0x7E without ',' '=', the value 1.. bytes of 0x20..0x7E without ','. Returns DD_OK,
 * DD_ERR_MALFORMED (bad character or empty) or DD_ERR_LIMIT (would not fit DD_PTAGS_MAX); on
 * error ctx is unchanged. [owner thread]
 * dd_ptags_remove: DD_OK, or DD_ERR_NOT_FOUND when absent. [owner thread] */
DD_API int dd_ptags_get(const dd_trace_context *ctx, const char *key, size_t key_len, const char **val,
                        size_t *val_len);
DD_API int dd_ptags_set(dd_trace_context *ctx, const char *key, size_t key_len, const char *val,
                        size_t val_len);
DD_API int dd_ptags_remove(dd_trace_context *ctx, const char *key, size_t key_len);

/*=== carriers ===*/

/* A carrier reader: any key/value store the caller has. Keys are given in lowercase ASCII
 * (`x-datadog-trace-id`, `traceparent`); HTTP carriers must match them case-insensitively.
 * get: the value of the first field named `key` (not NUL-terminated, `*value_len` bytes), or NULL
 *   when absent. Required.
 * get_nth: optional (NULL when the store keeps one value per key): the `index`-th (0-based) field
 *   named `key`, or NULL after the last. Used to join repeated `tracestate` fields in order and to
 *   reject two different `traceparent` fields (spec/propagation.md R-HDR-4).
 * Returned values must stay valid until the dd_extract call that asked for them returns. Called on
 * the thread that calls dd_extract. */
typedef struct dd_carrier_reader {
    void *self;
    const char *(*get)(void *self, const char *key, size_t key_len, size_t *value_len);
    const char *(*get_nth)(void *self, const char *key, size_t key_len, size_t index, size_t *value_len);
} dd_carrier_reader;

/* A carrier writer. set: stores `value` under `key` (lowercase ASCII; neither is NUL-terminated,
 * both borrowed for the call) replacing any field of that name; returns DD_OK or a negative status,
 * which makes dd_inject stop and return it. Called on the thread that calls dd_inject. */
typedef struct dd_carrier_writer {
    void *self;
    int (*set)(void *self, const char *key, size_t key_len, const char *value, size_t value_len);
} dd_carrier_writer;

/* One name/value pair; neither string needs a NUL. */
typedef struct dd_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} dd_header;

/* A ready carrier over an array of dd_header.
 * To read: `dd_headers h = {0}; h.items = array; h.n = count;` then dd_headers_reader(&r, &h):
 *   names are compared case-insensitively; every field of a name is visible through get_nth.
 * To write: dd_headers_init(&h, items, cap, buf, buf_cap) then dd_headers_writer(&w, &h): set
 *   copies name and value into `buf` and replaces the value of an existing field of that name
 *   (case-insensitively) or appends one; DD_ERR_BUFFER_FULL when `items` or `buf` is full (the list
 *   is then unchanged). Stored strings are also NUL-terminated in `buf`. */
typedef struct dd_headers {
    dd_header *items;
    size_t n;
    size_t cap;
    char *buf;
    size_t buf_len;
    size_t buf_cap;
} dd_headers;
/* [owner thread] for all three: the reader/writer borrow `h`, which must outlive them. */
DD_API void dd_headers_init(dd_headers *h, dd_header *items, size_t cap, char *buf, size_t buf_cap);
DD_API void dd_headers_reader(dd_carrier_reader *r, const dd_headers *h);
DD_API void dd_headers_writer(dd_carrier_writer *w, dd_headers *h);

/* A ready carrier over caller callbacks that take NUL-terminated strings (a map in another
 * language, a message's attributes). get_fn(user, name) returns a NUL-terminated value or NULL;
 * set_fn(user, name, value) stores it and returns DD_OK or a negative status (NULL get_fn / set_fn:
 * that direction finds nothing / fails with DD_ERR_INVALID_ARG). Names are passed in lowercase;
 * case-folding, if the store needs it, is the callback's job. `scratch` holds the NUL-terminated
 * copies handed to the callbacks: a value longer than DD_CSTR_CARRIER_SCRATCH - 1 bytes cannot be
 * set (DD_ERR_BUFFER_FULL). */
#define DD_CSTR_CARRIER_SCRATCH 1024
typedef struct dd_cstr_carrier {
    const char *(*get_fn)(void *user, const char *name);
    int (*set_fn)(void *user, const char *name, const char *value);
    void *user;
    char scratch[DD_CSTR_CARRIER_SCRATCH];
} dd_cstr_carrier;
/* [owner thread]: the reader/writer borrow `c`, which must outlive them. */
DD_API void dd_cstr_carrier_reader(dd_carrier_reader *r, dd_cstr_carrier *c);
DD_API void dd_cstr_carrier_writer(dd_carrier_writer *w, dd_cstr_carrier *c);

/* The environment-variable carrier: a parent process hands its context to a child process.
 * Following OpenTelemetry's environment-carrier convention, a header name becomes a variable
 * name by upper-casing it and turning every character that is not a letter or a digit into '_':
 *   traceparent -> TRACEPARENT, tracestate -> TRACESTATE, b3 -> B3,
 *   x-datadog-trace-id -> X_DATADOG_TRACE_ID, x-datadog-parent-id -> X_DATADOG_PARENT_ID,
 *   x-datadog-sampling-priority -> X_DATADOG_SAMPLING_PRIORITY, x-datadog-origin ->
 *   X_DATADOG_ORIGIN, x-datadog-tags -> X_DATADOG_TAGS, x-b3-traceid -> X_B3_TRACEID, ...,
 *   x-amzn-trace-id -> X_AMZN_TRACE_ID (when unset the reader also tries Lambda's
 *   _X_AMZN_TRACE_ID, so the xray style reads the current invocation's X-Ray context).
 * The Datadog fields keep their header names rather than a DD_ prefix: DD_* variables configure
 * tracers, and a child must not mistake a context for configuration.
 * Reading: dd_env_reader with a getenv-like hook (NULL = libc getenv; `user` comes back first).
 * Writing: dd_env_block_init(&e, envp, envp_cap, buf, buf_cap) then dd_env_block_writer(&w, &e):
 *   each set appends "NAME=VALUE" (NUL-terminated) to `buf` and its address to envp[n], keeping
 *   envp NULL-terminated, ready for execve() after the parent's own entries are copied in; a name
 *   set twice is replaced. DD_ERR_BUFFER_FULL when either is full (nothing changed). */
typedef struct dd_env_source {
    const char *(*getenv_fn)(void *user, const char *name);
    void *user;
} dd_env_source;
typedef struct dd_env_block {
    char **envp;
    size_t n;
    size_t cap;
    char *buf;
    size_t buf_len;
    size_t buf_cap;
} dd_env_block;
/* [owner thread]: the reader/writer borrow their argument, which must outlive them. */
DD_API void dd_env_reader(dd_carrier_reader *r, dd_env_source *src);
DD_API void dd_env_block_init(dd_env_block *e, char **envp, size_t envp_cap, char *buf, size_t buf_cap);
DD_API void dd_env_block_writer(dd_carrier_writer *w, dd_env_block *e);

/*=== configuration ===*/

#define DD_STYLES_MAX 8
#define DD_X_DATADOG_TAGS_DEFAULT_MAX 512

/* Which styles to read and write. Fill it with dd_propagation_config_default (and then, if wanted,
 * dd_propagation_config_from_env); a zeroed one also works: n_extract / n_inject 0 mean the
 * default list (datadog, tracecontext), x_datadog_tags_max_length 0 means 512 and a negative
 * value disables x-datadog-tags on inject (DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH=0). A list holding
 * only DD_STYLE_NONE disables that direction; NONE beside other styles is ignored. */
typedef struct dd_propagation_config {
    int extract_styles[DD_STYLES_MAX];
    int n_extract;
    int inject_styles[DD_STYLES_MAX];
    int n_inject;
    int extract_first;                 /* 1: stop at the first valid style (no merge, no links) */
    int32_t x_datadog_tags_max_length; /* 0 = 512, < 0 = never write x-datadog-tags              */
} dd_propagation_config;

/* datadog,tracecontext both ways; extract_first 0; x-datadog-tags limit 512. [any thread] */
DD_API void dd_propagation_config_default(dd_propagation_config *cfg);
/* Parses a style list: names separated by ',', case-insensitive, surrounding spaces and tabs
 * ignored: datadog, tracecontext, b3multi, b3 (single header), "b3 single header", xray, none.
 * Duplicates are kept once; "baggage" (not a trace-context style) is skipped. Writes up to
 * DD_STYLES_MAX entries into `styles` and their count into *n. Returns DD_OK, or DD_ERR_MALFORMED
 * when a name is unknown (the known ones are still written, as Go and Python do) or no style is
 * left (then *n = 0). [any thread] */
DD_API int dd_propagation_parse_styles(const char *s, size_t len, int *styles, int *n);
/* Overrides fields of `cfg` from the environment, read through getenv_fn (NULL = libc getenv),
 * with the official precedence (spec/propagation.md 2.2):
 *   extract: DD_TRACE_PROPAGATION_STYLE_EXTRACT > DD_PROPAGATION_STYLE_EXTRACT (deprecated)
 *            > DD_TRACE_PROPAGATION_STYLE > OTEL_PROPAGATORS;  inject: the same with _INJECT;
 *   DD_TRACE_PROPAGATION_EXTRACT_FIRST (true/false/1/0);
 *   DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH > DD_TRACE_TAGS_PROPAGATION_MAX_LENGTH (0 disables).
 * A variable that is unset or empty leaves the field alone. A bad value is logged through log_fn
 * (WARN) and ignored (unknown style names are skipped, the rest of the list is used). Returns
 * DD_OK, or DD_ERR_MALFORMED when something was ignored (cfg still holds every valid setting).
 * `user` is given to both hooks. [setup] */
DD_API int dd_propagation_config_from_env(dd_propagation_config *cfg,
                                          const char *(*getenv_fn)(void *user, const char *name), void *user,
                                          dd_log_fn log_fn);
/* The style's lowercase name ("datadog", "tracecontext", "b3multi", "b3", "xray", "none"), or "".
 * [any thread] */
DD_API const char *dd_style_name(int style);

/*=== extract and inject ===*/

/* Extracts a trace context from `carrier`, trying cfg's extract styles in order (NULL cfg =
 * defaults). The first style that yields a valid context is primary; unless extract_first, a later
 * tracecontext context with the same trace id adds its tracestate and may override the parent
 * (setting last_parent_id), and later contexts with another trace id become span links with reason
 * "terminated_context". A malformed header in one style never hides another style's context.
 * Returns DD_OK and fills *out; or DD_ERR_NOT_FOUND (no style found its headers, or extraction is
 * disabled) / DD_ERR_MALFORMED (headers were there but none gave a valid context) and zeroes *out.
 * Values are read during the call only. Never allocates. [any thread] */
DD_API int dd_extract(const dd_propagation_config *cfg, const dd_carrier_reader *carrier, dd_trace_context *out);
/* Writes ctx with cfg's inject styles (NULL cfg = defaults), lowercase names, only what is set.
 * ctx->parent_id must be the id of the injecting span. The sampling decision is the caller's: the
 * tracer decides first and puts it in ctx->sampling_priority (with _dd.p.dm in ptags); an unset
 * priority is left out (no x-datadog-sampling-priority, no tracestate `s`, traceparent flags 00,
 * no b3 sampled field). Returns DD_OK; DD_ERR_INVALID_ARG when ctx has a zero trace id; or the
 * first error of writer->set (earlier fields stay written). Never allocates. [any thread] */
DD_API int dd_inject(const dd_propagation_config *cfg, const dd_trace_context *ctx, const dd_carrier_writer *writer);
/* As dd_inject, and writes into `error` (a buffer of DD_PROPAGATION_ERROR_MAX + 1 bytes) the
 * _dd.propagation_error the local root must get: "inject_max_size" when x-datadog-tags was left
 * out for being longer than the limit, "encoding_error" when a tag with a bad character was left
 * out, or "". [any thread] */
DD_API int dd_inject_checked(const dd_propagation_config *cfg, const dd_trace_context *ctx,
                             const dd_carrier_writer *writer, char *error);

/*=== single styles ===*/

/* Parses an X-Amzn-Trace-Id / _X_AMZN_TRACE_ID value "Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;
 * Sampled=<0|1>[;...]" with the conversions of spec/serverless.md 6.3: trace id = lowest 63 bits
 * of the 24-hex part (hi 0), parent = Parent unmasked, priority 2 when Sampled=1 else -1, origin
 * from a `_dd.origin=` part when present. Parts may come in any order; Root and Parent are required.
 * Returns DD_OK, DD_ERR_NOT_FOUND (len 0) or DD_ERR_MALFORMED; *out zeroed on failure. [any thread] */
DD_API int dd_xray_parse(const char *value, size_t len, dd_trace_context *out);
/* Formats ctx as an X-Ray header the way dd-trace-java's X-Ray style does:
 * "Root=1-<8 hex>-00000000<hex16 trace id low>;Parent=<hex16 parent_id>;Sampled=<1|0>" plus
 * ";_dd.origin=<origin>" when set (and printable, without ';'). The 8 hex are the high 32 bits of trace_id.hi (the trace's
 * start second for 128-bit ids), else 00000000. Returns the length (snprintf semantics: what was
 * needed, `out` NUL-terminated when cap > 0). [any thread] */
DD_API size_t dd_xray_format(const dd_trace_context *ctx, char *out, size_t cap);

#include "wip/serverless_decl.h" /* serverless part, merged into this header before release */

DD__END_C
#endif /* DD_PROPAGATION_H */

#if (defined(DD_PROPAGATION_IMPLEMENTATION) || defined(DD_TRACE_IMPLEMENTATION)) \
    && !defined(DD__PROPAGATION_IMPLEMENTED)
#define DD__PROPAGATION_IMPLEMENTED
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

/* With `#define DD_API static` an unused public function must not warn: scope the silence to
 * this block (GCC and Clang judge it by the function's location). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <string.h>

/*--- private helpers ---*/

#define DD__LIT(s) (s), (sizeof(s) - 1)

DD__PRIVATE int dd__is_ows(char c) { return c == ' ' || c == '\t'; }
DD__PRIVATE char dd__lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }
DD__PRIVATE int dd__hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
/* W3C ids are HEXDIGLC: lowercase only (spec/propagation.md R-W3C-6, following W3C and Python). */
DD__PRIVATE int dd__is_lhex(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}
DD__PRIVATE uint64_t dd__lhex_u64(const char *s, size_t n) { /* n <= 16, already checked */
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < n; i++) v = (v << 4) | (uint64_t)dd__hexval(s[i]);
    return v;
}
DD__PRIVATE void dd__trim(const char **s, size_t *n) {
    while (*n && dd__is_ows((*s)[0])) { (*s)++; (*n)--; }
    while (*n && dd__is_ows((*s)[*n - 1])) (*n)--;
}
DD__PRIVATE int dd__eq(const char *a, size_t an, const char *b, size_t bn) {
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}
DD__PRIVATE int dd__ieq(const char *a, size_t an, const char *b, size_t bn) {
    size_t i;
    if (an != bn) return 0;
    if (memcmp(a, b, an) == 0) return 1; /* names usually arrive in lower case already */
    for (i = 0; i < an; i++)
        if (dd__lower(a[i]) != dd__lower(b[i])) return 0;
    return 1;
}
DD__PRIVATE int dd__starts(const char *s, size_t n, const char *p, size_t pn) {
    return n >= pn && memcmp(s, p, pn) == 0;
}
DD__PRIVATE int dd__printable(const char *s, size_t n) { /* 0x20..0x7E */
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E) return 0;
    return 1;
}
DD__PRIVATE const char *dd__memchr(const char *s, size_t n, char c) {
    return n ? (const char *)memchr(s, c, n) : NULL;
}
/* Signed decimal into int32: optional '-', 1..10 digits, in range. */
DD__PRIVATE int dd__parse_i32(const char *s, size_t n, int32_t *out) {
    int neg = 0;
    uint64_t v = 0;
    size_t i;
    *out = 0;
    if (n && s[0] == '-') { neg = 1; s++; n--; }
    if (n == 0 || n > 10) return DD_ERR_MALFORMED;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return DD_ERR_MALFORMED;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (neg ? 2147483648u : 2147483647u)) return DD_ERR_MALFORMED;
    *out = neg ? (int32_t)(-(int64_t)v) : (int32_t)v;
    return DD_OK;
}

/* A bounded string builder: appends that do not fit set `over` and change nothing. */
typedef struct dd__sb {
    char *p;
    size_t len, cap; /* cap counts the NUL */
    int over;
} dd__sb;
DD__PRIVATE void dd__sb_init(dd__sb *b, char *p, size_t cap) {
    b->p = p; b->len = 0; b->cap = cap; b->over = 0;
    if (cap) p[0] = 0;
}
DD__PRIVATE int dd__sb_fits(const dd__sb *b, size_t n) { return b->len + n + 1 <= b->cap; }
DD__PRIVATE int dd__sb_put(dd__sb *b, const char *s, size_t n) {
    if (!dd__sb_fits(b, n)) { b->over = 1; return 0; }
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return 1;
}
DD__PRIVATE int dd__sb_putc(dd__sb *b, char c) { return dd__sb_put(b, &c, 1); }
DD__PRIVATE int dd__sb_dec(dd__sb *b, uint64_t v) {
    char t[21];
    return dd__sb_put(b, t, dd_u64_to_dec(v, t));
}
DD__PRIVATE int dd__sb_i32(dd__sb *b, int32_t v) {
    if (v < 0) {
        if (!dd__sb_fits(b, 1 + 10)) { b->over = 1; return 0; }
        dd__sb_putc(b, '-');
        return dd__sb_dec(b, (uint64_t)(-(int64_t)v));
    }
    return dd__sb_dec(b, (uint64_t)v);
}
DD__PRIVATE int dd__sb_hex16(dd__sb *b, uint64_t v) {
    char t[17];
    return dd__sb_put(b, t, dd_u64_to_hex16(v, t));
}

/* Copies n bytes into a fixed string field, or drops them when they do not fit. */
DD__PRIVATE int dd__set_str(char *dst, size_t cap, uint32_t *len, const char *s, size_t n, uint32_t *dropped) {
    if (n + 1 > cap) {
        if (dropped) (*dropped)++;
        return 0;
    }
    if (n) memcpy(dst, s, n);
    dst[n] = 0;
    if (len) *len = (uint32_t)n;
    return 1;
}
DD__PRIVATE void dd__set_error(dd_trace_context *c, const char *e, size_t en, const char *v, size_t vn) {
    if (c->propagation_error[0]) return; /* the first error wins */
    if (en + (v ? 1 + vn : 0) > DD_PROPAGATION_ERROR_MAX) v = NULL; /* keep the reason, drop the value */
    memcpy(c->propagation_error, e, en);
    c->propagation_error[en] = 0;
    if (v) {
        c->propagation_error[en] = ' ';
        if (vn) memcpy(c->propagation_error + en + 1, v, vn);
        c->propagation_error[en + 1 + vn] = 0;
    }
}

/*--- ids ---*/

DD_API size_t dd_u64_to_dec(uint64_t v, char out[21]) {
    /* two digits per division, from a table of "00".."99" */
    static const char d2[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                             "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                             "8081828384858687888990919293949596979899";
    char t[20];
    size_t n = 20;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        n -= 2;
        t[n] = d2[2 * r];
        t[n + 1] = d2[2 * r + 1];
    }
    if (v >= 10) {
        n -= 2;
        t[n] = d2[2 * v];
        t[n + 1] = d2[2 * v + 1];
    } else {
        t[--n] = (char)('0' + (int)v);
    }
    memcpy(out, t + n, 20 - n);
    out[20 - n] = 0;
    return 20 - n;
}
DD_API size_t dd_u64_to_hex16(uint64_t v, char out[17]) {
    static const char digits[] = "0123456789abcdef";
    int i;
    for (i = 14; i >= 0; i -= 2) { /* one byte, two digits, per step */
        unsigned b = (unsigned)(v & 0xff);
        out[i] = digits[b >> 4];
        out[i + 1] = digits[b & 15];
        v >>= 8;
    }
    out[16] = 0;
    return 16;
}
DD_API size_t dd_trace_id_to_hex32(const dd_trace_id *id, char out[33]) {
    dd_u64_to_hex16(id->hi, out);
    dd_u64_to_hex16(id->lo, out + 16);
    return 32;
}
DD_API int dd_u64_from_dec(const char *s, size_t len, uint64_t *out) {
    uint64_t v = 0;
    size_t i;
    *out = 0;
    if (!s || len == 0 || len > 20) return DD_ERR_MALFORMED;
    for (i = 0; i < len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9') return DD_ERR_MALFORMED;
        d = (unsigned)(s[i] - '0');
        if (i == 19 && v > (UINT64_MAX - d) / 10) return DD_ERR_MALFORMED; /* no wrap: spec R-DD-1 */
        v = v * 10 + d;
    }
    *out = v;
    return DD_OK;
}
DD_API int dd_u64_from_hex(const char *s, size_t len, uint64_t *out) {
    uint64_t v = 0;
    size_t i;
    *out = 0;
    if (!s || len == 0 || len > 16) return DD_ERR_MALFORMED;
    for (i = 0; i < len; i++) {
        int d = dd__hexval(s[i]);
        if (d < 0) return DD_ERR_MALFORMED;
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return DD_OK;
}
DD_API int dd_trace_id_from_hex(const char *s, size_t len, dd_trace_id *out) {
    out->hi = out->lo = 0;
    if (!s || len == 0 || len > 32) return DD_ERR_MALFORMED;
    if (len > 16) {
        if (dd_u64_from_hex(s, len - 16, &out->hi) != DD_OK || dd_u64_from_hex(s + len - 16, 16, &out->lo) != DD_OK) {
            out->hi = out->lo = 0;
            return DD_ERR_MALFORMED;
        }
        return DD_OK;
    }
    return dd_u64_from_hex(s, len, &out->lo);
}

/*--- propagated tags ---*/

/* x-datadog-tags grammar (spec/propagation.md R-DD-9): key 0x21..0x7E without ',' '=';
 * value 0x20..0x7E without ','. */
DD__PRIVATE int dd__ptag_key_ok(const char *k, size_t n) {
    size_t i;
    if (n == 0) return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7E || k[i] == ',' || k[i] == '=') return 0;
    return 1;
}
DD__PRIVATE int dd__ptag_val_ok(const char *v, size_t n) {
    size_t i;
    if (n == 0) return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7E || v[i] == ',') return 0;
    return 1;
}
/* Iterates "k=v,k=v": returns 1 and the next tag, 0 at the end. */
DD__PRIVATE int dd__ptag_next(const char *s, size_t n, size_t *pos, const char **k, size_t *kn, const char **v,
                              size_t *vn) {
    while (*pos < n) {
        const char *t = s + *pos;
        size_t rest = n - *pos;
        const char *comma = dd__memchr(t, rest, ',');
        size_t tn = comma ? (size_t)(comma - t) : rest;
        const char *eq = dd__memchr(t, tn, '=');
        *pos += tn + 1;
        if (!eq) continue;
        *k = t;
        *kn = (size_t)(eq - t);
        *v = eq + 1;
        *vn = tn - *kn - 1;
        return 1;
    }
    return 0;
}
/* Finds `key`: returns 1 with the byte range [*start, *end) of "k=v" in ptags. */
DD__PRIVATE int dd__ptag_find(const dd_trace_context *c, const char *key, size_t kn, size_t *start, size_t *end,
                              const char **v, size_t *vn) {
    size_t pos = 0;
    const char *k;
    size_t kl;
    while (dd__ptag_next(c->ptags, c->ptags_len, &pos, &k, &kl, v, vn)) {
        if (dd__eq(k, kl, key, kn)) {
            *start = (size_t)(k - c->ptags);
            *end = (size_t)((*v + *vn) - c->ptags);
            return 1;
        }
    }
    return 0;
}
DD_API int dd_ptags_get(const dd_trace_context *ctx, const char *key, size_t key_len, const char **val,
                        size_t *val_len) {
    size_t s, e;
    if (ctx && key && dd__ptag_find(ctx, key, key_len, &s, &e, val, val_len)) return DD_OK;
    *val = NULL;
    *val_len = 0;
    return DD_ERR_NOT_FOUND;
}
DD_API int dd_ptags_remove(dd_trace_context *ctx, const char *key, size_t key_len) {
    size_t s, e, vn;
    const char *v;
    if (!ctx || !key || !dd__ptag_find(ctx, key, key_len, &s, &e, &v, &vn)) return DD_ERR_NOT_FOUND;
    if (e < ctx->ptags_len) e++;          /* the comma after it */
    else if (s > 0) s--;                  /* last tag: the comma before it */
    memmove(ctx->ptags + s, ctx->ptags + e, ctx->ptags_len - e);
    ctx->ptags_len -= (uint32_t)(e - s);
    ctx->ptags[ctx->ptags_len] = 0;
    return DD_OK;
}
DD_API int dd_ptags_set(dd_trace_context *ctx, const char *key, size_t key_len, const char *val, size_t val_len) {
    size_t s, e, on, need;
    const char *ov;
    if (!ctx || !key || !val || !dd__ptag_key_ok(key, key_len) || !dd__ptag_val_ok(val, val_len))
        return DD_ERR_MALFORMED;
    if (dd__ptag_find(ctx, key, key_len, &s, &e, &ov, &on)) {
        size_t vstart = e - on;
        need = ctx->ptags_len - on + val_len;
        if (need > DD_PTAGS_MAX) return DD_ERR_LIMIT;
        memmove(ctx->ptags + vstart + val_len, ctx->ptags + e, ctx->ptags_len - e);
        memcpy(ctx->ptags + vstart, val, val_len);
        ctx->ptags_len = (uint32_t)need;
        ctx->ptags[need] = 0;
        return DD_OK;
    }
    need = ctx->ptags_len + (ctx->ptags_len ? 1 : 0) + key_len + 1 + val_len;
    if (need > DD_PTAGS_MAX) return DD_ERR_LIMIT;
    if (ctx->ptags_len) ctx->ptags[ctx->ptags_len++] = ',';
    memcpy(ctx->ptags + ctx->ptags_len, key, key_len);
    ctx->ptags_len += (uint32_t)key_len;
    ctx->ptags[ctx->ptags_len++] = '=';
    memcpy(ctx->ptags + ctx->ptags_len, val, val_len);
    ctx->ptags_len += (uint32_t)val_len;
    ctx->ptags[ctx->ptags_len] = 0;
    return DD_OK;
}

/*--- carriers ---*/

DD__PRIVATE const char *dd__get(const dd_carrier_reader *r, const char *key, size_t kn, size_t *vn) {
    const char *v;
    *vn = 0;
    if (!r || !r->get) return NULL;
    v = r->get(r->self, key, kn, vn);
    if (!v) *vn = 0;
    return v;
}
DD__PRIVATE const char *dd__get_nth(const dd_carrier_reader *r, const char *key, size_t kn, size_t i, size_t *vn) {
    const char *v;
    *vn = 0;
    if (!r) return NULL;
    if (!r->get_nth) return i == 0 ? dd__get(r, key, kn, vn) : NULL;
    v = r->get_nth(r->self, key, kn, i, vn);
    if (!v) *vn = 0;
    return v;
}

DD__PRIVATE const char *dd__headers_get_nth(void *self, const char *key, size_t kn, size_t index, size_t *vn) {
    const dd_headers *h = (const dd_headers *)self;
    size_t i, seen = 0;
    for (i = 0; i < h->n; i++) {
        const dd_header *x = &h->items[i];
        if (x->name && dd__ieq(x->name, x->name_len, key, kn)) {
            if (seen++ == index) {
                *vn = x->value ? x->value_len : 0;
                return x->value ? x->value : "";
            }
        }
    }
    *vn = 0;
    return NULL;
}
DD__PRIVATE const char *dd__headers_get(void *self, const char *key, size_t kn, size_t *vn) {
    return dd__headers_get_nth(self, key, kn, 0, vn);
}
DD__PRIVATE int dd__headers_set(void *self, const char *key, size_t kn, const char *val, size_t vn) {
    dd_headers *h = (dd_headers *)self;
    size_t i, at = h->n, need = kn + 1 + vn + 1;
    char *p;
    for (i = 0; i < h->n; i++)
        if (h->items[i].name && dd__ieq(h->items[i].name, h->items[i].name_len, key, kn)) { at = i; break; }
    if ((at == h->n && h->n >= h->cap) || !h->buf || h->buf_cap - h->buf_len < need) return DD_ERR_BUFFER_FULL;
    p = h->buf + h->buf_len;
    memcpy(p, key, kn);
    p[kn] = 0;
    if (vn) memcpy(p + kn + 1, val, vn);
    p[kn + 1 + vn] = 0;
    h->buf_len += need;
    h->items[at].name = p;
    h->items[at].name_len = kn;
    h->items[at].value = p + kn + 1;
    h->items[at].value_len = vn;
    if (at == h->n) h->n++;
    return DD_OK;
}
DD_API void dd_headers_init(dd_headers *h, dd_header *items, size_t cap, char *buf, size_t buf_cap) {
    h->items = items;
    h->n = 0;
    h->cap = items ? cap : 0;
    h->buf = buf;
    h->buf_len = 0;
    h->buf_cap = buf ? buf_cap : 0;
}
DD_API void dd_headers_reader(dd_carrier_reader *r, const dd_headers *h) {
    r->self = (void *)(uintptr_t)h; /* read only: the reader never writes through it */
    r->get = dd__headers_get;
    r->get_nth = dd__headers_get_nth;
}
DD_API void dd_headers_writer(dd_carrier_writer *w, dd_headers *h) {
    w->self = h;
    w->set = dd__headers_set;
}

#define DD__NAME_MAX 64 /* the longest carrier key we use is 27 bytes */
DD__PRIVATE int dd__cstr_name(char *out, const char *key, size_t kn) {
    if (kn >= DD__NAME_MAX) return 0;
    memcpy(out, key, kn);
    out[kn] = 0;
    return 1;
}
DD__PRIVATE const char *dd__cstr_get(void *self, const char *key, size_t kn, size_t *vn) {
    dd_cstr_carrier *c = (dd_cstr_carrier *)self;
    char name[DD__NAME_MAX];
    const char *v;
    if (!c->get_fn || !dd__cstr_name(name, key, kn)) return NULL;
    v = c->get_fn(c->user, name);
    if (v) *vn = strlen(v);
    return v;
}
DD__PRIVATE int dd__cstr_set(void *self, const char *key, size_t kn, const char *val, size_t vn) {
    dd_cstr_carrier *c = (dd_cstr_carrier *)self;
    char name[DD__NAME_MAX];
    if (!c->set_fn) return DD_ERR_INVALID_ARG;
    if (!dd__cstr_name(name, key, kn) || vn >= sizeof c->scratch) return DD_ERR_BUFFER_FULL;
    if (vn) memcpy(c->scratch, val, vn);
    c->scratch[vn] = 0;
    return c->set_fn(c->user, name, c->scratch);
}
DD_API void dd_cstr_carrier_reader(dd_carrier_reader *r, dd_cstr_carrier *c) {
    r->self = c;
    r->get = dd__cstr_get;
    r->get_nth = NULL;
}
DD_API void dd_cstr_carrier_writer(dd_carrier_writer *w, dd_cstr_carrier *c) {
    w->self = c;
    w->set = dd__cstr_set;
}

/* OpenTelemetry's environment-carrier names: upper case, non-alphanumerics become '_'. */
DD__PRIVATE int dd__env_name(char *out, const char *key, size_t kn) {
    size_t i;
    if (kn >= DD__NAME_MAX || kn == 0) return 0;
    for (i = 0; i < kn; i++) {
        char c = key[i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
        out[i] = c;
    }
    out[kn] = 0;
    return 1;
}
DD__PRIVATE const char *dd__libc_getenv(void *user, const char *name) {
    (void)user;
    return getenv(name);
}
DD__PRIVATE const char *dd__env_get(void *self, const char *key, size_t kn, size_t *vn) {
    dd_env_source *src = (dd_env_source *)self;
    const char *(*fn)(void *, const char *) = src->getenv_fn ? src->getenv_fn : dd__libc_getenv;
    char name[DD__NAME_MAX];
    const char *v;
    if (!dd__env_name(name, key, kn)) return NULL;
    v = fn(src->user, name);
    if (!v && dd__eq(key, kn, DD__LIT("x-amzn-trace-id"))) v = fn(src->user, "_X_AMZN_TRACE_ID");
    if (v) *vn = strlen(v);
    return v;
}
DD__PRIVATE int dd__env_set(void *self, const char *key, size_t kn, const char *val, size_t vn) {
    dd_env_block *e = (dd_env_block *)self;
    char name[DD__NAME_MAX];
    size_t i, at, need;
    char *p;
    if (!dd__env_name(name, key, kn)) return DD_ERR_INVALID_ARG;
    need = kn + 1 + vn + 1;
    at = e->n;
    for (i = 0; i < e->n; i++)
        if (e->envp[i] && strncmp(e->envp[i], name, kn) == 0 && e->envp[i][kn] == '=') { at = i; break; }
    if ((at == e->n && e->n + 2 > e->cap) || !e->buf || e->buf_cap - e->buf_len < need) return DD_ERR_BUFFER_FULL;
    p = e->buf + e->buf_len;
    memcpy(p, name, kn);
    p[kn] = '=';
    if (vn) memcpy(p + kn + 1, val, vn);
    p[kn + 1 + vn] = 0;
    e->buf_len += need;
    e->envp[at] = p;
    if (at == e->n) e->envp[++e->n] = NULL;
    return DD_OK;
}
DD_API void dd_env_reader(dd_carrier_reader *r, dd_env_source *src) {
    r->self = src;
    r->get = dd__env_get;
    r->get_nth = NULL;
}
DD_API void dd_env_block_init(dd_env_block *e, char **envp, size_t envp_cap, char *buf, size_t buf_cap) {
    e->envp = envp;
    e->n = 0;
    e->cap = envp ? envp_cap : 0;
    e->buf = buf;
    e->buf_len = 0;
    e->buf_cap = buf ? buf_cap : 0;
    if (e->cap) envp[0] = NULL;
}
DD_API void dd_env_block_writer(dd_carrier_writer *w, dd_env_block *e) {
    w->self = e;
    w->set = dd__env_set;
}

/*--- configuration ---*/

DD_API const char *dd_style_name(int style) {
    switch (style) {
    case DD_STYLE_DATADOG: return "datadog";
    case DD_STYLE_TRACECONTEXT: return "tracecontext";
    case DD_STYLE_B3MULTI: return "b3multi";
    case DD_STYLE_B3: return "b3";
    case DD_STYLE_XRAY: return "xray";
    case DD_STYLE_NONE: return "none";
    default: return "";
    }
}
DD_API void dd_propagation_config_default(dd_propagation_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->extract_styles[0] = cfg->inject_styles[0] = DD_STYLE_DATADOG;
    cfg->extract_styles[1] = cfg->inject_styles[1] = DD_STYLE_TRACECONTEXT;
    cfg->n_extract = cfg->n_inject = 2;
    cfg->x_datadog_tags_max_length = DD_X_DATADOG_TAGS_DEFAULT_MAX;
}
/* 0: unknown name, -1: skipped on purpose (baggage), else DD_STYLE_*. */
DD__PRIVATE int dd__style_from_name(const char *s, size_t n) {
    if (dd__ieq(s, n, DD__LIT("datadog"))) return DD_STYLE_DATADOG;
    if (dd__ieq(s, n, DD__LIT("tracecontext"))) return DD_STYLE_TRACECONTEXT;
    if (dd__ieq(s, n, DD__LIT("b3multi"))) return DD_STYLE_B3MULTI;
    if (dd__ieq(s, n, DD__LIT("b3"))) return DD_STYLE_B3;
    if (dd__ieq(s, n, DD__LIT("b3 single header"))) return DD_STYLE_B3;
    if (dd__ieq(s, n, DD__LIT("xray"))) return DD_STYLE_XRAY;
    if (dd__ieq(s, n, DD__LIT("none"))) return DD_STYLE_NONE;
    if (dd__ieq(s, n, DD__LIT("baggage"))) return -1;
    return 0;
}
DD_API int dd_propagation_parse_styles(const char *s, size_t len, int *styles, int *n) {
    size_t pos = 0;
    int bad = 0;
    *n = 0;
    if (!s) return DD_ERR_MALFORMED;
    while (pos <= len) {
        const char *item = s + pos;
        const char *comma = dd__memchr(item, len - pos, ',');
        size_t in = comma ? (size_t)(comma - item) : len - pos;
        int st, i, dup = 0;
        pos += in + 1;
        dd__trim(&item, &in);
        if (in == 0) continue;
        st = dd__style_from_name(item, in);
        if (st == 0) { bad = 1; continue; }
        if (st < 0) continue;
        for (i = 0; i < *n; i++) dup |= styles[i] == st;
        if (!dup && *n < DD_STYLES_MAX) styles[(*n)++] = st;
    }
    return (bad || *n == 0) ? DD_ERR_MALFORMED : DD_OK;
}
DD__PRIVATE void dd__log3(dd_log_fn log_fn, void *user, int level, const char *a, const char *b, const char *c,
                          size_t cn) {
    char msg[256];
    dd__sb sb;
    if (!log_fn) return;
    dd__sb_init(&sb, msg, sizeof msg);
    dd__sb_put(&sb, a, strlen(a));
    dd__sb_put(&sb, b, strlen(b));
    if (!dd__sb_put(&sb, c, cn)) dd__sb_put(&sb, c, sizeof msg - 1 - sb.len);
    log_fn(user, level, msg, sb.len);
}
/* The first non-empty variable of `names` that gives at least one style. */
DD__PRIVATE int dd__env_styles(const char *(*getenv_fn)(void *, const char *), void *user, dd_log_fn log_fn,
                               const char *const *names, size_t nn, int *styles, int *n) {
    size_t i;
    int rc = DD_OK;
    for (i = 0; i < nn; i++) {
        const char *v = getenv_fn(user, names[i]);
        int tmp[DD_STYLES_MAX], tn = 0, j;
        size_t vn;
        if (!v || !v[0]) continue;
        vn = strlen(v);
        if (dd_propagation_parse_styles(v, vn, tmp, &tn) != DD_OK) {
            rc = DD_ERR_MALFORMED;
            dd__log3(log_fn, user, DD_LOG_WARN, names[i], ": unknown propagation style ignored in: ", v, vn);
            if (tn == 0) continue;
        }
        for (j = 0; j < tn; j++) styles[j] = tmp[j];
        *n = tn;
        return rc;
    }
    return rc;
}
DD__PRIVATE int dd__env_bool(const char *v, int *out) {
    size_t n = strlen(v);
    const char *s = v;
    dd__trim(&s, &n);
    if (dd__ieq(s, n, DD__LIT("true")) || dd__eq(s, n, DD__LIT("1"))) { *out = 1; return 1; }
    if (dd__ieq(s, n, DD__LIT("false")) || dd__eq(s, n, DD__LIT("0"))) { *out = 0; return 1; }
    return 0;
}
DD_API int dd_propagation_config_from_env(dd_propagation_config *cfg,
                                          const char *(*getenv_fn)(void *user, const char *name), void *user,
                                          dd_log_fn log_fn) {
    static const char *const ex[] = {"DD_TRACE_PROPAGATION_STYLE_EXTRACT", "DD_PROPAGATION_STYLE_EXTRACT",
                                     "DD_TRACE_PROPAGATION_STYLE", "OTEL_PROPAGATORS"};
    static const char *const in[] = {"DD_TRACE_PROPAGATION_STYLE_INJECT", "DD_PROPAGATION_STYLE_INJECT",
                                     "DD_TRACE_PROPAGATION_STYLE", "OTEL_PROPAGATORS"};
    static const char *const ml[] = {"DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH", "DD_TRACE_TAGS_PROPAGATION_MAX_LENGTH"};
    int rc = DD_OK;
    size_t i;
    const char *v;
    if (!cfg) return DD_ERR_INVALID_ARG;
    if (!getenv_fn) getenv_fn = dd__libc_getenv;
    if (dd__env_styles(getenv_fn, user, log_fn, ex, 4, cfg->extract_styles, &cfg->n_extract) != DD_OK)
        rc = DD_ERR_MALFORMED;
    if (dd__env_styles(getenv_fn, user, log_fn, in, 4, cfg->inject_styles, &cfg->n_inject) != DD_OK)
        rc = DD_ERR_MALFORMED;
    v = getenv_fn(user, "DD_TRACE_PROPAGATION_EXTRACT_FIRST");
    if (v && v[0] && !dd__env_bool(v, &cfg->extract_first)) {
        rc = DD_ERR_MALFORMED;
        dd__log3(log_fn, user, DD_LOG_WARN, "DD_TRACE_PROPAGATION_EXTRACT_FIRST", ": not a boolean, ignored: ", v,
                 strlen(v));
    }
    for (i = 0; i < 2; i++) {
        uint64_t x;
        size_t n;
        const char *s;
        v = getenv_fn(user, ml[i]);
        if (!v || !v[0]) continue;
        s = v;
        n = strlen(v);
        dd__trim(&s, &n);
        if (dd_u64_from_dec(s, n, &x) != DD_OK || x > 0x7fffffff) {
            rc = DD_ERR_MALFORMED;
            dd__log3(log_fn, user, DD_LOG_WARN, ml[i], ": not a length, ignored: ", v, strlen(v));
            continue;
        }
        cfg->x_datadog_tags_max_length = x == 0 ? -1 : (int32_t)x;
        break;
    }
    return rc;
}

/*--- datadog style (spec/propagation.md 3) ---*/

DD__PRIVATE void dd__zero_ctx(dd_trace_context *c) {
    memset(c, 0, sizeof *c);
    c->sampling_priority = DD_PRIORITY_UNSET;
}
DD__PRIVATE int dd__set_origin(dd_trace_context *c, const char *s, size_t n) {
    /* printable ASCII only: an origin is re-sent as a header value, never a CR or LF */
    if (!dd__printable(s, n)) {
        c->dropped++;
        return 0;
    }
    return dd__set_str(c->origin, sizeof c->origin, &c->origin_len, s, n, &c->dropped);
}
DD__PRIVATE void dd__decode_xdatadog_tags(dd_trace_context *c, const char *s, size_t n) {
    size_t pos = 0;
    const char *k, *v;
    size_t kn, vn;
    if (n > DD_PTAGS_MAX) { /* R-DD-9: 512 is accepted, 513 is not */
        dd__set_error(c, DD__LIT("extract_max_size"), NULL, 0);
        return;
    }
    if (n == 0) return;
    /* Validate the whole header first: a malformed one drops every tag (R-DD-9). */
    while (pos <= n) {
        const char *t = s + pos;
        const char *comma = dd__memchr(t, n - pos, ',');
        size_t tn = comma ? (size_t)(comma - t) : n - pos;
        const char *eq = dd__memchr(t, tn, '=');
        if (!eq || !dd__ptag_key_ok(t, (size_t)(eq - t)) || !dd__ptag_val_ok(eq + 1, tn - (size_t)(eq - t) - 1)) {
            dd__set_error(c, DD__LIT("decoding_error"), NULL, 0);
            return;
        }
        pos += tn + 1;
    }
    pos = 0;
    while (dd__ptag_next(s, n, &pos, &k, &kn, &v, &vn)) {
        if (kn <= 6 || !dd__starts(k, kn, DD__LIT("_dd.p."))) continue; /* only _dd.p.* propagate */
        if (dd__eq(k, kn, DD__LIT("_dd.p.tid"))) {
            /* R-DD-10: exactly 16 lowercase hex, else discarded with an error tag */
            if (vn != 16 || !dd__is_lhex(v, vn)) {
                dd__set_error(c, DD__LIT("malformed_tid"), v, vn);
                continue;
            }
            c->trace_id.hi = dd__lhex_u64(v, 16);
            if (c->trace_id.hi == 0) { /* "high bits zero" (C++, Go): a 64-bit trace, no tag */
                dd_ptags_remove(c, k, kn);
                continue;
            }
        }
        if (dd_ptags_set(c, k, kn, v, vn) != DD_OK) c->dropped++;
    }
}
DD__PRIVATE int dd__extract_datadog(const dd_carrier_reader *r, dd_trace_context *c) {
    const char *v;
    size_t n;
    int has_origin;
    v = dd__get(r, DD__LIT("x-datadog-trace-id"), &n);
    if (!v) return DD_ERR_NOT_FOUND;
    dd__trim(&v, &n); /* R-DD-3 */
    if (dd_u64_from_dec(v, n, &c->trace_id.lo) != DD_OK || c->trace_id.lo == 0) return DD_ERR_MALFORMED;
    v = dd__get(r, DD__LIT("x-datadog-origin"), &n);
    has_origin = v && n > 0;
    if (has_origin) dd__set_origin(c, v, n); /* verbatim: R-DD-8 */
    v = dd__get(r, DD__LIT("x-datadog-parent-id"), &n);
    if (v) {
        dd__trim(&v, &n);
        if (dd_u64_from_dec(v, n, &c->parent_id) != DD_OK) return DD_ERR_MALFORMED; /* R-DD-5 */
    } else if (!has_origin) {
        return DD_ERR_MALFORMED; /* R-DD-7; with an origin it is synthetics, R-DD-6 */
    }
    v = dd__get(r, DD__LIT("x-datadog-sampling-priority"), &n);
    if (v) {
        dd__trim(&v, &n);
        if (dd__parse_i32(v, n, &c->sampling_priority) != DD_OK) return DD_ERR_MALFORMED;
    }
    v = dd__get(r, DD__LIT("x-datadog-tags"), &n);
    if (v) dd__decode_xdatadog_tags(c, v, n);
    return DD_OK;
}

/*--- tracecontext style (spec/propagation.md 4) ---*/

/* Walks the members of every tracestate field in order (R-HDR-4), trimmed, empty ones skipped. */
typedef struct dd__ts_iter {
    const dd_carrier_reader *r;
    size_t field;
    const char *v;
    size_t n, pos;
    int done;
} dd__ts_iter;
DD__PRIVATE int dd__ts_next(dd__ts_iter *it, const char **m, size_t *mn) {
    while (!it->done) {
        if (!it->v || it->pos > it->n) {
            it->v = dd__get_nth(it->r, DD__LIT("tracestate"), it->field++, &it->n);
            it->pos = 0;
            if (!it->v || it->field > 1024) { it->done = 1; return 0; }
            continue;
        }
        {
            const char *t = it->v + it->pos;
            const char *comma = dd__memchr(t, it->n - it->pos, ',');
            size_t tn = comma ? (size_t)(comma - t) : it->n - it->pos;
            it->pos += tn + 1;
            dd__trim(&t, &tn);
            if (tn == 0) continue;
            *m = t;
            *mn = tn;
            return 1;
        }
    }
    return 0;
}
/* Tracestate value escaping undone (R-W3C-10): '~' stands for '='. */
DD__PRIVATE void dd__tilde_to_eq(char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] == '~') s[i] = '=';
}
DD__PRIVATE void dd__parse_dd_member(dd_trace_context *c, const char *s, size_t n, int *has_s, int32_t *sval) {
    size_t pos = 0;
    while (pos <= n) {
        const char *t = s + pos;
        const char *semi = dd__memchr(t, n - pos, ';');
        size_t tn = semi ? (size_t)(semi - t) : n - pos;
        const char *colon = dd__memchr(t, tn, ':');
        const char *k, *v;
        size_t kn, vn;
        pos += tn + 1;
        if (!colon) continue; /* no ':' or empty: skipped (CPP, GO) */
        k = t;
        kn = (size_t)(colon - t);
        v = colon + 1;
        vn = tn - kn - 1;
        if (dd__eq(k, kn, DD__LIT("s"))) {
            *has_s = dd__parse_i32(v, vn, sval) == DD_OK && *sval != DD_PRIORITY_UNSET;
        } else if (dd__eq(k, kn, DD__LIT("o"))) {
            if (vn && dd__set_origin(c, v, vn)) dd__tilde_to_eq(c->origin, c->origin_len);
        } else if (dd__eq(k, kn, DD__LIT("p"))) {
            /* copied verbatim for _dd.parent_id, even when not hex (R-W3C-10) */
            uint32_t ln = 0;
            if (dd__printable(v, vn)) {
                dd__set_str(c->last_parent_id, sizeof c->last_parent_id, &ln, v, vn, &c->dropped);
            } else {
                c->dropped++;
            }
            c->has_w3c_parent = vn == 16 && dd__is_lhex(v, 16);
            c->w3c_parent_id = c->has_w3c_parent ? dd__lhex_u64(v, 16) : 0;
        } else if (kn > 2 && dd__starts(k, kn, DD__LIT("t."))) {
            char key[DD_PTAGS_MAX + 1], val[DD_PTAGS_MAX + 1];
            if (dd__eq(k, kn, DD__LIT("t.tid"))) continue; /* traceparent wins: R-W3C-12 */
            if (6 + kn - 2 > DD_PTAGS_MAX || vn > DD_PTAGS_MAX) { c->dropped++; continue; }
            memcpy(key, "_dd.p.", 6);
            memcpy(key + 6, k + 2, kn - 2);
            if (vn) memcpy(val, v, vn);
            dd__tilde_to_eq(val, vn);
            if (dd_ptags_set(c, key, 6 + kn - 2, val, vn) != DD_OK) c->dropped++;
        } else {
            uint32_t len = c->dd_member_extra_len;
            size_t need = len + (len ? 1 : 0) + tn;
            if (!dd__printable(t, tn) || need > DD_DD_MEMBER_EXTRA_MAX) { c->dropped++; continue; }
            if (len) c->dd_member_extra[len++] = ';';
            memcpy(c->dd_member_extra + len, t, tn);
            c->dd_member_extra_len = (uint32_t)need;
            c->dd_member_extra[need] = 0;
        }
    }
}
#define DD__DD_MEMBER_MAX 256 /* the whole "dd=..." member: R-W3C-11, R-W3C-19 */
#define DD__TRACESTATE_MEMBERS_MAX 32
/* `raw` (optional) receives the members joined with ',' for a span link, "" if they do not fit. */
DD__PRIVATE int dd__extract_tracecontext(const dd_carrier_reader *r, dd_trace_context *c, char *raw, size_t raw_cap) {
    const char *v, *v2, *m;
    size_t n, n2, mn, i;
    int sampled, has_s = 0, seen_dd = 0;
    int32_t sval = 0;
    dd__ts_iter it;
    dd__sb rb;
    v = dd__get_nth(r, DD__LIT("traceparent"), 0, &n);
    if (!v) return DD_ERR_NOT_FOUND;
    dd__trim(&v, &n); /* R-W3C-1 */
    /* Two different traceparent fields make the context invalid (R-HDR-4). */
    for (i = 1; i < 64 && (v2 = dd__get_nth(r, DD__LIT("traceparent"), i, &n2)) != NULL; i++) {
        dd__trim(&v2, &n2);
        if (!dd__eq(v, n, v2, n2)) return DD_ERR_MALFORMED;
    }
    /* vv-<32>-<16>-<2>: R-W3C-2..5 */
    if (n < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return DD_ERR_MALFORMED;
    if (!dd__is_lhex(v, 2) || dd__eq(v, 2, DD__LIT("ff"))) return DD_ERR_MALFORMED;
    if (dd__eq(v, 2, DD__LIT("00")) ? n != 55 : (n != 55 && v[55] != '-')) return DD_ERR_MALFORMED;
    if (!dd__is_lhex(v + 3, 32) || !dd__is_lhex(v + 36, 16) || !dd__is_lhex(v + 53, 2)) return DD_ERR_MALFORMED;
    c->trace_id.hi = dd__lhex_u64(v + 3, 16);
    c->trace_id.lo = dd__lhex_u64(v + 19, 16);
    c->parent_id = dd__lhex_u64(v + 36, 16);
    if ((c->trace_id.hi == 0 && c->trace_id.lo == 0) || c->parent_id == 0) {
        dd__zero_ctx(c);
        return DD_ERR_MALFORMED;
    }
    sampled = dd__hexval(v[54]) & 1; /* R-W3C-7: only bit 0 */

    memset(&it, 0, sizeof it);
    it.r = r;
    if (raw) dd__sb_init(&rb, raw, raw_cap);
    while (dd__ts_next(&it, &m, &mn)) {
        const char *eq = dd__memchr(m, mn, '=');
        if (raw && !rb.over) {
            if (rb.len) dd__sb_putc(&rb, ',');
            dd__sb_put(&rb, m, mn);
        }
        if (!eq || eq == m || !dd__printable(m, mn)) { c->dropped++; continue; }
        if (dd__eq(m, (size_t)(eq - m), DD__LIT("dd"))) {
            if (seen_dd++) { c->dropped++; continue; }
            if (mn > DD__DD_MEMBER_MAX) { c->dropped++; continue; } /* ignored as a whole: R-W3C-11 */
            dd__parse_dd_member(c, eq + 1, mn - 3, &has_s, &sval);
            continue;
        }
        {
            uint32_t len = c->tracestate_len;
            size_t need = len + (len ? 1 : 0) + mn;
            if (need > DD_TRACESTATE_MAX) { c->dropped++; continue; }
            if (len) c->tracestate[len++] = ',';
            memcpy(c->tracestate + len, m, mn);
            c->tracestate_len = (uint32_t)need;
            c->tracestate[need] = 0;
        }
    }
    if (raw && rb.over) raw[0] = 0;

    /* R-W3C-13: the priority reconciliation table, decision maker column included */
    if (sampled) {
        if (has_s && sval > 0) {
            c->sampling_priority = sval;
        } else {
            c->sampling_priority = DD_PRIORITY_AUTO_KEEP;
            if (has_s && dd_ptags_set(c, DD__LIT("_dd.p.dm"), DD__LIT("-0")) != DD_OK) c->dropped++;
        }
    } else {
        if (has_s && sval <= 0) {
            c->sampling_priority = sval;
        } else {
            c->sampling_priority = DD_PRIORITY_AUTO_REJECT;
            if (has_s) dd_ptags_remove(c, DD__LIT("_dd.p.dm"));
        }
    }
    if (c->trace_id.hi) {
        char hex[17];
        dd_u64_to_hex16(c->trace_id.hi, hex);
        if (dd_ptags_set(c, DD__LIT("_dd.p.tid"), hex, 16) != DD_OK) c->dropped++;
    }
    return DD_OK;
}

/*--- b3 styles (spec/propagation.md 5, 6) ---*/

DD__PRIVATE int dd__b3_ids(dd_trace_context *c, const char *t, size_t tn, const char *s, size_t sn) {
    if (dd_trace_id_from_hex(t, tn, &c->trace_id) != DD_OK || (c->trace_id.hi == 0 && c->trace_id.lo == 0) ||
        dd_u64_from_hex(s, sn, &c->parent_id) != DD_OK || c->parent_id == 0) {
        c->trace_id.hi = c->trace_id.lo = c->parent_id = 0;
        return DD_ERR_MALFORMED;
    }
    if (c->trace_id.hi) { /* R-B3M-5 */
        char hex[17];
        dd_u64_to_hex16(c->trace_id.hi, hex);
        dd_ptags_set(c, DD__LIT("_dd.p.tid"), hex, 16);
    }
    return DD_OK;
}
DD__PRIVATE int dd__extract_b3multi(const dd_carrier_reader *r, dd_trace_context *c) {
    const char *t, *s, *x;
    size_t tn, sn, xn;
    t = dd__get(r, DD__LIT("x-b3-traceid"), &tn);
    if (!t) return DD_ERR_NOT_FOUND;
    s = dd__get(r, DD__LIT("x-b3-spanid"), &sn);
    if (!s) return DD_ERR_MALFORMED;
    dd__trim(&t, &tn);
    dd__trim(&s, &sn);
    if (dd__b3_ids(c, t, tn, s, sn) != DD_OK) return DD_ERR_MALFORMED;
    x = dd__get(r, DD__LIT("x-b3-sampled"), &xn);
    if (x) {
        dd__trim(&x, &xn);
        /* R-B3M-1, R-B3M-4: 1/0 (and the legacy true/false), 2 as Go and C++ read it */
        if (dd__eq(x, xn, DD__LIT("1")) || dd__ieq(x, xn, DD__LIT("true"))) c->sampling_priority = 1;
        else if (dd__eq(x, xn, DD__LIT("0")) || dd__ieq(x, xn, DD__LIT("false"))) c->sampling_priority = 0;
        else if (dd__eq(x, xn, DD__LIT("2"))) c->sampling_priority = 2;
    }
    return DD_OK;
}
DD__PRIVATE int dd__extract_b3(const dd_carrier_reader *r, dd_trace_context *c) {
    const char *v, *f[4];
    size_t n, fn[4], k = 0, pos = 0;
    v = dd__get(r, DD__LIT("b3"), &n);
    if (!v) return DD_ERR_NOT_FOUND;
    dd__trim(&v, &n);
    while (k < 4 && pos <= n) { /* fields after the 4th are ignored: R-B3S-2 */
        const char *dash = dd__memchr(v + pos, n - pos, '-');
        f[k] = v + pos;
        fn[k] = dash ? (size_t)(dash - (v + pos)) : n - pos;
        pos += fn[k] + 1;
        k++;
    }
    if (k == 1) {
        /* a sampling-only value ("1", "0", "d") carries no context to continue */
        return (dd__eq(v, n, DD__LIT("1")) || dd__eq(v, n, DD__LIT("0")) || dd__eq(v, n, DD__LIT("d")))
                   ? DD_ERR_NOT_FOUND
                   : DD_ERR_MALFORMED;
    }
    if (dd__b3_ids(c, f[0], fn[0], f[1], fn[1]) != DD_OK) return DD_ERR_MALFORMED;
    if (k >= 3) {
        if (dd__eq(f[2], fn[2], DD__LIT("1"))) c->sampling_priority = 1;
        else if (dd__eq(f[2], fn[2], DD__LIT("0"))) c->sampling_priority = 0;
        else if (dd__eq(f[2], fn[2], DD__LIT("d"))) c->sampling_priority = 2; /* debug: as Python (R-B3S-3) */
        else {
            dd__zero_ctx(c);
            return DD_ERR_MALFORMED;
        }
    }
    return DD_OK;
}

/*--- xray style (spec/serverless.md 6) ---*/

DD_API int dd_xray_parse(const char *value, size_t len, dd_trace_context *out) {
    const char *s = value;
    size_t n = len, pos = 0;
    int has_root = 0, has_parent = 0, sampled = 0;
    dd__zero_ctx(out);
    if (!value || len == 0) return DD_ERR_NOT_FOUND;
    dd__trim(&s, &n);
    while (pos <= n) {
        const char *t = s + pos;
        const char *semi = dd__memchr(t, n - pos, ';');
        size_t tn = semi ? (size_t)(semi - t) : n - pos;
        const char *eq = dd__memchr(t, tn, '=');
        const char *k, *v;
        size_t kn, vn;
        pos += tn + 1;
        dd__trim(&t, &tn);
        if (!eq) continue;
        k = t;
        kn = (size_t)(eq - t);
        v = eq + 1;
        vn = tn - kn - 1;
        dd__trim(&k, &kn);
        if (dd__eq(k, kn, DD__LIT("Root")) && !has_root) {
            /* 1-<8 hex>-<24 hex>; lowest 63 bits of the 24 hex digits (6.3) */
            uint64_t lo;
            if (vn != 35 || v[0] != '1' || v[1] != '-' || v[10] != '-' ||
                dd_u64_from_hex(v + 2, 8, &lo) != DD_OK || dd_u64_from_hex(v + 11, 8, &lo) != DD_OK ||
                dd_u64_from_hex(v + 19, 16, &lo) != DD_OK)
                goto bad;
            out->trace_id.lo = lo & 0x7fffffffffffffffull;
            has_root = 1;
        } else if (dd__eq(k, kn, DD__LIT("Parent")) && !has_parent) {
            if (vn != 16 || dd_u64_from_hex(v, vn, &out->parent_id) != DD_OK) goto bad;
            has_parent = 1;
        } else if (dd__eq(k, kn, DD__LIT("Sampled"))) {
            sampled = dd__eq(v, vn, DD__LIT("1"));
        } else if (dd__eq(k, kn, DD__LIT("_dd.origin"))) {
            if (vn) dd__set_origin(out, v, vn);
        }
    }
    if (!has_root || !has_parent || out->trace_id.lo == 0 || out->parent_id == 0) goto bad;
    out->sampling_priority = sampled ? DD_PRIORITY_USER_KEEP : DD_PRIORITY_USER_REJECT;
    out->style = DD_STYLE_XRAY;
    return DD_OK;
bad:
    dd__zero_ctx(out);
    return DD_ERR_MALFORMED;
}
DD_API size_t dd_xray_format(const dd_trace_context *ctx, char *out, size_t cap) {
    char tmp[128 + DD_ORIGIN_MAX];
    dd__sb b;
    static const char digits[] = "0123456789abcdef";
    uint32_t epoch = (uint32_t)(ctx->trace_id.hi >> 32);
    char e[8];
    int i;
    for (i = 7; i >= 0; i--) {
        e[i] = digits[epoch & 15];
        epoch >>= 4;
    }
    dd__sb_init(&b, tmp, sizeof tmp);
    dd__sb_put(&b, DD__LIT("Root=1-"));
    dd__sb_put(&b, e, 8);
    dd__sb_put(&b, DD__LIT("-00000000"));
    dd__sb_hex16(&b, ctx->trace_id.lo);
    dd__sb_put(&b, DD__LIT(";Parent="));
    dd__sb_hex16(&b, ctx->parent_id);
    dd__sb_put(&b, DD__LIT(";Sampled="));
    dd__sb_putc(&b, ctx->sampling_priority > 0 && ctx->sampling_priority != DD_PRIORITY_UNSET ? '1' : '0');
    if (ctx->origin_len && ctx->origin_len <= DD_ORIGIN_MAX && dd__printable(ctx->origin, ctx->origin_len) &&
        !dd__memchr(ctx->origin, ctx->origin_len, ';')) {
        dd__sb_put(&b, DD__LIT(";_dd.origin="));
        dd__sb_put(&b, ctx->origin, ctx->origin_len);
    }
    if (cap) {
        size_t k = b.len < cap ? b.len : cap - 1;
        memcpy(out, tmp, k);
        out[k] = 0;
    }
    return b.len;
}

/*--- extract (spec/propagation.md 7) ---*/

DD__PRIVATE int dd__extract_style(int style, const dd_carrier_reader *r, dd_trace_context *c, char *raw,
                                  size_t raw_cap) {
    const char *v;
    size_t n;
    int rc;
    dd__zero_ctx(c);
    if (raw && raw_cap) raw[0] = 0;
    switch (style) {
    case DD_STYLE_DATADOG: rc = dd__extract_datadog(r, c); break;
    case DD_STYLE_TRACECONTEXT: rc = dd__extract_tracecontext(r, c, raw, raw_cap); break;
    case DD_STYLE_B3MULTI: rc = dd__extract_b3multi(r, c); break;
    case DD_STYLE_B3: rc = dd__extract_b3(r, c); break;
    case DD_STYLE_XRAY:
        v = dd__get(r, DD__LIT("x-amzn-trace-id"), &n);
        rc = v ? dd_xray_parse(v, n, c) : DD_ERR_NOT_FOUND;
        break;
    default: rc = DD_ERR_NOT_FOUND; break;
    }
    if (rc != DD_OK) dd__zero_ctx(c);
    else c->style = style;
    return rc;
}
DD__PRIVATE const int *dd__styles(const dd_propagation_config *cfg, int extract, int *n) {
    static const int defaults[2] = {DD_STYLE_DATADOG, DD_STYLE_TRACECONTEXT};
    const int *s = NULL;
    int k = 0;
    if (cfg) {
        s = extract ? cfg->extract_styles : cfg->inject_styles;
        k = extract ? cfg->n_extract : cfg->n_inject;
    }
    if (k <= 0 || !s) {
        *n = 2;
        return defaults;
    }
    *n = k > DD_STYLES_MAX ? DD_STYLES_MAX : k;
    return s;
}
DD__PRIVATE int dd__same_trace(const dd_trace_id *a, const dd_trace_id *b) { return a->hi == b->hi && a->lo == b->lo; }

DD_API int dd_extract(const dd_propagation_config *cfg, const dd_carrier_reader *carrier, dd_trace_context *out) {
    int n, i, primary = -1, malformed = 0, overridden = 0;
    const int *styles;
    dd_trace_context tmp;
    char raw[DD_TRACESTATE_MAX + 1];
    /* what the walk saw of a Datadog context, for _dd.parent_id (R-MS-6) */
    int dd_seen = 0;
    dd_trace_id dd_trace = {0, 0};
    uint64_t dd_parent = 0;

    if (!out) return DD_ERR_INVALID_ARG;
    if (!carrier || !carrier->get) {
        dd__zero_ctx(out);
        return DD_ERR_INVALID_ARG;
    }
    styles = dd__styles(cfg, 1, &n);
    for (i = 0; i < n; i++) {
        int st = styles[i], rc;
        if (st == DD_STYLE_NONE || st < DD_STYLE_DATADOG || st > DD_STYLE_XRAY) continue;
        rc = dd__extract_style(st, carrier, primary < 0 ? out : &tmp, raw, sizeof raw);
        if (rc == DD_ERR_MALFORMED) malformed = 1;
        if (rc != DD_OK) continue; /* R-MS-2: one bad style never hides another */
        if (st == DD_STYLE_DATADOG && !dd_seen) {
            const dd_trace_context *d = primary < 0 ? out : &tmp;
            dd_seen = 1;
            dd_trace = d->trace_id;
            dd_parent = d->parent_id;
        }
        if (primary < 0) {
            primary = i;
            if (cfg && cfg->extract_first) break; /* R-CFG-6 */
            continue;
        }
        if (dd__same_trace(&tmp.trace_id, &out->trace_id)) {
            if (st != DD_STYLE_TRACECONTEXT) continue; /* only tracecontext merges: R-MS-6 */
            /* R-MS-5: its foreign members (and unknown dd sub-members) join the primary */
            memcpy(out->tracestate, tmp.tracestate, sizeof out->tracestate);
            out->tracestate_len = tmp.tracestate_len;
            memcpy(out->dd_member_extra, tmp.dd_member_extra, sizeof out->dd_member_extra);
            out->dd_member_extra_len = tmp.dd_member_extra_len;
            out->dropped += tmp.dropped;
            if (tmp.parent_id != out->parent_id) {
                /* R-MS-6: the W3C parent wins; _dd.parent_id = p, else the Datadog parent */
                out->parent_id = tmp.parent_id;
                memcpy(out->last_parent_id, tmp.last_parent_id, sizeof out->last_parent_id);
                out->has_w3c_parent = tmp.has_w3c_parent;
                out->w3c_parent_id = tmp.w3c_parent_id;
                overridden = 1;
            }
            continue;
        }
        /* R-MS-3: another trace id becomes a span link; R-MS-4: not a context without a span id
         * (a Datadog root with parent 0) */
        if (!tmp.parent_id) continue;
        if (out->n_links < DD_SPAN_LINKS_MAX) {
            dd_span_link *l = &out->links[out->n_links++];
            const char *name = dd_style_name(st);
            memset(l, 0, sizeof *l);
            l->trace_id = tmp.trace_id;
            l->span_id = tmp.parent_id;
            l->flags = (int32_t)((tmp.sampling_priority > 0 ? 1 : 0) | INT32_MIN);
            if (st == DD_STYLE_TRACECONTEXT) memcpy(l->tracestate, raw, sizeof l->tracestate);
            memcpy(l->reason, "terminated_context", sizeof "terminated_context");
            memcpy(l->context_headers, name, strlen(name) + 1);
        } else {
            out->dropped++;
        }
    }
    if (primary < 0) {
        dd__zero_ctx(out);
        return malformed ? DD_ERR_MALFORMED : DD_ERR_NOT_FOUND;
    }
    if (overridden && !out->last_parent_id[0] && dd_seen && dd__same_trace(&dd_trace, &out->trace_id))
        dd_u64_to_hex16(dd_parent, out->last_parent_id);
    return DD_OK;
}

/*--- inject ---*/

DD__PRIVATE int dd__set(const dd_carrier_writer *w, const char *k, size_t kn, const char *v, size_t vn) {
    return w->set(w->self, k, kn, v, vn);
}
/* x-datadog-tags from ptags, _dd.p.tid rewritten from trace_id.hi (R-DD-14). Returns the length;
 * *bad is set when a tag with a bad character was left out (R-DD-16, as Go: only that tag). */
DD__PRIVATE size_t dd__encode_xdatadog_tags(const dd_trace_context *c, char *out, size_t cap, int *bad) {
    dd__sb b;
    size_t pos = 0;
    const char *k, *v;
    size_t kn, vn;
    int tid_done = 0;
    char hex[17];
    dd_u64_to_hex16(c->trace_id.hi, hex);
    dd__sb_init(&b, out, cap);
    *bad = 0;
    while (dd__ptag_next(c->ptags, c->ptags_len, &pos, &k, &kn, &v, &vn)) {
        if (!dd__starts(k, kn, DD__LIT("_dd.p."))) continue;
        if (dd__eq(k, kn, DD__LIT("_dd.p.tid"))) {
            if (tid_done || c->trace_id.hi == 0) continue;
            tid_done = 1;
            v = hex;
            vn = 16;
        } else if (!dd__ptag_key_ok(k, kn) || !dd__ptag_val_ok(v, vn)) {
            *bad = 1;
            continue;
        }
        if (b.len) dd__sb_putc(&b, ',');
        dd__sb_put(&b, k, kn);
        dd__sb_putc(&b, '=');
        dd__sb_put(&b, v, vn);
    }
    if (!tid_done && c->trace_id.hi) {
        if (b.len) dd__sb_putc(&b, ',');
        dd__sb_put(&b, DD__LIT("_dd.p.tid="));
        dd__sb_put(&b, hex, 16);
    }
    return b.over ? cap : b.len; /* over: longer than any limit we accept */
}
DD__PRIVATE int dd__inject_datadog(const dd_propagation_config *cfg, const dd_trace_context *c,
                                   const dd_carrier_writer *w, char *err) {
    char num[21], tags[DD_PTAGS_MAX + 64];
    size_t n;
    int rc, bad = 0;
    int32_t max = cfg ? cfg->x_datadog_tags_max_length : 0;
    if (max == 0) max = DD_X_DATADOG_TAGS_DEFAULT_MAX;
    n = dd_u64_to_dec(c->trace_id.lo, num);
    if ((rc = dd__set(w, DD__LIT("x-datadog-trace-id"), num, n)) != DD_OK) return rc;
    n = dd_u64_to_dec(c->parent_id, num);
    if ((rc = dd__set(w, DD__LIT("x-datadog-parent-id"), num, n)) != DD_OK) return rc;
    if (c->sampling_priority != DD_PRIORITY_UNSET) {
        dd__sb b;
        dd__sb_init(&b, num, sizeof num);
        dd__sb_i32(&b, c->sampling_priority);
        if ((rc = dd__set(w, DD__LIT("x-datadog-sampling-priority"), num, b.len)) != DD_OK) return rc;
    }
    if (c->origin_len && c->origin_len <= DD_ORIGIN_MAX && dd__printable(c->origin, c->origin_len) &&
        (rc = dd__set(w, DD__LIT("x-datadog-origin"), c->origin, c->origin_len)) != DD_OK)
        return rc;
    if (max < 0) return DD_OK; /* disabled: DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH=0 */
    n = dd__encode_xdatadog_tags(c, tags, sizeof tags, &bad);
    if (bad && err && !err[0]) memcpy(err, "encoding_error", sizeof "encoding_error");
    if (n > (size_t)max) { /* R-DD-15: never truncated */
        if (err) memcpy(err, "inject_max_size", sizeof "inject_max_size");
        return DD_OK;
    }
    if (n && (rc = dd__set(w, DD__LIT("x-datadog-tags"), tags, n)) != DD_OK) return rc;
    return DD_OK;
}
/* Tracestate escaping inside the dd member (R-W3C-18). */
DD__PRIVATE void dd__put_ts_value(dd__sb *b, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == ';' || c == '~' || (unsigned char)c < 0x20 || (unsigned char)c > 0x7E) c = '_';
        else if (c == '=') c = '~';
        dd__sb_putc(b, c);
    }
}
DD__PRIVATE void dd__put_ts_key(dd__sb *b, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        /* ',' '=' as every tracer, ' ' ';' as C++, ':' so the key survives extraction */
        if (c == ',' || c == '=' || c == ' ' || c == ';' || c == ':' || (unsigned char)c < 0x20 ||
            (unsigned char)c > 0x7E)
            c = '_';
        dd__sb_putc(b, c);
    }
}
/* Appends ";<field>" built by the caller in `f` when it still fits in 256 (R-W3C-19). */
DD__PRIVATE void dd__dd_add(dd__sb *dd, const dd__sb *f) {
    if (f->over || dd->len + 1 + f->len > DD__DD_MEMBER_MAX) return;
    if (dd->len > 3) dd__sb_putc(dd, ';');
    dd__sb_put(dd, f->p, f->len);
}
DD__PRIVATE int dd__inject_tracecontext(const dd_trace_context *c, const dd_carrier_writer *w) {
    char tp[56], ddm[DD__DD_MEMBER_MAX + 1], fb[DD__DD_MEMBER_MAX + 1];
    char ts[DD__DD_MEMBER_MAX + 1 + DD_TRACESTATE_MAX + 1];
    dd__sb b, dd, f;
    size_t pos = 0, members = 1;
    const char *k, *v;
    size_t kn, vn;
    int rc;
    if (c->parent_id == 0) return DD_OK; /* no valid traceparent without a span id */
    /* R-W3C-15 */
    dd__sb_init(&b, tp, sizeof tp);
    dd__sb_put(&b, DD__LIT("00-"));
    dd__sb_hex16(&b, c->trace_id.hi);
    dd__sb_hex16(&b, c->trace_id.lo);
    dd__sb_putc(&b, '-');
    dd__sb_hex16(&b, c->parent_id);
    dd__sb_put(&b, c->sampling_priority > 0 ? "-01" : "-00", 3);
    if ((rc = dd__set(w, DD__LIT("traceparent"), tp, b.len)) != DD_OK) return rc;
    /* R-W3C-16, R-W3C-17: dd=s:<p>;p:<span>;o:<origin>;t.<k>:<v>... then the unknown dd fields */
    dd__sb_init(&dd, ddm, sizeof ddm);
    dd__sb_put(&dd, DD__LIT("dd="));
    if (c->sampling_priority != DD_PRIORITY_UNSET) {
        dd__sb_put(&dd, DD__LIT("s:"));
        dd__sb_i32(&dd, c->sampling_priority);
    }
    dd__sb_init(&f, fb, sizeof fb);
    dd__sb_put(&f, DD__LIT("p:"));
    dd__sb_hex16(&f, c->parent_id);
    dd__dd_add(&dd, &f);
    if (c->origin_len && c->origin_len <= DD_ORIGIN_MAX) {
        dd__sb_init(&f, fb, sizeof fb);
        dd__sb_put(&f, DD__LIT("o:"));
        dd__put_ts_value(&f, c->origin, c->origin_len);
        dd__dd_add(&dd, &f);
    }
    while (dd__ptag_next(c->ptags, c->ptags_len, &pos, &k, &kn, &v, &vn)) {
        /* t.tid is left out: traceparent carries it (R-W3C-17, as C++) */
        if (!dd__starts(k, kn, DD__LIT("_dd.p.")) || dd__eq(k, kn, DD__LIT("_dd.p.tid")) || kn == 6) continue;
        dd__sb_init(&f, fb, sizeof fb);
        dd__sb_put(&f, DD__LIT("t."));
        dd__put_ts_key(&f, k + 6, kn - 6);
        dd__sb_putc(&f, ':');
        dd__put_ts_value(&f, v, vn);
        dd__dd_add(&dd, &f);
    }
    pos = 0;
    while (pos < c->dd_member_extra_len && c->dd_member_extra_len <= DD_DD_MEMBER_EXTRA_MAX) {
        const char *t = c->dd_member_extra + pos;
        const char *semi = dd__memchr(t, c->dd_member_extra_len - pos, ';');
        size_t tn = semi ? (size_t)(semi - t) : c->dd_member_extra_len - pos;
        pos += tn + 1;
        if (!tn || !dd__printable(t, tn) || dd__memchr(t, tn, ',') || dd__memchr(t, tn, '=')) continue;
        dd__sb_init(&f, fb, sizeof fb);
        dd__sb_put(&f, t, tn);
        dd__dd_add(&dd, &f);
    }
    /* a list member may not end with a space (W3C), and the receiver trims it */
    if (dd.len && ddm[dd.len - 1] == ' ') ddm[dd.len - 1] = '_';
    /* R-W3C-16, R-W3C-20: dd first, then foreign members in order, 32 members at most */
    dd__sb_init(&b, ts, sizeof ts);
    dd__sb_put(&b, dd.p, dd.len);
    pos = 0;
    while (pos < c->tracestate_len && c->tracestate_len <= DD_TRACESTATE_MAX) {
        const char *t = c->tracestate + pos;
        const char *comma = dd__memchr(t, c->tracestate_len - pos, ',');
        size_t tn = comma ? (size_t)(comma - t) : c->tracestate_len - pos;
        const char *eq;
        pos += tn + 1;
        dd__trim(&t, &tn);
        eq = dd__memchr(t, tn, '=');
        if (!tn || !eq || eq == t || !dd__printable(t, tn) || dd__eq(t, (size_t)(eq - t), DD__LIT("dd"))) continue;
        if (members >= DD__TRACESTATE_MEMBERS_MAX) break;
        dd__sb_putc(&b, ',');
        dd__sb_put(&b, t, tn);
        members++;
    }
    return dd__set(w, DD__LIT("tracestate"), ts, b.len);
}
DD__PRIVATE size_t dd__b3_value(const dd_trace_context *c, char *out) { /* out: 32 + 1 + 16 + 2 + 1 */
    dd__sb b;
    dd__sb_init(&b, out, 56);
    if (c->trace_id.hi) dd__sb_hex16(&b, c->trace_id.hi); /* R-B3M-6: 16 hex when hi is 0 */
    dd__sb_hex16(&b, c->trace_id.lo);
    dd__sb_putc(&b, '-');
    dd__sb_hex16(&b, c->parent_id);
    if (c->sampling_priority != DD_PRIORITY_UNSET) dd__sb_put(&b, c->sampling_priority > 0 ? "-1" : "-0", 2);
    return b.len;
}
DD__PRIVATE int dd__inject_b3multi(const dd_trace_context *c, const dd_carrier_writer *w) {
    char t[33], s[17];
    int rc;
    size_t tn;
    if (c->parent_id == 0) return DD_OK;
    if (c->trace_id.hi) tn = dd_trace_id_to_hex32(&c->trace_id, t);
    else tn = dd_u64_to_hex16(c->trace_id.lo, t);
    dd_u64_to_hex16(c->parent_id, s);
    if ((rc = dd__set(w, DD__LIT("x-b3-traceid"), t, tn)) != DD_OK) return rc;
    if ((rc = dd__set(w, DD__LIT("x-b3-spanid"), s, 16)) != DD_OK) return rc;
    if (c->sampling_priority != DD_PRIORITY_UNSET)
        return dd__set(w, DD__LIT("x-b3-sampled"), c->sampling_priority > 0 ? "1" : "0", 1);
    return DD_OK;
}
DD_API int dd_inject_checked(const dd_propagation_config *cfg, const dd_trace_context *ctx,
                             const dd_carrier_writer *writer, char *error) {
    int n, i, rc = DD_OK;
    const int *styles;
    if (error) error[0] = 0;
    if (!ctx || !writer || !writer->set || (ctx->trace_id.hi == 0 && ctx->trace_id.lo == 0))
        return DD_ERR_INVALID_ARG;
    styles = dd__styles(cfg, 0, &n);
    for (i = 0; i < n && rc == DD_OK; i++) {
        switch (styles[i]) {
        case DD_STYLE_DATADOG: rc = dd__inject_datadog(cfg, ctx, writer, error); break;
        case DD_STYLE_TRACECONTEXT: rc = dd__inject_tracecontext(ctx, writer); break;
        case DD_STYLE_B3MULTI: rc = dd__inject_b3multi(ctx, writer); break;
        case DD_STYLE_B3:
            if (ctx->parent_id) {
                char v[56];
                rc = dd__set(writer, DD__LIT("b3"), v, dd__b3_value(ctx, v));
            }
            break;
        case DD_STYLE_XRAY:
            if (ctx->parent_id) {
                char v[128 + DD_ORIGIN_MAX];
                size_t vn = dd_xray_format(ctx, v, sizeof v);
                rc = dd__set(writer, DD__LIT("x-amzn-trace-id"), v, vn);
            }
            break;
        default: break; /* none, or unknown: nothing to write (R-CFG-5) */
        }
    }
    return rc;
}
DD_API int dd_inject(const dd_propagation_config *cfg, const dd_trace_context *ctx, const dd_carrier_writer *writer) {
    return dd_inject_checked(cfg, ctx, writer, NULL);
}


#include "wip/serverless_impl.h" /* serverless part, merged into this header before release */

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif /* DD__PROPAGATION_IMPLEMENTED */
