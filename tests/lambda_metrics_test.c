/* tests/lambda_metrics_test.c - dd_lambda.h's metrics and Forwarder output, checked against wire
 * values written by hand from docs/delivery.md §4 and docs/lambda.md §11.3:
 *   - DogStatsD distribution datagrams (name:value|d|#tags|T<ts>), tag normalisation, limits;
 *   - the Forwarder metric line {"m","v","e","t"} (datadog-lambda-python's key order);
 *   - dd_lambda_metric in Extension mode, received byte for byte on a local UDP socket through
 *     dd_sender.h's dd_udp_sender; in Forwarder mode through the write callback;
 *   - the enhanced metrics (Forwarder mode only) with their tags, cold start then warm, errors;
 *   - the mode probe (the Extension's file) and the Forwarder's trace lines;
 *   - a 200 KB `_datadog` SQS attribute extracted with the default scratch (no config->scratch). */
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../dd_lambda.h"
#include "../dd_sender.h"
#include "test.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const T2[] = {"env:prod", "team:core"};

static void test_datagram_plain(void) {
    char out[256];
    size_t n = dd_dogstatsd_distribution(out, sizeof out, "my.metric", 1, T2, 2, 0);
    CHECK_STR(out, "my.metric:1|d|#env:prod,team:core");
    CHECK_EQ_U64(n, strlen("my.metric:1|d|#env:prod,team:core"));
    dd_dogstatsd_distribution(out, sizeof out, "my.metric", 1, NULL, 0, 0);
    CHECK_STR(out, "my.metric:1|d");
    dd_dogstatsd_distribution(out, sizeof out, "latency", 0.5, T2, 1, 1700000000);
    CHECK_STR(out, "latency:0.5|d|#env:prod|T1700000000");
    dd_dogstatsd_distribution(out, sizeof out, "x", 0.1, NULL, 0, 1700000000);
    CHECK_STR(out, "x:0.1|d|T1700000000");
    dd_dogstatsd_distribution(out, sizeof out, "x", -42, NULL, 0, 0);
    CHECK_STR(out, "x:-42|d");
    dd_dogstatsd_distribution(out, sizeof out, "x", 1e20, NULL, 0, 0);
    CHECK_STR(out, "x:1e+20|d");
    dd_dogstatsd_distribution(out, sizeof out, "x", 123.456, NULL, 0, 0);
    CHECK_STR(out, "x:123.456|d");
}

static void test_datagram_normalised(void) {
    char out[256];
    const char *tags[] = {"Tag With Space:v!", "", "path:/a/b.c", "k:v|#x", "caf\xc3\xa9:1"};
    dd_dogstatsd_distribution(out, sizeof out, "bad|name:x#y", 2, tags, 5, 0);
    CHECK_STR(out, "bad_name_x_y:2|d|#Tag_With_Space:v_,path:/a/b.c,k:v__x,caf\xc3\xa9:1");
}

static void test_datagram_limits(void) {
    char out[16];
    const char *many[DD_LAMBDA_METRIC_TAGS_MAX + 1];
    size_t i;
    for (i = 0; i <= DD_LAMBDA_METRIC_TAGS_MAX; i++) many[i] = "a:b";
    CHECK_EQ_U64(dd_dogstatsd_distribution(out, sizeof out, "", 1, NULL, 0, 0), 0);
    CHECK_EQ_U64(dd_dogstatsd_distribution(out, sizeof out, "x", 0.0 / 0.0, NULL, 0, 0), 0);
    CHECK_EQ_U64(dd_dogstatsd_distribution(out, sizeof out, "x", 1.0 / 0.0, NULL, 0, 0), 0);
    CHECK_EQ_U64(dd_dogstatsd_distribution(out, sizeof out, "x", 1, many, DD_LAMBDA_METRIC_TAGS_MAX + 1, 0), 0);
    /* too small: the length needed, out "" (never cut) */
    CHECK_EQ_U64(dd_dogstatsd_distribution(out, sizeof out, "my.long.metric.name", 1, NULL, 0, 0),
                 strlen("my.long.metric.name:1|d"));
    CHECK_STR(out, "");
}

static void test_metric_line(void) {
    char out[256];
    const char *tags[] = {"a:b", "caf\xc3\xa9:1", "q\"x"};
    size_t n = dd_lambda_metric_line(out, sizeof out, "my.metric", 1, tags, 1, 1700000000);
    CHECK_STR(out, "{\"m\":\"my.metric\",\"v\":1,\"e\":1700000000,\"t\":[\"a:b\"]}\n");
    CHECK_EQ_U64(n, strlen(out));
    dd_lambda_metric_line(out, sizeof out, "m", 2.5, tags, 3, 1700000001);
    CHECK_STR(out, "{\"m\":\"m\",\"v\":2.5,\"e\":1700000001,\"t\":[\"a:b\",\"caf\\u00e9:1\",\"q_x\"]}\n");
    dd_lambda_metric_line(out, sizeof out, "m", 3, NULL, 0, 5);
    CHECK_STR(out, "{\"m\":\"m\",\"v\":3,\"e\":5,\"t\":[]}\n");
}

/* --- a Lambda with hooks --- */
typedef struct env_kv { const char *k, *v; } env_kv;
static env_kv ENV[8];
static const char *fake_getenv(void *u, const char *name) {
    size_t i;
    (void)u;
    for (i = 0; i < 8 && ENV[i].k; i++)
        if (strcmp(ENV[i].k, name) == 0) return ENV[i].v;
    return NULL;
}
static int64_t NOW = INT64_C(1700000000123000000);
static int64_t fake_wall(void *u) { (void)u; return NOW; }
static uint64_t RND;
static uint64_t fake_random(void *u) { (void)u; return ++RND * 4096; }
static char LINES[8192];
static size_t LINES_N;
static int capture(void *u, const char *line, size_t len) {
    (void)u;
    if (LINES_N + len < sizeof LINES) { memcpy(LINES + LINES_N, line, len); LINES_N += len; LINES[LINES_N] = 0; }
    return 0;
}
static int null_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u; (void)req;
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return DD_TRANSPORT_ANSWERED;
}
static dd_tracer *new_tracer(dd_transport_fn fn, void *user) {
    dd_tracer_config c;
    memset(&c, 0, sizeof c);
    c.wall_ns_fn = fake_wall;
    c.random_fn = fake_random;
    c.getenv_fn = fake_getenv;
    c.transport_fn = fn ? fn : null_transport;
    c.transport_user = user;
    c.delivery = DD_DELIVERY_MANUAL;
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.trace_id_128 = DD_OFF;
    return dd_tracer_new(&c);
}
static dd_lambda_config LCFG;
static dd_lambda *new_lambda(dd_tracer *t, int mode, dd_datagram_fn statsd, void *statsd_user) {
    dd_lambda_options o;
    memset(&LCFG, 0, sizeof LCFG);
    LCFG.getenv_fn = fake_getenv;
    memset(&o, 0, sizeof o);
    o.config = &LCFG;
    o.mode = mode;
    o.statsd_fn = statsd;
    o.statsd_user = statsd_user;
    o.write_fn = capture;
    o.init_ns = NOW - 1000; /* 1 us of initialisation: no aws.lambda.load span */
    return dd_lambda_new(t, &o);
}
static int udp_send_fn(void *u, const char *data, size_t len) { return dd_udp_send((dd_udp_sender *)u, data, len); }

/* A local "DogStatsD": a UDP socket on 127.0.0.1, any port. */
static int udp_listen(int *port) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0) return -1;
    *port = ntohs(a.sin_port);
    return fd;
}
static long udp_recv(int fd, char *buf, size_t cap) {
    struct pollfd p;
    long n;
    p.fd = fd;
    p.events = POLLIN;
    if (poll(&p, 1, 2000) != 1) return -1;
    n = (long)recv(fd, buf, cap - 1, 0);
    if (n >= 0) buf[n] = 0;
    return n;
}

static void test_extension_udp(void) {
    int port = 0, fd = udp_listen(&port);
    dd_udp_sender *u;
    dd_tracer *t;
    dd_lambda *l;
    char buf[2048];
    const char *tags[] = {"env:prod", "order id:42"};
    CHECK(fd >= 0);
    u = dd_udp_sender_open("127.0.0.1", port);
    CHECK(u != NULL);
    t = new_tracer(NULL, NULL);
    l = new_lambda(t, DD_LAMBDA_MODE_EXTENSION, udp_send_fn, u);
    CHECK_EQ_INT(dd_lambda_mode(l), DD_LAMBDA_MODE_EXTENSION);
    CHECK_EQ_INT(dd_lambda_metric(l, "orders.placed", 3, tags, 2, 0), DD_OK);
    CHECK_EQ_INT(udp_recv(fd, buf, sizeof buf), (long)strlen("orders.placed:3|d|#env:prod,order_id:42"));
    CHECK_STR(buf, "orders.placed:3|d|#env:prod,order_id:42");
    CHECK_EQ_INT(dd_lambda_metric(l, "orders.placed", 1.25, NULL, 0, 1699999990), DD_OK);
    udp_recv(fd, buf, sizeof buf);
    CHECK_STR(buf, "orders.placed:1.25|d|T1699999990");
    /* older than 4 h: dropped, nothing sent */
    CHECK_EQ_INT(dd_lambda_metric(l, "old", 1, NULL, 0, 1700000000 - 14401), DD_ERR_LIMIT);
    CHECK_EQ_INT(dd_lambda_metric(l, "", 1, NULL, 0, 0), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_lambda_metric(l, "last", 7, NULL, 0, 0), DD_OK);
    udp_recv(fd, buf, sizeof buf);
    CHECK_STR(buf, "last:7|d");
    dd_lambda_free(l);
    dd_tracer_free(t);
    dd_udp_sender_close(u);
    close(fd);
}

static void test_extension_no_enhanced(void) {
    int port = 0, fd = udp_listen(&port);
    dd_udp_sender *u = dd_udp_sender_open("127.0.0.1", port);
    dd_tracer *t = new_tracer(NULL, NULL);
    dd_lambda *l = new_lambda(t, DD_LAMBDA_MODE_EXTENSION, udp_send_fn, u);
    dd_lambda_invocation inv;
    dd_span *s;
    char buf[256];
    memset(&inv, 0, sizeof inv);
    inv.event = "{}";
    inv.event_len = 2;
    inv.request_id = "r-1";
    inv.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:demo";
    s = dd_lambda_start_invocation(l, &inv, NULL);
    CHECK(s != NULL);
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, "{}", 2, 1), DD_OK);
    /* the Extension makes the enhanced metrics itself: no datagram, no line */
    CHECK_EQ_INT(udp_recv(fd, buf, sizeof buf), -1);
    CHECK_EQ_U64(LINES_N, 0);
    dd_lambda_free(l);
    dd_tracer_free(t);
    dd_udp_sender_close(u);
    close(fd);
}

static void test_forwarder_metrics(void) {
    dd_tracer *t;
    dd_lambda *l;
    dd_lambda_invocation inv;
    dd_span *s;
    const char *tags[] = {"a:b"};
    ENV[0].k = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"; ENV[0].v = "1024";
    ENV[1].k = "AWS_LAMBDA_FUNCTION_VERSION"; ENV[1].v = "7";
    LINES_N = 0;
    LINES[0] = 0;
    t = new_tracer(NULL, NULL);
    l = new_lambda(t, DD_LAMBDA_MODE_FORWARDER, NULL, NULL);
    CHECK_EQ_INT(dd_lambda_mode(l), DD_LAMBDA_MODE_FORWARDER);
    CHECK_EQ_INT(dd_lambda_metric(l, "my.metric", 1, tags, 1, 0), DD_OK); /* "e": now */
    CHECK_STR(LINES, "{\"m\":\"my.metric\",\"v\":1,\"e\":1700000000,\"t\":[\"a:b\"]}\n");
    LINES_N = 0;
    CHECK_EQ_INT(dd_lambda_metric(l, "my.metric", 2, tags, 1, 1699999000), DD_OK);
    CHECK_STR(LINES, "{\"m\":\"my.metric\",\"v\":2,\"e\":1699999000,\"t\":[\"a:b\"]}\n");
    /* the cold start, an alias ARN, then a warm failed invocation */
    LINES_N = 0;
    memset(&inv, 0, sizeof inv);
    inv.event = "{}";
    inv.event_len = 2;
    inv.request_id = "r-1";
    inv.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:Demo-Fn:live";
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, "{}", 2, 0);
    CHECK_STR(LINES, "{\"m\":\"aws.lambda.enhanced.invocations\",\"v\":1,\"e\":1700000000,\"t\":["
                     "\"region:eu-west-1\",\"account_id:123456789012\",\"functionname:demo-fn\","
                     "\"resource:Demo-Fn:live\",\"executedversion:7\",\"cold_start:true\",\"memorysize:1024\","
                     "\"datadog_lambda:v" DDTRACE_VERSION_STRING "\"]}\n");
    LINES_N = 0;
    inv.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:Demo-Fn";
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 1);
    CHECK_STR(LINES, "{\"m\":\"aws.lambda.enhanced.invocations\",\"v\":1,\"e\":1700000000,\"t\":["
                     "\"region:eu-west-1\",\"account_id:123456789012\",\"functionname:demo-fn\","
                     "\"resource:Demo-Fn\",\"cold_start:false\",\"memorysize:1024\","
                     "\"datadog_lambda:v" DDTRACE_VERSION_STRING "\"]}\n"
                     "{\"m\":\"aws.lambda.enhanced.errors\",\"v\":1,\"e\":1700000000,\"t\":["
                     "\"region:eu-west-1\",\"account_id:123456789012\",\"functionname:demo-fn\","
                     "\"resource:Demo-Fn\",\"cold_start:false\",\"memorysize:1024\","
                     "\"datadog_lambda:v" DDTRACE_VERSION_STRING "\"]}\n");
    dd_lambda_free(l);
    dd_tracer_free(t);
    /* DD_ENHANCED_METRICS=false: none */
    ENV[2].k = "DD_ENHANCED_METRICS"; ENV[2].v = "false";
    LINES_N = 0;
    LINES[0] = 0;
    t = new_tracer(NULL, NULL);
    l = new_lambda(t, DD_LAMBDA_MODE_FORWARDER, NULL, NULL);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    dd_lambda_end_invocation(l, s, NULL, 0, 1);
    CHECK_EQ_U64(LINES_N, 0);
    dd_lambda_free(l);
    dd_tracer_free(t);
    memset(ENV, 0, sizeof ENV);
}

static void test_mode_probe(void) {
    char path[] = "/tmp/dd_ext_probe_XXXXXX";
    int fd = mkstemp(path);
    dd_tracer *t = new_tracer(NULL, NULL);
    dd_lambda_options o;
    dd_lambda *l;
    CHECK(fd >= 0);
    memset(&LCFG, 0, sizeof LCFG);
    LCFG.getenv_fn = fake_getenv;
    memset(&o, 0, sizeof o);
    o.config = &LCFG;
    o.extension_path = path;
    l = dd_lambda_new(t, &o);
    CHECK_EQ_INT(dd_lambda_mode(l), DD_LAMBDA_MODE_EXTENSION);
    dd_lambda_free(l);
    unlink(path);
    l = dd_lambda_new(t, &o);
    CHECK_EQ_INT(dd_lambda_mode(l), DD_LAMBDA_MODE_FORWARDER);
    dd_lambda_free(l);
    dd_tracer_free(t);
    if (fd >= 0) close(fd);
}

static void test_forwarder_traces(void) {
    dd_lambda_forwarder f;
    dd_tracer *t;
    dd_trace_context ctx;
    dd_span_options so;
    dd_span *root, *child;
    memset(&f, 0, sizeof f);
    f.write_fn = capture;
    LINES_N = 0;
    LINES[0] = 0;
    RND = 0;
    t = new_tracer(dd_lambda_forwarder_transport, &f);
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.hi = UINT64_C(0x66bcb5eb00000000);
    ctx.trace_id.lo = UINT64_C(0x00000000deadbeef);
    ctx.parent_id = 0xabc;
    ctx.sampling_priority = 1;
    memset(&so, 0, sizeof so);
    so.context = &ctx;
    so.name = "aws.lambda";
    so.service = "demo";
    so.resource = "Demo";
    so.type = "serverless";
    root = dd_span_start(t, &so);
    child = dd_span_start_child(root, "work");
    dd_span_finish(child);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_U64(f.lines, 1);
    /* one line; ids in lower-case hex, the trace id 32 digits (the trace has _dd.p.tid); the span
     * ids come from fake_random: 4096 = 0x1000, 8192 = 0x2000 */
    CHECK(strncmp(LINES, "{\"traces\":[[{", 13) == 0);
    CHECK(strstr(LINES, "\"trace_id\":\"66bcb5eb0000000000000000deadbeef\"") != NULL);
    CHECK(strstr(LINES, "\"span_id\":\"0000000000001000\"") != NULL);
    CHECK(strstr(LINES, "\"parent_id\":\"0000000000000abc\"") != NULL);
    CHECK(strstr(LINES, "\"span_id\":\"0000000000002000\"") != NULL);
    CHECK(strstr(LINES, "\"parent_id\":\"0000000000001000\"") != NULL);
    CHECK(strstr(LINES, "\"name\":\"aws.lambda\"") != NULL);
    CHECK(strstr(LINES, "\"service\":\"demo\"") != NULL);
    CHECK(strstr(LINES, "\"resource\":\"Demo\"") != NULL);
    CHECK(strstr(LINES, "\"start\":1700000000123000000") != NULL);
    CHECK(LINES_N > 5);
    if (LINES_N > 5) CHECK_MEM(LINES + LINES_N - 5, 5, "}]]}\n", 5);
    CHECK(strchr(LINES, '\n') == LINES + LINES_N - 1); /* exactly one line */
    {   /* the whole line is JSON whose traces[0] holds both spans */
        dd_json root_j, tr, sp;
        CHECK_EQ_INT(dd_json_parse(LINES, LINES_N - 1, &root_j), DD_OK);
        CHECK_EQ_INT(dd_json_path(&root_j, "traces.0", &tr), DD_OK);
        CHECK_EQ_INT(dd_json_path(&tr, "1", &sp), DD_OK);
        CHECK(dd_json_path(&tr, "2", &sp) != DD_OK);
    }
    dd_tracer_free(t);
}

static void test_big_carrier_default_scratch(void) {
    size_t filler = 200000, cap = filler + 4096, n;
    char *ev = (char *)malloc(cap);
    dd_trace_context ctx;
    dd_lambda_trigger trig;
    memset(&ctx, 0, sizeof ctx);
    CHECK(ev != NULL);
    if (!ev) return;
    n = (size_t)snprintf(ev, cap,
        "{\"Records\":[{\"messageId\":\"m1\",\"body\":\"x\",\"eventSource\":\"aws:sqs\","
        "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:q\",\"messageAttributes\":{\"_datadog\":{"
        "\"dataType\":\"String\",\"stringValue\":\"{\\\"x-datadog-trace-id\\\":\\\"4948377316357291421\\\","
        "\\\"x-datadog-parent-id\\\":\\\"6746998015037429512\\\",\\\"x-datadog-sampling-priority\\\":\\\"2\\\","
        "\\\"x-filler\\\":\\\"");
    memset(ev + n, 'f', filler);
    n += filler;
    n += (size_t)snprintf(ev + n, cap - n, "\\\"}\"}}}]}");
    CHECK_EQ_INT(dd_lambda_extract(NULL, ev, n, NULL, 0, &ctx, &trig), DD_OK);
    CHECK_EQ_U64(ctx.trace_id.lo, UINT64_C(4948377316357291421));
    CHECK_EQ_U64(ctx.parent_id, UINT64_C(6746998015037429512));
    CHECK_EQ_INT(ctx.sampling_priority, 2);
    CHECK_EQ_INT(trig.event_source, DD_LAMBDA_EVENT_SQS);
    free(ev);
}

/* _X_AMZN_TRACE_ID as datadog-lambda-python reads it: Root, Parent, Sampled in that order. */
static const char *XRAY_ENV;
static const char *xray_getenv(void *u, const char *name) { (void)u; return strcmp(name, "_X_AMZN_TRACE_ID") == 0 ? XRAY_ENV : NULL; }
static void test_xray_env_order(void) {
    dd_lambda_config c;
    dd_trace_context ctx;
    dd_lambda_trigger trig;
    memset(&c, 0, sizeof c);
    c.getenv_fn = xray_getenv;
    /* Parent 53995c3f42cd8ad8 = 6023947403358210776 */
    XRAY_ENV = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    CHECK_EQ_INT(dd_lambda_extract(&c, "{}", 2, NULL, 0, &ctx, &trig), DD_OK);
    CHECK_EQ_INT(trig.context_source, DD_LAMBDA_CONTEXT_XRAY);
    CHECK_EQ_U64(ctx.parent_id, UINT64_C(6023947403358210776));
    CHECK_EQ_INT(ctx.sampling_priority, 2); /* Sampled=1: user keep, as datadog-lambda-python (§6.3) */
    XRAY_ENV = "Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    CHECK_EQ_INT(dd_lambda_extract(&c, "{}", 2, NULL, 0, &ctx, &trig), DD_ERR_NOT_FOUND);
    XRAY_ENV = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1;Parent=53995c3f42cd8ad8";
    CHECK_EQ_INT(dd_lambda_extract(&c, "{}", 2, NULL, 0, &ctx, &trig), DD_ERR_NOT_FOUND);
    XRAY_ENV = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8";
    CHECK_EQ_INT(dd_lambda_extract(&c, "{}", 2, NULL, 0, &ctx, &trig), DD_ERR_NOT_FOUND);
    /* extra parts after the three are allowed (Lineage=...) */
    XRAY_ENV = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1";
    CHECK_EQ_INT(dd_lambda_extract(&c, "{}", 2, NULL, 0, &ctx, &trig), DD_OK);
    /* the xray propagation style (HTTP headers) stays lenient about the order */
    memset(&ctx, 0, sizeof ctx);
    CHECK_EQ_INT(dd_xray_parse("Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", 74, &ctx), DD_OK);
}

/* Universal instrumentation with an Extension that is not there: every request fails at once,
 * the invocation still gets a new trace and both requests are tried (none waits). */
static int DOWN_CALLS;
static char DOWN_PATHS[4][64];
static int down_request(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u; (void)resp;
    if (DOWN_CALLS < 4) snprintf(DOWN_PATHS[DOWN_CALLS], sizeof DOWN_PATHS[0], "%s", req->path);
    DOWN_CALLS++;
    CHECK_EQ_INT(req->timeout_ms, 1000);
    return DD_TRANSPORT_NOT_SENT;
}
static void test_ui_extension_down(void) {
    dd_tracer *t = new_tracer(NULL, NULL);
    dd_lambda_options o;
    dd_lambda *l;
    dd_lambda_invocation inv;
    dd_span *s;
    memset(&LCFG, 0, sizeof LCFG);
    LCFG.getenv_fn = fake_getenv;
    memset(&o, 0, sizeof o);
    o.config = &LCFG;
    o.mode = DD_LAMBDA_MODE_EXTENSION;
    o.universal_instrumentation = DD_ON;
    o.extension.request_fn = down_request;
    l = dd_lambda_new(t, &o);
    memset(&inv, 0, sizeof inv);
    inv.event = "{\"headers\":{\"x-datadog-trace-id\":\"5\",\"x-datadog-parent-id\":\"6\"}}";
    inv.event_len = strlen(inv.event);
    inv.request_id = "r-down";
    DOWN_CALLS = 0;
    s = dd_lambda_start_invocation(l, &inv, NULL);
    CHECK(s != NULL);
    CHECK_EQ_U64(dd_span_parent_id(s), 0); /* the event's context is the Extension's to extract */
    CHECK_EQ_INT(dd_lambda_end_invocation(l, s, NULL, 0, 0), DD_OK);
    CHECK_EQ_INT(DOWN_CALLS, 2);
    CHECK_STR(DOWN_PATHS[0], "/lambda/start-invocation");
    CHECK_STR(DOWN_PATHS[1], "/lambda/end-invocation");
    dd_lambda_free(l);
    /* without request_fn the option is off: library mode, the event's context is used */
    o.extension.request_fn = NULL;
    l = dd_lambda_new(t, &o);
    s = dd_lambda_start_invocation(l, &inv, NULL);
    CHECK_EQ_U64(dd_span_parent_id(s), 6);
    dd_lambda_end_invocation(l, s, NULL, 0, 0);
    CHECK_EQ_INT(DOWN_CALLS, 2);
    dd_lambda_free(l);
    dd_tracer_free(t);
}

static const test_case cases[] = {
    TEST(test_ui_extension_down),
    TEST(test_xray_env_order),
    TEST(test_big_carrier_default_scratch),
    TEST(test_datagram_plain),   TEST(test_datagram_normalised), TEST(test_datagram_limits),
    TEST(test_metric_line),      TEST(test_extension_udp),       TEST(test_extension_no_enhanced),
    TEST(test_forwarder_metrics), TEST(test_mode_probe),          TEST(test_forwarder_traces),
};
int main(void) { return test_run("lambda_metrics", cases, sizeof cases / sizeof cases[0]); }
