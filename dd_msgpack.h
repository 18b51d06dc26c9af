/* dd_msgpack.h - MessagePack writer and bounds-checked reader.                  dd-trace-c 0.1.0
 *
 * In exactly one .c file:  #define DD_MSGPACK_IMPLEMENTATION   (DD_TRACE_IMPLEMENTATION also does)
 *                          #include "dd_msgpack.h"
 * OPTIONS   DD_API (linkage), DD_ASSERT(c)
 * THREADS   a writer or reader belongs to one thread at a time; no global state
 * MEMORY    a fixed buffer never allocates; a growable one uses the dd_allocator you pass
 * ERRORS    sticky: the first error stops later calls; check once at the end
 * DOES NOT  do I/O, read the environment, start threads, or call locale-dependent libc
 */
#ifndef DD_MSGPACK_H
#define DD_MSGPACK_H
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

/*=== writer ===*/

/* A MessagePack writer: into a caller's fixed buffer, or into a growable buffer obtained from a
 * dd_allocator. A plain struct the caller owns (stack or embedded); the fields are private:
 * read them only through the functions below. Errors are sticky: the first one is kept, every
 * later write is a no-op, and dd_mp_writer_finish() reports it once at the end. Every write uses
 * the smallest encoding the MessagePack specification allows for its value. */
typedef struct dd_mp_writer {
    uint8_t *buf;       /* private */
    size_t len, cap;    /* private: bytes written, bytes available */
    int error;          /* private: the first error, or DD_OK */
    int growable;       /* private: 1 when buf comes from `alloc` */
    dd_allocator alloc; /* private: copy of the caller's allocator (zeroed = malloc/free) */
} dd_mp_writer;

/* Starts a writer over the caller's `buf` of `cap` bytes; it never allocates. A write that does
 * not fit sets DD_ERR_BUFFER_FULL. `buf` may be NULL only when `cap` is 0. [owner thread] */
DD_API void dd_mp_writer_init_fixed(dd_mp_writer *w, void *buf, size_t cap);
/* Starts a writer whose buffer grows (doubling) through `alloc`, copied into the writer (NULL =
 * malloc/free). `initial_cap` bytes are allocated now when non-zero, otherwise at the first write.
 * When an allocation fails the error DD_ERR_NO_MEMORY is kept and the bytes written so far stay
 * in the old buffer. Release with dd_mp_writer_free(). [owner thread] */
DD_API void dd_mp_writer_init_growable(dd_mp_writer *w, const dd_allocator *alloc, size_t initial_cap);
/* Forgets what was written and clears the error; the buffer (fixed or grown) is kept for reuse.
 * [owner thread] */
DD_API void dd_mp_writer_reset(dd_mp_writer *w);
/* Releases a growable writer's buffer through its allocator and leaves the writer empty (size 0,
 * no buffer, still usable). A no-op for the buffer of a fixed writer. NULL is a no-op. [owner thread] */
DD_API void dd_mp_writer_free(dd_mp_writer *w);
/* Returns DD_OK and sets `*used` (when not NULL) to the number of bytes written, or returns the
 * first error and sets `*used` to 0. [owner thread] */
DD_API int dd_mp_writer_finish(const dd_mp_writer *w, size_t *used);
/* The first error, or DD_OK. [owner thread] */
DD_API int dd_mp_writer_error(const dd_mp_writer *w);
/* The bytes written so far (NULL when nothing was ever allocated). Valid until the next write
 * (a growable buffer may move), reset or free. [owner thread] */
DD_API const uint8_t *dd_mp_writer_data(const dd_mp_writer *w);
/* The number of bytes written so far (also after an error: what was complete before it). [owner thread] */
DD_API size_t dd_mp_writer_size(const dd_mp_writer *w);

/* nil (0xc0). [owner thread] */
DD_API void dd_mp_write_nil(dd_mp_writer *w);
/* false (0xc2) when `v` is 0, true (0xc3) otherwise. [owner thread] */
DD_API void dd_mp_write_bool(dd_mp_writer *w, int v);
/* An unsigned integer: positive fixint, uint8, uint16, uint32 or uint64, the smallest. [owner thread] */
DD_API void dd_mp_write_u64(dd_mp_writer *w, uint64_t v);
/* A signed integer, the smallest encoding: non-negative values as dd_mp_write_u64 does (the
 * specification's preference), negative ones as negative fixint, int8, int16, int32 or int64. [owner thread] */
DD_API void dd_mp_write_i64(dd_mp_writer *w, int64_t v);
/* float 32 (0xca), IEEE 754 big-endian. [owner thread] */
DD_API void dd_mp_write_f32(dd_mp_writer *w, float v);
/* float 64 (0xcb), IEEE 754 big-endian. [owner thread] */
DD_API void dd_mp_write_f64(dd_mp_writer *w, double v);
/* A str of `len` bytes copied from `s` (fixstr, str8, str16 or str32). The bytes are not checked
 * for UTF-8. `s` may be NULL only when `len` is 0; a `len` above UINT32_MAX sets
 * DD_ERR_INVALID_ARG. [owner thread] */
DD_API void dd_mp_write_str(dd_mp_writer *w, const char *s, size_t len);
/* A str from a NUL-terminated string; NULL sets DD_ERR_INVALID_ARG. [owner thread] */
DD_API void dd_mp_write_cstr(dd_mp_writer *w, const char *s);
/* A bin of `len` bytes (bin8, bin16 or bin32); same argument rules as dd_mp_write_str. [owner thread] */
DD_API void dd_mp_write_bin(dd_mp_writer *w, const void *p, size_t len);
/* An array header announcing `n` values, which the caller writes next. [owner thread] */
DD_API void dd_mp_write_array(dd_mp_writer *w, uint32_t n);
/* A map header announcing `n` key/value pairs (2n values), which the caller writes next. [owner thread] */
DD_API void dd_mp_write_map(dd_mp_writer *w, uint32_t n);
/* An ext of application type `type` and `len` data bytes: fixext 1/2/4/8/16 when `len` is one of
 * those, else ext8, ext16 or ext32. Same argument rules as dd_mp_write_str. [owner thread] */
DD_API void dd_mp_write_ext(dd_mp_writer *w, int8_t type, const void *p, size_t len);
/* Appends `len` pre-encoded bytes verbatim (the caller vouches that they are valid MessagePack).
 * `p` may be NULL only when `len` is 0. [owner thread] */
DD_API void dd_mp_write_raw(dd_mp_writer *w, const void *p, size_t len);
/* Writes a 5-byte array32 (0xdd) header with count 0 and returns its offset, for
 * dd_mp_patch_count() once the count is known. Returns (size_t)-1 when the writer has an error.
 * The offset (not a pointer) stays valid when a growable buffer moves. [owner thread] */
DD_API size_t dd_mp_reserve_array(dd_mp_writer *w);
/* Same for a map32 (0xdf) header. [owner thread] */
DD_API size_t dd_mp_reserve_map(dd_mp_writer *w);
/* Stores `n` into the header reserved at `offset`. An offset that does not hold a reserved
 * header sets DD_ERR_INVALID_ARG; a no-op when the writer already has an error. [owner thread] */
DD_API void dd_mp_patch_count(dd_mp_writer *w, size_t offset, uint32_t n);

DD__END_C
#endif /* DD_MSGPACK_H */

#if (defined(DD_MSGPACK_IMPLEMENTATION) || defined(DD_TRACE_IMPLEMENTATION)) \
    && !defined(DD__MSGPACK_IMPLEMENTED)
#define DD__MSGPACK_IMPLEMENTED
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

/* With `#define DD_API static` an unused public function must not warn: scope the silence to
 * this block (GCC and Clang judge it by the function's location). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <string.h>

/*=== writer implementation ===*/

DD__PRIVATE void dd__mp_set_error(dd_mp_writer *w, int err) {
    if (w->error == DD_OK) w->error = err;
}

/* Makes room for `n` more bytes and returns where they go, or NULL (error set). */
DD__PRIVATE uint8_t *dd__mp_room(dd_mp_writer *w, size_t n) {
    size_t need, cap;
    uint8_t *nb;
    if (w->error != DD_OK) return NULL;
    if (n <= w->cap - w->len) return w->buf + w->len;
    if (!w->growable) {
        w->error = DD_ERR_BUFFER_FULL;
        return NULL;
    }
    if (n > (size_t)-1 - w->len) {
        w->error = DD_ERR_NO_MEMORY;
        return NULL;
    }
    need = w->len + n;
    cap = w->cap ? w->cap : 64;
    while (cap < need) cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    nb = (uint8_t *)dd__alloc(&w->alloc, cap);
    if (!nb) {
        w->error = DD_ERR_NO_MEMORY;
        return NULL;
    }
    if (w->len) memcpy(nb, w->buf, w->len);
    dd__free(&w->alloc, w->buf, w->cap);
    w->buf = nb;
    w->cap = cap;
    return w->buf + w->len;
}

DD__PRIVATE void dd__mp_put_be(uint8_t *p, uint64_t v, int bytes) {
    int i;
    for (i = bytes - 1; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

/* One marker byte followed by `bytes` big-endian bytes of `v`. */
DD__PRIVATE void dd__mp_put_tagged(dd_mp_writer *w, uint8_t tag, uint64_t v, int bytes) {
    uint8_t *p = dd__mp_room(w, 1 + (size_t)bytes);
    if (!p) return;
    p[0] = tag;
    dd__mp_put_be(p + 1, v, bytes);
    w->len += 1 + (size_t)bytes;
}

/* A length-prefixed blob: `fix` (or -1) for lengths < `fixmax`, else the 8/16/32-bit markers. */
DD__PRIVATE void dd__mp_put_blob(dd_mp_writer *w, int fix, size_t fixmax, uint8_t m8, uint8_t m16, uint8_t m32,
                                 const void *data, size_t len) {
    if (w->error != DD_OK) return;
    if (len > 0xffffffffu || (!data && len)) {
        w->error = DD_ERR_INVALID_ARG;
        return;
    }
    if (fix >= 0 && len < fixmax) dd__mp_put_tagged(w, (uint8_t)(fix | (int)len), 0, 0);
    else if (len <= 0xff) dd__mp_put_tagged(w, m8, len, 1);
    else if (len <= 0xffff) dd__mp_put_tagged(w, m16, len, 2);
    else dd__mp_put_tagged(w, m32, len, 4);
    dd_mp_write_raw(w, data, len);
}

DD_API void dd_mp_writer_init_fixed(dd_mp_writer *w, void *buf, size_t cap) {
    memset(w, 0, sizeof *w);
    w->buf = (uint8_t *)buf;
    w->cap = buf ? cap : 0;
}

DD_API void dd_mp_writer_init_growable(dd_mp_writer *w, const dd_allocator *alloc, size_t initial_cap) {
    memset(w, 0, sizeof *w);
    w->growable = 1;
    if (alloc) w->alloc = *alloc;
    if (initial_cap) {
        w->buf = (uint8_t *)dd__alloc(&w->alloc, initial_cap);
        if (w->buf) w->cap = initial_cap;
        else w->error = DD_ERR_NO_MEMORY;
    }
}

DD_API void dd_mp_writer_reset(dd_mp_writer *w) {
    w->len = 0;
    w->error = DD_OK;
}

DD_API void dd_mp_writer_free(dd_mp_writer *w) {
    if (!w || !w->growable) return;
    dd__free(&w->alloc, w->buf, w->cap);
    w->buf = NULL;
    w->len = w->cap = 0;
    w->error = DD_OK;
}

DD_API int dd_mp_writer_finish(const dd_mp_writer *w, size_t *used) {
    if (used) *used = w->error == DD_OK ? w->len : 0;
    return w->error;
}

DD_API int dd_mp_writer_error(const dd_mp_writer *w) { return w->error; }
DD_API const uint8_t *dd_mp_writer_data(const dd_mp_writer *w) { return w->buf; }
DD_API size_t dd_mp_writer_size(const dd_mp_writer *w) { return w->len; }

DD_API void dd_mp_write_nil(dd_mp_writer *w) { dd__mp_put_tagged(w, 0xc0, 0, 0); }
DD_API void dd_mp_write_bool(dd_mp_writer *w, int v) { dd__mp_put_tagged(w, v ? 0xc3 : 0xc2, 0, 0); }

DD_API void dd_mp_write_u64(dd_mp_writer *w, uint64_t v) {
    if (v <= 0x7f) dd__mp_put_tagged(w, (uint8_t)v, 0, 0);
    else if (v <= 0xff) dd__mp_put_tagged(w, 0xcc, v, 1);
    else if (v <= 0xffff) dd__mp_put_tagged(w, 0xcd, v, 2);
    else if (v <= 0xffffffffu) dd__mp_put_tagged(w, 0xce, v, 4);
    else dd__mp_put_tagged(w, 0xcf, v, 8);
}

DD_API void dd_mp_write_i64(dd_mp_writer *w, int64_t v) {
    /* two's complement bytes of a negative value, without signed overflow */
    uint64_t u = (uint64_t)v;
    if (v >= 0) dd_mp_write_u64(w, u);
    else if (v >= -32) dd__mp_put_tagged(w, (uint8_t)(u & 0xff), 0, 0);
    else if (v >= INT8_MIN) dd__mp_put_tagged(w, 0xd0, u, 1);
    else if (v >= INT16_MIN) dd__mp_put_tagged(w, 0xd1, u, 2);
    else if (v >= INT32_MIN) dd__mp_put_tagged(w, 0xd2, u, 4);
    else dd__mp_put_tagged(w, 0xd3, u, 8);
}

DD_API void dd_mp_write_f32(dd_mp_writer *w, float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    dd__mp_put_tagged(w, 0xca, bits, 4);
}

DD_API void dd_mp_write_f64(dd_mp_writer *w, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    dd__mp_put_tagged(w, 0xcb, bits, 8);
}

DD_API void dd_mp_write_str(dd_mp_writer *w, const char *s, size_t len) {
    dd__mp_put_blob(w, 0xa0, 32, 0xd9, 0xda, 0xdb, s, len);
}

DD_API void dd_mp_write_cstr(dd_mp_writer *w, const char *s) {
    if (!s) dd__mp_set_error(w, DD_ERR_INVALID_ARG);
    else dd_mp_write_str(w, s, strlen(s));
}

DD_API void dd_mp_write_bin(dd_mp_writer *w, const void *p, size_t len) {
    dd__mp_put_blob(w, -1, 0, 0xc4, 0xc5, 0xc6, p, len);
}

DD_API void dd_mp_write_array(dd_mp_writer *w, uint32_t n) {
    if (n < 16) dd__mp_put_tagged(w, (uint8_t)(0x90 | n), 0, 0);
    else if (n <= 0xffff) dd__mp_put_tagged(w, 0xdc, n, 2);
    else dd__mp_put_tagged(w, 0xdd, n, 4);
}

DD_API void dd_mp_write_map(dd_mp_writer *w, uint32_t n) {
    if (n < 16) dd__mp_put_tagged(w, (uint8_t)(0x80 | n), 0, 0);
    else if (n <= 0xffff) dd__mp_put_tagged(w, 0xde, n, 2);
    else dd__mp_put_tagged(w, 0xdf, n, 4);
}

DD_API void dd_mp_write_ext(dd_mp_writer *w, int8_t type, const void *p, size_t len) {
    uint8_t *q;
    uint8_t fix = len == 1 ? 0xd4 : len == 2 ? 0xd5 : len == 4 ? 0xd6 : len == 8 ? 0xd7 : len == 16 ? 0xd8 : 0;
    if (w->error != DD_OK) return;
    if (len > 0xffffffffu || (!p && len)) {
        w->error = DD_ERR_INVALID_ARG;
        return;
    }
    if (fix) dd__mp_put_tagged(w, fix, 0, 0);
    else if (len <= 0xff) dd__mp_put_tagged(w, 0xc7, len, 1);
    else if (len <= 0xffff) dd__mp_put_tagged(w, 0xc8, len, 2);
    else dd__mp_put_tagged(w, 0xc9, len, 4);
    q = dd__mp_room(w, 1);
    if (!q) return;
    *q = (uint8_t)type;
    w->len++;
    dd_mp_write_raw(w, p, len);
}

DD_API void dd_mp_write_raw(dd_mp_writer *w, const void *p, size_t len) {
    uint8_t *q;
    if (w->error != DD_OK || len == 0) return;
    if (!p) {
        w->error = DD_ERR_INVALID_ARG;
        return;
    }
    q = dd__mp_room(w, len);
    if (!q) return;
    memcpy(q, p, len);
    w->len += len;
}

DD__PRIVATE size_t dd__mp_reserve(dd_mp_writer *w, uint8_t tag) {
    size_t at = w->len;
    dd__mp_put_tagged(w, tag, 0, 4);
    return w->error == DD_OK ? at : (size_t)-1;
}

DD_API size_t dd_mp_reserve_array(dd_mp_writer *w) { return dd__mp_reserve(w, 0xdd); }
DD_API size_t dd_mp_reserve_map(dd_mp_writer *w) { return dd__mp_reserve(w, 0xdf); }

DD_API void dd_mp_patch_count(dd_mp_writer *w, size_t offset, uint32_t n) {
    if (w->error != DD_OK) return;
    if (offset >= w->len || w->len - offset < 5 || (w->buf[offset] != 0xdd && w->buf[offset] != 0xdf)) {
        w->error = DD_ERR_INVALID_ARG;
        return;
    }
    dd__mp_put_be(w->buf + offset + 1, n, 4);
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#endif /* DD__MSGPACK_IMPLEMENTED */
