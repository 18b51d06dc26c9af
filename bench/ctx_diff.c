/* bench/ctx_diff.c - differential check of extraction and injection: prints, for every input file
 * given, what dd_extract, dd_inject, dd_datadog_inject/_extract, dd_span_context, dd_span_inject
 * and dd_span_inject_datadog_json produce (contexts as bytes, headers as text) under several
 * configurations. Build it against an older copy of the headers and against the current ones,
 * run both over the fuzz corpora and diff: a rewrite of these paths must print the same.
 *
 *   git show <old>:dd_propagation.h > old/dd_propagation.h   (and dd_msgpack.h, dd_trace.h)
 *   cc -std=c99 -O1 -Iold bench/ctx_diff.c -o old.bin -lpthread -lm
 *   cc -std=c99 -O1 -I.   bench/ctx_diff.c -o new.bin -lpthread -lm
 *   diff <(./old.bin fuzz/corpus/all_styles/x ...) <(./new.bin fuzz/corpus/all_styles/x ...)  (every file)
 *
 * Contexts are printed field by field (strings by length, links up to n_links: the bytes after a
 * string's NUL are unspecified). dd_span_inject runs for a child and then its root, so that the
 * second replays the trace's recorded headers for another parent id, and into carriers too small.
 * Last checked: aa49c13a vs the per-trace recorded injection and the lean extraction, over
 * fuzz/corpus/{all_styles,datadog,tracecontext,tracestate,b3,xdatadog_tags,baggage,xray,xray_header}
 * (3,271 files) and 3,000 generated header sets: no difference.
 *
 * An input is split at '\n' into the values of the headers below, in order (the layout of
 * fuzz/fuzz_all_styles.c, then a baggage header). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *names[] = {"x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority",
                              "x-datadog-origin", "x-datadog-tags", "traceparent", "tracestate",
                              "x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "b3", "x-amzn-trace-id",
                              "tracestate", "baggage"};
#define N_NAMES (sizeof names / sizeof names[0])

static void dump_bytes(const char *what, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    printf("%s %u:", what, (unsigned)n);
    for (i = 0; i < n; i++) printf("%02x", b[i]);
    printf("\n");
}
/* A context field by field: strings up to their length or NUL (the bytes after are unspecified),
 * links up to n_links. */
static void dump_str(const char *what, const char *s, size_t cap) {
    const char *e = (const char *)memchr(s, 0, cap);
    dump_bytes(what, s, e ? (size_t)(e - s) : cap);
}
static void dump_ctx(const char *what, int rc, const dd_trace_context *c) {
    uint32_t i;
    printf("%s rc=%d\n", what, rc);
    printf(" ids %016llx %016llx %016llx prio %d w3c %d %016llx links %u dropped %u style %d lost %u\n",
           (unsigned long long)c->trace_id.hi, (unsigned long long)c->trace_id.lo, (unsigned long long)c->parent_id,
           (int)c->sampling_priority, (int)c->has_w3c_parent, (unsigned long long)c->w3c_parent_id,
           (unsigned)c->n_links, (unsigned)c->dropped, (int)c->style, (unsigned)c->ptags_lost);
    dump_bytes(" origin", c->origin, c->origin_len <= DD_ORIGIN_MAX ? c->origin_len + 1 : 0);
    dump_bytes(" ptags", c->ptags, c->ptags_len <= DD_PTAGS_MAX ? c->ptags_len + 1 : 0);
    dump_bytes(" tracestate", c->tracestate, c->tracestate_len <= DD_TRACESTATE_MAX ? c->tracestate_len + 1 : 0);
    dump_bytes(" extra", c->dd_member_extra,
               c->dd_member_extra_len <= DD_DD_MEMBER_EXTRA_MAX ? c->dd_member_extra_len + 1 : 0);
    dump_str(" error", c->propagation_error, sizeof c->propagation_error);
    dump_str(" last_parent", c->last_parent_id, sizeof c->last_parent_id);
    for (i = 0; i < c->n_links && i < DD_SPAN_LINKS_MAX; i++) {
        const dd_span_link *l = &c->links[i];
        printf(" link %016llx %016llx %016llx %d\n", (unsigned long long)l->trace_id.hi,
               (unsigned long long)l->trace_id.lo, (unsigned long long)l->span_id, (int)l->flags);
        dump_str("  ts", l->tracestate, sizeof l->tracestate);
        dump_str("  reason", l->reason, sizeof l->reason);
        dump_str("  headers", l->context_headers, sizeof l->context_headers);
    }
    dump_bytes(" bag_lens", c->baggage.key_len, sizeof c->baggage.key_len + sizeof c->baggage.value_len);
    printf(" bag n=%u len=%u\n", (unsigned)c->baggage.n, (unsigned)c->baggage.len);
    dump_bytes(" bag_data", c->baggage.data, c->baggage.len <= DD_BAGGAGE_BYTES_MAX ? c->baggage.len : 0);
}
static void dump_headers(const char *what, int rc, const dd_headers *h) {
    size_t i;
    printf("%s rc=%d n=%u\n", what, rc, (unsigned)h->n);
    for (i = 0; i < h->n; i++)
        printf(" %.*s: %.*s\n", (int)h->items[i].name_len, h->items[i].name, (int)h->items[i].value_len,
               h->items[i].value);
}

static int64_t clk(void *u) {
    (void)u;
    return 1700000000000000000;
}
static uint64_t rnd(void *u) {
    static uint64_t x = 0x1234;
    (void)u;
    return x += 0x9e3779b97f4a7c15u;
}
static void quiet(void *u, int l, const char *m, size_t n) { (void)u, (void)l, (void)m, (void)n; }

static dd_trace_context c1, c2;
static dd_header outs[64];
static char outbuf[65536], json[65536];

static void one(const dd_propagation_config *cfg, dd_tracer *t, const dd_header *in, size_t n, const char *tag) {
    dd_headers h, o;
    dd_carrier_reader r;
    dd_carrier_writer w;
    char err[DD_PROPAGATION_ERROR_MAX + 1];
    int rc;
    size_t jn;
    memset(&h, 0, sizeof h);
    h.items = (dd_header *)in;
    h.n = n;
    dd_headers_reader(&r, &h);
    memset(&c1, 0xa5, sizeof c1); /* what extraction leaves of an old value shows */
    rc = dd_extract(cfg, &r, &c1);
    printf("== %s\n", tag);
    dump_ctx("extract", rc, &c1);
    dd_headers_init(&o, outs, 64, outbuf, sizeof outbuf);
    dd_headers_writer(&w, &o);
    rc = dd_inject_checked(cfg, &c1, &w, err);
    dump_headers("inject", rc, &o);
    printf(" error=%s\n", err);
    jn = dd_datadog_inject(cfg, &c1, json, sizeof json);
    printf("datadog_inject %u %s\n", (unsigned)jn, json);
    memset(&c2, 0x5a, sizeof c2);
    rc = dd_datadog_extract(cfg, json, jn, &c2);
    dump_ctx("datadog_extract", rc, &c2);
    if (t) {
        dd_span_options so;
        dd_span *s, *ch;
        memset(&so, 0, sizeof so);
        so.context = &c1;
        so.name = "op";
        s = dd_span_start(t, &so);
        ch = dd_span_start_child(s, "child");
        memset(&c2, 0x3c, sizeof c2);
        rc = dd_span_context(ch, &c2);
        dump_ctx("span_context", rc, &c2);
        dd_headers_init(&o, outs, 64, outbuf, sizeof outbuf);
        rc = dd_span_inject_headers(ch, &o);
        dump_headers("span_inject", rc, &o);
        jn = dd_span_inject_datadog_json(ch, json, sizeof json);
        printf("span_inject_datadog_json %u %s\n", (unsigned)jn, json);
        /* again from the root (another parent id: a recorded injection is replayed), into a
         * carrier that already has fields, one of them a name the injection writes */
        dd_headers_init(&o, outs, 64, outbuf, sizeof outbuf);
        dd_headers_writer(&w, &o);
        w.set(w.self, "X-Datadog-Trace-Id", 18, "1", 1);
        w.set(w.self, "accept", 6, "*/*", 3);
        rc = dd_span_inject_headers(s, &o);
        dump_headers("span_inject_root", rc, &o);
        /* and into carriers too small: the first writer error, and what was written before it */
        {
            size_t cap;
            for (cap = 1; cap <= 6; cap++) {
                dd_headers_init(&o, outs, cap, outbuf, sizeof outbuf);
                rc = dd_span_inject_headers(ch, &o);
                dump_headers("span_inject_cap", rc, &o);
            }
            dd_headers_init(&o, outs, 64, outbuf, 100);
            rc = dd_span_inject_headers(ch, &o);
            dump_headers("span_inject_bytes", rc, &o);
        }
        dd_span_finish(ch);
        dd_span_finish(s);
    }
}

int main(int argc, char **argv) {
    static const int all[] = {DD_STYLE_DATADOG, DD_STYLE_TRACECONTEXT, DD_STYLE_B3MULTI,
                              DD_STYLE_B3,      DD_STYLE_XRAY,         DD_STYLE_BAGGAGE};
    static char data[1 << 16];
    dd_propagation_config cfgs[5];
    dd_tracer *tracers[5];
    const char *tags[5] = {"all", "all-reversed", "restart", "extract-first", "default"};
    int a, k;
    for (k = 0; k < 5; k++) {
        dd_tracer_config tc;
        dd_propagation_config_default(&cfgs[k]);
        if (k < 4) {
            int i;
            for (i = 0; i < 6; i++) cfgs[k].extract_styles[i] = cfgs[k].inject_styles[i] = all[k == 1 ? 5 - i : i];
            cfgs[k].n_extract = cfgs[k].n_inject = 6;
        }
        if (k == 2) cfgs[k].extract_behavior = DD_EXTRACT_RESTART;
        if (k == 3) cfgs[k].extract_first = 1;
        dd_tracer_config_init(&tc);
        tc.service = "diff";
        tc.startup_logs = DD_OFF;
        tc.cgroup_path = "";
        tc.delivery = DD_DELIVERY_MANUAL;
        tc.wall_ns_fn = clk;
        tc.mono_ns_fn = clk;
        tc.random_fn = rnd;
        tc.log_fn = quiet;
        tc.propagation_style = k == 4 ? NULL : k == 1 ? "baggage,xray,b3,b3multi,tracecontext,datadog"
                                                       : "datadog,tracecontext,b3multi,b3,xray,baggage";
        tc.propagation_behavior_extract = k == 2 ? "restart" : NULL;
        tracers[k] = k == 3 ? NULL : dd_tracer_new(&tc);
    }
    for (a = 1; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        size_t n, i, start = 0, nv = 0;
        dd_header in[N_NAMES];
        if (!f) continue;
        n = fread(data, 1, sizeof data, f);
        fclose(f);
        for (i = 0; i <= n && nv < N_NAMES; i++) {
            if (i == n || data[i] == '\n') {
                in[nv].name = names[nv];
                in[nv].name_len = strlen(names[nv]);
                in[nv].value = data + start;
                in[nv].value_len = i - start;
                nv++;
                start = i + 1;
            }
        }
        printf("##### %s\n", argv[a]);
        for (k = 0; k < 5; k++) one(&cfgs[k], tracers[k], in, nv, tags[k]);
    }
    for (k = 0; k < 5; k++) dd_tracer_free(tracers[k]);
    return 0;
}
