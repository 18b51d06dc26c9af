/* tests/tsan_trace.c - the tracer under ThreadSanitizer: threads create and finish spans of their
 * own traces and of shared traces (children of one root finishing on different threads), inject,
 * flush explicitly while a background flusher and size-triggered flushes run, with partial flush
 * on; then the tracer shuts down (stops the flusher, flushes the rest). Every span and chunk must
 * be accounted for. Ends with "tsan_trace: N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <pthread.h>

#define THREADS 8
#define TRACES 1500

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rec_requests, rec_chunks;

/* A transport that counts the chunks it receives (the X-Datadog-Trace-Count header). */
static int count_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    size_t i;
    uint64_t n = 0;
    (void)u;
    for (i = 0; i < req->n_headers; i++) {
        if (strcmp(req->headers[i].name, "X-Datadog-Trace-Count") == 0) {
            size_t j;
            for (j = 0; j < req->headers[i].value_len; j++) n = n * 10 + (uint64_t)(req->headers[i].value[j] - '0');
        }
    }
    pthread_mutex_lock(&rec_lock);
    rec_requests++;
    rec_chunks += n;
    pthread_mutex_unlock(&rec_lock);
    resp->status = 200;
    resp->body = "{\"rate_by_service\":{\"service:tsan,env:\":1}}";
    resp->body_len = strlen(resp->body);
    return 0;
}

typedef struct worker {
    dd_tracer *t;
    dd_span *shared_root;
    int index;
} worker;

static int noop_set(void *self, const char *k, size_t kl, const char *v, size_t vl) {
    (void)self, (void)k, (void)kl, (void)v, (void)vl;
    return DD_OK;
}

static void *work(void *arg) {
    worker *w = (worker *)arg;
    dd_carrier_writer cw;
    int i, j;
    cw.self = NULL;
    cw.set = noop_set;
    for (i = 0; i < TRACES; i++) {
        dd_span *root = dd_span_start(w->t, NULL), *kids[6];
        dd_span_set_tag(root, "thread", "worker");
        dd_span_set_metric(root, "i", i);
        for (j = 0; j < 6; j++) {
            if (j % 2) { /* literals held by pointer, read later by whichever thread encodes */
                kids[j] = dd_span_start_child_static(root, "child");
                dd_span_set_tag_static(kids[j], "k", "v");
                dd_span_set_metric_static(kids[j], "j", j);
            } else {
                kids[j] = dd_span_start_child(root, "child");
                dd_span_set_tag(kids[j], "k", "v");
            }
        }
        if (i % 10 == 0) dd_span_inject(kids[0], &cw);
        for (j = 0; j < 6; j++) dd_span_finish(kids[j]);
        dd_span_finish(root);
        /* a child of the shared trace, finished here while other threads do the same */
        {
            dd_span *c = dd_span_start_child(w->shared_root, "shared.child");
            dd_span_set_tag(c, "by", "worker");
            dd_span_set_resource_static(c, "shared.resource");
            if (i % 50 == 0) dd_span_inject(c, &cw);
            dd_span_finish(c);
        }
        if (i % 97 == w->index) dd_tracer_flush(w->t);
    }
    return NULL;
}

/* Reads the counters while spans start and finish without the tracer lock (atomics): they must
 * balance at every instant, never a finished span not started nor a resolved one not finished. */
static int watch_stop;
static uint64_t watch_reads, watch_bad;
static void *watch(void *arg) {
    dd_tracer *t = (dd_tracer *)arg;
    while (!__atomic_load_n(&watch_stop, __ATOMIC_ACQUIRE)) {
        dd_counters k;
        dd_tracer_counters(t, &k);
        watch_reads++;
        if (k.spans_finished > k.spans_started || k.spans_pending > k.spans_finished) watch_bad++;
    }
    return NULL;
}

static void test_threads_spans_flushes_shutdown(void) {
    dd_tracer_config c;
    dd_tracer *t;
    pthread_t th[THREADS], wt;
    worker w[THREADS];
    dd_span *shared;
    dd_counters k;
    int i;
    memset(&c, 0, sizeof c);
    c.service = "tsan";
    c.cgroup_path = "";
    c.startup_logs = DD_OFF;
    c.transport_fn = count_transport;
    c.background_flush = DD_ON;
    c.flush_interval_ms = 2;
    c.flush_bytes = 16 * 1024;
    c.partial_flush = DD_ON;
    c.partial_flush_min_spans = 64;
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    CHECK_STR(dd_tracer_service(t), "tsan");
    shared = dd_span_start(t, NULL);
    {
        char buf[160];
        size_t n = dd_span_log_correlation(shared, 0, buf, sizeof buf);
        CHECK_MEM(buf, 12, "dd.trace_id=", 12);
        CHECK(n > 44 && buf[44] == ' '); /* 32 hex digits: a 128-bit trace */
    }
    pthread_create(&wt, NULL, watch, t);
    for (i = 0; i < THREADS; i++) {
        w[i].t = t;
        w[i].shared_root = shared;
        w[i].index = i;
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    __atomic_store_n(&watch_stop, 1, __ATOMIC_RELEASE);
    pthread_join(wt, NULL);
    CHECK(watch_reads > 0);
    CHECK_EQ_U64(watch_bad, 0);
    dd_span_finish(shared);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_started, 1 + (uint64_t)THREADS * TRACES * 8);
    CHECK_EQ_U64(k.spans_finished, k.spans_started);
    CHECK_EQ_U64(k.spans_encoded + k.spans_dropped_buffer, k.spans_finished);
    CHECK_EQ_U64(k.spans_dropped_limit, 0);
    CHECK(k.partial_flushes > 0);
    dd_tracer_free(t); /* stops the flusher and sends the rest */
    pthread_mutex_lock(&rec_lock);
    CHECK_EQ_U64(rec_chunks, k.chunks_encoded);
    CHECK(rec_requests > 1);
    pthread_mutex_unlock(&rec_lock);
}

/* Several tracers created and freed while their background flushers run. */
static void *churn(void *arg) {
    int i;
    (void)arg;
    for (i = 0; i < 20; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        int j;
        memset(&c, 0, sizeof c);
        c.service = "churn";
        c.cgroup_path = "";
        c.startup_logs = DD_OFF;
        c.transport_fn = count_transport;
        c.background_flush = DD_ON;
        c.flush_interval_ms = 1;
        t = dd_tracer_new(&c);
        for (j = 0; j < 50; j++) dd_span_finish(dd_span_start_child(dd_span_start(t, NULL), "x"));
        dd_tracer_free(t);
    }
    return NULL;
}
static void test_tracer_churn(void) {
    pthread_t th[4];
    int i;
    uint64_t before;
    pthread_mutex_lock(&rec_lock);
    before = rec_chunks;
    pthread_mutex_unlock(&rec_lock);
    for (i = 0; i < 4; i++) pthread_create(&th[i], NULL, churn, NULL);
    for (i = 0; i < 4; i++) pthread_join(th[i], NULL);
    /* every root's child finished but the roots did not: nothing completed, nothing sent */
    pthread_mutex_lock(&rec_lock);
    CHECK_EQ_U64(rec_chunks - before, 0);
    pthread_mutex_unlock(&rec_lock);
}

static const test_case cases[] = {
    TEST(test_threads_spans_flushes_shutdown),
    TEST(test_tracer_churn),
};

int main(void) { return test_run("tsan_trace", cases, sizeof cases / sizeof cases[0]); }
