/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_info.c -o fuzz_info -lpthread -lm && ./fuzz_info -dict=fuzz/dict/info.dict fuzz/corpus/info
 *
 * The agent's /info answer (docs/stats.md §6), on hostile bytes: the body is handed over
 * unterminated and exactly sized (ASan sees any read past it). Properties (abort on violation):
 *  - dd__info_parse succeeds exactly when the body is one JSON object (dd_json_parse agrees) and
 *    within DD__INFO_BODY_MAX; on failure the snapshot is all zero (nothing partial);
 *  - has_stats_endpoint is 1 exactly when `endpoints` is an array holding the string
 *    "/v0.6/stats", and client_drop_p0s exactly when that member is the literal true (both checked
 *    here with dd_json_at / dd_json_get, not the parser's own walk);
 *  - the peer tag keys are at most DD__STATS_PEER_KEYS_MAX, each non-empty, NUL-free, NUL-terminated
 *    inside peer_text, laid out one after the other, and equal to the array's string elements in
 *    order (skipping non-strings, empty ones, ones holding NUL and ones that no longer fit);
 *  - the trace filter lists: at most DD__FILTER_MAX entries each, each non-empty, NUL-free, at most
 *    DD__FILTER_LEN bytes, NUL-terminated inside filter_text, laid out one after the other;
 *  - through a whole tracer with stats on (manual delivery), the answer turns stats on exactly
 *    when both flags hold; then a rejected trace is dropped and counted and a client span with
 *    every peer key set is aggregated; otherwise everything is sent; when the answer's trace
 *    filters compiled, each trace is either filtered (no stats, not sent, counted as a sampling
 *    drop, not as P0) or handled as without them; the forced flush sends one stats payload (when
 *    a span was aggregated) that the msgpack reader skips whole, and no leak. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                  \
    do {                                                                                            \
        if (!(c)) {                                                                                 \
            fprintf(stderr, "fuzz_info: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c);    \
            abort();                                                                                \
        }                                                                                           \
    } while (0)

typedef struct state {
    const char *body;
    size_t len;
    int info_calls, stats_posts, trace_posts;
    int stats_ok;
} state;
static state S;

static int transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u;
    if (strcmp(req->path, "/info") == 0) {
        S.info_calls++;
        resp->status = 200;
        resp->body = S.body;
        resp->body_len = S.len;
        return DD_TRANSPORT_ANSWERED;
    }
    if (strcmp(req->path, "/v0.6/stats") == 0) {
        dd_mp_reader r;
        S.stats_posts++;
        dd_mp_reader_init(&r, req->body, req->body_len);
        S.stats_ok = dd_mp_skip(&r) == DD_OK && dd_mp_reader_remaining(&r) == 0;
    } else {
        S.trace_posts++;
    }
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return DD_TRANSPORT_ANSWERED;
}
static const char *env_none(void *u, const char *name) {
    (void)u;
    (void)name;
    return NULL;
}
static void log_none(void *u, int level, const char *msg, size_t len) {
    (void)u, (void)level, (void)msg, (void)len; /* warnings about left-out filters are expected */
}
static int all_zero(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    dd__info in;
    dd_json root, v, item;
    int rc, object, want_stats = 0, want_drop = 0;
    size_t i, used = 0, k = 0;
    rc = dd__info_parse(text, size, &in);
    object = size <= DD__INFO_BODY_MAX && dd_json_parse(text, size, &root) == DD_OK && root.type == DD_JSON_OBJECT;
    REQUIRE((rc == DD_OK) == object);
    if (rc != DD_OK) {
        REQUIRE(all_zero(&in, sizeof in));
        return 0;
    }
    if (dd_json_get(&root, "endpoints", 9, &v) == DD_OK && v.type == DD_JSON_ARRAY)
        for (i = 0; dd_json_at(&v, i, &item) == DD_OK; i++)
            if (dd_json_string_eq(&item, "/v0.6/stats", 11)) want_stats = 1;
    if (dd_json_get(&root, "client_drop_p0s", 15, &v) == DD_OK && v.n == 4 && memcmp(v.p, "true", 4) == 0) want_drop = 1;
    REQUIRE(in.has_stats_endpoint == want_stats);
    REQUIRE(in.client_drop_p0s == want_drop);
    REQUIRE(in.n_peer >= 0 && in.n_peer <= DD__STATS_PEER_KEYS_MAX);
    if (dd_json_get(&root, "peer_tags", 9, &v) == DD_OK && v.type == DD_JSON_ARRAY) {
        for (i = 0; dd_json_at(&v, i, &item) == DD_OK && (int)k < in.n_peer; i++) {
            char buf[DD__STATS_PEER_TEXT];
            size_t n = 0;
            if (item.type != DD_JSON_STRING) continue;
            if (dd_json_string(&item, buf, sizeof buf - used, &n) != DD_OK || n == 0 || memchr(buf, 0, n)) continue;
            REQUIRE(in.peer_off[k] == used && in.peer_len[k] == n);
            REQUIRE(memcmp(in.peer_text + used, buf, n) == 0 && in.peer_text[used + n] == 0);
            used += n + 1;
            k++;
        }
    }
    REQUIRE((int)k == in.n_peer);
    REQUIRE(used <= sizeof in.peer_text);
    {   /* the filter lists */
        size_t next = 0;
        int l, j;
        for (l = 0; l < DD__FILTER_LISTS; l++) {
            REQUIRE(in.n_filter[l] >= 0 && in.n_filter[l] <= DD__FILTER_MAX);
            for (j = 0; j < in.n_filter[l]; j++) {
                size_t off = in.filter_off[l][j], n = in.filter_len[l][j];
                REQUIRE(off == next && n >= 1 && n <= DD__FILTER_LEN && off + n < sizeof in.filter_text);
                REQUIRE(!memchr(in.filter_text + off, 0, n) && in.filter_text[off + n] == 0);
                next = off + n + 1;
            }
        }
        REQUIRE(in.filters_left_out >= 0);
    }

    /* the whole path: a tracer that reads this answer */
    {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        dd_counters n;
        int on;
        memset(&S, 0, sizeof S);
        S.body = text;
        S.len = size;
        dd_tracer_config_init(&c);
        c.service = "svc";
        c.startup_logs = DD_OFF;
        c.cgroup_path = "";
        c.getenv_fn = env_none;
        c.log_fn = log_none;
        c.transport_fn = transport;
        c.delivery = DD_DELIVERY_MANUAL;
        c.stats_computation = DD_ON;
        c.shutdown_timeout_ms = 1000;
        t = dd_tracer_new(&c);
        REQUIRE(t != NULL);
        REQUIRE(dd_tracer_flush(t) == DD_OK);
        REQUIRE(S.info_calls == 1);
        on = want_stats && want_drop;
        REQUIRE(t->stats->active == on);
        s = dd_span_start(t, NULL);
        dd_span_set_priority(s, DD_PRIORITY_AUTO_REJECT);
        dd_span_finish(s);
        s = dd_span_start(t, NULL);
        dd_span_set_kind(s, "client");
        for (i = 0; i < (size_t)in.n_peer; i++)
            dd_span_set_tag_n(s, in.peer_text + in.peer_off[i], in.peer_len[i], "10.0.0.1", 8);
        dd_span_finish(s);
        dd_tracer_flush(t);
        dd_tracer_counters(t, &n);
        if (on && t->stats->filters) { /* each trace filtered, or as without filters */
            uint64_t filtered = n.chunks_dropped_sampling - n.chunks_dropped_p0;
            REQUIRE(n.chunks_dropped_p0 <= 1 && filtered <= 2);
            REQUIRE(n.stats_spans + filtered == 2);
            REQUIRE(n.spans_sent + n.spans_dropped_sampling == 2);
            REQUIRE(n.spans_sent == 2 - filtered - n.chunks_dropped_p0);
            REQUIRE(S.stats_posts == (n.stats_spans ? 1 : 0));
        } else {
            REQUIRE(n.chunks_dropped_p0 == (on ? 1u : 0u));
            REQUIRE(n.stats_spans == (on ? 2u : 0u));
            REQUIRE(n.spans_sent == (on ? 1u : 2u));
            REQUIRE(S.stats_posts == (on ? 1 : 0));
        }
        if (S.stats_posts) REQUIRE(S.stats_ok);
        dd_tracer_free(t);
    }
    return 0;
}
