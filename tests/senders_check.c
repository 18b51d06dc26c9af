/* cc -std=c99 -I. tests/senders_check.c examples/sender_curl.c -o senders_check -lcurl -lpthread -lm
 * Helper of tests/senders_test.sh: sends a request through dd_sender.h or the libcurl sender and
 * prints what happened on one line, for the script to check:
 *   senders_check sender|curl URL|- BODYFILE CONTENT-TYPE COUNT [TIMEOUT_MS]
 *   -> "rc=<int> status=<int> refused=<n> timeouts=<n> http_errors=<n> transport_errors=<n>
 *       responses=<n> connects=<n> not_sent=<n> unconfirmed=<n> body=<last response body>"
 * rc is the last call's DD_TRANSPORT_* class; refused counts connections that failed (not sent).
 * URL "-" means: take the endpoint from the environment (DD_TRACE_AGENT_URL, DD_AGENT_HOST...).
 * The request carries the headers a tracer sends (docs/agent-protocol.md §4). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"
#include "examples/sender_curl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char body[1 << 20];

int main(int argc, char **argv) {
    const char *kind, *url, *ctype;
    size_t len = 0;
    long count, timeout_ms = 2000, i;
    int rc = 0, status = 0, init_rc;
    const char *resp = "";
    size_t resp_len = 0;
    FILE *f;
    dd_header headers[5];
    dd_sender *ps;
    dd_sender_options opts;
    dd_sender_stats k;
    dd_curl_sender cs;
    if (argc < 6) {
        fprintf(stderr, "usage: senders_check sender|curl URL|- BODYFILE CONTENT-TYPE COUNT [TIMEOUT_MS]\n");
        return 64;
    }
    kind = argv[1];
    url = strcmp(argv[2], "-") == 0 ? NULL : argv[2];
    ctype = argv[4];
    count = atol(argv[5]);
    if (argc > 6) timeout_ms = atol(argv[6]);
    f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 64; }
    len = fread(body, 1, sizeof body, f);
    fclose(f);
    headers[0].name = "Content-Type";
    headers[0].name_len = strlen("Content-Type");
    headers[0].value = ctype;
    headers[0].value_len = strlen(ctype);
    headers[1].name = "X-Datadog-Trace-Count";
    headers[1].name_len = strlen("X-Datadog-Trace-Count");
    headers[1].value = "1";
    headers[1].value_len = strlen("1");
    headers[2].name = "Datadog-Meta-Lang";
    headers[2].name_len = strlen("Datadog-Meta-Lang");
    headers[2].value = "c";
    headers[2].value_len = strlen("c");
    headers[3].name = "Datadog-Meta-Tracer-Version";
    headers[3].name_len = strlen("Datadog-Meta-Tracer-Version");
    headers[3].value = DDTRACE_VERSION_STRING;
    headers[3].value_len = strlen(DDTRACE_VERSION_STRING);
    headers[4].name = "Datadog-Meta-Lang-Version";
    headers[4].name_len = strlen("Datadog-Meta-Lang-Version");
    headers[4].value = "199901";
    headers[4].value_len = strlen("199901");
    if (strcmp(kind, "sender") == 0) {
        dd_sender_options_init(&opts);
        opts.url = url;
        opts.timeout_ms = timeout_ms;
        ps = dd_sender_new(&opts);
        if (!ps) { printf("init=%d\n", DD_ERR_INVALID_ARG); return 0; }
        for (i = 0; i < count; i++) {
            dd_http_request req;
            dd_http_response res;
            req.method = i % 2 ? "PUT" : "POST"; /* the agent accepts both */
            req.path = "/v0.4/traces";
            req.headers = headers;
            req.n_headers = 5;
            req.body = body;
            req.body_len = len;
            req.timeout_ms = timeout_ms;
            rc = dd_sender_transport(ps, &req, &res);
            status = res.status;
            resp = res.body ? res.body : "";
            resp_len = res.body_len;
        }
        dd_sender_counters(ps, &k);
        printf("rc=%d status=%d refused=%lu timeouts=%lu http_errors=%lu transport_errors=%lu responses=%lu "
               "connects=%lu not_sent=%lu unconfirmed=%lu body=%.*s\n", rc, status, (unsigned long)k.not_sent,
               (unsigned long)k.timeouts, (unsigned long)k.http_errors, (unsigned long)(k.not_sent + k.unconfirmed),
               (unsigned long)k.answered, (unsigned long)k.connects, (unsigned long)k.not_sent,
               (unsigned long)k.unconfirmed, (int)resp_len, resp);
        if (rc != 0) fprintf(stderr, "dd_sender: %s\n", dd_sender_last_error(ps));
        dd_sender_free(ps);
    } else {
        init_rc = dd_curl_sender_init(&cs, url);
        if (init_rc != DD_OK) { printf("init=%d\n", init_rc); return 0; }
        cs.timeout_ms = timeout_ms;
        for (i = 0; i < count; i++) {
            dd_http_request req;
            dd_http_response res;
            req.method = i % 2 ? "PUT" : "POST";
            req.path = "/v0.4/traces";
            req.headers = headers;
            req.n_headers = 5;
            req.body = body;
            req.body_len = len;
            req.timeout_ms = timeout_ms;
            rc = dd_curl_sender_transport(&cs, &req, &res);
            status = res.status;
            resp = res.body ? res.body : "";
            resp_len = res.body_len;
        }
        printf("rc=%d status=%d refused=%lu timeouts=%lu http_errors=%lu transport_errors=%lu responses=%lu "
               "connects=%lu not_sent=%lu unconfirmed=%lu body=%.*s\n", rc, status, (unsigned long)cs.n_refused,
               (unsigned long)cs.n_timeouts, (unsigned long)cs.n_http_errors, (unsigned long)cs.n_transport_errors,
               (unsigned long)cs.n_responses, (unsigned long)cs.n_connects, (unsigned long)cs.n_not_sent,
               (unsigned long)cs.n_unconfirmed, (int)resp_len, resp);
        if (rc != 0) fprintf(stderr, "curl sender: %s\n", cs.last_error);
        dd_curl_sender_free(&cs);
    }
    return 0;
}
