/* tests/lambda_extract_diff.c — prints everything dd_lambda_extract returns, one line per input
 * and configuration, so that two builds (an older dd_lambda.h and the current one) can be compared
 * line for line: tests/lambda_extract_diff_test.sh builds both and diffs their outputs.
 *
 *   lambda_extract_diff [file ...]
 * Inputs: each file (its bytes after the first as the event, as fuzz/corpus/lambda_event holds
 * them; those bytes wrapped as fuzz_lambda_event's modes 1-3 do (a JSON-escaped SQS String
 * attribute, base64 SNS Binary attribute, base64 Kinesis data) and as a JSON-escaped SQS body;
 * and the whole file as the client context of an empty event), then the big events of
 * bench/lambda_events.h at 6 MB, 40 KB and 6 KB (the scratch's thresholds), each also cut short
 * (malformed). Configurations: the default scratch; a caller's 200-byte scratch; an X-Ray header
 * in the environment with the function's ARN; a caller's 1 MiB scratch; no trigger (the context
 * alone).
 * The dump names every field (context: ids, priority, origin, ptags, tracestate, links, baggage
 * through the public iterator; trigger: every field), so a change of a struct's layout does not
 * show as a difference. Only public API is used.
 *
 * Each input file is also read by the public JSON reader (json_walk): dd_json_parse, then every
 * member and element through dd_json_next (iteratively, 64 levels at most), each string unescaped
 * by dd_json_string into a roomy and a 4-byte buffer and compared by dd_json_string_eq with its
 * own decoding and with that decoding one byte short, each number by dd_json_number: one line per
 * file with a digest of all of it. */
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION
#include "dd_lambda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/lambda_events.h"

static unsigned long long g_fnv;
static void h_bytes(const void *p, size_t n) {
    const unsigned char *s = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) g_fnv = (g_fnv ^ s[i]) * 1099511628211ull;
}
static void h_str(const char *s) { h_bytes(s, strlen(s) + 1); }
static void h_u64(unsigned long long v) { h_bytes(&v, sizeof v); }

static const char *g_xray;
static const char *my_getenv(void *user, const char *name) {
    (void)user;
    if (strcmp(name, "_X_AMZN_TRACE_ID") == 0) return g_xray;
    return NULL;
}

static void dump(const char *name, int conf, int rc, const dd_trace_context *c, const dd_lambda_trigger *t) {
    uint32_t i;
    dd_baggage_iter it = {0, 0};
    const char *k, *v;
    size_t kn, vn;
    g_fnv = 1469598103934665603ull;
    h_u64((unsigned long long)(unsigned)rc);
    h_u64(c->trace_id.hi); h_u64(c->trace_id.lo); h_u64(c->parent_id); h_u64((unsigned long long)c->sampling_priority);
    h_u64(c->origin_len); h_str(c->origin); h_u64(c->ptags_len); h_str(c->ptags);
    h_u64(c->tracestate_len); h_str(c->tracestate); h_u64(c->dd_member_extra_len); h_str(c->dd_member_extra);
    h_u64((unsigned long long)c->has_w3c_parent); h_u64(c->w3c_parent_id); h_str(c->propagation_error);
    h_u64(c->n_links);
    for (i = 0; i < c->n_links && i < DD_SPAN_LINKS_MAX; i++) {
        h_u64(c->links[i].trace_id.hi); h_u64(c->links[i].trace_id.lo); h_u64(c->links[i].span_id);
        h_u64((unsigned long long)c->links[i].flags); h_str(c->links[i].tracestate); h_str(c->links[i].reason);
        h_str(c->links[i].context_headers);
    }
    h_u64(c->dropped); h_str(c->last_parent_id); h_u64((unsigned long long)c->style); h_u64(c->ptags_lost);
    while (dd_baggage_next(&c->baggage, &it, &k, &kn, &v, &vn) == DD_OK) {
        h_bytes(k, kn); h_u64(kn); h_bytes(v, vn); h_u64(vn);
    }
    h_u64((unsigned long long)t->event_source); h_u64((unsigned long long)t->event_subtype);
    h_u64((unsigned long long)t->context_source); h_str(t->event_source_arn); h_str(t->span_name);
    h_str(t->service); h_str(t->resource); h_u64((unsigned long long)t->start_ns); h_u64((unsigned long long)t->is_async);
    h_u64(t->n_tags);
    for (i = 0; i < t->n_tags && i < DD_LAMBDA_TAGS_MAX; i++) { h_str(t->tags[i].key); h_str(t->tags[i].value); }
    h_str(t->span_type); h_str(t->upstream_span_name); h_str(t->upstream_service); h_str(t->upstream_resource);
    h_u64((unsigned long long)t->upstream_start_ns); h_u64(t->n_upstream_tags);
    for (i = 0; i < t->n_upstream_tags && i < DD_LAMBDA_UPSTREAM_TAGS_MAX; i++) {
        h_str(t->upstream_tags[i].key); h_str(t->upstream_tags[i].value);
    }
    h_u64(t->n_trigger_tags);
    for (i = 0; i < t->n_trigger_tags && i < DD_LAMBDA_TRIGGER_TAGS_MAX; i++) {
        h_str(t->trigger_tags[i].key); h_str(t->trigger_tags[i].value);
    }
    printf("%s #%d rc=%d trace=%016llx%016llx parent=%llu prio=%d src=%s ctx=%d span=%s service=%s tags=%u digest=%016llx\n",
           name, conf, rc, (unsigned long long)c->trace_id.hi, (unsigned long long)c->trace_id.lo,
           (unsigned long long)c->parent_id, c->sampling_priority, dd_lambda_event_source_name(t->event_source),
           t->context_source, t->span_name, t->service, t->n_tags, g_fnv);
}

static dd_trace_context g_out;
static dd_lambda_trigger g_trig;
static char g_small[200];
static char *g_big;

static void run(const char *name, const char *ev, size_t n, const char *cc, size_t ccn) {
    int conf;
    for (conf = 0; conf < 5; conf++) {
        dd_lambda_config cfg;
        int rc;
        memset(&cfg, 0, sizeof cfg);
        cfg.getenv_fn = my_getenv;
        g_xray = NULL;
        if (conf == 1) { cfg.scratch = g_small; cfg.scratch_len = sizeof g_small; }
        if (conf == 2) {
            g_xray = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
            cfg.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:diff";
        }
        if (conf == 3) { cfg.scratch = g_big; cfg.scratch_len = 1 << 20; }
        rc = dd_lambda_extract(&cfg, ev, n, cc, ccn, &g_out, conf == 4 ? NULL : &g_trig);
        if (conf == 4) memset(&g_trig, 0, sizeof g_trig);
        dump(name, conf, rc, &g_out, &g_trig);
    }
}

/* The JSON reader over one text, digested (see the top). No recursion: a stack of iterators. */
static void json_walk(const char *name, const char *text, size_t n) {
    dd_json root, k, v;
    dd_json_iter stack[64];
    int depth = 0, rc;
    unsigned long long values = 0;
    static char out[1 << 16];
    char tiny[4];
    g_fnv = 1469598103934665603ull;
    rc = dd_json_parse(text, n, &root);
    h_u64((unsigned long long)(unsigned)rc);
    if (rc == DD_OK) {
        dd_json_iter_init(&stack[depth++], &root);
        while (depth > 0) {
            if (dd_json_next(&stack[depth - 1], &k, &v) != DD_OK) { depth--; continue; }
            values++;
            h_u64((unsigned long long)v.type); h_u64(v.n); h_u64((unsigned long long)(v.p ? v.p - text : -1));
            if (k.p) {
                size_t len = 0;
                h_u64((unsigned long long)(k.p - text)); h_u64(k.n);
                h_u64((unsigned long long)(unsigned)dd_json_string(&k, out, sizeof out, &len)); h_u64(len);
                if (len < sizeof out) {
                    h_bytes(out, len);
                    h_u64((unsigned long long)dd_json_string_eq(&k, out, len));
                    h_u64((unsigned long long)(len ? dd_json_string_eq(&k, out, len - 1) : 2));
                }
            }
            if (v.type == DD_JSON_STRING) {
                size_t len = 0, tl = 0;
                h_u64((unsigned long long)(unsigned)dd_json_string(&v, out, sizeof out, &len)); h_u64(len);
                if (len < sizeof out) {
                    h_bytes(out, len);
                    h_u64((unsigned long long)dd_json_string_eq(&v, out, len));
                    h_u64((unsigned long long)(len ? dd_json_string_eq(&v, out, len - 1) : 2));
                }
                h_u64((unsigned long long)(unsigned)dd_json_string(&v, tiny, sizeof tiny, &tl)); h_u64(tl);
                h_bytes(tiny, tl < sizeof tiny ? tl + 1 : 1);
            } else if (v.type == DD_JSON_NUMBER) {
                double d = 0;
                h_u64((unsigned long long)(unsigned)dd_json_number(&v, &d)); h_bytes(&d, sizeof d);
            } else if ((v.type == DD_JSON_OBJECT || v.type == DD_JSON_ARRAY) && depth < 64) {
                dd_json_iter_init(&stack[depth++], &v);
            }
        }
    }
    printf("%s json rc=%d values=%llu digest=%016llx\n", name, rc, values, g_fnv);
}

int main(int argc, char **argv) {
    int i, s;
    static const size_t sizes[3] = {6000000, 40000, 6000};
    g_big = (char *)malloc(1 << 20);
    if (!g_big) return 2;
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        char *buf;
        long n;
        if (!f) { perror(argv[i]); return 2; }
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = (char *)malloc((size_t)n + 1);
        if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "%s: read failed\n", argv[i]); return 2; }
        fclose(f);
        json_walk(argv[i], n ? buf + 1 : buf, n ? (size_t)n - 1 : 0);
        json_walk(argv[i], buf, (size_t)n);
        run(argv[i], n ? buf + 1 : buf, n ? (size_t)n - 1 : 0, NULL, 0);
        run(argv[i], "{}", 2, buf, (size_t)n);
        if (n > 1) {
            static const char *const pre[4] = {
                "{\"Records\":[{\"body\":\"x\",\"messageAttributes\":{\"_datadog\":{\"dataType\":\"String\",\"stringValue\":\"",
                "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\",\"MessageAttributes\":{\"_datadog\":{\"Type\":\"Binary\",\"Value\":\"",
                "{\"Records\":[{\"eventSource\":\"aws:kinesis\",\"eventSourceARN\":\"arn:aws:kinesis:us-east-1:1:stream/s\",\"kinesis\":{\"data\":\"",
                "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-1:1:q\",\"body\":\""};
            static const char *const post[4] = {
                "\"}},\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-1:1:q\"}]}", "\"}}}}]}", "\"}}]}",
                "\",\"messageAttributes\":{}}]}"};
            static const char *const tag[4] = {"+sqs-attr", "+sns-b64", "+kinesis", "+sqs-body"};
            int m;
            for (m = 0; m < 4; m++) {
                dd__bev_buf w = {0, 0, 0};
                char name[512];
                dd__bev_str(&w, pre[m]);
                if (m == 1 || m == 2) {
                    dd__bev_b64(&w, (const unsigned char *)buf + 1, (size_t)n - 1);
                } else {
                    long j;
                    for (j = 1; j < n; j++) {
                        unsigned char ch = (unsigned char)buf[j];
                        char e[8];
                        if (ch == '"' || ch == '\\') { e[0] = '\\'; e[1] = (char)ch; dd__bev_put(&w, e, 2); }
                        else if (ch < 0x20) { snprintf(e, sizeof e, "\\u%04x", ch); dd__bev_put(&w, e, 6); }
                        else dd__bev_put(&w, (const char *)&ch, 1);
                    }
                }
                dd__bev_str(&w, post[m]);
                snprintf(name, sizeof name, "%s%s", argv[i], tag[m]);
                run(name, w.p, w.n, NULL, 0);
                free(w.p);
            }
        }
        free(buf);
    }
    for (s = 0; s < DD__BEV_COUNT; s++) {
        int z;
        for (z = 0; z < 3; z++) {
            size_t n;
            char *ev = dd__bev_make(s, sizes[z], &n), name[64];
            snprintf(name, sizeof name, "%s@%zu", dd__bev_names[s], sizes[z]);
            run(name, ev, n, NULL, 0);
            snprintf(name, sizeof name, "%s@%zu-cut", dd__bev_names[s], sizes[z]);
            run(name, ev, n - 1, NULL, 0);
            free(ev);
        }
    }
    free(g_big);
    return 0;
}
