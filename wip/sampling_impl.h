/* wip/sampling_impl.h: developed apart, merged into its header before release. */

/*=== sampling implementation ===*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The Knuth factor of spec/sampling.md section 3 (0x0F6B75AB2BC471C7). */
#define DD__KNUTH_FACTOR UINT64_C(1111111111111111111)
#define DD__DEFAULT_RATE_LIMIT 100.0
#define DD__LIMITER_MAX_RATE 1e9 /* above this a token every nanosecond is the best we can do */
#define DD__LIMITER_WINDOW 9     /* previous one-second buckets in the effective rate */
#define DD__KSR_MAX 16           /* "0.123457" and NUL fit easily */

/* Keep/drop by rate on a 64-bit id: keep when id * KNUTH (mod 2^64) <= rate * (2^64 - 1). A rate
 * of 1.0 or more is UINT64_MAX (the double product would be 2^64, which does not convert); a
 * rate of 0, below 0 or NaN is threshold 0. [any thread] */
DD__PRIVATE int dd__sampling_keep(uint64_t id, double rate) {
    uint64_t threshold;
    if (rate >= 1.0) threshold = UINT64_MAX;
    else if (rate > 0.0) threshold = (uint64_t)(rate * 18446744073709551615.0);
    else threshold = 0;
    return id * DD__KNUTH_FACTOR <= threshold;
}

DD__PRIVATE int dd__sampling_fold(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* Whole-subject glob match: `*` any run of bytes (also empty), `?` exactly one byte, anything
 * else itself with ASCII case folded (spec/sampling.md 4.3). Iterative with one backtrack point,
 * so it never recurses and runs in O(pn * sn) at worst. */
DD__PRIVATE int dd__glob_match(const char *pat, size_t pn, const char *s, size_t sn) {
    size_t p = 0, i = 0, star_p = 0, star_i = 0;
    int have_star = 0;
    while (i < sn) {
        if (p < pn && pat[p] == '*') {
            have_star = 1;
            star_p = ++p;
            star_i = i;
        } else if (p < pn && (pat[p] == '?' || dd__sampling_fold((unsigned char)pat[p])
                                                   == dd__sampling_fold((unsigned char)s[i]))) {
            p++;
            i++;
        } else if (have_star) {
            p = star_p;
            i = ++star_i;
        } else {
            return 0;
        }
    }
    while (p < pn && pat[p] == '*') p++;
    return p == pn;
}

DD__PRIVATE int dd__glob_all_stars(const char *pat, size_t pn) {
    size_t i;
    for (i = 0; i < pn; i++)
        if (pat[i] != '*') return 0;
    return 1;
}

/* Decimal text of v into buf (at least 21 bytes); returns the length. No NUL. */
DD__PRIVATE size_t dd__sampling_u64_dec(uint64_t v, char *buf) {
    char tmp[20];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return n;
}

/* Formats a rate in [0, 1] as `_dd.p.ksr` (spec/sampling.md section 8): six decimals rounded to
 * nearest with ties to even on the exact binary value (what "%.6f" does), then trailing zeros and
 * a trailing '.' stripped. Exact integer arithmetic on the double's bits, no printf and no
 * locale. Writes a NUL-terminated text into buf (DD__KSR_MAX bytes) and returns its length. */
DD__PRIVATE size_t dd__sampling_format_ksr(double r, char *buf) {
    uint64_t bits, m, q = 0;
    int exp, k;
    size_t n = 0;
    if (!(r > 0.0)) r = 0.0; /* NaN and negatives: validated earlier, formatted as 0 */
    if (r >= 1.0) { /* the default agent rate, formatted at every decision: "1" */
        buf[0] = '1';
        buf[1] = '\0';
        return 1;
    }
    memcpy(&bits, &r, sizeof bits);
    exp = (int)((bits >> 52) & 0x7ff);
    m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    /* value = m * 2^-k. Below 2^-21 (< 5e-7) it rounds to 0; subnormals and 0 too. */
    k = 1075 - exp;
    if (exp >= 1002 && r > 0.0) {
        /* P = m * 10^6 < 2^73 as a 128-bit hi:lo, then q = P >> k (52 <= k <= 73) and the
         * remainder compared with half of 2^k. */
        uint64_t mh = m >> 32, ml = m & 0xffffffffu;
        uint64_t a = mh * 1000000u, b = ml * 1000000u;
        uint64_t lo = (a << 32) + b;
        uint64_t hi = (a >> 32) + (lo < b ? 1u : 0u);
        uint64_t rem_hi, rem_lo, half_hi, half_lo;
        int up;
        if (k < 64) {
            q = (hi << (64 - k)) | (lo >> k);
            rem_hi = 0;
            rem_lo = lo & ((UINT64_C(1) << k) - 1);
            half_hi = 0;
            half_lo = UINT64_C(1) << (k - 1);
        } else {
            q = hi >> (k - 64);
            rem_hi = hi & ((UINT64_C(1) << (k - 64)) - 1);
            rem_lo = lo;
            half_hi = k == 64 ? 0 : UINT64_C(1) << (k - 65);
            half_lo = k == 64 ? UINT64_C(1) << 63 : 0;
        }
        if (rem_hi != half_hi) up = rem_hi > half_hi;
        else if (rem_lo != half_lo) up = rem_lo > half_lo;
        else up = (int)(q & 1u); /* exact tie: to even */
        q += (uint64_t)up;
    }
    n = dd__sampling_u64_dec(q / 1000000u, buf);
    q %= 1000000u;
    if (q) {
        int d;
        char frac[6];
        size_t fn = 6;
        for (d = 5; d >= 0; d--) {
            frac[d] = (char)('0' + (int)(q % 10));
            q /= 10;
        }
        while (fn > 0 && frac[fn - 1] == '0') fn--;
        buf[n++] = '.';
        memcpy(buf + n, frac, fn);
        n += fn;
    }
    buf[n] = '\0';
    return n;
}

/*--- rate limiter: token bucket + effective rate (dd-trace-cpp limiter.cpp's algorithm) ---*/

typedef struct dd__limiter {
    double per_second;
    int64_t max_tokens;  /* ceil(per_second): the bucket starts full */
    int64_t tokens;
    int64_t interval_ns; /* one token comes back every 1e9 / per_second ns */
    int64_t next_refill_ns;
    int64_t period;      /* the current one-second bucket (now_ns / 1e9, floored) */
    uint64_t requested, allowed; /* in the current second */
    double previous[DD__LIMITER_WINDOW]; /* ratios of the previous seconds, newest first */
    int started;         /* the clock is read at the first call, not at setup */
} dd__limiter;

DD__PRIVATE void dd__limiter_init(dd__limiter *l, double per_second) {
    int64_t t;
    memset(l, 0, sizeof *l);
    if (!(per_second <= DD__LIMITER_MAX_RATE)) per_second = DD__LIMITER_MAX_RATE;
    if (!(per_second > 0.0)) per_second = DD__DEFAULT_RATE_LIMIT; /* callers validated; be safe */
    if (per_second < 1e-9) per_second = 1e-9; /* a token every 31 years: the interval fits int64 */
    l->per_second = per_second;
    t = (int64_t)per_second;
    if ((double)t < per_second) t++;
    l->max_tokens = t;
    l->interval_ns = (int64_t)(1e9 / per_second);
    if (l->interval_ns < 1) l->interval_ns = 1;
}

DD__PRIVATE int64_t dd__limiter_second(int64_t ns) {
    return ns >= 0 ? ns / 1000000000 : -((-(ns + 1)) / 1000000000) - 1;
}

/* Takes one token if there is one. *effective gets the mean of the previous 9 seconds' allowed
 * ratios (1.0 for a second without requests) and the current second's ratio. The caller holds
 * the sampler's lock. A clock that goes backwards refills nothing and opens no new second. */
DD__PRIVATE int dd__limiter_allow(dd__limiter *l, int64_t now_ns, double *effective) {
    int64_t sec = dd__limiter_second(now_ns);
    double sum = 0.0;
    int allowed = 0, i;
    if (!l->started) {
        int j;
        l->started = 1;
        l->tokens = l->max_tokens;
        l->next_refill_ns = now_ns + l->interval_ns;
        l->period = sec;
        for (j = 0; j < DD__LIMITER_WINDOW; j++) l->previous[j] = 1.0;
    }
    if (sec > l->period) {
        int64_t gap = sec - l->period; /* seconds elapsed; gap - 1 of them saw no request */
        double ratio = l->requested ? (double)l->allowed / (double)l->requested : 1.0;
        if (gap > DD__LIMITER_WINDOW) {
            for (i = 0; i < DD__LIMITER_WINDOW; i++) l->previous[i] = 1.0;
        } else {
            int g = (int)gap;
            for (i = DD__LIMITER_WINDOW - 1; i >= g; i--) l->previous[i] = l->previous[i - g];
            l->previous[g - 1] = ratio;
            for (i = 0; i < g - 1; i++) l->previous[i] = 1.0;
        }
        l->period = sec;
        l->requested = 0;
        l->allowed = 0;
    }
    l->requested++;
    if (now_ns >= l->next_refill_ns) {
        /* whole intervals since the last refill, in unsigned arithmetic so that no clock value
         * overflows; the phase of the refills is kept */
        uint64_t n = ((uint64_t)now_ns - (uint64_t)l->next_refill_ns) / (uint64_t)l->interval_ns + 1;
        l->next_refill_ns = (int64_t)((uint64_t)l->next_refill_ns + n * (uint64_t)l->interval_ns);
        if (n >= (uint64_t)(l->max_tokens - l->tokens)) l->tokens = l->max_tokens;
        else l->tokens += (int64_t)n;
    }
    if (l->tokens >= 1) {
        l->tokens--;
        l->allowed++;
        allowed = 1;
    }
    for (i = 0; i < DD__LIMITER_WINDOW; i++) sum += l->previous[i];
    if (effective)
        *effective = (sum + (double)l->allowed / (double)l->requested) / (DD__LIMITER_WINDOW + 1);
    return allowed;
}

/*--- the sampler ---*/

typedef struct dd__glob {
    uint32_t off, len; /* in the sampler's text pool */
    int any;           /* absent or only `*`: matches everything */
} dd__glob;

typedef struct dd__sampling_tag {
    uint32_t key_off, key_len;
    dd__glob pattern;
} dd__sampling_tag;

typedef struct dd__srule {
    dd__glob service, name, resource;
    uint32_t tag0, n_tags; /* into the sampler's tags[] */
    double rate;
    double max_per_second; /* span rules: > 0 when limited */
    int mechanism;
} dd__srule;

typedef struct dd__agent_rate {
    uint32_t off, len; /* the key "service:S,env:E" in agent_text */
    double rate;
} dd__agent_rate;

typedef struct dd__sampler {
    dd_log_fn log_fn;
    void *log_user;
    int drop_rejected_traces;
    double rate_limit;
    /* immutable after init */
    size_t n_rules, n_span_rules, n_tags, text_used;
    dd__srule rules[DD_SAMPLING_RULES_MAX];
    dd__srule span_rules[DD_SPAN_SAMPLING_RULES_MAX];
    dd__sampling_tag tags[DD_SAMPLING_TAG_PATTERNS_MAX];
    char text[DD_SAMPLING_TEXT_MAX];
    /* guarded by lock */
    pthread_mutex_t lock;
    dd__limiter limiter;
    dd__limiter span_limiters[DD_SPAN_SAMPLING_RULES_MAX];
    int has_default_rate;
    double default_rate;
    size_t n_agent_rates;
    dd__agent_rate agent_rates[DD_AGENT_RATES_MAX];
    char agent_text[DD_AGENT_RATES_TEXT_MAX];
} dd__sampler;

/* What the sampler needs to know about a span (the local root, or any span for single-span
 * sampling). Strings are borrowed for the call; NULL is "". tag_fn (may be NULL: no tags) looks
 * a tag up on `span`: it returns 1 and sets either *val and *val_len (a string tag, *is_num = 0) or
 * *num (a metric, *is_num = 1), or returns 0 when the span has no such tag. */
typedef struct dd__sampling_input {
    dd_trace_id trace_id;
    const char *service;
    size_t service_len;
    const char *name;
    size_t name_len;
    const char *resource;
    size_t resource_len;
    const char *env; /* the root's env tag: the agent-rate key */
    size_t env_len;
    const void *span;
    int (*tag_fn)(const void *span, const char *key, size_t key_len, const char **val, size_t *val_len,
                  double *num, int *is_num);
    int64_t now_ns; /* any clock that advances in nanoseconds: the limiter's seconds */
} dd__sampling_input;

/* A trace decision and the tags it calls for (spec/sampling.md section 9). */
typedef struct dd__sampling_decision {
    int priority;  /* DD_PRIORITY_*: -1, 0, 1 or 2 */
    int mechanism; /* DD_SAMPLING_MECHANISM_* */
    double rule_rate, limit_rate, agent_rate;
    int has_rule_rate, has_limit_rate, has_agent_rate;
    char ksr[DD__KSR_MAX]; /* `_dd.p.ksr`, "" when none is written */
    size_t ksr_len;
    char dm[8];            /* `_dd.p.dm` ("-3") when priority > 0; "" means: remove the tag */
    size_t dm_len;
} dd__sampling_decision;

/* A single-span sampling verdict: the three metrics of a kept span. */
typedef struct dd__span_sampling_decision {
    int keep;
    int mechanism;          /* DD_SAMPLING_MECHANISM_SPAN_RULE when kept */
    double rule_rate;       /* `_dd.span_sampling.rule_rate` */
    double max_per_second;  /* `_dd.span_sampling.max_per_second`, when has_max_per_second */
    int has_max_per_second;
} dd__span_sampling_decision;

/* A log line assembled from pieces into a fixed buffer (no printf); long pieces are cut. */
typedef struct dd__smsg {
    char buf[320];
    size_t n;
} dd__smsg;

DD__PRIVATE void dd__smsg_add(dd__smsg *m, const char *p, size_t n) {
    if (!p) return;
    if (n > sizeof m->buf - 1 - m->n) n = sizeof m->buf - 1 - m->n;
    memcpy(m->buf + m->n, p, n);
    m->n += n;
}

DD__PRIVATE void dd__smsg_str(dd__smsg *m, const char *p) { dd__smsg_add(m, p, p ? strlen(p) : 0); }

DD__PRIVATE void dd__sampler_emit(const dd__sampler *s, int level, dd__smsg *m) {
    m->buf[m->n] = '\0';
    if (s->log_fn) s->log_fn(s->log_user, level, m->buf, m->n);
}

/* Logs a + b[0..b_len) (cut at 96 bytes: it may be an environment variable) + c. */
DD__PRIVATE void dd__sampler_log(const dd__sampler *s, int level, const char *a, const char *b, size_t b_len,
                                 const char *c) {
    dd__smsg m;
    if (!s->log_fn) return;
    m.n = 0;
    dd__smsg_str(&m, a);
    dd__smsg_add(&m, b, b_len > 96 ? 96 : b_len);
    dd__smsg_str(&m, c);
    dd__sampler_emit(s, level, &m);
}

/* The `_dd.p.dm` text of a mechanism: "-" and its decimal number. buf holds 8 bytes. */
DD__PRIVATE size_t dd__sampling_format_dm(int mechanism, char *buf) {
    size_t n = 1;
    buf[0] = '-';
    if (mechanism < 0) mechanism = 0;
    n += dd__sampling_u64_dec((uint64_t)mechanism, buf + 1);
    buf[n] = '\0';
    return n;
}

/* A decimal number in an environment variable: optional spaces, an optional '+', digits with an
 * optional fraction (".5" and "5." too) and exponent. Parsed by the JSON reader: no strtod, so no
 * locale. Returns 1 and sets *out, or 0 for anything else. */
DD__PRIVATE int dd__sampling_parse_double(const char *s, double *out) {
    char buf[64];
    size_t n = 0, len;
    dd_json v;
    *out = 0;
    if (!s) return 0;
    while (*s == ' ' || *s == '\t') s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
    if (len && *s == '+') {
        s++;
        len--;
    }
    if (len == 0 || len > sizeof buf - 3) return 0;
    if (*s == '.') buf[n++] = '0';
    if (*s == '-' && len > 1 && s[1] == '.') { /* "-.5" */
        buf[n++] = '-';
        buf[n++] = '0';
        s++;
        len--;
    }
    memcpy(buf + n, s, len);
    n += len;
    if (buf[n - 1] == '.') buf[n++] = '0';
    if (dd_json_parse(buf, n, &v) != DD_OK || v.type != DD_JSON_NUMBER) return 0;
    return dd_json_number(&v, out) == DD_OK;
}

DD__PRIVATE int dd__sampling_rate_ok(double r) { return r >= 0.0 && r <= 1.0; }

/* Copies bytes into the rule text pool; 0 when full. */
DD__PRIVATE int dd__sampler_text_add(dd__sampler *s, const char *p, size_t n, uint32_t *off) {
    if (n > DD_SAMPLING_TEXT_MAX - s->text_used) return 0;
    memcpy(s->text + s->text_used, p, n);
    *off = (uint32_t)s->text_used;
    s->text_used += n;
    return 1;
}

DD__PRIVATE int dd__sampler_glob_set(dd__sampler *s, dd__glob *g, const char *p, size_t n) {
    memset(g, 0, sizeof *g);
    if (!p || dd__glob_all_stars(p, n)) {
        g->any = 1;
        return 1;
    }
    g->len = (uint32_t)n;
    return dd__sampler_text_add(s, p, n, &g->off);
}

/* Appends an in-code rule; returns 0 (and leaves nothing behind) when a capacity is reached. */
DD__PRIVATE int dd__sampler_add_code_rule(dd__sampler *s, const dd_sampling_rule *r, int span) {
    size_t text_mark = s->text_used, tags_mark = s->n_tags, i;
    dd__srule *out = span ? &s->span_rules[s->n_span_rules] : &s->rules[s->n_rules];
    if (span ? s->n_span_rules >= DD_SPAN_SAMPLING_RULES_MAX : s->n_rules >= DD_SAMPLING_RULES_MAX) return 0;
    memset(out, 0, sizeof *out);
    if (!dd__sampler_glob_set(s, &out->service, r->service, r->service ? strlen(r->service) : 0)
        || !dd__sampler_glob_set(s, &out->name, r->name, r->name ? strlen(r->name) : 0)
        || !dd__sampler_glob_set(s, &out->resource, r->resource, r->resource ? strlen(r->resource) : 0))
        goto full;
    out->tag0 = (uint32_t)s->n_tags;
    for (i = 0; r->tags && i < r->n_tags; i++) {
        dd__sampling_tag *t;
        const char *k = r->tags[i].key, *p = r->tags[i].pattern;
        if (!k) continue;
        if (s->n_tags >= DD_SAMPLING_TAG_PATTERNS_MAX) goto full;
        t = &s->tags[s->n_tags];
        t->key_len = (uint32_t)strlen(k);
        if (!dd__sampler_text_add(s, k, t->key_len, &t->key_off)) goto full;
        if (!dd__sampler_glob_set(s, &t->pattern, p ? p : "*", p ? strlen(p) : 1)) goto full;
        s->n_tags++;
    }
    out->n_tags = (uint32_t)(s->n_tags - out->tag0);
    out->rate = r->sample_rate;
    out->max_per_second = r->max_per_second > 0.0 ? r->max_per_second : 0.0;
    out->mechanism = DD_SAMPLING_MECHANISM_RULE;
    if (span) s->n_span_rules++;
    else s->n_rules++;
    return 1;
full:
    s->text_used = text_mark;
    s->n_tags = tags_mark;
    return 0;
}

/* Decodes JSON string `v` into the text pool as a glob. 0 when full. */
DD__PRIVATE int dd__sampler_json_glob(dd__sampler *s, const dd_json *v, dd__glob *g) {
    size_t len = 0;
    memset(g, 0, sizeof *g);
    if (dd_json_string(v, s->text + s->text_used, DD_SAMPLING_TEXT_MAX - s->text_used, &len) != DD_OK) return 0;
    if (dd__glob_all_stars(s->text + s->text_used, len)) {
        g->any = 1;
        return 1;
    }
    g->off = (uint32_t)s->text_used;
    g->len = (uint32_t)len;
    s->text_used += len;
    return 1;
}


/* Parses one rule object into *out. Returns 1 on success, 0 for an invalid rule (logged), -1 when
 * a capacity was reached (logged by the caller). Leaves nothing behind on failure. */
DD__PRIVATE int dd__sampler_parse_rule(dd__sampler *s, const dd_json *obj, dd__srule *out, int span,
                                       const char *what, const char *idx, size_t idx_len) {
    static const char *const fields[3] = {"service", "name", "resource"};
    size_t text_mark = s->text_used, tags_mark = s->n_tags, f;
    dd_json v, key;
    dd_json_iter it;
    dd__glob *globs[3];
    const char *bad = NULL;
    int full = 0;
    globs[0] = &out->service;
    globs[1] = &out->name;
    globs[2] = &out->resource;
    memset(out, 0, sizeof *out);
    out->rate = 1.0;
    out->mechanism = DD_SAMPLING_MECHANISM_RULE;
    if (obj->type != DD_JSON_OBJECT) {
        bad = ": not an object; rule ignored";
        goto fail;
    }
    for (f = 0; f < 3; f++) {
        globs[f]->any = 1;
        if (dd_json_get(obj, fields[f], strlen(fields[f]), &v) != DD_OK) continue;
        if (v.type != DD_JSON_STRING) {
            bad = f == 0 ? ": \"service\" must be a string; rule ignored"
                  : f == 1 ? ": \"name\" must be a string; rule ignored"
                           : ": \"resource\" must be a string; rule ignored";
            goto fail;
        }
        if (!dd__sampler_json_glob(s, &v, globs[f])) {
            full = 1;
            goto fail;
        }
    }
    out->tag0 = (uint32_t)s->n_tags;
    if (dd_json_get(obj, "tags", 4, &v) == DD_OK) {
        dd_json tk, tv;
        if (v.type != DD_JSON_OBJECT) {
            bad = ": \"tags\" must be an object of strings; rule ignored";
            goto fail;
        }
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, &tk, &tv) == DD_OK) {
            dd__sampling_tag *t;
            size_t len = 0;
            if (tv.type != DD_JSON_STRING) {
                bad = ": a \"tags\" value must be a string; rule ignored";
                goto fail;
            }
            if (s->n_tags >= DD_SAMPLING_TAG_PATTERNS_MAX) {
                full = 1;
                goto fail;
            }
            t = &s->tags[s->n_tags];
            if (dd_json_string(&tk, s->text + s->text_used, DD_SAMPLING_TEXT_MAX - s->text_used, &len) != DD_OK) {
                full = 1;
                goto fail;
            }
            t->key_off = (uint32_t)s->text_used;
            t->key_len = (uint32_t)len;
            s->text_used += len;
            if (!dd__sampler_json_glob(s, &tv, &t->pattern)) {
                full = 1;
                goto fail;
            }
            s->n_tags++;
        }
    }
    out->n_tags = (uint32_t)(s->n_tags - out->tag0);
    if (dd_json_get(obj, "sample_rate", 11, &v) == DD_OK) {
        if (v.type != DD_JSON_NUMBER || dd_json_number(&v, &out->rate) != DD_OK || !dd__sampling_rate_ok(out->rate)) {
            bad = ": \"sample_rate\" must be a number in [0, 1]; rule ignored";
            goto fail;
        }
    }
    if (dd_json_get(obj, "max_per_second", 14, &v) == DD_OK) {
        double mps = 0;
        if (v.type != DD_JSON_NUMBER || dd_json_number(&v, &mps) != DD_OK) {
            bad = ": \"max_per_second\" must be a number; rule ignored";
            goto fail;
        }
        if (span && mps > 0.0) out->max_per_second = mps; /* trace rules accept and ignore it */
    }
    if (!span && dd_json_get(obj, "provenance", 10, &v) == DD_OK) {
        if (dd_json_string_eq(&v, "customer", 8)) out->mechanism = DD_SAMPLING_MECHANISM_REMOTE_RULE;
        else if (dd_json_string_eq(&v, "dynamic", 7)) out->mechanism = DD_SAMPLING_MECHANISM_REMOTE_ADAPTIVE_RULE;
        else if (!dd_json_string_eq(&v, "local", 5)) {
            bad = ": \"provenance\" must be \"local\", \"customer\" or \"dynamic\"; rule ignored";
            goto fail;
        }
    }
    /* Unknown keys are ignored with a warning, as dd-trace-go does (spec/sampling.md 4.1). */
    dd_json_iter_init(&it, obj);
    while (dd_json_next(&it, &key, &v) == DD_OK) {
        static const char *const known[7] = {"service", "name", "resource", "tags", "sample_rate", "max_per_second",
                                             "provenance"};
        size_t kk, n_known = span ? 6 : 7;
        int found = 0;
        for (kk = 0; kk < n_known && !found; kk++) found = dd_json_string_eq(&key, known[kk], strlen(known[kk]));
        if (!found) {
            dd__smsg m;
            m.n = 0;
            dd__smsg_str(&m, what);
            dd__smsg_str(&m, " rule ");
            dd__smsg_add(&m, idx, idx_len);
            dd__smsg_str(&m, ": unknown key ");
            dd__smsg_add(&m, key.p, key.n > 64 ? 64 : key.n); /* the key as written, quotes included */
            dd__smsg_str(&m, " ignored");
            dd__sampler_emit(s, DD_LOG_WARN, &m);
        }
    }
    return 1;
fail:
    s->text_used = text_mark;
    s->n_tags = tags_mark;
    if (full) return -1;
    {
        dd__smsg m;
        m.n = 0;
        dd__smsg_str(&m, what);
        dd__smsg_str(&m, " rule ");
        dd__smsg_add(&m, idx, idx_len);
        dd__smsg_str(&m, bad);
        dd__sampler_emit(s, DD_LOG_ERROR, &m);
    }
    return 0;
}

/* Parses a rules array (DD_TRACE_SAMPLING_RULES or DD_SPAN_SAMPLING_RULES, named by `what`).
 * Invalid JSON or a non-array gives no rules; an invalid rule is skipped; rules beyond the
 * capacities are dropped. Each case is logged. Returns the number of rules added. */
DD__PRIVATE size_t dd__sampler_parse_rules(dd__sampler *s, const char *json, size_t len, int span, const char *what) {
    dd_json root, v;
    dd_json_iter it;
    size_t index = 0, added = 0;
    int rc = dd_json_parse(json, len, &root);
    if (rc != DD_OK || root.type != DD_JSON_ARRAY) {
        dd__sampler_log(s, DD_LOG_ERROR, what,
                        NULL, 0, rc != DD_OK ? ": invalid JSON; no rules used" : ": not a JSON array; no rules used");
        return 0;
    }
    dd_json_iter_init(&it, &root);
    while (dd_json_next(&it, NULL, &v) == DD_OK) {
        char idx[21];
        size_t idx_len = dd__sampling_u64_dec((uint64_t)index, idx);
        int ok;
        size_t *count = span ? &s->n_span_rules : &s->n_rules;
        size_t cap = span ? DD_SPAN_SAMPLING_RULES_MAX : DD_SAMPLING_RULES_MAX - 1; /* room for the catch-all */
        index++;
        if (*count >= cap) {
            dd__sampler_log(s, DD_LOG_ERROR, what, NULL, 0, ": too many rules; the rest are ignored");
            break;
        }
        ok = dd__sampler_parse_rule(s, &v, span ? &s->span_rules[*count] : &s->rules[*count], span, what, idx,
                                    idx_len);
        if (ok < 0) {
            dd__sampler_log(s, DD_LOG_ERROR, what, NULL, 0,
                            ": rule patterns exceed the sampler's capacity; the rest are ignored");
            break;
        }
        if (ok) {
            (*count)++;
            added++;
        }
    }
    return added;
}

DD__PRIVATE const char *dd__sampler_getenv(const char *(*getenv_fn)(void *, const char *), void *user,
                                           const char *name) {
    const char *v = getenv_fn ? getenv_fn(user, name) : getenv(name);
    return v && *v ? v : NULL;
}

/* Sets the sampler up from `cfg` (NULL = zeroed) and the environment, read here only. Errors in
 * the configuration are reported through log_fn and the faulty parts ignored; the call itself
 * fails only for a NULL sampler (DD_ERR_INVALID_ARG) or a mutex that cannot be created
 * (DD_ERR_NO_MEMORY), leaving *s zeroed. [setup] */
DD__PRIVATE int dd__sampler_init(dd__sampler *s, const dd_sampling_config *cfg,
                                 const char *(*getenv_fn)(void *, const char *), void *getenv_user, dd_log_fn log_fn,
                                 void *log_user) {
    dd_sampling_config zero;
    const char *env;
    size_t i;
    double rate_limit = DD__DEFAULT_RATE_LIMIT;
    if (!s) return DD_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    if (!cfg) {
        memset(&zero, 0, sizeof zero);
        cfg = &zero;
    }
    s->log_fn = log_fn;
    s->log_user = log_user;
    s->drop_rejected_traces = cfg->drop_rejected_traces != 0;

    /* trace rules: in code, else JSON in code, else DD_TRACE_SAMPLING_RULES */
    if (cfg->rules && cfg->n_rules) {
        for (i = 0; i < cfg->n_rules; i++) {
            if (!dd__sampling_rate_ok(cfg->rules[i].sample_rate)) {
                char idx[21];
                size_t n = dd__sampling_u64_dec((uint64_t)i, idx);
                dd__sampler_log(s, DD_LOG_ERROR, "in-code sampling rule ", idx, n,
                                ": sample_rate must be in [0, 1]; rule ignored");
                continue;
            }
            if (s->n_rules >= DD_SAMPLING_RULES_MAX - 1 || !dd__sampler_add_code_rule(s, &cfg->rules[i], 0)) {
                dd__sampler_log(s, DD_LOG_ERROR, "in-code sampling rules exceed the sampler's capacity",
                                NULL, 0, "; the rest are ignored");
                break;
            }
        }
    } else {
        const char *json = cfg->rules_json ? cfg->rules_json
                                           : dd__sampler_getenv(getenv_fn, getenv_user, "DD_TRACE_SAMPLING_RULES");
        if (json) dd__sampler_parse_rules(s, json, strlen(json), 0, "DD_TRACE_SAMPLING_RULES");
    }

    /* DD_TRACE_SAMPLE_RATE: a catch-all rule after the others (spec/sampling.md 4.2) */
    {
        double rate = 0;
        int have = 0;
        if (cfg->sample_rate_set) {
            rate = cfg->sample_rate;
            have = 1;
            if (!dd__sampling_rate_ok(rate)) {
                dd__sampler_log(s, DD_LOG_ERROR, "sample_rate must be in [0, 1]", NULL, 0, "; ignored");
                have = 0;
            }
        } else if ((env = dd__sampler_getenv(getenv_fn, getenv_user, "DD_TRACE_SAMPLE_RATE")) != NULL) {
            have = dd__sampling_parse_double(env, &rate) && dd__sampling_rate_ok(rate);
            if (!have)
                dd__sampler_log(s, DD_LOG_ERROR, "DD_TRACE_SAMPLE_RATE=", env, strlen(env),
                                ": not a number in [0, 1]; ignored");
        }
        if (have) {
            dd__srule *r = &s->rules[s->n_rules++]; /* one slot is always left for it */
            memset(r, 0, sizeof *r);
            r->service.any = r->name.any = r->resource.any = 1;
            r->tag0 = (uint32_t)s->n_tags;
            r->rate = rate;
            r->mechanism = DD_SAMPLING_MECHANISM_RULE;
        }
    }

    /* DD_TRACE_RATE_LIMIT: > 0 and finite, else the default (dd-trace-cpp's choice, spec 5) */
    if (cfg->rate_limit_set) {
        if (cfg->rate_limit > 0.0 && cfg->rate_limit <= 1.7976931348623157e308) rate_limit = cfg->rate_limit;
        else dd__sampler_log(s, DD_LOG_ERROR, "rate_limit must be > 0", NULL, 0, "; using 100");
    } else if ((env = dd__sampler_getenv(getenv_fn, getenv_user, "DD_TRACE_RATE_LIMIT")) != NULL) {
        double v = 0;
        if (dd__sampling_parse_double(env, &v) && v > 0.0) rate_limit = v;
        else dd__sampler_log(s, DD_LOG_ERROR, "DD_TRACE_RATE_LIMIT=", env, strlen(env),
                             ": not a number > 0; using 100");
    }
    s->rate_limit = rate_limit;
    dd__limiter_init(&s->limiter, rate_limit);

    /* span rules: in code, else JSON in code, else DD_SPAN_SAMPLING_RULES */
    if (cfg->span_rules && cfg->n_span_rules) {
        for (i = 0; i < cfg->n_span_rules; i++) {
            if (!dd__sampling_rate_ok(cfg->span_rules[i].sample_rate)) {
                char idx[21];
                size_t n = dd__sampling_u64_dec((uint64_t)i, idx);
                dd__sampler_log(s, DD_LOG_ERROR, "in-code span sampling rule ", idx, n,
                                ": sample_rate must be in [0, 1]; rule ignored");
                continue;
            }
            if (!dd__sampler_add_code_rule(s, &cfg->span_rules[i], 1)) {
                dd__sampler_log(s, DD_LOG_ERROR, "in-code span sampling rules exceed the sampler's capacity",
                                NULL, 0, "; the rest are ignored");
                break;
            }
        }
    } else {
        const char *json = cfg->span_rules_json
                               ? cfg->span_rules_json
                               : dd__sampler_getenv(getenv_fn, getenv_user, "DD_SPAN_SAMPLING_RULES");
        if (json) dd__sampler_parse_rules(s, json, strlen(json), 1, "DD_SPAN_SAMPLING_RULES");
        else if ((env = dd__sampler_getenv(getenv_fn, getenv_user, "DD_SPAN_SAMPLING_RULES_FILE")) != NULL)
            /* the headers do no file I/O: the caller reads the file and passes span_rules_json */
            dd__sampler_log(s, DD_LOG_WARN, "DD_SPAN_SAMPLING_RULES_FILE=", env, strlen(env),
                            ": files are not read; pass the rules as span_rules_json or DD_SPAN_SAMPLING_RULES");
    }
    for (i = 0; i < s->n_span_rules; i++)
        if (s->span_rules[i].max_per_second > 0.0) dd__limiter_init(&s->span_limiters[i], s->span_rules[i].max_per_second);

    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        memset(s, 0, sizeof *s);
        return DD_ERR_NO_MEMORY;
    }
    return DD_OK;
}

/* Releases the sampler's lock. [setup] */
DD__PRIVATE void dd__sampler_destroy(dd__sampler *s) {
    if (!s) return;
    pthread_mutex_destroy(&s->lock);
}

DD__PRIVATE int dd__sampler_glob_ok(const dd__sampler *s, const dd__glob *g, const char *p, size_t n) {
    if (g->any) return 1;
    return dd__glob_match(s->text + g->off, g->len, p ? p : "", p ? n : 0);
}

/* Every field and tag of the rule matches the span (spec/sampling.md 4.3). A tag must exist: a
 * string tag is matched as is, an integer-valued metric as its decimal text (20.0 -> "20"), any
 * other metric only by an all-`*` pattern. */
DD__PRIVATE int dd__sampler_rule_matches(const dd__sampler *s, const dd__srule *r, const dd__sampling_input *in) {
    uint32_t i;
    if (!dd__sampler_glob_ok(s, &r->service, in->service, in->service_len)
        || !dd__sampler_glob_ok(s, &r->name, in->name, in->name_len)
        || !dd__sampler_glob_ok(s, &r->resource, in->resource, in->resource_len))
        return 0;
    for (i = 0; i < r->n_tags; i++) {
        const dd__sampling_tag *t = &s->tags[r->tag0 + i];
        const char *val = NULL;
        size_t val_len = 0;
        double num = 0;
        int is_num = 0;
        if (!in->tag_fn || !in->tag_fn(in->span, s->text + t->key_off, t->key_len, &val, &val_len, &num, &is_num))
            return 0;
        if (is_num) {
            char buf[24];
            size_t n = 0;
            if (t->pattern.any) continue;
            /* integer-valued and within int64: match its decimal text */
            if (!(num > -9223372036854775808.0 && num < 9223372036854775808.0)) return 0;
            if ((double)(int64_t)num != num) return 0;
            if (num < 0) {
                buf[n++] = '-';
                n += dd__sampling_u64_dec((uint64_t)0 - (uint64_t)(int64_t)num, buf + n);
            } else {
                n += dd__sampling_u64_dec((uint64_t)(int64_t)num, buf + n);
            }
            if (!dd__glob_match(s->text + t->pattern.off, t->pattern.len, buf, n)) return 0;
        } else if (!dd__sampler_glob_ok(s, &t->pattern, val, val_len)) {
            return 0;
        }
    }
    return 1;
}

/* Is `key` (n bytes) exactly "service:" S ",env:" E? */
DD__PRIVATE int dd__agent_key_is(const char *key, size_t n, const char *svc, size_t svc_len, const char *env,
                                 size_t env_len) {
    if (n != 8 + svc_len + 5 + env_len) return 0;
    return memcmp(key, "service:", 8) == 0 && (svc_len == 0 || memcmp(key + 8, svc, svc_len) == 0)
           && memcmp(key + 8 + svc_len, ",env:", 5) == 0
           && (env_len == 0 || memcmp(key + 13 + svc_len, env, env_len) == 0);
}

/* Decides keep or drop for a new trace from its local root (spec/sampling.md sections 2-9):
 * the first matching rule (then the rate limiter on a keep), else the agent's rate for
 * "service:S,env:E", else the agent's default rate, else keep with mechanism DEFAULT. The caller
 * handles extracted and manual priorities before calling. No allocation; the lock is held only
 * around the limiter and the agent rates. [any thread] */
DD__PRIVATE void dd__sampler_decide(dd__sampler *s, const dd__sampling_input *in, dd__sampling_decision *out) {
    size_t i;
    const dd__srule *rule = NULL;
    memset(out, 0, sizeof *out);
    for (i = 0; i < s->n_rules; i++) {
        if (dd__sampler_rule_matches(s, &s->rules[i], in)) {
            rule = &s->rules[i];
            break;
        }
    }
    if (rule) {
        out->mechanism = rule->mechanism;
        out->rule_rate = rule->rate;
        out->has_rule_rate = 1;
        out->ksr_len = dd__sampling_format_ksr(rule->rate, out->ksr);
        if (dd__sampling_keep(in->trace_id.lo, rule->rate)) {
            int allowed;
            pthread_mutex_lock(&s->lock);
            allowed = dd__limiter_allow(&s->limiter, in->now_ns, &out->limit_rate);
            pthread_mutex_unlock(&s->lock);
            out->has_limit_rate = 1;
            out->priority = allowed ? DD_PRIORITY_USER_KEEP : DD_PRIORITY_USER_REJECT;
        } else {
            out->priority = DD_PRIORITY_USER_REJECT;
        }
    } else {
        double rate = 1.0;
        int found = 0;
        pthread_mutex_lock(&s->lock);
        for (i = 0; i < s->n_agent_rates; i++) {
            const dd__agent_rate *a = &s->agent_rates[i];
            if (dd__agent_key_is(s->agent_text + a->off, a->len, in->service, in->service ? in->service_len : 0,
                                 in->env, in->env ? in->env_len : 0)) {
                rate = a->rate;
                found = 1;
                break;
            }
        }
        if (!found && s->has_default_rate) {
            rate = s->default_rate;
            found = 1;
        }
        pthread_mutex_unlock(&s->lock);
        out->agent_rate = rate;
        out->has_agent_rate = 1;
        if (found) {
            out->mechanism = DD_SAMPLING_MECHANISM_AGENT_RATE;
            out->ksr_len = dd__sampling_format_ksr(rate, out->ksr);
            out->priority = dd__sampling_keep(in->trace_id.lo, rate) ? DD_PRIORITY_AUTO_KEEP : DD_PRIORITY_AUTO_REJECT;
        } else {
            out->mechanism = DD_SAMPLING_MECHANISM_DEFAULT;
            out->priority = DD_PRIORITY_AUTO_KEEP;
        }
    }
    if (out->priority > 0) out->dm_len = dd__sampling_format_dm(out->mechanism, out->dm);
}

/* Feeds the body of an agent response, {"rate_by_service":{"service:S,env:E":rate,...}}, to the
 * sampler: the whole per-key map is replaced, and the default rate ("service:,env:") updated when
 * present. A body that is not a JSON object, or a rate that is not a number in [0, 1], rejects the
 * whole response (logged) and changes nothing; a body without rate_by_service changes nothing.
 * Keys beyond DD_AGENT_RATES_MAX or DD_AGENT_RATES_TEXT_MAX are dropped (logged): their traces
 * use the default rate. [any thread] */
DD__PRIVATE void dd__sampler_set_agent_rates(dd__sampler *s, const char *json, size_t len) {
    dd_json root, rates, k, v;
    dd_json_iter it;
    size_t dropped = 0;
    if (!s || !json) return;
    if (dd_json_parse(json, len, &root) != DD_OK || root.type != DD_JSON_OBJECT) {
        dd__sampler_log(s, DD_LOG_ERROR, "agent response: not a JSON object", NULL, 0, "; rates unchanged");
        return;
    }
    if (dd_json_get(&root, "rate_by_service", 15, &rates) != DD_OK) return;
    if (rates.type != DD_JSON_OBJECT) {
        dd__sampler_log(s, DD_LOG_ERROR, "agent response: rate_by_service is not an object", NULL, 0,
                        "; rates unchanged");
        return;
    }
    /* first pass, without the lock: validate every rate */
    dd_json_iter_init(&it, &rates);
    while (dd_json_next(&it, &k, &v) == DD_OK) {
        double r = 0;
        if (v.type != DD_JSON_NUMBER || dd_json_number(&v, &r) != DD_OK || !dd__sampling_rate_ok(r)) {
            dd__sampler_log(s, DD_LOG_ERROR, "agent response: a rate is not a number in [0, 1]", NULL, 0,
                            "; rates unchanged");
            return;
        }
    }
    /* second pass, under the lock: replace the map (no callback is called while it is held) */
    pthread_mutex_lock(&s->lock);
    s->n_agent_rates = 0;
    {
        size_t used = 0;
        dd_json_iter_init(&it, &rates);
        while (dd_json_next(&it, &k, &v) == DD_OK) {
            double r = 0;
            size_t klen = 0;
            dd__agent_rate *a;
            dd_json_number(&v, &r);
            if (dd_json_string_eq(&k, "service:,env:", 13)) {
                s->has_default_rate = 1;
                s->default_rate = r;
                continue;
            }
            if (s->n_agent_rates >= DD_AGENT_RATES_MAX
                || dd_json_string(&k, s->agent_text + used, DD_AGENT_RATES_TEXT_MAX - used, &klen) != DD_OK) {
                dropped++;
                continue;
            }
            a = &s->agent_rates[s->n_agent_rates++];
            a->off = (uint32_t)used;
            a->len = (uint32_t)klen;
            a->rate = r;
            used += klen;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (dropped)
        dd__sampler_log(s, DD_LOG_WARN, "agent response: more rates than the sampler keeps", NULL, 0,
                        "; the others use the default rate");
}

/* Single-span sampling for one span of a trace whose final priority is <= 0 (spec/sampling.md
 * section 10): the first span rule matching the span's own service, name, resource and tags;
 * kept when hash(span_id) <= threshold(sample_rate) and the rule's limiter allows. Returns 1 and
 * fills *out for a kept span, else 0 with *out zeroed. [any thread] */
DD__PRIVATE int dd__span_sampler_decide(dd__sampler *s, const dd__sampling_input *in, uint64_t span_id,
                                        dd__span_sampling_decision *out) {
    size_t i;
    memset(out, 0, sizeof *out);
    for (i = 0; i < s->n_span_rules; i++) {
        const dd__srule *r = &s->span_rules[i];
        if (!dd__sampler_rule_matches(s, r, in)) continue;
        if (!dd__sampling_keep(span_id, r->rate)) return 0;
        if (r->max_per_second > 0.0) {
            int allowed;
            pthread_mutex_lock(&s->lock);
            allowed = dd__limiter_allow(&s->span_limiters[i], in->now_ns, NULL);
            pthread_mutex_unlock(&s->lock);
            if (!allowed) return 0;
            out->max_per_second = r->max_per_second;
            out->has_max_per_second = 1;
        }
        out->keep = 1;
        out->mechanism = DD_SAMPLING_MECHANISM_SPAN_RULE;
        out->rule_rate = r->rate;
        return 1;
    }
    return 0;
}
