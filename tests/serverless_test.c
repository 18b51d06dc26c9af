/* tests/serverless_test.c - JSON reader, _datadog carrier, Lambda events, X-Ray merging. */
#define DD_PROPAGATION_IMPLEMENTATION
#include "dd_propagation.h"
#include "test.h"

#include <stdlib.h>

/*--- JSON reader ---*/

static int parse_s(const char *s, dd_json *root) { return dd_json_parse(s, strlen(s), root); }

static void test_json_valid_documents(void) {
    static const char *const ok[] = {
        "null", "true", "false", "0", "-0", "1", "-1", "12.5", "1e5", "1E+5", "1e-5", "-0.0e0", "\"\"",
        "\"abc\"", "[]", "{}", " [ ] ", "\t\n\r{ }\n", "[1,2,3]", "{\"a\":1,\"b\":[true,false,null]}",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\"", "\"\\ud83d\\ude00\"", "\"\xc3\xa9\"", "\"\xe2\x82\xac\"",
        "\"\xf0\x9f\x98\x80\"", "\"\xf4\x8f\xbf\xbf\"", "[[[[[]]]]]", "{\"\":\"\"}", "[\"a\" , \"b\"]",
        "\"\\uDEAD\"", /* lone surrogate escapes are grammatical */
    };
    size_t i;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        dd_json r;
        int rc = parse_s(ok[i], &r);
        if (!CHECK_EQ_INT(rc, DD_OK)) fprintf(stderr, "    document %u: %s\n", (unsigned)i, ok[i]);
    }
}

static void test_json_invalid_documents(void) {
    static const char *const bad[] = {
        "", " ", "nul", "nulll", "True", "tru", "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "1 2",
        "NaN", "Infinity", "-Infinity", "[", "]", "[1,]", "[,1]", "[1 2]", "{", "{\"a\"}", "{\"a\":}",
        "{\"a\":1,}", "{a:1}", "{'a':1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "\"abc", "\"\\x\"", "\"\\u12\"",
        "\"\\u12G4\"", "\"a\tb\"", "\"a\nb\"", "\"\x01\"", "\"\xc0\xaf\"", "\"\xc3\"", "\"\xe0\x80\xaf\"",
        "\"\xed\xa0\x80\"", /* UTF-8 encoded surrogate */
        "\"\xf4\x90\x80\x80\"", "\"\xff\"", "\"\x80\"", "[1]]", "{}}", "[}", "{]", "[1,2", "/*c*/1", "1//",
        "\"\xef\xbb\xbf\"x", "\xef\xbb\xbf{}", /* BOM is not JSON whitespace */
        "[\"a\",]", "{\"a\":1:2}", "--1", "1.0.0", "1e5.0",
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dd_json r;
        int rc;
        r.p = "x";
        r.n = 1;
        r.type = 9;
        rc = parse_s(bad[i], &r);
        if (!CHECK_EQ_INT(rc, DD_ERR_MALFORMED)) fprintf(stderr, "    document %u: %s\n", (unsigned)i, bad[i]);
        CHECK(r.p == NULL && r.n == 0 && r.type == 0);
    }
    /* embedded NUL inside a string and after the value, seen through an explicit length */
    {
        dd_json r;
        CHECK_EQ_INT(dd_json_parse("\"a\0b\"", 5, &r), DD_ERR_MALFORMED);
        CHECK_EQ_INT(dd_json_parse("{}\0", 3, &r), DD_ERR_MALFORMED);
        CHECK_EQ_INT(dd_json_parse("{}", 2, NULL), DD_ERR_INVALID_ARG);
        CHECK_EQ_INT(dd_json_parse(NULL, 0, &r), DD_ERR_INVALID_ARG);
    }
}

static void test_json_depth_limit(void) {
    char buf[300];
    dd_json r;
    size_t i;
    for (i = 0; i < 64; i++) { buf[i] = '['; buf[128 - 1 - i] = ']'; }
    CHECK_EQ_INT(dd_json_parse(buf, 128, &r), DD_OK); /* exactly 64 levels */
    CHECK_EQ_INT(r.type, DD_JSON_ARRAY);
    CHECK_EQ_U64(r.n, 128);
    for (i = 0; i < 65; i++) { buf[i] = '['; buf[130 - 1 - i] = ']'; }
    CHECK_EQ_INT(dd_json_parse(buf, 130, &r), DD_ERR_DEPTH);
    for (i = 0; i < 300; i++) buf[i] = '[';
    CHECK_EQ_INT(dd_json_parse(buf, 300, &r), DD_ERR_DEPTH); /* unclosed and deep: depth reported first */
}

static void test_json_deep_objects(void) {
    static char buf[1000];
    dd_json r, v;
    size_t n = 0, i;
    for (i = 0; i < 64; i++) { memcpy(buf + n, "{\"a\":", 5); n += 5; }
    buf[n++] = '7';
    for (i = 0; i < 64; i++) buf[n++] = '}';
    CHECK_EQ_INT(dd_json_parse(buf, n, &r), DD_OK);
    CHECK_EQ_INT(dd_json_path(&r, "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a", &v), DD_OK);
    CHECK_EQ_INT(v.type, DD_JSON_NUMBER);
    CHECK_MEM(v.p, v.n, "7", 1);
    memmove(buf + 5, buf, n);
    memcpy(buf, "{\"a\":", 5);
    buf[n + 5] = '}';
    CHECK_EQ_INT(dd_json_parse(buf, n + 6, &r), DD_ERR_DEPTH);
}

static void test_json_root_trims_whitespace(void) {
    dd_json r;
    CHECK_EQ_INT(parse_s("  \"x\"  ", &r), DD_OK);
    CHECK_EQ_INT(r.type, DD_JSON_STRING);
    CHECK_MEM(r.p, r.n, "\"x\"", 3);
    CHECK_EQ_INT(parse_s("\n-12.5e3\t", &r), DD_OK);
    CHECK_EQ_INT(r.type, DD_JSON_NUMBER);
    CHECK_MEM(r.p, r.n, "-12.5e3", 7);
}

static void test_json_get_at_and_iterate(void) {
    const char *doc = "{ \"a\" : 1 , \"b\":[10, \"x\" ,{\"c\":null}, [] ],\"d\":{\"e\":true}, \"a\":\"last\" }";
    dd_json r, v, k, w;
    dd_json_iter it;
    char s[32];
    int n = 0;
    CHECK_EQ_INT(parse_s(doc, &r), DD_OK);
    CHECK_EQ_INT(r.type, DD_JSON_OBJECT);
    CHECK_EQ_INT(dd_json_get(&r, "a", 1, &v), DD_OK); /* duplicate key: the last one wins */
    CHECK_EQ_INT(v.type, DD_JSON_STRING);
    CHECK_MEM(v.p, v.n, "\"last\"", 6);
    CHECK_EQ_INT(dd_json_get(&r, "b", 1, &v), DD_OK);
    CHECK_EQ_INT(v.type, DD_JSON_ARRAY);
    CHECK_EQ_INT(dd_json_at(&v, 0, &w), DD_OK);
    CHECK_MEM(w.p, w.n, "10", 2);
    CHECK_EQ_INT(dd_json_at(&v, 1, &w), DD_OK);
    CHECK_EQ_INT(dd_json_string(&w, s, sizeof s, NULL), DD_OK);
    CHECK_STR(s, "x");
    CHECK_EQ_INT(dd_json_at(&v, 2, &w), DD_OK);
    CHECK_EQ_INT(w.type, DD_JSON_OBJECT);
    CHECK_MEM(w.p, w.n, "{\"c\":null}", 10);
    CHECK_EQ_INT(dd_json_at(&v, 3, &w), DD_OK);
    CHECK_EQ_INT(w.type, DD_JSON_ARRAY);
    CHECK_EQ_U64(w.n, 2);
    CHECK_EQ_INT(dd_json_at(&v, 4, &w), DD_ERR_NOT_FOUND);
    CHECK(w.p == NULL && w.type == 0);
    CHECK_EQ_INT(dd_json_get(&v, "a", 1, &w), DD_ERR_TYPE);
    CHECK_EQ_INT(dd_json_at(&r, 0, &w), DD_ERR_TYPE);
    CHECK_EQ_INT(dd_json_get(&r, "zz", 2, &w), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_json_path(&r, "b.2.c", &w), DD_OK);
    CHECK_EQ_INT(w.type, DD_JSON_NULL);
    CHECK_EQ_INT(dd_json_path(&r, "d.e", &w), DD_OK);
    CHECK_EQ_INT(w.type, DD_JSON_BOOL);
    CHECK_MEM(w.p, w.n, "true", 4);
    CHECK_EQ_INT(dd_json_path(&r, "b.9", &w), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_json_path(&r, "b.x", &w), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_json_path(&r, "d.e.f", &w), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_json_path(&r, "", &w), DD_OK);
    CHECK(w.p == r.p && w.n == r.n);
    dd_json_iter_init(&it, &r);
    while (dd_json_next(&it, &k, &v) == DD_OK) {
        n++;
        CHECK_EQ_INT(k.type, DD_JSON_STRING);
        if (n == 1) { CHECK_MEM(k.p, k.n, "\"a\"", 3); CHECK_MEM(v.p, v.n, "1", 1); }
        if (n == 3) CHECK_MEM(v.p, v.n, "{\"e\":true}", 10);
    }
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_INT(dd_json_next(&it, &k, &v), DD_ERR_NOT_FOUND); /* stays finished */
    /* empty containers and scalars */
    CHECK_EQ_INT(parse_s("[ ]", &r), DD_OK);
    dd_json_iter_init(&it, &r);
    CHECK_EQ_INT(dd_json_next(&it, NULL, &v), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(parse_s("{ }", &r), DD_OK);
    dd_json_iter_init(&it, &r);
    CHECK_EQ_INT(dd_json_next(&it, &k, &v), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(parse_s("5", &r), DD_OK);
    dd_json_iter_init(&it, &r);
    CHECK_EQ_INT(dd_json_next(&it, &k, &v), DD_ERR_NOT_FOUND);
}

static void test_json_keys_compare_unescaped(void) {
    dd_json r, v;
    CHECK_EQ_INT(parse_s("{\"x-datadog-\\u0074race-id\":\"1\",\"caf\\u00e9\":2,\"\\ud83d\\ude00\":3}", &r), DD_OK);
    CHECK_EQ_INT(dd_json_get(&r, "x-datadog-trace-id", 18, &v), DD_OK);
    CHECK_EQ_INT(dd_json_get(&r, "caf\xc3\xa9", 5, &v), DD_OK);
    CHECK_MEM(v.p, v.n, "2", 1);
    CHECK_EQ_INT(dd_json_get(&r, "\xf0\x9f\x98\x80", 4, &v), DD_OK);
    CHECK_MEM(v.p, v.n, "3", 1);
    CHECK_EQ_INT(dd_json_get(&r, "x-datadog-trace-i", 17, &v), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_json_get(&r, "x-datadog-trace-idd", 19, &v), DD_ERR_NOT_FOUND);
}

static void test_json_string_unescape(void) {
    dd_json r;
    char out[64];
    size_t len = 99;
    CHECK_EQ_INT(parse_s("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0000z\"", &r), DD_OK);
    CHECK_EQ_INT(dd_json_string(&r, out, sizeof out, &len), DD_OK);
    CHECK_EQ_U64(len, 14);
    CHECK_MEM(out, len, "a\"b\\c/d\b\f\n\r\t\0z", 14);
    CHECK_EQ_INT(parse_s("\"\\u00e9\\u20AC\\uD83D\\uDE00\\u0041\"", &r), DD_OK);
    CHECK_EQ_INT(dd_json_string(&r, out, sizeof out, &len), DD_OK);
    CHECK_STR(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "A");
    /* lone surrogates become U+FFFD (EF BF BD) */
    CHECK_EQ_INT(parse_s("\"\\ud800x\\udc00\\ud800\\u0041\"", &r), DD_OK);
    CHECK_EQ_INT(dd_json_string(&r, out, sizeof out, &len), DD_OK);
    CHECK_STR(out, "\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd" "A");
    /* buffer too small: length needed, empty output */
    CHECK_EQ_INT(parse_s("\"hello\"", &r), DD_OK);
    CHECK_EQ_INT(dd_json_string(&r, out, 5, &len), DD_ERR_BUFFER_FULL);
    CHECK_EQ_U64(len, 5);
    CHECK_STR(out, "");
    CHECK_EQ_INT(dd_json_string(&r, out, 6, &len), DD_OK);
    CHECK_STR(out, "hello");
    CHECK_EQ_INT(parse_s("12", &r), DD_OK);
    CHECK_EQ_INT(dd_json_string(&r, out, sizeof out, &len), DD_ERR_TYPE);
}

static void test_json_numbers(void) {
    static const struct { const char *text; double want; } t[] = {
        {"0", 0.0}, {"-0", -0.0}, {"1", 1.0}, {"-1", -1.0}, {"12.5", 12.5}, {"0.1", 0.1}, {"0.3", 0.3},
        {"1e3", 1000.0}, {"1E-3", 0.001}, {"-2.5e-3", -0.0025}, {"123456789012345", 123456789012345.0},
        {"1.23456789012345", 1.23456789012345}, {"0.000123456789012345", 0.000123456789012345},
        {"1710000000.123", 1710000000.123}, {"9007199254740992", 9007199254740992.0},
        {"1e22", 1e22}, {"1e-22", 1e-22}, {"3.14159265358979", 3.14159265358979},
        {"1719943066.123456", 1719943066.123456}, {"100e-2", 1.0}, {"0.0000", 0.0},
        {"1e-400", 0.0},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        dd_json r;
        double d = -42;
        CHECK_EQ_INT(parse_s(t[i].text, &r), DD_OK);
        CHECK_EQ_INT(dd_json_number(&r, &d), DD_OK);
        if (!CHECK(d == t[i].want)) fprintf(stderr, "    %s -> %.17g\n", t[i].text, d);
    }
    {
        dd_json r;
        double d = 5;
        CHECK_EQ_INT(parse_s("1e400", &r), DD_OK);
        CHECK_EQ_INT(dd_json_number(&r, &d), DD_ERR_LIMIT);
        CHECK(d == 0);
        CHECK_EQ_INT(parse_s("1.5e300", &r), DD_OK);
        CHECK_EQ_INT(dd_json_number(&r, &d), DD_OK);
        CHECK(d > 1.4999e300 && d < 1.5001e300);
        CHECK_EQ_INT(parse_s("123456789012345678901234567890", &r), DD_OK);
        CHECK_EQ_INT(dd_json_number(&r, &d), DD_OK);
        CHECK(d > 1.2345678901234e29 && d < 1.2345678901235e29);
        CHECK_EQ_INT(parse_s("\"1\"", &r), DD_OK);
        CHECK_EQ_INT(dd_json_number(&r, &d), DD_ERR_TYPE);
    }
}

static void test_json_u64(void) {
    dd_json r;
    uint64_t v = 7;
    CHECK_EQ_INT(parse_s("18446744073709551615", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_OK);
    CHECK_EQ_U64(v, UINT64_MAX);
    CHECK_EQ_INT(parse_s("18446744073709551616", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_ERR_LIMIT);
    CHECK_EQ_U64(v, 0);
    CHECK_EQ_INT(parse_s("\"1234567890123456789\"", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_OK);
    CHECK_EQ_U64(v, 1234567890123456789ULL);
    CHECK_EQ_INT(parse_s("0", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_OK);
    CHECK_EQ_U64(v, 0);
    CHECK_EQ_INT(parse_s("-1", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_ERR_TYPE);
    CHECK_EQ_INT(parse_s("1.0", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_ERR_TYPE);
    CHECK_EQ_INT(parse_s("1e3", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_ERR_TYPE);
    CHECK_EQ_INT(parse_s("\"\"", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_ERR_TYPE);
    CHECK_EQ_INT(parse_s("\" 1\"", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_ERR_TYPE);
    CHECK_EQ_INT(parse_s("true", &r), DD_OK);
    CHECK_EQ_INT(dd_json_u64(&r, &v), DD_ERR_TYPE);
}

static const test_case cases[] = {
    TEST(test_json_valid_documents),
    TEST(test_json_invalid_documents),
    TEST(test_json_depth_limit),
    TEST(test_json_deep_objects),
    TEST(test_json_root_trims_whitespace),
    TEST(test_json_get_at_and_iterate),
    TEST(test_json_keys_compare_unescaped),
    TEST(test_json_string_unescape),
    TEST(test_json_numbers),
    TEST(test_json_u64),
};

int main(void) { return test_run("serverless", cases, sizeof cases / sizeof cases[0]); }
