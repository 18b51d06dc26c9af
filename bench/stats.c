/* bench/stats.c — what client-side stats (docs/stats.md) save: instructions and bytes per trace
 * for the reference 10-span trace of bench/bench.c (7 tags a span, every span `server`, so all 10
 * are aggregated: the worst case) and for a realistic one (3 of the 10 aggregated) at a sample rate
 * of 0.1, with stats off and on.
 *
 *   cc -std=c99 -O2 -g -I. bench/stats.c -o build/bench/stats -lpthread -lm   (bench/stats.sh does it)
 *   stats off|on TRACES [mixed]   runs TRACES traces after a warm-up; under valgrind --tool=callgrind
 *                          --collect-atstart=no --toggle-collect=measured only those are counted. Prints bytes sent per trace (trace and stats requests).
 *                          `mixed`: the realistic shape instead (one_trace_mixed: 3 of the 10 spans aggregated).
 *
 * Delivery as the worker would do it, but on this thread so that callgrind sees everything: a
 * delivery pass (dd__deliver) every 200 traces (about one 2 s flush interval at 100 traces/s)
 * and a stats pass (dd__stats_pass, forced) every 1000 traces (one 10 s bucket at that rate).
 * The transport only counts bytes and answers /info as an agent that accepts client stats. Ids
 * come from the default per-thread generator (seeded from the OS: the 10 % kept vary by run,
 * which is why TRACES should be large). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static unsigned long long g_trace_bytes, g_stats_bytes, g_trace_requests, g_stats_requests;
static const char g_info[] = "{\"endpoints\":[\"/v0.4/traces\",\"/v0.6/stats\"],\"client_drop_p0s\":true,\"peer_tags\":[\"db.system\",\"out.host\",\"peer.service\"]}";
static const char g_rates[] = "{\"rate_by_service\":{\"service:,env:\":1}}";
static int transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    (void)user;
    resp->status = 200;
    if (strcmp(req->path, "/info") == 0) {
        resp->body = g_info;
        resp->body_len = sizeof g_info - 1;
    } else if (strcmp(req->path, "/v0.6/stats") == 0) {
        g_stats_bytes += req->body_len;
        g_stats_requests++;
    } else {
        g_trace_bytes += req->body_len;
        g_trace_requests++;
        resp->body = g_rates;
        resp->body_len = sizeof g_rates - 1;
    }
    return DD_TRANSPORT_ANSWERED;
}
static const char *no_env(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}
/* The 6 tags of an HTTP server span both shapes share (each adds a seventh metric); a macro, so
 * that the measured region holds no call the application would not make. */
#define SET_SERVER_TAGS(sp)                                                                  \
    do {                                                                                     \
        dd_span_set_tag_n((sp), "http.method", 11, "GET", 3);                                \
        dd_span_set_tag_n((sp), "http.url", 8, "https://api.example.com/v1/users/12345", 38); \
        dd_span_set_tag_n((sp), "http.status_code", 16, "200", 3);                           \
        dd_span_set_tag_n((sp), "component", 9, "bench-http", 10);                           \
        dd_span_set_tag_n((sp), "span.kind", 9, "server", 6);                                \
        dd_span_set_metric_n((sp), "http.response.content_length", 28, 1234.0);              \
    } while (0)
static void one_trace_10(dd_tracer *t) {
    dd_span *s[10];
    dd_span_options o;
    int i;
    for (i = 0; i < 10; i++) {
        memset(&o, 0, sizeof o);
        o.parent = i ? s[0] : NULL;
        o.name = i ? "db.query" : "http.request";
        o.resource = i ? "SELECT * FROM users WHERE id = ?" : "GET /api/v1/users/:id";
        o.type = "web";
        s[i] = dd_span_start(t, &o);
        SET_SERVER_TAGS(s[i]);
        dd_span_set_metric_n(s[i], "_dd.measured", 12, 1.0);
    }
    for (i = 9; i >= 0; i--) dd_span_finish(s[i]);
}
/* The realistic shape: the same 10 spans and 70 tags (7 a span), but only the root (`server`,
 * top-level) and 2 `client` children (a database; /info's peer tags db.system and out.host) are
 * aggregated; the 7 others are `internal` children of the same service, not eligible. */
static void one_trace_mixed(dd_tracer *t) {
    dd_span *s[10];
    dd_span_options o;
    int i;
    for (i = 0; i < 10; i++) {
        memset(&o, 0, sizeof o);
        o.parent = i ? s[0] : NULL;
        if (i == 0) {
            o.name = "http.request", o.resource = "GET /api/v1/users/:id", o.type = "web";
        } else if (i <= 2) {
            o.name = "postgres.query", o.resource = "SELECT * FROM users WHERE id = ?", o.type = "sql";
        } else {
            o.name = "template.render", o.resource = "users/show", o.type = "template";
        }
        s[i] = dd_span_start(t, &o);
        if (i == 0) {
            SET_SERVER_TAGS(s[i]);
            dd_span_set_metric_n(s[i], "thread.id", 9, 4242.0);
        } else if (i <= 2) {
            dd_span_set_tag_n(s[i], "db.system", 9, "postgresql", 10);
            dd_span_set_tag_n(s[i], "db.instance", 11, "users", 5);
            dd_span_set_tag_n(s[i], "out.host", 8, "db.internal", 11);
            dd_span_set_tag_n(s[i], "component", 9, "bench-db", 8);
            dd_span_set_tag_n(s[i], "span.kind", 9, "client", 6);
            dd_span_set_metric_n(s[i], "db.row_count", 12, 1.0);
            dd_span_set_metric_n(s[i], "network.destination.port", 24, 5432.0);
        } else {
            dd_span_set_tag_n(s[i], "component", 9, "bench-app", 9);
            dd_span_set_tag_n(s[i], "span.kind", 9, "internal", 8);
            dd_span_set_tag_n(s[i], "template.name", 13, "users/show", 10);
            dd_span_set_tag_n(s[i], "template.engine", 15, "mustache", 8);
            dd_span_set_tag_n(s[i], "cache.hit", 9, "true", 4);
            dd_span_set_metric_n(s[i], "template.size", 13, 2048.0);
            dd_span_set_metric_n(s[i], "template.depth", 14, 3.0);
        }
    }
    for (i = 9; i >= 0; i--) dd_span_finish(s[i]);
}
static int g_mixed;
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void run(dd_tracer *t, long traces, long *done) {
    long i;
    int rc;
    for (i = 0; i < traces; i++) {
        if (g_mixed) one_trace_mixed(t);
        else one_trace_10(t);
        ++*done;
        if (*done % 200 == 0) dd__deliver(t, dd__now() + 1000000000, 1, &rc);
        if (*done % 1000 == 0 && t->stats) dd__stats_pass(t, dd__now() + 1000000000, 1);
    }
}
/* The measured region: callgrind collects inside this function only (--toggle-collect). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void measured(dd_tracer *t, long traces, long *done);
void measured(dd_tracer *t, long traces, long *done) { run(t, traces, done); }

int main(int argc, char **argv) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    long traces, done = 0;
    int on;
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "mixed") == 0)) {
        fprintf(stderr, "usage: stats off|on TRACES [mixed]\n");
        return 2;
    }
    g_mixed = argc == 4;
    on = strcmp(argv[1], "on") == 0;
    traces = atol(argv[2]);
    dd_tracer_config_init(&c);
    c.service = "bench-service";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.getenv_fn = no_env;
    c.transport_fn = transport;
    c.delivery = DD_DELIVERY_MANUAL;
    c.flush_interval_ms = -1;
    c.sampling.sample_rate = 0.1;
    c.sampling.sample_rate_set = 1;
    c.sampling.rate_limit = 1e9; /* the rate alone decides (the default limit, 100 traces/s, would
                                    reject most of this loop's traces and flatter the stats case) */
    c.sampling.rate_limit_set = 1;
    c.stats_computation = on ? DD_ON : DD_OFF;
    t = dd_tracer_new(&c);
    if (!t) return 1;
    dd_tracer_flush(t); /* /info */
    run(t, 2000, &done); /* warm-up: pools, buffers, buckets */
    dd_tracer_flush(t);
    g_trace_bytes = g_stats_bytes = g_trace_requests = g_stats_requests = 0;
    done = 0;
    measured(t, traces, &done);
    dd_tracer_flush(t); /* the rest, outside the region (counted in the bytes) */
    dd_tracer_counters(t, &k);
    printf("mode %s traces %ld trace_bytes_per_trace %.1f stats_bytes_per_trace %.1f trace_requests %llu stats_requests %llu"
           " chunks_dropped_p0 %llu stats_spans %llu\n",
           argv[1], traces, (double)g_trace_bytes / (double)traces, (double)g_stats_bytes / (double)traces, g_trace_requests,
           g_stats_requests, (unsigned long long)k.chunks_dropped_p0, (unsigned long long)k.stats_spans);
    dd_tracer_free(t);
    return 0;
}
