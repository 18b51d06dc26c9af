/* dd_propagation.h - trace context, carriers and propagation styles.           dd-trace-c 0.1.0
 *
 * In exactly one .c file:  #define DD_PROPAGATION_IMPLEMENTATION   (DD_TRACE_IMPLEMENTATION also does)
 *                          #include "dd_propagation.h"
 * Stands alone on libc: a proxy can forward trace context without the tracer.
 * DOES NOT  do I/O, allocate, start threads, or call locale-dependent libc
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

/*=== trace context ===*/

/* A 128-bit trace id; hi is 0 for a 64-bit id. */
typedef struct dd_trace_id {
    uint64_t hi;
    uint64_t lo;
} dd_trace_id;

/* Fixed capacities of a dd_trace_context. What does not fit is dropped, counted in
 * dropped_* and reported as an error tag; it is never truncated into an invalid value. */
#define DD_ORIGIN_MAX 64              /* origin bytes, NUL not included                       */
#define DD_PTAGS_MAX 512              /* propagated _dd.p.* tags, as "k=v,k=v" (x-datadog-tags) */
#define DD_TRACESTATE_MAX 512         /* foreign (non-dd) tracestate members, verbatim        */
#define DD_DD_MEMBER_EXTRA_MAX 128    /* unknown keys of the tracestate dd member, verbatim   */
#define DD_PROPAGATION_ERROR_MAX 32   /* the _dd.propagation_error value                      */
#define DD_SPAN_LINKS_MAX 4           /* span links for conflicting contexts                  */

#define DD_PRIORITY_UNSET (-128)      /* sampling_priority when none was given   */
#define DD_PRIORITY_USER_REJECT (-1)
#define DD_PRIORITY_AUTO_REJECT 0
#define DD_PRIORITY_AUTO_KEEP 1
#define DD_PRIORITY_USER_KEEP 2

/* A span link to a context that was not chosen as parent (spec/propagation.md 7.2). */
typedef struct dd_span_link {
    dd_trace_id trace_id;
    uint64_t span_id;
    int32_t flags;                    /* W3C flags | 0x80000000 when set, 0 when unknown        */
    char tracestate[DD_TRACESTATE_MAX + 1];
    char reason[24];                  /* attribute "reason", e.g. "terminated_context"         */
    char context_headers[16];         /* attribute "context_headers", the style name           */
} dd_span_link;

/* Everything a carrier can tell about the caller's trace. Plain data: copy it freely.
 * A zeroed context (trace_id 0) means "no context". Strings are NUL-terminated and their
 * lengths are kept beside them. */
typedef struct dd_trace_context {
    dd_trace_id trace_id;
    uint64_t parent_id;               /* span id of the remote parent; 0 only for synthetics    */
    int32_t sampling_priority;        /* DD_PRIORITY_* or DD_PRIORITY_UNSET                     */
    uint32_t origin_len;
    char origin[DD_ORIGIN_MAX + 1];
    uint32_t ptags_len;
    char ptags[DD_PTAGS_MAX + 1];     /* "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000" (no spaces)    */
    uint32_t tracestate_len;
    char tracestate[DD_TRACESTATE_MAX + 1]; /* foreign members, in order, comma-joined       */
    uint32_t dd_member_extra_len;
    char dd_member_extra[DD_DD_MEMBER_EXTRA_MAX + 1];
    int32_t has_w3c_parent;           /* tracestate dd member carried p:<16 hex>                */
    uint64_t w3c_parent_id;           /* its value: the _dd.parent_id span tag                  */
    char propagation_error[DD_PROPAGATION_ERROR_MAX + 1]; /* _dd.propagation_error, or ""     */
    uint32_t n_links;
    dd_span_link links[DD_SPAN_LINKS_MAX];
    uint32_t dropped;                 /* items dropped because a capacity was reached           */
} dd_trace_context;

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

#include "wip/serverless_impl.h" /* serverless part, merged into this header before release */

#endif /* DD__PROPAGATION_IMPLEMENTED */
