/* tests/xlang/scenario.c - the cross-language scenario (tests/xlang/SCENARIO.md) played in C, the
 * reference the bindings' payloads are compared with by tests/xlang_test.sh.
 *
 *   cc -std=c99 -I. tests/xlang/scenario.c -o scenario -lpthread -lm
 *   DD_SERVICE=xlang DD_ENV=test DD_VERSION=1.0 DD_TRACE_AGENT_URL=http://127.0.0.1:PORT ./scenario
 *
 * The native sender (dd_sender_attach) and background delivery, as every binding uses them; then a
 * flush and dd_tracer_free. Exits 0 when every in-script check held and the flush succeeded, else
 * prints what failed and exits 1.
 *
 * The span link's flags follow the extractor's rule for links made from a context: sampled bit |
 * 0x80000000. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(cond, what) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "scenario.c: FAIL %s\n", what); \
            failures++; \
        } \
    } while (0)

/* The value of `name` in a dd_headers list, or NULL. */
static const char *header(const dd_headers *h, const char *name) {
    size_t i;
    for (i = 0; i < h->n; i++)
        if (strcmp(h->items[i].name, name) == 0) return h->items[i].value;
    return NULL;
}

static dd_span *start(dd_tracer *t, const dd_span *parent, const dd_trace_context *ctx, const char *name,
                      const char *resource, const char *type) {
    dd_span_options o = DD_SPAN_OPTIONS_INIT;
    o.size = sizeof o;
    o.parent = parent;
    o.context = ctx;
    o.name = name;
    o.resource = resource;
    o.type = type;
    return dd_span_start(t, &o);
}

int main(void) {
    static dd_trace_context incoming, queued; /* 17 KB each: not on the stack */
    dd_tracer_config cfg;
    dd_tracer *t;
    dd_sender *sender;
    dd_span *server, *db, *send, *recv;
    dd_header in[5];
    const char *names[5] = {"x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority",
                            "x-datadog-origin", "x-datadog-tags"};
    const char *values[5] = {"1234567890123456789", "987654321", "2", "synthetics", "_dd.p.dm=-4"};
    dd_header out_items[16];
    char out_buf[4096], json[2048], want_tp[64];
    dd_headers out;
    dd_span_link link;
    size_t i, n;
    int rc;

    dd_tracer_config_init(&cfg);
    cfg.cgroup_path = ""; /* as the bindings: no container id */
    sender = dd_sender_new(NULL);
    if (!sender) {
        fprintf(stderr, "scenario.c: dd_sender_new failed\n");
        return 1;
    }
    dd_sender_attach(&cfg, sender);
    t = dd_tracer_new(&cfg);
    if (!t) {
        fprintf(stderr, "scenario.c: dd_tracer_new failed\n");
        return 1;
    }

    /* 1. extract the incoming request's headers */
    for (i = 0; i < 5; i++) {
        in[i].name = names[i];
        in[i].name_len = strlen(names[i]);
        in[i].value = values[i];
        in[i].value_len = strlen(values[i]);
    }
    rc = dd_tracer_extract_headers(t, in, 5, &incoming);
    CHECK(rc == DD_OK && incoming.trace_id.lo == 1234567890123456789u && incoming.parent_id == 987654321u,
          "extract the incoming headers");

    /* 2. the server span */
    server = start(t, NULL, &incoming, "http.request", "GET /checkout", "web");
    dd_span_set_kind(server, "server");
    dd_span_set_tag(server, "http.method", "GET");
    dd_span_set_tag(server, "http.url", "http://shop.local/checkout");
    dd_span_set_tag(server, "customer.tier", "gold");
    dd_span_set_metric(server, "cart.items", 3);
    dd_span_set_tag(server, "http.status_code", "500");
    dd_span_set_error_info(server, "ValueError", "boom", "scenario.c:main\n  at checkout()");

    /* 3. the child */
    db = start(t, server, NULL, "db.query", "SELECT * FROM carts", "sql");
    dd_span_set_tag(db, "db.system", "postgresql");
    dd_span_set_metric(db, "db.rows", 7);

    /* 4. inject the child's context into a fresh carrier: checked, not sent */
    dd_headers_init(&out, out_items, 16, out_buf, sizeof out_buf);
    rc = dd_span_inject_headers(db, &out);
    snprintf(want_tp, sizeof want_tp, "00-%016x%016llx-", 0u, (unsigned long long)1234567890123456789u);
    CHECK(rc == DD_OK && header(&out, "x-datadog-trace-id") && strcmp(header(&out, "x-datadog-trace-id"), "1234567890123456789") == 0,
          "inject: x-datadog-trace-id");
    CHECK(header(&out, "traceparent") && strncmp(header(&out, "traceparent"), want_tp, strlen(want_tp)) == 0,
          "inject: traceparent with the same trace id");
    dd_span_finish(db);

    /* 5. the queue hop: producer, `_datadog` JSON, consumer with a link */
    send = dd_span_start_child(server, "sqs.send");
    dd_span_set_kind(send, "producer");
    dd_span_set_resource(send, "orders");
    n = dd_span_inject_datadog_json(send, json, sizeof json);
    CHECK(n > 0 && n < sizeof json && strstr(json, "\"x-datadog-trace-id\":\"1234567890123456789\""),
          "_datadog JSON holds the trace id");
    dd_span_finish(send);

    rc = dd_tracer_extract_datadog_json(t, json, n, &queued);
    CHECK(rc == DD_OK && queued.trace_id.lo == 1234567890123456789u, "extract the _datadog JSON");
    recv = start(t, NULL, &queued, "sqs.receive", "orders", NULL);
    dd_span_set_kind(recv, "consumer");
    memset(&link, 0, sizeof link);
    link.trace_id = queued.trace_id;
    link.span_id = queued.parent_id;
    link.flags = (int32_t)((queued.sampling_priority > 0 ? 1 : 0) | INT32_MIN);
    {
        static const dd_header kind = {"link.kind", 9, "queue", 5};
        CHECK(dd_span_add_link_attrs(recv, &link, &kind, 1) == DD_OK, "span link added");
    }
    dd_span_finish(recv);

    /* 6. finish, flush, close */
    dd_span_finish(server);
    rc = dd_tracer_flush(t);
    CHECK(rc == DD_OK, "flush reaches the agent");
    dd_tracer_free(t);
    return failures ? 1 : 0;
}
