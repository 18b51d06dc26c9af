/* tests/faults_test.c - fault injection over the whole trace lifecycle of dd_trace.h:
 *  - the allocator failing: only the k-th call (every k), every n-th call, and every call from the
 *    k-th on; no crash, no leak (a checking allocator: live blocks and bytes back to 0, the size
 *    given to free_fn always the size allocated), and the counters add up to what the test did
 *    and to what the transport received;
 *  - the transport failing (no answer, every kind of status), answering garbage (unterminated,
 *    binary, huge, NULL body), and hanging past its timeout (dd_sender.h against a socket that
 *    never answers, or answers half a response and stalls);
 *  - the clocks going backwards (durations never negative, the rate limiter refills nothing);
 *  - hooks that re-enter the tracer (a traced HTTP client, a log hook reading the counters);
 *  - fork() while another thread is inside a flush: the child's tracer keeps working; fork() as the
 *    worker starts, between two requests of a flush, while the worker encodes queued traces and
 *    while a finishing thread encodes its trace:
 *    the child counts each span the parent had not resolved once (spans_pending 0).
 * Expected values come from the contracts in dd_trace.h and docs/agent-protocol.md, not from runs. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../dd_sender.h"
#include "test.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*--- a checking allocator ---*/
#define FA_NONE 0
#define FA_ONLY 1  /* only call number `k` fails        */
#define FA_EVERY 2 /* calls k, 2k, 3k, ... fail         */
#define FA_FROM 3  /* every call from number `k` on fails */
typedef struct fa_state {
    int mode;
    uint64_t k;
    uint64_t calls, failed, live, live_bytes, bad_frees;
} fa_state;
static fa_state FA;
#define FA_HDR 16 /* keeps the size in front of each block (and 16-byte alignment) */

static void *fa_alloc(void *u, size_t n) {
    unsigned char *p;
    uint64_t c;
    (void)u;
    c = ++FA.calls;
    if ((FA.mode == FA_ONLY && c == FA.k) || (FA.mode == FA_EVERY && c % FA.k == 0)
        || (FA.mode == FA_FROM && c >= FA.k)) {
        FA.failed++;
        return NULL;
    }
    p = (unsigned char *)malloc(n + FA_HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    FA.live++;
    FA.live_bytes += n;
    return p + FA_HDR;
}
static void fa_free(void *u, void *ptr, size_t n) {
    unsigned char *p = (unsigned char *)ptr - FA_HDR;
    size_t had;
    (void)u;
    memcpy(&had, p, sizeof had);
    if (had != n) FA.bad_frees++;
    FA.live--;
    FA.live_bytes -= had;
    free(p);
}
static void fa_reset(int mode, uint64_t k) {
    memset(&FA, 0, sizeof FA);
    FA.mode = mode;
    FA.k = k;
}

/*--- hooks: environment, clocks, a transport that decodes what it receives ---*/
typedef struct tp_state {
    int calls;
    int status;              /* answered status (0 = 200) */
    int fail;                /* non-zero: return this, no answer */
    const char *body;        /* answered body, body_len bytes */
    size_t body_len;
    uint64_t accepted_reqs, accepted_chunks, accepted_spans, accepted_bytes;
    int bad_body;            /* a body that is not one msgpack array of arrays */
    int bad_count;           /* X-Datadog-Trace-Count not the chunk count */
} tp_state;
static tp_state TP;

static const char *const *ENV; /* NULL-terminated name, value pairs */
static const char *env_get(void *u, const char *name) {
    size_t i;
    (void)u;
    for (i = 0; ENV && ENV[i]; i += 2)
        if (strcmp(ENV[i], name) == 0) return ENV[i + 1];
    return NULL;
}

/* Counts the chunks and spans of a v0.4 body; -1 when it is not an array of arrays of maps. */
static int count_body(const uint8_t *b, size_t n, uint64_t *chunks, uint64_t *spans) {
    dd_mp_reader r, whole;
    uint32_t nc = 0, ns = 0, i, j;
    dd_mp_reader_init(&whole, b, n);
    if (dd_mp_skip(&whole) != DD_OK || dd_mp_reader_remaining(&whole) != 0) return -1;
    dd_mp_reader_init(&r, b, n);
    if (dd_mp_read_array(&r, &nc) != DD_OK) return -1;
    *chunks = nc;
    *spans = 0;
    for (i = 0; i < nc; i++) {
        if (dd_mp_read_array(&r, &ns) != DD_OK || ns == 0) return -1;
        for (j = 0; j < ns; j++) {
            if (dd_mp_peek_type(&r) != DD_MP_MAP || dd_mp_skip(&r) != DD_OK) return -1;
        }
        *spans += ns;
    }
    return 0;
}

static int tp_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    uint64_t chunks = 0, spans = 0, count = 0;
    size_t h;
    int ok2xx;
    (void)u;
    TP.calls++;
    if (count_body(req->body, req->body_len, &chunks, &spans) != 0) TP.bad_body++;
    for (h = 0; h < req->n_headers; h++)
        if (strcmp(req->headers[h].name, "X-Datadog-Trace-Count") == 0)
            dd_u64_from_dec(req->headers[h].value, req->headers[h].value_len, &count);
    if (count != chunks) TP.bad_count++;
    if (TP.fail) return TP.fail;
    resp->status = TP.status ? TP.status : 200;
    resp->body = TP.body ? TP.body : "{\"rate_by_service\":{\"service:,env:\":1}}";
    resp->body_len = TP.body ? TP.body_len : strlen(resp->body);
    ok2xx = resp->status >= 200 && resp->status < 300;
    if (ok2xx) {
        TP.accepted_reqs++;
        TP.accepted_chunks += chunks;
        TP.accepted_spans += spans;
        TP.accepted_bytes += req->body_len;
    }
    return 0;
}

static int64_t CLK_WALL, CLK_MONO, CLK_STEP; /* each read moves the clock by CLK_STEP ns */
static int64_t clk_wall(void *u) {
    (void)u;
    CLK_WALL += CLK_STEP;
    return CLK_WALL;
}
static int64_t clk_mono(void *u) {
    (void)u;
    CLK_MONO += CLK_STEP;
    return CLK_MONO;
}

static uint64_t rnd_state;
static uint64_t rnd_next(void *u) {
    (void)u;
    rnd_state += UINT64_C(0x9e3779b97f4a7c15);
    return rnd_state ^ (rnd_state >> 29);
}

static dd_tracer_config fault_config(void) {
    dd_tracer_config c;
    memset(&c, 0, sizeof c);
    c.allocator.alloc_fn = fa_alloc;
    c.allocator.free_fn = fa_free;
    c.getenv_fn = env_get;
    c.transport_fn = tp_transport;
    c.random_fn = rnd_next;
    c.wall_ns_fn = clk_wall;
    c.mono_ns_fn = clk_mono;
    c.cgroup_path = "";
    c.flush_interval_ms = -1;
    c.flush_bytes = 3000;        /* automatic flushes inside dd_span_finish */
    c.max_request_bytes = 12000; /* and requests split */
    c.send_retries = 1;
    c.delivery = DD_DELIVERY_SYNC; /* the faults are injected on this thread */
    return c;
}

static const char *const lifecycle_env[] = {
    "DD_SERVICE", "web", "DD_ENV", "prod", "DD_VERSION", "1.2.3", "DD_TAGS", "team:core,region:eu-west-1",
    "DD_TRACE_SAMPLING_RULES", "[{\"service\":\"web\",\"name\":\"db.*\",\"sample_rate\":1}]",
    "DD_SPAN_SAMPLING_RULES", "[{\"service\":\"*\",\"name\":\"cache.*\",\"sample_rate\":1}]",
    "DD_TRACE_PARTIAL_FLUSH_ENABLED", "true", "DD_TRACE_PARTIAL_FLUSH_MIN_SPANS", "4",
    "DD_TRACE_PROPAGATION_STYLE", "datadog,tracecontext,b3multi", NULL};

/*--- the whole lifecycle, under whatever faults are armed ---*/
typedef struct life {
    int created;
    uint64_t attempts, started, finished;
    dd_counters k;
    int flush_rc;
    char service[16];      /* the tracer's service                          */
    char injected[24];     /* x-datadog-trace-id injected by the first trace */
    size_t injected_len;
} life;

static dd_span *life_start(life *L, dd_span *parent, dd_tracer *t, const dd_span_options *o) {
    dd_span *s;
    L->attempts++;
    s = parent ? dd_span_start_child(parent, o->name) : dd_span_start(t, o);
    if (s) L->started++;
    return s;
}
static void life_finish(life *L, dd_span *s) {
    if (!s) return;
    dd_span_finish(s);
    L->finished++;
}

static void run_lifecycle(life *L) {
    static const dd_header in_h[] = {
        {"x-datadog-trace-id", 18, "1234567890123", 13},
        {"x-datadog-parent-id", 19, "987654321", 9},
        {"x-datadog-sampling-priority", 27, "1", 1},
        {"x-datadog-origin", 16, "synthetics", 10},
        {"x-datadog-tags", 14, "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000", 38},
        {"traceparent", 11, "00-640cfd8d0000000000000119b6dfa7cb-000000003ade68b1-01", 55},
        {"tracestate", 10, "dd=s:1;p:000000003ade68b1,foo=bar", 33}};
    static char big[5000]; /* more than an arena block, less than a request */
    dd_tracer_config c = fault_config();
    dd_tracer *t;
    dd_headers in = {0};
    dd_carrier_reader rd;
    dd_trace_context ctx;
    int i, j;
    memset(L, 0, sizeof *L);
    memset(big, 'x', sizeof big - 1);
    ENV = lifecycle_env;
    t = dd_tracer_new(&c);
    if (!t) return;
    L->created = 1;
    strncpy(L->service, dd_tracer_service(t), sizeof L->service - 1);
    in.items = (dd_header *)in_h;
    in.n = sizeof in_h / sizeof in_h[0];
    dd_headers_reader(&rd, &in);
    dd_extract(NULL, &rd, &ctx);
    for (i = 0; i < 12; i++) {
        dd_span_options o;
        dd_span *root, *kids[6];
        dd_span_link link;
        dd_header out_items[16];
        char out_buf[2048], corr[256];
        dd_headers out;
        dd_carrier_writer wr;
        memset(&o, 0, sizeof o);
        o.name = "web.request";
        o.resource = "GET /users/:id";
        o.type = "web";
        if (i % 2 == 0) o.context = &ctx;
        root = life_start(L, NULL, t, &o);
        dd_span_set_tag(root, "http.method", "GET");
        dd_span_set_tag(root, "http.url", "https://example.com/users/12345?q=1");
        dd_span_set_metric(root, "http.status_code", 200);
        dd_span_set_kind(root, "server");
        if (i % 3 == 0) dd_span_set_tag(root, "big", big); /* a block of its own */
        memset(&link, 0, sizeof link);
        link.trace_id.lo = 42 + (uint64_t)i;
        link.span_id = 7;
        strcpy(link.reason, "manual");
        dd_span_add_link(root, &link);
        for (j = 0; j < 6; j++) {
            o.name = j % 2 ? "db.query" : "cache.get";
            kids[j] = root ? life_start(L, root, t, &o) : NULL;
            dd_span_set_tag(kids[j], "db.statement", "SELECT * FROM users WHERE id = ?");
            if (j == 3) dd_span_set_error_info(kids[j], "Timeout", "query timed out", "at db.c:12");
        }
        dd_headers_init(&out, out_items, 16, out_buf, sizeof out_buf);
        dd_headers_writer(&wr, &out);
        dd_span_inject(kids[1], &wr);
        if (i == 0 && out.n > 0 && out.items[0].value_len < sizeof L->injected) {
            memcpy(L->injected, out.items[0].value, out.items[0].value_len);
            L->injected_len = out.items[0].value_len;
            if (strcmp(out.items[0].name, "x-datadog-trace-id") != 0) L->injected_len = 0;
        }
        dd_span_log_correlation(kids[1], i & 1, corr, sizeof corr);
        for (j = 5; j >= 0; j--) life_finish(L, kids[j]);
        life_finish(L, root);
        if (i % 5 == 4) dd_tracer_flush(t);
    }
    L->flush_rc = dd_tracer_flush(t);
    dd_tracer_counters(t, &L->k);
    dd_tracer_free(t);
}

/* The invariants of one lifecycle; `what` names the fault for the failure messages. */
static void check_lifecycle(const life *L, const char *what) {
    const dd_counters *k = &L->k;
    int ok = 1;
    CHECK_EQ_U64(FA.live, 0);       /* no leak, whatever failed */
    CHECK_EQ_U64(FA.live_bytes, 0);
    CHECK_EQ_U64(FA.bad_frees, 0);  /* free_fn always gets the allocated size */
    CHECK_EQ_INT(TP.bad_body, 0);   /* every request is one well-formed v0.4 payload */
    CHECK_EQ_INT(TP.bad_count, 0);
    if (!L->created) return;
    ok &= CHECK_EQ_U64(k->spans_started, L->started);
    ok &= CHECK_EQ_U64(k->spans_dropped_limit, L->attempts - L->started); /* out of memory: counted */
    ok &= CHECK_EQ_U64(k->spans_finished, L->finished);
    ok &= CHECK_EQ_U64(k->spans_encoded + k->spans_dropped_buffer, k->spans_finished);
    ok &= CHECK_EQ_U64(k->chunks_sent + k->chunks_dropped_send, k->chunks_encoded);
    ok &= CHECK_EQ_U64(TP.accepted_spans + k->spans_dropped_send, k->spans_encoded);
    ok &= CHECK_EQ_U64(k->chunks_sent, TP.accepted_chunks);
    ok &= CHECK_EQ_U64(k->requests_sent, TP.accepted_reqs);
    ok &= CHECK_EQ_U64(k->bytes_sent, TP.accepted_bytes);
    ok &= CHECK_EQ_U64(k->requests_sent + k->requests_failed, (uint64_t)TP.calls);
    if (!ok) fprintf(stderr, "    (under %s: k=%llu, %llu allocation calls, %llu failed)\n", what,
                     (unsigned long long)FA.k, (unsigned long long)FA.calls, (unsigned long long)FA.failed);
}

static void reset_world(void) {
    memset(&TP, 0, sizeof TP);
    CLK_WALL = INT64_C(1732170000000000000);
    CLK_MONO = 1000000;
    CLK_STEP = 1000;
    rnd_state = 1;
}

/* The reference run: no fault; everything is sent. Also gives the number of allocation calls. */
static uint64_t reference_calls;
static void test_lifecycle_no_fault(void) {
    life L;
    reset_world();
    fa_reset(FA_NONE, 0);
    run_lifecycle(&L);
    check_lifecycle(&L, "no fault");
    reference_calls = FA.calls;
    CHECK(L.created);
    CHECK_EQ_U64(L.started, 12 * 7);
    CHECK_EQ_U64(L.k.spans_encoded, 12 * 7);
    CHECK_EQ_U64(TP.accepted_spans, 12 * 7);
    CHECK(L.k.partial_flushes > 0);      /* the lifecycle exercises partial flush */
    CHECK(L.k.requests_sent > 12 / 5);   /* and automatic flushes and splits */
    CHECK_EQ_INT(L.flush_rc, DD_OK);
    CHECK(reference_calls > 10);
    CHECK_STR(L.service, "web");
    CHECK_MEM(L.injected, L.injected_len, "1234567890123", 13); /* the extracted trace continues */
}

static void test_alloc_fails_only_kth(void) {
    uint64_t k;
    CHECK(reference_calls > 10);
    for (k = 1; k <= reference_calls; k++) {
        life L;
        reset_world();
        fa_reset(FA_ONLY, k);
        run_lifecycle(&L);
        CHECK_EQ_U64(FA.failed, 1); /* the fault was really injected */
        check_lifecycle(&L, "only the k-th allocation fails");
    }
}

static void test_alloc_fails_every_nth(void) {
    uint64_t n;
    CHECK(reference_calls > 10);
    for (n = 1; n <= reference_calls; n++) {
        life L;
        reset_world();
        fa_reset(FA_EVERY, n);
        run_lifecycle(&L);
        CHECK(FA.failed >= 1);
        check_lifecycle(&L, "every n-th allocation fails");
    }
}

static void test_alloc_runs_dry(void) {
    uint64_t k;
    for (k = 1; k <= reference_calls + 1; k++) {
        life L;
        reset_world();
        fa_reset(FA_FROM, k);
        run_lifecycle(&L);
        check_lifecycle(&L, "every allocation from the k-th on fails");
    }
}

/*--- transport faults ---*/
/* One trace and one flush with the transport answering as armed in TP; returns the flush status. */
static int one_flush(dd_counters *k, int retries) {
    dd_tracer_config c = fault_config();
    dd_tracer *t;
    dd_span *s;
    int rc;
    c.send_retries = retries;
    ENV = NULL;
    t = dd_tracer_new(&c);
    CHECK(t != NULL);
    s = dd_span_start(t, NULL);
    dd_span_finish(dd_span_start_child(s, "child"));
    dd_span_finish(s);
    rc = dd_tracer_flush(t);
    dd_tracer_counters(t, k);
    dd_tracer_free(t);
    return rc;
}

static void test_transport_no_answer(void) {
    dd_counters k;
    reset_world();
    fa_reset(FA_NONE, 0);
    TP.fail = -1; /* no answer after the request was written: maybe received, never resent */
    CHECK_EQ_INT(one_flush(&k, 2), DD_ERR_TRANSPORT);
    CHECK_EQ_INT(TP.calls, 1);
    CHECK_EQ_U64(k.requests_failed, 1);
    CHECK_EQ_U64(k.requests_retried, 0);
    CHECK_EQ_U64(k.requests_sent, 0);
    CHECK_EQ_U64(k.requests_unconfirmed, 1);
    CHECK_EQ_U64(k.chunks_unconfirmed, 1);
    CHECK_EQ_U64(k.spans_unconfirmed, 2);
    CHECK_EQ_U64(k.chunks_dropped_send, 0);
    CHECK_EQ_U64(k.spans_pending, 0);
    CHECK_EQ_U64(FA.live, 0);
}

static int64_t real_ms(void);
/* The agent unreachable (the transport says the request surely did not reach it): the payload is
 * kept and tried again after a backoff, within the flush's deadline; what is still held when
 * dd_tracer_free's deadline passes is dropped and counted as such. */
static void test_transport_not_sent(void) {
    dd_tracer_config c = fault_config();
    dd_tracer *t;
    dd_counters k;
    dd_span *s;
    int64_t t0;
    reset_world();
    fa_reset(FA_NONE, 0);
    TP.fail = DD_TRANSPORT_NOT_SENT;
    c.shutdown_timeout_ms = 400; /* also the bound on dd_tracer_flush */
    c.request_timeout_ms = 300;
    ENV = NULL;
    t = dd_tracer_new(&c);
    s = dd_span_start(t, NULL);
    dd_span_finish(dd_span_start_child(s, "child"));
    dd_span_finish(s);
    t0 = real_ms();
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_TRANSPORT);
    CHECK(real_ms() - t0 < 400 + 300);
    dd_tracer_counters(t, &k);
    CHECK(TP.calls >= 2); /* tried again after 100-200 ms */
    CHECK(TP.calls <= 4); /* with a backoff, not in a loop */
    CHECK_EQ_U64(k.requests_deferred, (uint64_t)TP.calls);
    CHECK_EQ_U64(k.spans_pending, 2); /* kept */
    /* the agent is back: the next flush delivers the same payload once */
    TP.fail = 0;
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(TP.accepted_spans, 2);
    CHECK_EQ_U64(k.spans_sent, 2);
    CHECK_EQ_U64(k.spans_pending, 0);
    /* down again at shutdown: dropped within the deadline, counted */
    TP.fail = DD_TRANSPORT_NOT_SENT;
    dd_span_finish(dd_span_start(t, NULL));
    t0 = real_ms();
    dd_tracer_free(t);
    CHECK(real_ms() - t0 < 400 + 300);
    CHECK_EQ_U64(FA.live, 0);
}

/* Every kind of status: retried only when the agent surely did not process the payload (408,
 * 429, 503), always counted, never a crash. (A status left at 0: test_transport_status_unset.) */
static void test_transport_statuses(void) {
    static const struct { int status, retried, rc; } cases[] = {
        {200, 0, DD_OK}, {202, 0, DD_OK}, {299, 0, DD_OK}, {-5, 0, DD_ERR_HTTP},
        {99, 0, DD_ERR_HTTP}, {100, 0, DD_ERR_HTTP}, {301, 0, DD_ERR_HTTP}, {400, 0, DD_ERR_HTTP},
        {404, 0, DD_ERR_HTTP}, {408, 1, DD_ERR_HTTP}, {413, 0, DD_ERR_HTTP}, {429, 1, DD_ERR_HTTP},
        {500, 0, DD_ERR_HTTP}, {503, 1, DD_ERR_HTTP}, {999, 0, DD_ERR_HTTP}, {100000, 0, DD_ERR_HTTP}};
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dd_counters k;
        int ok2xx = cases[i].status >= 200 && cases[i].status < 300;
        reset_world();
        fa_reset(FA_NONE, 0);
        TP.status = cases[i].status;
        TP.body = "{}";
        TP.body_len = 2;
        CHECK_EQ_INT(one_flush(&k, 1), cases[i].rc);
        CHECK_EQ_INT(TP.calls, cases[i].retried ? 2 : 1);
        CHECK_EQ_U64(k.spans_pending, 0);
        CHECK_EQ_U64(k.requests_sent, ok2xx ? 1 : 0);
        CHECK_EQ_U64(k.requests_failed, ok2xx ? 0 : (uint64_t)TP.calls);
        CHECK_EQ_U64(k.chunks_sent + k.chunks_dropped_send, 1);
        CHECK_EQ_U64(k.spans_dropped_send, ok2xx ? 0 : 2);
        CHECK_EQ_U64(FA.live, 0);
    }
}

/* A transport that answers 0 without touching the response: status 0 is no answer to retry. */
static int silent_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u;
    (void)req;
    (void)resp;
    TP.calls++;
    return 0;
}
static void test_transport_status_unset(void) {
    dd_tracer_config c = fault_config();
    dd_tracer *t;
    dd_counters k;
    reset_world();
    fa_reset(FA_NONE, 0);
    c.transport_fn = silent_transport;
    c.send_retries = 1;
    ENV = NULL;
    t = dd_tracer_new(&c);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_HTTP);
    dd_tracer_counters(t, &k);
    CHECK_EQ_INT(TP.calls, 1);
    CHECK_EQ_U64(k.requests_failed, 1);
    CHECK_EQ_U64(k.chunks_dropped_send, 1);
    dd_tracer_free(t);
    CHECK_EQ_U64(FA.live, 0);
}

/* 2xx answers with garbage bodies: accepted (the payload arrived), counted invalid, rates kept. */
static void test_transport_garbage_bodies(void) {
    static const char *texts[] = {"OK", "{", "{\"rate_by_service\":", "{\"rate_by_service\":[]}",
                                  "{\"rate_by_service\":{\"service:,env:\":2}}",
                                  "{\"rate_by_service\":{\"service:,env:\":\"0.5\"}}",
                                  "{\"rate_by_service\":{\"service:,env:\":-0.1}}", "null", "[]",
                                  "{\"rate_by_service\":{\"service:,env:\":1e999}}"};
    size_t i, big_n = 1 << 20;
    char *big;
    dd_counters k;
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *exact;
        size_t n = strlen(texts[i]);
        reset_world();
        fa_reset(FA_NONE, 0);
        exact = (char *)malloc(n); /* unterminated, exactly sized: ASan sees any over-read */
        memcpy(exact, texts[i], n);
        TP.body = exact;
        TP.body_len = n;
        CHECK_EQ_INT(one_flush(&k, 1), DD_OK);
        CHECK_EQ_U64(k.requests_sent, 1);
        CHECK_EQ_U64(k.chunks_sent, 1);
        CHECK_EQ_U64(k.responses_invalid, 1);
        free(exact);
    }
    /* binary bytes, a NUL inside */
    reset_world();
    fa_reset(FA_NONE, 0);
    TP.body = "{\"rate_by_service\":{\"a\0b\":0.5}}\xff\xfe";
    TP.body_len = 34;
    CHECK_EQ_INT(one_flush(&k, 1), DD_OK);
    CHECK_EQ_U64(k.responses_invalid, 1);
    /* a NULL body with a length, an empty body */
    reset_world();
    TP.body = "";
    TP.body_len = 0;
    CHECK_EQ_INT(one_flush(&k, 1), DD_OK);
    CHECK_EQ_U64(k.responses_invalid, 1);
    /* 1 MiB of '[': nesting far past the JSON reader's depth limit, no recursion */
    reset_world();
    big = (char *)malloc(big_n);
    memset(big, '[', big_n);
    TP.body = big;
    TP.body_len = big_n;
    CHECK_EQ_INT(one_flush(&k, 1), DD_OK);
    CHECK_EQ_U64(k.responses_invalid, 1);
    /* 1 MiB of a valid object with thousands of rates: more than the sampler keeps */
    reset_world();
    {
        size_t o = 0;
        int r = 0;
        o += (size_t)sprintf(big + o, "{\"rate_by_service\":{");
        while (o + 64 < big_n) {
            o += (size_t)sprintf(big + o, "%s\"service:s%d,env:e\":0.5", r ? "," : "", r);
            r++;
        }
        o += (size_t)sprintf(big + o, "}}");
        TP.body = big;
        TP.body_len = o;
        CHECK_EQ_INT(one_flush(&k, 1), DD_OK);
        CHECK_EQ_U64(k.responses_invalid, 0);
    }
    free(big);
    CHECK_EQ_U64(FA.live, 0);
}

/*--- the agent sender against an agent that hangs ---*/
typedef struct stall_server {
    int lfd;
    int port;
    const char *reply;  /* written after the request head arrives; NULL: never accept */
    int stop;
    pthread_t th;
} stall_server;

static void *stall_main(void *arg) {
    stall_server *s = (stall_server *)arg;
    while (!s->stop) {
        char buf[4096];
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0) break;
        if (read(fd, buf, sizeof buf) > 0 && s->reply) {
            ssize_t w = write(fd, s->reply, strlen(s->reply));
            (void)w;
        }
        while (!s->stop) { /* hang: keep the connection open, answer nothing more */
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
        }
        close(fd);
    }
    return NULL;
}

static int stall_open(stall_server *s, const char *reply, int accept_thread) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    memset(s, 0, sizeof *s);
    s->reply = reply;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->lfd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->lfd, 8) != 0
        || getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    s->port = ntohs(a.sin_port);
    if (accept_thread && pthread_create(&s->th, NULL, stall_main, s) != 0) return -1;
    return 0;
}
static void stall_close(stall_server *s, int accept_thread) {
    s->stop = 1;
    shutdown(s->lfd, SHUT_RDWR);
    close(s->lfd);
    if (accept_thread) pthread_join(s->th, NULL);
}

static int64_t real_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The agent accepts the connection (or leaves it in the backlog) and never answers, or answers
 * half a response and stalls: the attempt ends at the tracer's request deadline (300 ms, handed
 * to dd_sender.h as req->timeout_ms; the sender's own timeout is 5 s), the flush returns
 * DD_ERR_TRANSPORT, and the chunk is counted unconfirmed and not sent again. */
static void hang_case(const char *reply, int accept_thread) {
    stall_server srv;
    dd_sender *snd;
    dd_sender_options o;
    dd_sender_stats sk;
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    char url[64];
    int64_t t0, ms;
    if (!CHECK(stall_open(&srv, reply, accept_thread) == 0)) return;
    snprintf(url, sizeof url, "http://127.0.0.1:%d", srv.port);
    dd_sender_options_init(&o);
    o.url = url;
    o.timeout_ms = 5000; /* not the one that applies: the tracer's request deadline is */
    snd = dd_sender_new(&o);
    CHECK(snd != NULL);
    reset_world();
    fa_reset(FA_NONE, 0);
    c = fault_config();
    c.transport_fn = dd_sender_transport;
    c.transport_user = snd;
    c.request_timeout_ms = 300;
    c.send_retries = 1;
    ENV = NULL;
    t = dd_tracer_new(&c);
    dd_span_finish(dd_span_start(t, NULL));
    t0 = real_ms();
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_TRANSPORT);
    ms = real_ms() - t0;
    CHECK(ms >= 250);  /* the attempt waited for its 300 ms */
    CHECK(ms < 1500);  /* and was not repeated: the request was written, the agent may have it */
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.requests_failed, 1);
    CHECK_EQ_U64(k.requests_retried, 0);
    CHECK_EQ_U64(k.chunks_unconfirmed, 1);
    dd_sender_counters(snd, &sk);
    CHECK_EQ_U64(sk.timeouts, 1);
    CHECK_EQ_U64(sk.unconfirmed, 1); /* the request went out whole */
    dd_tracer_free(t);
    dd_sender_free(snd);
    stall_close(&srv, accept_thread);
    CHECK_EQ_U64(FA.live, 0);
}
static void test_sender_hangs_in_backlog(void) { hang_case(NULL, 0); }
static void test_sender_hangs_after_accept(void) { hang_case(NULL, 1); }
static void test_sender_hangs_mid_response(void) {
    hang_case("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"rate", 1);
}

/*--- clocks going backwards ---*/
/* Reads the "start" and "duration" of every span of a request body. */
static int64_t seen_start[64], seen_dur[64];
static size_t n_seen;
static int clock_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    dd_mp_reader r;
    uint32_t nc, ns, nk, i, j, f;
    (void)u;
    dd_mp_reader_init(&r, req->body, req->body_len);
    if (dd_mp_read_array(&r, &nc) != DD_OK) return -1;
    for (i = 0; i < nc; i++) {
        if (dd_mp_read_array(&r, &ns) != DD_OK) return -1;
        for (j = 0; j < ns; j++) {
            if (dd_mp_read_map(&r, &nk) != DD_OK) return -1;
            for (f = 0; f < nk; f++) {
                const char *key;
                uint32_t kl;
                int64_t v = 0;
                if (dd_mp_read_str(&r, &key, &kl) != DD_OK) return -1;
                if ((kl == 5 && memcmp(key, "start", 5) == 0) || (kl == 8 && memcmp(key, "duration", 8) == 0)) {
                    if (dd_mp_read_i64(&r, &v) != DD_OK) return -1;
                    if (n_seen < 64) (key[0] == 's' ? seen_start : seen_dur)[n_seen] = v;
                } else if (dd_mp_skip(&r) != DD_OK) {
                    return -1;
                }
            }
            n_seen++;
        }
    }
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}

static void test_clock_backwards_durations(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    dd_counters k;
    size_t i;
    reset_world();
    fa_reset(FA_NONE, 0);
    n_seen = 0;
    c = fault_config();
    c.transport_fn = clock_transport;
    c.flush_interval_ms = 10; /* an interval that a backwards clock must not turn into a storm */
    ENV = NULL;
    CLK_STEP = -INT64_C(1000000000); /* every read: one second earlier */
    t = dd_tracer_new(&c);
    root = dd_span_start(t, NULL);
    child = dd_span_start_child(root, "child");
    dd_span_finish(child);
    dd_span_finish_at(root, INT64_C(5)); /* an end long before the start */
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_encoded, 2);
    CHECK_EQ_U64(n_seen, 2);
    for (i = 0; i < n_seen && i < 64; i++) {
        CHECK(seen_dur[i] == 0); /* a clock going backwards gives duration 0, never negative */
        CHECK(seen_start[i] > INT64_C(1700000000000000000));
    }
    /* many traces with the clock still running backwards: all sent, counters add up */
    for (i = 0; i < 100; i++) dd_span_finish(dd_span_start_child(dd_span_start(t, NULL), "x"));
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_started, 202);
    CHECK_EQ_U64(k.spans_finished, 100 + 2);
    dd_tracer_free(t); /* the 100 roots were never finished: dropped with their segments */
    CHECK_EQ_U64(FA.live, 0);
}

/* Clocks jumping between the ends of their range (0 and 2^62 ns, the year 2116; SECURITY.md: clock
 * hooks return nanoseconds in [0, 2^62]) and explicit times anywhere in it: no signed overflow
 * (UBSan runs this), durations never negative, the payload still well-formed, the counters still
 * add up. */
static const int64_t extreme_vals[] = {0, 1, INT64_C(1) << 62, (INT64_C(1) << 62) - 1, INT64_C(1732170000000000000),
                                       INT64_C(1) << 40, INT64_C(3) << 60};
static size_t extreme_i;
static int64_t clk_extreme(void *u) {
    (void)u;
    return extreme_vals[extreme_i++ % (sizeof extreme_vals / sizeof extreme_vals[0])];
}
static void test_clock_extremes(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    size_t i, j;
    reset_world();
    fa_reset(FA_NONE, 0);
    n_seen = 0;
    c = fault_config();
    c.transport_fn = clock_transport;
    c.wall_ns_fn = clk_extreme;
    c.mono_ns_fn = clk_extreme;
    c.flush_interval_ms = 1;
    ENV = NULL;
    extreme_i = 0;
    t = dd_tracer_new(&c);
    for (i = 0; i < 7; i++) {
        for (j = 0; j < 7; j++) {
            dd_span_options o;
            dd_span *r, *ch;
            memset(&o, 0, sizeof o);
            o.start_ns = extreme_vals[i];
            r = dd_span_start(t, &o);
            ch = dd_span_start_child(r, "child");
            dd_span_set_start(ch, extreme_vals[j]);
            dd_span_finish(ch);
            dd_span_finish_at(r, extreme_vals[j]);
        }
    }
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_finished, 98);
    CHECK_EQ_U64(k.spans_encoded + k.spans_dropped_buffer, 98);
    CHECK_EQ_U64(n_seen, k.spans_encoded); /* every request decoded */
    for (i = 0; i < n_seen && i < 64; i++) CHECK(seen_dur[i] >= 0);
    dd_tracer_free(t);
    CHECK_EQ_U64(FA.live, 0);
}

/* The rate limiter with the monotonic clock going backwards refills nothing: with
 * DD_TRACE_RATE_LIMIT=2 only the bucket's first 2 traces are kept (docs/sampling.md). */
static void test_clock_backwards_rate_limiter(void) {
    static const char *const env[] = {"DD_TRACE_SAMPLE_RATE", "1", "DD_TRACE_RATE_LIMIT", "2", NULL};
    dd_tracer_config c;
    dd_tracer *t;
    int i, kept = 0, rejected = 0;
    reset_world();
    fa_reset(FA_NONE, 0);
    c = fault_config();
    ENV = env;
    CLK_STEP = -INT64_C(700000000);
    t = dd_tracer_new(&c);
    for (i = 0; i < 50; i++) {
        dd_trace_context ctx;
        dd_span *s = dd_span_start(t, NULL);
        dd_span_context(s, &ctx);
        if (ctx.sampling_priority == DD_PRIORITY_USER_KEEP) kept++;
        if (ctx.sampling_priority == DD_PRIORITY_USER_REJECT) rejected++;
        dd_span_finish(s);
    }
    CHECK_EQ_INT(kept, 2);
    CHECK_EQ_INT(rejected, 48);
    /* the clock going forward again: tokens come back */
    CLK_MONO = INT64_C(1000000) + INT64_C(10000000000); /* 10 s after the first decision */
    CLK_STEP = 1000;
    {
        dd_trace_context ctx;
        dd_span *s = dd_span_start(t, NULL);
        dd_span_context(s, &ctx);
        CHECK_EQ_INT(ctx.sampling_priority, DD_PRIORITY_USER_KEEP);
        dd_span_finish(s);
    }
    dd_tracer_free(t);
    CHECK_EQ_U64(FA.live, 0);
}

/*--- callbacks that re-enter the tracer ---*/
/* An instrumented HTTP client traces its own requests, and a log hook may read the counters: the
 * tracer calls no hook with its lock held, so neither may deadlock, and the transport's own spans
 * are counted like any other. alarm() turns a deadlock into a failure of the whole program. */
static dd_tracer *reenter_tracer;
static int reenter_logs;
static int reenter_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    dd_span *s = dd_span_start(reenter_tracer, NULL); /* the HTTP client's own span */
    dd_counters k;
    dd_span_set_name(s, "http.request");
    dd_span_finish(s); /* may try an automatic flush: one is running, it must not wait for itself */
    dd_tracer_counters(reenter_tracer, &k);
    return tp_transport(u, req, resp);
}
static void reenter_log(void *u, int level, const char *msg, size_t len) {
    dd_counters k;
    (void)u, (void)level, (void)msg, (void)len;
    if (reenter_tracer) dd_tracer_counters(reenter_tracer, &k);
    reenter_logs++;
}
static void test_callbacks_reenter(void) {
    static const char *const env[] = {"DD_TRACE_DEBUG", "true", NULL};
    dd_tracer_config c;
    dd_counters k;
    int i;
    reset_world();
    fa_reset(FA_NONE, 0);
    c = fault_config();
    c.transport_fn = reenter_transport;
    c.log_fn = reenter_log;
    c.flush_bytes = 1; /* every finished trace asks for a flush */
    ENV = env;
    reenter_logs = 0;
    alarm(60);
    reenter_tracer = dd_tracer_new(&c);
    for (i = 0; i < 20; i++) dd_span_finish(dd_span_start_child(dd_span_start(reenter_tracer, NULL), "x"));
    for (i = 0; i < 20; i++) {
        dd_span *r = dd_span_start(reenter_tracer, NULL);
        dd_span_finish(dd_span_start_child(r, "y"));
        dd_span_finish(r);
    }
    CHECK_EQ_INT(dd_tracer_flush(reenter_tracer), DD_OK);
    CHECK_EQ_INT(dd_tracer_flush(reenter_tracer), DD_OK); /* the transport's last spans */
    dd_tracer_counters(reenter_tracer, &k);
    alarm(0);
    /* 20 unfinished roots (their children finished), 20 whole traces, one span per request */
    CHECK_EQ_U64(k.spans_started, 20 * 2 + 20 * 2 + k.requests_sent + k.requests_failed);
    CHECK_EQ_U64(k.spans_finished, k.spans_started - 20);
    CHECK(k.requests_sent >= 2);
    CHECK_EQ_U64(k.requests_failed, 0);
    CHECK(reenter_logs > 0);
    dd_tracer_free(reenter_tracer);
    reenter_tracer = NULL;
    CHECK_EQ_U64(FA.live, 0);
}

/*--- fork() during a flush ---*/
static int gate_in[2], gate_out[2]; /* transport -> forker: "inside"; forker -> transport: "go on" */
static pid_t parent_pid;
static uint64_t child_spans_sent;
static int fork_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    char b = 0;
    uint64_t chunks = 0, spans = 0;
    (void)u;
    if (getpid() == parent_pid) {
        ssize_t w = write(gate_in[1], "i", 1), r;
        (void)w;
        r = read(gate_out[0], &b, 1); /* held here while the other thread forks */
        (void)r;
    } else if (count_body(req->body, req->body_len, &chunks, &spans) == 0) {
        child_spans_sent += spans;
    }
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}
static void child_work(dd_tracer *t);
static dd_tracer *fork_tracer;
static void *forker_main(void *arg) {
    pid_t *pid = (pid_t *)arg;
    char b;
    ssize_t r = read(gate_in[0], &b, 1); /* the flush is inside the transport */
    (void)r;
    *pid = fork();
    if (*pid == 0) child_work(fork_tracer); /* the child: only this thread exists there */
    return NULL;
}
static void child_work(dd_tracer *t) {
    dd_span *s;
    dd_counters k;
    int rc;
    alarm(10); /* a deadlocked child dies of SIGALRM, which the parent reports */
    s = dd_span_start(t, NULL);
    dd_span_finish(dd_span_start_child(s, "in.child"));
    dd_span_finish(s);
    rc = dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    dd_tracer_free(t); /* the child's copy of the tracer is the child's to free */
    /* the child sends its own two spans, and not the parent's chunk that was in flight */
    _exit(rc == DD_OK && child_spans_sent == 2 && k.spans_finished == 3 ? 0 : 3);
}
static void *flusher_main(void *arg) {
    dd_tracer_flush((dd_tracer *)arg);
    return NULL;
}
static void test_fork_during_flush(void) {
    dd_tracer_config c;
    dd_tracer *t;
    pthread_t forker, flusher;
    pid_t pid = -1;
    int status = 0;
    reset_world();
    fa_reset(FA_NONE, 0);
    c = fault_config();
    c.transport_fn = fork_transport;
    c.delivery = DD_DELIVERY_BACKGROUND; /* the worker is inside the transport when fork() comes */
    c.allocator.alloc_fn = NULL; /* the child must not share the test's counters */
    c.allocator.free_fn = NULL;
    c.random_fn = NULL;
    c.wall_ns_fn = NULL;
    c.mono_ns_fn = NULL;
    ENV = NULL;
    parent_pid = getpid();
    child_spans_sent = 0;
    if (!CHECK(pipe(gate_in) == 0 && pipe(gate_out) == 0)) return;
    t = dd_tracer_new(&c);
    fork_tracer = t;
    dd_span_finish(dd_span_start(t, NULL));
    pthread_create(&forker, NULL, forker_main, &pid);
    pthread_create(&flusher, NULL, flusher_main, t);
    pthread_join(forker, NULL);
    {
        ssize_t w = write(gate_out[1], "g", 1); /* let the parent's flush finish */
        (void)w;
    }
    pthread_join(flusher, NULL);
    CHECK(pid > 0);
    if (pid > 0) {
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
        if (WIFSIGNALED(status))
            fprintf(stderr, "    child killed by signal %d (%s)\n", WTERMSIG(status),
                    WTERMSIG(status) == SIGALRM ? "deadlocked in the tracer" : "crashed");
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    dd_tracer_free(t);
    close(gate_in[0]), close(gate_in[1]), close(gate_out[0]), close(gate_out[1]);
}

/*--- fork(): the child's counters ---*/
/* In a fork()ed child every span the parent had finished and not resolved (buffered, queued, in
 * flight, being encoded) is counted once in spans_dropped_shutdown: its spans_pending is 0, then
 * its own spans are sent. Each case forks at a chosen moment of the parent's worker. */
static pthread_t fk_main;
static int fk_in[2], fk_out[2];   /* gate: the parent's worker -> forker "inside", forker -> worker "go on" */
static volatile int fk_armed;     /* the allocator gate (case 3) */
static volatile int fk_block_call; /* the transport gate: the call number that waits (case 2) */
static int fk_calls;
static pid_t fk_parent;
static uint64_t fk_sent_spans;    /* spans the transport accepted, in this process */

static void fk_gate(void) { /* on the parent's worker: tell the forker, wait until it forked */
    char b = 0;
    ssize_t w = write(fk_in[1], "i", 1), r;
    (void)w;
    r = read(fk_out[0], &b, 1);
    (void)r;
}
static int fk_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    uint64_t chunks = 0, spans = 0;
    (void)u;
    if (getpid() == fk_parent && ++fk_calls == fk_block_call) fk_gate();
    if (count_body(req->body, req->body_len, &chunks, &spans) == 0) fk_sent_spans += spans;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}
static size_t fk_gate_bytes; /* an allocation this large, off the main thread, waits at the gate */
static void *fk_alloc(void *u, size_t n) {
    (void)u;
    if (fk_armed && n >= fk_gate_bytes && !pthread_equal(pthread_self(), fk_main) && getpid() == fk_parent) {
        fk_armed = 0;
        fk_gate(); /* off the lock: the worker encoding queued traces (case 3), a thread
                      encoding the trace it finished (case 4) */
    }
    return malloc(n);
}
static void fk_free(void *u, void *p, size_t n) {
    (void)u, (void)n;
    free(p);
}
static dd_tracer *fk_new(uint64_t max_request_bytes) {
    static int gates;
    dd_tracer_config c;
    if (!gates) gates = pipe(fk_in) == 0 && pipe(fk_out) == 0;
    memset(&c, 0, sizeof c);
    c.getenv_fn = env_get;
    c.cgroup_path = "";
    c.transport_fn = fk_transport;
    c.allocator.alloc_fn = fk_alloc;
    c.allocator.free_fn = fk_free;
    c.delivery = DD_DELIVERY_BACKGROUND;
    c.flush_interval_ms = 600000; /* only the test's flushes deliver */
    c.shutdown_timeout_ms = 3000;
    c.request_timeout_ms = 1000;
    c.max_request_bytes = max_request_bytes;
    c.startup_logs = DD_OFF;
    ENV = NULL;
    fk_parent = getpid();
    fk_main = pthread_self();
    fk_armed = 0;
    fk_block_call = 0;
    fk_calls = 0;
    fk_sent_spans = 0;
    return dd_tracer_new(&c);
}
static void fk_trace(dd_tracer *t, int children, size_t tag_bytes) { /* one local trace */
    static char big[4096];
    dd_span *root = dd_span_start(t, NULL);
    int i;
    memset(big, 'x', sizeof big - 1);
    if (tag_bytes) dd_span_set_tag(root, "payload", big + sizeof big - 1 - tag_bytes);
    for (i = 0; i < children; i++) dd_span_finish(dd_span_start_child(root, "child"));
    dd_span_finish(root);
}
/* The child: its counters right after fork(), then its own span sent. Never returns. */
static void fk_child(dd_tracer *t, uint64_t dropped) {
    dd_counters k;
    uint64_t sent;
    int code = 0, rc;
    alarm(10); /* a child blocked for ever dies of SIGALRM, which the parent reports */
    fk_sent_spans = 0;
    dd_tracer_counters(t, &k);
    sent = k.spans_sent; /* what the parent had sent before */
    if (k.spans_dropped_shutdown != dropped || k.spans_pending != 0 || k.spans_open != 0) {
        fprintf(stderr, "    child after fork: spans_dropped_shutdown=%llu (want %llu) spans_pending=%lld\n",
                (unsigned long long)k.spans_dropped_shutdown, (unsigned long long)dropped, (long long)k.spans_pending);
        code = 3;
    }
    fk_trace(t, 0, 0);
    rc = dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    if (!code && (rc != DD_OK || fk_sent_spans != 1 || k.spans_sent != sent + 1 || k.spans_pending != 0
                  || k.spans_dropped_shutdown != dropped)) {
        fprintf(stderr, "    child's flush: rc=%d transport got %llu spans, spans_sent=%llu spans_pending=%lld\n", rc,
                (unsigned long long)fk_sent_spans, (unsigned long long)k.spans_sent, (long long)k.spans_pending);
        code = 4;
    }
    dd_tracer_free(t);
    _exit(code);
}
static int fk_wait(pid_t pid) { /* CHECKs the child's exit; 1 when it passed */
    int status = 0;
    if (!CHECK(pid > 0)) return 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        fprintf(stderr, "    child killed by signal %d (%s)\n", WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? "blocked for ever" : "crashed");
    return CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
static void fk_spin_us(int us) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

/* Case 1 (the bindings' fork tests): fork() right after the first finished trace, which starts
 * the worker; the fork comes at varied moments of the new thread's start-up. The parent's trace
 * is buffered at the fork: the child drops it (1), sends its own (1); the parent sends its own. */
static void test_fork_as_worker_starts(void) {
    int i;
    for (i = 0; i < 64; i++) {
        dd_tracer *t = fk_new(0);
        dd_counters k;
        pid_t pid;
        if (!CHECK(t != NULL)) return;
        fk_trace(t, 0, 0);
        fk_spin_us(i % 16 * 8);
        pid = fork();
        if (pid == 0) fk_child(t, 1);
        if (!fk_wait(pid)) {
            fprintf(stderr, "    (iteration %d)\n", i);
            dd_tracer_free(t);
            return;
        }
        CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
        dd_tracer_counters(t, &k);
        CHECK_EQ_U64(k.spans_sent, 1);
        CHECK_EQ_U64(k.spans_dropped_shutdown, 0);
        dd_tracer_free(t);
    }
}

static dd_tracer *fk_tracer;
static volatile pid_t fk_pid;
static volatile uint64_t fk_dropped;
static void *fk_forker(void *arg) {
    char b;
    struct pollfd pfd;
    ssize_t r;
    pid_t pid;
    (void)arg;
    pfd.fd = fk_in[0];
    pfd.events = POLLIN;
    if (poll(&pfd, 1, 20000) != 1) { /* the gate was never reached: reported by fk_wait */
        fk_armed = 0;
        return NULL;
    }
    r = read(fk_in[0], &b, 1); /* the other thread is at the gate */
    (void)r;
    pid = fork();
    if (pid == 0) fk_child(fk_tracer, fk_dropped); /* only this thread exists there */
    fk_pid = pid;
    return NULL;
}
static void *fk_flusher(void *arg) {
    dd_tracer_flush((dd_tracer *)arg);
    return NULL;
}
static void *fk_finisher(void *arg) {
    fk_trace((dd_tracer *)arg, 299, 0); /* 300 spans: encoded by this thread (estimated under 64 KiB) */
    return NULL;
}
/* Forks while `fn` on another thread (a flush of the buffered traces, or a finishing trace) is at
 * the gate; the parent then lets it finish. */
static void fk_fork_at_gate(dd_tracer *t, uint64_t dropped, void *(*fn)(void *)) {
    pthread_t forker, flusher;
    fk_tracer = t;
    fk_dropped = dropped;
    fk_pid = -1;
    pthread_create(&forker, NULL, fk_forker, NULL);
    pthread_create(&flusher, NULL, fn, t);
    pthread_join(forker, NULL);
    {
        ssize_t w = write(fk_out[1], "g", 1); /* the parent's flush goes on */
        (void)w;
    }
    pthread_join(flusher, NULL);
    fk_wait(fk_pid);
}

/* Case 2: fork() while a flush is inside its second request, the first one already answered
 * 200: the parent counts that one sent when its pass ends; in the child the whole payload is the
 * parent's (3 spans dropped), none of it sent. */
static void test_fork_between_requests(void) {
    dd_tracer *t = fk_new(5000); /* one 3 KB chunk per request */
    dd_counters k;
    int i;
    if (!CHECK(t != NULL)) return;
    for (i = 0; i < 3; i++) fk_trace(t, 0, 3000); /* 3 KB each: one chunk per request */
    fk_block_call = 2;
    fk_fork_at_gate(t, 3, fk_flusher);
    dd_tracer_counters(t, &k);
    CHECK_EQ_INT(fk_calls, 3);
    CHECK_EQ_U64(k.requests_sent, 3);
    CHECK_EQ_U64(k.spans_sent, 3);
    CHECK_EQ_U64(k.spans_pending, 0);
    dd_tracer_free(t);
}

/* Case 3: fork() while the worker encodes the queued traces (large ones are left to it) into the
 * in-flight payload, off the lock: one (500 spans) is in the payload already, the next (3000) is
 * being encoded, and both are still listed as in flight. Each is counted once in the child, with
 * the small trace encoded when it finished (1). */
static void test_fork_while_worker_encodes(void) {
    dd_tracer *t = fk_new(0);
    dd_counters k;
    if (!CHECK(t != NULL)) return;
    fk_trace(t, 0, 0);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* the worker runs and has its buffers */
    fk_trace(t, 0, 0);    /* encoded on this thread */
    fk_trace(t, 499, 0);  /* queued for the worker (estimated over 64 KiB) */
    fk_trace(t, 2999, 0); /* queued; its encoding grows the worker's encoder past the gate */
    fk_gate_bytes = 256u << 10; /* only the worker's encoder grows this much at once */
    fk_armed = 1;
    fk_fork_at_gate(t, 1 + 500 + 3000, fk_flusher);
    CHECK(!fk_armed); /* the fork came at the gate */
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_sent, 1 + 1 + 500 + 3000);
    CHECK_EQ_U64(fk_sent_spans, 1 + 1 + 500 + 3000);
    CHECK_EQ_U64(k.spans_pending, 0);
    dd_tracer_free(t);
}

/* Case 4: fork() while another thread encodes the trace it just finished (off the lock, in no
 * list of the tracer): its 300 spans are counted once in the child. */
static void test_fork_while_finisher_encodes(void) {
    dd_tracer *t = fk_new(0);
    dd_counters k;
    if (!CHECK(t != NULL)) return;
    fk_trace(t, 0, 0);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* the worker runs and has its buffers: it is idle */
    fk_gate_bytes = 16u << 10; /* the finishing thread's encoder growing past 16 KiB */
    fk_armed = 1;
    fk_fork_at_gate(t, 300, fk_finisher);
    CHECK(!fk_armed);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_sent, 1 + 300);
    CHECK_EQ_U64(k.spans_pending, 0);
    dd_tracer_free(t);
}

static const test_case cases[] = {
    TEST(test_lifecycle_no_fault),
    TEST(test_alloc_fails_only_kth),
    TEST(test_alloc_fails_every_nth),
    TEST(test_alloc_runs_dry),
    TEST(test_transport_no_answer),
    TEST(test_transport_statuses),
    TEST(test_transport_not_sent),
    TEST(test_transport_status_unset),
    TEST(test_transport_garbage_bodies),
    TEST(test_sender_hangs_in_backlog),
    TEST(test_sender_hangs_after_accept),
    TEST(test_sender_hangs_mid_response),
    TEST(test_clock_backwards_durations),
    TEST(test_clock_backwards_rate_limiter),
    TEST(test_clock_extremes),
    TEST(test_callbacks_reenter),
    TEST(test_fork_during_flush),
    TEST(test_fork_as_worker_starts),
    TEST(test_fork_between_requests),
    TEST(test_fork_while_worker_encodes),
    TEST(test_fork_while_finisher_encodes),
};

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1) return test_run_filtered("faults", cases, sizeof cases / sizeof cases[0], argv[1]);
    return test_run("faults", cases, sizeof cases / sizeof cases[0]);
}
