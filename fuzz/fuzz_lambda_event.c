/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_lambda_event.c -o fuzz_lambda_event -lpthread -lm && ./fuzz_lambda_event -dict=fuzz/dict/lambda_event.dict fuzz/corpus/lambda_event
 *
 * dd_lambda_extract on random event shapes. The first byte picks how the rest is used:
 *   0 the raw event;  1 the `_datadog` String attribute of an SQS record (JSON-escaped);
 *   2 the base64 Binary `_datadog` of an SNS record;  3 base64 Kinesis data;
 *   4 the client context;  5 the event, with an X-Ray header and merging on, and a custom
 *   extractor that answers "not mine" or fails (bit 3).
 * Properties checked (abort on violation): any event yields either no context (DD_ERR_NOT_FOUND,
 * zeroed context, context_source NONE) or a valid one (nonzero trace id and parent id, every
 * string NUL-terminated at its stored length within capacity; the priority is whatever integer the
 * carrier said, as the official tracers accept); the trigger's
 * strings are NUL-terminated within capacity and its event source is a known one; a tiny scratch
 * buffer never overflows; dd_lambda_parent returns a complete context or none. */
#define DD_LAMBDA_IMPLEMENTATION
#include "dd_lambda.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                      \
    do {                                                                                                \
        if (!(c)) {                                                                                     \
            fprintf(stderr, "fuzz_lambda_event: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                    \
        }                                                                                               \
    } while (0)

static const char *g_xray;
static const char *fz_getenv(void *user, const char *name) {
    (void)user;
    if (strcmp(name, "_X_AMZN_TRACE_ID") == 0) return g_xray;
    if (strcmp(name, "DD_MERGE_XRAY_TRACES") == 0) return "true";
    return NULL;
}
static int ex_not_mine(void *u, const char *e, size_t n, dd_trace_context *o) { (void)u; (void)e; (void)n; (void)o; return DD_ERR_NOT_FOUND; }
static int ex_fails(void *u, const char *e, size_t n, dd_trace_context *o) { (void)u; (void)e; (void)n; o->parent_id = 7; return DD_ERR_MALFORMED; }

static size_t b64(const uint8_t *in, size_t n, char *out) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = a[v >> 18]; out[o++] = a[(v >> 12) & 63]; out[o++] = a[(v >> 6) & 63]; out[o++] = a[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = a[v >> 18]; out[o++] = a[(v >> 12) & 63]; out[o++] = '='; out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = a[v >> 18]; out[o++] = a[(v >> 12) & 63]; out[o++] = a[(v >> 6) & 63]; out[o++] = '=';
    }
    return o;
}
static size_t put(char *dst, size_t o, const char *s) { size_t n = strlen(s); memcpy(dst + o, s, n); return o + n; }

static void check_str(const char *s, uint32_t len, size_t cap) {
    REQUIRE(len <= cap && s[len] == 0 && strlen(s) == len);
}
static void check_ctx(const dd_trace_context *c, int ok) {
    if (!ok) {
        static const dd_trace_context zero;
        REQUIRE(memcmp(c, &zero, sizeof zero) == 0);
        return;
    }
    REQUIRE(c->trace_id.lo || c->trace_id.hi);
    REQUIRE(c->parent_id != 0);
    check_str(c->origin, c->origin_len, DD_ORIGIN_MAX);
    check_str(c->ptags, c->ptags_len, DD_PTAGS_MAX);
    check_str(c->tracestate, c->tracestate_len, DD_TRACESTATE_MAX);
    REQUIRE(memchr(c->propagation_error, 0, sizeof c->propagation_error) != NULL);
    REQUIRE(c->n_links <= DD_SPAN_LINKS_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char ev[1 << 18];
    dd_lambda_config cfg;
    dd_lambda_trigger t;
    dd_trace_context c, p;
    const char *event = ev, *cc = NULL;
    size_t n = 0, cc_len = 0, i;
    uint8_t mode;
    int rc;
    char small[64];
    if (size < 1 || size > 60000) return 0;
    mode = data[0];
    data++;
    size--;
    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = fz_getenv;
    cfg.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f:live";
    g_xray = NULL;
    switch (mode % 6) {
    case 1: /* SQS String attribute, JSON-escaped */
        n = put(ev, 0, "{\"Records\":[{\"body\":\"x\",\"messageAttributes\":{\"_datadog\":{\"dataType\":\"String\",\"stringValue\":\"");
        for (i = 0; i < size; i++) {
            unsigned char ch = data[i];
            if (ch == '"' || ch == '\\') { ev[n++] = '\\'; ev[n++] = (char)ch; }
            else if (ch < 0x20) { static const char h[] = "0123456789abcdef"; n = put(ev, n, "\\u00"); ev[n++] = h[ch >> 4]; ev[n++] = h[ch & 15]; }
            else ev[n++] = (char)ch;
        }
        n = put(ev, n, "\"}},\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-1:1:q\"}]}");
        break;
    case 2: /* SNS Binary attribute */
        n = put(ev, 0, "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\",\"MessageAttributes\":{\"_datadog\":{\"Type\":\"Binary\",\"Value\":\"");
        n += b64(data, size, ev + n);
        n = put(ev, n, "\"}}}}]}");
        break;
    case 3: /* Kinesis data */
        n = put(ev, 0, "{\"Records\":[{\"eventSource\":\"aws:kinesis\",\"eventSourceARN\":\"arn:aws:kinesis:us-east-1:1:stream/s\",\"kinesis\":{\"data\":\"");
        n += b64(data, size, ev + n);
        n = put(ev, n, "\"}}]}");
        break;
    case 4: /* client context */
        n = put(ev, 0, "{}");
        cc = (const char *)data;
        cc_len = size;
        break;
    case 5:
        g_xray = "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1";
        cfg.extractor_fn = (mode & 8) ? ex_fails : ex_not_mine;
        /* fall through */
    default:
        memcpy(ev, data, size);
        n = size;
        break;
    }
    rc = dd_lambda_extract(&cfg, event, n, cc, cc_len, &c, &t);
    REQUIRE(rc == DD_OK || rc == DD_ERR_NOT_FOUND);
    check_ctx(&c, rc == DD_OK);
    REQUIRE(t.context_source == (rc == DD_OK ? t.context_source : DD_LAMBDA_CONTEXT_NONE));
    if (rc == DD_OK) REQUIRE(t.context_source == DD_LAMBDA_CONTEXT_EVENT || t.context_source == DD_LAMBDA_CONTEXT_XRAY);
    REQUIRE(t.event_source >= DD_LAMBDA_EVENT_UNKNOWN && t.event_source <= DD_LAMBDA_EVENT_CLOUDFRONT);
    REQUIRE(memchr(t.event_source_arn, 0, sizeof t.event_source_arn) && memchr(t.service, 0, sizeof t.service) &&
            memchr(t.resource, 0, sizeof t.resource) && memchr(t.span_name, 0, sizeof t.span_name));
    REQUIRE(t.n_tags <= DD_LAMBDA_TAGS_MAX);
    for (i = 0; i < t.n_tags; i++)
        REQUIRE(memchr(t.tags[i].key, 0, sizeof t.tags[i].key) && memchr(t.tags[i].value, 0, sizeof t.tags[i].value));
    rc = dd_lambda_parent(&cfg, &c, t.context_source, &p);
    REQUIRE(rc == DD_OK || rc == DD_ERR_NOT_FOUND);
    if (rc == DD_OK) REQUIRE((p.trace_id.lo || p.trace_id.hi) && p.parent_id && p.trace_id.lo == c.trace_id.lo);
    /* the same event with a tiny scratch buffer: same or less, never an overflow */
    cfg.scratch = small;
    cfg.scratch_len = sizeof small;
    rc = dd_lambda_extract(&cfg, event, n, cc, cc_len, &c, &t);
    REQUIRE(rc == DD_OK || rc == DD_ERR_NOT_FOUND);
    check_ctx(&c, rc == DD_OK);
    return 0;
}
