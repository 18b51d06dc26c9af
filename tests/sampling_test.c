/* tests/sampling_test.c - the sampler: Knuth hash, rules, globs, limiter, agent rates, single-span
 * sampling, ksr text. Expected values come from docs/sampling.md, system-tests'
 * tests/fixtures/sampling_rates.csv, dd-trace-cpp's test_glob.cpp / test_limiter.cpp vectors and
 * Python's "%.6f" (correctly rounded, the reference of docs/sampling.md §8), never from our own output. */
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"
#include "test.h"

/*--- fakes ---*/

typedef struct fake_env {
    const char *names[8];
    const char *values[8];
} fake_env;

static const char *fake_getenv(void *user, const char *name) {
    fake_env *e = (fake_env *)user;
    size_t i;
    for (i = 0; e && i < 8 && e->names[i]; i++)
        if (strcmp(e->names[i], name) == 0) return e->values[i];
    return NULL;
}

typedef struct log_capture {
    int count;
    int levels[16];
    char lines[16][320];
} log_capture;

static void capture_log(void *user, int level, const char *msg, size_t len) {
    log_capture *c = (log_capture *)user;
    if (c->count < 16) {
        size_t n = len < 319 ? len : 319;
        memcpy(c->lines[c->count], msg, n);
        c->lines[c->count][n] = '\0';
        c->levels[c->count] = level;
    }
    c->count++;
}

static int log_has(const log_capture *c, const char *needle) {
    int i;
    for (i = 0; i < c->count && i < 16; i++)
        if (strstr(c->lines[i], needle)) return 1;
    return 0;
}

/* A span for tag rules: string tags and metrics. */
typedef struct fake_span {
    const char *keys[4];
    const char *vals[4];
    const char *mkeys[4];
    double mvals[4];
} fake_span;

static int fake_tag(const void *span, const char *key, size_t key_len, const char **val, size_t *val_len, double *num,
                    int *is_num) {
    const fake_span *s = (const fake_span *)span;
    int i;
    for (i = 0; i < 4; i++) {
        if (s->keys[i] && strlen(s->keys[i]) == key_len && memcmp(s->keys[i], key, key_len) == 0) {
            *val = s->vals[i];
            *val_len = strlen(s->vals[i]);
            *is_num = 0;
            return 1;
        }
    }
    for (i = 0; i < 4; i++) {
        if (s->mkeys[i] && strlen(s->mkeys[i]) == key_len && memcmp(s->mkeys[i], key, key_len) == 0) {
            *num = s->mvals[i];
            *is_num = 1;
            return 1;
        }
    }
    return 0;
}

static dd__sampling_input input(const char *service, const char *name, const char *resource, uint64_t id_lo) {
    dd__sampling_input in;
    memset(&in, 0, sizeof in);
    in.trace_id.lo = id_lo;
    in.service = service;
    in.service_len = service ? strlen(service) : 0;
    in.name = name;
    in.name_len = name ? strlen(name) : 0;
    in.resource = resource;
    in.resource_len = resource ? strlen(resource) : 0;
    in.now_ns = INT64_C(1000000000);
    return in;
}

static dd__sampler sampler; /* large: not on the stack */

static void init_rules(const char *rules, const char *span_rules, log_capture *logs) {
    dd_sampling_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.rules_json = rules;
    cfg.span_rules_json = span_rules;
    if (logs) memset(logs, 0, sizeof *logs);
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, NULL, capture_log, logs ? logs : NULL), DD_OK);
}

static void set_rates(const char *body) { dd__sampler_set_agent_rates(&sampler, body, strlen(body)); }

static int near(double a, double b) { return a - b < 1e-12 && b - a < 1e-12; }

/*--- Knuth hash ---*/

static void test_knuth_system_tests_vectors(void) {
    /* system-tests tests/fixtures/sampling_rates.csv @ e1eeb4d (the 23 rows it keeps; older
     * versions had 3 "previously failed" rows that contradict the test's own reference formula):
     * trace id, rate 0.5, expected keep */
    static const struct {
        uint64_t id;
        int keep;
    } v[] = {
        {UINT64_C(1), 1},
        {UINT64_C(10), 0},
        {UINT64_C(100), 1},
        {UINT64_C(1000), 1},
        {UINT64_C(18444899399302180860), 0},
        {UINT64_C(18444899399302180861), 0},
        {UINT64_C(18444899399302180862), 1},
        {UINT64_C(18444899399302180863), 1},
        {UINT64_C(18446744073709551615), 0},
        {UINT64_C(9223372036854775809), 0},
        {UINT64_C(9223372036854775807), 1},
        {UINT64_C(4611686018427387905), 0},
        {UINT64_C(4611686018427387903), 0},
        {UINT64_C(646771306295669658), 1},
        {UINT64_C(1882305164521835798), 1},
        {UINT64_C(5198373796167680436), 0},
        {UINT64_C(6272545487220484606), 1},
        {UINT64_C(8696342848850656916), 1},
        {UINT64_C(10197320802478874805), 1},
        {UINT64_C(10350218024687037124), 1},
        {UINT64_C(12078589664685934330), 0},
        {UINT64_C(13794769880582338323), 1},
        {UINT64_C(14629469446186818297), 0},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (!CHECK_EQ_INT(dd__sampling_keep(v[i].id, 0.5), v[i].keep)) fprintf(stderr, "    id %u\n", (unsigned)i);
    }
}

static void test_knuth_boundaries(void) {
    /* 2^63 * KNUTH = 2^63 (mod 2^64) = threshold(0.5): kept with <= (dd-trace-go TestRateSampler) */
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(9223372036854775808), 0.5), 1);
    /* ids whose hash is 2^63 - 1 and 2^63 + 1 (id = hash * KNUTH^-1 mod 2^64) */
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(5826373039044427785), 0.5), 1);
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(12620371034665123831), 0.5), 0);
    /* rate 1.0: everything, including the id with hash UINT64_MAX (no UB: checked under UBSan) */
    CHECK_EQ_INT(dd__sampling_keep(UINT64_MAX, 1.0), 1);
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(15049745075899203593), 1.0), 1); /* hash UINT64_MAX */
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(9223372036854775808), 1.0), 1);
    /* rate 0.0: every real id dropped, even 2^63 */
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(1), 0.0), 0);
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(9223372036854775808), 0.0), 0);
    CHECK_EQ_INT(dd__sampling_keep(UINT64_MAX, 0.0), 0);
    /* out-of-range values never reach it, but stay defined */
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(1), 2.0), 1);
    CHECK_EQ_INT(dd__sampling_keep(UINT64_C(1), -1.0), 0);
}

static void test_knuth_128_bit_uses_low_bits(void) {
    dd__sampling_decision d;
    dd__sampling_input in = input("svc", "op", "res", UINT64_C(10)); /* 10 is dropped at 0.5 */
    init_rules("[{\"sample_rate\":0.5}]", NULL, NULL);
    in.trace_id.hi = UINT64_C(0x640cfd8d00000000);
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, -1);
    in.trace_id.lo = 1; /* kept at 0.5 whatever the high bits */
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, 2);
    dd__sampler_destroy(&sampler);
}

/*--- _dd.p.ksr and _dd.p.dm text ---*/

static void test_ksr_format(void) {
    /* docs/sampling.md §8 and Python's "%.6f" on the same doubles, then stripped */
    static const struct {
        double r;
        const char *want;
    } v[] = {
        {1.0, "1"},           {0.5, "0.5"},         {0.000001, "0.000001"}, {0.0000001, "0"},
        {0.00000051, "0.000001"}, {0.123456789, "0.123457"}, {0.0, "0"},   {0.1, "0.1"},
        {0.75, "0.75"},       {0.0078125, "0.007812"}, /* exact tie 7812.5: to even */
        {0.0234375, "0.023438"},                        /* exact tie 23437.5: to even */
        {0.9999996, "1"},     {0.3333333333, "0.333333"}, {1e-300, "0"},
        {0.0000005, "0"},     /* the double is just below 5e-7 */
        {0.9999995, "1"},     {0.25, "0.25"},       {0.999999, "0.999999"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        char buf[DD__KSR_MAX];
        size_t n = dd__sampling_format_ksr(v[i].r, buf);
        CHECK_MEM(buf, n, v[i].want, strlen(v[i].want));
        CHECK_EQ_INT(buf[n], '\0');
    }
}

static void test_dm_format(void) {
    char buf[8];
    CHECK_EQ_INT(dd__sampling_format_dm(0, buf), 2);
    CHECK_STR(buf, "-0");
    dd__sampling_format_dm(3, buf);
    CHECK_STR(buf, "-3");
    dd__sampling_format_dm(12, buf);
    CHECK_STR(buf, "-12");
}

/*--- globs ---*/

static void test_glob(void) {
    /* dd-trace-cpp test/test_glob.cpp (from DataDog/tag-matching-sampling-rules glob.mjs), plus
     * the case and literal rules of docs/sampling.md §4.3 */
    static const struct {
        const char *pattern, *subject;
        int want;
    } v[] = {
        {"foo", "foo", 1},
        {"foo.*", "foo.you", 1},
        {"foo.*", "snafoo.", 0},
        {"hi*there", "hithere", 1},
        {"*stuff", "lots of stuff", 1},
        {"*stuff", "stuff to think about", 0},
        {"*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaax", 0},
        {"*a*a*a*a*a*a", "aaaaaaaarrrrrrraaaraaarararaarararaarararaaa", 1},
        {"aok*", "aok**", 1},
        {"mysql??", "mysql01", 1},
        {"mysql??", "mysql1x", 1},
        {"n?-ingress-*", "ny-ingress-backup", 1},
        {"n?-ingress-*", "nj-ingress-leader", 1},
        {"n?-ingress-*", "nj-ingress", 0},
        {"", "", 1},
        {"", "a", 0},
        {"*", "", 1},
        {"?", "", 0},
        /* case-insensitive, ASCII folding both ways */
        {"WEB-*", "web-api", 1},
        {"web-*", "WEB-API", 1},
        {"Http.Request", "HTTP.REQUEST", 1},
        /* no classes, no escapes, regex characters literal */
        {"[abc]", "a", 0},
        {"[abc]", "[ABC]", 1},
        {"a.c", "abc", 0},
        {"a\\*", "a\\xyz", 1},
        {"a+b", "a+b", 1},
        {"^a$", "^A$", 1},
        /* anchored on both ends */
        {"ab", "abc", 0},
        {"bc", "abc", 0},
        {"?", "\xc3\xa9", 0}, /* one byte, not one character */
        {"??", "\xc3\xa9", 1},
        {"**", "anything", 1},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        int got = dd__glob_match(v[i].pattern, strlen(v[i].pattern), v[i].subject, strlen(v[i].subject));
        if (!CHECK_EQ_INT(got, v[i].want)) fprintf(stderr, "    \"%s\" vs \"%s\"\n", v[i].pattern, v[i].subject);
    }
}

/*--- the rate limiter under a fake clock ---*/

static void test_limiter_effective_rate_example(void) {
    /* dd-trace-cpp test_limiter.cpp as cited by docs/sampling.md §5: 1 per second, first call
     * allowed -> 1.0, second in the same second denied -> (9 + 0.5) / 10 */
    dd__limiter l;
    double eff = 0;
    dd__limiter_init(&l, 1.0);
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(5000000000), &eff), 1);
    CHECK(eff == 1.0);
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(5000000000), &eff), 0);
    CHECK(eff == 0.95);
    /* next second: one token back; previous second's ratio 0.5 stays in the window */
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(6000000000), &eff), 1);
    CHECK(near(eff, (0.5 + 8.0 + 1.0) / 10.0));
    /* 20 seconds later everything older than 9 seconds is forgotten */
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(26000000000), &eff), 1);
    CHECK(eff == 1.0);
}

static void test_limiter_exact_counts(void) {
    /* 100 per second, a call every millisecond for 3 seconds. The bucket starts with 100 tokens
     * and gets one back every 10 ms: 100 + 99 in the first second, 100 in each of the others. */
    dd__limiter l;
    int per_second[3] = {0, 0, 0};
    int i;
    dd__limiter_init(&l, 100.0);
    for (i = 0; i < 3000; i++) per_second[i / 1000] += dd__limiter_allow(&l, INT64_C(7000000000) + (int64_t)i * 1000000, NULL);
    CHECK_EQ_INT(per_second[0], 199);
    CHECK_EQ_INT(per_second[1], 100);
    CHECK_EQ_INT(per_second[2], 100);
}

static void test_limiter_burst_and_refill(void) {
    dd__limiter l;
    int i, allowed = 0;
    double eff = 0;
    dd__limiter_init(&l, 100.0);
    for (i = 0; i < 150; i++) allowed += dd__limiter_allow(&l, INT64_C(5000000000), &eff);
    CHECK_EQ_INT(allowed, 100);
    CHECK(near(eff, (9.0 + 100.0 / 150.0) / 10.0));
    /* half a second later: 50 tokens back */
    allowed = 0;
    for (i = 0; i < 60; i++) allowed += dd__limiter_allow(&l, INT64_C(5500000000), NULL);
    CHECK_EQ_INT(allowed, 50);
    /* much later: the bucket holds ceil(100) = 100 at most */
    allowed = 0;
    for (i = 0; i < 130; i++) allowed += dd__limiter_allow(&l, INT64_C(60000000000), NULL);
    CHECK_EQ_INT(allowed, 100);
    /* a clock that goes back refills nothing */
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(50000000000), NULL), 0);
}

static void test_limiter_fractional_rate(void) {
    /* 0.5 per second: capacity ceil(0.5) = 1, one token every 2 s */
    dd__limiter l;
    dd__limiter_init(&l, 0.5);
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(1000000000), NULL), 1);
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(2500000000), NULL), 0);
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(3000000000), NULL), 1);
    CHECK_EQ_INT(dd__limiter_allow(&l, INT64_C(3100000000), NULL), 0);
}

static void test_rate_limit_applies_to_rule_keeps_only(void) {
    dd_sampling_config cfg;
    dd__sampling_decision d;
    dd__sampling_input in = input("svc", "op", "res", UINT64_C(1));
    fake_env env = {{"DD_TRACE_RATE_LIMIT"}, {"2"}};
    int i;
    memset(&cfg, 0, sizeof cfg);
    cfg.rules_json = "[{\"service\":\"svc\",\"sample_rate\":1}]";
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &env, NULL, NULL), DD_OK);
    for (i = 0; i < 2; i++) {
        dd__sampler_decide(&sampler, &in, &d);
        CHECK_EQ_INT(d.priority, 2);
        CHECK_EQ_INT(d.has_limit_rate, 1);
        CHECK_STR(d.dm, "-3");
    }
    CHECK(d.limit_rate == 1.0);
    /* third keep in the same second: the limiter says no -> -1, mechanism 3, dm removed */
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, -1);
    CHECK_EQ_INT(d.mechanism, 3);
    CHECK_EQ_INT(d.has_limit_rate, 1);
    CHECK(near(d.limit_rate, (9.0 + 2.0 / 3.0) / 10.0));
    CHECK(d.rule_rate == 1.0);
    CHECK_STR(d.ksr, "1");
    CHECK_STR(d.dm, "");
    /* agent-rate decisions bypass the limiter */
    in.service = "other";
    in.service_len = 5;
    for (i = 0; i < 5; i++) {
        dd__sampler_decide(&sampler, &in, &d);
        CHECK_EQ_INT(d.priority, 1);
        CHECK_EQ_INT(d.has_limit_rate, 0);
    }
    dd__sampler_destroy(&sampler);
}

/*--- rules ---*/

static const char *const rule_table_json =
    "[{\"service\":\"web-*\",\"name\":\"http.request\",\"sample_rate\":0.9},"
    "{\"resource\":\"GET /health?\",\"sample_rate\":0},"
    "{\"tags\":{\"http.status_code\":\"20?\",\"team\":\"a*\"},\"sample_rate\":0.25},"
    "{\"tags\":{\"ratio\":\"*\"},\"sample_rate\":0.125},"
    "{\"service\":\"[db]\",\"sample_rate\":0.375}]";

static double matched_rate(const char *service, const char *name, const char *resource, const fake_span *span) {
    dd__sampling_decision d;
    dd__sampling_input in = input(service, name, resource, UINT64_C(1));
    if (span) {
        in.span = span;
        in.tag_fn = fake_tag;
    }
    dd__sampler_decide(&sampler, &in, &d);
    return d.has_rule_rate ? d.rule_rate : -1.0; /* -1: no rule matched */
}

static void test_rule_matching_table(void) {
    fake_span s1 = {{"team", "http.status_code"}, {"Alpha", "204"}, {0}, {0}};
    fake_span s2 = {{"team"}, {"alpha"}, {"http.status_code"}, {200.0}};
    fake_span s3 = {{"team"}, {"alpha"}, {"http.status_code"}, {200.5}};
    fake_span s4 = {{"team"}, {"beta"}, {"http.status_code"}, {201.0}};
    fake_span s5 = {{"http.status_code"}, {"200"}, {0}, {0}};
    fake_span s6 = {{0}, {0}, {"ratio"}, {0.3}};
    fake_span s7 = {{"team", "http.status_code"}, {"a", "2000"}, {0}, {0}};
    log_capture logs;
    init_rules(rule_table_json, NULL, &logs);
    CHECK_EQ_INT(logs.count, 0);
    CHECK_EQ_INT(sampler.n_rules, 5);
    /* fields: globs, case-insensitive, AND of all fields */
    CHECK(matched_rate("web-api", "http.request", "GET /", NULL) == 0.9);
    CHECK(matched_rate("WEB-API", "HTTP.Request", "x", NULL) == 0.9);
    CHECK(matched_rate("web-api", "http.client", "x", NULL) == -1.0);
    CHECK(matched_rate("api", "http.request", "GET /health1", NULL) == 0.0);
    CHECK(matched_rate("api", "http.request", "get /HEALTHZ", NULL) == 0.0);
    CHECK(matched_rate("api", "http.request", "GET /health", NULL) == -1.0);
    /* first match wins: web-api + health resource takes rule 0 */
    CHECK(matched_rate("web-api", "http.request", "GET /health1", NULL) == 0.9);
    /* tags: strings, integer metrics as decimal text, case-insensitive values */
    CHECK(matched_rate("api", "op", "r", &s1) == 0.25);
    CHECK(matched_rate("api", "op", "r", &s2) == 0.25);
    CHECK(matched_rate("api", "op", "r", &s3) == -1.0); /* 200.5 only matches all-star patterns */
    CHECK(matched_rate("api", "op", "r", &s4) == -1.0); /* team beta */
    CHECK(matched_rate("api", "op", "r", &s5) == -1.0); /* team missing */
    CHECK(matched_rate("api", "op", "r", &s6) == 0.125); /* non-integer metric vs "*" */
    CHECK(matched_rate("api", "op", "r", &s7) == -1.0);  /* "2000" is not "20?" */
    CHECK(matched_rate("api", "op", "r", NULL) == -1.0); /* "ratio" tag must exist */
    /* brackets are literal */
    CHECK(matched_rate("[DB]", "op", "r", NULL) == 0.375);
    CHECK(matched_rate("d", "op", "r", NULL) == -1.0);
    dd__sampler_destroy(&sampler);
}

static void test_rule_outcome_tags(void) {
    dd__sampling_decision d;
    dd__sampling_input keep = input("svc", "op", "r", UINT64_C(1));  /* kept at 0.5 */
    dd__sampling_input drop = input("svc", "op", "r", UINT64_C(10)); /* dropped at 0.5 */
    init_rules("[{\"service\":\"svc\",\"sample_rate\":0.5}]", NULL, NULL);
    dd__sampler_decide(&sampler, &keep, &d);
    CHECK_EQ_INT(d.priority, 2);
    CHECK_EQ_INT(d.mechanism, 3);
    CHECK(d.has_rule_rate && d.rule_rate == 0.5);
    CHECK(d.has_limit_rate && d.limit_rate == 1.0);
    CHECK_EQ_INT(d.has_agent_rate, 0);
    CHECK_STR(d.ksr, "0.5");
    CHECK_STR(d.dm, "-3");
    CHECK_EQ_INT(d.dm_len, 2);
    /* hash drop: -1, rule rate and ksr, no limiter, no dm */
    dd__sampler_decide(&sampler, &drop, &d);
    CHECK_EQ_INT(d.priority, -1);
    CHECK_EQ_INT(d.mechanism, 3);
    CHECK(d.has_rule_rate && d.rule_rate == 0.5);
    CHECK_EQ_INT(d.has_limit_rate, 0);
    CHECK_STR(d.ksr, "0.5");
    CHECK_STR(d.dm, "");
    CHECK_EQ_INT(d.dm_len, 0);
    dd__sampler_destroy(&sampler);
}

static void test_rule_provenance(void) {
    dd__sampling_decision d;
    dd__sampling_input in = input("a", "op", "r", UINT64_C(1));
    init_rules("[{\"service\":\"a\",\"provenance\":\"customer\"},{\"service\":\"b\",\"provenance\":\"dynamic\"},"
               "{\"service\":\"c\",\"provenance\":\"local\"}]",
               NULL, NULL);
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.mechanism, 11);
    CHECK_STR(d.dm, "-11");
    CHECK(d.rule_rate == 1.0); /* sample_rate defaults to 1 */
    in.service = "b";
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.mechanism, 12);
    CHECK_STR(d.dm, "-12");
    in.service = "c";
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.mechanism, 3);
    dd__sampler_destroy(&sampler);
}

static void test_in_code_rules(void) {
    dd_sampling_config cfg;
    dd__sampling_decision d;
    dd_sampling_tag_pattern tags[1] = {{"team", "a*"}};
    dd_sampling_rule rules[2];
    fake_span s = {{"team"}, {"Alpha"}, {0}, {0}};
    dd__sampling_input in = input("Checkout", "op", "r", UINT64_C(1));
    fake_env env = {{"DD_TRACE_SAMPLING_RULES"}, {"[{\"sample_rate\":0.75}]"}};
    memset(&cfg, 0, sizeof cfg);
    memset(rules, 0, sizeof rules);
    rules[0].service = "check*";
    rules[0].tags = tags;
    rules[0].n_tags = 1;
    rules[0].sample_rate = 0.25;
    rules[1].sample_rate = 0.5;
    cfg.rules = rules;
    cfg.n_rules = 2;
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &env, NULL, NULL), DD_OK);
    CHECK_EQ_INT(sampler.n_rules, 2); /* the environment's rules are not used */
    in.span = &s;
    in.tag_fn = fake_tag;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.rule_rate == 0.25);
    in.tag_fn = NULL;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.rule_rate == 0.5);
    dd__sampler_destroy(&sampler);
}

static void test_precedence(void) {
    dd_sampling_config cfg;
    dd__sampling_decision d;
    dd__sampling_input in = input("web", "op", "r", UINT64_C(1));
    fake_env env = {{"DD_TRACE_SAMPLING_RULES", "DD_TRACE_SAMPLE_RATE"}, {"[{\"service\":\"web\",\"sample_rate\":0.5}]", "0.25"}};
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &env, NULL, NULL), DD_OK);
    set_rates("{\"rate_by_service\":{\"service:,env:\":0.75}}");
    /* a rule beats DD_TRACE_SAMPLE_RATE */
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.rule_rate == 0.5);
    /* DD_TRACE_SAMPLE_RATE (the catch-all after the rules) beats the agent rates */
    in.service = "api";
    in.service_len = 3;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.has_rule_rate && d.rule_rate == 0.25);
    CHECK_EQ_INT(d.mechanism, 3);
    CHECK_EQ_INT(d.has_agent_rate, 0);
    CHECK_STR(d.ksr, "0.25");
    dd__sampler_destroy(&sampler);
    /* a rate set in code beats the environment */
    cfg.sample_rate = 1.0;
    cfg.sample_rate_set = 1;
    cfg.rules_json = "[]";
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &env, NULL, NULL), DD_OK);
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.rule_rate == 1.0);
    CHECK_EQ_INT(sampler.n_rules, 1);
    dd__sampler_destroy(&sampler);
    /* neither rules nor rate: agent rates, then the default */
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, NULL, NULL, NULL), DD_OK);
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, 1);
    CHECK_EQ_INT(d.mechanism, 0);
    CHECK(d.has_agent_rate && d.agent_rate == 1.0);
    CHECK_EQ_INT(d.has_rule_rate, 0);
    CHECK_EQ_INT(d.has_limit_rate, 0);
    CHECK_STR(d.ksr, ""); /* no ksr for DEFAULT */
    CHECK_STR(d.dm, "-0");
    dd__sampler_destroy(&sampler);
}

static void test_env_values(void) {
    dd_sampling_config cfg;
    log_capture logs;
    fake_env bad = {{"DD_TRACE_SAMPLE_RATE", "DD_TRACE_RATE_LIMIT"}, {"abc", "0"}};
    fake_env dot = {{"DD_TRACE_SAMPLE_RATE", "DD_TRACE_RATE_LIMIT"}, {" .5 ", "2.5"}};
    fake_env out = {{"DD_TRACE_SAMPLE_RATE", "DD_TRACE_RATE_LIMIT"}, {"1.5", "-3"}};
    memset(&cfg, 0, sizeof cfg);
    memset(&logs, 0, sizeof logs);
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &bad, capture_log, &logs), DD_OK);
    CHECK_EQ_INT(sampler.n_rules, 0);
    CHECK(sampler.rate_limit == 100.0);
    CHECK_EQ_INT(logs.count, 2);
    CHECK(log_has(&logs, "DD_TRACE_SAMPLE_RATE=abc"));
    CHECK(log_has(&logs, "DD_TRACE_RATE_LIMIT=0"));
    dd__sampler_destroy(&sampler);
    memset(&logs, 0, sizeof logs);
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &dot, capture_log, &logs), DD_OK);
    CHECK_EQ_INT(logs.count, 0);
    CHECK_EQ_INT(sampler.n_rules, 1);
    CHECK(sampler.rules[0].rate == 0.5);
    CHECK(sampler.rate_limit == 2.5);
    CHECK_EQ_U64(sampler.limiter.max_tokens, 3);     /* ceil(2.5) */
    CHECK_EQ_U64(sampler.limiter.interval_ns, 400000000); /* a token every 1 / 2.5 s */
    dd__sampler_destroy(&sampler);
    memset(&logs, 0, sizeof logs);
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &out, capture_log, &logs), DD_OK);
    CHECK_EQ_INT(sampler.n_rules, 0);
    CHECK(sampler.rate_limit == 100.0);
    CHECK_EQ_INT(logs.count, 2);
    dd__sampler_destroy(&sampler);
}

static void test_invalid_rules_json(void) {
    log_capture logs;
    dd__sampling_decision d;
    dd__sampling_input in = input("a", "op", "r", UINT64_C(1));
    /* not JSON at all: no rules, one error */
    init_rules("[{\"service\":\"a\"", NULL, &logs);
    CHECK_EQ_INT(sampler.n_rules, 0);
    CHECK_EQ_INT(logs.count, 1);
    CHECK(log_has(&logs, "DD_TRACE_SAMPLING_RULES: invalid JSON"));
    dd__sampler_destroy(&sampler);
    /* not an array */
    init_rules("{\"service\":\"a\"}", NULL, &logs);
    CHECK_EQ_INT(sampler.n_rules, 0);
    CHECK(log_has(&logs, "not a JSON array"));
    dd__sampler_destroy(&sampler);
    /* invalid rules are skipped one by one, the valid ones kept in order */
    init_rules("[{\"sample_rate\":2},{\"service\":5},{\"tags\":{\"k\":1}},\"x\",{\"provenance\":\"remote\"},"
               "{\"sample_rate\":\"0.5\"},{\"service\":\"a\",\"sample_rate\":0.5},{\"sample_rate\":-0.1},"
               "{\"tags\":[]},{\"name\":\"op\",\"sample_rate\":0.25}]",
               NULL, &logs);
    CHECK_EQ_INT(sampler.n_rules, 2);
    CHECK_EQ_INT(logs.count, 8);
    CHECK(log_has(&logs, "DD_TRACE_SAMPLING_RULES rule 0: \"sample_rate\" must be a number in [0, 1]; rule ignored"));
    CHECK(log_has(&logs, "rule 1: \"service\" must be a string"));
    CHECK(log_has(&logs, "rule 2: a \"tags\" value must be a string"));
    CHECK(log_has(&logs, "rule 3: not an object"));
    CHECK(log_has(&logs, "rule 4: \"provenance\""));
    CHECK(log_has(&logs, "rule 5: \"sample_rate\""));
    CHECK(log_has(&logs, "rule 7: \"sample_rate\""));
    CHECK(log_has(&logs, "rule 8: \"tags\" must be an object"));
    CHECK_EQ_INT(sampler.n_tags, 0); /* nothing left behind by the rejected rules */
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.rule_rate == 0.5);
    in.service = "b";
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.rule_rate == 0.25);
    dd__sampler_destroy(&sampler);
    /* unknown keys: a warning, the rule kept; max_per_second accepted and ignored on trace rules */
    init_rules("[{\"service\":\"a\",\"foo\":1,\"max_per_second\":3,\"sample_rate\":0.5}]", NULL, &logs);
    CHECK_EQ_INT(sampler.n_rules, 1);
    CHECK_EQ_INT(logs.count, 1);
    CHECK(log_has(&logs, "DD_TRACE_SAMPLING_RULES rule 0: unknown key \"foo\" ignored"));
    dd__sampler_destroy(&sampler);
    /* an empty array is fine and silent */
    init_rules("[]", NULL, &logs);
    CHECK_EQ_INT(logs.count, 0);
    CHECK_EQ_INT(sampler.n_rules, 0);
    dd__sampler_destroy(&sampler);
}

static void test_rule_capacity(void) {
    static char json[64 * 40];
    log_capture logs;
    size_t n = 0;
    int i;
    dd_sampling_config cfg;
    json[n++] = '[';
    for (i = 0; i < 70; i++) {
        const char *r = "{\"service\":\"s\",\"sample_rate\":0.5},";
        memcpy(json + n, r, strlen(r));
        n += strlen(r);
    }
    json[n - 1] = ']';
    json[n] = '\0';
    memset(&cfg, 0, sizeof cfg);
    memset(&logs, 0, sizeof logs);
    cfg.rules_json = json;
    cfg.sample_rate = 0.25;
    cfg.sample_rate_set = 1;
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, NULL, NULL, capture_log, &logs), DD_OK);
    /* 63 rules from JSON, one slot kept for the catch-all */
    CHECK_EQ_INT(sampler.n_rules, DD_SAMPLING_RULES_MAX);
    CHECK(sampler.rules[DD_SAMPLING_RULES_MAX - 1].rate == 0.25);
    CHECK_EQ_INT(logs.count, 1);
    CHECK(log_has(&logs, "too many rules"));
    dd__sampler_destroy(&sampler);
}

/*--- agent rates ---*/

/* The same body twice needs no parsing, and a body seen before, then another, then the first
 * again, gives the first's rates each time (the cache of the last body never serves stale rates). */
static void test_agent_rates_repeated_bodies(void) {
    dd__sampling_decision d;
    dd__sampling_input in = input("web", "op", "r", UINT64_C(1));
    log_capture logs;
    static const char bad[] = "{\"rate_by_service\":7}";
    static const char a[] = "{\"rate_by_service\":{\"service:web,env:\":0.5}}";
    static const char b[] = "{\"rate_by_service\":{\"service:web,env:\":0.25,\"service:,env:\":0.75}}";
    init_rules(NULL, NULL, &logs);
    CHECK_EQ_INT(dd__sampler_set_agent_rates(&sampler, a, sizeof a - 1), DD_OK);
    CHECK_EQ_INT(dd__sampler_set_agent_rates(&sampler, a, sizeof a - 1), DD_OK);
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.5);
    CHECK_EQ_INT(dd__sampler_set_agent_rates(&sampler, b, sizeof b - 1), DD_OK);
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.25);
    CHECK_EQ_INT(dd__sampler_set_agent_rates(&sampler, a, sizeof a - 1), DD_OK);
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.5);
    in.service = "api";
    in.service_len = 3;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.75); /* the default of b stays: a has none (as before the cache) */
    /* a malformed body is rejected every time, even when sent twice */
    CHECK_EQ_INT(dd__sampler_set_agent_rates(&sampler, bad, sizeof bad - 1), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd__sampler_set_agent_rates(&sampler, bad, sizeof bad - 1), DD_ERR_MALFORMED);
    CHECK_EQ_INT(logs.count, 2);
    dd__sampler_destroy(&sampler);
}
static void test_agent_rates(void) {
    dd__sampling_decision d;
    dd__sampling_input in = input("web", "op", "r", UINT64_C(10)); /* dropped at 0.5 */
    log_capture logs;
    static const char body[] =
        "{\"rate_by_service\":{\"service:web,env:prod\":0.5,\"service:web,env:\":0.25,\"service:,env:\":0.1}}";
    init_rules(NULL, NULL, &logs);
    dd__sampler_set_agent_rates(&sampler, body, sizeof body - 1);
    in.env = "prod";
    in.env_len = 4;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, 0);
    CHECK_EQ_INT(d.mechanism, 1);
    CHECK(d.has_agent_rate && d.agent_rate == 0.5);
    CHECK_STR(d.ksr, "0.5");
    CHECK_STR(d.dm, ""); /* removed on a drop */
    in.trace_id.lo = 1;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, 1);
    CHECK_STR(d.dm, "-1");
    /* env "" is its own key */
    in.env = NULL;
    in.env_len = 0;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.25);
    /* unknown service: the default key */
    in.service = "api";
    in.service_len = 3;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.1);
    CHECK_EQ_INT(d.mechanism, 1);
    CHECK_STR(d.ksr, "0.1");
    /* a later response replaces the map; without a default key the default stays */
    set_rates("{\"rate_by_service\":{\"service:api,env:\":0.75}}");
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.75);
    in.service = "web";
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.1);
    CHECK_EQ_INT(logs.count, 0);
    /* invalid responses change nothing and are logged */
    set_rates("{\"rate_by_service\":{\"service:web,env:\":1.5}}");
    set_rates("{\"rate_by_service\":{\"service:web,env:\":\"1\"}}");
    set_rates("not json");
    set_rates("{\"rate_by_service\":[]}");
    CHECK_EQ_INT(logs.count, 4);
    in.service = "api";
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.75);
    /* {} (the Lambda extension, or an unchanged payload version) changes nothing */
    set_rates("{}");
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.75);
    CHECK_EQ_INT(logs.count, 4);
    /* escaped keys are compared unescaped */
    set_rates("{\"rate_by_service\":{\"service:\\u0061pi,env:\":0.375}}");
    dd__sampler_decide(&sampler, &in, &d);
    CHECK(d.agent_rate == 0.375);
    dd__sampler_destroy(&sampler);
}

static void test_agent_rates_before_any_default(void) {
    dd__sampling_decision d;
    dd__sampling_input in = input("web", "op", "r", UINT64_C(10));
    init_rules(NULL, NULL, NULL);
    set_rates("{\"rate_by_service\":{\"service:web,env:\":0}}");
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, 0);
    CHECK_EQ_INT(d.mechanism, 1);
    CHECK_STR(d.ksr, "0");
    /* another service, no default received yet: DEFAULT, rate 1 */
    in.service = "api";
    in.service_len = 3;
    dd__sampler_decide(&sampler, &in, &d);
    CHECK_EQ_INT(d.priority, 1);
    CHECK_EQ_INT(d.mechanism, 0);
    CHECK_STR(d.dm, "-0");
    CHECK_STR(d.ksr, "");
    dd__sampler_destroy(&sampler);
}

/*--- single-span sampling ---*/

static void test_span_sampling(void) {
    dd__span_sampling_decision sd;
    dd__sampling_input db = input("db", "query.select", "SELECT 1", 0);
    dd__sampling_input cache = input("cache", "get", "k", 0);
    dd__sampling_input web = input("web", "get", "k", 0);
    log_capture logs;
    init_rules(NULL,
               "[{\"service\":\"db\",\"name\":\"query*\",\"sample_rate\":1,\"max_per_second\":2},"
               "{\"service\":\"CACHE\",\"sample_rate\":0.5}]",
               &logs);
    CHECK_EQ_INT(logs.count, 0);
    CHECK_EQ_INT(sampler.n_span_rules, 2);
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &db, UINT64_C(11), &sd), 1);
    CHECK_EQ_INT(sd.keep, 1);
    CHECK_EQ_INT(sd.mechanism, 8);
    CHECK(sd.rule_rate == 1.0);
    CHECK(sd.has_max_per_second && sd.max_per_second == 2.0);
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &db, UINT64_C(12), &sd), 1);
    /* third in the same second: the rule's own limiter of 2 per second */
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &db, UINT64_C(13), &sd), 0);
    CHECK_EQ_INT(sd.keep, 0);
    db.now_ns += INT64_C(500000000); /* one token back every 0.5 s */
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &db, UINT64_C(14), &sd), 1);
    /* span id hashed at the rule's rate; no max_per_second: no such metric */
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &cache, UINT64_C(9223372036854775807), &sd), 1);
    CHECK(sd.rule_rate == 0.5);
    CHECK_EQ_INT(sd.has_max_per_second, 0);
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &cache, UINT64_C(9223372036854775808), &sd), 1);
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &cache, UINT64_C(9223372036854775809), &sd), 0);
    /* no rule matches */
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &web, UINT64_C(1), &sd), 0);
    dd__sampler_destroy(&sampler);
}

static void test_span_rules_from_env_and_code(void) {
    dd_sampling_config cfg;
    dd__span_sampling_decision sd;
    dd_sampling_rule rule;
    dd__sampling_input in = input("svc", "op", "r", 0);
    fake_env env = {{"DD_SPAN_SAMPLING_RULES"}, {"[{\"name\":\"op\",\"max_per_second\":0}]"}};
    log_capture logs;
    memset(&cfg, 0, sizeof cfg);
    memset(&logs, 0, sizeof logs);
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &env, capture_log, &logs), DD_OK);
    CHECK_EQ_INT(sampler.n_span_rules, 1);
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &in, UINT64_C(77), &sd), 1);
    CHECK(sd.rule_rate == 1.0);
    CHECK_EQ_INT(sd.has_max_per_second, 0); /* <= 0: unlimited, not written */
    dd__sampler_destroy(&sampler);
    /* provenance is not a span-rule key: warned and ignored */
    cfg.span_rules_json = "[{\"service\":\"svc\",\"provenance\":\"customer\",\"sample_rate\":0}]";
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &env, capture_log, &logs), DD_OK);
    CHECK_EQ_INT(sampler.n_span_rules, 1);
    CHECK(log_has(&logs, "DD_SPAN_SAMPLING_RULES rule 0: unknown key \"provenance\" ignored"));
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &in, UINT64_C(77), &sd), 0);
    dd__sampler_destroy(&sampler);
    /* the _FILE variant is not read by the headers (no file I/O): a warning says so */
    {
        fake_env file_env = {{"DD_SPAN_SAMPLING_RULES_FILE"}, {"/etc/rules.json"}};
        memset(&logs, 0, sizeof logs);
        cfg.span_rules_json = NULL;
        CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &file_env, capture_log, &logs), DD_OK);
        CHECK_EQ_INT(sampler.n_span_rules, 0);
        CHECK_EQ_INT(logs.count, 1);
        CHECK(log_has(&logs, "DD_SPAN_SAMPLING_RULES_FILE=/etc/rules.json: files are not read"));
        CHECK_EQ_INT(logs.levels[0], DD_LOG_WARN);
        dd__sampler_destroy(&sampler);
    }
    /* in code */
    memset(&rule, 0, sizeof rule);
    rule.name = "o?";
    rule.sample_rate = 1.0;
    rule.max_per_second = 1.0;
    memset(&cfg, 0, sizeof cfg);
    cfg.span_rules = &rule;
    cfg.n_span_rules = 1;
    CHECK_EQ_INT(dd__sampler_init(&sampler, &cfg, fake_getenv, &env, NULL, NULL), DD_OK);
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &in, UINT64_C(77), &sd), 1);
    CHECK(sd.max_per_second == 1.0);
    CHECK_EQ_INT(dd__span_sampler_decide(&sampler, &in, UINT64_C(78), &sd), 0);
    dd__sampler_destroy(&sampler);
}


/*--- end to end through the tracer: decision -> injected headers -> the agent's payload ---*/

typedef struct e2e_hooks {
    int64_t mono;
    uint64_t rnd[16];
    size_t n_rnd, i_rnd;
    uint8_t body[16384]; /* the last request body */
    size_t body_len;
    int n_requests;
    const char *response; /* the agent's answer body */
    log_capture logs;
} e2e_hooks;

static e2e_hooks H;

static int64_t e2e_wall(void *u) { return INT64_C(1732170000000000000) + ((e2e_hooks *)u)->mono; }
static int64_t e2e_mono(void *u) { return ((e2e_hooks *)u)->mono; }
static uint64_t e2e_random(void *u) {
    e2e_hooks *h = (e2e_hooks *)u;
    return h->i_rnd < h->n_rnd ? h->rnd[h->i_rnd++] : UINT64_C(0x1234567) + h->i_rnd++;
}
static const char *e2e_getenv(void *u, const char *name) {
    (void)u;
    (void)name;
    return NULL;
}
static void e2e_log(void *u, int level, const char *msg, size_t len) { capture_log(&((e2e_hooks *)u)->logs, level, msg, len); }
static int e2e_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    e2e_hooks *h = (e2e_hooks *)u;
    h->n_requests++;
    h->body_len = req->body_len < sizeof h->body ? req->body_len : 0;
    memcpy(h->body, req->body, h->body_len);
    resp->status = 200;
    resp->body = h->response ? h->response : "{\"rate_by_service\":{}}";
    resp->body_len = strlen(resp->body);
    return 0;
}

/* A tracer with every hook faked; `ids` are the random values in order. Each root span draws
 * two (its trace id's low bits and its span id, in an order the tests do not rely on: they give
 * both the same value), each child one. */
static dd_tracer *e2e_tracer(dd_tracer_config *c, const uint64_t *ids, size_t n_ids) {
    memset(&H, 0, sizeof H);
    H.mono = INT64_C(5000000000);
    if (n_ids) memcpy(H.rnd, ids, n_ids * sizeof *ids);
    H.n_rnd = n_ids;
    c->service = c->service ? c->service : "web";
    c->wall_ns_fn = e2e_wall;
    c->mono_ns_fn = e2e_mono;
    c->random_fn = e2e_random;
    c->getenv_fn = e2e_getenv;
    c->log_fn = e2e_log;
    c->transport_fn = e2e_transport;
    c->hook_user = &H;
    c->cgroup_path = "";
    c->flush_interval_ms = -1;
    c->startup_logs = DD_OFF;
    return dd_tracer_new(c);
}

static int e2e_str_is(const char *p, uint32_t n, const char *want) { return n == strlen(want) && memcmp(p, want, n) == 0; }

/* Looks up, in the last payload, the meta string (`*str`) or metric (`*num`) `key` of span
 * `span` of chunk `chunk`, with section "meta" or "metrics". Returns 1 when found, 0 when not,
 * -1 when the payload does not decode. Also counts chunks and spans when asked. */
static int e2e_find(size_t chunk, size_t span, const char *section, const char *key, const char **str, uint32_t *str_len,
                    double *num) {
    dd_mp_reader r;
    uint32_t n_chunks, n_spans, n_fields, n_items, c, sp, f, i;
    int found = 0;
    dd_mp_reader_init(&r, H.body, H.body_len);
    if (dd_mp_read_array(&r, &n_chunks) != DD_OK) return -1;
    for (c = 0; c < n_chunks; c++) {
        if (dd_mp_read_array(&r, &n_spans) != DD_OK) return -1;
        for (sp = 0; sp < n_spans; sp++) {
            if (dd_mp_read_map(&r, &n_fields) != DD_OK) return -1;
            for (f = 0; f < n_fields; f++) {
                const char *k;
                uint32_t kn;
                if (dd_mp_read_str(&r, &k, &kn) != DD_OK) return -1;
                if (c != chunk || sp != span || !e2e_str_is(k, kn, section)) {
                    if (dd_mp_skip(&r) != DD_OK) return -1;
                    continue;
                }
                if (dd_mp_read_map(&r, &n_items) != DD_OK) return -1;
                for (i = 0; i < n_items; i++) {
                    if (dd_mp_read_str(&r, &k, &kn) != DD_OK) return -1;
                    if (!e2e_str_is(k, kn, key)) {
                        if (dd_mp_skip(&r) != DD_OK) return -1;
                        continue;
                    }
                    found = 1;
                    if (str) {
                        if (dd_mp_read_str(&r, str, str_len) != DD_OK) return -1;
                    } else if (dd_mp_read_f64(&r, num) != DD_OK) {
                        return -1;
                    }
                }
            }
        }
    }
    return dd_mp_reader_remaining(&r) == 0 ? found : -1;
}

static size_t e2e_count_spans(size_t *chunks) {
    dd_mp_reader r;
    uint32_t n_chunks, n_spans, c, sp;
    size_t total = 0;
    dd_mp_reader_init(&r, H.body, H.body_len);
    *chunks = 0;
    if (dd_mp_read_array(&r, &n_chunks) != DD_OK) return 0;
    *chunks = n_chunks;
    for (c = 0; c < n_chunks; c++) {
        if (dd_mp_read_array(&r, &n_spans) != DD_OK) return 0;
        for (sp = 0; sp < n_spans; sp++) dd_mp_skip(&r);
        total += n_spans;
    }
    return total;
}

/* The metric, or -99 when absent (or the payload broken). */
static double e2e_metric(size_t chunk, size_t span, const char *key) {
    double v = 0;
    return e2e_find(chunk, span, "metrics", key, NULL, NULL, &v) == 1 ? v : -99.0;
}

/* Is meta `key` equal to `want`? want NULL: is it absent? */
static int e2e_meta_is(size_t chunk, size_t span, const char *key, const char *want) {
    const char *v = NULL;
    uint32_t n = 0;
    int rc = e2e_find(chunk, span, "meta", key, &v, &n, NULL);
    if (!want) return rc == 0;
    return rc == 1 && e2e_str_is(v, n, want);
}

static const char *e2e_header(const dd_headers *h, const char *name) {
    size_t i;
    for (i = 0; i < h->n; i++)
        if (e2e_str_is(h->items[i].name, (uint32_t)h->items[i].name_len, name)) return h->items[i].value;
    return NULL;
}

/* Rules with tags match the root span's own tags (meta as strings, integer metrics as their
 * decimal text) when the trace is decided at its finish; env from a span tag beats the tracer's. */
static void test_e2e_rule_on_span_tags(void) {
    static const uint64_t ids[] = {UINT64_C(1), UINT64_C(1), UINT64_C(2), UINT64_C(2), UINT64_C(3), UINT64_C(3)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *a, *b, *d;
    memset(&c, 0, sizeof c);
    c.env = "prod";
    c.sampling.rules_json = "[{\"tags\":{\"http.status_code\":\"5*\",\"retries\":\"3\"},\"sample_rate\":0},"
                            "{\"service\":\"web\",\"tags\":{\"env\":\"canary\"},\"sample_rate\":0}]";
    t = e2e_tracer(&c, ids, 6);
    CHECK(t != NULL);
    a = dd_span_start(t, NULL); /* both tags match: dropped by rule 1 */
    dd_span_set_tag(a, "http.status_code", "503");
    dd_span_set_metric(a, "retries", 3);
    dd_span_finish(a);
    b = dd_span_start(t, NULL); /* retries 3.5 is not an integer: no match, default keep */
    dd_span_set_tag(b, "http.status_code", "503");
    dd_span_set_metric(b, "retries", 3.5);
    dd_span_finish(b);
    d = dd_span_start(t, NULL); /* env from the span's own tag matches rule 2 */
    dd_span_set_tag(d, "env", "canary");
    dd_span_finish(d);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == -1.0);
    CHECK(e2e_metric(1, 0, "_sampling_priority_v1") == 1.0);
    CHECK(e2e_metric(2, 0, "_sampling_priority_v1") == -1.0);
    CHECK(e2e_metric(0, 0, "retries") == 3.0);
    CHECK(e2e_meta_is(0, 0, "http.status_code", "503"));
    dd_tracer_free(t);
}

static void test_e2e_rule_keep_headers_and_payload(void) {
    static const uint64_t ids[] = {UINT64_C(1), UINT64_C(1), UINT64_C(0x2222)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    dd_header items[16];
    char buf[2048];
    dd_headers h;
    dd_carrier_writer w;
    memset(&c, 0, sizeof c);
    c.env = "prod";
    c.sampling.rules_json = "[{\"service\":\"web\",\"name\":\"http.request\",\"sample_rate\":0.5}]";
    t = e2e_tracer(&c, ids, 3);
    CHECK(t != NULL);
    {
        dd_span_options o;
        memset(&o, 0, sizeof o);
        o.name = "http.request";
        root = dd_span_start(t, &o);
    }
    child = dd_span_start_child(root, "db.query");
    dd_headers_init(&h, items, 16, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    CHECK_EQ_INT(dd_span_inject(child, &w), DD_OK);
    /* trace id 1 is kept at 0.5 (sampling_rates.csv): user keep by rule */
    CHECK_STR(e2e_header(&h, "x-datadog-trace-id"), "1");
    CHECK_STR(e2e_header(&h, "x-datadog-sampling-priority"), "2");
    CHECK(e2e_header(&h, "x-datadog-tags") && strstr(e2e_header(&h, "x-datadog-tags"), "_dd.p.dm=-3"));
    CHECK(e2e_header(&h, "x-datadog-tags") && strstr(e2e_header(&h, "x-datadog-tags"), "_dd.p.ksr=0.5"));
    /* the decision is locked: a manual drop after the injection changes nothing */
    dd_span_set_priority(root, DD_PRIORITY_USER_REJECT);
    dd_span_finish(child);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(H.n_requests, 1);
    /* the chunk root (first span) carries the decision */
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 2.0);
    CHECK(e2e_metric(0, 0, "_dd.rule_psr") == 0.5);
    CHECK(e2e_metric(0, 0, "_dd.limit_psr") == 1.0);
    CHECK(e2e_metric(0, 0, "_dd.agent_psr") == -99.0);
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", "-3"));
    CHECK(e2e_meta_is(0, 0, "_dd.p.ksr", "0.5"));
    /* never on the other spans */
    CHECK(e2e_metric(0, 1, "_sampling_priority_v1") == -99.0);
    CHECK(e2e_metric(0, 1, "_dd.rule_psr") == -99.0);
    CHECK(e2e_metric(0, 1, "_dd.limit_psr") == -99.0);
    CHECK(e2e_meta_is(0, 1, "_dd.p.dm", NULL));
    dd_tracer_free(t);
}

static void test_e2e_rule_drop_and_agent_rates(void) {
    static const uint64_t ids[] = {UINT64_C(10), UINT64_C(10), UINT64_C(1), UINT64_C(1), UINT64_C(10), UINT64_C(10)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root;
    size_t chunks = 0;
    memset(&c, 0, sizeof c);
    c.env = "prod";
    c.sampling.rules_json = "[{\"service\":\"web\",\"name\":\"rule.*\",\"sample_rate\":0.5}]";
    t = e2e_tracer(&c, ids, 6);
    H.response = "{\"rate_by_service\":{\"service:web,env:prod\":0.5,\"service:,env:\":1}}";
    /* trace id 10, dropped by the rule's hash: -1, rule rate, no limiter, no dm, still sent */
    root = dd_span_start_child(NULL, "x"); /* NULL parent: NULL, and no crash */
    CHECK(root == NULL);
    {
        dd_span_options o;
        memset(&o, 0, sizeof o);
        o.name = "rule.op";
        root = dd_span_start(t, &o);
    }
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(e2e_count_spans(&chunks), 1);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == -1.0);
    CHECK(e2e_metric(0, 0, "_dd.rule_psr") == 0.5);
    CHECK(e2e_metric(0, 0, "_dd.limit_psr") == -99.0);
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", NULL));
    CHECK(e2e_meta_is(0, 0, "_dd.p.ksr", "0.5"));
    /* no rule matches: the agent's rate for service:web,env:prod from the last response */
    {
        dd_span_options o;
        memset(&o, 0, sizeof o);
        o.name = "other.op";
        root = dd_span_start(t, &o); /* trace id 1: kept at 0.5 */
        dd_span_finish(root);
        root = dd_span_start(t, &o); /* trace id 10: dropped at 0.5 */
        dd_span_finish(root);
    }
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(e2e_count_spans(&chunks), 2);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 1.0);
    CHECK(e2e_metric(0, 0, "_dd.agent_psr") == 0.5);
    CHECK(e2e_metric(0, 0, "_dd.rule_psr") == -99.0);
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", "-1"));
    CHECK(e2e_meta_is(0, 0, "_dd.p.ksr", "0.5"));
    CHECK(e2e_metric(1, 0, "_sampling_priority_v1") == 0.0);
    CHECK(e2e_metric(1, 0, "_dd.agent_psr") == 0.5);
    CHECK(e2e_meta_is(1, 0, "_dd.p.dm", NULL));
    dd_tracer_free(t);
}

static void test_e2e_default_and_manual(void) {
    static const uint64_t ids[] = {UINT64_C(10), UINT64_C(10), UINT64_C(10), UINT64_C(10)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root;
    dd_span_options o;
    memset(&c, 0, sizeof c);
    memset(&o, 0, sizeof o);
    o.name = "op";
    t = e2e_tracer(&c, ids, 4);
    /* no rules, no agent answer yet: DEFAULT keep, agent_psr 1, dm -0, no ksr */
    root = dd_span_start(t, &o);
    dd_span_finish(root);
    /* manual drop before any decision: -1, mechanism 4, no rate tags, no dm */
    root = dd_span_start(t, &o);
    dd_span_set_priority(root, DD_PRIORITY_USER_REJECT);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 1.0);
    CHECK(e2e_metric(0, 0, "_dd.agent_psr") == 1.0);
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", "-0"));
    CHECK(e2e_meta_is(0, 0, "_dd.p.ksr", NULL));
    CHECK(e2e_metric(1, 0, "_sampling_priority_v1") == -1.0);
    CHECK(e2e_metric(1, 0, "_dd.agent_psr") == -99.0);
    CHECK(e2e_meta_is(1, 0, "_dd.p.dm", NULL));
    CHECK(e2e_meta_is(1, 0, "_dd.p.ksr", NULL));
    dd_tracer_free(t);
}

static void test_e2e_manual_keep(void) {
    static const uint64_t ids[] = {UINT64_C(10), UINT64_C(10), UINT64_C(0x2222)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    dd_span_options o;
    dd_header items[16];
    char buf[2048];
    dd_headers h;
    dd_carrier_writer w;
    memset(&c, 0, sizeof c);
    memset(&o, 0, sizeof o);
    o.name = "op";
    c.sampling.sample_rate = 0;
    c.sampling.sample_rate_set = 1;
    t = e2e_tracer(&c, ids, 3);
    root = dd_span_start(t, &o);
    child = dd_span_start_child(root, "inner");
    /* a manual keep on any span of the trace, before the injection */
    dd_span_set_priority(child, DD_PRIORITY_USER_KEEP);
    dd_headers_init(&h, items, 16, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    CHECK_EQ_INT(dd_span_inject(child, &w), DD_OK);
    CHECK_STR(e2e_header(&h, "x-datadog-sampling-priority"), "2");
    CHECK(e2e_header(&h, "x-datadog-tags") && strstr(e2e_header(&h, "x-datadog-tags"), "_dd.p.dm=-4"));
    dd_span_finish(child);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 2.0);
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", "-4"));
    CHECK(e2e_metric(0, 0, "_dd.rule_psr") == -99.0);
    dd_tracer_free(t);
}

static void test_e2e_extracted_decision(void) {
    static const uint64_t ids[] = {UINT64_C(0x1111)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root;
    dd_span_options o;
    dd_trace_context ctx;
    dd_header in_items[4];
    dd_headers in;
    dd_carrier_reader r;
    dd_header items[16];
    char buf[2048];
    dd_headers h;
    dd_carrier_writer w;
    memset(&c, 0, sizeof c);
    c.sampling.sample_rate = 0; /* would drop everything if it ran */
    c.sampling.sample_rate_set = 1;
    t = e2e_tracer(&c, ids, 1);
    in_items[0].name = "x-datadog-trace-id";
    in_items[0].value = "10";
    in_items[1].name = "x-datadog-parent-id";
    in_items[1].value = "77";
    in_items[2].name = "x-datadog-sampling-priority";
    in_items[2].value = "1";
    in_items[3].name = "x-datadog-tags";
    in_items[3].value = "_dd.p.dm=-1,_dd.p.ksr=0.25";
    {
        size_t i;
        for (i = 0; i < 4; i++) {
            in_items[i].name_len = strlen(in_items[i].name);
            in_items[i].value_len = strlen(in_items[i].value);
        }
    }
    memset(&in, 0, sizeof in);
    in.items = in_items;
    in.n = 4;
    dd_headers_reader(&r, &in);
    CHECK_EQ_INT(dd_extract(NULL, &r, &ctx), DD_OK);
    memset(&o, 0, sizeof o);
    o.name = "op";
    o.context = &ctx;
    root = dd_span_start(t, &o);
    dd_headers_init(&h, items, 16, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    CHECK_EQ_INT(dd_span_inject(root, &w), DD_OK);
    /* the upstream decision and its tags flow on unchanged */
    CHECK_STR(e2e_header(&h, "x-datadog-sampling-priority"), "1");
    CHECK(e2e_header(&h, "x-datadog-tags") && strstr(e2e_header(&h, "x-datadog-tags"), "_dd.p.dm=-1"));
    CHECK(e2e_header(&h, "x-datadog-tags") && strstr(e2e_header(&h, "x-datadog-tags"), "_dd.p.ksr=0.25"));
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 1.0);
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", "-1"));
    CHECK(e2e_meta_is(0, 0, "_dd.p.ksr", "0.25"));
    /* no local rate tags for an inherited decision */
    CHECK(e2e_metric(0, 0, "_dd.rule_psr") == -99.0);
    CHECK(e2e_metric(0, 0, "_dd.agent_psr") == -99.0);
    CHECK(e2e_metric(0, 0, "_dd.limit_psr") == -99.0);
    dd_tracer_free(t);
}

/* A trace of four spans: root "http.request", then children "db.query", "cache.get", "other"
 * finished in that order before the root. In the chunk: root, db.query, cache.get, other. */
static void e2e_four_spans(dd_tracer *t) {
    dd_span_options o;
    dd_span *root, *a, *b, *c;
    memset(&o, 0, sizeof o);
    o.name = "http.request";
    root = dd_span_start(t, &o);
    a = dd_span_start_child(root, "db.query");
    b = dd_span_start_child(root, "cache.get");
    c = dd_span_start_child(root, "other");
    dd_span_finish(a);
    dd_span_finish(b);
    dd_span_finish(c);
    dd_span_finish(root);
}

static const char *const e2e_span_rules =
    "[{\"service\":\"web\",\"name\":\"db.*\",\"sample_rate\":1,\"max_per_second\":5},{\"name\":\"cache.get\"}]";

static void test_e2e_single_span_sampling(void) {
    dd_tracer_config c;
    dd_tracer *t;
    size_t chunks = 0;
    memset(&c, 0, sizeof c);
    c.sampling.sample_rate = 0; /* every trace dropped by the rule: priority -1 */
    c.sampling.sample_rate_set = 1;
    c.sampling.span_rules_json = e2e_span_rules;
    t = e2e_tracer(&c, NULL, 0);
    e2e_four_spans(t);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    /* dropped traces are still sent whole by default */
    CHECK_EQ_INT(e2e_count_spans(&chunks), 4);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == -1.0); /* unchanged by span sampling */
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", NULL));
    CHECK(e2e_metric(0, 0, "_dd.span_sampling.mechanism") == -99.0);
    CHECK(e2e_metric(0, 1, "_dd.span_sampling.mechanism") == 8.0);
    CHECK(e2e_metric(0, 1, "_dd.span_sampling.rule_rate") == 1.0);
    CHECK(e2e_metric(0, 1, "_dd.span_sampling.max_per_second") == 5.0);
    CHECK(e2e_metric(0, 2, "_dd.span_sampling.mechanism") == 8.0);
    CHECK(e2e_metric(0, 2, "_dd.span_sampling.rule_rate") == 1.0);
    CHECK(e2e_metric(0, 2, "_dd.span_sampling.max_per_second") == -99.0);
    CHECK(e2e_metric(0, 3, "_dd.span_sampling.mechanism") == -99.0);
    dd_tracer_free(t);
    /* a kept trace: span rules are not evaluated (system-tests sss012) */
    memset(&c, 0, sizeof c);
    c.sampling.span_rules_json = e2e_span_rules;
    t = e2e_tracer(&c, NULL, 0);
    e2e_four_spans(t);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(e2e_count_spans(&chunks), 4);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 1.0);
    CHECK(e2e_metric(0, 1, "_dd.span_sampling.mechanism") == -99.0);
    CHECK(e2e_metric(0, 2, "_dd.span_sampling.mechanism") == -99.0);
    dd_tracer_free(t);
}

static void test_e2e_drop_rejected_traces(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    size_t chunks = 0;
    dd_span *root;
    dd_span_options o;
    memset(&c, 0, sizeof c);
    c.sampling.sample_rate = 0;
    c.sampling.sample_rate_set = 1;
    c.sampling.span_rules_json = e2e_span_rules;
    c.sampling.drop_rejected_traces = 1;
    t = e2e_tracer(&c, NULL, 0);
    e2e_four_spans(t);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    /* only the two span-sampled spans leave, the first carrying the trace's priority */
    CHECK_EQ_INT(e2e_count_spans(&chunks), 2);
    CHECK_EQ_INT(chunks, 1);
    CHECK(e2e_metric(0, 0, "_dd.span_sampling.mechanism") == 8.0);
    CHECK(e2e_metric(0, 0, "_dd.span_sampling.max_per_second") == 5.0);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == -1.0);
    CHECK(e2e_metric(0, 1, "_dd.span_sampling.mechanism") == 8.0);
    CHECK(e2e_metric(0, 1, "_sampling_priority_v1") == -99.0);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_dropped_sampling, 2);
    CHECK_EQ_U64(k.chunks_dropped_sampling, 0);
    /* a rejected trace with nothing span-sampled is not sent at all */
    memset(&o, 0, sizeof o);
    o.name = "lonely";
    root = dd_span_start(t, &o);
    dd_span_finish(root);
    H.n_requests = 0;
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(H.n_requests, 0);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.chunks_dropped_sampling, 1);
    CHECK_EQ_U64(k.spans_dropped_sampling, 3);
    /* a manual keep is sent whole */
    root = dd_span_start(t, &o);
    dd_span_set_priority(root, DD_PRIORITY_USER_KEEP);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(H.n_requests, 1);
    CHECK_EQ_INT(e2e_count_spans(&chunks), 1);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 2.0);
    dd_tracer_free(t);
}

static void test_e2e_extracted_drop_keeps_upstream_dm(void) {
    static const uint64_t ids[] = {UINT64_C(0x1111)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root;
    dd_span_options o;
    dd_trace_context ctx;
    dd_header in_items[4];
    dd_headers in;
    dd_carrier_reader r;
    dd_header items[16];
    char buf[2048];
    dd_headers h;
    dd_carrier_writer w;
    size_t i;
    memset(&c, 0, sizeof c);
    c.sampling.sample_rate = 1; /* would keep everything if it ran */
    c.sampling.sample_rate_set = 1;
    t = e2e_tracer(&c, ids, 1);
    in_items[0].name = "x-datadog-trace-id";
    in_items[0].value = "12";
    in_items[1].name = "x-datadog-sampling-priority";
    in_items[1].value = "0";
    in_items[2].name = "x-datadog-tags";
    in_items[2].value = "_dd.p.dm=-1";
    in_items[3].name = "x-datadog-parent-id";
    in_items[3].value = "77";
    for (i = 0; i < 4; i++) {
        in_items[i].name_len = strlen(in_items[i].name);
        in_items[i].value_len = strlen(in_items[i].value);
    }
    memset(&in, 0, sizeof in);
    in.items = in_items;
    in.n = 4;
    dd_headers_reader(&r, &in);
    CHECK_EQ_INT(dd_extract(NULL, &r, &ctx), DD_OK);
    memset(&o, 0, sizeof o);
    o.name = "op";
    o.context = &ctx;
    root = dd_span_start(t, &o);
    dd_headers_init(&h, items, 16, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    CHECK_EQ_INT(dd_span_inject(root, &w), DD_OK);
    /* docs/propagation.md R-DM-1: an extracted priority carries the incoming dm unchanged */
    CHECK_STR(e2e_header(&h, "x-datadog-sampling-priority"), "0");
    CHECK(e2e_header(&h, "x-datadog-tags") && strstr(e2e_header(&h, "x-datadog-tags"), "_dd.p.dm=-1"));
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(e2e_metric(0, 0, "_sampling_priority_v1") == 0.0);
    CHECK(e2e_meta_is(0, 0, "_dd.p.dm", "-1"));
    CHECK(e2e_meta_is(0, 0, "_dd.p.ksr", NULL));
    CHECK(e2e_metric(0, 0, "_dd.rule_psr") == -99.0);
    dd_tracer_free(t);
}

static const test_case cases[] = {
    TEST(test_knuth_system_tests_vectors),
    TEST(test_knuth_boundaries),
    TEST(test_knuth_128_bit_uses_low_bits),
    TEST(test_ksr_format),
    TEST(test_dm_format),
    TEST(test_glob),
    TEST(test_limiter_effective_rate_example),
    TEST(test_limiter_exact_counts),
    TEST(test_limiter_burst_and_refill),
    TEST(test_limiter_fractional_rate),
    TEST(test_rate_limit_applies_to_rule_keeps_only),
    TEST(test_rule_matching_table),
    TEST(test_rule_outcome_tags),
    TEST(test_rule_provenance),
    TEST(test_in_code_rules),
    TEST(test_precedence),
    TEST(test_env_values),
    TEST(test_invalid_rules_json),
    TEST(test_rule_capacity),
    TEST(test_agent_rates),
    TEST(test_agent_rates_repeated_bodies),
    TEST(test_agent_rates_before_any_default),
    TEST(test_span_sampling),
    TEST(test_span_rules_from_env_and_code),
    TEST(test_e2e_rule_keep_headers_and_payload),
    TEST(test_e2e_rule_on_span_tags),
    TEST(test_e2e_rule_drop_and_agent_rates),
    TEST(test_e2e_default_and_manual),
    TEST(test_e2e_manual_keep),
    TEST(test_e2e_extracted_decision),
    TEST(test_e2e_single_span_sampling),
    TEST(test_e2e_drop_rejected_traces),
    TEST(test_e2e_extracted_drop_keeps_upstream_dm),
};

int main(void) { return test_run("sampling", cases, sizeof cases / sizeof cases[0]); }
