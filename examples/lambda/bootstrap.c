/* cc -std=c99 -O2 -I. examples/lambda/bootstrap.c examples/sender_posix.c -o bootstrap -lpthread -lm */
/* examples/lambda/bootstrap.c - an AWS Lambda custom runtime in C, traced with dd-trace-c end to end.
 *
 * Speaks the Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API (host:port): loops on
 * GET /runtime/invocation/next, runs the handler, then POSTs /runtime/invocation/<id>/response
 * or /error. Each invocation:
 *   1. extracts the caller's trace context from the event with dd_lambda_extract (SQS `_datadog`
 *      attributes, HTTP headers, SNS, EventBridge, ..., X-Ray from Lambda-Runtime-Trace-Id);
 *   2. starts the inferred span of the trigger (aws.sqs, aws.apigateway, ...) when there is one,
 *      then the aws.lambda span (spec/serverless.md sections 7 and 8) and a child span for the
 *      handler's work;
 *   3. flushes synchronously through examples/sender_posix.c to the agent (DD_TRACE_AGENT_URL, or
 *      DD_AGENT_HOST / DD_TRACE_AGENT_PORT, default http://localhost:8126: the Datadog Lambda
 *      extension) BEFORE answering, because Lambda may freeze the sandbox once it has the answer.
 * The demo handler counts the event's Records and answers {"processed":N}; an event with
 * "fail": true makes it fail (an error span and a /error answer); HTTP triggers get
 * {"statusCode":200,...}. Exits when the Runtime API goes away. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "dd_trace.h"
#include "examples/sender_posix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A copy of a response header of the Runtime API, NUL-terminated ("" when absent or too long). */
static void header_copy(const dd_posix_sender *s, const char *name, char *out, size_t cap) {
    size_t n = 0;
    const char *v = dd_posix_sender_response_header(s, name, &n);
    out[0] = 0;
    if (v && n < cap) {
        memcpy(out, v, n);
        out[n] = 0;
    }
}

static void lower_copy(char *dst, const char *src, size_t cap) {
    size_t i;
    for (i = 0; src[i] && i + 1 < cap; i++) dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
    dst[i] = 0;
}

/* function_arn: the invoked ARN lower-cased and cut to 7 ':' parts; function_version: the 8th
 * part, else $LATEST (spec/serverless.md 7.1). */
static void arn_tags(const char *arn, char *function_arn, size_t cap, char *version, size_t vcap) {
    const char *p = arn;
    int parts = 1;
    size_t n;
    while (*p && !(*p == ':' && parts == 7)) {
        if (*p == ':') parts++;
        p++;
    }
    n = (size_t)(p - arn) < cap - 1 ? (size_t)(p - arn) : cap - 1;
    memcpy(function_arn, arn, n);
    function_arn[n] = 0;
    lower_copy(function_arn, function_arn, cap);
    if (*p == ':' && p[1] && strlen(p + 1) < vcap) strcpy(version, p + 1);
    else snprintf(version, vcap, "$LATEST");
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

static int is_http(int source) {
    return source == DD_LAMBDA_EVENT_API_GATEWAY || source == DD_LAMBDA_EVENT_ALB ||
           source == DD_LAMBDA_EVENT_FUNCTION_URL;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    const char *fn = getenv("AWS_LAMBDA_FUNCTION_NAME");
    char url[300], path[512], function_name[256], functionname_lc[256];
    dd_posix_sender runtime, agent;
    dd_tracer_config tcfg;
    dd_tracer *tracer;
    int64_t init_ns = wall_ns();
    int first = 1;
    if (!api || !*api) {
        fprintf(stderr, "bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n");
        return 1;
    }
    snprintf(function_name, sizeof function_name, "%s", fn && *fn ? fn : "function");
    lower_copy(functionname_lc, function_name, sizeof functionname_lc);
    snprintf(url, sizeof url, "http://%s", api);
    if (dd_posix_sender_init(&runtime, url) != DD_OK) {
        fprintf(stderr, "bootstrap: bad AWS_LAMBDA_RUNTIME_API %s\n", api);
        return 1;
    }
    if (dd_posix_sender_init(&agent, NULL) != DD_OK) {
        fprintf(stderr, "bootstrap: bad agent address (DD_TRACE_AGENT_URL / DD_AGENT_HOST / DD_TRACE_AGENT_PORT)\n");
        return 1;
    }
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.transport_fn = dd_posix_sender_transport;
    tcfg.hook_user = &agent;
    tcfg.flush_interval_ms = -1; /* only the flush at the end of each invocation */
    tracer = dd_tracer_new(&tcfg);
    if (!tracer) {
        fprintf(stderr, "bootstrap: dd_tracer_new failed\n");
        snprintf(path, sizeof path, "/2018-06-01/runtime/init/error");
        dd_posix_sender_post(&runtime, "POST", path, NULL, 0, "{\"errorMessage\":\"tracer\",\"errorType\":\"InitError\"}",
                             48, NULL, NULL, NULL);
        return 1;
    }
    for (;;) {
        char request_id[128], arn[DD_LAMBDA_ARN_MAX + 1], trace_header[512], client_context[4096];
        char function_arn[DD_LAMBDA_ARN_MAX + 1], function_version[64], out[256];
        char *event;
        size_t event_len;
        int status = 0, rc, failed, have_parent;
        long records = 0;
        const char *body = NULL, *err = NULL;
        size_t body_len = 0;
        int64_t start_ns;
        uint32_t i;
        dd_lambda_config lcfg;
        dd_trace_context extracted, parent;
        dd_lambda_trigger trigger;
        dd_span_options so;
        dd_span *inferred = NULL, *lambda, *work;

        /* 1. The next invocation: a long poll with no timeout. */
        runtime.timeout_ms = 0;
        rc = dd_posix_sender_post(&runtime, "GET", "/2018-06-01/runtime/invocation/next", NULL, 0, NULL, 0, &status,
                                  &body, &body_len);
        if (rc != DD_OK || status != 200) {
            fprintf(stderr, "bootstrap: next invocation: %s (status %d); exiting\n",
                    rc != DD_OK ? runtime.last_error : "unexpected status", status);
            break;
        }
        header_copy(&runtime, "Lambda-Runtime-Aws-Request-Id", request_id, sizeof request_id);
        header_copy(&runtime, "Lambda-Runtime-Invoked-Function-Arn", arn, sizeof arn);
        header_copy(&runtime, "Lambda-Runtime-Trace-Id", trace_header, sizeof trace_header);
        header_copy(&runtime, "Lambda-Runtime-Client-Context", client_context, sizeof client_context);
        if (!request_id[0] || strchr(request_id, '/')) {
            fprintf(stderr, "bootstrap: invocation without a usable request id; exiting\n");
            break;
        }
        /* The runtime contract: the X-Ray header of the invocation goes into _X_AMZN_TRACE_ID. */
        if (trace_header[0]) setenv("_X_AMZN_TRACE_ID", trace_header, 1);
        else unsetenv("_X_AMZN_TRACE_ID");
        event = (char *)malloc(body_len + 1); /* the sender's buffer is reused by the answer */
        if (!event) break;
        memcpy(event, body, body_len);
        event[body_len] = 0;
        event_len = body_len;

        /* 2. The caller's context and the trigger. */
        memset(&lcfg, 0, sizeof lcfg);
        lcfg.invoked_function_arn = arn;
        memset(&trigger, 0, sizeof trigger);
        dd_lambda_extract(&lcfg, event, event_len, client_context, strlen(client_context), &extracted, &trigger);
        have_parent = dd_lambda_parent(&lcfg, &extracted, trigger.context_source, &parent) == DD_OK;

        /* 3. Spans: [inferred] -> aws.lambda -> handler. */
        start_ns = wall_ns();
        memset(&so, 0, sizeof so);
        so.context = have_parent ? &parent : NULL;
        if (trigger.span_name[0]) {
            so.name = trigger.span_name;
            so.service = trigger.service[0] ? trigger.service : NULL;
            so.resource = trigger.resource[0] ? trigger.resource : NULL;
            so.type = "web";
            so.start_ns = trigger.start_ns ? trigger.start_ns : start_ns;
            inferred = dd_span_start(tracer, &so);
            dd_span_set_kind(inferred, "server");
            dd_span_set_tag(inferred, "operation_name", trigger.span_name);
            dd_span_set_tag(inferred, "resource_names", trigger.resource);
            dd_span_set_tag(inferred, "_inferred_span.tag_source", "self");
            dd_span_set_tag(inferred, "_inferred_span.synchronicity", trigger.is_async ? "async" : "sync");
            dd_span_set_metric(inferred, "_dd._inferred_span", 1);
            dd_span_set_tag(inferred, "_dd.origin", "lambda");
            if (trigger.event_source_arn[0]) dd_span_set_tag(inferred, "dd_resource_key", trigger.event_source_arn);
            for (i = 0; i < trigger.n_tags && i < DD_LAMBDA_TAGS_MAX; i++)
                dd_span_set_tag(inferred, trigger.tags[i].key, trigger.tags[i].value);
            memset(&so, 0, sizeof so);
            so.parent = inferred;
        }
        so.name = "aws.lambda";
        so.service = getenv("DD_SERVICE") && *getenv("DD_SERVICE") ? NULL : functionname_lc;
        so.resource = function_name;
        so.type = "serverless";
        so.start_ns = start_ns;
        lambda = dd_span_start(tracer, &so);
        if (inferred && trigger.is_async) dd_span_finish_at(inferred, start_ns); /* async: ends as aws.lambda starts */
        arn_tags(arn, function_arn, sizeof function_arn, function_version, sizeof function_version);
        dd_span_set_kind(lambda, "server");
        if (first && start_ns - init_ns > (int64_t)10 * 1000000000) {
            dd_span_set_tag(lambda, "cold_start", "false");
            dd_span_set_tag(lambda, "proactive_initialization", "true");
        } else {
            dd_span_set_tag(lambda, "cold_start", first ? "true" : "false");
        }
        first = 0;
        dd_span_set_tag(lambda, "function_arn", function_arn);
        dd_span_set_tag(lambda, "function_version", function_version);
        dd_span_set_tag(lambda, "request_id", request_id);
        dd_span_set_tag(lambda, "resource_names", function_name);
        dd_span_set_tag(lambda, "functionname", functionname_lc);
        dd_span_set_tag(lambda, "dd_trace", DD_VERSION_STRING);
        dd_span_set_tag(lambda, "_dd.origin", "lambda");
        if (trigger.event_source != DD_LAMBDA_EVENT_UNKNOWN)
            dd_span_set_tag(lambda, "function_trigger.event_source", dd_lambda_event_source_name(trigger.event_source));
        if (trigger.event_source_arn[0])
            dd_span_set_tag(lambda, "function_trigger.event_source_arn", trigger.event_source_arn);

        work = dd_span_start_child(lambda, "demo.handler");
        dd_span_set_resource(work, trigger.event_source != DD_LAMBDA_EVENT_UNKNOWN
                                       ? dd_lambda_event_source_name(trigger.event_source) : "event");
        dd_span_set_tag(work, "_dd.origin", "lambda");
        failed = handle(event, event_len, &records, &err) != 0;
        dd_span_set_metric(work, "records", (double)records);
        if (failed) {
            dd_span_set_error_info(work, "DemoError", err, NULL);
            dd_span_set_error_info(lambda, "DemoError", err, NULL);
        }
        dd_span_finish(work);
        if (is_http(trigger.event_source)) {
            dd_span_set_tag(lambda, "http.status_code", failed ? "502" : "200");
            dd_span_set_tag(inferred, "http.status_code", failed ? "502" : "200");
        }
        dd_span_finish(lambda);
        if (inferred && !trigger.is_async) dd_span_finish(inferred);

        /* 4. Flush before answering: Lambda may freeze the sandbox once it has the answer. */
        rc = dd_tracer_flush(tracer);
        if (rc != DD_OK)
            fprintf(stderr, "bootstrap: flush failed: %s (%s)\n", dd_status_str(rc), agent.last_error);

        /* 5. The answer. */
        runtime.timeout_ms = 10000;
        if (failed) {
            dd_header h;
            char json[512];
            h.name = "Lambda-Runtime-Function-Error-Type";
            h.name_len = strlen(h.name);
            h.value = "DemoError";
            h.value_len = 9;
            snprintf(json, sizeof json, "{\"errorMessage\":\"%s\",\"errorType\":\"DemoError\",\"stackTrace\":[]}", err);
            snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/%s/error", request_id);
            rc = dd_posix_sender_post(&runtime, "POST", path, &h, 1, json, strlen(json), &status, NULL, NULL);
        } else {
            if (is_http(trigger.event_source))
                snprintf(out, sizeof out, "{\"statusCode\":200,\"body\":\"processed %ld record(s)\"}", records);
            else
                snprintf(out, sizeof out, "{\"processed\":%ld}", records);
            snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/%s/response", request_id);
            rc = dd_posix_sender_post(&runtime, "POST", path, NULL, 0, out, strlen(out), &status, NULL, NULL);
        }
        if (rc != DD_OK || status != 202)
            fprintf(stderr, "bootstrap: answer for %s: %s (status %d)\n", request_id,
                    rc != DD_OK ? runtime.last_error : "unexpected status", status);
        else
            fprintf(stderr, "bootstrap: invocation %s %s\n", request_id, failed ? "failed" : "done");
        free(event);
    }
    dd_tracer_free(tracer);
    dd_posix_sender_free(&runtime);
    dd_posix_sender_free(&agent);
    return 0;
}
