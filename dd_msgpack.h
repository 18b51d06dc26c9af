/* dd_msgpack.h - MessagePack writer and bounds-checked reader.                  dd-trace-c 0.2.0
 *
 * In exactly one .c file:  #define DD_MSGPACK_IMPLEMENTATION   (DD_TRACE_IMPLEMENTATION also does)
 *                          #include "dd_msgpack.h"
 * OPTIONS   DD_API (linkage), DD_ASSERT(c)
 * THREADS   a writer or reader belongs to one thread at a time; no global state
 * MEMORY    a fixed buffer never allocates; a growable one uses the dd_allocator you pass
 * ERRORS    sticky: the first error stops later calls; check once at the end
 * STACK     every call stays within 16 KiB of stack, measured by tests/stack_test.c on a guarded
 *           16 KiB thread stack (gcc and clang, -O0 to -O2): dd_mp_to_json 4 KiB and dd_mp_skip
 *           2.5 KiB (their depth stacks, on the stack by design: no recursion, no allocation),
 *           every other call under 0.5 KiB.
 * NULL      one rule for the whole API (the five headers): every public function accepts NULL for
 *           any pointer argument and then returns its documented error (DD_ERR_INVALID_ARG, or its
 *           own error value: DD_ERR_NOT_FOUND, 0, NULL, "", -1, DD_TRANSPORT_NOT_SENT) or does
 *           nothing, writing nothing; where NULL has a documented meaning (defaults, none, an
 *           optional out-param, an output buffer taken as capacity 0 to measure) it keeps it.
 *           tests/null_api_test.c calls every function with NULL in each pointer position (the
 *           calls generated from the headers by scripts/gen_null_calls.py).
 * DOES NOT  do I/O, read the environment, start threads, or call locale-dependent libc
 * SECTIONS  writer (dd_mp_writer_*, dd_mp_write_*, reserve/patch), reader (dd_mp_reader_*,
 *           dd_mp_read_*, dd_mp_skip: bounds-checked, depth-limited, no recursion), dd_mp_to_json
 *
 * MAP of the implementation (below the shared prelude implementation), in order. A section owns
 * what it defines and may call the sections above it; none allocates except through a growable
 * writer's dd_allocator, none keeps global state, none recurses.
 *   === writer implementation ===
 *   --- writer: room and encoding helpers --- DD__MP_HOT, dd__mp_set_error (the sticky error),
 *                                    dd__mp_grow (the only allocation), dd__mp_room, dd__mp_put_be,
 *                                    dd__mp_put_tagged, dd__mp_copy, dd__mp_put_blob.
 *   --- writer: lifecycle ---        dd_mp_writer_init_fixed/_growable, _reset, _free, _finish,
 *                                    _error, _data, _size: the dd_mp_writer's buffer and error.
 *   --- writer: values ---           dd_mp_write_* (nil to ext, raw): each a room check and stores.
 *   --- writer: reserve and patch --- dd__mp_reserve, dd_mp_reserve_array/_map, dd_mp_patch_count:
 *                                    32-bit counts written later at a remembered offset.
 *   === reader implementation ===
 *   --- reader: headers ---          dd__mp_item, dd__mp_get_be, dd__mp_parse (never reads past the
 *                                    input), dd__mp_next, dd__mp_take (the sticky error).
 *   --- reader: values ---           dd_mp_reader_init, _error, _remaining, dd_mp_peek_type,
 *                                    dd_mp_read_* (typed reads; the cursor moves only on success).
 *   --- reader: skip ---             dd_mp_skip: a whole value, depth-limited by a counter stack.
 *   === JSON rendering implementation ===
 *   --- json: output and strings --- dd__mp_out (bounded output, counts what did not fit),
 *                                    dd__mp_putc/_puts/_put_u64/_put_hex, UTF-8 checks, JSON strings.
 *   --- json: numbers ---            dd__mp_exact_digits, dd__mp_put_double (%g without stdio or
 *                                    locale).
 *   --- json: dd_mp_to_json ---      dd_mp_to_json: reads with dd__mp_next, renders with the above.
 *   Every section may use the shared prelude (dd__alloc, dd__free, DD__PRIVATE).
 *
 *   uint8_t buf[256]; size_t used; dd_mp_writer w;
 *   dd_mp_writer_init_fixed(&w, buf, sizeof buf);
 *   dd_mp_write_map(&w, 1); dd_mp_write_cstr(&w, "id"); dd_mp_write_u64(&w, 42);
 *   if (dd_mp_writer_finish(&w, &used) != DD_OK) ...;   the first error, checked once
 */
#ifndef DD_MSGPACK_H
#define DD_MSGPACK_H
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

/*=== reader ===*/

/* Value types, as dd_mp_peek_type() returns them (positive, so a negative status stays apart). */
#define DD_MP_NIL 1
#define DD_MP_BOOL 2
#define DD_MP_UINT 3  /* an integer >= 0, whatever its encoding (int8..int64 included) */
#define DD_MP_INT 4   /* an integer < 0 */
#define DD_MP_FLOAT 5 /* float 32 or float 64 */
#define DD_MP_STR 6
#define DD_MP_BIN 7
#define DD_MP_ARRAY 8
#define DD_MP_MAP 9
#define DD_MP_EXT 10

#define DD_MP_DEFAULT_MAX_DEPTH 64 /* dd_mp_reader_init's max_depth */
#define DD_MP_DEPTH_CAP 256        /* a larger max_depth acts as this */

/* A reader over a borrowed byte range; a plain struct the caller owns. `p` (next byte) and `end`
 * may be read; `max_depth` may be changed after init (how many containers dd_mp_skip accepts
 * nested: a top-level array is depth 1, an empty one too). Errors are sticky: after the first
 * one every read returns it without moving. A read never touches a byte at or past `end`.
 * Every length and count is checked against the bytes left before anything is returned: a str,
 * bin or ext must fit entirely, and an array or map header is refused when it announces more
 * values than bytes remain (each value takes at least one byte), so a count is safe to size an
 * allocation by. Failures: DD_ERR_TRUNCATED (input ends early or announces more than it has),
 * DD_ERR_MALFORMED (the never-used byte 0xc1), DD_ERR_TYPE (another type, or an integer out of
 * the asked range), DD_ERR_DEPTH. */
typedef struct dd_mp_reader {
    const uint8_t *p, *end;
    int error;
    uint32_t max_depth;
} dd_mp_reader;

/* Starts a reader over `len` bytes at `data` (borrowed; NULL only with len 0), max_depth 64. [owner thread] */
DD_API void dd_mp_reader_init(dd_mp_reader *r, const void *data, size_t len);
/* The first error, or DD_OK. [owner thread] */
DD_API int dd_mp_reader_error(const dd_mp_reader *r);
/* Bytes not read yet (0 after everything was read). [owner thread] */
DD_API size_t dd_mp_reader_remaining(const dd_mp_reader *r);
/* The type of the next value (DD_MP_*), without moving; or a negative status (truncated header,
 * 0xc1, an earlier error), which is then sticky too. [owner thread] */
DD_API int dd_mp_peek_type(dd_mp_reader *r);

/* The read functions each consume one value of their type and return DD_OK, or return the error
 * (now sticky), leave the reader where it was and zero every out-param. A NULL reader or out-param:
 * DD_ERR_INVALID_ARG, nothing read or written (the NULL rule). */

/* nil. [owner thread] */
DD_API int dd_mp_read_nil(dd_mp_reader *r);
/* A bool: `*v` is 0 or 1. [owner thread] */
DD_API int dd_mp_read_bool(dd_mp_reader *r, int *v);
/* Any integer encoding holding a value >= 0 (a negative one is DD_ERR_TYPE). [owner thread] */
DD_API int dd_mp_read_u64(dd_mp_reader *r, uint64_t *v);
/* Any integer encoding holding a value in int64 range (a uint64 above INT64_MAX is DD_ERR_TYPE). [owner thread] */
DD_API int dd_mp_read_i64(dd_mp_reader *r, int64_t *v);
/* A float 32 (converted exactly) or float 64; integers are DD_ERR_TYPE. [owner thread] */
DD_API int dd_mp_read_f64(dd_mp_reader *r, double *v);
/* A str: `*s` points into the input (not NUL-terminated, not checked for UTF-8), `*len` bytes. [owner thread] */
DD_API int dd_mp_read_str(dd_mp_reader *r, const char **s, uint32_t *len);
/* A bin: `*p` points into the input, `*len` bytes. [owner thread] */
DD_API int dd_mp_read_bin(dd_mp_reader *r, const void **p, uint32_t *len);
/* An array header: `*n` values follow, to be read by the caller. [owner thread] */
DD_API int dd_mp_read_array(dd_mp_reader *r, uint32_t *n);
/* A map header: `*n` key/value pairs (2n values) follow. [owner thread] */
DD_API int dd_mp_read_map(dd_mp_reader *r, uint32_t *n);
/* An ext (fixext or ext8/16/32): its type, data pointing into the input and length. [owner thread] */
DD_API int dd_mp_read_ext(dd_mp_reader *r, int8_t *type, const void **p, uint32_t *len);
/* Consumes one whole value of any type, containers included, without recursion; containers
 * nested deeper than max_depth (capped at DD_MP_DEPTH_CAP) are DD_ERR_DEPTH. [owner thread] */
DD_API int dd_mp_skip(dd_mp_reader *r);

/*=== JSON rendering ===*/

#define DD_MP_JSON_MAX_DEPTH 64 /* containers nested deeper are refused by dd_mp_to_json */

/* Renders the single MessagePack value in `data[0..len)` as compact JSON text into `out`, with
 * snprintf semantics: returns the length the whole text needs (without the NUL); writes at most
 * `cap` bytes, always NUL-terminated when cap > 0 (truncated when the return value >= cap).
 * Returns 0 (and writes "" when cap > 0) when the input is not exactly one valid value: malformed,
 * truncated, trailing bytes, or deeper than DD_MP_JSON_MAX_DEPTH. Every valid value needs at least one
 * character, so 0 is never a success. `out` may be NULL when `cap` is 0 (to measure).
 * Rendering: nil null, bool true/false, integers in exact decimal. Floats as C's "%.17g" would
 * print them in the C locale ("%.9g" for float 32, enough to tell every float apart), computed
 * here from the exact binary value (no libc, no locale), plus ".0" on a whole number written
 * without exponent: 1.0, 100.0, 0.10000000000000001, 1.0000000000000001e-05, -0.0. NaN and the
 * infinities as the strings "NaN", "Infinity", "-Infinity". str as a JSON string: `"` `\` as
 * \" \\, \n \r \t as such, other bytes below 0x20 as \u00XX, valid UTF-8 copied, each byte of an
 * invalid UTF-8 sequence (overlong, surrogate, above U+10FFFF, cut short) as \ufffd. bin as a
 * string of lower-case hex digits. ext as {"type":T,"data":"<hex>"}. A map key that is not a str
 * becomes a JSON string holding its JSON text (1 -> "1"; [1,"a"] -> "[1,\"a\"]"; keys nested
 * inside such a key are quoted but not escaped twice). No spaces or newlines. [any thread] */
DD_API size_t dd_mp_to_json(const void *data, size_t len, char *out, size_t cap);

DD__END_C
#endif /* DD_MSGPACK_H */

#if (defined(DD_MSGPACK_IMPLEMENTATION) || defined(DD_TRACE_IMPLEMENTATION) || defined(DD_LAMBDA_IMPLEMENTATION)) \
    && !defined(DD__MSGPACK_IMPLEMENTED)
#define DD__MSGPACK_IMPLEMENTED
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

/* With `#define DD_API static` an unused public function must not warn: scope the silence to
 * this block (GCC and Clang judge it by the function's location). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <string.h>

/*=== writer implementation ===*/

/*--- writer: room and encoding helpers ---*/
/* Owns the sticky error, the buffer growth (the only allocation: a growable writer's dd_allocator)
 * and the byte-level encoders; touches only the dd_mp_writer it is given. */
/* The few tiny helpers every writer calls: inlined, so that writing a small value costs a room
 * check and a store, not a call. */
#if defined(__GNUC__)
#define DD__MP_HOT __attribute__((always_inline)) inline
#else
#define DD__MP_HOT
#endif

DD__PRIVATE void dd__mp_set_error(dd_mp_writer *w, int err) {
    if (w->error == DD_OK) w->error = err;
}

/* Grows the buffer for `n` more bytes (the slow path of dd__mp_room); NULL with the error set. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
DD__PRIVATE uint8_t *dd__mp_grow(dd_mp_writer *w, size_t n) {
    size_t need, cap;
    uint8_t *nb;
    if (w->error != DD_OK) return NULL;
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
/* Makes room for `n` more bytes and returns where they go, or NULL (error set). The common case
 * (no error, room left) is two compares, small enough to inline in every writer. */
DD__PRIVATE DD__MP_HOT uint8_t *dd__mp_room(dd_mp_writer *w, size_t n) {
    if (w->error == DD_OK && n <= w->cap - w->len) return w->buf + w->len;
    return dd__mp_grow(w, n);
}

/* Unrolled per width: compilers merge each case into one byte swap and one store. */
DD__PRIVATE DD__MP_HOT void dd__mp_put_be(uint8_t *p, uint64_t v, int bytes) {
    switch (bytes) {
    case 8:
        p[0] = (uint8_t)(v >> 56), p[1] = (uint8_t)(v >> 48), p[2] = (uint8_t)(v >> 40), p[3] = (uint8_t)(v >> 32);
        p[4] = (uint8_t)(v >> 24), p[5] = (uint8_t)(v >> 16), p[6] = (uint8_t)(v >> 8), p[7] = (uint8_t)v;
        break;
    case 4:
        p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
        break;
    case 2:
        p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
        break;
    case 1:
        p[0] = (uint8_t)v;
        break;
    default:
        break;
    }
}

/* One marker byte followed by `bytes` big-endian bytes of `v`. */
DD__PRIVATE DD__MP_HOT void dd__mp_put_tagged(dd_mp_writer *w, uint8_t tag, uint64_t v, int bytes) {
    uint8_t *p = w ? dd__mp_room(w, 1 + (size_t)bytes) : NULL; /* a NULL writer: nothing (the NULL rule) */
    if (!p) return;
    p[0] = tag;
    dd__mp_put_be(p + 1, v, bytes);
    w->len += 1 + (size_t)bytes;
}

/* memcpy for short strings (keys and values): up to 32 bytes as two overlapping fixed-size copies
 * that compile inline, not a call. dd_trace.h's implementation uses it too. */
DD__PRIVATE DD__MP_HOT void dd__mp_copy(void *dst, const void *src, size_t n) {
    char *d = (char *)dst;
    const char *s = (const char *)src;
    if (n > 32) {
        memcpy(d, s, n);
    } else if (n >= 16) {
        memcpy(d, s, 16);
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n) {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

/* A length-prefixed blob: `fix` (or -1) for lengths < `fixmax`, else the 8/16/32-bit markers. */
DD__PRIVATE void dd__mp_put_blob(dd_mp_writer *w, int fix, size_t fixmax, uint8_t m8, uint8_t m16, uint8_t m32,
                                 const void *data, size_t len) {
    if (!w || w->error != DD_OK) return;
    if (len > 0xffffffffu || (!data && len)) {
        w->error = DD_ERR_INVALID_ARG;
        return;
    }
    {   /* one room check for the marker, the length and the bytes */
        size_t hdr = (fix >= 0 && len < fixmax) ? 1 : len <= 0xff ? 2 : len <= 0xffff ? 3 : 5;
        uint8_t *p;
        if (len > (size_t)-1 - 5) { /* only where size_t is 32 bits */
            w->error = DD_ERR_NO_MEMORY;
            return;
        }
        p = dd__mp_room(w, hdr + len);
        if (!p) return;
        if (hdr == 1) p[0] = (uint8_t)(fix | (int)len);
        else if (hdr == 2) p[0] = m8;
        else if (hdr == 3) p[0] = m16;
        else p[0] = m32;
        dd__mp_put_be(p + 1, len, (int)hdr - 1);
        if (len) memcpy(p + hdr, data, len);
        w->len += hdr + len;
    }
}

/*--- writer: lifecycle ---*/
/* Owns a dd_mp_writer's buffer and error; _free returns a growable buffer to its allocator. */
DD_API void dd_mp_writer_init_fixed(dd_mp_writer *w, void *buf, size_t cap) {
    if (!w) return;
    memset(w, 0, sizeof *w);
    w->buf = (uint8_t *)buf;
    w->cap = buf ? cap : 0;
}

DD_API void dd_mp_writer_init_growable(dd_mp_writer *w, const dd_allocator *alloc, size_t initial_cap) {
    if (!w) return;
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
    if (!w) return;
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
    if (!w) return DD_ERR_INVALID_ARG;
    if (used) *used = w->error == DD_OK ? w->len : 0;
    return w->error;
}

DD_API int dd_mp_writer_error(const dd_mp_writer *w) { return w ? w->error : DD_ERR_INVALID_ARG; }
DD_API const uint8_t *dd_mp_writer_data(const dd_mp_writer *w) { return w ? w->buf : NULL; }
DD_API size_t dd_mp_writer_size(const dd_mp_writer *w) { return w ? w->len : 0; }

/*--- writer: values ---*/
/* One dd_mp_write_* per MessagePack type: a room check and stores; no-ops after an error. */
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
    if (!w) return;
    if (len < 32 && s && w->error == DD_OK && len < w->cap - w->len) { /* fixstr with room: most keys and values */
        uint8_t *p = w->buf + w->len;
        p[0] = (uint8_t)(0xa0 | len);
        dd__mp_copy(p + 1, s, len);
        w->len += 1 + len;
        return;
    }
    dd__mp_put_blob(w, 0xa0, 32, 0xd9, 0xda, 0xdb, s, len);
}

DD_API void dd_mp_write_cstr(dd_mp_writer *w, const char *s) {
    if (!w) return;
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
    if (!w || w->error != DD_OK) return;
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
    if (!w || w->error != DD_OK || len == 0) return;
    if (!p) {
        w->error = DD_ERR_INVALID_ARG;
        return;
    }
    q = dd__mp_room(w, len);
    if (!q) return;
    memcpy(q, p, len);
    w->len += len;
}

/*--- writer: reserve and patch ---*/
/* A 32-bit array/map header written now and its count patched later; no allocation beyond room. */
DD__PRIVATE size_t dd__mp_reserve(dd_mp_writer *w, uint8_t tag) {
    size_t at;
    if (!w) return (size_t)-1;
    at = w->len;
    dd__mp_put_tagged(w, tag, 0, 4);
    return w->error == DD_OK ? at : (size_t)-1;
}

DD_API size_t dd_mp_reserve_array(dd_mp_writer *w) { return dd__mp_reserve(w, 0xdd); }
DD_API size_t dd_mp_reserve_map(dd_mp_writer *w) { return dd__mp_reserve(w, 0xdf); }

DD_API void dd_mp_patch_count(dd_mp_writer *w, size_t offset, uint32_t n) {
    if (!w || w->error != DD_OK) return;
    if (offset >= w->len || w->len - offset < 5 || (w->buf[offset] != 0xdd && w->buf[offset] != 0xdf)) {
        w->error = DD_ERR_INVALID_ARG;
        return;
    }
    dd__mp_put_be(w->buf + offset + 1, n, 4);
}


/*=== reader implementation ===*/

/*--- reader: headers ---*/
/* Decodes one header (dd__mp_item) bounds-checked against the input; the reader's error is sticky.
 * Reads only the caller's bytes, never allocates. */
/* One decoded header: what a value is and how many bytes it takes. */
typedef struct dd__mp_item {
    int type;            /* DD_MP_* */
    uint64_t u;          /* UINT/BOOL value; ARRAY/MAP count; STR/BIN/EXT length */
    int64_t i;           /* INT value */
    double f;            /* FLOAT value */
    int f32;             /* FLOAT came as float 32 */
    int8_t ext;          /* EXT type */
    const uint8_t *data; /* STR/BIN/EXT payload */
    size_t size;         /* bytes taken: header + payload; a container's header only */
} dd__mp_item;

DD__PRIVATE uint64_t dd__mp_get_be(const uint8_t *p, int n) {
    uint64_t v = 0;
    int i;
    for (i = 0; i < n; i++) v = (v << 8) | p[i];
    return v;
}

/* Decodes the header at p[0..avail) without reading past it; lengths are compared with the bytes
 * left, never added to pointers, so a huge length cannot wrap. */
DD__PRIVATE int dd__mp_parse(const uint8_t *p, size_t avail, dd__mp_item *it) {
    uint8_t b;
    size_t hdr = 1, fixed = 0;
    int n = 0;
    memset(it, 0, sizeof *it);
    if (avail < 1) return DD_ERR_TRUNCATED;
    b = p[0];
    if (b <= 0x7f) { /* positive fixint */
        it->type = DD_MP_UINT;
        it->u = b;
        it->size = 1;
        return DD_OK;
    }
    if (b >= 0xe0) { /* negative fixint */
        it->type = DD_MP_INT;
        it->i = (int64_t)b - 256;
        it->size = 1;
        return DD_OK;
    }
    if (b <= 0x8f) { it->type = DD_MP_MAP; it->u = b & 0x0f; goto container; }
    if (b <= 0x9f) { it->type = DD_MP_ARRAY; it->u = b & 0x0f; goto container; }
    if (b <= 0xbf) { it->type = DD_MP_STR; it->u = b & 0x1f; goto blob; }
    switch (b) {
    case 0xc0: it->type = DD_MP_NIL; it->size = 1; return DD_OK;
    case 0xc1: return DD_ERR_MALFORMED; /* "never used" in the specification */
    case 0xc2: case 0xc3: it->type = DD_MP_BOOL; it->u = b & 1; it->size = 1; return DD_OK;
    case 0xc4: case 0xc5: case 0xc6: it->type = DD_MP_BIN; n = 1 << (b - 0xc4); goto sized;
    case 0xc7: case 0xc8: case 0xc9: it->type = DD_MP_EXT; n = 1 << (b - 0xc7); goto sized;
    case 0xca: case 0xcb: {
        n = b == 0xca ? 4 : 8;
        if (avail < 1 + (size_t)n) return DD_ERR_TRUNCATED;
        it->type = DD_MP_FLOAT;
        if (n == 4) {
            uint32_t bits = (uint32_t)dd__mp_get_be(p + 1, 4);
            float f;
            memcpy(&f, &bits, sizeof f);
            it->f = f;
            it->f32 = 1;
        } else {
            uint64_t bits = dd__mp_get_be(p + 1, 8);
            memcpy(&it->f, &bits, sizeof it->f);
        }
        it->size = 1 + (size_t)n;
        return DD_OK;
    }
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
        n = 1 << (b - 0xcc);
        if (avail < 1 + (size_t)n) return DD_ERR_TRUNCATED;
        it->type = DD_MP_UINT;
        it->u = dd__mp_get_be(p + 1, n);
        it->size = 1 + (size_t)n;
        return DD_OK;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        uint64_t u;
        n = 1 << (b - 0xd0);
        if (avail < 1 + (size_t)n) return DD_ERR_TRUNCATED;
        u = dd__mp_get_be(p + 1, n);
        if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~(uint64_t)0 << (8 * n); /* sign-extend */
        if (u >> 63) {
            it->type = DD_MP_INT;
            it->i = -(int64_t)(~u) - 1; /* ~u < 2^63: no overflow */
        } else {
            it->type = DD_MP_UINT;
            it->u = u;
        }
        it->size = 1 + (size_t)n;
        return DD_OK;
    }
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        it->type = DD_MP_EXT;
        fixed = (size_t)1 << (b - 0xd4);
        if (avail < 2) return DD_ERR_TRUNCATED;
        it->ext = (int8_t)(p[1] >= 0x80 ? (int)p[1] - 256 : (int)p[1]);
        it->u = fixed;
        hdr = 2;
        goto blob;
    case 0xd9: case 0xda: case 0xdb: it->type = DD_MP_STR; n = 1 << (b - 0xd9); goto sized;
    case 0xdc: case 0xdd: it->type = DD_MP_ARRAY; n = b == 0xdc ? 2 : 4; goto counted;
    default: /* 0xde, 0xdf */ it->type = DD_MP_MAP; n = b == 0xde ? 2 : 4; goto counted;
    }
sized: /* bin, ext, str with an n-byte length (ext: then a type byte) */
    if (avail < 1 + (size_t)n) return DD_ERR_TRUNCATED;
    it->u = dd__mp_get_be(p + 1, n);
    hdr = 1 + (size_t)n;
    if (it->type == DD_MP_EXT) {
        if (avail < hdr + 1) return DD_ERR_TRUNCATED;
        it->ext = (int8_t)(p[hdr] >= 0x80 ? (int)p[hdr] - 256 : (int)p[hdr]);
        hdr++;
    }
blob:
    if (avail < hdr || avail - hdr < it->u) return DD_ERR_TRUNCATED;
    it->data = p + hdr;
    it->size = hdr + (size_t)it->u;
    return DD_OK;
counted:
    if (avail < 1 + (size_t)n) return DD_ERR_TRUNCATED;
    it->u = dd__mp_get_be(p + 1, n);
    hdr = 1 + (size_t)n;
container: /* every value takes at least one byte: refuse counts the input cannot hold */
    if (avail < hdr) return DD_ERR_TRUNCATED;
    if (it->type == DD_MP_ARRAY ? it->u > avail - hdr : it->u > (avail - hdr) / 2) return DD_ERR_TRUNCATED;
    it->size = hdr;
    return DD_OK;
}

/* Decodes the next header into `it` (zeroed on failure); the error becomes sticky. */
DD__PRIVATE int dd__mp_next(dd_mp_reader *r, dd__mp_item *it) {
    int rc;
    if (r->error != DD_OK) {
        memset(it, 0, sizeof *it);
        return r->error;
    }
    rc = dd__mp_parse(r->p, (size_t)(r->end - r->p), it);
    if (rc != DD_OK) r->error = rc;
    return rc;
}

/* Reads the next value when it has type `want`; otherwise DD_ERR_TYPE (or the parse error). */
DD__PRIVATE int dd__mp_take(dd_mp_reader *r, int want, dd__mp_item *it) {
    int rc = dd__mp_next(r, it);
    if (rc != DD_OK) return rc;
    if (it->type != want) {
        memset(it, 0, sizeof *it);
        return r->error = DD_ERR_TYPE;
    }
    r->p += it->size;
    return DD_OK;
}

/*--- reader: values ---*/
/* The public typed reads: each takes one header of the wanted type and moves the cursor past it. */
DD_API void dd_mp_reader_init(dd_mp_reader *r, const void *data, size_t len) {
    if (!r) return;
    r->p = (const uint8_t *)data;
    r->end = data ? r->p + len : r->p;
    r->error = DD_OK;
    r->max_depth = DD_MP_DEFAULT_MAX_DEPTH;
}

DD_API int dd_mp_reader_error(const dd_mp_reader *r) { return r ? r->error : DD_ERR_INVALID_ARG; }
DD_API size_t dd_mp_reader_remaining(const dd_mp_reader *r) { return r ? (size_t)(r->end - r->p) : 0; }

DD_API int dd_mp_peek_type(dd_mp_reader *r) {
    dd__mp_item it;
    int rc = r ? dd__mp_next(r, &it) : DD_ERR_INVALID_ARG;
    return rc != DD_OK ? rc : it.type;
}

DD_API int dd_mp_read_nil(dd_mp_reader *r) {
    dd__mp_item it;
    if (!r) return DD_ERR_INVALID_ARG;
    return dd__mp_take(r, DD_MP_NIL, &it);
}

DD_API int dd_mp_read_bool(dd_mp_reader *r, int *v) {
    dd__mp_item it;
    int rc;
    if (!r || !v) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_BOOL, &it);
    *v = (int)it.u;
    return rc;
}

DD_API int dd_mp_read_u64(dd_mp_reader *r, uint64_t *v) {
    dd__mp_item it;
    int rc;
    if (!r || !v) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_UINT, &it);
    *v = it.u;
    return rc;
}

DD_API int dd_mp_read_i64(dd_mp_reader *r, int64_t *v) {
    dd__mp_item it;
    int rc;
    if (!r || !v) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_next(r, &it);
    *v = 0;
    if (rc != DD_OK) return rc;
    if (it.type == DD_MP_INT) *v = it.i;
    else if (it.type == DD_MP_UINT && it.u <= (uint64_t)INT64_MAX) *v = (int64_t)it.u;
    else return r->error = DD_ERR_TYPE;
    r->p += it.size;
    return DD_OK;
}

DD_API int dd_mp_read_f64(dd_mp_reader *r, double *v) {
    dd__mp_item it;
    int rc;
    if (!r || !v) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_FLOAT, &it);
    *v = it.f;
    return rc;
}

DD_API int dd_mp_read_str(dd_mp_reader *r, const char **s, uint32_t *len) {
    dd__mp_item it;
    int rc;
    if (!r || !s || !len) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_STR, &it);
    *s = (const char *)it.data;
    *len = (uint32_t)it.u;
    return rc;
}

DD_API int dd_mp_read_bin(dd_mp_reader *r, const void **p, uint32_t *len) {
    dd__mp_item it;
    int rc;
    if (!r || !p || !len) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_BIN, &it);
    *p = it.data;
    *len = (uint32_t)it.u;
    return rc;
}

DD_API int dd_mp_read_array(dd_mp_reader *r, uint32_t *n) {
    dd__mp_item it;
    int rc;
    if (!r || !n) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_ARRAY, &it);
    *n = (uint32_t)it.u;
    return rc;
}

DD_API int dd_mp_read_map(dd_mp_reader *r, uint32_t *n) {
    dd__mp_item it;
    int rc;
    if (!r || !n) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_MAP, &it);
    *n = (uint32_t)it.u;
    return rc;
}

DD_API int dd_mp_read_ext(dd_mp_reader *r, int8_t *type, const void **p, uint32_t *len) {
    dd__mp_item it;
    int rc;
    if (!r || !type || !p || !len) return DD_ERR_INVALID_ARG; /* nothing read, nothing written */
    rc = dd__mp_take(r, DD_MP_EXT, &it);
    *type = it.ext;
    *p = it.data;
    *len = (uint32_t)it.u;
    return rc;
}

/*--- reader: skip ---*/
/* A whole value of any depth with a counter stack on the stack (DD_MP_DEPTH_CAP), no recursion. */
DD_API int dd_mp_skip(dd_mp_reader *r) {
    uint64_t left[DD_MP_DEPTH_CAP]; /* values still to read in each open container */
    uint32_t depth = 0, max;
    const uint8_t *start;
    dd__mp_item it;
    int rc;
    if (!r) return DD_ERR_INVALID_ARG;
    max = r->max_depth < DD_MP_DEPTH_CAP ? r->max_depth : DD_MP_DEPTH_CAP;
    start = r->p;
    for (;;) {
        rc = dd__mp_next(r, &it);
        if (rc != DD_OK) break;
        r->p += it.size;
        if (it.type == DD_MP_ARRAY || it.type == DD_MP_MAP) {
            if (depth >= max) {
                rc = r->error = DD_ERR_DEPTH;
                break;
            }
            if (it.u) {
                left[depth++] = it.type == DD_MP_MAP ? it.u * 2 : it.u;
                continue;
            }
        }
        while (depth > 0 && --left[depth - 1] == 0) depth--; /* a value is complete */
        if (depth == 0) return DD_OK;
    }
    r->p = start;
    return rc;
}

/*=== JSON rendering implementation ===*/

/*--- json: output and strings ---*/
/* dd__mp_out: writes into the caller's buffer, counts what does not fit; strings are escaped and
 * invalid UTF-8 replaced. No stdio, no locale, no allocation. */
typedef struct dd__mp_out {
    char *out;
    size_t cap, n;
    int esc; /* inside a quoted non-str key: escape `"` and `\` once more */
} dd__mp_out;

DD__PRIVATE void dd__mp_putc(dd__mp_out *o, char c) {
    if (o->esc && (c == '"' || c == '\\')) {
        if (o->n + 1 < o->cap) o->out[o->n] = '\\';
        o->n++;
    }
    if (o->n + 1 < o->cap) o->out[o->n] = c;
    o->n++;
}

DD__PRIVATE void dd__mp_puts(dd__mp_out *o, const char *s) {
    while (*s) dd__mp_putc(o, *s++);
}

DD__PRIVATE void dd__mp_put_u64(dd__mp_out *o, uint64_t v) {
    char tmp[20];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k) dd__mp_putc(o, tmp[--k]);
}

DD__PRIVATE void dd__mp_put_hex(dd__mp_out *o, const uint8_t *p, uint64_t len) {
    static const char hex[] = "0123456789abcdef";
    uint64_t i;
    for (i = 0; i < len; i++) {
        dd__mp_putc(o, hex[p[i] >> 4]);
        dd__mp_putc(o, hex[p[i] & 15]);
    }
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one (RFC 3629 table). */
DD__PRIVATE size_t dd__mp_utf8_len(const uint8_t *s, size_t n) {
    uint8_t b = s[0], lo = 0x80, hi = 0xbf;
    size_t k, i;
    if (b < 0x80) return 1;
    if (b >= 0xc2 && b <= 0xdf) k = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        k = 3;
        if (b == 0xe0) lo = 0xa0;      /* overlong */
        else if (b == 0xed) hi = 0x9f; /* surrogates */
    } else if (b >= 0xf0 && b <= 0xf4) {
        k = 4;
        if (b == 0xf0) lo = 0x90;      /* overlong */
        else if (b == 0xf4) hi = 0x8f; /* above U+10FFFF */
    } else return 0;
    if (n < k || s[1] < lo || s[1] > hi) return 0;
    for (i = 2; i < k; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return k;
}

DD__PRIVATE void dd__mp_put_jstr(dd__mp_out *o, const uint8_t *s, uint64_t len) {
    static const char hex[] = "0123456789abcdef";
    uint64_t i = 0;
    dd__mp_putc(o, '"');
    while (i < len) {
        uint8_t c = s[i];
        size_t k;
        if (c == '"' || c == '\\') {
            dd__mp_putc(o, '\\');
            dd__mp_putc(o, (char)c);
        } else if (c == '\n') dd__mp_puts(o, "\\n");
        else if (c == '\r') dd__mp_puts(o, "\\r");
        else if (c == '\t') dd__mp_puts(o, "\\t");
        else if (c < 0x20) {
            dd__mp_puts(o, "\\u00");
            dd__mp_putc(o, hex[c >> 4]);
            dd__mp_putc(o, hex[c & 15]);
        } else if (c < 0x80) dd__mp_putc(o, (char)c);
        else if ((k = dd__mp_utf8_len(s + i, (size_t)(len - i))) != 0) {
            size_t j;
            for (j = 0; j < k; j++) dd__mp_putc(o, (char)s[i + j]);
            i += k;
            continue;
        } else dd__mp_puts(o, "\\ufffd");
        i++;
    }
    dd__mp_putc(o, '"');
}

/*--- json: numbers ---*/
/* Doubles as exact decimal digits (%g in the C locale, without stdio); integers in decimal. */
/* Exact decimal digits of a finite double > 0: the value is 0.D * 10^*pos. Returns the number of
 * digits written to `d` (at most 770: 2^-1074 * 10^1074 needs 2547 bits, about 767 digits). */
DD__PRIVATE int dd__mp_exact_digits(double v, char *d, int *pos) {
    uint32_t big[84]; /* little-endian base 2^32 */
    char rev[800];
    uint64_t bits, m;
    int e2, nw = 1, i, nd = 0, k;
    memcpy(&bits, &v, sizeof bits);
    m = bits & (((uint64_t)1 << 52) - 1);
    e2 = (int)((bits >> 52) & 0x7ff);
    if (e2 == 0) e2 = -1074;
    else {
        m |= (uint64_t)1 << 52;
        e2 -= 1075;
    }
    big[0] = (uint32_t)m;
    big[1] = (uint32_t)(m >> 32);
    nw = big[1] ? 2 : 1;
    /* value = m * 2^e2 = (m * 2^e2) or (m * 5^-e2) / 10^-e2 */
    k = e2 >= 0 ? e2 : -e2;
    while (k > 0) {
        uint32_t mul = e2 >= 0 ? (k >= 31 ? 0x80000000u : (uint32_t)1 << k) : (k >= 13 ? 1220703125u : 1);
        int step = e2 >= 0 ? (k >= 31 ? 31 : k) : (k >= 13 ? 13 : k);
        uint64_t carry = 0;
        if (e2 < 0 && step < 13) for (i = 0; i < step; i++) mul *= 5;
        for (i = 0; i < nw; i++) {
            uint64_t t = (uint64_t)big[i] * mul + carry;
            big[i] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry) big[nw++] = (uint32_t)carry;
        k -= step;
    }
    while (nw > 1 || big[0] != 0) { /* peel 9 decimal digits at a time */
        uint64_t rem = 0;
        for (i = nw - 1; i >= 0; i--) {
            uint64_t t = (rem << 32) | big[i];
            big[i] = (uint32_t)(t / 1000000000u);
            rem = t % 1000000000u;
        }
        while (nw > 1 && big[nw - 1] == 0) nw--;
        for (i = 0; i < 9; i++) {
            rev[nd++] = (char)('0' + rem % 10);
            rem /= 10;
        }
        if (nw == 1 && big[0] == 0) break;
    }
    while (nd > 1 && rev[nd - 1] == '0') nd--; /* leading zeros of the top group */
    for (i = 0; i < nd; i++) d[i] = rev[nd - 1 - i];
    *pos = nd + (e2 < 0 ? e2 : 0);
    return nd;
}

/* Like C's "%.<prec>g" in the C locale, plus ".0" on whole numbers written positionally. */
DD__PRIVATE void dd__mp_put_double(dd__mp_out *o, double v, int prec) {
    char d[800];
    int n, pos, x, i;
    if (v != v) {
        dd__mp_puts(o, "\"NaN\"");
        return;
    }
    if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
        dd__mp_puts(o, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    if (v < 0 || (v == 0 && 1 / v < 0)) {
        dd__mp_putc(o, '-');
        v = -v;
    }
    if (v == 0) {
        dd__mp_puts(o, "0.0");
        return;
    }
    n = dd__mp_exact_digits(v, d, &pos);
    if (n > prec) { /* round half to even on the exact digits */
        int up = d[prec] > '5';
        if (d[prec] == '5') {
            for (i = prec + 1; i < n && d[i] == '0'; i++) {}
            up = i < n || ((d[prec - 1] - '0') & 1);
        }
        n = prec;
        if (up) {
            for (i = n - 1; i >= 0 && d[i] == '9'; i--) d[i] = '0';
            if (i >= 0) d[i]++;
            else {
                d[0] = '1';
                pos++;
            }
        }
    }
    while (n > 1 && d[n - 1] == '0') n--;
    x = pos - 1; /* decimal exponent of the first digit */
    if (x < -4 || x >= prec) {
        dd__mp_putc(o, d[0]);
        if (n > 1) {
            dd__mp_putc(o, '.');
            for (i = 1; i < n; i++) dd__mp_putc(o, d[i]);
        }
        dd__mp_putc(o, 'e');
        dd__mp_putc(o, x < 0 ? '-' : '+');
        if (x < 0) x = -x;
        if (x < 10) dd__mp_putc(o, '0');
        dd__mp_put_u64(o, (uint64_t)x);
    } else if (x < 0) {
        dd__mp_puts(o, "0.");
        for (i = 0; i < -x - 1; i++) dd__mp_putc(o, '0');
        for (i = 0; i < n; i++) dd__mp_putc(o, d[i]);
    } else {
        for (i = 0; i <= x; i++) dd__mp_putc(o, i < n ? d[i] : '0');
        dd__mp_putc(o, '.');
        if (n <= x + 1) dd__mp_putc(o, '0');
        for (i = x + 1; i < n; i++) dd__mp_putc(o, d[i]);
    }
}

/*--- json: dd_mp_to_json ---*/
/* The renderer: a reader over the input, a container stack on the stack, output through the above. */
DD_API size_t dd_mp_to_json(const void *data, size_t len, char *out, size_t cap) {
    struct {
        uint64_t left, idx; /* values still to come; index of the next one */
        int map, quoted;    /* quoted: 1 = this key turned escaping on, 2 = nested quote only */
    } st[DD_MP_JSON_MAX_DEPTH];
    int depth = 0;
    dd__mp_out o;
    dd_mp_reader r;
    dd__mp_item it;
    o.out = out;
    o.cap = out ? cap : 0;
    o.n = 0;
    o.esc = 0;
    dd_mp_reader_init(&r, data, len);
    for (;;) {
        if (depth > 0) {
            if (st[depth - 1].idx > 0) dd__mp_putc(&o, st[depth - 1].map && (st[depth - 1].idx & 1) ? ':' : ',');
        }
        if (dd__mp_next(&r, &it) != DD_OK) goto fail;
        r.p += it.size;
        if (depth > 0 && st[depth - 1].map && !(st[depth - 1].idx & 1) && it.type != DD_MP_STR) {
            dd__mp_putc(&o, '"'); /* a non-str key becomes a string of its JSON text */
            st[depth - 1].quoted = o.esc ? 2 : 1;
            o.esc = 1;
        }
        switch (it.type) {
        case DD_MP_NIL: dd__mp_puts(&o, "null"); break;
        case DD_MP_BOOL: dd__mp_puts(&o, it.u ? "true" : "false"); break;
        case DD_MP_UINT: dd__mp_put_u64(&o, it.u); break;
        case DD_MP_INT:
            dd__mp_putc(&o, '-');
            dd__mp_put_u64(&o, (uint64_t)0 - (uint64_t)it.i);
            break;
        case DD_MP_FLOAT: dd__mp_put_double(&o, it.f, it.f32 ? 9 : 17); break;
        case DD_MP_STR: dd__mp_put_jstr(&o, it.data, it.u); break;
        case DD_MP_BIN:
            dd__mp_putc(&o, '"');
            dd__mp_put_hex(&o, it.data, it.u);
            dd__mp_putc(&o, '"');
            break;
        case DD_MP_EXT:
            dd__mp_puts(&o, "{\"type\":");
            if (it.ext < 0) dd__mp_putc(&o, '-');
            dd__mp_put_u64(&o, (uint64_t)(it.ext < 0 ? -(int)it.ext : it.ext));
            dd__mp_puts(&o, ",\"data\":\"");
            dd__mp_put_hex(&o, it.data, it.u);
            dd__mp_puts(&o, "\"}");
            break;
        default: /* array, map */
            if (depth >= DD_MP_JSON_MAX_DEPTH) goto fail;
            dd__mp_putc(&o, it.type == DD_MP_MAP ? '{' : '[');
            if (it.u) {
                st[depth].left = it.type == DD_MP_MAP ? it.u * 2 : it.u;
                st[depth].idx = 0;
                st[depth].map = it.type == DD_MP_MAP;
                st[depth].quoted = 0;
                depth++;
                continue;
            }
            dd__mp_putc(&o, it.type == DD_MP_MAP ? '}' : ']');
        }
        for (;;) { /* a value is complete: close the key quote and finished containers */
            if (depth == 0) break;
            if (st[depth - 1].quoted && !(st[depth - 1].idx & 1)) {
                if (st[depth - 1].quoted == 1) o.esc = 0;
                dd__mp_putc(&o, '"');
                st[depth - 1].quoted = 0;
            }
            st[depth - 1].idx++;
            if (--st[depth - 1].left) break;
            depth--;
            dd__mp_putc(&o, st[depth].map ? '}' : ']');
        }
        if (depth == 0) break;
    }
    if (r.p != r.end) goto fail;
    if (o.cap) o.out[o.n < o.cap ? o.n : o.cap - 1] = '\0';
    return o.n;
fail:
    if (o.cap) o.out[0] = '\0';
    return 0;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#endif /* DD__MSGPACK_IMPLEMENTED */
