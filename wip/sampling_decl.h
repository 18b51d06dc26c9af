/* wip/sampling_decl.h: developed apart, merged into its header before release. */

/*=== sampling ===*/

/* Sampling mechanisms: the number behind `_dd.p.dm` ("-" + mechanism) and
 * `_dd.span_sampling.mechanism` (spec/sampling.md section 7). */
#define DD_SAMPLING_MECHANISM_DEFAULT 0       /* no rule, no agent rate yet (rate 1.0)      */
#define DD_SAMPLING_MECHANISM_AGENT_RATE 1    /* the agent's rate_by_service                */
#define DD_SAMPLING_MECHANISM_RULE 3          /* a sampling rule or DD_TRACE_SAMPLE_RATE    */
#define DD_SAMPLING_MECHANISM_MANUAL 4        /* user keep / user reject                    */
#define DD_SAMPLING_MECHANISM_SPAN_RULE 8     /* single-span sampling                       */
#define DD_SAMPLING_MECHANISM_REMOTE_RULE 11  /* rule with provenance "customer"            */
#define DD_SAMPLING_MECHANISM_REMOTE_ADAPTIVE_RULE 12 /* rule with provenance "dynamic"     */

/* Fixed capacities of the sampler. Rules beyond them are dropped and reported via the log hook. */
#define DD_SAMPLING_RULES_MAX 64        /* trace rules, the DD_TRACE_SAMPLE_RATE catch-all included */
#define DD_SPAN_SAMPLING_RULES_MAX 32   /* single-span rules                                       */
#define DD_SAMPLING_TAG_PATTERNS_MAX 64 /* tag patterns over all rules                             */
#define DD_SAMPLING_TEXT_MAX 8192       /* bytes of rule patterns and tag keys over all rules      */
#define DD_AGENT_RATES_MAX 256          /* keys of the agent's rate_by_service kept                */
#define DD_AGENT_RATES_TEXT_MAX 16384   /* bytes of those keys                                     */

/* One tag condition of an in-code rule: the tag `key` must exist on the span and its value
 * match the glob `pattern`. */
typedef struct dd_sampling_tag_pattern {
    const char *key;
    const char *pattern;
} dd_sampling_tag_pattern;

/* A sampling rule given in code, with the meaning of one DD_TRACE_SAMPLING_RULES entry
 * (or, for span rules, one DD_SPAN_SAMPLING_RULES entry). Patterns are globs: `*` matches any
 * run of bytes, `?` exactly one byte, everything else itself, ASCII case folded; NULL means `*`.
 * Strings are copied at setup. */
typedef struct dd_sampling_rule {
    const char *service;
    const char *name;
    const char *resource;
    const dd_sampling_tag_pattern *tags; /* every tag must exist and match */
    size_t n_tags;
    double sample_rate;                  /* in [0, 1], taken as given (0 is a real rate) */
    double max_per_second;               /* span rules only; <= 0 = unlimited           */
} dd_sampling_rule;

/* Sampling configuration, part of the tracer's configuration. Zeroed is valid: rules and rates
 * then come from the environment (DD_TRACE_SAMPLING_RULES, DD_TRACE_SAMPLE_RATE,
 * DD_TRACE_RATE_LIMIT, DD_SPAN_SAMPLING_RULES), read once at setup. A field set in code beats its
 * environment variable. Invalid values are reported through the log hook and ignored: a rule that
 * does not parse is skipped and the valid ones kept; unparsable JSON gives no rules. */
typedef struct dd_sampling_config {
    const char *rules_json;       /* trace rules as JSON; NULL = DD_TRACE_SAMPLING_RULES        */
    double sample_rate;           /* catch-all rule after the others, in [0, 1]               */
    int sample_rate_set;          /* nonzero: sample_rate is set; 0 = DD_TRACE_SAMPLE_RATE      */
    double rate_limit;            /* traces per second kept by rules; > 0 and finite          */
    int rate_limit_set;           /* nonzero: rate_limit is set; 0 = DD_TRACE_RATE_LIMIT or 100 */
    const char *span_rules_json;  /* single-span rules as JSON; NULL = DD_SPAN_SAMPLING_RULES   */
    /* Nonzero: traces whose final priority is <= 0 are not sent to the agent (their spans kept
     * by single-span sampling still are). Off by default because the agent computes its
     * statistics (request counts, errors, latency) and its own sampling rates from every trace
     * it receives, dropped or not: turning this on saves bandwidth but makes those figures
     * count only the kept traces. */
    int drop_rejected_traces;
    const dd_sampling_rule *rules; /* in-code trace rules; when n_rules > 0 they replace the JSON */
    size_t n_rules;
    const dd_sampling_rule *span_rules; /* in-code span rules; replace the span JSON when > 0 */
    size_t n_span_rules;
} dd_sampling_config;
