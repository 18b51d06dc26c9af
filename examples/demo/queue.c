/* cc -std=c99 -O2 -I. examples/demo/queue.c -o demo_queue -lpthread -lm */
/* examples/demo/queue.c - the demo's queue (make demo): a one-queue stand-in for Amazon SQS that
 * delivers each message to a Lambda function, traced with dd-trace-c.
 *
 *   demo_queue --lambda http://127.0.0.1:PORT [--port 0] [--ready-file F] [--messages N]
 *
 * Accepts SendMessage calls (POST, X-Amz-Target: AmazonSQS.SendMessage, JSON protocol) and answers
 * {"MessageId": ...}. Then, like SQS triggering a Lambda function, it wraps the message into an
 * SQS-shaped Lambda event (Records[0] with body, attributes, messageAttributes, eventSourceARN)
 * and hands it to the Lambda Runtime API: here examples/lambda/fake_runtime_api.py, through its
 * POST /fake/enqueue. The delivery is traced: the span `queue.deliver` continues the trace from the
 * message's `_datadog` attribute (dd_datadog_extract), and the delivered record's `_datadog`
 * carries the context of that span (dd_datadog_inject), so the Lambda function continues from it.
 * Spans are flushed after each message through dd_sender.h (DD_TRACE_AGENT_URL, ...).
 * Exits after N messages (default 1; 0 = never). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"
#include "examples/demo/http_serve.h"

#include <sys/time.h>

#define QUEUE_ARN "arn:aws:sqs:us-east-1:123456789012:demo-queue"

static void usage(void) {
    fprintf(stderr, "usage: demo_queue --lambda http://127.0.0.1:PORT [--port 0] [--ready-file F] [--messages N]\n");
    exit(2);
}

static long long now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void sqs_error(http_request *q, const char *json) {
    http_respond(q, 400, "application/x-amz-json-1.0", json, strlen(json));
}

/* Handles one SendMessage call; returns 1 when a message was accepted. */
/* A sender to `url`, or to the agent (the environment's address rules) when url is NULL. */
static dd_sender *new_sender(const char *url) {
    dd_sender_options o;
    dd_sender_options_init(&o);
    o.url = url;
    return dd_sender_new(&o);
}

static int handle(dd_tracer *tracer, dd_sender *lambda, http_request *q, long seq) {
    const char *target = http_header(q, "x-amz-target");
    dd_json root, v;
    dd_trace_context from_msg, ctx;
    dd_span_options so;
    dd_span *span;
    dd_propagation_config pcfg;
    char msg_body[2048] = "", attr[1024] = "", dd_out[1024], message_id[64], *event;
    size_t len, cap = 16384;
    int rc, status = 0, have_ctx;
    dd_http_response resp;
    long long sent_ms = now_ms();

    if (strcmp(q->method, "POST") != 0 || !target || strcmp(target, "AmazonSQS.SendMessage") != 0) {
        sqs_error(q, "{\"__type\":\"com.amazonaws.sqs#InvalidAction\",\"message\":\"only SendMessage\"}");
        return 0;
    }
    if (dd_json_parse(q->body, q->body_len, &root) != DD_OK ||
        dd_json_get(&root, "MessageBody", 11, &v) != DD_OK ||
        dd_json_string(&v, msg_body, sizeof msg_body, NULL) != DD_OK) {
        sqs_error(q, "{\"__type\":\"com.amazonaws.sqs#InvalidParameterValue\",\"message\":\"MessageBody\"}");
        return 0;
    }
    /* The producer's context, from the `_datadog` String attribute. */
    dd_propagation_config_default(&pcfg);
    dd_propagation_config_from_env(&pcfg, NULL, NULL, NULL);
    have_ctx = dd_json_path(&root, "MessageAttributes._datadog.StringValue", &v) == DD_OK &&
               dd_json_string(&v, attr, sizeof attr, &len) == DD_OK &&
               dd_datadog_extract(&pcfg, attr, len, &from_msg) == DD_OK;

    snprintf(message_id, sizeof message_id, "6a1f0c3e-0000-4000-8000-%012ld", seq);
    len = (size_t)snprintf(dd_out, sizeof dd_out, "{\"MessageId\":\"%s\"}", message_id);
    http_respond(q, 200, "application/x-amz-json-1.0", dd_out, len); /* SQS answers, then delivers */

    memset(&so, 0, sizeof so);
    so.context = have_ctx ? &from_msg : NULL;
    so.name = "queue.deliver";
    so.resource = "demo-queue";
    span = dd_span_start(tracer, &so);
    dd_span_set_kind(span, "consumer");
    dd_span_set_tag(span, "queuename", "demo-queue");
    dd_span_set_tag(span, "messaging.message_id", message_id);
    dd_span_set_tag(span, "messaging.destination", QUEUE_ARN);
    dd_span_context(span, &ctx);
    dd_datadog_inject(&pcfg, &ctx, attr, sizeof attr);

    /* The SQS event of a Lambda trigger, as AWS delivers it (one record). */
    event = (char *)malloc(cap);
    if (!event) {
        dd_span_finish(span);
        return 1;
    }
    len = (size_t)snprintf(event, cap,
                           "{\"request_id\":\"demo-invocation-%ld\",\"event\":{\"Records\":[{\"messageId\":\"%s\","
                           "\"receiptHandle\":\"AQEBdemo%ld\",\"body\":\"",
                           seq, message_id, seq);
    len = json_escape(event, len, cap, msg_body, strlen(msg_body));
    if (len < cap)
        len += (size_t)snprintf(event + len, cap - len,
                                "\",\"attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"%lld\","
                                "\"SenderId\":\"AIDADEMOSENDER\",\"ApproximateFirstReceiveTimestamp\":\"%lld\"},"
                                "\"messageAttributes\":{\"_datadog\":{\"stringValue\":\"",
                                sent_ms, now_ms());
    if (len < cap) len = json_escape(event, len, cap, attr, strlen(attr));
    if (len < cap)
        len += (size_t)snprintf(event + len, cap - len,
                                "\",\"stringListValues\":[],\"binaryListValues\":[],\"dataType\":\"String\"}},"
                                "\"md5OfBody\":\"\",\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"%s\","
                                "\"awsRegion\":\"us-east-1\"}]}}",
                                QUEUE_ARN);
    if (len >= cap) {
        dd_span_set_error_info(span, "DeliveryError", "the event does not fit", NULL);
        rc = DD_ERR_BUFFER_FULL;
    } else {
        rc = dd_sender_request(lambda, "POST", "/fake/enqueue", NULL, 0, event, len, 2000, &resp) == DD_TRANSPORT_ANSWERED
                 ? DD_OK : DD_ERR_TRANSPORT;
        status = resp.status;
        if (rc != DD_OK || status != 202)
            dd_span_set_error_info(span, "DeliveryError", rc != DD_OK ? dd_sender_last_error(lambda) : "the Runtime API refused it", NULL);
    }
    dd_span_finish(span);
    free(event);
    fprintf(stderr, "queue:  message %s (\"%s\") %s\n", message_id, msg_body,
            rc == DD_OK && status == 202 ? "delivered to the Lambda function" : "NOT delivered");
    return 1;
}

int main(int argc, char **argv) {
    const char *lambda_url = NULL, *ready = NULL;
    int port = 0, i, lfd;
    long messages = 1, seq = 0;
    dd_sender *agent, *lambda;
    dd_tracer_config tcfg;
    dd_tracer *tracer;
    const char *service;
    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (strcmp(argv[i], "--lambda") == 0) lambda_url = argv[++i];
        else if (strcmp(argv[i], "--port") == 0) port = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--ready-file") == 0) ready = argv[++i];
        else if (strcmp(argv[i], "--messages") == 0) messages = strtol(argv[++i], NULL, 10);
        else usage();
    }
    if (!lambda_url || !(lambda = new_sender(lambda_url))) usage();
    if (!(agent = new_sender(NULL))) {
        fprintf(stderr, "queue: out of memory\n");
        return 1;
    }
    memset(&tcfg, 0, sizeof tcfg);
    service = getenv("DD_SERVICE");
    if (!service || !*service) tcfg.service = "demo-queue"; /* DD_SERVICE, else this name */
    tcfg.transport_fn = dd_sender_transport;
    tcfg.hook_user = agent;
    tcfg.transport_user = agent;
    tcfg.flush_interval_ms = -1; /* flushed after each message */
    tracer = dd_tracer_new(&tcfg);
    lfd = http_listen(port, ready);
    if (!tracer || lfd < 0) {
        fprintf(stderr, "queue: %s\n", tracer ? "cannot listen" : "dd_tracer_new failed");
        return 1;
    }
    while (messages == 0 || seq < messages) {
        http_request *q = (http_request *)malloc(sizeof *q);
        int rc;
        if (!q) break;
        if (http_accept(lfd, q, 10000) != 0) {
            free(q);
            break;
        }
        seq += handle(tracer, lambda, q, seq + 1);
        free(q);
        rc = dd_tracer_flush(tracer);
        if (rc != DD_OK) fprintf(stderr, "queue: flush failed: %s (%s)\n", dd_status_str(rc), dd_sender_last_error(agent));
    }
    close(lfd);
    dd_tracer_free(tracer);
    dd_sender_free(agent);
    dd_sender_free(lambda);
    return 0;
}
