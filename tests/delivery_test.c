/* tests/delivery_test.c - the delivery contract of dd_trace.h, with an in-process transport (no
 * socket): one that answers at once, hangs (until released, or until req->timeout_ms when it
 * honours deadlines), answers late, answers any status, returns DD_TRANSPORT_NOT_SENT or
 * DD_TRANSPORT_UNCONFIRMED, or answers 413 to bodies over a size. The transport decodes every
 * body (span ids, X-Datadog-Trace-Count) and remembers, per span id, how its last attempt ended.
 *
 *  a. with the default configuration and a transport that hangs, dd_span_finish never waits for
 *     it: over 10^5 traces the worst finish stays <= 100 ms (p50 / p99.9 / max printed), and the
 *     transport is never called on the thread that finishes spans;
 *  b. no span reaches the transport twice unless its previous attempt returned NOT_SENT or was
 *     answered 408, 413 (split in halves), 429 or 503;
 *  c. the counters balance (the equation after dd_counters) while a fault is on, after it
 *     cleared, and the transport's own tallies match spans_sent and spans_unconfirmed;
 *  d. dd_tracer_free returns within shutdown_timeout_ms + 200 ms with a transport that hangs
 *     (honouring req->timeout_ms), answers late, or sends nothing: the last delivery's calls get
 *     deadlines within the shutdown budget; a call already running when free starts (with its
 *     own, longer deadline) may outlive free, and transport_free_fn then comes once, after it;
 *  e. 413 splits a request in halves until it fits; a single chunk too big alone is dropped and
 *     counted in the send drops;
 *  f. after a period of NOT_SENT, delivery resumes within one flush interval of the agent's
 *     return, and nothing deferred was lost;
 * and, under all of them, that a trace finished after the worker emptied the buffer still goes
 * out at the next flush interval (test_interval_flush_after_idle).
 * Expected values come from the contract in dd_trace.h, not from runs. Timed bounds are loose
 * (100 ms, 200 ms) so that a shared machine or ASan does not make them flaky. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static int64_t now_ms(void) { return now_ns() / 1000000; }
static void sleep_ms(int64_t ms) {
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/*=== the transport ===*/

#define XP_OK 0           /* 200 at once                                                     */
#define XP_HANG 1         /* blocks until released (xp_set another mode), whatever timeout_ms */
#define XP_HANG_TIMEOUT 2 /* blocks until released or req->timeout_ms, then UNCONFIRMED      */
#define XP_LATE 3         /* 200 after late_ms, or UNCONFIRMED at req->timeout_ms if sooner
                             (a mode switch before either releases it with the new mode's answer) */
#define XP_STATUS 4       /* answers `status` (429 and 503 with retry_after_ms)               */
#define XP_NOT_SENT 5     /* returns DD_TRANSPORT_NOT_SENT                                     */
#define XP_UNCONFIRMED 6  /* returns DD_TRANSPORT_UNCONFIRMED                                  */
#define XP_413_OVER 7     /* 413 to bodies over limit_413 bytes, else 200                      */
#define XP_SAFETY_MS 10000 /* no call blocks longer, so that a wrong implementation still ends */

/* How the last attempt holding a span ended. */
#define OUT_NONE 0
#define OUT_2XX 1
#define OUT_RETRYABLE 2 /* NOT_SENT, 408, 413, 429, 503: may come again    */
#define OUT_FINAL 3     /* any other status, UNCONFIRMED: must never come again */

#define IDS_BITS 20 /* span ids remembered: 1M slots, at most half used */
typedef struct xp_state {
    pthread_mutex_t mu;
    int mode, status;
    int64_t late_ms, retry_after_ms;
    size_t limit_413;
    unsigned generation; /* bumped by xp_set: releases a hanging call */
    pthread_t main_thread;
    /* what it saw */
    uint64_t calls, calls_on_main, concurrent, in_call, bad_user, bad_body, bad_count, bad_timeout;
    uint64_t resent_bad;         /* (b): a span again after a final outcome     */
    uint64_t resent_ok;          /* spans again after a retryable outcome       */
    uint64_t spans_2xx, spans_unconfirmed, spans_413, calls_413, max_2xx_body;
    int64_t min_timeout_ms, max_timeout_ms;
    int64_t first_2xx_ns; /* monotonic time of the first 2xx since xp_set   */
    uint64_t freed, freed_in_call; /* transport_free_fn calls, and those while a call ran */
    uint64_t *ids;        /* open addressing, 0 = empty                      */
    unsigned char *out;
} xp_state;
static xp_state XP; /* XP.mu is initialised in main */

/* Clears everything the transport saw and arms `mode`. */
static void xp_reset(int mode, int status) {
    pthread_mutex_lock(&XP.mu);
    if (!XP.ids) {
        XP.ids = (uint64_t *)calloc((size_t)1 << IDS_BITS, sizeof *XP.ids);
        XP.out = (unsigned char *)calloc((size_t)1 << IDS_BITS, 1);
    } else {
        memset(XP.ids, 0, ((size_t)1 << IDS_BITS) * sizeof *XP.ids);
        memset(XP.out, 0, (size_t)1 << IDS_BITS);
    }
    XP.mode = mode;
    XP.status = status;
    XP.late_ms = 0;
    XP.retry_after_ms = 0;
    XP.limit_413 = 0;
    XP.generation++;
    XP.main_thread = pthread_self();
    XP.calls = XP.calls_on_main = XP.concurrent = XP.in_call = XP.bad_user = XP.bad_body = XP.bad_count = 0;
    XP.bad_timeout = XP.resent_bad = XP.resent_ok = 0;
    XP.spans_2xx = XP.spans_unconfirmed = XP.spans_413 = XP.calls_413 = XP.max_2xx_body = 0;
    XP.min_timeout_ms = INT64_MAX;
    XP.max_timeout_ms = 0;
    XP.first_2xx_ns = 0;
    XP.freed = XP.freed_in_call = 0;
    pthread_mutex_unlock(&XP.mu);
}
/* Switches mode (a hanging call returns with the new mode's answer). */
static void xp_set(int mode, int status) {
    pthread_mutex_lock(&XP.mu);
    XP.mode = mode;
    XP.status = status;
    XP.generation++;
    XP.first_2xx_ns = 0;
    pthread_mutex_unlock(&XP.mu);
}
static int64_t xp_first_2xx_ns(void) {
    int64_t v;
    pthread_mutex_lock(&XP.mu);
    v = XP.first_2xx_ns;
    pthread_mutex_unlock(&XP.mu);
    return v;
}
static uint64_t xp_get(const uint64_t *field) {
    uint64_t v;
    pthread_mutex_lock(&XP.mu);
    v = *field;
    pthread_mutex_unlock(&XP.mu);
    return v;
}

static size_t id_slot(uint64_t id) { /* under XP.mu */
    size_t mask = ((size_t)1 << IDS_BITS) - 1, i = (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 40) & mask;
    while (XP.ids[i] != 0 && XP.ids[i] != id) i = (i + 1) & mask;
    return i;
}

/* The span ids of a v0.4 body into ids[0..*n) (malloc'd); -1 when it is not one. */
static int body_ids(const uint8_t *b, size_t len, uint64_t **ids, size_t *n, uint32_t *chunks) {
    dd_mp_reader r;
    uint32_t nc, ns, nk, i, j, k;
    size_t cap = 64;
    *n = 0;
    *ids = (uint64_t *)malloc(cap * sizeof **ids);
    if (!*ids) return -1;
    dd_mp_reader_init(&r, b, len);
    if (dd_mp_read_array(&r, &nc) != DD_OK) return -1;
    *chunks = nc;
    for (i = 0; i < nc; i++) {
        if (dd_mp_read_array(&r, &ns) != DD_OK || ns == 0) return -1;
        for (j = 0; j < ns; j++) {
            uint64_t id = 0;
            if (dd_mp_read_map(&r, &nk) != DD_OK) return -1;
            for (k = 0; k < nk; k++) {
                const char *key;
                uint32_t kl;
                if (dd_mp_read_str(&r, &key, &kl) != DD_OK) return -1;
                if (kl == 7 && memcmp(key, "span_id", 7) == 0) {
                    if (dd_mp_read_u64(&r, &id) != DD_OK) return -1;
                } else if (dd_mp_skip(&r) != DD_OK) {
                    return -1;
                }
            }
            if (id == 0) return -1;
            if (*n == cap) {
                uint64_t *p = (uint64_t *)realloc(*ids, 2 * cap * sizeof *p);
                if (!p) return -1;
                *ids = p;
                cap *= 2;
            }
            (*ids)[(*n)++] = id;
        }
    }
    return dd_mp_reader_remaining(&r) == 0 ? 0 : -1;
}

static int xp_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    static const char answer[] = "{\"rate_by_service\":{\"service:,env:\":1}}";
    xp_state *x = &XP; /* `user` must be it (transport_user); a wrong one is counted, not followed */
    uint64_t *ids = NULL, count = 0;
    size_t n = 0, i, h;
    uint32_t chunks = 0;
    int mode, status, rc, outcome;
    unsigned gen;
    int64_t start = now_ms(), wait_until;

    pthread_mutex_lock(&x->mu);
    x->calls++;
    if (x->in_call++) x->concurrent++;
    if (user != (void *)&XP) x->bad_user++;
    if (pthread_equal(pthread_self(), x->main_thread)) x->calls_on_main++;
    if (req->timeout_ms <= 0) x->bad_timeout++;
    if (req->timeout_ms < x->min_timeout_ms) x->min_timeout_ms = req->timeout_ms;
    if (req->timeout_ms > x->max_timeout_ms) x->max_timeout_ms = req->timeout_ms;
    if (body_ids(req->body, req->body_len, &ids, &n, &chunks) != 0) x->bad_body++;
    for (h = 0; h < req->n_headers; h++)
        if (strcmp(req->headers[h].name, "X-Datadog-Trace-Count") == 0)
            dd_u64_from_dec(req->headers[h].value, req->headers[h].value_len, &count);
    if (count != chunks) x->bad_count++;
    for (i = 0; i < n; i++) { /* (b): seen before, the last attempt must have been retryable */
        size_t s = id_slot(ids[i]);
        if (x->ids[s] == ids[i]) {
            if (x->out[s] == OUT_RETRYABLE) x->resent_ok++;
            else x->resent_bad++;
        }
    }
    mode = x->mode;
    status = x->status;
    gen = x->generation;
    pthread_mutex_unlock(&x->mu);

    /* Block as the mode says; a mode switch releases. */
    wait_until = mode == XP_HANG ? start + XP_SAFETY_MS
               : mode == XP_HANG_TIMEOUT ? start + req->timeout_ms
               : mode == XP_LATE ? start + (x->late_ms < req->timeout_ms ? x->late_ms : req->timeout_ms) : start;
    if (wait_until > start + XP_SAFETY_MS) wait_until = start + XP_SAFETY_MS;
    while (now_ms() < wait_until) {
        unsigned g;
        pthread_mutex_lock(&x->mu);
        g = x->generation;
        pthread_mutex_unlock(&x->mu);
        if (g != gen) break;
        sleep_ms(1);
    }
    pthread_mutex_lock(&x->mu);
    if (x->generation != gen) { /* released: answer as the mode now says */
        mode = x->mode;
        status = x->status;
    } else if (mode == XP_HANG || mode == XP_HANG_TIMEOUT
               || (mode == XP_LATE && x->late_ms > req->timeout_ms)) {
        mode = XP_UNCONFIRMED; /* the deadline passed */
    }
    switch (mode) {
    case XP_NOT_SENT: rc = DD_TRANSPORT_NOT_SENT; break;
    case XP_UNCONFIRMED: rc = DD_TRANSPORT_UNCONFIRMED; break;
    case XP_STATUS: rc = DD_TRANSPORT_ANSWERED; break;
    case XP_413_OVER: rc = DD_TRANSPORT_ANSWERED; status = req->body_len > x->limit_413 ? 413 : 200; break;
    default: rc = DD_TRANSPORT_ANSWERED; status = 200; break;
    }
    if (rc == DD_TRANSPORT_ANSWERED) {
        resp->status = status;
        if (status == 429 || status == 503) resp->retry_after_ms = x->retry_after_ms;
        resp->body = status == 200 ? answer : "error\n";
        resp->body_len = strlen(resp->body);
    }
    outcome = rc == DD_TRANSPORT_NOT_SENT ? OUT_RETRYABLE
            : rc != DD_TRANSPORT_ANSWERED ? OUT_FINAL
            : status >= 200 && status < 300 ? OUT_2XX
            : status == 408 || status == 413 || status == 429 || status == 503 ? OUT_RETRYABLE : OUT_FINAL;
    if (outcome == OUT_2XX) {
        x->spans_2xx += n;
        if (req->body_len > x->max_2xx_body) x->max_2xx_body = req->body_len;
        if (!x->first_2xx_ns) x->first_2xx_ns = now_ns();
    }
    if (rc != DD_TRANSPORT_ANSWERED && rc != DD_TRANSPORT_NOT_SENT) x->spans_unconfirmed += n;
    if (rc == DD_TRANSPORT_ANSWERED && status == 413) {
        x->calls_413++;
        x->spans_413 += n;
    }
    for (i = 0; i < n; i++) {
        size_t s = id_slot(ids[i]);
        x->ids[s] = ids[i];
        x->out[s] = (unsigned char)outcome;
    }
    x->in_call--;
    pthread_mutex_unlock(&x->mu);
    free(ids);
    return rc;
}

/* transport_free_fn: the tracer owns the transport and says when it is done with it. */
static void xp_free(void *user) {
    pthread_mutex_lock(&XP.mu);
    if (user != (void *)&XP) XP.bad_user++;
    XP.freed++;
    if (XP.in_call) XP.freed_in_call++;
    pthread_mutex_unlock(&XP.mu);
}

/*=== tracer helpers ===*/

static const char *no_env(void *u, const char *name) {
    (void)u;
    (void)name;
    return NULL;
}

/* The default configuration, but for what makes a test hermetic (no environment, no cgroup
 * file, no startup log) and the transport. */
static dd_tracer_config base_config(void) {
    dd_tracer_config c;
    memset(&c, 0, sizeof c);
    c.service = "delivery-test";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.getenv_fn = no_env;
    c.transport_fn = xp_transport;
    c.transport_user = &XP;
    return c;
}

/* Finishes traces of `spans` spans (root + children, children first) with a few tags. When
 * `lat` is not NULL, the duration of every dd_span_finish goes to lat[(*n_lat)++]. */
static void make_traces(dd_tracer *t, int traces, int spans, int64_t *lat, size_t *n_lat) {
    dd_span *s[16];
    dd_span_options o;
    int i, j;
    if (spans > 16) spans = 16;
    for (i = 0; i < traces; i++) {
        memset(&o, 0, sizeof o);
        o.name = "http.request";
        o.resource = "GET /users/:id";
        s[0] = dd_span_start(t, &o);
        for (j = 1; j < spans; j++) s[j] = dd_span_start_child(s[0], "db.query");
        for (j = 0; j < spans; j++) {
            dd_span_set_tag(s[j], "component", "delivery-test");
            dd_span_set_tag(s[j], "http.url", "https://api.example.com/v1/users/12345");
            dd_span_set_metric(s[j], "http.response.content_length", 1234.0);
        }
        for (j = spans - 1; j >= 0; j--) {
            if (lat) {
                int64_t t0 = now_ns();
                dd_span_finish(s[j]);
                lat[(*n_lat)++] = now_ns() - t0;
            } else {
                dd_span_finish(s[j]);
            }
        }
    }
}

static uint64_t balance_rhs(const dd_counters *k) {
    return k->spans_open + k->spans_pending + k->spans_sent + k->spans_unconfirmed + k->spans_dropped_buffer
         + k->spans_dropped_sampling + k->spans_dropped_send + k->spans_dropped_shutdown;
}
#define CHECK_BALANCE(k, where)                                                                          \
    do {                                                                                                 \
        if (!CHECK_EQ_U64(balance_rhs(k), (k)->spans_started))                                            \
            fprintf(stderr, "    (%s) started %" PRIu64 " = open %" PRIu64 " + pending %" PRIu64           \
                    " + sent %" PRIu64 " + unconfirmed %" PRIu64 " + dropped buffer %" PRIu64              \
                    " sampling %" PRIu64 " send %" PRIu64 " shutdown %" PRIu64 "\n", where,               \
                    (k)->spans_started, (k)->spans_open, (k)->spans_pending, (k)->spans_sent,             \
                    (k)->spans_unconfirmed, (k)->spans_dropped_buffer, (k)->spans_dropped_sampling,       \
                    (k)->spans_dropped_send, (k)->spans_dropped_shutdown);                                \
    } while (0)

/* Waits until nothing is open or pending (the worker delivered or dropped everything); returns
 * the ms it took, or -1 at the deadline. */
static int64_t wait_settled(dd_tracer *t, int64_t deadline_ms, dd_counters *k) {
    int64_t t0 = now_ms();
    for (;;) {
        dd_tracer_counters(t, k);
        if (k->spans_pending == 0 && k->spans_open == 0) return now_ms() - t0;
        if (now_ms() - t0 > deadline_ms) return -1;
        sleep_ms(5);
    }
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/*=== a. span finish never waits for the transport ===*/

#define A_TRACES 100000
#define A_SPANS 3
static void test_finish_latency_hanging_transport(void) {
    dd_tracer_config c = base_config();
    dd_tracer *t;
    dd_counters k;
    int64_t *lat = (int64_t *)malloc(sizeof(int64_t) * A_TRACES * A_SPANS), t0, el;
    size_t n = 0;
    int i;
    if (!CHECK(lat != NULL)) return;
    xp_reset(XP_HANG, 0);
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    t0 = now_ms();
    for (i = 0; i < A_TRACES / 1000; i++) {
        make_traces(t, 1000, A_SPANS, lat, &n);
        if (now_ms() - t0 > 120000) break; /* a finish that waits: no need to go on */
    }
    el = now_ms() - t0;
    dd_tracer_counters(t, &k);
    CHECK_BALANCE(&k, "transport hanging");
    qsort(lat, n, sizeof *lat, cmp_i64);
    printf("# a. %u finishes (%d traces of %d spans) in %" PRId64 " ms, transport hanging: "
           "p50 %.1f us, p99.9 %.1f us, max %.3f ms; sent %" PRIu64 ", dropped (buffer) %" PRIu64
           ", transport calls %" PRIu64 "\n",
           (unsigned)n, (int)(n / A_SPANS), A_SPANS, el, (double)lat[n / 2] / 1e3,
           (double)lat[n - 1 - n / 1000] / 1e3, (double)lat[n - 1] / 1e6, k.spans_sent,
           k.spans_dropped_buffer, xp_get(&XP.calls));
    CHECK(lat[n - 1] <= 100 * 1000000); /* the worst finish <= 100 ms */
    CHECK_EQ_U64(n, (uint64_t)A_TRACES * A_SPANS);
    CHECK_EQ_U64(xp_get(&XP.calls_on_main), 0); /* background: never on the finishing thread */
    xp_set(XP_OK, 0);                          /* release: everything still buffered goes out */
    CHECK(wait_settled(t, 10000, &k) >= 0);
    CHECK_BALANCE(&k, "released");
    CHECK_EQ_U64(xp_get(&XP.resent_bad), 0);
    CHECK_EQ_U64(xp_get(&XP.concurrent), 0);
    CHECK_EQ_U64(xp_get(&XP.spans_2xx), k.spans_sent);
    dd_tracer_free(t);
    free(lat);
}

/*=== the interval flush after an idle pass ===*/

/* A trace that joins an empty buffer, below flush_bytes, goes out within about one flush
 * interval, also after the worker already emptied the buffer once (it has nothing to wait for
 * then but the next trace). */
static void test_interval_flush_after_idle(void) {
    dd_tracer_config c = base_config();
    dd_tracer *t;
    dd_counters k;
    int round;
    c.flush_interval_ms = 50;
    xp_reset(XP_OK, 0);
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    for (round = 1; round <= 3; round++) {
        int64_t took;
        make_traces(t, 10, 2, NULL, NULL);
        took = wait_settled(t, 2000, &k);
        printf("# idle round %d: 10 traces delivered after %" PRId64 " ms (flush interval 50 ms); sent %" PRIu64
               " of %" PRIu64 "\n", round, took, k.spans_sent, k.spans_started);
        if (!CHECK(took >= 0 && took <= 50 + 100))
            fprintf(stderr, "    round %d: still pending after %s\n", round, took < 0 ? "2 s" : "150 ms");
        CHECK_EQ_U64(k.spans_sent, (uint64_t)round * 20);
        sleep_ms(120); /* idle: the worker has emptied the buffer */
    }
    dd_tracer_free(t);
}

/*=== b, c. every fault: no span sent twice after a final outcome, and the counters balance ===*/

typedef struct fault {
    const char *name;
    int mode, status;
    int64_t late_ms;
    int kept; /* 1: the spans of the fault period must all be delivered once it clears */
} fault;
static const fault FAULTS[] = {
    {"200", XP_OK, 0, 0, 1},
    {"400", XP_STATUS, 400, 0, 0},
    {"404", XP_STATUS, 404, 0, 0},
    {"408", XP_STATUS, 408, 0, 0},
    {"413", XP_STATUS, 413, 0, 0},
    {"429", XP_STATUS, 429, 0, 0},
    {"500", XP_STATUS, 500, 0, 0},
    {"503", XP_STATUS, 503, 0, 0},
    {"not sent", XP_NOT_SENT, 0, 0, 1},
    {"unconfirmed", XP_UNCONFIRMED, 0, 0, 0},
    {"late 100 ms (within the deadline)", XP_LATE, 0, 100, 1},
    {"late 5 s (past the deadline)", XP_LATE, 0, 5000, 0},
    {"hang (honours the deadline)", XP_HANG_TIMEOUT, 0, 0, 0},
};

static void test_every_fault_no_resend_and_balance(void) {
    size_t f;
    for (f = 0; f < sizeof FAULTS / sizeof FAULTS[0]; f++) {
        const fault *F = &FAULTS[f];
        dd_tracer_config c = base_config();
        dd_tracer *t;
        dd_counters k;
        int b;
        int64_t settled;
        uint64_t bad_before;
        c.flush_interval_ms = 50;
        c.request_timeout_ms = 300;
        c.shutdown_timeout_ms = 500;
        xp_reset(F->mode, F->status);
        XP.late_ms = F->late_ms;
        XP.retry_after_ms = 100;
        t = dd_tracer_new(&c);
        if (!CHECK(t != NULL)) return;
        for (b = 0; b < 4; b++) { /* several flushes under the fault */
            make_traces(t, 50, 4, NULL, NULL);
            sleep_ms(80);
            dd_tracer_counters(t, &k);
            CHECK_BALANCE(&k, F->name);
        }
        sleep_ms(400); /* retries under the fault, a deadline or two */
        dd_tracer_counters(t, &k);
        CHECK_BALANCE(&k, F->name);
        xp_set(XP_OK, 0);
        make_traces(t, 20, 4, NULL, NULL); /* and some after it cleared */
        settled = wait_settled(t, 10000, &k);
        if (!CHECK(settled >= 0)) fprintf(stderr, "    (%s) still pending after 10 s\n", F->name);
        CHECK_BALANCE(&k, F->name);
        CHECK_EQ_U64(k.spans_started, 220 * 4);
        bad_before = xp_get(&XP.resent_bad);
        if (bad_before) fprintf(stderr, "    (%s) %" PRIu64 " span(s) sent again after a final outcome\n", F->name, bad_before);
        CHECK_EQ_U64(bad_before, 0);
        CHECK_EQ_U64(xp_get(&XP.concurrent), 0);
        CHECK_EQ_U64(xp_get(&XP.bad_user), 0); /* transport_user, not hook_user */
        CHECK_EQ_U64(xp_get(&XP.bad_body), 0);
        CHECK_EQ_U64(xp_get(&XP.bad_count), 0);
        CHECK_EQ_U64(xp_get(&XP.bad_timeout), 0);
        CHECK(XP.max_timeout_ms <= 300);
        CHECK_EQ_U64(xp_get(&XP.spans_2xx), k.spans_sent);
        CHECK_EQ_U64(xp_get(&XP.spans_unconfirmed), k.spans_unconfirmed);
        if (F->kept) {
            CHECK_EQ_U64(k.spans_sent, k.spans_started);
            CHECK_EQ_U64(k.spans_dropped_send, 0);
        }
        if (F->mode == XP_NOT_SENT) CHECK(k.requests_deferred > 0);
        if (F->mode == XP_STATUS && (F->status == 400 || F->status == 404 || F->status == 500))
            CHECK(k.spans_dropped_send > 0);
        if (F->mode == XP_UNCONFIRMED || (F->mode == XP_LATE && !F->kept) || F->mode == XP_HANG_TIMEOUT) {
            CHECK(k.spans_unconfirmed > 0);
            CHECK(k.requests_unconfirmed > 0);
        }
        dd_tracer_free(t);
        CHECK_EQ_U64(xp_get(&XP.resent_bad), 0);
        if (test__case_failures) fprintf(stderr, "    (after fault \"%s\")\n", F->name);
        printf("# b/c. %-34s transport calls %4" PRIu64 ", spans sent %4" PRIu64 " unconfirmed %4" PRIu64
               " dropped(send) %4" PRIu64 ", resent after retryable %4" PRIu64 ", settled in %" PRId64 " ms\n",
               F->name, xp_get(&XP.calls), k.spans_sent, k.spans_unconfirmed, k.spans_dropped_send,
               xp_get(&XP.resent_ok), settled);
    }
}

/*=== d. dd_tracer_free is bounded by shutdown_timeout_ms ===*/

static void shutdown_case(const char *name, int mode, int status, int64_t late_ms, int busy_before) {
    dd_tracer_config c = base_config();
    dd_tracer *t;
    int64_t t0, el;
    uint64_t in_call, freed;
    c.shutdown_timeout_ms = 300; /* request_timeout_ms stays 2000: free must cut it short */
    c.transport_free_fn = xp_free;
    if (busy_before) {
        c.flush_interval_ms = 100;
    } else {
        c.flush_interval_ms = -1; /* the worker stays idle until dd_tracer_free */
    }
    xp_reset(mode, status);
    XP.late_ms = late_ms;
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    make_traces(t, 200, 4, NULL, NULL);
    if (busy_before) { /* the worker is inside the transport when dd_tracer_free starts */
        int64_t w = now_ms();
        while (xp_get(&XP.in_call) == 0 && now_ms() - w < 2000) sleep_ms(1);
        CHECK(xp_get(&XP.in_call) == 1);
        make_traces(t, 200, 4, NULL, NULL); /* buffered behind it */
    }
    t0 = now_ms();
    dd_tracer_free(t);
    el = now_ms() - t0;
    in_call = xp_get(&XP.in_call);
    freed = xp_get(&XP.freed);
    printf("# d. shutdown, %-46s dd_tracer_free took %4" PRId64 " ms (bound 300 + 200), transport calls %" PRIu64
           ", timeout_ms given %" PRId64 "..%" PRId64 ", at return: transport %s, transport_free_fn %s\n",
           name, el, xp_get(&XP.calls), XP.min_timeout_ms == INT64_MAX ? 0 : XP.min_timeout_ms, XP.max_timeout_ms,
           in_call ? "still in its call" : "idle", freed ? "called" : "not yet called");
    /* + 25 ms of measuring slack: the tracer's own grace for a call in flight is exactly 200 ms */
    if (!CHECK(el <= 300 + 200 + 25)) fprintf(stderr, "    (%s) dd_tracer_free took %" PRId64 " ms\n", name, el);
    CHECK(xp_get(&XP.calls) >= 1); /* the last delivery was tried */
    if (!busy_before) { /* every call got a deadline within the shutdown budget and honoured it */
        CHECK_EQ_U64(in_call, 0);
        CHECK(XP.max_timeout_ms <= 300);
    }
    /* A call still running belongs to the tracer's worker: transport_free_fn comes after it. */
    CHECK_EQ_U64(freed, in_call ? 0 : 1);
    xp_set(XP_OK, 0); /* releases a call still running */
    {
        int64_t w = now_ms();
        while (xp_get(&XP.freed) == 0 && now_ms() - w < 3000) sleep_ms(1);
    }
    CHECK_EQ_U64(xp_get(&XP.freed), 1);
    CHECK_EQ_U64(xp_get(&XP.freed_in_call), 0);
    CHECK_EQ_U64(xp_get(&XP.resent_bad), 0);
    CHECK_EQ_U64(xp_get(&XP.bad_user), 0);
}
static void test_shutdown_bounded(void) {
    shutdown_case("last delivery hangs (honours timeout_ms)", XP_HANG_TIMEOUT, 0, 0, 0);
    shutdown_case("last delivery not sent", XP_NOT_SENT, 0, 0, 0);
    shutdown_case("last delivery answered 503", XP_STATUS, 503, 0, 0);
    shutdown_case("last delivery answered after 5 s", XP_LATE, 0, 5000, 0);
    shutdown_case("a hang in flight (honours timeout_ms) at free", XP_HANG_TIMEOUT, 0, 0, 1);
}

/*=== e. 413: halves, then a single chunk too big is dropped ===*/

static void test_413_splits_in_halves(void) {
    dd_tracer_config c = base_config();
    dd_tracer *t;
    dd_counters k;
    dd_span_options o;
    dd_span *big;
    char huge[9000];
    int i;
    c.delivery = DD_DELIVERY_MANUAL; /* sends only in dd_tracer_flush: deterministic */
    c.flush_interval_ms = -1;
    xp_reset(XP_413_OVER, 0);
    XP.limit_413 = 6000;
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    make_traces(t, 40, 3, NULL, NULL); /* about 20 KB: 413, then halves, quarters... */
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    memset(&o, 0, sizeof o);
    o.name = "big";
    big = dd_span_start(t, &o);
    dd_span_set_tag(big, "payload", huge); /* one chunk over 6000 bytes alone */
    dd_span_finish(big);
    make_traces(t, 40, 3, NULL, NULL);
    for (i = 0; i < 20; i++) { /* a retry may wait for the next flush: flush until settled */
        dd_tracer_flush(t);
        dd_tracer_counters(t, &k);
        if (k.spans_pending == 0) break;
    }
    CHECK_BALANCE(&k, "413");
    printf("# e. 413 over 6000 bytes: %" PRIu64 " calls, %" PRIu64 " answered 413, largest accepted body %" PRIu64
           " bytes; spans sent %" PRIu64 ", dropped (send) %" PRIu64 " in %" PRIu64 " chunk(s)\n",
           xp_get(&XP.calls), xp_get(&XP.calls_413), xp_get(&XP.max_2xx_body), k.spans_sent, k.spans_dropped_send,
           k.chunks_dropped_send);
    CHECK(XP.calls_413 >= 2);              /* the whole request, and the half holding the big chunk */
    CHECK(XP.max_2xx_body <= 6000);
    CHECK_EQ_U64(k.spans_pending, 0);
    CHECK_EQ_U64(k.spans_sent, 240);        /* every small trace made it, in halves */
    CHECK_EQ_U64(k.spans_dropped_send, 1);  /* the big chunk alone, dropped and counted */
    CHECK_EQ_U64(k.chunks_dropped_send, 1);
    CHECK_EQ_U64(XP.resent_bad, 0);
    CHECK_EQ_U64(XP.spans_2xx, 240);
    dd_tracer_free(t);
}

/*=== f. delivery resumes within one flush interval after NOT_SENT ===*/

/* The agent is away for `away_ms` (every attempt NOT_SENT, backing off), then back: the first
 * accepted request must come within one flush interval (+ 50 ms of scheduling slack). */
static void resume_case(int64_t interval_ms, int64_t away_ms) {
    dd_tracer_config c = base_config();
    dd_tracer *t;
    dd_counters k;
    int64_t t_back, resumed_ms, settled;
    c.flush_interval_ms = interval_ms; /* 0: the default, 2000 ms */
    c.request_timeout_ms = 300;
    if (!interval_ms) interval_ms = DD_DEFAULT_FLUSH_INTERVAL_MS;
    xp_reset(XP_NOT_SENT, 0);
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    make_traces(t, 100, 4, NULL, NULL);
    sleep_ms(away_ms); /* the agent is away: several attempts, each deferred */
    make_traces(t, 100, 4, NULL, NULL);
    sleep_ms(100);
    dd_tracer_counters(t, &k);
    CHECK_BALANCE(&k, "agent away");
    CHECK(k.requests_deferred > 0);
    CHECK_EQ_U64(k.spans_sent, 0);
    t_back = now_ns();
    xp_set(XP_OK, 0); /* the agent is back */
    while (xp_first_2xx_ns() == 0 && now_ns() - t_back < INT64_C(5000000000)) sleep_ms(1);
    resumed_ms = XP.first_2xx_ns ? (XP.first_2xx_ns - t_back) / 1000000 : -1;
    settled = wait_settled(t, 5000, &k);
    printf("# f. flush interval %4" PRId64 " ms, agent away %" PRId64 " ms (%" PRIu64 " deferred attempts): first accepted "
           "request %" PRId64 " ms after its return, all delivered %" PRId64 " ms later; sent %" PRIu64 " of %" PRIu64 "\n",
           interval_ms, away_ms, k.requests_deferred, resumed_ms, settled, k.spans_sent, k.spans_started);
    if (!CHECK(resumed_ms >= 0 && resumed_ms <= interval_ms + 50))
        fprintf(stderr, "    (flush interval %" PRId64 " ms) delivery resumed after %" PRId64 " ms\n", interval_ms, resumed_ms);
    CHECK(settled >= 0);
    CHECK_BALANCE(&k, "agent back");
    CHECK_EQ_U64(k.spans_sent, 800); /* nothing deferred was lost */
    CHECK_EQ_U64(k.spans_dropped_send, 0);
    CHECK_EQ_U64(xp_get(&XP.resent_bad), 0);
    dd_tracer_free(t);
}
static void test_resume_after_not_sent(void) {
    resume_case(0, 4000);   /* the default interval: the backoff has reached its cap */
    resume_case(200, 2000); /* a short interval: the backoff must not outlast it */
}

static const test_case cases[] = {
    TEST(test_finish_latency_hanging_transport), TEST(test_interval_flush_after_idle),
    TEST(test_every_fault_no_resend_and_balance),
    TEST(test_shutdown_bounded), TEST(test_413_splits_in_halves), TEST(test_resume_after_not_sent),
};
int main(int argc, char **argv) {
    int rc;
    (void)test_run; /* the parts of test.h this file does not use */
    (void)test__check_i;
    (void)test__check_s;
    (void)test__check_m;
    pthread_mutex_init(&XP.mu, NULL);
    rc = test_run_filtered("delivery", cases, sizeof cases / sizeof cases[0], argc > 1 ? argv[1] : NULL);
    free(XP.ids);
    free(XP.out);
    return rc;
}
