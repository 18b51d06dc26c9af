/* bench/throughput.c - delivery under a steady offered load (bench/throughput.sh runs it).
 *
 *   cc -std=c99 -O2 -I. bench/throughput.c -o throughput -lpthread -lm          (instant, hang, late)
 *   cc -std=c99 -O2 -I. -DBENCH_SENDER bench/throughput.c -o throughput ...      (+ dd_sender.h)
 *
 *   throughput <transport> <offered spans/s> <seconds> [agent url]
 *
 * Two producer threads share one tracer with the default configuration (background delivery)
 * and offer, together, <offered> spans per second for <seconds>: 10-span traces (a root and 9
 * children) with 7 tags on every span (5 strings, 2 numbers), paced to a schedule (each thread
 * is due to have finished trace i at t0 + i * 20 / offered s; ahead of it, the thread sleeps;
 * behind it, it produces without pause, so "produced" falls short of "offered" when the
 * machine cannot keep up). Every dd_span_finish is timed with CLOCK_MONOTONIC into a
 * log-linear histogram (64 steps per power of two: 1.6 % resolution; the max is exact).
 *
 * Transports:
 *   instant   answers 200 at once; counts X-Datadog-Trace-Count chunks of 10 spans
 *   instant-parse  the same, but counts the spans of every body by walking it with
 *             dd_msgpack.h's reader (array of chunks, each an array of span maps) and checks
 *             X-Datadog-Trace-Count against the chunks: a check, not free (the worker's CPU)
 *   hang      never answers until the producers' time is up (then 200): the worker is stuck
 *             from the first request on
 *   late      answers 200 after 5 s, whatever req->timeout_ms says
 *   sender    the real sender (dd_sender.h with -DBENCH_SENDER, else examples/sender_posix.c,
 *             one connection per request) to [agent url] (examples/agent.c --count-only)
 *
 * After <seconds>, producers stop; the run waits (at most 3 s: the 2 s flush interval and a
 * second; not for hang/late) until nothing is pending, reads the counters, then frees the
 * tracer. Prints one line:
 *   run <transport> offered <spans/s> produced <spans/s> delivered <spans/s> started <n> sent <n>
 *   unconfirmed <n> dropped_buffer <n> dropped_send <n> dropped_limit <n> dropped_shutdown <n>
 *   pending <n> counted <n> bad_bodies <n> rss_kib <VmHWM> p50_us <x> p999_us <x> max_us <x>
 *   wall_s <x> drain_ms <x> slow_1ms <finishes over 1 ms> max_cpu_us <x>
 * "delivered" = spans_sent / production time (what was still pending after the drain is in
 * "pending"); "counted" = spans the instant transport found in accepted bodies (= sent). With THROUGHPUT_CPU=1 each finish
 * also reads the thread's CPU clock (a syscall: slower finishes), and max_cpu_us is the most
 * CPU time one finish used: far below max_us, the worst finish was the thread waiting (a lock
 * or the scheduler on a busy machine), not working; -1 without it. THROUGHPUT_FLUSH_BYTES and
 * THROUGHPUT_MAX_BUFFER_BYTES set those two limits, for exploring (the published runs leave them). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#ifdef BENCH_SENDER
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"
#else
#include "dd_trace.h"
#include "examples/sender_posix.c"
#endif
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t tp_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static void tp_sleep_ns(int64_t ns) {
    struct timespec ts;
    ts.tv_sec = (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    nanosleep(&ts, NULL);
}

/*=== latency histogram: 64 sub-buckets per power of two ===*/
#define H_SUB 64
#define H_BUCKETS (64 * H_SUB)
typedef struct hist {
    uint64_t n[H_BUCKETS];
    uint64_t count;
    int64_t max;
} hist;
static int h_index(uint64_t v) {
    int b = 63;
    if (v < H_SUB) return (int)v;
    while (!(v >> b)) b--;                                    /* v in [2^b, 2^(b+1)) */
    return (b - 5) * H_SUB + (int)((v >> (b - 6)) & (H_SUB - 1)); /* b >= 6 */
}
static uint64_t h_upper(int i) { /* the largest value of bucket i */
    int b;
    if (i < H_SUB) return (uint64_t)i;
    b = i / H_SUB + 5;
    return (((uint64_t)(H_SUB + i % H_SUB) + 1) << (b - 6)) - 1;
}
static void h_add(hist *h, int64_t v) {
    if (v < 0) v = 0;
    h->n[h_index((uint64_t)v)]++;
    h->count++;
    if (v > h->max) h->max = v;
}
static double h_quantile_us(const hist *h, double q) {
    uint64_t want = (uint64_t)((double)h->count * q), seen = 0;
    int i;
    if (h->count == 0) return 0;
    if (want >= h->count) want = h->count - 1;
    for (i = 0; i < H_BUCKETS; i++) {
        seen += h->n[i];
        if (seen > want) {
            uint64_t u = h_upper(i);
            return (double)(u > (uint64_t)h->max ? (uint64_t)h->max : u) / 1e3;
        }
    }
    return (double)h->max / 1e3;
}

/*=== transports ===*/
static const char g_answer[] = "{\"rate_by_service\":{\"service:,env:\":1}}";
static uint64_t g_counted, g_bad_bodies;
static volatile int g_release; /* hang / late: the run is over, answer now */
static int64_t g_run_end;      /* ... or once the producers' time is up (a finish that waits) */

static int answer_200(dd_http_response *resp) {
    resp->status = 200;
    resp->body = g_answer;
    resp->body_len = sizeof g_answer - 1;
    return DD_TRANSPORT_ANSWERED;
}

/* instant: answers at once; counts X-Datadog-Trace-Count chunks of 10 spans (every trace here has 10). */
static int transport_instant(void *user, const dd_http_request *req, dd_http_response *resp) {
    uint64_t count = 0;
    size_t h;
    (void)user;
    for (h = 0; h < req->n_headers; h++)
        if (strcmp(req->headers[h].name, "X-Datadog-Trace-Count") == 0)
            dd_u64_from_dec(req->headers[h].value, req->headers[h].value_len, &count);
    if (count == 0) __atomic_add_fetch(&g_bad_bodies, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&g_counted, count * 10, __ATOMIC_RELAXED);
    return answer_200(resp);
}

/* instant-parse: the same, counting the spans of every body by walking it (about 1 ns a byte,
 * on the worker thread). */
static int transport_instant_parse(void *user, const dd_http_request *req, dd_http_response *resp) {
    dd_mp_reader r;
    uint32_t nc = 0, ns, i, j;
    uint64_t spans = 0, count = 0;
    size_t h;
    int ok = 1;
    (void)user;
    dd_mp_reader_init(&r, req->body, req->body_len);
    if (dd_mp_read_array(&r, &nc) != DD_OK) ok = 0;
    for (i = 0; ok && i < nc; i++) {
        if (dd_mp_read_array(&r, &ns) != DD_OK || ns == 0) ok = 0;
        for (j = 0; ok && j < ns; j++)
            if (dd_mp_peek_type(&r) != DD_MP_MAP || dd_mp_skip(&r) != DD_OK) ok = 0;
        spans += ns;
    }
    for (h = 0; h < req->n_headers; h++)
        if (strcmp(req->headers[h].name, "X-Datadog-Trace-Count") == 0)
            dd_u64_from_dec(req->headers[h].value, req->headers[h].value_len, &count);
    if (!ok || dd_mp_reader_remaining(&r) != 0 || count != nc) __atomic_add_fetch(&g_bad_bodies, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&g_counted, spans, __ATOMIC_RELAXED);
    return answer_200(resp);
}

static int transport_hang(void *user, const dd_http_request *req, dd_http_response *resp) {
    (void)user;
    (void)req;
    while (!g_release && tp_now_ns() < g_run_end) tp_sleep_ns(1000000);
    return answer_200(resp);
}

static int transport_late(void *user, const dd_http_request *req, dd_http_response *resp) {
    int64_t until = tp_now_ns() + INT64_C(5000000000);
    (void)user;
    (void)req;
    while (!g_release && tp_now_ns() < until) tp_sleep_ns(1000000);
    return answer_200(resp);
}

/*=== producers ===*/
static void set_7_tags(dd_span *s) {
    dd_span_set_tag_n(s, "http.method", 11, "GET", 3);
    dd_span_set_tag_n(s, "http.url", 8, "https://api.example.com/v1/users/12345", 38);
    dd_span_set_tag_n(s, "http.status_code", 16, "200", 3);
    dd_span_set_tag_n(s, "component", 9, "bench-http", 10);
    dd_span_set_tag_n(s, "span.kind", 9, "server", 6);
    dd_span_set_metric_n(s, "http.response.content_length", 28, 1234.0);
    dd_span_set_metric_n(s, "_dd.measured", 12, 1.0);
}

typedef struct producer {
    dd_tracer *t;
    double traces_per_s; /* this thread's share of the schedule */
    int64_t t0, end;
    uint64_t traces;
    uint64_t slow;       /* finishes over 1 ms of wall time */
    int64_t max_cpu;     /* THROUGHPUT_CPU=1: the most thread CPU time one finish took */
    hist h;
    pthread_t th;
} producer;

static int g_cpu; /* THROUGHPUT_CPU=1 */
static int64_t tp_thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *produce(void *p) {
    producer *P = (producer *)p;
    dd_span *s[10];
    dd_span_options o;
    int i;
    for (;;) {
        int64_t now = tp_now_ns(), due = P->t0 + (int64_t)((double)P->traces * 1e9 / P->traces_per_s);
        if (now >= P->end) break;
        if (due > now) { /* ahead of the schedule: sleep (the oversleep is caught up next) */
            tp_sleep_ns(due - now);
            continue;
        }
        for (i = 0; i < 10; i++) {
            memset(&o, 0, sizeof o);
            o.parent = i ? s[0] : NULL;
            o.name = i ? "db.query" : "http.request";
            o.resource = i ? "SELECT * FROM users WHERE id = ?" : "GET /api/v1/users/:id";
            o.type = "web";
            s[i] = dd_span_start(P->t, &o);
            set_7_tags(s[i]);
        }
        for (i = 9; i >= 0; i--) {
            int64_t a = tp_now_ns(), c = g_cpu ? tp_thread_cpu_ns() : 0, d;
            dd_span_finish(s[i]);
            d = tp_now_ns() - a;
            h_add(&P->h, d);
            if (d > 1000000) P->slow++;
            if (g_cpu && (c = tp_thread_cpu_ns() - c) > P->max_cpu) P->max_cpu = c;
        }
        P->traces++;
    }
    return NULL;
}

static long vm_hwm_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

static const char *no_env(void *u, const char *name) {
    (void)u;
    (void)name;
    return NULL;
}

int main(int argc, char **argv) {
    const char *kind;
    double offered, seconds;
    dd_tracer_config cfg;
    dd_tracer *t;
    dd_counters k;
    producer P[2];
    hist all;
    int64_t t0, t_end, t_settled, max_cpu;
    uint64_t slow;
    double wall, drain_ms;
    int i, j, wait_drain;
    void *sender = NULL;
#ifndef BENCH_SENDER
    dd_posix_sender posix;
#endif
    if (argc < 4) {
        fprintf(stderr, "usage: throughput instant|instant-parse|hang|late|sender <offered spans/s> <seconds> [agent url]\n");
        return 64;
    }
    kind = argv[1];
    g_cpu = getenv("THROUGHPUT_CPU") && strcmp(getenv("THROUGHPUT_CPU"), "1") == 0;
    offered = atof(argv[2]);
    seconds = atof(argv[3]);
    if (offered <= 0 || seconds <= 0) return 64;

    memset(&cfg, 0, sizeof cfg); /* the defaults: background delivery, 2 s flush interval... */
    cfg.service = "bench-service";
    cfg.startup_logs = DD_OFF;
    cfg.cgroup_path = "";
    cfg.getenv_fn = no_env;
    if (getenv("THROUGHPUT_FLUSH_BYTES")) /* exploration only: the published runs use the defaults */
        cfg.flush_bytes = strtoull(getenv("THROUGHPUT_FLUSH_BYTES"), NULL, 10);
    if (getenv("THROUGHPUT_MAX_BUFFER_BYTES"))
        cfg.max_buffer_bytes = strtoull(getenv("THROUGHPUT_MAX_BUFFER_BYTES"), NULL, 10);
    wait_drain = 1;
    if (strcmp(kind, "instant") == 0) {
        cfg.transport_fn = transport_instant;
    } else if (strcmp(kind, "instant-parse") == 0) {
        cfg.transport_fn = transport_instant_parse;
    } else if (strcmp(kind, "hang") == 0) {
        cfg.transport_fn = transport_hang;
        wait_drain = 0;
    } else if (strcmp(kind, "late") == 0) {
        cfg.transport_fn = transport_late;
        wait_drain = 0;
    } else if (strcmp(kind, "sender") == 0) {
        const char *url = argc > 4 ? argv[4] : "http://127.0.0.1:8126";
#ifdef BENCH_SENDER
        dd_sender_options so;
        dd_sender_options_init(&so);
        so.url = url;
        so.getenv_fn = no_env;
        so.socket_path = "";
        sender = dd_sender_new(&so);
        if (!sender) {
            fprintf(stderr, "throughput: dd_sender_new(%s) failed\n", url);
            return 2;
        }
        cfg.transport_fn = dd_sender_transport;
#else
        if (dd_posix_sender_init(&posix, url) != DD_OK) {
            fprintf(stderr, "throughput: bad url %s\n", url);
            return 2;
        }
        sender = &posix;
        cfg.transport_fn = dd_posix_sender_transport;
#endif
        cfg.transport_user = sender;
        cfg.hook_user = sender; /* an implementation without transport_user yet */
    } else {
        fprintf(stderr, "throughput: unknown transport %s\n", kind);
        return 64;
    }
    t = dd_tracer_new(&cfg);
    if (!t) return 2;

    t0 = tp_now_ns();
    t_end = t0 + (int64_t)(seconds * 1e9);
    g_run_end = t_end;
    for (i = 0; i < 2; i++) {
        memset(&P[i], 0, sizeof P[i]);
        P[i].t = t;
        P[i].traces_per_s = offered / 10.0 / 2.0;
        P[i].t0 = t0;
        P[i].end = t_end;
        if (pthread_create(&P[i].th, NULL, produce, &P[i]) != 0) return 2;
    }
    for (i = 0; i < 2; i++) pthread_join(P[i].th, NULL);
    wall = (double)(tp_now_ns() - t0) / 1e9;
    for (;;) { /* the tail: what the worker still holds (one flush interval, and a second) */
        dd_tracer_counters(t, &k);
        if (!wait_drain || (k.spans_pending == 0 && k.spans_open == 0) || tp_now_ns() - t_end > INT64_C(3000000000))
            break;
        tp_sleep_ns(2000000);
    }
    t_settled = tp_now_ns();
    drain_ms = (double)(t_settled - t_end) / 1e6;
    memset(&all, 0, sizeof all);
    slow = 0;
    max_cpu = g_cpu ? 0 : -1000;
    for (i = 0; i < 2; i++) {
        slow += P[i].slow;
        if (g_cpu && P[i].max_cpu > max_cpu) max_cpu = P[i].max_cpu;
        for (j = 0; j < H_BUCKETS; j++) all.n[j] += P[i].h.n[j];
        all.count += P[i].h.count;
        if (P[i].h.max > all.max) all.max = P[i].h.max;
    }
    printf("run %s offered %.0f produced %.0f delivered %.0f started %" PRIu64 " sent %" PRIu64 " unconfirmed %" PRIu64
           " dropped_buffer %" PRIu64 " dropped_send %" PRIu64 " dropped_limit %" PRIu64 " dropped_shutdown %" PRIu64
           " pending %" PRIu64 " counted %" PRIu64 " bad_bodies %" PRIu64 " rss_kib %ld p50_us %.2f p999_us %.2f"
           " max_us %.1f wall_s %.2f drain_ms %.0f slow_1ms %" PRIu64 " max_cpu_us %.1f\n",
           kind, offered, (double)k.spans_started / wall, (double)k.spans_sent / wall,
           k.spans_started, k.spans_sent, k.spans_unconfirmed, k.spans_dropped_buffer, k.spans_dropped_send,
           k.spans_dropped_limit, k.spans_dropped_shutdown, k.spans_pending, g_counted, g_bad_bodies, vm_hwm_kib(),
           h_quantile_us(&all, 0.5), h_quantile_us(&all, 0.999), (double)all.max / 1e3, wall, drain_ms, slow,
           (double)max_cpu / 1e3);
    fflush(stdout);
    g_release = 1; /* hang / late: answer, so that dd_tracer_free's last delivery ends */
    dd_tracer_free(t);
#ifdef BENCH_SENDER
    dd_sender_free((dd_sender *)sender);
#else
    if (sender) dd_posix_sender_free(&posix);
#endif
    return 0;
}
