/* cc -std=c99 -O2 -I. examples/demo/host.c -o demo_host -lpthread -lm */
/* examples/demo/host.c - the demo's host service (make demo): an HTTP service traced with dd-trace-c.
 *
 *   demo_host --queue http://127.0.0.1:PORT [--port 0] [--ready-file F] [--requests N]
 *
 * For each request (GET /checkout?order=42) it continues the caller's trace when the request
 * carries one (datadog / tracecontext headers), starts the server span `http.request`, and
 * publishes the order to the queue with a child span `sqs.send`: the message goes out as an SQS
 * SendMessage call (JSON protocol, X-Amz-Target: AmazonSQS.SendMessage) whose `_datadog` String
 * message attribute carries the trace context, written by dd_datadog_inject exactly as the
 * official AWS integrations write it. Spans are flushed synchronously after each request through
 * dd_sender.h (DD_TRACE_AGENT_URL, else DD_AGENT_HOST / DD_TRACE_AGENT_PORT, else the agent's
 * Unix socket when present, else http://localhost:8126). Exits after N requests (default 1; 0 = never). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"
#include "examples/demo/http_serve.h"

static void usage(void) {
    fprintf(stderr, "usage: demo_host --queue http://127.0.0.1:PORT [--port 0] [--ready-file F] [--requests N]\n");
    exit(2);
}

/* A sender to `url`, or to the agent (the environment's address rules) when url is NULL. */
static dd_sender *new_sender(const char *url) {
    dd_sender_options o;
    dd_sender_options_init(&o);
    o.url = url;
    return dd_sender_new(&o);
}

/* Handles one request; returns the HTTP status it answered. */
static int handle(dd_tracer *tracer, dd_sender *queue, http_request *q) {
    dd_headers in = {0};
    dd_carrier_reader reader;
    dd_propagation_config pcfg;
    dd_trace_context caller, ctx;
    dd_span_options so;
    dd_span *root, *send;
    dd_header sqs_headers[2];
    char url[1100], dd_json_text[1024] = "", body[4096], trace_hex[33] = "", order[64] = "42";
    const char *host = http_header(q, "host"), *o;
    size_t len;
    int status, rc, answer;
    dd_http_response resp;
    dd_trace_id tid;

    /* The caller's context, if any: the tracer's default styles (datadog, tracecontext). */
    in.items = q->headers;
    in.n = q->n_headers;
    dd_headers_reader(&reader, &in);
    dd_propagation_config_default(&pcfg);
    dd_propagation_config_from_env(&pcfg, NULL, NULL, NULL);
    rc = dd_extract(&pcfg, &reader, &caller);

    memset(&so, 0, sizeof so);
    so.context = rc == DD_OK ? &caller : NULL;
    so.name = "http.request";
    so.type = "web";
    root = dd_span_start(tracer, &so);
    snprintf(url, sizeof url, "%s %.*s", q->method, (int)strcspn(q->path, "?"), q->path);
    dd_span_set_resource(root, url);
    dd_span_set_kind(root, "server");
    dd_span_set_tag(root, "http.method", q->method);
    snprintf(url, sizeof url, "http://%s%s", host ? host : "localhost", q->path);
    dd_span_set_tag(root, "http.url", url);
    o = strstr(q->path, "order=");
    if (o) snprintf(order, sizeof order, "%.*s", (int)strcspn(o + 6, "&"), o + 6);
    dd_span_set_tag(root, "order.id", order);

    /* Publish: the child span's context goes into the message's `_datadog` attribute. */
    send = dd_span_start_child(root, "sqs.send");
    dd_span_set_resource(send, "SendMessage demo-queue");
    dd_span_set_kind(send, "producer");
    dd_span_set_tag(send, "aws.service", "SQS");
    dd_span_set_tag(send, "aws.operation", "SendMessage");
    dd_span_set_tag(send, "queuename", "demo-queue");
    dd_span_context(send, &ctx);
    dd_datadog_inject(&pcfg, &ctx, dd_json_text, sizeof dd_json_text);
    len = (size_t)snprintf(body, sizeof body,
                           "{\"QueueUrl\":\"%s/123456789012/demo-queue\",\"MessageBody\":\"order %s\","
                           "\"MessageAttributes\":{\"_datadog\":{\"DataType\":\"String\",\"StringValue\":\"",
                           dd_sender_url(queue), order);
    len = json_escape(body, len, sizeof body, dd_json_text, strlen(dd_json_text));
    if (len + 5 < sizeof body) {
        memcpy(body + len, "\"}}}", 5);
        len += 4;
    }
    sqs_headers[0].name = "X-Amz-Target";
    sqs_headers[0].name_len = 12;
    sqs_headers[0].value = "AmazonSQS.SendMessage";
    sqs_headers[0].value_len = 21;
    sqs_headers[1].name = "Content-Type";
    sqs_headers[1].name_len = 12;
    sqs_headers[1].value = "application/x-amz-json-1.0";
    sqs_headers[1].value_len = 26;
    rc = dd_sender_request(queue, "POST", "/", sqs_headers, 2, body, len, 2000, &resp);
    status = resp.status;
    if (rc != DD_TRANSPORT_ANSWERED || status != 200) {
        dd_span_set_error_info(send, "QueueError",
                               rc != DD_TRANSPORT_ANSWERED ? dd_sender_last_error(queue) : "the queue refused the message", NULL);
        dd_span_set_error(root, 1);
    }
    dd_span_finish(send);

    answer = rc == DD_TRANSPORT_ANSWERED && status == 200 ? 200 : 502;
    snprintf(url, sizeof url, "%d", answer);
    dd_span_set_tag(root, "http.status_code", url);
    dd_span_trace_id(root, &tid);
    dd_trace_id_to_hex32(&tid, trace_hex);
    dd_span_finish(root);
    if (answer == 200)
        len = (size_t)snprintf(body, sizeof body, "{\"order\":\"%s\",\"queued\":true,\"trace_id\":\"%s\"}\n", order, trace_hex);
    else
        len = (size_t)snprintf(body, sizeof body, "{\"order\":\"%s\",\"queued\":false}\n", order);
    http_respond(q, answer, "application/json", body, len);
    fprintf(stderr, "host:   %s %s -> %d; order %s published to demo-queue (trace %s)\n", q->method, q->path, answer,
            order, trace_hex);
    return answer;
}

int main(int argc, char **argv) {
    const char *queue_url = NULL, *ready = NULL;
    int port = 0, i, lfd, served = 0;
    long requests = 1;
    dd_sender *agent, *queue;
    dd_tracer_config tcfg;
    dd_tracer *tracer;
    const char *service;
    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (strcmp(argv[i], "--queue") == 0) queue_url = argv[++i];
        else if (strcmp(argv[i], "--port") == 0) port = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--ready-file") == 0) ready = argv[++i];
        else if (strcmp(argv[i], "--requests") == 0) requests = strtol(argv[++i], NULL, 10);
        else usage();
    }
    if (!queue_url || !(queue = new_sender(queue_url))) usage();
    if (!(agent = new_sender(NULL))) {
        fprintf(stderr, "host: out of memory\n");
        return 1;
    }
    memset(&tcfg, 0, sizeof tcfg);
    service = getenv("DD_SERVICE");
    if (!service || !*service) tcfg.service = "demo-host"; /* DD_SERVICE, else this name */
    tcfg.transport_fn = dd_sender_transport;
    tcfg.hook_user = agent;
    tcfg.transport_user = agent;
    tcfg.flush_interval_ms = -1; /* flushed after each request */
    tracer = dd_tracer_new(&tcfg);
    lfd = http_listen(port, ready);
    if (!tracer || lfd < 0) {
        fprintf(stderr, "host: %s\n", tracer ? "cannot listen" : "dd_tracer_new failed");
        return 1;
    }
    while (requests == 0 || served < requests) {
        http_request *q = (http_request *)malloc(sizeof *q);
        int rc;
        if (!q) break;
        if (http_accept(lfd, q, 10000) != 0) {
            free(q);
            break;
        }
        handle(tracer, queue, q);
        free(q);
        served++;
        rc = dd_tracer_flush(tracer);
        if (rc != DD_OK) fprintf(stderr, "host: flush failed: %s (%s)\n", dd_status_str(rc), dd_sender_last_error(agent));
    }
    close(lfd);
    dd_tracer_free(tracer);
    dd_sender_free(agent);
    dd_sender_free(queue);
    return 0;
}
