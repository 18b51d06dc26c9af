/* tests/lambda_stack_test.c - every public call of dd_lambda.h runs within 16 KiB of stack
 * (issue #15 item 6; the figures are in dd_lambda.h's STACK table).
 *
 * Each call runs alone on a thread whose stack is guarded 16 KiB below its entry
 * (tests/stack_probe.h), with its deepest inputs: extraction of a 6 MB SQS event with a 200 KB
 * carrier (the room allocated), of small events that decode nested payloads (SNS Binary, Step
 * Functions, a Lambda authorizer, a client context), X-Ray merging; invocations in both modes:
 * Extension mode with universal instrumentation (start- and end-invocation requests, the error
 * headers) and X-Ray datagrams, Forwarder mode with the enhanced metrics and the trace written
 * through dd_lambda_forwarder_transport by the synchronous flush. Arguments live off the probed
 * stack (static or heap). The list of calls is read from dd_lambda.h (every `DD_API ... dd_name(`):
 * a public function without a probe here fails the test. Under a sanitizer frames are several
 * times larger: the budget is then 64 KiB and the figures are only reported. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION
#include "../dd_lambda.h"
#include "test.h"
#include "../bench/lambda_events.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack_probe.h"

#define LIMIT 16384 /* the promise of every public call (issue #15) */
#ifdef STACK_PROBE_ASAN
#define BUDGET_DEFAULT (4 * LIMIT)
#else
#define BUDGET_DEFAULT LIMIT
#endif
static size_t BUDGET = BUDGET_DEFAULT;

/*--- inputs and hooks (all static: nothing on the probed stack) ---*/

static const char *g_xray_env = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
static const char *env(void *u, const char *name) {
    (void)u;
    if (strcmp(name, "_X_AMZN_TRACE_ID") == 0) return g_xray_env;
    if (strcmp(name, "DD_MERGE_XRAY_TRACES") == 0) return "true";
    if (strcmp(name, "AWS_LAMBDA_FUNCTION_NAME") == 0) return "demo";
    if (strcmp(name, "DD_SERVICE_MAPPING") == 0) return "demo-queue:queue-svc,demo-topic:topic-svc";
    if (strcmp(name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE") == 0) return "1024";
    return NULL;
}
static unsigned long g_datagrams, g_lines, g_requests;
static int sink_datagram(void *u, const char *data, size_t len) { (void)u; (void)data; g_datagrams += len > 0; return 0; }
static int sink_write(void *u, const char *data, size_t len) { (void)u; (void)data; g_lines += len > 0; return 0; }
static uint64_t g_rand = 0x1234567;
static uint64_t next_random(void *u) { (void)u; g_rand = g_rand * 6364136223846793005ull + 1442695040888963407ull; return g_rand >> 1; }
static int64_t g_wall = INT64_C(1700000000000000000);
static int64_t wall(void *u) { (void)u; return g_wall += 1000000; }

/* The tracer's transport: keeps the last v0.4 body for the forwarder probe. */
static unsigned char *g_body;
static size_t g_body_len;
static int keep_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u;
    free(g_body);
    g_body = (unsigned char *)malloc(req->body_len ? req->body_len : 1);
    if (g_body) memcpy(g_body, req->body, req->body_len);
    g_body_len = g_body ? req->body_len : 0;
    resp->status = 200;
    resp->body = "{\"rate_by_service\":{}}";
    resp->body_len = strlen(resp->body);
    return 0;
}
/* The Extension's lifecycle API: every request answered, start-invocation with a context. */
static int ext_request(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u;
    (void)req;
    g_requests++;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}
static const char *ext_header(void *u, const char *name, size_t *len) {
    const char *v = NULL;
    (void)u;
    if (strcmp(name, "x-datadog-trace-id") == 0) v = "4948377316357291421";
    else if (strcmp(name, "x-datadog-sampling-priority") == 0) v = "2";
    else if (strcmp(name, "x-datadog-tags") == 0) v = "_dd.p.dm=-0,_dd.p.tid=66bcb5eb00000000";
    if (v && len) *len = strlen(v);
    return v;
}

static char *g_big;                 /* the 6 MB SQS event */
static size_t g_big_len;
static char g_sns[2048], g_sfn[4096], g_auth[4096];
static size_t g_sns_len, g_sfn_len, g_auth_len;
static const char g_cc[] = "{\"custom\":{\"_datadog\":{\"x-datadog-trace-id\":\"4948377316357291421\","
                           "\"x-datadog-parent-id\":\"6746998015037429512\",\"x-datadog-sampling-priority\":\"2\","
                           "\"traceparent\":\"00-66bcb5eb0000000044ac2af39c13bd9d-5d9ed3cd1d2a4c38-01\","
                           "\"tracestate\":\"dd=s:2;p:5d9ed3cd1d2a4c38;t.dm:-0,foo=bar\",\"baggage\":\"a=1,b=2\"}}}";

static void b64(const char *in, size_t n, char *out) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16 | (uint32_t)(unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out[o++] = a[v >> 18]; out[o++] = a[(v >> 12) & 63]; out[o++] = a[(v >> 6) & 63]; out[o++] = a[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
        out[o++] = a[v >> 18]; out[o++] = a[(v >> 12) & 63]; out[o++] = '='; out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16 | (uint32_t)(unsigned char)in[i + 1] << 8;
        out[o++] = a[v >> 18]; out[o++] = a[(v >> 12) & 63]; out[o++] = a[(v >> 6) & 63]; out[o++] = '=';
    }
    out[o] = 0;
}
static void make_inputs(void) {
    static const char carrier[] = "{\"x-datadog-trace-id\":\"4948377316357291421\",\"x-datadog-parent-id\":"
                                  "\"6746998015037429512\",\"x-datadog-sampling-priority\":\"2\","
                                  "\"x-datadog-tags\":\"_dd.p.dm=-0,_dd.p.tid=66bcb5eb00000000\"}";
    char enc[1024];
    g_big = dd__bev_make(DD__BEV_SQS, 6000000, &g_big_len);
    b64(carrier, strlen(carrier), enc);
    g_sns_len = (size_t)snprintf(g_sns, sizeof g_sns,
        "{\"Records\":[{\"EventSource\":\"aws:sns\",\"EventSubscriptionArn\":\"arn:aws:sns:us-east-1:123456789012:demo-topic:1\","
        "\"Sns\":{\"Type\":\"Notification\",\"MessageId\":\"95df01b4\",\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:demo-topic\","
        "\"Subject\":\"s\",\"Message\":\"m\",\"Timestamp\":\"2023-11-14T22:13:20.000Z\","
        "\"MessageAttributes\":{\"_datadog\":{\"Type\":\"Binary\",\"Value\":\"%s\"}}}}]}", enc);
    g_sfn_len = (size_t)snprintf(g_sfn, sizeof g_sfn,
        "{\"Payload\":{\"Execution\":{\"Id\":\"arn:aws:states:us-east-1:123456789012:execution:sm:e1\","
        "\"Input\":{\"_datadog\":{\"x-datadog-trace-id\":\"4948377316357291421\",\"x-datadog-tags\":\"_dd.p.dm=-0,_dd.p.tid=66bcb5eb00000000\"}},"
        "\"StartTime\":\"2023-11-14T22:13:20.000Z\",\"Name\":\"e1\",\"RedriveCount\":1},"
        "\"State\":{\"Name\":\"step\",\"EnteredTime\":\"2023-11-14T22:13:20.100Z\",\"RetryCount\":2},"
        "\"StateMachine\":{\"Id\":\"arn:aws:states:us-east-1:123456789012:stateMachine:sm\",\"Name\":\"sm\"}}}");
    g_auth_len = (size_t)snprintf(g_auth, sizeof g_auth,
        "{\"resource\":\"/users/{id}\",\"path\":\"/users/42\",\"httpMethod\":\"GET\",\"headers\":{\"Host\":\"abc.execute-api.us-east-1.amazonaws.com\","
        "\"User-Agent\":\"curl\",\"x-amz-invocation-type\":\"RequestResponse\"},\"multiValueHeaders\":{\"Host\":[\"abc.execute-api.us-east-1.amazonaws.com\"]},"
        "\"requestContext\":{\"resourcePath\":\"/users/{id}\",\"httpMethod\":\"GET\",\"requestId\":\"r-1\",\"path\":\"/prod/users/42\","
        "\"stage\":\"prod\",\"requestTimeEpoch\":1700000000000,\"domainName\":\"abc.execute-api.us-east-1.amazonaws.com\",\"apiId\":\"abc\","
        "\"identity\":{\"userAgent\":\"curl\"},\"authorizer\":{\"integrationLatency\":7,\"_datadog\":\"%s\"}}}", enc);
}

/*--- the probes ---*/

static volatile size_t g_sink;
static dd_lambda_config g_cfg;
static dd_trace_context g_out, g_parent;
static dd_lambda_trigger g_trig;
static char g_text[8192];
static uint8_t g_bytes[4096];
static size_t g_n;
static int g_rc;
static dd_tracer *g_t_ext, *g_t_fwd;
static dd_lambda *g_l_ext, *g_l_fwd;
static dd_lambda_forwarder g_fwd;
static dd_span *g_span;
static dd_lambda_invocation g_inv;
static const char *const g_tags[3] = {"env:prod", "team:payments", "source:stack-test"};

static void p_empty(void *a) { (void)a; }
static void p_dd_status_str(void *a) { (void)a; g_sink = strlen(dd_status_str(DD_ERR_MALFORMED)); }
static void p_dd_version(void *a) { (void)a; g_sink = (size_t)dd_version(); }
static void p_dd_base64_decode(void *a) { (void)a; g_rc = dd_base64_decode(g_text, strlen(g_text), g_bytes, sizeof g_bytes, &g_n); }
static void p_dd_sha256(void *a) { (void)a; dd_sha256(g_sfn, g_sfn_len, g_bytes); }
static void p_dd_sfn_hash(void *a) { (void)a; g_sink = (size_t)dd_sfn_hash(g_sfn, g_sfn_len, 1); }
static void p_dd_lambda_event_source_name(void *a) { (void)a; g_sink = strlen(dd_lambda_event_source_name(DD_LAMBDA_EVENT_SQS)); }
static void p_extract_big(void *a) { (void)a; g_rc = dd_lambda_extract(&g_cfg, g_big, g_big_len, NULL, 0, &g_out, &g_trig); }
static void p_extract_sns(void *a) { (void)a; g_rc = dd_lambda_extract(&g_cfg, g_sns, g_sns_len, NULL, 0, &g_out, &g_trig); }
static void p_extract_sfn(void *a) { (void)a; g_rc = dd_lambda_extract(&g_cfg, g_sfn, g_sfn_len, NULL, 0, &g_out, NULL); }
static void p_extract_authorizer(void *a) { (void)a; g_rc = dd_lambda_extract(&g_cfg, g_auth, g_auth_len, NULL, 0, &g_out, &g_trig); }
static void p_extract_client_context(void *a) { (void)a; g_rc = dd_lambda_extract(&g_cfg, "{}", 2, g_cc, strlen(g_cc), &g_out, &g_trig); }
static void p_dd_lambda_parent(void *a) { (void)a; g_rc = dd_lambda_parent(&g_cfg, &g_out, DD_LAMBDA_CONTEXT_EVENT, &g_parent); }
static void p_dd_xray_subsegment(void *a) {
    (void)a;
    g_sink = dd_xray_subsegment(g_text, sizeof g_text, g_xray_env, strlen(g_xray_env), "0123456789abcdef", 16, g_wall,
                                "trace", 5, "{\"trace-id\":\"1\"}", 16);
}
static void p_dd_lambda_send_trace_metadata(void *a) { (void)a; g_rc = dd_lambda_send_trace_metadata(&g_cfg, &g_out, DD_LAMBDA_CONTEXT_EVENT); }
static void p_dd_xray_send_metadata(void *a) { (void)a; g_rc = dd_xray_send_metadata(&g_cfg, "lambda_function_tags", 20, "{\"a\":\"b\"}", 9); }
static dd_lambda_options g_opts_ext, g_opts_fwd;
static void p_dd_lambda_new(void *a) {
    (void)a;
    g_l_ext = dd_lambda_new(g_t_ext, &g_opts_ext);
    g_l_fwd = dd_lambda_new(g_t_fwd, &g_opts_fwd);
}
static void p_start_ext_big(void *a) { /* universal instrumentation, the 6 MB event */
    (void)a;
    g_inv.event = g_big;
    g_inv.event_len = g_big_len;
    g_span = dd_lambda_start_invocation(g_l_ext, &g_inv, NULL);
}
static void p_dd_lambda_set_invocation_error(void *a) {
    static char msg[1000], stack[1000];
    (void)a;
    memset(msg, 'm', sizeof msg - 1);
    memset(stack, 's', sizeof stack - 1);
    dd_lambda_set_invocation_error(g_l_ext, g_span, "RuntimeError", msg, stack);
}
static void p_end_ext(void *a) { (void)a; g_rc = dd_lambda_end_invocation(g_l_ext, g_span, "{\"statusCode\":500}", 18, 1); }
static void p_start_fwd(void *a) { /* Forwarder mode: inferred spans, X-Ray datagrams, cold start */
    (void)a;
    g_inv.event = g_auth;
    g_inv.event_len = g_auth_len;
    g_inv.client_context = g_cc;
    g_inv.client_context_len = strlen(g_cc);
    g_span = dd_lambda_start_invocation(g_l_fwd, &g_inv, &g_trig);
}
static void p_dd_lambda_log_prefix(void *a) { (void)a; g_sink = dd_lambda_log_prefix(g_l_fwd, g_span, g_text, sizeof g_text); }
static void p_dd_lambda_log_json(void *a) { (void)a; g_sink = dd_lambda_log_json(g_l_fwd, g_span, g_text, sizeof g_text); }
static void p_dd_lambda_log_line(void *a) {
    (void)a;
    g_sink = dd_lambda_log_line(g_l_fwd, g_span, "INFO", g_wall, "8286a188", "hello", 5, g_text, sizeof g_text);
}
static void p_end_fwd(void *a) { (void)a; g_rc = dd_lambda_end_invocation(g_l_fwd, g_span, "{\"statusCode\":200}", 18, 0); }
static void p_dd_dogstatsd_distribution(void *a) { (void)a; g_sink = dd_dogstatsd_distribution(g_text, sizeof g_text, "orders.placed", 1.5, g_tags, 3, 1700000000); }
static void p_dd_lambda_metric_line(void *a) { (void)a; g_sink = dd_lambda_metric_line(g_text, sizeof g_text, "orders.placed", 1.5, g_tags, 3, 1700000000); }
static void p_metric_ext(void *a) { (void)a; g_rc = dd_lambda_metric(g_l_ext, "orders.placed", 1.5, g_tags, 3, 0); }
static void p_metric_fwd(void *a) { (void)a; g_rc = dd_lambda_metric(g_l_fwd, "orders.placed", 1.5, g_tags, 3, 0); }
static void p_dd_lambda_mode(void *a) { (void)a; g_sink = (size_t)dd_lambda_mode(g_l_ext); }
static void p_dd_lambda_forwarder_transport(void *a) {
    dd_http_request req;
    static dd_http_response resp;
    (void)a;
    memset(&req, 0, sizeof req);
    req.method = "PUT";
    req.path = "/v0.4/traces";
    req.body = g_body;
    req.body_len = g_body_len;
    g_rc = dd_lambda_forwarder_transport(&g_fwd, &req, &resp);
}
static void p_dd_lambda_free(void *a) {
    (void)a;
    dd_lambda_free(g_l_ext);
    dd_lambda_free(g_l_fwd);
}

#define E(fn) {#fn, p_##fn}
typedef struct probe_entry {
    const char *name; /* the public function (a probe of another input names it after a ':') */
    void (*fn)(void *);
} probe_entry;
static const probe_entry probes[] = {
    E(empty),
    E(dd_status_str), E(dd_version), E(dd_base64_decode), E(dd_sha256), E(dd_sfn_hash),
    E(dd_lambda_event_source_name),
    {"dd_lambda_extract: 6 MB SQS, 200 KB carrier", p_extract_big},
    {"dd_lambda_extract: SNS Binary attribute", p_extract_sns},
    {"dd_lambda_extract: Step Functions, no trigger", p_extract_sfn},
    {"dd_lambda_extract: API Gateway, Lambda authorizer", p_extract_authorizer},
    {"dd_lambda_extract: client context", p_extract_client_context},
    E(dd_lambda_parent), E(dd_xray_subsegment), E(dd_lambda_send_trace_metadata), E(dd_xray_send_metadata),
    E(dd_lambda_new),
    {"dd_lambda_start_invocation: Extension, universal instrumentation, 6 MB", p_start_ext_big},
    E(dd_lambda_set_invocation_error),
    {"dd_lambda_end_invocation: Extension, error headers, flush", p_end_ext},
    {"dd_lambda_start_invocation: Forwarder, inferred spans, X-Ray", p_start_fwd},
    E(dd_lambda_log_prefix), E(dd_lambda_log_json), E(dd_lambda_log_line),
    {"dd_lambda_end_invocation: Forwarder, enhanced metrics, trace lines", p_end_fwd},
    E(dd_dogstatsd_distribution), E(dd_lambda_metric_line),
    {"dd_lambda_metric: Extension (DogStatsD)", p_metric_ext},
    {"dd_lambda_metric: Forwarder (log line)", p_metric_fwd},
    E(dd_lambda_mode), E(dd_lambda_forwarder_transport), E(dd_lambda_free),
};
#define N_PROBES (sizeof probes / sizeof probes[0])
static size_t used[N_PROBES];

/*--- the list of public functions, from the header ---*/

#define MAX_API 128
static char api[MAX_API][64];
static size_t n_api;
static void read_api(const char *path) { CHECK(stack_probe_read_api(path, api, MAX_API, &n_api) == 0); }
static int probe_names(const char *fn, const char *probe) {
    size_t n = strlen(fn);
    return strncmp(probe, fn, n) == 0 && (probe[n] == 0 || probe[n] == ':');
}

static void test_every_public_function_is_probed(void) {
    size_t i, j;
    read_api("../dd_lambda.h");
    CHECK(n_api > 20); /* the reader found the declarations */
    for (i = 0; i < n_api; i++) {
        for (j = 0; j < N_PROBES; j++)
            if (probe_names(api[i], probes[j].name)) break;
        if (!CHECK(j < N_PROBES)) fprintf(stderr, "  no stack probe for the public function %s\n", api[i]);
    }
}

static void setup(void) {
    dd_tracer_config tc;
    static dd_lambda_config lc_ext, lc_fwd;
    make_inputs();
    memset(&g_cfg, 0, sizeof g_cfg);
    g_cfg.getenv_fn = env;
    g_cfg.send_fn = sink_datagram;
    g_cfg.random_fn = next_random;
    g_cfg.wall_ns_fn = wall;
    g_cfg.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:demo:live";
    b64("{\"x-datadog-trace-id\":\"1\"}", 26, g_text);
    memset(&tc, 0, sizeof tc);
    tc.random_fn = next_random;
    tc.wall_ns_fn = wall;
    tc.getenv_fn = env;
    tc.transport_fn = keep_transport;
    tc.delivery = DD_DELIVERY_MANUAL;
    tc.startup_logs = DD_OFF;
    tc.cgroup_path = "";
    g_t_ext = dd_tracer_new(&tc);
    memset(&g_fwd, 0, sizeof g_fwd);
    g_fwd.write_fn = sink_write;
    g_t_fwd = dd_tracer_new(&tc);
    lc_ext = g_cfg;
    lc_fwd = g_cfg;
    memset(&g_opts_ext, 0, sizeof g_opts_ext);
    g_opts_ext.config = &lc_ext;
    g_opts_ext.mode = DD_LAMBDA_MODE_EXTENSION;
    g_opts_ext.statsd_fn = sink_datagram;
    g_opts_ext.universal_instrumentation = DD_ON;
    g_opts_ext.extension.request_fn = ext_request;
    g_opts_ext.extension.response_header_fn = ext_header;
    memset(&g_opts_fwd, 0, sizeof g_opts_fwd);
    g_opts_fwd.config = &lc_fwd;
    g_opts_fwd.mode = DD_LAMBDA_MODE_FORWARDER;
    g_opts_fwd.write_fn = sink_write;
    g_opts_fwd.init_ns = INT64_C(1699999999000000000);
    memset(&g_inv, 0, sizeof g_inv);
    g_inv.request_id = "8286a188-ba32-4475-8077-530cd35c09a9";
    g_inv.invoked_function_arn = g_cfg.invoked_function_arn;
    g_inv.xray_trace_id = g_xray_env;
}

static void test_every_call_within_16k(void) {
    size_t i, worst = 0;
    setup();
    for (i = 0; i < N_PROBES; i++) {
        stack_probe_result r;
        int rc = stack_probe(BUDGET, probes[i].fn, NULL, &r);
        used[i] = r.used;
        if (!CHECK(rc == 0 && r.ok)) {
            fprintf(stderr, "  %s overflowed its %u-byte stack\n", probes[i].name, (unsigned)BUDGET);
            break; /* its state is abandoned */
        }
        if (r.used > worst) worst = r.used;
#ifndef STACK_PROBE_ASAN
        if (!CHECK(r.used <= LIMIT || BUDGET != BUDGET_DEFAULT)) fprintf(stderr, "  %s used %u bytes of stack\n", probes[i].name, (unsigned)r.used);
#endif
        /* the inputs did what they claim */
        if (probes[i].fn == p_extract_big || probes[i].fn == p_extract_sns || probes[i].fn == p_extract_authorizer ||
            probes[i].fn == p_extract_client_context) {
            CHECK_EQ_INT(g_rc, DD_OK);
            CHECK_EQ_U64(g_out.trace_id.lo, 4948377316357291421u);
        }
        if (probes[i].fn == p_extract_sfn) CHECK_EQ_INT(g_rc, DD_OK);
        if (probes[i].fn == p_start_ext_big || probes[i].fn == p_start_fwd) CHECK(g_span != NULL);
        if (probes[i].fn == p_end_fwd) CHECK(g_body_len > 0);
    }
    CHECK(g_requests >= 2);   /* start- and end-invocation reached the fake Extension */
    CHECK(g_datagrams >= 2);  /* X-Ray subsegments and DogStatsD */
    CHECK(g_lines >= 2);      /* Forwarder lines: metrics, enhanced metrics, traces */
    CHECK_STR(g_trig.span_name, "aws.apigateway"); /* the Forwarder invocation's inferred span */
    CHECK_MEM(g_text, 20, "{\"m\":\"orders.placed\"", 20); /* the last text: dd_lambda_metric_line */
    printf("stack high-water marks (bytes; budget %u%s), in call order:\n", (unsigned)BUDGET,
           BUDGET_DEFAULT != LIMIT ? ", sanitizer build" : "");
    for (i = 0; i < N_PROBES; i++) printf("  %6u  %s\n", (unsigned)used[i], probes[i].name);
    printf("worst: %u bytes\n", (unsigned)worst);
    dd_tracer_free(g_t_ext);
    dd_tracer_free(g_t_fwd);
    free(g_big);
    free(g_body);
}

static const test_case cases[] = {
    TEST(test_every_public_function_is_probed),
    TEST(test_every_call_within_16k),
};
int main(int argc, char **argv) {
    const char *b = getenv("STACK_TEST_BUDGET");
    (void)argc;
    if (!getenv("LD_BIND_NOW")) { /* measured without the lazy binder's frames (tests/stack_probe.h) */
        setenv("LD_BIND_NOW", "1", 1);
        execv("/proc/self/exe", argv);
    }
    if (b && atol(b) > 0) BUDGET = (size_t)atol(b);
    return test_run("lambda_stack", cases, sizeof cases / sizeof cases[0]);
}
