/* examples/lambda/runtime_api.h - what examples/lambda/bootstrap.c reads from the Lambda Runtime
 * API's answer to GET /2018-06-01/runtime/invocation/next, in its own file so that
 * fuzz/fuzz_runtime_api.c can run it on hostile answers: the headers (Lambda-Runtime-Aws-Request-Id,
 * -Invoked-Function-Arn, -Trace-Id, -Client-Context), the event body (up to RT_EVENT_MAX), the demo
 * handler's reading of the event, and the path of the answer. Included once, after dd_lambda.h
 * (dd_json_*, DD_LAMBDA_ARN_MAX). Every read is bounded by a length given; nothing recurses. */
#ifndef RUNTIME_API_H
#define RUNTIME_API_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_EVENT_MAX (7u << 20) /* the Runtime API's 6 MB invocation payload, with room */

/* A header of the Runtime API's answer (case-insensitive name): the value and its length in
 * *len, or NULL when absent. */
typedef const char *(*rt_header_fn)(const void *user, const char *name, size_t *len);

/* One invocation as the bootstrap keeps it: NUL-terminated copies of the headers ("" when absent
 * or longer than the array) and of the event. */
typedef struct rt_invocation {
    char request_id[128], arn[DD_LAMBDA_ARN_MAX + 1], trace_header[512], client_context[4096];
    char *event; /* malloc'd, event_len bytes and a NUL */
    size_t event_len;
} rt_invocation;

/* A copy of a header, NUL-terminated ("" when absent or too long). */
static void rt_header_copy(rt_header_fn get, const void *user, const char *name, char *out, size_t cap) {
    size_t n = 0;
    const char *v = get(user, name, &n);
    out[0] = 0;
    if (v && n < cap) {
        memcpy(out, v, n);
        out[n] = 0;
    }
}

/* The request id goes into the path of the answer (/2018-06-01/runtime/invocation/<id>/response):
 * usable when not empty and made of visible ASCII without '/', '?' or '#', which would change
 * the path (dd_sender.h refuses a path with a space, a control byte or a byte over 0x7e, so such
 * an invocation could never be answered). Real ids are UUIDs. */
static int rt_request_id_ok(const char *id, size_t n) {
    size_t i;
    if (n == 0) return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#') return 0;
    }
    return 1;
}

/* Reads the answer to .../invocation/next (headers through `get`, the body). 0 when it is an
 * invocation, -1 without a usable request id, -2 out of memory; on failure *inv is zeroed. */
static int rt_read_invocation(rt_header_fn get, const void *user, const char *body, size_t body_len,
                              rt_invocation *inv) {
    size_t n = 0;
    const char *id = get(user, "Lambda-Runtime-Aws-Request-Id", &n);
    memset(inv, 0, sizeof *inv);
    if (!id || n >= sizeof inv->request_id || !rt_request_id_ok(id, n)) return -1; /* absent, too long, unusable */
    memcpy(inv->request_id, id, n);
    rt_header_copy(get, user, "Lambda-Runtime-Invoked-Function-Arn", inv->arn, sizeof inv->arn);
    rt_header_copy(get, user, "Lambda-Runtime-Trace-Id", inv->trace_header, sizeof inv->trace_header);
    rt_header_copy(get, user, "Lambda-Runtime-Client-Context", inv->client_context, sizeof inv->client_context);
    inv->event = (char *)malloc(body_len + 1); /* the sender's buffer is reused by the answer */
    if (!inv->event) {
        memset(inv, 0, sizeof *inv);
        return -2;
    }
    if (body_len) memcpy(inv->event, body, body_len);
    inv->event[body_len] = 0;
    inv->event_len = body_len;
    return 0;
}

static void rt_invocation_free(rt_invocation *inv) {
    free(inv->event);
    inv->event = NULL;
    inv->event_len = 0;
}

/* The path of the answer: /2018-06-01/runtime/invocation/<id>/response or /error. Returns the
 * length, or 0 when it does not fit in cap. */
static size_t rt_answer_path(const char *request_id, int failed, char *out, size_t cap) {
    int n = snprintf(out, cap, "/2018-06-01/runtime/invocation/%s/%s", request_id, failed ? "error" : "response");
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* The demo handler: counts Records, fails on "fail": true. Returns 0 or -1 with a message. */
static int rt_handle(const char *event, size_t len, long *records, const char **err) {
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

/* "sleep_ms": N in the event (a slow handler, for the timeout test): N when 0 < N < 60000, else 0. */
static uint64_t rt_sleep_ms(const char *event, size_t len) {
    dd_json root, v;
    uint64_t ms = 0;
    if (dd_json_parse(event, len, &root) == DD_OK && dd_json_get(&root, "sleep_ms", 8, &v) == DD_OK &&
        dd_json_u64(&v, &ms) == DD_OK && ms > 0 && ms < 60000)
        return ms;
    return 0;
}

#endif /* RUNTIME_API_H */
