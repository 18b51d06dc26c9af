/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_lambda_invocation.c -o fuzz_lambda_invocation -lpthread -lm && ./fuzz_lambda_invocation -dict=fuzz/dict/lambda_event.dict fuzz/corpus/lambda_invocation
 *
 * A whole Lambda invocation through dd_lambda_start_invocation / dd_lambda_end_invocation on random
 * input. The first byte picks options: bit 0 managed services off, bit 1 X-Ray merging on, bit 2
 * cold-start span on, bit 3 the handler failed, bit 4 an X-Ray header for the invocation, bit 5
 * service representation off. The rest is split at NUL bytes into: the event, the response, the
 * invoked function ARN, DD_SERVICE_MAPPING, the request id.
 * Properties checked (abort on violation): the invocation gives a span and exactly one request,
 * whose msgpack payload holds one chunk with one aws.lambda span of type "serverless", at most one
 * span of each other name, one trace id, exactly one root and every other span's parent in the
 * chunk; the log helpers never write past the capacity they are given and return the same length
 * whatever the capacity. */
#define DD_TRACE_IMPLEMENTATION
#include "dd_lambda.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                            \
    do {                                                                                                      \
        if (!(c)) {                                                                                           \
            fprintf(stderr, "fuzz_lambda_invocation: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                          \
        }                                                                                                     \
    } while (0)

static const char *g_mapping, *g_representation;
static const char *fz_getenv(void *user, const char *name) {
    (void)user;
    if (strcmp(name, "DD_SERVICE_MAPPING") == 0) return g_mapping;
    if (strcmp(name, "DD_TRACE_AWS_SERVICE_REPRESENTATION_ENABLED") == 0) return g_representation;
    return NULL;
}
static int g_requests;
static unsigned char *g_body;
static size_t g_len;
static int fz_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    (void)user;
    g_requests++;
    free(g_body);
    g_body = (unsigned char *)malloc(req->body_len ? req->body_len : 1);
    memcpy(g_body, req->body, req->body_len);
    g_len = req->body_len;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}

#define MAX_SPANS 8
typedef struct fz_span {
    char name[32];
    uint64_t trace_id, span_id, parent_id;
    int serverless;
} fz_span;

static int read_key(dd_mp_reader *r, const char *k) {
    const char *s;
    uint32_t n;
    if (dd_mp_read_str(r, &s, &n) != DD_OK) return 0;
    return n == strlen(k) && memcmp(s, k, n) == 0;
}

/* Decodes the payload: [[span, ...]] with the fields the properties need. */
static size_t decode(fz_span *spans) {
    dd_mp_reader r;
    uint32_t chunks, n, fields, i, j;
    dd_mp_reader_init(&r, g_body, g_len);
    REQUIRE(dd_mp_read_array(&r, &chunks) == DD_OK && chunks == 1);
    REQUIRE(dd_mp_read_array(&r, &n) == DD_OK && n >= 1 && n <= MAX_SPANS);
    for (i = 0; i < n; i++) {
        fz_span *s = &spans[i];
        memset(s, 0, sizeof *s);
        /* the tracer writes trace_id, span_id, parent_id, name, service, resource, type first */
        REQUIRE(dd_mp_read_map(&r, &fields) == DD_OK && fields >= 7);
        REQUIRE(read_key(&r, "trace_id") && dd_mp_read_u64(&r, &s->trace_id) == DD_OK);
        REQUIRE(read_key(&r, "span_id") && dd_mp_read_u64(&r, &s->span_id) == DD_OK);
        REQUIRE(read_key(&r, "parent_id") && dd_mp_read_u64(&r, &s->parent_id) == DD_OK);
        {
            const char *v;
            uint32_t vn;
            REQUIRE(read_key(&r, "name") && dd_mp_read_str(&r, &v, &vn) == DD_OK);
            if (vn < sizeof s->name) memcpy(s->name, v, vn);
            REQUIRE(read_key(&r, "service") && dd_mp_read_str(&r, &v, &vn) == DD_OK);
            REQUIRE(read_key(&r, "resource") && dd_mp_read_str(&r, &v, &vn) == DD_OK);
            REQUIRE(read_key(&r, "type") && dd_mp_read_str(&r, &v, &vn) == DD_OK);
            s->serverless = vn == 10 && memcmp(v, "serverless", 10) == 0;
        }
        for (j = 7; j < fields; j++) { /* start, duration, error, meta, metrics, span_links */
            REQUIRE(dd_mp_skip(&r) == DD_OK);
            REQUIRE(dd_mp_skip(&r) == DD_OK);
        }
    }
    REQUIRE(dd_mp_reader_error(&r) == DD_OK && dd_mp_reader_remaining(&r) == 0);
    return n;
}

static void check_logs(const dd_lambda *l, const dd_span *s) {
    char big[256], small[16];
    size_t cap, n, m;
    n = dd_lambda_log_prefix(l, s, big, sizeof big);
    REQUIRE(n < sizeof big && strlen(big) == n);
    for (cap = 0; cap <= sizeof small; cap++) {
        memset(small, 'X', sizeof small);
        m = dd_lambda_log_prefix(l, s, cap ? small : NULL, cap);
        REQUIRE(m == n);
        if (cap) REQUIRE(strlen(small) == (n < cap ? n : cap - 1));
        REQUIRE(cap == sizeof small || small[cap] == 'X');
    }
    n = dd_lambda_log_json(l, s, big, sizeof big);
    REQUIRE(n < sizeof big && strlen(big) == n);
    n = dd_lambda_log_line(l, s, "INFO", (int64_t)(big[0] & 127) * INT64_C(86400000000007), "r", big, strlen(big), NULL, 0);
    m = dd_lambda_log_line(l, s, "INFO", (int64_t)(big[0] & 127) * INT64_C(86400000000007), "r", big, strlen(big), small,
                           sizeof small);
    REQUIRE(m == n && strlen(small) == sizeof small - 1);
}

/* Forwarder mode's metric lines (the enhanced metrics): each must be one JSON line, not printed. */
static int metric_sink(void *user, const char *line, size_t len) {
    (void)user;
    REQUIRE(len > 2 && line[0] == '{' && line[len - 1] == '\n' && memchr(line, '\n', len) == line + len - 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf;
    const char *part[5] = {"", "", "", "", ""};
    size_t part_len[5] = {0, 0, 0, 0, 0}, i, k = 0, begin = 1, n;
    unsigned opt;
    dd_tracer_config tc;
    dd_tracer *t;
    dd_lambda_config lc;
    dd_lambda_options o;
    dd_lambda *l;
    dd_lambda_invocation inv;
    dd_span *s;
    fz_span spans[MAX_SPANS];
    if (size < 1 || size > 65536) return 0;
    opt = data[0];
    buf = (char *)malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = 0;
    for (i = 1; i <= size && k < 5; i++) {
        if (i == size || buf[i] == 0) {
            part[k] = buf + begin;
            part_len[k] = i - begin;
            buf[i] = 0;
            k++;
            begin = i + 1;
        }
    }
    g_mapping = part[3];
    g_representation = (opt & 32) ? "false" : NULL;
    g_requests = 0;
    memset(&tc, 0, sizeof tc);
    tc.getenv_fn = fz_getenv;
    tc.transport_fn = fz_transport;
    tc.cgroup_path = "";
    tc.flush_interval_ms = -1;
    tc.startup_logs = DD_OFF;
    t = dd_tracer_new(&tc);
    REQUIRE(t != NULL);
    memset(&lc, 0, sizeof lc);
    lc.getenv_fn = fz_getenv;
    lc.merge_xray = (opt & 2) ? DD_ON : DD_OFF;
    memset(&o, 0, sizeof o);
    o.config = &lc;
    o.managed_services = (opt & 1) ? DD_OFF : DD_ON;
    o.cold_start_tracing = (opt & 4) ? DD_ON : DD_OFF;
    o.init_ns = 1;
    o.mode = DD_LAMBDA_MODE_FORWARDER; /* enhanced metrics through the sink, whatever the machine has */
    o.write_fn = metric_sink;
    l = dd_lambda_new(t, &o);
    REQUIRE(l != NULL);
    memset(&inv, 0, sizeof inv);
    inv.event = part[0];
    inv.event_len = part_len[0];
    inv.invoked_function_arn = part[2];
    inv.request_id = part[4];
    if (opt & 16) inv.xray_trace_id = "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1";
    s = dd_lambda_start_invocation(l, &inv, NULL);
    REQUIRE(s != NULL);
    check_logs(l, s);
    REQUIRE(dd_lambda_end_invocation(l, s, part_len[1] ? part[1] : NULL, part_len[1], (opt & 8) != 0) == DD_OK);
    REQUIRE(g_requests == 1);
    n = decode(spans);
    {
        size_t lambdas = 0, roots = 0, a, b;
        for (a = 0; a < n; a++) {
            int has_parent = 0;
            REQUIRE(spans[a].trace_id == spans[0].trace_id && spans[a].span_id != 0);
            if (strcmp(spans[a].name, "aws.lambda") == 0) {
                lambdas++;
                REQUIRE(spans[a].serverless);
            }
            for (b = 0; b < n; b++) {
                if (b != a) REQUIRE(strcmp(spans[a].name, spans[b].name) != 0 || strcmp(spans[a].name, "aws.lambda") == 0);
                if (b != a && spans[b].span_id == spans[a].parent_id) has_parent = 1;
            }
            roots += !has_parent;
        }
        REQUIRE(lambdas == 1 && roots == 1);
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(g_body);
    g_body = NULL;
    free(buf);
    return 0;
}
