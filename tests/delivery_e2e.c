/* tests/delivery_e2e.c - the tracer and the real sender against tests/fault_agent.py, one fault
 * at a time (tests/delivery_e2e_test.sh drives it and checks the agent's side).
 *
 *   delivery_e2e <agent url> <control file | -> <fault seconds> <ids file>
 *
 * With the default configuration but short deadlines (flush every 100 ms, requests 500 ms,
 * shutdown 1 s), finishes 200 traces of 3 spans spread over <fault seconds> while the agent plays
 * its fault, then writes "ok" into the agent's control file (unless "-"), finishes 50 more traces,
 * waits until nothing is pending (at most 8 s), prints the counters as one JSON line, frees the
 * tracer and writes the id of every span it started to <ids file>, one decimal per line.
 * The transport is dd_sender.h when built with -DHAVE_DD_SENDER, else examples/sender_posix.c. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#ifdef HAVE_DD_SENDER
#define DD_SENDER_IMPLEMENTATION
#include "../dd_sender.h"
#else
#include "../dd_trace.h"
#include "../examples/sender_posix.c"
#endif
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_IDS 4096
static uint64_t ids[MAX_IDS];
static size_t n_ids;

static void e2e_sleep_ms(int64_t ms) {
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}
static int64_t e2e_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static const char *no_env(void *u, const char *name) {
    (void)u;
    (void)name;
    return NULL;
}

static void traces(dd_tracer *t, int n) {
    int i, j;
    for (i = 0; i < n; i++) {
        dd_span_options o;
        dd_span *s[3];
        memset(&o, 0, sizeof o);
        o.name = "http.request";
        s[0] = dd_span_start(t, &o);
        s[1] = dd_span_start_child(s[0], "db.query");
        s[2] = dd_span_start_child(s[0], "cache.get");
        for (j = 0; j < 3; j++) {
            dd_span_set_tag(s[j], "component", "delivery-e2e");
            if (s[j] && n_ids < MAX_IDS) ids[n_ids++] = dd_span_id(s[j]);
        }
        for (j = 2; j >= 0; j--) dd_span_finish(s[j]);
    }
}

int main(int argc, char **argv) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    double fault_s;
    int b;
    int64_t t0;
    FILE *f;
    size_t i;
    uint64_t rhs;
#ifdef HAVE_DD_SENDER
    dd_sender_options so;
    dd_sender *sender;
#else
    dd_posix_sender posix, *sender = &posix;
#endif
    if (argc != 5) {
        fprintf(stderr, "usage: delivery_e2e <agent url> <control file | -> <fault seconds> <ids file>\n");
        return 64;
    }
    fault_s = atof(argv[3]);
#ifdef HAVE_DD_SENDER
    dd_sender_options_init(&so);
    so.url = argv[1];
    so.getenv_fn = no_env;
    so.socket_path = "";
    sender = dd_sender_new(&so);
    if (!sender) return 2;
#else
    if (dd_posix_sender_init(&posix, argv[1]) != DD_OK) return 2;
    posix.timeout_ms = 500;
#endif
    memset(&c, 0, sizeof c);
    c.service = "delivery-e2e";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.getenv_fn = no_env;
    c.flush_interval_ms = 100;
    c.request_timeout_ms = 500;
    c.shutdown_timeout_ms = 1000;
#ifdef HAVE_DD_SENDER
    c.transport_fn = dd_sender_transport;
#else
    c.transport_fn = dd_posix_sender_transport;
#endif
    c.transport_user = sender;
    c.hook_user = sender; /* the same, for an implementation that predates transport_user */
    t = dd_tracer_new(&c);
    if (!t) return 2;
    for (b = 0; b < 10; b++) { /* the fault period */
        traces(t, 20);
        e2e_sleep_ms((int64_t)(fault_s * 100));
    }
    if (strcmp(argv[2], "-") != 0) { /* the agent recovers */
        f = fopen(argv[2], "w");
        if (!f) return 2;
        fputs("ok\n", f);
        fclose(f);
    }
    traces(t, 50);
    t0 = e2e_now_ms();
    do {
        e2e_sleep_ms(10);
        dd_tracer_counters(t, &k);
    } while ((k.spans_pending || k.spans_open) && e2e_now_ms() - t0 < 8000);
    rhs = k.spans_open + k.spans_pending + k.spans_sent + k.spans_unconfirmed + k.spans_dropped_buffer
        + k.spans_dropped_sampling + k.spans_dropped_send + k.spans_dropped_shutdown;
    printf("{\"started\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"unconfirmed\":%" PRIu64 ",\"dropped_send\":%" PRIu64
           ",\"dropped_buffer\":%" PRIu64 ",\"dropped_shutdown\":%" PRIu64 ",\"pending\":%" PRIu64 ",\"open\":%" PRIu64
           ",\"requests_deferred\":%" PRIu64 ",\"requests_unconfirmed\":%" PRIu64 ",\"balance_rhs\":%" PRIu64
           ",\"settle_ms\":%" PRId64 "}\n",
           k.spans_started, k.spans_sent, k.spans_unconfirmed, k.spans_dropped_send, k.spans_dropped_buffer,
           k.spans_dropped_shutdown, k.spans_pending, k.spans_open, k.requests_deferred, k.requests_unconfirmed, rhs,
           e2e_now_ms() - t0);
    fflush(stdout);
    dd_tracer_free(t);
#ifdef HAVE_DD_SENDER
    dd_sender_free(sender);
#else
    dd_posix_sender_free(&posix);
#endif
    f = fopen(argv[4], "w");
    if (!f) return 2;
    for (i = 0; i < n_ids; i++) fprintf(f, "%" PRIu64 "\n", ids[i]);
    fclose(f);
    return 0;
}
