/* dd_trace.h - tracer, spans, sampling, agent payload and transport.           dd-trace-c 0.1.0
 *
 * In exactly one .c file:  #define DD_TRACE_IMPLEMENTATION   (implements all three headers)
 *                          #include "dd_trace.h"
 * Includes dd_msgpack.h and dd_propagation.h, which must sit beside it.
 * DOES NOT  do I/O: bytes leave only through the transport callback you supply
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
