/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_msgpack.c -o fuzz_msgpack && ./fuzz_msgpack -dict=fuzz/dict/msgpack.dict fuzz/corpus/msgpack
 *
 * The msgpack reader on hostile bytes. Properties checked (abort on violation):
 *  - dd_mp_skip either accepts a first value or fails with TRUNCATED/MALFORMED/DEPTH, leaving the
 *    reader where it was;
 *  - round trip: the accepted value, re-encoded token by token with the writer (smallest form), is
 *    no longer than the input, reads back as the same tokens, and re-encoding that is a fixpoint;
 *  - dd_mp_to_json renders a value exactly when skip accepts it as the whole input (same depth
 *    limit), never writes past `cap`, always NUL-terminates, and renders the canonical re-encoding
 *    identically; a short buffer receives a prefix of the full text. */
#define DD_MSGPACK_IMPLEMENTATION
#include "../dd_msgpack.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_msgpack: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* One token of a value, as the reader reports it. */
typedef struct token {
    int type, f32;
    uint64_t u; /* UINT value, BOOL, counts, lengths; float bits */
    int64_t i;
    int8_t ext;
    const void *data;
} token;

/* Reads the next token with the typed public readers (the private parser only says float 32). */
static int next_token(dd_mp_reader *r, token *t) {
    dd__mp_item it;
    double d;
    uint32_t n = 0;
    int v, rc;
    memset(t, 0, sizeof *t);
    t->type = dd_mp_peek_type(r);
    if (t->type < 0) return t->type;
    switch (t->type) {
    case DD_MP_NIL: return dd_mp_read_nil(r);
    case DD_MP_BOOL: rc = dd_mp_read_bool(r, &v); t->u = (uint64_t)v; return rc;
    case DD_MP_UINT: return dd_mp_read_u64(r, &t->u);
    case DD_MP_INT: return dd_mp_read_i64(r, &t->i);
    case DD_MP_FLOAT:
        REQUIRE(dd__mp_parse(r->p, dd_mp_reader_remaining(r), &it) == DD_OK);
        t->f32 = it.f32;
        rc = dd_mp_read_f64(r, &d);
        memcpy(&t->u, &d, 8);
        return rc;
    case DD_MP_STR: rc = dd_mp_read_str(r, (const char **)&t->data, &n); break;
    case DD_MP_BIN: rc = dd_mp_read_bin(r, &t->data, &n); break;
    case DD_MP_ARRAY: rc = dd_mp_read_array(r, &n); break;
    case DD_MP_MAP: rc = dd_mp_read_map(r, &n); break;
    default: rc = dd_mp_read_ext(r, &t->ext, &t->data, &n); break;
    }
    t->u = n;
    return rc;
}

static void write_token(dd_mp_writer *w, const token *t) {
    double d;
    switch (t->type) {
    case DD_MP_NIL: dd_mp_write_nil(w); break;
    case DD_MP_BOOL: dd_mp_write_bool(w, (int)t->u); break;
    case DD_MP_UINT: dd_mp_write_u64(w, t->u); break;
    case DD_MP_INT: dd_mp_write_i64(w, t->i); break;
    case DD_MP_FLOAT:
        memcpy(&d, &t->u, 8);
        if (t->f32) dd_mp_write_f32(w, (float)d); /* exact: the double came from a float */
        else dd_mp_write_f64(w, d);
        break;
    case DD_MP_STR: dd_mp_write_str(w, (const char *)t->data, (size_t)t->u); break;
    case DD_MP_BIN: dd_mp_write_bin(w, t->data, (size_t)t->u); break;
    case DD_MP_ARRAY: dd_mp_write_array(w, (uint32_t)t->u); break;
    case DD_MP_MAP: dd_mp_write_map(w, (uint32_t)t->u); break;
    default: dd_mp_write_ext(w, t->ext, t->data, (size_t)t->u); break;
    }
}

static int same_token(const token *a, const token *b) {
    if (a->type != b->type || a->u != b->u || a->i != b->i || a->f32 != b->f32 || a->ext != b->ext) return 0;
    if (a->type == DD_MP_STR || a->type == DD_MP_BIN || a->type == DD_MP_EXT)
        return a->u == 0 || memcmp(a->data, b->data, (size_t)a->u) == 0;
    return 1;
}

/* Re-encodes the one value at data[0..len) (already accepted by skip) into `w`. */
static void reencode(const uint8_t *data, size_t len, dd_mp_writer *w) {
    dd_mp_reader r;
    uint64_t pending = 1;
    token t;
    dd_mp_reader_init(&r, data, len);
    while (pending) {
        REQUIRE(next_token(&r, &t) == DD_OK);
        write_token(w, &t);
        pending--;
        if (t.type == DD_MP_ARRAY) pending += t.u;
        if (t.type == DD_MP_MAP) pending += 2 * t.u;
    }
    REQUIRE(dd_mp_reader_remaining(&r) == 0);
}

/* The two values read as the same token sequence. */
static void require_same_tokens(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    dd_mp_reader ra, rb;
    uint64_t pending = 1;
    token ta, tb;
    dd_mp_reader_init(&ra, a, alen);
    dd_mp_reader_init(&rb, b, blen);
    while (pending) {
        REQUIRE(next_token(&ra, &ta) == DD_OK);
        REQUIRE(next_token(&rb, &tb) == DD_OK);
        REQUIRE(same_token(&ta, &tb));
        pending--;
        if (ta.type == DD_MP_ARRAY) pending += ta.u;
        if (ta.type == DD_MP_MAP) pending += 2 * ta.u;
    }
    REQUIRE(dd_mp_reader_remaining(&ra) == 0 && dd_mp_reader_remaining(&rb) == 0);
}

/* Renders into an exact-size heap buffer (ASan sees any write past cap); returns it (or NULL). */
static char *json(const uint8_t *data, size_t len, size_t cap, size_t *need) {
    char *out = cap ? (char *)malloc(cap) : NULL;
    if (cap) memset(out, '#', cap);
    *need = dd_mp_to_json(data, len, out, cap);
    if (cap) REQUIRE(memchr(out, '\0', cap) != NULL);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dd_mp_reader r;
    size_t vlen = 0, need, need2;
    char *full, *part;
    int rc;
    dd_mp_reader_init(&r, data, size);
    rc = dd_mp_skip(&r);
    if (rc != DD_OK) {
        REQUIRE(rc == DD_ERR_TRUNCATED || rc == DD_ERR_MALFORMED || rc == DD_ERR_DEPTH);
        REQUIRE(r.p == data && dd_mp_reader_error(&r) == rc);
    } else {
        vlen = (size_t)(r.p - data);
        REQUIRE(vlen >= 1 && vlen <= size);
    }

    /* JSON of the whole input: exactly when it is one accepted value */
    free(json(data, size, 0, &need));
    REQUIRE((need > 0) == (rc == DD_OK && vlen == size));

    if (rc == DD_OK) {
        dd_mp_writer w, w2;
        size_t clen;
        dd_mp_writer_init_growable(&w, NULL, 0);
        reencode(data, vlen, &w);
        REQUIRE(dd_mp_writer_finish(&w, &clen) == DD_OK);
        REQUIRE(clen <= vlen); /* smallest encodings never grow a value */
        require_same_tokens(data, vlen, dd_mp_writer_data(&w), clen);
        dd_mp_writer_init_growable(&w2, NULL, 0);
        reencode(dd_mp_writer_data(&w), clen, &w2);
        REQUIRE(dd_mp_writer_size(&w2) == clen && memcmp(dd_mp_writer_data(&w2), dd_mp_writer_data(&w), clen) == 0);
        dd_mp_writer_free(&w2);

        /* JSON of the value and of its canonical form agree; a short buffer gets a prefix */
        full = json(data, vlen, 1, &need);
        free(full);
        if (need > 0 && need < (1u << 24)) {
            full = json(data, vlen, need + 1, &need2);
            REQUIRE(need2 == need && strlen(full) == need);
            part = json(dd_mp_writer_data(&w), clen, need + 1, &need2);
            REQUIRE(need2 == need && strcmp(part, full) == 0);
            free(part);
            part = json(data, vlen, need / 2 + 1, &need2);
            REQUIRE(need2 == need && strlen(part) == need / 2 && memcmp(part, full, need / 2) == 0);
            free(part);
            free(full);
        }
        dd_mp_writer_free(&w);
    }
    return 0;
}
