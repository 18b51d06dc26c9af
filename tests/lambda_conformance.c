/* tests/lambda_conformance.c - runs dd_lambda_extract over ../shared/conformance/lambda/ fixtures
 * (the ext-* fixtures through universal instrumentation: tests/lambda_conformance_ext.h).
 * Built and run by tests/lambda_conformance_test.sh; prints one line per family, then the total.
 * Not-applicable fixtures and documented deviations are listed in tests/fixtures/lambda/CONFORMANCE.md
 * and in the two tables below (keep them in step). */
#define DD_TRACE_IMPLEMENTATION /* with dd_lambda.h included: all four headers */
#include "dd_lambda.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

/* Fixtures that do not apply to dd-trace-c's extraction (reason in CONFORMANCE.md). */
static const char *const not_applicable[] = {
    "", /* none today: the ext-* fixtures run through universal instrumentation (lambda_conformance_ext.h) */
};

typedef struct env_kv { char name[64]; char value[512]; } env_kv;
static env_kv g_env[8];
static int g_nenv;
static const char *fx_getenv(void *user, const char *name) {
    int i;
    (void)user;
    for (i = 0; i < g_nenv; i++)
        if (strcmp(g_env[i].name, name) == 0) return g_env[i].value;
    return NULL;
}

static int fails; /* checks failed in the current fixture */
static const char *cur_id;
static void fail(const char *what, const char *got, const char *want) {
    fails++;
    fprintf(stderr, "  %s: %s: got %s, want %s\n", cur_id, what, got, want);
}

static int jstr(const dd_json *obj, const char *path, char *out, size_t cap) {
    dd_json v;
    out[0] = 0;
    if (dd_json_get(obj, path, strlen(path), &v) != DD_OK) return 0;
    if (v.type == DD_JSON_STRING) return dd_json_string(&v, out, cap, NULL) == DD_OK;
    if (v.n < cap) { memcpy(out, v.p, v.n); out[v.n] = 0; }
    return 1;
}

/* The custom extractors of the fixtures' `config.extractor_semantics`. */
static int extractor_foo(void *user, const char *event, size_t len, dd_trace_context *out) {
    dd_json root, foo;
    (void)user;
    if (dd_json_parse(event, len, &root) != DD_OK || dd_json_get(&root, "foo", 3, &foo) != DD_OK) return DD_ERR_MALFORMED;
    return dd_datadog_extract(NULL, foo.p, foo.n, out);
}
static int extractor_raises(void *user, const char *event, size_t len, dd_trace_context *out) {
    (void)user; (void)event; (void)len; (void)out;
    return DD_ERR_MALFORMED;
}

static void check_u64(const char *what, const dd_json *exp, const char *key, uint64_t got, int has) {
    dd_json v;
    char g[24], w[32];
    if (dd_json_get(exp, key, strlen(key), &v) != DD_OK) return;
    if (has) snprintf(g, sizeof g, "%llu", (unsigned long long)got); else strcpy(g, "null");
    if (v.type == DD_JSON_NULL) { if (has) fail(what, g, "null"); return; }
    jstr(exp, key, w, sizeof w);
    if (!has || strcmp(g, w) != 0) fail(what, g, w);
}
static void check_ctx(const char *what, const dd_json *exp, const dd_trace_context *c, int has, int prio_override) {
    dd_json v;
    char w[32], g[32];
    check_u64(what, exp, "trace_id", c->trace_id.lo, has);
    check_u64(what, exp, "parent_id", c->parent_id, has);
    if (dd_json_get(exp, "sampling_priority", 17, &v) == DD_OK) {
        if (v.type == DD_JSON_NULL) { if (has) fail("sampling_priority", "set", "null"); }
        else {
            jstr(exp, "sampling_priority", w, sizeof w);
            if (prio_override) snprintf(w, sizeof w, "%d", DD_PRIORITY_UNSET);
            snprintf(g, sizeof g, "%d", has ? (int)c->sampling_priority : -999);
            if (strcmp(g, w) != 0) fail("sampling_priority", g, w);
        }
    }
}

/* Inferred-span tags of dd_lambda_trigger; the span-common ones (operation_name, resource_names,
 * _inferred_span.*, _dd.origin, span.kind, request_id = the Lambda request id, peer.service) are
 * the invocation-span code's. */
static const char *const source_tags[] = {
    "apiid", "apiname", "endpoint", "http.method", "http.url", "http.useragent", "stage", "http.protocol",
    "http.source_ip", "connection_id", "event_type", "message_direction", "queuename", "event_source_arn",
    "sender_id", "receipt_handle", "topicname", "topic_arn", "message_id", "type", "subject", "streamname",
    "shardid", "event_id", "event_name", "event_version", "partition_key", "tablename", "stream_view_type",
    "size_bytes", "bucketname", "bucket_arn", "object_key", "object_size", "object_etag", "detail_type",
    "target_group_arn",
};
/* Fixtures whose inferred span follows the extension (EventBridge x-datadog-resource-name /
 * start-time); dd-trace-c follows the libraries. */
static const char *const inferred_skip[] = {
    "eb-02-resource-name-and-start-time", "eb-03-no-resource-name", "eb-04-no-start-time",
};
static const char *tag_in(const dd_lambda_tag *tags, uint32_t n, const char *key) {
    uint32_t i;
    for (i = 0; i < n; i++)
        if (strcmp(tags[i].key, key) == 0) return tags[i].value;
    return NULL;
}
static void check_inferred(const char *id, const dd_json *is, const dd_lambda_trigger *t) {
    char want[512], got[64];
    dd_json v, tags;
    size_t i;
    for (i = 0; i < sizeof inferred_skip / sizeof inferred_skip[0]; i++)
        if (strcmp(id, inferred_skip[i]) == 0) return;
    if (jstr(is, "name", want, sizeof want) && strcmp(t->span_name, want) != 0) fail("inferred name", t->span_name, want);
    if (dd_json_get(is, "service", 7, &v) == DD_OK && v.type == DD_JSON_STRING && jstr(is, "service", want, sizeof want) &&
        strcmp(t->service, want) != 0)
        fail("inferred service", t->service, want);
    if (dd_json_get(is, "resource", 8, &v) == DD_OK && v.type == DD_JSON_STRING && jstr(is, "resource", want, sizeof want) &&
        strcmp(t->resource, want) != 0)
        fail("inferred resource", t->resource, want);
    if (dd_json_get(is, "span_type", 9, &v) == DD_OK && v.type == DD_JSON_STRING && jstr(is, "span_type", want, sizeof want) &&
        strcmp(t->span_type, want) != 0)
        fail("inferred span_type", t->span_type, want);
    if (dd_json_get(is, "start_seconds", 13, &v) == DD_OK && v.type == DD_JSON_NUMBER) {
        double s = 0, g = (double)t->start_ns / 1e9;
        dd_json_number(&v, &s);
        snprintf(got, sizeof got, "%.6f", g);
        snprintf(want, sizeof want, "%.6f", s);
        if (g - s > 1e-3 || s - g > 1e-3) fail("inferred start", got, want);
    }
    if (dd_json_get(is, "start_ns", 8, &v) == DD_OK && v.type == DD_JSON_NUMBER) {
        uint64_t ns = 0;
        dd_json_u64(&v, &ns);
        snprintf(got, sizeof got, "%lld", (long long)t->start_ns);
        snprintf(want, sizeof want, "%llu", (unsigned long long)ns);
        if (strcmp(got, want) != 0) fail("inferred start_ns", got, want);
    }
    if (jstr(is, "upstream_inferred_span", want, sizeof want) && strcmp(t->upstream_span_name, want) != 0)
        fail("upstream span", t->upstream_span_name, want);
    if (dd_json_get(is, "tags_subset", 11, &tags) == DD_OK) {
        if (dd_json_get(&tags, "_inferred_span.synchronicity", 28, &v) == DD_OK) {
            dd_json_string(&v, want, sizeof want, NULL);
            if (strcmp(t->is_async ? "async" : "sync", want) != 0) fail("synchronicity", t->is_async ? "async" : "sync", want);
        }
        for (i = 0; i < sizeof source_tags / sizeof source_tags[0]; i++) {
            const char *g;
            if (!jstr(&tags, source_tags[i], want, sizeof want)) continue;
            g = tag_in(t->tags, t->n_tags, source_tags[i]);
            if (!g || strcmp(g, want) != 0) fail(source_tags[i], g ? g : "(absent)", want);
        }
    }
}
static void check_trigger_tags(const dd_json *tt, const dd_lambda_trigger *t) {
    dd_json_iter it;
    dd_json k, v;
    char key[64], want[512], n_want = 0;
    uint32_t n_http = 0, i;
    dd_json_iter_init(&it, tt);
    while (dd_json_next(&it, &k, &v) == DD_OK) {
        const char *g;
        dd_json_string(&k, key, sizeof key, NULL);
        if (strncmp(key, "http.", 5) != 0) continue;
        n_want++;
        dd_json_string(&v, want, sizeof want, NULL);
        g = tag_in(t->trigger_tags, t->n_trigger_tags, key);
        if (!g || strcmp(g, want) != 0) fail(key, g ? g : "(absent)", want);
    }
    for (i = 0; i < t->n_trigger_tags; i++) n_http++;
    if (n_http != (uint32_t)n_want) {
        char g[16], w[16];
        snprintf(g, sizeof g, "%u", n_http);
        snprintf(w, sizeof w, "%d", n_want);
        fail("number of http.* trigger tags", g, w);
    }
}

#include "lambda_conformance_spans.h" /* check_spans: the same fixtures through the invocation spans */
#include "lambda_conformance_ext.h"   /* run_ext_fixture: the Extension's lifecycle API */

static int run_fixture(const char *path, const char *id) {
    static char text[1 << 20];
    static char scratch[1 << 18];
    FILE *f = fopen(path, "rb");
    size_t n;
    dd_json root, exp, ev, v, lc, cc, env, cfgj;
    dd_lambda_config cfg;
    dd_trace_context ctx, parent;
    dd_lambda_trigger trig;
    char buf[512], want[512], arn[256];
    int rc, has, http15 = strcmp(id, "http-15-go-missing-sampling-priority") == 0;
    if (!f) return 0;
    n = fread(text, 1, sizeof text, f);
    fclose(f);
    fails = 0;
    cur_id = id;
    if (dd_json_parse(text, n, &root) != DD_OK) { fail("fixture", "unparseable", "json"); return 0; }
    dd_json_get(&root, "expected", 8, &exp);
    if (strncmp(id, "ext-", 4) == 0) return run_ext_fixture(id, &root, &exp);
    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = fx_getenv;
    cfg.scratch = scratch;
    cfg.scratch_len = sizeof scratch;
    g_nenv = 0;
    if (dd_json_get(&root, "env", 3, &env) == DD_OK) {
        dd_json_iter it;
        dd_json k, val;
        dd_json_iter_init(&it, &env);
        while (g_nenv < 8 && dd_json_next(&it, &k, &val) == DD_OK) {
            dd_json_string(&k, g_env[g_nenv].name, sizeof g_env[g_nenv].name, NULL);
            dd_json_string(&val, g_env[g_nenv].value, sizeof g_env[g_nenv].value, NULL);
            g_nenv++;
        }
    }
    arn[0] = 0;
    cc.p = NULL; cc.n = 0; cc.type = 0;
    if (dd_json_get(&root, "lambda_context", 14, &lc) == DD_OK) {
        jstr(&lc, "invoked_function_arn", arn, sizeof arn);
        dd_json_get(&lc, "client_context", 14, &cc);
    }
    if (arn[0]) cfg.invoked_function_arn = arn;
    if (dd_json_path(&root, "config.extractor_semantics", &cfgj) == DD_OK) {
        if (dd_json_string_eq(&cfgj, "raises", 6)) cfg.extractor_fn = extractor_raises;
        else cfg.extractor_fn = extractor_foo;
    }

    /* event-less vectors */
    if (strcmp(id, "sfn-21-hash-primitives") == 0 || strcmp(id, "xray-04-id-conversion-table") == 0) {
        dd_json table, row;
        size_t i;
        dd_json_get(&exp, "table", 5, &table);
        for (i = 0; dd_json_at(&table, i, &row) == DD_OK; i++) {
            char in[512], bits[32], val[32], got[32];
            if (id[0] == 's') {
                jstr(&row, "input", in, sizeof in);
                jstr(&row, "bits", bits, sizeof bits);
                if (!jstr(&row, "value", val, sizeof val)) {
                    /* only a binary form given: 64 '0'/'1' digits */
                    char bin[80];
                    uint64_t u = 0;
                    size_t j;
                    jstr(&row, "binary", bin, sizeof bin);
                    for (j = 0; bin[j]; j++) u = (u << 1) | (uint64_t)(bin[j] == '1');
                    snprintf(val, sizeof val, "%llu", (unsigned long long)u);
                }
                snprintf(got, sizeof got, "%llu",
                         (unsigned long long)dd_sfn_hash(in, strlen(in), strncmp(bits, "high", 4) == 0));
                if (strcmp(got, val) != 0) fail(in, got, val);
            } else {
                dd_trace_context x;
                char hdr[600];
                int ok;
                if (jstr(&row, "xray_trace_id_part", in, sizeof in)) {
                    snprintf(hdr, sizeof hdr, "Root=1-5e272390-%s;Parent=0000000000000001;Sampled=1", in);
                    ok = dd_xray_parse(hdr, strlen(hdr), &x) == DD_OK;
                    jstr(&row, "dd_trace_id", val, sizeof val);
                    snprintf(got, sizeof got, "%llu", (unsigned long long)x.trace_id.lo);
                } else if (jstr(&row, "xray_root", in, sizeof in)) {
                    snprintf(hdr, sizeof hdr, "Root=%s;Parent=0000000000000001;Sampled=1", in);
                    ok = dd_xray_parse(hdr, strlen(hdr), &x) == DD_OK;
                    jstr(&row, "dd_trace_id", val, sizeof val);
                    snprintf(got, sizeof got, "%llu", (unsigned long long)x.trace_id.lo);
                } else if (jstr(&row, "xray_entity_id", in, sizeof in)) {
                    snprintf(hdr, sizeof hdr, "Root=1-5e272390-8c398be037738dc042009320;Parent=%s;Sampled=1", in);
                    ok = dd_xray_parse(hdr, strlen(hdr), &x) == DD_OK;
                    jstr(&row, "dd_span_id", val, sizeof val);
                    snprintf(got, sizeof got, "%llu", (unsigned long long)x.parent_id);
                } else if (jstr(&row, "xray_sampled", in, sizeof in)) {
                    snprintf(hdr, sizeof hdr, "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=%s", in);
                    ok = dd_xray_parse(hdr, strlen(hdr), &x) == DD_OK;
                    jstr(&row, "dd_priority", val, sizeof val);
                    snprintf(got, sizeof got, "%d", (int)x.sampling_priority);
                } else {
                    continue;
                }
                if (!ok) strcpy(got, "null");
                if (strcmp(val, "") == 0) strcpy(val, "null");
                if (strcmp(got, val) != 0) fail(in, got, val);
            }
        }
        return fails == 0;
    }
    if (strcmp(id, "xray-09-metadata-subsegment") == 0) {
        static const char value[] = "{\"test\":\"metadata\"}";
        const char *h = fx_getenv(NULL, "_X_AMZN_TRACE_ID");
        char out[1024];
        size_t len = dd_xray_subsegment(out, sizeof out, h, strlen(h), "11111", 5, (int64_t)1487076708 * 1000000000,
                                        "test-key", 8, value, sizeof value - 1);
        jstr(&exp, "udp_datagram", want, sizeof want);
        if (len != strlen(want) || strcmp(out, want) != 0) fail("udp_datagram", out, want);
        len = dd_xray_subsegment(out, sizeof out, "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=0",
                                 74, "11111", 5, 0, "k", 1, "{}", 2);
        if (len != 0) fail("sent_when_sampled_0", "sent", "not sent");
        return fails == 0;
    }

    if (dd_json_get(&root, "input", 5, &lc) == DD_OK && dd_json_get(&lc, "aws_trace_header", 16, &v) == DD_OK) {
        /* AWSTraceHeader conversion: as Records[0].attributes.AWSTraceHeader of an SQS event */
        char evbuf[700], h[512];
        dd_json_string(&v, h, sizeof h, NULL);
        snprintf(evbuf, sizeof evbuf, "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"attributes\":{\"AWSTraceHeader\":\"%s\"}}]}", h);
        rc = dd_lambda_extract(&cfg, evbuf, strlen(evbuf), NULL, 0, &ctx, &trig);
    } else {
        dd_json_get(&root, "event", 5, &ev);
        rc = dd_lambda_extract(&cfg, ev.type == DD_JSON_NULL ? NULL : ev.p, ev.type == DD_JSON_NULL ? 0 : ev.n,
                               cc.p, cc.n, &ctx, &trig);
        check_spans(id, &root, &exp, &cfg, ev.type == DD_JSON_NULL ? NULL : ev.p, ev.type == DD_JSON_NULL ? 0 : ev.n,
                    cc.p, cc.n);
    }
    has = rc == DD_OK;
    check_ctx("context", &exp, &ctx, has, http15);
    if (jstr(&exp, "source", want, sizeof want)) {
        const char *g = trig.context_source == DD_LAMBDA_CONTEXT_EVENT ? "event"
                        : trig.context_source == DD_LAMBDA_CONTEXT_XRAY ? "xray" : "none";
        if (strcmp(g, want) != 0) fail("source", g, want);
    }
    if (jstr(&exp, "event_source", want, sizeof want)) {
        const char *g = dd_lambda_event_source_name(trig.event_source);
        if (strcmp(g, want) != 0) fail("event_source", g, want);
    }
    if (dd_json_get(&exp, "trace_id_high_hex", 17, &v) == DD_OK) {
        const char *tv = NULL;
        size_t tl = 0;
        if (v.type == DD_JSON_NULL) {
            if (dd_ptags_get(&ctx, "_dd.p.tid", 9, &tv, &tl) == DD_OK) fail("_dd.p.tid", "set", "absent");
        } else {
            jstr(&exp, "trace_id_high_hex", want, sizeof want);
            buf[0] = 0;
            if (dd_ptags_get(&ctx, "_dd.p.tid", 9, &tv, &tl) == DD_OK && tl < sizeof buf) { memcpy(buf, tv, tl); buf[tl] = 0; }
            if (strcmp(buf, want) != 0) fail("_dd.p.tid", buf, want);
            snprintf(buf, sizeof buf, "%llx", (unsigned long long)ctx.trace_id.hi);
            if (strcmp(buf, want) != 0 && !(want[0] == '0')) fail("trace_id.hi", buf, want);
        }
    }
    if (dd_json_get(&exp, "propagation_tags", 16, &v) == DD_OK) {
        dd_json_iter it;
        dd_json k, val;
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, &k, &val) == DD_OK) {
            char key[64];
            const char *tv;
            size_t tl;
            dd_json_string(&k, key, sizeof key, NULL);
            dd_json_string(&val, want, sizeof want, NULL);
            buf[0] = 0;
            if (dd_ptags_get(&ctx, key, strlen(key), &tv, &tl) == DD_OK && tl < sizeof buf) { memcpy(buf, tv, tl); buf[tl] = 0; }
            if (strcmp(buf, want) != 0) fail(key, buf, want);
        }
    }
    if (strncmp(id, "sfn-", 4) != 0 && jstr(&exp, "origin", want, sizeof want)) {
        if (strcmp(ctx.origin, want) != 0) fail("origin", ctx.origin, want);
    }
    if (dd_json_get(&exp, "trigger_tags", 12, &v) == DD_OK) {
        if (jstr(&v, "function_trigger.event_source_arn", want, sizeof want) && strcmp(trig.event_source_arn, want) != 0)
            fail("event_source_arn", trig.event_source_arn, want);
        if (!jstr(&v, "function_trigger.event_source_arn", want, sizeof want) && trig.event_source_arn[0] &&
            trig.event_source != DD_LAMBDA_EVENT_EVENTBRIDGE)
            fail("event_source_arn", trig.event_source_arn, "(none)");
        check_trigger_tags(&v, &trig);
    }
    if (dd_json_get(&exp, "inferred_span", 13, &v) == DD_OK) check_inferred(id, &v, &trig);
    /* X-Ray merging: the aws.lambda span's parent */
    if (dd_json_get(&exp, "aws_lambda_parent_context", 25, &v) == DD_OK) {
        int prc = dd_lambda_parent(&cfg, &ctx, trig.context_source, &parent);
        check_ctx("aws_lambda_parent_context", &v, &parent, prc == DD_OK, 0);
    }
    if (dd_json_get(&exp, "aws_lambda_parent_context_merge_on", 34, &v) == DD_OK ||
        dd_json_get(&exp, "merge_on_root_context", 21, &v) == DD_OK) {
        int prc;
        cfg.merge_xray = DD_ON;
        prc = dd_lambda_parent(&cfg, &ctx, trig.context_source, &parent);
        check_ctx("merge on parent", &v, &parent, prc == DD_OK, 0);
        cfg.merge_xray = DD_OFF;
        if (dd_json_get(&exp, "aws_lambda_parent_context_merge_off", 35, &v) == DD_OK ||
            dd_json_get(&exp, "merge_off_root_context", 22, &v) == DD_OK) {
            prc = dd_lambda_parent(&cfg, &ctx, trig.context_source, &parent);
            if (v.n == 2) { if (prc == DD_OK) fail("merge off parent", "set", "none"); }
            else check_ctx("merge off parent", &v, &parent, prc == DD_OK, 0);
        }
    }
    return fails == 0;
}

typedef struct family { char name[16]; int pass, fail; } family;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "../shared/conformance/lambda";
    DIR *d = opendir(dir);
    struct dirent *e;
    char *names[512];
    size_t nn = 0, i, j;
    family fam[32];
    size_t nf = 0;
    int total_pass = 0, total_fail = 0, skipped = 0;
    if (!d) {
        printf("lambda_conformance: %s absent, skipped\n", dir);
        printf("lambda_conformance: 0 passed, 0 failed\n");
        return 0;
    }
    while ((e = readdir(d)) != NULL && nn < 512) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof names[0], cmp_str);
    for (i = 0; i < nn; i++) {
        char path[1024], id[256], fname[16];
        const char *dash = strchr(names[i], '-');
        int ok, na = 0;
        size_t fl = dash ? (size_t)(dash - names[i]) : 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(id, sizeof id, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        for (j = 0; j < sizeof not_applicable / sizeof not_applicable[0]; j++)
            if (strcmp(id, not_applicable[j]) == 0) na = 1;
        if (na) { skipped++; free(names[i]); continue; }
        if (fl >= sizeof fname) fl = sizeof fname - 1;
        memcpy(fname, names[i], fl);
        fname[fl] = 0;
        for (j = 0; j < nf; j++)
            if (strcmp(fam[j].name, fname) == 0) break;
        if (j == nf && nf < 32) { memset(&fam[nf], 0, sizeof fam[nf]); strcpy(fam[nf].name, fname); nf++; }
        ok = run_fixture(path, id);
        if (ok) { fam[j].pass++; total_pass++; } else { fam[j].fail++; total_fail++; fprintf(stderr, "FAIL %s\n", id); }
        free(names[i]);
    }
    for (j = 0; j < nf; j++) printf("  %-8s %d passed, %d failed\n", fam[j].name, fam[j].pass, fam[j].fail);
    printf("  (%d fixtures not applicable, see tests/fixtures/lambda/CONFORMANCE.md)\n", skipped);
    printf("lambda_conformance: %d passed, %d failed\n", total_pass, total_fail);
    return total_fail ? 1 : 0;
}
