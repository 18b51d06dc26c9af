/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_runtime_api.c -o fuzz_runtime_api -lpthread -lm && ./fuzz_runtime_api -dict=fuzz/dict/runtime_api.dict fuzz/corpus/runtime_api
 *
 * The bootstrap's handling of the Lambda Runtime API's answer to GET .../invocation/next
 * (examples/lambda/bootstrap.c through examples/lambda/runtime_api.h) on hostile answers. The
 * input's first byte holds options; the rest is the answer's bytes as they arrive, parsed by
 * dd_sender.h's HTTP parser with the bootstrap's body limit (RT_EVENT_MAX), as dd_sender_request
 * does. Option bit 1: the handler's answer is left out (NULL response). Option byte 0xb1 or 0xb3:
 * "big", the body is replaced by one of RT_EVENT_MAX - 4096 bytes plus twice the input's body
 * length (a JSON event followed by spaces), so answers on both sides of the 7 MiB limit are fuzzed
 * without 7 MB inputs (rare on purpose: such a run takes about 1 s under the sanitizers).
 * Properties checked (abort on violation):
 *  - the body limit: an answer parses exactly as with the limit set to its own body length, and
 *    fails with DD_ERR_LIMIT under a limit one byte shorter;
 *  - rt_read_invocation accepts the answer exactly when Lambda-Runtime-Aws-Request-Id is present
 *    and usable for the answer's path, and then the request id is the header's value, byte for
 *    byte; the answer's paths (/response and /error) are "/2018-06-01/runtime/invocation/<id>/..."
 *    with one path segment for the id and only the bytes dd_sender.h accepts in a path (0x21-0x7e),
 *    no '?' or '#'; on refusal *inv is all zero;
 *  - the ARN, trace and client-context copies are the header's value when it fits, else "";
 *    the event is the body, NUL-terminated;
 *  - the demo handler's count of Records agrees with dd_json_at, and the answer it builds is JSON;
 *  - the invocation through dd_lambda_start_invocation / dd_lambda_end_invocation (one tracer
 *    and Lambda state for the process, as in the bootstrap; not for "big" answers, the Lambda
 *    event harnesses cover the event) gives a span tagged request_id = the request id, and
 *    exactly one request. No leak. */
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../dd_lambda.h"
#include "../dd_sender.h"
#include "../examples/lambda/runtime_api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                  \
    do {                                                                                            \
        if (!(c)) {                                                                                 \
            fprintf(stderr, "fuzz_runtime_api: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                \
        }                                                                                           \
    } while (0)

typedef struct answer {
    const char *head;
    size_t head_len;
} answer;

static const char *answer_header(const void *user, const char *name, size_t *len) {
    const answer *a = (const answer *)user;
    return dd_http_header(a->head, a->head_len, name, len);
}

/* Parses a copy of in[0..n) with max_body; the parser's result, *p and the copy in *out. */
static int parse(const char *in, size_t n, size_t max_body, dd_http_parser *p, char **out, size_t *len) {
    int rc;
    *out = (char *)malloc(n ? n : 1);
    if (n) memcpy(*out, in, n);
    *len = n;
    dd_http_parser_init(p, max_body, 0);
    rc = dd_http_parse(p, *out, len);
    if (rc == DD_HTTP_MORE) rc = dd_http_parse_eof(p); /* the server closed after its bytes */
    return rc;
}

static int g_requests;
static int fz_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    (void)user;
    (void)req;
    g_requests++;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}
static const char *no_env(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}
static int sink(void *user, const char *line, size_t len) {
    (void)user;
    (void)line;
    (void)len;
    return 0;
}

/* The bootstrap's invocation (steps 2 and 3 of its loop) with the tracer's transport captured. */
static void run_invocation(const rt_invocation *ri, int no_answer) {
    static dd_tracer *t; /* one tracer and Lambda state for the process, as in the bootstrap */
    static dd_lambda *l;
    dd_lambda_invocation inv;
    dd_lambda_trigger trigger;
    dd_span *span, *work;
    const char *err = NULL, *v = NULL;
    size_t vn = 0;
    long records = 0;
    int failed;
    char out[256];
    if (!t) {
        dd_tracer_config tc;
        dd_lambda_options o;
        static dd_lambda_config lc;
        memset(&tc, 0, sizeof tc);
        tc.getenv_fn = no_env;
        tc.transport_fn = fz_transport;
        tc.cgroup_path = "";
        tc.flush_interval_ms = -1;
        tc.delivery = DD_DELIVERY_MANUAL;
        tc.startup_logs = DD_OFF;
        t = dd_tracer_new(&tc);
        REQUIRE(t != NULL);
        memset(&lc, 0, sizeof lc);
        lc.getenv_fn = no_env;
        memset(&o, 0, sizeof o);
        o.config = &lc;
        o.mode = DD_LAMBDA_MODE_FORWARDER;
        o.write_fn = sink;
        l = dd_lambda_new(t, &o);
        REQUIRE(l != NULL);
    }
    memset(&inv, 0, sizeof inv);
    inv.event = ri->event;
    inv.event_len = ri->event_len;
    inv.client_context = ri->client_context[0] ? ri->client_context : NULL;
    inv.client_context_len = strlen(ri->client_context);
    inv.request_id = ri->request_id;
    inv.invoked_function_arn = ri->arn;
    inv.xray_trace_id = ri->trace_header[0] ? ri->trace_header : NULL;
    g_requests = 0;
    span = dd_lambda_start_invocation(l, &inv, &trigger);
    REQUIRE(span != NULL);
    REQUIRE(dd_span_get_tag(span, "request_id", 10, &v, &vn) == DD_OK);
    REQUIRE(vn == strlen(ri->request_id) && memcmp(v, ri->request_id, vn) == 0);
    work = dd_span_start_child(span, "demo.handler");
    failed = rt_handle(ri->event, ri->event_len, &records, &err) != 0;
    dd_span_set_metric(work, "records", (double)records);
    if (failed) {
        REQUIRE(err != NULL);
        dd_lambda_set_invocation_error(l, span, "DemoError", err, NULL);
    }
    dd_span_finish(work);
    snprintf(out, sizeof out, "{\"processed\":%ld}", records);
    REQUIRE(dd_lambda_end_invocation(l, span, failed || no_answer ? NULL : out, failed || no_answer ? 0 : strlen(out),
                                     failed) == DD_OK);
    REQUIRE(g_requests == 1);
}

static void check_handler(const rt_invocation *ri) {
    long records = -1;
    const char *err = (const char *)1;
    int rc = rt_handle(ri->event, ri->event_len, &records, &err);
    dd_json root, v, item;
    int parsed = dd_json_parse(ri->event, ri->event_len, &root) == DD_OK;
    REQUIRE(records >= 0);
    if (rc == 0) {
        char out[64];
        long want = 0;
        REQUIRE(parsed && err == NULL);
        if (dd_json_get(&root, "Records", 7, &v) == DD_OK && v.type == DD_JSON_ARRAY)
            while (dd_json_at(&v, (size_t)want, &item) == DD_OK) want++;
        REQUIRE(records == want);
        snprintf(out, sizeof out, "{\"processed\":%ld}", records);
        REQUIRE(dd_json_parse(out, strlen(out), &root) == DD_OK);
    } else {
        REQUIRE(rc == -1 && err != NULL && records == 0);
        REQUIRE(!parsed || (dd_json_get(&root, "fail", 4, &v) == DD_OK && v.type == DD_JSON_BOOL));
    }
    (void)rt_sleep_ms(ri->event, ri->event_len);
}

static void check_path(const char *id, int failed) {
    static const char pre[] = "/2018-06-01/runtime/invocation/";
    const char *tail = failed ? "/error" : "/response";
    char path[512];
    size_t n = rt_answer_path(id, failed, path, sizeof path), i, slashes = 0;
    REQUIRE(n > 0 && n == strlen(path) && n == strlen(pre) + strlen(id) + strlen(tail));
    REQUIRE(memcmp(path, pre, strlen(pre)) == 0 && strcmp(path + n - strlen(tail), tail) == 0);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        REQUIRE(c > 0x20 && c < 0x7f && c != '?' && c != '#');
        slashes += c == '/';
    }
    REQUIRE(slashes == 5); /* 2018-06-01, runtime, invocation, <id>, response */
}

static void check_copy(const answer *a, const char *name, const char *copy, size_t cap) {
    size_t n = 0;
    const char *v = dd_http_header(a->head, a->head_len, name, &n);
    if (v && n < cap) REQUIRE(memcmp(copy, v, n) == 0 && copy[n] == 0);
    else REQUIRE(copy[0] == 0);
}

static void check_answer(const char *in, size_t n, int no_answer, int big) {
    dd_http_parser p, q;
    char *buf, *buf2;
    size_t len, len2;
    int rc = parse(in, n, RT_EVENT_MAX, &p, &buf, &len);
    if (rc == DD_HTTP_DONE) {
        /* the limit: exactly the body fits, one byte less does not */
        int rc2 = parse(in, n, p.body_len, &q, &buf2, &len2);
        REQUIRE(rc2 == DD_HTTP_DONE && q.status == p.status && q.head_len == p.head_len && q.body_len == p.body_len);
        REQUIRE(memcmp(buf2, buf, p.head_len + p.body_len) == 0);
        free(buf2);
        if (p.body_len > 0) {
            rc2 = parse(in, n, p.body_len - 1, &q, &buf2, &len2);
            REQUIRE(rc2 == DD_ERR_LIMIT);
            free(buf2);
        }
    }
    if (rc == DD_HTTP_DONE && p.status == 200) {
        static rt_invocation ri; /* 5 KiB: off the stack, as in the bootstrap */
        answer a;
        size_t idn = 0;
        const char *id;
        int got, usable;
        a.head = buf;
        a.head_len = p.head_len;
        id = dd_http_header(buf, p.head_len, "Lambda-Runtime-Aws-Request-Id", &idn);
        usable = id && idn > 0 && idn < sizeof ri.request_id;
        if (usable) {
            size_t i;
            for (i = 0; i < idn; i++) {
                unsigned char c = (unsigned char)id[i];
                if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#') usable = 0;
            }
        }
        memset(&ri, 0xa5, sizeof ri);
        got = rt_read_invocation(answer_header, &a, buf + p.head_len, p.body_len, &ri);
        REQUIRE(got == 0 || got == -1);
        REQUIRE((got == 0) == usable);
        if (got == 0) {
            REQUIRE(strlen(ri.request_id) == idn && memcmp(ri.request_id, id, idn) == 0);
            check_path(ri.request_id, 0);
            check_path(ri.request_id, 1);
            check_copy(&a, "Lambda-Runtime-Invoked-Function-Arn", ri.arn, sizeof ri.arn);
            check_copy(&a, "Lambda-Runtime-Trace-Id", ri.trace_header, sizeof ri.trace_header);
            check_copy(&a, "Lambda-Runtime-Client-Context", ri.client_context, sizeof ri.client_context);
            REQUIRE(ri.event_len == p.body_len && ri.event[ri.event_len] == 0);
            REQUIRE(ri.event_len == 0 || memcmp(ri.event, buf + p.head_len, ri.event_len) == 0);
            check_handler(&ri);
            if (!big) run_invocation(&ri, no_answer); /* the event's size does not matter to it */
            rt_invocation_free(&ri);
        } else {
            static const rt_invocation zero;
            REQUIRE(memcmp(&ri, &zero, sizeof ri) == 0);
        }
    }
    free(buf);
}

/* The answer with its body replaced by a padded JSON event of about RT_EVENT_MAX bytes: the
 * Content-Length is rewritten, so the head must hold one (else the input is used as is). */
static void check_big(const char *in, size_t n, int no_answer) {
    const char *end = NULL, *cl = NULL;
    size_t i, head, body, total;
    char *big;
    int w;
    for (i = 0; i + 3 < n; i++)
        if (memcmp(in + i, "\r\n\r\n", 4) == 0) { end = in + i + 4; break; }
    if (!end) return;
    head = (size_t)(end - in);
    for (i = 0; i + 16 <= head; i++)
        if (strncmp(in + i, "\r\nContent-Length", 16) == 0) { cl = in + i; break; }
    if (!cl) return;
    body = RT_EVENT_MAX - 4096 + (n - head) * 2; /* both sides of the limit, the input says how far */
    total = head + body + 64;
    big = (char *)malloc(total);
    /* the head up to Content-Length, a new Content-Length, the rest of the head after its line */
    memcpy(big, in, (size_t)(cl - in));
    w = sprintf(big + (cl - in), "\r\nContent-Length: %lu", (unsigned long)body);
    {
        const char *rest = cl + 2;
        size_t off = (size_t)(cl - in) + (size_t)w;
        while (rest < end && !(rest[0] == '\r' && rest[1] == '\n')) rest++;
        memcpy(big + off, rest, (size_t)(end - rest));
        off += (size_t)(end - rest);
        memset(big + off, ' ', body);
        if (body >= 17) memcpy(big + off, "{\"Records\":[1,2]}", 17); /* then spaces: scanned once */
        check_answer(big, off + body, no_answer, 1);
    }
    free(big);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned opt;
    if (size < 1) return 0;
    opt = data[0];
    if ((opt | 2) == 0xb3) check_big((const char *)data + 1, size - 1, (opt & 2) != 0);
    else check_answer((const char *)data + 1, size - 1, (opt & 2) != 0, 0);
    return 0;
}
