/* tests/msgpack_test.c - dd_msgpack.h: expected bytes written by hand from the MessagePack
 * specification (github.com/msgpack/msgpack/blob/master/spec.md), boundary values of every width,
 * every truncation, hostile lengths and depths, a failing allocator, and dd_mp_to_json. */
#define DD_MSGPACK_IMPLEMENTATION
#include "../dd_msgpack.h"
#include "test.h"
#include <stdlib.h>

/* "cc 80" -> bytes; returns the count. */
static size_t hex(const char *s, uint8_t *out) {
    size_t n = 0;
    while (*s) {
        unsigned v = 0;
        int k;
        if (*s == ' ') {
            s++;
            continue;
        }
        for (k = 0; k < 2; k++, s++) v = v * 16 + (unsigned)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
        out[n++] = (uint8_t)v;
    }
    return n;
}

#define EXPECT_BYTES(w, hexstr)                                                                    \
    do {                                                                                           \
        uint8_t want_[64];                                                                         \
        size_t wn_ = hex(hexstr, want_);                                                           \
        CHECK_EQ_INT(dd_mp_writer_error(w), DD_OK);                                                \
        CHECK_MEM(dd_mp_writer_data(w), dd_mp_writer_size(w), want_, wn_);                        \
    } while (0)

/*=== integer table: value -> smallest encoding, from the specification ===*/

typedef struct int_case {
    int neg;    /* 1: the value is `i`, else `u` */
    uint64_t u;
    int64_t i;
    const char *hex;
} int_case;

static const int_case int_cases[] = {
    {0, 0, 0, "00"},
    {0, 1, 0, "01"},
    {0, 127, 0, "7f"},
    {0, 128, 0, "cc 80"},
    {0, 255, 0, "cc ff"},
    {0, 256, 0, "cd 01 00"},
    {0, 65535, 0, "cd ff ff"},
    {0, 65536, 0, "ce 00 01 00 00"},
    {0, 4294967295u, 0, "ce ff ff ff ff"},
    {0, 4294967296u, 0, "cf 00 00 00 01 00 00 00 00"},
    {0, 9223372036854775807u, 0, "cf 7f ff ff ff ff ff ff ff"},
    {0, 9223372036854775808u, 0, "cf 80 00 00 00 00 00 00 00"},
    {0, 18446744073709551615u, 0, "cf ff ff ff ff ff ff ff ff"},
    {1, 0, -1, "ff"},
    {1, 0, -32, "e0"},
    {1, 0, -33, "d0 df"},
    {1, 0, -128, "d0 80"},
    {1, 0, -129, "d1 ff 7f"},
    {1, 0, -32768, "d1 80 00"},
    {1, 0, -32769, "d2 ff ff 7f ff"},
    {1, 0, -2147483647 - 1, "d2 80 00 00 00"},
    {1, 0, -2147483649LL, "d3 ff ff ff ff 7f ff ff ff"},
    {1, 0, INT64_MIN, "d3 80 00 00 00 00 00 00 00"},
};
#define N_INT_CASES (sizeof int_cases / sizeof int_cases[0])

static void test_write_int_boundaries(void) {
    size_t k;
    for (k = 0; k < N_INT_CASES; k++) {
        const int_case *c = &int_cases[k];
        uint8_t buf[16];
        dd_mp_writer w;
        dd_mp_writer_init_fixed(&w, buf, sizeof buf);
        if (c->neg) dd_mp_write_i64(&w, c->i);
        else dd_mp_write_u64(&w, c->u);
        EXPECT_BYTES(&w, c->hex);
        /* a non-negative value written as i64 takes the same (unsigned) encoding */
        if (!c->neg && c->u <= (uint64_t)INT64_MAX) {
            dd_mp_writer_reset(&w);
            dd_mp_write_i64(&w, (int64_t)c->u);
            EXPECT_BYTES(&w, c->hex);
        }
    }
}

static void test_read_int_boundaries(void) {
    size_t k;
    for (k = 0; k < N_INT_CASES; k++) {
        const int_case *c = &int_cases[k];
        uint8_t b[16];
        size_t n = hex(c->hex, b);
        dd_mp_reader r;
        uint64_t u = 7;
        int64_t i = 7;
        dd_mp_reader_init(&r, b, n);
        CHECK_EQ_INT(dd_mp_peek_type(&r), c->neg ? DD_MP_INT : DD_MP_UINT);
        if (c->neg) {
            CHECK_EQ_INT(dd_mp_read_i64(&r, &i), DD_OK);
            CHECK_EQ_INT(i, c->i);
            dd_mp_reader_init(&r, b, n);
            CHECK_EQ_INT(dd_mp_read_u64(&r, &u), DD_ERR_TYPE); /* negative is not a u64 */
            CHECK_EQ_U64(u, 0);
            CHECK(r.p == b);
            CHECK_EQ_U64(dd_mp_reader_remaining(&r), n);
        } else {
            CHECK_EQ_INT(dd_mp_read_u64(&r, &u), DD_OK);
            CHECK_EQ_U64(u, c->u);
            dd_mp_reader_init(&r, b, n);
            CHECK_EQ_INT(dd_mp_read_i64(&r, &i), c->u <= (uint64_t)INT64_MAX ? DD_OK : DD_ERR_TYPE);
            CHECK_EQ_INT(i, c->u <= (uint64_t)INT64_MAX ? (int64_t)c->u : 0);
            CHECK_EQ_U64(dd_mp_reader_remaining(&r), c->u <= (uint64_t)INT64_MAX ? 0 : n);
        }
    }
}

/* Wider-than-needed encodings are valid input too: any int that fits is accepted. */
static void test_read_int_any_width(void) {
    static const struct {
        const char *hex;
        int ok_u, ok_i;
        uint64_t u;
        int64_t i;
    } cases[] = {
        {"cc 05", 1, 1, 5, 5},
        {"cd 00 05", 1, 1, 5, 5},
        {"ce 00 00 00 05", 1, 1, 5, 5},
        {"cf 00 00 00 00 00 00 00 05", 1, 1, 5, 5},
        {"d0 05", 1, 1, 5, 5},
        {"d0 7f", 1, 1, 127, 127},
        {"d1 00 05", 1, 1, 5, 5},
        {"d2 7f ff ff ff", 1, 1, 2147483647, 2147483647},
        {"d3 7f ff ff ff ff ff ff ff", 1, 1, 9223372036854775807u, INT64_MAX},
        {"d0 ff", 0, 1, 0, -1},
        {"d1 ff ff", 0, 1, 0, -1},
        {"d2 ff ff ff ff", 0, 1, 0, -1},
        {"d3 ff ff ff ff ff ff ff ff", 0, 1, 0, -1},
        {"d1 00 80", 1, 1, 128, 128},
        {"d2 ff ff ff 80", 0, 1, 0, -128},
        {"cf 80 00 00 00 00 00 00 01", 1, 0, 9223372036854775809u, 0},
    };
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t b[16];
        size_t n = hex(cases[k].hex, b);
        dd_mp_reader r;
        uint64_t u;
        int64_t i;
        dd_mp_reader_init(&r, b, n);
        CHECK_EQ_INT(dd_mp_read_u64(&r, &u), cases[k].ok_u ? DD_OK : DD_ERR_TYPE);
        CHECK_EQ_U64(u, cases[k].u);
        dd_mp_reader_init(&r, b, n);
        CHECK_EQ_INT(dd_mp_read_i64(&r, &i), cases[k].ok_i ? DD_OK : DD_ERR_TYPE);
        CHECK_EQ_INT(i, cases[k].i);
        CHECK_EQ_U64(dd_mp_reader_remaining(&r), cases[k].ok_i ? 0 : n);
    }
}

static void test_write_nil_bool_float(void) {
    uint8_t buf[64];
    dd_mp_writer w;
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_nil(&w);
    dd_mp_write_bool(&w, 0);
    dd_mp_write_bool(&w, 1);
    dd_mp_write_bool(&w, 42);
    EXPECT_BYTES(&w, "c0 c2 c3 c3");
    dd_mp_writer_reset(&w);
    dd_mp_write_f32(&w, 1.5f);
    dd_mp_write_f32(&w, -0.0f);
    EXPECT_BYTES(&w, "ca 3f c0 00 00 ca 80 00 00 00");
    dd_mp_writer_reset(&w);
    dd_mp_write_f64(&w, 1.5);
    dd_mp_write_f64(&w, 0.1);
    EXPECT_BYTES(&w, "cb 3f f8 00 00 00 00 00 00 cb 3f b9 99 99 99 99 99 9a");
    dd_mp_writer_reset(&w);
    dd_mp_write_f64(&w, -2.0);
    dd_mp_write_f64(&w, 1e308 * 10); /* +infinity */
    EXPECT_BYTES(&w, "cb c0 00 00 00 00 00 00 00 cb 7f f0 00 00 00 00 00 00");
}

static void test_read_nil_bool_float(void) {
    uint8_t b[64];
    size_t n = hex("c0 c2 c3 ca 3f c0 00 00 cb 3f b9 99 99 99 99 99 9a ca 7f 80 00 00", b);
    dd_mp_reader r;
    int v = 9;
    double d = 0;
    dd_mp_reader_init(&r, b, n);
    CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_NIL);
    CHECK_EQ_INT(dd_mp_read_nil(&r), DD_OK);
    CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_BOOL);
    CHECK_EQ_INT(dd_mp_read_bool(&r, &v), DD_OK);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(dd_mp_read_bool(&r, &v), DD_OK);
    CHECK_EQ_INT(v, 1);
    CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_FLOAT);
    CHECK_EQ_INT(dd_mp_read_f64(&r, &d), DD_OK);
    CHECK(d == 1.5);
    CHECK_EQ_INT(dd_mp_read_f64(&r, &d), DD_OK);
    CHECK(d == 0.1);
    CHECK_EQ_INT(dd_mp_read_f64(&r, &d), DD_OK);
    CHECK(d > 1e308 && d == d); /* float32 +infinity */
    CHECK_EQ_U64(dd_mp_reader_remaining(&r), 0);
    CHECK_EQ_INT(dd_mp_reader_error(&r), DD_OK);
    /* an integer is not a float */
    dd_mp_reader_init(&r, b, hex("01", b));
    CHECK_EQ_INT(dd_mp_read_f64(&r, &d), DD_ERR_TYPE);
    CHECK(d == 0);
}

/* str/bin/ext/array/map headers at every width boundary; payload bytes follow the header. */
typedef struct len_case {
    int kind; /* 's' str, 'b' bin, 'a' array, 'm' map */
    uint32_t len;
    const char *header;
} len_case;

static const len_case len_cases[] = {
    {'s', 0, "a0"},          {'s', 1, "a1"},          {'s', 31, "bf"},         {'s', 32, "d9 20"},
    {'s', 255, "d9 ff"},     {'s', 256, "da 01 00"},  {'s', 65535, "da ff ff"}, {'s', 65536, "db 00 01 00 00"},
    {'b', 0, "c4 00"},       {'b', 1, "c4 01"},       {'b', 255, "c4 ff"},     {'b', 256, "c5 01 00"},
    {'b', 65535, "c5 ff ff"}, {'b', 65536, "c6 00 01 00 00"},
    {'a', 0, "90"},          {'a', 15, "9f"},         {'a', 16, "dc 00 10"},   {'a', 65535, "dc ff ff"},
    {'a', 65536, "dd 00 01 00 00"}, {'a', 4294967295u, "dd ff ff ff ff"},
    {'m', 0, "80"},          {'m', 15, "8f"},         {'m', 16, "de 00 10"},   {'m', 65535, "de ff ff"},
    {'m', 65536, "df 00 01 00 00"}, {'m', 4294967295u, "df ff ff ff ff"},
};
#define N_LEN_CASES (sizeof len_cases / sizeof len_cases[0])

static void test_write_lengths(void) {
    size_t k;
    char *payload = (char *)malloc(65536);
    memset(payload, 'x', 65536);
    for (k = 0; k < N_LEN_CASES; k++) {
        const len_case *c = &len_cases[k];
        uint8_t want[8];
        size_t hn = hex(c->header, want);
        dd_mp_writer w;
        dd_mp_writer_init_growable(&w, NULL, 0);
        if (c->kind == 's') dd_mp_write_str(&w, payload, c->len);
        else if (c->kind == 'b') dd_mp_write_bin(&w, payload, c->len);
        else if (c->kind == 'a') dd_mp_write_array(&w, c->len);
        else dd_mp_write_map(&w, c->len);
        CHECK_EQ_INT(dd_mp_writer_error(&w), DD_OK);
        CHECK_MEM(dd_mp_writer_data(&w), hn, want, hn);
        if (c->kind == 's' || c->kind == 'b') {
            CHECK_EQ_U64(dd_mp_writer_size(&w), hn + c->len);
            CHECK(c->len == 0 || memcmp(dd_mp_writer_data(&w) + hn, payload, c->len) == 0);
        } else {
            CHECK_EQ_U64(dd_mp_writer_size(&w), hn);
        }
        dd_mp_writer_free(&w);
    }
    free(payload);
}

static void test_read_lengths(void) {
    size_t k;
    uint8_t *buf = (uint8_t *)malloc(8 + 65536);
    memset(buf, 0, 8 + 65536); /* array/map elements: 0x00 = the integer 0 */
    for (k = 0; k < N_LEN_CASES; k++) {
        const len_case *c = &len_cases[k];
        size_t hn = hex(c->header, buf);
        size_t body = c->kind == 'm' ? 2 * (size_t)c->len : c->len;
        size_t total = hn + (body <= 65536 ? body : 0);
        dd_mp_reader r;
        uint32_t n = 7;
        const char *s;
        const void *p;
        int rc;
        if (body > 65536) continue; /* the huge counts are in test_oversized_lengths */
        memset(buf + hn, c->kind == 's' || c->kind == 'b' ? 'y' : 0, body);
        dd_mp_reader_init(&r, buf, total);
        if (c->kind == 's') {
            CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_STR);
            rc = dd_mp_read_str(&r, &s, &n);
            CHECK(s == (const char *)buf + hn);
        } else if (c->kind == 'b') {
            CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_BIN);
            rc = dd_mp_read_bin(&r, &p, &n);
            CHECK(p == buf + hn);
        } else if (c->kind == 'a') {
            CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_ARRAY);
            rc = dd_mp_read_array(&r, &n);
        } else {
            CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_MAP);
            rc = dd_mp_read_map(&r, &n);
        }
        CHECK_EQ_INT(rc, DD_OK);
        CHECK_EQ_U64(n, c->len);
        CHECK_EQ_U64(dd_mp_reader_remaining(&r), c->kind == 's' || c->kind == 'b' ? 0 : body);
        /* skip consumes the whole value, elements included */
        dd_mp_reader_init(&r, buf, total);
        CHECK_EQ_INT(dd_mp_skip(&r), DD_OK);
        CHECK_EQ_U64(dd_mp_reader_remaining(&r), 0);
    }
    free(buf);
}

static void test_write_ext(void) {
    static const uint8_t data[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    uint8_t buf[400];
    dd_mp_writer w;
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_ext(&w, 5, data, 1);
    EXPECT_BYTES(&w, "d4 05 01");
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, -1, data, 2);
    EXPECT_BYTES(&w, "d5 ff 01 02");
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, 127, data, 4);
    EXPECT_BYTES(&w, "d6 7f 01 02 03 04");
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, -128, data, 8);
    EXPECT_BYTES(&w, "d7 80 01 02 03 04 05 06 07 08");
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, 1, data, 16);
    EXPECT_BYTES(&w, "d8 01 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10");
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, 1, NULL, 0);
    EXPECT_BYTES(&w, "c7 00 01");
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, 2, data, 3);
    EXPECT_BYTES(&w, "c7 03 02 01 02 03");
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, 3, data, 17);
    EXPECT_BYTES(&w, "c7 11 03 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11");
    dd_mp_writer_reset(&w);
    {
        static uint8_t big[70000];
        dd_mp_writer g;
        dd_mp_writer_init_growable(&g, NULL, 16);
        dd_mp_write_ext(&g, 9, big, 256);
        CHECK_MEM(dd_mp_writer_data(&g), 4, "\xc8\x01\x00\x09", 4);
        CHECK_EQ_U64(dd_mp_writer_size(&g), 4 + 256);
        dd_mp_writer_reset(&g);
        dd_mp_write_ext(&g, 9, big, 65536);
        CHECK_MEM(dd_mp_writer_data(&g), 6, "\xc9\x00\x01\x00\x00\x09", 6);
        CHECK_EQ_U64(dd_mp_writer_size(&g), 6 + 65536);
        dd_mp_writer_free(&g);
    }
}

static void test_read_ext(void) {
    static const char *const cases[] = {"d4 05 01", "d5 ff 01 02", "d6 7f 01 02 03 04", "d7 80 01 02 03 04 05 06 07 08",
                                        "d8 01 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10", "c7 00 01",
                                        "c7 03 02 01 02 03", "c8 00 02 fe 01 02", "c9 00 00 00 01 80 01"};
    static const int types[] = {5, -1, 127, -128, 1, 1, 2, -2, -128};
    static const uint32_t lens[] = {1, 2, 4, 8, 16, 0, 3, 2, 1};
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t b[32];
        size_t n = hex(cases[k], b);
        dd_mp_reader r;
        int8_t t;
        const void *p;
        uint32_t len;
        dd_mp_reader_init(&r, b, n);
        CHECK_EQ_INT(dd_mp_peek_type(&r), DD_MP_EXT);
        CHECK_EQ_INT(dd_mp_read_ext(&r, &t, &p, &len), DD_OK);
        CHECK_EQ_INT(t, types[k]);
        CHECK_EQ_U64(len, lens[k]);
        CHECK(p == b + (n - lens[k]));
        CHECK(len == 0 || ((const uint8_t *)p)[0] == 1);
        CHECK_EQ_U64(dd_mp_reader_remaining(&r), 0);
    }
}

/* Valid encodings of every type, for the truncation sweep. */
static const char *const valid_values[] = {
    "00", "7f", "cc 80", "cd 01 00", "ce 00 01 00 00", "cf 00 00 00 01 00 00 00 00", "e0", "d0 df", "d1 ff 7f",
    "d2 ff ff 7f ff", "d3 80 00 00 00 00 00 00 00", "c0", "c2", "c3", "ca 3f c0 00 00",
    "cb 3f f8 00 00 00 00 00 00", "a0", "a3 61 62 63", "d9 02 68 69", "da 00 01 7a", "db 00 00 00 02 6f 6b",
    "c4 00", "c4 02 00 ff", "c5 00 01 41", "c6 00 00 00 01 42", "d4 01 07", "d5 02 01 02", "d6 03 01 02 03 04",
    "d7 04 01 02 03 04 05 06 07 08", "d8 05 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10", "c7 01 06 aa",
    "c8 00 01 06 aa", "c9 00 00 00 01 06 aa", "90", "92 01 02", "dc 00 01 c0", "dd 00 00 00 02 c2 c3", "80",
    "81 a1 6b 01", "de 00 01 01 02", "df 00 00 00 01 c0 90", "93 91 92 01 81 a0 c0 02 a1 61",
    "82 a1 61 91 a0 a1 62 81 01 dc 00 00",
};
#define N_VALID (sizeof valid_values / sizeof valid_values[0])

static void test_valid_values_skip(void) {
    size_t k;
    for (k = 0; k < N_VALID; k++) {
        uint8_t b[64];
        size_t n = hex(valid_values[k], b);
        dd_mp_reader r;
        b[n] = 0xc1; /* a byte after the value must not be touched by skip */
        dd_mp_reader_init(&r, b, n + 1);
        CHECK_EQ_INT(dd_mp_skip(&r), DD_OK);
        CHECK(r.p == b + n);
        CHECK_EQ_INT(dd_mp_peek_type(&r), DD_ERR_MALFORMED);
    }
}

/* Reads one value of whatever type peek says, with the typed reader. */
static int read_typed(dd_mp_reader *r, int type) {
    int v;
    uint64_t u;
    int64_t i;
    double d;
    const char *s;
    const void *p;
    uint32_t n;
    int8_t t;
    switch (type) {
    case DD_MP_NIL: return dd_mp_read_nil(r);
    case DD_MP_BOOL: return dd_mp_read_bool(r, &v);
    case DD_MP_UINT: return dd_mp_read_u64(r, &u);
    case DD_MP_INT: return dd_mp_read_i64(r, &i);
    case DD_MP_FLOAT: return dd_mp_read_f64(r, &d);
    case DD_MP_STR: return dd_mp_read_str(r, &s, &n);
    case DD_MP_BIN: return dd_mp_read_bin(r, &p, &n);
    case DD_MP_ARRAY: return dd_mp_read_array(r, &n);
    case DD_MP_MAP: return dd_mp_read_map(r, &n);
    default: return dd_mp_read_ext(r, &t, &p, &n);
    }
}

static void test_every_truncation_rejected(void) {
    size_t k, cut;
    for (k = 0; k < N_INT_CASES; k++) { /* every integer width */
        uint8_t full[16];
        size_t n = hex(int_cases[k].hex, full);
        for (cut = 0; cut < n; cut++) {
            uint8_t *b = (uint8_t *)malloc(cut ? cut : 1);
            dd_mp_reader r;
            uint64_t u = 1;
            int64_t i = 1;
            memcpy(b, full, cut);
            dd_mp_reader_init(&r, b, cut);
            CHECK_EQ_INT(dd_mp_read_u64(&r, &u), DD_ERR_TRUNCATED);
            CHECK_EQ_U64(u, 0);
            dd_mp_reader_init(&r, b, cut);
            CHECK_EQ_INT(dd_mp_read_i64(&r, &i), DD_ERR_TRUNCATED);
            CHECK_EQ_INT(i, 0);
            CHECK(r.p == b);
            free(b);
        }
    }
    for (k = 0; k < N_VALID; k++) {
        uint8_t full[64];
        size_t n = hex(valid_values[k], full);
        int type;
        dd_mp_reader r;
        dd_mp_reader_init(&r, full, n);
        type = dd_mp_peek_type(&r);
        CHECK(type >= DD_MP_NIL && type <= DD_MP_EXT);
        for (cut = 0; cut < n; cut++) {
            /* a heap copy of exactly `cut` bytes: ASan catches any read past it */
            uint8_t *b = (uint8_t *)malloc(cut ? cut : 1);
            memcpy(b, full, cut);
            dd_mp_reader_init(&r, b, cut);
            CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_TRUNCATED);
            CHECK(r.p == b);
            CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_TRUNCATED); /* sticky */
            CHECK_EQ_INT(dd_mp_to_json(b, cut, NULL, 0), 0);
            dd_mp_reader_init(&r, b, cut);
            if (type == DD_MP_ARRAY || type == DD_MP_MAP) {
                /* the header alone may be complete; then its count exceeds what remains or an
                 * element is cut: reading the header then skipping each element must fail */
                uint32_t cnt = 0, e;
                int rc = read_typed(&r, type);
                if (rc == DD_OK) {
                    dd_mp_reader_init(&r, b, cut);
                    rc = type == DD_MP_ARRAY ? dd_mp_read_array(&r, &cnt) : dd_mp_read_map(&r, &cnt);
                    if (type == DD_MP_MAP) cnt *= 2;
                    for (e = 0; e < cnt && rc == DD_OK; e++) rc = dd_mp_skip(&r);
                }
                CHECK_EQ_INT(rc, DD_ERR_TRUNCATED);
            } else {
                CHECK_EQ_INT(read_typed(&r, type), DD_ERR_TRUNCATED);
                CHECK(r.p == b);
            }
            free(b);
        }
    }
}

/* Lengths and counts far past the end: refused, without pointer arithmetic overflow. */
static void test_oversized_lengths(void) {
    static const char *const cases[] = {
        "db ff ff ff ff 61 62",  "da ff ff 61",       "d9 ff 61",          "bf 61",
        "c6 ff ff ff ff 00",     "c5 00 05 00",       "c4 09",             "c9 ff ff ff ff 01 00",
        "c8 ff ff 01 00",        "c7 02 01 00",       "d8 01 00",          "dd ff ff ff ff 01 01",
        "dc 00 03 01 01",        "9f 01 01",          "df ff ff ff ff 01 01", "de 00 02 01 02 03",
        "81 01",                 "df 80 00 00 00 01 01",
    };
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t b[16];
        size_t n = hex(cases[k], b);
        uint8_t *h = (uint8_t *)malloc(n);
        dd_mp_reader r;
        int type;
        memcpy(h, b, n);
        dd_mp_reader_init(&r, h, n);
        type = dd_mp_peek_type(&r); /* the header itself may be complete: peek is what it is */
        CHECK(type == DD_ERR_TRUNCATED || (type >= DD_MP_STR && type <= DD_MP_EXT));
        dd_mp_reader_init(&r, h, n);
        CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_TRUNCATED);
        dd_mp_reader_init(&r, h, n);
        CHECK_EQ_INT(read_typed(&r, b[0] >= 0xd9 && b[0] <= 0xdb ? DD_MP_STR
                                     : b[0] >= 0xa0 && b[0] <= 0xbf ? DD_MP_STR
                                     : b[0] >= 0xc4 && b[0] <= 0xc6 ? DD_MP_BIN
                                     : b[0] == 0xdc || b[0] == 0xdd || (b[0] & 0xf0) == 0x90 ? DD_MP_ARRAY
                                     : b[0] == 0xde || b[0] == 0xdf || (b[0] & 0xf0) == 0x80 ? DD_MP_MAP
                                                                                           : DD_MP_EXT),
                     DD_ERR_TRUNCATED);
        CHECK_EQ_INT(dd_mp_to_json(h, n, NULL, 0), 0);
        free(h);
    }
}

/* Every first byte alone: a one-byte value, or truncated, or 0xc1 malformed. */
static void test_every_first_byte(void) {
    int b;
    for (b = 0; b < 256; b++) {
        uint8_t *p = (uint8_t *)malloc(1);
        dd_mp_reader r;
        int want_type, got;
        *p = (uint8_t)b;
        if (b <= 0x7f) want_type = DD_MP_UINT;
        else if (b <= 0x8f) want_type = b == 0x80 ? DD_MP_MAP : DD_ERR_TRUNCATED;
        else if (b <= 0x9f) want_type = b == 0x90 ? DD_MP_ARRAY : DD_ERR_TRUNCATED;
        else if (b <= 0xbf) want_type = b == 0xa0 ? DD_MP_STR : DD_ERR_TRUNCATED;
        else if (b == 0xc0) want_type = DD_MP_NIL;
        else if (b == 0xc1) want_type = DD_ERR_MALFORMED;
        else if (b == 0xc2 || b == 0xc3) want_type = DD_MP_BOOL;
        else if (b < 0xe0) want_type = DD_ERR_TRUNCATED;
        else want_type = DD_MP_INT;
        dd_mp_reader_init(&r, p, 1);
        got = dd_mp_peek_type(&r);
        CHECK_EQ_INT(got, want_type);
        dd_mp_reader_init(&r, p, 1);
        CHECK_EQ_INT(dd_mp_skip(&r), want_type > 0 ? DD_OK : want_type);
        CHECK_EQ_U64(dd_mp_reader_remaining(&r), want_type > 0 ? 0 : 1);
        free(p);
    }
}

static void test_sticky_reader_error(void) {
    uint8_t b[8];
    size_t n = hex("a1 61 c1 01", b);
    dd_mp_reader r;
    uint64_t u = 5;
    const char *s;
    uint32_t len;
    dd_mp_reader_init(&r, b, n);
    CHECK_EQ_INT(dd_mp_read_u64(&r, &u), DD_ERR_TYPE); /* a str is not an int */
    CHECK_EQ_U64(u, 0);
    CHECK_EQ_INT(dd_mp_read_str(&r, &s, &len), DD_ERR_TYPE); /* sticky: even the right type */
    CHECK(s == NULL);
    CHECK_EQ_U64(len, 0);
    CHECK_EQ_INT(dd_mp_reader_error(&r), DD_ERR_TYPE);
    CHECK_EQ_INT(dd_mp_peek_type(&r), DD_ERR_TYPE);
    dd_mp_reader_init(&r, b, n);
    CHECK_EQ_INT(dd_mp_read_str(&r, &s, &len), DD_OK);
    CHECK_MEM(s, len, "a", 1);
    CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd_mp_read_u64(&r, &u), DD_ERR_MALFORMED);
    CHECK_EQ_U64(dd_mp_reader_remaining(&r), 2);
    /* an empty or NULL input */
    dd_mp_reader_init(&r, NULL, 0);
    CHECK_EQ_INT(dd_mp_peek_type(&r), DD_ERR_TRUNCATED);
    CHECK_EQ_INT(dd_mp_read_nil(&r), DD_ERR_TRUNCATED);
}

/* 100000 nested arrays: refused by the depth limit, without recursion (a recursive reader would
 * also blow the stack under ASan here). */
static void test_depth_limit(void) {
    size_t deep = 100000, k;
    uint8_t *b = (uint8_t *)malloc(deep + 1);
    dd_mp_reader r;
    memset(b, 0x91, deep);
    b[deep] = 0xc0;
    dd_mp_reader_init(&r, b, deep + 1);
    CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_DEPTH);
    CHECK(r.p == b);
    CHECK_EQ_INT(dd_mp_to_json(b, deep + 1, NULL, 0), 0);
    r.max_depth = 4000000; /* capped at DD_MP_DEPTH_CAP */
    r.error = DD_OK;
    CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_DEPTH);
    /* maps nest too: 100000 x {nil: ...} */
    for (k = 0; k + 1 < deep; k += 2) {
        b[k] = 0x81;
        b[k + 1] = 0xc0;
    }
    b[deep - 1] = 0xc0;
    b[deep] = 0xc0;
    dd_mp_reader_init(&r, b, deep + 1);
    CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_DEPTH);
    /* exactly at the limit passes, one more fails; an empty container counts as a level */
    memset(b, 0x91, 64);
    b[64] = 0xc0;
    dd_mp_reader_init(&r, b, 65);
    CHECK_EQ_INT(dd_mp_skip(&r), DD_OK);
    CHECK_EQ_U64(dd_mp_reader_remaining(&r), 0);
    b[63] = 0x90;
    dd_mp_reader_init(&r, b, 64);
    CHECK_EQ_INT(dd_mp_skip(&r), DD_OK);
    memset(b, 0x91, 65);
    b[65] = 0xc0;
    dd_mp_reader_init(&r, b, 66);
    CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_DEPTH);
    dd_mp_reader_init(&r, b, 66);
    r.max_depth = 65;
    CHECK_EQ_INT(dd_mp_skip(&r), DD_OK);
    dd_mp_reader_init(&r, b, 66);
    r.max_depth = 0; /* scalars only */
    CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_DEPTH);
    memset(b, 0x91, 300);
    b[300] = 0xc0;
    dd_mp_reader_init(&r, b, 301);
    r.max_depth = 1000;
    CHECK_EQ_INT(dd_mp_skip(&r), DD_ERR_DEPTH); /* 300 > DD_MP_DEPTH_CAP */
    dd_mp_reader_init(&r, b + 300 - DD_MP_DEPTH_CAP, DD_MP_DEPTH_CAP + 1);
    r.max_depth = 1000;
    CHECK_EQ_INT(dd_mp_skip(&r), DD_OK);
    /* dd_mp_to_json: 64 levels render, 65 do not */
    {
        char out[200];
        memset(b, 0x91, 64);
        b[64] = 0x01;
        CHECK_EQ_INT(dd_mp_to_json(b, 65, out, sizeof out), 129);
        CHECK(out[0] == '[' && out[63] == '[' && out[64] == '1' && out[65] == ']' && out[128] == ']');
        memset(b, 0x91, 65);
        b[65] = 0x01;
        CHECK_EQ_INT(dd_mp_to_json(b, 66, out, sizeof out), 0);
        CHECK_STR(out, "");
    }
    free(b);
}

/*=== writer buffers and errors ===*/

static void test_fixed_buffer_full(void) {
    uint8_t buf[4];
    dd_mp_writer w;
    size_t used = 99;
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_u64(&w, 1);
    dd_mp_write_u64(&w, 200);
    dd_mp_write_u64(&w, 65536); /* 5 bytes: does not fit in the last 1 */
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_BUFFER_FULL);
    CHECK_EQ_U64(dd_mp_writer_size(&w), 3);
    CHECK_MEM(buf, 3, "\x01\xcc\xc8", 3);
    dd_mp_write_nil(&w); /* would fit, but the error is sticky */
    CHECK_EQ_U64(dd_mp_writer_size(&w), 3);
    CHECK_EQ_INT(dd_mp_writer_finish(&w, &used), DD_ERR_BUFFER_FULL);
    CHECK_EQ_U64(used, 0);
    CHECK_EQ_U64(dd_mp_reserve_array(&w), (size_t)-1);
    dd_mp_writer_reset(&w);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_OK);
    dd_mp_write_str(&w, "abc", 3);
    CHECK_EQ_INT(dd_mp_writer_finish(&w, &used), DD_OK);
    CHECK_EQ_U64(used, 4);
    CHECK_MEM(buf, 4, "\xa3" "abc", 4);
    dd_mp_write_nil(&w);
    CHECK_EQ_INT(dd_mp_writer_finish(&w, NULL), DD_ERR_BUFFER_FULL);
    dd_mp_writer_free(&w); /* no-op on a fixed buffer */
    CHECK(dd_mp_writer_data(&w) == buf);
    /* a zero-capacity writer */
    dd_mp_writer_init_fixed(&w, NULL, 0);
    dd_mp_write_raw(&w, "x", 0); /* nothing to write is fine */
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_OK);
    dd_mp_write_nil(&w);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_BUFFER_FULL);
}

static void test_invalid_args(void) {
    uint8_t buf[16];
    dd_mp_writer w;
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_cstr(&w, NULL);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    CHECK_EQ_U64(dd_mp_writer_size(&w), 0);
    dd_mp_writer_reset(&w);
    dd_mp_write_str(&w, NULL, 3);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    dd_mp_writer_reset(&w);
    dd_mp_write_bin(&w, NULL, 1);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    dd_mp_writer_reset(&w);
    dd_mp_write_ext(&w, 1, NULL, 2);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    dd_mp_writer_reset(&w);
    dd_mp_write_raw(&w, NULL, 2);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    dd_mp_writer_reset(&w);
    dd_mp_write_str(&w, NULL, 0); /* empty string from NULL: fine */
    dd_mp_write_bin(&w, NULL, 0);
    EXPECT_BYTES(&w, "a0 c4 00");
    dd_mp_writer_reset(&w);
    dd_mp_write_cstr(&w, "hey");
    EXPECT_BYTES(&w, "a3 68 65 79");
#if SIZE_MAX > 0xffffffffu
    dd_mp_writer_reset(&w);
    dd_mp_write_str(&w, "x", (size_t)0xffffffffu + 1); /* too long for str32; never read */
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    CHECK_EQ_U64(dd_mp_writer_size(&w), 0);
    dd_mp_writer_reset(&w);
    dd_mp_write_bin(&w, "x", (size_t)0xffffffffu + 1);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
#endif
}

static void test_reserve_patch(void) {
    uint8_t buf[64];
    dd_mp_writer w;
    size_t a, m, used;
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_nil(&w);
    a = dd_mp_reserve_array(&w);
    CHECK_EQ_U64(a, 1);
    dd_mp_write_u64(&w, 1);
    m = dd_mp_reserve_map(&w);
    CHECK_EQ_U64(m, 7);
    dd_mp_write_cstr(&w, "k");
    dd_mp_write_bool(&w, 1);
    dd_mp_patch_count(&w, m, 1);
    dd_mp_patch_count(&w, a, 2);
    EXPECT_BYTES(&w, "c0 dd 00 00 00 02 01 df 00 00 00 01 a1 6b c3");
    dd_mp_patch_count(&w, a, 0x01020304u);
    EXPECT_BYTES(&w, "c0 dd 01 02 03 04 01 df 00 00 00 01 a1 6b c3");
    /* a wrong offset is refused and sticky */
    dd_mp_patch_count(&w, 0, 1);
    CHECK_EQ_INT(dd_mp_writer_finish(&w, &used), DD_ERR_INVALID_ARG);
    dd_mp_writer_reset(&w);
    a = dd_mp_reserve_map(&w);
    dd_mp_patch_count(&w, a + 1, 1);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    dd_mp_writer_reset(&w);
    dd_mp_write_nil(&w);
    dd_mp_patch_count(&w, 100, 1);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    /* a 0xdd byte that is not a whole reserved header: refused, nothing written past it */
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_u64(&w, 0xdd);
    dd_mp_patch_count(&w, 1, 7);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_INVALID_ARG);
    CHECK_MEM(buf, 2, "\xcc\xdd", 2);
    CHECK_EQ_U64(dd_mp_writer_size(&w), 2);
    /* a header at the very end (5 bytes exactly) is patchable; 4 bytes of it are not */
    dd_mp_writer_init_fixed(&w, buf, 5);
    a = dd_mp_reserve_array(&w);
    dd_mp_patch_count(&w, a, 3);
    EXPECT_BYTES(&w, "dd 00 00 00 03");
    dd_mp_writer_init_fixed(&w, buf, 4);
    CHECK_EQ_U64(dd_mp_reserve_array(&w), (size_t)-1);
    CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_BUFFER_FULL);
    /* the offset survives a growable buffer moving */
    {
        dd_mp_writer g;
        uint32_t i, n;
        dd_mp_reader r;
        dd_mp_writer_init_growable(&g, NULL, 1);
        a = dd_mp_reserve_array(&g);
        for (i = 0; i < 1000; i++) dd_mp_write_u64(&g, i);
        dd_mp_patch_count(&g, a, 1000);
        CHECK_EQ_INT(dd_mp_writer_finish(&g, &used), DD_OK);
        CHECK_EQ_U64(used, 5 + 128 + 2 * 128 + 3 * 744);
        dd_mp_reader_init(&r, dd_mp_writer_data(&g), used);
        CHECK_EQ_INT(dd_mp_read_array(&r, &n), DD_OK);
        CHECK_EQ_U64(n, 1000);
        dd_mp_writer_free(&g);
    }
}

/* An allocator that fails its n-th call; counts live bytes to prove nothing leaks. */
typedef struct fail_alloc {
    int calls, fail_at, frees;
    size_t live;
} fail_alloc;

static void *fa_alloc(void *user, size_t size) {
    fail_alloc *fa = (fail_alloc *)user;
    if (++fa->calls == fa->fail_at) return NULL;
    fa->live += size;
    return malloc(size);
}
static void fa_free(void *user, void *p, size_t size) {
    fail_alloc *fa = (fail_alloc *)user;
    fa->frees++;
    fa->live -= size;
    free(p);
}

/* The expected bytes of: u64 0..599, then the str "tail". Built from the specification's
 * rules (fixint below 128, uint8 below 256, uint16 after), independently of the writer. */
static size_t expected_sequence(uint8_t *out) {
    size_t n = 0;
    unsigned i;
    for (i = 0; i < 600; i++) {
        if (i < 128) out[n++] = (uint8_t)i;
        else if (i < 256) {
            out[n++] = 0xcc;
            out[n++] = (uint8_t)i;
        } else {
            out[n++] = 0xcd;
            out[n++] = (uint8_t)(i >> 8);
            out[n++] = (uint8_t)i;
        }
    }
    memcpy(out + n, "\xa4tail", 5);
    return n + 5;
}

static void test_failing_allocator_every_n(void) {
    uint8_t want[2048];
    size_t wn = expected_sequence(want);
    int n, succeeded = 0;
    for (n = 1; n < 100 && !succeeded; n++) {
        fail_alloc fa = {0, 0, 0, 0};
        dd_allocator a;
        dd_mp_writer w;
        unsigned i;
        size_t used = 12345;
        int rc;
        fa.fail_at = n;
        a.alloc_fn = fa_alloc;
        a.free_fn = fa_free;
        a.user = &fa;
        dd_mp_writer_init_growable(&w, &a, 8);
        for (i = 0; i < 600; i++) dd_mp_write_u64(&w, i);
        dd_mp_write_cstr(&w, "tail");
        rc = dd_mp_writer_finish(&w, &used);
        if (rc == DD_OK) {
            succeeded = 1;
            CHECK_MEM(dd_mp_writer_data(&w), used, want, wn);
            CHECK(fa.calls >= 8); /* 8 -> 16 -> ... -> 2048: every growth was exercised */
        } else {
            CHECK_EQ_INT(rc, DD_ERR_NO_MEMORY);
            CHECK_EQ_U64(used, 0);
            /* what was written before the failure is intact, in the old buffer */
            CHECK(dd_mp_writer_size(&w) <= wn);
            CHECK(dd_mp_writer_size(&w) == 0 || memcmp(dd_mp_writer_data(&w), want, dd_mp_writer_size(&w)) == 0);
            CHECK_EQ_INT(fa.calls, n); /* no retry after the sticky error */
        }
        dd_mp_writer_free(&w);
        CHECK_EQ_U64(fa.live, 0);
        CHECK_EQ_INT(fa.frees, fa.calls - (fa.calls >= n ? 1 : 0));
        dd_mp_writer_free(&w); /* twice is harmless */
    }
    CHECK(succeeded);
    CHECK(n > 8);
}

static void test_growable_defaults_and_reuse(void) {
    dd_mp_writer w;
    size_t used;
    const uint8_t *before;
    dd_mp_writer_init_growable(&w, NULL, 0);
    CHECK(dd_mp_writer_data(&w) == NULL);
    CHECK_EQ_U64(dd_mp_writer_size(&w), 0);
    CHECK_EQ_INT(dd_mp_writer_finish(&w, &used), DD_OK);
    CHECK_EQ_U64(used, 0);
    dd_mp_write_map(&w, 1);
    dd_mp_write_cstr(&w, "a");
    dd_mp_write_i64(&w, -5);
    EXPECT_BYTES(&w, "81 a1 61 fb");
    before = dd_mp_writer_data(&w);
    dd_mp_writer_reset(&w); /* keeps the buffer */
    CHECK_EQ_U64(dd_mp_writer_size(&w), 0);
    dd_mp_write_nil(&w);
    CHECK(dd_mp_writer_data(&w) == before);
    EXPECT_BYTES(&w, "c0");
    dd_mp_writer_free(&w);
    CHECK(dd_mp_writer_data(&w) == NULL);
    dd_mp_write_raw(&w, "\x93\x01\x02\x03", 4); /* usable again after free */
    EXPECT_BYTES(&w, "93 01 02 03");
    dd_mp_writer_free(&w);
    dd_mp_writer_free(NULL);
    {
        fail_alloc fa = {0, 1, 0, 0};
        dd_allocator a;
        a.alloc_fn = fa_alloc;
        a.free_fn = fa_free;
        a.user = &fa;
        dd_mp_writer_init_growable(&w, &a, 32); /* the initial allocation fails */
        CHECK_EQ_INT(dd_mp_writer_error(&w), DD_ERR_NO_MEMORY);
        dd_mp_write_nil(&w);
        CHECK_EQ_U64(dd_mp_writer_size(&w), 0);
        dd_mp_writer_free(&w);
        CHECK_EQ_INT(fa.frees, 0);
    }
}

/*=== dd_mp_to_json ===*/

static const struct {
    const char *hex, *json;
} json_cases[] = {
    {"c0", "null"},
    {"c2", "false"},
    {"c3", "true"},
    {"00", "0"},
    {"7f", "127"},
    {"cf ff ff ff ff ff ff ff ff", "18446744073709551615"},
    {"ff", "-1"},
    {"d0 80", "-128"},
    {"d3 80 00 00 00 00 00 00 00", "-9223372036854775808"},
    {"d1 00 05", "5"},
    {"cb 3f f8 00 00 00 00 00 00", "1.5"},
    {"cb 3f f0 00 00 00 00 00 00", "1.0"},
    {"cb 40 59 00 00 00 00 00 00", "100.0"},
    {"cb c0 00 00 00 00 00 00 00", "-2.0"},
    {"cb 00 00 00 00 00 00 00 00", "0.0"},
    {"cb 80 00 00 00 00 00 00 00", "-0.0"},
    {"cb 3f b9 99 99 99 99 99 9a", "0.10000000000000001"},
    {"cb 3f 50 62 4d d2 f1 a9 fc", "0.001"},
    {"cb 3e e4 f8 b5 88 e3 68 f1", "1.0000000000000001e-05"},
    {"cb 43 30 00 00 00 00 00 00", "4503599627370496.0"},        /* 2^52 */
    {"cb 43 50 00 00 00 00 00 00", "18014398509481984.0"},       /* 2^54: 17 digits, positional */
    {"cb 44 1d 4d 1c 0c 1a 6d 8e", "1.3512797687137301e+20"},
    {"cb 7f ef ff ff ff ff ff ff", "1.7976931348623157e+308"},   /* DBL_MAX */
    {"cb 00 00 00 00 00 00 00 01", "4.9406564584124654e-324"},   /* the smallest subnormal */
    {"cb 00 10 00 00 00 00 00 00", "2.2250738585072014e-308"},   /* DBL_MIN */
    {"cb 7f f0 00 00 00 00 00 00", "\"Infinity\""},
    {"cb ff f0 00 00 00 00 00 00", "\"-Infinity\""},
    {"cb 7f f8 00 00 00 00 00 00", "\"NaN\""},
    {"ca 3d cc cc cd", "0.100000001"},
    {"ca 3f c0 00 00", "1.5"},
    {"ca 4b 7f ff ff", "16777215.0"},
    {"ca 7f 7f ff ff", "3.40282347e+38"},
    {"a0", "\"\""},
    {"a5 68 65 6c 6c 6f", "\"hello\""},
    {"a6 61 22 62 5c 63 2f", "\"a\\\"b\\\\c/\""},
    {"a6 0a 0d 09 08 0c 00", "\"\\n\\r\\t\\u0008\\u000c\\u0000\""},
    {"a2 1f 7f", "\"\\u001f\x7f\""},
    {"a2 c3 a9", "\"\xc3\xa9\""},                                /* U+00E9 */
    {"a3 e2 82 ac", "\"\xe2\x82\xac\""},                         /* U+20AC */
    {"a4 f0 9f 98 80", "\"\xf0\x9f\x98\x80\""},                  /* U+1F600 */
    {"a1 ff", "\"\\ufffd\""},
    {"a2 c0 80", "\"\\ufffd\\ufffd\""},                          /* overlong NUL */
    {"a3 e0 80 80", "\"\\ufffd\\ufffd\\ufffd\""},                /* overlong 3-byte */
    {"a3 e0 a0 80", "\"\xe0\xa0\x80\""},                         /* U+0800, the first 3-byte */
    {"a4 f0 80 80 80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},      /* overlong 4-byte */
    {"a4 f4 8f bf bf", "\"\xf4\x8f\xbf\xbf\""},                  /* U+10FFFF, the last */
    {"a3 ed 9f bf", "\"\xed\x9f\xbf\""},                         /* U+D7FF, below the surrogates */
    {"a3 ed a0 80", "\"\\ufffd\\ufffd\\ufffd\""},                /* a surrogate */
    {"a4 f4 90 80 80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},      /* above U+10FFFF */
    {"a3 61 e2 82", "\"a\\ufffd\\ufffd\""},                      /* cut short */
    {"a2 80 61", "\"\\ufffda\""},                                /* lone continuation */
    {"c4 00", "\"\""},
    {"c4 03 00 7f ff", "\"007fff\""},
    {"d4 05 ab", "{\"type\":5,\"data\":\"ab\"}"},
    {"c7 00 80", "{\"type\":-128,\"data\":\"\"}"},
    {"90", "[]"},
    {"80", "{}"},
    {"93 01 a1 61 c0", "[1,\"a\",null]"},
    {"82 a1 61 01 a1 62 92 c2 c3", "{\"a\":1,\"b\":[false,true]}"},
    {"92 90 80", "[[],{}]"},
    {"91 91 91 91 c0", "[[[[null]]]]"},
    {"83 01 02 c0 c3 ff 90", "{\"1\":2,\"null\":true,\"-1\":[]}"},
    {"81 92 01 a1 61 c0", "{\"[1,\\\"a\\\"]\":null}"},
    {"81 c4 01 ff 01", "{\"\\\"ff\\\"\":1}"},
    {"81 81 92 01 02 a1 78 03", "{\"{\\\"[1,2]\\\":\\\"x\\\"}\":3}"},
    {"81 91 a2 0a 22 00", "{\"[\\\"\\\\n\\\\\\\"\\\"]\":0}"},
    {"81 cb 3f f8 00 00 00 00 00 00 a0", "{\"1.5\":\"\"}"},
    {"dc 00 02 de 00 01 a0 a0 dd 00 00 00 00", "[{\"\":\"\"},[]]"},
};

static void test_to_json_table(void) {
    size_t k;
    for (k = 0; k < sizeof json_cases / sizeof json_cases[0]; k++) {
        uint8_t b[64];
        size_t n = hex(json_cases[k].hex, b);
        char out[256];
        size_t got;
        uint8_t *h = (uint8_t *)malloc(n); /* exact-size copy for ASan */
        memcpy(h, b, n);
        memset(out, '#', sizeof out);
        got = dd_mp_to_json(h, n, out, sizeof out);
        CHECK_STR(out, json_cases[k].json);
        CHECK_EQ_U64(got, strlen(json_cases[k].json));
        CHECK_EQ_U64(dd_mp_to_json(h, n, NULL, 0), got);
        free(h);
    }
}

static void test_to_json_snprintf_semantics(void) {
    uint8_t b[32];
    size_t n = hex("93 01 a3 61 62 63 c3", b); /* [1,"abc",true] = 14 characters */
    char out[32];
    size_t cap;
    for (cap = 0; cap <= 20; cap++) {
        memset(out, '#', sizeof out);
        CHECK_EQ_U64(dd_mp_to_json(b, n, out, cap), 14);
        if (cap == 0) CHECK(out[0] == '#'); /* nothing written */
        else {
            size_t w = cap - 1 < 14 ? cap - 1 : 14;
            CHECK(memcmp(out, "[1,\"abc\",true]", w) == 0);
            CHECK(out[w] == '\0');
            CHECK(out[w + 1] == '#'); /* never past cap */
        }
    }
    /* not exactly one value: 0 and "" */
    memset(out, '#', sizeof out);
    CHECK_EQ_U64(dd_mp_to_json(b, n - 1, out, sizeof out), 0);
    CHECK_STR(out, "");
    n = hex("01 02", b);
    CHECK_EQ_U64(dd_mp_to_json(b, n, out, sizeof out), 0); /* trailing bytes */
    CHECK_STR(out, "");
    CHECK_EQ_U64(dd_mp_to_json(b, 1, out, sizeof out), 1);
    CHECK_STR(out, "1");
    n = hex("92 c1 01", b);
    CHECK_EQ_U64(dd_mp_to_json(b, n, out, sizeof out), 0);
    CHECK_EQ_U64(dd_mp_to_json(NULL, 0, out, sizeof out), 0);
    CHECK_STR(out, "");
}

/* Float digits against the C library's "%.17g" / "%.9g" (an independent implementation), over
 * many bit patterns; ours adds ".0" to whole numbers written positionally. */
static void check_float_like_printf(double v, int f32) {
    uint8_t b[9];
    char want[64], got[64];
    size_t n;
    if (f32) {
        float f = (float)v;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        b[0] = 0xca;
        b[1] = (uint8_t)(bits >> 24);
        b[2] = (uint8_t)(bits >> 16);
        b[3] = (uint8_t)(bits >> 8);
        b[4] = (uint8_t)bits;
        n = 5;
        snprintf(want, sizeof want, "%.9g", (double)f);
    } else {
        uint64_t bits;
        int i;
        memcpy(&bits, &v, 8);
        b[0] = 0xcb;
        for (i = 0; i < 8; i++) b[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
        n = 9;
        snprintf(want, sizeof want, "%.17g", v);
    }
    if (!strpbrk(want, ".einfa")) strcat(want, ".0");
    if (strstr(want, "inf") || strstr(want, "nan")) return;
    dd_mp_to_json(b, n, got, sizeof got);
    CHECK_STR(got, want);
}

static void test_to_json_floats_like_printf(void) {
    uint64_t x = 0x9e3779b97f4a7c15u;
    int i;
    static const double fixed[] = {0.5, 0.25, 1e-5, 1e-4, 9.999e-5, 123456789012345678.0, 1e16, 1e17, 99999999999999999.0,
                                   0.30000000000000004, 2.5e-310, 1e22, 1e23, 5e-324, 3.14159, 1.0 / 3,
                                   /* exact ties at the 18th digit: half to even, down then up */
                                   9007199254740989.0 / 4, 9007199254740991.0 / 4};
    for (i = 0; i < (int)(sizeof fixed / sizeof fixed[0]); i++) {
        check_float_like_printf(fixed[i], 0);
        check_float_like_printf(-fixed[i], 0);
        check_float_like_printf(fixed[i], 1);
    }
    for (i = 0; i < 3000; i++) { /* xorshift64 bit patterns: every exponent range */
        double d;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(&d, &x, 8);
        check_float_like_printf(d, 0);
        check_float_like_printf((double)(int64_t)(x >> 20), 0);
        check_float_like_printf(d, 1);
    }
}

/* Every typed reader on one sample of every type: only the matching one succeeds (u64/i64 by
 * value); the others return DD_ERR_TYPE, zero their out-params and do not move. */
static void test_type_mismatch_matrix(void) {
    static const struct {
        const char *hex;
        int type;
    } samples[] = {
        {"c0", DD_MP_NIL}, {"c3", DD_MP_BOOL}, {"05", DD_MP_UINT}, {"e0", DD_MP_INT},
        {"ca 3f c0 00 00", DD_MP_FLOAT}, {"a1 61", DD_MP_STR}, {"c4 01 61", DD_MP_BIN},
        {"91 01", DD_MP_ARRAY}, {"81 01 02", DD_MP_MAP}, {"d4 01 61", DD_MP_EXT},
    };
    size_t k;
    int want;
    for (k = 0; k < sizeof samples / sizeof samples[0]; k++) {
        uint8_t b[8];
        size_t n = hex(samples[k].hex, b);
        for (want = DD_MP_NIL; want <= DD_MP_EXT; want++) {
            dd_mp_reader r;
            int v = 9, ok = want == samples[k].type || (want == DD_MP_INT && samples[k].type == DD_MP_UINT);
            uint64_t u = 9;
            int64_t i = 9;
            double d = 9;
            const char *s = "x";
            const void *p = "x";
            uint32_t len = 9;
            int8_t t = 9;
            int rc;
            dd_mp_reader_init(&r, b, n);
            switch (want) {
            case DD_MP_NIL: rc = dd_mp_read_nil(&r); break;
            case DD_MP_BOOL: rc = dd_mp_read_bool(&r, &v); CHECK(ok || v == 0); break;
            case DD_MP_UINT: rc = dd_mp_read_u64(&r, &u); CHECK(ok || u == 0); break;
            case DD_MP_INT: rc = dd_mp_read_i64(&r, &i); CHECK(ok || i == 0); break;
            case DD_MP_FLOAT: rc = dd_mp_read_f64(&r, &d); CHECK(ok || d == 0); break;
            case DD_MP_STR: rc = dd_mp_read_str(&r, &s, &len); CHECK(ok || (s == NULL && len == 0)); break;
            case DD_MP_BIN: rc = dd_mp_read_bin(&r, &p, &len); CHECK(ok || (p == NULL && len == 0)); break;
            case DD_MP_ARRAY: rc = dd_mp_read_array(&r, &len); CHECK(ok || len == 0); break;
            case DD_MP_MAP: rc = dd_mp_read_map(&r, &len); CHECK(ok || len == 0); break;
            default: rc = dd_mp_read_ext(&r, &t, &p, &len); CHECK(ok || (t == 0 && p == NULL && len == 0)); break;
            }
            CHECK_EQ_INT(rc, ok ? DD_OK : DD_ERR_TYPE);
            if (!ok) CHECK(r.p == b);
        }
    }
}

/* A v0.4-shaped payload (docs/agent-protocol.md: array of chunks, chunk = array of span maps)
 * written by hand as hex, built with the writer, then walked back with the reader. */
static void test_payload_shape_roundtrip(void) {
    static const char *const want_hex =
        "91 91 83"
        " a8 74 72 61 63 65 5f 69 64 cf 80 00 00 00 00 00 00 05" /* "trace_id": 2^63 + 5 */
        " a4 6e 61 6d 65 ab 77 65 62 2e 72 65 71 75 65 73 74"   /* "name": "web.request" */
        " a7 6d 65 74 72 69 63 73 81"                            /* "metrics": { */
        " b5 5f 73 61 6d 70 6c 69 6e 67 5f 70 72 69 6f 72 69 74 79 5f 76 31" /* "_sampling_priority_v1" */
        " cb 3f f0 00 00 00 00 00 00";                           /* 1.0 } */
    uint8_t want[128], buf[128];
    size_t wn = hex(want_hex, want), used;
    dd_mp_writer w;
    dd_mp_reader r;
    uint32_t n;
    const char *s;
    uint64_t u;
    double d;
    size_t at;
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    at = dd_mp_reserve_array(&w); /* the payload's count is patched once known */
    dd_mp_write_array(&w, 1);
    dd_mp_write_map(&w, 3);
    dd_mp_write_cstr(&w, "trace_id");
    dd_mp_write_u64(&w, 9223372036854775813u);
    dd_mp_write_cstr(&w, "name");
    dd_mp_write_cstr(&w, "web.request");
    dd_mp_write_cstr(&w, "metrics");
    dd_mp_write_map(&w, 1);
    dd_mp_write_cstr(&w, "_sampling_priority_v1");
    dd_mp_write_f64(&w, 1.0);
    dd_mp_patch_count(&w, at, 1);
    CHECK_EQ_INT(dd_mp_writer_finish(&w, &used), DD_OK);
    /* the reserved header is array32; the hand-written payload uses fixarray */
    CHECK_MEM(buf, 5, "\xdd\x00\x00\x00\x01", 5);
    CHECK_MEM(buf + 5, used - 5, want + 1, wn - 1);
    dd_mp_reader_init(&r, want, wn);
    CHECK_EQ_INT(dd_mp_read_array(&r, &n), DD_OK);
    CHECK_EQ_U64(n, 1);
    CHECK_EQ_INT(dd_mp_read_array(&r, &n), DD_OK);
    CHECK_EQ_INT(dd_mp_read_map(&r, &n), DD_OK);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_INT(dd_mp_read_str(&r, &s, &n), DD_OK);
    CHECK_MEM(s, n, "trace_id", 8);
    CHECK_EQ_INT(dd_mp_read_u64(&r, &u), DD_OK);
    CHECK_EQ_U64(u, 9223372036854775813u);
    CHECK_EQ_INT(dd_mp_read_str(&r, &s, &n), DD_OK);
    CHECK_EQ_INT(dd_mp_skip(&r), DD_OK); /* the name */
    CHECK_EQ_INT(dd_mp_read_str(&r, &s, &n), DD_OK);
    CHECK_MEM(s, n, "metrics", 7);
    CHECK_EQ_INT(dd_mp_read_map(&r, &n), DD_OK);
    CHECK_EQ_INT(dd_mp_read_str(&r, &s, &n), DD_OK);
    CHECK_EQ_INT(dd_mp_read_f64(&r, &d), DD_OK);
    CHECK(d == 1.0);
    CHECK_EQ_U64(dd_mp_reader_remaining(&r), 0);
    {
        char out[160];
        CHECK_EQ_U64(dd_mp_to_json(want, wn, out, sizeof out), 97);
        CHECK_STR(out, "[[{\"trace_id\":9223372036854775813,\"name\":\"web.request\","
                       "\"metrics\":{\"_sampling_priority_v1\":1.0}}]]");
    }
}

static const test_case cases[] = {
    TEST(test_write_int_boundaries),
    TEST(test_read_int_boundaries),
    TEST(test_read_int_any_width),
    TEST(test_write_nil_bool_float),
    TEST(test_read_nil_bool_float),
    TEST(test_write_lengths),
    TEST(test_read_lengths),
    TEST(test_write_ext),
    TEST(test_read_ext),
    TEST(test_valid_values_skip),
    TEST(test_every_truncation_rejected),
    TEST(test_oversized_lengths),
    TEST(test_every_first_byte),
    TEST(test_sticky_reader_error),
    TEST(test_depth_limit),
    TEST(test_fixed_buffer_full),
    TEST(test_invalid_args),
    TEST(test_reserve_patch),
    TEST(test_failing_allocator_every_n),
    TEST(test_growable_defaults_and_reuse),
    TEST(test_to_json_table),
    TEST(test_to_json_snprintf_semantics),
    TEST(test_to_json_floats_like_printf),
    TEST(test_type_mismatch_matrix),
    TEST(test_payload_shape_roundtrip),
};

int main(int argc, char **argv) {
    if (argc > 1) return test_run_filtered("msgpack", cases, sizeof cases / sizeof cases[0], argv[1]);
    return test_run("msgpack", cases, sizeof cases / sizeof cases[0]);
}
