/* cc -std=c99 -O2 -fPIC -shared -I. tests/hybrid/inprocess_native.c -o libhybrid_native.so -lpthread -lm */
/* tests/hybrid/inprocess_native.c - native code traced with dd-trace-c inside a Node.js process traced
 * by the official dd-trace (tests/hybrid/inprocess_service.js, tests/node_hybrid_inprocess_test.sh).
 *
 * The shape of a native addon or a C library loaded with koffi: it embeds its own copy of the SDK
 * (every dd_* symbol hidden, so it cannot clash with another copy in the process) and exports two
 * calls. The JavaScript side passes the context of its active span as the HTTP headers the official
 * tracer injected (names and values as two arrays of C strings); the C side extracts them with the
 * tracer's propagation styles and starts its spans as children, so the host's trace continues here.
 *
 *   int native_process(names, values, n, rows, out, cap)  spans native.process (child of the caller's
 *       context) and native.query (its child, metric db.rows = rows); writes
 *       {"trace_id":"<32 hex>","span_id":"<dec>","parent_id":"<dec>","extract":<status>} into out.
 *   void native_shutdown(void)  frees the tracer: what finished is delivered first (bounded wait).
 * The tracer is made on first use: DD_SERVICE (else "hybrid-native") and the agent of the
 * environment (DD_TRACE_AGENT_URL, ...) through dd_sender.h, background delivery. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_trace.h"
#include "dd_sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define NATIVE_EXPORT __attribute__((visibility("default")))
#else
#define NATIVE_EXPORT
#endif

#define MAX_HEADERS 32

static dd_tracer *tracer; /* one per process; this demo is called from the JS thread only */

static dd_tracer *get_tracer(void) {
    dd_tracer_config cfg;
    const char *service = getenv("DD_SERVICE");
    if (tracer) return tracer;
    dd_tracer_config_init(&cfg);
    if (!service || !*service) cfg.service = "hybrid-native";
    dd_sender_attach(&cfg, dd_sender_new(NULL)); /* the tracer owns its sender */
    tracer = dd_tracer_new(&cfg);
    return tracer;
}

NATIVE_EXPORT int native_process(const char *const *names, const char *const *values, size_t n, int rows, char *out,
                                 size_t cap);
NATIVE_EXPORT int native_process(const char *const *names, const char *const *values, size_t n, int rows, char *out,
                                 size_t cap) {
    dd_header h[MAX_HEADERS];
    dd_trace_context caller;
    dd_span_options so = DD_SPAN_OPTIONS_INIT;
    dd_span *span, *query;
    dd_trace_id tid;
    char hex[33];
    size_t i;
    int rc;
    dd_tracer *t = get_tracer();
    if (!t || n > MAX_HEADERS) return DD_ERR_INVALID_ARG;
    for (i = 0; i < n; i++) {
        h[i].name = names[i];
        h[i].name_len = strlen(names[i]);
        h[i].value = values[i];
        h[i].value_len = strlen(values[i]);
    }
    rc = dd_tracer_extract_headers(t, h, n, &caller); /* the tracer's styles: datadog, tracecontext, ... */
    so.context = rc == DD_OK ? &caller : NULL;        /* no context: a trace of its own */
    so.name = "native.process";
    so.resource = "transform";
    span = dd_span_start(t, &so);
    dd_span_set_tag(span, "component", "native-addon");
    query = dd_span_start_child(span, "native.query");
    dd_span_set_resource(query, "SELECT * FROM rows");
    dd_span_set_type(query, "sql");
    dd_span_set_metric(query, "db.rows", (double)rows);
    dd_span_finish(query);
    dd_span_trace_id(span, &tid);
    dd_trace_id_to_hex32(&tid, hex);
    snprintf(out, cap, "{\"trace_id\":\"%s\",\"span_id\":\"%llu\",\"parent_id\":\"%llu\",\"extract\":%d}", hex,
             (unsigned long long)dd_span_id(span), (unsigned long long)dd_span_parent_id(span), rc);
    dd_span_finish(span);
    return DD_OK;
}

NATIVE_EXPORT void native_shutdown(void);
NATIVE_EXPORT void native_shutdown(void) {
    dd_tracer_free(tracer);
    tracer = NULL;
}
