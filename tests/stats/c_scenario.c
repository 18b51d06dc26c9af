/* tests/stats/c_scenario.c - plays tests/stats/scenario.txt through the SDK with client-side
 * stats on, to the agent named by DD_TRACE_AGENT_URL (dd_sender.h), for tests/stats_node_test.sh.
 * Each trace starts 1 s after the previous one's start (from now - 70 s), so that its spans end in
 * the past and land in several 10 s buckets. dd_tracer_flush first (the worker reads /info), then
 * the traces, then dd_tracer_free (every stats bucket is sent). Prints the counters. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../../dd_trace.h"
#include "../../dd_sender.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
/* splits line on '|' into at most 11 fields */
static int fields(char *line, char **f) {
    int n = 0;
    char *p = line;
    f[n++] = p;
    while ((p = strchr(p, '|')) != NULL && n < 11) {
        *p++ = 0;
        f[n++] = p;
    }
    return n;
}
int main(int argc, char **argv) {
    dd_tracer_config cfg;
    dd_tracer *t;
    FILE *in;
    char line[512];
    int64_t t0 = wall_ms() - 70000; /* ms */
    int i = 0;
    dd_counters c;
    if (argc != 2 || !(in = fopen(argv[1], "r"))) return 2;
    dd_tracer_config_init(&cfg);
    cfg.stats_computation = DD_ON;
    cfg.startup_logs = DD_OFF;
    dd_sender_attach(&cfg, dd_sender_new(NULL));
    t = dd_tracer_new(&cfg);
    if (!t) return 1;
    dd_tracer_flush(t); /* learns the agent's features (/info) before the first trace */
    while (fgets(line, sizeof line, in)) {
        char *f[11];
        dd_span_options o = DD_SPAN_OPTIONS_INIT;
        dd_span *root;
        int64_t start;
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#' || !line[0] || fields(line, f) != 11) continue;
        start = (t0 + 1000 * i++) * 1000000;
        o.name = f[0];
        o.resource = f[1];
        o.start_ns = start;
        root = dd_span_start(t, &o);
        dd_span_set_type(root, f[2]);
        dd_span_set_kind(root, f[3]);
        if (f[4][0]) dd_span_set_tag(root, "http.status_code", f[4]);
        if (atoi(f[5])) dd_span_set_error(root, 1);
        if (atoi(f[10])) dd_span_set_priority(root, DD_PRIORITY_USER_REJECT);
        if (f[7][0]) {
            dd_span *ch = dd_span_start_child(root, f[7]);
            dd_span_set_resource(ch, f[8]);
            dd_span_set_type(ch, "sql");
            dd_span_set_kind(ch, "internal");
            dd_span_set_measured(ch, 1);
            dd_span_set_start(ch, start + 1000000);
            dd_span_finish_at(ch, start + 1000000 + (int64_t)atoi(f[9]) * 1000000);
        }
        dd_span_finish_at(root, start + (int64_t)atoi(f[6]) * 1000000);
    }
    fclose(in);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    printf("stats_spans=%llu chunks_dropped_p0=%llu spans_dropped_p0=%llu spans_sent=%llu stats_payloads_sent=%llu\n",
           (unsigned long long)c.stats_spans, (unsigned long long)c.chunks_dropped_p0,
           (unsigned long long)c.spans_dropped_p0, (unsigned long long)c.spans_sent,
           (unsigned long long)c.stats_payloads_sent);
    dd_tracer_free(t);
    return 0;
}
