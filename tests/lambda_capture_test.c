/* tests/lambda_capture_test.c - Lambda payload capture (DD_CAPTURE_LAMBDA_PAYLOAD, docs/lambda.md
 * §7.6): the event and the response flattened onto the aws.lambda span as function.request.* and
 * function.response.* tags. Expected values are written by hand from datadog-lambda-python's
 * tag_object (keys joined with dots, list items by index, numbers as written, str(True) = "True",
 * str(None) = "None", strings that parse as JSON recursed into, the last key segment in
 * redactable_keys -> "redacted", strings cut to 5000 characters, the rest of the value as text at
 * the maximum depth), read back from the payload sent to the agent. The harness is
 * lambda_span_test.c's. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_lambda.h"
#include "test.h"
#include <stdlib.h>
#include "stack_probe.h"

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

static uint32_t g_max_tag_bytes; /* 0: the default (16 KiB a span) */
static dd_counters g_counters;    /* the tracer's counters at the end of the last run */
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
    c.max_tag_bytes = g_max_tag_bytes;
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
/* metrics.<key>, or -12345 when missing */

#define ARN "arn:aws:lambda:us-east-1:123456789012:function:fn"
static dd_json lam; /* the aws.lambda span of the last run */

/* One invocation with `event`, answered `response`; 1 when the aws.lambda span was read back. */
static int run(const char *capture, const char *depth, const char *event, const char *response) {
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_config lc = lambda_config();
    dd_lambda_invocation inv;
    dd_span *s;
    int ok;
    fake_reset();
    if (capture) set_env("DD_CAPTURE_LAMBDA_PAYLOAD", capture);
    if (depth) set_env("DD_CAPTURE_LAMBDA_PAYLOAD_MAX_DEPTH", depth);
    t = new_tracer(0);
    l = new_lambda(t, &lc, 0);
    memset(&inv, 0, sizeof inv);
    inv.event = event;
    inv.event_len = strlen(event);
    inv.request_id = "req-1";
    inv.invoked_function_arn = ARN;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    CHECK(s != NULL);
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, response, response ? strlen(response) : 0, 0), DD_OK);
    CHECK_EQ_U64(F.n_req, 1);
    ok = decode(0) && CHECK(span_named("aws.lambda", &lam));
    dd_tracer_counters(t, &g_counters);
    dd_lambda_free(l);
    dd_tracer_free(t);
    return ok;
}
/* meta tags of lam whose key starts with prefix */
static size_t count_meta(const char *prefix) {
    dd_json meta, k, v;
    dd_json_iter it;
    char key[600];
    size_t n = 0;
    if (dd_json_get(&lam, "meta", 4, &meta) != DD_OK) return 0;
    dd_json_iter_init(&it, &meta);
    while (dd_json_next(&it, &k, &v) == DD_OK)
        if (dd_json_string(&k, key, sizeof key, NULL) == DD_OK && strncmp(key, prefix, strlen(prefix)) == 0) n++;
    return n;
}
/* the length of meta.<key> (0 when absent) */
static size_t meta_len(const char *key) {
    dd_json meta, v;
    size_t n = 0;
    char *b;
    if (dd_json_get(&lam, "meta", 4, &meta) != DD_OK || dd_json_get(&meta, key, strlen(key), &v) != DD_OK) return 0;
    b = (char *)malloc(v.n + 1);
    if (dd_json_string(&v, b, v.n + 1, &n) != DD_OK) n = 0;
    free(b);
    return n;
}

static const char apigw_event[] =
    "{\"resource\":\"/users/{id}\",\"path\":\"/users/42\",\"httpMethod\":\"POST\","
    "\"headers\":{\"Authorization\":\"Bearer abc\",\"authorization\":\"Bearer def\",\"x-authorization\":\"k\","
    "\"Content-Type\":\"application/json\"},"
    "\"multiValueHeaders\":{\"Accept\":[\"a/b\",\"c/d\"]},"
    "\"queryStringParameters\":null,"
    "\"requestContext\":{\"accountId\":\"123456789012\",\"requestTimeEpoch\":1428582896000,\"stage\":\"prod\"},"
    "\"body\":\"{\\\"user\\\":{\\\"name\\\":\\\"ann\\\",\\\"password\\\":\\\"s3cret\\\",\\\"age\\\":31,"
    "\\\"score\\\":-1.5e3,\\\"admin\\\":false,\\\"tags\\\":[\\\"x\\\",2,true,null]},\\\"token\\\":\\\"t0k\\\"}\","
    "\"isBase64Encoded\":false,\"stageVariables\":{},\"note\":\"caf\\u00e9 \\\"quoted\\\"\","
    "\"numstr\":\"123\",\"boolstr\":\"true\",\"notjson\":\"{oops\"}";

static void test_apigw_request_and_response(void) {
    if (!run("true", NULL, apigw_event,
             "{\"statusCode\":201,\"body\":\"{\\\"id\\\":7,\\\"items\\\":[{\\\"a\\\":1},{\\\"a\\\":[]}]}\","
             "\"headers\":{\"token\":\"zzz\"},\"ok\":true}"))
        return;
    CHECK_STR(sget(&lam, "meta.function.request.resource"), "/users/{id}");
    CHECK_STR(sget(&lam, "meta.function.request.httpMethod"), "POST");
    /* redaction: the last segment compared exactly, as the official libraries (case-sensitive) */
    CHECK_STR(sget(&lam, "meta.function.request.headers.Authorization"), "Bearer abc");
    CHECK_STR(sget(&lam, "meta.function.request.headers.authorization"), "redacted");
    CHECK_STR(sget(&lam, "meta.function.request.headers.x-authorization"), "redacted");
    CHECK_STR(sget(&lam, "meta.function.request.headers.Content-Type"), "application/json");
    CHECK_STR(sget(&lam, "meta.function.request.multiValueHeaders.Accept.0"), "a/b");
    CHECK_STR(sget(&lam, "meta.function.request.multiValueHeaders.Accept.1"), "c/d");
    CHECK_STR(sget(&lam, "meta.function.request.queryStringParameters"), "None");
    CHECK_STR(sget(&lam, "meta.function.request.requestContext.requestTimeEpoch"), "1428582896000");
    CHECK_STR(sget(&lam, "meta.function.request.requestContext.accountId"), "123456789012");
    /* the body is a JSON document in a string: walked as if it were nested */
    CHECK_STR(sget(&lam, "meta.function.request.body.user.name"), "ann");
    CHECK_STR(sget(&lam, "meta.function.request.body.user.password"), "redacted");
    CHECK_STR(sget(&lam, "meta.function.request.body.user.age"), "31");
    CHECK_STR(sget(&lam, "meta.function.request.body.user.score"), "-1.5e3"); /* as written */
    CHECK_STR(sget(&lam, "meta.function.request.body.user.admin"), "False");
    CHECK_STR(sget(&lam, "meta.function.request.body.user.tags.0"), "x");
    CHECK_STR(sget(&lam, "meta.function.request.body.user.tags.1"), "2");
    CHECK_STR(sget(&lam, "meta.function.request.body.user.tags.2"), "True");
    CHECK_STR(sget(&lam, "meta.function.request.body.user.tags.3"), "None");
    CHECK_STR(sget(&lam, "meta.function.request.body.token"), "redacted");
    CHECK_STR(sget(&lam, "meta.function.request.body"), "<absent>");
    CHECK_STR(sget(&lam, "meta.function.request.isBase64Encoded"), "False");
    CHECK_STR(sget(&lam, "meta.function.request.stageVariables"), "<absent>"); /* empty: no tag */
    CHECK_STR(sget(&lam, "meta.function.request.note"), "caf\xc3\xa9 \"quoted\"");
    CHECK_STR(sget(&lam, "meta.function.request.numstr"), "123");  /* json.loads("123") -> 123 */
    CHECK_STR(sget(&lam, "meta.function.request.boolstr"), "True"); /* json.loads("true") -> True */
    CHECK_STR(sget(&lam, "meta.function.request.notjson"), "{oops");
    CHECK_EQ_INT(count_meta("function.request."), 28);
    /* the response */
    CHECK_STR(sget(&lam, "meta.function.response.statusCode"), "201");
    CHECK_STR(sget(&lam, "meta.function.response.body.id"), "7");
    CHECK_STR(sget(&lam, "meta.function.response.body.items.0.a"), "1");
    CHECK_STR(sget(&lam, "meta.function.response.body.items.1.a"), "<absent>");
    CHECK_STR(sget(&lam, "meta.function.response.headers.token"), "redacted");
    CHECK_STR(sget(&lam, "meta.function.response.ok"), "True");
    CHECK_EQ_INT(count_meta("function.response."), 5);
    CHECK_STR(sget(&lam, "meta.http.status_code"), "201"); /* an API Gateway event: still set */
}

static void test_off_by_default(void) {
    if (run(NULL, NULL, apigw_event, "{\"a\":1}")) {
        CHECK_EQ_INT(count_meta("function.request"), 0);
        CHECK_EQ_INT(count_meta("function.response"), 0);
        CHECK_STR(sget(&lam, "meta.request_id"), "req-1");
    }
    if (run("false", NULL, apigw_event, "{\"a\":1}")) CHECK_EQ_INT(count_meta("function."), 0);
}

static void test_scalars_and_invalid(void) {
    if (run("1", NULL, "[1,\"two\"]", "null")) {
        CHECK_STR(sget(&lam, "meta.function.request.0"), "1");
        CHECK_STR(sget(&lam, "meta.function.request.1"), "two");
        CHECK_STR(sget(&lam, "meta.function.response"), "None");
    }
    if (run("true", NULL, "{not json", "\"plain\"")) {
        CHECK_EQ_INT(count_meta("function.request"), 0); /* an event that is not JSON: nothing */
        CHECK_STR(sget(&lam, "meta.function.response"), "plain");
    }
}

static void test_depth_limit(void) {
    static const char ev[] = "{\"a\":{\"b\":{\"c\":{\"d\":1,\"e\":\"x\"}}},\"s\":\"{\\\"k\\\":{\\\"m\\\":2}}\",\"token\":{\"z\":1}}";
    /* default 10: everything flattened */
    if (run("true", NULL, ev, NULL)) {
        CHECK_STR(sget(&lam, "meta.function.request.a.b.c.d"), "1");
        CHECK_STR(sget(&lam, "meta.function.request.s.k.m"), "2");
        CHECK_STR(sget(&lam, "meta.function.request.token.z"), "1");
        CHECK_STR(sget(&lam, "meta.function.response"), "None"); /* no response: Python's None */
        CHECK_EQ_INT(count_meta("function.response"), 1);
    }
    /* depth 2: the root (0) and its members (1) are walked, values at depth 2 become text */
    if (run("true", "2", ev, NULL)) {
        CHECK_STR(sget(&lam, "meta.function.request.a.b"), "{\"c\":{\"d\":1,\"e\":\"x\"}}");
        CHECK_STR(sget(&lam, "meta.function.request.a.b.c.d"), "<absent>");
        /* a string's parse counts as a level: s (1) -> its document (2) is text (the JSON text where
         * Python writes its repr) */
        CHECK_STR(sget(&lam, "meta.function.request.s"), "{\"k\":{\"m\":2}}");
        CHECK_STR(sget(&lam, "meta.function.request.token.z"), "1");
        CHECK_EQ_INT(count_meta("function.request."), 3);
    }
    /* depth 1: the members are text; a redactable key's text is redacted */
    if (run("true", "1", ev, NULL)) {
        CHECK_STR(sget(&lam, "meta.function.request.a"), "{\"b\":{\"c\":{\"d\":1,\"e\":\"x\"}}}");
        CHECK_STR(sget(&lam, "meta.function.request.s"), "{\"k\":{\"m\":2}}");
        CHECK_STR(sget(&lam, "meta.function.request.token"), "redacted");
    }
    /* depth 0: the whole event as one tag */
    if (run("true", "0", ev, NULL)) {
        const char *got = sget(&lam, "meta.function.request");
        CHECK_MEM(got, strlen(got), ev, strlen(ev));
        CHECK_EQ_INT(count_meta("function.request"), 1);
    }
    /* out of range or malformed: 32 at most, the default otherwise */
    if (run("true", "1000", ev, NULL)) CHECK_STR(sget(&lam, "meta.function.request.a.b.c.d"), "1");
    if (run("true", "x", ev, NULL)) CHECK_STR(sget(&lam, "meta.function.request.a.b.c.d"), "1");
}

/* 5000 characters (code points) of a string; one run each, as each value takes most of the
 * span's 16 KiB of tags */
static void test_5000_character_cut(void) {
    char *ev = (char *)malloc(60000), *p;
    size_t i;
    p = ev;
    p += sprintf(p, "{\"long\":\"");
    for (i = 0; i < 6000; i++) *p++ = (char)('a' + i % 26);
    p += sprintf(p, "\"}");
    if (run("true", NULL, ev, NULL)) CHECK_EQ_INT(meta_len("function.request.long"), 5000);
    p = ev;
    p += sprintf(p, "{\"wide\":\"");
    for (i = 0; i < 6000; i++) p += sprintf(p, "\xc3\xa9"); /* 2 bytes a character */
    p += sprintf(p, "\"}");
    if (run("true", NULL, ev, NULL)) CHECK_EQ_INT(meta_len("function.request.wide"), 10000);
    p = ev;
    p += sprintf(p, "{\"esc\":\"");
    for (i = 0; i < 6000; i++) p += sprintf(p, "\\u00e9");
    p += sprintf(p, "\"}");
    if (run("true", NULL, ev, NULL)) CHECK_EQ_INT(meta_len("function.request.esc"), 10000);
    p = ev;
    p += sprintf(p, "{\"password\":\"");
    for (i = 0; i < 6000; i++) *p++ = 'p';
    p += sprintf(p, "\"}");
    if (run("true", NULL, ev, NULL)) CHECK_STR(sget(&lam, "meta.function.request.password"), "redacted");
    free(ev);
}

static void test_hostile_events_bounded(void) {
    size_t n = 6 * 1024 * 1024, i;
    char *ev = (char *)malloc(n + 64), *p;
    /* 64 levels of arrays (the reader's limit): walked to the depth limit only */
    p = ev;
    for (i = 0; i < 64; i++) *p++ = '[';
    for (i = 0; i < 64; i++) *p++ = ']';
    *p = 0;
    if (run("true", "32", ev, NULL)) { /* below depth 32, the rest as its text */
        CHECK_EQ_INT(count_meta("function.request"), 1);
        CHECK(meta_len("function.request.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0") == 64);
    }
    p = ev;
    for (i = 0; i < 63; i++) *p++ = '[';
    *p++ = '1';
    for (i = 0; i < 63; i++) *p++ = ']';
    *p = 0;
    if (run("true", "32", ev, NULL)) {
        CHECK_EQ_INT(count_meta("function.request"), 1);
        CHECK(meta_len("function.request.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0") == 63);
    }
    /* deeper than the JSON reader's 64 levels: not JSON, nothing */
    p = ev;
    for (i = 0; i < 100000; i++) *p++ = '[';
    for (i = 0; i < 100000; i++) *p++ = ']';
    *p = 0;
    if (run("true", NULL, ev, NULL)) CHECK_EQ_INT(count_meta("function.request"), 0);
    /* a huge array of numbers (6 MB): the span's 16 KiB of tags fill first; the capture stops at
     * the first tag refused (one tags_dropped for the request, one for the response) */
    p = ev;
    *p++ = '[';
    while ((size_t)(p - ev) < n - 8) { *p++ = '7'; *p++ = ','; }
    *p++ = '7';
    *p++ = ']';
    *p = 0;
    if (run("true", NULL, ev, ev)) {
        size_t got = count_meta("function.request.");
        char key[64];
        CHECK(got > 500 && got < 1000);
        snprintf(key, sizeof key, "meta.function.request.%u", (unsigned)(got - 1));
        CHECK_STR(sget(&lam, key), "7");
        snprintf(key, sizeof key, "meta.function.request.%u", (unsigned)got);
        CHECK_STR(sget(&lam, key), "<absent>");
        CHECK_EQ_INT(count_meta("function.response."), 0);
        CHECK_EQ_U64(g_counters.tags_dropped, 2);
    }
    /* with room for tags: at most 1000 a capture */
    g_max_tag_bytes = 1u << 20;
    if (run("true", NULL, ev, ev)) {
        CHECK_EQ_INT(count_meta("function.request."), 1000);
        CHECK_STR(sget(&lam, "meta.function.request.999"), "7");
        CHECK_STR(sget(&lam, "meta.function.request.1000"), "<absent>");
        CHECK_EQ_INT(count_meta("function.response."), 1000);
        CHECK_EQ_U64(g_counters.tags_dropped, 0);
    }
    g_max_tag_bytes = 0;
    /* strings nested in strings, each level escaped again: walked within the room or as text */
    {
        static const char nest[] = "{\"a\":\"{\\\"b\\\":\\\"{\\\\\\\"c\\\\\\\":\\\\\\\"[1,{\\\\\\\\\\\\\\\"d\\\\\\\\\\\\\\\":2}]\\\\\\\"}\\\"}\"}";
        if (run("true", NULL, nest, NULL)) {
            CHECK_STR(sget(&lam, "meta.function.request.a.b.c.0"), "1");
            CHECK_STR(sget(&lam, "meta.function.request.a.b.c.1.d"), "2");
        }
    }
    /* a JSON document in a string bigger than the room: tagged as a (cut) string */
    p = ev;
    p += sprintf(p, "{\"big\":\"[");
    for (i = 0; i < 20000; i++) p += sprintf(p, "1,");
    p += sprintf(p, "1]\"}");
    if (run("true", NULL, ev, NULL)) {
        CHECK_EQ_INT(meta_len("function.request.big"), 5000);
        CHECK_EQ_INT(count_meta("function.request."), 1);
    }
    /* a key longer than the key buffer: that member is left out, the others stay */
    p = ev;
    p += sprintf(p, "{\"");
    for (i = 0; i < 2000; i++) *p++ = 'k';
    p += sprintf(p, "\":1,\"ok\":2}");
    if (run("true", NULL, ev, NULL)) {
        CHECK_EQ_INT(count_meta("function.request."), 1);
        CHECK_STR(sget(&lam, "meta.function.request.ok"), "2");
    }
    free(ev);
}

/* The capture inside dd_lambda_start_invocation and dd_lambda_end_invocation keeps both within
 * the 16 KiB promise (dd_lambda.h STACK), with the deepest nesting the walk allows (32 levels,
 * JSON nested in strings at every level). Run last: the libc calls are bound by then. */
static dd_lambda *g_l;
static dd_lambda_invocation g_inv;
static const char *g_resp;
static void probe_call(void *arg) {
    dd_span *s = dd_lambda_start_invocation(g_l, &g_inv, NULL);
    (void)arg;
    dd_lambda_end_invocation(g_l, s, g_resp, strlen(g_resp), 0);
}
static void test_stack_with_capture(void) {
    static char ev[4096], resp[4096];
    dd_tracer *t;
    dd_lambda_config lc = lambda_config();
    stack_probe_result r;
    size_t i;
    char *p = ev;
    /* [[[...{"k":"[[\"x\"]]"}...]]] 30 levels, then a string holding more levels */
    for (i = 0; i < 30; i++) *p++ = '[';
    p += sprintf(p, "{\"k\":\"[[[[{\\\"token\\\":\\\"v\\\",\\\"n\\\":\\\"[1,2]\\\"}]]]]\"}");
    for (i = 0; i < 30; i++) *p++ = ']';
    *p = 0;
    memcpy(resp, ev, sizeof resp);
    fake_reset();
    set_env("DD_CAPTURE_LAMBDA_PAYLOAD", "true");
    set_env("DD_CAPTURE_LAMBDA_PAYLOAD_MAX_DEPTH", "32");
    t = new_tracer(0);
    g_l = new_lambda(t, &lc, 0);
    memset(&g_inv, 0, sizeof g_inv);
    g_inv.event = ev;
    g_inv.event_len = strlen(ev);
    g_inv.request_id = "req-1";
    g_inv.invoked_function_arn = ARN;
    g_resp = resp;
#ifdef STACK_PROBE_ASAN
    stack_probe(4 * 16384, probe_call, NULL, &r); /* ASan frames are larger: reported only */
    CHECK(r.ok);
#else
    stack_probe(16384, probe_call, NULL, &r);
    CHECK(r.ok && r.used < 16384);
#endif
    printf("    start + end invocation with capture (32 levels): %u bytes of stack\n", (unsigned)r.used);
    CHECK_EQ_U64(F.n_req, 1);
    if (decode(0) && CHECK(span_named("aws.lambda", &lam))) {
        CHECK_STR(sget(&lam, "meta.function.request.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.k"),
                  "[[[[{\"token\":\"v\",\"n\":\"[1,2]\"}]]]]"); /* k (31) -> its document (32): text */
        CHECK_EQ_INT(count_meta("function.response."), 1);
    }
    dd_lambda_free(g_l);
    dd_tracer_free(t);
}

static const test_case cases[] = {
    TEST(test_apigw_request_and_response),
    TEST(test_off_by_default),
    TEST(test_scalars_and_invalid),
    TEST(test_depth_limit),
    TEST(test_5000_character_cut),
    TEST(test_hostile_events_bounded),
    TEST(test_stack_with_capture),
};

int main(void) {
    int rc = test_run("lambda_capture", cases, sizeof cases / sizeof cases[0]);
    fake_reset();
    return rc;
}
