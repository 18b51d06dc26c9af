/* tests/readme_test.c - every C snippet of README.md, compiled and run (cJSON's readme_examples.c).
 *
 * Each snippet sits below between a line README:<name> and a line README:end (in comments); the
 * test `readme_matches_snippets` reads README.md and this file and requires every ```c block of the
 * README to be, byte for byte, one of these regions (common indentation removed) and every region
 * to be in the README, so the two cannot drift apart. `config_table_matches_headers` requires the
 * README's configuration table to name exactly the DD_* variables the headers (dd_sender.h
 * included) read. The snippets themselves run against hand-written inputs and
 * their results are checked against values written from docs/ (ids, header names, span names).
 * Runs from tests/ (tests/run.sh) or from the repository root. */
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION /* for the Lambda snippet: dd_lambda.h, which implements all four headers */
#include "dd_lambda.h"
#define main readme_usage_main
/* README:usage */
#define DD_TRACE_IMPLEMENTATION               /* in exactly one .c file */
#define DD_SENDER_IMPLEMENTATION              /* the same (or another) one file */
#include "dd_sender.h"                        /* includes dd_trace.h */

int main(void) {
    dd_tracer_config cfg = DD_TRACER_CONFIG_INIT; /* zeroed (C and C++): DD_* variables fill it in */
    dd_sender_attach(&cfg, dd_sender_new(NULL)); /* the agent from DD_* variables; the tracer owns it */
    dd_tracer *tracer = dd_tracer_new(&cfg);
    dd_span_options opts = DD_SPAN_OPTIONS_INIT;
    opts.name = "http.request";
    opts.resource = "GET /cart";
    dd_span *root = dd_span_start(tracer, &opts);
    dd_span *db = dd_span_start_child(root, "db.query");
    dd_span_set_tag(db, "db.system", "postgresql");
    dd_span_finish(db);
    dd_span_finish(root);
    dd_tracer_free(tracer);                   /* delivers what finished (2 s at most), frees */
    return 0;
}
/* README:end */
#undef main

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"

/*=== helpers ===*/

static char *read_file(const char *a, const char *b, size_t *len) {
    const char *names[2];
    int i;
    names[0] = a;
    names[1] = b;
    for (i = 0; i < 2; i++) {
        FILE *f = names[i] ? fopen(names[i], "rb") : NULL;
        char *p;
        long n;
        if (!f) continue;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        p = (char *)malloc((size_t)n + 1);
        if (p && fread(p, 1, (size_t)n, f) == (size_t)n) {
            p[n] = 0;
            if (len) *len = (size_t)n;
            fclose(f);
            return p;
        }
        free(p);
        fclose(f);
    }
    return NULL;
}

/* The JSON rendering of a recorded request body (the tracer's own debug rendering of msgpack). */
static char last_json[65536];

/*=== the hooks snippet, with the application it talks to ===*/

typedef struct my_app {
    int posts;
    char path[64];
    size_t body_len;
    int answer; /* the status my_http_post reports */
} my_app;

static int my_http_post(my_app *app, const char *path, const dd_header *headers, size_t n_headers,
                        const uint8_t *body, size_t body_len) {
    size_t i;
    int msgpack = 0;
    app->posts++;
    snprintf(app->path, sizeof app->path, "%s", path);
    app->body_len = body_len;
    for (i = 0; i < n_headers; i++)
        if (headers[i].value_len == 19 && memcmp(headers[i].value, "application/msgpack", 19) == 0) msgpack = 1;
    if (dd_mp_to_json(body, body_len, last_json, sizeof last_json) >= sizeof last_json) last_json[0] = 0;
    return msgpack ? app->answer : 400;
}

/* README:transport */
/* The transport runs on the tracer's worker, with transport_user (else hook_user) first. */
static int my_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    my_app *app = (my_app *)user;
    int status = my_http_post(app, req->path, req->headers, req->n_headers, req->body, req->body_len);
    resp->status = status;        /* 0 when no answer came */
    resp->body = NULL;            /* or the agent's answer, kept alive until the next call */
    resp->body_len = 0;
    if (status) return DD_TRANSPORT_ANSWERED;
    return DD_TRANSPORT_UNCONFIRMED; /* or DD_TRANSPORT_NOT_SENT if the request surely never left */
}
/* README:end */

static dd_tracer *new_tracer(my_app *app, int retries) {
    dd_tracer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = "readme";
    cfg.cgroup_path = "";
    cfg.flush_interval_ms = -1;
    cfg.send_retries = retries;
    cfg.transport_fn = my_transport;
    cfg.hook_user = app;
    return dd_tracer_new(&cfg);
}

/*=== the counters snippet ===*/

static int reports;
static char report_text[256];
static void my_report(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(report_text, sizeof report_text, fmt, ap);
    va_end(ap);
    reports++;
}

static void counters_snippet(dd_tracer *tracer) {
/* README:counters */
dd_counters c;
dd_tracer_counters(tracer, &c);
uint64_t lost = c.spans_dropped_limit + c.spans_dropped_buffer + c.spans_dropped_send;
if (lost || c.requests_failed)
    my_report("dd-trace-c: %llu span(s) dropped, %llu failed request(s)", (unsigned long long)lost,
              (unsigned long long)c.requests_failed);
/* README:end */
}

/*=== the sender snippet ===*/

static size_t info_seen;
static void use_info(const char *body, size_t len) {
    (void)body;
    info_seen = len;
}

static int sender_snippet(void) {
    dd_tracer_config cfg;
    memset(&cfg, 0, sizeof cfg);
/* README:sender */
dd_sender *agent = dd_sender_new(NULL);          /* or &options: url, timeout_ms, log_fn, ... */
cfg.transport_fn = dd_sender_transport;          /* the tracer's deliveries go through it */
cfg.hook_user = agent;                           /* (or cfg.transport_user) */
dd_http_response resp;                           /* any other call to the agent: */
int rc = dd_sender_request(agent, "GET", "/info", NULL, 0, NULL, 0, 2000, &resp);
if (rc == DD_TRANSPORT_ANSWERED && resp.status == 200) use_info(resp.body, resp.body_len);
dd_sender_free(agent);                           /* after dd_tracer_free */
/* README:end */
    return rc;
}

/*=== tests ===*/

/* The usage snippet runs (its agent is down: a Unix socket that does not exist) and returns 0. */
static void usage_snippet_runs(void) {
    setenv("DD_TRACE_AGENT_URL", "unix:///nonexistent-dd-trace-c-readme/apm.socket", 1);
    setenv("DD_TRACE_STARTUP_LOGS", "false", 1);
    CHECK_EQ_INT(readme_usage_main(), 0);
    unsetenv("DD_TRACE_AGENT_URL");
}

/* The sender snippet runs; its agent is down (a Unix socket that does not exist): not sent. */
static void sender_snippet_runs(void) {
    setenv("DD_TRACE_AGENT_URL", "unix:///nonexistent-dd-trace-c-readme/apm.socket", 1);
    CHECK_EQ_INT(sender_snippet(), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_U64(info_seen, 0);
    unsetenv("DD_TRACE_AGENT_URL");
}

/* The transport snippet: a flush reaches my_http_post with the v0.4 path and a msgpack body; a
 * 500 from it is a failed request, counted, and reported by the counters snippet. */
static void transport_and_counters_snippets(void) {
    my_app app;
    dd_tracer *t;
    dd_counters c;
    memset(&app, 0, sizeof app);
    app.answer = 200;
    t = new_tracer(&app, -1);
    dd_span_finish(dd_span_start(t, &(dd_span_options){.name = "job"}));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(app.posts, 1);
    CHECK_STR(app.path, "/v0.4/traces");
    CHECK(strstr(last_json, "\"name\":\"job\"") != NULL);
    reports = 0;
    counters_snippet(t);
    CHECK_EQ_INT(reports, 0);
    app.answer = 500;
    dd_span_finish(dd_span_start(t, &(dd_span_options){.name = "lost"}));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_HTTP);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.requests_failed, 1);
    counters_snippet(t);
    CHECK_EQ_INT(reports, 1);
    CHECK_STR(report_text, "dd-trace-c: 1 span(s) dropped, 1 failed request(s)");
    app.answer = 0; /* no answer: the transport returns -1 */
    dd_span_finish(dd_span_start(t, &(dd_span_options){.name = "lost2"}));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_TRANSPORT);
    dd_tracer_free(t);
}

/* The propagation snippet with hand-written incoming headers (docs/propagation.md: decimal ids
 * in x-datadog-*; W3C traceparent = 00-<32 hex trace id>-<16 hex parent>-<flags>). */
static void propagation_snippet(void) {
    static const char *names[] = {"X-Datadog-Trace-Id", "X-Datadog-Parent-Id", "X-Datadog-Sampling-Priority", "Host"};
    static const char *values[] = {"1234567890123456789", "987654321", "2", "example.com"};
    dd_header request_headers[4];
    size_t n_request_headers = 4, i;
    my_app app;
    dd_tracer *tracer;
    char want[64], id[21], json_want[64] = "(not set)";
    const char *tp = NULL, *xid = NULL, *xpid = NULL, *xprio = NULL;
    for (i = 0; i < 4; i++) {
        request_headers[i].name = names[i];
        request_headers[i].name_len = strlen(names[i]);
        request_headers[i].value = values[i];
        request_headers[i].value_len = strlen(values[i]);
    }
    memset(&app, 0, sizeof app);
    app.answer = 200;
    tracer = new_tracer(&app, 0);
    {
/* README:propagation */
dd_trace_context caller; dd_span_options so = DD_SPAN_OPTIONS_INIT; /* the caller's trace, with the tracer's styles: */
int found = dd_tracer_extract_headers(tracer, request_headers, n_request_headers, &caller) == DD_OK;
so.name = "web.request"; so.context = found ? &caller : NULL; dd_span *server = dd_span_start(tracer, &so);
dd_span_set_http_request(server, DD_HTTP_SERVER, "GET", "http://example.com/users/42?token=abc", request_headers, n_request_headers);
dd_span *client = dd_span_start_child(server, "http.request");  /* a call to another service */
dd_span_set_http_request(client, DD_HTTP_CLIENT, "GET", "http://backend:8080/users/42", NULL, 0);
dd_header out_items[16]; char out_buf[2048]; dd_headers out;
dd_headers_init(&out, out_items, 16, out_buf, sizeof out_buf);
dd_span_inject_headers(client, &out);     /* send out.items[0 .. out.n) with the call */
dd_span_set_http_response(client, 200, NULL, 0), dd_span_finish(client);
char log_prefix[256]; dd_span_log_correlation(server, 0, log_prefix, sizeof log_prefix); /* in your log line */
dd_span_set_http_response(server, 500, NULL, 0), dd_span_finish(server);  /* 5xx: an error */
/* README:end */
        /* the spans are finished (their handles dead): their ids come from the log line and the
         * headers, and the payload shows the parent */
        CHECK(found);
        CHECK(strncmp(log_prefix, "dd.trace_id=1234567890123456789 dd.span_id=", 43) == 0);
        for (i = 0; i < out.n; i++) {
            if (strcmp(out.items[i].name, "traceparent") == 0) tp = out.items[i].value;
            if (strcmp(out.items[i].name, "x-datadog-trace-id") == 0) xid = out.items[i].value;
            if (strcmp(out.items[i].name, "x-datadog-parent-id") == 0) xpid = out.items[i].value;
            if (strcmp(out.items[i].name, "x-datadog-sampling-priority") == 0) xprio = out.items[i].value;
        }
        CHECK_STR(xid, "1234567890123456789");
        CHECK_STR(xprio, "2");
        /* 1234567890123456789 = 0x112210f47de98115; priority 2 -> sampled flag 01; the parent is
         * the client span, x-datadog-parent-id in decimal */
        {
            uint64_t cid = 0;
            CHECK(xpid && dd_u64_from_dec(xpid, strlen(xpid), &cid) == DD_OK && cid != 0);
            dd_u64_to_dec(cid, id);
            memcpy(want, "00-0000000000000000112210f47de98115-", 36);
            dd_u64_to_hex16(cid, want + 36);
            memcpy(want + 52, "-01", 4);
            snprintf(json_want, sizeof json_want, "\"span_id\":%s,\"parent_id\":", id);
        }
        CHECK_STR(tp, want);
        CHECK_MEM(tp ? tp : "(no traceparent header was injected)", 36, "00-0000000000000000112210f47de98115-", 36);
    }
    CHECK_EQ_INT(dd_tracer_flush(tracer), DD_OK);
    CHECK(strstr(last_json, "\"http.url\":\"http://example.com/users/42?<redacted>\"") != NULL);
    CHECK(strstr(last_json, "\"http.status_code\":\"500\"") != NULL);
    CHECK(strstr(last_json, "\"error\":1") != NULL);
    CHECK(strstr(last_json, "\"trace_id\":1234567890123456789") != NULL);
    CHECK(strstr(last_json, "\"parent_id\":987654321") != NULL);
    CHECK(strstr(last_json, json_want) != NULL); /* the client span, as injected */
    dd_tracer_free(tracer);
}

/* The Lambda snippet with a hand-written SQS event carrying `_datadog` (docs/lambda.md). */
static void lambda_snippet(void) {
    static const char event[] =
        "{\"Records\":[{\"messageId\":\"m-1\",\"receiptHandle\":\"r\",\"body\":\"hello\","
        "\"attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1700000000000\","
        "\"SenderId\":\"AIDA\",\"ApproximateFirstReceiveTimestamp\":\"1700000000001\"},"
        "\"messageAttributes\":{\"_datadog\":{\"stringValue\":\"{\\\"x-datadog-trace-id\\\":\\\"4242\\\","
        "\\\"x-datadog-parent-id\\\":\\\"77\\\",\\\"x-datadog-sampling-priority\\\":\\\"1\\\"}\","
        "\"dataType\":\"String\"}},\"eventSource\":\"aws:sqs\","
        "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:orders\",\"awsRegion\":\"us-east-1\"}]}";
    size_t event_len = sizeof event - 1;
    const char *request_id = "c0ffee00-1111-2222-3333-444455556666";
    const char *function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-worker";
    const char *response = "{\"ok\":true}";
    my_app app;
    dd_tracer *tracer;
    memset(&app, 0, sizeof app);
    app.answer = 200;
    tracer = new_tracer(&app, 0);
    {
/* README:lambda */
dd_lambda *lambda = dd_lambda_new(tracer, NULL);   /* once per process: remembers the cold start */
dd_lambda_invocation inv = DD_ZERO_INIT;           /* from GET .../runtime/invocation/next */
inv.event = event;
inv.event_len = event_len;
inv.request_id = request_id;                       /* Lambda-Runtime-Aws-Request-Id */
inv.invoked_function_arn = function_arn;           /* Lambda-Runtime-Invoked-Function-Arn */
dd_span *span = dd_lambda_start_invocation(lambda, &inv, NULL);  /* [inferred span ->] aws.lambda */
dd_span *work = dd_span_start_child(span, "handler.work");
dd_span_finish(work);
dd_lambda_end_invocation(lambda, span, response, strlen(response), 0);  /* finishes, flushes */
/* then POST the response to .../invocation/<request id>/response */
/* README:end */
        dd_lambda_free(lambda);
    }
    CHECK_EQ_INT(app.posts, 1); /* flushed by dd_lambda_end_invocation */
    CHECK(strstr(last_json, "\"name\":\"aws.sqs\"") != NULL);
    CHECK(strstr(last_json, "\"name\":\"aws.lambda\"") != NULL);
    CHECK(strstr(last_json, "\"name\":\"handler.work\"") != NULL);
    CHECK(strstr(last_json, "\"trace_id\":4242") != NULL);
    CHECK(strstr(last_json, "\"parent_id\":77") != NULL);
    CHECK(strstr(last_json, "\"request_id\":\"c0ffee00-1111-2222-3333-444455556666\"") != NULL);
    CHECK(strstr(last_json, "\"_dd.origin\":\"lambda\"") != NULL);
    dd_tracer_free(tracer);
}

/* Region texts of this file, common indentation removed; returns how many (at most `cap`). */
typedef struct region {
    char name[32];
    char *text;
} region;

static size_t regions_of(const char *src, region *out, size_t cap) {
    size_t n = 0;
    const char *p = src;
    while (n < cap && (p = strstr(p, "/* README" ":")) != NULL) { /* split: no marker in this line */
        const char *name = p + 10, *body, *end;
        size_t nl, indent = (size_t)-1, len = 0;
        const char *q;
        if (strncmp(name, "end */", 6) == 0) {
            p = name;
            continue;
        }
        nl = strcspn(name, " ");
        body = strchr(p, '\n');
        end = body ? strstr(body + 1, "/* README" ":end */") : NULL;
        if (!body || !end) break;
        while (end > body + 1 && end[-1] == ' ') end--; /* the marker's own indentation */
        body++;
        /* the smallest indentation of the non-empty lines */
        for (q = body; q < end;) {
            size_t sp = 0;
            while (q + sp < end && q[sp] == ' ') sp++;
            if (q + sp < end && q[sp] != '\n' && sp < indent) indent = sp;
            q = memchr(q, '\n', (size_t)(end - q));
            if (!q) break;
            q++;
        }
        if (indent == (size_t)-1) indent = 0;
        out[n].text = (char *)malloc((size_t)(end - body) + 1);
        snprintf(out[n].name, sizeof out[n].name, "%.*s", (int)(nl < 31 ? nl : 31), name);
        for (q = body; q < end;) {
            const char *e = memchr(q, '\n', (size_t)(end - q));
            size_t l = e ? (size_t)(e - q) : (size_t)(end - q), skip = l < indent ? l : indent;
            memcpy(out[n].text + len, q + skip, l - skip);
            len += l - skip;
            out[n].text[len++] = '\n';
            q += l + 1;
        }
        out[n].text[len] = 0;
        n++;
        p = end;
    }
    return n;
}

/* Every ```c block of README.md is one region of this file, and every region is in README.md. */
static void readme_matches_snippets(void) {
    char *readme = read_file("../README.md", "README.md", NULL);
    char *self = read_file("readme_test.c", "tests/readme_test.c", NULL);
    region r[16];
    int used[16] = {0};
    size_t n = 0, i, blocks = 0;
    const char *p;
    CHECK(readme != NULL);
    CHECK(self != NULL);
    if (!readme || !self) {
        free(readme);
        free(self);
        return;
    }
    n = regions_of(self, r, 16);
    CHECK_EQ_INT(n, 6);
    for (p = readme; (p = strstr(p, "\n```c\n")) != NULL;) {
        const char *body = p + 6, *end = strstr(body, "\n```\n");
        int found = 0;
        if (!end) break;
        blocks++;
        for (i = 0; i < n; i++) {
            size_t l = strlen(r[i].text);
            if (l == (size_t)(end - body) + 1 && memcmp(r[i].text, body, l - 1) == 0) {
                found = 1;
                used[i] = 1;
            }
        }
        if (!found) fprintf(stderr, "  README block not compiled by tests/readme_test.c:\n%.*s\n", (int)(end - body), body);
        CHECK(found);
        p = end;
    }
    CHECK_EQ_INT(blocks, n);
    for (i = 0; i < n; i++) {
        if (!used[i]) fprintf(stderr, "  snippet %s of tests/readme_test.c is not in README.md (or differs)\n", r[i].name);
        CHECK(used[i]);
        free(r[i].text);
    }
    free(readme);
    free(self);
}

/* DD_* names, each once, from the string literals "DD_..." of `text`. */
static size_t dd_names(const char *text, char names[][64], size_t n, size_t cap, char quote) {
    const char *p = text;
    while ((p = strstr(p, "DD_")) != NULL) {
        size_t l = 0, i;
        int dup = 0;
        if (p == text || p[-1] != quote) {
            p += 3;
            continue;
        }
        while ((p[l] >= 'A' && p[l] <= 'Z') || (p[l] >= '0' && p[l] <= '9') || p[l] == '_') l++;
        if (p[l] == quote && l < 64) {
            for (i = 0; i < n; i++) dup |= strncmp(names[i], p, l) == 0 && names[i][l] == 0;
            if (!dup && n < cap) {
                memcpy(names[n], p, l);
                names[n][l] = 0;
                n++;
            }
        }
        p += l;
    }
    return n;
}

/* The README's configuration table names exactly the DD_* variables read by the headers and the
 * agent sender. */
static void config_table_matches_headers(void) {
    static char code[128][64], doc[128][64];
    const char *files[] = {"dd_msgpack.h", "dd_propagation.h", "dd_trace.h", "dd_lambda.h", "dd_sender.h"};
    char path[512];
    size_t n_code = 0, n_doc = 0, i, j;
    char *readme = read_file("../README.md", "README.md", NULL), *table, *end;
    const char *prefix = access("../dd_trace.h", R_OK) == 0 ? "../" : "";
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *text;
        snprintf(path, sizeof path, "%s%s", prefix, files[i]);
        text = read_file(path, NULL, NULL);
        CHECK(text != NULL);
        if (text) n_code = dd_names(text, code, n_code, 128, '"');
        free(text);
    }
    CHECK(n_code >= 20);
    CHECK(readme != NULL);
    if (!readme) return;
    table = strstr(readme, "| variable | default |");
    end = table ? strstr(table, "\n\n") : NULL;
    CHECK(table != NULL && end != NULL);
    if (!table || !end) {
        free(readme);
        return;
    }
    *end = 0;
    n_doc = dd_names(table, doc, 0, 128, '`');
    for (i = 0; i < n_code; i++) {
        int found = 0;
        for (j = 0; j < n_doc; j++) found |= strcmp(code[i], doc[j]) == 0;
        if (!found) fprintf(stderr, "  %s is read by the code but missing from the README's table\n", code[i]);
        CHECK(found);
    }
    for (j = 0; j < n_doc; j++) {
        int found = 0;
        for (i = 0; i < n_code; i++) found |= strcmp(code[i], doc[j]) == 0;
        if (!found) fprintf(stderr, "  %s is in the README's table but read nowhere\n", doc[j]);
        CHECK(found);
    }
    free(readme);
}

/* The README's limits table and text give the defaults of dd_trace.h's DD_DEFAULT_* macros. */
static void limits_match_defaults(void) {
    static const struct {
        const char *field;
        unsigned long long value;
    } rows[] = {
        {"max_spans_per_segment", DD_DEFAULT_MAX_SPANS_PER_SEGMENT},
        {"max_open_segments", DD_DEFAULT_MAX_OPEN_SEGMENTS},
        {"max_tag_bytes` (per span", DD_DEFAULT_MAX_TAG_BYTES},
        {"max_buffer_bytes", DD_DEFAULT_MAX_BUFFER_BYTES},
        {"max_request_bytes", DD_DEFAULT_MAX_REQUEST_BYTES},
        {"send_retries", DD_DEFAULT_SEND_RETRIES},
    };
    char *readme = read_file("../README.md", "README.md", NULL);
    char want[128];
    size_t i;
    CHECK(readme != NULL);
    if (!readme) return;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].value >= (1u << 20) && rows[i].value % (1u << 20) == 0)
            snprintf(want, sizeof want, "| `%s%s | %llu MiB |", rows[i].field, strchr(rows[i].field, '`') ? ")" : "`",
                     rows[i].value >> 20);
        else
            snprintf(want, sizeof want, "| `%s%s | %llu |", rows[i].field, strchr(rows[i].field, '`') ? ")" : "`",
                     rows[i].value);
        if (!strstr(readme, want)) fprintf(stderr, "  README lacks the row %s\n", want);
        CHECK(strstr(readme, want) != NULL);
    }
    snprintf(want, sizeof want, "`flush_bytes` (%u MiB) or `flush_interval_ms` (%u s)", DD_DEFAULT_FLUSH_BYTES >> 20,
             DD_DEFAULT_FLUSH_INTERVAL_MS / 1000);
    CHECK(strstr(readme, want) != NULL);
    snprintf(want, sizeof want, "| `DD_TRACE_PARTIAL_FLUSH_MIN_SPANS` | `%d` |", DD_DEFAULT_PARTIAL_FLUSH_MIN_SPANS);
    CHECK(strstr(readme, want) != NULL);
    free(readme);
}

static const test_case cases[] = {
    TEST(usage_snippet_runs),
    TEST(sender_snippet_runs),
    TEST(transport_and_counters_snippets),
    TEST(propagation_snippet),
    TEST(lambda_snippet),
    TEST(readme_matches_snippets),
    TEST(config_table_matches_headers),
    TEST(limits_match_defaults),
};

int main(void) {
    return test_run("readme", cases, sizeof cases / sizeof cases[0]);
}
