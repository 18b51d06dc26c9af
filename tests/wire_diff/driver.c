/* tests/wire_diff/driver.c — everything the SDK puts on the wire, for a differential check.
 *
 * tests/wire_diff_test.sh builds this file twice, against the headers of a fixed baseline commit
 * and against the working tree's, runs both on the same deterministic inputs and compares their
 * outputs byte for byte. Only public API is used, so any rewrite of the hot path (span storage,
 * encoder, propagation) builds against it unchanged.
 *
 *   driver [corpus_file ...]
 * Prints one line per case: `case <group>/<name> <text>`, where the text is what the SDK gave:
 * the requests the transport received (method, path, headers, body in hex), the headers an
 * injection wrote, or an extracted context field by field. Groups:
 *   trace.<config>   traces of 1..300 spans of many shapes, one flush per case (a few cases hold
 *                    several traces), under five tracer configurations (default with DD_TAGS and
 *                    hostname; 64-bit ids with partial flush; sampling and span rules dropping
 *                    rejected traces; client-side stats with the agent's /info; service and peer
 *                    mappings with header tags and every inject style; then, on their own
 *                    random stream, DD_TAGS naming the tracer's own keys, and span tags and
 *                    metrics named as the tracer's entries). Spans: names, services,
 *                    resources and types from pools with long, non-ASCII and invalid UTF-8 text,
 *                    0..40 tags (replaced ones, special keys, empty and NUL-holding values),
 *                    metrics (NaN, infinities, -0, large), errors, measured, kinds, links, origin,
 *                    priorities (manual keep / drop), HTTP helpers, baggage, injections from
 *                    inside the trace (with dd_span_context and the log correlation strings),
 *                    children finishing in any order, before or after the root, roots continuing
 *                    extracted contexts, setters after the start, dd_span_start_child, strings
 *                    from the caller's buffers overwritten right after each call (they must have
 *                    been copied), tag-byte and span-count limits; every counter after each case.
 *   genid            traces whose ids all come from random_fn (the others give them in the
 *                    options, but for dd_span_start_child's).
 *   inject           dd_inject of 14 contexts under every subset of the six inject styles (in two
 *                    orders) and three x-datadog-tags limits; dd_span_inject of spans in 7 states
 *                    under every subset of the styles.
 *   extract.<corpus> every corpus file as fuzz_all_styles reads it (first byte: styles and
 *                    extract_first; the rest: 13 header values), plus the file as the value of
 *                    `baggage`, of `tracestate` beside a valid traceparent, and of
 *                    `x-datadog-tags` beside valid ids: dd_extract's result field by field and its
 *                    reinjection; dd_tracer_extract with a tracer's configuration; and a span
 *                    continuing the context, its injection and its trace's payload (first files).
 *   extract.hand     hand-made header sets, through dd_headers and through a user's reader, without get_nth and with it.
 * Determinism: the clocks are hooks returning times the driver sets, ids are given (or come from
 * random_fn, which returns the same value until the driver's clock moves), getenv returns nothing, the cgroup is not read, the host name is fixed,
 * getpid() is this file's (a constant), and a runtime id (a UUID v4, random per process) is
 * replaced by zeros wherever it appears. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The process id the tracer reports (metric process_id), the same in both builds. */
pid_t getpid(void) { return 4242; }

/*=== output: one growing line per case ===*/
static char *g_out;
static size_t g_len, g_cap;
static void out_bytes(const void *p, size_t n) {
    if (g_len + n + 1 > g_cap) {
        size_t c = g_cap ? g_cap : 65536;
        while (c < g_len + n + 1) c *= 2;
        g_out = (char *)realloc(g_out, c);
        if (!g_out) abort();
        g_cap = c;
    }
    memcpy(g_out + g_len, p, n);
    g_len += n;
}
static void out_s(const char *s) { out_bytes(s, strlen(s)); }
static void out_f(const char *fmt, long long v) {
    char b[64];
    snprintf(b, sizeof b, fmt, v);
    out_s(b);
}
static void out_u(unsigned long long v) {
    char b[32];
    snprintf(b, sizeof b, "%llu", v);
    out_s(b);
}
/* text with every byte outside 0x21..0x7e (and '\\', '|') as \xx */
static void out_esc(const char *p, size_t n) {
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c > 0x20 && c < 0x7f && c != '\\' && c != '|') out_bytes(&c, 1);
        else {
            char e[3] = {'\\', hx[c >> 4], hx[c & 15]};
            out_bytes(e, 3);
        }
    }
}
static void out_hex(const uint8_t *p, size_t n) {
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        char e[2] = {hx[p[i] >> 4], hx[p[i] & 15]};
        out_bytes(e, 2);
    }
}
static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
/* A runtime id is a UUID v4 drawn per process: replaced by zeros (same length) in raw bytes. */
static void normalise_uuids(uint8_t *p, size_t n) {
    size_t i, k;
    for (i = 0; i + 36 <= n; i++) {
        int ok = 1;
        for (k = 0; k < 36 && ok; k++) {
            char c = (char)p[i + k];
            ok = (k == 8 || k == 13 || k == 18 || k == 23) ? c == '-' : is_hex(c);
        }
        if (ok && p[i + 14] == '4') {
            for (k = 0; k < 36; k++)
                if (p[i + k] != '-') p[i + k] = '0';
            i += 35;
        }
    }
}
static char g_case[200];
static unsigned long g_cases;
static void case_begin(const char *group, const char *name, long long n) {
    snprintf(g_case, sizeof g_case, "%s/%s%lld", group, name, n);
    g_len = 0;
}
static void case_end(void) {
    fputs("case ", stdout);
    fputs(g_case, stdout);
    fputc(' ', stdout);
    fwrite(g_out, 1, g_len, stdout);
    fputc('\n', stdout);
    g_cases++;
}

/*=== deterministic hooks ===*/
static int64_t g_wall = INT64_C(1700000000) * 1000000000, g_mono = INT64_C(5000000000);
static uint64_t g_rand_state;
static uint64_t splitmix(uint64_t *s);
/* Time passes only here, between API calls; the id random_fn gives changes with it. */
static void tick(int64_t ns) {
    g_wall += ns;
    g_mono += ns;
    splitmix(&g_rand_state);
}
static int64_t wall_fn(void *u) {
    (void)u;
    return g_wall;
}
static int64_t mono_fn(void *u) {
    (void)u;
    return g_mono;
}
static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
/* Every draw between two ticks gives the same id: what an SDK call gets does not depend on how
 * many draws it (or an earlier call) makes, nor in which order, so a rewrite that draws
 * differently still gives the same bytes. */
static uint64_t random_fn(void *u) {
    uint64_t s = g_rand_state;
    (void)u;
    return splitmix(&s);
}
static const char *no_env(void *u, const char *name) {
    (void)u;
    (void)name;
    return NULL;
}
static void no_log(void *u, int level, const char *msg, size_t len) {
    (void)u;
    (void)level;
    (void)msg;
    (void)len;
}

/* The agent: /info announces client stats; traces and stats get 200 and a rate_by_service. */
static const char g_info[] = "{\"version\":\"7.50.0\",\"endpoints\":[\"/v0.4/traces\",\"/v0.6/stats\"],"
                             "\"client_drop_p0s\":true,\"peer_tags\":[\"db.system\",\"out.host\",\"peer.service\"]}";
static const char g_rates[] = "{\"rate_by_service\":{\"service:,env:\":0.5,\"service:wire-svc,env:wire-env\":0.75,"
                              "\"service:db,env:wire-env\":0.25}}";
static int transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    size_t i;
    uint8_t *body;
    (void)user;
    out_s("|REQ ");
    out_esc(req->method, strlen(req->method));
    out_s(" ");
    out_esc(req->path, strlen(req->path));
    for (i = 0; i < req->n_headers; i++) {
        const dd_header *h = &req->headers[i];
        out_s("|H ");
        out_esc(h->name, h->name_len);
        out_s(": ");
        out_esc(h->value, h->value_len);
    }
    out_s("|B ");
    body = (uint8_t *)malloc(req->body_len + 1);
    if (!body) abort();
    if (req->body_len) memcpy(body, req->body, req->body_len);
    normalise_uuids(body, req->body_len);
    out_hex(body, req->body_len);
    free(body);
    resp->status = 200;
    if (strcmp(req->path, "/info") == 0) {
        resp->body = g_info;
        resp->body_len = sizeof g_info - 1;
    } else {
        resp->body = g_rates;
        resp->body_len = sizeof g_rates - 1;
    }
    return DD_TRANSPORT_ANSWERED;
}

/*=== printing contexts and headers ===*/
static void out_ctx(int rc, const dd_trace_context *c) {
    uint32_t i;
    dd_baggage_iter it = {0, 0};
    const char *k, *v;
    size_t kn, vn;
    out_f("rc=%lld", rc);
    out_s(" tid=");
    out_u(c->trace_id.hi);
    out_s(":");
    out_u(c->trace_id.lo);
    out_s(" pid=");
    out_u(c->parent_id);
    out_f(" prio=%lld", c->sampling_priority);
    out_s(" origin=");
    out_esc(c->origin, c->origin_len);
    out_f("(%lld)", c->origin_len);
    out_s(" ptags=");
    out_esc(c->ptags, c->ptags_len);
    out_f("(%lld)", c->ptags_len);
    out_s(" ts=");
    out_esc(c->tracestate, c->tracestate_len);
    out_f("(%lld)", c->tracestate_len);
    out_s(" ddx=");
    out_esc(c->dd_member_extra, c->dd_member_extra_len);
    out_f("(%lld)", c->dd_member_extra_len);
    out_f(" w3c=%lld:", c->has_w3c_parent);
    out_u(c->w3c_parent_id);
    out_s(" perr=");
    out_esc(c->propagation_error, strlen(c->propagation_error));
    out_f(" links=%lld", c->n_links);
    for (i = 0; i < c->n_links && i < DD_SPAN_LINKS_MAX; i++) {
        const dd_span_link *l = &c->links[i];
        out_s(" [");
        out_u(l->trace_id.hi);
        out_s(":");
        out_u(l->trace_id.lo);
        out_s(" ");
        out_u(l->span_id);
        out_f(" %lld ", l->flags);
        out_esc(l->tracestate, strlen(l->tracestate));
        out_s(" ");
        out_esc(l->reason, strlen(l->reason));
        out_s(" ");
        out_esc(l->context_headers, strlen(l->context_headers));
        out_s("]");
    }
    out_f(" dropped=%lld", c->dropped);
    out_s(" lpid=");
    out_esc(c->last_parent_id, strlen(c->last_parent_id));
    out_f(" style=%lld", c->style);
    out_f(" lost=%lld", c->ptags_lost);
    out_f(" bag=%lld", c->baggage.n);
    while (dd_baggage_next(&c->baggage, &it, &k, &kn, &v, &vn) == DD_OK) {
        out_s(" ");
        out_esc(k, kn);
        out_s("=");
        out_esc(v, vn);
    }
}
static void out_headers(const dd_headers *h) {
    size_t i;
    out_f(" n=%lld", (long long)h->n);
    for (i = 0; i < h->n; i++) {
        out_s("|");
        out_esc(h->items[i].name, h->items[i].name_len);
        out_s(": ");
        out_esc(h->items[i].value, h->items[i].value_len);
    }
}
/* an injection into a fresh header list (24 KiB: a full baggage header fits) */
static dd_header g_ih[32];
static char g_ibuf[24576];
static dd_headers g_inj;
static dd_carrier_writer *inj_writer(void) {
    static dd_carrier_writer w;
    dd_headers_init(&g_inj, g_ih, 32, g_ibuf, sizeof g_ibuf);
    dd_headers_writer(&w, &g_inj);
    return &w;
}

/*=== tracers ===*/
#define N_CONFIGS 7 /* run first; the two "own" ones run last (their own random stream) */
static const char *const g_config_names[N_CONFIGS + 2] = {"default", "id64_partial", "rules", "stats", "mapping", "genid",
                                                          "nonascii", "own_dd_tags", "own_keys"};
static int g_own_keys; /* spans get tags with the tracer's own keys (the "own" configurations) */
static dd_tracer *new_tracer(int which) {
    dd_tracer_config c;
    memset(&c, 0, sizeof c);
    c.service = "wire-svc";
    c.env = "wire-env";
    c.version = "1.2.3";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.hostname = "wire-host";
    c.flush_interval_ms = -1;
    c.delivery = DD_DELIVERY_MANUAL;
    c.getenv_fn = no_env;
    c.log_fn = no_log;
    c.transport_fn = transport;
    c.wall_ns_fn = wall_fn;
    c.mono_ns_fn = mono_fn;
    c.random_fn = random_fn;
    c.trace_id_128 = DD_ON;
    switch (which) {
    case 0:
        c.tags = "team:core,region:eu-west-1,empty:,weird:v\xc3\xa9";
        c.report_hostname = DD_ON;
        break;
    case 1:
        c.trace_id_128 = DD_OFF;
        c.partial_flush = DD_ON;
        c.partial_flush_min_spans = 3;
        c.language = "c-wire";
        c.max_tag_bytes = 3000;          /* tags past it are dropped and counted */
        c.max_spans_per_segment = 120;   /* 300-span traces are cut */
        break;
    case 2:
        c.sampling.rules_json = "[{\"service\":\"wire-*\",\"name\":\"http.*\",\"sample_rate\":0.5},"
                                "{\"resource\":\"GET /api/?\",\"sample_rate\":1},"
                                "{\"tags\":{\"user.tier\":\"gold\"},\"sample_rate\":1},"
                                "{\"service\":\"db\",\"sample_rate\":0.1}]";
        c.sampling.sample_rate = 0.3;
        c.sampling.sample_rate_set = 1;
        c.sampling.rate_limit = 1000;
        c.sampling.rate_limit_set = 1;
        c.sampling.span_rules_json = "[{\"service\":\"db\",\"name\":\"*\",\"sample_rate\":1},"
                                     "{\"name\":\"cache.*\",\"sample_rate\":1,\"max_per_second\":3}]";
        c.sampling.drop_rejected_traces = 1;
        break;
    case 3:
        c.stats_computation = DD_ON;
        c.report_hostname = DD_ON;
        break;
    case 4:
        c.service_mapping = "wire-svc:mapped-svc,db:database";
        c.peer_service_mapping = "users-db:users-database";
        c.header_tags = "x-user:user.header,user-agent,X-Request-Id:req.id";
        c.propagation_style = "datadog,tracecontext,b3multi,b3,xray,baggage";
        c.baggage_tag_keys = "*";
        c.client_ip_enabled = DD_ON;
        break;
    case 7: /* DD_TAGS holding keys the tracer writes itself (each left out where the tracer's is) */
        c.tags = "language:dd-tags-lang,runtime-id:dd-tags-rid,_dd.p.dm:-9,_dd.origin:dd-tags,team:core";
        c.report_hostname = DD_ON;
        break;
    case 8: /* the encoder's template (env, version, DD_TAGS, hostname) meeting span tags of its keys */
        c.tags = "team:core,region:eu-west-1";
        c.report_hostname = DD_ON;
        c.sampling.sample_rate = 0.7;
        c.sampling.sample_rate_set = 1;
        c.sampling.rate_limit = 1000;
        c.sampling.rate_limit_set = 1;
        break;
    case 6: /* services that are not ASCII: the tracer's own, a mapping's targets (and a bad byte) */
        c.service = "wire-caf\xc3\xa9\xff";
        c.service_mapping = "db:dat\xc3\xa9base,cache:ca\xff\xfeche";
        break;
    default:
        break;
    }
    return dd_tracer_new(&c);
}

/*=== inputs ===*/
static uint64_t g_rng; /* the driver's own choices */
static uint32_t rnd(uint32_t n) { return n ? (uint32_t)(splitmix(&g_rng) % n) : 0; }

static char g_long300[301], g_long5000[5001];
static void init_texts(void) {
    int i;
    for (i = 0; i < 300; i++) g_long300[i] = (char)('a' + i % 26);
    for (i = 0; i < 5000; i++) g_long5000[i] = (char)(i % 97 == 0 ? ' ' : '0' + i % 10);
}
typedef struct text {
    const char *p;
    size_t n;
} text;
static text pick_text(void) {
    static const char *const pool[] = {"http.request", "db.query", "GET /api/v1/users/:id", "web", "sql",
                                       "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xe2\x9c\x93", "bad\xff\xfeutf8\xc3",
                                       "\xed\xa0\x80surrogate", "", " spaced out ", "UPPER.case", "a"};
    uint32_t r = rnd(16);
    text t;
    if (r < 12) {
        t.p = pool[r];
        t.n = strlen(t.p);
    } else if (r < 14) {
        t.p = g_long300;
        t.n = 300;
    } else if (r == 14) {
        t.p = g_long5000;
        t.n = 1000 + rnd(4000);
    } else {
        t.p = "nul\0inside";
        t.n = 10;
    }
    return t;
}
static const char *const g_keys[] = {"http.method", "http.url", "http.status_code", "component", "span.kind",
                                     "db.statement", "peer.service", "user.id", "user.tier", "error.message",
                                     "env", "version", "service", "manual.keep", "manual.drop", "_dd.measured",
                                     "out.host", "db.system", "resource.name", "k\xc3\xa9y", "network.destination.name",
                                     "_dd.origin", "language", "custom.tag", "custom.other"};
#define N_KEYS (sizeof g_keys / sizeof g_keys[0])
static void pick_key(char *buf, size_t cap, const char **k, size_t *kn) {
    uint32_t r = rnd(N_KEYS + 6);
    if (r < N_KEYS) {
        *k = g_keys[r];
        *kn = strlen(*k);
    } else if (r < N_KEYS + 5) {
        *kn = (size_t)snprintf(buf, cap, "custom.%u", rnd(60));
        *k = buf;
    } else {
        *k = g_long300;
        *kn = 200;
    }
}
static double pick_metric(void) {
    static const double v[] = {0.0, 1.0, -1.0, 1e300, -1e-300, 3.14159, 9007199254740993.0, 200.0, 0.5};
    uint32_t r = rnd(13);
    if (r < 9) return v[r];
    if (r == 9) return -0.0;
    if (r == 10) return NAN;
    if (r == 11) return INFINITY;
    return -INFINITY;
}

static void inject_into_case(dd_span *s) {
    static dd_trace_context c;
    char log[512];
    size_t n;
    out_s("|INJ");
    out_f(" rc=%lld", dd_span_inject(s, inj_writer()));
    out_headers(&g_inj);
    out_s("|CTX ");
    out_ctx(dd_span_context(s, &c), &c);
    n = dd_span_log_correlation(s, 0, log, sizeof log);
    out_s("|LOG ");
    out_esc(log, n < sizeof log ? n : 0);
    n = dd_span_log_correlation(s, 1, log, sizeof log);
    out_s("|LOGJ ");
    out_esc(log, n < sizeof log ? n : 0);
}
static void decorate(dd_span *s, int is_root, int heavy) {
    uint32_t n_tags = heavy ? rnd(41) : rnd(8), i;
    char kb[32];
    const char *k;
    size_t kn;
    for (i = 0; i < n_tags; i++) {
        uint32_t what = rnd(10);
        pick_key(kb, sizeof kb, &k, &kn);
        if (what < 6) {
            text v = pick_text();
            dd_span_set_tag_n(s, k, kn, v.p, v.n);
        } else if (what < 8) {
            dd_span_set_metric_n(s, k, kn, pick_metric());
        } else if (what == 8) {
            dd_span_set_tag(s, "replaced.tag", i & 1 ? "short" : g_long300);
        } else {
            dd_span_set_metric(s, "replaced.metric", (double)i);
        }
    }
    switch (rnd(12)) {
    case 0: dd_span_set_error(s, 1); break;
    case 1: dd_span_set_error_info(s, "ValueError", "bad value \xc3\xa9\xff", g_long300); break;
    case 2: dd_span_set_error_info_n(s, "E", 1, "", 0, NULL, 0); break;
    case 3: dd_span_set_error(s, 1); dd_span_set_error(s, 0); break;
    default: break;
    }
    if (rnd(5) == 0) { /* the caller's buffers change right after each call: values were copied */
        char kbuf[32], vbuf[64];
        strcpy(kbuf, "volatile.key");
        strcpy(vbuf, "volatile value \xc3\xa9");
        dd_span_set_tag(s, kbuf, vbuf);
        memset(vbuf, 'X', sizeof vbuf - 1);
        memset(kbuf, 'Y', sizeof kbuf - 1);
        strcpy(vbuf, "renamed-resource");
        dd_span_set_resource(s, vbuf);
        memset(vbuf, 'Z', 20);
        strcpy(kbuf, "svc-from-buffer");
        if (rnd(2)) dd_span_set_service_n(s, kbuf, 7);
        memset(kbuf, 'W', 10);
        strcpy(vbuf, "name.from.buffer");
        if (rnd(2)) dd_span_set_name(s, vbuf);
        memset(vbuf, 'V', 10);
        strcpy(kbuf, "typ");
        if (rnd(2)) dd_span_set_type_n(s, kbuf, 3);
        kbuf[0] = 'Q';
    }
    if (g_own_keys) { /* a tag or metric named as one of the tracer's entries of a span or chunk root */
        static const char *const own[] = {"runtime-id", "process_id", "_dd.p.dm", "_dd.p.tid", "_dd.p.ksr",
                                          "_sampling_priority_v1", "_dd.top_level", "_dd.agent_psr", "_dd.rule_psr",
                                          "_dd.limit_psr", "_dd.hostname", "_dd.measured", "language", "env",
                                          "version", "team", "region", "_dd.origin", "_dd.propagation_error"};
        uint32_t n_own = rnd(3);
        for (i = 0; i < n_own; i++) {
            const char *k = own[rnd(sizeof own / sizeof own[0])];
            if (rnd(2)) dd_span_set_tag(s, k, "span-value");
            else dd_span_set_metric(s, k, 2.5);
        }
    }
    if (rnd(4) == 0) dd_span_set_measured(s, (int)rnd(2));
    if (rnd(3) == 0) {
        static const char *const kinds[] = {"server", "client", "producer", "consumer", "internal", "bogus"};
        dd_span_set_kind(s, kinds[rnd(6)]);
    }
    if (rnd(6) == 0) {
        dd_span_link l;
        dd_header attrs[2] = {{"attr.one", 8, "1", 1}, {"attr.two", 8, "caf\xc3\xa9", 5}};
        memset(&l, 0, sizeof l);
        l.trace_id.hi = rnd(2) ? UINT64_C(0x640cfd8d00000000) : 0;
        l.trace_id.lo = splitmix(&g_rng) | 1;
        l.span_id = splitmix(&g_rng) | 1;
        l.flags = rnd(2) ? (int32_t)0x80000001u : 0;
        if (rnd(2)) strcpy(l.tracestate, "dd=s:1;t.dm:-0,foo=bar");
        if (rnd(2)) strcpy(l.reason, "terminated_context");
        if (rnd(2)) strcpy(l.context_headers, "tracecontext");
        if (rnd(2)) dd_span_add_link(s, &l);
        else dd_span_add_link_attrs(s, &l, attrs, 1 + rnd(2));
    }
    if (rnd(10) == 0) {
        dd_header hs[4] = {{"X-User", 6, "alice", 5}, {"User-Agent", 10, "curl/8.0", 8},
                           {"x-forwarded-for", 15, "10.0.0.1, 8.8.8.8", 17}, {"X-Request-Id", 12, "r-1", 3}};
        int kind = rnd(2) ? DD_HTTP_SERVER : DD_HTTP_CLIENT; /* one draw per statement: the */
        const char *method = rnd(2) ? "GET" : "post";        /* order of argument evaluation */
        const char *url = rnd(2) ? "https://api.example.com/v1/users/42?token=secret&a=1" : "/p?q"; /* varies */
        dd_span_set_http_request(s, kind, method, url, hs, 4);
        dd_span_set_http_client_ip(s, "192.168.1.2", hs, 4);
        dd_span_set_http_route(s, "/v1/users/:id");
        dd_span_set_http_response(s, rnd(2) ? 200 : 503, hs, 2);
    }
    if (is_root) {
        switch (rnd(14)) {
        case 0: dd_span_set_origin(s, "synthetics"); break;
        case 1: dd_span_set_origin(s, "rum"); break;
        case 2: dd_span_set_priority(s, DD_PRIORITY_USER_KEEP); break;
        case 3: dd_span_set_priority(s, DD_PRIORITY_USER_REJECT); break;
        case 4: dd_span_set_priority(s, 7); break;
        default: break;
        }
        if (rnd(5) == 0) dd_span_baggage_set(s, "user.id", 7, "u-42", 4);
        if (rnd(8) == 0) dd_span_baggage_set(s, "k\xc3\xa9y", 4, "v a,l;u=e", 9);
        if (rnd(8) == 0) { /* what an injection formats must follow the trace's changes */
            inject_into_case(s);
            dd_span_set_origin(s, rnd(2) ? "lambda" : "");
            dd_span_baggage_set(s, "late", 4, "1", 1);
            dd_span_set_priority(s, DD_PRIORITY_USER_KEEP); /* ignored: the decision is locked */
            dd_span_set_tag(s, "manual.drop", "true");
            inject_into_case(s);
            dd_span_baggage_clear(s);
            inject_into_case(s);
        }
    } else if (rnd(25) == 0) {
        dd_span_set_tag(s, rnd(2) ? "manual.keep" : "manual.drop", "true");
    }
}

/* every counter of the tracer (all uint64_t), after each case */
static void out_counters(const dd_tracer *t) {
    dd_counters c;
    uint64_t v[sizeof c / sizeof(uint64_t)];
    size_t i;
    dd_tracer_counters(t, &c);
    memcpy(v, &c, sizeof v);
    out_s("|CNT");
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        out_s(" ");
        out_u(v[i]);
    }
}

/* a context to continue: one of a few header sets */
static const dd_header g_ctx_sets[4][7] = {
    {{"x-datadog-trace-id", 18, "1234567890123456789", 19}, {"x-datadog-parent-id", 19, "3043109937388421265", 19},
     {"x-datadog-sampling-priority", 27, "2", 1}, {"x-datadog-origin", 16, "rum", 3},
     {"x-datadog-tags", 14, "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000,_dd.p.usr=x", 50},
     {"traceparent", 11, "00-640cfd8d00000000112210f47de98115-2a3b4c5d6e7f8091-01", 55},
     {"tracestate", 10, "dd=s:2;o:rum;p:2a3b4c5d6e7f8091;t.dm:-4;x:y,rojo=00f067aa0ba902b7", 65}},
    {{"traceparent", 11, "00-0000000000000000000000000000abcd-00000000000000ef-00", 55},
     {"tracestate", 10, "congo=t61rcWkgMzE,dd=s:-1;o:synthetics", 38},
     {"baggage", 7, "user.id=doggo,session.id=s%201,other=%E2%9C%93", 46}, {"x", 1, "", 0}, {"x", 1, "", 0},
     {"x", 1, "", 0}, {"x", 1, "", 0}},
    {{"x-datadog-trace-id", 18, "42", 2}, {"x-datadog-parent-id", 19, "0", 1},
     {"x-datadog-origin", 16, "synthetics", 10}, {"x", 1, "", 0}, {"x", 1, "", 0}, {"x", 1, "", 0}, {"x", 1, "", 0}},
    {{"x-datadog-trace-id", 18, "777", 3}, {"x-datadog-parent-id", 19, "888", 3},
     {"x-datadog-sampling-priority", 27, "0", 1},
     {"traceparent", 11, "00-00000000000000000000000000000999-0000000000000aaa-01", 55},
     {"baggage", 7, "a=1", 3}, {"x", 1, "", 0}, {"x", 1, "", 0}},
};
static dd_trace_context g_cont;

/* One trace of n spans on tracer t; ids given unless `gen`. */
static void one_trace(dd_tracer *t, int n, int heavy, int gen, int finish_mode) {
    dd_span **sp = (dd_span **)calloc((size_t)n, sizeof *sp);
    int *order = (int *)calloc((size_t)n, sizeof *order);
    int i;
    uint64_t tid_lo = splitmix(&g_rng) | 1;
    if (!sp || !order) abort();
    for (i = 0; i < n; i++) {
        dd_span_options o;
        text nm = pick_text(), rs = pick_text(), ty = pick_text();
        memset(&o, 0, sizeof o);
        tick(1000 + rnd(100000));
        if (i == 0 && rnd(5) == 0) {
            dd_tracer_extract_headers(t, g_ctx_sets[rnd(4)], 7, &g_cont);
            o.context = &g_cont;
        }
        if (i) o.parent = sp[rnd((uint32_t)i)];
        if (rnd(3)) {
            o.name = nm.p;
            o.name_len = nm.n;
        } else {
            o.name = i ? "db.query" : "http.request";
        }
        if (rnd(4) == 0) {
            static const char *const svcs[] = {"db", "wire-svc", "cache", "users-db", "svc-caf\xc3\xa9", "bad\xff\xfesvc",
                                               "wire-caf\xc3\xa9\xff"};
            o.service = svcs[rnd(7)];
        }
        if (rnd(2)) {
            o.resource = rs.p;
            o.resource_len = rs.n;
        }
        if (rnd(3) == 0) {
            o.type = ty.p;
            o.type_len = ty.n;
        }
        if (rnd(10) == 0) o.start_ns = g_wall - 5000000;
        if (!gen) {
            o.span_id = splitmix(&g_rng) | 1;
            if (i == 0 && !o.context) {
                o.trace_id.lo = tid_lo;
                o.trace_id.hi = rnd(3) ? (uint64_t)(g_wall / 1000000000) << 32 : 0;
            }
        }
        if (i && !gen && rnd(15) == 0) {
            char nbuf[32];
            strcpy(nbuf, "child.short");
            dd_span *parent = sp[rnd((uint32_t)i)];
            size_t len = rnd(2) ? 11 : 5;
            sp[i] = dd_span_start_child_n(parent, nbuf, len);
            memset(nbuf, 'N', 11);
        } else if (rnd(10) == 0) { /* options from the caller's buffers, overwritten after the start */
            char nb[32], rb[32];
            strcpy(nb, "buf.name");
            strcpy(rb, "buf resource");
            o.name = nb;
            o.name_len = 0;
            o.resource = rb;
            o.resource_len = 0;
            sp[i] = dd_span_start(t, &o);
            memset(nb, 'n', 8);
            memset(rb, 'r', 12);
        } else {
            sp[i] = dd_span_start(t, &o);
        }
        if (!sp[i]) {
            out_s("|start refused");
            continue;
        }
        decorate(sp[i], i == 0, heavy);
        if (rnd(12) == 0) inject_into_case(sp[i]);
    }
    /* finish order: children in reverse (the usual), shuffled, or the root first */
    for (i = 0; i < n; i++) order[i] = n - 1 - i;
    if (finish_mode >= 1)
        for (i = n - 1; i > 0; i--) {
            int j = (int)rnd((uint32_t)i + 1), x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
    for (i = 0; i < n; i++) {
        dd_span *s = sp[order[i]];
        tick(500 + rnd(200000));
        if (rnd(8) == 0) dd_span_finish_at(s, g_wall - (int64_t)rnd(3000000));
        else dd_span_finish(s);
    }
    free(sp);
    free(order);
}

static int pick_size(void) {
    uint32_t r = rnd(20);
    if (r < 10) return 1 + (int)rnd(4);
    if (r < 16) return 5 + (int)rnd(12);
    if (r < 19) return 20 + (int)rnd(60);
    return 300;
}

static void run_traces(int which, int cases) {
    dd_tracer *t;
    int c;
    char group[32];
    g_rand_state = 1000 + (uint64_t)which;
    t = new_tracer(which);
    snprintf(group, sizeof group, which == 5 ? "%s" : "trace.%s", g_config_names[which]);
    if (!t) {
        case_begin(group, "new", 0);
        out_s("dd_tracer_new failed");
        case_end();
        return;
    }
    for (c = 0; c < cases; c++) {
        int k, traces = c % 10 == 9 ? 3 : 1;
        case_begin(group, "", c);
        for (k = 0; k < traces; k++) {
            int size = pick_size(), heavy = rnd(3) == 0, finish_mode = (int)rnd(3);
            one_trace(t, size, heavy, which == 5, finish_mode);
        }
        tick(1000000);
        out_f("|flush rc=%lld", dd_tracer_flush(t));
        out_counters(t);
        case_end();
    }
    case_begin(group, "free", 0);
    dd_tracer_free(t); /* whatever is left (nothing, or stats) goes through the transport */
    case_end();
}

/* Traces continuing contexts whose trace id has a low half of 0 or under 32 bits (the encoder
 * shares a chunk's first bytes between its spans only for low halves over 32 bits). */
static void run_trace_id_halves(void) {
    static const dd_header ctx[3][1] = {
        {{"traceparent", 11, "00-00000000000000010000000000000000-00000000000000ef-01", 55}},
        {{"traceparent", 11, "00-640cfd8d0000000000000000ffffffff-00000000000000ef-01", 55}},
        {{"traceparent", 11, "00-640cfd8d000000000000000100000000-00000000000000ef-01", 55}}};
    dd_tracer *t = new_tracer(0);
    int c, i;
    if (!t) abort();
    for (c = 0; c < 3; c++) {
        dd_span_options o;
        dd_span *sp[4];
        case_begin("trace.id_halves", "", c);
        dd_tracer_extract_headers(t, ctx[c], 1, &g_cont);
        memset(&o, 0, sizeof o);
        o.context = &g_cont;
        o.name = "http.request";
        tick(1000);
        sp[0] = dd_span_start(t, &o);
        for (i = 1; i < 4; i++) {
            memset(&o, 0, sizeof o);
            o.parent = sp[i - 1];
            o.name = "db.query";
            o.span_id = (uint64_t)i << (i * 10);
            sp[i] = dd_span_start(t, &o);
            dd_span_set_tag(sp[i], "k", "v");
        }
        for (i = 3; i >= 0; i--) {
            tick(1000);
            dd_span_finish(sp[i]);
        }
        out_f("|flush rc=%lld", dd_tracer_flush(t));
        case_end();
    }
    case_begin("trace.id_halves", "free", 0);
    dd_tracer_free(t);
    case_end();
}

/*=== inject ===*/
static const int g_styles[6] = {DD_STYLE_DATADOG, DD_STYLE_TRACECONTEXT, DD_STYLE_B3MULTI, DD_STYLE_B3,
                                DD_STYLE_XRAY, DD_STYLE_BAGGAGE};
static void set_styles(dd_propagation_config *cfg, unsigned mask, int reverse) {
    int i;
    cfg->n_inject = 0;
    for (i = 0; i < 6; i++) {
        int j = reverse ? 5 - i : i;
        if (mask & (1u << j)) cfg->inject_styles[cfg->n_inject++] = g_styles[j];
    }
    if (!cfg->n_inject) cfg->inject_styles[cfg->n_inject++] = DD_STYLE_NONE;
}
static void make_contexts(dd_trace_context *ctx, int n) {
    dd_propagation_config def;
    dd_headers h;
    dd_carrier_reader r;
    int i;
    dd_propagation_config_default(&def);
    for (i = 0; i < n; i++) {
        memset(&h, 0, sizeof h);
        h.items = (dd_header *)g_ctx_sets[i % 4];
        h.n = 7;
        dd_headers_reader(&r, &h);
        dd_extract(&def, &r, &ctx[i]);
        switch (i / 4) {
        case 1: /* 64-bit, unset priority, no ptags */
            ctx[i].trace_id.hi = 0;
            ctx[i].sampling_priority = DD_PRIORITY_UNSET;
            ctx[i].ptags[0] = 0;
            ctx[i].ptags_len = 0;
            break;
        case 2: /* ptags at the limit, priorities -1 / 1 */
            dd_ptags_set(&ctx[i], "_dd.p.filler", 12, g_long300, 200);
            ctx[i].sampling_priority = (i & 1) ? DD_PRIORITY_USER_REJECT : DD_PRIORITY_AUTO_KEEP;
            dd_baggage_set(&ctx[i].baggage, "big", 3, g_long5000, 5000);
            break;
        default: break;
        }
    }
    /* an origin with a bad character, ptags lost, and a huge baggage */
    strcpy(ctx[12].origin, "bad;origin=x");
    ctx[12].origin_len = (uint32_t)strlen(ctx[12].origin);
    ctx[12].ptags_lost = 1;
    for (i = 0; i < 40; i++) {
        char k[16];
        snprintf(k, sizeof k, "key%d", i);
        dd_baggage_set(&ctx[13].baggage, k, strlen(k), g_long300, 250);
    }
}
static void run_inject(void) {
    static dd_trace_context ctx[14];
    dd_propagation_config cfg;
    unsigned mask;
    int c, rev, lim;
    static const int32_t limits[3] = {0, -1, 40};
    make_contexts(ctx, 14);
    for (c = 0; c < 14; c++)
        for (mask = 0; mask < 64; mask++)
            for (rev = 0; rev < 2; rev++)
                for (lim = 0; lim < 3; lim++) {
                    char err[DD_PROPAGATION_ERROR_MAX + 1];
                    if (rev && (mask & (mask - 1)) == 0) continue; /* one style: one order */
                    if (lim && (mask & 1) == 0) continue;          /* the limit is datadog's */
                    dd_propagation_config_default(&cfg);
                    set_styles(&cfg, mask, rev);
                    cfg.x_datadog_tags_max_length = limits[lim];
                    case_begin("inject", "ctx", (long long)((c * 64 + (int)mask) * 6 + rev * 3 + lim));
                    memset(err, 0, sizeof err);
                    out_f("rc=%lld", dd_inject_checked(&cfg, &ctx[c], inj_writer(), err));
                    out_s(" err=");
                    out_esc(err, strlen(err));
                    out_headers(&g_inj);
                    case_end();
                }
    /* dd_span_inject under every style subset */
    for (mask = 0; mask < 64; mask++) {
        dd_tracer_config tc;
        dd_tracer *t;
        char styles[128] = "";
        int i, st;
        for (i = 0; i < 6; i++)
            if (mask & (1u << i)) {
                if (styles[0]) strcat(styles, ",");
                strcat(styles, dd_style_name(g_styles[i]));
            }
        memset(&tc, 0, sizeof tc);
        tc.service = "wire-svc";
        tc.startup_logs = DD_OFF;
        tc.cgroup_path = "";
        tc.flush_interval_ms = -1;
        tc.delivery = DD_DELIVERY_MANUAL;
        tc.getenv_fn = no_env;
        tc.log_fn = no_log;
        tc.transport_fn = transport;
        tc.wall_ns_fn = wall_fn;
        tc.mono_ns_fn = mono_fn;
        tc.random_fn = random_fn;
        tc.propagation_style_inject = styles[0] ? styles : "none";
        g_rand_state = 77 + mask;
        t = dd_tracer_new(&tc);
        for (st = 0; st < 7; st++) {
            dd_span_options o;
            dd_span *s, *child = NULL;
            memset(&o, 0, sizeof o);
            o.name = "inject.test";
            o.span_id = UINT64_C(0xabcdef0123456789) + (uint64_t)st;
            o.trace_id.lo = UINT64_C(0x1122334455667788) + (uint64_t)st;
            o.trace_id.hi = st == 1 ? 0 : UINT64_C(0x640cfd8d00000000);
            if (st >= 3 && st <= 5) {
                dd_tracer_extract_headers(t, g_ctx_sets[st - 2], 7, &g_cont);
                o.context = &g_cont;
            }
            case_begin("inject", "span", (long long)(mask * 7 + (unsigned)st));
            s = dd_span_start(t, &o);
            if (st == 2) dd_span_set_priority(s, DD_PRIORITY_USER_REJECT);
            if (st == 5) dd_span_set_origin(s, "lambda");
            if (st == 6) {
                dd_span_baggage_set(s, "user.id", 7, "a b,c", 5);
                child = dd_span_start_child(s, "child");
                s = child;
            }
            out_f("rc=%lld", dd_span_inject(s, inj_writer()));
            out_headers(&g_inj);
            if (st == 0) { /* injection into a small carrier: an error part way */
                dd_header few[2];
                char small[64];
                dd_headers h;
                dd_carrier_writer w;
                dd_headers_init(&h, few, 2, small, sizeof small);
                dd_headers_writer(&w, &h);
                out_f(" small rc=%lld", dd_span_inject(s, &w));
                out_headers(&h);
            }
            {
                char json[1024];
                size_t n = dd_span_inject_datadog_json(s, json, sizeof json);
                out_s(" json=");
                out_esc(json, n < sizeof json ? n : 0);
            }
            if (child) {
                dd_span_finish(child);
                s = NULL;
            }
            case_end();
        }
        dd_tracer_free(t); /* the spans were left open: dropped, nothing sent */
    }
}

/*=== extract ===*/
static dd_tracer *g_ext_tracer;
static int g_ext_payloads;
static const char *const g_names13[13] = {"x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority",
                                          "x-datadog-origin", "x-datadog-tags", "traceparent", "tracestate",
                                          "x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "b3", "x-amzn-trace-id",
                                          "tracestate"};
static const dd_header *g_user_h;
static size_t g_user_n;
static const char *user_get(void *self, const char *key, size_t key_len, size_t *value_len) {
    size_t i, j;
    (void)self;
    for (i = 0; i < g_user_n; i++) {
        const dd_header *h = &g_user_h[i];
        if (h->name_len != key_len) continue;
        for (j = 0; j < key_len; j++) {
            char a = h->name[j], b = key[j];
            if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
            if (a != b) break;
        }
        if (j == key_len) {
            *value_len = h->value_len;
            return h->value;
        }
    }
    return NULL;
}
/* A user's reader with get_nth: the index-th field of the name (NULL names skipped); get as
 * user_get. Not the SDK's own dd_headers reader, so dd_extract asks it key by key. */
static const char *user_get_nth(void *self, const char *key, size_t key_len, size_t index, size_t *value_len) {
    size_t i, j, seen = 0;
    (void)self;
    for (i = 0; i < g_user_n; i++) {
        const dd_header *h = &g_user_h[i];
        if (!h->name || h->name_len != key_len) continue;
        for (j = 0; j < key_len; j++) {
            char a = h->name[j], b = key[j];
            if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
            if (a != b) break;
        }
        if (j == key_len && seen++ == index) {
            *value_len = h->value ? h->value_len : 0;
            return h->value ? h->value : "";
        }
    }
    return NULL;
}
static void extract_case(const char *group, const char *name, long long no, const dd_propagation_config *cfg,
                         const dd_header *hs, size_t n, int with_span) {
    static dd_trace_context c;
    dd_headers h;
    dd_carrier_reader r;
    int rc;
    memset(&h, 0, sizeof h);
    h.items = (dd_header *)hs;
    h.n = n;
    dd_headers_reader(&r, &h);
    case_begin(group, name, no);
    rc = dd_extract(cfg, &r, &c);
    out_ctx(rc, &c);
    if (rc == DD_OK) {
        char err[DD_PROPAGATION_ERROR_MAX + 1] = "";
        dd_propagation_config icfg = *cfg;
        if (icfg.n_inject < DD_STYLES_MAX) icfg.inject_styles[icfg.n_inject++] = DD_STYLE_BAGGAGE;
        out_f("|REINJ rc=%lld", dd_inject_checked(&icfg, &c, inj_writer(), err));
        out_s(" err=");
        out_esc(err, strlen(err));
        out_headers(&g_inj);
    }
    /* a user's reader (no get_nth) */
    g_user_h = hs;
    g_user_n = n;
    r.self = NULL;
    r.get = user_get;
    r.get_nth = NULL;
    out_s("|USER ");
    out_ctx(dd_extract(cfg, &r, &c), &c);
    r.get_nth = user_get_nth;
    out_s("|USERN ");
    out_ctx(dd_extract(cfg, &r, &c), &c);
    /* the tracer's configuration */
    out_s("|TRACER ");
    rc = dd_tracer_extract_headers(g_ext_tracer, hs, n, &c);
    out_ctx(rc, &c);
    if (with_span && g_ext_payloads < 400) {
        dd_span_options o;
        dd_span *s;
        memset(&o, 0, sizeof o);
        o.name = "server.request";
        o.context = &c;
        o.span_id = UINT64_C(0x0123456789abcdef) + (uint64_t)no;
        o.trace_id.lo = 99;
        tick(1000);
        s = dd_span_start(g_ext_tracer, &o);
        inject_into_case(s);
        tick(2000);
        dd_span_finish(s);
        out_f("|flush rc=%lld", dd_tracer_flush(g_ext_tracer));
        g_ext_payloads++;
    }
    case_end();
}
static uint8_t *read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    long sz;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = (uint8_t *)malloc((size_t)sz + 1);
    if (!b || fread(b, 1, (size_t)sz, f) != (size_t)sz) {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    *n = (size_t)sz;
    return b;
}
static void run_extract_file(const char *path, long long no) {
    static const int all[] = {DD_STYLE_DATADOG, DD_STYLE_TRACECONTEXT, DD_STYLE_B3MULTI, DD_STYLE_B3, DD_STYLE_XRAY};
    dd_propagation_config cfg, def;
    dd_header hs[13];
    size_t n = 0, nh = 0, start = 1, i;
    uint8_t *d = read_file(path, &n);
    char group[64];
    const char *dir = strstr(path, "corpus/");
    int k = 0;
    snprintf(group, sizeof group, "extract.%.*s", dir ? (int)strcspn(dir + 7, "/") : 4, dir ? dir + 7 : "file");
    if (!d || n == 0) {
        free(d);
        return;
    }
    /* as fuzz_all_styles: byte 0 chooses styles and extract_first, the rest are 13 values */
    dd_propagation_config_default(&cfg);
    for (i = 0; i < 5; i++) {
        size_t j = (d[0] & 0x20) ? 4 - i : i;
        if (d[0] & (1u << j)) cfg.extract_styles[k++] = all[j];
    }
    if (d[0] & 0x80) cfg.extract_styles[k++] = DD_STYLE_NONE;
    if (k) {
        cfg.n_extract = cfg.n_inject = k;
        memcpy(cfg.inject_styles, cfg.extract_styles, sizeof cfg.inject_styles);
    }
    cfg.extract_first = (d[0] >> 6) & 1;
    for (i = 1; i <= n && nh < 13; i++) /* split at '\n'; the 13th value keeps the rest */
        if (i == n || (d[i] == '\n' && nh < 12)) {
            hs[nh].name = g_names13[nh];
            hs[nh].name_len = strlen(g_names13[nh]);
            hs[nh].value = (const char *)d + start;
            hs[nh].value_len = i - start;
            nh++;
            start = i + 1;
        }
    extract_case(group, "styles", no, &cfg, hs, nh, 1);
    /* the whole file as one header's value */
    dd_propagation_config_default(&def);
    {
        dd_header b[1] = {{"baggage", 7, (const char *)d, n}};
        extract_case(group, "baggage", no, &def, b, 1, 0);
    }
    {
        dd_header ts[2] = {{"traceparent", 11, "00-12345678901234567890123456789012-1234567890123456-01", 55},
                           {"tracestate", 10, (const char *)d, n}};
        extract_case(group, "tracestate", no, &def, ts, 2, 0);
    }
    {
        dd_header xt[3] = {{"x-datadog-trace-id", 18, "123", 3}, {"x-datadog-parent-id", 19, "456", 3},
                           {"x-datadog-tags", 14, (const char *)d, n}};
        extract_case(group, "xdatadog_tags", no, &def, xt, 3, 0);
    }
    free(d);
}
static void run_extract_hand(void) {
    static const dd_header sets[][4] = {
        {{"X-Datadog-Trace-Id", 18, "18446744073709551615", 20}, {"X-DATADOG-PARENT-ID", 19, "1", 1},
         {"x-datadog-sampling-priority", 27, "-1", 2}, {"x-datadog-tags", 14, "_dd.p.dm=-3,_dd.p.tid=0000000000000001", 38}},
        {{"x-datadog-trace-id", 18, "18446744073709551616", 20}, {"x-datadog-parent-id", 19, "1", 1},
         {"x", 1, "", 0}, {"x", 1, "", 0}},
        {{"traceparent", 11, "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", 61},
         {"tracestate", 10, "dd=s:1;p:0123456789abcdef;t.usr.id:baz64~~", 42}, {"x", 1, "", 0}, {"x", 1, "", 0}},
        {{"traceparent", 11, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 55},
         {"traceparent", 11, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203332-01", 55},
         {"x-datadog-trace-id", 18, "9532127138774266268", 19}, {"x-datadog-parent-id", 19, "5", 1}},
        {{"b3", 2, "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", 68},
         {"x-b3-traceid", 12, "463ac35c9f6413ad48485a3953bb6124", 32}, {"x-b3-spanid", 11, "a2fb4a1d1a96d312", 16},
         {"x-b3-sampled", 12, "d", 1}},
        {{"x-amzn-trace-id", 15, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", 72},
         {"x", 1, "", 0}, {"x", 1, "", 0}, {"x", 1, "", 0}},
        {{"baggage", 7, "a=b;prop=1, c = d ,e=%ZZ,f=%F0%9F%90%95", 39}, {"baggage", 7, "g=h", 3}, {"x", 1, "", 0},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "0", 1}, {"x-datadog-parent-id", 19, "0", 1}, {"baggage", 7, "=x", 2},
         {"x", 1, "", 0}},
        /* dd_extract's fast paths (branch h-ext3): a later traceparent with the primary's ids in
         * uppercase, with a zero parent, with another parent and odd t.* sub-members; x-datadog-tags
         * kept tag by tag (a repeated key, a zero or malformed tid, a foreign key); traceparent
         * versions ff, 0A and 00 with a 56th byte; a short origin with a control byte */
        {{"x-datadog-trace-id", 18, "1234567890123456789", 19},
         {"x-datadog-parent-id", 19, "3043109937388421265", 19},
         {"traceparent", 11, "00-0000000000000000112210F47DE98115-2A3B4C5D6E7F8091-01", 55},
         {"tracestate", 10, "rojo=1", 6}},
        {{"x-datadog-trace-id", 18, "1234567890123456789", 19},
         {"x-datadog-origin", 16, "synthetics", 10},
         {"traceparent", 11, "00-0000000000000000112210f47de98115-0000000000000000-01", 55},
         {"tracestate", 10, "dd=o:synthetics;t.dm:-4,rojo=1", 30}},
        {{"x-datadog-trace-id", 18, "1234567890123456789", 19},
         {"x-datadog-parent-id", 19, "3043109937388421265", 19},
         {"traceparent", 11, "00-0000000000000000112210f47de98115-2a3b4c5d6e7f8092-00", 55},
         {"tracestate", 10, "dd=p:2a3b4c5d6e7f8091;s:-1;t.a b:1;t.c=d:2;t.e:;t.f:~x,x=y", 58}},
        {{"x-datadog-trace-id", 18, "5", 1},
         {"x-datadog-parent-id", 19, "6", 1},
         {"x-datadog-tags", 14, "_dd.p.aa=1,_dd.p.bb=2,_dd.p.aa=3,_dd.p.tid=0000000000000000", 59},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "7", 1},
         {"x-datadog-parent-id", 19, "8", 1},
         {"x-datadog-tags", 14, "_dd.p.dm=-4,_dd.p.tid=640cfd8d0000000Z,_dd.p.x=1,foo=bar", 56},
         {"traceparent", 11, "ff-0000000000000000000000000000000a-000000000000000b-01", 55}},
        {{"x-datadog-trace-id", 18, "10", 2},
         {"x-datadog-parent-id", 19, "11", 2},
         {"x-datadog-tags", 14, "_dd.p.a=b", 9},
         {"traceparent", 11, "0A-000000000000000000000000000000ab-00000000000000cd-0f", 55}},
        {{"x-datadog-trace-id", 18, "171", 3},
         {"x-datadog-parent-id", 19, "205", 3},
         {"traceparent", 11, "00-000000000000000000000000000000ab-00000000000000cd-01x", 56},
         {"x-datadog-origin", 16, "r\001m", 3}},
        {{"x-datadog-trace-id", 18, NULL, 5}, /* fields without a value (read as "") */
         {"x-datadog-origin", 16, NULL, 3},
         {"x", 1, NULL, 0},
         {"x", 1, NULL, 0}},
        {{"traceparent", 11, NULL, 55},
         {"tracestate", 10, NULL, 4},
         {"x", 1, NULL, 0},
         {"x", 1, NULL, 0}},
        {{"x-datadog-trace-id", 18, "171", 3},
         {"x-datadog-sampling-priority", 27, "7", 1},
         {"x-datadog-tags", 14, "_dd.p.tid=00000000000000ab,_dd.p.dm=-4,_dd.p.tid=00000000000000ac", 65},
         {"traceparent", 11, "00-00000000000000ab00000000000000ab-00000000000000cd-01", 55}},
        /* the SSE2 scanners (branch h-ext4): a dd member of exactly 64 bytes and of 65 (the
         * bitmap split and the loop), ending in ':' or ";:", with empty and ':'-less sub-members;
         * tracestate members with 0x7F, a tab and a byte >= 0x80 past the first 16 bytes;
         * x-datadog-tags of 16 to 38 bytes with a ' ' in a key, '*' '+' and '=' in values, empty
         * tags, a control byte and a byte >= 0x80 in the last block; a later traceparent one hex
         * digit off the primary's trace id, then off its parent */
        {{"x-datadog-trace-id", 18, "1234567890123456789", 19},
         {"x-datadog-parent-id", 19, "3043109937388421265", 19},
         {"traceparent", 11, "00-0000000000000000112210f47de98115-2a3b4c5d6e7f8091-01", 55},
         {"tracestate", 10, "dd=s:1;o:abc;p:0123456789abcdef;t.dm:-4;x:yy;;:;q;t.ab:cd;zz:12345:,a=b", 71}},
        {{"x-datadog-trace-id", 18, "1234567890123456789", 19},
         {"x-datadog-parent-id", 19, "3043109937388421265", 19},
         {"traceparent", 11, "00-0000000000000000112210f47de98115-2a3b4c5d6e7f8091-01", 55},
         {"tracestate", 10, "dd=s:1;o:abc;p:0123456789abcdef;t.dm:-4;x:yy;;:;q;t.ab:cd;zz:12345;:,a=b", 72}},
        {{"traceparent", 11, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 55},
         {"tracestate", 10, "dd=s:2;t.dm:-4;p:1;;x;:", 23},
         {"x", 1, "", 0},
         {"x", 1, "", 0}},
        {{"traceparent", 11, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 55},
         {"tracestate", 10, "dd=t.aa:bbbbbbbbbbbbb;s:1;,rojo=00f067aa0ba902b7\177,\011congo=t61rcWkgMzE,x=\200abcdefghijklmnopq", 89},
         {"x", 1, "", 0},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "1", 1},
         {"x-datadog-parent-id", 19, "2", 1},
         {"x-datadog-tags", 14, "_dd.p.a b=1,_dd.p.x=12345678", 28},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "1", 1},
         {"x-datadog-parent-id", 19, "2", 1},
         {"x-datadog-tags", 14, "_dd.p.ab=1*2+3,_dd.p.x=1=2=3,_dd.p.y=\200", 38},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "1", 1},
         {"x-datadog-parent-id", 19, "2", 1},
         {"x-datadog-tags", 14, "_dd.p.abcdefg=12", 16},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "1", 1},
         {"x-datadog-parent-id", 19, "2", 1},
         {"x-datadog-tags", 14, "_dd.p.abcdefgh=1,,", 18},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "1", 1},
         {"x-datadog-parent-id", 19, "2", 1},
         {"x-datadog-tags", 14, "_dd.p.abcdefgh=1\001", 17},
         {"x", 1, "", 0}},
        {{"x-datadog-trace-id", 18, "1234567890123456789", 19},
         {"x-datadog-parent-id", 19, "3043109937388421265", 19},
         {"x-datadog-tags", 14, "_dd.p.tid=640cfd8d00000000", 26},
         {"traceparent", 11, "00-640cfd8d00000001112210f47de98115-2a3b4c5d6e7f8091-01", 55}},
        {{"x-datadog-trace-id", 18, "1234567890123456789", 19},
         {"x-datadog-parent-id", 19, "3043109937388421265", 19},
         {"x-datadog-tags", 14, "_dd.p.tid=640cfd8d00000000", 26},
         {"traceparent", 11, "00-640cfd8d00000000112210f47de98115-2a3b4c5d6e7f8090-01", 55}},
    };
    static const int behaviors[3] = {DD_EXTRACT_CONTINUE, DD_EXTRACT_RESTART, DD_EXTRACT_IGNORE};
    size_t i;
    int b, all;
    for (i = 0; i < sizeof sets / sizeof sets[0]; i++)
        for (b = 0; b < 3; b++)
            for (all = 0; all < 2; all++) {
                dd_propagation_config cfg;
                dd_propagation_config_default(&cfg);
                cfg.extract_behavior = behaviors[b];
                if (all) {
                    int k;
                    for (k = 0; k < 6; k++) cfg.extract_styles[k] = g_styles[k];
                    cfg.n_extract = 6;
                    cfg.extract_first = b == 2;
                }
                extract_case("extract.hand", "set", (long long)(i * 6 + (size_t)b * 2 + (size_t)all), &cfg, sets[i], 4, 1);
            }
    for (i = 0; i < 4; i++) {
        dd_propagation_config cfg;
        dd_propagation_config_default(&cfg);
        extract_case("extract.hand", "ctxset", (long long)i, &cfg, g_ctx_sets[i], 7, 1);
    }
}

int main(int argc, char **argv) {
    int i;
    init_texts();
    g_rng = 20261207;
    for (i = 0; i < N_CONFIGS; i++) run_traces(i, i == 5 ? 30 : 60);
    run_inject();
    g_rand_state = 555;
    g_ext_tracer = new_tracer(0);
    if (!g_ext_tracer) abort();
    run_extract_hand();
    for (i = 1; i < argc; i++) run_extract_file(argv[i], i);
    case_begin("extract", "free", 0);
    dd_tracer_free(g_ext_tracer);
    case_end();
    g_rng = 20261208; /* after the others: their inputs stay as they were */
    g_own_keys = 1;
    for (i = N_CONFIGS; i < N_CONFIGS + 2; i++) run_traces(i, 40);
    g_own_keys = 0;
    run_trace_id_halves();
    fprintf(stderr, "wire_diff driver: %lu cases\n", g_cases);
    free(g_out);
    return 0;
}
