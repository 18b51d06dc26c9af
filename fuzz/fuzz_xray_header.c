/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_xray_header.c -o fuzz_xray_header -lpthread -lm && ./fuzz_xray_header -dict=fuzz/dict/xray_header.dict fuzz/corpus/xray_header
 *
 * X-Ray headers as _X_AMZN_TRACE_ID and as an SQS AWSTraceHeader. Properties checked (abort on
 * violation):
 *  - dd_xray_parse gives DD_OK with a nonzero trace id below 2^63 and a nonzero parent, or zero
 *    ids;
 *  - the X-Ray fallback of dd_lambda_extract agrees with dd_xray_parse (same ids), and merging
 *    gives the event trace id with the X-Ray parent exactly when the header parses;
 *  - an AWSTraceHeader yields a context only with the 00000000 Datadog marker;
 *  - dd_xray_subsegment returns the same length for every buffer size, writes only within the
 *    (exact-size, heap) buffer, NUL-terminates, and with room for it emits a datagram that starts
 *    with the format line, whose second line parses as JSON, and never one for Sampled=0. */
#define DD_LAMBDA_IMPLEMENTATION
#include "dd_lambda.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                     \
    do {                                                                                               \
        if (!(c)) {                                                                                    \
            fprintf(stderr, "fuzz_xray_header: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

static char g_hdr[2048];
static const char *fz_getenv(void *user, const char *name) {
    (void)user;
    return strcmp(name, "_X_AMZN_TRACE_ID") == 0 ? g_hdr : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dd_trace_context x, c, ev, p;
    dd_lambda_config cfg;
    dd_lambda_trigger t;
    static char event[8192];
    size_t n, i, k;
    int rc, ok;
    char *out;
    if (size >= sizeof g_hdr || memchr(data, 0, size)) return 0;
    memcpy(g_hdr, data, size);
    g_hdr[size] = 0;
    rc = dd_xray_parse(g_hdr, size, &x);
    ok = rc == DD_OK;
    if (ok) REQUIRE(x.trace_id.lo && x.trace_id.lo < ((uint64_t)1 << 63) && x.trace_id.hi == 0 && x.parent_id);
    else REQUIRE(x.trace_id.lo == 0 && x.trace_id.hi == 0 && x.parent_id == 0);

    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = fz_getenv;
    rc = dd_lambda_extract(&cfg, "{}", 2, NULL, 0, &c, &t);
    /* _X_AMZN_TRACE_ID is read as datadog-lambda-python reads it (Root, Parent, Sampled first, in
     * that order): stricter than the header parser, never more lenient */
    if (rc == DD_OK) REQUIRE(ok && t.context_source == DD_LAMBDA_CONTEXT_XRAY && c.trace_id.lo == x.trace_id.lo
                             && c.parent_id == x.parent_id);
    ok = rc == DD_OK;
    memset(&ev, 0, sizeof ev);
    ev.trace_id.lo = 1;
    ev.parent_id = 2;
    ev.sampling_priority = 1;
    cfg.merge_xray = DD_ON;
    REQUIRE(dd_lambda_parent(&cfg, &ev, DD_LAMBDA_CONTEXT_EVENT, &p) == DD_OK);
    REQUIRE(p.trace_id.lo == 1 && p.sampling_priority == 1 && p.parent_id == (ok ? x.parent_id : 2));

    /* as an SQS AWSTraceHeader (JSON-escaped) */
    n = (size_t)snprintf(event, sizeof event, "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"attributes\":{\"AWSTraceHeader\":\"");
    for (i = 0; i < size && n + 8 < sizeof event; i++) {
        unsigned char ch = data[i];
        if (ch == '"' || ch == '\\') { event[n++] = '\\'; event[n++] = (char)ch; }
        else if (ch < 0x20) n += (size_t)snprintf(event + n, 8, "\\u%04x", ch);
        else event[n++] = (char)ch;
    }
    n += (size_t)snprintf(event + n, sizeof event - n, "\"}}]}");
    if (n < sizeof event) {
        cfg.getenv_fn = NULL;
        cfg.hook_user = NULL;
        cfg.getenv_fn = fz_getenv;
        g_hdr[0] = 0; /* no X-Ray fallback: "" does not parse */
        rc = dd_lambda_extract(&cfg, event, n, NULL, 0, &c, &t);
        if (rc == DD_OK) REQUIRE(strstr((const char *)event, "-00000000") != NULL && c.trace_id.lo && c.parent_id);
        memcpy(g_hdr, data, size);
        g_hdr[size] = 0;
    }

    /* the subsegment datagram, into exact-size heap buffers */
    n = dd_xray_subsegment(NULL, 0, g_hdr, size, "0123456789abcdef", 16, 1487076708123000000LL, "trace", 5, "{\"a\":\"b\"}", 9);
    for (k = 0; k < 3; k++) {
        size_t cap = k == 0 ? 1 : k == 1 ? (n ? n : 1) : n + 1;
        size_t m;
        out = (char *)malloc(cap);
        m = dd_xray_subsegment(out, cap, g_hdr, size, "0123456789abcdef", 16, 1487076708123000000LL, "trace", 5,
                               "{\"a\":\"b\"}", 9);
        REQUIRE(m == n);
        REQUIRE(memchr(out, 0, cap) != NULL);
        if (n && cap > n) {
            dd_json j;
            static const char line[] = "{\"format\": \"json\", \"version\": 1}\n";
            REQUIRE(strlen(out) == n && memcmp(out, line, sizeof line - 1) == 0);
            REQUIRE(dd_json_parse(out + sizeof line - 1, n - (sizeof line - 1), &j) == DD_OK && j.type == DD_JSON_OBJECT);
        } else {
            REQUIRE(out[0] == 0);
        }
        free(out);
    }
    return 0;
}
