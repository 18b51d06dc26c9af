/* tests/tsan_sampling.c - the sampler under ThreadSanitizer: threads deciding (rules with the
 * shared limiter, agent rates, span rules) while another thread replaces the agent rates. With a
 * clock that never advances, the limiter hands out exactly its 100 starting tokens in total. */
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"
#include "test.h"
#include <pthread.h>

#define THREADS 4
#define ROUNDS 5000

static dd__sampler sampler;
static int kept_by_rule[THREADS];
static int agent_decisions[THREADS];
static int spans_kept[THREADS];
static int torn[THREADS]; /* a "web" decision without web's rate of one table or the other */

static void *decider(void *arg) {
    int id = (int)(size_t)arg, i;
    dd__sampling_input in;
    dd__sampling_decision d;
    dd__span_sampling_decision sd;
    memset(&in, 0, sizeof in);
    in.now_ns = INT64_C(1000000000);
    for (i = 0; i < ROUNDS; i++) {
        in.trace_id.lo = (uint64_t)(i + 1) * 2 + 1;
        in.service = (i & 1) ? "ruled" : "web";
        in.service_len = (i & 1) ? 5 : 3;
        dd__sampler_decide(&sampler, &in, &d);
        if (d.has_rule_rate && d.priority == 2) kept_by_rule[id]++;
        if (d.mechanism == DD_SAMPLING_MECHANISM_AGENT_RATE || d.mechanism == DD_SAMPLING_MECHANISM_DEFAULT)
            agent_decisions[id]++;
        if (!(i & 1) && (d.mechanism != DD_SAMPLING_MECHANISM_AGENT_RATE || (d.agent_rate != 0.5 && d.agent_rate != 1.0)))
            torn[id]++;
        spans_kept[id] += dd__span_sampler_decide(&sampler, &in, in.trace_id.lo, &sd);
    }
    return NULL;
}

static void *rates_writer(void *arg) {
    static const char a[] = "{\"rate_by_service\":{\"service:web,env:\":0.5,\"service:,env:\":0.25}}";
    static const char b[] = "{\"rate_by_service\":{\"service:web,env:\":1,\"service:api,env:\":0}}";
    int i;
    (void)arg;
    for (i = 0; i < 2000; i++) {
        if (i & 1) dd__sampler_set_agent_rates(&sampler, a, sizeof a - 1);
        else dd__sampler_set_agent_rates(&sampler, b, sizeof b - 1);
    }
    return NULL;
}

static void test_concurrent_decisions(void) {
    dd_sampling_config cfg;
    pthread_t th[THREADS + 1];
    int i, kept = 0, agent = 0, spans = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.rules_json = "[{\"service\":\"ruled\",\"sample_rate\":1}]";
    cfg.span_rules_json = "[{\"service\":\"web\",\"max_per_second\":10}]";
    cfg.rate_limit = 100;
    cfg.rate_limit_set = 1;
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, NULL, NULL, NULL, NULL), DD_OK);
    { /* web has a rate from the first decision on */
        static const char first[] = "{\"rate_by_service\":{\"service:web,env:\":1}}";
        CHECK_EQ_INT(dd__sampler_set_agent_rates(&sampler, first, sizeof first - 1), DD_OK);
    }
    for (i = 0; i < THREADS; i++) CHECK(pthread_create(&th[i], NULL, decider, (void *)(size_t)i) == 0);
    CHECK(pthread_create(&th[THREADS], NULL, rates_writer, NULL) == 0);
    for (i = 0; i <= THREADS; i++) pthread_join(th[i], NULL);
    for (i = 0; i < THREADS; i++) {
        kept += kept_by_rule[i];
        agent += agent_decisions[i];
        spans += spans_kept[i];
        CHECK_EQ_INT(torn[i], 0); /* the lock-free reader sees one whole table */
    }
    CHECK_EQ_INT(kept, 100);                       /* the bucket's capacity, never more */
    CHECK_EQ_INT(agent, THREADS * ROUNDS / 2);     /* every "web" trace */
    CHECK_EQ_INT(spans, 10);                       /* the span rule's own bucket */
    CHECK_EQ_U64(sampler.limiter.tokens, 0);
    /* one more rule keep in the same instant: denied, ksr "1", no decision maker */
    {
        dd__sampling_input in;
        dd__sampling_decision d;
        memset(&in, 0, sizeof in);
        in.trace_id.lo = 3;
        in.service = "ruled";
        in.service_len = 5;
        in.now_ns = INT64_C(1000000000);
        dd__sampler_decide(&sampler, &in, &d);
        CHECK_EQ_INT(d.priority, -1);
        CHECK_STR(d.ksr, "1");
        CHECK_MEM(d.dm, d.dm_len, "", 0);
    }
    dd__sampler_destroy(&sampler);
}

static const test_case cases[] = {
    TEST(test_concurrent_decisions),
};

int main(void) {
    return test_run("tsan_sampling", cases, sizeof cases / sizeof cases[0]);
}
