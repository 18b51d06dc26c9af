/* bench/bench.c — the benchmark harness behind BENCHMARKS.md (plain C, no framework).
 *
 *   cc -std=c99 -O2 -g -I. bench/bench.c -o build/bench/bench -lpthread -lm     (bench/run.sh does it)
 *
 *   bench ops                 median ns/op and heap allocations/op of every op (native run)
 *   bench one <op> <iters>    runs one op, collecting callgrind events only inside the measured
 *                             region: valgrind --tool=callgrind --collect-atstart=no bench one ...
 *   bench memory bare|tagged  heap bytes per open span (bare / 7 tags), RSS for 10,000 open spans;
 *                             bare_static|tagged_static: names and tags through the _static functions
 *   bench memory trace        heap bytes per open one-span trace (1,000 open roots)
 *   bench latency [traces]    p50 / p99 / p99.9 / max ns of dd_span_finish (native timing)
 *   bench scaling             ns per span as one trace grows from 1 to 10,000 spans (created,
 *                             finished, encoded and flushed)
 *   bench threads             spans per second with 1 and 2 threads on one tracer
 *
 * Every op uses the reference inputs (BENCHMARKS.md, Method): service bench-service, styles datadog,tracecontext,
 * 128-bit ids, default sampling, nothing sent over the network (the transport only counts
 * bytes). The environment is not read (getenv_fn returns NULL), so DD_* variables cannot change
 * the figures. Each op is measured over batches; what a batch needs before or after (a root to
 * hang children on, emptying the payload buffer) happens outside the measured region, which is
 * the only place where time, allocations and (under callgrind) instructions are counted.
 *
 * The msgpack op calls the tracer's private encoder (dd__encode_span), the function every
 * finished chunk goes through, on a trace built with the public API: it measures exactly the
 * encoding and nothing around it. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT
#endif

/*=== heap accounting: the tracer's allocator hook, and every libc allocation of the process ===*/
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static unsigned long g_libc_allocs;
void *malloc(size_t n) {
    __atomic_add_fetch(&g_libc_allocs, 1, __ATOMIC_RELAXED);
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
    __atomic_add_fetch(&g_libc_allocs, 1, __ATOMIC_RELAXED);
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
    __atomic_add_fetch(&g_libc_allocs, 1, __ATOMIC_RELAXED);
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
#define RAW_MALLOC __libc_malloc
#define RAW_FREE __libc_free
#else
static unsigned long g_libc_allocs;
#define RAW_MALLOC malloc
#define RAW_FREE free
#endif

typedef struct heap_stats {
    unsigned long allocs, frees;
    long long live_bytes, peak_bytes;
} heap_stats;

static void *hook_alloc(void *user, size_t n) {
    heap_stats *h = (heap_stats *)user;
    h->allocs++;
    h->live_bytes += (long long)n;
    if (h->live_bytes > h->peak_bytes) h->peak_bytes = h->live_bytes;
    return RAW_MALLOC(n ? n : 1);
}
static void hook_free(void *user, void *p, size_t n) {
    heap_stats *h = (heap_stats *)user;
    if (!p) return;
    h->frees++;
    h->live_bytes -= (long long)n;
    RAW_FREE(p);
}
static heap_stats g_heap;
/* heap allocations seen so far: through the hook, plus any libc allocation that bypassed it */
static unsigned long allocs_now(void) {
    return g_heap.allocs + __atomic_load_n(&g_libc_allocs, __ATOMIC_RELAXED);
}

/*=== clocks ===*/
static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static int64_t proc_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
/* Regions are timed in the thread's CPU time: on a shared, loaded machine the time this thread
 * spends descheduled is not the op's cost. (A syscall of about 0.3 us, once per batch.) */
static int64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*=== the reference inputs ===*/
#define SERVICE "bench-service"
#define ROOT_NAME "http.request"
#define ROOT_RESOURCE "GET /api/v1/users/:id"
#define CHILD_NAME "db.query"
#define CHILD_RESOURCE "SELECT * FROM users WHERE id = ?"

static void set_7_tags(dd_span *s) {
    dd_span_set_tag_n(s, "http.method", 11, "GET", 3);
    dd_span_set_tag_n(s, "http.url", 8, "https://api.example.com/v1/users/12345", 38);
    dd_span_set_tag_n(s, "http.status_code", 16, "200", 3);
    dd_span_set_tag_n(s, "component", 9, "bench-http", 10);
    dd_span_set_tag_n(s, "span.kind", 9, "server", 6);
    dd_span_set_metric_n(s, "http.response.content_length", 28, 1234.0);
    dd_span_set_metric_n(s, "_dd.measured", 12, 1.0);
}

/* The same 7 tags through the _static setters (literal keys and values, held by pointer). */
static void set_7_tags_static(dd_span *s) {
    dd_span_set_tag_static_n(s, "http.method", 11, "GET", 3);
    dd_span_set_tag_static_n(s, "http.url", 8, "https://api.example.com/v1/users/12345", 38);
    dd_span_set_tag_static_n(s, "http.status_code", 16, "200", 3);
    dd_span_set_tag_static_n(s, "component", 9, "bench-http", 10);
    dd_span_set_tag_static_n(s, "span.kind", 9, "server", 6);
    dd_span_set_metric_static(s, "http.response.content_length", 1234.0);
    dd_span_set_metric_static(s, "_dd.measured", 1.0);
}

static const dd_header g_extract_headers[7] = {
    {"x-datadog-trace-id", 18, "1234567890123456789", 19},
    {"x-datadog-parent-id", 19, "3043109937388421265", 19},
    {"x-datadog-sampling-priority", 27, "2", 1},
    {"x-datadog-origin", 16, "rum", 3},
    {"x-datadog-tags", 14, "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000", 38},
    {"traceparent", 11, "00-640cfd8d00000000112210f47de98115-2a3b4c5d6e7f8091-01", 55},
    {"tracestate", 10, "dd=s:2;o:rum;p:2a3b4c5d6e7f8091;t.dm:-4;t.tid:640cfd8d00000000,rojo=00f067aa0ba902b7", 84},
};

/* The agent's answer to every request: its rate_by_service as a real agent writes it (the
 * default key, then the bench service's). The tracer recognises an answer identical to the one it
 * applied last and does not parse it again; the "agent reply handled" row (g_vary_answer) makes
 * it parse every answer, as the reference does, by alternating two answers of the same meaning
 * (keys in the other order). */
static const char g_agent_answer[] = "{\"rate_by_service\":{\"service:,env:\":1,\"service:bench-service,env:\":1}}";
static const char g_agent_answer2[] = "{\"rate_by_service\":{\"service:bench-service,env:\":1,\"service:,env:\":1}}";
static int g_vary_answer;
static unsigned long g_answers;
static unsigned long long g_sent_bytes;
static int transport_ok(void *user, const dd_http_request *req, dd_http_response *resp) {
    (void)user;
    __atomic_add_fetch(&g_sent_bytes, (unsigned long long)req->body_len, __ATOMIC_RELAXED);
    resp->status = 200;
    if (g_vary_answer && (g_answers++ & 1)) {
        resp->body = g_agent_answer2;
        resp->body_len = sizeof g_agent_answer2 - 1;
    } else {
        resp->body = g_agent_answer;
        resp->body_len = sizeof g_agent_answer - 1;
    }
    return 0;
}
static const char *no_env(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}

/* Scripted ids for the fixed 10-span trace; after the script, a splitmix64 sequence. */
typedef struct script_rng {
    uint64_t vals[16];
    size_t n, i;
    uint64_t state;
} script_rng;
static uint64_t script_random(void *user) {
    script_rng *r = (script_rng *)user;
    uint64_t z;
    if (r->i < r->n) return r->vals[r->i++];
    z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static dd_tracer *make_tracer(int count_heap, uint64_t (*random_fn)(void *), void *hook_user) {
    dd_tracer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = SERVICE;
    cfg.trace_id_128 = DD_ON;
    cfg.startup_logs = DD_OFF;
    cfg.cgroup_path = "";
    cfg.flush_interval_ms = -1; /* flushes happen where the bench says, never inside a region */
    cfg.delivery = DD_DELIVERY_MANUAL; /* and on the bench's thread: no worker, no hand-over */
    cfg.getenv_fn = no_env;
    cfg.transport_fn = transport_ok;
    cfg.random_fn = random_fn;
    cfg.hook_user = hook_user;
    if (count_heap) {
        cfg.allocator.alloc_fn = hook_alloc;
        cfg.allocator.free_fn = hook_free;
        cfg.allocator.user = &g_heap;
    }
    return dd_tracer_new(&cfg);
}

static void die(const char *what) {
    fprintf(stderr, "bench: %s\n", what);
    exit(2);
}

static dd_span *start_root(dd_tracer *t) {
    dd_span_options o;
    memset(&o, 0, sizeof o);
    o.name = ROOT_NAME;
    o.resource = ROOT_RESOURCE;
    return dd_span_start(t, &o);
}
static dd_span *start_child(dd_span *parent) {
    dd_span_options o;
    memset(&o, 0, sizeof o);
    o.parent = parent;
    o.name = CHILD_NAME;
    o.resource = CHILD_RESOURCE;
    return dd_span_start(dd_span_tracer(parent), &o);
}

/* The child of start_child, named through the _static functions (literals held by pointer). */
static dd_span *start_child_static(dd_span *parent) {
    dd_span *s = dd_span_start_child_static(parent, CHILD_NAME);
    dd_span_set_resource_static(s, CHILD_RESOURCE);
    return s;
}

/*=== ops: each runs `iters` iterations in batches, measuring only the region ===*/
static int g_collect = 1; /* 0 during warm-up: callgrind collects nothing there */
typedef struct measure {
    int64_t ns;
    unsigned long allocs;
} measure;
#define REGION_BEGIN(m)                  \
    do {                                 \
        (m)->allocs -= allocs_now();     \
        if (g_collect) CALLGRIND_TOGGLE_COLLECT; \
        (m)->ns -= cpu_ns();             \
    } while (0)
#define REGION_END(m)                    \
    do {                                 \
        (m)->ns += cpu_ns();             \
        if (g_collect) CALLGRIND_TOGGLE_COLLECT; \
        (m)->allocs += allocs_now();     \
    } while (0)

typedef struct op_state {
    dd_tracer *t;
    dd__enc enc;                /* encode: the tracer's encoder state (writer + UTF-8 repair buffer) */
    dd_span *spans[10];         /* encode: the fixed trace (handles) */
    dd_span *mem[10];           /* and its spans (the handles die at finish) */
    script_rng rng;
    dd_propagation_config prop; /* extract */
    dd_carrier_reader reader;
    dd_headers in;
} op_state;

#define BATCH 100

static void op_root(op_state *st, long iters, measure *m) {
    dd_span *r[BATCH];
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) {
            r[i] = start_root(st->t);
            dd_span_finish(r[i]);
        }
        REGION_END(m);
        if (!r[0]) die("root span not started");
        dd_tracer_flush(st->t); /* the traces are discarded: the transport only counts bytes */
        done += n;
    }
}

/* The reference's root row: a root created and finished, and its trace encoded and released.
 * A small trace is encoded by the finish of its last span, and sent and released by the next
 * flush, so the region holds BATCH roots and the flush that sends and releases them (to a
 * transport that only counts bytes, answering as the agent does), divided per root: the outside
 * measurement of issue #19 flushed every 100 roots too. */
static void op_root_flush(op_state *st, long iters, measure *m) {
    dd_span *r[BATCH];
    long done = 0;
    int rc = DD_OK;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) {
            r[i] = start_root(st->t);
            dd_span_finish(r[i]);
        }
        rc |= dd_tracer_flush(st->t);
        REGION_END(m);
        if (!r[0] || rc != DD_OK) die("root span not started or not flushed");
        done += n;
    }
}

static void op_child(op_state *st, long iters, measure *m) {
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        dd_span *root = start_root(st->t), *c = NULL;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) {
            c = start_child(root);
            dd_span_finish(c);
        }
        REGION_END(m);
        if (!c) die("child span not started");
        dd_span_finish(root);
        dd_tracer_flush(st->t);
        done += n;
    }
}

/* op_child with the name and resource by pointer (dd_span_start_child_static +
 * dd_span_set_resource_static). */
static void op_child_static(op_state *st, long iters, measure *m) {
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        dd_span *root = start_root(st->t), *c = NULL;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) {
            c = start_child_static(root);
            dd_span_finish(c);
        }
        REGION_END(m);
        if (!c) die("child span not started");
        dd_span_finish(root);
        dd_tracer_flush(st->t);
        done += n;
    }
}

static void tags_child(op_state *st, long iters, measure *m, void (*set)(dd_span *)) {
    dd_span *c[BATCH];
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        dd_span *root = start_root(st->t);
        for (i = 0; i < n; i++) c[i] = start_child(root);
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) set(c[i]);
        REGION_END(m);
        for (i = 0; i < n; i++) dd_span_finish(c[i]);
        dd_span_finish(root);
        dd_tracer_flush(st->t);
        done += n;
    }
}

/* The same 7 tags on a local root (a root's tag area is shared with its trace's own tags). */
static void op_tags(op_state *st, long iters, measure *m) { tags_child(st, iters, m, set_7_tags); }
static void op_tags_static(op_state *st, long iters, measure *m) { tags_child(st, iters, m, set_7_tags_static); }
static void tags_root(op_state *st, long iters, measure *m, void (*set)(dd_span *)) {
    dd_span *r[BATCH];
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        for (i = 0; i < n; i++) r[i] = start_root(st->t);
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) set(r[i]);
        REGION_END(m);
        for (i = 0; i < n; i++) dd_span_finish(r[i]);
        dd_tracer_flush(st->t);
        done += n;
    }
}
static void op_tags_root(op_state *st, long iters, measure *m) { tags_root(st, iters, m, set_7_tags); }
static void op_tags_root_static(op_state *st, long iters, measure *m) { tags_root(st, iters, m, set_7_tags_static); }

static int g_inject_count;
static void op_inject(op_state *st, long iters, measure *m) {
    dd_header items[12];
    char buf[1024];
    dd_headers out;
    dd_carrier_writer w;
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        dd_span *root = start_root(st->t);
        int rc = DD_OK;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) {
            dd_headers_init(&out, items, 12, buf, sizeof buf);
            dd_headers_writer(&w, &out);
            rc |= dd_span_inject(root, &w);
        }
        REGION_END(m);
        if (rc != DD_OK) die("inject failed");
        g_inject_count = (int)out.n;
        dd_span_finish(root);
        dd_tracer_flush(st->t);
        done += n;
    }
}

static void op_extract(op_state *st, long iters, measure *m) {
    dd_trace_context ctx;
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH, rc = DD_OK;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) rc |= dd_extract(&st->prop, &st->reader, &ctx);
        REGION_END(m);
        if (rc != DD_OK || ctx.trace_id.lo != UINT64_C(1234567890123456789)
            || ctx.trace_id.hi != UINT64_C(0x640cfd8d00000000) || ctx.sampling_priority != 2)
            die("extract gave an unexpected context");
        done += n;
    }
}

/* A plain user carrier: what an application writes over its own header list, without the SDK's
 * dd_headers fast path. get scans the list, comparing names ASCII-case-insensitively; no get_nth
 * (one value per name). */
typedef struct user_headers {
    const dd_header *h;
    size_t n;
} user_headers;
static int name_eq(const char *a, size_t an, const char *b, size_t bn) {
    size_t i;
    if (an != bn) return 0;
    for (i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return 1;
}
static const char *user_get(void *self, const char *key, size_t key_len, size_t *value_len) {
    const user_headers *u = (const user_headers *)self;
    size_t i;
    for (i = 0; i < u->n; i++)
        if (name_eq(u->h[i].name, u->h[i].name_len, key, key_len)) {
            *value_len = u->h[i].value_len;
            return u->h[i].value;
        }
    return NULL;
}
static void op_extract_user(op_state *st, long iters, measure *m) {
    user_headers u;
    dd_carrier_reader r;
    u.h = g_extract_headers;
    u.n = 7;
    r.self = &u;
    r.get = user_get;
    r.get_nth = NULL;
    st->reader = r;
    op_extract(st, iters, m);
}

/* The fixed 10-span trace: root http.request + 9 db.query children, type web, trace id
 * 0x640cfd8d00000000:112210f47de98115, span ids 0x1000000000000000 + i, durations 1,500 + i us,
 * each span with the 7 tags. Built with the public API and scripted ids. */
#define FIX_START_S INT64_C(0x640cfd8d) /* the 128-bit id's high half is the start second */
static void build_fixture(op_state *st) {
    dd_span_options o;
    dd_trace_context ctx;
    int i;
    st->rng.n = 0;
    st->rng.i = 0;
    st->rng.vals[st->rng.n++] = UINT64_C(0x112210f47de98115);
    for (i = 0; i < 10; i++) st->rng.vals[st->rng.n++] = UINT64_C(0x1000000000000000) + (uint64_t)i;
    st->rng.state = 42;
    st->t = make_tracer(1, script_random, &st->rng);
    if (!st->t) die("tracer");
    for (i = 0; i < 10; i++) {
        memset(&o, 0, sizeof o);
        o.parent = i ? st->spans[0] : NULL;
        o.name = i ? CHILD_NAME : ROOT_NAME;
        o.resource = i ? CHILD_RESOURCE : ROOT_RESOURCE;
        o.type = "web";
        o.start_ns = FIX_START_S * 1000000000 + (int64_t)i * 1000;
        st->spans[i] = dd_span_start(st->t, &o);
        if (!st->spans[i]) die("fixture span");
        st->mem[i] = dd__span_live(st->spans[i]);
        set_7_tags(st->spans[i]);
    }
    for (i = 1; i < 10; i++) dd_span_finish_at(st->spans[i], st->mem[i]->start_ns + (1500 + i) * INT64_C(1000));
    dd_span_context(st->spans[0], &ctx); /* makes the sampling decision, as a finish would */
    /* the root stays open: its segment is encoded again and again, with the duration a finish
     * would give (it overlays the open span's tag area, not used again here) */
    st->mem[0]->u.f.duration = 1500 * INT64_C(1000);
    if (st->mem[0]->seg->trace_id.hi != UINT64_C(0x640cfd8d00000000)
        || st->mem[0]->seg->trace_id.lo != UINT64_C(0x112210f47de98115) || st->mem[3]->span_id != UINT64_C(0x1000000000000003))
        die("fixture ids");
    memset(&st->enc, 0, sizeof st->enc);
    dd_mp_writer_init_growable(&st->enc.w, &st->t->alloc, 0);
}
static size_t g_encoded_size;
static void encode_fixture(op_state *st) {
    char scratch[40];
    int i;
    dd__segment *seg = st->mem[0]->seg;
    dd_mp_writer_reset(&st->enc.w);
    dd_mp_write_array(&st->enc.w, 10);
    for (i = 0; i < 10; i++) dd__encode_span(st->t, seg, st->mem[i], i == 0, &st->enc, scratch);
}
static void op_encode(op_state *st, long iters, measure *m) {
    long done = 0;
    encode_fixture(st); /* grows the writer once; steady state reuses it */
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) encode_fixture(st);
        REGION_END(m);
        if (dd_mp_writer_finish(&st->enc.w, &g_encoded_size) != DD_OK) die("encode");
        done += n;
    }
}

static void one_trace_10(dd_tracer *t) {
    dd_span *s[10];
    dd_span_options o;
    int i;
    for (i = 0; i < 10; i++) {
        memset(&o, 0, sizeof o);
        o.parent = i ? s[0] : NULL;
        o.name = i ? CHILD_NAME : ROOT_NAME;
        o.resource = i ? CHILD_RESOURCE : ROOT_RESOURCE;
        o.type = "web";
        s[i] = dd_span_start(t, &o);
        set_7_tags(s[i]);
    }
    for (i = 9; i >= 0; i--) dd_span_finish(s[i]);
}
static void op_e2e(op_state *st, long iters, measure *m) {
    long done = 0;
    int rc = DD_OK;
    while (done < iters) {
        int i, n = iters - done < 10 ? (int)(iters - done) : 10;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) {
            one_trace_10(st->t);
            rc |= dd_tracer_flush(st->t);
        }
        REGION_END(m);
        done += n;
    }
    if (rc != DD_OK) die("flush failed");
}

/* The reference's end-to-end row: as op_e2e, and every agent answer is parsed (two answers of
 * the same meaning alternate, so none is recognised as the last one applied). */
static void op_e2e_reply(op_state *st, long iters, measure *m) {
    g_vary_answer = 1;
    op_e2e(st, iters, m);
    g_vary_answer = 0;
}

/*--- issue #17 rows: dead handles, tag replacement, glob matching ---*/
/* The cheapest span call, made as an application linking the library makes it (through a pointer,
 * so nothing is inlined): what the handle check adds to every span call. */
static uint64_t (*volatile g_span_id_fn)(const dd_span *) = dd_span_id;
static void op_span_call(op_state *st, long iters, measure *m) {
    long done = 0;
    uint64_t sum = 0;
    dd_span *root = start_root(st->t);
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        uint64_t (*fn)(const dd_span *) = g_span_id_fn;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) sum += fn(root);
        REGION_END(m);
        done += n;
    }
    if (!sum) die("span id");
    dd_span_finish(root);
    dd_tracer_flush(st->t);
}
/* A call through a handle whose span finished (ignored and counted: the cold path). */
static void op_dead(op_state *st, long iters, measure *m) {
    long done = 0;
    dd_span *dead = start_root(st->t);
    dd_span_finish(dead);
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) dd_span_set_tag_n(dead, "user.secret", 11, "x", 1);
        REGION_END(m);
        done += n;
    }
    dd_tracer_flush(st->t);
}
/* One key replaced over and over, its 1 KB value alternating with a 10-byte one (the header
 * size changes each time): in place, no growth. */
static void op_replace(op_state *st, long iters, measure *m) {
    static char v[1024];
    long done = 0;
    dd_span *root = start_root(st->t);
    memset(v, 'v', sizeof v);
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) dd_span_set_tag_n(root, "user.payload", 12, v, (i & 1) ? 10 : sizeof v);
        REGION_END(m);
        done += n;
    }
    dd_span_finish(root);
    dd_tracer_flush(st->t);
}
/* Glob rows: one dd__glob_match per op (the sampler's matcher, called once per field and rule). */
static char g_res16k[16384];
static char g_pat_suffix[8002], g_pat_middle[66];
static const char g_res_short[] = "GET /api/v1/users/12345/profile";
static int g_glob_hits;
static void glob_run(const char *pat, size_t pn, const char *sub, size_t sn, int want, long iters, measure *m) {
    long done = 0;
    while (done < iters) {
        int i, n = iters - done < BATCH ? (int)(iters - done) : BATCH, hits = 0;
        REGION_BEGIN(m);
        for (i = 0; i < n; i++) hits += dd__glob_match(pat, pn, sub, sn);
        REGION_END(m);
        if (hits != (want ? n : 0)) die("glob gave an unexpected answer");
        g_glob_hits += hits;
        done += n;
    }
}
static void glob_inputs(void) {
    memset(g_res16k, 'a', sizeof g_res16k);
    g_pat_suffix[0] = '*';
    memset(g_pat_suffix + 1, 'a', 8000);
    g_pat_suffix[8001] = 'b';
    g_pat_middle[0] = '*';
    memset(g_pat_middle + 1, 'a', 63);
    g_pat_middle[64] = 'b';
    g_pat_middle[65] = '*';
}
static void op_glob_prefix(op_state *st, long iters, measure *m) {
    (void)st;
    glob_run("GET /api/*", 10, g_res_short, sizeof g_res_short - 1, 1, iters, m);
}
static void op_glob_common(op_state *st, long iters, measure *m) {
    (void)st;
    glob_run("get /api/v?/*/profile", 21, g_res_short, sizeof g_res_short - 1, 1, iters, m);
}
static void op_glob_infix(op_state *st, long iters, measure *m) {
    (void)st;
    glob_run("*users*", 7, g_res_short, sizeof g_res_short - 1, 1, iters, m);
}
static void op_glob_suffix16k(op_state *st, long iters, measure *m) {
    (void)st;
    glob_inputs();
    glob_run(g_pat_suffix, sizeof g_pat_suffix, g_res16k, sizeof g_res16k, 0, iters, m);
}
static void op_glob_middle16k(op_state *st, long iters, measure *m) {
    (void)st;
    glob_inputs();
    glob_run(g_pat_middle, sizeof g_pat_middle, g_res16k, sizeof g_res16k, 0, iters, m);
}
static void op_glob_stars16k(op_state *st, long iters, measure *m) {
    (void)st;
    glob_inputs();
    glob_run("*a*b*", 5, g_res16k, sizeof g_res16k, 0, iters, m);
}

typedef struct op_def {
    const char *name;
    const char *title;
    void (*run)(op_state *, long, measure *);
    long iters;     /* per native run */
    long cg_iters;  /* under callgrind */
    /* dd-trace-cpp 2.2 reference (BENCHMARKS.md) */
    double ref_ir, ref_ns, ref_allocs;
} op_def;

static const op_def g_ops[] = {
    /* issue #19's rows: the reference Ir of each is dd-trace-cpp 2.2's on the same work (ISSUE
     * #19's table); ns and allocations of the reference where BENCHMARKS.md has them (0 = none) */
    {"root_flush", "root create + finish, trace encoded and released (flush every 100 roots)", op_root_flush, 20000, 2000, 23886, 0, 0},
    {"child", "child span create + finish under an open root", op_child, 40000, 4000, 2873, 228, 9},
    {"tags", "set 5 string + 2 numeric tags on a child span", op_tags, 40000, 4000, 3502, 218, 12},
    {"tags_root", "set 5 string + 2 numeric tags on a root span", op_tags_root, 40000, 4000, 3502, 0, 0},
    /* the same three with the strings the caller keeps (the _static functions: literals by pointer) */
    {"child_static", "child span create + finish, name and resource by pointer (_static)", op_child_static, 40000, 4000, 2873, 228, 9},
    {"tags_static", "set 5 string + 2 numeric tags on a child span, by pointer (_static)", op_tags_static, 40000, 4000, 3502, 218, 12},
    {"tags_root_static", "set 5 string + 2 numeric tags on a root span, by pointer (_static)", op_tags_root_static, 40000, 4000, 3502, 0, 0},
    {"inject", "inject datadog + tracecontext (6 headers)", op_inject, 40000, 4000, 9754, 468, 22},
    {"extract_user", "extract the 7 headers, parse only, through a user's dd_carrier_reader", op_extract_user, 40000, 4000, 23021, 0, 0},
    {"extract", "extract the 7 headers, parse only, through the SDK's header list", op_extract, 40000, 4000, 23021, 1410, 52},
    {"encode", "msgpack-encode the 10-span trace", op_encode, 5000, 1000, 61289, 3331, 0},
    {"e2e_reply", "10-span trace created, finished, flushed, agent reply handled (parsed)", op_e2e_reply, 2000, 300, 196522, 0, 0},
    /* older rows, kept for comparison with earlier tables */
    {"root", "root create + finish (its trace encoded at finish; the flush outside the region)", op_root, 20000, 2000, 11279, 697, 33},
    {"e2e", "10-span trace created, finished, flushed (unchanged agent reply not parsed again)", op_e2e, 2000, 300, 182122, 11141, 286},
    /* issue #17 (no dd-trace-cpp reference) */
    {"span_call", "dd_span_id through a pointer (a library call: the handle check)", op_span_call, 100000, 10000, 0, 0, 0},
    {"dead", "span call with a dead handle (ignored, counted)", op_dead, 40000, 4000, 0, 0, 0},
    {"replace", "replace a tag's value, 1 KB / 10 B alternating", op_replace, 40000, 4000, 0, 0, 0},
    {"glob_prefix", "glob `GET /api/*` on a 31-byte resource", op_glob_prefix, 100000, 10000, 0, 0, 0},
    {"glob_common", "glob `get /api/v?/*/profile` on a 31-byte resource", op_glob_common, 100000, 10000, 0, 0, 0},
    {"glob_infix", "glob `*users*` on a 31-byte resource", op_glob_infix, 100000, 10000, 0, 0, 0},
    {"glob_suffix16k", "glob `*` + 8000 `a` + `b` on 16 KB of `a`", op_glob_suffix16k, 2000, 200, 0, 0, 0},
    {"glob_middle16k", "glob `*` + 63 `a` + `b*` on 16 KB of `a`", op_glob_middle16k, 2000, 200, 0, 0, 0},
    {"glob_stars16k", "glob `*a*b*` on 16 KB of `a`", op_glob_stars16k, 2000, 200, 0, 0, 0},
};
#define N_OPS (sizeof g_ops / sizeof g_ops[0])

static const op_def *find_op(const char *name) {
    size_t i;
    for (i = 0; i < N_OPS; i++)
        if (strcmp(g_ops[i].name, name) == 0) return &g_ops[i];
    return NULL;
}

static void op_setup(op_state *st, const op_def *op) {
    memset(st, 0, sizeof *st);
    if (strcmp(op->name, "encode") == 0) {
        build_fixture(st);
        return;
    }
    st->t = make_tracer(1, NULL, NULL);
    if (!st->t) die("tracer");
    dd_propagation_config_default(&st->prop);
    memset(&st->in, 0, sizeof st->in);
    st->in.items = (dd_header *)g_extract_headers;
    st->in.n = 7;
    dd_headers_reader(&st->reader, &st->in);
}
static void op_teardown(op_state *st) {
    if (st->enc.w.buf) dd_mp_writer_free(&st->enc.w);
    if (st->enc.fix) dd__free(&st->t->alloc, st->enc.fix, st->enc.fix_cap);
    dd_tracer_free(st->t);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/*=== commands ===*/
static int cmd_ops(int runs) {
    size_t k;
    printf("# op ns_per_op(median of %d runs) min max allocs_per_op\n", runs);
    for (k = 0; k < N_OPS; k++) {
        const op_def *op = &g_ops[k];
        op_state st;
        double ns[64], allocs = 0;
        measure warm = {0, 0};
        int r;
        op_setup(&st, op);
        op->run(&st, op->iters / 4, &warm); /* warm-up: pools and buffers reach steady state */
        for (r = 0; r < runs && r < 64; r++) {
            measure m = {0, 0};
            op->run(&st, op->iters, &m);
            ns[r] = (double)m.ns / (double)op->iters;
            allocs += (double)m.allocs / (double)op->iters;
        }
        qsort(ns, (size_t)r, sizeof ns[0], cmp_double);
        printf("op %s %.1f %.1f %.1f %.4f\n", op->name, ns[r / 2], ns[0], ns[r - 1], allocs / r);
        if (strcmp(op->name, "inject") == 0) printf("# inject wrote %d headers\n", g_inject_count);
        if (strcmp(op->name, "encode") == 0) printf("# encoded trace: %zu bytes\n", g_encoded_size);
        op_teardown(&st);
        fflush(stdout);
    }
    return 0;
}

static int cmd_one(const char *name, long iters) {
    const op_def *op = find_op(name);
    op_state st;
    measure warm = {0, 0}, m = {0, 0};
    if (!op) die("unknown op");
    op_setup(&st, op);
    g_collect = 0;
    op->run(&st, iters / 4 + 1, &warm); /* warm-up, not collected */
    g_collect = 1;
    op->run(&st, iters, &m);
    op_teardown(&st);
    printf("one %s %ld allocs_per_op %.4f\n", name, iters, (double)m.allocs / (double)iters);
    return 0;
}

/* VmRSS of this process in KiB. */
static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

static int cmd_memory(int tagged, int by_pointer) {
    /* one process per case (run.sh), so RSS starts from the same point */
    const int N = 10000;
    dd_tracer *t = make_tracer(1, NULL, NULL);
    dd_span **spans = (dd_span **)calloc((size_t)N, sizeof *spans);
    long long before;
    long rss0, rss1;
    int i;
    if (!t || !spans) die("memory");
    rss0 = rss_kib();
    before = g_heap.live_bytes;
    spans[0] = start_root(t);
    if (tagged) (by_pointer ? set_7_tags_static : set_7_tags)(spans[0]);
    for (i = 1; i < N; i++) {
        spans[i] = by_pointer ? start_child_static(spans[0]) : start_child(spans[0]);
        if (!spans[i]) die("span refused");
        if (tagged) (by_pointer ? set_7_tags_static : set_7_tags)(spans[i]);
    }
    rss1 = rss_kib();
    printf("memory %s%s bytes_per_span %.1f rss_kib_10000 %ld\n", tagged ? "tagged" : "bare", by_pointer ? "_static" : "",
           (double)(g_heap.live_bytes - before) / N, rss1 - rss0);
    for (i = N - 1; i >= 0; i--) dd_span_finish(spans[i]);
    dd_tracer_free(t);
    free(spans);
    return 0;
}

/* Heap per open one-span trace: N roots, each a trace of its own, all open at once. */
static int cmd_memory_trace(void) {
    const int N = 1000;
    dd_tracer *t = make_tracer(1, NULL, NULL);
    dd_span **spans = (dd_span **)calloc((size_t)N, sizeof *spans);
    long long before;
    int i;
    if (!t || !spans) die("memory");
    before = g_heap.live_bytes;
    for (i = 0; i < N; i++)
        if (!(spans[i] = start_root(t))) die("root refused");
    printf("memory trace bytes_per_trace %.1f\n", (double)(g_heap.live_bytes - before) / N);
    for (i = 0; i < N; i++) dd_span_finish(spans[i]);
    dd_tracer_free(t);
    free(spans);
    return 0;
}

/* Tail latency of dd_span_finish (native; a timing row, not a goal): 10-span traces with the 7
 * tags on every span, the 9 children finished then the root (whose finish completes the trace and
 * encodes it), each finish timed alone with CLOCK_MONOTONIC; a flush every 100 traces, outside
 * the timings. Prints percentiles of all finishes, of the children's and of the roots', and the
 * cost of the two clock reads themselves (not subtracted). */
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
static void print_pcts(const char *what, int64_t *v, size_t n) {
    qsort(v, n, sizeof v[0], cmp_i64);
    printf("latency %s n %zu p50 %lld p99 %lld p99.9 %lld max %lld\n", what, n, (long long)v[n / 2],
           (long long)v[n * 99 / 100], (long long)v[n * 999 / 1000], (long long)v[n - 1]);
}
static int cmd_latency(int traces) {
    dd_tracer *t = make_tracer(1, NULL, NULL);
    int64_t *all = (int64_t *)calloc((size_t)traces * 10, sizeof *all);
    int64_t *kids = (int64_t *)calloc((size_t)traces * 9, sizeof *kids);
    int64_t *roots = (int64_t *)calloc((size_t)traces, sizeof *roots);
    int64_t clk[1001];
    size_t na = 0, nk = 0, nr = 0;
    int tr, i, w;
    if (!t || !all || !kids || !roots) die("latency");
    for (i = 0; i < 1001; i++) {
        int64_t a = now_ns();
        clk[i] = now_ns() - a;
    }
    qsort(clk, 1001, sizeof clk[0], cmp_i64);
    for (w = 0; w < 2; w++) /* w = 0: warm-up of the same size, not recorded */
        for (tr = 0; tr < traces; tr++) {
            dd_span *s[10];
            dd_span_options o;
            for (i = 0; i < 10; i++) {
                memset(&o, 0, sizeof o);
                o.parent = i ? s[0] : NULL;
                o.name = i ? CHILD_NAME : ROOT_NAME;
                o.resource = i ? CHILD_RESOURCE : ROOT_RESOURCE;
                o.type = "web";
                s[i] = dd_span_start(t, &o);
                set_7_tags(s[i]);
            }
            for (i = 9; i >= 0; i--) {
                int64_t a = now_ns(), d;
                dd_span_finish(s[i]);
                d = now_ns() - a;
                if (!w) continue;
                all[na++] = d;
                if (i) kids[nk++] = d;
                else roots[nr++] = d;
            }
            if (tr % 100 == 99) dd_tracer_flush(t);
        }
    printf("# dd_span_finish ns (CLOCK_MONOTONIC around each call; two clock reads cost p50 %lld ns)\n",
           (long long)clk[500]);
    print_pcts("all", all, na);
    print_pcts("child", kids, nk);
    print_pcts("root", roots, nr);
    dd_tracer_free(t);
    free(all);
    free(kids);
    free(roots);
    return 0;
}

static int cmd_scaling(void) {
    static const int sizes[] = {1, 10, 100, 1000, 10000};
    size_t k;
    dd_tracer *t = make_tracer(1, NULL, NULL);
    dd_span **spans = (dd_span **)calloc(10000, sizeof *spans);
    if (!t || !spans) die("scaling");
    printf("# spans_per_trace ns_per_span(median of 9) allocs_per_span\n");
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int n = sizes[k], r, rep, i;
        int reps = 20000 / n; /* about 20,000 spans per measurement */
        double ns[9];
        unsigned long allocs = 0;
        for (r = -1; r < 9; r++) { /* r = -1: warm-up */
            measure m = {0, 0};
            for (rep = 0; rep < reps; rep++) {
                REGION_BEGIN(&m);
                spans[0] = start_root(t);
                for (i = 1; i < n; i++) spans[i] = start_child(spans[0]);
                for (i = n - 1; i >= 0; i--) dd_span_finish(spans[i]);
                dd_tracer_flush(t); /* encoding happens here (or at finish): counted either way */
                REGION_END(&m);
            }
            if (r >= 0) {
                ns[r] = (double)m.ns / ((double)reps * n);
                allocs += m.allocs;
            }
        }
        qsort(ns, 9, sizeof ns[0], cmp_double);
        printf("scaling %d %.1f %.4f\n", n, ns[4], (double)allocs / (9.0 * reps * n));
        fflush(stdout);
    }
    dd_tracer_free(t);
    free(spans);
    return 0;
}
/* scaling under callgrind: one size, `reps` traces */
static int cmd_scaling_one(int n, int reps) {
    dd_tracer *t = make_tracer(1, NULL, NULL);
    dd_span **spans = (dd_span **)calloc((size_t)n, sizeof *spans);
    measure m = {0, 0};
    int rep, i;
    if (!t || !spans) die("scaling");
    for (rep = -1; rep < reps; rep++) { /* rep -1: warm-up, not collected */
        g_collect = rep >= 0;
        REGION_BEGIN(&m);
        spans[0] = start_root(t);
        for (i = 1; i < n; i++) spans[i] = start_child(spans[0]);
        for (i = n - 1; i >= 0; i--) dd_span_finish(spans[i]);
        dd_tracer_flush(t);
        REGION_END(&m);
    }
    dd_tracer_free(t);
    free(spans);
    return 0;
}

typedef struct thread_arg {
    dd_tracer *t;
    volatile int *stop;
    unsigned long traces;
} thread_arg;
static void *thread_main(void *p) {
    thread_arg *a = (thread_arg *)p;
    while (!*a->stop) {
        one_trace_10(a->t);
        a->traces++;
    }
    return NULL;
}
static int cmd_threads(double seconds) {
    int nt;
    printf("# threads spans_per_second(median of 3, wall clock) wall_ns_per_span_per_thread cpu_ns_per_span(process CPU time) spans_dropped_percent\n");
    for (nt = 1; nt <= 2; nt++) {
        double rate[3], cpu[3], dropped[3];
        int r;
        for (r = 0; r < 3; r++) {
            dd_tracer_config cfg;
            dd_tracer *t;
            pthread_t th[2];
            thread_arg a[2];
            volatile int stop = 0;
            int64_t t0, t1, c0, c1;
            unsigned long traces = 0;
            struct timespec d;
            int i;
            memset(&cfg, 0, sizeof cfg);
            cfg.service = SERVICE;
            cfg.trace_id_128 = DD_ON;
            cfg.startup_logs = DD_OFF;
            cfg.cgroup_path = "";
            cfg.getenv_fn = no_env;
            cfg.transport_fn = transport_ok; /* automatic flushes (5 MiB or 2 s) on the finishing thread */
            t = dd_tracer_new(&cfg);
            if (!t) die("tracer");
            t0 = now_ns();
            c0 = proc_cpu_ns();
            for (i = 0; i < nt; i++) {
                a[i].t = t;
                a[i].stop = &stop;
                a[i].traces = 0;
                if (pthread_create(&th[i], NULL, thread_main, &a[i]) != 0) die("pthread_create");
            }
            d.tv_sec = (time_t)seconds;
            d.tv_nsec = (long)((seconds - (double)d.tv_sec) * 1e9);
            nanosleep(&d, NULL);
            stop = 1;
            for (i = 0; i < nt; i++) {
                pthread_join(th[i], NULL);
                traces += a[i].traces;
            }
            t1 = now_ns();
            c1 = proc_cpu_ns();
            rate[r] = (double)traces * 10.0 / ((double)(t1 - t0) / 1e9);
            cpu[r] = (double)(c1 - c0) / ((double)traces * 10.0);
            { /* the share of finished spans the tracer dropped instead of sending (limits) */
                dd_counters c;
                dd_tracer_counters(t, &c);
                dropped[r] = c.spans_finished ? 100.0 * (double)(c.spans_dropped_buffer + c.spans_dropped_limit)
                                                    / (double)c.spans_finished : 0.0;
            }
            dd_tracer_free(t);
        }
        qsort(rate, 3, sizeof rate[0], cmp_double);
        qsort(cpu, 3, sizeof cpu[0], cmp_double);
        qsort(dropped, 3, sizeof dropped[0], cmp_double);
        printf("threads %d %.0f %.1f %.1f %.1f\n", nt, rate[1], 1e9 * nt / rate[1], cpu[1], dropped[1]);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "ops") == 0) return cmd_ops(argc >= 3 ? atoi(argv[2]) : 15);
    if (argc >= 4 && strcmp(argv[1], "one") == 0) return cmd_one(argv[2], atol(argv[3]));
    if (argc >= 2 && strcmp(argv[1], "ops-list") == 0) {
        size_t k;
        for (k = 0; k < N_OPS; k++)
            printf("%s|%s|%ld|%.0f|%.0f|%.0f\n", g_ops[k].name, g_ops[k].title, g_ops[k].cg_iters, g_ops[k].ref_ir,
                   g_ops[k].ref_ns, g_ops[k].ref_allocs);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "memory") == 0 && strcmp(argv[2], "trace") == 0) return cmd_memory_trace();
    if (argc >= 3 && strcmp(argv[1], "memory") == 0)
        return cmd_memory(strncmp(argv[2], "tagged", 6) == 0, strstr(argv[2], "_static") != NULL);
    if (argc >= 2 && strcmp(argv[1], "latency") == 0) return cmd_latency(argc >= 3 ? atoi(argv[2]) : 20000);
    if (argc >= 2 && strcmp(argv[1], "scaling") == 0) return cmd_scaling();
    if (argc >= 4 && strcmp(argv[1], "scaling-one") == 0) return cmd_scaling_one(atoi(argv[2]), atoi(argv[3]));
    if (argc >= 2 && strcmp(argv[1], "threads") == 0) return cmd_threads(argc >= 3 ? atof(argv[2]) : 1.0);
    fprintf(stderr, "usage: bench ops [runs] | one <op> <iters> | ops-list | memory bare|tagged[_static] | scaling |\n"
                    "       scaling-one <spans> <traces> | threads [seconds] | memory trace | latency [traces]\n");
    return 2;
}
