/* tests/trace_payload_gen.c - writes the requests the tracer produces for a set of scenarios, for
 * tests/trace_payload_check.py to decode with python3-msgpack (tests/trace_payload_test.sh).
 *   cc -std=c99 -I.. trace_payload_gen.c -o gen -lpthread && ./gen OUT_DIR
 * For each request: OUT_DIR/<scenario>.<n>.bin (the body) and OUT_DIR/<scenario>.<n>.hdr (one
 * "Name: value" line per header), plus OUT_DIR/<scenario>.pid (the process id). The clocks and
 * the random source are fixed, so every id and time is known in advance. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *out_dir;
static const char *scenario;
static int n_req;
static int64_t mono;
static uint64_t rnd[16];
static size_t n_rnd, i_rnd;
static const char *env_vars[8][2];
static size_t n_env;
static const char *resp_body = "{\"rate_by_service\":{}}";
static size_t reject_over; /* > 0: bodies larger than this get 413 (the agent's MaxRequestBytes) */

static int64_t wall_fn(void *u) {
    (void)u;
    return INT64_C(1732170000123456789) + mono;
}
static int64_t mono_fn(void *u) {
    (void)u;
    return mono;
}
static uint64_t random_fn(void *u) {
    (void)u;
    if (i_rnd < n_rnd) return rnd[i_rnd++];
    return UINT64_C(0x1000) + i_rnd++;
}
static const char *getenv_fn(void *u, const char *name) {
    size_t i;
    (void)u;
    for (i = 0; i < n_env; i++)
        if (strcmp(env_vars[i][0], name) == 0) return env_vars[i][1];
    return NULL;
}
static int transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    char path[512];
    FILE *f;
    size_t i;
    (void)u;
    snprintf(path, sizeof path, "%s/%s.%d.bin", out_dir, scenario, n_req);
    f = fopen(path, "wb");
    if (!f) return -1;
    fwrite(req->body, 1, req->body_len, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s.%d.hdr", out_dir, scenario, n_req);
    f = fopen(path, "wb");
    if (!f) return -1;
    fprintf(f, "%s %s\n", req->method, req->path);
    for (i = 0; i < req->n_headers; i++) fprintf(f, "%s: %s\n", req->headers[i].name, req->headers[i].value);
    fclose(f);
    n_req++;
    if (reject_over && req->body_len > reject_over) { /* docs/agent-protocol.md §5.2 */
        resp->status = 413;
        resp->body = "payload-too-large";
        resp->body_len = 17;
        return 0;
    }
    resp->status = 200;
    resp->body = resp_body;
    resp->body_len = strlen(resp_body);
    return 0;
}

static dd_tracer *begin(const char *name, dd_tracer_config *c) {
    char path[512];
    FILE *f;
    scenario = name;
    n_req = 0;
    mono = 1000;
    i_rnd = 0;
    c->wall_ns_fn = wall_fn;
    c->mono_ns_fn = mono_fn;
    c->random_fn = random_fn;
    c->getenv_fn = getenv_fn;
    c->transport_fn = transport;
    c->cgroup_path = "";
    c->flush_interval_ms = -1;
    c->startup_logs = DD_OFF;
    snprintf(path, sizeof path, "%s/%s.pid", out_dir, name);
    f = fopen(path, "wb");
    if (f) {
        fprintf(f, "%ld\n", (long)getpid());
        fclose(f);
    }
    return dd_tracer_new(c);
}
static void set_random(const uint64_t *v, size_t n) {
    memcpy(rnd, v, n * sizeof *v);
    n_rnd = n;
    i_rnd = 0;
}

/* basic: a root (web), a child (sql, error, measured), a child of another service. */
static void scenario_basic(void) {
    static const uint64_t r[] = {UINT64_C(0x91a2b3c4d5e6f708), 0x11, 0x22, 0x33};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child, *other;
    dd_span_options o;
    memset(&c, 0, sizeof c);
    n_env = 0;
    env_vars[n_env][0] = "DD_SERVICE", env_vars[n_env++][1] = "svc";
    env_vars[n_env][0] = "DD_ENV", env_vars[n_env++][1] = "prod";
    env_vars[n_env][0] = "DD_VERSION", env_vars[n_env++][1] = "1.2.3";
    env_vars[n_env][0] = "DD_TAGS", env_vars[n_env++][1] = "team:core,region:eu";
    t = begin("basic", &c);
    set_random(r, 4);
    memset(&o, 0, sizeof o);
    o.name = "http.request";
    o.resource = "GET /users";
    o.type = "web";
    root = dd_span_start(t, &o);
    dd_span_set_kind(root, "server");
    dd_span_set_tag(root, "http.method", "GET");
    dd_span_set_metric(root, "http.status_code_num", 200);
    mono += 500;
    child = dd_span_start_child(root, "db.query");
    dd_span_set_resource(child, "SELECT ?");
    dd_span_set_type(child, "sql");
    dd_span_set_error_info(child, "ETIMEDOUT", "timeout", "at db.c:12");
    dd_span_set_measured(child, 1);
    dd_span_set_metric(child, "rows", 3);
    mono += 1000;
    dd_span_finish(child);
    memset(&o, 0, sizeof o);
    o.parent = root;
    o.name = "cache.get";
    o.service = "redis";
    other = dd_span_start(t, &o);
    dd_span_set_tag(other, "env", "override");
    dd_span_finish_at(other, INT64_C(1732170000123456789) + mono + 250);
    mono += 1500000;
    dd_span_finish(root);
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

/* context: a local root continuing an extracted context, with a span link. */
static void scenario_context(void) {
    static const uint64_t r[] = {0x44, 0x55};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s, *child;
    dd_trace_context ctx;
    dd_span_options o;
    memset(&c, 0, sizeof c);
    n_env = 0;
    c.service = "consumer";
    t = begin("context", &c);
    set_random(r, 2);
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.hi = UINT64_C(0x640cfd8d00000000);
    ctx.trace_id.lo = UINT64_C(0xc151df7d6ee5e2d6);
    ctx.parent_id = UINT64_C(0xa3978fb9b92502a8);
    ctx.sampling_priority = 2;
    strcpy(ctx.origin, "synthetics");
    ctx.origin_len = 10;
    strcpy(ctx.ptags, "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000,_dd.p.usr.id=baz64");
    ctx.ptags_len = (uint32_t)strlen(ctx.ptags);
    strcpy(ctx.tracestate, "foo=bar");
    ctx.tracestate_len = 7;
    strcpy(ctx.last_parent_id, "a3978fb9b92502a8");
    ctx.n_links = 1;
    ctx.links[0].trace_id.hi = UINT64_C(0x1111111111111111);
    ctx.links[0].trace_id.lo = UINT64_C(0x2222222222222222);
    ctx.links[0].span_id = UINT64_C(0x3333333333333333);
    ctx.links[0].flags = (int32_t)UINT32_C(0x80000001);
    strcpy(ctx.links[0].tracestate, "dd=s:2;o:rum");
    strcpy(ctx.links[0].reason, "terminated_context");
    strcpy(ctx.links[0].context_headers, "tracecontext");
    memset(&o, 0, sizeof o);
    o.context = &ctx;
    o.name = "queue.consume";
    s = dd_span_start(t, &o);
    child = dd_span_start_child(s, "process");
    mono += 10;
    dd_span_finish(child);
    dd_span_finish(s);
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

/* upstream_ksr: an extracted rule decision (priority 2, _dd.p.dm=-3, _dd.p.ksr=1.000000) flows on
 * unchanged: on the chunk root and in the injected context (docs/sampling.md §8 and §9). The
 * context's propagated tags go to OUT_DIR/upstream_ksr.ptags. */
static void scenario_upstream_ksr(void) {
    static const uint64_t r[] = {0x45, 0x56};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s, *child;
    dd_trace_context ctx, out;
    dd_span_options o;
    char path[512];
    FILE *f;
    memset(&c, 0, sizeof c);
    n_env = 0;
    c.service = "downstream";
    t = begin("upstream_ksr", &c);
    set_random(r, 2);
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.lo = UINT64_C(0x1234);
    ctx.parent_id = UINT64_C(0x5678);
    ctx.sampling_priority = 2;
    strcpy(ctx.ptags, "_dd.p.dm=-3,_dd.p.ksr=1.000000");
    ctx.ptags_len = (uint32_t)strlen(ctx.ptags);
    memset(&o, 0, sizeof o);
    o.context = &ctx;
    o.name = "consume";
    s = dd_span_start(t, &o);
    child = dd_span_start_child(s, "work");
    if (dd_span_context(child, &out) == DD_OK) {
        snprintf(path, sizeof path, "%s/upstream_ksr.ptags", out_dir);
        f = fopen(path, "wb");
        if (f) {
            fwrite(out.ptags, 1, out.ptags_len, f);
            fclose(f);
        }
    }
    dd_span_finish(child);
    dd_span_finish(s);
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

/* many_ptags: an extracted context with 40 propagated tags (476 of the 512 bytes x-datadog-tags
 * may hold): every one reaches the chunk root's meta. */
static void scenario_many_ptags(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_trace_context ctx;
    dd_span_options o;
    int i;
    memset(&c, 0, sizeof c);
    n_env = 0;
    c.service = "many";
    t = begin("many_ptags", &c);
    n_rnd = 0;
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.lo = UINT64_C(0x4321);
    ctx.parent_id = UINT64_C(0x8765);
    ctx.sampling_priority = 1;
    for (i = 0; i < 40; i++) {
        char kv[16];
        int n = snprintf(kv, sizeof kv, "%s_dd.p.k%02d=v", i ? "," : "", i);
        memcpy(ctx.ptags + ctx.ptags_len, kv, (size_t)n);
        ctx.ptags_len += (uint32_t)n;
    }
    memset(&o, 0, sizeof o);
    o.context = &ctx;
    o.name = "many";
    dd_span_finish(dd_span_start(t, &o));
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

/* id64: 64-bit trace ids, manual reject. */
static void scenario_id64(void) {
    static const uint64_t r[] = {UINT64_C(0xf1a2b3c4d5e6f708), UINT64_C(0x8000000000000066)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    memset(&c, 0, sizeof c);
    n_env = 0;
    env_vars[n_env][0] = "DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED", env_vars[n_env++][1] = "false";
    c.service = "svc64";
    t = begin("id64", &c);
    set_random(r, 2);
    s = dd_span_start(t, NULL);
    dd_span_set_name(s, "job");
    dd_span_set_priority(s, DD_PRIORITY_USER_REJECT);
    dd_span_finish(s);
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

/* partial: partial flush with 2 spans minimum; a root and 3 children. */
static void scenario_partial(void) {
    static const uint64_t r[] = {0x77, 0x1, 0x2, 0x3, 0x4};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *k[3];
    int i;
    memset(&c, 0, sizeof c);
    n_env = 0;
    env_vars[n_env][0] = "DD_TRACE_PARTIAL_FLUSH_ENABLED", env_vars[n_env++][1] = "true";
    env_vars[n_env][0] = "DD_TRACE_PARTIAL_FLUSH_MIN_SPANS", env_vars[n_env++][1] = "2";
    c.service = "long";
    t = begin("partial", &c);
    set_random(r, 5);
    root = dd_span_start(t, NULL);
    for (i = 0; i < 3; i++) k[i] = dd_span_start_child(root, "step");
    dd_span_finish(k[0]);
    dd_span_finish(k[1]);
    dd_tracer_flush(t);
    dd_span_finish(k[2]);
    dd_span_finish(root);
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

/* split: 40 traces under a 2000-byte request limit. */
static void scenario_split(void) {
    dd_tracer_config c;
    dd_tracer *t;
    int i;
    memset(&c, 0, sizeof c);
    n_env = 0;
    c.service = "split";
    c.max_request_bytes = 2000;
    t = begin("split", &c);
    n_rnd = 0;
    for (i = 0; i < 40; i++) {
        dd_span *s = dd_span_start(t, NULL);
        dd_span_set_tag(s, "i", "0123456789012345678901234567890123456789");
        dd_span_finish(s);
    }
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

/* too_large: an agent whose limit is 1500 bytes answers 413 to the first request (12 traces):
 * the chunks must arrive in smaller requests, none sent twice (docs/agent-protocol.md §5.2). */
static void scenario_too_large(void) {
    dd_tracer_config c;
    dd_tracer *t;
    int i;
    memset(&c, 0, sizeof c);
    n_env = 0;
    c.service = "big";
    t = begin("too_large", &c);
    n_rnd = 0;
    for (i = 0; i < 12; i++) {
        dd_span *s = dd_span_start(t, NULL);
        dd_span_set_tag(s, "pad", "0123456789012345678901234567890123456789");
        dd_span_finish(s);
    }
    reject_over = 1500;
    dd_tracer_flush(t);
    reject_over = 0;
    dd_tracer_free(t);
}

/* agent_rate: the agent's rate 0 for service:web,env:prod rejects the second trace. */
static void scenario_agent_rate(void) {
    static const uint64_t r[] = {0x100, 0x101, 0x200, 0x201};
    dd_tracer_config c;
    dd_tracer *t;
    memset(&c, 0, sizeof c);
    n_env = 0;
    c.service = "web";
    c.env = "prod";
    t = begin("agent_rate", &c);
    set_random(r, 4);
    resp_body = "{\"rate_by_service\":{\"service:web,env:prod\":0,\"service:,env:\":1}}";
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    resp_body = "{\"rate_by_service\":{}}";
    dd_tracer_free(t);
}

/* strings: invalid UTF-8 repaired, empty strings, long values. */
static void scenario_strings(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    static char long_value[3001];
    memset(&c, 0, sizeof c);
    n_env = 0;
    c.service = "str";
    t = begin("strings", &c);
    n_rnd = 0;
    memset(long_value, 'v', 3000);
    s = dd_span_start(t, NULL);
    dd_span_set_tag(s, "bad", "a\xff" "b");
    dd_span_set_tag(s, "empty", "");
    dd_span_set_tag(s, "long", long_value);
    dd_span_set_tag(s, "utf8", "caf\xc3\xa9 \xe2\x82\xac");
    dd_span_finish(s);
    dd_tracer_flush(t);
    dd_tracer_free(t);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    out_dir = argv[1];
    scenario_basic();
    scenario_context();
    scenario_upstream_ksr();
    scenario_many_ptags();
    scenario_id64();
    scenario_partial();
    scenario_split();
    scenario_too_large();
    scenario_agent_rate();
    scenario_strings();
    return 0;
}
