/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_agent_response.c -o fuzz_agent_response && ./fuzz_agent_response -dict=fuzz/dict/agent_response.dict fuzz/corpus/agent_response
 *
 * The agent's answer to a flush, on hostile bytes, through a whole tracer. Byte 0 picks the HTTP
 * status (low 4 bits, from the table below) and whether the transport fails without an answer
 * (bit 4); the rest is the response body, handed over unterminated and exactly sized (ASan sees any
 * read past it). Properties checked (abort on violation), with send_retries = 1:
 *  - the transport is called twice for a retryable failure (no answer, 408, 429, >= 500, < 100)
 *    and once otherwise; requests_sent, requests_failed, requests_retried, chunks_sent and
 *    chunks_dropped_send add up to what happened;
 *  - a 2xx answer is counted invalid (responses_invalid) exactly when docs/agent-protocol.md §5.1
 *    says so: an empty body, a body that is not a JSON object, a rate_by_service that is not an
 *    object, or a rate that is not a number in [0, 1];
 *  - the next trace of service "web", env "prod" gets its priority from that answer: the rate of
 *    "service:web,env:prod" when the answer was valid and names that key once with rate 0 or 1
 *    (priority 0 or 1, mechanism 1 in the payload), and the default (priority 1, _dd.p.dm=-0)
 *    when no valid answer gave any rate;
 *  - the tracer keeps working: that trace is sent and counted. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_agent_response: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const int statuses[16] = {200, 200, 200, 202, 204, 0, 99, 301, 400, 404, 408, 413, 429, 500, 503, 1000};

typedef struct state {
    int status, fail;
    const char *body;
    size_t body_len;
    int calls;
    int fuzzed; /* 1 while the fuzzed answer is in force, 0: answer 200 "{}" */
} state;
static state S;

static const char *env_get(void *u, const char *name) {
    (void)u;
    if (strcmp(name, "DD_SERVICE") == 0) return "web";
    if (strcmp(name, "DD_ENV") == 0) return "prod";
    return NULL;
}

static int transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u;
    (void)req;
    S.calls++;
    if (!S.fuzzed) {
        resp->status = 200;
        resp->body = "{}";
        resp->body_len = 2;
        return 0;
    }
    if (S.fail) return DD_ERR_TRANSPORT;
    resp->status = S.status;
    resp->body = S.body;
    resp->body_len = S.body_len;
    return 0;
}

/* The oracle, from docs/agent-protocol.md §5.1. Returns 1 when a 2xx answer is valid; *rate gets
 * the rate of service:web,env:prod (-1 when absent or repeated) and *any whether it sets rates. */
static int answer_valid(const char *body, size_t len, double *rate, int *any) {
    dd_json root, rates, k, v;
    dd_json_iter it;
    int seen = 0;
    *rate = -1;
    *any = 0;
    if (!body || !len) return 0;
    if (dd_json_parse(body, len, &root) != DD_OK || root.type != DD_JSON_OBJECT) return 0;
    if (dd_json_get(&root, "rate_by_service", 15, &rates) != DD_OK) return 1;
    if (rates.type != DD_JSON_OBJECT) return 0;
    dd_json_iter_init(&it, &rates);
    while (dd_json_next(&it, &k, &v) == DD_OK) {
        double r;
        if (v.type != DD_JSON_NUMBER || dd_json_number(&v, &r) != DD_OK || !(r >= 0.0 && r <= 1.0)) return 0;
        *any = 1;
        if (dd_json_string_eq(&k, "service:web,env:prod", 20)) {
            seen++;
            *rate = r;
        }
    }
    if (seen != 1) *rate = -1;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dd_tracer_config cfg;
    dd_tracer *t;
    dd_counters k;
    dd_span *s;
    dd_trace_context ctx;
    int retryable, ok2xx, valid = 0, any = 0, rc;
    double rate = -1;
    if (size == 0) return 0;
    memset(&S, 0, sizeof S);
    S.status = statuses[data[0] & 15];
    S.fail = (data[0] >> 4) & 1;
    S.body = size > 1 ? (const char *)data + 1 : NULL;
    S.body_len = size - 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = env_get;
    cfg.transport_fn = transport;
    cfg.flush_interval_ms = 4; /* the backoff before a retry is capped at 3/4 of it: 3 ms */
    cfg.delivery = DD_DELIVERY_MANUAL;
    cfg.cgroup_path = "";
    cfg.send_retries = 1;
    t = dd_tracer_new(&cfg);
    REQUIRE(t != NULL);

    /* one trace, answered with the fuzzed response */
    S.fuzzed = 1;
    dd_span_finish(dd_span_start(t, NULL));
    rc = dd_tracer_flush(t);
    ok2xx = !S.fail && S.status >= 200 && S.status < 300;
    /* only what the agent surely did not process is sent again; a transport failure after the
     * request was written is unconfirmed, never resent */
    retryable = !S.fail && (S.status == 408 || S.status == 429 || S.status == 503);
    dd_tracer_counters(t, &k);
    if (ok2xx) {
        valid = answer_valid(S.body, S.body_len, &rate, &any);
        REQUIRE(rc == DD_OK);
        REQUIRE(S.calls == 1);
        REQUIRE(k.requests_sent == 1 && k.requests_failed == 0 && k.chunks_sent == 1);
        REQUIRE(k.responses_invalid == (valid ? 0u : 1u));
    } else if (S.fail) {
        REQUIRE(rc == DD_ERR_TRANSPORT);
        REQUIRE(S.calls == 1);
        REQUIRE(k.requests_sent == 0 && k.requests_failed == 1 && k.requests_retried == 0);
        REQUIRE(k.chunks_unconfirmed == 1 && k.spans_unconfirmed == 1 && k.chunks_dropped_send == 0);
        REQUIRE(k.responses_invalid == 0);
    } else {
        REQUIRE(rc == DD_ERR_HTTP);
        REQUIRE(S.calls == (retryable ? 2 : 1));
        REQUIRE(k.requests_sent == 0 && k.requests_failed == (uint64_t)S.calls);
        REQUIRE(k.requests_retried == (uint64_t)(S.calls - 1));
        REQUIRE(k.chunks_dropped_send == 1 && k.spans_dropped_send == 1 && k.chunks_sent == 0);
        REQUIRE(k.responses_invalid == 0);
    }
    REQUIRE(k.spans_pending == 0);

    /* the next trace: its decision follows the answer */
    S.fuzzed = 0;
    s = dd_span_start(t, NULL);
    REQUIRE(s != NULL);
    REQUIRE(dd_span_context(s, &ctx) == DD_OK);
    if (valid && (rate == 0.0 || rate == 1.0)) {
        const char *dm;
        size_t dml;
        REQUIRE(ctx.sampling_priority == (rate == 1.0 ? DD_PRIORITY_AUTO_KEEP : DD_PRIORITY_AUTO_REJECT));
        if (rate == 1.0) REQUIRE(dd_ptags_get(&ctx, "_dd.p.dm", 8, &dm, &dml) == DD_OK && dml == 2 && memcmp(dm, "-1", 2) == 0);
    } else if (!valid || !any) {
        const char *dm;
        size_t dml;
        REQUIRE(ctx.sampling_priority == DD_PRIORITY_AUTO_KEEP);
        REQUIRE(dd_ptags_get(&ctx, "_dd.p.dm", 8, &dm, &dml) == DD_OK && dml == 2 && memcmp(dm, "-0", 2) == 0);
    }
    dd_span_finish(s);
    REQUIRE(dd_tracer_flush(t) == DD_OK);
    dd_tracer_counters(t, &k);
    REQUIRE(k.chunks_sent == (ok2xx ? 2u : 1u));
    REQUIRE(k.spans_finished == 2 && k.spans_encoded == 2);
    dd_tracer_free(t);
    return 0;
}
