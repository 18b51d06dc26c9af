/* tests/tsan_stats.c - client-side stats under ThreadSanitizer (docs/stats.md): threads finish
 * traces (shared roots whose children finish on other threads, partial flush on, some rejected,
 * some rejected by the agent's trace filters) while the background worker reads /info (its trace
 * filters compiled and swapped in), sends stats and reacts to a Datadog-Agent-State that changes
 * on trace answers. Every span must be accounted for. Ends with "tsan_stats: N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <pthread.h>

#define THREADS 4
#define TRACES 600

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static int info_calls, trace_calls, stats_calls;

static const char INFO[] = "{\"endpoints\":[\"/v0.4/traces\",\"/v0.6/stats\"],\"client_drop_p0s\":true,"
                           "\"peer_tags\":[\"out.host\"],\"ignore_resources\":[\"^health\"],"
                           "\"filter_tags\":{\"reject\":[\"skip:yes\"]},\"filter_tags_regex\":{\"reject\":[\"user:^bot[0-9]+$\"]}}";

static int transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    char state[16];
    int n;
    (void)u;
    pthread_mutex_lock(&rec_lock);
    if (strcmp(req->path, "/info") == 0) n = ++info_calls;
    else if (strcmp(req->path, "/v0.6/stats") == 0) n = ++stats_calls;
    else n = ++trace_calls;
    pthread_mutex_unlock(&rec_lock);
    resp->status = 200;
    if (strcmp(req->path, "/info") == 0) {
        resp->body = INFO;
        resp->body_len = sizeof INFO - 1;
        return DD_TRANSPORT_ANSWERED;
    }
    resp->body = "{}";
    resp->body_len = 2;
    snprintf(state, sizeof state, "s%d", n / 3); /* changes every third answer */
    dd_http_response_header(resp, "Datadog-Agent-State", 19, state, strlen(state));
    return DD_TRANSPORT_ANSWERED;
}

typedef struct worker {
    dd_tracer *t;
    int index;
} worker;
static dd_span *g_shared[THREADS];
static pthread_barrier_t g_bar;

static void *work(void *arg) {
    worker *w = (worker *)arg;
    int i, j;
    for (i = 0; i < TRACES; i++) {
        dd_span_options o = DD_SPAN_OPTIONS_INIT;
        dd_span *root, *kids[5];
        o.name = "web";
        root = dd_span_start(w->t, &o);
        dd_span_set_resource(root, i % 7 == 0 ? "health/live" : "GET /x");
        dd_span_set_kind(root, "server");
        if (i % 5 == 0) dd_span_set_tag(root, "skip", "yes");
        if (i % 11 == 0) dd_span_set_tag(root, "user", "bot7");
        if (i % 3 == 0) dd_span_set_priority(root, DD_PRIORITY_AUTO_REJECT);
        for (j = 0; j < 5; j++) {
            kids[j] = dd_span_start_child(root, "db");
            dd_span_set_kind(kids[j], "client");
            dd_span_set_tag(kids[j], "out.host", "db1");
        }
        for (j = 0; j < 3; j++) dd_span_finish(kids[j]);
        if (i % 2) dd_span_finish(root); /* the root before the last children: partial chunks hold it or not */
        for (j = 3; j < 5; j++) dd_span_finish(kids[j]);
        if (!(i % 2)) dd_span_finish(root);
        if (i % 100 == 0) dd_tracer_flush(w->t);
    }
    /* a shared trace: each thread finishes a child of another thread's root */
    g_shared[w->index] = dd_span_start(w->t, NULL);
    dd_span_set_tag(g_shared[w->index], "skip", w->index % 2 ? "yes" : "no");
    pthread_barrier_wait(&g_bar);
    for (j = 0; j < 20; j++) dd_span_finish(dd_span_start_child(g_shared[(w->index + 1) % THREADS], "c"));
    pthread_barrier_wait(&g_bar);
    dd_span_finish(g_shared[w->index]);
    return NULL;
}

static void test_stats_threads(void) {
    dd_tracer_config c;
    dd_tracer *t;
    worker w[THREADS];
    pthread_t th[THREADS];
    dd_counters n;
    int i;
    dd_tracer_config_init(&c);
    c.service = "tsan";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.transport_fn = transport;
    c.delivery = DD_DELIVERY_BACKGROUND;
    c.flush_interval_ms = 5;
    c.stats_computation = DD_ON;
    c.partial_flush = DD_ON;
    c.partial_flush_min_spans = 2;
    t = dd_tracer_new(&c);
    dd_tracer_flush(t); /* /info first: stats and filters on from the start */
    CHECK_EQ_INT(t->stats->active, 1);
    CHECK_EQ_INT(t->stats->filters->n_tag, 2);
    CHECK_STR(t->stats->filters->tag[0].key, "skip");
    CHECK_MEM(t->stats->filters->tag[1].val, t->stats->filters->tag[1].vlen, "^bot[0-9]+$", 11);
    pthread_barrier_init(&g_bar, NULL, THREADS);
    for (i = 0; i < THREADS; i++) {
        w[i].t = t;
        w[i].index = i;
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&g_bar);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &n);
    CHECK_EQ_U64(n.spans_started, (uint64_t)THREADS * (TRACES * 6 + 21));
    CHECK_EQ_U64(n.spans_open, 0);
    CHECK_EQ_U64(n.spans_started, n.spans_open + n.spans_pending + n.spans_sent + n.spans_unconfirmed + n.spans_dropped_buffer
                                      + n.spans_dropped_sampling + n.spans_dropped_send + n.spans_dropped_shutdown);
    CHECK(n.chunks_dropped_sampling > n.chunks_dropped_p0); /* the filters dropped some */
    CHECK(n.stats_spans > 0);
    dd_tracer_free(t);
    pthread_mutex_lock(&rec_lock);
    CHECK(info_calls >= 2); /* the changing state made /info due again */
    CHECK(stats_calls >= 1 && trace_calls >= 1);
    pthread_mutex_unlock(&rec_lock);
}

static const test_case cases[] = {TEST(test_stats_threads)};
int main(void) { return test_run("tsan_stats", cases, sizeof cases / sizeof cases[0]); }
