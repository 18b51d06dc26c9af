/* tests/hygiene_test.c - a hostile day (issue #17): dead span handles, tag replacement, glob cost,
 * log floods.
 *   stale_*  a handle used after dd_span_finish is ignored and counted, also once its trace was
 *            sent and its memory holds another trace's spans (request A's tag must not reach B);
 *   replace_* replacing a tag any number of times neither exhausts the span's area nor sends an
 *            older value;
 *   glob_*   the linear matcher gives the answers of the former backtracking one (a copy of it
 *            below), over random patterns and subjects; long middle segments are refused;
 *   logs_*   DD_TAGS with 10^5 items, 10^4 bad sampling rules, a failing agent and repeated
 *            drops give a bounded number of lines, with the right summaries.
 * Costs are measured in bench/ (BENCHMARKS.md), never timed here. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <stdlib.h>
#include <time.h>

/*--- fakes: transport, log, environment, allocator ---*/
#define MAX_REQ 8
#define MAX_LOGS 64
typedef struct fake {
    const char *env[8][2];
    size_t n_env;
    unsigned char *bodies[MAX_REQ];
    size_t body_len[MAX_REQ];
    size_t n_req;
    int status, rc;        /* what the transport answers */
    const char *resp_body; /* its body (NULL: valid rates) */
    char logs[MAX_LOGS][512];
    size_t n_logs, n_log_calls; /* lines kept, lines logged in all */
    size_t allocs;              /* allocator calls */
} fake;
static fake F;

static const char *fake_getenv(void *u, const char *name) {
    fake *f = (fake *)u;
    size_t i;
    for (i = 0; i < f->n_env; i++)
        if (strcmp(f->env[i][0], name) == 0) return f->env[i][1];
    return NULL;
}
static void fake_log(void *u, int level, const char *msg, size_t len) {
    fake *f = (fake *)u;
    (void)level;
    f->n_log_calls++;
    if (f->n_logs < MAX_LOGS) {
        size_t n = len < 511 ? len : 511;
        memcpy(f->logs[f->n_logs], msg, n);
        f->logs[f->n_logs][n] = 0;
        f->n_logs++;
    }
}
static int fake_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    fake *f = (fake *)u;
    if (f->n_req < MAX_REQ) {
        f->bodies[f->n_req] = (unsigned char *)malloc(req->body_len);
        memcpy(f->bodies[f->n_req], req->body, req->body_len);
        f->body_len[f->n_req] = req->body_len;
    }
    f->n_req++;
    if (f->rc) return f->rc;
    resp->status = f->status ? f->status : 200;
    resp->body = f->resp_body ? f->resp_body : "{\"rate_by_service\":{}}";
    resp->body_len = strlen(resp->body);
    return 0;
}
static void *fake_alloc(void *u, size_t n) {
    ((fake *)u)->allocs++;
    return malloc(n);
}
static void fake_free(void *u, void *p, size_t n) {
    (void)u;
    (void)n;
    free(p);
}
static void fake_reset(void) {
    size_t i;
    for (i = 0; i < MAX_REQ; i++) free(F.bodies[i]);
    memset(&F, 0, sizeof F);
}
static void set_env(const char *k, const char *v) {
    F.env[F.n_env][0] = k;
    F.env[F.n_env][1] = v;
    F.n_env++;
}
static dd_tracer *new_tracer(uint32_t max_tag_bytes) {
    dd_tracer_config c;
    dd_tracer_config_init(&c);
    c.getenv_fn = fake_getenv;
    c.log_fn = fake_log;
    c.transport_fn = fake_transport;
    c.hook_user = &F;
    c.allocator.alloc_fn = fake_alloc;
    c.allocator.free_fn = fake_free;
    c.allocator.user = &F;
    c.cgroup_path = "";
    c.service = "svc";
    c.flush_interval_ms = -1;
    c.delivery = DD_DELIVERY_MANUAL;
    c.startup_logs = DD_OFF;
    c.max_tag_bytes = max_tag_bytes;
    return dd_tracer_new(&c);
}
static char json[1 << 21];
/* Request k's body as JSON. */
static const char *body_json(size_t k) {
    size_t n;
    if (k >= F.n_req || k >= MAX_REQ) return "";
    n = dd_mp_to_json(F.bodies[k], F.body_len[k], json, sizeof json);
    CHECK(n > 0 && n < sizeof json);
    return json;
}
static size_t count_of(const char *hay, const char *needle) {
    size_t n = 0;
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) n++, p++;
    return n;
}
static size_t lines_with(const char *needle) {
    size_t i, n = 0;
    for (i = 0; i < F.n_logs; i++)
        if (strstr(F.logs[i], needle)) n++;
    return n;
}
static uint64_t stale(dd_tracer *t) {
    dd_counters k;
    dd_tracer_counters(t, &k);
    return k.stale_handle_calls;
}

/*--- stale handles ---*/
/* Request A tags and finishes its span, the trace is sent; request B's span takes the same memory;
 * then A's code, still holding its handle, tags and finishes it: B must not see it. */
static void stale_ab_reuse(void) {
    dd_tracer *t;
    dd_span *a, *b;
    const dd_span *a_mem;
    const char *j;
    dd_counters k;
    fake_reset();
    t = new_tracer(0);
    CHECK_STR(dd_tracer_service(t), "svc");
    a = dd_span_start(t, NULL);
    dd_span_set_resource(a, "GET /a");
    dd_span_set_tag(a, "request", "A");
    a_mem = dd__span_live(a);
    dd_span_finish(a);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_U64(F.n_req, 1);
    b = dd_span_start(t, NULL);
    CHECK(b != NULL && b != a);                   /* another handle ... */
    CHECK(dd__span_live(b) == a_mem);             /* ... to the very same memory: the scenario is real */
    dd_span_set_tag(a, "user.secret", "A-secret"); /* A's late code */
    dd_span_set_metric(a, "a.metric", 1);
    dd_span_set_resource(a, "GET /stolen");
    dd_span_set_error(a, 1);
    dd_span_finish(a);
    CHECK_EQ_U64(stale(t), 5);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_open, 1); /* B is still open: A's finish did not finish it */
    CHECK_EQ_U64(k.spans_finished, 1);
    dd_span_set_tag(b, "request", "B");
    dd_span_set_resource(b, "GET /b");
    dd_span_finish(b);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_U64(F.n_req, 2);
    j = body_json(1);
    CHECK(strstr(j, "user.secret") == NULL);
    CHECK(strstr(j, "A-secret") == NULL);
    CHECK(strstr(j, "a.metric") == NULL);
    CHECK(strstr(j, "GET /stolen") == NULL);
    CHECK(strstr(j, "\"request\":\"B\"") != NULL);
    CHECK(strstr(j, "\"resource\":\"GET /b\"") != NULL);
    CHECK(strstr(j, "\"error\":0") != NULL);
    j = body_json(0);
    CHECK(strstr(j, "\"request\":\"A\"") != NULL);
    CHECK_EQ_U64(lines_with("stale_handle_calls"), 1); /* one line per interval, the rest counted */
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_started, 2);
    CHECK_EQ_U64(k.spans_sent, 2);
    CHECK_EQ_U64(k.stale_handle_calls, 5);
    dd_tracer_free(t);
}

/* A second finish while the trace is open, and finishes and tags after the tracer sent it. */
static void stale_double_finish_and_after_flush(void) {
    dd_tracer *t;
    dd_span *root, *c;
    dd_counters k;
    fake_reset();
    t = new_tracer(0);
    root = dd_span_start(t, NULL);
    c = dd_span_start_child(root, "child");
    dd_span_finish(c);
    dd_span_finish(c); /* the trace is still open */
    dd_span_finish_at(c, 5);
    CHECK_EQ_U64(stale(t), 2);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_span_finish(root); /* after the flush */
    dd_span_set_tag(c, "late", "x");
    dd_span_set_start(root, 1);
    CHECK_EQ_U64(stale(t), 5);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_finished, 2);
    CHECK_EQ_U64(k.spans_sent, 2);
    CHECK_EQ_U64(F.n_req, 1); /* nothing more to send */
    dd_tracer_free(t);
}

/* A dead parent starts nothing; every getter of a dead handle answers as for NULL. */
static void stale_children_and_getters(void) {
    dd_tracer *t;
    dd_span *s, *live;
    dd_span_options o;
    dd_trace_context ctx;
    dd_trace_id id;
    dd_headers hs;
    dd_header items[8];
    char hbuf[512], out[256];
    const char *v = "x";
    size_t vn = 9;
    double num = 7;
    dd_span_link link;
    dd_counters k;
    uint64_t n = 0;
    fake_reset();
    t = new_tracer(0);
    live = dd_span_start(t, NULL);
    s = dd_span_start_child(live, "c");
    dd_span_set_tag(s, "k", "v");
    dd_span_finish(s);
    CHECK(dd_span_start_child(s, "x") == NULL), n++;
    CHECK(dd_span_start_child_n(s, "x", 1) == NULL), n++;
    memset(&o, 0, sizeof o);
    o.parent = s;
    CHECK(dd_span_start(t, &o) == NULL), n++;
    CHECK_EQ_INT(dd_span_get_tag(s, "k", 1, &v, &vn), DD_ERR_NOT_FOUND), n++;
    CHECK(v == NULL && vn == 0);
    CHECK_EQ_INT(dd_span_get_metric(s, "k", 1, &num), DD_ERR_NOT_FOUND), n++;
    CHECK(num == 0);
    CHECK_EQ_U64(dd_span_id(s), 0), n++;
    CHECK_EQ_U64(dd_span_parent_id(s), 0), n++;
    CHECK(dd_span_tracer(s) == NULL), n++;
    dd_span_trace_id(s, &id), n++;
    CHECK(id.hi == 0 && id.lo == 0);
    CHECK_EQ_INT(dd_span_context(s, &ctx), DD_ERR_INVALID_ARG), n++;
    dd_headers_init(&hs, items, 8, hbuf, sizeof hbuf);
    CHECK_EQ_INT(dd_span_inject_headers(s, &hs), DD_ERR_INVALID_ARG), n++;
    CHECK_EQ_U64(hs.n, 0);
    CHECK_EQ_U64(dd_span_inject_datadog_json(s, out, sizeof out), 0), n++;
    memset(&link, 0, sizeof link);
    link.trace_id.lo = 1;
    CHECK_EQ_INT(dd_span_add_link(s, &link), DD_ERR_INVALID_ARG), n++;
    CHECK_EQ_INT(dd_span_baggage_set(s, "k", 1, "v", 1), DD_ERR_INVALID_ARG), n++;
    CHECK_EQ_INT(dd_span_baggage_get(s, "k", 1, &v, &vn), DD_ERR_NOT_FOUND), n++;
    CHECK(dd_span_baggage(s) == NULL), n++;
    dd_span_log_correlation(s, 0, out, sizeof out), n++;
    CHECK(strstr(out, "dd.trace_id=0 dd.span_id=0") != NULL);
    dd_span_set_priority(s, DD_PRIORITY_USER_REJECT), n++;
    dd_span_set_http_response(s, 500, NULL, 0), n++;
    CHECK_EQ_U64(stale(t), n);
    /* NULL is no handle: nothing counted */
    dd_span_finish(NULL);
    dd_span_set_tag(NULL, "k", "v");
    CHECK(dd_span_start_child(NULL, "x") == NULL);
    CHECK_EQ_U64(dd_span_id(NULL), 0);
    CHECK_EQ_U64(stale(t), n);
    /* the live span was not touched: priority and error unchanged */
    dd_span_finish(live);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(strstr(body_json(0), "\"_sampling_priority_v1\":1") != NULL);
    CHECK(strstr(body_json(0), "http.status_code") == NULL);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_started, 2);
    dd_tracer_free(t);
}

/* Thousands of live handles across handle chunks and two tracers; a tracer's handles die with it. */
static void stale_many_handles_two_tracers(void) {
    enum { N = 2500 };
    static dd_span *c[N];
    dd_tracer *t, *u;
    dd_span *root, *other, *gone;
    dd_counters k;
    int i, distinct = 1;
    fake_reset();
    t = new_tracer(0);
    u = new_tracer(0);
    gone = dd_span_start(u, NULL);
    root = dd_span_start(t, NULL);
    other = dd_span_start(u, NULL);
    for (i = 0; i < N; i++) c[i] = dd_span_start_child(root, "c");
    for (i = 0; i < N; i++) {
        if (!c[i] || dd_span_id(c[i]) == 0 || dd_span_tracer(c[i]) != t) distinct = 0;
        if (i && c[i] == c[i - 1]) distinct = 0;
    }
    CHECK(distinct);
    CHECK(dd_span_tracer(other) == u);
    for (i = 0; i < N; i++) dd_span_finish(c[i]);
    dd_span_finish(root);
    CHECK_EQ_U64(stale(t), 0);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_sent, N + 1);
    dd_span_finish(other);
    dd_tracer_free(u); /* `gone` was never finished: dropped with its tracer */
    /* a new tracer may take the freed handle chunks: the old handle still names nothing */
    u = new_tracer(0);
    other = dd_span_start(u, NULL);
    CHECK_EQ_U64(dd_span_id(gone), 0);
    CHECK(dd_span_id(other) != 0);
    dd_span_finish(other);
    dd_tracer_free(u);
    dd_tracer_free(t);
}

/*--- tag replacement ---*/
/* The tag's wire bytes (key str, value str or float64) decode to key and value. */
static int tag_wire_ok(const dd_span *h, const char *key, const char *val, size_t vn) {
    const dd_span *s = dd__span_live(h);
    const dd__tag *g = s ? dd__span_find(s, key, strlen(key)) : NULL;
    dd_mp_reader r;
    const char *p;
    uint32_t n;
    if (!g) return 0;
    dd_mp_reader_init(&r, DD__TAG_WIRE(g), DD__TAG_WIRE_LEN(g));
    if (dd_mp_read_str(&r, &p, &n) != DD_OK || n != strlen(key) || memcmp(p, key, n) != 0) return 0;
    if (dd_mp_read_str(&r, &p, &n) != DD_OK || n != vn || memcmp(p, val, vn) != 0) return 0;
    return dd_mp_reader_remaining(&r) == 0;
}

/* 10^4 replacements of a 1 KB value, lengths alternating across the msgpack header sizes: no tag
 * dropped, no arena growth after the first rounds, the last value on the wire. */
static void replace_many_times(void) {
    static char val[2048];
    static const size_t lens[] = {1024, 10, 300, 31, 32, 255, 256, 0, 1000, 1024, 7};
    dd_tracer *t;
    dd_span *s;
    dd_counters k;
    size_t i, allocs = 0, bytes = 0, last = 0;
    const char *v, *j;
    size_t vn;
    char want[2100];
    int ok = 1;
    fake_reset();
    t = new_tracer(0);
    s = dd_span_start(t, NULL);
    for (i = 0; i < 10000; i++) {
        size_t n = lens[i % (sizeof lens / sizeof lens[0])];
        memset(val, 'a' + (int)(i % 26), n);
        val[n] = 0;
        dd_span_set_tag_n(s, "big", 3, val, n);
        dd_span_set_metric(s, "m", (double)i);
        if (i == 100) {
            allocs = F.allocs;
            bytes = dd__seg_bytes(dd__span_live(s)->seg);
        }
        if (i % 997 == 0 && !tag_wire_ok(s, "big", val, n)) ok = 0;
        last = n;
    }
    CHECK(ok);
    CHECK_EQ_U64(F.allocs, allocs);                          /* nothing allocated in steady state */
    CHECK_EQ_U64(dd__seg_bytes(dd__span_live(s)->seg), bytes); /* nor taken from the pool */
    CHECK_EQ_INT(dd_span_get_tag(s, "big", 3, &v, &vn), DD_OK);
    CHECK_MEM(v, vn, val, last);
    dd_span_finish(s);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    j = body_json(0);
    CHECK_EQ_U64(count_of(j, "\"big\":"), 1);
    snprintf(want, sizeof want, "\"big\":\"%s\"", val);
    CHECK(strstr(j, want) != NULL);
    CHECK(strstr(j, "\"m\":9999") != NULL);
    CHECK_EQ_U64(count_of(j, "\"m\":"), 1);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.tags_dropped, 0);
    dd_tracer_free(t);
}

/* A key moving between meta and metrics, values growing past str16 into str32, and a value over
 * max_tag_bytes: the key is removed (counted), no older value is sent. */
static void replace_kinds_and_limit(void) {
    static char val[100000];
    dd_tracer *t;
    dd_span *s;
    dd_counters k;
    double num = 0;
    const char *v, *j;
    size_t vn;
    fake_reset();
    t = new_tracer(90000);
    s = dd_span_start(t, NULL);
    dd_span_set_tag(s, "x", "text");
    dd_span_set_metric(s, "x", 2.5);
    CHECK_EQ_INT(dd_span_get_metric(s, "x", 1, &num), DD_OK);
    CHECK(num == 2.5);
    CHECK_EQ_INT(dd_span_get_tag(s, "x", 1, &v, &vn), DD_ERR_TYPE);
    dd_span_set_tag(s, "x", "back to text");
    CHECK_EQ_INT(dd_span_get_tag(s, "x", 1, &v, &vn), DD_OK);
    CHECK(vn == 12 && memcmp(v, "back to text", 12) == 0);
    memset(val, 'q', sizeof val);
    dd_span_set_tag_n(s, "y", 1, val, 65536); /* str32 */
    CHECK(tag_wire_ok(s, "y", val, 65536));
    dd_span_set_tag_n(s, "y", 1, val, 3); /* fixstr in the same storage */
    CHECK(tag_wire_ok(s, "y", val, 3));
    dd_span_set_tag_n(s, "y", 1, val, 65535); /* str16 */
    CHECK(tag_wire_ok(s, "y", val, 65535));
    dd_span_set_tag_n(s, "y", 1, val, 95000); /* over max_tag_bytes: y removed */
    CHECK_EQ_INT(dd_span_get_tag(s, "y", 1, &v, &vn), DD_ERR_NOT_FOUND);
    dd_span_set_tag(s, "z", "kept");
    dd_span_finish(s);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    j = body_json(0);
    CHECK(strstr(j, "\"y\":") == NULL);
    CHECK(strstr(j, "\"x\":\"back to text\"") != NULL);
    CHECK(strstr(j, "\"z\":\"kept\"") != NULL);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.tags_dropped, 1);
    dd_tracer_free(t);
}

/* New keys on both sides of the setters' fast path (keys of 31 / 32 bytes, values of 31, 32, 255,
 * 256 bytes, an empty value, metrics) and two keys sharing a key bit (component and
 * http.response.content_length): each tag's wire bytes, each key once in the payload. */
static void new_keys_fast_and_general(void) {
    static const size_t lens[] = {0, 1, 31, 32, 255, 256, 300};
    static char val[400];
    char k31[32], k32[33], key[40], want[600];
    dd_tracer *t;
    dd_span *s;
    dd_counters k;
    double num = 0;
    const char *j;
    size_t i;
    int ok = 1;
    fake_reset();
    t = new_tracer(0);
    s = dd_span_start(t, NULL);
    memset(k31, 'k', 31), k31[31] = 0;
    memset(k32, 'K', 32), k32[32] = 0;
    CHECK_EQ_U64(dd__key_bit("component", 9), dd__key_bit("http.response.content_length", 28));
    dd_span_set_tag_n(s, "component", 9, "bench-http", 10);
    dd_span_set_metric_n(s, "http.response.content_length", 28, 1234.0); /* bit set, key absent */
    dd_span_set_tag(s, k31, "v31");
    dd_span_set_tag(s, k32, "v32");
    dd_span_set_metric(s, "m31", 0.5);
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        memset(val, 'a' + (int)i, lens[i]);
        val[lens[i]] = 0;
        snprintf(key, sizeof key, "len.%u", (unsigned)lens[i]);
        dd_span_set_tag_n(s, key, strlen(key), val, lens[i]);
        if (!tag_wire_ok(s, key, val, lens[i])) ok = 0;
    }
    CHECK(ok);
    CHECK(tag_wire_ok(s, "component", "bench-http", 10));
    CHECK(tag_wire_ok(s, k31, "v31", 3));
    CHECK(tag_wire_ok(s, k32, "v32", 3));
    CHECK_EQ_INT(dd_span_get_metric(s, "http.response.content_length", 28, &num), DD_OK);
    CHECK(num == 1234.0);
    CHECK_EQ_INT(dd_span_get_metric(s, "m31", 3, &num), DD_OK);
    CHECK(num == 0.5);
    dd_span_set_tag_n(s, "component", 9, "other", 5); /* set again: replaced, not added */
    CHECK(tag_wire_ok(s, "component", "other", 5));
    dd_span_finish(s);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    j = body_json(0);
    CHECK_EQ_U64(count_of(j, "\"component\":\"other\""), 1);
    CHECK_EQ_U64(count_of(j, "\"component\":"), 1);
    CHECK_EQ_U64(count_of(j, "\"http.response.content_length\":1234"), 1);
    snprintf(want, sizeof want, "\"%s\":\"v31\"", k31);
    CHECK_EQ_U64(count_of(j, want), 1);
    snprintf(want, sizeof want, "\"%s\":\"v32\"", k32);
    CHECK_EQ_U64(count_of(j, want), 1);
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        memset(val, 'a' + (int)i, lens[i]);
        val[lens[i]] = 0;
        snprintf(want, sizeof want, "\"len.%u\":\"%s\"", (unsigned)lens[i], val);
        CHECK_EQ_U64(count_of(j, want), 1);
    }
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.tags_dropped, 0);
    dd_tracer_free(t);
}

/* The default limit (16 KiB) no longer fills with replaced values: 10^4 values of 1 KB fit. */
static void replace_within_default_limit(void) {
    static char val[1024];
    dd_tracer *t;
    dd_span *s;
    dd_counters k;
    int i;
    char want[1100];
    fake_reset();
    t = new_tracer(0);
    s = dd_span_start(t, NULL);
    for (i = 0; i < 10000; i++) {
        memset(val, 'A' + i % 26, sizeof val);
        dd_span_set_tag_n(s, "user.payload", 12, val, sizeof val - (size_t)(i % 2));
    }
    dd_span_finish(s);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    snprintf(want, sizeof want, "\"user.payload\":\"%.*s\"", (int)(sizeof val - 1), val);
    CHECK(strstr(body_json(0), want) != NULL);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.tags_dropped, 0);
    dd_tracer_free(t);
}

/*--- glob matching ---*/
/* The former matcher (greedy with one backtrack point, O(pattern * subject)): the reference. */
static int old_glob(const char *pat, size_t pn, const char *s, size_t sn) {
    size_t p = 0, i = 0, star_p = 0, star_i = 0;
    int have_star = 0;
    while (i < sn) {
        if (p < pn && pat[p] == '*') {
            have_star = 1;
            star_p = ++p;
            star_i = i;
        } else if (p < pn && (pat[p] == '?' || dd__sampling_fold((unsigned char)pat[p])
                                                   == dd__sampling_fold((unsigned char)s[i]))) {
            p++;
            i++;
        } else if (have_star) {
            p = star_p;
            i = ++star_i;
        } else {
            return 0;
        }
    }
    while (p < pn && pat[p] == '*') p++;
    return p == pn;
}
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Random patterns and subjects over a small alphabet (so that partial matches abound), short and
 * long (past the naive search's budget and the 64-byte shift-and word): same answers. */
static void glob_differential(void) {
    static const char pa[] = "aaaAbB?*c";
    static const char sa[] = "aaaaAbBc\xc3";
    char pat[160], sub[600];
    size_t pn, sn, i, round, agree = 0, rounds = 100000, matches = 0;
    for (round = 0; round < rounds; round++) {
        int longish = round % 5 == 0;
        pn = rnd(longish ? 150 : 12);
        sn = rnd(longish ? 600 : 24);
        for (i = 0; i < pn; i++) pat[i] = pa[rnd(sizeof pa - 1)];
        if (longish && pn > 4) /* long runs of one byte: the costly partial matches */
            for (i = rnd((uint32_t)pn); i < pn && rnd(8); i++) pat[i] = 'a';
        for (i = 0; i < sn; i++) sub[i] = sa[rnd(sizeof sa - 1)];
        if (longish && sn && rnd(2))
            for (i = 0; i < sn; i++) sub[i] = rnd(40) ? 'a' : 'b';
        if (old_glob(pat, pn, sub, sn) == dd__glob_match(pat, pn, sub, sn)) agree++;
        else if (rounds - agree < 5) fprintf(stderr, "    differ: '%.*s' on '%.*s'\n", (int)pn, pat, (int)sn, sub);
        matches += (size_t)old_glob(pat, pn, sub, sn);
    }
    CHECK_EQ_U64(agree, rounds);
    CHECK(matches > rounds / 50); /* the inputs exercise both answers */
}

/* Hand-picked cases, and the pathological ones of the issue (their cost is a bench row). */
static void glob_cases(void) {
    static char sub[16384 + 1], pat[8100];
    static const struct {
        const char *p, *s;
        int m;
    } t[] = {{"", "", 1}, {"", "a", 0}, {"*", "", 1}, {"?", "", 0}, {"a*", "A", 1}, {"*a", "bA", 1},
             {"a*b", "ab", 1}, {"a*b", "a", 0}, {"ab*ba", "aba", 0}, {"*ab*ab*", "xabyab", 1},
             {"*ab*ab*", "xaby", 0}, {"GET /api/*/users?", "get /API/v1/users/", 1}, {"*?*?*", "a", 0},
             {"*??", "ab", 1}, {"a*a*a", "aaa", 1}, {"a*a*a", "aa", 0}, {"*\xc3*", "x\xc3y", 1}};
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        int got = dd__glob_match(t[i].p, strlen(t[i].p), t[i].s, strlen(t[i].s));
        if (!CHECK_EQ_INT(got, t[i].m)) fprintf(stderr, "    '%s' on '%s'\n", t[i].p, t[i].s);
    }
    memset(sub, 'a', 16384);
    pat[0] = '*';
    memset(pat + 1, 'a', 8000);
    pat[8001] = 'b';
    CHECK_EQ_INT(dd__glob_match(pat, 8002, sub, 16384), 0); /* 88 ms with the former matcher */
    sub[16383] = 'b';
    CHECK_EQ_INT(dd__glob_match(pat, 8002, sub, 16384), 1);
    /* a middle segment: searched with the shift-and automaton */
    memset(pat + 1, 'a', 63);
    pat[64] = 'b';
    pat[65] = '*';
    sub[16383] = 'a';
    CHECK_EQ_INT(dd__glob_match(pat, 66, sub, 16384), 0);
    sub[16000] = 'B';
    CHECK_EQ_INT(dd__glob_match(pat, 66, sub, 16384), 1);
    CHECK_EQ_INT(dd__glob_match(pat, 66, sub, 16384), old_glob(pat, 66, sub, 16384));
    /* bounded: at most 64 bytes between two stars */
    CHECK(dd__glob_bounded(pat, 66));
    pat[64] = 'a';
    pat[65] = 'b';
    pat[66] = '*';
    CHECK(!dd__glob_bounded(pat, 67));
    CHECK(dd__glob_bounded(pat + 1, 66)); /* the same bytes as a prefix: compared, not searched */
}

/* A rule whose pattern has a middle segment over 64 bytes is refused (logged), from JSON and code. */
static void glob_long_segment_refused(void) {
    char rules[400], pat[80];
    dd_tracer_config c;
    dd_tracer *t;
    dd_sampling_rule r;
    memset(pat, 'x', sizeof pat);
    pat[0] = '*';
    pat[66] = '*';
    pat[67] = 0;
    snprintf(rules, sizeof rules, "[{\"resource\":\"%s\",\"sample_rate\":0},{\"service\":\"svc\",\"sample_rate\":0.5}]", pat);
    fake_reset();
    set_env("DD_TRACE_SAMPLING_RULES", rules);
    t = new_tracer(0);
    CHECK_EQ_U64(t->sampler.n_rules, 1);
    CHECK_EQ_U64(lines_with("rule 0: a pattern has more than 64 bytes between two '*'"), 1);
    dd_tracer_free(t);
    fake_reset();
    memset(&r, 0, sizeof r);
    r.resource = pat;
    dd_tracer_config_init(&c);
    c.getenv_fn = fake_getenv;
    c.log_fn = fake_log;
    c.hook_user = &F;
    c.cgroup_path = "";
    c.startup_logs = DD_OFF;
    c.sampling.rules = &r;
    c.sampling.n_rules = 1;
    t = dd_tracer_new(&c);
    CHECK_EQ_U64(t->sampler.n_rules, 0);
    CHECK_EQ_U64(lines_with("in-code sampling rule 0: a pattern has more than 64 bytes"), 1);
    dd_tracer_free(t);
    pat[65] = '*'; /* 64 bytes between the stars: accepted */
    fake_reset();
    t = dd_tracer_new(&c);
    CHECK_EQ_U64(t->sampler.n_rules, 1);
    dd_tracer_free(t);
}

/*--- logs ---*/
/* DD_TAGS with 10^5 items (100 malformed) and 10^4 bad sampling rules: one DD_TAGS line, ten rule
 * lines and one summary. */
static void logs_startup_floods(void) {
    const size_t items = 100000, rules = 10000;
    char *tags = (char *)malloc(items * 12 + 1), *json = (char *)malloc(rules * 24 + 8);
    size_t i, n = 0;
    dd_tracer *t;
    for (i = 0; i < items; i++)
        n += (size_t)sprintf(tags + n, i % 1000 == 999 ? "bad%u," : "k%u:v,", (unsigned)i);
    n = 0;
    json[n++] = '[';
    for (i = 0; i < rules; i++) n += (size_t)sprintf(json + n, "%s{\"sample_rate\":2}", i ? "," : "");
    json[n++] = ']';
    json[n] = 0;
    fake_reset();
    set_env("DD_TAGS", tags);
    set_env("DD_TRACE_SAMPLING_RULES", json);
    t = new_tracer(0);
    CHECK_EQ_U64(t->n_global_tags, 64);
    CHECK_EQ_U64(lines_with("DD_TAGS"), 1);
    CHECK_EQ_U64(lines_with("DD_TAGS: 99936 items ignored (100 without key:value, first: \"bad999\"; 99836 over "
                            "the limit of 64 tags, first: \"k64:v\")"),
                 1);
    CHECK_EQ_U64(lines_with("DD_TRACE_SAMPLING_RULES rule "), 10);
    CHECK_EQ_U64(lines_with("DD_TRACE_SAMPLING_RULES: 9990 more problems not logged one by one; 10000 rules "
                            "ignored in all"),
                 1);
    CHECK_EQ_U64(F.n_log_calls, 12);
    dd_tracer_free(t);
    free(tags);
    free(json);
}

/* A failing agent over 300 attempts of each kind of failure, and one that answers rates that are
 * not JSON: one line per kind. */
static void logs_failing_transport(void) {
    static const struct {
        int rc, status;
        const char *body;
    } kinds[] = {{DD_TRANSPORT_UNCONFIRMED, 0, NULL}, {0, 500, NULL}, {0, 400, NULL}, {0, 200, "not json"},
                 {0, 200, "{\"rate_by_service\":{\"service:a,env:\":7}}"}};
    size_t k, i;
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        dd_tracer *t;
        fake_reset();
        F.rc = kinds[k].rc;
        F.status = kinds[k].status;
        F.resp_body = kinds[k].body;
        t = new_tracer(0);
        for (i = 0; i < 300; i++) {
            dd_span_finish(dd_span_start(t, NULL));
            dd_tracer_flush(t);
        }
        CHECK_EQ_U64(F.n_req, 300);
        if (!CHECK_EQ_U64(F.n_log_calls, 1)) fprintf(stderr, "    kind %u: %s\n", (unsigned)k, F.logs[1]);
        dd_tracer_free(t);
    }
}

/* Drops of one kind: one line per interval, the next one says how many were not logged. */
static void logs_drops_rate_limited(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root;
    struct timespec ts;
    int i;
    fake_reset();
    set_env("DD_TRACE_LOGGING_RATE", "1");
    dd_tracer_config_init(&c);
    c.getenv_fn = fake_getenv;
    c.log_fn = fake_log;
    c.hook_user = &F;
    c.cgroup_path = "";
    c.startup_logs = DD_OFF;
    c.delivery = DD_DELIVERY_MANUAL;
    c.max_spans_per_segment = 1;
    t = dd_tracer_new(&c);
    root = dd_span_start(t, NULL);
    for (i = 0; i < 1000; i++) CHECK(dd_span_start_child(root, "c") == NULL);
    for (i = 0; i < 1000; i++) dd_span_set_metric(root, "m", 0.0 / (i - i)); /* NaN: dropped */
    CHECK_EQ_U64(lines_with("max_spans_per_segment"), 1);
    CHECK_EQ_U64(lines_with("max_tag_bytes"), 1);
    CHECK_EQ_U64(F.n_log_calls, 2);
    ts.tv_sec = 1;
    ts.tv_nsec = 100000000;
    nanosleep(&ts, NULL);
    CHECK(dd_span_start_child(root, "c") == NULL);
    CHECK_EQ_U64(lines_with("max_spans_per_segment"), 2);
    CHECK_EQ_U64(lines_with("(999 more like it suppressed since the last report)"), 1);
    dd_span_finish(root);
    dd_tracer_free(t);
}

static const test_case cases[] = {
    TEST(stale_ab_reuse),
    TEST(stale_double_finish_and_after_flush),
    TEST(stale_children_and_getters),
    TEST(stale_many_handles_two_tracers),
    TEST(replace_many_times),
    TEST(replace_kinds_and_limit),
    TEST(replace_within_default_limit),
    TEST(new_keys_fast_and_general),
    TEST(glob_differential),
    TEST(glob_cases),
    TEST(glob_long_segment_refused),
    TEST(logs_startup_floods),
    TEST(logs_failing_transport),
    TEST(logs_drops_rate_limited),
};
int main(void) {
    int rc = test_run("hygiene", cases, sizeof cases / sizeof cases[0]);
    fake_reset();
    return rc;
}
