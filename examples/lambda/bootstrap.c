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
 *   3. ends the invocation (HTTP status from the answer, errors) and delivers the traces BEFORE
 *      answering, because Lambda may freeze the sandbox once it has the answer.
 * Where the data goes (docs/lambda.md §11, docs/delivery.md §4, §5):
 *   - Extension mode, when /opt/extensions/datadog-agent exists (the Datadog Extension layer):
 *     traces to its trace intake http://127.0.0.1:8126 (DD_TRACE_AGENT_URL overrides), flushed
 *     synchronously at the end of each invocation within a deadline (DD_TRACE_AGENT_TIMEOUT,
 *     default 2 s per request; the flush waits at most 2 s more); custom metrics as DogStatsD
 *     datagrams to UDP 127.0.0.1:DD_DOGSTATSD_PORT (default 8125) through dd_udp_sender; with
 *     DD_UNIVERSAL_INSTRUMENTATION=true the Extension's lifecycle API on http://127.0.0.1:8124
 *     (start-invocation / end-invocation, 1 s deadline each).
 *   - Forwarder mode, without the Extension: each trace and metric as a JSON line on stdout.
 *   - DD_MERGE_XRAY_TRACES=true: the X-Ray datadog-metadata subsegments as UDP datagrams to
 *     AWS_XRAY_DAEMON_ADDRESS (host:port, or the udp: part of "tcp:h:p udp:h:p"; unset: none).
 * Events up to the Runtime API's 6 MB limit are accepted (7 MiB kept), and nested payloads (a
 * large `_datadog` SQS attribute) are decoded into a scratch as large as the largest event.
 * Timeouts (docs/lambda.md §11.4): the handler runs on a worker thread (it makes no SDK call; this
 * thread owns the spans). Past the invocation's deadline Lambda kills the runtime and starts a new
 * one; the Extension detects the timeout itself. As datadog-lambda-python and -js do, an impending
 * timeout guard fires DD_APM_FLUSH_DEADLINE_MILLISECONDS (default 100) before the deadline
 * (Lambda-Runtime-Deadline-Ms): the handler's span is finished, aws.lambda gets error.type
 * "Impending Timeout" and error.message "Datadog detected an Impending Timeout", the invocation
 * is ended and its traces delivered (Forwarder lines, or the Extension's trace intake), then the
 * runtime waits for the handler (and answers if it is still alive). With universal
 * instrumentation there is no guard (as datadog-lambda-go): no end-invocation is sent for an
 * invocation that times out, the Extension reports it.
 * For local tests only: DD_LAMBDA_EXTENSION_PATH replaces the Extension's file path and
 * DD_LAMBDA_EXTENSION_URL the lifecycle API's address.
 * The demo handler counts the event's Records, sends the custom metric demo.records (tagged with
 * the event source) and answers {"processed":N}; an event with "fail": true makes it fail (an
 * error span and a /error answer); "sleep_ms": N makes it sleep first; HTTP triggers get
 * {"statusCode":200,...}. Exits when the Runtime API goes away. */
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_lambda.h"
#include "dd_sender.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime_api.h" /* the answers of the Runtime API: what fuzz/fuzz_runtime_api.c runs */

#define EVENT_MAX RT_EVENT_MAX

/* The Runtime API's headers through the sender that received them. */
static const char *runtime_header(const void *user, const char *name, size_t *len) {
    return dd_sender_response_header((const dd_sender *)user, name, len);
}

/* The handler's run on its worker thread: user code only (no SDK call), so that the runtime
 * thread, which owns the spans, can end the invocation at an impending timeout. */
typedef struct handler_job {
    const char *event;
    size_t len;
    long records;
    const char *err;
    int failed, done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} handler_job;
static void *handler_main(void *arg) {
    handler_job *j = (handler_job *)arg;
    long records = 0;
    const char *err = NULL;
    int failed;
    uint64_t sleep_ms = rt_sleep_ms(j->event, j->len);
    if (sleep_ms) {
        struct timespec ts;
        ts.tv_sec = (time_t)(sleep_ms / 1000);
        ts.tv_nsec = (long)(sleep_ms % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
    failed = rt_handle(j->event, j->len, &records, &err) != 0;
    pthread_mutex_lock(&j->mu);
    j->records = records;
    j->err = err;
    j->failed = failed;
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}
/* Waits for the handler until guard_ms (epoch ms; 0 = no guard). 1 when it finished. */
static int handler_wait(handler_job *j, int64_t guard_ms) {
    int done;
    struct timespec ts;
    ts.tv_sec = (time_t)(guard_ms / 1000);
    ts.tv_nsec = (long)(guard_ms % 1000) * 1000000L;
    pthread_mutex_lock(&j->mu);
    while (!j->done) {
        if (!guard_ms) pthread_cond_wait(&j->cv, &j->mu);
        else if (pthread_cond_timedwait(&j->cv, &j->mu, &ts) == ETIMEDOUT) break;
    }
    done = j->done;
    pthread_mutex_unlock(&j->mu);
    return done;
}
static int64_t env_ms(const char *name, int64_t dflt) { /* a positive integer, else the default */
    const char *v = getenv(name);
    long long n = v ? atoll(v) : 0;
    return n > 0 ? (int64_t)n : dflt;
}

/* Forwarder mode: a whole line to stdout with write(2) (a stdio buffer or a runtime prefix would
 * break the JSON the Forwarder parses). */
static int write_stdout(void *user, const char *line, size_t len) {
    (void)user;
    while (len > 0) {
        ssize_t n = write(1, line, len);
        if (n <= 0) return -1;
        line += n;
        len -= (size_t)n;
    }
    return 0;
}
static int udp_send(void *user, const char *data, size_t len) {
    return dd_udp_send((dd_udp_sender *)user, data, len) == DD_OK ? 0 : -1;
}
static const char *ext_header(void *user, const char *name, size_t *len) {
    return dd_sender_response_header((const dd_sender *)user, name, len);
}
static int flag_on(const char *name) {
    const char *v = getenv(name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "TRUE") == 0 || strcmp(v, "True") == 0);
}

static void log_line(void *user, int level, const char *msg, size_t len) {
    (void)user;
    if (level <= DD_LOG_WARN) fprintf(stderr, "bootstrap: %.*s\n", (int)len, msg);
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    char url[300], path[512];
    dd_sender *runtime, *agent = NULL, *ext = NULL;
    dd_sender_options ropt, aopt;
    dd_tracer_config tcfg;
    dd_lambda_options lopt;
    dd_lambda_config lcfg;
    dd_lambda_forwarder fwd;
    dd_udp_sender *statsd = NULL, *xray = NULL;
    dd_tracer *tracer;
    dd_lambda *lam;
    const char *ext_path = getenv("DD_LAMBDA_EXTENSION_PATH");
    char *scratch;
    int mode, guard;
    int64_t flush_deadline_ms = env_ms("DD_APM_FLUSH_DEADLINE_MILLISECONDS", 100);
    FILE *probe;
    if (!api || !*api) {
        fprintf(stderr, "bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n");
        return 1;
    }
    snprintf(url, sizeof url, "http://%s", api);
    dd_sender_options_init(&ropt);
    ropt.url = url;
    ropt.log_fn = log_line;
    ropt.max_response_bytes = EVENT_MAX;
    runtime = dd_sender_new(&ropt);
    if (!runtime) {
        fprintf(stderr, "bootstrap: bad AWS_LAMBDA_RUNTIME_API %s\n", api);
        return 1;
    }
    /* The mode: the Extension when its file exists (as the official libraries detect it). */
    probe = fopen(ext_path && *ext_path ? ext_path : DD_LAMBDA_EXTENSION_PATH, "rb");
    mode = probe ? DD_LAMBDA_MODE_EXTENSION : DD_LAMBDA_MODE_FORWARDER;
    if (probe) fclose(probe);
    memset(&tcfg, 0, sizeof tcfg);
    memset(&fwd, 0, sizeof fwd);
    tcfg.flush_interval_ms = -1; /* only the flush at the end of each invocation */
    tcfg.delivery = DD_DELIVERY_MANUAL;
    if (mode == DD_LAMBDA_MODE_EXTENSION) {
        const char *port = getenv("DD_DOGSTATSD_PORT"), *agent_url = getenv("DD_TRACE_AGENT_URL");
        dd_sender_options_init(&aopt); /* the Extension's trace intake, unless DD_TRACE_AGENT_URL */
        aopt.log_fn = log_line;
        if (!agent_url || !*agent_url) aopt.url = "http://127.0.0.1:8126";
        agent = dd_sender_new(&aopt);
        if (!agent) {
            fprintf(stderr, "bootstrap: out of memory\n");
            return 1;
        }
        tcfg.transport_fn = dd_sender_transport;
        tcfg.transport_user = agent;
        statsd = dd_udp_sender_open("127.0.0.1", port && atoi(port) > 0 && atoi(port) < 65536 ? atoi(port) : 8125);
    } else {
        fwd.write_fn = write_stdout;
        tcfg.transport_fn = dd_lambda_forwarder_transport;
        tcfg.transport_user = &fwd;
    }
    tracer = dd_tracer_new(&tcfg);
    memset(&lcfg, 0, sizeof lcfg);
    if (flag_on("DD_MERGE_XRAY_TRACES")) { /* the datadog-metadata subsegments to the X-Ray daemon */
        const char *addr = getenv("AWS_XRAY_DAEMON_ADDRESS"); /* none or no ':': nothing sent (§6.6) */
        xray = addr && strchr(addr, ':') ? dd_udp_sender_open_addr(addr, 2000) : NULL;
        if (xray) {
            lcfg.send_fn = udp_send;
            lcfg.hook_user = xray;
        }
    }
    scratch = (char *)malloc(EVENT_MAX); /* nested payloads of any event the Runtime API delivers */
    if (scratch) {
        lcfg.scratch = scratch;
        lcfg.scratch_len = EVENT_MAX;
    }
    memset(&lopt, 0, sizeof lopt); /* function name, service, ... from the environment */
    lopt.config = &lcfg;
    lopt.mode = mode;
    lopt.statsd_fn = statsd ? udp_send : NULL;
    lopt.statsd_user = statsd;
    lopt.write_fn = write_stdout;
    if (mode == DD_LAMBDA_MODE_EXTENSION && flag_on("DD_UNIVERSAL_INSTRUMENTATION")) {
        dd_sender_options eopt;
        const char *eurl = getenv("DD_LAMBDA_EXTENSION_URL");
        dd_sender_options_init(&eopt);
        eopt.url = eurl && *eurl ? eurl : "http://127.0.0.1:8124";
        eopt.log_fn = log_line;
        ext = dd_sender_new(&eopt);
        lopt.extension.request_fn = dd_sender_transport;
        lopt.extension.response_header_fn = ext_header;
        lopt.extension.user = ext;
        lopt.extension.timeout_ms = 1000;
    }
    guard = !lopt.extension.request_fn; /* no impending-timeout guard with universal instrumentation */
    lam = dd_lambda_new(tracer, &lopt);
    if (!tracer || !lam) {
        static const char init_error[] = "{\"errorMessage\":\"tracer\",\"errorType\":\"InitError\"}";
        fprintf(stderr, "bootstrap: %s failed\n", tracer ? "dd_lambda_new" : "dd_tracer_new");
        dd_sender_request(runtime, "POST", "/2018-06-01/runtime/init/error", NULL, 0, init_error,
                          sizeof init_error - 1, 10000, NULL);
        free(scratch);
        return 1;
    }
    for (;;) {
        static rt_invocation ri; /* 5 KiB of headers: off the stack */
        char out[256], deadline[32];
        const char *request_id = ri.request_id, *event;
        int rc, failed, http, finished;
        long records = 0;
        const char *err = NULL;
        int64_t deadline_ms;
        handler_job job;
        pthread_t worker;
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
        rc = rt_read_invocation(runtime_header, runtime, resp.body, resp.body_len, &ri);
        rt_header_copy(runtime_header, runtime, "Lambda-Runtime-Deadline-Ms", deadline, sizeof deadline);
        deadline_ms = atoll(deadline);
        if (rc == -1) {
            fprintf(stderr, "bootstrap: invocation without a usable request id; exiting\n");
            break;
        }
        if (rc != 0) break;
        event = ri.event;
        body_len = ri.event_len;
        /* The runtime contract: the X-Ray header of the invocation goes into _X_AMZN_TRACE_ID. */
        if (ri.trace_header[0]) setenv("_X_AMZN_TRACE_ID", ri.trace_header, 1);
        else unsetenv("_X_AMZN_TRACE_ID");

        /* 2. Context, [inferred span ->] aws.lambda, then the handler's own span. */
        memset(&inv, 0, sizeof inv);
        inv.event = event;
        inv.event_len = body_len;
        inv.client_context = ri.client_context[0] ? ri.client_context : NULL;
        inv.client_context_len = strlen(ri.client_context);
        inv.request_id = request_id;
        inv.invoked_function_arn = ri.arn;
        inv.xray_trace_id = ri.trace_header[0] ? ri.trace_header : NULL;
        span = dd_lambda_start_invocation(lam, &inv, &trigger);
        http = trigger.event_source == DD_LAMBDA_EVENT_API_GATEWAY || trigger.event_source == DD_LAMBDA_EVENT_ALB ||
               trigger.event_source == DD_LAMBDA_EVENT_FUNCTION_URL;
        work = dd_span_start_child(span, "demo.handler");
        dd_span_set_resource(work, trigger.event_source != DD_LAMBDA_EVENT_UNKNOWN
                                       ? dd_lambda_event_source_name(trigger.event_source) : "event");
        dd_span_set_tag(work, "_dd.origin", "lambda");
        memset(&job, 0, sizeof job);
        job.event = event;
        job.len = body_len;
        pthread_mutex_init(&job.mu, NULL);
        pthread_cond_init(&job.cv, NULL);
        if (pthread_create(&worker, NULL, handler_main, &job) != 0) handler_main(&job);
        else {
            finished = handler_wait(&job, guard && deadline_ms > 0 ? deadline_ms - flush_deadline_ms : 0);
            if (!finished) { /* the impending timeout (datadog-lambda-python's crash flush) */
                dd_span_finish(work);
                dd_lambda_set_invocation_error(lam, span, "Impending Timeout", "Datadog detected an Impending Timeout", NULL);
                rc = dd_lambda_end_invocation(lam, span, NULL, 0, 0);
                fprintf(stderr, "bootstrap: invocation %s: impending timeout, traces delivered (%s)\n", request_id,
                        dd_status_str(rc));
                span = work = NULL; /* ended: the answer below, if Lambda lets the handler finish, is all that is left */
            }
            pthread_join(worker, NULL);
        }
        pthread_mutex_destroy(&job.mu);
        pthread_cond_destroy(&job.cv);
        records = job.records;
        err = job.err;
        failed = job.failed;
        dd_span_set_metric(work, "records", (double)records);
        if (failed) {
            dd_span_set_error_info(work, "DemoError", err, NULL);
            dd_lambda_set_invocation_error(lam, span, "DemoError", err, NULL);
        } else {
            char tag[64];
            const char *tags[1];
            snprintf(tag, sizeof tag, "source:%s", dd_lambda_event_source_name(trigger.event_source));
            tags[0] = tag;
            dd_lambda_metric(lam, "demo.records", (double)records, tags, 1, 0);
        }
        dd_span_finish(work);
        if (failed) out[0] = 0;
        else if (http) snprintf(out, sizeof out, "{\"statusCode\":200,\"body\":\"processed %ld record(s)\"}", records);
        else snprintf(out, sizeof out, "{\"processed\":%ld}", records);

        /* 3. End the invocation: finish, then flush before answering (Lambda may freeze the
         *    sandbox once it has the answer). */
        rc = span ? dd_lambda_end_invocation(lam, span, failed ? NULL : out, failed ? 0 : strlen(out), failed) : DD_OK;
        if (rc != DD_OK)
            fprintf(stderr, "bootstrap: flush failed: %s (%s)\n", dd_status_str(rc), agent ? dd_sender_last_error(agent) : "");

        /* 4. The answer. */
        if (failed) {
            dd_header h;
            char json[512];
            h.name = "Lambda-Runtime-Function-Error-Type";
            h.name_len = strlen(h.name);
            h.value = "DemoError";
            h.value_len = 9;
            snprintf(json, sizeof json, "{\"errorMessage\":\"%s\",\"errorType\":\"DemoError\",\"stackTrace\":[]}", err);
            rt_answer_path(request_id, 1, path, sizeof path);
            rc = dd_sender_request(runtime, "POST", path, &h, 1, json, strlen(json), 10000, &resp);
        } else {
            rt_answer_path(request_id, 0, path, sizeof path);
            rc = dd_sender_request(runtime, "POST", path, NULL, 0, out, strlen(out), 10000, &resp);
        }
        if (rc != DD_TRANSPORT_ANSWERED || resp.status != 202)
            fprintf(stderr, "bootstrap: answer for %s: %s (status %d)\n", request_id,
                    rc != DD_TRANSPORT_ANSWERED ? dd_sender_last_error(runtime) : "unexpected status", resp.status);
        else
            fprintf(stderr, "bootstrap: invocation %s %s\n", request_id, failed ? "failed" : "done");
        rt_invocation_free(&ri);
    }
    dd_lambda_free(lam);
    dd_tracer_free(tracer);
    dd_sender_free(runtime);
    dd_sender_free(agent);
    dd_sender_free(ext);
    dd_udp_sender_close(statsd);
    dd_udp_sender_close(xray);
    free(scratch);
    return 0;
}
