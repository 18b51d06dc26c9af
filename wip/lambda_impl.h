/* wip/lambda_impl.h: developed apart, merged into its header before release. */

/*=== lambda: invocation spans, inferred spans, log correlation ===*/
/* With `#define DD_API static` an unused public function must not warn (as the tracer part). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

#define DD__LAM_PROACTIVE_NS INT64_C(10000000000) /* spec 7.5: EXT PROACTIVE_INITIALIZATION_THRESHOLD_MS */
#define DD__LAM_NAME_MAX 256

/* An invocation between start and end: found again by its aws.lambda span. */
typedef struct dd__lam_inv {
    struct dd__lam_inv *next;
    dd_span *lambda;
    dd_span *inferred;    /* NULL when none */
    int64_t lambda_start; /* async inferred spans end here */
    int inferred_async;
    int http;             /* http.status_code from the response */
    /* the X-Ray "lambda_function_tags" subsegment (only with config->send_fn): the trigger tags as
     * a JSON object without its closing brace, and the invocation's own X-Ray header */
    size_t tags_len;      /* 0 = nothing to send */
    char tags_json[1536];
    char xray[256];       /* "" = _X_AMZN_TRACE_ID through getenv_fn */
} dd__lam_inv;

struct dd_lambda {
    dd_tracer *t;
    dd_lambda_config cfg;
    int managed_services, service_representation, logs_injection, log_128bit, managed_instances;
    int cold_start_tracing;
    int64_t init_ns, min_cold_start_ns;
    char function_name[DD__LAM_NAME_MAX]; /* "" = take it from each invoked ARN */
    char service[DD__LAM_NAME_MAX];       /* "" = not configured */
    char *mapping;                        /* DD_SERVICE_MAPPING, NUL-terminated, or NULL */
    size_t mapping_size;
    pthread_mutex_t lock; /* guards started, live, spare */
    int started;          /* an invocation has started: later ones are warm */
    dd__lam_inv *live, *spare;
};

/*--- helpers ---*/
DD__PRIVATE const char *dd__lam_env(const dd_lambda_config *c, const char *name) {
    if (c->getenv_fn) return c->getenv_fn(c->hook_user, name);
    return getenv(name);
}
/* A tri-state option: code (DD_ON/DD_OFF) beats the variable ("true"/"1", "false"/"0", any case);
 * anything else keeps the default. */
DD__PRIVATE int dd__lam_flag(const dd_lambda_config *c, int code, const char *name, int def) {
    const char *v;
    if (code == DD_ON) return 1;
    if (code == DD_OFF) return 0;
    v = dd__lam_env(c, name);
    if (!v) return def;
    if (dd__t_ieq(v, "true") || strcmp(v, "1") == 0) return 1;
    if (dd__t_ieq(v, "false") || strcmp(v, "0") == 0) return 0;
    return def;
}
/* Copies s into dst[cap] when it fits (else ""); returns the length kept. */
DD__PRIVATE size_t dd__lam_copy(char *dst, size_t cap, const char *s, size_t n) {
    if (!s || n >= cap) n = 0;
    if (n) memcpy(dst, s, n);
    dst[n] = 0;
    return n;
}
DD__PRIVATE int dd__lam_is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
/* s[0..*n) without surrounding whitespace (Python's str.strip). */
DD__PRIVATE const char *dd__lam_strip(const char *s, size_t *n) {
    while (*n && dd__lam_is_space((unsigned char)s[0])) s++, (*n)--;
    while (*n && dd__lam_is_space((unsigned char)s[*n - 1])) (*n)--;
    return s;
}

/* DD_SERVICE_MAPPING lookup as datadog-lambda-python's create_service_mapping reads it: entries
 * split on ',', each exactly one ':', key and value stripped, both non-empty and different; a
 * later entry with the same key wins. Returns the value's length (0 = no mapping). */
DD__PRIVATE size_t dd__lam_map(const dd_lambda *l, const char *key, size_t key_len, const char **val) {
    const char *p = l->mapping, *found = NULL;
    size_t found_n = 0;
    if (!p || !key_len) return 0;
    while (*p) {
        const char *e = strchr(p, ',');
        const char *c, *k, *v;
        size_t n = e ? (size_t)(e - p) : strlen(p), kn, vn;
        c = (const char *)memchr(p, ':', n);
        if (c && !memchr(c + 1, ':', (size_t)(p + n - c - 1))) {
            kn = (size_t)(c - p);
            vn = (size_t)(p + n - c - 1);
            k = dd__lam_strip(p, &kn);
            v = dd__lam_strip(c + 1, &vn);
            if (kn && vn && !(kn == vn && memcmp(k, v, kn) == 0) && kn == key_len && memcmp(k, key, kn) == 0) {
                found = v;
                found_n = vn;
            }
        }
        p += n;
        if (*p == ',') p++;
    }
    *val = found;
    return found_n;
}

/* The service of an inferred span (datadog-lambda-python determine_service_name): the mapping of
 * the specific key (api id, queue, topic, stream, table, bucket, event source), then of the
 * generic key (lambda_sqs, ...), then, with service representation off, the generic fallback,
 * else the instance name (stripped) or the fallback when it is empty. */
DD__PRIVATE void dd__lam_service(const dd_lambda *l, const char *span_name, const char *specific, const char *instance,
                                 char *out, size_t cap) {
    static const char *const kinds[][3] = {
        /* span name prefix, generic key, fallback ("" = the instance name, as the HTTP kinds) */
        {"aws.apigateway", "lambda_api_gateway", ""}, {"aws.httpapi", "lambda_api_gateway", ""},
        {"aws.lambda.url", "lambda_url", ""},         {"aws.alb", "lambda_alb", ""},
        {"aws.sqs", "lambda_sqs", "sqs"},             {"aws.sns", "lambda_sns", "sns"},
        {"aws.kinesis", "lambda_kinesis", "kinesis"}, {"aws.dynamodb", "lambda_dynamodb", "dynamodb"},
        {"aws.s3", "lambda_s3", "s3"},                {"aws.eventbridge", "lambda_eventbridge", "eventbridge"}};
    const char *generic = "", *fallback = "", *v = NULL;
    size_t i, n;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strncmp(span_name, kinds[i][0], strlen(kinds[i][0])) == 0) {
            generic = kinds[i][1];
            fallback = kinds[i][2][0] ? kinds[i][2] : instance;
            break;
        }
    }
    if ((n = dd__lam_map(l, specific, strlen(specific), &v)) != 0 || (n = dd__lam_map(l, generic, strlen(generic), &v)) != 0) {
        dd__lam_copy(out, cap, v, n);
        return;
    }
    if (!l->service_representation) {
        dd__lam_copy(out, cap, fallback, strlen(fallback));
        return;
    }
    n = strlen(instance);
    v = dd__lam_strip(instance, &n);
    if (n) dd__lam_copy(out, cap, v, n);
    else dd__lam_copy(out, cap, fallback, strlen(fallback));
}

/* Hooks of one invocation when it brings its own X-Ray header (Lambda-Runtime-Trace-Id): every
 * hook of the caller's config sees its own hook_user, and _X_AMZN_TRACE_ID reads the header. */
typedef struct dd__lam_hooks {
    const dd_lambda_config *orig;
    const char *xray;
} dd__lam_hooks;
DD__PRIVATE const char *dd__lam_h_getenv(void *u, const char *name) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    if (strcmp(name, "_X_AMZN_TRACE_ID") == 0) return h->xray;
    return dd__lam_env(h->orig, name);
}
DD__PRIVATE int64_t dd__lam_h_wall(void *u) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    return h->orig->wall_ns_fn(h->orig->hook_user);
}
DD__PRIVATE uint64_t dd__lam_h_random(void *u) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    return h->orig->random_fn(h->orig->hook_user);
}
DD__PRIVATE int dd__lam_h_send(void *u, const char *data, size_t len) {
    const dd__lam_hooks *h = (const dd__lam_hooks *)u;
    return h->orig->send_fn(h->orig->hook_user, data, len);
}

DD__PRIVATE int dd__lam_is_http(int event_source) {
    return event_source == DD_LAMBDA_EVENT_API_GATEWAY || event_source == DD_LAMBDA_EVENT_ALB ||
           event_source == DD_LAMBDA_EVENT_FUNCTION_URL;
}

/* Tags every inferred span carries (spec 8; datadog-lambda-python create_inferred_span_*). */
DD__PRIVATE void dd__lam_inferred_tags(dd_span *s, const char *operation, const char *resource, int async,
                                       const char *request_id) {
    if (operation) dd_span_set_tag(s, "operation_name", operation);
    dd_span_set_tag(s, "resource_names", resource);
    dd_span_set_kind(s, "server");
    if (request_id && request_id[0]) dd_span_set_tag(s, "request_id", request_id);
    dd_span_set_tag(s, "_inferred_span.tag_source", "self");
    dd_span_set_tag(s, "_inferred_span.synchronicity", async ? "async" : "sync");
    dd_span_set_tag(s, "_dd.origin", "lambda");
    dd_span_set_metric(s, "_dd._inferred_span", 1.0);
}

/*--- lifecycle ---*/
DD_API dd_lambda *dd_lambda_new(dd_tracer *t, const dd_lambda_options *opts) {
    dd_lambda_options zero;
    dd_lambda *l;
    const char *v;
    if (!t) return NULL;
    if (!opts) {
        memset(&zero, 0, sizeof zero);
        opts = &zero;
    }
    l = (dd_lambda *)dd__alloc(&t->alloc, sizeof *l);
    if (!l) return NULL;
    memset(l, 0, sizeof *l);
    l->t = t;
    if (opts->config) l->cfg = *opts->config;
    l->cfg.invoked_function_arn = NULL;
    if (!l->cfg.propagation) l->cfg.propagation = &t->prop; /* the tracer's DD_TRACE_PROPAGATION_STYLE* */
    l->managed_services = dd__lam_flag(&l->cfg, opts->managed_services, "DD_TRACE_MANAGED_SERVICES", 1);
    l->service_representation =
        dd__lam_flag(&l->cfg, opts->service_representation, "DD_TRACE_AWS_SERVICE_REPRESENTATION_ENABLED", 1);
    l->logs_injection = dd__lam_flag(&l->cfg, opts->logs_injection, "DD_LOGS_INJECTION", 1);
    l->log_128bit = dd__lam_flag(&l->cfg, opts->log_128bit, "DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED", 1);
    /* on unless asked off, as datadog-lambda-python and -js (spec 9; the README says so) */
    l->cold_start_tracing = dd__lam_flag(&l->cfg, opts->cold_start_tracing, "DD_COLD_START_TRACING", 1);
    l->min_cold_start_ns = INT64_C(3000000); /* datadog-lambda-python/-js default: 3 ms */
    if (opts->min_cold_start_duration_ms) {
        l->min_cold_start_ns = opts->min_cold_start_duration_ms < 0 ? 0 : (int64_t)opts->min_cold_start_duration_ms * 1000000;
    } else if ((v = dd__lam_env(&l->cfg, "DD_MIN_COLD_START_DURATION")) != NULL) {
        int64_t ms = 0;
        size_t i;
        for (i = 0; v[i] >= '0' && v[i] <= '9' && i < 9; i++) ms = ms * 10 + (v[i] - '0');
        if (i > 0 && v[i] == 0) l->min_cold_start_ns = ms * 1000000; /* else the default stays */
    }
    v = dd__lam_env(&l->cfg, "AWS_LAMBDA_INITIALIZATION_TYPE");
    l->managed_instances = v && strcmp(v, "lambda-managed-instances") == 0;
    v = opts->function_name ? opts->function_name : dd__lam_env(&l->cfg, "AWS_LAMBDA_FUNCTION_NAME");
    if (v) dd__lam_copy(l->function_name, sizeof l->function_name, v, strlen(v));
    v = opts->service ? opts->service : dd__lam_env(&l->cfg, "DD_SERVICE");
    if (v) dd__lam_copy(l->service, sizeof l->service, v, strlen(v));
    v = opts->service_mapping ? opts->service_mapping : dd__lam_env(&l->cfg, "DD_SERVICE_MAPPING");
    if (v && v[0]) {
        size_t n = strlen(v);
        l->mapping = (char *)dd__alloc(&t->alloc, n + 1);
        if (l->mapping) {
            memcpy(l->mapping, v, n + 1);
            l->mapping_size = n + 1;
        }
    }
    l->init_ns = opts->init_ns ? opts->init_ns : t->wall_ns_fn(t->hook_user);
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

DD_API void dd_lambda_free(dd_lambda *l) {
    dd_allocator a;
    dd__lam_inv *r, *next;
    int pass;
    if (!l) return;
    a = l->t->alloc;
    for (pass = 0; pass < 2; pass++) {
        for (r = pass ? l->spare : l->live; r; r = next) {
            next = r->next;
            dd__free(&a, r, sizeof *r);
        }
    }
    dd__free(&a, l->mapping, l->mapping_size);
    pthread_mutex_destroy(&l->lock);
    dd__free(&a, l, sizeof *l);
}

/* The trigger tags as datadog-lambda-python sends them in the "lambda_function_tags" subsegment
 * after the handler (spec 6.6): function_trigger.*, the HTTP tags, then http.status_code (added at
 * the end). Nothing when the trigger has no tags or they do not fit. */
DD__PRIVATE void dd__lam_tags_json(dd__lam_inv *rec, const dd_lambda_trigger *tr, const char *xray) {
    dd__tsb b;
    uint32_t i;
    if (tr->event_source == DD_LAMBDA_EVENT_UNKNOWN) return;
    dd__tsb_init(&b, rec->tags_json, sizeof rec->tags_json);
    dd__tsb_str(&b, "{\"function_trigger.event_source\":");
    dd__tsb_json_str(&b, dd_lambda_event_source_name(tr->event_source), strlen(dd_lambda_event_source_name(tr->event_source)));
    if (tr->event_source_arn[0]) {
        dd__tsb_str(&b, ",\"function_trigger.event_source_arn\":");
        dd__tsb_json_str(&b, tr->event_source_arn, strlen(tr->event_source_arn));
    }
    if (rec->http) dd__tsb_str(&b, ",\"span.kind\":\"server\"");
    for (i = 0; i < tr->n_trigger_tags && i < DD_LAMBDA_TRIGGER_TAGS_MAX; i++) {
        dd__tsb_str(&b, ",");
        dd__tsb_json_str(&b, tr->trigger_tags[i].key, strlen(tr->trigger_tags[i].key));
        dd__tsb_str(&b, ":");
        dd__tsb_json_str(&b, tr->trigger_tags[i].value, strlen(tr->trigger_tags[i].value));
    }
    if (b.need + 64 > sizeof rec->tags_json) return; /* room kept for http.status_code and "}" */
    rec->tags_len = b.need;
    if (xray) dd__lam_copy(rec->xray, sizeof rec->xray, xray, strlen(xray));
}

/*--- start ---*/
/* Starts the upstream span (when the trigger has one) and the inferred span; returns the inferred
 * span (NULL when none), *root_out the segment's root. */
DD__PRIVATE dd_span *dd__lam_start_inferred(dd_lambda *l, const dd_lambda_trigger *tr, const dd_trace_context *parent,
                                            const char *event, size_t event_len, const char *request_id,
                                            int64_t lambda_start) {
    dd_span_options so;
    dd_span *up = NULL, *inf;
    char service[DD__LAM_NAME_MAX], api_id[128];
    const char *operation = tr->span_name;
    int64_t start = tr->start_ns ? tr->start_ns : lambda_start;
    int http = dd__lam_is_http(tr->event_source);
    uint32_t i;
    api_id[0] = 0;
    if (http && tr->event_source != DD_LAMBDA_EVENT_ALB) { /* the specific DD_SERVICE_MAPPING key */
        dd_json ev, v;
        if (dd_json_parse(event, event_len, &ev) == DD_OK && dd_json_path(&ev, "requestContext.apiId", &v) == DD_OK)
            dd_json_string(&v, api_id, sizeof api_id, NULL);
    }
    /* API Gateway REST and HTTP API spans carry no operation_name (datadog-lambda-python #697) */
    if (strcmp(tr->span_name, "aws.apigateway") == 0 || strcmp(tr->span_name, "aws.httpapi") == 0) operation = NULL;
    memset(&so, 0, sizeof so);
    so.context = parent;
    if (tr->upstream_span_name[0]) {
        int authorizer = strcmp(tr->upstream_span_name, "aws.apigateway.authorizer") == 0;
        dd__lam_service(l, tr->upstream_span_name, authorizer ? api_id : tr->upstream_service, tr->upstream_service,
                        service, sizeof service);
        so.name = tr->upstream_span_name;
        so.service = service;
        so.resource = tr->upstream_resource;
        so.type = authorizer ? (tr->span_type[0] ? tr->span_type : "web") : "web";
        so.start_ns = tr->upstream_start_ns ? tr->upstream_start_ns : start;
        up = dd_span_start(l->t, &so);
        if (authorizer) { /* the API span's own tags, then its own name, always sync (Python) */
            for (i = 0; i < tr->n_tags && i < DD_LAMBDA_TAGS_MAX; i++)
                dd_span_set_tag(up, tr->tags[i].key, tr->tags[i].value);
            dd__lam_inferred_tags(up, tr->upstream_span_name, tr->upstream_resource, 0, request_id);
        } else {
            for (i = 0; i < tr->n_upstream_tags && i < DD_LAMBDA_UPSTREAM_TAGS_MAX; i++)
                dd_span_set_tag(up, tr->upstream_tags[i].key, tr->upstream_tags[i].value);
            dd__lam_inferred_tags(up, tr->upstream_span_name, tr->upstream_resource, 1, NULL);
        }
        memset(&so, 0, sizeof so);
        so.parent = up;
        if (!up) so.context = parent;
    }
    dd__lam_service(l, tr->span_name, http ? api_id : tr->service, tr->service, service, sizeof service);
    so.name = tr->span_name;
    so.service = service;
    so.resource = tr->resource;
    so.type = tr->span_type[0] ? tr->span_type : "web";
    so.start_ns = start;
    inf = dd_span_start(l->t, &so);
    for (i = 0; i < tr->n_tags && i < DD_LAMBDA_TAGS_MAX; i++) dd_span_set_tag(inf, tr->tags[i].key, tr->tags[i].value);
    dd__lam_inferred_tags(inf, operation, tr->resource, tr->is_async, http ? request_id : NULL);
    if (up) dd_span_finish_at(up, start); /* the upstream hop ends where the inferred span starts */
    return inf;
}

DD_API dd_span *dd_lambda_start_invocation(dd_lambda *l, const dd_lambda_invocation *inv, dd_lambda_trigger *trigger) {
    dd_lambda_config cfg;
    dd__lam_hooks hooks;
    dd_lambda_trigger local;
    dd_lambda_trigger *tr = trigger ? trigger : &local;
    dd_trace_context extracted, parent;
    dd_span_options so;
    dd_span *inf = NULL, *s;
    dd__lam_inv *rec;
    char arn[DD_LAMBDA_ARN_MAX + 1], name[DD__LAM_NAME_MAX], lower[DD__LAM_NAME_MAX], service[DD__LAM_NAME_MAX];
    const char *parts[9];
    size_t arn_len, n_parts = 0, i, name_len;
    int64_t start;
    int first, proactive, have_parent, merged_xray = 0;
    if (trigger) memset(trigger, 0, sizeof *trigger);
    if (!l || !inv) return NULL;
    cfg = l->cfg;
    cfg.invoked_function_arn = inv->invoked_function_arn;
    if (inv->xray_trace_id) {
        hooks.orig = &l->cfg;
        hooks.xray = inv->xray_trace_id;
        cfg.getenv_fn = dd__lam_h_getenv;
        cfg.wall_ns_fn = l->cfg.wall_ns_fn ? dd__lam_h_wall : NULL;
        cfg.random_fn = l->cfg.random_fn ? dd__lam_h_random : NULL;
        cfg.send_fn = l->cfg.send_fn ? dd__lam_h_send : NULL;
        cfg.hook_user = &hooks;
    }
    dd_lambda_extract(&cfg, inv->event, inv->event ? inv->event_len : 0, inv->client_context,
                      inv->client_context ? inv->client_context_len : 0, &extracted, tr);
    have_parent = dd_lambda_parent(&cfg, &extracted, tr->context_source, &parent) == DD_OK;
    if (have_parent && tr->context_source == DD_LAMBDA_CONTEXT_XRAY) merged_xray = 1; /* only with merging on */
    if (cfg.send_fn) dd_lambda_send_trace_metadata(&cfg, &extracted, tr->context_source);

    start = inv->start_ns ? inv->start_ns : l->t->wall_ns_fn(l->t->hook_user);
    pthread_mutex_lock(&l->lock);
    first = !l->started;
    l->started = 1;
    pthread_mutex_unlock(&l->lock);
    proactive = first && start - l->init_ns > DD__LAM_PROACTIVE_NS;

    /* the invoked ARN, lower-cased, in ':' parts (datadog-lambda-python create_function_execution_span) */
    arn_len = inv->invoked_function_arn ? strlen(inv->invoked_function_arn) : 0;
    if (arn_len > DD_LAMBDA_ARN_MAX) arn_len = 0;
    for (i = 0; i < arn_len; i++) arn[i] = (char)dd__t_lower((unsigned char)inv->invoked_function_arn[i]);
    arn[arn_len] = 0;
    parts[n_parts++] = arn;
    for (i = 0; i < arn_len && n_parts < 9; i++)
        if (arn[i] == ':') parts[n_parts++] = arn + i + 1;
    /* the function name: configured, else the ARN's (case kept), else "function" */
    name_len = strlen(l->function_name);
    if (name_len) {
        memcpy(name, l->function_name, name_len + 1);
    } else if (n_parts >= 7) {
        size_t off = (size_t)(parts[6] - arn), end = n_parts >= 8 ? (size_t)(parts[7] - arn) - 1 : arn_len;
        name_len = dd__lam_copy(name, sizeof name, inv->invoked_function_arn + off, end - off);
    }
    if (!name_len) name_len = dd__lam_copy(name, sizeof name, "function", 8);
    for (i = 0; i <= name_len; i++) lower[i] = (char)dd__t_lower((unsigned char)name[i]);
    if (l->service[0]) dd__lam_copy(service, sizeof service, l->service, strlen(l->service));
    else if (!l->service_representation) dd__lam_copy(service, sizeof service, "aws.lambda", 10);
    else dd__lam_copy(service, sizeof service, name, name_len);

    if (l->managed_services && tr->span_name[0])
        inf = dd__lam_start_inferred(l, tr, have_parent ? &parent : NULL, inv->event, inv->event ? inv->event_len : 0,
                                     inv->request_id, start);
    if (inf) { /* from the trigger tags, as datadog-lambda-python's wrapper _after: http.route, dd_resource_key */
        for (i = 0; i < tr->n_trigger_tags && i < DD_LAMBDA_TRIGGER_TAGS_MAX; i++)
            if (strcmp(tr->trigger_tags[i].key, "http.route") == 0 && tr->trigger_tags[i].value[0])
                dd_span_set_tag(inf, "http.route", tr->trigger_tags[i].value);
        if (tr->event_source != DD_LAMBDA_EVENT_UNKNOWN && tr->event_source_arn[0])
            dd_span_set_tag(inf, "dd_resource_key", tr->event_source_arn);
    }
    memset(&so, 0, sizeof so);
    so.parent = inf;
    so.context = !inf && have_parent ? &parent : NULL;
    so.name = "aws.lambda";
    so.service = service;
    so.resource = name;
    so.type = "serverless";
    so.start_ns = start;
    s = dd_span_start(l->t, &so);
    if (!s) {
        if (inf) dd_span_finish_at(inf, start);
        return NULL;
    }
    dd_span_set_kind(s, "server");
    if (!l->managed_instances) dd_span_set_tag(s, "cold_start", first && !proactive ? "true" : "false");
    if (proactive && !l->managed_instances) dd_span_set_tag(s, "proactive_initialization", "true");
    if (n_parts > 7) dd_span_set_tag_n(s, "function_arn", 12, arn, (size_t)(parts[7] - arn) - 1);
    else dd_span_set_tag_n(s, "function_arn", 12, arn, arn_len);
    if (n_parts > 7) {
        size_t vn = (size_t)((n_parts > 8 ? parts[8] - 1 : arn + arn_len) - parts[7]);
        dd_span_set_tag_n(s, "function_version", 16, parts[7], vn);
    } else {
        dd_span_set_tag(s, "function_version", "$LATEST");
    }
    dd_span_set_tag(s, "request_id", inv->request_id ? inv->request_id : "");
    dd_span_set_tag(s, "resource_names", name);
    dd_span_set_tag(s, "functionname", lower);
    dd_span_set_tag(s, "datadog_lambda", DD_VERSION_STRING);
    dd_span_set_tag(s, "dd_trace", DD_VERSION_STRING);
    dd_span_set_tag(s, "span.name", "aws.lambda");
    dd_span_set_tag(s, "_dd.origin", "lambda");
    if (merged_xray) dd_span_set_tag(s, "_dd.parent_source", "xray");
    if (tr->event_source != DD_LAMBDA_EVENT_UNKNOWN) {
        dd_span_set_tag(s, "function_trigger.event_source", dd_lambda_event_source_name(tr->event_source));
        if (tr->event_source_arn[0]) dd_span_set_tag(s, "function_trigger.event_source_arn", tr->event_source_arn);
    }
    for (i = 0; i < tr->n_trigger_tags && i < DD_LAMBDA_TRIGGER_TAGS_MAX; i++)
        dd_span_set_tag(s, tr->trigger_tags[i].key, tr->trigger_tags[i].value);
    if (first && !proactive && !l->managed_instances && l->cold_start_tracing && start - l->init_ns >= l->min_cold_start_ns &&
        start > l->init_ns) { /* the sandbox's initialisation (spec 9) */
        dd_span *load;
        memset(&so, 0, sizeof so);
        so.parent = s;
        so.name = "aws.lambda.load";
        so.service = "aws.lambda";
        so.resource = name;
        so.type = "aws.lambda.load";
        so.start_ns = l->init_ns;
        load = dd_span_start(l->t, &so);
        dd_span_set_tag(load, "resource_names", name);
        dd_span_set_tag(load, "resource.name", name);
        dd_span_set_tag(load, "operation_name", "aws.lambda.load");
        dd_span_finish_at(load, start);
    }

    pthread_mutex_lock(&l->lock);
    rec = l->spare;
    if (rec) l->spare = rec->next;
    pthread_mutex_unlock(&l->lock);
    if (!rec) rec = (dd__lam_inv *)dd__alloc(&l->t->alloc, sizeof *rec);
    if (!rec) { /* out of memory: nothing to finish later, so end the inferred span now */
        if (inf) dd_span_finish_at(inf, start);
        return s;
    }
    rec->lambda = s;
    rec->inferred = inf;
    rec->lambda_start = start;
    rec->inferred_async = tr->is_async;
    rec->http = dd__lam_is_http(tr->event_source);
    rec->tags_len = 0;
    rec->xray[0] = 0;
    if (l->cfg.send_fn) dd__lam_tags_json(rec, tr, inv->xray_trace_id);
    pthread_mutex_lock(&l->lock);
    rec->next = l->live;
    l->live = rec;
    pthread_mutex_unlock(&l->lock);
    return s;
}

/*--- end ---*/
/* http.status_code from the handler's response (spec 7.4): none or null -> 502; an object's
 * statusCode (number or string) as text; anything else -> 200. */
DD__PRIVATE size_t dd__lam_status(const char *resp, size_t len, char *out, size_t cap) {
    dd_json root, v;
    size_t n;
    if (!resp || !len || dd_json_parse(resp, len, &root) != DD_OK) return dd__lam_copy(out, cap, resp && len ? "200" : "502", 3);
    if (root.type == DD_JSON_NULL) return dd__lam_copy(out, cap, "502", 3);
    if (root.type != DD_JSON_OBJECT || dd_json_get(&root, "statusCode", 10, &v) != DD_OK)
        return dd__lam_copy(out, cap, "200", 3);
    if (v.type == DD_JSON_NUMBER) return dd__lam_copy(out, cap, v.p, v.n);
    if (v.type == DD_JSON_STRING && dd_json_string(&v, out, cap, &n) == DD_OK) return n;
    return dd__lam_copy(out, cap, "200", 3);
}

DD_API int dd_lambda_end_invocation(dd_lambda *l, dd_span *span, const char *response, size_t response_len,
                                    int is_error) {
    dd__lam_inv *rec = NULL, **pp;
    char status[32];
    size_t n = 0;
    if (!l) return DD_ERR_INVALID_ARG;
    if (span) {
        pthread_mutex_lock(&l->lock);
        for (pp = &l->live; *pp; pp = &(*pp)->next) {
            if ((*pp)->lambda == span) {
                rec = *pp;
                *pp = rec->next;
                break;
            }
        }
        pthread_mutex_unlock(&l->lock);
        if (rec && rec->http) {
            n = dd__lam_status(response, response ? response_len : 0, status, sizeof status);
            if (n) {
                dd_span_set_tag_n(span, "http.status_code", 16, status, n);
                dd_span_set_tag_n(rec->inferred, "http.status_code", 16, status, n);
                if (n == 3 && status[0] == '5') dd_span_set_error(span, 1); /* Python: aws.lambda only */
            }
        }
        if (is_error) dd_span_set_error(span, 1);
        if (rec && rec->tags_len) { /* X-Ray hybrid: the trigger tags to the invocation's segment */
            dd_lambda_config cfg = l->cfg;
            dd__lam_hooks hooks;
            size_t m = rec->tags_len;
            size_t k;
            for (k = 0; k < n && status[k] >= '0' && status[k] <= '9'; k++) {}
            if (rec->http && n && k == n) { /* digits only: safe inside a JSON string */
                memcpy(rec->tags_json + m, ",\"http.status_code\":\"", 21);
                memcpy(rec->tags_json + m + 21, status, n);
                memcpy(rec->tags_json + m + 21 + n, "\"", 1);
                m += 22 + n;
            }
            rec->tags_json[m++] = '}';
            if (rec->xray[0]) {
                hooks.orig = &l->cfg;
                hooks.xray = rec->xray;
                cfg.getenv_fn = dd__lam_h_getenv;
                cfg.wall_ns_fn = l->cfg.wall_ns_fn ? dd__lam_h_wall : NULL;
                cfg.random_fn = l->cfg.random_fn ? dd__lam_h_random : NULL;
                cfg.send_fn = dd__lam_h_send;
                cfg.hook_user = &hooks;
            }
            dd_xray_send_metadata(&cfg, "lambda_function_tags", 20, rec->tags_json, m);
        }
        dd_span_finish(span);
        if (rec && rec->inferred) {
            if (l->service[0]) dd_span_set_tag(rec->inferred, "peer.service", l->service);
            if (rec->inferred_async) dd_span_finish_at(rec->inferred, rec->lambda_start);
            else dd_span_finish(rec->inferred);
        }
        if (rec) {
            pthread_mutex_lock(&l->lock);
            rec->next = l->spare;
            l->spare = rec;
            pthread_mutex_unlock(&l->lock);
        }
    }
    return dd_tracer_flush(l->t);
}

/*--- log correlation ---*/
DD__PRIVATE void dd__lam_ids(const dd_lambda *l, const dd_span *s, char tid[33], char sid[21]) {
    dd_trace_id id;
    dd_span_trace_id(s, &id);
    if (id.hi && l->log_128bit) {
        dd__t_hex16(id.hi, tid);
        dd__t_hex16(id.lo, tid + 16);
    } else {
        dd__t_u64_dec(id.lo, tid);
    }
    dd__t_u64_dec(dd_span_id(s), sid);
}

DD_API size_t dd_lambda_log_prefix(const dd_lambda *l, const dd_span *span, char *out, size_t cap) {
    dd__tsb sb;
    char tid[33], sid[21];
    dd__tsb_init(&sb, out, cap);
    if (!l || !l->logs_injection) return 0;
    dd__lam_ids(l, span, tid, sid);
    dd__tsb_str(&sb, "[dd.trace_id=");
    dd__tsb_str(&sb, tid);
    dd__tsb_str(&sb, " dd.span_id=");
    dd__tsb_str(&sb, sid);
    dd__tsb_str(&sb, "] ");
    return sb.need;
}

DD_API size_t dd_lambda_log_json(const dd_lambda *l, const dd_span *span, char *out, size_t cap) {
    dd__tsb sb;
    char tid[33], sid[21];
    dd__tsb_init(&sb, out, cap);
    if (!l || !l->logs_injection) return 0;
    dd__lam_ids(l, span, tid, sid);
    dd__tsb_str(&sb, "\"dd\":{\"trace_id\":\"");
    dd__tsb_str(&sb, tid);
    dd__tsb_str(&sb, "\",\"span_id\":\"");
    dd__tsb_str(&sb, sid);
    dd__tsb_str(&sb, "\"}");
    return sb.need;
}

/* Two decimal digits. */
DD__PRIVATE void dd__lam_d2(dd__tsb *b, int64_t v, char sep) {
    char d[3];
    d[0] = (char)('0' + v / 10 % 10);
    d[1] = (char)('0' + v % 10);
    d[2] = sep;
    dd__tsb_add(b, d, sep ? 3 : 2);
}

DD_API size_t dd_lambda_log_line(const dd_lambda *l, const dd_span *span, const char *level, int64_t time_ns,
                                 const char *request_id, const char *message, size_t message_len, char *out,
                                 size_t cap) {
    dd__tsb sb;
    int64_t secs, days, sod, ms, y, m, d;
    char tid[33], sid[21], ms3[4];
    dd__tsb_init(&sb, out, cap);
    if (time_ns < 0) time_ns = 0;
    secs = time_ns / 1000000000;
    ms = time_ns / 1000000 % 1000;
    days = secs / 86400;
    sod = secs % 86400;
    { /* civil from days (Howard Hinnant's algorithm), days >= 0 */
        int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy, mp;
        y = yoe + era * 400;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        d = doy - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) y++;
    }
    dd__tsb_add(&sb, "[", 1);
    dd__tsb_str(&sb, level ? level : "");
    dd__tsb_add(&sb, "]\t", 2);
    dd__lam_d2(&sb, y / 100, 0);
    dd__lam_d2(&sb, y % 100, '-');
    dd__lam_d2(&sb, m, '-');
    dd__lam_d2(&sb, d, 'T');
    dd__lam_d2(&sb, sod / 3600, ':');
    dd__lam_d2(&sb, sod / 60 % 60, ':');
    dd__lam_d2(&sb, sod % 60, '.');
    ms3[0] = (char)('0' + ms / 100);
    ms3[1] = (char)('0' + ms / 10 % 10);
    ms3[2] = (char)('0' + ms % 10);
    ms3[3] = 'Z';
    dd__tsb_add(&sb, ms3, 4);
    dd__tsb_add(&sb, "\t", 1);
    dd__tsb_str(&sb, request_id ? request_id : "");
    dd__tsb_add(&sb, "\t", 1);
    if (l && l->logs_injection) {
        dd__lam_ids(l, span, tid, sid);
        dd__tsb_str(&sb, "[dd.trace_id=");
        dd__tsb_str(&sb, tid);
        dd__tsb_str(&sb, " dd.span_id=");
        dd__tsb_str(&sb, sid);
        dd__tsb_add(&sb, "]\t", 2);
    }
    dd__tsb_add(&sb, message ? message : "", message ? message_len : 0);
    dd__tsb_add(&sb, "\n", 1);
    return sb.need;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
