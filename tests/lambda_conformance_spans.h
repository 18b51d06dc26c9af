/* tests/lambda_conformance_spans.h - the span-level half of tests/lambda_conformance.c: runs a
 * fixture's invocation through dd_lambda_start_invocation / dd_lambda_end_invocation (dd_lambda.h)
 * with a recording transport, decodes the payload and compares the spans with the fixture's
 * `inferred_span` (every key of `tags_subset`, including the common tags operation_name,
 * resource_names, _inferred_span.*, _dd.origin, span.kind, request_id; service, resource, type,
 * start, the upstream span as parent; metric _dd._inferred_span), `trigger_tags` (every key, on the
 * aws.lambda span) and `aws_lambda_parent_context` (the trace's root span continues it).
 * Included by tests/lambda_conformance.c after its helpers (jstr, fail, fx_getenv, inferred_skip). */

typedef struct cs_rec {
    unsigned char *body;
    size_t len;
    int n;
} cs_rec;
static int64_t cs_mono;
static uint64_t cs_rnd;
#define CS_NOW INT64_C(1800000000000000000) /* the tracer's clock: after every fixture's timestamps */
static int64_t cs_wall(void *u) { (void)u; return CS_NOW + cs_mono; }
static int64_t cs_monof(void *u) { (void)u; return cs_mono; }
static uint64_t cs_random(void *u) { (void)u; return ++cs_rnd * UINT64_C(0x9e3779b97f4a7c15); }
static int cs_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    cs_rec *r = (cs_rec *)u;
    if (!r->body) {
        r->body = (unsigned char *)malloc(req->body_len);
        if (r->body) memcpy(r->body, req->body, req->body_len);
        r->len = req->body_len;
    }
    r->n++;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}

/* The span named `name` ("" = the trace's root: the span whose parent is not in the payload). */
static int cs_span(const dd_json *payload, const char *name, dd_json *out) {
    dd_json_iter ci, si;
    dd_json chunk, span, v;
    dd_json_iter_init(&ci, payload);
    while (dd_json_next(&ci, NULL, &chunk) == DD_OK) {
        dd_json_iter_init(&si, &chunk);
        while (dd_json_next(&si, NULL, &span) == DD_OK) {
            if (name[0]) {
                if (dd_json_get(&span, "name", 4, &v) == DD_OK && dd_json_string_eq(&v, name, strlen(name))) {
                    *out = span;
                    return 1;
                }
            } else {
                dd_json_iter ci2, si2;
                dd_json chunk2, other, pid, sid;
                int found = 0;
                dd_json_get(&span, "parent_id", 9, &pid);
                dd_json_iter_init(&ci2, payload);
                while (!found && dd_json_next(&ci2, NULL, &chunk2) == DD_OK) {
                    dd_json_iter_init(&si2, &chunk2);
                    while (!found && dd_json_next(&si2, NULL, &other) == DD_OK)
                        if (dd_json_get(&other, "span_id", 7, &sid) == DD_OK && sid.n == pid.n && memcmp(sid.p, pid.p, sid.n) == 0)
                            found = 1;
                }
                if (!found) {
                    *out = span;
                    return 1;
                }
            }
        }
    }
    return 0;
}
/* A field or meta/metrics member as text (numbers verbatim); 0 when absent. */
static int cs_get(const dd_json *span, const char *group, const char *key, char *out, size_t cap) {
    dd_json g, v;
    out[0] = 0;
    if (group) {
        if (dd_json_get(span, group, strlen(group), &g) != DD_OK) return 0;
        span = &g;
    }
    if (dd_json_get(span, key, strlen(key), &v) != DD_OK) return 0;
    if (v.type == DD_JSON_STRING) return dd_json_string(&v, out, cap, NULL) == DD_OK;
    if (v.n >= cap) return 0;
    memcpy(out, v.p, v.n);
    out[v.n] = 0;
    return 1;
}
static int64_t cs_i64(const dd_json *span, const char *key) {
    char b[32];
    int64_t x = 0;
    size_t i;
    cs_get(span, NULL, key, b, sizeof b);
    for (i = 0; b[i] >= '0' && b[i] <= '9'; i++) x = x * 10 + (b[i] - '0');
    return x;
}

static void cs_check_inferred(const char *id, const dd_json *payload, const dd_json *is, const dd_json *lambda) {
    char name[64], want[512], got[512], a[32], b[32];
    dd_json span, tags, v, up;
    size_t i;
    for (i = 0; i < sizeof inferred_skip / sizeof inferred_skip[0]; i++)
        if (strcmp(id, inferred_skip[i]) == 0) return;
    if (!jstr(is, "name", name, sizeof name)) return;
    if (!cs_span(payload, name, &span)) {
        fail("span: inferred span", "(absent)", name);
        return;
    }
    cs_get(&span, NULL, "span_id", a, sizeof a);
    cs_get(lambda, NULL, "parent_id", b, sizeof b);
    if (strcmp(a, b) != 0) fail("span: aws.lambda parent_id", b, a);
    if (dd_json_get(is, "service", 7, &v) == DD_OK && v.type == DD_JSON_STRING && jstr(is, "service", want, sizeof want) &&
        (!cs_get(&span, NULL, "service", got, sizeof got) || strcmp(got, want) != 0))
        fail("span: inferred service", got, want);
    if (dd_json_get(is, "resource", 8, &v) == DD_OK && v.type == DD_JSON_STRING && jstr(is, "resource", want, sizeof want) &&
        (!cs_get(&span, NULL, "resource", got, sizeof got) || strcmp(got, want) != 0))
        fail("span: inferred resource", got, want);
    if (dd_json_get(is, "span_type", 9, &v) == DD_OK && v.type == DD_JSON_STRING && jstr(is, "span_type", want, sizeof want) &&
        (!cs_get(&span, NULL, "type", got, sizeof got) || strcmp(got, want) != 0))
        fail("span: inferred type", got, want);
    if (dd_json_get(is, "start_seconds", 13, &v) == DD_OK && strcmp(id, "s3-01-no-context") != 0) {
        /* s3-01: its sample eventTime is the Unix epoch itself, which dd_lambda_trigger reports as
         * start_ns 0 = unknown, so the span starts at the handler start (CONFORMANCE.md) */
        int64_t st = cs_i64(&span, "start");
        char note[128];
        jstr(is, "start_note", note, sizeof note);
        if (v.type == DD_JSON_NUMBER) {
            double s = 0, g = (double)st / 1e9;
            dd_json_number(&v, &s);
            snprintf(got, sizeof got, "%.6f", g);
            snprintf(want, sizeof want, "%.6f", s);
            if (g - s > 1e-3 || s - g > 1e-3) fail("span: inferred start", got, want);
        } else if (v.type == DD_JSON_NULL && strstr(note, "handler") && st != cs_i64(lambda, "start")) {
            /* "no timestamp in ALB events: span starts at handler time" */
            snprintf(got, sizeof got, "%lld", (long long)st);
            fail("span: inferred start", got, "the aws.lambda start");
        }
    }
    if (dd_json_get(is, "start_ns", 8, &v) == DD_OK && v.type == DD_JSON_NUMBER) {
        snprintf(got, sizeof got, "%lld", (long long)cs_i64(&span, "start"));
        if (v.n >= sizeof want) v.n = sizeof want - 1;
        memcpy(want, v.p, v.n);
        want[v.n] = 0;
        if (strcmp(got, want) != 0) fail("span: inferred start_ns", got, want);
    }
    if (dd_json_get(is, "metric__dd._inferred_span", 25, &v) == DD_OK) {
        double w = 0, g = 0;
        dd_json_number(&v, &w);
        if (cs_get(&span, "metrics", "_dd._inferred_span", got, sizeof got)) {
            dd_json gv;
            if (dd_json_parse(got, strlen(got), &gv) == DD_OK) dd_json_number(&gv, &g);
        }
        if (g != w) fail("span: metric _dd._inferred_span", got[0] ? got : "(absent)", "1");
    }
    if (jstr(is, "upstream_inferred_span", want, sizeof want)) {
        if (!cs_span(payload, want, &up)) {
            fail("span: upstream span", "(absent)", want);
        } else {
            cs_get(&up, NULL, "span_id", a, sizeof a);
            cs_get(&span, NULL, "parent_id", b, sizeof b);
            if (strcmp(a, b) != 0) fail("span: inferred parent_id (the upstream span)", b, a);
        }
    }
    if (dd_json_get(is, "tags_subset", 11, &tags) == DD_OK) {
        dd_json_iter it;
        dd_json k;
        dd_json_iter_init(&it, &tags);
        while (dd_json_next(&it, &k, &v) == DD_OK) {
            char key[64], what[96];
            dd_json_string(&k, key, sizeof key, NULL);
            if (v.type == DD_JSON_STRING) dd_json_string(&v, want, sizeof want, NULL);
            else if (v.n < sizeof want) { memcpy(want, v.p, v.n); want[v.n] = 0; }
            snprintf(what, sizeof what, "span: inferred meta %s", key);
            if (!cs_get(&span, "meta", key, got, sizeof got)) fail(what, "(absent)", want);
            else if (strcmp(got, want) != 0) fail(what, got, want);
        }
    }
}

static void check_spans(const char *id, const dd_json *root, const dd_json *exp, const dd_lambda_config *cfg,
                        const char *event, size_t event_len, const char *cc, size_t cc_len) {
    static char json[1 << 18];
    dd_json is, tt, pc, lc, payload, lambda, top;
    dd_tracer_config tc;
    dd_tracer *t;
    dd_lambda_options o;
    dd_lambda *l;
    dd_lambda_invocation inv;
    dd_span *s;
    cs_rec rec;
    char arn[256], req[128], got[512], want[512];
    int has_is = dd_json_get(exp, "inferred_span", 13, &is) == DD_OK;
    int has_tt = dd_json_get(exp, "trigger_tags", 12, &tt) == DD_OK;
    int has_pc = dd_json_get(exp, "aws_lambda_parent_context", 25, &pc) == DD_OK;
    size_t n;
    if (!has_is && !has_tt && !has_pc) return;
    arn[0] = req[0] = 0;
    if (dd_json_get(root, "lambda_context", 14, &lc) == DD_OK) {
        jstr(&lc, "invoked_function_arn", arn, sizeof arn);
        jstr(&lc, "aws_request_id", req, sizeof req);
    }
    memset(&rec, 0, sizeof rec);
    memset(&tc, 0, sizeof tc);
    cs_mono = 1000;
    cs_rnd = 0;
    tc.wall_ns_fn = cs_wall;
    tc.mono_ns_fn = cs_monof;
    tc.random_fn = cs_random;
    tc.getenv_fn = fx_getenv;
    tc.transport_fn = cs_transport;
    tc.hook_user = &rec;
    tc.cgroup_path = "";
    tc.flush_interval_ms = -1;
    tc.startup_logs = DD_OFF;
    t = dd_tracer_new(&tc);
    memset(&o, 0, sizeof o);
    o.config = cfg;
    l = dd_lambda_new(t, &o);
    memset(&inv, 0, sizeof inv);
    inv.event = event;
    inv.event_len = event_len;
    inv.client_context = cc;
    inv.client_context_len = cc_len;
    inv.request_id = req;
    inv.invoked_function_arn = arn[0] ? arn : NULL;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    cs_mono += 5000000;
    dd_lambda_end_invocation(l, s, "{\"statusCode\":200}", 18, 0);
    dd_lambda_free(l);
    dd_tracer_free(t);
    n = rec.body ? dd_mp_to_json(rec.body, rec.len, json, sizeof json) : 0;
    free(rec.body);
    if (rec.n != 1 || !n || n >= sizeof json || dd_json_parse(json, n, &payload) != DD_OK) {
        fail("span: one payload flushed by the end of the invocation", "none", "one");
        return;
    }
    if (!cs_span(&payload, "aws.lambda", &lambda)) {
        fail("span: aws.lambda", "(absent)", "present");
        return;
    }
    if (has_is) cs_check_inferred(id, &payload, &is, &lambda);
    if (has_tt) {
        dd_json_iter it;
        dd_json k, v;
        dd_json_iter_init(&it, &tt);
        while (dd_json_next(&it, &k, &v) == DD_OK) {
            char key[64], what[96];
            dd_json_string(&k, key, sizeof key, NULL);
            dd_json_string(&v, want, sizeof want, NULL);
            snprintf(what, sizeof what, "span: aws.lambda meta %s", key);
            if (!cs_get(&lambda, "meta", key, got, sizeof got)) fail(what, "(absent)", want);
            else if (strcmp(got, want) != 0) fail(what, got, want);
        }
    }
    if (has_pc && cs_span(&payload, "", &top)) { /* the trace's root continues the parent context */
        dd_json v;
        if (dd_json_get(&pc, "trace_id", 8, &v) == DD_OK && v.type != DD_JSON_NULL) {
            jstr(&pc, "trace_id", want, sizeof want);
            cs_get(&top, NULL, "trace_id", got, sizeof got);
            if (strcmp(got, want) != 0) fail("span: root trace_id", got, want);
            jstr(&pc, "parent_id", want, sizeof want);
            cs_get(&top, NULL, "parent_id", got, sizeof got);
            if (strcmp(got, want) != 0) fail("span: root parent_id", got, want);
            if (dd_json_get(&pc, "sampling_priority", 17, &v) == DD_OK && v.type == DD_JSON_NUMBER) {
                double w = 0, g = -99;
                dd_json gv;
                dd_json_number(&v, &w);
                if (cs_get(&top, "metrics", "_sampling_priority_v1", got, sizeof got) &&
                    dd_json_parse(got, strlen(got), &gv) == DD_OK)
                    dd_json_number(&gv, &g);
                snprintf(want, sizeof want, "%g", w);
                if (g != w) fail("span: root _sampling_priority_v1", got, want);
            }
        } else {
            cs_get(&top, NULL, "parent_id", got, sizeof got);
            if (strcmp(got, "0") != 0) fail("span: root parent_id", got, "0 (a new trace)");
        }
    }
}
