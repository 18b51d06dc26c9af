/* tests/lambda_span_test.c - Lambda invocation spans (aws.lambda), inferred spans, the flush at the
 * end of each invocation and log correlation in Lambda (dd_lambda.h).
 * Expected values are written by hand from docs/lambda.md §7, §8 and §10 (which cite
 * datadog-lambda-python's create_function_execution_span / create_inferred_span_* and the
 * conformance fixtures) and from the events' own fields; payloads are decoded from the recorded
 * transport with dd_mp_to_json and read back with the JSON reader. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_lambda.h"
#include "test.h"
#include <stdlib.h>

/*--- fake hooks ---*/
typedef struct fake {
    int64_t wall0, mono; /* wall = wall0 + mono */
    uint64_t rnd_next;
    const char *env[16][2];
    size_t n_env;
    size_t n_req;
    unsigned char *bodies[16];
    size_t body_len[16];
    int fail_transport;
    char datagrams[4][1024];
    size_t n_datagrams;
} fake;
static fake F;

static int64_t fake_wall(void *u) { return ((fake *)u)->wall0 + ((fake *)u)->mono; }
static int64_t fake_mono(void *u) { return ((fake *)u)->mono; }
static uint64_t fake_random(void *u) { return ++((fake *)u)->rnd_next * 1000; } /* span ids 1000, 2000, ... */
static const char *fake_getenv(void *u, const char *name) {
    fake *f = (fake *)u;
    size_t i;
    for (i = 0; i < f->n_env; i++)
        if (strcmp(f->env[i][0], name) == 0) return f->env[i][1];
    return NULL;
}
static int fake_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    fake *f = (fake *)u;
    if (f->fail_transport) return -1;
    if (f->n_req < 16) {
        f->bodies[f->n_req] = (unsigned char *)malloc(req->body_len);
        memcpy(f->bodies[f->n_req], req->body, req->body_len);
        f->body_len[f->n_req] = req->body_len;
    }
    f->n_req++;
    resp->status = 200;
    resp->body = "{\"rate_by_service\":{}}";
    resp->body_len = strlen(resp->body);
    return 0;
}
static int fake_send(void *u, const char *data, size_t len) {
    fake *f = (fake *)u;
    CHECK(u == &F);
    if (f->n_datagrams < 4 && len < sizeof f->datagrams[0]) {
        memcpy(f->datagrams[f->n_datagrams], data, len);
        f->datagrams[f->n_datagrams][len] = 0;
        f->n_datagrams++;
    }
    return 0;
}
static uint64_t const_random(void *u) {
    CHECK(u == &F);
    return UINT64_C(0x0123456789abcdef);
}
static void fake_reset(void) {
    size_t i;
    for (i = 0; i < 16; i++) free(F.bodies[i]);
    memset(&F, 0, sizeof F);
    F.wall0 = INT64_C(1700000000000000000); /* 2023-11-14T22:13:20Z */
    F.mono = 1000;
}
static void set_env(const char *k, const char *v) {
    F.env[F.n_env][0] = k;
    F.env[F.n_env][1] = v;
    F.n_env++;
}

static dd_tracer *new_tracer(int trace_id_128) {
    dd_tracer_config c;
    memset(&c, 0, sizeof c);
    c.wall_ns_fn = fake_wall;
    c.mono_ns_fn = fake_mono;
    c.random_fn = fake_random;
    c.getenv_fn = fake_getenv;
    c.transport_fn = fake_transport;
    c.hook_user = &F;
    c.cgroup_path = "";
    c.flush_interval_ms = -1;
    c.startup_logs = DD_OFF;
    c.trace_id_128 = trace_id_128 ? DD_ON : DD_OFF;
    return dd_tracer_new(&c);
}
static dd_lambda_config lambda_config(void) {
    dd_lambda_config lc;
    memset(&lc, 0, sizeof lc);
    lc.getenv_fn = fake_getenv;
    lc.hook_user = &F;
    return lc;
}
static dd_lambda *new_lambda(dd_tracer *t, const dd_lambda_config *lc, int64_t init_ns) {
    dd_lambda_options o;
    memset(&o, 0, sizeof o);
    o.config = lc;
    o.init_ns = init_ns;
    return dd_lambda_new(t, &o);
}

static char *load(const char *name, size_t *len) {
    char path[256];
    FILE *f;
    char *buf;
    long n;
    snprintf(path, sizeof path, "fixtures/lambda/%s", name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "    cannot open %s\n", path);
        *len = 0;
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

/*--- reading the payload back ---*/
static char json_buf[1 << 18];
static dd_json payload; /* request k's body as JSON: [[span, ...], ...] */
static int decode(size_t k) {
    size_t n;
    memset(&payload, 0, sizeof payload);
    if (!CHECK(k < F.n_req)) return 0;
    n = dd_mp_to_json(F.bodies[k], F.body_len[k], json_buf, sizeof json_buf);
    if (!CHECK(n > 0 && n < sizeof json_buf)) return 0;
    return CHECK_EQ_INT(dd_json_parse(json_buf, n, &payload), DD_OK);
}
/* The span named `name` in the decoded payload (the first one). */
static int span_named(const char *name, dd_json *out) {
    dd_json_iter ci, si;
    dd_json chunk, span, v;
    dd_json_iter_init(&ci, &payload);
    while (dd_json_next(&ci, NULL, &chunk) == DD_OK) {
        dd_json_iter_init(&si, &chunk);
        while (dd_json_next(&si, NULL, &span) == DD_OK)
            if (dd_json_get(&span, "name", 4, &v) == DD_OK && dd_json_string_eq(&v, name, strlen(name))) {
                *out = span;
                return 1;
            }
    }
    memset(out, 0, sizeof *out);
    return 0;
}
static size_t count_spans(void) {
    dd_json_iter ci, si;
    dd_json chunk, span;
    size_t n = 0;
    dd_json_iter_init(&ci, &payload);
    while (dd_json_next(&ci, NULL, &chunk) == DD_OK) {
        dd_json_iter_init(&si, &chunk);
        while (dd_json_next(&si, NULL, &span) == DD_OK) n++;
    }
    return n;
}
static char str_buf[8][512];
static int str_i;
/* A string field ("service") or a meta tag ("meta.cold_start"); "<absent>" when missing. */
static const char *sget(const dd_json *span, const char *path) {
    dd_json v;
    char *b = str_buf[str_i++ & 7];
    if (strncmp(path, "meta.", 5) == 0) {
        dd_json meta;
        if (dd_json_get(span, "meta", 4, &meta) != DD_OK || dd_json_get(&meta, path + 5, strlen(path + 5), &v) != DD_OK)
            return "<absent>";
    } else if (dd_json_get(span, path, strlen(path), &v) != DD_OK) {
        return "<absent>";
    }
    if (dd_json_string(&v, b, 512, NULL) != DD_OK) return "<not a string>";
    return b;
}
static uint64_t uget(const dd_json *span, const char *key) {
    dd_json v;
    uint64_t u = 0;
    if (dd_json_get(span, key, strlen(key), &v) == DD_OK) dd_json_u64(&v, &u);
    return u;
}
static int64_t iget(const dd_json *span, const char *key) {
    dd_json v;
    double d = 0;
    if (dd_json_get(span, key, strlen(key), &v) == DD_OK) dd_json_number(&v, &d);
    return (int64_t)d;
}
/* metrics.<key>, or -12345 when missing */
static double mget(const dd_json *span, const char *key) {
    dd_json m, v;
    double d = -12345;
    if (dd_json_get(span, "metrics", 7, &m) == DD_OK && dd_json_get(&m, key, strlen(key), &v) == DD_OK)
        dd_json_number(&v, &d);
    return d;
}
static int64_t start_of(const dd_json *span) {
    dd_json v;
    int64_t s = 0;
    /* start is an int64 of ~19 digits: read it exactly, as text */
    if (dd_json_get(span, "start", 5, &v) == DD_OK) {
        size_t i;
        for (i = 0; i < v.n; i++) s = s * 10 + (v.p[i] - '0');
    }
    return s;
}
static int64_t duration_of(const dd_json *span) {
    dd_json v;
    int64_t s = 0;
    if (dd_json_get(span, "duration", 8, &v) == DD_OK) {
        size_t i;
        for (i = 0; i < v.n; i++) s = s * 10 + (v.p[i] - '0');
    }
    return s;
}

#define FN_ARN "arn:aws:lambda:us-east-2:123456789012:function:My-Func"
#define START_NS INT64_C(1699999999000000000) /* 1 s before the fake clock's now */

static dd_lambda_invocation invocation(const char *event, size_t len, const char *arn) {
    dd_lambda_invocation inv;
    memset(&inv, 0, sizeof inv);
    inv.event = event;
    inv.event_len = len;
    inv.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
    inv.invoked_function_arn = arn;
    inv.start_ns = START_NS;
    return inv;
}

/*--- aws.lambda and aws.sqs ---*/
static void test_sqs_invocation(void) {
    size_t len;
    char *ev;
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc;
    dd_lambda_invocation inv;
    dd_lambda_trigger trig;
    dd_span *s;
    dd_json sqs, lam, load_span;
    fake_reset();
    ev = load("sqs_string_attribute.json", &len);
    t = new_tracer(0);
    lc = lambda_config();
    {
        dd_lambda_options o;
        memset(&o, 0, sizeof o);
        o.config = &lc;
        o.init_ns = START_NS - INT64_C(2000000000); /* initialised 2 s before: a cold start */
        o.cold_start_tracing = DD_ON;
        l = dd_lambda_new(t, &o);
    }
    inv = invocation(ev, len, FN_ARN ":PROD");
    s = dd_lambda_start_invocation(l, &inv, &trig);
    CHECK(s != NULL);
    CHECK_EQ_INT(trig.event_source, DD_LAMBDA_EVENT_SQS);
    CHECK_EQ_INT(trig.context_source, DD_LAMBDA_CONTEXT_EVENT);
    CHECK_EQ_U64(F.n_req, 0);
    F.mono += 250000000;
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, "{}", 2, 0), DD_OK);
    CHECK_EQ_U64(F.n_req, 1); /* flushed synchronously by the end of the invocation */
    if (decode(0)) {
        CHECK_EQ_U64(count_spans(), 3);
        CHECK(span_named("aws.sqs", &sqs));
        CHECK(span_named("aws.lambda", &lam));
        /* the inferred span continues the _datadog context: trace 4418409826184321432, parent 1188425113374012001 */
        CHECK_EQ_U64(uget(&sqs, "trace_id"), UINT64_C(4418409826184321432));
        CHECK_EQ_U64(uget(&sqs, "parent_id"), UINT64_C(1188425113374012001));
        CHECK_STR(sget(&sqs, "service"), "my-queue"); /* queue name: last part of eventSourceARN */
        CHECK_STR(sget(&sqs, "resource"), "my-queue");
        CHECK_STR(sget(&sqs, "type"), "web");
        CHECK_EQ_INT(start_of(&sqs), INT64_C(1545082649183000000)); /* attributes.SentTimestamp (ms) */
        CHECK_EQ_INT(duration_of(&sqs), START_NS - INT64_C(1545082649183000000)); /* async: ends at aws.lambda start */
        CHECK_STR(sget(&sqs, "meta.operation_name"), "aws.sqs");
        CHECK_STR(sget(&sqs, "meta.resource_names"), "my-queue");
        CHECK_STR(sget(&sqs, "meta.span.kind"), "server");
        CHECK_STR(sget(&sqs, "meta.queuename"), "my-queue");
        CHECK_STR(sget(&sqs, "meta.event_source_arn"), "arn:aws:sqs:us-east-2:123456789012:my-queue");
        CHECK_STR(sget(&sqs, "meta.sender_id"), "AIDAIENQZJOLO23YVJ4VO");
        CHECK_STR(sget(&sqs, "meta.receipt_handle"), "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...");
        CHECK_STR(sget(&sqs, "meta._inferred_span.synchronicity"), "async");
        CHECK_STR(sget(&sqs, "meta._inferred_span.tag_source"), "self");
        CHECK_STR(sget(&sqs, "meta._dd.origin"), "lambda");
        CHECK_STR(sget(&sqs, "meta.request_id"), "<absent>"); /* HTTP kinds only */
        CHECK_STR(sget(&sqs, "meta.peer.service"), "<absent>"); /* no DD_SERVICE */
        CHECK(mget(&sqs, "_dd._inferred_span") == 1.0);
        CHECK(mget(&sqs, "_sampling_priority_v1") == 1.0);
        CHECK_STR(sget(&sqs, "meta._dd.p.tid"), "66bcb5eb00000000");

        CHECK_EQ_U64(uget(&lam, "trace_id"), UINT64_C(4418409826184321432));
        CHECK_EQ_U64(uget(&lam, "parent_id"), uget(&sqs, "span_id"));
        CHECK_STR(sget(&lam, "service"), "My-Func"); /* no DD_SERVICE: the function name, case kept */
        CHECK_STR(sget(&lam, "resource"), "My-Func");
        CHECK_STR(sget(&lam, "type"), "serverless");
        CHECK_EQ_INT(start_of(&lam), START_NS);
        CHECK_EQ_INT(iget(&lam, "error"), 0);
        CHECK_STR(sget(&lam, "meta.cold_start"), "true");
        CHECK_STR(sget(&lam, "meta.proactive_initialization"), "<absent>");
        CHECK_STR(sget(&lam, "meta.function_arn"), "arn:aws:lambda:us-east-2:123456789012:function:my-func");
        CHECK_STR(sget(&lam, "meta.function_version"), "prod"); /* taken from the lower-cased ARN */
        CHECK_STR(sget(&lam, "meta.functionname"), "my-func");
        CHECK_STR(sget(&lam, "meta.resource_names"), "My-Func");
        CHECK_STR(sget(&lam, "meta.request_id"), "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
        CHECK_STR(sget(&lam, "meta.datadog_lambda"), DDTRACE_VERSION_STRING);
        CHECK_STR(sget(&lam, "meta.dd_trace"), DDTRACE_VERSION_STRING);
        CHECK_STR(sget(&lam, "meta.span.name"), "aws.lambda");
        CHECK_STR(sget(&lam, "meta.span.kind"), "server");
        CHECK_STR(sget(&lam, "meta._dd.origin"), "lambda");
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source"), "sqs");
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source_arn"), "arn:aws:sqs:us-east-2:123456789012:my-queue");
        CHECK_STR(sget(&lam, "meta.http.status_code"), "<absent>"); /* not an HTTP trigger */
        CHECK_STR(sget(&lam, "meta._dd.parent_source"), "<absent>");
        CHECK(mget(&lam, "_dd.top_level") == 1.0); /* its service differs from the queue's */
        /* the cold start's initialisation: datadog-lambda-python ColdStartTracer's aws.lambda.load */
        if (CHECK(span_named("aws.lambda.load", &load_span))) {
            CHECK_EQ_U64(uget(&load_span, "parent_id"), uget(&lam, "span_id"));
            CHECK_STR(sget(&load_span, "service"), "aws.lambda");
            CHECK_STR(sget(&load_span, "resource"), "My-Func");
            CHECK_STR(sget(&load_span, "type"), "aws.lambda.load");
            CHECK_EQ_INT(start_of(&load_span), START_NS - INT64_C(2000000000));
            CHECK_EQ_INT(duration_of(&load_span), INT64_C(2000000000));
            CHECK_STR(sget(&load_span, "meta.operation_name"), "aws.lambda.load");
            CHECK_STR(sget(&load_span, "meta.resource_names"), "My-Func");
            CHECK_STR(sget(&load_span, "meta.resource.name"), "My-Func");
        }
    }
    /* a second invocation of the same process is warm */
    inv.start_ns = START_NS + INT64_C(5000000000);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, NULL, 0, 0), DD_OK);
    CHECK_EQ_U64(F.n_req, 2);
    if (decode(1) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "meta.cold_start"), "false");
        CHECK_STR(sget(&lam, "meta.proactive_initialization"), "<absent>");
        CHECK(!span_named("aws.lambda.load", &load_span)); /* warm: no initialisation */
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
}

static void test_proactive_initialization(void) {
    static const char ev[] = "{}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json lam;
    fake_reset();
    t = new_tracer(0);
    /* more than 10 s between init and the first invocation (docs/lambda.md §7.5) */
    l = new_lambda(t, &lc, START_NS - INT64_C(10000000001));
    inv = invocation(ev, 2, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "meta.cold_start"), "false");
        CHECK_STR(sget(&lam, "meta.proactive_initialization"), "true");
    }
    dd_lambda_free(l);
    /* exactly 10 s is still a cold start */
    l = new_lambda(t, &lc, START_NS - INT64_C(10000000000));
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(1) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "meta.cold_start"), "true");
        CHECK_STR(sget(&lam, "meta.proactive_initialization"), "<absent>");
    }
    dd_lambda_free(l);
    /* Lambda Managed Instances: no cold_start tag at all */
    set_env("AWS_LAMBDA_INITIALIZATION_TYPE", "lambda-managed-instances");
    l = new_lambda(t, &lc, START_NS - 1);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(2) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "meta.cold_start"), "<absent>");
        CHECK_STR(sget(&lam, "meta.proactive_initialization"), "<absent>");
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
}

/* No context, no trigger: aws.lambda starts a new trace; an ARN without qualifier is $LATEST. */
static void test_unknown_event_new_trace(void) {
    static const char ev[] = "{\"hello\":\"world\"}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json lam;
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, sizeof ev - 1, FN_ARN);
    inv.start_ns = 0; /* now */
    s = dd_lambda_start_invocation(l, &inv, NULL);
    F.mono += 1000;
    dd_lambda_end_invocation(l, s, "{\"statusCode\":500}", 18, 0);
    if (decode(0)) {
        CHECK_EQ_U64(count_spans(), 1);
        if (CHECK(span_named("aws.lambda", &lam))) {
            CHECK_EQ_U64(uget(&lam, "parent_id"), 0);
            CHECK(uget(&lam, "trace_id") != 0);
            CHECK_EQ_INT(start_of(&lam), INT64_C(1700000000000001000)); /* the tracer's clock */
            CHECK_EQ_INT(duration_of(&lam), 1000);
            CHECK_STR(sget(&lam, "meta.function_arn"), "arn:aws:lambda:us-east-2:123456789012:function:my-func");
            CHECK_STR(sget(&lam, "meta.function_version"), "$LATEST");
            CHECK_STR(sget(&lam, "meta.function_trigger.event_source"), "<absent>"); /* unknown: omitted */
            CHECK_STR(sget(&lam, "meta.function_trigger.event_source_arn"), "<absent>");
            CHECK_STR(sget(&lam, "meta.http.status_code"), "<absent>"); /* not HTTP: the response is not read */
            CHECK_EQ_INT(iget(&lam, "error"), 0);
        }
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
}

/* The function name: AWS_LAMBDA_FUNCTION_NAME, else the invoked ARN's, else "function". */
static void test_function_name_sources(void) {
    static const char ev[] = "{}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json lam;
    fake_reset();
    t = new_tracer(0);
    set_env("AWS_LAMBDA_FUNCTION_NAME", "From-Env");
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, 2, "arn:aws:lambda:us-east-2:123456789012:function:From-Arn:$LATEST");
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "resource"), "From-Env");
        CHECK_STR(sget(&lam, "meta.functionname"), "from-env");
        CHECK_STR(sget(&lam, "meta.function_version"), "$latest"); /* Python splits the lower-cased ARN */
        CHECK_STR(sget(&lam, "meta.function_arn"), "arn:aws:lambda:us-east-2:123456789012:function:from-arn");
    }
    dd_lambda_free(l);
    F.n_env = 0;
    l = new_lambda(t, &lc, 0);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(1) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "resource"), "From-Arn");
        CHECK_STR(sget(&lam, "service"), "From-Arn");
    }
    dd_lambda_free(l);
    l = new_lambda(t, &lc, 0);
    inv.invoked_function_arn = NULL;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(2) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "resource"), "function");
        CHECK_STR(sget(&lam, "meta.function_arn"), "");
        CHECK_STR(sget(&lam, "meta.function_version"), "$LATEST");
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
}

/*--- API Gateway: sync inferred span, status codes ---*/
static void run_apigw(const char *response, size_t response_len, int is_error, const char *want_status, int want_error) {
    size_t len;
    char *ev = load("apigw_rest_mixed_case.json", &len);
    dd_tracer *t = new_tracer(0);
    dd_lambda_config lc = lambda_config();
    dd_lambda *l = new_lambda(t, &lc, 0);
    dd_lambda_invocation inv = invocation(ev, len, FN_ARN);
    dd_span *s;
    dd_json api, lam;
    size_t before = F.n_req;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    F.mono += 7000;
    dd_lambda_end_invocation(l, s, response, response_len, is_error);
    if (decode(before) && CHECK(span_named("aws.apigateway", &api)) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "meta.http.status_code"), want_status);
        CHECK_STR(sget(&api, "meta.http.status_code"), want_status); /* copied onto the inferred span */
        CHECK_EQ_INT(iget(&lam, "error"), want_error);
        CHECK_EQ_INT(iget(&api, "error"), 0); /* Python marks aws.lambda only */
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
}

static void test_apigw_rest_invocation(void) {
    size_t len;
    char *ev;
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc;
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json api, lam;
    fake_reset();
    ev = load("apigw_rest_mixed_case.json", &len);
    t = new_tracer(0);
    lc = lambda_config();
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, len, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    F.mono += 7000;
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, "{\"statusCode\": 201, \"body\": \"ok\"}", 33, 0), DD_OK);
    if (decode(0) && CHECK(span_named("aws.apigateway", &api)) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_EQ_U64(uget(&api, "trace_id"), 12345);
        CHECK_EQ_U64(uget(&api, "parent_id"), 67890);
        CHECK_EQ_U64(uget(&lam, "parent_id"), uget(&api, "span_id"));
        CHECK_STR(sget(&api, "service"), "abcdef123.execute-api.us-east-1.amazonaws.com"); /* domainName */
        CHECK_STR(sget(&api, "resource"), "GET /my/path");
        CHECK_STR(sget(&api, "type"), "web");
        CHECK_EQ_INT(start_of(&api), INT64_C(1428582896000000000)); /* requestTimeEpoch (ms) */
        /* sync: ends after aws.lambda, at the end of the invocation (the tracer's clock) */
        CHECK_EQ_INT(start_of(&api) + duration_of(&api), INT64_C(1700000000000008000));
        CHECK_EQ_INT(start_of(&lam) + duration_of(&lam), INT64_C(1700000000000008000));
        /* no operation_name on API Gateway REST / HTTP API spans since datadog-lambda-python #697
         * (RFC 1081, 2025-12; the extension did the same in #967) */
        CHECK_STR(sget(&api, "meta.operation_name"), "<absent>");
        CHECK_STR(sget(&api, "meta.resource_names"), "GET /my/path");
        CHECK_STR(sget(&api, "meta._inferred_span.synchronicity"), "sync");
        CHECK_STR(sget(&api, "meta.request_id"), "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
        CHECK_STR(sget(&api, "meta.apiid"), "abcdef123");
        CHECK_STR(sget(&api, "meta.stage"), "prod");
        CHECK_STR(sget(&api, "meta.endpoint"), "/my/path");
        CHECK_STR(sget(&api, "meta.http.method"), "GET");
        CHECK_STR(sget(&api, "meta.http.url"), "https://abcdef123.execute-api.us-east-1.amazonaws.com/my/path");
        CHECK_STR(sget(&api, "meta.http.status_code"), "201");
        /* copied from the trigger tags at the end (datadog-lambda-python wrapper _after) */
        CHECK_STR(sget(&api, "meta.http.route"), "/my/path");
        CHECK_STR(sget(&api, "meta.dd_resource_key"), "arn:aws:apigateway:us-east-2::/restapis/abcdef123/stages/prod");
        CHECK_STR(sget(&api, "meta._dd.origin"), "synthetics"); /* the extracted origin wins */
        CHECK(mget(&api, "_sampling_priority_v1") == -1.0);
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source"), "api-gateway");
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source_arn"),
                  "arn:aws:apigateway:us-east-2::/restapis/abcdef123/stages/prod"); /* the function's region */
        CHECK_STR(sget(&lam, "meta.http.url"), "https://abcdef123.execute-api.us-east-1.amazonaws.com/prod/my/path");
        CHECK_STR(sget(&lam, "meta.http.method"), "GET");
        CHECK_STR(sget(&lam, "meta.http.route"), "/my/path");
        CHECK_STR(sget(&lam, "meta.http.status_code"), "201");
        CHECK_EQ_INT(iget(&lam, "error"), 0);
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
    /* docs/lambda.md §7.4: statusCode as a string, 5xx = error, no response = 502, no statusCode = 200 */
    run_apigw("{\"statusCode\":\"404\"}", 20, 0, "404", 0);
    run_apigw("{\"statusCode\":503}", 18, 0, "503", 1);
    run_apigw(NULL, 0, 1, "502", 1);
    run_apigw("null", 4, 0, "502", 1);
    run_apigw("{\"body\":\"x\"}", 12, 0, "200", 0);
    run_apigw("\"plain\"", 7, 0, "200", 0);
    run_apigw("{\"statusCode\":200}", 18, 1, "200", 1); /* a handler error marks aws.lambda anyway */
}

/* A Function URL event (AWS's documented shape) and an ALB event: no timestamp for ALB. */
/* HTTP API (v2): aws.httpapi, type web, resource "<method> <route template>", no operation_name
 * (datadog-lambda-python create_inferred_span_from_http_api_event after #697), http.route and
 * dd_resource_key from the trigger tags. */
static void test_apigw_http_api_invocation(void) {
    size_t len;
    char *ev = load("apigw_http_v2.json", &len);
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json api;
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, len, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, "{\"statusCode\":200}", 18, 0);
    if (decode(0) && CHECK(span_named("aws.httpapi", &api))) {
        CHECK_STR(sget(&api, "type"), "web");
        CHECK_STR(sget(&api, "resource"), "GET /users/{id}");
        CHECK_STR(sget(&api, "meta.operation_name"), "<absent>");
        CHECK_STR(sget(&api, "meta.resource_names"), "GET /users/{id}");
        CHECK_STR(sget(&api, "meta.http.route"), "/users/{id}");
        CHECK_STR(sget(&api, "meta.dd_resource_key"), "arn:aws:apigateway:us-east-2::/restapis/api-id/stages/$default");
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
}

static void test_function_url_and_alb(void) {
    static const char url_ev[] =
        "{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":\"/my/path\",\"rawQueryString\":\"\","
        "\"headers\":{\"host\":\"abcdefg.lambda-url.us-east-2.on.aws\"},"
        "\"requestContext\":{\"accountId\":\"123456789012\",\"apiId\":\"abcdefg\","
        "\"domainName\":\"abcdefg.lambda-url.us-east-2.on.aws\",\"domainPrefix\":\"abcdefg\","
        "\"http\":{\"method\":\"POST\",\"path\":\"/my/path\",\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"123.123.123.123\","
        "\"userAgent\":\"agent\"},\"requestId\":\"id\",\"routeKey\":\"$default\",\"stage\":\"$default\","
        "\"time\":\"12/Mar/2020:19:03:58 +0000\",\"timeEpoch\":1583348638390},\"isBase64Encoded\":false}";
    static const char alb_ev[] =
        "{\"requestContext\":{\"elb\":{\"targetGroupArn\":"
        "\"arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a\"}},"
        "\"httpMethod\":\"GET\",\"path\":\"/lambda\",\"queryStringParameters\":{},"
        "\"headers\":{\"host\":\"lambda-alb-123578498.us-east-2.elb.amazonaws.com\",\"user-agent\":\"curl/7.79\","
        "\"x-forwarded-proto\":\"https\"},\"body\":\"\",\"isBase64Encoded\":false}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json inf, lam;
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(url_ev, sizeof url_ev - 1, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, "{\"statusCode\":200}", 18, 0);
    if (decode(0) && CHECK(span_named("aws.lambda.url", &inf)) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&inf, "service"), "abcdefg.lambda-url.us-east-2.on.aws");
        CHECK_STR(sget(&inf, "resource"), "POST /my/path");
        CHECK_STR(sget(&inf, "type"), "http");
        CHECK_EQ_INT(start_of(&inf), INT64_C(1583348638390000000)); /* timeEpoch (ms) */
        CHECK_STR(sget(&inf, "meta.operation_name"), "aws.lambda.url");
        CHECK_STR(sget(&inf, "meta.request_id"), "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
        CHECK_STR(sget(&inf, "meta.http.status_code"), "200");
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source"), "lambda-function-url");
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source_arn"),
                  "arn:aws:lambda:us-east-2:123456789012:url:My-Func");
        CHECK_STR(sget(&lam, "meta.http.status_code"), "200");
    }
    inv = invocation(alb_ev, sizeof alb_ev - 1, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, "{\"statusCode\":502}", 18, 0);
    if (decode(1) && CHECK(span_named("aws.alb", &inf)) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&inf, "service"), "lambda-alb-123578498.us-east-2.elb.amazonaws.com"); /* Host header */
        CHECK_STR(sget(&inf, "resource"), "GET /lambda");
        CHECK_STR(sget(&inf, "type"), "http");
        CHECK_EQ_INT(start_of(&inf), START_NS); /* no timestamp in the event: the handler start */
        CHECK_STR(sget(&inf, "meta.target_group_arn"),
                  "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a");
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source"), "application-load-balancer");
        CHECK_STR(sget(&lam, "meta.http.url"), "https://lambda-alb-123578498.us-east-2.elb.amazonaws.com/lambda");
        CHECK_STR(sget(&lam, "meta.http.useragent"), "curl/7.79");
        CHECK_STR(sget(&lam, "meta.http.status_code"), "502");
        CHECK_EQ_INT(iget(&lam, "error"), 1);
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
}

/*--- SNS -> SQS: two inferred spans ---*/
static void test_sns_in_sqs_upstream(void) {
    size_t len;
    char *ev;
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc;
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json sns, sqs, lam;
    fake_reset();
    ev = load("sns_in_sqs_envelope.json", &len);
    t = new_tracer(0);
    lc = lambda_config();
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, len, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0) && CHECK(span_named("aws.sns", &sns)) && CHECK(span_named("aws.sqs", &sqs)) &&
        CHECK(span_named("aws.lambda", &lam))) {
        CHECK_EQ_U64(count_spans(), 3);
        CHECK_EQ_U64(uget(&sns, "trace_id"), 31);
        CHECK_EQ_U64(uget(&sns, "parent_id"), 32);
        CHECK_EQ_U64(uget(&sqs, "parent_id"), uget(&sns, "span_id"));
        CHECK_EQ_U64(uget(&lam, "parent_id"), uget(&sqs, "span_id"));
        CHECK_STR(sget(&sns, "service"), "orders-topic");
        CHECK_STR(sget(&sns, "resource"), "orders-topic");
        CHECK_STR(sget(&sns, "meta.operation_name"), "aws.sns");
        CHECK_STR(sget(&sns, "meta._inferred_span.synchronicity"), "async");
        CHECK_EQ_INT(start_of(&sns), INT64_C(1714557600250000000)); /* the envelope's Timestamp */
        CHECK_EQ_INT(duration_of(&sns), 250000000);                 /* ends at the SQS SentTimestamp */
        CHECK_EQ_INT(start_of(&sqs), INT64_C(1714557600500000000));
        CHECK_STR(sget(&sqs, "service"), "orders-queue");
        CHECK(mget(&sns, "_sampling_priority_v1") == 2.0);
        /* the SNS span's own tags, as for a direct SNS trigger (datadog-lambda-python
         * create_inferred_span_from_sns_event on the envelope; docs/lambda.md §8); no Subject in the envelope */
        CHECK_STR(sget(&sns, "meta.topicname"), "orders-topic");
        CHECK_STR(sget(&sns, "meta.topic_arn"), "arn:aws:sns:us-east-1:123456789012:orders-topic");
        CHECK_STR(sget(&sns, "meta.message_id"), "m-1");
        CHECK_STR(sget(&sns, "meta.type"), "Notification");
        CHECK_STR(sget(&sns, "meta.subject"), "<absent>");
        CHECK_STR(sget(&sns, "meta.span.kind"), "server");
        /* dd_resource_key = function_trigger.event_source_arn, on the inferred span only */
        CHECK_STR(sget(&sqs, "meta.dd_resource_key"), "arn:aws:sqs:us-east-1:123456789012:orders-queue");
        CHECK_STR(sget(&sns, "meta.dd_resource_key"), "<absent>");
        CHECK_STR(sget(&sqs, "meta.http.route"), "<absent>");
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
}

/* EventBridge -> SQS: datadog-lambda-python makes the aws.eventbridge upstream span only when the
 * body's detail carries _datadog (create_inferred_span_from_sqs_event), with its detail_type tag. */
static size_t eb_sqs_spans(const char *detail, const char **detail_type) {
    char ev[1024];
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json eb;
    size_t n = 0;
    int len = snprintf(ev, sizeof ev,
                       "{\"Records\":[{\"messageId\":\"m\",\"receiptHandle\":\"rh\",\"body\":\"{\\\"version\\\":\\\"0\\\","
                       "\\\"detail-type\\\":\\\"OrderPlaced\\\",\\\"source\\\":\\\"shop.orders\\\",\\\"time\\\":"
                       "\\\"2024-05-01T10:00:00Z\\\",\\\"detail\\\":%s}\",\"attributes\":{\"SentTimestamp\":"
                       "\"1714557600500\",\"SenderId\":\"S\"},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                       "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:eb-queue\"}]}",
                       detail);
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, (size_t)len, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    *detail_type = "<no span>";
    if (decode(0)) {
        n = count_spans();
        if (span_named("aws.eventbridge", &eb)) *detail_type = sget(&eb, "meta.detail_type");
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    return n;
}
/* EventBridge: the aws.eventbridge span starts at the event's `time` (seconds), or, when
 * detail._datadog is a Step Functions context object (the state machine's PutEvents task), at its
 * State.EnteredTime (datadog-lambda-python create_inferred_span_from_eventbridge_event; docs/lambda.md §8). */
static int64_t eventbridge_start(const char *datadog) {
    char ev[1024];
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json eb;
    int64_t start = -1;
    int len = snprintf(ev, sizeof ev,
                       "{\"version\":\"0\",\"detail-type\":\"StepFunctionTask\",\"source\":\"my.eventbridge\","
                       "\"time\":\"2025-03-13T15:17:34Z\",\"detail\":{\"Message\":\"hi\"%s}}",
                       datadog);
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, (size_t)len, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0) && span_named("aws.eventbridge", &eb)) start = start_of(&eb);
    dd_lambda_free(l);
    dd_tracer_free(t);
    return start;
}
static void test_eventbridge_start(void) {
    static const char sfn[] =
        ",\"_datadog\":{\"Execution\":{\"Id\":\"arn:aws:states:sa-east-1:425362996713:execution:m:e1\","
        "\"RedriveCount\":0},\"StateMachine\":{\"Id\":\"arn:aws:states:sa-east-1:425362996713:stateMachine:m\"},"
        "\"State\":{\"Name\":\"EventBridge PutEvents\",\"EnteredTime\":\"2025-03-13T15:17:34.008Z\",\"RetryCount\":0},"
        "\"serverless-version\":\"v1\"}";
    static const char plain[] = ",\"_datadog\":{\"x-datadog-trace-id\":\"5\",\"x-datadog-parent-id\":\"6\"}";
    CHECK_EQ_INT(eventbridge_start(""), INT64_C(1741879054000000000));
    CHECK_EQ_INT(eventbridge_start(plain), INT64_C(1741879054000000000));
    CHECK_EQ_INT(eventbridge_start(sfn), INT64_C(1741879054008000000));
}

/* CloudFront (Lambda@Edge): function_trigger.event_source_arn =
 * arn:<partition>:cloudfront::<account of the function>:distribution/<cf.config.distributionId>
 * (datadog-lambda-python trigger.py parse_event_source_arn; docs/lambda.md §7.3). */
static const char *cloudfront_arn(const char *fn_arn) {
    static const char ev[] = "{\"Records\":[{\"cf\":{\"config\":{\"distributionDomainName\":\"d111111abcdef8.cloudfront.net\","
                             "\"distributionId\":\"EDFDVBD6EXAMPLE\",\"eventType\":\"viewer-request\",\"requestId\":\"r\"},"
                             "\"request\":{\"clientIp\":\"203.0.113.178\",\"method\":\"GET\",\"uri\":\"/\",\"headers\":{}}}}]}";
    static char out[DD_LAMBDA_ARN_MAX + 1];
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_lambda_trigger trig;
    dd_span *s;
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, sizeof ev - 1, fn_arn);
    s = dd_lambda_start_invocation(l, &inv, &trig);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    CHECK_EQ_INT(trig.event_source, DD_LAMBDA_EVENT_CLOUDFRONT);
    memcpy(out, trig.event_source_arn, sizeof out);
    dd_lambda_free(l);
    dd_tracer_free(t);
    return out;
}
static void test_cloudfront_arn(void) {
    CHECK_STR(cloudfront_arn(FN_ARN), "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE");
    CHECK_STR(cloudfront_arn("arn:aws-us-gov:lambda:us-gov-west-1:210987654321:function:f:3"),
              "arn:aws-us-gov:cloudfront::210987654321:distribution/EDFDVBD6EXAMPLE");
    CHECK_STR(cloudfront_arn("arn:aws-cn:lambda:cn-north-1:210987654321:function:f"),
              "arn:aws-cn:cloudfront::210987654321:distribution/EDFDVBD6EXAMPLE");
    CHECK_STR(cloudfront_arn(NULL), ""); /* no function ARN: no account to build it from */
}

static void test_eventbridge_in_sqs_upstream(void) {
    const char *dt;
    CHECK_EQ_U64(eb_sqs_spans("{\\\"orderId\\\":1}", &dt), 2); /* no _datadog: aws.sqs and aws.lambda */
    CHECK_STR(dt, "<no span>");
    CHECK_EQ_U64(eb_sqs_spans("{\\\"_datadog\\\":{\\\"x-datadog-trace-id\\\":\\\"41\\\",\\\"x-datadog-parent-id\\\":"
                              "\\\"42\\\",\\\"x-datadog-sampling-priority\\\":\\\"1\\\"}}",
                              &dt),
                 3);
    CHECK_STR(dt, "OrderPlaced");
}

/*--- services: DD_SERVICE, DD_SERVICE_MAPPING, DD_TRACE_AWS_SERVICE_REPRESENTATION_ENABLED ---*/
static void service_case(const char *dd_service, const char *mapping, const char *representation,
                         const char *want_lambda, const char *want_sqs, const char *want_peer) {
    size_t len;
    char *ev = load("sqs_string_attribute.json", &len);
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json sqs, lam;
    fake_reset();
    if (dd_service) set_env("DD_SERVICE", dd_service);
    if (mapping) set_env("DD_SERVICE_MAPPING", mapping);
    if (representation) set_env("DD_TRACE_AWS_SERVICE_REPRESENTATION_ENABLED", representation);
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, len, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0) && CHECK(span_named("aws.sqs", &sqs)) && CHECK(span_named("aws.lambda", &lam))) {
        int ok = CHECK_STR(sget(&lam, "service"), want_lambda);
        ok &= CHECK_STR(sget(&sqs, "service"), want_sqs);
        ok &= CHECK_STR(sget(&sqs, "meta.peer.service"), want_peer);
        if (!ok)
            fprintf(stderr, "    DD_SERVICE=%s DD_SERVICE_MAPPING=%s representation=%s\n", dd_service ? dd_service : "-",
                    mapping ? mapping : "-", representation ? representation : "-");
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
}
static void test_service_names(void) {
    service_case(NULL, NULL, NULL, "My-Func", "my-queue", "<absent>");
    service_case("checkout", NULL, NULL, "checkout", "my-queue", "checkout");
    service_case(NULL, "my-queue:orders,lambda_sqs:all-queues", NULL, "My-Func", "orders", "<absent>");
    service_case(NULL, "lambda_sqs:all-queues", NULL, "My-Func", "all-queues", "<absent>");
    service_case(NULL, " my-queue : spaced , other:x", NULL, "My-Func", "spaced", "<absent>");
    /* entries that are not exactly key:value, or map a key to itself, are ignored; the last wins */
    service_case(NULL, "my-queue:a:b,my-queue:my-queue,lambda_sqs:,my-queue:first,my-queue:last", NULL, "My-Func",
                 "last", "<absent>");
    service_case(NULL, NULL, "false", "aws.lambda", "sqs", "<absent>");
    service_case(NULL, NULL, "0", "aws.lambda", "sqs", "<absent>");
    service_case("checkout", NULL, "false", "checkout", "sqs", "checkout");
    service_case(NULL, "lambda_sqs:all-queues", "false", "aws.lambda", "all-queues", "<absent>");
}

/* DD_TRACE_MANAGED_SERVICES=false: no inferred span, aws.lambda continues the context itself. */
static void test_managed_services_off(void) {
    size_t len;
    char *ev;
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json lam;
    fake_reset();
    ev = load("sqs_string_attribute.json", &len);
    set_env("DD_TRACE_MANAGED_SERVICES", "false");
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, len, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_EQ_U64(count_spans(), 1);
        CHECK_EQ_U64(uget(&lam, "trace_id"), UINT64_C(4418409826184321432));
        CHECK_EQ_U64(uget(&lam, "parent_id"), UINT64_C(1188425113374012001));
        CHECK_STR(sget(&lam, "meta.function_trigger.event_source"), "sqs"); /* trigger tags stay */
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
}

/*--- X-Ray: the per-invocation header, merging, the metadata subsegment ---*/
#define XRAY_HDR "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1"
static void test_xray_merge(void) {
    static const char ev[] = "{}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json lam;
    size_t len;
    char *sqs_ev;
    fake_reset();
    t = new_tracer(0);
    /* merging on: the X-Ray context (docs/lambda.md §6.3 example) becomes the parent */
    lc.merge_xray = DD_ON;
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, 2, FN_ARN);
    inv.xray_trace_id = XRAY_HDR; /* Lambda-Runtime-Trace-Id, no environment variable */
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_EQ_U64(uget(&lam, "trace_id"), UINT64_C(3995693151288333088));
        CHECK_EQ_U64(uget(&lam, "parent_id"), UINT64_C(10713633173203262661));
        CHECK(mget(&lam, "_sampling_priority_v1") == 2.0);
        CHECK_STR(sget(&lam, "meta._dd.parent_source"), "xray");
    }
    /* merging on with an event context: the event's trace id, the X-Ray segment as parent (Python/Go) */
    sqs_ev = load("sqs_string_attribute.json", &len);
    inv = invocation(sqs_ev, len, FN_ARN);
    inv.xray_trace_id = XRAY_HDR;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    {
        dd_json sqs;
        if (decode(1) && CHECK(span_named("aws.sqs", &sqs))) {
            CHECK_EQ_U64(uget(&sqs, "trace_id"), UINT64_C(4418409826184321432));
            CHECK_EQ_U64(uget(&sqs, "parent_id"), UINT64_C(10713633173203262661));
        }
        if (CHECK(span_named("aws.lambda", &lam))) CHECK_STR(sget(&lam, "meta._dd.parent_source"), "<absent>");
    }
    dd_lambda_free(l);
    /* merging off: an X-Ray context alone starts a new trace */
    lc.merge_xray = DD_OFF;
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, 2, FN_ARN);
    inv.xray_trace_id = XRAY_HDR;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(2) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK(uget(&lam, "trace_id") != UINT64_C(3995693151288333088));
        CHECK_EQ_U64(uget(&lam, "parent_id"), 0);
        CHECK_STR(sget(&lam, "meta._dd.parent_source"), "<absent>");
    }
    dd_lambda_free(l);
    /* with a send_fn, an event context sends the "trace" subsegment to the invocation's X-Ray segment */
    lc = lambda_config();
    lc.send_fn = fake_send;
    lc.wall_ns_fn = fake_wall;
    lc.random_fn = const_random;
    F.mono = 250000000;
    l = new_lambda(t, &lc, 0);
    inv = invocation(sqs_ev, len, FN_ARN);
    inv.xray_trace_id = XRAY_HDR;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (CHECK_EQ_U64(F.n_datagrams, 2)) { /* docs/lambda.md §6.6; the hooks reach the caller's hook_user */
        CHECK_STR(F.datagrams[0],
                  "{\"format\": \"json\", \"version\": 1}\n"
                  "{\"id\":\"0123456789abcdef\",\"trace_id\":\"1-5e272390-8c398be037738dc042009320\","
                  "\"parent_id\":\"94ae789b969f1cc5\",\"name\":\"datadog-metadata\",\"start_time\":1700000000.25,"
                  "\"end_time\":1700000000.25,\"type\":\"subsegment\",\"metadata\":{\"datadog\":{\"trace\":"
                  "{\"trace-id\":\"4418409826184321432\",\"parent-id\":\"1188425113374012001\",\"sampling-priority\":\"1\"}}}}");
        /* after the handler: the trigger tags (datadog-lambda-python wrapper _after) */
        CHECK_STR(F.datagrams[1],
                  "{\"format\": \"json\", \"version\": 1}\n"
                  "{\"id\":\"0123456789abcdef\",\"trace_id\":\"1-5e272390-8c398be037738dc042009320\","
                  "\"parent_id\":\"94ae789b969f1cc5\",\"name\":\"datadog-metadata\",\"start_time\":1700000000.25,"
                  "\"end_time\":1700000000.25,\"type\":\"subsegment\",\"metadata\":{\"datadog\":{\"lambda_function_tags\":"
                  "{\"function_trigger.event_source\":\"sqs\",\"function_trigger.event_source_arn\":"
                  "\"arn:aws:sqs:us-east-2:123456789012:my-queue\"}}}}");
    }
    /* an HTTP trigger adds its tags and the status code; the header comes from the environment */
    {
        size_t alen;
        char *api_ev = load("apigw_rest_mixed_case.json", &alen);
        F.n_datagrams = 0;
        set_env("_X_AMZN_TRACE_ID", XRAY_HDR);
        inv = invocation(api_ev, alen, FN_ARN);
        s = dd_lambda_start_invocation(l, &inv, NULL);
        dd_lambda_end_invocation(l, s, "{\"statusCode\":201}", 18, 0);
        if (CHECK_EQ_U64(F.n_datagrams, 2)) { /* "trace" from the headers' context, then the tags */
            CHECK(strstr(F.datagrams[0], "\"trace\":{\"trace-id\":\"12345\",\"parent-id\":\"67890\",\"sampling-priority\":\"-1\"}") != NULL);
            CHECK(strstr(F.datagrams[1], "\"lambda_function_tags\":{\"function_trigger.event_source\":\"api-gateway\","
                                         "\"function_trigger.event_source_arn\":\"arn:aws:apigateway:us-east-2::/restapis/abcdef123/stages/prod\","
                                         "\"span.kind\":\"server\",\"http.url\":\"https://abcdef123.execute-api.us-east-1.amazonaws.com/prod/my/path\","
                                         "\"http.method\":\"GET\",\"http.route\":\"/my/path\",\"http.status_code\":\"201\"}}}}") != NULL);
        }
        free(api_ev);
        F.n_env = 0;
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(sqs_ev);
}

/*--- host -> queue -> Lambda ---*/
static void test_host_queue_lambda_round_trip(void) {
    dd_tracer *host_t, *t;
    dd_span *host, *s;
    dd_span_options so;
    dd_trace_context ctx;
    dd_trace_id host_id;
    char carrier[512], escaped[1024], event[4096];
    size_t i, n, e = 0;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_options o;
    dd_lambda_invocation inv;
    dd_json lam;
    fake_reset();
    host_t = new_tracer(1);
    memset(&so, 0, sizeof so);
    so.name = "host.publish";
    host = dd_span_start(host_t, &so);
    dd_span_set_priority(host, DD_PRIORITY_USER_KEEP);
    CHECK_EQ_INT(dd_span_context(host, &ctx), DD_OK);
    n = dd_datadog_inject(NULL, &ctx, carrier, sizeof carrier);
    CHECK(n > 0 && n < sizeof carrier);
    for (i = 0; i < n; i++) { /* as a JSON string value */
        if (carrier[i] == '"' || carrier[i] == '\\') escaped[e++] = '\\';
        escaped[e++] = carrier[i];
    }
    escaped[e] = 0;
    snprintf(event, sizeof event,
             "{\"Records\":[{\"messageId\":\"m\",\"receiptHandle\":\"r\",\"body\":\"order\","
             "\"attributes\":{\"SentTimestamp\":\"1700000000500\",\"SenderId\":\"S\"},"
             "\"messageAttributes\":{\"_datadog\":{\"stringValue\":\"%s\",\"dataType\":\"String\"}},"
             "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-2:123456789012:orders\","
             "\"awsRegion\":\"us-east-2\"}]}",
             escaped);
    dd_span_trace_id(host, &host_id);
    t = new_tracer(1);
    memset(&o, 0, sizeof o);
    o.config = &lc;
    o.managed_services = DD_OFF; /* aws.lambda directly under the host span */
    l = dd_lambda_new(t, &o);
    inv = invocation(event, strlen(event), FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, "{}", 2, 0);
    if (decode(0) && CHECK(span_named("aws.lambda", &lam))) {
        char hex[17];
        CHECK_EQ_U64(uget(&lam, "trace_id"), host_id.lo);
        CHECK_EQ_U64(uget(&lam, "parent_id"), dd_span_id(host));
        CHECK(mget(&lam, "_sampling_priority_v1") == 2.0);
        snprintf(hex, sizeof hex, "%016" PRIx64, host_id.hi);
        CHECK_STR(sget(&lam, "meta._dd.p.tid"), hex); /* the 128-bit id crossed the queue */
        CHECK_STR(sget(&lam, "meta._dd.p.dm"), "-4");  /* manual keep at the host */
    }
    dd_span_finish(host);
    dd_lambda_free(l);
    dd_tracer_free(t);
    dd_tracer_free(host_t);
}

/*--- flush, concurrency, disabled tracing ---*/
static void test_flush_failure_reported(void) {
    static const char ev[] = "{}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, 2, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    F.fail_transport = 1;
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, NULL, 0, 0), DD_ERR_TRANSPORT);
    CHECK_EQ_INT(dd_lambda_end_invocation(NULL, NULL, NULL, 0, 0), DD_ERR_INVALID_ARG);
    CHECK(dd_lambda_start_invocation(NULL, &inv, NULL) == NULL);
    CHECK(dd_lambda_start_invocation(l, NULL, NULL) == NULL);
    CHECK(dd_lambda_new(NULL, NULL) == NULL);
    dd_lambda_free(NULL);
    dd_lambda_free(l);
    dd_tracer_free(t);
}

/* Two invocations in flight (Managed Instances concurrency), ended in reverse order. */
static void test_concurrent_invocations(void) {
    size_t len1, len2;
    char *ev1, *ev2;
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation a, b;
    dd_span *sa, *sb;
    dd_json api, sqs, lam;
    fake_reset();
    ev1 = load("apigw_rest_mixed_case.json", &len1);
    ev2 = load("sqs_string_attribute.json", &len2);
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    a = invocation(ev1, len1, FN_ARN);
    b = invocation(ev2, len2, FN_ARN);
    a.request_id = "req-a";
    b.request_id = "req-b";
    b.start_ns = START_NS + 100;
    sa = dd_lambda_start_invocation(l, &a, NULL);
    sb = dd_lambda_start_invocation(l, &b, NULL);
    CHECK_EQ_INT(dd_lambda_end_invocation(l, sb, NULL, 0, 0), DD_OK);
    if (decode(0) && CHECK(span_named("aws.sqs", &sqs)) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_EQ_U64(count_spans(), 2);
        CHECK_STR(sget(&lam, "meta.request_id"), "req-b");
        CHECK_STR(sget(&lam, "meta.cold_start"), "false"); /* a started first */
        CHECK_EQ_INT(start_of(&sqs) + duration_of(&sqs), START_NS + 100);
    }
    CHECK_EQ_INT(dd_lambda_end_invocation(l, sa, "{\"statusCode\":204}", 18, 0), DD_OK);
    if (decode(1) && CHECK(span_named("aws.apigateway", &api)) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_EQ_U64(count_spans(), 2);
        CHECK_STR(sget(&lam, "meta.request_id"), "req-a");
        CHECK_STR(sget(&lam, "meta.cold_start"), "true");
        CHECK_STR(sget(&api, "meta.http.status_code"), "204");
    }
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev1);
    free(ev2);
}

static void test_tracing_disabled(void) {
    size_t len;
    char *ev;
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_lambda_trigger trig;
    char buf[128];
    fake_reset();
    set_env("DD_TRACE_ENABLED", "false");
    ev = load("sqs_string_attribute.json", &len);
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, len, FN_ARN);
    CHECK(dd_lambda_start_invocation(l, &inv, &trig) == NULL);
    CHECK_EQ_INT(trig.event_source, DD_LAMBDA_EVENT_SQS); /* extraction still ran */
    CHECK_EQ_INT(dd_lambda_end_invocation(l, NULL, NULL, 0, 0), DD_OK);
    CHECK_EQ_U64(F.n_req, 0);
    CHECK_EQ_U64(dd_lambda_log_prefix(l, NULL, buf, sizeof buf), 29);
    CHECK_STR(buf, "[dd.trace_id=0 dd.span_id=0] ");
    dd_lambda_free(l);
    dd_tracer_free(t);
    free(ev);
}

/*--- log correlation ---*/
static void test_log_correlation(void) {
    static const char ev[] = "{}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_options o;
    dd_lambda_invocation inv;
    dd_span *s;
    dd_trace_context ctx;
    dd_span_options so;
    char buf[256];
    size_t n;
    fake_reset();
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    /* a 64-bit trace: decimal ids (docs/lambda.md §10) */
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.lo = UINT64_C(4418409826184321432);
    ctx.parent_id = 7;
    ctx.sampling_priority = 1;
    memset(&so, 0, sizeof so);
    so.context = &ctx;
    so.name = "x";
    s = dd_span_start(t, &so); /* span id 1000 from the fake random source */
    n = dd_lambda_log_prefix(l, s, buf, sizeof buf);
    CHECK_STR(buf, "[dd.trace_id=4418409826184321432 dd.span_id=1000] ");
    CHECK_EQ_U64(n, strlen(buf));
    n = dd_lambda_log_json(l, s, buf, sizeof buf);
    CHECK_STR(buf, "\"dd\":{\"trace_id\":\"4418409826184321432\",\"span_id\":\"1000\"}");
    CHECK_EQ_U64(n, strlen(buf));
    /* snprintf semantics: cut to fit, the full length returned */
    CHECK_EQ_U64(dd_lambda_log_prefix(l, s, buf, 10), 50);
    CHECK_MEM(buf, strlen(buf), "[dd.trace", 9);
    CHECK_EQ_U64(dd_lambda_log_prefix(l, s, NULL, 0), 50);
    /* Python's Lambda log line: 2021-12-17T21:46:58.040Z is 1639777618040 ms */
    n = dd_lambda_log_line(l, s, "INFO", INT64_C(1639777618040123456), "8476a536", "hello", 5, buf, sizeof buf);
    CHECK_STR(buf, "[INFO]\t2021-12-17T21:46:58.040Z\t8476a536\t[dd.trace_id=4418409826184321432 dd.span_id=1000]\thello\n");
    CHECK_EQ_U64(n, strlen(buf));
    /* a leap day, 7 ms: 2024-02-29T00:00:05.007Z is 1709164805007 ms */
    dd_lambda_log_line(l, NULL, "ERROR", INT64_C(1709164805007000000), "r", "m", 1, buf, sizeof buf);
    CHECK_STR(buf, "[ERROR]\t2024-02-29T00:00:05.007Z\tr\t[dd.trace_id=0 dd.span_id=0]\tm\n");
    dd_lambda_log_line(l, NULL, "INFO", 0, "r", "m", 1, buf, sizeof buf);
    CHECK_STR(buf, "[INFO]\t1970-01-01T00:00:00.000Z\tr\t[dd.trace_id=0 dd.span_id=0]\tm\n");
    dd_span_finish(s);
    dd_lambda_free(l);

    /* a 128-bit trace: 32 hex digits, unless DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED=false */
    ctx.trace_id.hi = UINT64_C(0x66bcb5eb00000000);
    s = dd_span_start(t, &so);
    l = new_lambda(t, &lc, 0);
    dd_lambda_log_prefix(l, s, buf, sizeof buf);
    CHECK_STR(buf, "[dd.trace_id=66bcb5eb000000003d515853c1cfd998 dd.span_id=2000] ");
    dd_lambda_free(l);
    set_env("DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED", "false");
    l = new_lambda(t, &lc, 0);
    dd_lambda_log_json(l, s, buf, sizeof buf);
    CHECK_STR(buf, "\"dd\":{\"trace_id\":\"4418409826184321432\",\"span_id\":\"2000\"}");
    dd_lambda_free(l);
    /* DD_LOGS_INJECTION=false: nothing injected; the line keeps Lambda's plain layout */
    set_env("DD_LOGS_INJECTION", "false");
    l = new_lambda(t, &lc, 0);
    strcpy(buf, "junk");
    CHECK_EQ_U64(dd_lambda_log_prefix(l, s, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK_EQ_U64(dd_lambda_log_json(l, s, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    dd_lambda_log_line(l, s, "WARN", INT64_C(1639777618040000000), "req", "msg", 3, buf, sizeof buf);
    CHECK_STR(buf, "[WARN]\t2021-12-17T21:46:58.040Z\treq\tmsg\n");
    dd_lambda_free(l);
    /* code beats the environment */
    memset(&o, 0, sizeof o);
    o.config = &lc;
    o.logs_injection = DD_ON;
    o.log_128bit = DD_ON;
    l = dd_lambda_new(t, &o);
    dd_lambda_log_prefix(l, s, buf, sizeof buf);
    CHECK_STR(buf, "[dd.trace_id=66bcb5eb000000003d515853c1cfd998 dd.span_id=2000] ");
    dd_lambda_free(l);
    dd_span_finish(s);
    /* the aws.lambda span of an invocation */
    F.n_env = 0;
    l = new_lambda(t, &lc, 0);
    inv = invocation(ev, 2, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    n = dd_lambda_log_prefix(l, s, buf, sizeof buf);
    {
        char want[128];
        dd_trace_id id;
        dd_span_trace_id(s, &id);
        snprintf(want, sizeof want, "[dd.trace_id=%" PRIu64 " dd.span_id=%" PRIu64 "] ", id.lo, dd_span_id(s));
        CHECK_STR(buf, want);
    }
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    dd_lambda_free(l);
    dd_tracer_free(t);
}

/* Allocation failure while recording the invocation: the spans still end, nothing leaks. */
static int fail_after = -1;
static size_t live_allocs;
static void *count_alloc(void *u, size_t n) {
    (void)u;
    if (fail_after == 0) return NULL;
    if (fail_after > 0) fail_after--;
    live_allocs++;
    return malloc(n);
}
static void count_free(void *u, void *p, size_t n) {
    (void)u;
    (void)n;
    live_allocs--;
    free(p);
}
static void test_allocation_failures(void) {
    size_t len;
    char *ev = load("apigw_rest_mixed_case.json", &len);
    int k;
    for (k = 0; k < 40; k++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_lambda *l;
        dd_lambda_config lc = lambda_config();
        dd_lambda_invocation inv;
        dd_span *s;
        fake_reset();
        memset(&c, 0, sizeof c);
        c.wall_ns_fn = fake_wall;
        c.mono_ns_fn = fake_mono;
        c.random_fn = fake_random;
        c.getenv_fn = fake_getenv;
        c.transport_fn = fake_transport;
        c.hook_user = &F;
        c.cgroup_path = "";
        c.flush_interval_ms = -1;
        c.startup_logs = DD_OFF;
        c.allocator.alloc_fn = count_alloc;
        c.allocator.free_fn = count_free;
        live_allocs = 0;
        fail_after = -1;
        t = dd_tracer_new(&c);
        if (!CHECK(t != NULL)) break;
        fail_after = k;
        l = new_lambda(t, &lc, 0);
        inv = invocation(ev, len, FN_ARN);
        s = dd_lambda_start_invocation(l, &inv, NULL);
        dd_lambda_end_invocation(l, s, "{\"statusCode\":200}", 18, 0);
        fail_after = -1;
        dd_lambda_free(l);
        dd_tracer_free(t);
        CHECK_EQ_U64(live_allocs, 0);
    }
    free(ev);
}

/* Hostile or missing inputs: nothing is read out of bounds (ASan), spans still come out. */
static void test_hostile_inputs(void) {
    static const char *const arns[] = {
        "", ":", "::::::::", "arn:aws:lambda:r:a:function:", "arn:aws:lambda:r:a:function:f:",
        "arn:aws:lambda:r:a:function:f:v:extra:more", "no-colons-at-all",
    };
    static const char *const events[] = {"", "{", "[]", "null", "\"str\"", "{\"Records\":[]}", "{\"Records\":[{}]}",
                                         "{\"requestContext\":{\"stage\":\"x\"}}", "{\"requestContext\":{\"elb\":{}}}"};
    char long_arn[400];
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json lam;
    size_t i, k = 0;
    fake_reset();
    set_env("DD_SERVICE_MAPPING", ",,,:::,:,a:,:b, : ,lambda_sqs");
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    for (i = 0; i < sizeof arns / sizeof arns[0]; i++) {
        inv = invocation(events[i % (sizeof events / sizeof events[0])], strlen(events[i % (sizeof events / sizeof events[0])]), arns[i]);
        inv.request_id = NULL;
        inv.client_context = "{\"custom\":";
        inv.client_context_len = 10;
        s = dd_lambda_start_invocation(l, &inv, NULL);
        CHECK(s != NULL);
        dd_lambda_end_invocation(l, s, "{\"statusCode\":", 14, 1);
        if (decode(k++) && CHECK(span_named("aws.lambda", &lam))) {
            CHECK_EQ_INT(iget(&lam, "error"), 1);
            CHECK_STR(sget(&lam, "meta.request_id"), "");
        }
    }
    if (decode(5) && CHECK(span_named("aws.lambda", &lam))) { /* 10 parts: the 8th is the version */
        CHECK_STR(sget(&lam, "meta.function_arn"), "arn:aws:lambda:r:a:function:f");
        CHECK_STR(sget(&lam, "meta.function_version"), "v");
        CHECK_STR(sget(&lam, "resource"), "f");
    }
    if (decode(4) && CHECK(span_named("aws.lambda", &lam))) { /* an empty qualifier */
        CHECK_STR(sget(&lam, "meta.function_version"), "");
        CHECK_STR(sget(&lam, "resource"), "f");
    }
    memset(long_arn, 'a', sizeof long_arn - 1);
    long_arn[sizeof long_arn - 1] = 0;
    memcpy(long_arn, "arn:aws:lambda:r:a:function:", 28);
    inv = invocation(events[0], 0, long_arn);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(k++) && CHECK(span_named("aws.lambda", &lam))) { /* longer than an ARN can be: not used */
        CHECK_STR(sget(&lam, "meta.function_arn"), "");
        CHECK_STR(sget(&lam, "resource"), "function");
    }
    inv.event = NULL;
    inv.event_len = 5; /* ignored without an event */
    inv.invoked_function_arn = NULL;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    CHECK(s != NULL);
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, NULL, 0, 0), DD_OK);
    dd_lambda_free(l);
    dd_tracer_free(t);
}

/* aws.lambda.load: only with DD_COLD_START_TRACING on (on by default, as datadog-lambda-python and
 * -js: docs/lambda.md §9), on a cold start, at
 * least DD_MIN_COLD_START_DURATION ms (default 3) long, not for a proactive initialisation nor in
 * Managed Instances mode. */
static int load_span_for(const char *tracing, const char *env_k, const char *env_v, int64_t init_before_ns) {
    static const char ev[] = "{}";
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json load_span;
    int found = -1;
    fake_reset();
    if (tracing) set_env("DD_COLD_START_TRACING", tracing);
    if (env_k) set_env(env_k, env_v);
    t = new_tracer(0);
    l = new_lambda(t, &lc, START_NS - init_before_ns);
    inv = invocation(ev, 2, FN_ARN);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    if (decode(0)) found = span_named("aws.lambda.load", &load_span);
    dd_lambda_free(l);
    dd_tracer_free(t);
    return found;
}
static void test_cold_start_span(void) {
    CHECK_EQ_INT(load_span_for(NULL, NULL, NULL, INT64_C(5000000000)), 1); /* on by default (docs/lambda.md §9) */
    CHECK_EQ_INT(load_span_for("false", NULL, NULL, INT64_C(5000000000)), 0);
    CHECK_EQ_INT(load_span_for("true", NULL, NULL, INT64_C(3000000)), 1);
    CHECK_EQ_INT(load_span_for("true", NULL, NULL, INT64_C(2999999)), 0);
    CHECK_EQ_INT(load_span_for("true", "DD_MIN_COLD_START_DURATION", "1", INT64_C(1000000)), 1);
    CHECK_EQ_INT(load_span_for("true", "DD_MIN_COLD_START_DURATION", "1", INT64_C(999999)), 0);
    CHECK_EQ_INT(load_span_for("true", "DD_MIN_COLD_START_DURATION", "x", INT64_C(2999999)), 0); /* invalid: default */
    CHECK_EQ_INT(load_span_for("true", NULL, NULL, INT64_C(10000000001)), 0); /* proactive initialisation */
    CHECK_EQ_INT(load_span_for("true", "AWS_LAMBDA_INITIALIZATION_TYPE", "lambda-managed-instances", INT64_C(5000000000)), 0);
    CHECK_EQ_INT(load_span_for("true", NULL, NULL, -INT64_C(5000000000)), 0); /* init after the start: none */
}

static const test_case cases[] = {
    TEST(test_sqs_invocation),
    TEST(test_proactive_initialization),
    TEST(test_cold_start_span),
    TEST(test_unknown_event_new_trace),
    TEST(test_function_name_sources),
    TEST(test_apigw_rest_invocation),
    TEST(test_apigw_http_api_invocation),
    TEST(test_function_url_and_alb),
    TEST(test_sns_in_sqs_upstream),
    TEST(test_eventbridge_in_sqs_upstream),
    TEST(test_eventbridge_start),
    TEST(test_cloudfront_arn),
    TEST(test_service_names),
    TEST(test_managed_services_off),
    TEST(test_xray_merge),
    TEST(test_host_queue_lambda_round_trip),
    TEST(test_flush_failure_reported),
    TEST(test_concurrent_invocations),
    TEST(test_tracing_disabled),
    TEST(test_log_correlation),
    TEST(test_allocation_failures),
    TEST(test_hostile_inputs),
};

int main(void) {
    int rc = test_run("lambda_span", cases, sizeof cases / sizeof cases[0]);
    fake_reset();
    return rc;
}
