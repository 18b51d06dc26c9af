/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_log_correlation.c -o fuzz_log_correlation -lpthread -lm && ./fuzz_log_correlation -dict=fuzz/dict/log_correlation.dict fuzz/corpus/log_correlation
 *
 * dd_span_log_correlation, text and JSON, with hostile service, env and version strings and any
 * ids. Input: byte 0 options (bit 0 DD_LOGS_INJECTION off, bit 1 DD_TRACE_128_BIT_TRACEID_LOGGING_
 * ENABLED off, bit 2 a NULL span, bit 3 the span's service overridden too), then 24 bytes: the
 * trace id's high and low halves and the span id (little endian; 0 = generated); the rest split
 * at NUL bytes into DD_SERVICE, DD_ENV and DD_VERSION (C strings, as the tracer reads them).
 * Properties checked for both forms (abort on violation):
 *  - snprintf semantics: the length returned is the same for every capacity; with room the
 *    output is exactly that many bytes and a NUL; with less, the prefix of the full output of
 *    cap - 1 bytes and a NUL; nothing is written at or past cap (cap 0: nothing at all);
 *  - DD_LOGS_INJECTION off: "" and 0, for either form;
 *  - JSON: "{" + output + "}" is one JSON object (dd_json_parse) with exactly the members
 *    dd.trace_id, dd.span_id, dd.service, dd.env, dd.version in that order; the ids are strings of
 *    the expected form (32 lowercase hex digits for a 128-bit trace with 128-bit logging on, else
 *    the decimal low 64 bits; the span id decimal) and value; service, env and version decode to
 *    the tracer's strings byte for byte;
 *  - text: one line without control bytes or DEL, five fields separated by single spaces
 *    "dd.trace_id=<id> dd.span_id=<id> dd.service=<v> dd.env=<v> dd.version=<v>", no value holds
 *    a space, and each value unescapes (\\, \xHH, \n, \r, \t) to the tracer's string;
 *  - a NULL span gives ids 0 and empty strings. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                      \
    do {                                                                                                \
        if (!(c)) {                                                                                     \
            fprintf(stderr, "fuzz_log_correlation: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                    \
        }                                                                                               \
    } while (0)

static const char *no_env(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}
static void quiet(void *user, int level, const char *msg, size_t len) {
    (void)user;
    (void)level;
    (void)msg;
    (void)len;
}

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* The expected id texts. */
static void expect_ids(const dd_span *s, int log128, char *tid, char *sid) {
    dd_trace_id id = {0, 0};
    dd_span_trace_id(s, &id);
    if (s && id.hi && log128)
        sprintf(tid, "%016llx%016llx", (unsigned long long)id.hi, (unsigned long long)id.lo);
    else
        sprintf(tid, "%llu", (unsigned long long)id.lo);
    sprintf(sid, "%llu", (unsigned long long)dd_span_id(s));
}

/* Every capacity from 0 to n + 1, and a few more: snprintf semantics against the full text. */
static void check_caps(const dd_span *s, int json, const char *full, size_t n) {
    char buf[64];
    size_t cap;
    for (cap = 0; cap < sizeof buf - 1; cap++) {
        size_t m;
        memset(buf, 'Z', sizeof buf);
        m = dd_span_log_correlation(s, json, cap ? buf : NULL, cap);
        if (cap == 0) {
            REQUIRE(m == n);
            m = dd_span_log_correlation(s, json, buf, 0);
            REQUIRE(buf[0] == 'Z');
        }
        REQUIRE(m == n);
        if (cap) {
            size_t k = n < cap ? n : cap - 1;
            REQUIRE(memcmp(buf, full, k) == 0 && buf[k] == 0);
            REQUIRE(buf[cap] == 'Z');
        }
    }
}

static void check_json(const char *out, size_t n, const char *tid, const char *sid, const char *const vals[3]) {
    static const char *const names[5] = {"dd.trace_id", "dd.span_id", "dd.service", "dd.env", "dd.version"};
    char *obj = (char *)malloc(n + 3), *dec;
    dd_json root, k, v;
    dd_json_iter it;
    int i = 0;
    obj[0] = '{';
    memcpy(obj + 1, out, n);
    obj[n + 1] = '}';
    obj[n + 2] = 0;
    REQUIRE(dd_json_parse(obj, n + 2, &root) == DD_OK && root.type == DD_JSON_OBJECT);
    dec = (char *)malloc(n + 1);
    dd_json_iter_init(&it, &root);
    while (dd_json_next(&it, &k, &v) == DD_OK) {
        const char *want;
        size_t got = 0;
        REQUIRE(i < 5 && dd_json_string_eq(&k, names[i], strlen(names[i])));
        REQUIRE(v.type == DD_JSON_STRING);
        want = i == 0 ? tid : i == 1 ? sid : vals[i - 2];
        REQUIRE(dd_json_string(&v, dec, n + 1, &got) == DD_OK);
        REQUIRE(got == strlen(want) && memcmp(dec, want, got) == 0);
        i++;
    }
    REQUIRE(i == 5);
    free(dec);
    free(obj);
}

static int hexv(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/* Unescapes a text value; 0 when an escape is not one the writer uses. */
static int unescape(const char *p, size_t n, char *out, size_t *len) {
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (p[i] != '\\') {
            out[o++] = p[i];
            continue;
        }
        if (++i == n) return 0;
        if (p[i] == '\\') out[o++] = '\\';
        else if (p[i] == 'n') out[o++] = '\n';
        else if (p[i] == 'r') out[o++] = '\r';
        else if (p[i] == 't') out[o++] = '\t';
        else if (p[i] == 'x' && i + 2 < n && hexv(p[i + 1]) >= 0 && hexv(p[i + 2]) >= 0) {
            out[o++] = (char)(hexv(p[i + 1]) * 16 + hexv(p[i + 2]));
            i += 2;
        } else
            return 0;
    }
    *len = o;
    return 1;
}

static void check_text(const char *out, size_t n, const char *tid, const char *sid, const char *const vals[3]) {
    static const char *const names[5] = {"dd.trace_id=", "dd.span_id=", "dd.service=", "dd.env=", "dd.version="};
    size_t i, pos = 0;
    char *dec = (char *)malloc(n + 1);
    for (i = 0; i < n; i++) REQUIRE((unsigned char)out[i] >= 0x20 && (unsigned char)out[i] != 0x7f);
    for (i = 0; i < 5; i++) {
        size_t nl = strlen(names[i]), end, got = 0;
        const char *want = i == 0 ? tid : i == 1 ? sid : vals[i - 2];
        REQUIRE(pos + nl <= n && memcmp(out + pos, names[i], nl) == 0);
        pos += nl;
        for (end = pos; end < n && out[end] != ' '; end++) {}
        REQUIRE(i == 4 ? end == n : end < n);
        REQUIRE(unescape(out + pos, end - pos, dec, &got));
        REQUIRE(got == strlen(want) && memcmp(dec, want, got) == 0);
        pos = end + 1;
    }
    free(dec);
}

static void check_form(const dd_span *s, int json, int off, int log128, const char *const vals[3]) {
    char tid[40], sid[24], *out;
    size_t n = dd_span_log_correlation(s, json, NULL, 0), m;
    if (off) {
        char b[4] = "ZZZ";
        REQUIRE(n == 0 && dd_span_log_correlation(s, json, b, sizeof b) == 0 && b[0] == 0);
        return;
    }
    out = (char *)malloc(n + 2);
    memset(out, 'Z', n + 2);
    m = dd_span_log_correlation(s, json, out, n + 1);
    REQUIRE(m == n && out[n] == 0 && strlen(out) == n && out[n + 1] == 'Z');
    expect_ids(s, log128, tid, sid);
    if (json) check_json(out, n, tid, sid, vals);
    else check_text(out, n, tid, sid, vals);
    check_caps(s, json, out, n);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *strs;
    const char *part[3] = {"", "", ""};
    const char *vals[3];
    size_t i, k = 0, begin = 25;
    unsigned opt;
    dd_tracer_config tc;
    dd_tracer *t;
    dd_span_options so;
    dd_span *s = NULL;
    static const char *const empty[3] = {"", "", ""};
    if (size < 25) return 0;
    opt = data[0];
    strs = (char *)malloc(size + 1);
    memcpy(strs, data, size);
    strs[size] = 0;
    for (i = 25; i <= size && k < 3; i++) {
        if (i == size || strs[i] == 0) {
            strs[i] = 0;
            part[k++] = strs + begin;
            begin = i + 1;
        }
    }
    memset(&tc, 0, sizeof tc);
    tc.getenv_fn = no_env;
    tc.log_fn = quiet;
    tc.cgroup_path = "";
    tc.flush_interval_ms = -1;
    tc.delivery = DD_DELIVERY_MANUAL;
    tc.startup_logs = DD_OFF;
    tc.obfuscation_query_string_regexp = ""; /* no regcomp per run: not what is fuzzed here */
    tc.service = part[0];
    tc.env = part[1];
    tc.version = part[2];
    tc.logs_injection = (opt & 1) ? DD_OFF : DD_ON;
    tc.log_128bit = (opt & 2) ? DD_OFF : DD_ON;
    t = dd_tracer_new(&tc);
    REQUIRE(t != NULL);
    if (!(opt & 4)) {
        memset(&so, 0, sizeof so);
        so.name = "op";
        so.trace_id.hi = le64(data + 1);
        so.trace_id.lo = le64(data + 9);
        so.span_id = le64(data + 17);
        if (opt & 8) so.service = part[1]; /* the span's own service: the log still names the tracer's */
        s = dd_span_start(t, &so);
        REQUIRE(s != NULL);
        if (so.trace_id.lo) {
            dd_trace_id got;
            dd_span_trace_id(s, &got);
            REQUIRE(got.hi == so.trace_id.hi && got.lo == so.trace_id.lo);
        }
        if (so.span_id) REQUIRE(dd_span_id(s) == so.span_id);
    }
    vals[0] = dd_tracer_service(t);
    vals[1] = dd_tracer_env(t);
    vals[2] = dd_tracer_version(t);
    check_form(s, 0, s && (opt & 1), !(opt & 2), s ? vals : empty); /* a NULL span has no tracer to turn it off */
    check_form(s, 1, s && (opt & 1), !(opt & 2), s ? vals : empty);
    if (s) {
        /* a NULL span: ids 0 and empty strings, whatever the tracer */
        check_form(NULL, 0, 0, 1, empty);
        check_form(NULL, 1, 0, 1, empty);
    }
    dd_span_finish(s);
    dd_tracer_free(t);
    free(strs);
    return 0;
}
