/* tests/lambda_conformance_ext.h - the ext-* fixtures (the Extension's lifecycle API, universal
 * instrumentation; docs/lambda.md §11.2) through dd_lambda_start_invocation /
 * dd_lambda_end_invocation with a fake Extension that records every request and answers the
 * headers a test gives it. The fixtures hold what the Extension reads from the tracer's requests
 * (ext-01, ext-02: the end-invocation headers) and what it does with the start-invocation request
 * (ext-03: it extracts the context from the raw event; the tracer must send that event unchanged
 * with the caller's x-datadog-* headers and continue the context it answers). Included by
 * tests/lambda_conformance.c after its helpers (jstr, fail). */

typedef struct ce_req {
    char path[64];
    char body[4096];
    size_t body_len;
    int n_headers;
    char names[12][64], values[12][2048];
} ce_req;
typedef struct ce_fake {
    ce_req reqs[4];
    int n;
    const char *answer_names[4], *answer_values[4]; /* the answer's headers (start-invocation) */
    int n_answer;
    int last; /* which request the answer belongs to */
} ce_fake;
static int ce_request(void *u, const dd_http_request *req, dd_http_response *resp) {
    ce_fake *f = (ce_fake *)u;
    ce_req *r;
    size_t i;
    if (f->n >= 4) return DD_TRANSPORT_NOT_SENT;
    r = &f->reqs[f->n];
    f->last = f->n++;
    snprintf(r->path, sizeof r->path, "%s", req->path);
    r->body_len = req->body_len < sizeof r->body ? req->body_len : sizeof r->body - 1;
    memcpy(r->body, req->body, r->body_len);
    r->body[r->body_len] = 0;
    for (i = 0; i < req->n_headers && i < 12; i++) {
        snprintf(r->names[i], sizeof r->names[i], "%.*s", (int)req->headers[i].name_len, req->headers[i].name);
        snprintf(r->values[i], sizeof r->values[i], "%.*s", (int)req->headers[i].value_len, req->headers[i].value);
    }
    r->n_headers = (int)i;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return DD_TRANSPORT_ANSWERED;
}
static const char *ce_answer_header(void *u, const char *name, size_t *len) {
    ce_fake *f = (ce_fake *)u;
    int i;
    if (strcmp(f->reqs[f->last].path, "/lambda/start-invocation") != 0) return NULL;
    for (i = 0; i < f->n_answer; i++)
        if (strcmp(f->answer_names[i], name) == 0) { *len = strlen(f->answer_values[i]); return f->answer_values[i]; }
    return NULL;
}
static const char *ce_header(const ce_req *r, const char *name) {
    int i;
    for (i = 0; i < r->n_headers; i++)
        if (strcmp(r->names[i], name) == 0) return r->values[i];
    return NULL;
}
static const ce_req *ce_find(const ce_fake *f, const char *path) {
    int i;
    for (i = 0; i < f->n; i++)
        if (strcmp(f->reqs[i].path, path) == 0) return &f->reqs[i];
    return NULL;
}
static uint64_t ce_ids[4];
static int ce_nid;
static uint64_t ce_random(void *u) { (void)u; return ce_nid < 4 ? ce_ids[ce_nid++] : 77; }
static int ce_null_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u; (void)req;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}
/* Every header of the fixture object `hdrs` must be on request r with exactly that value. */
static void ce_expect_headers(const ce_req *r, const dd_json *hdrs, const char *what) {
    dd_json_iter it;
    dd_json k, v;
    char name[64], want[2048], label[160];
    dd_json_iter_init(&it, hdrs);
    while (dd_json_next(&it, &k, &v) == DD_OK) {
        const char *got;
        dd_json_string(&k, name, sizeof name, NULL);
        dd_json_string(&v, want, sizeof want, NULL);
        got = r ? ce_header(r, name) : NULL;
        snprintf(label, sizeof label, "%s header %s", what, name);
        if (!got || strcmp(got, want) != 0) fail(label, got ? got : "(absent)", want);
    }
}

static int run_ext_fixture(const char *id, const dd_json *root, const dd_json *exp) {
    ce_fake fake;
    dd_tracer_config tc;
    dd_tracer *t;
    dd_lambda_options o;
    dd_lambda_config lc;
    dd_lambda *l;
    dd_lambda_invocation inv;
    dd_span *s;
    dd_json input, v, ev;
    const ce_req *end, *start;
    char cc[256] = "", buf[2048], want[2048];
    memset(&fake, 0, sizeof fake);
    memset(&tc, 0, sizeof tc);
    tc.random_fn = ce_random;
    tc.transport_fn = ce_null_transport;
    tc.delivery = DD_DELIVERY_MANUAL;
    tc.startup_logs = DD_OFF;
    tc.trace_id_128 = DD_OFF;
    tc.cgroup_path = "";
    t = dd_tracer_new(&tc);
    memset(&lc, 0, sizeof lc);
    lc.getenv_fn = fx_getenv;
    memset(&o, 0, sizeof o);
    o.config = &lc;
    o.mode = DD_LAMBDA_MODE_EXTENSION;
    o.universal_instrumentation = DD_ON;
    o.extension.request_fn = ce_request;
    o.extension.response_header_fn = ce_answer_header;
    o.extension.user = &fake;
    l = dd_lambda_new(t, &o);
    memset(&inv, 0, sizeof inv);
    inv.request_id = "8286a188-ba32-4475-8077-530cd35c09a9";
    inv.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:demo";
    dd_json_get(root, "input", 5, &input);
    if (dd_json_get(root, "event", 5, &ev) == DD_OK && ev.type != DD_JSON_NULL) {
        inv.event = ev.p;
        inv.event_len = ev.n;
    }
    ce_nid = 0;
    if (strncmp(id, "ext-02", 6) == 0) { /* a root whose trace id is 999 and span id 1000 */
        ce_ids[0] = 999;
        ce_ids[1] = 1000;
    }
    if (strncmp(id, "ext-03", 6) == 0) { /* the caller's carrier in the client context */
        dd_json h;
        char a[32], b[32];
        dd_json_get(&input, "start_invocation_request_headers", 32, &h);
        jstr(&h, "x-datadog-trace-id", a, sizeof a);
        jstr(&h, "x-datadog-parent-id", b, sizeof b);
        snprintf(cc, sizeof cc, "{\"custom\":{\"x-datadog-trace-id\":\"%s\",\"x-datadog-parent-id\":\"%s\"}}", a, b);
        inv.client_context = cc;
        inv.client_context_len = strlen(cc);
        /* the Extension answers the context it extracted (expected.trace_id) */
        jstr(exp, "trace_id", want, sizeof want);
        fake.answer_names[0] = "x-datadog-trace-id";
        fake.answer_values[0] = want;
        fake.answer_names[1] = "x-datadog-sampling-priority";
        fake.answer_values[1] = "1";
        fake.n_answer = 2;
    }
    s = dd_lambda_start_invocation(l, &inv, NULL);
    if (!s) fail("aws.lambda span", "NULL", "a span");
    start = ce_find(&fake, "/lambda/start-invocation");
    if (!start) fail("start-invocation request", "none", "one");
    else {
        const char *rid = ce_header(start, "lambda-runtime-aws-request-id");
        if (!rid || strcmp(rid, inv.request_id) != 0) fail("start-invocation request id", rid ? rid : "(absent)", inv.request_id);
        if (inv.event && (start->body_len != inv.event_len || memcmp(start->body, inv.event, inv.event_len) != 0))
            fail("start-invocation body", start->body, "the raw event");
        if (!inv.event && strcmp(start->body, "{}") != 0) fail("start-invocation body", start->body, "{}");
    }
    if (strncmp(id, "ext-01", 6) == 0) {
        dd_json et;
        char m[256], ty[256], st[512];
        dd_json_get(exp, "error_tags", 10, &et);
        jstr(&et, "error.msg", m, sizeof m);
        jstr(&et, "error.type", ty, sizeof ty);
        jstr(&et, "error.stack", st, sizeof st);
        dd_lambda_set_invocation_error(l, s, ty, m, st);
        dd_lambda_end_invocation(l, s, NULL, 0, 1);
        end = ce_find(&fake, "/lambda/end-invocation");
        if (dd_json_get(&input, "headers_base64", 14, &v) == DD_OK) ce_expect_headers(end, &v, "end-invocation");
    } else if (strncmp(id, "ext-02", 6) == 0) {
        dd_json h;
        dd_span_set_priority(s, -1);
        dd_lambda_end_invocation(l, s, "{\"statusCode\":200}", 18, 0);
        end = ce_find(&fake, "/lambda/end-invocation");
        dd_json_get(&input, "headers", 7, &h);
        ce_expect_headers(end, &h, "end-invocation");
        /* x-datadog-span-id: the root's span id (it becomes the aws.lambda span id) */
        jstr(&h, "x-datadog-parent-id", want, sizeof want);
        if (!end || !ce_header(end, "x-datadog-span-id") || strcmp(ce_header(end, "x-datadog-span-id"), want) != 0)
            fail("x-datadog-span-id", end && ce_header(end, "x-datadog-span-id") ? ce_header(end, "x-datadog-span-id") : "(absent)", want);
        if (end && strcmp(end->body, "{\"statusCode\":200}") != 0) fail("end-invocation body", end->body, "the response");
    } else {
        dd_trace_id tid;
        dd_json h;
        dd_span_trace_id(s, &tid);
        snprintf(buf, sizeof buf, "%" PRIu64, tid.lo);
        if (strcmp(buf, want) != 0) fail("root trace id (adopted)", buf, want);
        if (s && dd_span_parent_id(s) != tid.lo) fail("root parent id", "other", "the trace id (datadog-lambda-go)");
        dd_json_get(&input, "start_invocation_request_headers", 32, &h);
        ce_expect_headers(start, &h, "start-invocation");
        dd_lambda_end_invocation(l, s, NULL, 0, 0);
        end = ce_find(&fake, "/lambda/end-invocation");
        /* the Extension answered a context: the end request carries the span id, not the context */
        if (!end || ce_header(end, "x-datadog-trace-id")) fail("end-invocation", "root context headers", "only x-datadog-span-id");
        if (end && strcmp(end->body, "{}") != 0) fail("end-invocation body", end->body, "{}");
    }
    if (!end) fail("end-invocation request", "none", "one");
    else {
        const char *rid = ce_header(end, "lambda-runtime-aws-request-id");
        if (!rid || strcmp(rid, inv.request_id) != 0) fail("end-invocation request id", rid ? rid : "(absent)", inv.request_id);
    }
    if (ce_find(&fake, "/lambda/flush")) fail("requests", "/lambda/flush", "none");
    dd_lambda_free(l);
    dd_tracer_free(t);
    return fails == 0;
}
