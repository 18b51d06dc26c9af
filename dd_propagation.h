/* dd_propagation.h - trace context, carriers and propagation styles.           dd-trace-c 0.2.0
 *
 * In exactly one .c file:  #define DD_PROPAGATION_IMPLEMENTATION   (DD_TRACE_IMPLEMENTATION also does)
 *                          #include "dd_propagation.h"
 * Stands alone on libc: a proxy can forward trace context without the tracer.
 * OPTIONS   DD_API (linkage), DD_ASSERT(c), DD_NO_SIMD (the portable word scanners even where SSE2 is)
 * THREADS   no global state: every call may run on any thread; a dd_trace_context, a carrier and a
 *           config belong to their caller. Carrier callbacks run on the calling thread, during the call.
 * MEMORY    never allocates: contexts have fixed capacities (DD_*_MAX), what does not fit is dropped
 *           and counted, never truncated into an invalid value
 * ERRORS    DD_OK or a negative DD_ERR_*; on failure an out-param context is zeroed
 * STACK     every call stays within 16 KiB of stack, measured by tests/stack_test.c on a guarded
 *           16 KiB thread stack with worst-case inputs (gcc and clang, -O0 to -O2; figures are the
 *           call's own, the carrier callbacks' use comes on top). The largest: dd_inject,
 *           dd_inject_checked and dd_datadog_inject about 10.5 KiB (8 KiB of it the `baggage` header,
 *           formatted whole before the writer gets it: DD_BAGGAGE_HEADER_MAX); dd_datadog_extract
 *           7 KiB; dd_extract 6 KiB with every style and maximal headers (a later style is read into
 *           `out` itself, never into a second context); dd_json_parse 2.2 KiB; every other call
 *           under 1 KiB. The calls take no dd_trace_context by value and copy none onto the stack,
 *           but a dd_trace_context is 20 KB: a caller with a small stack keeps its own elsewhere.
 * NULL      one rule for the whole API (the five headers): every public function accepts NULL for
 *           any pointer argument and then returns its documented error (DD_ERR_INVALID_ARG, or its
 *           own error value: DD_ERR_NOT_FOUND, 0, NULL, "", -1, DD_TRANSPORT_NOT_SENT) or does
 *           nothing, writing nothing; where NULL has a documented meaning (defaults, none, an
 *           optional out-param, an output buffer taken as capacity 0 to measure) it keeps it.
 *           tests/null_api_test.c calls every function with NULL in each pointer position (the
 *           calls generated from the headers by scripts/gen_null_calls.py).
 * DOES NOT  do I/O, allocate, start threads, make sampling decisions, or call locale-dependent libc;
 *           reads the environment only through dd_propagation_config_from_env and dd_env_reader
 * SECTIONS  log hook; ids (decimal and hex codecs); trace context and its _dd.p.* tags (dd_ptags_*);
 *           carriers (reader/writer interfaces; dd_headers, dd_cstr_carrier, environment variables);
 *           configuration (styles, DD_TRACE_PROPAGATION_* environment); dd_extract / dd_inject; single
 *           styles (X-Ray); then the JSON reader and the `_datadog` carrier (queues, Lambda events).
 *           Everything that exists only for AWS Lambda (events, X-Ray subsegments and merging,
 *           base64, SHA-256) is in dd_lambda.h.
 *
 * MAP of the implementation (below `=== implementation ===`), in order. A section owns what it
 * defines and may call the public functions and the private helpers of the sections above it. No
 * section allocates, locks or keeps global state; only configuration and the environment carrier
 * read the environment.
 *   --- private helpers ---          DD__LIT, DD__P_HOT/_COLD/_OWN, character classes (dd__cclass).
 *   --- private helpers: eight bytes at a time --- SWAR loads/stores, dd__hex8, dd__dec8w, word checks,
 *                                    dd__find (memchr inline), dd__find_print, dd__lhex16, dd__lhex_parse;
 *                                    with SSE2 (DD__SSE2) also 16-byte blocks: dd__load16, dd__eq16, dd__eq64.
 *   --- private helpers: text ---    trimming, dd__eq/dd__ieq, dd__parse_i32, dd__dec21.
 *   --- private helpers: builder and fields --- dd__sb (bounded builder), dd__set_str (drops what
 *                                    does not fit), dd__set_error (_dd.propagation_error).
 *   --- ids ---                      dd_u64_to_dec/_hex16, dd_trace_id_to_hex32, the parsers.
 *   --- propagated tags ---          dd_ptags_get/_set/_remove, the x-datadog-tags grammar.
 *   --- baggage (docs/http.md §1) --- dd_baggage_get/_set/_remove/_clear/_next: a dd_baggage's items.
 *   --- baggage: parsing ---         dd_baggage_parse: percent-decoding, UTF-8 repair, limits.
 *   --- baggage: formatting ---      dd_baggage_format: percent-encoding within limits.
 *   --- carriers ---                 dd_headers, dd_cstr_carrier, the environment carriers
 *                                    (dd_env_reader, dd_env_block): calls the caller's callbacks.
 *   --- configuration ---            dd_style_name, dd_propagation_config_default/_parse_styles,
 *                                    dd_propagation_config_from_env (getenv_fn, log_fn).
 *   --- what dd_extract reads from --- dd__src: field slots (names matched a word at a time), the
 *                                    dd_headers fast path.
 *   --- datadog style (docs/propagation.md §3) --- x-datadog-* and x-datadog-tags into a context.
 *   --- tracecontext style (docs/propagation.md §4) --- traceparent and tracestate (its dd
 *                                    member) into a context: one member loop (dd__ts_members,
 *                                    dd__dd_member over a dd__tsv), for the primary and a later one.
 *   --- b3 styles (docs/propagation.md §5, §6) --- x-b3-* and the single b3 header.
 *   --- xray style (docs/lambda.md §6) --- dd__ictx (what injection reads of a context, also
 *                                    dd_trace.h's span injection), dd_xray_parse, dd_xray_format.
 *   --- extract (docs/propagation.md §7) --- dd_extract: styles in order; a later tracecontext's
 *                                    ids read aside (dd__extract_tc_later, its members merged
 *                                    straight into out), other later ones into out over the saved
 *                                    primary (dd__xsave); links kept aside (dd__xlink), baggage,
 *                                    DD_EXTRACT_RESTART.
 *   --- inject ---                   dd__inj (shared by the styles of one call), x-datadog-*.
 *   --- inject: tracecontext ---     traceparent and tracestate with the dd member (dd__sb).
 *   --- inject: b3, baggage, dd_inject --- b3 values, the baggage header, dd_inject(_checked).
 *   --- inject: recorded headers --- dd__irec: what one dd__inject wrote, replayed for another
 *                                    parent id (dd_trace.h's dd_span_inject, once per trace).
 *   === json reader implementation === (shared with dd_lambda.h: the dd__sls_* helpers)
 *   --- json: scanners ---           validating scanners and skips over a bounded text.
 *   --- json: parse and iterate ---  dd_json_parse, dd_json_iter_init, dd_json_next.
 *   --- json: strings ---            unescaping: dd_json_string, dd_json_string_eq.
 *   --- json: lookups and numbers --- dd_json_get/_at/_number/_u64/_path, dd__sls_dec_u64.
 *   === _datadog carrier implementation ===
 *   --- _datadog: reading ---        dd__sls_iget, DD__SLS_GET, dd_json_carrier_init,
 *                                    dd__sls_extract_obj, dd_datadog_extract.
 *   --- _datadog: writing ---        dd__sls_jw (bounded JSON writer), dd_datadog_inject.
 *   Every section may use the shared prelude (DD__PRIVATE; dd__alloc and dd__free go unused).
 *
 * STYLES    datadog (x-datadog-*), tracecontext (W3C traceparent/tracestate), b3multi (x-b3-*),
 *           b3 (single `b3` header), xray (X-Amzn-Trace-Id), none. Rules: docs/propagation.md.
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

/* Propagation styles (docs/propagation.md §2.1). */
#define DD_STYLE_DATADOG 1
#define DD_STYLE_TRACECONTEXT 2
#define DD_STYLE_B3MULTI 3
#define DD_STYLE_B3 4                 /* the single `b3` header                                */
#define DD_STYLE_XRAY 5               /* X-Amzn-Trace-Id, ids converted as docs/lambda.md §6 */
#define DD_STYLE_NONE 6
#define DD_STYLE_BAGGAGE 7            /* W3C `baggage` header: items, not trace context (docs/http.md §1) */

/* A span link to a context that was not chosen as parent (docs/propagation.md §7.2). */
typedef struct dd_span_link {
    dd_trace_id trace_id;
    uint64_t span_id;
    int32_t flags;                    /* W3C flags | 0x80000000 when set, 0 when unknown        */
    char tracestate[DD_TRACESTATE_MAX + 1]; /* the raw tracestate, only for tracecontext     */
    char reason[32];                  /* attribute "reason": "terminated_context" or
                                         "propagation_behavior_extract"                       */
    char context_headers[16];         /* attribute "context_headers", the style name           */
} dd_span_link;

/* W3C baggage (docs/http.md §1): an ordered map of byte strings, keys case-sensitive, carried
 * beside the trace context. Fixed capacity, never allocates: DD_BAGGAGE_ITEMS_MAX items and
 * DD_BAGGAGE_BYTES_MAX bytes of decoded keys plus values: twice the official 8192-byte header
 * limit, so that, as in the official tracers, items past the limit can be set and the limit is
 * applied when the header is written (system-tests D017); a header within the limit always fits,
 * since decoding never makes a member longer. Item i's key and then its value sit
 * in `data` right after item i-1's, without separators, so keys and values may hold any byte.
 * A zeroed dd_baggage is empty; read and change it only through dd_baggage_*. */
#define DD_BAGGAGE_ITEMS_MAX 64
#define DD_BAGGAGE_BYTES_MAX 16384
#define DD_BAGGAGE_DEFAULT_MAX_ITEMS 64    /* DD_TRACE_BAGGAGE_MAX_ITEMS default   */
#define DD_BAGGAGE_DEFAULT_MAX_BYTES 8192  /* DD_TRACE_BAGGAGE_MAX_BYTES default   */
/* Bytes of a `baggage` header dd_inject writes, whatever baggage_max_bytes says (the header is
 * formatted on the stack before the carrier gets it; larger limits still apply to extraction and
 * dd_baggage_format). 8192 is the official default limit and what HTTP servers commonly accept. */
#define DD_BAGGAGE_HEADER_MAX 8192
typedef struct dd_baggage {
    uint32_t n;                                /* items                              */
    uint32_t len;                              /* bytes of `data` in use             */
    uint16_t key_len[DD_BAGGAGE_ITEMS_MAX];
    uint16_t value_len[DD_BAGGAGE_ITEMS_MAX];
    char data[DD_BAGGAGE_BYTES_MAX];
} dd_baggage;
/* Iteration state for dd_baggage_next; zero it (or dd_baggage_iter it = {0, 0}) to start. */
typedef struct dd_baggage_iter {
    uint32_t i, off;
} dd_baggage_iter;

/* Everything a carrier can tell about the caller's trace. Plain data: copy it freely.
 * A zeroed context (trace_id 0) means "no context". Strings are NUL-terminated and their
 * lengths are kept beside them; the bytes after a string's NUL, and links past n_links, are
 * unspecified (dd_extract does not clear the whole 3.7 KB: read strings by length or as C strings). A context with trace_id 0 may still carry baggage and span links
 * (a baggage-only request, or extract behaviour `restart`): a tracer starts a new trace with them.
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
     * (even when it is not hex), or hex16 of the Datadog parent (docs/propagation.md §4.4, §7.3). */
    char last_parent_id[DD_LAST_PARENT_ID_MAX + 1];
    int32_t style;                    /* DD_STYLE_* that gave this context (extract), else 0    */
    /* _dd.p.* tags a tracer could not fit in ptags (dd_span_context): dd_inject then leaves
     * x-datadog-tags out and reports inject_max_size rather than send an incomplete set
     * (docs/propagation.md §3.2 R-DD-15, §3.3 R-DM-1). */
    uint32_t ptags_lost;
    /* Last, so that clearing a context clears only baggage.n and baggage.len of its 16.5 KB:
     * extracted from the `baggage` header, or set by the caller; written by the `baggage` style. */
    dd_baggage baggage;
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

/* Baggage items (docs/http.md §1.1). Keys are 1.. bytes, values 0.. bytes, any bytes; keys compare
 * exactly (case-sensitive). [owner thread of b] for all.
 * dd_baggage_get: DD_OK with *val / *val_len pointing into b (valid until b changes), or
 *   DD_ERR_NOT_FOUND (*val NULL, *val_len 0).
 * dd_baggage_set: replaces the value of an existing key in place (its position is kept) or
 *   appends the item. DD_OK; DD_ERR_INVALID_ARG (empty key, or a key or value over 65535 bytes);
 *   DD_ERR_LIMIT (DD_BAGGAGE_ITEMS_MAX items or DD_BAGGAGE_BYTES_MAX bytes would be passed): then
 *   b is unchanged.
 * dd_baggage_remove: DD_OK, or DD_ERR_NOT_FOUND.  dd_baggage_clear: empties b.
 * dd_baggage_next: the next item in order, from an iterator zeroed to start; DD_OK, or
 *   DD_ERR_NOT_FOUND after the last item. Changing b invalidates the iterator. */
DD_API int dd_baggage_get(const dd_baggage *b, const char *key, size_t key_len, const char **val, size_t *val_len);
DD_API int dd_baggage_set(dd_baggage *b, const char *key, size_t key_len, const char *val, size_t val_len);
DD_API int dd_baggage_remove(dd_baggage *b, const char *key, size_t key_len);
DD_API void dd_baggage_clear(dd_baggage *b);
DD_API int dd_baggage_next(const dd_baggage *b, dd_baggage_iter *it, const char **key, size_t *key_len,
                           const char **val, size_t *val_len);
/* Parses one `baggage` header value (several fields: join them with ',' first) into *out, which
 * is emptied first (docs/http.md §1.2): split on ','; stop, keeping what was accepted, before a
 * member that would make more than max_items members or more than max_bytes bytes (its raw length,
 * plus 1 for the comma before it); each member is cut at its first ';' (W3C properties dropped),
 * split at its first '=', trimmed of spaces and tabs around key and value, and percent-decoded
 * (%HH any case; a '%' without two hex digits and '+' stay as they are; invalid UTF-8 becomes
 * U+FFFD); a later duplicate key replaces the earlier value. An empty member, a member without '='
 * or with an empty key or value makes the whole header malformed: *out is emptied. max_items /
 * max_bytes 0 mean the defaults (64, 8192); larger values are capped at the capacities.
 * Returns DD_OK (an empty or blank value gives no items), or DD_ERR_MALFORMED; *truncated (may be
 * NULL) is set to 1 when a limit stopped the parse, else 0. [any thread] */
DD_API int dd_baggage_parse(const char *value, size_t len, uint32_t max_items, uint32_t max_bytes, dd_baggage *out,
                            int *truncated);
/* Formats b as a `baggage` header value (docs/http.md §1.3): `key=value` members in order joined
 * by ',', key and value trimmed of surrounding whitespace and percent-encoded (UTF-8 bytes, upper
 * hex) outside their safe sets: keys keep A-Z a-z 0-9 and ! # $ & ' * + - . ^ _ ` | ~; values
 * also keep ( ) / : < > ? @ [ ] { }. '%' is always encoded (%25), a space is %20. Items whose
 * trimmed key or value is empty are skipped. At most max_items members; formatting stops at the
 * first member that would pass max_bytes (0: the defaults, capped as in dd_baggage_parse). Writes
 * at most cap - 1 bytes and a NUL (cap >= max_bytes + 1 never cuts a member; a member that does not
 * fit `out` also stops the walk). Returns the length written (0: write no header); *truncated (may
 * be NULL) as in dd_baggage_parse. [any thread] */
DD_API size_t dd_baggage_format(const dd_baggage *b, uint32_t max_items, uint32_t max_bytes, char *out, size_t cap,
                                int *truncated);

/*=== carriers ===*/

/* A carrier reader: any key/value store the caller has. Keys are given in lowercase ASCII
 * (`x-datadog-trace-id`, `traceparent`); HTTP carriers must match them case-insensitively.
 * get: the value of the first field named `key` (not NUL-terminated, `*value_len` bytes), or NULL
 *   when absent. Required.
 * get_nth: optional (NULL when the store keeps one value per key): the `index`-th (0-based) field
 *   named `key`, or NULL after the last. Used to join repeated `tracestate` fields in order and to
 *   reject two different `traceparent` fields (docs/propagation.md R-HDR-4).
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

/* DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT (docs/propagation.md §7.5 R-MS-9, docs/http.md §1.4). */
#define DD_EXTRACT_CONTINUE 0 /* continue the incoming trace (default)                          */
#define DD_EXTRACT_RESTART 1  /* new trace, linked to the incoming context; baggage kept        */
#define DD_EXTRACT_IGNORE 2   /* new trace: nothing is read, no link, no baggage                */

/* Which styles to read and write. Fill it with dd_propagation_config_default (and then, if wanted,
 * dd_propagation_config_from_env); a zeroed one also works: n_extract / n_inject 0 mean the
 * default list (datadog, tracecontext, baggage), x_datadog_tags_max_length 0 means 512 and a
 * negative value disables x-datadog-tags on inject (DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH=0). A list
 * holding only DD_STYLE_NONE disables that direction; NONE beside other styles is ignored. */
typedef struct dd_propagation_config {
    int extract_styles[DD_STYLES_MAX];
    int n_extract;
    int inject_styles[DD_STYLES_MAX];
    int n_inject;
    int extract_first;                 /* 1: stop at the first valid style (no merge, no links) */
    int32_t x_datadog_tags_max_length; /* 0 = 512, < 0 = never write x-datadog-tags              */
    int32_t baggage_max_items;         /* 0 = 64; capped at DD_BAGGAGE_ITEMS_MAX                 */
    int32_t baggage_max_bytes;         /* 0 = 8192; capped at DD_BAGGAGE_BYTES_MAX; a header
                                          dd_inject writes has at most DD_BAGGAGE_HEADER_MAX     */
    int extract_behavior;              /* DD_EXTRACT_*; 0 = continue                             */
} dd_propagation_config;

/* datadog,tracecontext,baggage both ways (the current official default, docs/http.md §1.1
 * R-BG-2); extract_first 0; x-datadog-tags limit 512; baggage 64 items / 8192 bytes; continue.
 * [any thread] */
DD_API void dd_propagation_config_default(dd_propagation_config *cfg);
/* Parses a style list: names separated by ',', case-insensitive, surrounding spaces and tabs
 * ignored: datadog, tracecontext, b3multi, b3 (single header), "b3 single header", xray, baggage,
 * none. Duplicates are kept once. Writes up to
 * DD_STYLES_MAX entries into `styles` and their count into *n. Returns DD_OK, or DD_ERR_MALFORMED
 * when a name is unknown (the known ones are still written, as Go and Python do) or no style is
 * left (then *n = 0). [any thread] */
DD_API int dd_propagation_parse_styles(const char *s, size_t len, int *styles, int *n);
/* Overrides fields of `cfg` from the environment, read through getenv_fn (NULL = libc getenv),
 * with the official precedence (docs/propagation.md §2.2):
 *   extract: DD_TRACE_PROPAGATION_STYLE_EXTRACT > DD_PROPAGATION_STYLE_EXTRACT (deprecated)
 *            > DD_TRACE_PROPAGATION_STYLE > OTEL_PROPAGATORS;  inject: the same with _INJECT;
 *   DD_TRACE_PROPAGATION_EXTRACT_FIRST (true/false/1/0);
 *   DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH > DD_TRACE_TAGS_PROPAGATION_MAX_LENGTH (0 disables);
 *   DD_TRACE_BAGGAGE_MAX_ITEMS, DD_TRACE_BAGGAGE_MAX_BYTES (a positive count; a value <= 0, or
 *   bytes < 3, removes `baggage` from both style lists, as dd-trace-cpp does);
 *   DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT (continue, restart or ignore, any case).
 * A variable that is unset or empty leaves the field alone. A bad value is logged through log_fn
 * (WARN) and ignored (unknown style names are skipped, the rest of the list is used). Returns
 * DD_OK, or DD_ERR_MALFORMED when something was ignored (cfg still holds every valid setting).
 * `user` is given to both hooks. [setup] */
DD_API int dd_propagation_config_from_env(dd_propagation_config *cfg,
                                          const char *(*getenv_fn)(void *user, const char *name), void *user,
                                          dd_log_fn log_fn);
/* The style's lowercase name ("datadog", "tracecontext", "b3multi", "b3", "xray", "baggage",
 * "none"), or "".
 * [any thread] */
DD_API const char *dd_style_name(int style);

/*=== extract and inject ===*/

/* Extracts a trace context from `carrier`, trying cfg's extract styles in order (NULL cfg =
 * defaults). The first style that yields a valid context is primary; unless extract_first, a later
 * tracecontext context with the same trace id adds its tracestate and may override the parent
 * (setting last_parent_id), and later contexts with another trace id become span links with reason
 * "terminated_context". A malformed header in one style never hides another style's context.
 * With `baggage` in the list, the `baggage` header (its fields joined with ',') is parsed once,
 * whatever its position, into out->baggage (dd_baggage_parse with cfg's limits; a malformed
 * header gives no items and leaves the trace context alone).
 * cfg->extract_behavior: DD_EXTRACT_IGNORE reads nothing (DD_ERR_NOT_FOUND); DD_EXTRACT_RESTART
 * keeps only the baggage and one span link to the context that would have been continued (reason
 * "propagation_behavior_extract", context_headers = the primary style): out->trace_id is then 0.
 * Returns DD_OK and fills *out (trace_id 0 when only baggage or a restart link was found); or
 * DD_ERR_NOT_FOUND (nothing found, or extraction is disabled) / DD_ERR_MALFORMED (headers were
 * there but none gave a valid context, nor baggage) and zeroes *out.
 * Values are read during the call only. Never allocates. [any thread] */
DD_API int dd_extract(const dd_propagation_config *cfg, const dd_carrier_reader *carrier, dd_trace_context *out);
/* Writes ctx with cfg's inject styles (NULL cfg = defaults), lowercase names, only what is set.
 * ctx->parent_id must be the id of the injecting span. The sampling decision is the caller's: the
 * tracer decides first and puts it in ctx->sampling_priority (with _dd.p.dm in ptags); an unset
 * priority is left out (no x-datadog-sampling-priority, no tracestate `s`, traceparent flags 00,
 * no b3 sampled field). The `baggage` style writes ctx->baggage (dd_baggage_format with cfg's
 * limits, at most DD_BAGGAGE_HEADER_MAX bytes; no header when there is nothing to write), also for
 * a context without trace id. Stack: about 10.5 KiB, 8 KiB of it the baggage header.
 * Returns DD_OK; DD_ERR_INVALID_ARG when ctx has a zero trace id and no baggage was written; or the
 * first error of writer->set (earlier fields stay written). Never allocates. [any thread] */
DD_API int dd_inject(const dd_propagation_config *cfg, const dd_trace_context *ctx, const dd_carrier_writer *writer);
/* As dd_inject, and writes into `error` (a buffer of DD_PROPAGATION_ERROR_MAX + 1 bytes) the
 * _dd.propagation_error the local root must get: "inject_max_size" when x-datadog-tags was left
 * out for being longer than the limit (or ctx->ptags_lost is set), "encoding_error" when a tag
 * with a bad character was left out, or "". Baggage truncation sets no error tag: no official
 * tracer has one (docs/http.md §1.6 R-BG-19). [any thread] */
DD_API int dd_inject_checked(const dd_propagation_config *cfg, const dd_trace_context *ctx,
                             const dd_carrier_writer *writer, char *error);

/*=== single styles ===*/

/* Parses an X-Amzn-Trace-Id / _X_AMZN_TRACE_ID value "Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;
 * Sampled=<0|1>[;...]" with the conversions of docs/lambda.md §6.3: trace id = lowest 63 bits
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

DD__END_C
#endif /* DD_PROPAGATION_H */

#if (defined(DD_PROPAGATION_IMPLEMENTATION) || defined(DD_TRACE_IMPLEMENTATION) || defined(DD_LAMBDA_IMPLEMENTATION)) \
    && !defined(DD__PROPAGATION_IMPLEMENTED)
#define DD__PROPAGATION_IMPLEMENTED
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
/* Sixteen bytes at a time where the target has SSE2 (every x86-64): the scanners of long fields
 * (dd__print_words, dd__find_in, the x-datadog-tags check) then test a 16-byte block with three
 * or four vector instructions instead of two words. DD_NO_SIMD keeps the portable word code
 * (tests/wire_diff_test.sh compares both builds with the baseline). */
#if defined(__SSE2__) && defined(__GNUC__) && !defined(DD_NO_SIMD)
#define DD__SSE2 1
#include <emmintrin.h>
#else
#define DD__SSE2 0
#endif

/*--- private helpers ---*/
/* Owns the macros and character-class table every section uses; pure functions of their bytes. */

#define DD__LIT(s) (s), (sizeof(s) - 1)
/* For the few tiny helpers a hot caller uses several times, which gcc would rather call. */
#if defined(__GNUC__)
#define DD__P_HOT __attribute__((always_inline)) inline
#define DD__P_COLD __attribute__((noinline)) /* rare paths kept out of their hot callers' frames */
/* A hot loop kept out of a large caller (dd_extract), so that its word constants stay in
 * registers: measured cheaper than inlined there (bench extract). */
#define DD__P_OWN __attribute__((noinline))
#else
#define DD__P_HOT
#define DD__P_COLD
#define DD__P_OWN
#endif

DD__PRIVATE int dd__is_ows(char c) { return c == ' ' || c == '\t'; }
DD__PRIVATE char dd__lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }
DD__PRIVATE int dd__hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
/* Character classes of the wire grammars, from a table: one load per byte instead of a chain of
 * comparisons on every byte of every header. */
#define DD__C_LHEX 1  /* 0-9 a-f: W3C HEXDIGLC                                   */
#define DD__C_PRINT 2 /* 0x20..0x7E                                              */
#define DD__C_KEY 4   /* x-datadog-tags key: 0x21..0x7E without ',' '=' (R-DD-9) */
#define DD__C_VAL 8   /* x-datadog-tags value: 0x20..0x7E without ','            */
DD__PRIVATE unsigned dd__cclass(char c) {
    static const unsigned char t[256] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 2, 14, 14, 14,
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 14, 14, 10, 14, 14,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 15, 15, 15, 15, 15, 15, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    return t[(unsigned char)c];
}
/*--- private helpers: eight bytes at a time ---*/
/* Eight bytes at a time ("SWAR"): a word's bytes are tested together with carry-free adds.
 * dd__load8 reads in host order (for tests of every byte alike), dd__load8be with s[0] in the
 * high byte (for digits); each is one load, and a byte swap. */
DD__PRIVATE uint64_t dd__load8(const char *s) {
    uint64_t x;
    memcpy(&x, s, 8);
    return x;
}
DD__PRIVATE uint64_t dd__load8be(const char *s) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(dd__load8(s));
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return dd__load8(s);
#else
    const unsigned char *p = (const unsigned char *)s;
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
           (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 | (uint64_t)p[6] << 8 | (uint64_t)p[7];
#endif
}
DD__PRIVATE uint64_t dd__load8le(const char *s) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return dd__load8(s);
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(dd__load8(s));
#else
    const unsigned char *p = (const unsigned char *)s;
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
#endif
}
/* Writes x with its high byte at out[0]. */
DD__PRIVATE void dd__store8be(char *out, uint64_t x) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    x = __builtin_bswap64(x);
    memcpy(out, &x, 8);
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    memcpy(out, &x, 8);
#else
    int i;
    for (i = 7; i >= 0; i--) {
        out[i] = (char)(x & 0xff);
        x >>= 8;
    }
#endif
}
#define DD__B8(c) (0x0101010101010101u * (uint64_t)(c)) /* byte c in every lane */
#if DD__SSE2
DD__PRIVATE DD__P_HOT __m128i dd__load16(const char *s) { return _mm_loadu_si128((const __m128i *)(const void *)s); }
/* The lanes of the 16 bytes at s equal to c, one bit each (s[0] in bit 0). */
DD__PRIVATE DD__P_HOT unsigned dd__eq16(const char *s, char c) {
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(dd__load16(s), _mm_set1_epi8(c)));
}
/* The bytes of s[0..n) (16 <= n <= 64) equal to a, and those equal to b, one bit each (s[0]
 * in bit 0): blocks of 16, the last one overlapping. */
DD__PRIVATE DD__P_HOT void dd__eq64(const char *s, size_t n, char a, char b, uint64_t *ma, uint64_t *mb) {
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
    uint64_t ra = 0, rb = 0;
    size_t i;
    __m128i x;
    for (i = 0; i + 16 < n; i += 16) {
        x = dd__load16(s + i);
        ra |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, va)) << i;
        rb |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vb)) << i;
    }
    x = dd__load16(s + n - 16);
    *ma = ra | (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, va)) << (n - 16);
    *mb = rb | (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vb)) << (n - 16);
}
#endif
/* The 8 lowercase hex digits of x, the last digit in the low byte: its nibbles spread one per
 * lane (halves, then bytes, then nibbles), each lane then made a digit. */
DD__PRIVATE uint64_t dd__hex8(uint32_t x) {
    uint64_t t = x;
    t = (t | (t << 16)) & 0x0000ffff0000ffffu;
    t = (t | (t << 8)) & 0x00ff00ff00ff00ffu;
    t = (t | (t << 4)) & 0x0f0f0f0f0f0f0f0fu;
    /* '0' + t, and 'a' - '0' - 10 more where t >= 10 (t + 6 reaches 16) */
    return t + DD__B8('0') + (((t + DD__B8(6)) >> 4) & DD__B8(1)) * ('a' - '0' - 10);
}
/* The value of the 8 decimal digits of x (the first in the low byte): digit pairs, then the four
 * pairs folded by two multiplications (each product stays inside its lane). *bad gets the high bit
 * of a lane that is not a digit (the value is then junk): t = x - '0' sets it in a lane below '0'
 * (and may borrow from the lane above, caught or not, that lane's own test is not needed then),
 * t + 0x76 in a lane above '9'; without a borrow no lane carries. */
DD__PRIVATE DD__P_HOT uint64_t dd__dec8w(uint64_t x, uint64_t *bad) {
    uint64_t t = x - DD__B8('0');
    *bad |= (t | (t + DD__B8(0x76))) & DD__B8(0x80);
    t = t * 10 + (t >> 8); /* lanes 0, 2, 4, 6: two digits each */
    return (((t & 0x000000ff000000ffu) * (100 + (UINT64_C(1000000) << 32))) +
            (((t >> 16) & 0x000000ff000000ffu) * (1 + (UINT64_C(10000) << 32)))) >> 32;
}
/* Nonzero when some byte of x is below n (n <= 0x80), above n (n <= 0x7f), or equal to c. Only
 * "some byte" is exact: a borrow or carry can also mark a lane above a matching one. */
#define DD__ANY_LT(x, n) (((x) - DD__B8(n)) & ~(x) & DD__B8(0x80))
#define DD__ANY_GT(x, n) ((((x) + DD__B8(0x7f - (n))) | (x)) & DD__B8(0x80))
#define DD__ANY_EQ(x, c) DD__ANY_LT((x) ^ DD__B8(c), 1)
/* 1 when the n >= 8 bytes of s are all printable (PRINT), or also not ',' (VAL), or also neither
 * ' ' nor '=' (KEY): a word at a time, the last one overlapping the one before. */
DD__PRIVATE int dd__print_words(const char *s, size_t n) {
    /* a lane's high bit: in ~(x + 0x60) when it is below 0x20, in x + 1 when above 0x7e, in x
     * when above 0x7f; only a lane caught by x carries into the next one */
    uint64_t bad = 0, x;
    size_t i;
#if DD__SSE2
    if (n >= 16) { /* a signed byte b + 1 is above 0x20 exactly when b is 0x20..0x7E */
        const __m128i one = _mm_set1_epi8(1), lim = _mm_set1_epi8(0x20);
        __m128i ok = _mm_set1_epi8(-1);
        for (i = 0; i + 16 < n; i += 16)
            ok = _mm_and_si128(ok, _mm_cmpgt_epi8(_mm_add_epi8(dd__load16(s + i), one), lim));
        ok = _mm_and_si128(ok, _mm_cmpgt_epi8(_mm_add_epi8(dd__load16(s + n - 16), one), lim));
        return _mm_movemask_epi8(ok) == 0xffff;
    }
#endif
    for (i = 0; i + 8 < n; i += 8) {
        x = dd__load8(s + i);
        bad |= ~(x + DD__B8(0x60)) | (x + DD__B8(0x01)) | x;
    }
    x = dd__load8(s + n - 8);
    bad |= ~(x + DD__B8(0x60)) | (x + DD__B8(0x01)) | x;
    return (bad & DD__B8(0x80)) == 0;
}
DD__PRIVATE int dd__tag_words(const char *s, size_t n, int key) {
    uint64_t bad = 0, x;
    unsigned lo = key ? 0x21 : 0x20, c = key ? 0x3du : 0x2cu; /* '=' or ',' */
    size_t i;
    for (i = 0; i + 8 < n; i += 8) {
        x = dd__load8(s + i);
        bad |= DD__ANY_LT(x, lo) | DD__ANY_GT(x, 0x7e) | DD__ANY_EQ(x, ',') | DD__ANY_EQ(x, c);
    }
    x = dd__load8(s + n - 8);
    bad |= DD__ANY_LT(x, lo) | DD__ANY_GT(x, 0x7e) | DD__ANY_EQ(x, ',') | DD__ANY_EQ(x, c);
    return bad == 0;
}
/* The index of the lowest lane of m with its high bit set (m != 0). */
DD__PRIVATE DD__P_HOT size_t dd__lane(uint64_t m) {
#if defined(__GNUC__)
    return (size_t)(__builtin_ctzll(m) >> 3);
#else
    size_t k = 0;
    while (!((m >> (8 * k)) & 0x80)) k++;
    return k;
#endif
}
/* memchr for the short fields of a header, without a call: the first byte c of s[0..n), or NULL.
 * A word at a time, s[0] in the low lane: DD__ANY_EQ's lowest flagged lane is exact (a borrow only
 * marks lanes above a match). The last word overlaps the one before, its lanes already seen
 * cleared (none matched, so none lent a borrow); under 8 bytes, a byte at a time. `print`: the
 * bytes are known printable (0x20..0x7E), so no lane carries and a lane is c exactly when its xor
 * with c plus 0x7f leaves its high bit clear (one operation less a word): dd__find_print. */
#define DD__FIND_LANES(x, b, print) \
    ((print) ? ~(((x) ^ DD__B8(b)) + DD__B8(0x7f)) & DD__B8(0x80) : DD__ANY_EQ((x), (b)))
DD__PRIVATE DD__P_HOT const char *dd__find_in(const char *s, size_t n, char c, int print) {
    const uint64_t b = (unsigned char)c;
    uint64_t m;
    size_t i;
    if (n < 8) {
        for (i = 0; i < n; i++)
            if (s[i] == c) return s + i;
        return NULL;
    }
#if DD__SSE2
    if (n >= 16) { /* blocks of 16, the last one overlapping: its lanes already seen shifted out */
        unsigned v;
        (void)print;
        (void)b;
        for (i = 0; i + 16 <= n; i += 16)
            if ((v = dd__eq16(s + i, c)) != 0) return s + i + __builtin_ctz(v);
        if (i == n) return NULL;
        v = dd__eq16(s + n - 16, c) >> (i + 16 - n);
        return v ? s + i + __builtin_ctz(v) : NULL;
    }
#endif
    for (i = 0; i + 8 <= n; i += 8) {
        m = DD__FIND_LANES(dd__load8le(s + i), b, print);
        if (m) return s + i + dd__lane(m);
    }
    if (i == n) return NULL;
    m = DD__FIND_LANES(dd__load8le(s + n - 8), b, print) & (~(uint64_t)0 << (8 * (i + 8 - n)));
    return m ? s + n - 8 + dd__lane(m) : NULL;
}
DD__PRIVATE DD__P_HOT const char *dd__find(const char *s, size_t n, char c) { return dd__find_in(s, n, c, 0); }
/* A field that may be long (a tracestate): dd__find with SSE2; else libc's memchr, measured
 * cheaper there than the word loop. */
DD__PRIVATE DD__P_HOT const char *dd__find_long(const char *s, size_t n, char c) {
#if DD__SSE2
    return dd__find_in(s, n, c, 0);
#else
    return n ? (const char *)memchr(s, c, n) : NULL;
#endif
}
DD__PRIVATE DD__P_HOT const char *dd__find_print(const char *s, size_t n, char c) { return dd__find_in(s, n, c, 1); }
/* 1 when each of the n bytes has every class bit of `cls`. */
DD__PRIVATE int dd__all(const char *s, size_t n, unsigned cls) {
    size_t i;
    for (i = 0; i < n; i++)
        if ((dd__cclass(s[i]) & cls) != cls) return 0;
    return 1;
}
/* W3C ids are HEXDIGLC: lowercase only (docs/propagation.md R-W3C-6, following W3C and Python). */
DD__PRIVATE int dd__is_lhex(const char *s, size_t n) { return dd__all(s, n, DD__C_LHEX); }
/* dd__is_lhex(s, 2) without the loop (traceparent's version and flags). */
DD__PRIVATE int dd__is_lhex2(const char *s) { return (dd__cclass(s[0]) & dd__cclass(s[1]) & DD__C_LHEX) != 0; }
/* 16 lowercase hex digits (an id) into *out, eight lanes at once in each half, with the halves
 * side by side so that they share the constants; 0 when one is not (*out is then junk). */
DD__PRIVATE DD__P_HOT int dd__lhex16(const char *s, uint64_t *out) {
    uint64_t x = dd__load8be(s), y = dd__load8be(s + 8); /* the first digit in the high byte */
    uint64_t hi = (x | y) & DD__B8(0x80);
    /* with no high bit set, adding 0x80 - lo sets a lane's high bit when it is >= lo, and
     * 0x7f - hi when it is > hi; no lane carries */
    uint64_t xd = (x + DD__B8(0x80 - '0')) & ~(x + DD__B8(0x7f - '9'));
    uint64_t yd = (y + DD__B8(0x80 - '0')) & ~(y + DD__B8(0x7f - '9'));
    uint64_t xl = (x + DD__B8(0x80 - 'a')) & ~(x + DD__B8(0x7f - 'f'));
    uint64_t yl = (y + DD__B8(0x80 - 'a')) & ~(y + DD__B8(0x7f - 'f'));
    uint64_t u = (x & DD__B8(0x0f)) + ((x >> 6) & DD__B8(1)) * 9; /* bit 0x40: a-f, 10..15 */
    uint64_t v = (y & DD__B8(0x0f)) + ((y >> 6) & DD__B8(1)) * 9;
    u = (u | (u >> 4)) & 0x00ff00ff00ff00ffu; /* pairs of nibbles */
    v = (v | (v >> 4)) & 0x00ff00ff00ff00ffu;
    u = (u | (u >> 8)) & 0x0000ffff0000ffffu;
    v = (v | (v >> 8)) & 0x0000ffff0000ffffu;
    u = (u | (u >> 16)) & 0x00000000ffffffffu;
    v = (v | (v >> 16)) & 0x00000000ffffffffu;
    *out = u << 32 | v;
    return hi == 0 && ((xd | xl) & (yd | yl) & DD__B8(0x80)) == DD__B8(0x80);
}
/* Parses n <= 16 lowercase hex digits into *out; returns 0 when one is not (*out is then junk).
 * Branch-free: the digits' values are or-ed, 16 marks a bad byte. */
DD__PRIVATE int dd__lhex_parse(const char *s, size_t n, uint64_t *out) {
    static const unsigned char val[256] = {
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    };
    uint64_t v = 0;
    unsigned bad = 0;
    size_t i;
    if (n == 16) return dd__lhex16(s, out); /* an id */
    for (i = 0; i < n; i++) {
        unsigned d = val[(unsigned char)s[i]];
        bad |= d;
        v = (v << 4) | (d & 15);
    }
    *out = v;
    return (bad & 16) == 0;
}
/*--- private helpers: text ---*/
/* Trimming, comparison and decimal conversion of caller bytes; no state, no locale. */
DD__PRIVATE void dd__trim_ows(const char **s, size_t *n) {
    while (*n && dd__is_ows((*s)[0])) { (*s)++; (*n)--; }
    while (*n && dd__is_ows((*s)[*n - 1])) (*n)--;
}
/* Values seldom have spaces around them: two compares inline (a byte up to ' ' may be OWS), the
 * loops called when they do. */
DD__PRIVATE DD__P_HOT void dd__trim(const char **s, size_t *n) {
    if (*n && ((unsigned char)(*s)[0] <= ' ' || (unsigned char)(*s)[*n - 1] <= ' ')) dd__trim_ows(s, n);
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
/* Words from 8 bytes on (the last one overlapping), the table loop below. */
DD__PRIVATE int dd__printable(const char *s, size_t n) {
    return n >= 8 ? dd__print_words(s, n) : dd__all(s, n, DD__C_PRINT);
}
DD__PRIVATE const char *dd__memchr(const char *s, size_t n, char c) {
    return n ? (const char *)memchr(s, c, n) : NULL;
}
/* Signed decimal into int32: optional '-', 1..10 digits, in range. */
DD__PRIVATE int dd__parse_i32(const char *s, size_t n, int32_t *out) {
    int neg = 0;
    uint64_t v = 0;
    size_t i;
    if (n == 1 && (unsigned)(s[0] - '0') <= 9) { /* a priority: one digit, mostly */
        *out = s[0] - '0';
        return DD_OK;
    }
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

/* The 8 decimal digits of v < 10^8 as byte values 0..9, the first in the low byte: the halves
 * split in two-digit lanes, then in digits, by multiplying with reciprocals (each exact in its
 * range, and no lane reaches the one above). */
DD__PRIVATE DD__P_HOT uint64_t dd__dec8_lanes(uint32_t v) {
    uint64_t x = (uint64_t)(v / 10000) | (uint64_t)(v % 10000) << 32; /* 4 digits in each half */
    uint64_t q = ((x * 10486) >> 20) & 0x0000007f0000007fu;             /* n / 100 for n < 43699 */
    x = q | (x - q * 100) << 16;                                        /* 2 digits a lane */
    q = ((x * 103) >> 10) & 0x000f000f000f000fu;                        /* n / 10 for n < 179 */
    return q | (x - q * 10) << 8;
}
/* Writes x with its low byte at out[0]. */
DD__PRIVATE void dd__store8le(char *out, uint64_t x) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, &x, 8);
#else
    int i;
    for (i = 0; i < 8; i++) {
        out[i] = (char)(x & 0xff);
        x >>= 8;
    }
#endif
}
/* How many leading digits of a dd__dec8_lanes word are 0 (8 when all are). */
DD__PRIVATE size_t dd__dec8_zeros(uint64_t lanes) {
#if defined(__GNUC__)
    return lanes ? (size_t)(__builtin_ctzll(lanes) >> 3) : 8;
#else
    size_t n = 0;
    while (n < 8 && ((lanes >> (8 * n)) & 0xff) == 0) n++;
    return n;
#endif
}
/* dd_u64_to_dec writing all 21 bytes of `out` (zeros after the NUL): one fixed-size copy. */
DD__PRIVATE size_t dd__dec21(uint64_t v, char out[21]) {
    /* eight digits at a time: v < 10^8 takes one word, others three (10^16 * 1844 is the most) */
    char t[48]; /* digits end at t[24]; the rest is zero so that one fixed-size copy does */
    size_t zeros;
    memset(t + 24, 0, 24);
    if (v < 100000000u) {
        uint64_t w = dd__dec8_lanes((uint32_t)v);
        dd__store8le(t + 16, w + DD__B8('0'));
        zeros = 16 + dd__dec8_zeros(w);
    } else {
        uint64_t hi = v / 100000000u;
        uint64_t w0 = dd__dec8_lanes((uint32_t)(hi / 100000000u));
        uint64_t w1 = dd__dec8_lanes((uint32_t)(hi % 100000000u));
        dd__store8le(t, w0 + DD__B8('0'));
        dd__store8le(t + 8, w1 + DD__B8('0'));
        dd__store8le(t + 16, dd__dec8_lanes((uint32_t)(v % 100000000u)) + DD__B8('0'));
        zeros = w0 ? dd__dec8_zeros(w0) : 8 + dd__dec8_zeros(w1);
    }
    if (zeros > 23) zeros = 23; /* 0 is "0" */
    memcpy(out, t + zeros, 21); /* the digits, the NUL and zeros: 21 bytes fit out */
    return 24 - zeros;
}
/*--- private helpers: builder and fields ---*/
/* dd__sb writes only into its caller's buffer; dd__set_str and dd__set_error write only the fields
 * of the context they are given. */
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
    if (dd__sb_fits(b, 20)) { /* straight into the buffer, NUL included */
        b->len += dd__dec21(v, b->p + b->len);
        return 1;
    }
    return dd__sb_put(b, t, dd__dec21(v, t));
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
    if (!dd__sb_fits(b, 16)) {
        b->over = 1;
        return 0;
    }
    b->len += dd_u64_to_hex16(v, b->p + b->len); /* writes the NUL too */
    return 1;
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
/* Owns the public id codecs; pure functions of their arguments. */

DD_API size_t dd_u64_to_dec(uint64_t v, char out[21]) {
    if (!out) return 0; /* the NULL rule */
    char t[21];
    size_t n = dd__dec21(v, t);
    memcpy(out, t, n + 1);
    return n;
}
DD_API size_t dd_u64_to_hex16(uint64_t v, char out[17]) {
    if (!out) return 0; /* the NULL rule */
    dd__store8be(out, dd__hex8((uint32_t)(v >> 32)));
    dd__store8be(out + 8, dd__hex8((uint32_t)v));
    out[16] = 0;
    return 16;
}
DD_API size_t dd_trace_id_to_hex32(const dd_trace_id *id, char out[33]) {
    if (!id || !out) return 0; /* the NULL rule */
    dd_u64_to_hex16(id->hi, out);
    dd_u64_to_hex16(id->lo, out + 16);
    return 32;
}
/* dd_u64_from_dec for a non-NULL out, inline where extraction reads its decimal ids. */
DD__PRIVATE DD__P_HOT int dd__dec_u64(const char *s, size_t len, uint64_t *out) {
    uint64_t head = 0, rest = 0, bad = 0;
    size_t i, r;
    *out = 0;
    if (!s || len == 0 || len > 20) return DD_ERR_MALFORMED;
    if (len < 8) {
        for (i = 0; i < len; i++) {
            unsigned d = (unsigned)(unsigned char)s[i] - '0'; /* a byte below '0' wraps to a large value */
            if (d > 9) return DD_ERR_MALFORMED;
            rest = rest * 10 + d;
        }
        *out = rest;
        return DD_OK;
    }
    /* Eight digits a word: the r = len % 8 first ones (the head) moved to the end of the first
     * word with '0's before them, then the 8 or 16 after it, without a branch per digit. */
    r = len & 7;
    if (r) head = dd__dec8w((dd__load8le(s) << (8 * (8 - r))) | (DD__B8('0') >> (8 * r)), &bad);
    rest = dd__dec8w(dd__load8le(s + r), &bad);
    if (len >= 16) rest = rest * 100000000u + dd__dec8w(dd__load8le(s + r + 8), &bad);
    if (bad) return DD_ERR_MALFORMED;
    /* no wrap (spec R-DD-1): 20 digits are at most 1844|6744073709551615 */
    if (len == 20 && (head > 1844 || (head == 1844 && rest > UINT64_C(6744073709551615)))) return DD_ERR_MALFORMED;
    *out = head * (len < 16 ? 100000000u : UINT64_C(10000000000000000)) + rest;
    return DD_OK;
}
DD_API int dd_u64_from_dec(const char *s, size_t len, uint64_t *out) {
    if (!out) return DD_ERR_INVALID_ARG; /* the NULL rule */
    return dd__dec_u64(s, len, out);
}
DD_API int dd_u64_from_hex(const char *s, size_t len, uint64_t *out) {
    if (!out) return DD_ERR_INVALID_ARG; /* the NULL rule */
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
    if (!out) return DD_ERR_INVALID_ARG; /* the NULL rule */
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
/* Owns a context's ptags field ("k=v,k=v"); touches only the context it is given. */

/* x-datadog-tags grammar (docs/propagation.md R-DD-9): key 0x21..0x7E without ',' '=';
 * value 0x20..0x7E without ','. */
/* as dd__printable: words from 16 bytes on */
DD__PRIVATE int dd__ptag_key_ok(const char *k, size_t n) {
    return n >= 16 ? dd__tag_words(k, n, 1) : n > 0 && dd__all(k, n, DD__C_KEY);
}
DD__PRIVATE int dd__ptag_val_ok(const char *v, size_t n) {
    return n >= 16 ? dd__tag_words(v, n, 0) : n > 0 && dd__all(v, n, DD__C_VAL);
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
    if (!val || !val_len) return DD_ERR_INVALID_ARG; /* the NULL rule */
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
/* Appends "key=val" (valid, and not in ptags already). */
DD__PRIVATE int dd__ptags_append(dd_trace_context *ctx, const char *key, size_t key_len, const char *val,
                                 size_t val_len) {
    size_t need = ctx->ptags_len + (ctx->ptags_len ? 1 : 0) + key_len + 1 + val_len;
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
/* dd_ptags_set for a key and value already known to be valid. */
DD__PRIVATE int dd__ptags_put(dd_trace_context *ctx, const char *key, size_t key_len, const char *val, size_t val_len) {
    size_t s, e, on, need;
    const char *ov;
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
    return dd__ptags_append(ctx, key, key_len, val, val_len);
}
/* dd__ptags_put for extraction into an emptied context: `lens` has bit kn % 64 set once a key of
 * length kn was put (all set when ptags was not empty), so a key of a new length is appended
 * without a search. */
DD__PRIVATE int dd__ptags_put_new(dd_trace_context *ctx, uint64_t *lens, const char *key, size_t key_len,
                                  const char *val, size_t val_len) {
    uint64_t bit = (uint64_t)1 << (key_len & 63);
    int seen = (*lens & bit) != 0;
    *lens |= bit;
    return seen ? dd__ptags_put(ctx, key, key_len, val, val_len) : dd__ptags_append(ctx, key, key_len, val, val_len);
}
DD_API int dd_ptags_set(dd_trace_context *ctx, const char *key, size_t key_len, const char *val, size_t val_len) {
    if (!ctx || !key || !val || !dd__ptag_key_ok(key, key_len) || !dd__ptag_val_ok(val, val_len))
        return DD_ERR_MALFORMED;
    return dd__ptags_put(ctx, key, key_len, val, val_len);
}

/*--- baggage (docs/http.md §1) ---*/
/* Owns a dd_baggage's items and data; touches only the dd_baggage it is given. */

/* The item holding `key`: its index and the offset of its key in data. */
DD__PRIVATE int dd__bag_find(const dd_baggage *b, const char *key, size_t kn, uint32_t *idx, uint32_t *off) {
    uint32_t i, o = 0;
    for (i = 0; i < b->n && i < DD_BAGGAGE_ITEMS_MAX; i++) {
        if (b->key_len[i] == kn && (kn == 0 || memcmp(b->data + o, key, kn) == 0)) {
            *idx = i;
            *off = o;
            return 1;
        }
        o += (uint32_t)b->key_len[i] + b->value_len[i];
    }
    return 0;
}
DD_API int dd_baggage_get(const dd_baggage *b, const char *key, size_t key_len, const char **val, size_t *val_len) {
    uint32_t i, o;
    if (val) *val = NULL;
    if (val_len) *val_len = 0;
    if (!b || !key || !b->n || !dd__bag_find(b, key, key_len, &i, &o)) return DD_ERR_NOT_FOUND;
    if (val) *val = b->data + o + b->key_len[i];
    if (val_len) *val_len = b->value_len[i];
    return DD_OK;
}
DD__PRIVATE void dd__bag_reverse(char *p, size_t n) {
    size_t i;
    for (i = 0; i < n / 2; i++) {
        char t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}
/* Item i (at byte `off`) takes the key and value written at the end of data (kn + vn bytes after
 * b->len): the old item is cut out and the new bytes rotated into its place, order kept. */
DD__PRIVATE void dd__bag_replace_with_tail(dd_baggage *b, uint32_t i, uint32_t off, size_t kn, size_t vn) {
    size_t old = (size_t)b->key_len[i] + b->value_len[i];
    size_t rest = b->len - off - old, nw = kn + vn;
    memmove(b->data + off, b->data + off + old, rest + nw);
    /* [items after i][new] -> [new][items after i] */
    dd__bag_reverse(b->data + off, rest + nw);
    dd__bag_reverse(b->data + off, nw);
    dd__bag_reverse(b->data + off + nw, rest);
    b->key_len[i] = (uint16_t)kn;
    b->value_len[i] = (uint16_t)vn;
    b->len = (uint32_t)(b->len - old + nw);
}
/* Adds the item whose key and value were written at data + len (kn, vn bytes): a known key is
 * replaced where it stands (last value wins, first position kept). 0 when no item is left. */
DD__PRIVATE int dd__bag_commit_tail(dd_baggage *b, size_t kn, size_t vn) {
    uint32_t i, o;
    if (b->n && dd__bag_find(b, b->data + b->len, kn, &i, &o)) {
        dd__bag_replace_with_tail(b, i, o, kn, vn);
        return 1;
    }
    if (b->n >= DD_BAGGAGE_ITEMS_MAX) return 0;
    b->key_len[b->n] = (uint16_t)kn;
    b->value_len[b->n++] = (uint16_t)vn;
    b->len += (uint32_t)(kn + vn);
    return 1;
}
DD_API int dd_baggage_set(dd_baggage *b, const char *key, size_t key_len, const char *val, size_t val_len) {
    uint32_t i, o;
    if (!b || !key || !key_len || key_len > 0xffff || val_len > 0xffff || (!val && val_len)) return DD_ERR_INVALID_ARG;
    if (b->n > DD_BAGGAGE_ITEMS_MAX || b->len > DD_BAGGAGE_BYTES_MAX) return DD_ERR_INVALID_ARG;
    if (b->n && dd__bag_find(b, key, key_len, &i, &o)) {
        size_t old = b->value_len[i], at = (size_t)o + key_len;
        if (b->len - old + val_len > DD_BAGGAGE_BYTES_MAX) return DD_ERR_LIMIT;
        memmove(b->data + at + val_len, b->data + at + old, b->len - at - old);
        if (val_len) memcpy(b->data + at, val, val_len);
        b->value_len[i] = (uint16_t)val_len;
        b->len = (uint32_t)(b->len - old + val_len);
        return DD_OK;
    }
    if (b->n >= DD_BAGGAGE_ITEMS_MAX || b->len + key_len + val_len > DD_BAGGAGE_BYTES_MAX) return DD_ERR_LIMIT;
    memcpy(b->data + b->len, key, key_len);
    if (val_len) memcpy(b->data + b->len + key_len, val, val_len);
    b->key_len[b->n] = (uint16_t)key_len;
    b->value_len[b->n++] = (uint16_t)val_len;
    b->len += (uint32_t)(key_len + val_len);
    return DD_OK;
}
DD_API int dd_baggage_remove(dd_baggage *b, const char *key, size_t key_len) {
    uint32_t i, o;
    size_t sz;
    if (!b || !key || !b->n || !dd__bag_find(b, key, key_len, &i, &o)) return DD_ERR_NOT_FOUND;
    sz = (size_t)b->key_len[i] + b->value_len[i];
    memmove(b->data + o, b->data + o + sz, b->len - o - sz);
    b->len -= (uint32_t)sz;
    for (; i + 1 < b->n; i++) {
        b->key_len[i] = b->key_len[i + 1];
        b->value_len[i] = b->value_len[i + 1];
    }
    b->n--;
    return DD_OK;
}
DD_API void dd_baggage_clear(dd_baggage *b) {
    if (b) b->n = b->len = 0;
}
DD_API int dd_baggage_next(const dd_baggage *b, dd_baggage_iter *it, const char **key, size_t *key_len,
                           const char **val, size_t *val_len) {
    uint32_t kn, vn;
    if (!b || !it || it->i >= b->n || it->i >= DD_BAGGAGE_ITEMS_MAX) return DD_ERR_NOT_FOUND;
    kn = b->key_len[it->i];
    vn = b->value_len[it->i];
    if ((size_t)it->off + kn + vn > DD_BAGGAGE_BYTES_MAX) return DD_ERR_NOT_FOUND;
    if (key) *key = b->data + it->off;
    if (key_len) *key_len = kn;
    if (val) *val = b->data + it->off + kn;
    if (val_len) *val_len = vn;
    it->off += kn + vn;
    it->i++;
    return DD_OK;
}

/*--- baggage: parsing ---*/
/* dd_baggage_parse: decodes into the caller's dd_baggage within its limits; no allocation. */
/* One UTF-8 step at s (n >= 1 bytes): 1 and *adv = the sequence's length when it is well formed,
 * else 0 and *adv = the length of its maximal ill-formed subpart (Unicode 3.9, the practice of
 * Python's decoder with errors="replace": one U+FFFD each). */
DD__PRIVATE int dd__u8_step(const unsigned char *s, size_t n, size_t *adv) {
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, i;
    if (c < 0x80) { *adv = 1; return 1; }
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *adv = 1;
        return 0;
    }
    for (i = 1; i <= need; i++) {
        unsigned x;
        if (i >= n) { *adv = i; return 0; }
        x = s[i];
        if (i == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xBF)) { *adv = i; return 0; }
    }
    *adv = need + 1;
    return 1;
}
/* Percent-decodes s into base[at..cap) and repairs it to UTF-8 (R-BG-8). Returns the length, or
 * (size_t)-1 when it does not fit. */
DD__PRIVATE size_t dd__bag_decode(char *base, size_t at, size_t cap, const char *s, size_t n) {
    char *d = base + at;
    size_t room = cap - at, i, o = 0, need = 0, adv;
    unsigned high = 0;
    int bad = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int h, l;
        if (c == '%' && i + 2 < n && (h = dd__hexval(s[i + 1])) >= 0 && (l = dd__hexval(s[i + 2])) >= 0) {
            c = (unsigned char)(h << 4 | l);
            i += 2;
        }
        if (o == room) return (size_t)-1;
        d[o++] = (char)c;
        high |= c;
    }
    if (!(high & 0x80)) return o; /* ASCII: nothing to check */
    for (i = 0; i < o; i += adv) {
        int ok = dd__u8_step((const unsigned char *)d + i, o - i, &adv);
        need += ok ? adv : 3;
        bad |= !ok;
    }
    if (!bad) return o;
    if (need > room) return (size_t)-1;
    /* move the bytes to the end of the room and repair them forward into place: the output never
     * catches up with the input, since it grows by at most need - o in all */
    {
        const char *q = d + room - o;
        size_t w = 0;
        memmove(d + room - o, d, o);
        for (i = 0; i < o; i += adv) {
            if (dd__u8_step((const unsigned char *)q + i, o - i, &adv)) {
                memmove(d + w, q + i, adv);
                w += adv;
            } else {
                d[w++] = (char)0xEF;
                d[w++] = (char)0xBF;
                d[w++] = (char)0xBD;
            }
        }
        return w;
    }
}
DD__PRIVATE int dd__is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
/* One list member: 1 stored, 0 malformed, -1 no room left (the data could grow: raw bytes that
 * are not UTF-8 take 3 bytes each once repaired). */
DD__PRIVATE int dd__bag_member(dd_baggage *b, const char *m, size_t mn) {
    const char *semi = dd__memchr(m, mn, ';'), *eq, *k, *v;
    size_t kn, vn, dk, dv;
    if (semi) mn = (size_t)(semi - m); /* W3C properties: dropped (docs/http.md §1.7) */
    eq = dd__memchr(m, mn, '=');
    if (!eq) return 0;
    k = m;
    kn = (size_t)(eq - m);
    v = eq + 1;
    vn = mn - kn - 1;
    dd__trim_ows(&k, &kn);
    dd__trim_ows(&v, &vn);
    if (!kn || !vn) return 0;
    dk = dd__bag_decode(b->data, b->len, DD_BAGGAGE_BYTES_MAX, k, kn);
    if (dk == (size_t)-1) return -1;
    dv = dd__bag_decode(b->data, b->len + dk, DD_BAGGAGE_BYTES_MAX, v, vn);
    if (dv == (size_t)-1) return -1;
    return dd__bag_commit_tail(b, dk, dv) ? 1 : -1;
}
/* A parse over one or more fields, joined with ',' as one list (R-BG-5, R-BG-6). */
typedef struct dd__bagp {
    dd_baggage *b;
    uint32_t max_items, max_bytes, count, total;
    int truncated, stopped, malformed;
} dd__bagp;
DD__PRIVATE uint32_t dd__bag_limit(int64_t v, uint32_t def, uint32_t cap) {
    if (v <= 0) return def;
    return v > (int64_t)cap ? cap : (uint32_t)v;
}
DD__PRIVATE void dd__bagp_init(dd__bagp *p, dd_baggage *b, int64_t max_items, int64_t max_bytes) {
    p->b = b;
    p->max_items = dd__bag_limit(max_items, DD_BAGGAGE_DEFAULT_MAX_ITEMS, DD_BAGGAGE_ITEMS_MAX);
    p->max_bytes = dd__bag_limit(max_bytes, DD_BAGGAGE_DEFAULT_MAX_BYTES, DD_BAGGAGE_BYTES_MAX);
    p->count = p->total = 0;
    p->truncated = p->stopped = p->malformed = 0;
    b->n = b->len = 0;
}
DD__PRIVATE void dd__bagp_feed(dd__bagp *p, const char *s, size_t n) {
    size_t pos = 0, i;
    if (p->stopped || p->malformed || !s) return;
    for (i = 0; i < n && dd__is_ows(s[i]); i++) {}
    if (i == n) return; /* an empty or blank field: nothing (R-BG-5) */
    while (pos <= n) {
        const char *m = s + pos;
        const char *comma = dd__memchr(m, n - pos, ',');
        size_t mn = comma ? (size_t)(comma - m) : n - pos;
        size_t add = mn + (p->count ? 1 : 0);
        int r;
        pos += mn + 1;
        /* the limits first: members past them are never inspected (R-BG-6 step 2) */
        if (p->count >= p->max_items || p->total + add > p->max_bytes) {
            p->truncated = p->stopped = 1;
            return;
        }
        r = dd__bag_member(p->b, m, mn);
        if (r == 0) {
            p->malformed = 1;
            p->b->n = p->b->len = 0; /* R-BG-6 step 6: all or nothing */
            return;
        }
        if (r < 0) {
            p->truncated = p->stopped = 1;
            return;
        }
        p->total += (uint32_t)add;
        p->count++;
    }
}
DD_API int dd_baggage_parse(const char *value, size_t len, uint32_t max_items, uint32_t max_bytes, dd_baggage *out,
                            int *truncated) {
    dd__bagp p;
    if (truncated) *truncated = 0;
    if (!out) return DD_ERR_INVALID_ARG;
    dd__bagp_init(&p, out, max_items, max_bytes);
    if (!value) return len ? DD_ERR_INVALID_ARG : DD_OK;
    dd__bagp_feed(&p, value, len);
    if (truncated) *truncated = p.truncated;
    return p.malformed ? DD_ERR_MALFORMED : DD_OK;
}
/*--- baggage: formatting ---*/
/* dd_baggage_format: writes into the caller's buffer within its limits. */
/* Bytes kept as they are on inject (R-BG-11): bit 0 in a key, bit 1 in a value. */
DD__PRIVATE unsigned dd__bag_safe(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 3;
    switch (c) {
    case '!': case '#': case '$': case '&': case '\'': case '*': case '+': case '-': case '.': case '^':
    case '_': case '`': case '|': case '~': return 3;
    case '(': case ')': case '/': case ':': case '<': case '>': case '?': case '@': case '[': case ']':
    case '{': case '}': return 2;
    default: return 0; /* '%', space, '"', ',', ';', '\\', '=', controls, non-ASCII */
    }
}
DD__PRIVATE size_t dd__bag_enc_len(const char *s, size_t n, unsigned bit) {
    size_t i, e = 0;
    for (i = 0; i < n; i++) e += (dd__bag_safe((unsigned char)s[i]) & bit) ? 1 : 3;
    return e;
}
DD__PRIVATE char *dd__bag_enc(char *o, const char *s, size_t n, unsigned bit) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (dd__bag_safe(c) & bit) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    return o;
}
DD__PRIVATE void dd__trim_ws(const char **s, size_t *n) {
    while (*n && dd__is_ws(**s)) { (*s)++; (*n)--; }
    while (*n && dd__is_ws((*s)[*n - 1])) (*n)--;
}
DD_API size_t dd_baggage_format(const dd_baggage *b, uint32_t max_items, uint32_t max_bytes, char *out, size_t cap,
                                int *truncated) {
    dd_baggage_iter it = {0, 0};
    const char *k, *v;
    size_t kn, vn, len = 0;
    uint32_t count = 0;
    uint32_t mi = dd__bag_limit(max_items, DD_BAGGAGE_DEFAULT_MAX_ITEMS, DD_BAGGAGE_ITEMS_MAX);
    uint32_t mb = dd__bag_limit(max_bytes, DD_BAGGAGE_DEFAULT_MAX_BYTES, DD_BAGGAGE_BYTES_MAX);
    if (truncated) *truncated = 0;
    if (out && cap) out[0] = 0;
    if (!b || !out || !cap) return 0;
    while (dd_baggage_next(b, &it, &k, &kn, &v, &vn) == DD_OK) {
        size_t ek, ev, add;
        char *o;
        dd__trim_ws(&k, &kn); /* R-BG-12 */
        dd__trim_ws(&v, &vn);
        if (!kn || !vn) continue; /* a peer would drop the whole header for it (R-BG-6) */
        if (count >= mi) { /* R-BG-13 */
            if (truncated) *truncated = 1;
            break;
        }
        ek = dd__bag_enc_len(k, kn, 1);
        ev = dd__bag_enc_len(v, vn, 2);
        add = ek + 1 + ev + (count ? 1 : 0);
        if (len + add > mb || len + add + 1 > cap) { /* stop at the first that does not fit */
            if (truncated) *truncated = 1;
            break;
        }
        o = out + len;
        if (count) *o++ = ',';
        o = dd__bag_enc(o, k, kn, 1);
        *o++ = '=';
        o = dd__bag_enc(o, v, vn, 2);
        len = (size_t)(o - out);
        count++;
    }
    out[len] = 0;
    return len;
}

/*--- carriers ---*/
/* Owns the built-in carriers' callbacks; may call the caller's reader/writer callbacks and, for
 * the environment reader without a getenv_fn, libc getenv. */

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
        /* the length first: most names differ in it, and dd__ieq is a call */
        if (x->name_len == kn && x->name && dd__ieq(x->name, kn, key, kn)) {
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
        if (h->items[i].name_len == kn && h->items[i].name && dd__ieq(h->items[i].name, kn, key, kn)) {
            at = i;
            break;
        }
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
    if (!h) return; /* the NULL rule */
    h->items = items;
    h->n = 0;
    h->cap = items ? cap : 0;
    h->buf = buf;
    h->buf_len = 0;
    h->buf_cap = buf ? buf_cap : 0;
}
DD_API void dd_headers_reader(dd_carrier_reader *r, const dd_headers *h) {
    if (!r) return; /* the NULL rule */
    r->self = (void *)(uintptr_t)h; /* read only: the reader never writes through it */
    r->get = dd__headers_get;
    r->get_nth = dd__headers_get_nth;
}
DD_API void dd_headers_writer(dd_carrier_writer *w, dd_headers *h) {
    if (!w) return; /* the NULL rule */
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
    if (!r) return; /* the NULL rule */
    r->self = c;
    r->get = dd__cstr_get;
    r->get_nth = NULL;
}
DD_API void dd_cstr_carrier_writer(dd_carrier_writer *w, dd_cstr_carrier *c) {
    if (!w) return; /* the NULL rule */
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
    if (!r) return; /* the NULL rule */
    r->self = src;
    r->get = dd__env_get;
    r->get_nth = NULL;
}
DD_API void dd_env_block_init(dd_env_block *e, char **envp, size_t envp_cap, char *buf, size_t buf_cap) {
    if (!e) return; /* the NULL rule */
    e->envp = envp;
    e->n = 0;
    e->cap = envp ? envp_cap : 0;
    e->buf = buf;
    e->buf_len = 0;
    e->buf_cap = buf ? buf_cap : 0;
    if (e->cap) envp[0] = NULL;
}
DD_API void dd_env_block_writer(dd_carrier_writer *w, dd_env_block *e) {
    if (!w) return; /* the NULL rule */
    w->self = e;
    w->set = dd__env_set;
}

/*--- configuration ---*/
/* Owns dd_propagation_config; only dd_propagation_config_from_env reads the environment (through
 * its getenv_fn) and logs (log_fn). */

DD_API const char *dd_style_name(int style) {
    switch (style) {
    case DD_STYLE_DATADOG: return "datadog";
    case DD_STYLE_TRACECONTEXT: return "tracecontext";
    case DD_STYLE_B3MULTI: return "b3multi";
    case DD_STYLE_B3: return "b3";
    case DD_STYLE_XRAY: return "xray";
    case DD_STYLE_BAGGAGE: return "baggage";
    case DD_STYLE_NONE: return "none";
    default: return "";
    }
}
DD_API void dd_propagation_config_default(dd_propagation_config *cfg) {
    if (!cfg) return; /* the NULL rule */
    memset(cfg, 0, sizeof *cfg);
    cfg->extract_styles[0] = cfg->inject_styles[0] = DD_STYLE_DATADOG;
    cfg->extract_styles[1] = cfg->inject_styles[1] = DD_STYLE_TRACECONTEXT;
    cfg->extract_styles[2] = cfg->inject_styles[2] = DD_STYLE_BAGGAGE;
    cfg->n_extract = cfg->n_inject = 3;
    cfg->x_datadog_tags_max_length = DD_X_DATADOG_TAGS_DEFAULT_MAX;
    cfg->baggage_max_items = DD_BAGGAGE_DEFAULT_MAX_ITEMS;
    cfg->baggage_max_bytes = DD_BAGGAGE_DEFAULT_MAX_BYTES;
}
/* 0: unknown name, else DD_STYLE_*. */
DD__PRIVATE int dd__style_from_name(const char *s, size_t n) {
    if (dd__ieq(s, n, DD__LIT("datadog"))) return DD_STYLE_DATADOG;
    if (dd__ieq(s, n, DD__LIT("tracecontext"))) return DD_STYLE_TRACECONTEXT;
    if (dd__ieq(s, n, DD__LIT("b3multi"))) return DD_STYLE_B3MULTI;
    if (dd__ieq(s, n, DD__LIT("b3"))) return DD_STYLE_B3;
    if (dd__ieq(s, n, DD__LIT("b3 single header"))) return DD_STYLE_B3;
    if (dd__ieq(s, n, DD__LIT("xray"))) return DD_STYLE_XRAY;
    if (dd__ieq(s, n, DD__LIT("none"))) return DD_STYLE_NONE;
    if (dd__ieq(s, n, DD__LIT("baggage"))) return DD_STYLE_BAGGAGE;
    return 0;
}
DD_API int dd_propagation_parse_styles(const char *s, size_t len, int *styles, int *n) {
    if (!styles || !n) return DD_ERR_INVALID_ARG; /* the NULL rule */
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
/* Removes `style` from both lists (a zeroed list is the default one: made explicit first). */
DD__PRIVATE void dd__drop_style(dd_propagation_config *cfg, int style) {
    int d, j, k;
    for (d = 0; d < 2; d++) {
        int *st = d ? cfg->inject_styles : cfg->extract_styles;
        int *n = d ? &cfg->n_inject : &cfg->n_extract;
        if (*n <= 0) {
            st[0] = DD_STYLE_DATADOG;
            st[1] = DD_STYLE_TRACECONTEXT;
            st[2] = DD_STYLE_BAGGAGE;
            *n = 3;
        }
        for (j = k = 0; j < *n && j < DD_STYLES_MAX; j++)
            if (st[j] != style) st[k++] = st[j];
        if (k == 0) st[k++] = DD_STYLE_NONE; /* nothing left: that direction is off */
        *n = k;
    }
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
    {
        static const char *const bl[] = {"DD_TRACE_BAGGAGE_MAX_ITEMS", "DD_TRACE_BAGGAGE_MAX_BYTES"};
        int off = 0;
        for (i = 0; i < 2; i++) {
            int32_t *dst = i ? &cfg->baggage_max_bytes : &cfg->baggage_max_items;
            int64_t x = 0;
            int neg = 0;
            uint64_t u;
            size_t n;
            const char *s;
            v = getenv_fn(user, bl[i]);
            if (!v || !v[0]) continue;
            s = v;
            n = strlen(v);
            dd__trim(&s, &n);
            if (n && s[0] == '-') {
                neg = 1;
                s++;
                n--;
            }
            if (dd_u64_from_dec(s, n, &u) != DD_OK || u > 0x7fffffff) {
                rc = DD_ERR_MALFORMED;
                dd__log3(log_fn, user, DD_LOG_WARN, bl[i], ": not a count, ignored: ", v, strlen(v));
                continue;
            }
            x = neg ? -(int64_t)u : (int64_t)u;
            if (x <= 0 || (i && x < 3)) off = 1; /* as dd-trace-cpp: no room for one member */
            else *dst = (int32_t)x;
        }
        if (off) dd__drop_style(cfg, DD_STYLE_BAGGAGE);
    }
    v = getenv_fn(user, "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT");
    if (v && v[0]) {
        const char *s = v;
        size_t n = strlen(v);
        dd__trim(&s, &n);
        if (dd__ieq(s, n, DD__LIT("continue"))) cfg->extract_behavior = DD_EXTRACT_CONTINUE;
        else if (dd__ieq(s, n, DD__LIT("restart"))) cfg->extract_behavior = DD_EXTRACT_RESTART;
        else if (dd__ieq(s, n, DD__LIT("ignore"))) cfg->extract_behavior = DD_EXTRACT_IGNORE;
        else {
            rc = DD_ERR_MALFORMED;
            dd__log3(log_fn, user, DD_LOG_WARN, "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT",
                     ": not continue, restart or ignore, ignored: ", v, strlen(v));
        }
    }
    return rc;
}

/*--- what dd_extract reads from ---*/
/* Owns dd__src: the carrier's fields by slot; calls the carrier's get/get_nth callbacks. */

/* The fields dd_extract reads, by slot. */
enum {
    DD__H_TRACE_ID, DD__H_PARENT_ID, DD__H_PRIORITY, DD__H_ORIGIN, DD__H_TAGS, DD__H_TRACEPARENT,
    DD__H_TRACESTATE, DD__H_B3_TRACEID, DD__H_B3_SPANID, DD__H_B3_SAMPLED, DD__H_B3, DD__H_XRAY, DD__H_BAGGAGE,
    DD__H_N
};
DD__PRIVATE const char *dd__hname(int slot, size_t *n) {
    static const char *const names[DD__H_N] = {
        "x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority", "x-datadog-origin",
        "x-datadog-tags", "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "b3",
        "x-amzn-trace-id", "baggage"};
    static const unsigned char lens[DD__H_N] = {18, 19, 27, 16, 14, 11, 10, 12, 11, 12, 2, 15, 7};
    *n = lens[slot];
    return names[slot];
}
/* 1 when the 8 bytes of s at `off` are those of `want` in any case. `want` holds only a-z 0-9
 * '-', where bit 0x40 marks the letters: a word or-ed with their 0x20 bits equals want's exactly
 * when each byte is the letter in either case, or the same other byte. With `want` a literal the
 * compiler makes both of its words constants: a load, an or and a compare. */
DD__PRIVATE DD__P_HOT int dd__iw(const char *s, const char *want, size_t off) {
    uint64_t x = dd__load8(s + off), w = dd__load8(want + off);
    return (x | ((w & 0x4040404040404040u) >> 1)) == w;
}
/* The slot of a field name (any case), or DD__H_N: the length and one byte pick the only
 * candidate, its words (the last one overlapping) confirm it. */
DD__PRIVATE int dd__hslot(const char *name, size_t n) {
#define DD__HW2(w, o1, slot) ((dd__iw(name, w, 0) & dd__iw(name, w, o1)) ? (slot) : DD__H_N)
    switch (n) {
    case 2: return dd__ieq(name, n, DD__LIT("b3")) ? DD__H_B3 : DD__H_N;
    case 7: return dd__ieq(name, n, DD__LIT("baggage")) ? DD__H_BAGGAGE : DD__H_N;
    case 10: return DD__HW2("tracestate", 2, DD__H_TRACESTATE);
    case 11:
        return (name[0] | 0x20) == 't' ? DD__HW2("traceparent", 3, DD__H_TRACEPARENT)
                                       : DD__HW2("x-b3-spanid", 3, DD__H_B3_SPANID);
    case 12:
        return (name[5] | 0x20) == 't' ? DD__HW2("x-b3-traceid", 4, DD__H_B3_TRACEID)
                                       : DD__HW2("x-b3-sampled", 4, DD__H_B3_SAMPLED);
    case 14: return DD__HW2("x-datadog-tags", 6, DD__H_TAGS);
    case 15: return DD__HW2("x-amzn-trace-id", 7, DD__H_XRAY);
    case 16: return DD__HW2("x-datadog-origin", 8, DD__H_ORIGIN);
    case 18: return dd__iw(name, "x-datadog-trace-id", 10) ? DD__HW2("x-datadog-trace-id", 8, DD__H_TRACE_ID) : DD__H_N;
    case 19: return dd__iw(name, "x-datadog-parent-id", 11) ? DD__HW2("x-datadog-parent-id", 8, DD__H_PARENT_ID) : DD__H_N;
    case 27:
        return (dd__iw(name, "x-datadog-sampling-priority", 16) & dd__iw(name, "x-datadog-sampling-priority", 19))
                   ? DD__HW2("x-datadog-sampling-priority", 8, DD__H_PRIORITY)
                   : DD__H_N;
    default: return DD__H_N;
    }
#undef DD__HW2
}
/* The caller's reader; for the built-in dd_headers reader also the first field of each name,
 * found in one pass over the array (dd__src_init) instead of one scan of it per lookup. */
typedef struct dd__src {
    const dd_carrier_reader *r;
    const dd_headers *h;          /* NULL: ask r by name */
    unsigned seen, more;          /* with h: bit `slot` when the slot has a field / a second one */
    const char *v[DD__H_N];       /* with h and `seen`: the value of the slot's first field (may be NULL) */
    size_t vn[DD__H_N];           /* its length */
} dd__src;
DD__PRIVATE void dd__src_init(dd__src *src, const dd_carrier_reader *r) {
    const dd_headers *h = (const dd_headers *)r->self;
    size_t i;
    unsigned seen = 0, more = 0;
    src->r = r;
    src->h = NULL;
    if (r->get != dd__headers_get || r->get_nth != dd__headers_get_nth || !h) return;
    src->h = h;
    for (i = 0; i < h->n; i++) {
        const dd_header *x = &h->items[i];
        unsigned bit;
        int s;
        if (!x->name) continue; /* dd__headers_get_nth skips it too */
        s = dd__hslot(x->name, x->name_len);
        if (s == DD__H_N) continue;
        bit = 1u << s;
        more |= seen & bit;
        if (seen & bit) continue;
        seen |= bit;
        src->v[s] = x->value; /* NULL is read back as "" (dd__src_nth, dd__src_get) */
        src->vn[s] = x->value_len;
    }
    src->seen = seen;
    src->more = more;
}
/* Without h: the caller's reader asked for the slot's name, as dd__get_nth (the index-th field,
 * through get_nth when it has one) or, with by_get, as dd__get (through get). dd_extract has
 * checked r and r->get, so unlike those two no pointer is tested again. */
DD__PRIVATE DD__P_HOT const char *dd__src_ask(const dd__src *src, int slot, size_t index, int by_get, size_t *vn) {
    const dd_carrier_reader *r = src->r;
    size_t kn;
    const char *key = dd__hname(slot, &kn), *v;
    *vn = 0;
    if (!by_get && r->get_nth) {
        v = r->get_nth(r->self, key, kn, index, vn);
    } else {
        if (index) return NULL; /* one value per name: no call */
        v = r->get(r->self, key, kn, vn);
    }
    if (!v) *vn = 0;
    return v;
}
/* With h: 1 when the slot has a field. */
DD__PRIVATE int dd__src_has(const dd__src *src, int slot) { return (src->seen >> slot) & 1u; }
/* As dd__get_nth(r, name of `slot`, index, vn). */
DD__PRIVATE DD__P_HOT const char *dd__src_nth(const dd__src *src, int slot, size_t index, size_t *vn) {
    if (src->h) {
        unsigned bit = 1u << slot;
        if (index == 0 && (src->seen & bit)) {
            *vn = src->v[slot] ? src->vn[slot] : 0; /* as dd__headers_get_nth */
            return src->v[slot] ? src->v[slot] : "";
        }
        if (!(src->more & bit)) {
            *vn = 0;
            return NULL;
        }
    }
    return dd__src_ask(src, slot, index, 0, vn);
}
/* As dd__get(r, name of `slot`, vn). */
DD__PRIVATE DD__P_HOT const char *dd__src_get(const dd__src *src, int slot, size_t *vn) {
    if (src->h) {
        if (!dd__src_has(src, slot)) {
            *vn = 0;
            return NULL;
        }
        *vn = src->v[slot] ? src->vn[slot] : 0; /* as dd__headers_get_nth */
        return src->v[slot] ? src->v[slot] : "";
    }
    return dd__src_ask(src, slot, 0, 1, vn);
}

/*--- datadog style (docs/propagation.md §3) ---*/
/* Fills a dd_trace_context from x-datadog-*; reads the carrier through dd__src only. */

DD__PRIVATE void dd__zero_ctx(dd_trace_context *c) {
    memset(c, 0, offsetof(dd_trace_context, baggage)); /* not the 16 KB of baggage data */
    c->baggage.n = c->baggage.len = 0;
    c->sampling_priority = DD_PRIORITY_UNSET;
}
/* dd__zero_ctx for dd_extract, before each style: zeroing all 3.7 KB cost more than parsing. The
 * strings are only emptied (length 0, NUL first), since no reader looks past a string's NUL or
 * length (the bindings, dd_lambda.h and dd_trace.h read lengths or C strings), and no link is
 * counted (dd_extract writes the links it keeps whole). A failed extraction still zeroes it all. */
DD__PRIVATE void dd__clear_ctx(dd_trace_context *c) {
    c->trace_id.hi = c->trace_id.lo = 0;
    c->parent_id = 0;
    c->sampling_priority = DD_PRIORITY_UNSET;
    c->origin_len = 0;
    c->origin[0] = 0;
    c->ptags_len = 0;
    c->ptags[0] = 0;
    c->tracestate_len = 0;
    c->tracestate[0] = 0;
    c->dd_member_extra_len = 0;
    c->dd_member_extra[0] = 0;
    c->has_w3c_parent = 0;
    c->w3c_parent_id = 0;
    c->propagation_error[0] = 0;
    c->n_links = 0;
    c->dropped = 0;
    c->last_parent_id[0] = 0;
    c->style = 0;
    c->ptags_lost = 0;
}
DD__PRIVATE int dd__set_origin(dd_trace_context *c, const char *s, size_t n) {
    /* printable ASCII only: an origin is re-sent as a header value, never a CR or LF */
    if (n < 8) { /* the usual short one ("rum"): byte loops, no calls */
        unsigned ok = DD__C_PRINT;
        size_t i;
        for (i = 0; i < n; i++) ok &= dd__cclass(s[i]);
        if (!ok) {
            c->dropped++;
            return 0;
        }
        for (i = 0; i < n; i++) c->origin[i] = s[i];
        c->origin[n] = 0;
        c->origin_len = (uint32_t)n;
        return 1;
    }
    if (!dd__printable(s, n)) {
        c->dropped++;
        return 0;
    }
    return dd__set_str(c->origin, sizeof c->origin, &c->origin_len, s, n, &c->dropped);
}
/* A valid header has at most 128 tags: each takes 3 bytes ("k=v") and a comma, in 512. */
#define DD__XTAGS_MAX ((DD_PTAGS_MAX + 1) / 4)
/* dd__ptags_put_new of a "key=value" pair of kn + 1 + vn = pn bytes: a key of a new length is
 * appended with one copy. */
DD__PRIVATE int dd__ptags_put_pair(dd_trace_context *ctx, uint64_t *lens, const char *pair, size_t kn, size_t pn) {
    uint64_t bit = (uint64_t)1 << (kn & 63);
    size_t len = ctx->ptags_len, need = len + (len ? 1 : 0) + pn;
    if (*lens & bit) return dd__ptags_put(ctx, pair, kn, pair + kn + 1, pn - kn - 1);
    *lens |= bit;
    if (need > DD_PTAGS_MAX) return DD_ERR_LIMIT;
    if (len) ctx->ptags[len++] = ',';
    memcpy(ctx->ptags + len, pair, pn);
    ctx->ptags[need] = 0;
    ctx->ptags_len = (uint32_t)need;
    return DD_OK;
}
/* The first k tags of a validated x-datadog-tags header s (their '=' at eq_at, ends at end_at),
 * every one a _dd.p.* tag kept as it came, put into c one by one. */
DD__PRIVATE DD__P_COLD void dd__xtags_put_first(dd_trace_context *c, uint64_t *lens, const char *s,
                                                const uint16_t *eq_at, const uint16_t *end_at, size_t k) {
    size_t i, pos;
    for (i = 0, pos = 0; i < k; pos = (size_t)end_at[i++] + 1)
        if (dd__ptags_put_pair(c, lens, s + pos, eq_at[i] - pos, end_at[i] - pos) != DD_OK) c->dropped++;
}
/* A byte of an x-datadog-tags header at `at` that may be '=', ' ' or ',' (the check's flagged
 * lanes): the tag's first '=' noted, a tag ended at ','. 0 when it makes the header malformed (a
 * ' ' in a key, a tag without '=', an empty key or value, too many tags). */
DD__PRIVATE DD__P_HOT int dd__xtags_sep(char ch, size_t at, size_t n, size_t *eq, size_t *start, size_t *k,
                                        uint16_t *eq_at, uint16_t *end_at) {
    if (ch == '=') {
        if (*eq == n) *eq = at; /* the tag's first '=' */
    } else if (ch == ' ') {
        if (*eq == n) return 0; /* in the key */
    } else if (ch == ',') {
        if (*eq == n || *eq == *start || *eq + 1 == at || *k == DD__XTAGS_MAX) return 0;
        eq_at[*k] = (uint16_t)*eq;
        end_at[(*k)++] = (uint16_t)at;
        *start = at + 1;
        *eq = n;
    }
    return 1;
}
DD__PRIVATE DD__P_OWN void dd__decode_xdatadog_tags(dd_trace_context *c, const char *s, size_t n) {
    uint16_t eq_at[DD__XTAGS_MAX], end_at[DD__XTAGS_MAX]; /* each tag's '=' and end, from the check */
    size_t pos = 0, i, k = 0, start = 0, eq = n; /* the tag's start and first '=' (n: none yet) */
    uint64_t lens = c->ptags_len ? ~(uint64_t)0 : 0; /* see dd__ptags_put_new */
    uint64_t bad = 0, vlens = 0;
    /* while every tag is kept as it came, each key once, into an empty ptags: nothing is put
     * yet, the header is copied whole at the end (vlens: the key lengths seen, as lens) */
    int verbatim = c->ptags_len == 0;
    char pad[8];
    const char *w = s; /* what the words are read from */
    if (n > DD_PTAGS_MAX) { /* R-DD-9: 512 is accepted, 513 is not */
        dd__set_error(c, DD__LIT("extract_max_size"), NULL, 0);
        return;
    }
    if (n == 0) return;
    /* Validate the whole header first: a malformed one drops every tag (R-DD-9). The split is
     * kept for the second pass. Each byte is in a key, a value or a separator, so the grammar's
     * classes (dd__ptag_key_ok, dd__ptag_val_ok) come down to: all printable; a key (up to its
     * tag's first '=') of 1+ bytes without ' '; a value of 1+ bytes. One pass, a word at a time
     * (the last one overlapping, its lanes already seen cleared; a header under 8 bytes copied
     * into a padded word): the printable test, and the lanes that may be ',', '=' or ' ' (below
     * '-', or '=', or above one of them after a borrow: each flagged byte is read to tell). */
#if DD__SSE2
    if (n >= 16) { /* 16 lanes a block: exact compares, the flagged lanes read as below */
        const __m128i one = _mm_set1_epi8(1), lim = _mm_set1_epi8(0x20), dash = _mm_set1_epi8('-');
        const __m128i eqs = _mm_set1_epi8('=');
        __m128i ok = _mm_set1_epi8(-1);
        while (pos < n) {
            size_t base = n - pos >= 16 ? pos : n - 16;
            __m128i x = dd__load16(s + base);
            unsigned m;
            ok = _mm_and_si128(ok, _mm_cmpgt_epi8(_mm_add_epi8(x, one), lim)); /* as dd__print_words */
            /* below '-' (signed: bytes from 0x80 too, which are not printable) or '=' */
            m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpgt_epi8(dash, x), _mm_cmpeq_epi8(x, eqs)));
            m &= ~0u << (pos - base);
            pos = base + 16;
            for (; m; m &= m - 1) {
                size_t at = base + (size_t)__builtin_ctz(m);
                if (!dd__xtags_sep(s[at], at, n, &eq, &start, &k, eq_at, end_at)) goto malformed;
            }
        }
        if (_mm_movemask_epi8(ok) != 0xffff) goto malformed;
        pos = n;
    }
#endif
    if (n < 8) {
        memset(pad, 'a', sizeof pad);
        memcpy(pad, s, n);
        w = pad;
    }
    while (pos < n) {
        size_t base = n < 8 || n - pos >= 8 ? pos : n - 8;
        uint64_t x = dd__load8le(w + base), m;
        bad |= ~(x + DD__B8(0x60)) | (x + DD__B8(0x01)) | x;
        /* ',' and ' ' are below '-'. In a word of printable bytes no lane carries: a lane is
         * below '-' when adding 0x53 leaves its high bit clear, and is '=' when its xor with
         * '=' plus 0x7f does. A word with another byte makes the header malformed (`bad`),
         * whatever its flagged lanes did before. */
        m = ~((x + DD__B8(0x80 - '-')) & ((x ^ DD__B8('=')) + DD__B8(0x7f))) & DD__B8(0x80);
        if (pos != base) m &= ~(uint64_t)0 << (8 * (pos - base));
        pos = base + 8;
        while (m) {
            size_t at = base + dd__lane(m);
            m &= m - 1;
            if (at >= n) break; /* the padding */
            if (!dd__xtags_sep(w[at], at, n, &eq, &start, &k, eq_at, end_at)) goto malformed;
        }
    }
    if ((bad & DD__B8(0x80)) || eq == n || eq == start || eq + 1 == n || k == DD__XTAGS_MAX) goto malformed;
    eq_at[k] = (uint16_t)eq;
    end_at[k++] = (uint16_t)n;
    for (i = 0, pos = 0; i < k; pos = (size_t)end_at[i++] + 1) {
        const char *key = s + pos, *v = s + eq_at[i] + 1;
        size_t kn = eq_at[i] - pos, vn = end_at[i] - eq_at[i] - 1u;
        int keep; /* 1: put the tag, 0: skip it, -1: remove the key */
        /* only _dd.p.* propagate; a key of 7+ bytes has its '=' and a value byte after it, so
         * its first 8 bytes can be read as a word (a literal's word is a constant) */
        keep = kn > 6 && (dd__load8le(key) & 0xffffffffffffu) == (dd__load8le("_dd.p.__") & 0xffffffffffffu);
        if (keep && kn == 9 && dd__load8le(key) == dd__load8le("_dd.p.ti") && key[8] == 'd') {
            /* R-DD-10: exactly 16 lowercase hex, else discarded with an error tag */
            uint64_t hi;
            if (vn != 16 || !dd__lhex16(v, &hi)) {
                dd__set_error(c, DD__LIT("malformed_tid"), v, vn);
                keep = 0;
            } else {
                c->trace_id.hi = hi;
                if (hi == 0) keep = -1; /* "high bits zero" (C++, Go): a 64-bit trace, no tag */
            }
        }
        if (verbatim) {
            uint64_t bit = (uint64_t)1 << (kn & 63);
            if (keep == 1 && !(vlens & bit)) {
                vlens |= bit;
                continue;
            }
            /* this tag changes the header: the tags before it go in one by one */
            verbatim = 0;
            dd__xtags_put_first(c, &lens, s, eq_at, end_at, i);
        }
        if (keep < 0) dd_ptags_remove(c, key, kn);
        if (keep <= 0) continue;
        if (dd__ptags_put_pair(c, &lens, key, kn, kn + 1 + vn) != DD_OK) c->dropped++; /* validated above */
    }
    if (verbatim) { /* every tag kept as it came, each key once: ptags is the header (n <= 512) */
        memcpy(c->ptags, s, n);
        c->ptags[n] = 0;
        c->ptags_len = (uint32_t)n;
    }
    return;
malformed:
    dd__set_error(c, DD__LIT("decoding_error"), NULL, 0);
}
DD__PRIVATE int dd__extract_datadog(const dd__src *r, dd_trace_context *c) {
    const char *v;
    size_t n;
    int has_origin;
    v = dd__src_get(r, DD__H_TRACE_ID, &n);
    if (!v) return DD_ERR_NOT_FOUND;
    dd__trim(&v, &n); /* R-DD-3 */
    if (dd__dec_u64(v, n, &c->trace_id.lo) != DD_OK || c->trace_id.lo == 0) return DD_ERR_MALFORMED;
    v = dd__src_get(r, DD__H_ORIGIN, &n);
    has_origin = v && n > 0;
    if (has_origin) dd__set_origin(c, v, n); /* verbatim: R-DD-8 */
    v = dd__src_get(r, DD__H_PARENT_ID, &n);
    if (v) {
        dd__trim(&v, &n);
        if (dd__dec_u64(v, n, &c->parent_id) != DD_OK) return DD_ERR_MALFORMED; /* R-DD-5 */
    } else if (!has_origin) {
        return DD_ERR_MALFORMED; /* R-DD-7; with an origin it is synthetics, R-DD-6 */
    }
    v = dd__src_get(r, DD__H_PRIORITY, &n);
    if (v) {
        dd__trim(&v, &n);
        if (dd__parse_i32(v, n, &c->sampling_priority) != DD_OK) return DD_ERR_MALFORMED;
    }
    v = dd__src_get(r, DD__H_TAGS, &n);
    if (v) dd__decode_xdatadog_tags(c, v, n);
    return DD_OK;
}

/*--- tracecontext style (docs/propagation.md §4) ---*/
/* Fills a dd_trace_context from traceparent/tracestate; reads the carrier through dd__src only. */

/* Walks the members of every tracestate field in order (R-HDR-4), trimmed, empty ones skipped. */
typedef struct dd__ts_iter {
    const dd__src *r;
    size_t field;
    const char *v;
    size_t n, pos;
    int done;
} dd__ts_iter;
DD__PRIVATE DD__P_HOT int dd__ts_next(dd__ts_iter *it, const char **m, size_t *mn) {
    while (!it->done) {
        if (!it->v || it->pos > it->n) {
            it->v = dd__src_nth(it->r, DD__H_TRACESTATE, it->field++, &it->n);
            it->pos = 0;
            if (!it->v || it->field > 1024) { it->done = 1; return 0; }
            continue;
        }
        {
            const char *t = it->v + it->pos;
            const char *comma = dd__find_long(t, it->n - it->pos, ',');
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
/* 1 when none of the n bytes is ' ' or '=' (a tracestate t.* key, printable already). */
DD__PRIVATE int dd__no_sp_eq(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] == ' ' || s[i] == '=') return 0;
    return 1;
}
/* Appends a foreign member to ts (DD_TRACESTATE_MAX + 1 bytes, comma-joined, NUL-terminated):
 * 0, or -1 when it does not fit (ts unchanged: the caller counts the drop). */
DD__PRIVATE int dd__ts_append(char *ts, uint32_t *ts_len, const char *m, size_t mn) {
    uint32_t len = *ts_len;
    size_t need = len + (len ? 1 : 0) + mn;
    if (need > DD_TRACESTATE_MAX) return -1;
    if (len) ts[len++] = ',';
    memcpy(ts + len, m, mn);
    *ts_len = (uint32_t)need;
    ts[need] = 0;
    return 0;
}
/* Tracestate value escaping undone (R-W3C-10): '~' stands for '='. */
DD__PRIVATE void dd__tilde_to_eq(char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] == '~') s[i] = '=';
}
#define DD__DD_MEMBER_MAX 256 /* the whole "dd=..." member: R-W3C-11, R-W3C-19 */
#define DD__TRACESTATE_MEMBERS_MAX 32
#if DD__SSE2
/* Lanes of nibbles 0..15 as their lowercase hex digits. */
DD__PRIVATE DD__P_HOT __m128i dd__hexdig16(__m128i d) {
    __m128i af = _mm_and_si128(_mm_cmpgt_epi8(d, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10));
    return _mm_add_epi8(_mm_add_epi8(d, _mm_set1_epi8('0')), af);
}
/* 1 when s holds the 16 lowercase hex digits of x and t those of y (as dd_u64_to_hex16 writes
 * them): both ids' bytes in one block, first byte first, split into high and low nibbles and
 * interleaved, each half then the 16 digits of one id. */
DD__PRIVATE DD__P_HOT int dd__is_hex16x2_of(const char *s, uint64_t x, const char *t, uint64_t y) {
    __m128i v = _mm_set_epi64x((long long)__builtin_bswap64(y), (long long)__builtin_bswap64(x));
    __m128i lo = _mm_and_si128(v, _mm_set1_epi8(0x0f)), hi = _mm_and_si128(_mm_srli_epi16(v, 4), _mm_set1_epi8(0x0f));
    __m128i a = _mm_cmpeq_epi8(dd__hexdig16(_mm_unpacklo_epi8(hi, lo)), dd__load16(s));
    __m128i b = _mm_cmpeq_epi8(dd__hexdig16(_mm_unpackhi_epi8(hi, lo)), dd__load16(t));
    return _mm_movemask_epi8(_mm_and_si128(a, b)) == 0xffff;
}
#else
/* 1 when s holds the 16 lowercase hex digits of x (as dd_u64_to_hex16 writes them). */
DD__PRIVATE DD__P_HOT int dd__is_hex16_of(const char *s, uint64_t x) {
    return ((dd__load8be(s) ^ dd__hex8((uint32_t)(x >> 32))) | (dd__load8be(s + 8) ^ dd__hex8((uint32_t)x))) == 0;
}
DD__PRIVATE DD__P_HOT int dd__is_hex16x2_of(const char *s, uint64_t x, const char *t, uint64_t y) {
    return dd__is_hex16_of(s, x) && dd__is_hex16_of(t, y);
}
#endif
/* The traceparent field(s): ids, the sampled flag and the trimmed value (*vp) or an error.
 * `hint` (may be NULL): the ids of a context read before (dd_extract's primary), which the
 * traceparent usually repeats when one tracer wrote both styles: its digits are then compared
 * with the hint's, written as hex, instead of parsed (digits that match are valid ones). */
DD__PRIVATE int dd__traceparent(const dd__src *r, const dd_trace_context *hint, dd_trace_id *id, uint64_t *parent_out,
                                int *sampled, const char **vp) {
    const char *v, *v2;
    size_t n, n2, i;
    uint64_t hi, lo, parent;
    v = dd__src_nth(r, DD__H_TRACEPARENT, 0, &n);
    if (!v) return DD_ERR_NOT_FOUND;
    dd__trim(&v, &n); /* R-W3C-1 */
    /* Two different traceparent fields make the context invalid (R-HDR-4). */
    for (i = 1; i < 64 && (v2 = dd__src_nth(r, DD__H_TRACEPARENT, i, &n2)) != NULL; i++) {
        dd__trim(&v2, &n2);
        if (!dd__eq(v, n, v2, n2)) return DD_ERR_MALFORMED;
    }
    /* vv-<32>-<16>-<2>: R-W3C-2..5 */
    if (n < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return DD_ERR_MALFORMED;
    if (v[0] == '0' && v[1] == '0') { /* version 00, the usual one: exactly 55 bytes */
        if (n != 55) return DD_ERR_MALFORMED;
    } else if (!dd__is_lhex2(v) || (v[0] == 'f' && v[1] == 'f') || (n != 55 && v[55] != '-')) {
        return DD_ERR_MALFORMED;
    }
    if (hint && dd__is_hex16x2_of(v + 3, hint->trace_id.hi, v + 19, hint->trace_id.lo) &&
        dd__is_hex16x2_of(v + 36, hint->parent_id, v + 36, hint->parent_id)) {
        hi = hint->trace_id.hi;
        lo = hint->trace_id.lo;
        parent = hint->parent_id;
    } else if (!dd__lhex16(v + 3, &hi) || !dd__lhex16(v + 19, &lo) || !dd__lhex16(v + 36, &parent)) {
        return DD_ERR_MALFORMED;
    }
    if (!dd__is_lhex2(v + 53)) return DD_ERR_MALFORMED;
    if ((hi == 0 && lo == 0) || parent == 0) return DD_ERR_MALFORMED;
    id->hi = hi;
    id->lo = lo;
    *parent_out = parent;
    *sampled = dd__hexval(v[54]) & 1; /* R-W3C-7: only bit 0 */
    *vp = v;
    return DD_OK;
}
/* Where one tracecontext's tracestate goes: the members into c, and what its dd member says.
 * For the primary context (later == 0) c is that context and every sub-member counts. For a
 * later tracecontext of the primary's trace (dd__extract_tc_later) c is the primary, whose
 * foreign members and unknown dd sub-members it replaces (R-MS-5): its s, o and t.* are not kept
 * (their drops still count), its p is only noted, for dd_extract to take when the W3C parent
 * wins (R-MS-6). The same loops serve both (docs/propagation.md §4, §7). */
typedef struct dd__tsv {
    dd_trace_context *c;
    int later;
    int has_s;        /* the priority `s` and its value (primary) */
    int32_t sval;
    uint64_t lens;    /* dd__ptags_put_new's (primary) */
    int has_p;        /* a `p` was seen: the last one (the W3C parent) and the last that fit */
    const char *p, *lp; /* _dd.parent_id (lp NULL: none); they point into the carrier's value */
    size_t pn, lpn;
} dd__tsv;
/* The noted p into c (the context's fields say what the last p said): _dd.parent_id verbatim,
 * even when not hex (R-W3C-10), and the W3C parent when it is 16 lowercase hex digits. */
DD__PRIVATE void dd__tsv_parent(dd_trace_context *c, const dd__tsv *v) {
    if (v->lp) memcpy(c->last_parent_id, v->lp, v->lpn);
    c->last_parent_id[v->lp ? v->lpn : 0] = 0;
    c->has_w3c_parent = v->has_p && v->pn == 16 && dd__lhex16(v->p, &c->w3c_parent_id);
    if (!c->has_w3c_parent) c->w3c_parent_id = 0;
}
/* One sub-member of the dd member, t[0..tn) with its first ':' at kn (all printable: its member
 * was checked whole). */
DD__PRIVATE DD__P_HOT void dd__dd_sub(dd__tsv *v, const char *t, size_t tn, size_t kn) {
    dd_trace_context *c = v->c;
    const char *k = t, *val = t + kn + 1;
    size_t vn = tn - kn - 1;
    if (kn == 1 && k[0] == 's') {
        if (!v->later) v->has_s = dd__parse_i32(val, vn, &v->sval) == DD_OK && v->sval != DD_PRIORITY_UNSET;
    } else if (kn == 1 && k[0] == 'o') {
        if (vn > DD_ORIGIN_MAX) { /* dd__set_origin's drop */
            c->dropped++;
        } else if (!v->later && vn) {
            memcpy(c->origin, val, vn);
            c->origin[vn] = 0;
            c->origin_len = (uint32_t)vn;
            dd__tilde_to_eq(c->origin, vn);
        }
    } else if (kn == 1 && k[0] == 'p') {
        if (vn > DD_LAST_PARENT_ID_MAX) {
            c->dropped++;
        } else {
            v->lp = val;
            v->lpn = vn;
        }
        v->has_p = 1;
        v->p = val;
        v->pn = vn;
    } else if (kn > 2 && k[0] == 't' && k[1] == '.') {
        char pair[DD_PTAGS_MAX + 1]; /* "_dd.p.<key>=<value>", '~' in the value back to '=' */
        size_t pn = 6 + kn - 2 + 1 + vn;
        if (kn == 5 && k[2] == 't' && k[3] == 'i' && k[4] == 'd') return; /* t.tid: traceparent wins, R-W3C-12 */
        /* the tag grammar (R-DD-9) checked in place: "_dd.p." is a valid key start, '~' and '='
         * are both valid value bytes, and the member is printable without ',' (checked whole,
         * split at ','), so what is left is a value of 1+ bytes and a key without ' ' or '=' */
        if (pn > DD_PTAGS_MAX || vn == 0 || !dd__no_sp_eq(k + 2, kn - 2)) {
            c->dropped++;
            return;
        }
        if (v->later) return;
        memcpy(pair, "_dd.p.", 6);
        memcpy(pair + 6, k + 2, kn - 2);
        pair[6 + kn - 2] = '=';
        memcpy(pair + pn - vn, val, vn);
        dd__tilde_to_eq(pair + pn - vn, vn);
        if (dd__ptags_put_pair(c, &v->lens, pair, 6 + kn - 2, pn) != DD_OK) c->dropped++;
    } else {
        uint32_t len = c->dd_member_extra_len;
        size_t need = len + (len ? 1 : 0) + tn;
        if (need > DD_DD_MEMBER_EXTRA_MAX) {
            c->dropped++;
            return;
        }
        if (len) c->dd_member_extra[len++] = ';';
        memcpy(c->dd_member_extra + len, t, tn);
        c->dd_member_extra_len = (uint32_t)need;
        c->dd_member_extra[need] = 0;
    }
}
/* The dd member's value (n <= DD__DD_MEMBER_MAX bytes): `;`-separated key:value sub-members; one
 * without ':' (or empty) is skipped (CPP, GO). */
DD__PRIVATE DD__P_HOT void dd__dd_member(dd__tsv *v, const char *s, size_t n) {
    size_t pos = 0;
#if DD__SSE2
    if (n >= 16 && n <= 64) { /* the usual one: every ';' and ':' marked in one pass, then split */
        uint64_t semis, colons;
        dd__eq64(s, n, ';', ':', &semis, &colons);
        for (; pos < n; pos++) { /* pos == n: an empty last sub-member, skipped as below */
            uint64_t after = semis >> pos, cm = colons >> pos;
            size_t tn = after ? (size_t)__builtin_ctzll(after) : n - pos;
            if (tn < 64) cm &= ((uint64_t)1 << tn) - 1; /* the ':' of this sub-member only */
            if (cm) dd__dd_sub(v, s + pos, tn, (size_t)__builtin_ctzll(cm));
            pos += tn;
        }
        return;
    }
#endif
    while (pos <= n) {
        const char *t = s + pos;
        const char *semi = dd__find_print(t, n - pos, ';'); /* the member is printable */
        size_t tn = semi ? (size_t)(semi - t) : n - pos;
        const char *colon = tn >= 2 && t[1] == ':' && t[0] != ':' ? t + 1 : dd__find_print(t, tn, ':'); /* mostly 1-byte keys */
        pos += tn + 1;
        if (colon) dd__dd_sub(v, t, tn, (size_t)(colon - t));
    }
}
/* Every member of the tracestate field(s), in order: a foreign one kept verbatim, the first dd
 * member read (dd__dd_member); a malformed one, another dd member, or one that does not fit is
 * dropped. `raw` (optional) receives every member joined with ','. */
DD__PRIVATE DD__P_HOT void dd__ts_members(const dd__src *r, dd__tsv *v, dd__sb *raw) {
    dd_trace_context *c = v->c;
    dd__ts_iter it;
    const char *m;
    size_t mn;
    int seen_dd = 0;
    memset(&it, 0, sizeof it);
    it.r = r;
    while (dd__ts_next(&it, &m, &mn)) {
        const char *eq = dd__find(m, mn, '=');
        if (raw && !raw->over) {
            if (raw->len) dd__sb_putc(raw, ',');
            dd__sb_put(raw, m, mn);
        }
        if (!eq || eq == m || !dd__printable(m, mn)) { c->dropped++; continue; }
        if (eq - m == 2 && m[0] == 'd' && m[1] == 'd') {
            /* another dd member, or one too long, is ignored as a whole: R-W3C-11 */
            if (seen_dd++ || mn > DD__DD_MEMBER_MAX) { c->dropped++; continue; }
            dd__dd_member(v, eq + 1, mn - 3);
            continue;
        }
        if (dd__ts_append(c->tracestate, &c->tracestate_len, m, mn) != 0) c->dropped++;
    }
}
DD__PRIVATE int dd__extract_tracecontext(const dd__src *r, dd_trace_context *c, char *raw, size_t raw_cap) {
    const char *v;
    int sampled, rc;
    dd__tsv t;
    dd__sb rb;
    if ((rc = dd__traceparent(r, NULL, &c->trace_id, &c->parent_id, &sampled, &v)) != DD_OK)
        return rc; /* dd__extract_style clears c */
    memset(&t, 0, sizeof t);
    t.c = c;
    t.lens = c->ptags_len ? ~(uint64_t)0 : 0; /* see dd__ptags_put_new */
    if (raw) dd__sb_init(&rb, raw, raw_cap);
    dd__ts_members(r, &t, raw ? &rb : NULL);
    if (raw && rb.over) raw[0] = 0;
    if (t.has_p) dd__tsv_parent(c, &t);

    /* R-W3C-13: the priority reconciliation table, decision maker column included */
    if (sampled) {
        if (t.has_s && t.sval > 0) {
            c->sampling_priority = t.sval;
        } else {
            c->sampling_priority = DD_PRIORITY_AUTO_KEEP;
            if (t.has_s && dd__ptags_put_new(c, &t.lens, DD__LIT("_dd.p.dm"), DD__LIT("-0")) != DD_OK) c->dropped++;
        }
    } else {
        if (t.has_s && t.sval <= 0) {
            c->sampling_priority = t.sval;
        } else {
            c->sampling_priority = DD_PRIORITY_AUTO_REJECT;
            if (t.has_s) dd_ptags_remove(c, DD__LIT("_dd.p.dm"));
        }
    }
    /* traceparent's 16 lowercase digits of hi are what dd_u64_to_hex16 would write */
    if (c->trace_id.hi && dd__ptags_put_new(c, &t.lens, DD__LIT("_dd.p.tid"), v + 3, 16) != DD_OK) c->dropped++;
    return DD_OK;
}

/*--- b3 styles (docs/propagation.md §5, §6) ---*/
/* Fills a dd_trace_context from x-b3-* or b3; reads the carrier through dd__src only. */

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
DD__PRIVATE int dd__extract_b3multi(const dd__src *r, dd_trace_context *c) {
    const char *t, *s, *x;
    size_t tn, sn, xn;
    t = dd__src_get(r, DD__H_B3_TRACEID, &tn);
    if (!t) return DD_ERR_NOT_FOUND;
    s = dd__src_get(r, DD__H_B3_SPANID, &sn);
    if (!s) return DD_ERR_MALFORMED;
    dd__trim(&t, &tn);
    dd__trim(&s, &sn);
    if (dd__b3_ids(c, t, tn, s, sn) != DD_OK) return DD_ERR_MALFORMED;
    x = dd__src_get(r, DD__H_B3_SAMPLED, &xn);
    if (x) {
        dd__trim(&x, &xn);
        /* R-B3M-1, R-B3M-4: 1/0 (and the legacy true/false), 2 as Go and C++ read it */
        if (dd__eq(x, xn, DD__LIT("1")) || dd__ieq(x, xn, DD__LIT("true"))) c->sampling_priority = 1;
        else if (dd__eq(x, xn, DD__LIT("0")) || dd__ieq(x, xn, DD__LIT("false"))) c->sampling_priority = 0;
        else if (dd__eq(x, xn, DD__LIT("2"))) c->sampling_priority = 2;
    }
    return DD_OK;
}
DD__PRIVATE int dd__extract_b3(const dd__src *r, dd_trace_context *c) {
    const char *v, *f[4];
    size_t n, fn[4], k = 0, pos = 0;
    v = dd__src_get(r, DD__H_B3, &n);
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
            return DD_ERR_MALFORMED; /* dd__extract_style clears c */
        }
    }
    return DD_OK;
}

/*--- xray style (docs/lambda.md §6) ---*/
/* The X-Amzn-Trace-Id header to and from a dd_trace_context; no carrier, no state. */

DD_API int dd_xray_parse(const char *value, size_t len, dd_trace_context *out) {
    if (!out) return DD_ERR_INVALID_ARG; /* the NULL rule */
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
/* What injection reads of a context: the fields, by pointer where they are text, so that a
 * caller holding them elsewhere (dd_trace.h injects from a span without building a 20 KB
 * dd_trace_context on the stack) needs no whole context. `baggage` may be NULL; `bag_header`, when
 * not NULL, is the `baggage` header already formatted (bag_header_len bytes, 0 = none to write). */
typedef struct dd__ictx {
    dd_trace_id trace_id;
    uint64_t parent_id;
    int32_t sampling_priority;
    uint32_t origin_len, ptags_len, tracestate_len, dd_member_extra_len, ptags_lost;
    const char *origin, *ptags, *tracestate, *dd_member_extra;
    const dd_baggage *baggage;
    const char *bag_header;
    size_t bag_header_len;
} dd__ictx;
DD__PRIVATE void dd__ictx_of(dd__ictx *v, const dd_trace_context *c) {
    v->trace_id = c->trace_id;
    v->parent_id = c->parent_id;
    v->sampling_priority = c->sampling_priority;
    v->origin = c->origin;
    v->origin_len = c->origin_len;
    v->ptags = c->ptags;
    v->ptags_len = c->ptags_len;
    v->tracestate = c->tracestate;
    v->tracestate_len = c->tracestate_len;
    v->dd_member_extra = c->dd_member_extra;
    v->dd_member_extra_len = c->dd_member_extra_len;
    v->ptags_lost = c->ptags_lost;
    v->baggage = &c->baggage;
    v->bag_header = NULL;
    v->bag_header_len = 0;
}
DD__PRIVATE size_t dd__xray_format(const dd__ictx *ctx, char *out, size_t cap) {
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
DD_API size_t dd_xray_format(const dd_trace_context *ctx, char *out, size_t cap) {
    dd__ictx v;
    if (!ctx) return 0; /* the NULL rule; a NULL out is cap 0 (measure) */
    if (!out) cap = 0;
    dd__ictx_of(&v, ctx);
    return dd__xray_format(&v, out, cap);
}

/*--- extract (docs/propagation.md §7) ---*/
/* Owns dd_extract: calls the styles above on the caller's out only. A later tracecontext (the
 * usual second style) is read into a dd__xlater of what is kept of it, its tracestate members
 * into out when it continues out's trace (they are what the merge keeps); another later style is
 * read into out over the primary, which is saved first and put back after (dd__xsave): a second
 * whole context would cost 20 KB of stack. */

/* What a style's extraction can change in a context, field by field: the strings by their
 * lengths (or up to their NUL), so that saving a primary costs what it holds, not the 1.4 KB of
 * its arrays. A failed style may zero the links too (dd_xray_parse): dd_extract keeps its links
 * aside (dd__xlink) and writes them at the end. */
typedef struct dd__xsave {
    dd_trace_id trace_id;
    uint64_t parent_id, w3c_parent_id;
    int32_t sampling_priority, has_w3c_parent, style;
    uint32_t origin_len, ptags_len, tracestate_len, dd_member_extra_len, n_links, dropped, ptags_lost;
    char origin[DD_ORIGIN_MAX + 1];
    char ptags[DD_PTAGS_MAX + 1];
    char tracestate[DD_TRACESTATE_MAX + 1];
    char dd_member_extra[DD_DD_MEMBER_EXTRA_MAX + 1];
    char propagation_error[DD_PROPAGATION_ERROR_MAX + 1];
    char last_parent_id[DD_LAST_PARENT_ID_MAX + 1];
} dd__xsave;
/* Copies a NUL-terminated string of at most cap - 1 bytes, NUL included. */
DD__PRIVATE void dd__xcopy_str(char *dst, const char *src, size_t cap) {
    const char *e = (const char *)memchr(src, 0, cap);
    memcpy(dst, src, e ? (size_t)(e - src) + 1 : cap);
}
/* Copies a string field of len bytes (and its NUL) when len fits cap, else an empty one. */
DD__PRIVATE void dd__xcopy_len(char *dst, uint32_t *dst_len, const char *src, uint32_t len, size_t cap) {
    if (len >= cap) len = 0;
    memcpy(dst, src, len);
    dst[len] = 0;
    *dst_len = len;
}
DD__PRIVATE void dd__xsave_take(dd__xsave *v, const dd_trace_context *c) {
    v->trace_id = c->trace_id;
    v->parent_id = c->parent_id;
    v->w3c_parent_id = c->w3c_parent_id;
    v->sampling_priority = c->sampling_priority;
    v->has_w3c_parent = c->has_w3c_parent;
    v->style = c->style;
    v->n_links = c->n_links;
    v->dropped = c->dropped;
    v->ptags_lost = c->ptags_lost;
    dd__xcopy_len(v->origin, &v->origin_len, c->origin, c->origin_len, sizeof v->origin);
    dd__xcopy_len(v->ptags, &v->ptags_len, c->ptags, c->ptags_len, sizeof v->ptags);
    dd__xcopy_len(v->tracestate, &v->tracestate_len, c->tracestate, c->tracestate_len, sizeof v->tracestate);
    dd__xcopy_len(v->dd_member_extra, &v->dd_member_extra_len, c->dd_member_extra, c->dd_member_extra_len,
                  sizeof v->dd_member_extra);
    dd__xcopy_str(v->propagation_error, c->propagation_error, sizeof v->propagation_error);
    dd__xcopy_str(v->last_parent_id, c->last_parent_id, sizeof v->last_parent_id);
}
DD__PRIVATE void dd__xsave_put(dd_trace_context *c, const dd__xsave *v) {
    c->trace_id = v->trace_id;
    c->parent_id = v->parent_id;
    c->w3c_parent_id = v->w3c_parent_id;
    c->sampling_priority = v->sampling_priority;
    c->has_w3c_parent = v->has_w3c_parent;
    c->style = v->style;
    c->n_links = v->n_links;
    c->dropped = v->dropped;
    c->ptags_lost = v->ptags_lost;
    dd__xcopy_len(c->origin, &c->origin_len, v->origin, v->origin_len, sizeof c->origin);
    dd__xcopy_len(c->ptags, &c->ptags_len, v->ptags, v->ptags_len, sizeof c->ptags);
    dd__xcopy_len(c->tracestate, &c->tracestate_len, v->tracestate, v->tracestate_len, sizeof c->tracestate);
    dd__xcopy_len(c->dd_member_extra, &c->dd_member_extra_len, v->dd_member_extra, v->dd_member_extra_len,
                  sizeof c->dd_member_extra);
    dd__xcopy_str(c->propagation_error, v->propagation_error, sizeof c->propagation_error);
    dd__xcopy_str(c->last_parent_id, v->last_parent_id, sizeof c->last_parent_id);
}
DD__PRIVATE int dd__same_trace(const dd_trace_id *a, const dd_trace_id *b) { return a->hi == b->hi && a->lo == b->lo; }
/* A span link found by dd_extract's walk (R-MS-3), written into out once the walk is over. */
typedef struct dd__xlink {
    dd_trace_id trace_id;
    uint64_t span_id;
    int32_t flags;
    int style;
} dd__xlink;
/* What dd_extract keeps of a later style once the primary is back in place: its ids, and for a
 * tracecontext of the primary's trace what its dd member's p said (its tracestate members went
 * into the primary: dd__extract_tc_later). */
typedef struct dd__xlater {
    dd_trace_id trace_id;
    uint64_t parent_id;
    int32_t sampling_priority;
    dd__tsv ts;
} dd__xlater;

/* tracecontext after the primary (out), read into x instead of over the primary: its ids; for the
 * primary's trace its foreign members and unknown dd sub-members replace out's (R-MS-5, what
 * dd_extract merges), their drops counted in out, and its p noted in x->ts; for another trace (a
 * span link) only `raw`, as dd__extract_tracecontext's. */
DD__PRIVATE int dd__extract_tc_later(const dd__src *r, dd_trace_context *out, dd__xlater *x, char *raw,
                                     size_t raw_cap) {
    const char *v, *m;
    size_t mn;
    int sampled, rc;
    if (raw && raw_cap) raw[0] = 0;
    if ((rc = dd__traceparent(r, out, &x->trace_id, &x->parent_id, &sampled, &v)) != DD_OK) return rc;
    x->sampling_priority = sampled; /* > 0 exactly when sampled, whatever `s` says (R-W3C-13) */
    memset(&x->ts, 0, sizeof x->ts);
    x->ts.c = out;
    x->ts.later = 1;
    if (dd__same_trace(&x->trace_id, &out->trace_id)) {
        out->tracestate_len = out->dd_member_extra_len = 0;
        out->tracestate[0] = out->dd_member_extra[0] = 0;
        dd__ts_members(r, &x->ts, NULL);
    } else if (raw) { /* a link keeps the raw members only */
        dd__ts_iter it;
        dd__sb rb;
        memset(&it, 0, sizeof it);
        it.r = r;
        dd__sb_init(&rb, raw, raw_cap);
        while (dd__ts_next(&it, &m, &mn) && !rb.over) {
            if (rb.len) dd__sb_putc(&rb, ',');
            dd__sb_put(&rb, m, mn);
        }
        if (rb.over) raw[0] = 0;
    }
    return DD_OK;
}
/* `scratch`: c is dd_extract's context for a later style (its baggage is the primary's). */
DD__PRIVATE int dd__extract_style(int style, const dd__src *r, dd_trace_context *c, int scratch, char *raw,
                                  size_t raw_cap) {
    const char *v;
    size_t n;
    int rc;
    dd__clear_ctx(c);
    if (!scratch) c->baggage.n = c->baggage.len = 0;
    if (raw && raw_cap) raw[0] = 0;
    switch (style) {
    case DD_STYLE_DATADOG: rc = dd__extract_datadog(r, c); break;
    case DD_STYLE_TRACECONTEXT: rc = dd__extract_tracecontext(r, c, raw, raw_cap); break;
    case DD_STYLE_B3MULTI: rc = dd__extract_b3multi(r, c); break;
    case DD_STYLE_B3: rc = dd__extract_b3(r, c); break;
    case DD_STYLE_XRAY:
        v = dd__src_get(r, DD__H_XRAY, &n);
        rc = v ? dd_xray_parse(v, n, c) : DD_ERR_NOT_FOUND;
        break;
    default: rc = DD_ERR_NOT_FOUND; break;
    }
    if (rc != DD_OK) {
        dd__clear_ctx(c);
    } else {
        c->style = style;
    }
    return rc;
}
DD__PRIVATE const int *dd__styles(const dd_propagation_config *cfg, int extract, int *n) {
    static const int defaults[3] = {DD_STYLE_DATADOG, DD_STYLE_TRACECONTEXT, DD_STYLE_BAGGAGE};
    const int *s = NULL;
    int k = 0;
    if (cfg) {
        s = extract ? cfg->extract_styles : cfg->inject_styles;
        k = extract ? cfg->n_extract : cfg->n_inject;
    }
    if (k <= 0 || !s) {
        *n = 3;
        return defaults;
    }
    *n = k > DD_STYLES_MAX ? DD_STYLES_MAX : k;
    return s;
}
/* Copies a string field of the scratch context into the primary's, NUL included. */
DD__PRIVATE void dd__merge_str(char *dst, uint32_t *dst_len, const char *src, uint32_t src_len) {
    memcpy(dst, src, (size_t)src_len + 1);
    *dst_len = src_len;
}

/* The `baggage` header into out->baggage, every field joined (R-BG-5, R-BG-6). 1 when items
 * were found. */
DD__PRIVATE DD__P_COLD int dd__extract_baggage_from(const dd_propagation_config *cfg, const dd__src *src,
                                                    dd_trace_context *out, const char *v, size_t vn) {
    dd__bagp p;
    size_t i;
    dd__bagp_init(&p, &out->baggage, cfg ? cfg->baggage_max_items : 0, cfg ? cfg->baggage_max_bytes : 0);
    for (i = 1; v != NULL; v = dd__src_nth(src, DD__H_BAGGAGE, i++, &vn)) dd__bagp_feed(&p, v, vn);
    return out->baggage.n != 0;
}
/* The first field asked inline: mostly there is none, and then no parser is set up. */
DD__PRIVATE DD__P_HOT int dd__extract_baggage(const dd_propagation_config *cfg, const dd__src *src,
                                              dd_trace_context *out) {
    size_t vn;
    const char *v = dd__src_nth(src, DD__H_BAGGAGE, 0, &vn);
    if (!v) {
        out->baggage.n = out->baggage.len = 0;
        return 0;
    }
    return dd__extract_baggage_from(cfg, src, out, v, vn);
}
/* DD_EXTRACT_RESTART (R-MS-9): the continued context becomes one span link of a context without
 * trace id; ts is the primary's raw tracestate when it was tracecontext. */
DD__PRIVATE DD__P_COLD void dd__restart(dd_trace_context *out, const char *ts) {
    dd_span_link l;
    const char *name = dd_style_name(out->style);
    memset(&l, 0, sizeof l);
    l.trace_id = out->trace_id;
    l.span_id = out->parent_id;
    l.flags = (int32_t)((out->sampling_priority > 0 ? 1 : 0) | INT32_MIN);
    if (ts) memcpy(l.tracestate, ts, strlen(ts) + 1);
    memcpy(l.reason, "propagation_behavior_extract", sizeof "propagation_behavior_extract");
    memcpy(l.context_headers, name, strlen(name) + 1);
    dd__zero_ctx(out);
    out->links[0] = l;
    out->n_links = 1;
}

DD_API int dd_extract(const dd_propagation_config *cfg, const dd_carrier_reader *carrier, dd_trace_context *out) {
    int n, i, primary = -1, malformed = 0, overridden = 0, want_baggage = 0, same;
    int behavior = cfg ? cfg->extract_behavior : DD_EXTRACT_CONTINUE;
    char primary_ts[DD_TRACESTATE_MAX + 1];
    const int *styles;
    dd__xsave saved;
    dd__xlater tmp;
    dd__xlink links[DD_SPAN_LINKS_MAX];
    char link_ts[DD_TRACESTATE_MAX + 1];
    int n_links = 0;
    dd__src src;
    char raw[DD_TRACESTATE_MAX + 1];
    /* what the walk saw of a Datadog context, for _dd.parent_id (R-MS-6) */
    int dd_seen = 0;
    dd_trace_id dd_trace = {0, 0}, prim_trace = {0, 0};
    uint64_t dd_parent = 0;

    if (!out) return DD_ERR_INVALID_ARG;
    if (!carrier || !carrier->get) {
        dd__zero_ctx(out);
        return DD_ERR_INVALID_ARG;
    }
    if (behavior == DD_EXTRACT_IGNORE) { /* R-MS-9: nothing is read, no baggage either (R-BG-17) */
        dd__zero_ctx(out);
        return DD_ERR_NOT_FOUND;
    }
    primary_ts[0] = 0;
    saved.n_links = saved.dropped = saved.ptags_lost = 0; /* always taken before use; for the compiler */
    saved.style = 0;
    styles = dd__styles(cfg, 1, &n);
    dd__src_init(&src, carrier);
    for (i = 0; i < n; i++) {
        int st = styles[i], rc;
        if (st == DD_STYLE_BAGGAGE) want_baggage = 1; /* not in the walk: once, after it (R-BG-16) */
        if (st == DD_STYLE_NONE || st < DD_STYLE_DATADOG || st > DD_STYLE_XRAY) continue;
        if (primary >= 0 && st == DD_STYLE_TRACECONTEXT) { /* read aside: out keeps the primary */
            prim_trace = out->trace_id;
            rc = dd__extract_tc_later(&src, out, &tmp, raw, sizeof raw);
            if (rc == DD_ERR_MALFORMED) malformed = 1;
            if (rc != DD_OK) continue;
        } else {
            if (primary >= 0) {
                prim_trace = out->trace_id;
                dd__xsave_take(&saved, out);
            }
            rc = dd__extract_style(st, &src, out, primary >= 0, raw, sizeof raw);
            if (rc == DD_ERR_MALFORMED) malformed = 1;
            if (rc != DD_OK) { /* R-MS-2: one bad style never hides another */
                if (primary >= 0) dd__xsave_put(out, &saved);
                continue;
            }
            if (st == DD_STYLE_DATADOG && !dd_seen) {
                dd_seen = 1;
                dd_trace = out->trace_id;
                dd_parent = out->parent_id;
            }
            if (primary < 0) {
                primary = i;
                if (behavior == DD_EXTRACT_RESTART && st == DD_STYLE_TRACECONTEXT)
                    memcpy(primary_ts, raw, strlen(raw) + 1);
                if (cfg && cfg->extract_first) { /* R-CFG-6 */
                    for (i++; i < n; i++) want_baggage |= styles[i] == DD_STYLE_BAGGAGE;
                    break;
                }
                continue;
            }
            /* out holds this later style (not tracecontext): keep its ids, put the primary back */
            tmp.trace_id = out->trace_id;
            tmp.parent_id = out->parent_id;
            tmp.sampling_priority = out->sampling_priority;
            dd__xsave_put(out, &saved);
        }
        same = dd__same_trace(&tmp.trace_id, &prim_trace);
        if (same) {
            if (st != DD_STYLE_TRACECONTEXT) continue; /* only tracecontext merges: R-MS-6 */
            /* R-MS-5: its foreign members (and unknown dd sub-members) joined the primary in
             * dd__extract_tc_later */
            if (tmp.parent_id != out->parent_id) {
                /* R-MS-6: the W3C parent wins; _dd.parent_id = p, else the Datadog parent */
                out->parent_id = tmp.parent_id;
                dd__tsv_parent(out, &tmp.ts);
                overridden = 1;
            }
            continue;
        }
        /* R-MS-3: another trace id becomes a span link; R-MS-4: not a context without a span id
         * (a Datadog root with parent 0) */
        if (!tmp.parent_id) continue;
        /* kept aside until the walk ends: a later style's extraction may zero out's links */
        if (n_links < DD_SPAN_LINKS_MAX) {
            dd__xlink *l = &links[n_links++];
            l->trace_id = tmp.trace_id;
            l->span_id = tmp.parent_id;
            l->flags = (int32_t)((tmp.sampling_priority > 0 ? 1 : 0) | INT32_MIN);
            l->style = st;
            if (st == DD_STYLE_TRACECONTEXT) memcpy(link_ts, raw, strlen(raw) + 1); /* the same for any */
        } else {
            out->dropped++;
        }
    }
    for (i = 0; i < n_links; i++) { /* in the order the walk found them */
        dd_span_link *l = &out->links[out->n_links++];
        const char *name = dd_style_name(links[i].style);
        memset(l, 0, sizeof *l);
        l->trace_id = links[i].trace_id;
        l->span_id = links[i].span_id;
        l->flags = links[i].flags;
        if (links[i].style == DD_STYLE_TRACECONTEXT) memcpy(l->tracestate, link_ts, strlen(link_ts) + 1);
        memcpy(l->reason, "terminated_context", sizeof "terminated_context");
        memcpy(l->context_headers, name, strlen(name) + 1);
    }
    if (primary < 0) {
        dd__zero_ctx(out);
        /* R-BG-18: baggage without trace context still travels, on a new trace */
        if (want_baggage && (!src.h || dd__src_has(&src, DD__H_BAGGAGE)) && dd__extract_baggage(cfg, &src, out)) return DD_OK;
        return malformed ? DD_ERR_MALFORMED : DD_ERR_NOT_FOUND;
    }
    if (overridden && !out->last_parent_id[0] && dd_seen && dd__same_trace(&dd_trace, &out->trace_id))
        dd_u64_to_hex16(dd_parent, out->last_parent_id);
    if (behavior == DD_EXTRACT_RESTART) dd__restart(out, primary_ts[0] ? primary_ts : NULL);
    if (want_baggage && (!src.h || dd__src_has(&src, DD__H_BAGGAGE))) dd__extract_baggage(cfg, &src, out); /* h: seen? */
    return DD_OK;
}

/*--- inject ---*/
/* Owns dd__inj and the datadog style's writes; calls the caller's carrier writer only. */

DD__PRIVATE int dd__set(const dd_carrier_writer *w, const char *k, size_t kn, const char *v, size_t vn) {
    return w->set(w->self, k, kn, v, vn);
}
/* What the styles of one dd_inject share, made once: trace_id.hi in hex, and the _dd.p.* tags of
 * ptags split (datadog and tracecontext each walked them). */
#define DD__INJ_TAGS_MAX 64 /* in 512 bytes: each tag has "_dd.p.=" and a comma but the last */
typedef struct dd__inj {
    const dd__ictx *c;
    int split; /* 0 not yet; 1 done; -1 a ptags_len beyond DD_PTAGS_MAX: ptags walked each time */
    size_t n;
    uint16_t k[DD__INJ_TAGS_MAX], kn[DD__INJ_TAGS_MAX], v[DD__INJ_TAGS_MAX], vn[DD__INJ_TAGS_MAX];
    int hi_done;
    char hi[17];
} dd__inj;
DD__PRIVATE const char *dd__inj_hi(dd__inj *x) {
    if (!x->hi_done) dd_u64_to_hex16(x->c->trace_id.hi, x->hi);
    x->hi_done = 1;
    return x->hi;
}
DD__PRIVATE void dd__inj_split(dd__inj *x) {
    const dd__ictx *c = x->c;
    size_t pos = 0, kn, vn;
    const char *k, *v;
    x->n = 0;
    x->split = c->ptags_len <= DD_PTAGS_MAX ? 1 : -1;
    if (x->split < 0) return;
    while (dd__ptag_next(c->ptags, c->ptags_len, &pos, &k, &kn, &v, &vn)) {
        if (!dd__starts(k, kn, DD__LIT("_dd.p."))) continue;
        if (x->n == DD__INJ_TAGS_MAX) { /* cannot happen within 512 bytes; walked if it did */
            x->split = -1;
            return;
        }
        x->k[x->n] = (uint16_t)(k - c->ptags);
        x->kn[x->n] = (uint16_t)kn;
        x->v[x->n] = (uint16_t)(v - c->ptags);
        x->vn[x->n++] = (uint16_t)vn;
    }
}
DD__PRIVATE int dd__inj_walk(dd__inj *x, size_t *pos, const char **k, size_t *kn, const char **v, size_t *vn) {
    const dd__ictx *c = x->c;
    while (dd__ptag_next(c->ptags, c->ptags_len, pos, k, kn, v, vn))
        if (dd__starts(*k, *kn, DD__LIT("_dd.p."))) return 1;
    return 0;
}
/* The next _dd.p.* tag of ptags in order, after dd__inj_split: *i starts at 0 (an index, or a byte
 * position for the walk). */
DD__PRIVATE int dd__inj_tag(dd__inj *x, size_t *i, const char **k, size_t *kn, const char **v, size_t *vn) {
    if (x->split < 0) return dd__inj_walk(x, i, k, kn, v, vn);
    if (*i >= x->n) return 0;
    *k = x->c->ptags + x->k[*i];
    *kn = x->kn[*i];
    *v = x->c->ptags + x->v[*i];
    *vn = x->vn[(*i)++];
    return 1;
}
/* x-datadog-tags from ptags, _dd.p.tid rewritten from trace_id.hi (R-DD-14). Returns the length;
 * *bad is set when a tag with a bad character was left out (R-DD-16, as Go: only that tag). */
DD__PRIVATE size_t dd__encode_xdatadog_tags(dd__inj *x, char *out, size_t cap, int *bad) {
    const dd__ictx *c = x->c;
    dd__sb b;
    size_t pos = 0;
    const char *k, *v;
    size_t kn, vn;
    int tid_done = 0;
    const char *hex = dd__inj_hi(x);
    dd__sb_init(&b, out, cap);
    *bad = 0;
    if (!x->split) dd__inj_split(x);
    while (dd__inj_tag(x, &pos, &k, &kn, &v, &vn)) {
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
DD__PRIVATE int dd__inject_datadog(const dd_propagation_config *cfg, dd__inj *x, const dd_carrier_writer *w,
                                   char *err) {
    const dd__ictx *c = x->c;
    char num[21], tags[DD_PTAGS_MAX + 64];
    size_t n;
    int rc, bad = 0;
    int32_t max = cfg ? cfg->x_datadog_tags_max_length : 0;
    if (max == 0) max = DD_X_DATADOG_TAGS_DEFAULT_MAX;
    n = dd__dec21(c->trace_id.lo, num);
    if ((rc = dd__set(w, DD__LIT("x-datadog-trace-id"), num, n)) != DD_OK) return rc;
    n = dd__dec21(c->parent_id, num);
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
    if (c->ptags_lost) { /* some tag (maybe _dd.p.dm) is missing: never an incomplete header */
        if (err) memcpy(err, "inject_max_size", sizeof "inject_max_size");
        return DD_OK;
    }
    n = dd__encode_xdatadog_tags(x, tags, sizeof tags, &bad);
    if (bad && err && !err[0]) memcpy(err, "encoding_error", sizeof "encoding_error");
    if (n > (size_t)max) { /* R-DD-15: never truncated */
        if (err) memcpy(err, "inject_max_size", sizeof "inject_max_size");
        return DD_OK;
    }
    if (n && (rc = dd__set(w, DD__LIT("x-datadog-tags"), tags, n)) != DD_OK) return rc;
    return DD_OK;
}
/*--- inject: tracecontext ---*/
/* traceparent and tracestate, built in dd__sb buffers on the stack, then written to the carrier. */
/* Tracestate escaping inside the dd member (R-W3C-18). */
/* Room for how many of n one-byte appends: as many dd__sb_putc calls would store (`over` set
 * when some would not), so the callers check the room once and write the bytes directly. */
DD__PRIVATE size_t dd__sb_room(dd__sb *b, size_t n) {
    size_t room = b->len + 1 < b->cap ? b->cap - b->len - 1 : 0;
    if (n <= room) return n;
    b->over = 1;
    return room;
}
DD__PRIVATE void dd__put_ts_value(dd__sb *b, const char *s, size_t n) {
    size_t i;
    n = dd__sb_room(b, n);
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == ';' || c == '~' || (unsigned char)c < 0x20 || (unsigned char)c > 0x7E) c = '_';
        else if (c == '=') c = '~';
        b->p[b->len++] = c;
    }
    if (b->cap) b->p[b->len] = 0;
}
DD__PRIVATE void dd__put_ts_key(dd__sb *b, const char *s, size_t n) {
    size_t i;
    n = dd__sb_room(b, n);
    for (i = 0; i < n; i++) {
        char c = s[i];
        /* ',' '=' as every tracer, ' ' ';' as C++, ':' so the key survives extraction */
        if (c == ',' || c == '=' || c == ' ' || c == ';' || c == ':' || (unsigned char)c < 0x20 ||
            (unsigned char)c > 0x7E)
            c = '_';
        b->p[b->len++] = c;
    }
    if (b->cap) b->p[b->len] = 0;
}
/* A field of the dd member is built in place, after room for its ';', in `f`: its capacity is what
 * the member's 256 bytes leave (one counted for the ';' even for the first field, R-W3C-19), so a
 * field that does not fit sets f->over, and dd__dd_end drops it. */
DD__PRIVATE void dd__dd_begin(dd__sb *dd, dd__sb *f) {
    if (dd->len + 1 > DD__DD_MEMBER_MAX) { /* no room, not even for an empty field */
        dd__sb_init(f, dd->p + dd->len, 0);
        f->over = 1;
        return;
    }
    dd__sb_init(f, dd->p + dd->len + (dd->len > 3), DD__DD_MEMBER_MAX - dd->len - 1 + 1);
}
/* Keeps the field as ";<field>" (no ';' after "dd="), or drops it. */
DD__PRIVATE void dd__dd_end(dd__sb *dd, const dd__sb *f) {
    if (f->over) {
        dd->p[dd->len] = 0;
        return;
    }
    if (dd->len > 3) dd->p[dd->len++] = ';';
    dd->len += f->len; /* the NUL is there */
}
DD__PRIVATE int dd__inject_tracecontext(dd__inj *x, const dd_carrier_writer *w) {
    const dd__ictx *c = x->c;
    char tp[56], ts[DD__DD_MEMBER_MAX + 1 + DD_TRACESTATE_MAX + 1];
    dd__sb b, dd, f;
    size_t pos = 0, members = 1;
    const char *k, *v;
    size_t kn, vn;
    int rc;
    if (c->parent_id == 0) return DD_OK; /* no valid traceparent without a span id */
    /* R-W3C-15: 00-<trace id>-<parent id>-<flags>, 55 bytes */
    memcpy(tp, "00-", 3);
    memcpy(tp + 3, dd__inj_hi(x), 16);
    dd_u64_to_hex16(c->trace_id.lo, tp + 19);
    tp[35] = '-';
    dd_u64_to_hex16(c->parent_id, tp + 36);
    memcpy(tp + 52, c->sampling_priority > 0 ? "-01" : "-00", 4);
    if ((rc = dd__set(w, DD__LIT("traceparent"), tp, 55)) != DD_OK) return rc;
    /* R-W3C-16, R-W3C-17: dd=s:<p>;p:<span>;o:<origin>;t.<k>:<v>... then the unknown dd fields */
    dd__sb_init(&dd, ts, DD__DD_MEMBER_MAX + 1); /* the dd member starts the tracestate value */
    dd__sb_put(&dd, DD__LIT("dd="));
    if (c->sampling_priority != DD_PRIORITY_UNSET) {
        dd__sb_put(&dd, DD__LIT("s:"));
        dd__sb_i32(&dd, c->sampling_priority);
    }
    dd__dd_begin(&dd, &f);
    dd__sb_put(&f, DD__LIT("p:"));
    dd__sb_put(&f, tp + 36, 16); /* the parent id in hex, from traceparent */
    dd__dd_end(&dd, &f);
    if (c->origin_len && c->origin_len <= DD_ORIGIN_MAX) {
        dd__dd_begin(&dd, &f);
        dd__sb_put(&f, DD__LIT("o:"));
        dd__put_ts_value(&f, c->origin, c->origin_len);
        dd__dd_end(&dd, &f);
    }
    if (!x->split) dd__inj_split(x);
    while (dd__inj_tag(x, &pos, &k, &kn, &v, &vn)) {
        /* t.tid is left out: traceparent carries it (R-W3C-17, as C++) */
        if (dd__eq(k, kn, DD__LIT("_dd.p.tid")) || kn == 6) continue;
        dd__dd_begin(&dd, &f);
        dd__sb_put(&f, DD__LIT("t."));
        dd__put_ts_key(&f, k + 6, kn - 6);
        dd__sb_putc(&f, ':');
        dd__put_ts_value(&f, v, vn);
        dd__dd_end(&dd, &f);
    }
    pos = 0;
    while (pos < c->dd_member_extra_len && c->dd_member_extra_len <= DD_DD_MEMBER_EXTRA_MAX) {
        const char *t = c->dd_member_extra + pos;
        const char *semi = dd__memchr(t, c->dd_member_extra_len - pos, ';');
        size_t tn = semi ? (size_t)(semi - t) : c->dd_member_extra_len - pos;
        pos += tn + 1;
        if (!tn || !dd__printable(t, tn) || dd__memchr(t, tn, ',') || dd__memchr(t, tn, '=')) continue;
        dd__dd_begin(&dd, &f);
        dd__sb_put(&f, t, tn);
        dd__dd_end(&dd, &f);
    }
    /* a list member may not end with a space (W3C), and the receiver trims it */
    if (dd.len && ts[dd.len - 1] == ' ') ts[dd.len - 1] = '_';
    /* R-W3C-16, R-W3C-20: dd first, then foreign members in order, 32 members at most */
    b = dd; /* the dd member is in place */
    b.cap = sizeof ts;
    b.over = 0;
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
/*--- inject: b3, baggage, dd_inject ---*/
/* The last styles and dd_inject(_checked), which calls every style of the configuration in order. */
DD__PRIVATE size_t dd__b3_value(const dd__ictx *c, char *out) { /* out: 32 + 1 + 16 + 2 + 1 */
    dd__sb b;
    dd__sb_init(&b, out, 56);
    if (c->trace_id.hi) dd__sb_hex16(&b, c->trace_id.hi); /* R-B3M-6: 16 hex when hi is 0 */
    dd__sb_hex16(&b, c->trace_id.lo);
    dd__sb_putc(&b, '-');
    dd__sb_hex16(&b, c->parent_id);
    if (c->sampling_priority != DD_PRIORITY_UNSET) dd__sb_put(&b, c->sampling_priority > 0 ? "-1" : "-0", 2);
    return b.len;
}
DD__PRIVATE int dd__inject_b3multi(const dd__ictx *c, const dd_carrier_writer *w) {
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
/* The `baggage` header value of b with the configured limits into v (DD_BAGGAGE_HEADER_MAX + 1
 * bytes): its length, 0 for no header. */
DD__PRIVATE size_t dd__baggage_header(const dd_propagation_config *cfg, const dd_baggage *b, char *v) {
    if (!b || !b->n) return 0;
    return dd_baggage_format(b, cfg ? (uint32_t)(cfg->baggage_max_items > 0 ? cfg->baggage_max_items : 0) : 0,
                             cfg ? (uint32_t)(cfg->baggage_max_bytes > 0 ? cfg->baggage_max_bytes : 0) : 0, v,
                             DD_BAGGAGE_HEADER_MAX + 1, NULL);
}
/* The `baggage` header formatted here (R-BG-10..14): 1 when written, 0 when there was nothing to
 * write, or the writer's error. Its own function, never inlined: the header's buffer is the
 * largest frame of an injection and only this path needs it. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
DD__PRIVATE DD__P_COLD int dd__inject_baggage_fmt(const dd_propagation_config *cfg, const dd_baggage *b,
                                                  const dd_carrier_writer *w) {
    char v[DD_BAGGAGE_HEADER_MAX + 1];
    size_t n = dd__baggage_header(cfg, b, v);
    int rc;
    if (!n) return 0;
    rc = dd__set(w, DD__LIT("baggage"), v, n);
    return rc == DD_OK ? 1 : rc;
}
/* The `baggage` header, formatted already (ctx->bag_header) or now: as dd__inject_baggage_fmt. */
DD__PRIVATE DD__P_COLD int dd__inject_baggage(const dd_propagation_config *cfg, const dd__ictx *ctx,
                                              const dd_carrier_writer *w) {
    int rc;
    if (!ctx->bag_header) return dd__inject_baggage_fmt(cfg, ctx->baggage, w);
    if (!ctx->bag_header_len) return 0;
    rc = dd__set(w, DD__LIT("baggage"), ctx->bag_header, ctx->bag_header_len);
    return rc == DD_OK ? 1 : rc;
}
/* Whether the context has baggage to inject. */
DD__PRIVATE int dd__ictx_has_baggage(const dd__ictx *c) {
    return c->bag_header ? c->bag_header_len != 0 : c->baggage && c->baggage->n;
}
/* dd_inject_checked over a dd__ictx (writer and ctx not NULL). */
DD__PRIVATE int dd__inject(const dd_propagation_config *cfg, const dd__ictx *ctx, const dd_carrier_writer *writer,
                           char *error) {
    int n, i, rc = DD_OK;
    const int *styles;
    dd__inj x;
    styles = dd__styles(cfg, 0, &n);
    if (ctx->trace_id.hi == 0 && ctx->trace_id.lo == 0) { /* only baggage can go (R-BG-15) */
        for (i = 0; i < n; i++)
            if (styles[i] == DD_STYLE_BAGGAGE && dd__ictx_has_baggage(ctx)) {
                rc = dd__inject_baggage(cfg, ctx, writer);
                return rc < 0 ? rc : rc ? DD_OK : DD_ERR_INVALID_ARG;
            }
        return DD_ERR_INVALID_ARG;
    }
    x.c = ctx;
    x.split = 0;
    x.hi_done = 0;
    for (i = 0; i < n && rc == DD_OK; i++) {
        switch (styles[i]) {
        case DD_STYLE_DATADOG: rc = dd__inject_datadog(cfg, &x, writer, error); break;
        case DD_STYLE_TRACECONTEXT: rc = dd__inject_tracecontext(&x, writer); break;
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
                size_t vn = dd__xray_format(ctx, v, sizeof v);
                rc = dd__set(writer, DD__LIT("x-amzn-trace-id"), v, vn);
            }
            break;
        case DD_STYLE_BAGGAGE:
            if (dd__ictx_has_baggage(ctx)) {
                rc = dd__inject_baggage(cfg, ctx, writer);
                if (rc > 0) rc = DD_OK;
            }
            break;
        default: break; /* none, or unknown: nothing to write (R-CFG-5) */
        }
    }
    return rc;
}
DD_API int dd_inject_checked(const dd_propagation_config *cfg, const dd_trace_context *ctx,
                             const dd_carrier_writer *writer, char *error) {
    dd__ictx v;
    if (error) error[0] = 0;
    if (!ctx || !writer || !writer->set) return DD_ERR_INVALID_ARG;
    dd__ictx_of(&v, ctx);
    return dd__inject(cfg, &v, writer, error);
}
DD_API int dd_inject(const dd_propagation_config *cfg, const dd_trace_context *ctx, const dd_carrier_writer *writer) {
    return dd_inject_checked(cfg, ctx, writer, NULL);
}

/*--- inject: recorded headers ---*/
/* dd__irec: the headers one dd__inject wrote, kept to be written again for another parent id:
 * dd_span_inject records once per trace and replays for every span. The parent id is the only
 * field that differs between two spans of a trace, and it sits where dd__irec_locate says.
 * Writes only the caller's writer. */
#define DD__IREC_MAX 16      /* headers: every style once needs 13 */
#define DD__IREC_BYTES 2560  /* names and values; the largest are x-datadog-tags (512) and tracestate (769) */
#define DD__IREC_FIXED 0     /* the value as recorded */
#define DD__IREC_DEC 1       /* the whole value is the parent id in decimal */
#define DD__IREC_HEX 2       /* 16 hex digits of the parent id at poff */
#define DD__IREC_BAG 3       /* the `baggage` header: the replay's own, or none */
typedef struct dd__irec_h {
    const char *name; /* a literal of dd__inject's styles, never the caller's memory */
    uint16_t name_len, noff, off, len, poff; /* noff, off: the name's and value's place in data */
    unsigned char patch;
} dd__irec_h;
/* data holds "name\0value\0" of each header but the baggage one, in order: the bytes a dd_headers
 * gets from the same writes, copied whole by dd__irec_replay_headers. */
typedef struct dd__irec {
    uint32_t n, len, over;
    int32_t err_at;   /* the error applies once this many headers were written; -1: no error */
    int32_t distinct; /* no two headers have the same name (in any case) */
    int32_t dec;      /* the DD__IREC_DEC header, or -1 (at most one when distinct) */
    int32_t bag;      /* a DD__IREC_BAG header is there */
    const char *errp; /* while recording: dd__inject's error buffer */
    char err[DD_PROPAGATION_ERROR_MAX + 1];
    dd__irec_h h[DD__IREC_MAX];
    char data[DD__IREC_BYTES]; /* only `len` bytes are kept in a stored copy (DD__IREC_SIZE) */
} dd__irec;
#define DD__IREC_SIZE(r) (offsetof(dd__irec, data) + (r)->len)
DD__PRIVATE int dd__irec_set(void *self, const char *key, size_t kn, const char *val, size_t vn) {
    dd__irec *r = (dd__irec *)self;
    dd__irec_h *h;
    int bag = dd__eq(key, kn, DD__LIT("baggage"));
    size_t need = bag ? 0 : kn + 1 + vn + 1;
    if (r->err_at < 0 && r->errp[0]) r->err_at = (int32_t)r->n;
    if (r->n == DD__IREC_MAX || need > DD__IREC_BYTES - r->len) {
        r->over = 1;
        return DD_OK;
    }
    h = &r->h[r->n++];
    h->name = key;
    h->name_len = (uint16_t)kn;
    h->noff = (uint16_t)r->len;
    h->off = (uint16_t)(r->len + kn + 1);
    h->len = (uint16_t)(bag ? 0 : vn);
    h->poff = 0;
    h->patch = bag ? DD__IREC_BAG : DD__IREC_FIXED;
    if (bag) return DD_OK;
    memcpy(r->data + h->noff, key, kn);
    r->data[h->noff + kn] = 0;
    if (vn) memcpy(r->data + h->off, val, vn);
    r->data[h->off + vn] = 0;
    r->len += (uint32_t)need;
    return DD_OK;
}
/* Where the parent id is in a recorded header, checked against the recorded parent: 0 when a
 * header that carries it does not have it where expected (then nothing is replayed). */
DD__PRIVATE int dd__irec_locate(dd__irec_h *h, const char *v, uint64_t parent) {
    char hex[17], dec[21];
    size_t n = h->len, at = 0;
    const char *p;
    if (h->patch == DD__IREC_BAG) return 1;
    if (dd__eq(h->name, h->name_len, DD__LIT("x-datadog-parent-id"))) {
        size_t dn = dd__dec21(parent, dec);
        h->patch = DD__IREC_DEC;
        return dd__eq(v, n, dec, dn);
    }
    if (dd__eq(h->name, h->name_len, DD__LIT("traceparent"))) {
        at = 36; /* 00-<32>-<16>-<2> */
    } else if (dd__eq(h->name, h->name_len, DD__LIT("tracestate"))) {
        /* dd=[s:<priority>;]p:<16 hex>...: the p field is first or follows s */
        at = 3;
        if (n > 5 && v[3] == 's' && v[4] == ':') {
            p = dd__memchr(v, n, ';');
            if (!p) return 0;
            at = (size_t)(p - v) + 1;
        }
        if (at + 2 > n || v[at] != 'p' || v[at + 1] != ':') return 0;
        at += 2;
    } else if (dd__eq(h->name, h->name_len, DD__LIT("x-b3-spanid"))) {
        at = 0;
    } else if (dd__eq(h->name, h->name_len, DD__LIT("b3"))) {
        p = dd__memchr(v, n, '-');
        if (!p) return 0;
        at = (size_t)(p - v) + 1;
    } else if (dd__eq(h->name, h->name_len, DD__LIT("x-amzn-trace-id"))) {
        at = 48; /* Root=1-<8>-00000000<16>;Parent=<16> */
        if (n < at || memcmp(v + at - 8, ";Parent=", 8) != 0) return 0;
    } else {
        return 1; /* no parent id in it */
    }
    dd_u64_to_hex16(parent, hex);
    h->patch = DD__IREC_HEX;
    h->poff = (uint16_t)at;
    return at + 16 <= n && memcmp(v + at, hex, 16) == 0;
}
/* Records what dd__inject writes for ctx (parent_id not 0, trace id not 0, any baggage left out).
 * Returns 1 when the record can be replayed. */
DD__PRIVATE int dd__irec_make(dd__irec *r, const dd_propagation_config *cfg, const dd__ictx *ctx) {
    dd__ictx c = *ctx;
    dd_carrier_writer w;
    char err[DD_PROPAGATION_ERROR_MAX + 1];
    uint32_t i, j;
    if (!c.parent_id || (!c.trace_id.hi && !c.trace_id.lo)) return 0;
    c.baggage = NULL;
    c.bag_header = "-"; /* a stand-in, so that the `baggage` style's place is recorded */
    c.bag_header_len = 1;
    r->n = r->len = r->over = 0;
    r->err_at = -1;
    err[0] = 0;
    r->errp = err;
    w.self = r;
    w.set = dd__irec_set;
    if (dd__inject(cfg, &c, &w, err) != DD_OK || r->over) return 0;
    if (err[0] && r->err_at < 0) r->err_at = (int32_t)r->n;
    memcpy(r->err, err, sizeof err);
    r->errp = NULL;
    r->distinct = 1;
    r->dec = -1;
    r->bag = 0;
    for (i = 0; i < r->n; i++) {
        dd__irec_h *h = &r->h[i];
        if (!dd__irec_locate(h, r->data + h->off, c.parent_id)) return 0;
        if (h->patch == DD__IREC_DEC) r->dec = (int32_t)i;
        if (h->patch == DD__IREC_BAG) r->bag = 1;
        for (j = 0; j < i; j++)
            if (dd__ieq(h->name, h->name_len, r->h[j].name, r->h[j].name_len)) r->distinct = 0;
    }
    return 1;
}
/* dd__irec_replay into a dd_headers with no field of the record's names, room for every header and
 * no baggage header to write: all the bytes in one go, the parent id written into them, then the
 * items. The same result as the writes one by one. */
DD__PRIVATE void dd__irec_replay_headers(const dd__irec *r, dd_headers *hs, const char *dec, size_t dn,
                                         const char *hex) {
    char *base = hs->buf + hs->buf_len;
    size_t cut = r->dec >= 0 ? r->h[r->dec].off : r->len, old = r->dec >= 0 ? r->h[r->dec].len : 0;
    size_t shift = dn - old; /* what follows the decimal parent id moves by this (mod 2^n) */
    uint32_t i;
    memcpy(base, r->data, cut);
    if (r->dec >= 0) {
        memcpy(base + cut, dec, dn);
        memcpy(base + cut + dn, r->data + cut + old, r->len - cut - old);
    }
    for (i = 0; i < r->n; i++) {
        const dd__irec_h *h = &r->h[i];
        dd_header *x;
        size_t at = h->off < cut + old ? 0 : shift, noff = h->noff + at, off = h->off + at; /* mod 2^n */
        if (h->patch == DD__IREC_BAG) continue;
        if (h->patch == DD__IREC_HEX) memcpy(base + off + h->poff, hex, 16);
        x = &hs->items[hs->n++];
        x->name = base + noff;
        x->name_len = h->name_len;
        x->value = base + off;
        x->value_len = h->patch == DD__IREC_DEC ? dn : h->len;
    }
    hs->buf_len += r->len + shift;
}
/* Whether dd__irec_replay_headers may write r into hs (dn: the decimal parent id's length). */
DD__PRIVATE int dd__irec_fits_headers(const dd__irec *r, const dd_headers *hs, size_t dn, size_t bag_len) {
    size_t need = r->len + dn - (r->dec >= 0 ? r->h[r->dec].len : dn), i, j;
    if (!r->distinct || (r->bag && bag_len) || !hs->buf || hs->n > hs->cap || hs->cap - hs->n < r->n ||
        hs->buf_cap - hs->buf_len < need)
        return 0;
    for (i = 0; i < hs->n; i++) /* a field of the same name would be replaced */
        for (j = 0; j < r->n; j++)
            if (hs->items[i].name_len == r->h[j].name_len && hs->items[i].name &&
                dd__ieq(hs->items[i].name, hs->items[i].name_len, r->h[j].name, r->h[j].name_len))
                return 0;
    return 1;
}
/* Writes the recorded headers (r is only read: another thread may replay it too) for `parent`
 * (not 0) and the `baggage` header bag (bag_len bytes, 0 = none). As dd__inject: DD_OK or the
 * writer's first error; *err_out is 1 when r->err applies (the headers before it were written). */
DD__PRIVATE int dd__irec_replay(const dd__irec *r, uint64_t parent, const char *bag, size_t bag_len,
                                const dd_carrier_writer *w, int *err_out) {
    char hex[17], dec[21], tmp[DD__IREC_BYTES];
    int rc = DD_OK;
    size_t dn = r->dec >= 0 ? dd__dec21(parent, dec) : 0;
    uint32_t i;
    dd_u64_to_hex16(parent, hex);
    *err_out = 0;
    if (w->set == dd__headers_set && dd__irec_fits_headers(r, (const dd_headers *)w->self, dn, bag_len)) {
        dd__irec_replay_headers(r, (dd_headers *)w->self, dec, dn, hex);
        *err_out = r->err_at >= 0;
        return DD_OK;
    }
    for (i = 0; i < r->n; i++) {
        const dd__irec_h *h = &r->h[i];
        const char *v = r->data + h->off;
        if ((int32_t)i == r->err_at) *err_out = 1;
        switch (h->patch) {
        case DD__IREC_DEC: rc = w->set(w->self, h->name, h->name_len, dec, dn); break;
        case DD__IREC_HEX: /* a copy with the parent's digits: the record is shared */
            memcpy(tmp, v, h->len);
            memcpy(tmp + h->poff, hex, 16);
            rc = w->set(w->self, h->name, h->name_len, tmp, h->len);
            break;
        case DD__IREC_BAG:
            if (bag_len) rc = w->set(w->self, h->name, h->name_len, bag, bag_len);
            break;
        default: rc = w->set(w->self, h->name, h->name_len, v, h->len); break;
        }
        if (rc != DD_OK) return rc;
    }
    if ((int32_t)r->n == r->err_at) *err_out = 1;
    return DD_OK;
}

#include <string.h>

/*=== json reader implementation ===*/
/* Owns dd_json and its iterator: a validating, non-allocating reader of the caller's text. The
 * dd__sls_* helpers here and below are also used by dd_lambda.h. */

/*--- json: scanners ---*/
/* Character tests and validating scanners over [p, end): never read at or past end, no state. */

DD__PRIVATE int dd__sls_is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
DD__PRIVATE int dd__sls_is_digit(char c) { return c >= '0' && c <= '9'; }
DD__PRIVATE int dd__sls_hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
DD__PRIVATE const char *dd__sls_skip_ws(const char *p, const char *end) {
    while (p < end && dd__sls_is_ws(*p)) p++;
    return p;
}

/* The first byte of [p, end) that a string's fast paths must stop at, or end: '"' and '\\'
 * (STOP_QE), and with STOP_ALL also control bytes and non-ASCII (which validation looks at).
 * Eight bytes at a time, p[0] in the low lane: the lowest flagged lane is exact (a borrow only
 * marks lanes above a match). */
#define DD__SLS_QE_LANES(x) (DD__ANY_EQ((x), '"') | DD__ANY_EQ((x), '\\')) /* a word's '"' and '\\' lanes */
#define DD__SLS_STOP_QE 0
#define DD__SLS_STOP_ALL 1
DD__PRIVATE DD__P_HOT const char *dd__sls_run(const char *p, const char *end, int stop) {
    while (end - p >= 8) {
        uint64_t x = dd__load8le(p);
        uint64_t m = DD__SLS_QE_LANES(x);
        if (stop == DD__SLS_STOP_ALL) m |= DD__ANY_LT(x, 0x20) | (x & DD__B8(0x80));
        if (m) return p + dd__lane(m);
        p += 8;
    }
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || (stop == DD__SLS_STOP_ALL && (c < 0x20 || c >= 0x80))) break;
        p++;
    }
    return p;
}

/* Validating scanners: p at the first byte; return one past the token or NULL when invalid. */
DD__PRIVATE const char *dd__sls_scan_string(const char *p, const char *end) {
    const unsigned char *s = (const unsigned char *)p + 1, *e = (const unsigned char *)end;
    while (s < e) {
        unsigned c;
        s = (const unsigned char *)dd__sls_run((const char *)s, end, DD__SLS_STOP_ALL);
        if (s >= e) break;
        c = *s;
        if (c == '"') return (const char *)s + 1;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            do { /* escapes, often several in a row in doubly escaped text */
                if (e - s < 2) return NULL;
                c = s[1];
                if (c == 'u') {
                    int i;
                    if (e - s < 6) return NULL;
                    for (i = 2; i < 6; i++)
                        if (dd__sls_hexval((char)s[i]) < 0) return NULL;
                    s += 6;
                } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
                           c == 't') {
                    s += 2;
                } else {
                    return NULL;
                }
            } while (s < e && *s == '\\');
            continue; /* what follows is the next run's */
        }
        if (c < 0x80) { s++; continue; }
        {
            size_t need;
            unsigned lo = 0x80, hi = 0xBF, k;
            if (c >= 0xC2 && c <= 0xDF) need = 1;
            else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) lo = 0xA0;
                if (c == 0xED) hi = 0x9F;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) lo = 0x90;
                if (c == 0xF4) hi = 0x8F;
            } else return NULL;
            if ((size_t)(e - s) < need + 1) return NULL;
            if (s[1] < lo || s[1] > hi) return NULL;
            for (k = 2; k <= need; k++)
                if (s[k] < 0x80 || s[k] > 0xBF) return NULL;
            s += need + 1;
        }
    }
    return NULL;
}
DD__PRIVATE const char *dd__sls_scan_number(const char *p, const char *end) {
    if (p < end && *p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') { while (p < end && dd__sls_is_digit(*p)) p++; }
    else return NULL;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !dd__sls_is_digit(*p)) return NULL;
        while (p < end && dd__sls_is_digit(*p)) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || !dd__sls_is_digit(*p)) return NULL;
        while (p < end && dd__sls_is_digit(*p)) p++;
    }
    return p;
}
DD__PRIVATE const char *dd__sls_scan_literal(const char *p, const char *end, const char *lit, size_t n) {
    if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0) return NULL;
    return p + n;
}

/* Non-validating skip over one value of already validated text; never reads at or past end. */
DD__PRIVATE const char *dd__sls_skip_string(const char *p, const char *end) {
    p++;
    while (p < end) {
        p = dd__sls_run(p, end, DD__SLS_STOP_QE);
        while (p < end && *p == '\\') p += 2; /* escapes (their second byte never closes), often in a row */
        if (p < end && *p == '"') return p + 1;
    }
    return end;
}
DD__PRIVATE const char *dd__sls_skip_value(const char *p, const char *end) {
    if (p >= end) return end;
    if (*p == '"') return dd__sls_skip_string(p, end);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (p < end) {
            char c = *p;
            if (c == '"') { p = dd__sls_skip_string(p, end); continue; }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) return p + 1;
            }
            p++;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ':' && !dd__sls_is_ws(*p)) p++;
    return p;
}
DD__PRIVATE int dd__sls_type_of(char c) {
    switch (c) {
    case '{': return DD_JSON_OBJECT;
    case '[': return DD_JSON_ARRAY;
    case '"': return DD_JSON_STRING;
    case 't': case 'f': return DD_JSON_BOOL;
    case 'n': return DD_JSON_NULL;
    default: return DD_JSON_NUMBER;
    }
}

/*--- json: parse and iterate ---*/
/* dd_json_parse validates the whole text once; dd_json values and iterators point into it. */
DD_API int dd_json_parse(const char *text, size_t len, dd_json *root) {
    unsigned char stack[DD_JSON_MAX_DEPTH]; /* 1 = object, 0 = array */
    size_t depth = 0;
    const char *p, *end, *start;
    if (root) memset(root, 0, sizeof *root);
    if (!text || !root) return DD_ERR_INVALID_ARG;
    end = text + len;
    p = dd__sls_skip_ws(text, end);
    start = p;
    for (;;) {
        /* p: at a value */
        if (p >= end) return DD_ERR_MALFORMED;
        switch (*p) {
        case '{':
        case '[':
            if (depth == DD_JSON_MAX_DEPTH) return DD_ERR_DEPTH;
            stack[depth++] = (unsigned char)(*p == '{');
            p = dd__sls_skip_ws(p + 1, end);
            if (p < end && *p == (stack[depth - 1] ? '}' : ']')) {
                depth--;
                p++;
                break;
            }
            if (stack[depth - 1]) {
                if (p >= end || *p != '"') return DD_ERR_MALFORMED;
                if (!(p = dd__sls_scan_string(p, end))) return DD_ERR_MALFORMED;
                p = dd__sls_skip_ws(p, end);
                if (p >= end || *p != ':') return DD_ERR_MALFORMED;
                p = dd__sls_skip_ws(p + 1, end);
            }
            continue;
        case '"': p = dd__sls_scan_string(p, end); break;
        case 't': p = dd__sls_scan_literal(p, end, "true", 4); break;
        case 'f': p = dd__sls_scan_literal(p, end, "false", 5); break;
        case 'n': p = dd__sls_scan_literal(p, end, "null", 4); break;
        default: p = dd__sls_scan_number(p, end); break;
        }
        if (!p) return DD_ERR_MALFORMED;
        /* a value ended: close containers or move to the next member */
        for (;;) {
            if (depth == 0) {
                const char *vend = p;
                p = dd__sls_skip_ws(p, end);
                if (p != end) return DD_ERR_MALFORMED;
                root->p = start;
                root->n = (size_t)(vend - start);
                root->type = dd__sls_type_of(*start);
                return DD_OK;
            }
            p = dd__sls_skip_ws(p, end);
            if (p >= end) return DD_ERR_MALFORMED;
            if (*p == ',') {
                p = dd__sls_skip_ws(p + 1, end);
                if (stack[depth - 1]) {
                    if (p >= end || *p != '"') return DD_ERR_MALFORMED;
                    if (!(p = dd__sls_scan_string(p, end))) return DD_ERR_MALFORMED;
                    p = dd__sls_skip_ws(p, end);
                    if (p >= end || *p != ':') return DD_ERR_MALFORMED;
                    p = dd__sls_skip_ws(p + 1, end);
                }
                break;
            }
            if (*p != (stack[depth - 1] ? '}' : ']')) return DD_ERR_MALFORMED;
            depth--;
            p++;
        }
    }
}

DD_API void dd_json_iter_init(dd_json_iter *it, const dd_json *c) {
    if (!it) return;
    memset(it, 0, sizeof *it);
    it->state = 2;
    if (!c || !c->p || c->n < 2 || (c->type != DD_JSON_OBJECT && c->type != DD_JSON_ARRAY)) return;
    if (c->p[0] != (c->type == DD_JSON_OBJECT ? '{' : '[')) return;
    it->cur = c->p + 1;
    it->end = c->p + c->n - 1; /* the closing bracket */
    it->type = c->type;
    it->state = 0;
}

DD_API int dd_json_next(dd_json_iter *it, dd_json *key, dd_json *val) {
    const char *p, *end, *vs;
    if (key) memset(key, 0, sizeof *key);
    if (val) memset(val, 0, sizeof *val);
    if (!it || it->state == 2 || !it->cur) return DD_ERR_NOT_FOUND;
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
        if (key) {
            key->p = ks;
            key->n = (size_t)(p - ks);
            key->type = DD_JSON_STRING;
        }
        p = dd__sls_skip_ws(p, end);
        if (p >= end || *p != ':') goto done;
        p = dd__sls_skip_ws(p + 1, end);
        if (p >= end) goto done;
    }
    vs = p;
    p = dd__sls_skip_value(p, end);
    if (p == vs) goto done;
    if (val) {
        val->p = vs;
        val->n = (size_t)(p - vs);
        val->type = dd__sls_type_of(*vs);
    }
    it->cur = p;
    it->state = 1;
    return DD_OK;
done:
    it->state = 2;
    if (key) memset(key, 0, sizeof *key);
    if (val) memset(val, 0, sizeof *val);
    return DD_ERR_NOT_FOUND;
}

/*--- json: strings ---*/
/* Unescaping into the caller's buffer (or compared in place); no allocation. */
/* One decoding step over a string's body: writes 1..4 UTF-8 bytes to out and returns how many,
 * or 0 at the closing quote / end. */
DD__PRIVATE unsigned dd__sls_hex4(const char *p) {
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        int h = dd__sls_hexval(p[i]);
        v = (v << 4) | (unsigned)(h < 0 ? 0 : h);
    }
    return v;
}
DD__PRIVATE size_t dd__sls_utf8(uint32_t cp, unsigned char *out) {
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}
DD__PRIVATE size_t dd__sls_str_step(const char **pp, const char *end, unsigned char *out) {
    const char *p = *pp;
    if (p >= end || *p == '"') return 0;
    if (*p != '\\') {
        out[0] = (unsigned char)*p;
        *pp = p + 1;
        return 1;
    }
    if (end - p < 2) { *pp = end; return 0; }
    switch (p[1]) {
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u': {
        uint32_t cp;
        if (end - p < 6) { *pp = end; return 0; }
        cp = dd__sls_hex4(p + 2);
        p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                uint32_t lo = dd__sls_hex4(p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else cp = 0xFFFD;
            } else cp = 0xFFFD;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 0xFFFD;
        *pp = p;
        return dd__sls_utf8(cp, out);
    }
    default: out[0] = (unsigned char)p[1]; break;
    }
    *pp = p + 2;
    return 1;
}

DD_API int dd_json_string(const dd_json *v, char *out, size_t cap, size_t *len) {
    const char *p, *end;
    size_t total = 0, k;
    unsigned char b[4];
    int fits = 1;
    if (len) *len = 0;
    if (out && cap) out[0] = 0;
    if (!v || !v->p || v->type != DD_JSON_STRING || v->n < 2) return DD_ERR_TYPE;
    p = v->p + 1;
    end = v->p + v->n - 1;
    { /* the run before the first escape is copied as it is */
        const char *q = dd__sls_run(p, end, DD__SLS_STOP_QE);
        total = (size_t)(q - p);
        if (out && total < cap) memcpy(out, p, total);
        else fits = 0;
        p = q;
    }
    while ((k = dd__sls_str_step(&p, end, b)) != 0) {
        if (fits && out && total + k < cap) memcpy(out + total, b, k);
        else fits = 0;
        total += k;
    }
    if (len) *len = total;
    if (!out || total + 1 > cap || !fits) {
        if (out && cap) out[0] = 0;
        return DD_ERR_BUFFER_FULL;
    }
    out[total] = 0;
    return DD_OK;
}

DD_API int dd_json_string_eq(const dd_json *v, const char *s, size_t s_len) {
    const char *p, *end;
    size_t pos = 0, k;
    unsigned char b[4];
    if (!v || !v->p || v->type != DD_JSON_STRING || v->n < 2 || (!s && s_len)) return 0;
    p = v->p + 1;
    end = v->p + v->n - 1;
    { /* the run before the first escape is compared as it is */
        const char *q = dd__sls_run(p, end, DD__SLS_STOP_QE);
        pos = (size_t)(q - p);
        if (pos > s_len || (pos && memcmp(s, p, pos) != 0)) return 0;
        p = q;
    }
    while ((k = dd__sls_str_step(&p, end, b)) != 0) {
        if (pos + k > s_len || memcmp(s + pos, b, k) != 0) return 0;
        pos += k;
    }
    return pos == s_len;
}

/*--- json: lookups and numbers ---*/
/* Member, index and dotted-path lookups; numbers without strtod or locale. */
DD_API int dd_json_get(const dd_json *obj, const char *key, size_t key_len, dd_json *out) {
    dd_json_iter it;
    dd_json k, v, found;
    if (out) memset(out, 0, sizeof *out);
    if (!obj || !out || (!key && key_len)) return DD_ERR_INVALID_ARG;
    if (obj->type != DD_JSON_OBJECT) return DD_ERR_TYPE;
    memset(&found, 0, sizeof found);
    dd_json_iter_init(&it, obj);
    while (dd_json_next(&it, &k, &v) == DD_OK)
        if (dd_json_string_eq(&k, key, key_len)) found = v;
    if (!found.p) return DD_ERR_NOT_FOUND;
    *out = found;
    return DD_OK;
}

DD_API int dd_json_at(const dd_json *arr, size_t index, dd_json *out) {
    dd_json_iter it;
    dd_json v;
    size_t i = 0;
    if (out) memset(out, 0, sizeof *out);
    if (!arr || !out) return DD_ERR_INVALID_ARG;
    if (arr->type != DD_JSON_ARRAY) return DD_ERR_TYPE;
    dd_json_iter_init(&it, arr);
    while (dd_json_next(&it, NULL, &v) == DD_OK) {
        if (i++ == index) {
            *out = v;
            return DD_OK;
        }
    }
    return DD_ERR_NOT_FOUND;
}

DD__PRIVATE double dd__sls_pow10(int e) { /* 10^e for 0 <= e <= 22: every one is exact in a double */
    static const double t[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return t[e];
}

DD_API int dd_json_number(const dd_json *v, double *out) {
    const char *p, *end;
    uint64_t m = 0;
    int nd = 0, neg = 0;
    long e10 = 0, ex = 0;
    double d;
    if (out) *out = 0;
    if (!v || !v->p || !out) return DD_ERR_INVALID_ARG;
    if (v->type != DD_JSON_NUMBER) return DD_ERR_TYPE;
    p = v->p;
    end = v->p + v->n;
    if (dd__sls_scan_number(p, end) != end) return DD_ERR_TYPE;
    if (*p == '-') { neg = 1; p++; }
    while (p < end && dd__sls_is_digit(*p)) {
        int dg = *p++ - '0';
        if (m == 0 && dg == 0) continue;
        if (nd < 19) { m = m * 10 + (uint64_t)dg; nd++; }
        else e10++;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && dd__sls_is_digit(*p)) {
            int dg = *p++ - '0';
            if (m == 0 && dg == 0) { e10--; continue; }
            if (nd < 19) { m = m * 10 + (uint64_t)dg; nd++; e10--; }
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-') eneg = *p++ == '-';
        while (p < end && dd__sls_is_digit(*p)) {
            if (ex < 100000) ex = ex * 10 + (*p - '0');
            p++;
        }
        if (eneg) ex = -ex;
    }
    if (m == 0) { *out = neg ? -0.0 : 0.0; return DD_OK; }
    e10 += ex;
    if (e10 + nd > 310) return DD_ERR_LIMIT;
    if (e10 + nd < -330) { *out = neg ? -0.0 : 0.0; return DD_OK; }
    d = (double)m;
    if (m < ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        d = e10 >= 0 ? d * dd__sls_pow10((int)e10) : d / dd__sls_pow10((int)-e10);
    } else {
        while (e10 > 22) { d *= 1e22; e10 -= 22; }
        while (e10 < -22) { d /= 1e22; e10 += 22; }
        d = e10 >= 0 ? d * dd__sls_pow10((int)e10) : d / dd__sls_pow10((int)-e10);
    }
    if (d - d != 0) return DD_ERR_LIMIT; /* infinity */
    *out = neg ? -d : d;
    return DD_OK;
}

DD__PRIVATE int dd__sls_dec_u64(const char *p, size_t n, uint64_t *out) {
    uint64_t v = 0;
    size_t i;
    *out = 0;
    if (n == 0) return DD_ERR_TYPE;
    for (i = 0; i < n; i++) {
        unsigned dg;
        if (!dd__sls_is_digit(p[i])) return DD_ERR_TYPE;
        dg = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - dg) / 10) return DD_ERR_LIMIT;
        v = v * 10 + dg;
    }
    *out = v;
    return DD_OK;
}

DD_API int dd_json_u64(const dd_json *v, uint64_t *out) {
    if (out) *out = 0;
    if (!v || !v->p || !out) return DD_ERR_INVALID_ARG;
    if (v->type == DD_JSON_NUMBER) return dd__sls_dec_u64(v->p, v->n, out);
    if (v->type == DD_JSON_STRING && v->n >= 2) return dd__sls_dec_u64(v->p + 1, v->n - 2, out);
    return DD_ERR_TYPE;
}

DD_API int dd_json_path(const dd_json *root, const char *dot_path, dd_json *out) {
    dd_json cur;
    const char *s;
    if (out) memset(out, 0, sizeof *out);
    if (!root || !dot_path || !out) return DD_ERR_INVALID_ARG;
    cur = *root;
    s = dot_path;
    if (*s == 0) { *out = cur; return DD_OK; }
    for (;;) {
        const char *e = s;
        size_t n;
        dd_json next;
        int rc;
        while (*e && *e != '.') e++;
        n = (size_t)(e - s);
        if (cur.type == DD_JSON_ARRAY) {
            uint64_t idx;
            if (dd__sls_dec_u64(s, n, &idx) != DD_OK || idx > (uint64_t)(size_t)-1) return DD_ERR_NOT_FOUND;
            rc = dd_json_at(&cur, (size_t)idx, &next);
        } else if (cur.type == DD_JSON_OBJECT) {
            rc = dd_json_get(&cur, s, n, &next);
        } else {
            return DD_ERR_NOT_FOUND;
        }
        if (rc != DD_OK) return DD_ERR_NOT_FOUND;
        cur = next;
        if (*e == 0) break;
        s = e + 1;
    }
    *out = cur;
    return DD_OK;
}

/*=== _datadog carrier implementation ===*/
/* Owns the `_datadog` JSON carrier: reads and writes through dd_extract/dd_inject and the
 * configured styles; the dd__sls_* helpers are also used by dd_lambda.h. */

/*--- _datadog: reading ---*/
/* Case-insensitive lookups and dd_json_carrier (a carrier reader over a JSON object) for dd_extract. */

DD__PRIVATE int dd__sls_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* 1 when string v, unescaped, equals s[0..n) ignoring ASCII case. */
DD__PRIVATE int dd__sls_str_ieq(const dd_json *v, const char *s, size_t n) {
    const char *p, *end;
    size_t pos = 0, k, i;
    unsigned char b[4];
    if (!v || v->type != DD_JSON_STRING || v->n < 2) return 0;
    p = v->p + 1;
    end = v->p + v->n - 1;
    while ((k = dd__sls_str_step(&p, end, b)) != 0) {
        if (pos + k > n) return 0;
        for (i = 0; i < k; i++)
            if (dd__sls_lower(b[i]) != dd__sls_lower((unsigned char)s[pos + i])) return 0;
        pos += k;
    }
    return pos == n;
}

/* The last member of obj whose key equals key[0..n) ignoring case. */
DD__PRIVATE int dd__sls_iget(const dd_json *obj, const char *key, size_t n, dd_json *out) {
    dd_json_iter it;
    dd_json k, v;
    int found = 0;
    memset(out, 0, sizeof *out);
    if (!obj || obj->type != DD_JSON_OBJECT) return 0;
    dd_json_iter_init(&it, obj);
    while (dd_json_next(&it, &k, &v) == DD_OK)
        if (dd__sls_str_ieq(&k, key, n)) { *out = v; found = 1; }
    return found;
}

/* Exact-key member lookup of a literal. */
#define DD__SLS_GET(obj, lit, out) (dd_json_get((obj), (lit), sizeof(lit) - 1, (out)) == DD_OK)

DD__PRIVATE const char *dd__sls_jc_get(void *self, const char *key, size_t key_len, size_t *value_len) {
    dd_json_carrier *c = (dd_json_carrier *)self;
    dd_json v;
    size_t n;
    if (value_len) *value_len = 0;
    if (!dd__sls_iget(&c->obj, key, key_len, &v) || v.type == DD_JSON_NULL) {
        dd_json arr;
        if (!dd__sls_iget(&c->multi, key, key_len, &arr)) return NULL;
        if (arr.type == DD_JSON_ARRAY) {
            if (dd_json_at(&arr, 0, &v) != DD_OK) return NULL;
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
    if (dd_json_string(&v, c->buf + c->used, sizeof c->buf - c->used, &n) != DD_OK) return NULL;
    {
        const char *r = c->buf + c->used;
        c->used += n + 1;
        if (value_len) *value_len = n;
        return r;
    }
}

DD_API void dd_json_carrier_init(dd_json_carrier *c, dd_carrier_reader *r, const dd_json *obj, const dd_json *multi) {
    if (!c) return;
    memset(&c->obj, 0, sizeof c->obj);
    memset(&c->multi, 0, sizeof c->multi);
    c->used = 0;
    c->buf[0] = 0;
    if (obj && obj->type == DD_JSON_OBJECT) c->obj = *obj;
    if (multi && multi->type == DD_JSON_OBJECT) c->multi = *multi;
    if (r) {
        memset(r, 0, sizeof *r);
        r->self = c;
        r->get = dd__sls_jc_get;
    }
}

DD__PRIVATE int dd__sls_ctx_complete(const dd_trace_context *c) {
    return (c->trace_id.lo || c->trace_id.hi) && c->parent_id != 0;
}

/* Extracts from a JSON object with the configured styles; 1 when a complete context was found. */
DD__PRIVATE int dd__sls_extract_obj(const dd_propagation_config *cfg, const dd_json *obj, const dd_json *multi,
                                    dd_trace_context *out) {
    dd_json_carrier jc;
    dd_carrier_reader r;
    dd_propagation_config def;
    if ((!obj || obj->type != DD_JSON_OBJECT) && (!multi || multi->type != DD_JSON_OBJECT)) return 0;
    if (!cfg) {
        dd_propagation_config_default(&def);
        cfg = &def;
    }
    dd_json_carrier_init(&jc, &r, obj, multi);
    if (dd_extract(cfg, &r, out) != DD_OK || !dd__sls_ctx_complete(out)) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return 1;
}

DD_API int dd_datadog_extract(const dd_propagation_config *cfg, const char *json, size_t len, dd_trace_context *out) {
    dd_json root;
    if (out) memset(out, 0, sizeof *out);
    if (!json || !out) return DD_ERR_INVALID_ARG;
    if (dd_json_parse(json, len, &root) != DD_OK || root.type != DD_JSON_OBJECT) return DD_ERR_MALFORMED;
    return dd__sls_extract_obj(cfg, &root, NULL, out) ? DD_OK : DD_ERR_NOT_FOUND;
}

/*--- _datadog: writing ---*/
/* dd__sls_jw: a bounded JSON writer into the caller's buffer, the carrier writer of dd_inject. */
typedef struct dd__sls_jw {
    char *out;
    size_t cap;
    size_t len;
    int members;
} dd__sls_jw;

DD__PRIVATE void dd__sls_jw_raw(dd__sls_jw *w, const char *s, size_t n) {
    if (w->out && w->len + n < w->cap) memcpy(w->out + w->len, s, n);
    w->len += n;
}
#define DD__SLS_RAW(w, lit) dd__sls_jw_raw((w), (lit), sizeof(lit) - 1)
DD__PRIVATE void dd__sls_jw_str(dd__sls_jw *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i;
    dd__sls_jw_raw(w, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2];
            e[0] = '\\';
            e[1] = (char)c;
            dd__sls_jw_raw(w, e, 2);
        } else if (c < 0x20) {
            char e[6];
            e[0] = '\\'; e[1] = 'u'; e[2] = '0'; e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            dd__sls_jw_raw(w, e, 6);
        } else {
            dd__sls_jw_raw(w, (const char *)&s[i], 1);
        }
    }
    dd__sls_jw_raw(w, "\"", 1);
}
DD__PRIVATE int dd__sls_jw_set(void *self, const char *key, size_t key_len, const char *value, size_t value_len) {
    dd__sls_jw *w = (dd__sls_jw *)self;
    if (w->members++) dd__sls_jw_raw(w, ",", 1);
    dd__sls_jw_str(w, key, key_len);
    dd__sls_jw_raw(w, ":", 1);
    dd__sls_jw_str(w, value, value_len);
    return DD_OK;
}

/* dd_datadog_inject over a dd__ictx (dd_trace.h's span injection uses it too). */
DD__PRIVATE size_t dd__datadog_inject(const dd_propagation_config *cfg, const dd__ictx *ctx, char *out, size_t cap) {
    dd__sls_jw w;
    dd_carrier_writer cw;
    dd_propagation_config def;
    if (out && cap) out[0] = 0;
    if (!ctx || !(ctx->trace_id.lo || ctx->trace_id.hi)) return 0;
    if (!cfg) {
        dd_propagation_config_default(&def);
        cfg = &def;
    }
    memset(&w, 0, sizeof w);
    w.out = out;
    w.cap = cap;
    memset(&cw, 0, sizeof cw);
    cw.self = &w;
    cw.set = dd__sls_jw_set;
    DD__SLS_RAW(&w, "{");
    if (dd__inject(cfg, ctx, &cw, NULL) != DD_OK || w.members == 0) {
        if (out && cap) out[0] = 0;
        return 0;
    }
    DD__SLS_RAW(&w, "}");
    if (out && cap) out[w.len < cap ? w.len : 0] = 0;
    return w.len;
}
DD_API size_t dd_datadog_inject(const dd_propagation_config *cfg, const dd_trace_context *ctx, char *out, size_t cap) {
    dd__ictx v;
    if (!ctx) {
        if (out && cap) out[0] = 0;
        return 0;
    }
    dd__ictx_of(&v, ctx);
    return dd__datadog_inject(cfg, &v, out, cap);
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif /* DD__PROPAGATION_IMPLEMENTED */
