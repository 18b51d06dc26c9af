/* tests/stats_filters_test.c - client-side stats, the parts that follow the agent's configuration
 * (docs/stats.md §2, §6): the trace filters of /info (ignore_resources, filter_tags,
 * filter_tags_regex) as libdatadog's TraceFilterer and dd-trace-go's traceFilters apply them,
 * DD_TRACE_STATS_ADDITIONAL_TAGS as libdatadog aggregates them (AdditionalMetricTags "key:value",
 * keys sorted, at most 4, values over 200 characters blocked, 100 sets per bucket), and the
 * Datadog-Agent-State header that makes /info due again. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <stdlib.h>

/* --- a fake agent: /info with a configurable body, trace answers with an optional state --- */
#define MAXREQ 64
typedef struct req_rec {
    char path[32];
    uint8_t *body;
    size_t len;
    int p0_header; /* carried Datadog-Client-Dropped-P0-Traces */
} req_rec;
typedef struct agent {
    const char *info;
    const char *state; /* Datadog-Agent-State on trace answers (NULL: none) */
    const char *info_state; /* ... and on /info answers */
    int info_calls;
    int n;
    req_rec r[MAXREQ];
    int64_t wall;
} agent;
static int fake_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    agent *a = (agent *)u;
    size_t i;
    if (strcmp(req->path, "/info") == 0) {
        a->info_calls++;
        resp->status = 200;
        resp->body = a->info;
        resp->body_len = strlen(a->info);
        if (a->info_state) dd_http_response_header(resp, "datadog-agent-state", 19, a->info_state, strlen(a->info_state));
        return DD_TRANSPORT_ANSWERED;
    }
    if (a->n < MAXREQ) {
        req_rec *r = &a->r[a->n++];
        snprintf(r->path, sizeof r->path, "%s", req->path);
        r->body = (uint8_t *)malloc(req->body_len ? req->body_len : 1);
        memcpy(r->body, req->body, req->body_len);
        r->len = req->body_len;
        r->p0_header = 0;
        for (i = 0; i < req->n_headers; i++)
            if (strcmp(req->headers[i].name, "Datadog-Client-Dropped-P0-Traces") == 0) r->p0_header = 1;
    }
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    if (a->state && strcmp(req->path, "/v0.4/traces") == 0) {
        dd_http_response_header(resp, "X-Other", 7, "1", 1); /* ignored */
        dd_http_response_header(resp, "Datadog-Agent-State", 19, a->state, strlen(a->state));
    }
    return DD_TRANSPORT_ANSWERED;
}
static void agent_free(agent *a) {
    int i;
    for (i = 0; i < a->n; i++) free(a->r[i].body);
    a->n = 0;
}
static int64_t fake_wall(void *u) { return ((agent *)u)->wall; }
static const char *g_additional; /* DD_TRACE_STATS_ADDITIONAL_TAGS for the next tracer */
static const char *env_fake(void *u, const char *name) {
    (void)u;
    return strcmp(name, "DD_TRACE_STATS_ADDITIONAL_TAGS") == 0 ? g_additional : NULL;
}
static int g_warnings;
static char g_last_warning[400];
static void log_cb(void *u, int level, const char *msg, size_t len) {
    (void)u;
    if (level != DD_LOG_WARN) return;
    g_warnings++;
    snprintf(g_last_warning, sizeof g_last_warning, "%.*s", (int)len, msg);
}

#define B0 INT64_C(1700000000000000000)
#define INFO_HEAD "{\"endpoints\":[\"/v0.4/traces\",\"/v0.6/stats\"],\"client_drop_p0s\":true"

static dd_tracer *new_tracer(agent *a) {
    dd_tracer_config c;
    dd_tracer_config_init(&c);
    c.service = "svc";
    c.env = "Prod";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.transport_fn = fake_transport;
    c.hook_user = a;
    c.wall_ns_fn = fake_wall;
    c.getenv_fn = env_fake;
    c.log_fn = log_cb;
    c.delivery = DD_DELIVERY_MANUAL;
    c.stats_computation = DD_ON;
    c.sampling.sample_rate = 1.0;
    c.sampling.sample_rate_set = 1;
    return dd_tracer_new(&c);
}
static const req_rec *find_req(const agent *a, const char *path, int nth) {
    int i;
    for (i = 0; i < a->n; i++)
        if (strcmp(a->r[i].path, path) == 0 && nth-- == 0) return &a->r[i];
    return NULL;
}
static int count_req(const agent *a, const char *path) {
    int i, n = 0;
    for (i = 0; i < a->n; i++) n += strcmp(a->r[i].path, path) == 0;
    return n;
}
/* the JSON of a recorded msgpack body (malloc'd) */
static char *json(const req_rec *r) {
    size_t n = dd_mp_to_json(r->body, r->len, NULL, 0) + 1;
    char *j = (char *)malloc(n);
    dd_mp_to_json(r->body, r->len, j, n);
    return j;
}
/* occurrences of needle in the JSON of every recorded request to path */
static int count_in(const agent *a, const char *path, const char *needle) {
    int i, n = 0;
    for (i = 0; i < a->n; i++) {
        char *j, *p;
        if (strcmp(a->r[i].path, path) != 0) continue;
        j = json(&a->r[i]);
        for (p = j; (p = strstr(p, needle)) != NULL; p++) n++;
        free(j);
    }
    return n;
}
/* a one-span trace (a server span: eligible), finished */
static void trace1(dd_tracer *t, const char *resource, const char *k1, const char *v1, int64_t start) {
    dd_span_options o = DD_SPAN_OPTIONS_INIT;
    dd_span *s;
    o.name = "web.request";
    s = dd_span_start(t, &o);
    if (resource) dd_span_set_resource(s, resource);
    dd_span_set_tag(s, "span.kind", "server");
    if (k1) dd_span_set_tag(s, k1, v1);
    dd_span_set_start(s, start);
    dd_span_finish_at(s, start + 1000000);
}
static void check_balance(dd_tracer *t) {
    dd_counters c;
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.spans_started, c.spans_open + c.spans_pending + c.spans_sent + c.spans_unconfirmed + c.spans_dropped_buffer
                                      + c.spans_dropped_sampling + c.spans_dropped_send + c.spans_dropped_shutdown);
}

/* --- 1. the /info reader: the five lists, bounded --- */
static void test_info_filters_parse(void) {
    dd__info in;
    char big[16384];
    size_t o = 0;
    int i;
    const char *p = "{\"ignore_resources\":[\"GET /health\",\"\",3,\"a\\u0000b\"],"
                    "\"filter_tags\":{\"require\":[\"env:prod\"],\"reject\":[\"debug\",\"k:v\"]},"
                    "\"filter_tags_regex\":{\"require\":[\"x:^a\"],\"reject\":[\"user:bot.*\"]}}";
    CHECK_EQ_INT(dd__info_parse(p, strlen(p), &in), DD_OK);
    CHECK_EQ_INT(in.n_filter[0], 1);
    CHECK_STR(in.filter_text + in.filter_off[0][0], "GET /health");
    CHECK_EQ_INT(in.filters_left_out, 1); /* the NUL one; "" and 3 are simply not filters */
    CHECK_EQ_INT(in.n_filter[1], 1);
    CHECK_STR(in.filter_text + in.filter_off[1][0], "env:prod");
    CHECK_EQ_INT(in.n_filter[2], 2);
    CHECK_STR(in.filter_text + in.filter_off[2][1], "k:v");
    CHECK_EQ_INT(in.n_filter[3], 1);
    CHECK_EQ_INT(in.n_filter[4], 1);
    CHECK_STR(in.filter_text + in.filter_off[4][0], "user:bot.*");
    /* not arrays, not objects: nothing */
    p = "{\"ignore_resources\":\"x\",\"filter_tags\":[\"a\"],\"filter_tags_regex\":{\"reject\":{\"a\":1}}}";
    CHECK_EQ_INT(dd__info_parse(p, strlen(p), &in), DD_OK);
    for (i = 0; i < DD__FILTER_LISTS; i++) CHECK_EQ_INT(in.n_filter[i], 0);
    /* more entries than kept, and longer ones */
    o += (size_t)sprintf(big + o, "{\"ignore_resources\":[");
    for (i = 0; i < 40; i++) o += (size_t)sprintf(big + o, "%s\"r%d\"", i ? "," : "", i);
    o += (size_t)sprintf(big + o, "],\"filter_tags\":{\"reject\":[\"");
    for (i = 0; i < 300; i++) big[o++] = 'k';
    o += (size_t)sprintf(big + o, "\"");
    for (i = 0; i < 30; i++) { /* 30 x 160 bytes: the text bound is reached */
        int j;
        o += (size_t)sprintf(big + o, ",\"%02d:", i);
        for (j = 0; j < 157; j++) big[o++] = 'v';
        big[o++] = '"';
    }
    o += (size_t)sprintf(big + o, "]}}");
    CHECK_EQ_INT(dd__info_parse(big, o, &in), DD_OK);
    CHECK_EQ_INT(in.n_filter[0], DD__FILTER_MAX);
    CHECK_STR(in.filter_text + in.filter_off[0][DD__FILTER_MAX - 1], "r31");
    CHECK(in.n_filter[2] > 10 && in.n_filter[2] < 30); /* the 300-byte one left out, then until full */
    CHECK_EQ_INT(in.filters_left_out, 8 + 1 + (30 - in.n_filter[2]));
    for (i = 0; i < in.n_filter[2]; i++) CHECK_EQ_U64(strlen(in.filter_text + in.filter_off[2][i]), in.filter_len[2][i]);
}

/* --- 2. trace filters through a tracer --- */
static const char *INFO_FILTERS =
    INFO_HEAD ",\"ignore_resources\":[\"(?i)^get /health\",\"[\"],"
              "\"filter_tags\":{\"reject\":[\"debug\",\" tenant : test \"],\"require\":[]},"
              "\"filter_tags_regex\":{\"reject\":[\"user:^bot\\\\d+$\",\"env:^staging\"]}}";

static void test_filters_reject(void) {
    static agent a;
    dd_tracer *t;
    dd_counters c;
    dd__tfilters *f;
    memset(&a, 0, sizeof a);
    a.info = INFO_FILTERS;
    a.wall = B0;
    g_warnings = 0;
    t = new_tracer(&a);
    dd_tracer_flush(t);
    f = t->stats->filters;
    CHECK(f != NULL);
    CHECK_EQ_INT(f->n_res, 1); /* "[" does not compile: left out, and said once */
    CHECK_EQ_INT(f->n_tag, 4);
    CHECK_EQ_INT(t->stats->filters_left_out, 1);
    CHECK_EQ_INT(g_warnings, 1);
    CHECK(strstr(g_last_warning, "left out") != NULL);
    trace1(t, "GET /health/live", NULL, NULL, B0 + 1000);           /* ignore_resources, (?i), unanchored end */
    trace1(t, "get /HEALTH", NULL, NULL, B0 + 2000);                /* case-insensitive */
    trace1(t, "POST /get /health", NULL, NULL, B0 + 3000);          /* ^ anchors: kept */
    trace1(t, "r", "debug", "", B0 + 4000);                         /* a key alone */
    trace1(t, "r", "tenant", "test", B0 + 5000);                    /* key:value, blanks trimmed */
    trace1(t, "r", "tenant", "other", B0 + 6000);                   /* kept */
    trace1(t, "r", "user", "bot42", B0 + 7000);                     /* regex on the value */
    trace1(t, "r", "user", "bot42x", B0 + 8000);                    /* kept */
    trace1(t, NULL, NULL, NULL, B0 + 9000);                         /* no resource: the name, kept */
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.chunks_dropped_sampling, 5);
    CHECK_EQ_U64(c.spans_dropped_sampling, 5);
    CHECK_EQ_U64(c.chunks_dropped_p0, 0);
    CHECK_EQ_U64(c.spans_sent, 4);
    CHECK_EQ_U64(c.stats_spans, 4); /* the filtered traces get no stats */
    CHECK_EQ_INT(count_in(&a, "/v0.4/traces", "\"resource\":\"GET /health/live\""), 0);
    CHECK_EQ_INT(count_in(&a, "/v0.4/traces", "\"resource\":\"POST /get /health\""), 1);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"Resource\":\"get /HEALTH\""), 0);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"Resource\":\"POST /get /health\""), 1);
    CHECK(find_req(&a, "/v0.4/traces", 0) && !find_req(&a, "/v0.4/traces", 0)->p0_header); /* not a P0 drop */
    check_balance(t);
    dd_tracer_free(t);
    agent_free(&a);
}

/* require: every filter must match; env lower-cased as the agent normalises it; an
 * http.status_code that is no status is absent; the decision is the root's, whatever the
 * priority or errors; a chunk cut before the root finished passes. */
static void test_filters_require(void) {
    static agent a;
    dd_tracer *t;
    dd_counters c;
    dd_span *root, *child;
    dd_span_options o = DD_SPAN_OPTIONS_INIT;
    memset(&a, 0, sizeof a);
    a.info = INFO_HEAD ",\"filter_tags\":{\"require\":[\"env:prod\",\"http.status_code\"]},"
                       "\"filter_tags_regex\":{\"require\":[\"team:^(a|b)$\"]}}";
    a.wall = B0;
    t = new_tracer(&a); /* env "Prod": matches env:prod */
    dd_tracer_flush(t);
    CHECK_EQ_INT(t->stats->filters->n_tag, 3);
    trace1(t, "r", "team", "a", B0); /* no http.status_code: rejected */
    o.name = "web";
    root = dd_span_start(t, &o);
    dd_span_set_tag(root, "http.status_code", "200");
    dd_span_set_tag(root, "team", "b");
    dd_span_set_error(root, 1);
    dd_span_finish(root); /* all three hold: kept */
    root = dd_span_start(t, &o);
    dd_span_set_tag(root, "http.status_code", "2000"); /* not a status: absent */
    dd_span_set_tag(root, "team", "b");
    dd_span_set_priority(root, DD_PRIORITY_USER_KEEP);
    dd_span_set_error(root, 1);
    dd_span_finish(root); /* rejected, though kept by sampling and in error */
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.chunks_dropped_sampling, 2);
    CHECK_EQ_U64(c.spans_sent, 1);
    dd_tracer_free(t);
    agent_free(&a);

    /* partial flush: the chunk cut while the root is open passes, the rest follows the root */
    {
        dd_tracer_config cfg;
        memset(&a, 0, sizeof a);
        a.info = INFO_HEAD ",\"filter_tags\":{\"reject\":[\"drop:me\"]}}";
        a.wall = B0;
        dd_tracer_config_init(&cfg);
        cfg.service = "svc";
        cfg.startup_logs = DD_OFF;
        cfg.cgroup_path = "";
        cfg.transport_fn = fake_transport;
        cfg.hook_user = &a;
        cfg.wall_ns_fn = fake_wall;
        cfg.getenv_fn = env_fake;
        cfg.delivery = DD_DELIVERY_MANUAL;
        cfg.stats_computation = DD_ON;
        cfg.partial_flush = DD_ON;
        cfg.partial_flush_min_spans = 2;
        t = dd_tracer_new(&cfg);
        dd_tracer_flush(t);
        root = dd_span_start(t, &o);
        dd_span_set_tag(root, "drop", "me");
        child = dd_span_start_child(root, "c1");
        dd_span_finish(child);
        child = dd_span_start_child(root, "c2");
        dd_span_finish(child); /* two done: a partial chunk, root open */
        child = dd_span_start_child(root, "c3");
        dd_span_finish(root);
        dd_span_finish(child); /* the root finished first: this chunk is filtered */
        dd_tracer_flush(t);
        dd_tracer_counters(t, &c);
        CHECK_EQ_U64(c.partial_flushes, 1);
        CHECK_EQ_U64(c.spans_sent, 2);
        CHECK_EQ_U64(c.spans_dropped_sampling, 2);
        /* a partial chunk holding the root is filtered, and so is the rest */
        root = dd_span_start(t, &o);
        dd_span_set_tag(root, "drop", "me");
        child = dd_span_start_child(root, "c1");
        dd_span_finish(child);
        child = dd_span_start_child(root, "c2");
        dd_span_finish(root); /* two done, the root among them: a partial chunk */
        dd_span_finish(child);
        dd_tracer_flush(t);
        dd_tracer_counters(t, &c);
        CHECK_EQ_U64(c.partial_flushes, 2);
        CHECK_EQ_U64(c.spans_sent, 2);
        CHECK_EQ_U64(c.spans_dropped_sampling, 5);
        CHECK_EQ_U64(c.chunks_dropped_sampling, 3);
        check_balance(t);
        dd_tracer_free(t);
        agent_free(&a);
    }
}

/* filters apply only while the agent agreed to client-side stats; a later /info without them
 * turns them off */
static void test_filters_follow_info(void) {
    static agent a;
    dd_tracer *t;
    dd_counters c;
    memset(&a, 0, sizeof a);
    a.info = "{\"filter_tags\":{\"reject\":[\"debug\"]}}"; /* no /v0.6/stats: stats off */
    a.wall = B0;
    t = new_tracer(&a);
    dd_tracer_flush(t);
    trace1(t, "r", "debug", "1", B0);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.spans_sent, 1);
    a.info = INFO_HEAD ",\"filter_tags\":{\"reject\":[\"debug\"]}}";
    t->stats->next_info_ns = 0;
    dd_tracer_flush(t);
    CHECK(t->stats->filters != NULL);
    trace1(t, "r", "debug", "1", B0);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.spans_sent, 1);
    CHECK_EQ_U64(c.spans_dropped_sampling, 1);
    a.info = INFO_HEAD "}";
    t->stats->next_info_ns = 0;
    dd_tracer_flush(t);
    CHECK(t->stats->filters == NULL);
    trace1(t, "r", "debug", "1", B0);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.spans_sent, 2);
    dd_tracer_free(t);
    agent_free(&a);
}

/* --- 3. DD_TRACE_STATS_ADDITIONAL_TAGS --- */
static void test_additional_tags(void) {
    static agent a;
    dd_tracer *t;
    dd_counters c;
    char v200[801], v201[203];
    int i;
    memset(&a, 0, sizeof a);
    a.info = INFO_HEAD "}";
    a.wall = B0;
    g_additional = " zone ,region,,tenant,region,alpha,beta"; /* sorted, de-duplicated: alpha beta region tenant */
    g_warnings = 0;
    t = new_tracer(&a);
    g_additional = NULL;
    CHECK_EQ_INT(t->stats->n_add, 4);
    CHECK_MEM(t->stats->add_keys[0], t->stats->add_len[0], "alpha", 5);
    CHECK_STR(t->stats->add_keys[3], "tenant");
    CHECK_EQ_INT(g_warnings, 1); /* zone left out */
    dd_tracer_flush(t);
    {
        dd_span_options o = DD_SPAN_OPTIONS_INIT;
        dd_span *s;
        o.name = "web";
        s = dd_span_start(t, &o);
        dd_span_set_tag(s, "span.kind", "server");
        dd_span_set_tag(s, "tenant", "t1");
        dd_span_set_tag(s, "region", "eu");
        dd_span_set_tag(s, "zone", "z1"); /* not a configured key */
        dd_span_set_tag(s, "alpha", "");  /* empty: left out */
        dd_span_set_start(s, B0);
        dd_span_finish_at(s, B0 + 1000);
    }
    trace1(t, "r", "tenant", "t2", B0);
    trace1(t, "r", "tenant", "t2", B0);
    for (i = 0; i < 800; i += 4) memcpy(v200 + i, "\xf0\x9f\x98\x80", 4); /* 200 characters, 800 bytes */
    v200[800] = 0;
    trace1(t, "r", "beta", v200, B0);
    memset(v201, 'x', 201);
    v201[201] = 0;
    trace1(t, "r", "beta", v201, B0);
    dd_tracer_flush(t);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"AdditionalMetricTags\":[\"region:eu\",\"tenant:t1\"]"), 1);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"AdditionalMetricTags\":[\"tenant:t2\"]"), 1);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"AdditionalMetricTags\":[\"beta:\xf0\x9f\x98\x80"), 1);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"AdditionalMetricTags\":[\"beta:tracer_blocked_value\"]"), 1);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"Hits\":2"), 1); /* the two t2 spans in one group */
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"PeerTags\":[]"), 4); /* peer tags stay apart */
    /* 100 distinct sets per bucket, then tracer_blocked_value: */
    for (i = 0; i < 103; i++) {
        char v[16];
        snprintf(v, sizeof v, "u%d", i);
        trace1(t, "r", "tenant", v, B0 + 20000000000);
    }
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.stats_spans_overflow, 3);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"AdditionalMetricTags\":[\"tracer_blocked_value:\"]"), 1);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"AdditionalMetricTags\":[\"tenant:u99\"]"), 1);
    CHECK_EQ_INT(count_in(&a, "/v0.6/stats", "\"AdditionalMetricTags\":[\"tenant:u100\"]"), 0);
    dd_tracer_free(t);
    agent_free(&a);
}

/* --- 4. Datadog-Agent-State --- */
static void test_agent_state(void) {
    static agent a;
    dd_tracer *t;
    dd_http_response r;
    memset(&a, 0, sizeof a);
    a.info = INFO_HEAD "}";
    a.wall = B0;
    t = new_tracer(&a);
    dd_tracer_flush(t);
    CHECK_EQ_INT(a.info_calls, 1);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t); /* no header: nothing */
    CHECK_EQ_INT(a.info_calls, 1);
    a.state = "s1";
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t); /* a first state: /info again at the next stats pass */
    CHECK(t->stats->next_info_ns == 0);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    CHECK_EQ_INT(a.info_calls, 2);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t); /* the same state: nothing */
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    CHECK_EQ_INT(a.info_calls, 2);
    a.state = "s2-changed";
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    CHECK_EQ_INT(a.info_calls, 3);
    /* outside a transport call: ignored */
    memset(&r, 0, sizeof r);
    dd_http_response_header(&r, "Datadog-Agent-State", 19, "s3", 2);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    CHECK_EQ_INT(a.info_calls, 3);
    CHECK_EQ_INT(count_req(&a, "/v0.4/traces"), 9);
    dd_tracer_free(t);
    agent_free(&a);

    /* the /info answer's own state is remembered: a trace answer with that one changes nothing */
    memset(&a, 0, sizeof a);
    a.info = INFO_HEAD "}";
    a.info_state = "abc";
    a.state = "abc";
    a.wall = B0;
    t = new_tracer(&a);
    dd_tracer_flush(t);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    trace1(t, "r", NULL, NULL, B0);
    dd_tracer_flush(t);
    CHECK_EQ_INT(a.info_calls, 1);
    dd_tracer_free(t);
    agent_free(&a);
}

static const test_case cases[] = {
    TEST(test_info_filters_parse), TEST(test_filters_reject), TEST(test_filters_require),
    TEST(test_filters_follow_info), TEST(test_additional_tags),   TEST(test_agent_state),
};
int main(void) { return test_run("stats_filters", cases, sizeof cases / sizeof cases[0]); }
