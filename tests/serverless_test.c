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

/*--- SHA-256, base64 ---*/

static void hex_of(const uint8_t *d, size_t n, char *out) {
    static const char h[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) { out[2 * i] = h[d[i] >> 4]; out[2 * i + 1] = h[d[i] & 15]; }
    out[2 * n] = 0;
}

static void test_sha256_fips_vectors(void) {
    uint8_t d[32];
    char hex[65];
    static char million[1000000];
    dd_sha256("abc", 3, d);
    hex_of(d, 32, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    dd_sha256("", 0, d);
    hex_of(d, 32, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    dd_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
    hex_of(d, 32, hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    dd_sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
              112, d);
    hex_of(d, 32, hex);
    CHECK_STR(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    memset(million, 'a', sizeof million);
    dd_sha256(million, sizeof million, d);
    hex_of(d, 32, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sfn_hash_values(void) {
    /* asserted by datadog-lambda-python / -js tests (conformance fixture sfn-21) */
    CHECK_EQ_U64(dd_sfn_hash("some_testing_random_string", 26, 0), 7456137785171041414ULL);
    CHECK_EQ_U64(dd_sfn_hash("some_testing_random_string", 26, 1), 4364271812988819936ULL);
    {
        static const char s[] = "arn:aws:states:sa-east-1:425362996713:stateMachine:MyStateMachine-b276uka1j#lambda#1";
        CHECK_EQ_U64(dd_sfn_hash(s, sizeof s - 1, 1), 3711631873188331089ULL);
    }
}

static void test_base64_decode(void) {
    static const struct { const char *in, *out; } ok[] = {
        {"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"},
        {"Zm9vYmFy", "foobar"}, {"Zg", "f"}, {"Zm8", "fo"}, {"eyJhIjoxfQ==", "{\"a\":1}"}, {"+/+/", "\xfb\xff\xbf"},
    };
    static const char *const bad[] = {"Z", "Zm9vY", "Zm9v!A==", "Zm 9v", "Zg=", "Z===", "=", "Zm9v\n", "Zg==Zg==", "-_=="};
    uint8_t out[16];
    size_t i, n;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK_EQ_INT(dd_base64_decode(ok[i].in, strlen(ok[i].in), out, sizeof out, &n), DD_OK);
        CHECK_MEM(out, n, ok[i].out, strlen(ok[i].out));
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = dd_base64_decode(bad[i], strlen(bad[i]), out, sizeof out, &n);
        if (!CHECK_EQ_INT(rc, DD_ERR_MALFORMED)) fprintf(stderr, "    input %s\n", bad[i]);
    }
    CHECK_EQ_INT(dd_base64_decode("Zm9vYmFy", 8, out, 5, &n), DD_ERR_BUFFER_FULL);
    CHECK_EQ_U64(n, 6);
}

/*--- _datadog carrier ---*/

static void test_datadog_inject_bytes(void) {
    dd_trace_context c;
    char out[400];
    size_t n;
    static const char want[] = "{\"x-datadog-trace-id\":\"1\",\"x-datadog-parent-id\":\"2\",\"x-datadog-sampling-priority\":\"1\","
                               "\"traceparent\":\"00-00000000000000000000000000000001-0000000000000002-01\","
                               "\"tracestate\":\"dd=s:1;p:0000000000000002\"}";
    memset(&c, 0, sizeof c);
    c.trace_id.lo = 1;
    c.parent_id = 2;
    c.sampling_priority = 1;
    n = dd_datadog_inject(NULL, &c, out, sizeof out);
    CHECK_EQ_U64(n, sizeof want - 1);
    CHECK_STR(out, want);
    /* snprintf semantics: too small gives the length needed and "" */
    n = dd_datadog_inject(NULL, &c, out, sizeof want - 1);
    CHECK_EQ_U64(n, sizeof want - 1);
    CHECK_STR(out, "");
    CHECK_EQ_U64(dd_datadog_inject(NULL, &c, NULL, 0), sizeof want - 1);
    c.trace_id.lo = 0;
    CHECK_EQ_U64(dd_datadog_inject(NULL, &c, out, sizeof out), 0);
}

static void test_datadog_extract_object(void) {
    dd_trace_context c;
    static const char j[] = "{\"X-Datadog-Trace-Id\":\"123\",\"x-datadog-parent-id\":\"45\\u0036\","
                            "\"x-datadog-sampling-priority\":2,\"x-datadog-origin\":\"lambda\",\"other\":[1]}";
    CHECK_EQ_INT(dd_datadog_extract(NULL, j, sizeof j - 1, &c), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 123);
    CHECK_EQ_U64(c.parent_id, 456); /* escaped value unescaped */
    CHECK_EQ_INT(c.sampling_priority, 2); /* a JSON number is read as its text */
    CHECK_STR(c.origin, "lambda");
    CHECK_EQ_INT(dd_datadog_extract(NULL, "[1]", 3, &c), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd_datadog_extract(NULL, "{\"a\":", 5, &c), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd_datadog_extract(NULL, "{\"x-datadog-trace-id\":\"1\"}", 26, &c), DD_ERR_NOT_FOUND);
    CHECK_EQ_U64(c.trace_id.lo, 0);
}

static void test_json_carrier_multi_values(void) {
    dd_json h, m;
    dd_json_carrier jc;
    dd_carrier_reader r;
    const char *v;
    size_t n;
    CHECK_EQ_INT(parse_s("{\"A\":\"1\",\"b\":null}", &h), DD_OK);
    CHECK_EQ_INT(parse_s("{\"a\":[\"9\"],\"B\":[\"2\",\"3\"],\"c\":[]}", &m), DD_OK);
    dd_json_carrier_init(&jc, &r, &h, &m);
    v = r.get(r.self, "a", 1, &n);
    CHECK(v && n == 1 && v[0] == '1'); /* single value wins */
    v = r.get(r.self, "b", 1, &n);
    CHECK(v && n == 1 && v[0] == '2'); /* null single value: first multi value */
    CHECK(r.get(r.self, "c", 1, &n) == NULL);
    CHECK(r.get(r.self, "d", 1, &n) == NULL);
}

/*--- Lambda events: fixtures written from AWS's documented event shapes ---*/

static char fx_buf[1 << 16];
static size_t load_fixture(const char *name) {
    char path[256];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "fixtures/lambda/%s", name);
    f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "  cannot open %s\n", path); return 0; }
    n = fread(fx_buf, 1, sizeof fx_buf - 1, f);
    fclose(f);
    fx_buf[n] = 0;
    return n;
}

static const char *g_xray;
static const char *g_merge;
static const char *test_getenv(void *user, const char *name) {
    (void)user;
    if (strcmp(name, "_X_AMZN_TRACE_ID") == 0) return g_xray;
    if (strcmp(name, "DD_MERGE_XRAY_TRACES") == 0) return g_merge;
    return NULL;
}
static void cfg_init(dd_lambda_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->getenv_fn = test_getenv;
    g_xray = NULL;
    g_merge = NULL;
}
static const char *tag_of(const dd_lambda_trigger *t, const char *key) {
    uint32_t i;
    for (i = 0; i < t->n_tags; i++)
        if (strcmp(t->tags[i].key, key) == 0) return t->tags[i].value;
    return "(absent)";
}

static void test_lambda_sqs_string_attribute(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("sqs_string_attribute.json");
    const char *tid;
    size_t tl;
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 4418409826184321432ULL); /* first record only */
    CHECK_EQ_U64(c.parent_id, 1188425113374012001ULL);
    CHECK_EQ_INT(c.sampling_priority, 1);
    CHECK_EQ_INT(dd_ptags_get(&c, "_dd.p.tid", 9, &tid, &tl), DD_OK);
    CHECK_MEM(tid, tl, "66bcb5eb00000000", 16);
    CHECK_EQ_INT(t.context_source, DD_LAMBDA_CONTEXT_EVENT);
    CHECK_EQ_INT(t.event_source, DD_LAMBDA_EVENT_SQS);
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "sqs");
    CHECK_STR(t.event_source_arn, "arn:aws:sqs:us-east-2:123456789012:my-queue");
    CHECK_STR(t.span_name, "aws.sqs");
    CHECK_STR(t.service, "my-queue");
    CHECK_STR(t.resource, "my-queue");
    CHECK_EQ_U64(t.start_ns, 1545082649183000000ULL);
    CHECK_EQ_INT(t.is_async, 1);
    CHECK_STR(tag_of(&t, "queuename"), "my-queue");
    CHECK_STR(tag_of(&t, "sender_id"), "AIDAIENQZJOLO23YVJ4VO");
}

static void test_lambda_sns_binary_attribute(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("sns_binary_attribute.json");
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 777);
    CHECK_EQ_U64(c.parent_id, 888);
    CHECK_EQ_INT(c.sampling_priority, 2);
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "sns");
    CHECK_STR(t.event_source_arn, "arn:aws:sns:us-east-1:123456789012:sns-lambda");
    CHECK_STR(t.span_name, "aws.sns");
    CHECK_STR(t.service, "sns-lambda");
    CHECK_EQ_U64(t.start_ns, 1546433107000000000ULL); /* 2019-01-02T12:45:07.000Z */
    CHECK_STR(tag_of(&t, "subject"), "TestInvoke");
}

static void test_lambda_kinesis_data(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("kinesis_data.json");
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 999);
    CHECK_EQ_U64(c.parent_id, 111);
    CHECK_EQ_INT(c.sampling_priority, 0);
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "kinesis");
    CHECK_STR(t.service, "lambda-stream");
    CHECK_STR(tag_of(&t, "shardid"), "shardId-000000000006");
    CHECK_EQ_U64(t.start_ns, 1545084650987000000ULL);
}

static void test_lambda_eventbridge_w3c(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("eventbridge_w3c.json");
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 0x4d2);
    CHECK_EQ_U64(c.parent_id, 0x162e);
    CHECK_EQ_INT(c.sampling_priority, 1);
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "eventbridge");
    CHECK_STR(t.span_name, "aws.eventbridge");
    CHECK_STR(t.service, "com.example.orders");
    CHECK_EQ_U64(t.start_ns, 1513968228000000000ULL); /* 2017-12-22T18:43:48Z */
    CHECK_STR(tag_of(&t, "detail_type"), "OrderPlaced");
}

static void test_lambda_apigw_mixed_case_headers(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("apigw_rest_mixed_case.json");
    cfg_init(&cfg);
    cfg.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders";
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 12345);
    CHECK_EQ_U64(c.parent_id, 67890);
    CHECK_EQ_INT(c.sampling_priority, -1);
    CHECK_STR(c.origin, "synthetics");
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "api-gateway");
    CHECK_EQ_INT(t.event_subtype, DD_LAMBDA_HTTP_REST);
    CHECK_STR(t.event_source_arn, "arn:aws:apigateway:us-east-1::/restapis/abcdef123/stages/prod");
    CHECK_STR(t.span_name, "aws.apigateway");
    CHECK_STR(t.service, "abcdef123.execute-api.us-east-1.amazonaws.com");
    CHECK_EQ_U64(t.start_ns, 1428582896000000000ULL);
    cfg.invoked_function_arn = "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:orders:live";
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_STR(t.event_source_arn, "arn:aws-us-gov:apigateway:us-gov-west-1::/restapis/abcdef123/stages/prod");
}

static void test_lambda_step_functions_retry(void) {
    /* expected ids computed with Python's hashlib.sha256 (docs/lambda.md §4.9):
     * trace = low half of H(Execution.Id), _dd.p.tid = high half unpadded,
     * parent = high half of H("<Execution.Id>#Charge#2025-01-01T00:00:01.000Z#2#0") */
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("stepfunctions_retry.json");
    const char *tid;
    size_t tl;
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 944471171891453643ULL);
    CHECK_EQ_U64(c.trace_id.hi, 0x3d1dfdf92f1fbe5cULL);
    CHECK_EQ_U64(c.parent_id, 8253491863703625070ULL);
    CHECK_EQ_INT(c.sampling_priority, 1);
    CHECK_EQ_INT(dd_ptags_get(&c, "_dd.p.tid", 9, &tid, &tl), DD_OK);
    CHECK_MEM(tid, tl, "3d1dfdf92f1fbe5c", 16);
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "states");
    CHECK_STR(t.event_source_arn, "arn:aws:states:us-east-1:123456789012:stateMachine:orders");
    CHECK_STR(t.span_name, "");
}

static const char xray_hdr[] = "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1";

static void test_lambda_client_context_and_xray_fallback(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    static const char cc[] = "{\"custom\":{\"x-datadog-trace-id\":\"666\",\"x-datadog-parent-id\":\"777\",\"x-datadog-sampling-priority\":\"1\"}}";
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, "{}", 2, cc, sizeof cc - 1, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 666);
    CHECK_EQ_INT(t.context_source, DD_LAMBDA_CONTEXT_EVENT);
    CHECK_EQ_INT(t.event_source, DD_LAMBDA_EVENT_UNKNOWN);
    /* nothing in the event: no context without X-Ray */
    CHECK_EQ_INT(dd_lambda_extract(&cfg, "{}", 2, NULL, 0, &c, &t), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(t.context_source, DD_LAMBDA_CONTEXT_NONE);
    /* X-Ray: trace = low 63 bits of 8c398be037738dc042009320, parent = 0x94ae789b969f1cc5, Sampled=1 -> 2 */
    g_xray = xray_hdr;
    CHECK_EQ_INT(dd_lambda_extract(&cfg, "{\"headers\":{\"x-datadog-trace-id\":\"5\"}}", 38, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 3995693151288333088ULL);
    CHECK_EQ_U64(c.parent_id, 10713633173203262661ULL);
    CHECK_EQ_INT(c.sampling_priority, 2);
    CHECK_EQ_INT(t.context_source, DD_LAMBDA_CONTEXT_XRAY);
    /* a malformed event is no context, not an error */
    CHECK_EQ_INT(dd_lambda_extract(&cfg, "{\"Records\":[", 12, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_INT(t.context_source, DD_LAMBDA_CONTEXT_XRAY);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, NULL, 0, NULL, 0, &c, NULL), DD_OK);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, "{}", 2, NULL, 0, NULL, &t), DD_ERR_INVALID_ARG);
}

static int ex_calls;
static int ex_not_mine(void *user, const char *ev, size_t n, dd_trace_context *out) {
    (void)user; (void)ev; (void)n; (void)out;
    ex_calls++;
    return DD_ERR_NOT_FOUND;
}
static int ex_fails(void *user, const char *ev, size_t n, dd_trace_context *out) {
    (void)user; (void)ev; (void)n;
    ex_calls++;
    out->trace_id.lo = 1; /* partial result must not leak */
    return DD_ERR_MALFORMED;
}
static int ex_ids(void *user, const char *ev, size_t n, dd_trace_context *out) {
    (void)ev; (void)n;
    ex_calls++;
    out->trace_id.lo = *(const uint64_t *)user;
    out->parent_id = 321;
    out->sampling_priority = 1;
    return DD_OK;
}

static void test_lambda_custom_extractor(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    static const char ev[] = "{\"headers\":{\"x-datadog-trace-id\":\"10\",\"x-datadog-parent-id\":\"20\"}}";
    uint64_t id = 123;
    cfg_init(&cfg);
    cfg.extractor_fn = ex_ids;
    cfg.extractor_user = &id;
    ex_calls = 0;
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, sizeof ev - 1, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_INT(ex_calls, 1);
    CHECK_EQ_U64(c.trace_id.lo, 123); /* built-ins skipped */
    CHECK_EQ_U64(c.parent_id, 321);
    /* "not mine": the headers are used */
    cfg.extractor_fn = ex_not_mine;
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, sizeof ev - 1, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 10);
    CHECK_EQ_U64(c.parent_id, 20);
    CHECK_EQ_INT(c.sampling_priority, DD_PRIORITY_UNSET);
    /* failure: built-ins skipped, X-Ray only */
    cfg.extractor_fn = ex_fails;
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, sizeof ev - 1, NULL, 0, &c, &t), DD_ERR_NOT_FOUND);
    CHECK_EQ_U64(c.trace_id.lo, 0);
    g_xray = xray_hdr;
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, sizeof ev - 1, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_INT(t.context_source, DD_LAMBDA_CONTEXT_XRAY);
    CHECK_EQ_U64(c.trace_id.lo, 3995693151288333088ULL);
    /* an incomplete DD_OK counts as a failure */
    id = 0;
    cfg.extractor_fn = ex_ids;
    g_xray = NULL;
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, sizeof ev - 1, NULL, 0, &c, &t), DD_ERR_NOT_FOUND);
}

static void test_lambda_xray_merging(void) {
    dd_lambda_config cfg;
    dd_trace_context ev, xr, p;
    cfg_init(&cfg);
    memset(&ev, 0, sizeof ev);
    ev.trace_id.lo = 123;
    ev.parent_id = 321;
    ev.sampling_priority = 1;
    /* merge off: event context as is; an X-Ray context starts a new trace */
    g_xray = xray_hdr;
    CHECK_EQ_INT(dd_lambda_parent(&cfg, &ev, DD_LAMBDA_CONTEXT_EVENT, &p), DD_OK);
    CHECK_EQ_U64(p.parent_id, 321);
    memset(&xr, 0, sizeof xr);
    xr.trace_id.lo = 3995693151288333088ULL;
    xr.parent_id = 10713633173203262661ULL;
    xr.sampling_priority = 2;
    CHECK_EQ_INT(dd_lambda_parent(&cfg, &xr, DD_LAMBDA_CONTEXT_XRAY, &p), DD_ERR_NOT_FOUND);
    CHECK_EQ_U64(p.trace_id.lo, 0);
    /* merge on (env): event trace id and priority, X-Ray Parent */
    g_merge = "true";
    CHECK_EQ_INT(dd_lambda_parent(&cfg, &ev, DD_LAMBDA_CONTEXT_EVENT, &p), DD_OK);
    CHECK_EQ_U64(p.trace_id.lo, 123);
    CHECK_EQ_U64(p.parent_id, 10713633173203262661ULL);
    CHECK_EQ_INT(p.sampling_priority, 1);
    CHECK_EQ_INT(dd_lambda_parent(&cfg, &xr, DD_LAMBDA_CONTEXT_XRAY, &p), DD_OK);
    CHECK_EQ_U64(p.trace_id.lo, 3995693151288333088ULL);
    /* header without Parent: the event parent stays */
    g_xray = "Root=1-5e272390-8c398be037738dc042009320";
    CHECK_EQ_INT(dd_lambda_parent(&cfg, &ev, DD_LAMBDA_CONTEXT_EVENT, &p), DD_OK);
    CHECK_EQ_U64(p.parent_id, 321);
    /* code beats the environment */
    g_xray = xray_hdr;
    cfg.merge_xray = DD_OFF;
    CHECK_EQ_INT(dd_lambda_parent(&cfg, &ev, DD_LAMBDA_CONTEXT_EVENT, &p), DD_OK);
    CHECK_EQ_U64(p.parent_id, 321);
    g_merge = NULL;
    cfg.merge_xray = DD_ON;
    CHECK_EQ_INT(dd_lambda_parent(&cfg, &ev, DD_LAMBDA_CONTEXT_EVENT, &p), DD_OK);
    CHECK_EQ_U64(p.parent_id, 10713633173203262661ULL);
}

static char sent[2048];
static size_t sent_len;
static int sent_count;
static int capture_send(void *user, const char *data, size_t len) {
    (void)user;
    sent_count++;
    sent_len = len < sizeof sent ? len : 0;
    memcpy(sent, data, sent_len);
    return 0;
}
static int64_t fixed_now(void *user) { (void)user; return 1487076708500000000LL; }
static uint64_t fixed_random(void *user) { (void)user; return 0x00c0ffee12345678ULL; }

static void test_xray_subsegment_bytes(void) {
    char out[1024];
    size_t n;
    dd_lambda_config cfg;
    dd_trace_context c;
    static const char want_js[] = "{\"format\": \"json\", \"version\": 1}\n{\"id\":\"11111\",\"trace_id\":\"1-5e272390-8c398be037738dc042009320\","
                                  "\"parent_id\":\"94ae789b969f1cc5\",\"name\":\"datadog-metadata\",\"start_time\":1487076708,"
                                  "\"end_time\":1487076708,\"type\":\"subsegment\",\"metadata\":{\"datadog\":{\"test-key\":{\"test\":\"metadata\"}}}}";
    static const char want_trace[] = "{\"format\": \"json\", \"version\": 1}\n{\"id\":\"00c0ffee12345678\",\"trace_id\":\"1-5e272390-8c398be037738dc042009320\","
                                     "\"parent_id\":\"94ae789b969f1cc5\",\"name\":\"datadog-metadata\",\"start_time\":1487076708.5,"
                                     "\"end_time\":1487076708.5,\"type\":\"subsegment\",\"metadata\":{\"datadog\":{\"trace\":"
                                     "{\"trace-id\":\"123\",\"parent-id\":\"321\",\"sampling-priority\":\"-1\"}}}}";
    n = dd_xray_subsegment(out, sizeof out, xray_hdr, sizeof xray_hdr - 1, "11111", 5, 1487076708000000000LL, "test-key", 8,
                           "{\"test\":\"metadata\"}", 19);
    CHECK_EQ_U64(n, sizeof want_js - 1);
    CHECK_STR(out, want_js);
    /* too small: the length needed and "" */
    CHECK_EQ_U64(dd_xray_subsegment(out, sizeof want_js - 1, xray_hdr, sizeof xray_hdr - 1, "11111", 5, 1487076708000000000LL,
                                    "test-key", 8, "{\"test\":\"metadata\"}", 19), sizeof want_js - 1);
    CHECK_STR(out, "");
    CHECK_EQ_U64(dd_xray_subsegment(out, sizeof out, "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=0",
                                    74, "1", 1, 0, "k", 1, "1", 1), 0);
    CHECK_EQ_U64(dd_xray_subsegment(out, sizeof out, "Root=1-5e272390-8c398be037738dc042009320", 40, "1", 1, 0, "k", 1, "1", 1), 0);
    /* through the config hooks */
    cfg_init(&cfg);
    memset(&c, 0, sizeof c);
    c.trace_id.lo = 123;
    c.parent_id = 321;
    c.sampling_priority = -1;
    CHECK_EQ_INT(dd_lambda_send_trace_metadata(&cfg, &c, DD_LAMBDA_CONTEXT_EVENT), DD_ERR_DISABLED);
    cfg.send_fn = capture_send;
    cfg.wall_ns_fn = fixed_now;
    cfg.random_fn = fixed_random;
    sent_count = 0;
    CHECK_EQ_INT(dd_lambda_send_trace_metadata(&cfg, &c, DD_LAMBDA_CONTEXT_EVENT), DD_ERR_NOT_FOUND); /* no header */
    g_xray = xray_hdr;
    CHECK_EQ_INT(dd_lambda_send_trace_metadata(&cfg, &c, DD_LAMBDA_CONTEXT_XRAY), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(sent_count, 0);
    CHECK_EQ_INT(dd_lambda_send_trace_metadata(&cfg, &c, DD_LAMBDA_CONTEXT_EVENT), DD_OK);
    CHECK_EQ_INT(sent_count, 1);
    CHECK_MEM(sent, sent_len, want_trace, sizeof want_trace - 1);
}

/* host -> queue -> Lambda: a host span's context goes into an SQS String attribute; the SQS event
 * built from it yields the host span as parent, with the same trace id and priority. */
static void test_lambda_round_trip_host_sqs(void) {
    dd_trace_context host, c;
    dd_lambda_config cfg;
    dd_lambda_trigger t;
    char carrier[600], esc[1200], ev[2000];
    size_t n, i, k = 0;
    memset(&host, 0, sizeof host);
    host.trace_id.hi = 0x66bcb5eb00000000ULL;
    host.trace_id.lo = 0x1234567890abcdefULL;
    host.parent_id = 0x0fedcba987654321ULL; /* the host span's id */
    host.sampling_priority = 2;
    n = dd_datadog_inject(NULL, &host, carrier, sizeof carrier);
    CHECK(n > 0 && n < sizeof carrier);
    for (i = 0; i < n; i++) {
        if (carrier[i] == '"' || carrier[i] == '\\') esc[k++] = '\\';
        esc[k++] = carrier[i];
    }
    esc[k] = 0;
    snprintf(ev, sizeof ev,
             "{\"Records\":[{\"messageId\":\"m1\",\"body\":\"hello\",\"attributes\":{\"SentTimestamp\":\"1700000000000\"},"
             "\"messageAttributes\":{\"_datadog\":{\"stringValue\":\"%s\",\"dataType\":\"String\"}},"
             "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:q\"}]}",
             esc);
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, strlen(ev), NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 0x1234567890abcdefULL);
    CHECK_EQ_U64(c.trace_id.hi, 0x66bcb5eb00000000ULL);
    CHECK_EQ_U64(c.parent_id, 0x0fedcba987654321ULL);
    CHECK_EQ_INT(c.sampling_priority, 2);
    CHECK_EQ_INT(t.event_source, DD_LAMBDA_EVENT_SQS);
    /* a scratch buffer too small for the attribute: no context, no crash */
    {
        char small[16];
        cfg.scratch = small;
        cfg.scratch_len = sizeof small;
        CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, strlen(ev), NULL, 0, &c, &t), DD_ERR_NOT_FOUND);
    }
}

static void test_lambda_sqs_awstraceheader_marker(void) {
    /* Root third part 00000000 + 16 hex written by dd-trace-java: trace = 0x08addb5405b376c0 */
    static const char ev[] = "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"attributes\":{\"AWSTraceHeader\":"
                             "\"Root=1-65f2f78c-0000000008addb5405b376c0;Parent=5abcb7ed643995c7;Sampled=1\"}}]}";
    static const char plain[] = "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"attributes\":{\"AWSTraceHeader\":"
                                "\"Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1\"}}]}";
    dd_lambda_config cfg;
    dd_trace_context c;
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, sizeof ev - 1, NULL, 0, &c, NULL), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 0x08addb5405b376c0ULL);
    CHECK_EQ_U64(c.parent_id, 0x5abcb7ed643995c7ULL);
    CHECK_EQ_INT(c.sampling_priority, 1);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, plain, sizeof plain - 1, NULL, 0, &c, NULL), DD_ERR_NOT_FOUND);
}

static const char *ttag_of(const dd_lambda_trigger *t, const char *key) {
    uint32_t i;
    for (i = 0; i < t->n_trigger_tags; i++)
        if (strcmp(t->trigger_tags[i].key, key) == 0) return t->trigger_tags[i].value;
    return "(absent)";
}

static void test_lambda_alb_traceparent(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("alb_traceparent.json");
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    /* traceparent: trace id low 64 bits 0x8448eb211c80319c, high 0x0af7651916cd43dd, parent 0xb7ad6b7169203331 */
    CHECK_EQ_U64(c.trace_id.lo, 0x8448eb211c80319cULL);
    CHECK_EQ_U64(c.trace_id.hi, 0x0af7651916cd43ddULL);
    CHECK_EQ_U64(c.parent_id, 0xb7ad6b7169203331ULL);
    CHECK_EQ_INT(c.sampling_priority, 1);
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "application-load-balancer");
    CHECK_STR(t.event_source_arn, "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-target-group/6d0ecf831eec9f09");
    CHECK_STR(t.span_name, "aws.alb");
    CHECK_STR(t.span_type, "http");
    CHECK_STR(t.service, "my-alb-1234.us-east-1.elb.amazonaws.com");
    CHECK_STR(t.resource, "GET /orders");
    CHECK_EQ_U64(t.start_ns, 0); /* ALB events carry no time */
    CHECK_STR(ttag_of(&t, "http.url"), "https://my-alb-1234.us-east-1.elb.amazonaws.com/orders");
    CHECK_STR(ttag_of(&t, "http.method"), "GET");
    CHECK_STR(ttag_of(&t, "http.route"), "/orders");
    CHECK_STR(ttag_of(&t, "http.useragent"), "curl/8.0");
}

static void test_lambda_http_api_v2(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("apigw_http_v2.json");
    cfg_init(&cfg);
    cfg.invoked_function_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:users";
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 100);
    CHECK_EQ_U64(c.parent_id, 200);
    CHECK_EQ_INT(t.event_subtype, DD_LAMBDA_HTTP_API);
    CHECK_STR(t.event_source_arn, "arn:aws-cn:apigateway:cn-north-1::/restapis/api-id/stages/$default");
    CHECK_STR(t.span_name, "aws.httpapi");
    CHECK_STR(t.resource, "GET /users/{id}");
    CHECK_EQ_U64(t.start_ns, 1583348638390000000ULL);
    CHECK_EQ_INT(t.is_async, 0);
    CHECK_STR(tag_of(&t, "http.url"), "https://id.execute-api.us-east-1.amazonaws.com/users/42");
    CHECK_STR(tag_of(&t, "http.source_ip"), "192.0.2.1");
    CHECK_STR(ttag_of(&t, "http.route"), "/users/{id}");
    CHECK_STR(ttag_of(&t, "http.referer"), "https://example.com/");
}

static void test_lambda_sns_in_sqs_upstream(void) {
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    size_t n = load_fixture("sns_in_sqs_envelope.json");
    cfg_init(&cfg);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, fx_buf, n, NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 31);
    CHECK_EQ_U64(c.parent_id, 32);
    CHECK_EQ_INT(c.sampling_priority, 2);
    CHECK_STR(dd_lambda_event_source_name(t.event_source), "sqs");
    CHECK_STR(t.span_name, "aws.sqs");
    CHECK_STR(t.service, "orders-queue");
    CHECK_EQ_U64(t.start_ns, 1714557600500000000ULL);
    CHECK_STR(t.upstream_span_name, "aws.sns");
    CHECK_STR(t.upstream_service, "orders-topic");
    CHECK_EQ_U64(t.upstream_start_ns, 1714557600250000000ULL); /* 2024-05-01T10:00:00.250Z */
}

static void test_lambda_authorizer_handoff(void) {
    /* REST API behind an instrumented Lambda authorizer: the context of requestContext.authorizer._datadog
     * (base64 JSON) wins over the headers when integrationLatency > 0 or the request ids match */
    static const char ev_fmt[] =
        "{\"resource\":\"/hello\",\"path\":\"/hello\",\"httpMethod\":\"GET\",\"headers\":{\"x-datadog-trace-id\":\"1\","
        "\"x-datadog-parent-id\":\"2\"},\"requestContext\":{\"stage\":\"dev\",\"apiId\":\"a1\",\"domainName\":\"a1.execute-api.eu-west-1.amazonaws.com\","
        "\"requestId\":\"req-1\",\"requestTimeEpoch\":1700000000000,\"authorizer\":{\"integrationLatency\":%d,\"_datadog\":\"%s\"}}}";
    /* base64 of {"x-datadog-trace-id":"77","x-datadog-parent-id":"88","x-datadog-sampling-priority":"1",
     * "x-datadog-parent-span-finish-time":1700000000500000000,"x-datadog-authorizing-requestid":"req-1"} */
    static const char inj[] = "eyJ4LWRhdGFkb2ctdHJhY2UtaWQiOiI3NyIsIngtZGF0YWRvZy1wYXJlbnQtaWQiOiI4OCIsIngtZGF0YWRvZy1zYW1wbGluZy1wcmlvcml0eSI6IjEiLCJ4LWRhdGFkb2ctcGFyZW50LXNwYW4tZmluaXNoLXRpbWUiOjE3MDAwMDAwMDA1MDAwMDAwMDAsIngtZGF0YWRvZy1hdXRob3JpemluZy1yZXF1ZXN0aWQiOiJyZXEtMSJ9";
    /* the same with another request id (a cached authorizer result) */
    static const char inj_other[] = "eyJ4LWRhdGFkb2ctdHJhY2UtaWQiOiI3NyIsIngtZGF0YWRvZy1wYXJlbnQtaWQiOiI4OCIsIngtZGF0YWRvZy1hdXRob3JpemluZy1yZXF1ZXN0aWQiOiJvbGQifQ==";
    char ev[1200];
    dd_lambda_config cfg;
    dd_trace_context c;
    dd_lambda_trigger t;
    cfg_init(&cfg);
    snprintf(ev, sizeof ev, ev_fmt, 700, inj);
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, strlen(ev), NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 77);
    CHECK_EQ_U64(c.parent_id, 88);
    CHECK_STR(t.upstream_span_name, "aws.apigateway.authorizer");
    CHECK_EQ_U64(t.upstream_start_ns, 1700000000500000000ULL);
    CHECK_EQ_U64(t.start_ns, 1700000000700000000ULL); /* requestTimeEpoch + integrationLatency */
    snprintf(ev, sizeof ev, ev_fmt, 0, inj); /* latency 0 but the same request id: used */
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, strlen(ev), NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 77);
    CHECK_EQ_U64(t.start_ns, 1700000000500000000ULL); /* the authorizer finished after the request time */
    snprintf(ev, sizeof ev, ev_fmt, 0, inj_other); /* cached: ignored, the headers are used */
    CHECK_EQ_INT(dd_lambda_extract(&cfg, ev, strlen(ev), NULL, 0, &c, &t), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 1);
    CHECK_STR(t.upstream_span_name, "");
    CHECK_EQ_U64(t.start_ns, 1700000000000000000ULL);
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
    TEST(test_sha256_fips_vectors),
    TEST(test_sfn_hash_values),
    TEST(test_base64_decode),
    TEST(test_datadog_inject_bytes),
    TEST(test_datadog_extract_object),
    TEST(test_json_carrier_multi_values),
    TEST(test_lambda_sqs_string_attribute),
    TEST(test_lambda_sns_binary_attribute),
    TEST(test_lambda_kinesis_data),
    TEST(test_lambda_eventbridge_w3c),
    TEST(test_lambda_apigw_mixed_case_headers),
    TEST(test_lambda_step_functions_retry),
    TEST(test_lambda_client_context_and_xray_fallback),
    TEST(test_lambda_custom_extractor),
    TEST(test_lambda_xray_merging),
    TEST(test_xray_subsegment_bytes),
    TEST(test_lambda_round_trip_host_sqs),
    TEST(test_lambda_sqs_awstraceheader_marker),
    TEST(test_lambda_alb_traceparent),
    TEST(test_lambda_http_api_v2),
    TEST(test_lambda_sns_in_sqs_upstream),
    TEST(test_lambda_authorizer_handoff),
};

int main(void) { return test_run("serverless", cases, sizeof cases / sizeof cases[0]); }
