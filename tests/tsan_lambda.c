/* tests/tsan_lambda.c - one dd_lambda shared by threads running invocations at once (Lambda
 * Managed Instances concurrency) under ThreadSanitizer: each thread starts an SQS or an API Gateway
 * invocation (inferred span + aws.lambda + a child), ends it, and the end flushes synchronously.
 * Exactly one invocation of the process is the cold start; every span started is sent. */
#define DD_TRACE_IMPLEMENTATION
#include "dd_lambda.h"
#include "test.h"
#include <pthread.h>

#define THREADS 4
#define ROUNDS 200

static const char sqs_event[] =
    "{\"Records\":[{\"messageId\":\"m\",\"receiptHandle\":\"r\",\"body\":\"b\","
    "\"attributes\":{\"SentTimestamp\":\"1545082649183\",\"SenderId\":\"S\"},"
    "\"messageAttributes\":{\"_datadog\":{\"stringValue\":\"{\\\"x-datadog-trace-id\\\":\\\"11\\\","
    "\\\"x-datadog-parent-id\\\":\\\"22\\\",\\\"x-datadog-sampling-priority\\\":\\\"1\\\"}\",\"dataType\":\"String\"}},"
    "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-2:123456789012:q\",\"awsRegion\":\"us-east-2\"}]}";
static const char api_event[] =
    "{\"resource\":\"/p\",\"path\":\"/p\",\"httpMethod\":\"GET\",\"headers\":{\"x-datadog-trace-id\":\"33\","
    "\"x-datadog-parent-id\":\"44\"},\"requestContext\":{\"apiId\":\"a1\",\"domainName\":\"a1.execute-api.us-east-2.amazonaws.com\","
    "\"path\":\"/prod/p\",\"requestTimeEpoch\":1428582896000,\"stage\":\"prod\"}}";

/* msgpack "cold_start" -> "true" (fixstr 0xaa, fixstr 0xa4), counted in a body */
static unsigned memmem_cold(const void *body, size_t len) {
    static const unsigned char pat[] = "\xaa" "cold_start" "\xa4" "true";
    const unsigned char *b = (const unsigned char *)body;
    size_t i, n = sizeof pat - 1;
    unsigned c = 0;
    for (i = 0; i + n <= len; i++)
        if (memcmp(b + i, pat, n) == 0) c++;
    return c;
}

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned requests, cold_starts;
static int transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u;
    pthread_mutex_lock(&count_lock);
    requests++;
    cold_starts += memmem_cold(req->body, req->body_len);
    pthread_mutex_unlock(&count_lock);
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}

static dd_lambda *lam;
static int failures[THREADS];
static void *worker(void *arg) {
    int id = (int)(size_t)arg, i;
    char req[32];
    for (i = 0; i < ROUNDS; i++) {
        dd_lambda_invocation inv;
        dd_span *s, *child;
        char log[128];
        memset(&inv, 0, sizeof inv);
        inv.event = (i + id) & 1 ? sqs_event : api_event;
        inv.event_len = strlen(inv.event);
        snprintf(req, sizeof req, "req-%d-%d", id, i);
        inv.request_id = req;
        inv.invoked_function_arn = "arn:aws:lambda:us-east-2:123456789012:function:f";
        s = dd_lambda_start_invocation(lam, &inv, NULL);
        if (!s) failures[id]++;
        child = dd_span_start_child(s, "work");
        dd_lambda_log_prefix(lam, child, log, sizeof log);
        dd_span_finish(child);
        if (dd_lambda_end_invocation(lam, s, "{\"statusCode\":200}", 18, 0) != DD_OK) failures[id]++;
    }
    return NULL;
}

static void test_concurrent_invocations(void) {
    dd_tracer_config c;
    dd_tracer *t;
    pthread_t th[THREADS];
    dd_counters k;
    size_t i;
    memset(&c, 0, sizeof c);
    c.transport_fn = transport;
    c.cgroup_path = "";
    c.flush_interval_ms = -1;
    c.startup_logs = DD_OFF;
    t = dd_tracer_new(&c);
    {
        dd_lambda_options o;
        memset(&o, 0, sizeof o);
        o.cold_start_tracing = DD_OFF; /* three spans per invocation, whatever the timing */
        lam = dd_lambda_new(t, &o);
    }
    for (i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    for (i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    for (i = 0; i < THREADS; i++) CHECK_EQ_INT(failures[i], 0);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_started, THREADS * ROUNDS * 3);
    CHECK_EQ_U64(k.spans_finished, THREADS * ROUNDS * 3);
    CHECK_EQ_U64(k.spans_dropped_send + k.spans_dropped_buffer, 0);
    CHECK_EQ_U64(k.chunks_sent, THREADS * ROUNDS);
    CHECK_EQ_U64(cold_starts, 1); /* one "cold_start":"true" in all the payloads */
    CHECK(requests >= 1 && requests <= THREADS * ROUNDS);
    { /* after the threads: the shared state still answers */
        char buf[64];
        size_t n = dd_lambda_log_prefix(lam, NULL, buf, sizeof buf);
        CHECK_STR(buf, "[dd.trace_id=0 dd.span_id=0] ");
        n = dd_lambda_log_json(lam, NULL, buf, sizeof buf);
        CHECK_MEM(buf, n, "\"dd\":{\"trace_id\":\"0\",\"span_id\":\"0\"}", 35);
    }
    dd_lambda_free(lam);
    dd_tracer_free(t);
}

static const test_case cases[] = {
    TEST(test_concurrent_invocations),
};

int main(void) { return test_run("tsan_lambda", cases, sizeof cases / sizeof cases[0]); }
