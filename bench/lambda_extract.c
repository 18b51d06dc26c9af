/* bench/lambda_extract.c — dd_lambda_extract of a 6 MB event against one plain parse of it
 * (dd_json_parse), for the rows "lambda extract 6 MB ..." of BENCHMARKS.md (docs/lambda.md §4:
 * extraction reads the event in a fixed number of passes, at most 3x one parse).
 *
 *   cc -std=c99 -O2 -g -I. bench/lambda_extract.c -o build/bench/lambda_extract
 *   lambda_extract wall [runs]                 median wall ms of extract and parse per shape, ratio
 *   lambda_extract one <shape> <extract|parse> <iters>
 *                                              for callgrind --collect-atstart=no: collects only
 *                                              inside the measured calls (after one warm-up call)
 *   lambda_extract check                       every shape yields the carrier's context (exit 1 if not)
 * Shapes: bench/lambda_events.h. The environment is not read (getenv_fn gives NULL). */
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION
#include "dd_lambda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lambda_events.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT
#endif

#define EVENT_SIZE 6000000

static const char *no_env(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}
static dd_lambda_config g_cfg;
static dd_trace_context g_out;
static dd_lambda_trigger g_trig;

static int run_extract(const char *ev, size_t n) {
    return dd_lambda_extract(&g_cfg, ev, n, NULL, 0, &g_out, &g_trig);
}
static int run_parse(const char *ev, size_t n) {
    dd_json root;
    return dd_json_parse(ev, n, &root);
}
static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median_ms(int (*fn)(const char *, size_t), const char *ev, size_t n, int runs) {
    double *t = (double *)malloc(sizeof(double) * (size_t)runs), m;
    int i;
    fn(ev, n); /* warm-up: page faults of the event and of the scratch */
    for (i = 0; i < runs; i++) {
        double t0 = now_ms();
        fn(ev, n);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_d);
    m = t[runs / 2];
    free(t);
    return m;
}
static int shape_of(const char *name) {
    int s;
    for (s = 0; s < DD__BEV_COUNT; s++)
        if (strcmp(name, dd__bev_names[s]) == 0) return s;
    fprintf(stderr, "unknown shape %s\n", name);
    exit(2);
}

int main(int argc, char **argv) {
    g_cfg.getenv_fn = no_env;
    g_cfg.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench";
    if (argc >= 2 && strcmp(argv[1], "wall") == 0) {
        int runs = argc >= 3 ? atoi(argv[2]) : 21, s;
        if (runs < 1) runs = 1;
        printf("%-10s %10s %12s %10s %7s\n", "shape", "bytes", "extract ms", "parse ms", "ratio");
        for (s = 0; s < DD__BEV_COUNT; s++) {
            size_t n;
            char *ev = dd__bev_make(s, EVENT_SIZE, &n);
            double e = median_ms(run_extract, ev, n, runs), p = median_ms(run_parse, ev, n, runs);
            printf("%-10s %10zu %12.2f %10.2f %7.2f\n", dd__bev_names[s], n, e, p, e / p);
            free(ev);
        }
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "one") == 0) {
        int s = shape_of(argv[2]), i, iters = atoi(argv[4]);
        int (*fn)(const char *, size_t) = strcmp(argv[3], "parse") == 0 ? run_parse : run_extract;
        size_t n;
        char *ev = dd__bev_make(s, EVENT_SIZE, &n);
        fn(ev, n);
        CALLGRIND_TOGGLE_COLLECT;
        for (i = 0; i < iters; i++) fn(ev, n);
        CALLGRIND_TOGGLE_COLLECT;
        printf("%s %s %zu bytes x %d\n", argv[2], argv[3], n, iters);
        free(ev);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "check") == 0) {
        int s, bad = 0;
        for (s = 0; s < DD__BEV_COUNT; s++) {
            size_t n;
            char *ev = dd__bev_make(s, EVENT_SIZE, &n);
            int rc = run_extract(ev, n), ok = rc == DD_OK && g_out.trace_id.lo == 4948377316357291421ull &&
                                               g_out.parent_id == 6746998015037429512ull && g_out.sampling_priority == 2;
            printf("%-10s %zu bytes: %s (source %s)\n", dd__bev_names[s], n, ok ? "context found" : "NO CONTEXT",
                   dd_lambda_event_source_name(g_trig.event_source));
            bad |= !ok;
            free(ev);
        }
        return bad;
    }
    fprintf(stderr, "usage: lambda_extract wall [runs] | one <shape> <extract|parse> <iters> | check\n");
    return 2;
}
