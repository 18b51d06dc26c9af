/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_sampling_rules.c -o fuzz_sampling_rules -lpthread -lm
 *
 * The sampler's JSON inputs: DD_TRACE_SAMPLING_RULES, DD_SPAN_SAMPLING_RULES and the agent's
 * rate_by_service response. The first byte selects what the rest is fed to:
 *   bit 0  trace rules (else span rules)     bit 1  also DD_TRACE_SAMPLE_RATE = 0.5
 *   bit 2  also fed to the agent-rates parser bits 3-7  where the span's fields are cut from
 * Properties checked (abort on violation): every capacity respected, every stored rate in [0, 1],
 * every stored pattern inside the text pool, decisions with a valid priority and mechanism. */
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"
#include <stdlib.h>
#include <string.h>

static dd__sampler sampler;

static void check(int ok) {
    if (!ok) abort();
}

static void check_glob(const dd__glob *g) {
    if (!g->any) check((size_t)g->off + g->len <= sampler.text_used);
}

static void check_rule(const dd__srule *r) {
    uint32_t i;
    check(r->rate >= 0.0 && r->rate <= 1.0);
    check(r->max_per_second >= 0.0);
    check(r->mechanism == 3 || r->mechanism == 11 || r->mechanism == 12);
    check_glob(&r->service);
    check_glob(&r->name);
    check_glob(&r->resource);
    check((size_t)r->tag0 + r->n_tags <= sampler.n_tags);
    for (i = 0; i < r->n_tags; i++) {
        const dd__sampling_tag *t = &sampler.tags[r->tag0 + i];
        check((size_t)t->key_off + t->key_len <= sampler.text_used);
        check_glob(&t->pattern);
    }
}

static const char *no_env(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}

static void count_log(void *user, int level, const char *msg, size_t len) {
    (void)level;
    check(msg != NULL && len < 320 && msg[len] == '\0');
    (*(int *)user)++;
}

/* Every tag exists: a string for even key lengths, a metric otherwise. */
static int any_tag(const void *span, const char *key, size_t key_len, const char **val, size_t *val_len, double *num,
                   int *is_num) {
    (void)span;
    (void)key;
    if (key_len % 2 == 0) {
        *val = key;
        *val_len = key_len;
        *is_num = 0;
    } else {
        *num = (double)key_len * (key_len % 3 ? 1.0 : 0.5);
        *is_num = 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dd_sampling_config cfg;
    dd__sampling_decision d;
    dd__span_sampling_decision sd;
    dd__sampling_input in;
    char *json;
    size_t n, i, cut;
    int mode, logs = 0;
    if (size < 1) return 0;
    mode = data[0];
    n = size - 1;
    json = (char *)malloc(n + 1);
    if (!json) return 0;
    memcpy(json, data + 1, n);
    json[n] = '\0';
    memset(&cfg, 0, sizeof cfg);
    if (mode & 1) cfg.rules_json = json;
    else cfg.span_rules_json = json;
    if (mode & 2) {
        cfg.sample_rate = 0.5;
        cfg.sample_rate_set = 1;
    }
    cfg.rate_limit = 3;
    cfg.rate_limit_set = 1;
    check(dd__sampler_init(&sampler, &cfg, no_env, NULL, count_log, &logs) == DD_OK);
    check(sampler.n_rules <= DD_SAMPLING_RULES_MAX);
    check(sampler.n_span_rules <= DD_SPAN_SAMPLING_RULES_MAX);
    check(sampler.n_tags <= DD_SAMPLING_TAG_PATTERNS_MAX);
    check(sampler.text_used <= DD_SAMPLING_TEXT_MAX);
    for (i = 0; i < sampler.n_rules; i++) check_rule(&sampler.rules[i]);
    for (i = 0; i < sampler.n_span_rules; i++) check_rule(&sampler.span_rules[i]);
    if (mode & 2) check(sampler.n_rules >= 1 && sampler.rules[sampler.n_rules - 1].rate == 0.5);

    /* a span made of slices of the input, so rules written by the fuzzer can match it */
    memset(&in, 0, sizeof in);
    cut = n ? (size_t)(mode >> 3) % (n + 1) : 0;
    in.service = json;
    in.service_len = cut;
    in.name = json + cut;
    in.name_len = (n - cut) / 2;
    in.resource = json + cut + in.name_len;
    in.resource_len = n - cut - in.name_len;
    in.env = json;
    in.env_len = cut / 2;
    in.tag_fn = any_tag;
    for (i = 0; i < 5; i++) {
        in.trace_id.lo = (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15);
        in.now_ns = (int64_t)i * 300000000;
        dd__sampler_decide(&sampler, &in, &d);
        check(d.priority >= -1 && d.priority <= 2);
        check(d.ksr_len < sizeof d.ksr && strlen(d.ksr) == d.ksr_len);
        check((d.priority > 0) == (d.dm_len > 0));
        if (d.has_rule_rate) check(d.priority == 2 || d.priority == -1);
        else check(d.priority == 1 || d.priority == 0);
        if (d.has_limit_rate) check(d.limit_rate >= 0.0 && d.limit_rate <= 1.0);
        if (dd__span_sampler_decide(&sampler, &in, in.trace_id.lo, &sd)) {
            check(sd.mechanism == 8 && sd.rule_rate >= 0.0 && sd.rule_rate <= 1.0);
        }
    }
    if (mode & 4) {
        dd__sampler_set_agent_rates(&sampler, json, n);
        const dd__agent_table *tab = &sampler.agent[sampler.agent_cur & 1u]; /* the published table */
        check(tab->n <= DD_AGENT_RATES_MAX);
        for (i = 0; i < tab->n; i++) {
            check(tab->rates[i].rate >= 0.0 && tab->rates[i].rate <= 1.0);
            check((size_t)tab->rates[i].off + tab->rates[i].len <= DD_AGENT_RATES_TEXT_MAX);
        }
        if (tab->has_default_rate) check(tab->dflt.rate >= 0.0 && tab->dflt.rate <= 1.0);
        dd__sampler_decide(&sampler, &in, &d);
        check(d.priority >= -1 && d.priority <= 2);
    }
    dd__sampler_destroy(&sampler);
    free(json);
    return 0;
}
