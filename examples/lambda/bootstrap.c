/* cc -std=c99 -O2 -I. examples/lambda/bootstrap.c -o bootstrap -lpthread -lm */
/* examples/lambda/bootstrap.c - an AWS Lambda custom runtime in C, traced with dd-trace-c end to end.
 *
 * Speaks the Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API (host:port): loops on
 * GET /runtime/invocation/next, runs the handler, then POSTs /runtime/invocation/<id>/response
 * or /error. Each invocation, through the SDK's Lambda API (dd_lambda_start_invocation /
 * dd_lambda_end_invocation, docs/lambda.md §7, §8 and §14):
 *   1. extracts the caller's trace context from the event (SQS `_datadog` attributes, HTTP
 *      headers, SNS, EventBridge, ..., the client context, X-Ray from Lambda-Runtime-Trace-Id);
 *   2. starts the inferred span of the trigger (aws.sqs, aws.apigateway, ...) when there is one,
 *      then the aws.lambda span, and here a child span `demo.handler` for the handler's work;
 *   3. ends the invocation (HTTP status from the answer, errors) and flushes synchronously through
 *      dd_sender.h to the agent (DD_TRACE_AGENT_URL, or DD_AGENT_HOST / DD_TRACE_AGENT_PORT,
 *      default http://localhost:8126: the Datadog Lambda extension) BEFORE
 *      answering, because Lambda may freeze the sandbox once it has the answer.
 * The demo handler counts the event's Records and answers {"processed":N}; an event with
 * "fail": true makes it fail (an error span and a /error answer); HTTP triggers get
 * {"statusCode":200,...}. Exits when the Runtime API goes away. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy of a response header of the Runtime API, NUL-terminated ("" when absent or too long). */
static void header_copy(const dd_sender *s, const char *name, char *out, size_t cap) {
    size_t n = 0;
    const char *v = dd_sender_response_header(s, name, &n);
    out[0] = 0;
    if (v && n < cap) {
        memcpy(out, v, n);
        out[n] = 0;
    }
}

/* The demo handler: counts Records, fails on "fail": true. Returns 0 or -1 with a message. */
static int handle(const char *event, size_t len, long *records, const char **err) {
    dd_json root, v;
    *records = 0;
    *err = NULL;
    if (dd_json_parse(event, len, &root) != DD_OK) {
        *err = "the event is not JSON";
        return -1;
    }
    if (dd_json_get(&root, "fail", 4, &v) == DD_OK && v.type == DD_JSON_BOOL && v.n == 4) {
        *err = "the event asked the handler to fail";
        return -1;
    }
    if (dd_json_get(&root, "Records", 7, &v) == DD_OK && v.type == DD_JSON_ARRAY) {
        dd_json_iter it;
        dd_json item;
        dd_json_iter_init(&it, &v);
        while (dd_json_next(&it, NULL, &item) == DD_OK) (*records)++;
    }
    return 0;
}

static void log_line(void *user, int level, const char *msg, size_t len) {
    (void)user;
    if (level <= DD_LOG_WARN) fprintf(stderr, "bootstrap: %.*s\n", (int)len, msg);
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    char url[300], path[512];
    dd_sender *runtime, *agent;
    dd_sender_options ropt, aopt;
    dd_tracer_config tcfg;
    dd_lambda_options lopt;
    dd_tracer *tracer;
    dd_lambda *lam;
    if (!api || !*api) {
        fprintf(stderr, "bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n");
        return 1;
    }
    snprintf(url, sizeof url, "http://%s", api);
    dd_sender_options_init(&ropt);
    ropt.url = url;
    ropt.log_fn = log_line;
    runtime = dd_sender_new(&ropt);
    if (!runtime) {
        fprintf(stderr, "bootstrap: bad AWS_LAMBDA_RUNTIME_API %s\n", api);
        return 1;
    }
    dd_sender_options_init(&aopt); /* the agent: DD_TRACE_AGENT_URL, DD_AGENT_HOST, ... */
    aopt.log_fn = log_line;
    agent = dd_sender_new(&aopt);
    if (!agent) {
        fprintf(stderr, "bootstrap: out of memory\n");
        return 1;
    }
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.transport_fn = dd_sender_transport;
    tcfg.hook_user = agent;
    tcfg.transport_user = agent;
    tcfg.flush_interval_ms = -1; /* only the flush at the end of each invocation */
    tracer = dd_tracer_new(&tcfg);
    memset(&lopt, 0, sizeof lopt); /* function name, service, ... from the environment */
    lam = dd_lambda_new(tracer, &lopt);
    if (!tracer || !lam) {
        static const char init_error[] = "{\"errorMessage\":\"tracer\",\"errorType\":\"InitError\"}";
        fprintf(stderr, "bootstrap: %s failed\n", tracer ? "dd_lambda_new" : "dd_tracer_new");
        dd_sender_request(runtime, "POST", "/2018-06-01/runtime/init/error", NULL, 0, init_error,
                          sizeof init_error - 1, 10000, NULL);
        return 1;
    }
    for (;;) {
        char request_id[128], arn[DD_LAMBDA_ARN_MAX + 1], trace_header[512], client_context[4096], out[256];
        char *event;
        int rc, failed, http;
        long records = 0;
        const char *err = NULL;
        size_t body_len = 0;
        dd_http_response resp;
        dd_lambda_invocation inv;
        dd_lambda_trigger trigger;
        dd_span *span, *work;

        /* 1. The next invocation: a long poll with no deadline (timeout 0). */
        rc = dd_sender_request(runtime, "GET", "/2018-06-01/runtime/invocation/next", NULL, 0, NULL, 0, 0, &resp);
        if (rc != DD_TRANSPORT_ANSWERED || resp.status != 200) {
            fprintf(stderr, "bootstrap: next invocation: %s (status %d); exiting\n",
                    rc != DD_TRANSPORT_ANSWERED ? dd_sender_last_error(runtime) : "unexpected status", resp.status);
            break;
        }
        body_len = resp.body_len;
        header_copy(runtime, "Lambda-Runtime-Aws-Request-Id", request_id, sizeof request_id);
        header_copy(runtime, "Lambda-Runtime-Invoked-Function-Arn", arn, sizeof arn);
        header_copy(runtime, "Lambda-Runtime-Trace-Id", trace_header, sizeof trace_header);
        header_copy(runtime, "Lambda-Runtime-Client-Context", client_context, sizeof client_context);
        if (!request_id[0] || strchr(request_id, '/')) {
            fprintf(stderr, "bootstrap: invocation without a usable request id; exiting\n");
            break;
        }
        /* The runtime contract: the X-Ray header of the invocation goes into _X_AMZN_TRACE_ID. */
        if (trace_header[0]) setenv("_X_AMZN_TRACE_ID", trace_header, 1);
        else unsetenv("_X_AMZN_TRACE_ID");
        event = (char *)malloc(body_len + 1); /* the sender's buffer is reused by the answer */
        if (!event) break;
        memcpy(event, resp.body, body_len);
        event[body_len] = 0;

        /* 2. Context, [inferred span ->] aws.lambda, then the handler's own span. */
        memset(&inv, 0, sizeof inv);
        inv.event = event;
        inv.event_len = body_len;
        inv.client_context = client_context[0] ? client_context : NULL;
        inv.client_context_len = strlen(client_context);
        inv.request_id = request_id;
        inv.invoked_function_arn = arn;
        inv.xray_trace_id = trace_header[0] ? trace_header : NULL;
        span = dd_lambda_start_invocation(lam, &inv, &trigger);
        http = trigger.event_source == DD_LAMBDA_EVENT_API_GATEWAY || trigger.event_source == DD_LAMBDA_EVENT_ALB ||
               trigger.event_source == DD_LAMBDA_EVENT_FUNCTION_URL;
        work = dd_span_start_child(span, "demo.handler");
        dd_span_set_resource(work, trigger.event_source != DD_LAMBDA_EVENT_UNKNOWN
                                       ? dd_lambda_event_source_name(trigger.event_source) : "event");
        dd_span_set_tag(work, "_dd.origin", "lambda");
        failed = handle(event, body_len, &records, &err) != 0;
        dd_span_set_metric(work, "records", (double)records);
        if (failed) {
            dd_span_set_error_info(work, "DemoError", err, NULL);
            dd_span_set_error_info(span, "DemoError", err, NULL);
        }
        dd_span_finish(work);
        if (failed) out[0] = 0;
        else if (http) snprintf(out, sizeof out, "{\"statusCode\":200,\"body\":\"processed %ld record(s)\"}", records);
        else snprintf(out, sizeof out, "{\"processed\":%ld}", records);

        /* 3. End the invocation: finish, then flush before answering (Lambda may freeze the
         *    sandbox once it has the answer). */
        rc = dd_lambda_end_invocation(lam, span, failed ? NULL : out, failed ? 0 : strlen(out), failed);
        if (rc != DD_OK)
            fprintf(stderr, "bootstrap: flush failed: %s (%s)\n", dd_status_str(rc), dd_sender_last_error(agent));

        /* 4. The answer. */
        if (failed) {
            dd_header h;
            char json[512];
            h.name = "Lambda-Runtime-Function-Error-Type";
            h.name_len = strlen(h.name);
            h.value = "DemoError";
            h.value_len = 9;
            snprintf(json, sizeof json, "{\"errorMessage\":\"%s\",\"errorType\":\"DemoError\",\"stackTrace\":[]}", err);
            snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/%s/error", request_id);
            rc = dd_sender_request(runtime, "POST", path, &h, 1, json, strlen(json), 10000, &resp);
        } else {
            snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/%s/response", request_id);
            rc = dd_sender_request(runtime, "POST", path, NULL, 0, out, strlen(out), 10000, &resp);
        }
        if (rc != DD_TRANSPORT_ANSWERED || resp.status != 202)
            fprintf(stderr, "bootstrap: answer for %s: %s (status %d)\n", request_id,
                    rc != DD_TRANSPORT_ANSWERED ? dd_sender_last_error(runtime) : "unexpected status", resp.status);
        else
            fprintf(stderr, "bootstrap: invocation %s %s\n", request_id, failed ? "failed" : "done");
        free(event);
    }
    dd_lambda_free(lam);
    dd_tracer_free(tracer);
    dd_sender_free(runtime);
    dd_sender_free(agent);
    return 0;
}
