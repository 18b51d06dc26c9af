/* tests/msgpack_cross.c - our side of the python3-msgpack cross-check (tests/msgpack_python_test.sh).
 *   msgpack_cross write FILE   writes the value catalogue (listed in tests/msgpack_cross.py too) with
 *                              the writer, one value after another
 *   msgpack_cross read FILE    decodes every value in FILE with the reader and prints one line per
 *                              top-level value: its tokens, space-separated (n T F u:N i:N f:<hex bits
 *                              of the double> s:<hex> b:<hex> e:<type>:<hex> a:<count> m:<count>) */
#define DD_MSGPACK_IMPLEMENTATION
#include "../dd_msgpack.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t scratch[65536];

static const uint64_t pos_ints[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295u, 4294967296u,
                                    9223372036854775807u, 9223372036854775808u, 18446744073709551615u};
static const int64_t neg_ints[] = {-1, -32, -33, -128, -129, -32768, -32769, -2147483647 - 1, -2147483649LL,
                                   INT64_MIN};
static const uint32_t str_lens[] = {0, 1, 31, 32, 255, 256, 65535, 65536};
static const uint32_t bin_lens[] = {0, 1, 255, 256, 65535, 65536};
static const int ext_types[] = {0, 1, 2, 5, 127, 100, 9, 10, 11, 12, 13}; /* python3-msgpack: 0..127 */
static const uint32_t ext_lens[] = {0, 1, 2, 3, 4, 8, 16, 17, 255, 256, 65536};
static const uint32_t array_lens[] = {0, 15, 16, 65535, 65536};
static const uint32_t map_lens[] = {0, 15, 16, 65536};

static void write_catalogue(dd_mp_writer *w) {
    size_t k;
    uint32_t i;
    uint64_t x = 88172645463325252u;
    dd_mp_write_nil(w);
    dd_mp_write_bool(w, 1);
    dd_mp_write_bool(w, 0);
    for (k = 0; k < sizeof pos_ints / sizeof pos_ints[0]; k++) dd_mp_write_u64(w, pos_ints[k]);
    for (k = 0; k < sizeof neg_ints / sizeof neg_ints[0]; k++) dd_mp_write_i64(w, neg_ints[k]);
    for (i = 0; i < 64; i++) { /* 64-bit LCG (Knuth MMIX constants), every magnitude */
        x = x * 6364136223846793005u + 1442695040888963407u;
        dd_mp_write_u64(w, x >> i);
        dd_mp_write_i64(w, -(int64_t)(i < 63 ? x >> (i + 1) : 0) - 1);
    }
    {
        double zero = 0.0, inf = 1e308 * 10;
        dd_mp_write_f64(w, 0.0);
        dd_mp_write_f64(w, -zero);
        dd_mp_write_f64(w, 1.5);
        dd_mp_write_f64(w, 0.1);
        dd_mp_write_f64(w, -2.5e-300);
        dd_mp_write_f64(w, 1e308);
        dd_mp_write_f64(w, 5e-324);
        dd_mp_write_f64(w, inf);
        dd_mp_write_f64(w, -inf);
        dd_mp_write_f32(w, 1.5f);
        dd_mp_write_f32(w, 0.1f);
        dd_mp_write_f32(w, 3.4028234663852886e38f);
        dd_mp_write_f32(w, -(float)zero);
    }
    for (k = 0; k < sizeof str_lens / sizeof str_lens[0]; k++) {
        for (i = 0; i < str_lens[k]; i++) scratch[i] = (uint8_t)('a' + i % 26);
        dd_mp_write_str(w, (const char *)scratch, str_lens[k]);
    }
    dd_mp_write_cstr(w, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"); /* U+00E9 U+20AC U+1F600 */
    for (k = 0; k < sizeof bin_lens / sizeof bin_lens[0]; k++) {
        for (i = 0; i < bin_lens[k]; i++) scratch[i] = (uint8_t)i;
        dd_mp_write_bin(w, scratch, bin_lens[k]);
    }
    for (k = 0; k < sizeof ext_lens / sizeof ext_lens[0]; k++) {
        for (i = 0; i < ext_lens[k]; i++) scratch[i] = (uint8_t)(i * 7);
        dd_mp_write_ext(w, (int8_t)ext_types[k], scratch, ext_lens[k]);
    }
    for (k = 0; k < sizeof array_lens / sizeof array_lens[0]; k++) {
        dd_mp_write_array(w, array_lens[k]);
        for (i = 0; i < array_lens[k]; i++) dd_mp_write_u64(w, i % 300);
    }
    for (k = 0; k < sizeof map_lens / sizeof map_lens[0]; k++) {
        dd_mp_write_map(w, map_lens[k]);
        for (i = 0; i < map_lens[k]; i++) {
            char key[16];
            int n = snprintf(key, sizeof key, "k%u", (unsigned)i);
            dd_mp_write_str(w, key, (size_t)n);
            dd_mp_write_u64(w, i);
        }
    }
    for (i = 0; i < 40; i++) dd_mp_write_array(w, 1); /* 40 nested arrays around nil */
    dd_mp_write_nil(w);
    /* {"a": [1, {"b": nil}], "c": {"d": -1.5}} */
    dd_mp_write_map(w, 2);
    dd_mp_write_cstr(w, "a");
    dd_mp_write_array(w, 2);
    dd_mp_write_u64(w, 1);
    dd_mp_write_map(w, 1);
    dd_mp_write_cstr(w, "b");
    dd_mp_write_nil(w);
    dd_mp_write_cstr(w, "c");
    dd_mp_write_map(w, 1);
    dd_mp_write_cstr(w, "d");
    dd_mp_write_f64(w, -1.5);
    /* {1: "x", -2: [true]} */
    dd_mp_write_map(w, 2);
    dd_mp_write_i64(w, 1);
    dd_mp_write_cstr(w, "x");
    dd_mp_write_i64(w, -2);
    dd_mp_write_array(w, 1);
    dd_mp_write_bool(w, 1);
}

static void print_hex(const void *p, uint32_t n) {
    const uint8_t *b = (const uint8_t *)p;
    uint32_t i;
    for (i = 0; i < n; i++) printf("%02x", b[i]);
}

/* Prints the tokens of one top-level value; returns DD_OK or the reader's error. */
static int print_value(dd_mp_reader *r) {
    uint64_t pending = 1;
    int first = 1;
    while (pending) {
        int t = dd_mp_peek_type(r), rc = DD_OK, v;
        uint64_t u;
        int64_t i;
        double d;
        const char *s;
        const void *p;
        uint32_t n;
        int8_t et;
        if (t < 0) return t;
        if (!first) putchar(' ');
        first = 0;
        pending--;
        switch (t) {
        case DD_MP_NIL: rc = dd_mp_read_nil(r); putchar('n'); break;
        case DD_MP_BOOL: rc = dd_mp_read_bool(r, &v); putchar(v ? 'T' : 'F'); break;
        case DD_MP_UINT: rc = dd_mp_read_u64(r, &u); printf("u:%" PRIu64, u); break;
        case DD_MP_INT: rc = dd_mp_read_i64(r, &i); printf("i:%" PRId64, i); break;
        case DD_MP_FLOAT:
            rc = dd_mp_read_f64(r, &d);
            memcpy(&u, &d, 8);
            printf("f:%016" PRIx64, u);
            break;
        case DD_MP_STR: rc = dd_mp_read_str(r, &s, &n); printf("s:"); print_hex(s, n); break;
        case DD_MP_BIN: rc = dd_mp_read_bin(r, &p, &n); printf("b:"); print_hex(p, n); break;
        case DD_MP_EXT: rc = dd_mp_read_ext(r, &et, &p, &n); printf("e:%d:", et); print_hex(p, n); break;
        case DD_MP_ARRAY: rc = dd_mp_read_array(r, &n); printf("a:%u", (unsigned)n); pending += n; break;
        default: rc = dd_mp_read_map(r, &n); printf("m:%u", (unsigned)n); pending += 2 * (uint64_t)n; break;
        }
        if (rc != DD_OK) return rc;
    }
    putchar('\n');
    return DD_OK;
}

int main(int argc, char **argv) {
    FILE *f;
    if (argc != 3) {
        fprintf(stderr, "usage: %s write|read FILE\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "write") == 0) {
        dd_mp_writer w;
        size_t used;
        int rc;
        dd_mp_writer_init_growable(&w, NULL, 0);
        write_catalogue(&w);
        rc = dd_mp_writer_finish(&w, &used);
        if (rc != DD_OK) {
            fprintf(stderr, "writer: %s\n", dd_status_str(rc));
            return 1;
        }
        f = fopen(argv[2], "wb");
        if (!f || fwrite(dd_mp_writer_data(&w), 1, used, f) != used || fclose(f) != 0) return 1;
        dd_mp_writer_free(&w);
        return 0;
    } else {
        long size;
        uint8_t *buf;
        dd_mp_reader r;
        f = fopen(argv[2], "rb");
        if (!f) return 1;
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = (uint8_t *)malloc(size > 0 ? (size_t)size : 1);
        if (fread(buf, 1, (size_t)size, f) != (size_t)size) return 1;
        fclose(f);
        dd_mp_reader_init(&r, buf, (size_t)size);
        while (dd_mp_reader_remaining(&r) > 0) {
            int rc = print_value(&r);
            if (rc != DD_OK) {
                printf("\nERROR %s\n", dd_status_str(rc));
                free(buf);
                return 1;
            }
        }
        free(buf);
        return 0;
    }
}
